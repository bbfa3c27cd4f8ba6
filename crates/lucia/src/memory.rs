//! An in-memory store of users, keys and sessions.
//!
//! Thread-safe (one `RwLock`), cheap to clone (clones share the data) and complete: it
//! implements [`UserStore`], [`SessionStore`] and [`AuthStore`], so it serves tests, examples
//! and single-node apps that accept losing every session and user on restart. Used only as a
//! session store (next to a SQL user store, through [`Split`](crate::store::Split)), it accepts
//! any user id.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use time::OffsetDateTime;

use crate::error::StoreError;
use crate::one_time::{StoredToken, TokenStore};
use crate::session::Session;
use crate::store::{AuthStore, MaybeSend, MaybeSync, SessionStore, StoreResult, UserStore};
use crate::token::SecretHash;
use crate::two_factor::{TwoFactor, TwoFactorStore};
use crate::user::{Key, KeyId, User};

/// Users, keys and sessions kept in memory.
///
/// ```
/// use lucia::{Lucia, MemoryStore, NewKey, NewUser};
///
/// # pollster::block_on(async {
/// let lucia = Lucia::new(MemoryStore::<String, ()>::new());
/// let user = lucia.create_user(NewUser::new("Ada".to_owned())).await?;
/// let (session, token) = lucia.create_session(&user.id, ()).await?;
/// let validated = lucia.validate_session(token.expose_secret()).await?;
/// assert_eq!(validated.valid().map(|v| v.user), Some(user));
/// # Ok::<(), lucia::Error>(()) }).unwrap();
/// ```
pub struct MemoryStore<UA, SA> {
    inner: Arc<RwLock<Inner<UA, SA>>>,
}

/// An attribute that must be unique across users, as a SQL unique column would be.
type UniqueAttribute<UA> = (String, Box<dyn Fn(&UA) -> Option<String> + Send + Sync>);

struct Inner<UA, SA> {
    users: HashMap<String, UA>,
    keys: HashMap<KeyId, Key>,
    sessions: HashMap<String, Session<SA>>,
    tokens: HashMap<String, StoredToken>,
    two_factor: HashMap<String, TwoFactor>,
    recovery: HashMap<String, Vec<SecretHash>>,
    unique: Vec<UniqueAttribute<UA>>,
}

impl<UA, SA> Inner<UA, SA> {
    /// The first unique attribute of `attributes` that another user than `user_id` holds.
    fn unique_conflict(&self, user_id: &str, attributes: &UA) -> Option<String> {
        self.unique.iter().find_map(|(column, value)| {
            let mine = value(attributes)?;
            self.users
                .iter()
                .any(|(id, other)| id != user_id && value(other).as_ref() == Some(&mine))
                .then(|| column.clone())
        })
    }
}

impl<UA, SA> MemoryStore<UA, SA> {
    /// An empty store.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(RwLock::new(Inner {
                users: HashMap::new(),
                keys: HashMap::new(),
                sessions: HashMap::new(),
                tokens: HashMap::new(),
                two_factor: HashMap::new(),
                recovery: HashMap::new(),
                unique: Vec::new(),
            })),
        }
    }

    /// Declares a user attribute unique, as a unique column would be in SQL: inserting or
    /// updating a user whose `value(attributes)` equals another user's then fails with
    /// [`StoreError::UniqueViolation`] naming `column`. `None` values never conflict.
    ///
    /// ```
    /// use lucia::{MemoryStore, StoreError, User, store::UserStore};
    /// # pollster::block_on(async {
    /// let store = MemoryStore::<String, ()>::new().unique("email", |email| Some(email.clone()));
    /// store.insert_user(&User { id: "a".into(), attributes: "ada@example.com".into() }, None).await?;
    /// let again = User { id: "b".into(), attributes: "ada@example.com".into() };
    /// assert!(matches!(
    ///     store.insert_user(&again, None).await,
    ///     Err(StoreError::UniqueViolation { column }) if column == "email"
    /// ));
    /// # Ok::<(), StoreError>(()) }).unwrap();
    /// ```
    ///
    /// Clones share the constraint, like they share the data.
    pub fn unique(
        self,
        column: impl Into<String>,
        value: impl Fn(&UA) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.write().unique.push((column.into(), Box::new(value)));
        self
    }

    /// How many sessions the store holds, expired ones included.
    pub fn session_count(&self) -> usize {
        self.read().sessions.len()
    }

    // A poisoned lock only means another thread panicked mid-operation; every operation here
    // leaves the maps consistent before it can panic, so the data is still good.
    fn read(&self) -> RwLockReadGuard<'_, Inner<UA, SA>> {
        self.inner
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner<UA, SA>> {
        self.inner
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<UA, SA> Default for MemoryStore<UA, SA> {
    fn default() -> Self {
        Self::new()
    }
}

impl<UA, SA> Clone for MemoryStore<UA, SA> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<UA, SA> fmt::Debug for MemoryStore<UA, SA> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.read();
        f.debug_struct("MemoryStore")
            .field("users", &inner.users.len())
            .field("keys", &inner.keys.len())
            .field("sessions", &inner.sessions.len())
            .finish()
    }
}

