//! The race suite (`lucia::conformance::races`: 100 concurrent sign-ups, uses of one reset
//! link / recovery code / TOTP code, renewals of one session, sign-out-everywhere racing
//! logins) on a multi-threaded tokio runtime, against SQLite (a WAL file, always), PostgreSQL
//! and MariaDB/MySQL (`LUCIA_POSTGRES_URL`, `LUCIA_MYSQL_URL`; SKIPPED without them).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Device, Profile, migrator, service_url, tables};
use lucia::conformance::races::run_races;
use lucia_sqlx::SqlxStore;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use lucia_http_tests::TokioSpawn as Tokio;

fn report(backend: &str, outcomes: &[lucia::conformance::races::RaceOutcome]) {
    for outcome in outcomes {
        common::announce(&format!("races: {backend}: {outcome}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_sqlite() {
    let path = std::env::temp_dir().join(format!(
        "lucia-sqlx-races-{}.db",
        lucia::generate_id().unwrap()
    ));
    // The setup the crate documents: a WAL file, a pool of a few connections.
    let options = SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .unwrap();
    let tables = tables("lr");
    migrator(tables.clone(), "TEXT").run(&pool).await.unwrap();
    let store =
        SqlxStore::<sqlx::Sqlite, Profile, Device>::with_tables(pool.clone(), tables).unwrap();
    let outcomes = run_races(store, &Tokio).await;
    pool.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    report("sqlite", &outcomes);
}

macro_rules! server_races {
    ($name:ident, $db:ty, $pool:ty, $var:literal, $text:literal, $prefix:literal) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $name() {
            let Some(url) = service_url($var, stringify!($name)) else {
                return;
            };
            let pool = <$pool>::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect(&url)
                .await
                .unwrap_or_else(|err| {
                    panic!("{}: cannot connect to {}: {err}", stringify!($name), $var)
                });
            let tables = tables($prefix);
            migrator(tables.clone(), $text).run(&pool).await.unwrap();
            let store = SqlxStore::<$db, Profile, Device>::with_tables(pool, tables).unwrap();
            report(stringify!($name), &run_races(store, &Tokio).await);
        }
    };
}

server_races!(
    races_postgres,
    sqlx::Postgres,
    sqlx::postgres::PgPoolOptions,
    "LUCIA_POSTGRES_URL",
    "TEXT",
    "lr_pg"
);
server_races!(
    races_mysql,
    sqlx::MySql,
    sqlx::mysql::MySqlPoolOptions,
    "LUCIA_MYSQL_URL",
    "VARCHAR(255)",
    "lr_my"
);
