//! The storage traits every store implements, and [`Split`] to keep sessions and users apart.
//!
//! Stores hold data and no policy: expiry decisions, hashing and token checks live in the
//! core, so every store gets them right for free. There are three traits:
//!
//! - [`UserStore`]: users and their keys.
//! - [`SessionStore`]: sessions. It never needs to know users exist (a Redis session store
//!   sits next to a SQL user store).
//! - [`AuthStore`]: both, plus the one-round-trip "session with its user" lookup that
//!   validation uses. A store holding both tables implements it with a join; [`Split`] builds
//!   one from a separate user store and session store (two lookups).
//!
//! Methods return futures that are `Send` on native targets, so a `Lucia` works inside any
//! multi-threaded executor; on `wasm32` the bound is dropped ([`MaybeSend`]) so single-threaded
//! stores built on JavaScript promises qualify. Implementors simply write `async fn`.
//!
//! Every store should pass the [conformance suite](crate::conformance) (feature
//! `conformance`).

use std::future::Future;

use time::OffsetDateTime;

use crate::error::StoreError;
use crate::one_time::{StoredToken, TokenStore};
use crate::session::Session;
use crate::token::SecretHash;
use crate::two_factor::{TwoFactor, TwoFactorStore};
use crate::user::{Key, KeyId, User};

/// `Send` on native targets; nothing on `wasm32`, where executors are single-threaded.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSend: Send {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Send + ?Sized> MaybeSend for T {}
/// `Send` on native targets; nothing on `wasm32`, where executors are single-threaded.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSend {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSend for T {}

/// `Sync` on native targets; nothing on `wasm32`, where executors are single-threaded.
#[cfg(not(target_arch = "wasm32"))]
pub trait MaybeSync: Sync {}
#[cfg(not(target_arch = "wasm32"))]
impl<T: Sync + ?Sized> MaybeSync for T {}
/// `Sync` on native targets; nothing on `wasm32`, where executors are single-threaded.
#[cfg(target_arch = "wasm32")]
pub trait MaybeSync {}
#[cfg(target_arch = "wasm32")]
impl<T: ?Sized> MaybeSync for T {}

/// Shorthand for a store method's result.
pub type StoreResult<T> = Result<T, StoreError>;

/// Stores users and their keys.
///
/// Contract (checked by the conformance suite):
/// - `insert_user` with a key is atomic: on [`StoreError::DuplicateKey`],
///   [`StoreError::DuplicateUserId`] or [`StoreError::UniqueViolation`] nothing is written.
/// - `insert_key` for an unknown user fails with [`StoreError::UnknownUser`].
/// - `update_*` return `false` when the target does not exist; `delete_*` are silent then.
/// - `delete_user` removes the user's keys too (and must succeed while the user has sessions).
///
/// ```
/// use lucia::store::UserStore;
/// use lucia::MemoryStore;
///
/// # pollster::block_on(async {
/// let store = MemoryStore::<String, ()>::new();
/// let user = lucia::User { id: "u1".into(), attributes: "Ada".into() };
/// store.insert_user(&user, None).await?;
/// assert_eq!(store.get_user("u1").await?, Some(user));
/// # Ok::<(), lucia::StoreError>(()) }).unwrap();
/// ```
pub trait UserStore: MaybeSend + MaybeSync {
    /// The app's user attributes.
    type UserAttributes: Clone + MaybeSend + MaybeSync + 'static;

