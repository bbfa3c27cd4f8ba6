//! The conformance suite must fail on stores that break the contract; a suite that cannot
//! fail proves nothing. Each store here breaks one rule, wrapped around the memory store.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use lucia::conformance::{TestSession, TestUser, run_auth_store, run_session_store};
use lucia::store::{SessionStore, Split, StoreResult, UserStore};
use lucia::time::OffsetDateTime;
use lucia::{Key, KeyId, MemoryStore, Session, User};

/// A session store with one deliberate defect, selected by `Bug`.
struct Broken {
    inner: MemoryStore<(), TestSession>,
    bug: Bug,
}

#[derive(PartialEq)]
enum Bug {
    /// Keeps sessions expiring exactly at `now` (uses `<` instead of `<=`).
    PurgeBoundary,
    /// Loses the seconds of timestamps.
    LossyTimestamps,
    /// `delete_session` removes every session of the user.
    WideDelete,
}

impl SessionStore for Broken {
    type SessionAttributes = TestSession;

    async fn insert_session(&self, session: &Session<TestSession>) -> StoreResult<()> {
        let mut session = session.clone();
        if self.bug == Bug::LossyTimestamps {
            // Drop the seconds (or, when they are already zero, keep one): never a no-op.
            let second = if session.created_at.second() == 0 {
                1
            } else {
                0
            };
            session.created_at = session.created_at.replace_second(second).unwrap();
        }
        self.inner.insert_session(&session).await
    }
    async fn get_session(&self, id: &str) -> StoreResult<Option<Session<TestSession>>> {
        self.inner.get_session(id).await
    }
    async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<TestSession>>> {
        self.inner.get_user_sessions(user_id).await
    }
    async fn update_session_expiry(
        &self,
        id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.inner.update_session_expiry(id, expires_at).await
    }
    async fn update_session_attributes(
        &self,
        id: &str,
        attributes: &TestSession,
    ) -> StoreResult<bool> {
        self.inner.update_session_attributes(id, attributes).await
    }
    async fn delete_session(&self, id: &str) -> StoreResult<()> {
        if self.bug == Bug::WideDelete
            && let Some(session) = self.inner.get_session(id).await?
        {
            return self.inner.delete_user_sessions(&session.user_id).await;
        }
        self.inner.delete_session(id).await
    }
    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.inner.delete_user_sessions(user_id).await
    }
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let now = if self.bug == Bug::PurgeBoundary {
            now - lucia::time::Duration::SECOND
        } else {
            now
        };
        self.inner.delete_expired_sessions(now).await
    }
}

fn broken(bug: Bug) -> Broken {
    Broken {
        inner: MemoryStore::new(),
        bug,
    }
}

#[pollster::test]
#[should_panic(expected = "a session expiring exactly now is expired")]
async fn catches_an_off_by_one_purge() {
    run_session_store(&broken(Bug::PurgeBoundary)).await;
}

#[pollster::test]
#[should_panic(expected = "session round trip")]
async fn catches_lossy_timestamps() {
    run_session_store(&broken(Bug::LossyTimestamps)).await;
}

#[pollster::test]
#[should_panic(expected = "delete_session touches only its session")]
async fn catches_a_delete_that_touches_too_much() {
    run_session_store(&broken(Bug::WideDelete)).await;
}

/// A user store whose `insert_user` writes the user before finding the key taken.
struct HalfWrites(MemoryStore<TestUser, ()>);

impl UserStore for HalfWrites {
    type UserAttributes = TestUser;

    async fn get_user(&self, id: &str) -> StoreResult<Option<User<TestUser>>> {
        self.0.get_user(id).await
    }
    async fn insert_user(&self, user: &User<TestUser>, key: Option<&Key>) -> StoreResult<()> {
        self.0.insert_user(user, None).await?;
        match key {
            Some(key) => self.0.insert_key(key).await,
            None => Ok(()),
        }
    }
    async fn update_user_attributes(&self, id: &str, attributes: &TestUser) -> StoreResult<bool> {
        self.0.update_user_attributes(id, attributes).await
    }
    async fn delete_user(&self, id: &str) -> StoreResult<()> {
        self.0.delete_user(id).await
    }
    async fn get_key(&self, id: &KeyId) -> StoreResult<Option<Key>> {
        self.0.get_key(id).await
    }
    async fn insert_key(&self, key: &Key) -> StoreResult<()> {
        self.0.insert_key(key).await
    }
    async fn update_key_password(&self, id: &KeyId, hash: Option<&str>) -> StoreResult<bool> {
        self.0.update_key_password(id, hash).await
    }
    async fn delete_key(&self, id: &KeyId) -> StoreResult<()> {
        self.0.delete_key(id).await
    }
    async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
        self.0.get_user_keys(user_id).await
    }
}

#[pollster::test]
#[should_panic(expected = "a failed insert_user must leave no user behind")]
async fn catches_a_non_atomic_insert_user() {
    let store = Split::new(
        HalfWrites(MemoryStore::new()),
        MemoryStore::<(), TestSession>::new(),
    );
    run_auth_store(&store).await;
}
