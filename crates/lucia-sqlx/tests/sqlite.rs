//! lucia-sqlx on SQLite: a real database file, no server needed, so these always run.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use common::{Device, Profile, concurrent_sign_ups, migrator, tables};
use lucia::store::UserStore;
use lucia::{Error, Lucia, NewUser, StoreError, User};
use lucia_sqlx::{Dialect, SqlxStore};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

struct TempDb {
    path: std::path::PathBuf,
    pool: SqlitePool,
}

impl Drop for TempDb {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.path.display()));
        }
    }
}

async fn temp_db() -> TempDb {
    let path =
        std::env::temp_dir().join(format!("lucia-sqlx-{}.db", lucia::generate_id().unwrap()));
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
    TempDb { path, pool }
}

async fn store(db: &TempDb) -> SqlxStore<sqlx::Sqlite, Profile, Device> {
    let tables = tables("lt");
    migrator(tables.clone(), "TEXT")
        .run(&db.pool)
        .await
        .unwrap();
    SqlxStore::with_tables(db.pool.clone(), tables).unwrap()
}

#[tokio::test]
async fn conformance_sqlite() {
    let db = temp_db().await;
    let store = store(&db).await;
    lucia::conformance::run_auth_store(&store).await;
    lucia::conformance::run_token_store(&store).await;
    lucia::conformance::run_two_factor_store(&store).await;
    common::announce("conformance: sqlite: passed (users, keys, sessions, tokens, two-factor)");
}

#[tokio::test]
async fn migrations_are_versioned_and_idempotent() {
    let db = temp_db().await;
    let tables = tables("lt");
    let migrator = migrator(tables.clone(), "TEXT");
    migrator.run(&db.pool).await.unwrap();
    migrator.run(&db.pool).await.unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM lt_migrations")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(versions, vec![1, 2, 3]);
    // The SQL to copy is what ran.
    let sql = migrator.sql(Dialect::Sqlite).join(";\n");
    assert!(sql.contains(r#"CREATE TABLE IF NOT EXISTS "lt_sessions""#));
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'lt_%' ORDER BY name",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        indexes,
        vec![
            "lt_keys_user_id_idx",
            "lt_sessions_expires_at_idx",
            "lt_sessions_user_id_idx",
            "lt_tokens_expires_at_idx",
            "lt_tokens_hash_idx",
            "lt_tokens_user_purpose_idx",
        ]
    );
}

#[tokio::test]
async fn attributes_are_real_columns_and_unique_violations_name_them() {
    let db = temp_db().await;
    let store = store(&db).await;
    let lucia = Lucia::new(store.clone());
    let ada = Profile {
        email: "ada@example.com".into(),
        name: Some("Ada".into()),
        admin: true,
    };
    let user = lucia.create_user(NewUser::new(ada.clone())).await.unwrap();
    let (email, admin): (String, bool) =
        sqlx::query_as("SELECT email, admin FROM lt_users WHERE id = ?")
            .bind(&user.id)
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!((email.as_str(), admin), ("ada@example.com", true));

    let err = lucia
        .create_user(NewUser::new(Profile { name: None, ..ada }))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UniqueViolation { ref column } if column == "email"),
        "{err:?}"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM lt_users")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(count, 1, "nothing half-written");

    let dup = User {
        id: user.id.clone(),
        attributes: Profile {
            email: "other@example.com".into(),
            name: None,
            admin: false,
        },
    };
    assert!(matches!(
        store.insert_user(&dup, None).await,
        Err(StoreError::DuplicateUserId)
    ));
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_key() {
    let db = temp_db().await;
    concurrent_sign_ups(store(&db).await, "sqlite").await;
}

#[tokio::test]
async fn a_closed_pool_is_an_error_not_a_signed_out_user() {
    let db = temp_db().await;
    let store = store(&db).await;
    let lucia = Lucia::new(store);
    let user = lucia
        .create_user(NewUser::new(Profile {
            email: "x@example.com".into(),
            name: None,
            admin: false,
        }))
        .await
        .unwrap();
    let (_, token) = lucia
        .create_session(
            &user.id,
            Device {
                ip: None,
                user_agent: "t".into(),
            },
        )
        .await
        .unwrap();
    db.pool.close().await;
    assert!(matches!(
        lucia.validate_session(token.expose_secret()).await,
        Err(Error::Store(_))
    ));
}

#[tokio::test]
async fn app_migrations_run_once_after_lucias() {
    let db = temp_db().await;
    let tables = tables("lt");
    let migrator = migrator(tables.clone(), "TEXT")
        .app_migration(
            1000,
            "device names",
            ["ALTER TABLE lt_sessions ADD COLUMN device TEXT"],
        )
        .unwrap();
    migrator.run(&db.pool).await.unwrap();
    migrator.run(&db.pool).await.unwrap();
    let versions: Vec<i64> =
        sqlx::query_scalar("SELECT version FROM lt_migrations ORDER BY version")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(versions, vec![1, 2, 3, 1000]);
    let columns: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM pragma_table_info('lt_sessions') WHERE name = 'device'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(columns, 1);
    assert!(
        lucia_sqlx::Migrator::default()
            .app_migration(999, "too low", ["SELECT 1"])
            .is_err()
    );
}
