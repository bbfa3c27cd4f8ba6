//! A [`lucia`] user store and session store on MongoDB, through the official `mongodb` driver.
//!
//! [`MongoStore`] implements [`UserStore`](lucia::store::UserStore),
//! [`SessionStore`](lucia::store::SessionStore) and [`AuthStore`](lucia::store::AuthStore).
//! User and session attributes are any serde types, stored as BSON sub-documents. Like every
//! store it holds no policy: the core decides when a session has expired or is renewed.
//!
//! ```no_run
//! use lucia_mongodb::MongoStore;
//!
//! #[derive(Clone, serde::Serialize, serde::Deserialize)]
//! struct Profile { email: String, name: Option<String> }
//!
//! #[derive(Clone, serde::Serialize, serde::Deserialize)]
//! struct Device { ip: Option<String>, user_agent: String }
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A client with 2 s connect and 5 s server-selection timeouts; checks the server answers.
//! let db = lucia_mongodb::connect("mongodb://127.0.0.1:27017/", "app").await?;
//! let store = MongoStore::<Profile, Device>::new(db).with_unique_attribute("email");
//! store.init().await?; // collections and indexes; idempotent
//! let lucia = lucia::Lucia::new(store);
//! # let _ = lucia; Ok(()) }
//! ```
//!
//! # Collections
//!
//! With the default prefix `lucia_` ([`MongoStore::with_prefix`]):
//!
//! | collection | document | indexes |
//! | --- | --- | --- |
//! | `lucia_users` | `{_id: user id, attributes: {...}}` | `_id`; for each [`with_unique_attribute`](MongoStore::with_unique_attribute) a unique sparse index `lucia_unique_<field>` on `attributes.<field>` |
//! | `lucia_keys` | `{_id: "provider_id:provider_user_id", provider_id, provider_user_id, user_id, password_hash}` | `_id` (the key's unique index: provider ids never contain `:`), `user_id` |
//! | `lucia_sessions` | `{_id: session id, user_id, secret_hash, created_at, expires_at, lifetime_seconds, attributes}` | `_id`, `user_id`, TTL on `expires_at` |
//!
//! `secret_hash` is the 64 hex digits of SHA-256 of the token's secret (the secret itself is
//! never stored). `created_at` and `expires_at` are BSON dates (milliseconds; session
//! timestamps have whole seconds, so they round-trip exactly); `lifetime_seconds` is an
//! `Int64` or `null`. `fresh` is not stored. `()` attributes are `null`.
//!
//! # Expiry: a TTL index plus explicit checks
//!
//! The TTL index on `expires_at` removes a session [`DEFAULT_TTL_GRACE`] (seven days) after it
//! expired ([`MongoStore::with_session_ttl`]). It is garbage collection, not policy:
//!
//! - MongoDB deletes expired documents lazily (its TTL monitor runs about once a minute, and
//!   falls behind under load), so reads never rely on it: `get_session` returns a session
//!   whether it has expired or not, and the core checks `expires_at` on every validation
//!   (`Invalid(Expired)`, and the session is deleted).
//! - [`delete_expired_sessions(now)`](lucia::store::SessionStore::delete_expired_sessions)
//!   deletes exactly the sessions with `expires_at <= now` and counts them; run it
//!   periodically. It cannot count sessions the TTL monitor removed first, hence the long
//!   grace: with it, the count is exact unless sessions sat expired and unpurged for a week.
//!   A short grace is fine when the count does not matter.
//! - Some MongoDB-compatible servers purge TTL-expired documents *eagerly*: nx-27017 deletes
//!   them before every read and write of the collection. With a short grace there, an expired
//!   session disappears at once (equally signed out).
//!
//! # Atomicity of sign-up
//!
//! `insert_user` with a first key is all-or-nothing, with one of two mechanisms
//! ([`Atomicity`], [`MongoStore::with_atomicity`]):
//!
//! - **Transactions** on replica sets and sharded clusters: both inserts in one
//!   multi-document transaction.
//! - **Compensation** on a standalone server: the key first, then the user; if the user insert
//!   fails the key is deleted again. A failed sign-up leaves nothing behind, but for a few
//!   milliseconds the key is visible without its user, and if the server goes away between
//!   the two steps the key may stay ([`MongoStoreError::Compensation`] says which).
//!
//! [`Atomicity::Auto`] (the default) picks one from the server's `hello` answer, once per store.
//! `insert_key` and `delete_user` need no transaction: `delete_user` deletes the user, then its
//! keys, then its sessions; `insert_key` checks the user before and after inserting the key,
//! and removes the key again if the user vanished meanwhile.
//!
//! Sessions may refer to users that do not exist (there are no foreign keys in MongoDB):
//! [`get_session_and_user`](lucia::store::AuthStore::get_session_and_user) then returns the
//! session without a user, which the core treats as invalid.
//!
//! # Not here: one-time tokens and two-factor state
//!
//! This store implements neither [`TokenStore`](lucia::one_time::TokenStore) nor
//! [`TwoFactorStore`](lucia::two_factor::TwoFactorStore). Apps that need them keep users in a store that
//! does (lucia-sqlx) and may keep sessions here, through [`lucia::store::Split`].
//!
//! # Failures and timeouts
//!
//! Conflicts are the core's typed errors: a taken key is
//! [`StoreError::DuplicateKey`](lucia::StoreError::DuplicateKey), a taken user id
//! [`DuplicateUserId`](lucia::StoreError::DuplicateUserId), a taken unique attribute
//! [`UniqueViolation`](lucia::StoreError::UniqueViolation) named after the attribute, a key
//! for an unknown user [`UnknownUser`](lucia::StoreError::UnknownUser). Everything else is a
//! [`lucia::StoreError::Backend`] wrapping a [`MongoStoreError`] that names the operation;
//! nothing panics. Each round trip is bounded by the store's timeout ([`DEFAULT_TIMEOUT`],
//! [`MongoStore::with_timeout`]) on top of the driver's own.
//!
//! # Updates
//!
//! `update_session_attributes`, `update_user_attributes` and `update_key_password` are single
//! `$set`s. `update_session_expiry` is a compare-and-swap instead: it reads the session and
//! replaces it only if its revision (`rev`, counted up by every session update) is unchanged,
//! retrying on a conflict ([`MongoStoreError::Contention`] after eight lost rounds). That costs
//! one more round trip on renewal (once per half lifetime of a session), and keeps
//! `expires_at` a BSON date on nx-27017, which stores dates given to `$set` as strings.
//!
//! # Servers
//!
//! The tests run against nx-27017 (a MongoDB wire-protocol server on SQLite, from PyPI),
//! which `scripts/services.sh` installs and starts; `scripts/mongo/README.md` lists where it
//! differs from MongoDB and how the store copes. It reports itself as a standalone server, so
//! `Auto` chooses compensation there. It does accept transactions, and the tests run the suite
//! with forced transactions too, but its transactions are not isolated from other clients
//! (an abort rolls back their concurrent writes): do not force them on nx-27017 in
//! production-like use.
#![forbid(unsafe_code)]

