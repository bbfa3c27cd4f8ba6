//! # lucia-sqlx
//!
//! lucia's users, keys and sessions in SQLite, PostgreSQL or MySQL/MariaDB, through a sqlx
//! pool your app owns. Each backend is a cargo feature (`sqlite`, `postgres`, `mysql`; all on
//! by default).
//!
//! - **Your columns.** User and session attributes are real columns of the tables (a unique
//!   `email`, an `ip`), described by implementing [`Columns`] for your attribute types. A
//!   unique-constraint violation on one of them comes back from `create_user` as
//!   [`lucia::Error::UniqueViolation`] naming the column, with nothing written.
//! - **One query per validation.** `validate_session` reads the session joined with its user
//!   in one statement; extending the session is one `UPDATE`, which only ever moves the
//!   expiry forward (`GREATEST`), so concurrent renewals never move it back. Statements are
//!   prepared from text built once, at construction, from static names; values are always
//!   bound.
//! - **Migrations.** [`Migrator`] creates the tables with one call (versioned, idempotent), or
//!   prints the SQL for your own migration tool. Table names are configurable ([`Tables`]).
//!
//! ## Setup (PostgreSQL)
//!
//! ```no_run
//! use lucia::{Lucia, NewKey, NewUser};
//! use lucia_sqlx::{Columns, Migrator, Query, SqlxStore};
//! use sqlx::{Postgres, Row, postgres::{PgPoolOptions, PgRow}};
//!
//! #[derive(Clone, Debug)]
//! struct Profile { email: String }
//!
//! impl Columns<Postgres> for Profile {
//!     const COLUMNS: &'static [&'static str] = &["email"];
//!     fn bind<'q>(&'q self, q: Query<'q, Postgres>) -> Query<'q, Postgres> { q.bind(&self.email) }
//!     fn decode(row: &PgRow, i: usize) -> sqlx::Result<Self> { Ok(Self { email: row.try_get(i)? }) }
//! }
//!
//! # async fn setup() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = PgPoolOptions::new()
//!     .acquire_timeout(std::time::Duration::from_secs(3))
//!     .connect("postgres://app:secret@127.0.0.1/app").await?;
//! Migrator::default().user_column("email TEXT NOT NULL UNIQUE").run(&pool).await?;
//! let lucia = Lucia::new(SqlxStore::<Postgres, Profile, ()>::new(pool)?);
//! # Ok(()) }
//! ```
//!
//! ## Setup (SQLite)
//!
//! ```no_run
//! # use lucia::Lucia;
//! # use lucia_sqlx::{Migrator, SqlxStore};
//! use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
//!
//! # async fn setup() -> Result<(), Box<dyn std::error::Error>> {
//! let options = SqliteConnectOptions::new()
//!     .filename("app.db")
//!     .create_if_missing(true)
//!     .journal_mode(SqliteJournalMode::Wal) // readers never wait for the writer
//!     .foreign_keys(true);
//! let pool = SqlitePoolOptions::new().connect_with(options).await?;
//! Migrator::default().run(&pool).await?;
//! let lucia = Lucia::new(SqlxStore::<sqlx::Sqlite, (), ()>::new(pool)?);
//! # Ok(()) }
//! ```
//!
//! ## Setup (MySQL / MariaDB)
//!
//! ```no_run
//! # use lucia::Lucia;
//! # use lucia_sqlx::{Migrator, SqlxStore};
//! # async fn setup() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = sqlx::mysql::MySqlPoolOptions::new()
//!     .acquire_timeout(std::time::Duration::from_secs(3))
//!     .connect("mysql://app:secret@127.0.0.1/app").await?;
//! Migrator::default().run(&pool).await?;
//! let lucia = Lucia::new(SqlxStore::<sqlx::MySql, (), ()>::new(pool)?);
//! # Ok(()) }
//! ```
//!
//! (The setup examples need a running server; they are compiled, not run. The crate's tests
//! run the same code against real servers.)
//!
//! ## Schema
//!
//! With the default [`Tables`], PostgreSQL (the other dialects differ only in types: see
//! [`Migrator::sql`]):
//!
//! ```sql
//! CREATE TABLE users (id TEXT PRIMARY KEY /* , your user columns */);
//! CREATE TABLE user_keys (
//!     id TEXT PRIMARY KEY,                 -- "<provider_id>:<provider_user_id>"
//!     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
//!     hashed_password TEXT                 -- PHC string, NULL for passwordless keys
//! );
//! CREATE TABLE user_sessions (
//!     id TEXT PRIMARY KEY,                 -- the token's id part
//!     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
//!     secret_hash BYTEA NOT NULL,          -- SHA-256 of the token's secret (32 bytes)
//!     created_at TIMESTAMPTZ NOT NULL,
//!     expires_at TIMESTAMPTZ NOT NULL,
//!     lifetime_seconds BIGINT              -- per-session lifetime ("remember me"), or NULL
//!     /* , your session columns */
//! );
//! -- plus indexes on user_keys (user_id), user_sessions (user_id) and user_sessions (expires_at)
//!
//! -- version 2: one-time tokens (email verification, password reset, ...)
//! CREATE TABLE user_tokens (
//!     id TEXT PRIMARY KEY,
//!     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
//!     purpose TEXT NOT NULL,               -- "email_verification", "password_reset", ...
//!     email TEXT,                          -- the address it was sent to
//!     secret_hash BYTEA NOT NULL,          -- SHA-256 of the token or code
//!     created_at TIMESTAMPTZ NOT NULL,
//!     expires_at TIMESTAMPTZ NOT NULL,
//!     attempts BIGINT NOT NULL DEFAULT 0   -- wrong codes tried
//! );
//! -- plus a unique index on (user_id, purpose) and indexes on (purpose, secret_hash), (expires_at)
//!
//! -- version 3: two-factor authentication
//! CREATE TABLE user_two_factor (
//!     user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
//!     secret BYTEA NOT NULL,               -- the TOTP secret (encrypt at rest if you need to)
//!     enabled BOOLEAN NOT NULL,            -- confirmed with a valid code
//!     last_used_step BIGINT,               -- replay guard: the last accepted time step
//!     created_at TIMESTAMPTZ NOT NULL
//! );
//! CREATE TABLE user_recovery_codes (
//!     user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
//!     code_hash BYTEA NOT NULL,            -- SHA-256 of the normalised code
//!     PRIMARY KEY (user_id, code_hash)
//! );
//! ```
//!
//! One-time tokens are consumed atomically — `DELETE ... RETURNING` on PostgreSQL and
//! SQLite, a locking read and a delete in one transaction on MySQL/MariaDB — so of concurrent
//! uses of one token exactly one succeeds.
//!
//! Timestamps use each database's natural type and round-trip exactly (lucia's timestamps
//! have whole seconds): `TIMESTAMPTZ` on PostgreSQL, `DATETIME` holding UTC on MySQL/MariaDB
//! (not `TIMESTAMP`, which ends in 2038), and integer Unix seconds on SQLite (which has no
//! timestamp type). On MySQL/MariaDB, ids use the binary collation `utf8mb4_bin`, so
//! `Ada@example.com` and `ada@example.com` are different keys, as everywhere else.
//!
//! ## Failures
//!
//! Every database error is a [`lucia::StoreError`]: conflicts are typed (`DuplicateKey`,
//! `DuplicateUserId`, `UniqueViolation { column }`, `UnknownUser` for a foreign key), anything
//! else is `Backend` with the sqlx error as its source. How long a statement may wait for a
//! connection is the pool's `acquire_timeout`: keep it short so an outage answers quickly.
//! Expired sessions are purged in batches of 5 000 rows per statement, so a large purge never
//! holds long locks.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod columns;
mod error;
mod schema;
mod store;

pub use columns::{Columns, Query};
pub use schema::{Dialect, FIRST_APP_MIGRATION, Migrator, Tables};
pub use store::{Backend, SqlxStore};
