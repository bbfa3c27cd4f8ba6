//! What every web framework integration does with a request, framework-free.
//!
//! An integration calls [`Lucia::authenticate_request`] with the request's method, target
//! authority and headers, answers the [`Refusal`] itself when there is one (403 or 503), hands
//! the [`RequestAuth`] to its extractors, and on the way out sets the `Set-Cookie` that
//! [`RequestAuth::response_cookie`] returns. The rules live here, once:
//!
//! 1. The token comes from the session cookie; requests without the cookie may use
//!    `Authorization: Bearer <token>` (API clients) when [`RequestPolicy::accept_bearer`].
//! 2. Non-safe methods pass the origin check, except requests carrying only a bearer token
//!    (a browser cannot forge those across sites). Sign-in forms are checked too.
//! 3. The token is validated once. A store failure refuses the request (503): an outage is
//!    never "signed out".
//! 4. On the response: the cookie a handler set or cleared wins; otherwise a renewed (`fresh`)
//!    session's cookie is set again, and an invalid cookie is cleared. Bearer requests never
//!    get cookies.

use http::{HeaderMap, Method};

use crate::auth::{Lucia, Validated};
use crate::cookie::Cookie;
use crate::error::Error;
use crate::headers::{cookie_values, read_bearer_token};
use crate::origin::{OriginCheck, OriginError};
use crate::store::AuthStore;
use crate::token::SessionToken;

/// How integrations treat requests.
///
/// ```
/// let policy = lucia::request::RequestPolicy::default();
/// assert!(policy.accept_bearer);
/// assert_eq!(policy.login_path, "/login");
/// ```
#[derive(Debug, Clone)]
pub struct RequestPolicy {
    /// The origin check for non-safe methods.
    pub origin: OriginCheck,
    /// Whether `Authorization: Bearer` tokens are accepted from requests without the cookie.
    pub accept_bearer: bool,
    /// Where page extractors send anonymous visitors.
    pub login_path: String,
}

impl Default for RequestPolicy {
    fn default() -> Self {
        Self {
            origin: OriginCheck::default(),
            accept_bearer: true,
            login_path: "/login".into(),
        }
    }
}

/// Where the request's token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    /// No session cookie and no bearer token.
    None,
    /// The session cookie (possibly unparsable).
    Cookie,
    /// `Authorization: Bearer`.
    Bearer,
}

/// Why a request is refused before any handler runs.
#[derive(Debug)]
pub enum Refusal {
    /// A non-safe request failed the origin check: answer 403.
    Forbidden(OriginError),
    /// The store failed while validating: answer 503 (with `Retry-After`).
    Unavailable(Error),
}

/// A cookie change a handler asked for (sign-in or sign-out).
#[derive(Debug, Clone)]
pub enum CookieChange {
    /// Set this session cookie.
    Set(Cookie<'static>),
    /// Clear the session cookie.
    Clear,
}

/// The authentication state of one request.
#[derive(Debug, Clone)]
pub struct RequestAuth<SA, UA> {
    /// The valid session and its user, if any.
    pub validated: Option<Validated<SA, UA>>,
    /// Where the token came from.
    pub source: TokenSource,
    refresh: Option<Cookie<'static>>,
    /// The request sent a session cookie that did not validate: the response clears it.
    clear: bool,
}

impl<SA, UA> RequestAuth<SA, UA> {
    /// The `Set-Cookie` the response needs, given the handler's `change` (if any).
    ///
    /// It depends on the state at authentication only, so an integration may move
    /// [`validated`](Self::validated) out (into a [`SessionHandle`]) before asking.
    pub fn response_cookie<S>(
        &self,
        lucia: &Lucia<S>,
        change: Option<CookieChange>,
    ) -> Option<Cookie<'static>> {
        match change {
            Some(CookieChange::Set(cookie)) => Some(cookie),
            Some(CookieChange::Clear) => Some(lucia.blank_session_cookie()),
            None if self.refresh.is_some() => self.refresh.clone(),
            None if self.clear => Some(lucia.blank_session_cookie()),
            None => None,
        }
    }
}

