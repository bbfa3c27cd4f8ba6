//! A [`lucia`] session store on Redis: one code path for a single node and for a Redis Cluster.
//!
//! [`RedisSessionStore`] implements [`lucia::store::SessionStore`]. It stores sessions only;
//! pair it with a user store through [`lucia::store::Split`] (users in PostgreSQL, sessions in
//! Redis). Like every store it holds no policy: the core decides when a session has expired or
//! is renewed.
//!
//! # Setup: single node
//!
//! ```no_run
//! use lucia_redis::RedisSessionStore;
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // A ConnectionManager with 2 s connection and response timeouts; it reconnects by itself.
//! let conn = lucia_redis::connect("redis://127.0.0.1:6379/").await?;
//! // `()`: no session attributes; see `Json` and `AttributeCodec` for your own.
//! let sessions = RedisSessionStore::<_, ()>::new(conn).with_prefix("myapp")?;
//! let users = lucia::MemoryStore::<(), ()>::new(); // your user store
//! let lucia = lucia::Lucia::new(lucia::store::Split::new(users, sessions));
//! # let _ = lucia; Ok(()) }
//! ```
//!
//! # Setup: cluster
//!
//! ```no_run
//! use lucia_redis::{Json, RedisSessionStore};
//!
//! #[derive(Clone, serde::Serialize, serde::Deserialize)]
//! struct Device { ip: Option<String>, user_agent: String }
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let nodes = ["redis://10.0.0.1:6379/", "redis://10.0.0.2:6379/", "redis://10.0.0.3:6379/"];
//! // A cluster connection with 2 s connection and response timeouts.
//! let conn = lucia_redis::connect_cluster(nodes).await?;
//! let sessions = RedisSessionStore::<_, Json<Device>>::new(conn);
//! let users = lucia::MemoryStore::<(), ()>::new(); // your user store
//! let lucia = lucia::Lucia::new(lucia::store::Split::new(users, sessions));
//! # let _ = lucia; Ok(()) }
//! ```
//!
//! Any connection implementing redis-rs's async `ConnectionLike + Clone + Send + Sync` works:
//! build your own `ConnectionManager` or `ClusterConnection` for TLS, authentication or other
//! timeouts. The store never reads environment variables or configuration files.
//!
//! # What is stored, and the key layout
//!
//! With the default prefix `lucia` (see [`RedisSessionStore::with_prefix`]):
//!
//! | key | type | content |
//! | --- | --- | --- |
//! | `lucia:session:<session id>` | hash | `v` (format version, `1`), `user_id`, `secret_hash` (64 hex digits of SHA-256 of the token's secret; the secret itself is never stored), `created_at` and `expires_at` (unix seconds), `lifetime` (seconds; absent for `None`), `attributes` (bytes from [`AttributeCodec`]). TTL: `expires_at` + grace. |
//! | `lucia:user_sessions:{<base64url(user id)>}` | sorted set | the user's session ids, scored by `expires_at` (unix seconds) |
//! | `lucia:expiries:{<n>}`, `n` in `0..16` | sorted set | `<base64url(user id)>:<session id>` scored by `expires_at`: what [`delete_expired_sessions`](lucia::store::SessionStore::delete_expired_sessions) walks. A session's shard is FNV-1a-32(session id) mod 16. |
//!
//! `fresh` is never stored (always `false` when read). The user id sits inside a hash tag
//! (`{…}`) base64url-encoded, so ids containing `{`, `}`, `:` or any byte route and parse
//! safely; the expiry index is sharded over 16 hash tags so that it spreads over a cluster's
//! nodes instead of making one hot slot.
//!
//! # Consistency model
//!
//! Every Redis command and Lua script this store sends touches **one key**, so everything
//! works unchanged on a cluster, and each step is atomic on its own:
//!
//! - `update_session_expiry` and `update_session_attributes` are scripts that change a
//!   session only if its key exists: an update racing a delete never resurrects the session.
//!   The expiry update moves `expires_at` and the TTL together, and only forward (of
//!   concurrent renewals the latest expiry wins); the attribute update keeps the TTL.
//! - An operation that touches a session *and* its index entries (insert, delete, expiry
//!   update, purge) runs as separate single-key steps in a fixed order: **insert writes the
//!   session before its index entries; delete removes the session before its entries.** So
//!   every live, reachable session is always listed in its user's index, and
//!   `delete_user_sessions` ("sign out everywhere") cannot miss one. If an insert fails after
//!   writing the session, the store deletes it again; should that fail too, the session is
//!   unreachable anyway (the insert returned an error, so no client holds its token) and its
//!   TTL removes it.
//! - The indexes may hold **stale entries** (a session deleted by its TTL, or a delete or
//!   update interrupted half-way). Readers tolerate them: `get_user_sessions` skips and
//!   prunes entries whose session is gone, and `delete_expired_sessions` removes entries
//!   whose session is gone and repairs scores that an interrupted expiry update left behind.
//! - A session inserted while `delete_user_sessions` runs for the same user may survive it:
//!   it counts as signed in after the sign-out.
//!
//! On a single node the same holds (the code is the same); nothing relies on MULTI/EXEC
//! across keys.
//!
//! # TTL semantics
//!
//! Redis removes a session's data by itself at `expires_at` plus a **grace period** (one
//! minute by default, [`RedisSessionStore::with_ttl_grace`]). The TTL is garbage collection,
//! not policy:
//!
//! - Until then `get_session` returns the session even when it has expired, as the
//!   [`SessionStore`](lucia::store::SessionStore) contract asks: the core sees it is
//!   expired (validation answers `Invalid(Expired)` and deletes it), and a Redis clock a
//!   little ahead of the app's cannot cut sessions short. After the grace it is simply gone
//!   (`None`), which the core treats as an unknown session: equally signed out.
//! - A session inserted with `expires_at` + grace already in the past is never readable
//!   (`PEXPIREAT` in the past deletes the key at once); it is still indexed until a purge.
//! - [`delete_expired_sessions(now)`](lucia::store::SessionStore::delete_expired_sessions)
//!   deletes every session with `expires_at <= now` that Redis still holds and drops the
//!   index entries of every session with `expires_at <= now`. It returns the number of
//!   **expired sessions it removed from the store**: those whose data it deleted *and* those
//!   whose data Redis had already dropped by TTL (their index entries were still there). That
//!   equals what a store without TTL would count, as long as sessions leave only through this
//!   store's methods or their TTL.
//! - Index entries of sessions that expire and are never touched again stay until a purge:
//!   run `delete_expired_sessions` periodically (hourly, say) to keep the indexes small. The
//!   session data itself never outlives its TTL.
//!
//! # Failures and timeouts
//!
//! Every failure is a [`lucia::StoreError::Backend`] wrapping a [`RedisStoreError`] that names
//! the operation; nothing panics. Each Redis round trip is bounded by the store's timeout
//! (three seconds by default, [`RedisSessionStore::with_timeout`]) on top of the
//! connection's own; so a Redis that is down or hung yields an error within seconds rather
//! than a hung request, and the connection reconnects by itself once Redis is back (the
//! tests check this for `ConnectionManager`: refused connections fail in about half a
//! second, a hung server after the 2 s response timeout).
//!
//! Stored data that cannot be read back (a missing field, attributes the codec rejects) is a
//! [`RedisStoreError::Corrupt`] naming the key.
#![forbid(unsafe_code)]

