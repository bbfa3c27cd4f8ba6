//! Throttling: token buckets and exponential back-off per key (account, client address, or
//! both), with a `retry_after` for `429 Too Many Requests` + `Retry-After`.
//!
//! Lucia called rate limiting "out of scope"; The Copenhagen Book asks for it on every
//! guessable secret (passwords, codes) and on anything that sends mail. Here:
//!
//! - a [`Limit`] says how much is allowed: a [`Limit::TokenBucket`] (e.g. 5 attempts, one more
//!   a minute) or a [`Limit::Backoff`] (after a few failures, wait 1 s, 2 s, 4 s, ... up to a
//!   cap);
//! - a [`ThrottleBackend`] keeps the per-key state atomically: [`MemoryThrottle`] here (one
//!   process), a Redis backend in `lucia-redis` (shared by every instance);
//! - a [`Throttle`] ties a limit to a backend and a name, and hashes keys, so the store holds
//!   neither addresses nor account names — only `SHA-256(name:key)`, a number and a time.
//!
//! Time comes from the caller (the app's [`Clock`](crate::clock::Clock)), so behaviour is
//! deterministic in tests. With several app instances the Redis backend compares times from
//! different machines: keep clocks in sync (NTP); skew shortens or lengthens waits by the same
//! amount, never more.
//!
//! Throttling a sign-in: check before verifying the password (which costs CPU), count the
//! failure, and reset on success.
//!
//! ```
//! use lucia::throttle::{Limit, MemoryThrottle, Throttle, keys};
//! use time::{Duration, OffsetDateTime};
//!
//! # pollster::block_on(async {
//! let logins = Throttle::new("login-account", Limit::copenhagen_login(), MemoryThrottle::new());
//! let now = OffsetDateTime::now_utc();
//! let key = keys::account("ada@example.com");
//! for _ in 0..5 {
//!     logins.check(&key, now).await?.expect("still allowed");
//!     let _ = logins.hit(&key, now).await?; // a wrong password
//! }
//! let retry = logins.check(&key, now).await?.expect_err("the sixth attempt waits");
//! assert_eq!(retry.seconds(), 60); // send `429` with `Retry-After: 60`
//! logins.reset(&key).await?; // after a successful sign-in
//! # Ok::<(), lucia::Error>(()) }).unwrap();
//! ```

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, PoisonError};

use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};
use crate::store::{MaybeSend, MaybeSync, StoreResult};

/// How long to wait before trying again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryAfter(pub Duration);

impl RetryAfter {
    /// Whole seconds, rounded up and at least 1: the value of a `Retry-After` header.
    pub fn seconds(&self) -> u64 {
        let millis = self.0.whole_milliseconds().max(1);
        u64::try_from((millis + 999) / 1000).unwrap_or(u64::MAX)
    }
}

/// How much is allowed per key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// `capacity` attempts, then one more every `refill`.
    TokenBucket {
        /// Attempts available at once.
        capacity: u32,
        /// Time for one attempt to come back.
        refill: Duration,
    },
    /// `free` attempts, then waits of `base`, `2 × base`, `4 × base`, ... up to `max` after
    /// each further one, until [`Throttle::reset`].
    Backoff {
        /// Attempts before the first wait.
        free: u32,
        /// The first wait.
        base: Duration,
        /// The longest wait.
        max: Duration,
    },
}

impl Limit {
    /// The Copenhagen Book's sign-in bucket: 5 attempts, one more a minute.
    pub fn copenhagen_login() -> Self {
        Self::TokenBucket {
            capacity: 5,
            refill: Duration::MINUTE,
        }
    }

    fn check(&self) -> Result<()> {
        let valid = match *self {
            Self::TokenBucket { capacity, refill } => capacity > 0 && refill.is_positive(),
            Self::Backoff { base, max, .. } => base.is_positive() && max >= base,
        };
        if valid {
            Ok(())
        } else {
            Err(Error::Config(format!("invalid throttle limit {self:?}")))
        }
    }

    /// How long an untouched key's state matters; after that it may be forgotten.
    pub fn idle_after(&self) -> Duration {
        match *self {
            Self::TokenBucket { capacity, refill } => refill * capacity,
            Self::Backoff { max, .. } => max * 2,
        }
    }
}

/// The state of one key: tokens left (bucket) or failures counted (back-off), and a time in
/// Unix milliseconds (when the tokens were counted, or until when to wait).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct KeyState {
    /// Tokens (bucket) or failures (back-off).
    pub value: f64,
    /// Unix milliseconds.
    pub at: i64,
}

/// Whether an attempt only looks or also counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Look: would an attempt now be allowed?
    Check,
    /// Count an attempt (a bucket token taken, a back-off failure recorded).
    Hit,
}