mod codec;
mod error;
mod store;

use std::time::Duration;

pub use error::MongoStoreError;
pub use mongodb;
pub use store::{Atomicity, DEFAULT_PREFIX, DEFAULT_TIMEOUT, DEFAULT_TTL_GRACE, MongoStore};

/// The connect timeout [`connect`] sets unless the URL sets one (`connectTimeoutMS`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
/// The server-selection timeout [`connect`] sets unless the URL sets one
/// (`serverSelectionTimeoutMS`); the driver's default is 30 s.
pub const SERVER_SELECTION_TIMEOUT: Duration = Duration::from_secs(5);

/// Parses `url`, builds a client with [`CONNECT_TIMEOUT`] and [`SERVER_SELECTION_TIMEOUT`]
/// (unless the URL sets its own), checks that the server answers a `ping`, and returns the
/// database `database`.
///
/// ```no_run
/// # async fn demo() -> Result<(), lucia_mongodb::MongoStoreError> {
/// let db = lucia_mongodb::connect("mongodb://127.0.0.1:27017/?replicaSet=rs0", "app").await?;
/// let store = lucia_mongodb::MongoStore::<(), ()>::new(db);
/// # let _ = store; Ok(()) }
/// ```
pub async fn connect(url: &str, database: &str) -> Result<mongodb::Database, MongoStoreError> {
    const OP: &str = "connect";
    let mut options = mongodb::options::ClientOptions::parse(url)
        .await
        .map_err(|err| MongoStoreError::driver(OP, err))?;
    options.connect_timeout.get_or_insert(CONNECT_TIMEOUT);
    options
        .server_selection_timeout
        .get_or_insert(SERVER_SELECTION_TIMEOUT);
    options.app_name.get_or_insert_with(|| "lucia".to_owned());
    let client =
        mongodb::Client::with_options(options).map_err(|err| MongoStoreError::driver(OP, err))?;
    let db = client.database(database);
    db.run_command(mongodb::bson::doc! { "ping": 1 })
        .await
        .map_err(|err| MongoStoreError::driver(OP, err))?;
    Ok(db)
}
