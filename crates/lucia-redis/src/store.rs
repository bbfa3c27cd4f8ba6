//! [`RedisSessionStore`]: the [`SessionStore`] implementation.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use lucia::store::{SessionStore, StoreResult};
use lucia::time::{self, OffsetDateTime};
use lucia::{SecretHash, Session, StoreError};
use redis::aio::ConnectionLike;
use redis::{RedisResult, Script, cmd};

use crate::codec::AttributeCodec;
use crate::error::RedisStoreError;

/// The key prefix used unless [`RedisSessionStore::with_prefix`] says otherwise.
pub const DEFAULT_PREFIX: &str = "lucia";

/// How long Redis keeps a session's data past its `expires_at` unless
/// [`RedisSessionStore::with_ttl_grace`] says otherwise: one minute.
pub const DEFAULT_TTL_GRACE: Duration = Duration::from_secs(60);

/// The longest one Redis round trip may take unless [`RedisSessionStore::with_timeout`] says
/// otherwise: three seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);

/// How many expiry-index shards there are (`<prefix>:expiries:{0}` … `{15}`).
pub const EXPIRY_SHARDS: u32 = 16;

/// The format version written in every session hash's `v` field.
const FORMAT_VERSION: &str = "1";

/// How many Redis requests one store operation keeps in flight at once when it fans out over
/// many sessions (listing, deleting or purging them).
const FAN_OUT: usize = 32;

/// How many expired entries the purge reads from an expiry shard per round trip.
const PURGE_BATCH: usize = 256;

/// Base64url without padding: user ids in key names and index members.
const B64: data_encoding::Encoding = data_encoding::BASE64URL_NOPAD;

/// KEYS[1] = session key; ARGV[1] = PEXPIREAT milliseconds; ARGV[2..] = field/value pairs.
/// Replaces the whole hash (an insert over an existing id leaves no stale field behind).
/// A PEXPIREAT in the past deletes the key at once.
static INSERT: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
",
    )
});

/// KEYS[1] = session key; ARGV[1] = expires_at (unix seconds); ARGV[2] = PEXPIREAT ms.
/// Only an existing session is updated (never resurrected), and only forward: an earlier
/// expiry than the stored one (a concurrent renewal computed a second earlier, landing
/// later) changes nothing. Returns {user id, 1 if moved else 0}, or nil.
static UPDATE_EXPIRY: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local user_id = redis.call('HGET', KEYS[1], 'user_id')
if not user_id then return false end
local current = tonumber(redis.call('HGET', KEYS[1], 'expires_at'))
if current ~= nil and current >= tonumber(ARGV[1]) then return {user_id, 0} end
redis.call('HSET', KEYS[1], 'expires_at', ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return {user_id, 1}
",
    )
});

/// KEYS[1] = session key; ARGV[1] = encoded attributes. HSET keeps the key's TTL.
static UPDATE_ATTRIBUTES: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'attributes', ARGV[1])
return 1
",
    )
});

/// KEYS[1] = session key. Deletes it and returns its user id (nil when it did not exist).
static DELETE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local user_id = redis.call('HGET', KEYS[1], 'user_id')
redis.call('DEL', KEYS[1])
return user_id
",
    )
});

/// KEYS[1] = session key; ARGV[1] = user id. Deletes the session only if it belongs to that
/// user: 1 deleted, 0 absent, -1 someone else's.
static DELETE_OWNED: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local user_id = redis.call('HGET', KEYS[1], 'user_id')
if not user_id then return 0 end
if user_id ~= ARGV[1] then return -1 end
redis.call('DEL', KEYS[1])
return 1
",
    )
});

/// KEYS[1] = session key; ARGV[1] = now (unix seconds). Deletes the session if
/// `expires_at <= now`: {0, 0} absent, {1, 0} deleted, {2, expires_at} still live (its index
/// entry was stale).
static PURGE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local expires_at = redis.call('HGET', KEYS[1], 'expires_at')
if not expires_at then return {0, 0} end
expires_at = tonumber(expires_at)
if expires_at == nil or expires_at <= tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return {1, 0}
end
return {2, expires_at}
",
    )
});