impl<UA, SA> UserStore for MemoryStore<UA, SA>
where
    UA: Clone + MaybeSend + MaybeSync + 'static,
    SA: MaybeSend + MaybeSync,
{
    type UserAttributes = UA;

    async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<UA>>> {
        Ok(self.read().users.get(user_id).map(|attributes| User {
            id: user_id.to_owned(),
            attributes: attributes.clone(),
        }))
    }

    async fn insert_user(&self, user: &User<UA>, key: Option<&Key>) -> StoreResult<()> {
        let mut inner = self.write();
        if inner.users.contains_key(&user.id) {
            return Err(StoreError::DuplicateUserId);
        }
        if let Some(column) = inner.unique_conflict(&user.id, &user.attributes) {
            return Err(StoreError::UniqueViolation { column });
        }
        if let Some(key) = key {
            if inner.keys.contains_key(&key.id) {
                return Err(StoreError::DuplicateKey);
            }
            if key.user_id != user.id {
                return Err(StoreError::UnknownUser);
            }
            inner.keys.insert(key.id.clone(), key.clone());
        }
        inner.users.insert(user.id.clone(), user.attributes.clone());
        Ok(())
    }

    async fn update_user_attributes(&self, user_id: &str, attributes: &UA) -> StoreResult<bool> {
        let mut inner = self.write();
        if inner.users.contains_key(user_id)
            && let Some(column) = inner.unique_conflict(user_id, attributes)
        {
            return Err(StoreError::UniqueViolation { column });
        }
        Ok(match inner.users.get_mut(user_id) {
            Some(stored) => {
                *stored = attributes.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
        let mut inner = self.write();
        inner.users.remove(user_id);
        inner.keys.retain(|_, key| key.user_id != user_id);
        inner.tokens.retain(|_, token| token.user_id != user_id);
        inner.two_factor.remove(user_id);
        inner.recovery.remove(user_id);
        Ok(())
    }

    async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
        Ok(self.read().keys.get(key_id).cloned())
    }

    async fn insert_key(&self, key: &Key) -> StoreResult<()> {
        let mut inner = self.write();
        if !inner.users.contains_key(&key.user_id) {
            return Err(StoreError::UnknownUser);
        }
        if inner.keys.contains_key(&key.id) {
            return Err(StoreError::DuplicateKey);
        }
        inner.keys.insert(key.id.clone(), key.clone());
        Ok(())
    }

    async fn update_key_password(
        &self,
        key_id: &KeyId,
        password_hash: Option<&str>,
    ) -> StoreResult<bool> {
        Ok(match self.write().keys.get_mut(key_id) {
            Some(key) => {
                key.password_hash = password_hash.map(str::to_owned);
                true
            }
            None => false,
        })
    }

    async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
        self.write().keys.remove(key_id);
        Ok(())
    }

    async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
        let mut keys: Vec<Key> = self
            .read()
            .keys
            .values()
            .filter(|key| key.user_id == user_id)
            .cloned()
            .collect();
        keys.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(keys)
    }
}

impl<UA, SA> SessionStore for MemoryStore<UA, SA>
where
    UA: MaybeSend + MaybeSync,
    SA: Clone + MaybeSend + MaybeSync + 'static,
{
    type SessionAttributes = SA;

    async fn insert_session(&self, session: &Session<SA>) -> StoreResult<()> {
        let mut stored = session.clone();
        stored.fresh = false;
        self.write().sessions.insert(stored.id.clone(), stored);
        Ok(())
    }

    async fn get_session(&self, session_id: &str) -> StoreResult<Option<Session<SA>>> {
        Ok(self.read().sessions.get(session_id).cloned())
    }

    async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<SA>>> {
        let mut sessions: Vec<Session<SA>> = self
            .read()
            .sessions
            .values()
            .filter(|session| session.user_id == user_id)
            .cloned()
            .collect();
        sessions.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(sessions)
    }

    async fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        Ok(match self.write().sessions.get_mut(session_id) {
            Some(session) => {
                // Forward only: a concurrent extension computed with an earlier clock must
                // not move the expiry back.
                session.expires_at = session.expires_at.max(expires_at);
                true
            }
            None => false,
        })
    }

    async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &SA,
    ) -> StoreResult<bool> {
        Ok(match self.write().sessions.get_mut(session_id) {
            Some(session) => {
                session.attributes = attributes.clone();
                true
            }
            None => false,
        })
    }

    async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        self.write().sessions.remove(session_id);
        Ok(())
    }

    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.write()
            .sessions
            .retain(|_, session| session.user_id != user_id);
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let mut inner = self.write();
        let before = inner.sessions.len();
        inner.sessions.retain(|_, session| session.expires_at > now);
        Ok((before - inner.sessions.len()) as u64)
    }
}

impl<UA, SA> AuthStore for MemoryStore<UA, SA>
where
    UA: Clone + MaybeSend + MaybeSync + 'static,
    SA: Clone + MaybeSend + MaybeSync + 'static,
{
    async fn get_session_and_user(
        &self,
        session_id: &str,
    ) -> StoreResult<Option<(Session<SA>, Option<User<UA>>)>> {
        let inner = self.read();
        Ok(inner.sessions.get(session_id).map(|session| {
            let user = inner.users.get(&session.user_id).map(|attributes| User {
                id: session.user_id.clone(),
                attributes: attributes.clone(),
            });
            (session.clone(), user)
        }))
    }
}