    /// The user with this id, if any.
    fn get_user(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<Option<User<Self::UserAttributes>>>> + MaybeSend;

    /// Inserts a user and, atomically with it, an optional first key.
    fn insert_user(
        &self,
        user: &User<Self::UserAttributes>,
        key: Option<&Key>,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Replaces a user's attributes. `false` when the user does not exist.
    fn update_user_attributes(
        &self,
        user_id: &str,
        attributes: &Self::UserAttributes,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Deletes a user and its keys. Silent when the user does not exist.
    fn delete_user(&self, user_id: &str) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// The key with this id, if any.
    fn get_key(&self, key_id: &KeyId)
    -> impl Future<Output = StoreResult<Option<Key>>> + MaybeSend;

    /// Inserts a key for an existing user.
    fn insert_key(&self, key: &Key) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Sets or (with `None`) removes a key's password hash. `false` when the key does not exist.
    fn update_key_password(
        &self,
        key_id: &KeyId,
        password_hash: Option<&str>,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Deletes a key. Silent when the key does not exist.
    fn delete_key(&self, key_id: &KeyId) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Every key of a user (empty for an unknown user).
    fn get_user_keys(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<Vec<Key>>> + MaybeSend;
}

/// Stores sessions.
///
/// Contract (checked by the conformance suite): every field round-trips exactly (timestamps
/// have whole seconds); `update_*` return `false` for an unknown session; deletes are silent
/// on unknown ids; `delete_expired_sessions(now)` removes exactly the sessions with
/// `expires_at <= now` and returns how many. A session store that holds no users must accept
/// any user id.
///
/// ```
/// use lucia::store::SessionStore;
/// use lucia::{MemoryStore, SecretHash, Session};
/// use time::macros::datetime;
///
/// # pollster::block_on(async {
/// let store = MemoryStore::<(), ()>::new();
/// let session = Session {
///     id: "s1".into(), user_id: "u1".into(), secret_hash: SecretHash::of("secret"),
///     created_at: datetime!(2030-01-01 0:00 UTC), expires_at: datetime!(2030-01-31 0:00 UTC),
///     lifetime: None, fresh: false, attributes: (),
/// };
/// store.insert_session(&session).await?;
/// assert_eq!(store.get_session("s1").await?, Some(session));
/// # Ok::<(), lucia::StoreError>(()) }).unwrap();
/// ```
pub trait SessionStore: MaybeSend + MaybeSync {
    /// The app's session attributes.
    type SessionAttributes: Clone + MaybeSend + MaybeSync + 'static;

    /// Inserts a new session.
    fn insert_session(
        &self,
        session: &Session<Self::SessionAttributes>,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// The session with this id, if any (expired or not: the core decides).
    fn get_session(
        &self,
        session_id: &str,
    ) -> impl Future<Output = StoreResult<Option<Session<Self::SessionAttributes>>>> + MaybeSend;

    /// Every session of a user (expired or not).
    fn get_user_sessions(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<Vec<Session<Self::SessionAttributes>>>> + MaybeSend;

    /// Moves a session's expiry **forward**: the stored expiry becomes the later of the stored
    /// one and `expires_at`, in one atomic step, so that of concurrent extensions (two
    /// requests validating one session at once, with clocks a second apart) the latest
    /// wins and the expiry never moves back. `false` when the session does not exist (`true`
    /// when it exists, even if its stored expiry was already later).
    fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Replaces a session's attributes. `false` when the session does not exist.
    fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &Self::SessionAttributes,
    ) -> impl Future<Output = StoreResult<bool>> + MaybeSend;

    /// Deletes a session. Silent when it does not exist.
    fn delete_session(&self, session_id: &str)
    -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes every session of a user.
    fn delete_user_sessions(
        &self,
        user_id: &str,
    ) -> impl Future<Output = StoreResult<()>> + MaybeSend;

    /// Deletes every session with `expires_at <= now`; returns how many were deleted.
    fn delete_expired_sessions(
        &self,
        now: OffsetDateTime,
    ) -> impl Future<Output = StoreResult<u64>> + MaybeSend;
}

/// A store of users and sessions with the one-round-trip lookup validation needs.
pub trait AuthStore: UserStore + SessionStore {
    /// The session with this id and its user, in one round trip where the backend allows
    /// (a join). The user is `None` when the session's user no longer exists.
    #[allow(clippy::type_complexity)]
    fn get_session_and_user(
        &self,
        session_id: &str,
    ) -> impl Future<
        Output = StoreResult<
            Option<(
                Session<Self::SessionAttributes>,
                Option<User<Self::UserAttributes>>,
            )>,
        >,
    > + MaybeSend;
}

/// Users in one store, sessions in another (sessions in Redis, users in PostgreSQL, say).
///
/// Validation then takes two lookups: the session, then its user.
///
/// ```
/// use lucia::{Lucia, MemoryStore, store::Split};
///
/// let users = MemoryStore::<String, ()>::new();
/// let sessions = MemoryStore::<(), ()>::new();
/// let lucia = Lucia::new(Split::new(users, sessions));
/// # let _ = lucia;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Split<U, S> {
    /// The user store.
    pub users: U,
    /// The session store.
    pub sessions: S,
}

impl<U, S> Split<U, S> {
    /// Combines a user store and a session store.
    pub fn new(users: U, sessions: S) -> Self {
        Self { users, sessions }
    }
}

impl<U: UserStore, S: MaybeSend + MaybeSync> UserStore for Split<U, S> {
    type UserAttributes = U::UserAttributes;

    async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<Self::UserAttributes>>> {
        self.users.get_user(user_id).await
    }
    async fn insert_user(
        &self,
        user: &User<Self::UserAttributes>,
        key: Option<&Key>,
    ) -> StoreResult<()> {
        self.users.insert_user(user, key).await
    }
    async fn update_user_attributes(
        &self,
        user_id: &str,
        attributes: &Self::UserAttributes,
    ) -> StoreResult<bool> {
        self.users.update_user_attributes(user_id, attributes).await
    }
    async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
        self.users.delete_user(user_id).await
    }
    async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
        self.users.get_key(key_id).await
    }
    async fn insert_key(&self, key: &Key) -> StoreResult<()> {
        self.users.insert_key(key).await
    }
    async fn update_key_password(
        &self,
        key_id: &KeyId,
        password_hash: Option<&str>,
    ) -> StoreResult<bool> {
        self.users.update_key_password(key_id, password_hash).await
    }
    async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
        self.users.delete_key(key_id).await
    }
    async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
        self.users.get_user_keys(user_id).await
    }
}

impl<U: MaybeSend + MaybeSync, S: SessionStore> SessionStore for Split<U, S> {
    type SessionAttributes = S::SessionAttributes;