/// A [`SessionStore`] on Redis, a single node or a cluster alike.
///
/// `C` is the connection: anything implementing redis-rs's async
/// [`ConnectionLike`] that is cheap to clone, in practice a
/// [`ConnectionManager`](redis::aio::ConnectionManager) (single node, reconnects by itself) or
/// a [`ClusterConnection`](redis::cluster_async::ClusterConnection) (cluster); see
/// [`connect`](crate::connect) and [`connect_cluster`](crate::connect_cluster). `A` is the
/// app's session attribute type, stored through [`AttributeCodec`].
///
/// Cloning the store clones the connection handle (both connection types share one
/// multiplexed connection between clones).
///
/// The [crate docs](crate) describe the key layout, the TTL semantics and the consistency
/// model.
pub struct RedisSessionStore<C, A> {
    conn: C,
    prefix: Arc<str>,
    ttl_grace: Duration,
    timeout: Duration,
    _attributes: PhantomData<fn() -> A>,
}

impl<C: Clone, A> Clone for RedisSessionStore<C, A> {
    fn clone(&self) -> Self {
        Self {
            conn: self.conn.clone(),
            prefix: Arc::clone(&self.prefix),
            ttl_grace: self.ttl_grace,
            timeout: self.timeout,
            _attributes: PhantomData,
        }
    }
}

