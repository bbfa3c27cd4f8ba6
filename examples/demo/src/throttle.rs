//! An in-process login throttle: token buckets per account and per client address.
//!
//! Each key gets `capacity` attempts, refilled at one per `refill`. A failed sign-in takes a
//! token from both its account's and its address's bucket; when either is empty the demo
//! answers 429 with `Retry-After`. A successful sign-in resets the account's bucket. Buckets
//! live in memory (one process; a restart forgets them) and full ones are dropped to bound
//! memory.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Token buckets keyed by string.
#[derive(Debug)]
pub struct Throttle {
    capacity: f64,
    refill: Duration,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl Throttle {
    /// `capacity` attempts, one more every `refill`.
    pub fn new(capacity: u32, refill: Duration) -> Self {
        Self {
            capacity: f64::from(capacity),
            refill,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn level(&self, tokens: f64, since: Instant, now: Instant) -> f64 {
        let refilled = now.duration_since(since).as_secs_f64() / self.refill.as_secs_f64();
        (tokens + refilled).min(self.capacity)
    }

    /// `Err(wait)` when `key` has no attempt left.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match buckets.get(key) {
            Some(&(tokens, since)) if self.level(tokens, since, now) < 1.0 => {
                let missing = 1.0 - self.level(tokens, since, now);
                Err(self.refill.mul_f64(missing).max(Duration::from_secs(1)))
            }
            _ => Ok(()),
        }
    }

    /// Takes one attempt from `key`.
    pub fn fail(&self, key: &str) {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let level = buckets.get(key).map_or(self.capacity, |&(tokens, since)| {
            self.level(tokens, since, now)
        });
        buckets.insert(key.to_owned(), ((level - 1.0).max(0.0), now));
        if buckets.len() > 100_000 {
            buckets
                .retain(|_, &mut (tokens, since)| self.level(tokens, since, now) < self.capacity);
        }
    }

    /// Forgets `key` (after a successful sign-in).
    pub fn reset(&self, key: &str) {
        self.buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_empty_and_refill() {
        let throttle = Throttle::new(2, Duration::from_millis(50));
        throttle.fail("a");
        assert!(throttle.check("a").is_ok());
        throttle.fail("a");
        assert!(throttle.check("a").is_err());
        assert!(throttle.check("b").is_ok(), "keys are independent");
        std::thread::sleep(Duration::from_millis(60));
        assert!(throttle.check("a").is_ok(), "refilled");
        throttle.fail("a");
        throttle.fail("a");
        throttle.reset("a");
        assert!(throttle.check("a").is_ok());
    }
}
