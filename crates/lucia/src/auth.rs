//! [`Lucia`]: the facade that ties a store, the session policy and the password hasher together.

use std::fmt;
use std::sync::{Arc, OnceLock};

use time::{Duration, OffsetDateTime, UtcOffset};

use crate::clock::{Clock, SystemClock};
use crate::cookie::{Cookie, SessionCookie};
use crate::error::{Error, Result};
use crate::offload::{Inline, Offload, run_blocking};
use crate::one_time::OneTimePolicy;
use crate::password::{Argon2id, PasswordHasher, PasswordPolicy, PasswordVerification};
use crate::session::{Session, SessionPolicy, Verdict, session_lifetime};
use crate::store::{AuthStore, SessionStore, UserStore};
use crate::token::{SessionToken, generate_id};
use crate::user::{Key, KeyId, NewKey, NewUser, User, check_user_id};

/// Users, keys and sessions over a store: the API of Lucia v2, typed.
///
/// `S` is the store. Session operations need a [`SessionStore`], user and key operations a
/// [`UserStore`], and [`Lucia::validate_session`] (session *and* user in one round trip) an
/// [`AuthStore`]. A `Lucia` is cheap to share: wrap it in an `Arc`, or clone it when `S` is
/// `Clone` (configuration is shared).
///
/// ```
/// use lucia::{Lucia, MemoryStore, NewKey, NewUser};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Profile { email: String }
///
/// # pollster::block_on(async {
/// let lucia = Lucia::new(MemoryStore::<Profile, ()>::new())
///     .with_hasher(lucia::password::Argon2id::insecure_for_tests());
/// let user = lucia
///     .create_user(
///         NewUser::new(Profile { email: "ada@example.com".into() })
///             .key(NewKey::new("email", "ada@example.com")?.password("correct horse battery")),
///     )
///     .await?;
///
/// // Sign in: check the password, then start a session.
/// let key = lucia.use_key("email", "ada@example.com", Some("correct horse battery")).await?;
/// let (_session, token) = lucia.create_session(&key.user_id, ()).await?;
///
/// // Later, on each request: validate the token from the cookie.
/// let validated = lucia.validate_session(token.expose_secret()).await?;
/// assert_eq!(validated.valid().map(|v| v.user.id), Some(user.id));
/// # Ok::<(), lucia::Error>(()) }).unwrap();
/// ```
pub struct Lucia<S> {
    store: S,
    config: Arc<Config>,
}

struct Config {
    policy: SessionPolicy,
    one_time: OneTimePolicy,
    cookie: SessionCookie,
    password_policy: PasswordPolicy,
    hasher: Arc<dyn PasswordHasher>,
    offload: Arc<dyn Offload>,
    clock: Arc<dyn Clock>,
    dummy_hash: Arc<OnceLock<String>>,
}

impl Clone for Config {
    fn clone(&self) -> Self {
        Self {
            policy: self.policy,
            one_time: self.one_time,
            cookie: self.cookie.clone(),
            password_policy: self.password_policy,
            hasher: Arc::clone(&self.hasher),
            offload: Arc::clone(&self.offload),
            clock: Arc::clone(&self.clock),
            dummy_hash: Arc::new(OnceLock::new()),
        }
    }
}

impl<S: Clone> Clone for Lucia<S> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            config: Arc::clone(&self.config),
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for Lucia<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lucia")
            .field("store", &self.store)
            .field("policy", &self.config.policy)
            .field("password_policy", &self.config.password_policy)
            .finish_non_exhaustive()
    }
}

/// The outcome of validating a session token: valid, or invalid with the reason.
///
/// An invalid token is not an error: the app treats the request as anonymous and clears the
/// cookie. The reason is for logs and metrics, never for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Validation<T> {
    /// The token is valid.
    Valid(T),
    /// The token is not valid.
    Invalid(InvalidReason),
}

impl<T> Validation<T> {
    /// The valid value, if any.
    pub fn valid(self) -> Option<T> {
        match self {
            Self::Valid(value) => Some(value),
            Self::Invalid(_) => None,
        }
    }

