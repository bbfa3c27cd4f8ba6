//! Opening the stores the benchmarks, the round-trip test and the bench server share.

use std::path::Path;
use std::time::Duration;

use lucia_sqlx::{Migrator, SqlxStore, Tables};
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};

/// Boxed errors for setup code.
pub type SetupError = Box<dyn std::error::Error + Send + Sync>;

/// lucia's SQL store with no attribute columns on SQLite.
pub type SqliteStore = SqlxStore<Sqlite, (), ()>;
/// lucia's SQL store with no attribute columns on PostgreSQL.
pub type PgStore = SqlxStore<Postgres, (), ()>;
/// lucia's Redis session store (no session attributes).
pub type RedisStore = lucia_redis::RedisSessionStore<redis::aio::ConnectionManager, ()>;

/// The URL in environment variable `var`, or `None` with a loud `SKIPPED` line on stderr.
/// With `LUCIA_REQUIRE_SERVICES=1` a missing URL panics instead (CI starts the services).
pub fn service_url(var: &str, what: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{what}: {var} is not set but LUCIA_REQUIRE_SERVICES=1"
            );
            eprintln!("SKIPPED {what}: {var} is not set (see scripts/services.sh)");
            None
        }
    }
}

/// Table names `<prefix>_users`, `<prefix>_sessions`, ... so the benchmarks never touch the
/// tables of other tests sharing the database.
pub fn tables(prefix: &str) -> Result<Tables, SetupError> {
    Ok(Tables::new(
        &format!("{prefix}_users"),
        &format!("{prefix}_keys"),
        &format!("{prefix}_sessions"),
    )?
    .migrations(&format!("{prefix}_migrations"))?
    .tokens(&format!("{prefix}_tokens"))?
    .two_factor(
        &format!("{prefix}_two_factor"),
        &format!("{prefix}_recovery_codes"),
    )?)
}

/// A SQLite pool on a file (created, WAL journal, foreign keys on), as lucia-sqlx recommends.
pub async fn sqlite_pool(path: &Path, max_connections: u32) -> Result<SqlitePool, SetupError> {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    Ok(SqlitePoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect_with(options)
        .await?)
}

/// A PostgreSQL pool.
pub async fn postgres_pool(url: &str, max_connections: u32) -> Result<PgPool, SetupError> {
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await?)
}

/// lucia's store on a SQLite pool, migrated, with tables named after `prefix`.
pub async fn sqlite_store(pool: SqlitePool, prefix: &str) -> Result<SqliteStore, SetupError> {
    let tables = tables(prefix)?;
    Migrator::new(tables.clone()).run(&pool).await?;
    Ok(SqlxStore::with_tables(pool, tables)?)
}

/// lucia's store on a PostgreSQL pool, migrated, with tables named after `prefix`.
pub async fn postgres_store(pool: PgPool, prefix: &str) -> Result<PgStore, SetupError> {
    let tables = tables(prefix)?;
    Migrator::new(tables.clone()).run(&pool).await?;
    Ok(SqlxStore::with_tables(pool, tables)?)
}

/// lucia's Redis session store on `url`, its keys under `prefix`.
pub async fn redis_store(url: &str, prefix: &str) -> Result<RedisStore, SetupError> {
    let conn = lucia_redis::connect(url).await?;
    Ok(lucia_redis::RedisSessionStore::new(conn).with_prefix(prefix)?)
}

/// A random suffix for table names and key prefixes, so concurrent runs never collide.
pub fn unique(prefix: &str) -> String {
    let id = lucia::generate_id().unwrap_or_else(|_| "fallback".to_owned());
    format!("{prefix}_{}", &id[..8.min(id.len())])
}