fn millis(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

/// The throttle's arithmetic, shared by every backend (the Redis backend runs the same steps
/// in a Lua script): the new state and the answer.
pub fn apply(
    limit: &Limit,
    state: Option<KeyState>,
    op: Op,
    now: OffsetDateTime,
) -> (Option<KeyState>, Result<(), RetryAfter>) {
    let now = millis(now);
    match *limit {
        Limit::TokenBucket { capacity, refill } => {
            let refill_ms = (refill.whole_milliseconds() as f64).max(1.0);
            let capacity = f64::from(capacity);
            let level = state.map_or(capacity, |s| {
                let elapsed = (now - s.at).max(0) as f64;
                (s.value + elapsed / refill_ms).min(capacity)
            });
            if level < 1.0 {
                let wait = ((1.0 - level) * refill_ms).ceil() as i64;
                return (state, Err(RetryAfter(Duration::milliseconds(wait))));
            }
            match op {
                Op::Check => (state, Ok(())),
                Op::Hit => (
                    Some(KeyState {
                        value: level - 1.0,
                        at: now,
                    }),
                    Ok(()),
                ),
            }
        }
        Limit::Backoff { free, base, max } => {
            let (failures, until) = state.map_or((0.0, 0), |s| (s.value, s.at));
            if until > now {
                return (state, Err(RetryAfter(Duration::milliseconds(until - now))));
            }
            match op {
                Op::Check => (state, Ok(())),
                Op::Hit => {
                    let failures = failures + 1.0;
                    let over = failures - f64::from(free);
                    let until = if over >= 1.0 {
                        let wait = (base.whole_milliseconds() as f64 * 2f64.powf(over - 1.0))
                            .min(max.whole_milliseconds() as f64);
                        now + wait as i64
                    } else {
                        0
                    };
                    (
                        Some(KeyState {
                            value: failures,
                            at: until,
                        }),
                        Ok(()),
                    )
                }
            }
        }
    }
}

/// Keeps per-key throttle state; every operation is atomic per key.
pub trait ThrottleBackend: MaybeSend + MaybeSync {
    /// Applies `op` for `key` under `limit` at `now` (see [`apply`]) atomically.
    fn apply(
        &self,
        key: &str,
        limit: &Limit,
        op: Op,
        now: OffsetDateTime,
    ) -> impl Future<Output = StoreResult<Result<(), RetryAfter>>> + MaybeSend;

    /// Forgets `key`.
    fn reset(&self, key: &str) -> impl Future<Output = StoreResult<()>> + MaybeSend;
}

/// Throttle state in this process's memory (a restart forgets it; use the Redis backend
/// with several instances). Idle keys are pruned as the map grows.
#[derive(Debug, Default)]
pub struct MemoryThrottle {
    keys: Mutex<HashMap<String, (KeyState, Duration)>>,
}

impl MemoryThrottle {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }
}

const PRUNE_ABOVE: usize = 50_000;

impl ThrottleBackend for MemoryThrottle {
    async fn apply(
        &self,
        key: &str,
        limit: &Limit,
        op: Op,
        now: OffsetDateTime,
    ) -> StoreResult<Result<(), RetryAfter>> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        let state = keys.get(key).map(|(state, _)| *state);
        let (next, answer) = apply(limit, state, op, now);
        if let Some(next) = next {
            keys.insert(key.to_owned(), (next, limit.idle_after()));
        }
        if keys.len() > PRUNE_ABOVE {
            let now = millis(now);
            keys.retain(|_, (state, idle)| now - state.at < idle.whole_milliseconds() as i64);
        }
        Ok(answer)
    }

    async fn reset(&self, key: &str) -> StoreResult<()> {
        self.keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(key);
        Ok(())
    }
}

/// Builders for throttle keys.
pub mod keys {
    /// An account, by its normalised email or user id.
    pub fn account(account: &str) -> String {
        format!("account:{account}")
    }

    /// A client address.
    pub fn address(address: &str) -> String {
        format!("address:{address}")
    }

    /// An account from one client address.
    pub fn account_address(account: &str, address: &str) -> String {
        format!("account+address:{account}|{address}")
    }
}

/// A named limit over a backend. Keys are stored as `SHA-256(name:key)`.
#[derive(Debug)]
pub struct Throttle<B> {
    name: String,
    limit: Limit,
    backend: B,
}

impl<B: ThrottleBackend> Throttle<B> {
    /// A throttle named `name` (keeps its keys apart from other throttles on one backend).
    pub fn new(name: impl Into<String>, limit: Limit, backend: B) -> Self {
        Self {
            name: name.into(),
            limit,
            backend,
        }
    }

    /// The limit.
    pub fn limit(&self) -> &Limit {
        &self.limit
    }