    /// Whether the token was valid.
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid(_))
    }
}

/// Why a token was not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidReason {
    /// Not of the form `<id>.<secret>`.
    Malformed,
    /// No session has this id.
    NotFound,
    /// A session has this id but the secret does not match. The session is left alone (the
    /// id alone must not let anyone delete a session).
    SecretMismatch,
    /// The session has expired; it was deleted.
    Expired,
    /// The session's user no longer exists; the session was deleted.
    UserGone,
}

/// A valid session and its user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validated<SA, UA> {
    /// The session; `fresh` is `true` when it was extended (set the cookie again).
    pub session: Session<SA>,
    /// The session's user.
    pub user: User<UA>,
}

impl<S> Lucia<S> {
    /// A `Lucia` over `store` with the defaults: 30-day sliding sessions, Argon2id with
    /// OWASP's parameters, passwords of 8 characters to 256 bytes and not among the 30 000
    /// most common, hashing run inline (install an [`Offload`] to move it off your executor),
    /// the system clock.
    pub fn new(store: S) -> Self {
        Self {
            store,
            config: Arc::new(Config {
                policy: SessionPolicy::default(),
                one_time: OneTimePolicy::default(),
                cookie: SessionCookie::default(),
                password_policy: PasswordPolicy::default(),
                hasher: Arc::new(Argon2id::default()),
                offload: Arc::new(Inline),
                clock: Arc::new(SystemClock),
                dummy_hash: Arc::new(OnceLock::new()),
            }),
        }
    }

    fn config_mut(&mut self) -> &mut Config {
        Arc::make_mut(&mut self.config)
    }

    /// Replaces the session policy (lifetime, renewal threshold, absolute lifetime).
    pub fn with_session_policy(mut self, policy: SessionPolicy) -> Self {
        self.config_mut().policy = policy;
        self
    }

    /// Replaces the lifetimes and attempt limit of one-time tokens and codes.
    pub fn with_one_time_policy(mut self, policy: OneTimePolicy) -> Self {
        self.config_mut().one_time = policy;
        self
    }

    /// The one-time token policy.
    pub fn one_time_policy(&self) -> OneTimePolicy {
        self.config.one_time
    }

    /// Replaces the session cookie's configuration (name, `SameSite`, development mode, ...).
    pub fn with_session_cookie(mut self, cookie: SessionCookie) -> Self {
        self.config_mut().cookie = cookie;
        self
    }

    /// Replaces the policy new passwords must meet.
    pub fn with_password_policy(mut self, policy: PasswordPolicy) -> Self {
        self.config_mut().password_policy = policy;
        self
    }

    /// Replaces the password hasher.
    pub fn with_hasher(mut self, hasher: impl PasswordHasher) -> Self {
        let config = self.config_mut();
        config.hasher = Arc::new(hasher);
        config.dummy_hash = Arc::new(OnceLock::new());
        self
    }

    /// Runs password hashing through `offload` (the integrations install their runtime's
    /// blocking pool).
    pub fn with_offload(mut self, offload: impl Offload) -> Self {
        self.config_mut().offload = Arc::new(offload);
        self
    }

    /// Takes the time from `clock` (tests use [`ManualClock`](crate::clock::ManualClock)).
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.config_mut().clock = Arc::new(clock);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The session policy.
    pub fn session_policy(&self) -> &SessionPolicy {
        &self.config.policy
    }

    /// The policy new passwords must meet (check it before consuming a reset link, say).
    pub fn password_policy(&self) -> &PasswordPolicy {
        &self.config.password_policy
    }

    /// The session cookie's configuration.
    pub fn session_cookie_config(&self) -> &SessionCookie {
        &self.config.cookie
    }

