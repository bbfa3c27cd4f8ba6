//! [`CountingStore`]: a store wrapper that records every store call, to count round trips.

use std::sync::{Arc, Mutex};

use lucia::store::{AuthStore, SessionStore, StoreResult, UserStore};
use lucia::{Key, KeyId, Session, User};
use time::OffsetDateTime;

/// A shared log of store calls, as `"<label>:<method>"`, in call order.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<Mutex<Vec<String>>>);

impl CallLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&self, label: &str, method: &str) {
        let mut calls = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        calls.push(format!("{label}:{method}"));
    }

    /// The calls recorded since the last `take`, emptying the log.
    pub fn take(&self) -> Vec<String> {
        let mut calls = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        std::mem::take(&mut *calls)
    }
}

/// Wraps a store and records each call of the store traits in a [`CallLog`] before
/// delegating it unchanged. Every call of a SQL or Redis store is (at least) one round trip to
/// the server, so the log counts round trips.
#[derive(Debug, Clone)]
pub struct CountingStore<S> {
    inner: S,
    label: &'static str,
    log: CallLog,
}

impl<S> CountingStore<S> {
    /// Wraps `inner`; its calls are logged as `"<label>:<method>"`.
    pub fn new(inner: S, label: &'static str, log: CallLog) -> Self {
        Self { inner, label, log }
    }

    /// The wrapped store.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    fn record(&self, method: &str) {
        self.log.push(self.label, method);
    }
}

impl<S: UserStore> UserStore for CountingStore<S> {
    type UserAttributes = S::UserAttributes;

    async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<Self::UserAttributes>>> {
        self.record("get_user");
        self.inner.get_user(user_id).await
    }
    async fn insert_user(
        &self,
        user: &User<Self::UserAttributes>,
        key: Option<&Key>,
    ) -> StoreResult<()> {
        self.record("insert_user");
        self.inner.insert_user(user, key).await
    }
    async fn update_user_attributes(
        &self,
        user_id: &str,
        attributes: &Self::UserAttributes,
    ) -> StoreResult<bool> {
        self.record("update_user_attributes");
        self.inner.update_user_attributes(user_id, attributes).await
    }
    async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
        self.record("delete_user");
        self.inner.delete_user(user_id).await
    }
    async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
        self.record("get_key");
        self.inner.get_key(key_id).await
    }
    async fn insert_key(&self, key: &Key) -> StoreResult<()> {
        self.record("insert_key");
        self.inner.insert_key(key).await
    }
    async fn update_key_password(
        &self,
        key_id: &KeyId,
        password_hash: Option<&str>,
    ) -> StoreResult<bool> {
        self.record("update_key_password");
        self.inner.update_key_password(key_id, password_hash).await
    }
    async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
        self.record("delete_key");
        self.inner.delete_key(key_id).await
    }
    async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
        self.record("get_user_keys");
        self.inner.get_user_keys(user_id).await
    }
}

impl<S: SessionStore> SessionStore for CountingStore<S> {
    type SessionAttributes = S::SessionAttributes;

    async fn insert_session(&self, session: &Session<Self::SessionAttributes>) -> StoreResult<()> {
        self.record("insert_session");
        self.inner.insert_session(session).await
    }
    async fn get_session(
        &self,
        session_id: &str,
    ) -> StoreResult<Option<Session<Self::SessionAttributes>>> {
        self.record("get_session");
        self.inner.get_session(session_id).await
    }
    async fn get_user_sessions(
        &self,
        user_id: &str,
    ) -> StoreResult<Vec<Session<Self::SessionAttributes>>> {
        self.record("get_user_sessions");
        self.inner.get_user_sessions(user_id).await
    }
    async fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.record("update_session_expiry");
        self.inner
            .update_session_expiry(session_id, expires_at)
            .await
    }
    async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &Self::SessionAttributes,
    ) -> StoreResult<bool> {
        self.record("update_session_attributes");
        self.inner
            .update_session_attributes(session_id, attributes)
            .await
    }
    async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        self.record("delete_session");
        self.inner.delete_session(session_id).await
    }
    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.record("delete_user_sessions");
        self.inner.delete_user_sessions(user_id).await
    }
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.record("delete_expired_sessions");
        self.inner.delete_expired_sessions(now).await
    }
}

impl<S: AuthStore> AuthStore for CountingStore<S> {
    async fn get_session_and_user(
        &self,
        session_id: &str,
    ) -> StoreResult<
        Option<(
            Session<Self::SessionAttributes>,
            Option<User<Self::UserAttributes>>,
        )>,
    > {
        self.record("get_session_and_user");
        self.inner.get_session_and_user(session_id).await
    }
}
