//! [`RedisThrottle`]: lucia's throttle state in Redis, shared by every app instance.
//!
//! One key per throttle key (`<prefix>:throttle:<hashed key>`, a hash with the token count or
//! failure count and a time), updated by one Lua script so each attempt is atomic, and given
//! a TTL so idle keys disappear by themselves. Every call touches exactly one key, so the same
//! code runs on a single node and on a cluster. The arithmetic is
//! [`lucia::throttle::apply`]'s; time comes from the caller.

use std::time::Duration;

use lucia::StoreError;
use lucia::store::StoreResult;
use lucia::throttle::{Limit, Op, RetryAfter, ThrottleBackend};
use lucia::time::OffsetDateTime;
use redis::aio::ConnectionLike;

use crate::error::RedisStoreError;

const SCRIPT: &str = r"
local key = KEYS[1]
local kind, op = ARGV[1], ARGV[2]
local now = tonumber(ARGV[3])
local a, b, c = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl = tonumber(ARGV[7])
local v = redis.call('HGET', key, 'v')
local at = redis.call('HGET', key, 'at')
if kind == 'bucket' then
  local level = a
  if v then level = math.min(a, tonumber(v) + math.max(now - tonumber(at), 0) / b) end
  if level < 1 then return {0, math.ceil((1 - level) * b)} end
  if op == 'hit' then
    redis.call('HSET', key, 'v', tostring(level - 1), 'at', tostring(now))
    redis.call('PEXPIRE', key, ttl)
  end
  return {1, 0}
end
local failures, untl = 0, 0
if v then failures = tonumber(v); untl = tonumber(at) end
if untl > now then return {0, untl - now} end
if op == 'hit' then
  failures = failures + 1
  local over = failures - a
  local u = 0
  if over >= 1 then u = now + math.min(c, b * 2 ^ (over - 1)) end
  redis.call('HSET', key, 'v', tostring(failures), 'at', tostring(u))
  redis.call('PEXPIRE', key, ttl)
end
return {1, 0}
";

/// Throttle state in Redis (single node or cluster).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use lucia::throttle::{Limit, Throttle};
/// let connection = lucia_redis::connect("redis://127.0.0.1/").await?;
/// let logins = Throttle::new("login", Limit::copenhagen_login(), lucia_redis::RedisThrottle::new(connection));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisThrottle<C> {
    connection: C,
    prefix: String,
    timeout: Duration,
    script: redis::Script,
}

impl<C> std::fmt::Debug for RedisThrottle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisThrottle")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl<C: ConnectionLike + Clone + Send + Sync + 'static> RedisThrottle<C> {
    /// A backend on `connection`, keys under `lucia:throttle:`, 3 s per round trip.
    pub fn new(connection: C) -> Self {
        Self {
            connection,
            prefix: crate::DEFAULT_PREFIX.to_owned(),
            timeout: crate::DEFAULT_TIMEOUT,
            script: redis::Script::new(SCRIPT),
        }
    }

    /// Uses `prefix` instead of `lucia` for the keys.
    pub fn with_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    fn key(&self, key: &str) -> String {
        format!("{}:throttle:{key}", self.prefix)
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        request: impl Future<Output = redis::RedisResult<T>>,
    ) -> StoreResult<T> {
        match tokio::time::timeout(self.timeout, request).await {
            Ok(result) => result.map_err(|source| {
                StoreError::backend(RedisStoreError::Redis { operation, source })
            }),
            Err(_) => Err(StoreError::backend(RedisStoreError::Timeout {
                operation,
                after: self.timeout,
            })),
        }
    }
}

fn ms(duration: lucia::time::Duration) -> i64 {
    i64::try_from(duration.whole_milliseconds()).unwrap_or(i64::MAX)
}

impl<C: ConnectionLike + Clone + Send + Sync + 'static> ThrottleBackend for RedisThrottle<C> {
    async fn apply(
        &self,
        key: &str,
        limit: &Limit,
        op: Op,
        now: OffsetDateTime,
    ) -> StoreResult<Result<(), RetryAfter>> {
        let (kind, a, b, c) = match *limit {
            Limit::TokenBucket { capacity, refill } => {
                ("bucket", i64::from(capacity), ms(refill).max(1), 0)
            }
            Limit::Backoff { free, base, max } => ("backoff", i64::from(free), ms(base), ms(max)),
        };
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let op = match op {
            Op::Check => "check",
            Op::Hit => "hit",
        };
        let mut invocation = self.script.key(self.key(key));
        invocation
            .arg(kind)
            .arg(op)
            .arg(now_ms)
            .arg(a)
            .arg(b)
            .arg(c)
            .arg(ms(limit.idle_after()).max(1));
        let mut connection = self.connection.clone();
        let (allowed, wait): (i64, i64) = self
            .bounded("throttle", invocation.invoke_async(&mut connection))
            .await?;
        Ok(if allowed == 1 {
            Ok(())
        } else {
            Err(RetryAfter(lucia::time::Duration::milliseconds(wait.max(1))))
        })
    }

    async fn reset(&self, key: &str) -> StoreResult<()> {
        let mut connection = self.connection.clone();
        let key = self.key(key);
        self.bounded("throttle reset", async move {
            redis::cmd("DEL")
                .arg(key)
                .query_async::<()>(&mut connection)
                .await
        })
        .await
    }
}