impl<C, A> fmt::Debug for RedisSessionStore<C, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisSessionStore")
            .field("prefix", &self.prefix)
            .field("ttl_grace", &self.ttl_grace)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl<C, A> RedisSessionStore<C, A> {
    /// A store on this connection, with the default prefix (`lucia`), TTL grace (one minute)
    /// and per-round-trip timeout (three seconds).
    pub fn new(conn: C) -> Self {
        Self {
            conn,
            prefix: Arc::from(DEFAULT_PREFIX),
            ttl_grace: DEFAULT_TTL_GRACE,
            timeout: DEFAULT_TIMEOUT,
            _attributes: PhantomData,
        }
    }

    /// Puts every key under `prefix` instead of `lucia` (several apps can share one Redis).
    ///
    /// Fails with [`lucia::Error::Config`] when the prefix is empty or contains `{` or `}`
    /// (which would move the cluster hash tag out of the user id) or whitespace.
    ///
    /// ```
    /// # fn main() -> Result<(), lucia::Error> {
    /// let store = lucia_redis::RedisSessionStore::<(), ()>::new(()).with_prefix("shop")?;
    /// assert_eq!(store.session_key("abc"), "shop:session:abc");
    /// assert!(lucia_redis::RedisSessionStore::<(), ()>::new(()).with_prefix("a{b}").is_err());
    /// # Ok(()) }
    /// ```
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Result<Self, lucia::Error> {
        let prefix = prefix.into();
        if prefix.is_empty()
            || prefix
                .chars()
                .any(|c| c == '{' || c == '}' || c.is_whitespace() || c.is_control())
        {
            return Err(lucia::Error::Config(format!(
                "invalid Redis key prefix {prefix:?}: it must be non-empty, without '{{', '}}' or whitespace"
            )));
        }
        self.prefix = Arc::from(prefix);
        Ok(self)
    }

    /// How long Redis keeps a session's data after its `expires_at` (one minute by default).
    /// See the crate docs, "TTL semantics".
    ///
    /// Zero makes the TTL exactly `expires_at`; it is allowed, but then Redis's clock decides
    /// the last moment of a session instead of the app's, and a session about to expire may
    /// vanish between two calls of one request. Keep at least a few seconds.
    pub fn with_ttl_grace(mut self, grace: Duration) -> Self {
        self.ttl_grace = grace;
        self
    }

    /// The longest one Redis round trip may take before the operation fails with
    /// [`RedisStoreError::Timeout`] (three seconds by default). A backstop over the
    /// connection's own timeouts, so an unreachable Redis never hangs a request.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The key prefix.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The connection handle.
    pub fn connection(&self) -> &C {
        &self.conn
    }

    /// The Redis key of a session's hash: `<prefix>:session:<session id>`.
    pub fn session_key(&self, session_id: &str) -> String {
        format!("{}:session:{session_id}", self.prefix)
    }

    /// The Redis key of a user's session index:
    /// `<prefix>:user_sessions:{<base64url(user id)>}` (a sorted set of session ids scored by
    /// `expires_at` in unix seconds).
    pub fn user_index_key(&self, user_id: &str) -> String {
        self.user_index_key_encoded(&B64.encode(user_id.as_bytes()))
    }

    fn user_index_key_encoded(&self, encoded_user_id: &str) -> String {
        format!("{}:user_sessions:{{{encoded_user_id}}}", self.prefix)
    }

    /// The Redis key of the expiry-index shard that tracks this session:
    /// `<prefix>:expiries:{<n>}` with `n` = FNV-1a-32(session id) mod [`EXPIRY_SHARDS`].
    pub fn expiry_shard_key(&self, session_id: &str) -> String {
        self.shard_key(shard_of(session_id))
    }

    fn shard_key(&self, shard: u32) -> String {
        format!("{}:expiries:{{{shard}}}", self.prefix)
    }

    /// The PEXPIREAT time (milliseconds) of a session expiring at `expires_at`.
    fn pexpire_at(&self, expires_at: OffsetDateTime) -> i64 {
        let grace = i64::try_from(self.ttl_grace.as_millis()).unwrap_or(i64::MAX);
        expires_at
            .unix_timestamp()
            .saturating_mul(1000)
            .saturating_add(grace)
            .max(1)
    }

    /// One Redis round trip, bounded by the store's timeout.
    async fn call<T>(
        &self,
        operation: &'static str,
        request: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, RedisStoreError> {
        match tokio::time::timeout(self.timeout, request).await {
            Ok(result) => result.map_err(|source| RedisStoreError::Redis { operation, source }),
            Err(_) => Err(RedisStoreError::Timeout {
                operation,
                after: self.timeout,
            }),
        }
    }
}

/// The expiry shard of a session id: FNV-1a (32 bit) of its bytes, modulo [`EXPIRY_SHARDS`].
/// Part of the stored layout: it must never change.
fn shard_of(session_id: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in session_id.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % EXPIRY_SHARDS
}

/// An expiry-shard member: `<base64url(user id)>:<session id>` (base64url has no `:`).
fn shard_member(encoded_user_id: &str, session_id: &str) -> String {
    format!("{encoded_user_id}:{session_id}")
}

fn backend(err: RedisStoreError) -> StoreError {
    StoreError::backend(err)
}

/// The fields of a session hash, in the order `HMGET` asks for them ([`decode_session`] reads
/// them by position). Asking for fixed fields instead of `HGETALL` halves the reply to parse
/// and needs no map: on a validation that is most of the client's work.
const FIELDS: [&str; 7] = [
    "v",
    "user_id",
    "secret_hash",
    "created_at",
    "expires_at",
    "attributes",
    "lifetime",
];

/// A session hash as `HMGET <key> <FIELDS>` returns it: one entry per field, `None` where the
/// field (or the whole hash) is absent.
type Fields = Vec<Option<Vec<u8>>>;

fn hmget(key: &str) -> redis::Cmd {
    let mut command = cmd("HMGET");
    command.arg(key).arg(&FIELDS[..]);
    command
}

/// Session fields as stored in the hash.
fn encode_fields<A: AttributeCodec>(
    operation: &'static str,
    session: &Session<A>,
) -> Result<Vec<(&'static str, Vec<u8>)>, RedisStoreError> {
    let attributes = session
        .attributes
        .encode()
        .map_err(|source| RedisStoreError::Encode { operation, source })?;
    let mut fields = vec![
        ("v", FORMAT_VERSION.as_bytes().to_vec()),
        ("user_id", session.user_id.as_bytes().to_vec()),
        ("secret_hash", session.secret_hash.to_hex().into_bytes()),
        (
            "created_at",
            session.created_at.unix_timestamp().to_string().into_bytes(),
        ),
        (
            "expires_at",
            session.expires_at.unix_timestamp().to_string().into_bytes(),
        ),
        ("attributes", attributes),
    ];
    if let Some(lifetime) = session.lifetime {
        fields.push((
            "lifetime",
            lifetime.whole_seconds().to_string().into_bytes(),
        ));
    }
    Ok(fields)
}

/// Reads a session back from its hash ([`FIELDS`] by `HMGET`); `None` when the hash is absent.
fn decode_session<A: AttributeCodec>(
    operation: &'static str,
    key: &str,
    session_id: &str,
    mut fields: Fields,
) -> Result<Option<Session<A>>, RedisStoreError> {
    if fields.iter().all(Option::is_none) {
        return Ok(None);
    }
    if fields.len() != FIELDS.len() {
        return Err(RedisStoreError::Corrupt {
            operation,
            key: key.to_owned(),
            reason: format!(
                "HMGET answered {} fields, not {}",
                fields.len(),
                FIELDS.len()
            ),
        });
    }
    let corrupt = |reason: String| RedisStoreError::Corrupt {
        operation,
        key: key.to_owned(),
        reason,
    };
    // Optional, so read it before `take` borrows the rest.
    let lifetime = fields[FIELDS.len() - 1].take();
    let mut optional = |name: &str| {
        FIELDS
            .iter()
            .position(|field| *field == name)
            .and_then(|at| fields[at].take())
    };
    let mut take =
        |name: &str| optional(name).ok_or_else(|| corrupt(format!("missing field {name:?}")));
    let text = |name: &str, bytes: Vec<u8>| {
        String::from_utf8(bytes).map_err(|_| corrupt(format!("field {name:?} is not UTF-8")))
    };
    let integer = |name: &str, bytes: Vec<u8>| -> Result<i64, RedisStoreError> {
        text(name, bytes)?
            .parse::<i64>()
            .map_err(|_| corrupt(format!("field {name:?} is not an integer")))
    };
    let timestamp = |name: &str, bytes: Vec<u8>| {
        OffsetDateTime::from_unix_timestamp(integer(name, bytes)?)
            .map_err(|_| corrupt(format!("field {name:?} is out of range")))
    };

    let version = text("v", take("v")?)?;
    if version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "unsupported format version {version:?} (this store reads {FORMAT_VERSION:?})"
        )));
    }
    let user_id = text("user_id", take("user_id")?)?;
    let secret_hash = SecretHash::from_hex(&text("secret_hash", take("secret_hash")?)?)
        .ok_or_else(|| corrupt("field \"secret_hash\" is not 64 hex digits".into()))?;
    let created_at = timestamp("created_at", take("created_at")?)?;
    let expires_at = timestamp("expires_at", take("expires_at")?)?;
    let attributes = A::decode(&take("attributes")?)
        .map_err(|err| corrupt(format!("attributes could not be decoded: {err}")))?;
    let lifetime = match lifetime {
        Some(bytes) => Some(time::Duration::seconds(integer("lifetime", bytes)?)),
        None => None,
    };
    Ok(Some(Session {
        id: session_id.to_owned(),
        user_id,
        secret_hash,
        created_at,
        expires_at,
        lifetime,
        fresh: false,
        attributes,
    }))
}

