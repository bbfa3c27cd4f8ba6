//! Shared by the lucia-mongodb tests: the server URL, attribute types, store set-up.
#![allow(dead_code, clippy::unwrap_used)]

use lucia::conformance::Fixture;
use lucia_mongodb::{Atomicity, MongoStore};

/// The URL in `LUCIA_MONGODB_URL`, or `None` after a loud SKIPPED line. With
/// `LUCIA_REQUIRE_SERVICES=1` a missing URL fails the test instead.
pub fn url(test: &str) -> Option<String> {
    const VAR: &str = "LUCIA_MONGODB_URL";
    match std::env::var(VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() == Ok("1") {
                panic!(
                    "{test}: {VAR} is not set and LUCIA_REQUIRE_SERVICES=1 (start it with scripts/services.sh up)"
                );
            }
            say(&format!(
                "SKIPPED: {test}: {VAR} is not set (run `eval \"$(scripts/services.sh up)\"` to test against a real server)"
            ));
            None
        }
    }
}

/// Prints past the test harness's output capture.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The database the tests use, unless they need one of their own.
pub const DATABASE: &str = "lucia_test";

/// A store on `database` with collections prefixed `prefix`, initialised; `None` when the
/// server is not configured (SKIPPED).
pub async fn store<U, S>(
    test: &str,
    database: &str,
    prefix: &str,
    atomicity: Atomicity,
) -> Option<MongoStore<U, S>> {
    let url = url(test)?;
    let db = lucia_mongodb::connect(&url, database).await.unwrap();
    let store = MongoStore::new(db)
        .with_prefix(prefix)
        .with_unique_attribute("email")
        .with_atomicity(atomicity);
    store.init().await.unwrap();
    Some(store)
}

/// User attributes as BSON fields: a unique email, a nullable name, a flag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
                .then(|| format!("Ada «{seed}» O'Lovelace {{$set: 1}}")),
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

/// Session attributes as BSON fields.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Device {
    pub ip: Option<String>,
    pub user_agent: String,
}

impl Fixture for Device {
    fn fixture(seed: u64) -> Self {
        Self {
            ip: (seed % 2 == 1).then(|| format!("192.0.2.{}", seed % 250)),
            user_agent: format!("Mozilla/5.0 (suite {seed}) \"$where\": 'x'"),
        }
    }
}