    /// The `Set-Cookie` to send after creating or extending (`session.fresh`) a session: the
    /// token, `HttpOnly`, `SameSite`, `Secure` (outside development), `Path=/`, and `Max-Age`
    /// / `Expires` from the session's expiry.
    ///
    /// ```
    /// # pollster::block_on(async {
    /// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new());
    /// let (session, token) = lucia.create_session("user-1", ()).await?;
    /// let header = lucia.session_cookie(&session, &token).to_string();
    /// assert!(header.starts_with(&format!("auth_session={}", token.expose_secret())));
    /// assert!(header.contains("HttpOnly") && header.contains("Secure") && header.contains("SameSite=Lax"));
    /// assert!(header.contains("Max-Age=2592000"));
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub fn session_cookie<A>(&self, session: &Session<A>, token: &SessionToken) -> Cookie<'static> {
        self.config
            .cookie
            .session_cookie(token, session.expires_at, self.now())
    }

    /// The `Set-Cookie` that removes the session cookie (sign-out, invalid token).
    ///
    /// ```
    /// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new());
    /// assert!(lucia.blank_session_cookie().to_string().contains("Max-Age=0"));
    /// ```
    pub fn blank_session_cookie(&self) -> Cookie<'static> {
        self.config.cookie.blank_cookie()
    }

    /// The session token from the request's `Cookie` header(s), if any parses.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header::COOKIE};
    /// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new());
    /// let mut headers = HeaderMap::new();
    /// headers.insert(COOKIE, HeaderValue::from_static("theme=dark; auth_session=abc.def"));
    /// assert_eq!(lucia.read_session_cookie(&headers).map(|t| t.id().to_owned()), Some("abc".into()));
    /// ```
    pub fn read_session_cookie(&self, headers: &http::HeaderMap) -> Option<SessionToken> {
        self.config.cookie.read(headers)
    }

    /// The current time, in UTC, truncated to whole seconds (what stores keep).
    pub fn now(&self) -> OffsetDateTime {
        let now = self.config.clock.now().to_offset(UtcOffset::UTC);
        now.replace_nanosecond(0).unwrap_or(now)
    }

    /// Hashes a new password: checks the password policy, then hashes off the executor.
    pub async fn hash_password(&self, password: &str) -> Result<String> {
        self.config.password_policy.check(password)?;
        self.hash_unchecked(password).await
    }

    async fn hash_unchecked(&self, password: &str) -> Result<String> {
        let hasher = Arc::clone(&self.config.hasher);
        let password = password.to_owned();
        run_blocking(&*self.config.offload, move || hasher.hash(&password)).await?
    }

    /// Checks a password against a stored hash, off the executor.
    pub async fn verify_password(
        &self,
        hash: &str,
        password: &str,
    ) -> Result<PasswordVerification> {
        let hasher = Arc::clone(&self.config.hasher);
        let (hash, password) = (hash.to_owned(), password.to_owned());
        run_blocking(&*self.config.offload, move || {
            hasher.verify(&hash, &password)
        })
        .await?
    }

    /// Spends the time of a real verification, so that an unknown account answers no faster
    /// than a wrong password.
    async fn verify_dummy(&self, password: &str) -> Result<()> {
        let hasher = Arc::clone(&self.config.hasher);
        let dummy = Arc::clone(&self.config.dummy_hash);
        let password = password.to_owned();
        run_blocking(&*self.config.offload, move || {
            let hash =
                dummy.get_or_init(|| hasher.hash("lucia-dummy-password").unwrap_or_default());
            // The outcome is irrelevant: only the time spent matters.
            let _ = hasher.verify(hash, &password);
        })
        .await
    }
}

impl<S: UserStore> Lucia<S> {
    /// Creates a user and, atomically with it, its first key (hashing the key's password off
    /// the executor).
    ///
    /// Errors: [`Error::DuplicateKey`] / [`Error::DuplicateUserId`] /
    /// [`Error::UniqueViolation`] (nothing is written), [`Error::PasswordPolicy`],
    /// [`Error::InvalidUserId`].
    pub async fn create_user(
        &self,
        new: NewUser<S::UserAttributes>,
    ) -> Result<User<S::UserAttributes>> {
        let id = match new.id {
            Some(id) => {
                check_user_id(&id)?;
                id
            }
            None => generate_id()?,
        };
        let key = match new.key {
            Some(key) => Some(self.key_for(&id, key).await?),
            None => None,
        };
        let user = User {
            id,
            attributes: new.attributes,
        };
        self.store.insert_user(&user, key.as_ref()).await?;
        Ok(user)
    }