impl<UA, SA> TokenStore for MemoryStore<UA, SA>
where
    UA: MaybeSend + MaybeSync,
    SA: MaybeSend + MaybeSync,
{
    async fn insert_token(&self, token: &StoredToken) -> StoreResult<()> {
        let mut inner = self.write();
        inner
            .tokens
            .retain(|_, t| !(t.user_id == token.user_id && t.purpose == token.purpose));
        inner.tokens.insert(token.id.clone(), token.clone());
        Ok(())
    }

    async fn take_token(
        &self,
        purpose: &str,
        secret_hash: &SecretHash,
    ) -> StoreResult<Option<StoredToken>> {
        let mut inner = self.write();
        let id = inner
            .tokens
            .values()
            .find(|t| t.purpose == purpose && t.secret_hash == *secret_hash)
            .map(|t| t.id.clone());
        Ok(id.and_then(|id| inner.tokens.remove(&id)))
    }

    async fn take_user_token(
        &self,
        user_id: &str,
        purpose: &str,
        secret_hash: &SecretHash,
        max_attempts: u32,
    ) -> StoreResult<Option<StoredToken>> {
        let mut inner = self.write();
        let id = inner
            .tokens
            .values()
            .find(|t| {
                t.user_id == user_id
                    && t.purpose == purpose
                    && t.secret_hash == *secret_hash
                    && t.attempts < max_attempts
            })
            .map(|t| t.id.clone());
        Ok(id.and_then(|id| inner.tokens.remove(&id)))
    }

    async fn get_user_token(
        &self,
        user_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<StoredToken>> {
        Ok(self
            .read()
            .tokens
            .values()
            .find(|t| t.user_id == user_id && t.purpose == purpose)
            .cloned())
    }

    async fn record_failed_attempt(&self, user_id: &str, purpose: &str) -> StoreResult<()> {
        for token in self.write().tokens.values_mut() {
            if token.user_id == user_id && token.purpose == purpose {
                token.attempts = token.attempts.saturating_add(1);
            }
        }
        Ok(())
    }

    async fn delete_user_tokens(&self, user_id: &str, purpose: Option<&str>) -> StoreResult<()> {
        self.write()
            .tokens
            .retain(|_, t| !(t.user_id == user_id && purpose.is_none_or(|p| t.purpose == p)));
        Ok(())
    }

    async fn delete_expired_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
        let mut inner = self.write();
        let before = inner.tokens.len();
        inner.tokens.retain(|_, t| t.expires_at > now);
        Ok((before - inner.tokens.len()) as u64)
    }
}

impl<UA, SA> TwoFactorStore for MemoryStore<UA, SA>
where
    UA: MaybeSend + MaybeSync,
    SA: MaybeSend + MaybeSync,
{
    async fn get_two_factor(&self, user_id: &str) -> StoreResult<Option<TwoFactor>> {
        Ok(self.read().two_factor.get(user_id).cloned())
    }

    async fn put_two_factor(&self, two_factor: &TwoFactor) -> StoreResult<()> {
        let mut inner = self.write();
        if !inner.users.contains_key(&two_factor.user_id) {
            return Err(StoreError::UnknownUser);
        }
        inner
            .two_factor
            .insert(two_factor.user_id.clone(), two_factor.clone());
        Ok(())
    }

    async fn enable_two_factor(&self, user_id: &str) -> StoreResult<bool> {
        Ok(match self.write().two_factor.get_mut(user_id) {
            Some(two_factor) => {
                two_factor.enabled = true;
                true
            }
            None => false,
        })
    }

    async fn use_step(&self, user_id: &str, step: u64) -> StoreResult<bool> {
        Ok(match self.write().two_factor.get_mut(user_id) {
            Some(two_factor) if two_factor.last_used_step.is_none_or(|last| last < step) => {
                two_factor.last_used_step = Some(step);
                true
            }
            _ => false,
        })
    }

    async fn delete_two_factor(&self, user_id: &str) -> StoreResult<()> {
        let mut inner = self.write();
        inner.two_factor.remove(user_id);
        inner.recovery.remove(user_id);
        Ok(())
    }

    async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[SecretHash],
    ) -> StoreResult<()> {
        self.write()
            .recovery
            .insert(user_id.to_owned(), hashes.to_vec());
        Ok(())
    }

    async fn take_recovery_code(&self, user_id: &str, hash: &SecretHash) -> StoreResult<bool> {
        let mut inner = self.write();
        let Some(codes) = inner.recovery.get_mut(user_id) else {
            return Ok(false);
        };
        match codes.iter().position(|code| code == hash) {
            Some(index) => {
                codes.swap_remove(index);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn count_recovery_codes(&self, user_id: &str) -> StoreResult<u64> {
        Ok(self
            .read()
            .recovery
            .get(user_id)
            .map_or(0, |codes| codes.len() as u64))
    }
}
