//! The demo's user and session attributes, stored as real columns on every backend.

use lucia_sqlx::{Columns, Migrator, Query, Tables};

/// A user: an email address (unique, lowercase) and whether its owner proved they read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The normalised email address.
    pub email: String,
    /// Whether the address was verified: by the code mailed after sign-up, or by an OAuth
    /// provider that marked it verified.
    pub email_verified: bool,
}

/// What the demo remembers about a session: the browser and address it was created from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The `User-Agent` at sign-in (truncated to 255 characters).
    pub user_agent: String,
    /// The client's IP address at sign-in.
    pub ip: Option<String>,
    /// Whether the session passed the second factor (always, for users without one).
    pub two_factor_verified: bool,
}

impl lucia::two_factor::TwoFactorSession for Device {
    fn two_factor_verified(&self) -> bool {
        self.two_factor_verified
    }
    fn set_two_factor_verified(&mut self, verified: bool) {
        self.two_factor_verified = verified;
    }
}

/// Sessions in Redis (`--session-redis-url`): the attributes as a JSON object.
impl lucia_redis::AttributeCodec for Device {
    fn encode(&self) -> Result<Vec<u8>, lucia::BoxError> {
        let value = serde_json::json!({
            "user_agent": self.user_agent,
            "ip": self.ip,
            "two_factor_verified": self.two_factor_verified,
        });
        Ok(serde_json::to_vec(&value)?)
    }

    fn decode(bytes: &[u8]) -> Result<Self, lucia::BoxError> {
        #[derive(serde::Deserialize)]
        struct Stored {
            user_agent: String,
            ip: Option<String>,
            two_factor_verified: bool,
        }
        let stored: Stored = serde_json::from_slice(bytes)?;
        Ok(Self {
            user_agent: stored.user_agent,
            ip: stored.ip,
            two_factor_verified: stored.two_factor_verified,
        })
    }
}

macro_rules! columns {
    ($db:ty) => {
        impl Columns<$db> for Account {
            const COLUMNS: &'static [&'static str] = &["email", "email_verified"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query.bind(self.email.as_str()).bind(self.email_verified)
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    email: row.try_get(first)?,
                    email_verified: row.try_get(first + 1)?,
                })
            }
        }

        impl Columns<$db> for Device {
            const COLUMNS: &'static [&'static str] = &["user_agent", "ip", "two_factor_verified"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query
                    .bind(self.user_agent.as_str())
                    .bind(self.ip.as_deref())
                    .bind(self.two_factor_verified)
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    user_agent: row.try_get(first)?,
                    ip: row.try_get(first + 1)?,
                    two_factor_verified: row.try_get(first + 2)?,
                })
            }
        }
    };
}

columns!(sqlx::Sqlite);
columns!(sqlx::Postgres);
columns!(sqlx::MySql);

/// The demo's tables (prefixed, so the demo can share a database with other apps) and
/// columns. `text` is the dialect's indexable text type.
pub fn migrator(text: &str) -> lucia::Result<Migrator> {
    let tables = Tables::new("demo_users", "demo_keys", "demo_sessions")
        .and_then(|t| t.migrations("demo_migrations"))
        .and_then(|t| t.tokens("demo_tokens"))
        .and_then(|t| t.two_factor("demo_two_factor", "demo_recovery_codes"))?;
    Migrator::new(tables)
        .user_column(format!("email {text} NOT NULL UNIQUE"))
        .session_column("user_agent TEXT NOT NULL")
        .session_column("ip TEXT")
        // Added after the first release of the demo: an app migration, so existing databases
        // get the column too.
        .app_migration(
            1000,
            "two-factor verified flag on sessions",
            ["ALTER TABLE demo_sessions ADD COLUMN two_factor_verified BOOLEAN NOT NULL DEFAULT TRUE"],
        )?
        .app_migration(
            1001,
            "email verified flag on users",
            ["ALTER TABLE demo_users ADD COLUMN email_verified BOOLEAN NOT NULL DEFAULT FALSE"],
        )
}
