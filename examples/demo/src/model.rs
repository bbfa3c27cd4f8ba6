//! The demo's user and session attributes, stored as real columns on every backend.

use lucia_sqlx::{Columns, Migrator, Query, Tables};

/// A user: an email address (unique, lowercase).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The normalised email address.
    pub email: String,
}

/// What the demo remembers about a session: the browser and address it was created from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// The `User-Agent` at sign-in (truncated to 255 characters).
    pub user_agent: String,
    /// The client's IP address at sign-in.
    pub ip: Option<String>,
}

macro_rules! columns {
    ($db:ty) => {
        impl Columns<$db> for Account {
            const COLUMNS: &'static [&'static str] = &["email"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query.bind(self.email.as_str())
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    email: row.try_get(first)?,
                })
            }
        }

        impl Columns<$db> for Device {
            const COLUMNS: &'static [&'static str] = &["user_agent", "ip"];
            fn bind<'q>(&'q self, query: Query<'q, $db>) -> Query<'q, $db> {
                query
                    .bind(self.user_agent.as_str())
                    .bind(self.ip.as_deref())
            }
            fn decode(row: &<$db as sqlx::Database>::Row, first: usize) -> sqlx::Result<Self> {
                use sqlx::Row;
                Ok(Self {
                    user_agent: row.try_get(first)?,
                    ip: row.try_get(first + 1)?,
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
pub fn migrator(text: &str) -> Migrator {
    let tables = Tables::new("demo_users", "demo_keys", "demo_sessions")
        .and_then(|t| t.migrations("demo_migrations"))
        .and_then(|t| t.tokens("demo_tokens"))
        .and_then(|t| t.two_factor("demo_two_factor", "demo_recovery_codes"))
        .unwrap_or_default();
    Migrator::new(tables)
        .user_column(format!("email {text} NOT NULL UNIQUE"))
        .session_column("user_agent TEXT NOT NULL")
        .session_column("ip TEXT")
}