impl<C, A> RedisSessionStore<C, A>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
    A: AttributeCodec + Clone + Send + Sync + 'static,
{
    async fn insert(&self, session: &Session<A>) -> Result<(), RedisStoreError> {
        const OP: &str = "insert_session";
        let key = self.session_key(&session.id);
        let fields = encode_fields(OP, session)?;
        let mut invocation = INSERT.prepare_invoke();
        invocation
            .key(&key)
            .arg(self.pexpire_at(session.expires_at));
        for (name, value) in &fields {
            invocation.arg(*name).arg(value.as_slice());
        }
        let mut conn = self.conn.clone();
        self.call(OP, invocation.invoke_async::<i64>(&mut conn))
            .await?;

        // Then the indexes (other slots in a cluster). A session is always written before its
        // index entries, so a reader never prunes the entry of a session being inserted.
        let user = B64.encode(session.user_id.as_bytes());
        let score = session.expires_at.unix_timestamp();
        let user_key = self.user_index_key_encoded(&user);
        let shard_key = self.expiry_shard_key(&session.id);
        let member = shard_member(&user, &session.id);
        let (mut c1, mut c2) = (self.conn.clone(), self.conn.clone());
        let user_zadd = cmd("ZADD")
            .arg(&user_key)
            .arg(score)
            .arg(&session.id)
            .clone();
        let shard_zadd = cmd("ZADD").arg(&shard_key).arg(score).arg(&member).clone();
        let (indexed, tracked) = futures_util::future::join(
            self.call(OP, user_zadd.query_async::<i64>(&mut c1)),
            self.call(OP, shard_zadd.query_async::<i64>(&mut c2)),
        )
        .await;
        if let Err(err) = indexed.and(tracked) {
            // Undo the session so that no unindexed session outlives a failed insert. If this
            // fails too, the session is unreachable anyway: the insert failed, so nobody holds
            // its token, and its TTL removes it.
            let _ = self
                .call(OP, cmd("DEL").arg(&key).query_async::<i64>(&mut conn))
                .await;
            return Err(err);
        }
        Ok(())
    }

    async fn get(&self, session_id: &str) -> Result<Option<Session<A>>, RedisStoreError> {
        const OP: &str = "get_session";
        let key = self.session_key(session_id);
        let mut conn = self.conn.clone();
        let fields: Fields = self.call(OP, hmget(&key).query_async(&mut conn)).await?;
        decode_session(OP, &key, session_id, fields)
    }

    async fn list(&self, user_id: &str) -> Result<Vec<Session<A>>, RedisStoreError> {
        const OP: &str = "get_user_sessions";
        let user_key = self.user_index_key(user_id);
        let mut conn = self.conn.clone();
        let ids: Vec<String> = self
            .call(
                OP,
                cmd("ZRANGE")
                    .arg(&user_key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn),
            )
            .await?;
        let fetched: Vec<(String, Result<Fields, RedisStoreError>)> = stream::iter(ids)
            .map(|id| {
                let mut conn = self.conn.clone();
                let key = self.session_key(&id);
                async move {
                    let fields = self.call(OP, hmget(&key).query_async(&mut conn)).await;
                    (id, fields)
                }
            })
            .buffered(FAN_OUT)
            .collect()
            .await;
        let mut sessions = Vec::with_capacity(fetched.len());
        let mut stale = Vec::new();
        for (id, fields) in fetched {
            let key = self.session_key(&id);
            match decode_session::<A>(OP, &key, &id, fields?)? {
                Some(session) if session.user_id == user_id => sessions.push(session),
                // Gone (deleted, or dropped by its TTL) or not this user's: a stale entry.
                _ => stale.push(id),
            }
        }
        if !stale.is_empty() {
            // Housekeeping only: the answer is right whether or not this succeeds.
            let _ = self
                .call(
                    OP,
                    cmd("ZREM")
                        .arg(&user_key)
                        .arg(&stale)
                        .query_async::<i64>(&mut conn),
                )
                .await;
        }
        Ok(sessions)
    }

    async fn update_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> Result<bool, RedisStoreError> {
        const OP: &str = "update_session_expiry";
        let key = self.session_key(session_id);
        let score = expires_at.unix_timestamp();
        let mut invocation = UPDATE_EXPIRY.prepare_invoke();
        invocation
            .key(&key)
            .arg(score)
            .arg(self.pexpire_at(expires_at));
        let mut conn = self.conn.clone();
        let updated: Option<(Vec<u8>, i64)> =
            self.call(OP, invocation.invoke_async(&mut conn)).await?;
        let Some((user_id, moved)) = updated else {
            return Ok(false);
        };
        if moved == 0 {
            // The stored expiry was already as late: nothing to re-score.
            return Ok(true);
        }
        // Re-score the index entries; XX: never re-create an entry that a concurrent delete
        // removed. A failure here (or two renewals' re-scores landing in the opposite order)
        // leaves a stale score, which the purge repairs.
        let user = B64.encode(&user_id);
        let user_key = self.user_index_key_encoded(&user);
        let shard_key = self.expiry_shard_key(session_id);
        let member = shard_member(&user, session_id);
        let (mut c1, mut c2) = (self.conn.clone(), conn);
        let user_zadd = cmd("ZADD")
            .arg(&user_key)
            .arg("XX")
            .arg(score)
            .arg(session_id)
            .clone();
        let shard_zadd = cmd("ZADD")
            .arg(&shard_key)
            .arg("XX")
            .arg(score)
            .arg(&member)
            .clone();
        let (a, b) = futures_util::future::join(
            self.call(OP, user_zadd.query_async::<i64>(&mut c1)),
            self.call(OP, shard_zadd.query_async::<i64>(&mut c2)),
        )
        .await;
        a.and(b)?;
        Ok(true)
    }

    async fn update_attributes(
        &self,
        session_id: &str,
        attributes: &A,
    ) -> Result<bool, RedisStoreError> {
        const OP: &str = "update_session_attributes";
        let encoded = attributes
            .encode()
            .map_err(|source| RedisStoreError::Encode {
                operation: OP,
                source,
            })?;
        let key = self.session_key(session_id);
        let mut invocation = UPDATE_ATTRIBUTES.prepare_invoke();
        invocation.key(&key).arg(encoded);
        let mut conn = self.conn.clone();
        let updated: i64 = self.call(OP, invocation.invoke_async(&mut conn)).await?;
        Ok(updated == 1)
    }

    async fn delete(&self, session_id: &str) -> Result<(), RedisStoreError> {
        const OP: &str = "delete_session";
        let key = self.session_key(session_id);
        let mut invocation = DELETE.prepare_invoke();
        invocation.key(&key);
        let mut conn = self.conn.clone();
        let user_id: Option<Vec<u8>> = self.call(OP, invocation.invoke_async(&mut conn)).await?;
        let Some(user_id) = user_id else {
            // Already gone; any index entry left is pruned by readers and the purge.
            return Ok(());
        };
        let user = B64.encode(&user_id);
        let user_key = self.user_index_key_encoded(&user);
        let shard_key = self.expiry_shard_key(session_id);
        let member = shard_member(&user, session_id);
        let (mut c1, mut c2) = (self.conn.clone(), conn);
        let user_zrem = cmd("ZREM").arg(&user_key).arg(session_id).clone();
        let shard_zrem = cmd("ZREM").arg(&shard_key).arg(&member).clone();
        let (a, b) = futures_util::future::join(
            self.call(OP, user_zrem.query_async::<i64>(&mut c1)),
            self.call(OP, shard_zrem.query_async::<i64>(&mut c2)),
        )
        .await;
        a.and(b)?;
        Ok(())
    }

    async fn delete_for_user(&self, user_id: &str) -> Result<(), RedisStoreError> {
        const OP: &str = "delete_user_sessions";
        let user = B64.encode(user_id.as_bytes());
        let user_key = self.user_index_key_encoded(&user);
        let mut conn = self.conn.clone();
        let ids: Vec<String> = self
            .call(
                OP,
                cmd("ZRANGE")
                    .arg(&user_key)
                    .arg(0)
                    .arg(-1)
                    .query_async(&mut conn),
            )
            .await?;
        if ids.is_empty() {
            return Ok(());
        }
        // Sessions first: if this fails half-way, the index still lists what is left.
        let results: Vec<Result<i64, RedisStoreError>> = stream::iter(ids.clone())
            .map(|id: String| {
                let mut conn = self.conn.clone();
                let mut invocation = DELETE_OWNED.prepare_invoke();
                invocation.key(self.session_key(&id)).arg(user_id);
                async move { self.call(OP, invocation.invoke_async(&mut conn)).await }
            })
            .buffer_unordered(FAN_OUT)
            .collect()
            .await;
        for result in results {
            result?;
        }
        // Then exactly the entries read above (sessions inserted since keep theirs).
        self.call(
            OP,
            cmd("ZREM")
                .arg(&user_key)
                .arg(&ids)
                .query_async::<i64>(&mut conn),
        )
        .await?;
        let mut by_shard: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for id in &ids {
            by_shard
                .entry(shard_of(id))
                .or_default()
                .push(shard_member(&user, id));
        }
        let results: Vec<Result<i64, RedisStoreError>> = stream::iter(by_shard)
            .map(|(shard, members)| {
                let mut conn = self.conn.clone();
                let request = cmd("ZREM").arg(self.shard_key(shard)).arg(members).clone();
                async move { self.call(OP, request.query_async(&mut conn)).await }
            })
            .buffer_unordered(FAN_OUT)
            .collect()
            .await;
        for result in results {
            result?;
        }
        Ok(())
    }

    async fn purge(&self, now: OffsetDateTime) -> Result<u64, RedisStoreError> {
        const OP: &str = "delete_expired_sessions";
        let now = now.unix_timestamp();
        let mut purged = 0;
        for shard in 0..EXPIRY_SHARDS {
            let shard_key = self.shard_key(shard);
            let mut conn = self.conn.clone();
            loop {
                // Every entry handled below is either removed or re-scored past `now`, so
                // this loop ends.
                let members: Vec<String> = self
                    .call(
                        OP,
                        cmd("ZRANGEBYSCORE")
                            .arg(&shard_key)
                            .arg("-inf")
                            .arg(now)
                            .arg("LIMIT")
                            .arg(0)
                            .arg(PURGE_BATCH)
                            .query_async(&mut conn),
                    )
                    .await?;
                if members.is_empty() {
                    break;
                }
                let results: Vec<Result<u64, RedisStoreError>> = stream::iter(members)
                    .map(|member| self.purge_one(OP, &shard_key, member, now))
                    .buffer_unordered(FAN_OUT)
                    .collect()
                    .await;
                for result in results {
                    purged += result?;
                }
            }
        }
        Ok(purged)
    }

    /// Handles one expired expiry-index entry; 1 when it counted as a purged session.
    async fn purge_one(
        &self,
        operation: &'static str,
        shard_key: &str,
        member: String,
        now: i64,
    ) -> Result<u64, RedisStoreError> {
        let mut conn = self.conn.clone();
        let Some((user, session_id)) = member.split_once(':') else {
            // Not written by this store: drop it, count nothing.
            self.call(
                operation,
                cmd("ZREM")
                    .arg(shard_key)
                    .arg(&member)
                    .query_async::<i64>(&mut conn),
            )
            .await?;
            return Ok(0);
        };
        let mut invocation = PURGE.prepare_invoke();
        invocation.key(self.session_key(session_id)).arg(now);
        let (status, expires_at): (i64, i64) = self
            .call(operation, invocation.invoke_async(&mut conn))
            .await?;
        let user_key = self.user_index_key_encoded(user);
        if status == 2 {
            // Renewed since its entry was written (an update whose index write failed, or
            // one in flight): repair the scores instead of deleting.
            for (key, entry) in [(user_key.as_str(), session_id), (shard_key, &member)] {
                self.call(
                    operation,
                    cmd("ZADD")
                        .arg(key)
                        .arg("XX")
                        .arg(expires_at)
                        .arg(entry)
                        .query_async::<i64>(&mut conn),
                )
                .await?;
            }
            return Ok(0);
        }
        // Deleted now (status 1) or already dropped by its TTL (status 0): drop the entries.
        // The user index first, so an interrupted purge leaves the shard entry to retry from.
        self.call(
            operation,
            cmd("ZREM")
                .arg(&user_key)
                .arg(session_id)
                .query_async::<i64>(&mut conn),
        )
        .await?;
        let removed: i64 = self
            .call(
                operation,
                cmd("ZREM")
                    .arg(shard_key)
                    .arg(&member)
                    .query_async(&mut conn),
            )
            .await?;
        Ok(u64::from(removed == 1))
    }
}