    async fn key_for(&self, user_id: &str, key: NewKey) -> Result<Key> {
        let password_hash = match &key.password {
            Some(password) => Some(self.hash_password(password).await?),
            None => None,
        };
        Ok(Key {
            id: key.id,
            user_id: user_id.to_owned(),
            password_hash,
        })
    }

    /// The user with this id, if any.
    pub async fn get_user(&self, user_id: &str) -> Result<Option<User<S::UserAttributes>>> {
        Ok(self.store.get_user(user_id).await?)
    }

    /// Replaces a user's attributes; [`Error::UnknownUser`] when there is no such user.
    pub async fn update_user_attributes(
        &self,
        user_id: &str,
        attributes: S::UserAttributes,
    ) -> Result<User<S::UserAttributes>> {
        if !self
            .store
            .update_user_attributes(user_id, &attributes)
            .await?
        {
            return Err(Error::UnknownUser);
        }
        Ok(User {
            id: user_id.to_owned(),
            attributes,
        })
    }

    /// Adds a key to an existing user ([`Error::UnknownUser`] otherwise).
    pub async fn create_key(&self, user_id: &str, key: NewKey) -> Result<Key> {
        let key = self.key_for(user_id, key).await?;
        self.store.insert_key(&key).await?;
        Ok(key)
    }

    /// The key with this id, if any.
    pub async fn get_key(&self, provider_id: &str, provider_user_id: &str) -> Result<Option<Key>> {
        let id = KeyId::new(provider_id, provider_user_id)?;
        Ok(self.store.get_key(&id).await?)
    }

    /// Every key of a user (empty for an unknown user).
    pub async fn get_all_user_keys(&self, user_id: &str) -> Result<Vec<Key>> {
        Ok(self.store.get_user_keys(user_id).await?)
    }

    /// Signs in with a key: checks the password (off the executor) and returns the key.
    ///
    /// - [`Error::UnknownKey`]: no such key. When a password was given, a dummy verification
    ///   runs first, so the answer takes as long as for a wrong password.
    /// - [`Error::InvalidPassword`]: wrong password, no password for a password key, or a
    ///   password for a passwordless key.
    ///
    /// Show users one message for both ("Incorrect email or password"). When the stored hash
    /// is in an older format or has weaker parameters, it is replaced with a fresh hash.
    pub async fn use_key(
        &self,
        provider_id: &str,
        provider_user_id: &str,
        password: Option<&str>,
    ) -> Result<Key> {
        let id = KeyId::new(provider_id, provider_user_id)?;
        let Some(mut key) = self.store.get_key(&id).await? else {
            if let Some(password) = password {
                self.verify_dummy(password).await?;
            }
            return Err(Error::UnknownKey);
        };
        match (key.password_hash.as_deref(), password) {
            (None, None) => Ok(key),
            (Some(hash), Some(password)) => match self.verify_password(hash, password).await? {
                PasswordVerification::Invalid => Err(Error::InvalidPassword),
                PasswordVerification::Valid { needs_rehash } => {
                    if needs_rehash {
                        let fresh = self.hash_unchecked(password).await?;
                        self.store.update_key_password(&id, Some(&fresh)).await?;
                        key.password_hash = Some(fresh);
                    }
                    Ok(key)
                }
            },
            (None, Some(_)) | (Some(_), None) => Err(Error::InvalidPassword),
        }
    }

    /// Sets a key's password (checked against the password policy) or, with `None`, removes
    /// it. [`Error::UnknownKey`] when there is no such key.
    pub async fn update_key_password(
        &self,
        provider_id: &str,
        provider_user_id: &str,
        password: Option<&str>,
    ) -> Result<()> {
        let id = KeyId::new(provider_id, provider_user_id)?;
        let hash = match password {
            Some(password) => Some(self.hash_password(password).await?),
            None => None,
        };
        if !self.store.update_key_password(&id, hash.as_deref()).await? {
            return Err(Error::UnknownKey);
        }
        Ok(())
    }