    async fn insert_session(&self, session: &Session<Self::SessionAttributes>) -> StoreResult<()> {
        self.sessions.insert_session(session).await
    }
    async fn get_session(
        &self,
        session_id: &str,
    ) -> StoreResult<Option<Session<Self::SessionAttributes>>> {
        self.sessions.get_session(session_id).await
    }
    async fn get_user_sessions(
        &self,
        user_id: &str,
    ) -> StoreResult<Vec<Session<Self::SessionAttributes>>> {
        self.sessions.get_user_sessions(user_id).await
    }
    async fn update_session_expiry(
        &self,
        session_id: &str,
        expires_at: OffsetDateTime,
    ) -> StoreResult<bool> {
        self.sessions
            .update_session_expiry(session_id, expires_at)
            .await
    }
    async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: &Self::SessionAttributes,
    ) -> StoreResult<bool> {
        self.sessions
            .update_session_attributes(session_id, attributes)
            .await
    }
    async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
        self.sessions.delete_session(session_id).await
    }
    async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
        self.sessions.delete_user_sessions(user_id).await
    }
    async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.sessions.delete_expired_sessions(now).await
    }
}

impl<U: UserStore, S: SessionStore> AuthStore for Split<U, S> {
    async fn get_session_and_user(
        &self,
        session_id: &str,
    ) -> StoreResult<
        Option<(
            Session<Self::SessionAttributes>,
            Option<User<Self::UserAttributes>>,
        )>,
    > {
        let Some(session) = self.sessions.get_session(session_id).await? else {
            return Ok(None);
        };
        let user = self.users.get_user(&session.user_id).await?;
        Ok(Some((session, user)))
    }
}

