//! lucia-sqlx on real PostgreSQL and MariaDB/MySQL servers (URLs from `LUCIA_POSTGRES_URL` and
//! `LUCIA_MYSQL_URL`; see `scripts/services.sh`). The same tests run on both.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

/// The server-backed tests for one backend.
macro_rules! server_tests {
    ($module:ident, $db:ty, $pool:ty, $var:literal, $text:literal, $prefix:literal, $param:literal) => {
        mod $module {
            use std::time::Duration;

            use crate::common::{self, Device, Profile, concurrent_sign_ups, migrator, service_url, tables};
            use lucia::{Error, Lucia, NewUser};
            use lucia_sqlx::SqlxStore;

            type Store = SqlxStore<$db, Profile, Device>;

            async fn store(test: &str) -> Option<Store> {
                let url = service_url($var, test)?;
                let pool = <$pool>::new()
                    .max_connections(8)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(&url)
                    .await
                    .unwrap_or_else(|err| panic!("{test}: cannot connect to {}: {err}", $var));
                let tables = tables($prefix);
                migrator(tables.clone(), $text).run(&pool).await.unwrap();
                Some(SqlxStore::with_tables(pool, tables).unwrap())
            }

            #[tokio::test]
            async fn conformance() {
                let Some(store) = store(concat!("conformance_", stringify!($module))).await else { return };
                lucia::conformance::run_auth_store(&store).await;
                lucia::conformance::run_token_store(&store).await;
    lucia::conformance::run_two_factor_store(&store).await;
                common::announce(concat!("conformance: ", stringify!($module), ": passed (users, keys, sessions, tokens, two-factor)"));
            }

            #[tokio::test]
            async fn concurrent_sign_ups_with_one_key() {
                let Some(store) = store("concurrent_sign_ups_with_one_key").await else { return };
                concurrent_sign_ups(store, stringify!($module)).await;
            }

            #[tokio::test]
            async fn unique_violations_name_the_column_and_leave_nothing_behind() {
                let Some(store) = store("unique_violations").await else { return };
                let lucia = Lucia::new(store.clone());
                let email = format!("{}@example.com", lucia::generate_id().unwrap());
                let profile = Profile { email: email.clone(), name: None, admin: false };
                lucia.create_user(NewUser::new(profile.clone())).await.unwrap();
                let err = lucia.create_user(NewUser::new(Profile { admin: true, ..profile })).await.unwrap_err();
                assert!(matches!(err, Error::UniqueViolation { ref column } if column == "email"), "{err:?}");
                let sql = concat!("SELECT COUNT(*) FROM ", $prefix, "_users WHERE email = ", $param);
                let count: i64 = sqlx::query_scalar(sql).bind(&email).fetch_one(store.pool()).await.unwrap();
                assert_eq!(count, 1);
            }

            #[tokio::test]
            async fn migrations_run_twice() {
                let Some(store) = store("migrations_run_twice").await else { return };
                migrator(store.tables().clone(), $text).run(store.pool()).await.unwrap();
                let sql = concat!("SELECT version FROM ", $prefix, "_migrations");
                let versions: Vec<i64> = sqlx::query_scalar(sql).fetch_all(store.pool()).await.unwrap();
                assert_eq!(versions, vec![1, 2, 3]);
            }
        }
    };
}

server_tests!(
    postgres,
    sqlx::Postgres,
    sqlx::postgres::PgPoolOptions,
    "LUCIA_POSTGRES_URL",
    "TEXT",
    "lt_pg",
    "$1"
);
server_tests!(
    mysql,
    sqlx::MySql,
    sqlx::mysql::MySqlPoolOptions,
    "LUCIA_MYSQL_URL",
    "VARCHAR(255)",
    "lt_my",
    "?"
);