    fn key(&self, key: &str) -> String {
        let digest = Sha256::digest(format!("{}:{key}", self.name).as_bytes());
        format!("{}:{}", self.name, data_encoding::HEXLOWER.encode(&digest))
    }

    /// Would an attempt for `key` be allowed now? Counts nothing.
    pub async fn check(&self, key: &str, now: OffsetDateTime) -> Result<Result<(), RetryAfter>> {
        self.limit.check()?;
        Ok(self
            .backend
            .apply(&self.key(key), &self.limit, Op::Check, now)
            .await?)
    }

    /// Counts an attempt (a failure, a mail sent). `Err(retry)` when over the limit.
    pub async fn hit(&self, key: &str, now: OffsetDateTime) -> Result<Result<(), RetryAfter>> {
        self.limit.check()?;
        Ok(self
            .backend
            .apply(&self.key(key), &self.limit, Op::Hit, now)
            .await?)
    }

    /// Forgets `key` (after a successful sign-in).
    pub async fn reset(&self, key: &str) -> Result<()> {
        Ok(self.backend.reset(&self.key(key)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const T0: OffsetDateTime = datetime!(2030-01-01 0:00 UTC);

    #[test]
    fn buckets_drain_and_refill_with_exact_waits() {
        let limit = Limit::copenhagen_login();
        let mut state = None;
        for _ in 0..5 {
            let (next, answer) = apply(&limit, state, Op::Hit, T0);
            assert_eq!(answer, Ok(()));
            state = next;
        }
        let (_, answer) = apply(&limit, state, Op::Check, T0);
        assert_eq!(answer, Err(RetryAfter(Duration::MINUTE)));
        let (_, answer) = apply(&limit, state, Op::Check, T0 + Duration::seconds(45));
        assert_eq!(answer.map_err(|r| r.seconds()), Err(15));
        let (_, answer) = apply(&limit, state, Op::Hit, T0 + Duration::MINUTE);
        assert_eq!(answer, Ok(()), "one token back after a minute");
        let (full, _) = apply(&limit, state, Op::Check, T0 + Duration::hours(1));
        assert_eq!(full, state, "a check changes nothing");
    }

    #[test]
    fn backoff_doubles_caps_and_ends() {
        let limit = Limit::Backoff {
            free: 2,
            base: Duration::SECOND,
            max: Duration::seconds(10),
        };
        let mut state = None;
        let mut now = T0;
        let mut waits = Vec::new();
        for _ in 0..7 {
            if let (_, Err(retry)) = apply(&limit, state, Op::Check, now) {
                now += retry.0;
            }
            let (next, answer) = apply(&limit, state, Op::Hit, now);
            assert_eq!(answer, Ok(()));
            state = next;
            if let (_, Err(retry)) = apply(&limit, state, Op::Check, now) {
                waits.push(retry.0.whole_seconds());
            }
        }
        assert_eq!(waits, vec![1, 2, 4, 8, 10]);
        let (_, locked) = apply(&limit, state, Op::Hit, now);
        assert!(
            locked.is_err(),
            "a hit while waiting is refused and not counted"
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(RetryAfter(Duration::milliseconds(1)).seconds(), 1);
        assert_eq!(RetryAfter(Duration::milliseconds(1001)).seconds(), 2);
        assert_eq!(RetryAfter(Duration::ZERO).seconds(), 1);
    }

    #[test]
    fn keys_are_hashed_and_limits_checked() {
        let throttle = Throttle::new("login", Limit::copenhagen_login(), MemoryThrottle::new());
        let key = throttle.key(&keys::account("ada@example.com"));
        assert!(!key.contains("ada"), "{key}");
        assert!(key.starts_with("login:"));
        let bad = Throttle::new(
            "x",
            Limit::TokenBucket {
                capacity: 0,
                refill: Duration::SECOND,
            },
            MemoryThrottle::new(),
        );
        assert!(matches!(
            pollster::block_on(bad.check("k", T0)),
            Err(Error::Config(_))
        ));
    }

    #[test]
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))] // Spawns threads.
    fn concurrent_hits_on_one_key_allow_exactly_the_capacity() {
        let throttle = std::sync::Arc::new(Throttle::new(
            "race",
            Limit::TokenBucket {
                capacity: 5,
                refill: Duration::hours(1),
            },
            MemoryThrottle::new(),
        ));
        let handles: Vec<_> = (0..50)
            .map(|_| {
                let throttle = std::sync::Arc::clone(&throttle);
                std::thread::spawn(move || {
                    pollster::block_on(throttle.hit("k", T0)).unwrap().is_ok()
                })
            })
            .collect();
        let allowed = handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .filter(|ok| *ok)
            .count();
        assert_eq!(allowed, 5);
    }
}