/// Forwards the store traits through references and `Arc`s, so `Lucia<&S>` and
/// `Lucia<Arc<S>>` work.
macro_rules! forward_stores {
    ($($ty:ty),*) => {$(
        impl<T: UserStore> UserStore for $ty {
            type UserAttributes = T::UserAttributes;

            async fn get_user(&self, user_id: &str) -> StoreResult<Option<User<Self::UserAttributes>>> {
                (**self).get_user(user_id).await
            }
            async fn insert_user(&self, user: &User<Self::UserAttributes>, key: Option<&Key>) -> StoreResult<()> {
                (**self).insert_user(user, key).await
            }
            async fn update_user_attributes(&self, user_id: &str, attributes: &Self::UserAttributes) -> StoreResult<bool> {
                (**self).update_user_attributes(user_id, attributes).await
            }
            async fn delete_user(&self, user_id: &str) -> StoreResult<()> {
                (**self).delete_user(user_id).await
            }
            async fn get_key(&self, key_id: &KeyId) -> StoreResult<Option<Key>> {
                (**self).get_key(key_id).await
            }
            async fn insert_key(&self, key: &Key) -> StoreResult<()> {
                (**self).insert_key(key).await
            }
            async fn update_key_password(&self, key_id: &KeyId, password_hash: Option<&str>) -> StoreResult<bool> {
                (**self).update_key_password(key_id, password_hash).await
            }
            async fn delete_key(&self, key_id: &KeyId) -> StoreResult<()> {
                (**self).delete_key(key_id).await
            }
            async fn get_user_keys(&self, user_id: &str) -> StoreResult<Vec<Key>> {
                (**self).get_user_keys(user_id).await
            }
        }

        impl<T: SessionStore> SessionStore for $ty {
            type SessionAttributes = T::SessionAttributes;

            async fn insert_session(&self, session: &Session<Self::SessionAttributes>) -> StoreResult<()> {
                (**self).insert_session(session).await
            }
            async fn get_session(&self, session_id: &str) -> StoreResult<Option<Session<Self::SessionAttributes>>> {
                (**self).get_session(session_id).await
            }
            async fn get_user_sessions(&self, user_id: &str) -> StoreResult<Vec<Session<Self::SessionAttributes>>> {
                (**self).get_user_sessions(user_id).await
            }
            async fn update_session_expiry(&self, session_id: &str, expires_at: OffsetDateTime) -> StoreResult<bool> {
                (**self).update_session_expiry(session_id, expires_at).await
            }
            async fn update_session_attributes(
                &self,
                session_id: &str,
                attributes: &Self::SessionAttributes,
            ) -> StoreResult<bool> {
                (**self).update_session_attributes(session_id, attributes).await
            }
            async fn delete_session(&self, session_id: &str) -> StoreResult<()> {
                (**self).delete_session(session_id).await
            }
            async fn delete_user_sessions(&self, user_id: &str) -> StoreResult<()> {
                (**self).delete_user_sessions(user_id).await
            }
            async fn delete_expired_sessions(&self, now: OffsetDateTime) -> StoreResult<u64> {
                (**self).delete_expired_sessions(now).await
            }
        }

        impl<T: AuthStore> AuthStore for $ty {
            async fn get_session_and_user(
                &self,
                session_id: &str,
            ) -> StoreResult<Option<(Session<Self::SessionAttributes>, Option<User<Self::UserAttributes>>)>> {
                (**self).get_session_and_user(session_id).await
            }
        }
        impl<T: TokenStore> TokenStore for $ty {
            async fn insert_token(&self, token: &StoredToken) -> StoreResult<()> {
                (**self).insert_token(token).await
            }
            async fn take_token(&self, purpose: &str, secret_hash: &SecretHash) -> StoreResult<Option<StoredToken>> {
                (**self).take_token(purpose, secret_hash).await
            }
            async fn take_user_token(
                &self,
                user_id: &str,
                purpose: &str,
                secret_hash: &SecretHash,
                max_attempts: u32,
            ) -> StoreResult<Option<StoredToken>> {
                (**self).take_user_token(user_id, purpose, secret_hash, max_attempts).await
            }
            async fn get_user_token(&self, user_id: &str, purpose: &str) -> StoreResult<Option<StoredToken>> {
                (**self).get_user_token(user_id, purpose).await
            }
            async fn record_failed_attempt(&self, user_id: &str, purpose: &str) -> StoreResult<()> {
                (**self).record_failed_attempt(user_id, purpose).await
            }
            async fn delete_user_tokens(&self, user_id: &str, purpose: Option<&str>) -> StoreResult<()> {
                (**self).delete_user_tokens(user_id, purpose).await
            }
            async fn delete_expired_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
                (**self).delete_expired_tokens(now).await
            }
        }
        impl<T: TwoFactorStore> TwoFactorStore for $ty {
            async fn get_two_factor(&self, user_id: &str) -> StoreResult<Option<TwoFactor>> {
                (**self).get_two_factor(user_id).await
            }
            async fn put_two_factor(&self, two_factor: &TwoFactor) -> StoreResult<()> {
                (**self).put_two_factor(two_factor).await
            }
            async fn enable_two_factor(&self, user_id: &str) -> StoreResult<bool> {
                (**self).enable_two_factor(user_id).await
            }
            async fn use_step(&self, user_id: &str, step: u64) -> StoreResult<bool> {
                (**self).use_step(user_id, step).await
            }
            async fn delete_two_factor(&self, user_id: &str) -> StoreResult<()> {
                (**self).delete_two_factor(user_id).await
            }
            async fn replace_recovery_codes(&self, user_id: &str, hashes: &[SecretHash]) -> StoreResult<()> {
                (**self).replace_recovery_codes(user_id, hashes).await
            }
            async fn take_recovery_code(&self, user_id: &str, hash: &SecretHash) -> StoreResult<bool> {
                (**self).take_recovery_code(user_id, hash).await
            }
            async fn count_recovery_codes(&self, user_id: &str) -> StoreResult<u64> {
                (**self).count_recovery_codes(user_id).await
            }
        }
    )*};
}

