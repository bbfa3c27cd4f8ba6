//! lucia-sqlx on a real postgres server (URL from `LUCIA_POSTGRES_URL`).
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Device, Profile, concurrent_sign_ups, migrator, service_url, tables};
use lucia::{Error, Lucia, NewUser};
use lucia_sqlx::SqlxStore;

type Store = SqlxStore<sqlx::Postgres, Profile, Device>;

async fn store(test: &str) -> Option<Store> {
    let url = service_url("LUCIA_POSTGRES_URL", test)?;
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(5))
        .connect(&url)
        .await
        .unwrap_or_else(|err| panic!("{test}: cannot connect to LUCIA_POSTGRES_URL: {err}"));
    let tables = tables("lt_pg");
    migrator(tables.clone(), "TEXT").run(&pool).await.unwrap();
    Some(SqlxStore::with_tables(pool, tables).unwrap())
}

#[tokio::test]
async fn conformance_postgres() {
    let Some(store) = store("conformance_postgres").await else {
        return;
    };
    lucia::conformance::run_auth_store(&store).await;
    common::announce("conformance: postgres: passed");
}

#[tokio::test]
async fn concurrent_sign_ups_with_one_key() {
    let Some(store) = store("concurrent_sign_ups_with_one_key").await else {
        return;
    };
    concurrent_sign_ups(store, "postgres").await;
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
        "lt_pg_users",
        if "postgres" == "postgres" { "$1" } else { "?" }
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
    migrator(store.tables().clone(), "TEXT")
        .run(store.pool())
        .await
        .unwrap();
    let versions: Vec<i64> = sqlx::query_scalar("SELECT version FROM lt_pg_migrations")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(versions, vec![1]);
}