mod codec;
mod error;
mod store;
mod throttle;

use std::time::Duration;

pub use codec::{AttributeCodec, Json};
pub use error::RedisStoreError;
pub use redis;
pub use store::{
    DEFAULT_PREFIX, DEFAULT_TIMEOUT, DEFAULT_TTL_GRACE, EXPIRY_SHARDS, RedisSessionStore,
};
pub use throttle::RedisThrottle;

/// The connection and response timeouts [`connect`] and [`connect_cluster`] configure.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(2);

/// Connects to a single Redis node: a [`ConnectionManager`](redis::aio::ConnectionManager)
/// with [`CONNECTION_TIMEOUT`] for connecting and for each response, which reconnects in the
/// background after a failure.
///
/// Fails when the URL is invalid or the server cannot be reached now.
///
/// ```no_run
/// # async fn demo() -> redis::RedisResult<()> {
/// let conn = lucia_redis::connect("redis://127.0.0.1:6379/").await?;
/// let store = lucia_redis::RedisSessionStore::<_, ()>::new(conn);
/// # let _ = store; Ok(()) }
/// ```
pub async fn connect(url: &str) -> redis::RedisResult<redis::aio::ConnectionManager> {
    let client = redis::Client::open(url)?;
    let config = redis::aio::ConnectionManagerConfig::new()
        .set_connection_timeout(Some(CONNECTION_TIMEOUT))
        .set_response_timeout(Some(CONNECTION_TIMEOUT))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(1));
    redis::aio::ConnectionManager::new_with_config(client, config).await
}

/// Connects to a Redis Cluster through any of its nodes: a
/// [`ClusterConnection`](redis::cluster_async::ClusterConnection) with [`CONNECTION_TIMEOUT`]
/// for connecting and for each response.
///
/// Fails when a URL is invalid or no node can be reached now.
///
/// ```no_run
/// # async fn demo() -> redis::RedisResult<()> {
/// let conn = lucia_redis::connect_cluster(["redis://127.0.0.1:7001/", "redis://127.0.0.1:7002/"]).await?;
/// let store = lucia_redis::RedisSessionStore::<_, ()>::new(conn);
/// # let _ = store; Ok(()) }
/// ```
pub async fn connect_cluster<I, S>(
    urls: I,
) -> redis::RedisResult<redis::cluster_async::ClusterConnection>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let nodes: Vec<String> = urls.into_iter().map(|u| u.as_ref().to_owned()).collect();
    redis::cluster::ClusterClientBuilder::new(nodes)
        .connection_timeout(CONNECTION_TIMEOUT)
        .response_timeout(CONNECTION_TIMEOUT)
        .build()?
        .get_async_connection()
        .await
}
