//! Shared by the lucia-sqlx tests: service URLs, attribute types with real columns, helpers.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;

use lucia::conformance::Fixture;
use lucia::store::AuthStore;
use lucia::{Error, Lucia, NewKey, NewUser};
use lucia_sqlx::{Columns, Migrator, Query, Tables};

/// The URL in `var`, or `None` after a loud SKIPPED line. With `LUCIA_REQUIRE_SERVICES=1`
/// a missing URL fails the test instead.
pub fn service_url(var: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!(
                    "{test}: {var} is not set and LUCIA_REQUIRE_SERVICES=1 (start them with scripts/services.sh up)"
                );
            }
            announce(&format!(
                "SKIPPED: {test}: {var} is not set (run `eval \"$(scripts/services.sh up)\"` to test against a real server)"
            ));
            None
        }
    }
}

/// Prints past the test harness's output capture, so the line shows in CI logs even when the
/// test passes.
pub fn announce(line: &str) {
    use std::io::Write;
    // `eprintln!` is captured by the test harness; a direct write to the stderr handle is not.
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// User attributes as real columns: a unique email, a nullable name, a flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub email: String,
    pub name: Option<String>,
    pub admin: bool,
}

impl Fixture for Profile {
    fn fixture(seed: u64) -> Self {
        Self {
            email: format!("user-{seed}@example.com"),
            name: seed
                .is_multiple_of(2)
                .then(|| format!("Ada «{seed}» O'Lovelace")),
            admin: seed.is_multiple_of(3),
        }
    }

    fn conflicting(&self) -> Option<(Self, &'static str)> {
        Some((
            Self {
                email: self.email.clone(),
                name: None,
                admin: !self.admin,
            },
            "email",
        ))
    }
}

/// Session attributes as real columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub ip: Option<String>,
    pub user_agent: String,
}

impl Fixture for Device {
    fn fixture(seed: u64) -> Self {
        Self {
            ip: (seed % 2 == 1).then(|| format!("192.0.2.{}", seed % 250)),
            user_agent: format!(
                "Mozilla/5.0 (seed {seed}) 'single' \"double\" ; DROP TABLE users; --"
            ),
        }
    }
}

macro_rules! columns {
    ($db:ty) => {
        impl Columns<$db> for Profile {
            const COLUMNS: &'static [&'static str] = &["email", "name", "admin"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query
                    .bind(self.email.as_str())
                    .bind(self.name.as_deref())
                    .bind(self.admin)
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    email: row.try_get(first)?,
                    name: row.try_get(first + 1)?,
                    admin: row.try_get(first + 2)?,
                })
            }
        }

        impl Columns<$db> for Device {
            const COLUMNS: &'static [&'static str] = &["ip", "user_agent"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query
                    .bind(self.ip.as_deref())
                    .bind(self.user_agent.as_str())
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    ip: row.try_get(first)?,
                    user_agent: row.try_get(first + 1)?,
                })
            }
        }
    };
}

columns!(sqlx::Sqlite);
columns!(sqlx::Postgres);
columns!(sqlx::MySql);

/// Tables for one test binary, so tests of different backends and the demo never collide.
pub fn tables(prefix: &str) -> Tables {
    Tables::new(
        &format!("{prefix}_users"),
        &format!("{prefix}_keys"),
        &format!("{prefix}_sessions"),
    )
    .unwrap()
    .migrations(&format!("{prefix}_migrations"))
    .unwrap()
    .tokens(&format!("{prefix}_tokens"))
    .unwrap()
    .two_factor(
        &format!("{prefix}_two_factor"),
        &format!("{prefix}_recovery_codes"),
    )
    .unwrap()
}

/// The migrator with the test attribute columns; `text` is the dialect's indexable text type.
pub fn migrator(tables: Tables, text: &str) -> Migrator {
    Migrator::new(tables)
        .user_column(format!("email {text} NOT NULL UNIQUE"))
        .user_column("name TEXT")
        .user_column("admin BOOLEAN NOT NULL")
        .session_column("ip TEXT")
        .session_column("user_agent TEXT NOT NULL")
}

/// Many concurrent sign-ups with one key: exactly one wins, the rest get DuplicateKey, and
/// the store holds exactly one user with that key.
pub async fn concurrent_sign_ups<S>(store: S, label: &str)
where
    S: AuthStore<UserAttributes = Profile> + Send + Sync + 'static,
{
    let lucia =
        Arc::new(Lucia::new(store).with_hasher(lucia::password::Argon2id::insecure_for_tests()));
    let email = format!("race-{}@example.com", lucia::generate_id().unwrap());
    let mut tasks = Vec::new();
    for n in 0..50u64 {
        let lucia = Arc::clone(&lucia);
        let email = email.clone();
        tasks.push(tokio::spawn(async move {
            let profile = Profile {
                email: format!("racer-{n}-{}@example.com", lucia::generate_id().unwrap()),
                name: None,
                admin: false,
            };
            lucia
                .create_user(
                    NewUser::new(profile).key(
                        NewKey::new("email", &email)
                            .unwrap()
                            .password("correct horse battery"),
                    ),
                )
                .await
        }));
    }
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => winners += 1,
            Err(Error::DuplicateKey) => {}
            Err(other) => {
                panic!("{label}: a losing sign-up must fail with DuplicateKey, got {other:?}")
            }
        }
    }
    assert_eq!(winners, 1, "{label}: exactly one concurrent sign-up wins");
    let key = lucia
        .get_key("email", &email)
        .await
        .unwrap()
        .expect("the winner's key");
    assert!(lucia.get_user(&key.user_id).await.unwrap().is_some());
    assert_eq!(
        lucia.get_all_user_keys(&key.user_id).await.unwrap().len(),
        1
    );
}