impl<S: AuthStore> Lucia<S> {
    /// Authenticates a request: origin check, token from cookie or bearer header, one
    /// validation. `authority` is the request target's authority when the framework has it
    /// (HTTP/2), else `None` (the `Host` header is used).
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, Method};
    /// use lucia::request::{Refusal, RequestPolicy, TokenSource};
    ///
    /// # pollster::block_on(async {
    /// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new());
    /// let (_, token) = lucia.create_session("u1", ()).await?;
    /// let mut headers = HeaderMap::new();
    /// headers.insert("cookie", HeaderValue::from_str(&format!("auth_session={}", token.expose_secret())).unwrap());
    /// headers.insert("host", HeaderValue::from_static("example.com"));
    ///
    /// let auth = lucia.authenticate_request(&RequestPolicy::default(), &Method::GET, None, &headers).await;
    /// let auth = auth.map_err(|refusal| format!("{refusal:?}")).unwrap();
    /// assert_eq!(auth.source, TokenSource::Cookie);
    ///
    /// // A cross-site POST with that cookie is refused.
    /// headers.insert("origin", HeaderValue::from_static("https://evil.example"));
    /// let refused = lucia.authenticate_request(&RequestPolicy::default(), &Method::POST, None, &headers).await;
    /// assert!(matches!(refused, Err(Refusal::Forbidden(_))));
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub async fn authenticate_request(
        &self,
        policy: &RequestPolicy,
        method: &Method,
        authority: Option<&str>,
        headers: &HeaderMap,
    ) -> Result<RequestAuth<S::SessionAttributes, S::UserAttributes>, Refusal> {
        let mut cookies = cookie_values(headers, self.session_cookie_config().name()).peekable();
        let has_cookie = cookies.peek().is_some();
        let bearer = if policy.accept_bearer && !has_cookie {
            read_bearer_token(headers)
        } else {
            None
        };
        if bearer.is_none() {
            policy
                .origin
                .check_parts(method, authority, headers)
                .map_err(Refusal::Forbidden)?;
        }
        let (token, source) = match (has_cookie, bearer) {
            (true, _) => (cookies.find_map(SessionToken::parse), TokenSource::Cookie),
            (false, Some(token)) => (Some(token), TokenSource::Bearer),
            (false, None) => (None, TokenSource::None),
        };
        let validated = match &token {
            Some(token) => self
                .validate_token(token)
                .await
                .map_err(Refusal::Unavailable)?
                .valid(),
            None => None,
        };
        let refresh = match (&validated, &token) {
            (Some(valid), Some(token)) if source == TokenSource::Cookie && valid.session.fresh => {
                Some(self.session_cookie(&valid.session, token))
            }
            _ => None,
        };
        Ok(RequestAuth {
            clear: source == TokenSource::Cookie && validated.is_none(),
            validated,
            source,
            refresh,
        })
    }
}

/// What a handler uses to start and end sessions during a request: integrations hand it out
/// (as their `SessionControl` extractor) and apply [`SessionHandle::take_change`] to the
/// response.
///
/// ```
/// use std::sync::Arc;
/// use lucia::request::{CookieChange, SessionHandle};
///
/// # pollster::block_on(async {
/// let lucia = Arc::new(lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new()));
/// let handle = SessionHandle::new(Arc::clone(&lucia), None);
/// let (session, _token) = handle.sign_in("user-1", ()).await?;
/// assert!(matches!(handle.take_change(), Some(CookieChange::Set(_))));
/// assert_eq!(lucia.get_session(&session.id).await?.map(|s| s.user_id), Some("user-1".into()));
/// # Ok::<(), lucia::Error>(()) }).unwrap();
/// ```
pub struct SessionHandle<S: AuthStore> {
    lucia: std::sync::Arc<Lucia<S>>,
    /// Shared between clones (a handle is cloned into every extractor that asks for it): one
    /// allocation per request for the validated session and the pending cookie change.
    shared: std::sync::Arc<Shared<S>>,
}

struct Shared<S: AuthStore> {
    validated: Option<Validated<S::SessionAttributes, S::UserAttributes>>,
    change: std::sync::Mutex<Option<CookieChange>>,
}

impl<S: AuthStore> Clone for SessionHandle<S> {
    fn clone(&self) -> Self {
        Self {
            lucia: std::sync::Arc::clone(&self.lucia),
            shared: std::sync::Arc::clone(&self.shared),
        }
    }
}

impl<S: AuthStore> SessionHandle<S> {
    /// A handle for a request whose validation gave `validated`. Clones share the pending
    /// cookie change.
    pub fn new(
        lucia: std::sync::Arc<Lucia<S>>,
        validated: Option<Validated<S::SessionAttributes, S::UserAttributes>>,
    ) -> Self {
        Self {
            lucia,
            shared: std::sync::Arc::new(Shared {
                validated,
                change: std::sync::Mutex::new(None),
            }),
        }
    }