forward_stores!(&T, std::sync::Arc<T>);

/// One-time tokens live with the users (they reference them).
impl<U: TokenStore, S: MaybeSend + MaybeSync> TokenStore for Split<U, S> {
    async fn insert_token(&self, token: &StoredToken) -> StoreResult<()> {
        self.users.insert_token(token).await
    }
    async fn take_token(
        &self,
        purpose: &str,
        secret_hash: &SecretHash,
    ) -> StoreResult<Option<StoredToken>> {
        self.users.take_token(purpose, secret_hash).await
    }
    async fn take_user_token(
        &self,
        user_id: &str,
        purpose: &str,
        secret_hash: &SecretHash,
        max_attempts: u32,
    ) -> StoreResult<Option<StoredToken>> {
        self.users
            .take_user_token(user_id, purpose, secret_hash, max_attempts)
            .await
    }
    async fn get_user_token(
        &self,
        user_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<StoredToken>> {
        self.users.get_user_token(user_id, purpose).await
    }
    async fn record_failed_attempt(&self, user_id: &str, purpose: &str) -> StoreResult<()> {
        self.users.record_failed_attempt(user_id, purpose).await
    }
    async fn delete_user_tokens(&self, user_id: &str, purpose: Option<&str>) -> StoreResult<()> {
        self.users.delete_user_tokens(user_id, purpose).await
    }
    async fn delete_expired_tokens(&self, now: OffsetDateTime) -> StoreResult<u64> {
        self.users.delete_expired_tokens(now).await
    }
}

/// Two-factor state lives with the users.
impl<U: TwoFactorStore, S: MaybeSend + MaybeSync> TwoFactorStore for Split<U, S> {
    async fn get_two_factor(&self, user_id: &str) -> StoreResult<Option<TwoFactor>> {
        self.users.get_two_factor(user_id).await
    }
    async fn put_two_factor(&self, two_factor: &TwoFactor) -> StoreResult<()> {
        self.users.put_two_factor(two_factor).await
    }
    async fn enable_two_factor(&self, user_id: &str) -> StoreResult<bool> {
        self.users.enable_two_factor(user_id).await
    }
    async fn use_step(&self, user_id: &str, step: u64) -> StoreResult<bool> {
        self.users.use_step(user_id, step).await
    }
    async fn delete_two_factor(&self, user_id: &str) -> StoreResult<()> {
        self.users.delete_two_factor(user_id).await
    }
    async fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[SecretHash],
    ) -> StoreResult<()> {
        self.users.replace_recovery_codes(user_id, hashes).await
    }
    async fn take_recovery_code(&self, user_id: &str, hash: &SecretHash) -> StoreResult<bool> {
        self.users.take_recovery_code(user_id, hash).await
    }
    async fn count_recovery_codes(&self, user_id: &str) -> StoreResult<u64> {
        self.users.count_recovery_codes(user_id).await
    }
}
