//! lucia-sqlx on a real mysql server (URL from `LUCIA_MYSQL_URL`).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Device, Profile, concurrent_sign_ups, migrator, service_url, tables};
use lucia::{Error, Lucia, NewUser};
use lucia_sqlx::SqlxStore;

type Store = SqlxStore<sqlx::MySql, Profile, Device>;

async fn store(test: &str) -> Option<Store> {
    let url = service_url("LUCIA_MYSQL_URL", test)?;
    let pool = sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .unwrap_or_else(|err| panic!("{test}: cannot connect to LUCIA_MYSQL_URL: {err}"));
    let tables = tables("lt_my");
    migrator(tables.clone(), "VARCHAR(255)")
        .run(&pool)
        .await
        .unwrap();
    Some(SqlxStore::with_tables(pool, tables).unwrap())
}

#[tokio::test]
async fn conformance_mysql() {
    let Some(store) = store("conformance_mysql").await else {
        return;
    };
    lucia::conformance::run_auth_store(&store).await;
    common::announce("conformance: mysql: passed");
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_key() {
    let Some(store) = store("concurrent_sign_ups_with_one_key").await else {
        return;
    };
    concurrent_sign_ups(store, "mysql").await;
}

#[tokio::test]
async fn unique_violations_name_the_column_and_leave_nothing_behind() {
    let Some(store) = store("unique_violations").await else {
        return;
    };
    let lucia = Lucia::new(store.clone());
    let email = format!("{}@example.com", lucia::generate_id().unwrap());
    let profile = Profile {
        email: email.clone(),
        name: None,
        admin: false,
    };
    lucia
        .create_user(NewUser::new(profile.clone()))
        .await
        .unwrap();
    let err = lucia
        .create_user(NewUser::new(Profile {
            admin: true,
            ..profile
        }))
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::UniqueViolation { ref column } if column == "email"),
        "{err:?}"
    );
    let count: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {} WHERE email = {}",
        "lt_my_users",
        if "mysql" == "postgres" { "$1" } else { "?" }
    ))
    .bind(&email)
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn migrations_run_twice() {
    let Some(store) = store("migrations_run_twice").await else {
        return;
    };
    migrator(store.tables().clone(), "VARCHAR(255)")
        .run(store.pool())
        .await
        .unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM lt_my_migrations")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(versions, vec![1]);
}