    /// The `Lucia` of the request.
    pub fn lucia(&self) -> &std::sync::Arc<Lucia<S>> {
        &self.lucia
    }

    /// The current session and user, if the request had a valid one.
    pub fn current(&self) -> Option<&Validated<S::SessionAttributes, S::UserAttributes>> {
        self.shared.validated.as_ref()
    }

    /// Starts a new session for `user_id` and queues its cookie. A session the request already
    /// had is ended first (no session fixation).
    pub async fn sign_in(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
    ) -> crate::Result<(crate::Session<S::SessionAttributes>, crate::SessionToken)> {
        self.end_current().await?;
        let (session, token) = self.lucia.create_session(user_id, attributes).await?;
        self.set_cookie(&session, &token);
        Ok((session, token))
    }

    /// Like [`SessionHandle::sign_in`], with the session's own sliding lifetime ("remember
    /// me" picks a longer one than the policy's default).
    pub async fn sign_in_with_lifetime(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
        lifetime: time::Duration,
    ) -> crate::Result<(crate::Session<S::SessionAttributes>, crate::SessionToken)> {
        self.end_current().await?;
        let (session, token) = self
            .lucia
            .create_session_with_lifetime(user_id, attributes, lifetime)
            .await?;
        self.set_cookie(&session, &token);
        Ok((session, token))
    }

    /// Queues the cookie for a session created elsewhere.
    pub fn set_cookie(
        &self,
        session: &crate::Session<S::SessionAttributes>,
        token: &crate::SessionToken,
    ) {
        self.queue(CookieChange::Set(self.lucia.session_cookie(session, token)));
    }

    /// For a user who just gained a privilege (a verified address, a new role): ends every
    /// session of the current user and starts a new one here, with the same attributes and
    /// lifetime, queueing its cookie (The Copenhagen Book: invalidate sessions when privileges
    /// change). Returns the new session, or `None` when the request had no session.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use lucia::request::{CookieChange, SessionHandle};
    /// # pollster::block_on(async {
    /// let lucia = Arc::new(lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new()));
    /// let user = lucia.create_user(lucia::NewUser::new(())).await?;
    /// let (_, other_device) = lucia.create_session(&user.id, ()).await?;
    /// let (_, here) = lucia.create_session(&user.id, ()).await?;
    /// let validated = lucia.validate_session(here.expose_secret()).await?.valid();
    /// let handle = SessionHandle::new(Arc::clone(&lucia), validated);
    /// let (renewed, _token) = handle.renew_everywhere().await?.expect("a session");
    /// assert!(matches!(handle.take_change(), Some(CookieChange::Set(_))));
    /// assert!(!lucia.validate_session(other_device.expose_secret()).await?.is_valid());
    /// assert!(!lucia.validate_session(here.expose_secret()).await?.is_valid());
    /// assert_eq!(renewed.user_id, user.id);
    /// # Ok::<(), lucia::Error>(()) }).unwrap();
    /// ```
    pub async fn renew_everywhere(
        &self,
    ) -> crate::Result<Option<(crate::Session<S::SessionAttributes>, crate::SessionToken)>>
    where
        S::SessionAttributes: Clone,
    {
        let Some(current) = &self.shared.validated else {
            return Ok(None);
        };
        let session = &current.session;
        self.lucia
            .invalidate_all_user_sessions(&session.user_id)
            .await?;
        let attributes = session.attributes.clone();
        let started = match session.lifetime {
            Some(lifetime) => {
                self.lucia
                    .create_session_with_lifetime(&session.user_id, attributes, lifetime)
                    .await?
            }
            None => {
                self.lucia
                    .create_session(&session.user_id, attributes)
                    .await?
            }
        };
        self.set_cookie(&started.0, &started.1);
        Ok(Some(started))
    }

    /// Ends the current session (if any) and queues clearing the cookie.
    pub async fn sign_out(&self) -> crate::Result<()> {
        self.end_current().await?;
        self.queue(CookieChange::Clear);
        Ok(())
    }

    /// The cookie change the handler asked for, if any (taken once).
    pub fn take_change(&self) -> Option<CookieChange> {
        self.shared
            .change
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn queue(&self, change: CookieChange) {
        *self
            .shared
            .change
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(change);
    }

    async fn end_current(&self) -> crate::Result<()> {
        if let Some(current) = &self.shared.validated {
            self.lucia.invalidate_session(&current.session.id).await?;
        }
        Ok(())
    }
}