impl<C, A> SessionStore for RedisSessionStore<C, A>
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
    A: AttributeCodec + Clone + Send + Sync + 'static,
{
    type SessionAttributes = A;

    /// Writes the session hash (replacing any session with the same id) with its TTL, then
    /// its entries in the user index and the expiry index. A session whose `expires_at` plus
    /// the TTL grace is already past is never readable; it is still indexed, so the next
    /// [`delete_expired_sessions`](SessionStore::delete_expired_sessions) counts it.
    async fn insert_session(&self, session: &Session<A>) -> StoreResult<()> {
        self.insert(session).await.map_err(backend)
    }

    /// One `HMGET`. Returns expired sessions until their TTL (expiry + grace) removes them.
    async fn get_session(&self, session_id: &str) -> StoreResult<Option<Session<A>>> {
        self.get(session_id).await.map_err(backend)
    }

    /// Reads the user's index, then every session in it; prunes entries whose session is gone.
    async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<A>>> {
        self.list(user_id).await.map_err(backend)
    }

    /// Atomically (a script) moves `expires_at` and the key's TTL forward, only if the session
    /// exists and the new expiry is later, then re-scores its index entries.
    async fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.update_expiry(session_id, expires_at)
            .await
            .map_err(backend)
    }

    /// Atomically (a script) replaces the attributes, only if the session exists; the TTL is
    /// kept.
    async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &A,
    ) -> StoreResult<bool> {
        self.update_attributes(session_id, attributes)
            .await
            .map_err(backend)
    }

    /// Deletes the session hash, then its index entries.
    async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        self.delete(session_id).await.map_err(backend)
    }

    /// Deletes every session listed in the user's index, then those entries. Sessions
    /// inserted while this runs survive (they were signed in after the sign-out).
    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.delete_for_user(user_id).await.map_err(backend)
    }

    /// Walks the expiry-index shards for entries with `expires_at <= now`, deletes those
    /// sessions and their index entries, and returns how many expired sessions it removed:
    /// those still in Redis and those whose data Redis had already dropped by TTL alike (see
    /// the crate docs).
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.purge(now).await.map_err(backend)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn shards_are_stable_and_spread() {
        // Part of the stored layout: these values must never change.
        assert_eq!(shard_of(""), 0x811c_9dc5 % EXPIRY_SHARDS);
        assert_eq!(shard_of("a"), 0xe40c_292c % EXPIRY_SHARDS);
        let mut seen = [false; EXPIRY_SHARDS as usize];
        for i in 0..1000 {
            seen[shard_of(&format!("session-{i}")) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
    }

    #[test]
    fn key_layout() {
        let store = RedisSessionStore::<(), ()>::new(());
        assert_eq!(store.session_key("s1"), "lucia:session:s1");
        // Braces in a user id stay inside the base64url-encoded hash tag.
        assert_eq!(store.user_index_key("{u}"), "lucia:user_sessions:{e3V9}");
        assert_eq!(
            store.expiry_shard_key("a"),
            format!("lucia:expiries:{{{}}}", shard_of("a"))
        );
        assert!(store.clone().with_prefix("").is_err());
        assert!(store.clone().with_prefix("a b").is_err());
        assert!(store.with_prefix("app:v2").is_ok());
    }

    #[test]
    fn ttl_includes_the_grace_and_never_goes_below_one() {
        let store = RedisSessionStore::<(), ()>::new(()).with_ttl_grace(Duration::from_secs(2));
        let at = OffsetDateTime::from_unix_timestamp(100).unwrap();
        assert_eq!(store.pexpire_at(at), 102_000);
        let before_epoch = OffsetDateTime::from_unix_timestamp(-100).unwrap();
        assert_eq!(store.pexpire_at(before_epoch), 1);
    }

    #[test]
    fn corrupt_sessions_are_errors_not_panics() {
        let session = Session {
            id: "s".into(),
            user_id: "u".into(),
            secret_hash: SecretHash::of("x"),
            created_at: OffsetDateTime::from_unix_timestamp(1).unwrap(),
            expires_at: OffsetDateTime::from_unix_timestamp(2).unwrap(),
            lifetime: Some(time::Duration::days(3)),
            fresh: true,
            attributes: String::from("attrs"),
        };
        let encoded: HashMap<&str, Vec<u8>> =
            encode_fields("t", &session).unwrap().into_iter().collect();
        let as_hmget = |map: &HashMap<&str, Vec<u8>>| -> Fields {
            FIELDS.iter().map(|field| map.get(field).cloned()).collect()
        };
        let fields = as_hmget(&encoded);
        let back = decode_session::<String>("t", "k", "s", fields.clone())
            .unwrap()
            .unwrap();
        assert_eq!(
            back,
            Session {
                fresh: false,
                ..session
            }
        );

        for (field, value) in [
            ("v", Some(&b"9"[..])),
            ("expires_at", Some(b"soon")),
            ("secret_hash", Some(b"abc")),
            ("attributes", Some(&[0xff][..])),
            ("user_id", None),
        ] {
            let mut broken = encoded.clone();
            match value {
                Some(value) => broken.insert(field, value.to_vec()),
                None => broken.remove(field),
            };
            let err = decode_session::<String>("t", "k", "s", as_hmget(&broken)).unwrap_err();
            assert!(
                matches!(&err, RedisStoreError::Corrupt { reason, .. } if reason.contains(field) || field == "attributes" || field == "v"),
                "{field}: {err}"
            );
        }
        assert!(
            decode_session::<String>("t", "k", "s", vec![None; FIELDS.len()])
                .unwrap()
                .is_none()
        );
        // A session without a lifetime, and a reply of the wrong length.
        let mut no_lifetime = encoded.clone();
        no_lifetime.remove("lifetime");
        let back = decode_session::<String>("t", "k", "s", as_hmget(&no_lifetime)).unwrap();
        assert_eq!(back.unwrap().lifetime, None);
        assert!(matches!(
            decode_session::<String>("t", "k", "s", fields[..3].to_vec()),
            Err(RedisStoreError::Corrupt { .. })
        ));
    }
}