    /// Deletes a key. Silent when there is no such key.
    pub async fn delete_key(&self, provider_id: &str, provider_user_id: &str) -> Result<()> {
        let id = KeyId::new(provider_id, provider_user_id)?;
        Ok(self.store.delete_key(&id).await?)
    }
}

impl<S: SessionStore> Lucia<S> {
    /// Starts a session for `user_id` with the policy's lifetime. Returns the session (with
    /// `fresh` set) and the token to hand to the client.
    ///
    /// Always create a new session on sign-in; never reuse one (session fixation).
    pub async fn create_session(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
    ) -> Result<(Session<S::SessionAttributes>, SessionToken)> {
        self.insert_session(user_id, attributes, None).await
    }

    /// Starts a session with its own sliding lifetime ("remember me" for a year, say).
    /// The absolute lifetime, if configured, still caps it.
    pub async fn create_session_with_lifetime(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
        lifetime: Duration,
    ) -> Result<(Session<S::SessionAttributes>, SessionToken)> {
        let lifetime = session_lifetime(lifetime)?;
        self.insert_session(user_id, attributes, Some(lifetime))
            .await
    }

    async fn insert_session(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
        lifetime: Option<Duration>,
    ) -> Result<(Session<S::SessionAttributes>, SessionToken)> {
        let token = SessionToken::generate()?;
        let now = self.now();
        let mut session = Session {
            id: token.id().to_owned(),
            user_id: user_id.to_owned(),
            secret_hash: token.secret_hash(),
            created_at: now,
            expires_at: self.config.policy.initial_expiry(now, lifetime),
            lifetime,
            fresh: false,
            attributes,
        };
        self.store.insert_session(&session).await?;
        session.fresh = true;
        Ok((session, token))
    }

    /// Validates a token with the session store alone (for apps whose users live elsewhere).
    /// Same rules as [`Lucia::validate_session`], without the user.
    pub async fn validate_session_only(
        &self,
        token: &str,
    ) -> Result<Validation<Session<S::SessionAttributes>>> {
        let Some(token) = SessionToken::parse(token) else {
            return Ok(Validation::Invalid(InvalidReason::Malformed));
        };
        let Some(session) = self.store.get_session(token.id()).await? else {
            return Ok(Validation::Invalid(InvalidReason::NotFound));
        };
        if !session.secret_hash.matches(token.secret()) {
            return Ok(Validation::Invalid(InvalidReason::SecretMismatch));
        }
        self.settle(session).await
    }

    /// Applies the expiry policy to a session whose secret matched: deletes it when expired,
    /// extends it (and marks it fresh) when due.
    async fn settle(
        &self,
        mut session: Session<S::SessionAttributes>,
    ) -> Result<Validation<Session<S::SessionAttributes>>> {
        let now = self.now();
        match self.config.policy.verdict(
            session.created_at,
            session.expires_at,
            session.lifetime,
            now,
        ) {
            Verdict::Valid => Ok(Validation::Valid(session)),
            Verdict::Expired => {
                self.store.delete_session(&session.id).await?;
                Ok(Validation::Invalid(InvalidReason::Expired))
            }
            Verdict::Extend(expires_at) => {
                if !self
                    .store
                    .update_session_expiry(&session.id, expires_at)
                    .await?
                {
                    return Ok(Validation::Invalid(InvalidReason::NotFound));
                }
                session.expires_at = expires_at;
                session.fresh = true;
                Ok(Validation::Valid(session))
            }
        }
    }

    /// The session with this id if it exists and has not expired. Never extends it.
    pub async fn get_session(
        &self,
        session_id: &str,
    ) -> Result<Option<Session<S::SessionAttributes>>> {
        let now = self.now();
        Ok(self
            .store
            .get_session(session_id)
            .await?
            .filter(|session| self.is_live(session, now)))
    }

    /// The user's sessions that have not expired (for a "your devices" page).
    pub async fn get_all_user_sessions(
        &self,
        user_id: &str,
    ) -> Result<Vec<Session<S::SessionAttributes>>> {
        let now = self.now();
        let mut sessions = self.store.get_user_sessions(user_id).await?;
        sessions.retain(|session| self.is_live(session, now));
        Ok(sessions)
    }

