//! A database that goes away gives typed store errors quickly — never a panic, never a silent
//! "signed out" — and the store works again once the server is back. Each test stops and
//! restarts a real server through `scripts/services.sh`, so this file holds one test per server
//! and cargo runs test binaries one after another.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Device, Profile, migrator, service_url, tables};
use lucia::store::AuthStore;
use lucia::{Error, Lucia, NewUser, Validation};
use lucia_sqlx::{Backend, Columns, SqlxStore};

fn services(args: &[&str]) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/services.sh");
    let status = Command::new("bash")
        .arg(&script)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "scripts/services.sh {args:?} failed");
}

async fn outage<DB>(pool: sqlx::Pool<DB>, service: &str)
where
    DB: Backend,
    Profile: Columns<DB>,
    Device: Columns<DB>,
    SqlxStore<DB, Profile, Device>: AuthStore<UserAttributes = Profile, SessionAttributes = Device>,
{
    let tables = tables(&format!("lt_fault_{service}"));
    let text = if service == "mariadb" {
        "VARCHAR(255)"
    } else {
        "TEXT"
    };
    migrator(tables.clone(), text).run(&pool).await.unwrap();
    let lucia = Lucia::new(SqlxStore::<DB, Profile, Device>::with_tables(pool, tables).unwrap());
    let email = format!("{}@example.com", lucia::generate_id().unwrap());
    let user = lucia
        .create_user(NewUser::new(Profile {
            email,
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
                user_agent: "fault".into(),
            },
        )
        .await
        .unwrap();
    assert!(
        lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );

    services(&["stop", service]);
    let started = Instant::now();
    let down = tokio::time::timeout(
        Duration::from_secs(20),
        lucia.validate_session(token.expose_secret()),
    )
    .await
    .expect("a validation against a stopped server must answer, not hang");
    assert!(
        matches!(down, Err(Error::Store(_))),
        "{service} down must be a store error, got {down:?}"
    );
    common::announce(&format!(
        "faults: {service} down → store error after {:?}",
        started.elapsed()
    ));

    services(&["start", service]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match lucia.validate_session(token.expose_secret()).await {
            Ok(Validation::Valid(valid)) => {
                assert_eq!(
                    valid.user, user,
                    "the same user comes back after the restart"
                );
                break;
            }
            Ok(invalid) => {
                panic!("the session must survive a restart of {service}, got {invalid:?}")
            }
            Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(250)).await
            }
            Err(err) => panic!("{service} did not recover within 30 s: {err:?}"),
        }
    }
    common::announce(&format!("faults: {service} restarted → recovered"));
}

#[tokio::test]
async fn database_outages_are_errors_and_recover() {
    if let Some(url) = service_url("LUCIA_POSTGRES_URL", "faults_postgres") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(Duration::from_secs(2))
            .connect(&url)
            .await
            .unwrap();
        outage(pool, "postgres").await;
    }
    if let Some(url) = service_url("LUCIA_MYSQL_URL", "faults_mariadb") {
        let pool = sqlx::mysql::MySqlPoolOptions::new()
            .acquire_timeout(Duration::from_secs(2))
            .connect(&url)
            .await
            .unwrap();
        outage(pool, "mariadb").await;
    }
}