    fn is_live(&self, session: &Session<S::SessionAttributes>, now: OffsetDateTime) -> bool {
        self.config.policy.verdict(
            session.created_at,
            session.expires_at,
            session.lifetime,
            now,
        ) != Verdict::Expired
    }

    /// Replaces a session's attributes; [`Error::UnknownSession`] when there is no such session.
    pub async fn update_session_attributes(
        &self,
        session_id: &str,
        attributes: S::SessionAttributes,
    ) -> Result<()> {
        if !self
            .store
            .update_session_attributes(session_id, &attributes)
            .await?
        {
            return Err(Error::UnknownSession);
        }
        Ok(())
    }

    /// Ends a session (sign-out). Silent when there is no such session.
    pub async fn invalidate_session(&self, session_id: &str) -> Result<()> {
        Ok(self.store.delete_session(session_id).await?)
    }

    /// Ends every session of a user ("sign out everywhere").
    ///
    /// Every session that exists when the store runs the delete is gone; a `create_session`
    /// for this user still in flight (a sign-in that checked the password before a reset, say)
    /// may insert its session afterwards, and that one survives. Applications that need a
    /// hard cut re-check the credential after creating the session (see
    /// `lucia::conformance::races`, which tests exactly what holds).
    pub async fn invalidate_all_user_sessions(&self, user_id: &str) -> Result<()> {
        Ok(self.store.delete_user_sessions(user_id).await?)
    }

    /// Deletes every expired session; returns how many. Run it periodically.
    pub async fn delete_expired_sessions(&self) -> Result<u64> {
        Ok(self.store.delete_expired_sessions(self.now()).await?)
    }
}

impl<S: AuthStore> Lucia<S> {
    /// Validates a session token: the session and its user in one store round trip, plus one
    /// write when the session is extended.
    ///
    /// A malformed, unknown, expired or mismatched token is [`Validation::Invalid`], not an
    /// error; an expired session, or one whose user is gone, is deleted. Store failures are
    /// errors. When the session was extended, `session.fresh` is `true`: set the cookie again.
    pub async fn validate_session(
        &self,
        token: &str,
    ) -> Result<Validation<Validated<S::SessionAttributes, S::UserAttributes>>> {
        let Some(token) = SessionToken::parse(token) else {
            return Ok(Validation::Invalid(InvalidReason::Malformed));
        };
        self.validate_token(&token).await
    }

    /// [`Lucia::validate_session`] of a token that is already parsed (as the request helpers
    /// have it after reading the cookie or the `Authorization` header).
    ///
    /// ```
    /// # pollster::block_on(async {
    /// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new());
    /// let user = lucia.create_user(lucia::NewUser::new(())).await?;
    /// let (_, token) = lucia.create_session(&user.id, ()).await?;
    /// assert!(lucia.validate_token(&token).await?.is_valid());
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub async fn validate_token(
        &self,
        token: &SessionToken,
    ) -> Result<Validation<Validated<S::SessionAttributes, S::UserAttributes>>> {
        let Some((session, user)) = self.store.get_session_and_user(token.id()).await? else {
            return Ok(Validation::Invalid(InvalidReason::NotFound));
        };
        if !session.secret_hash.matches(token.secret()) {
            return Ok(Validation::Invalid(InvalidReason::SecretMismatch));
        }
        let Some(user) = user else {
            self.store.delete_session(&session.id).await?;
            return Ok(Validation::Invalid(InvalidReason::UserGone));
        };
        Ok(match self.settle(session).await? {
            Validation::Valid(session) => Validation::Valid(Validated { session, user }),
            Validation::Invalid(reason) => Validation::Invalid(reason),
        })
    }

    /// Deletes a user with its keys and sessions. Silent when there is no such user.
    pub async fn delete_user(&self, user_id: &str) -> Result<()> {
        self.store.delete_user_sessions(user_id).await?;
        Ok(self.store.delete_user(user_id).await?)
    }
}
