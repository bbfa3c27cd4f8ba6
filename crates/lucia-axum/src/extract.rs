//! Extractors: the current user (required or optional) and control over the session cookie.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use http::request::Parts;
use lucia::store::AuthStore;
use lucia::{Lucia, Session, SessionToken, User, Validated};

use lucia::request::CookieChange;

use crate::layer::{AuthContext, json_error};

// Rejections are responses, as with axum's own extractors.
#[allow(clippy::result_large_err)]
fn context<S: AuthStore + Send + Sync + 'static>(
    parts: &Parts,
) -> Result<AuthContext<S>, Response> {
    parts
        .extensions
        .get::<AuthContext<S>>()
        .cloned()
        .ok_or_else(|| {
            // A programming error (the route is not behind the layer, or the store type differs).
            json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "LuciaLayer is missing for this route",
            )
        })
}

/// The signed-in user and session, **required**: anonymous API requests get 401 with
/// `{"error":"unauthorized"}`. For pages, use [`PageAuth`] (a redirect instead).
///
/// ```
/// # type Store = lucia::MemoryStore<String, ()>;
/// async fn profile(auth: lucia_axum::Auth<Store>) -> String {
///     format!("{} ({})", auth.user.attributes, auth.session.id)
/// }
/// ```
pub struct Auth<S: AuthStore> {
    /// The user.
    pub user: User<S::UserAttributes>,
    /// The session (its `fresh` flag says whether the layer re-sets the cookie).
    pub session: Session<S::SessionAttributes>,
}

impl<S: AuthStore> From<Validated<S::SessionAttributes, S::UserAttributes>> for Auth<S> {
    fn from(valid: Validated<S::SessionAttributes, S::UserAttributes>) -> Self {
        Self {
            user: valid.user,
            session: valid.session,
        }
    }
}

impl<S, St> FromRequestParts<St> for Auth<S>
where
    S: AuthStore + Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        context::<S>(parts)?
            .validated
            .map(Self::from)
            .ok_or_else(|| json_error(StatusCode::UNAUTHORIZED, "unauthorized"))
    }
}

/// Like [`Auth`], for pages: anonymous visitors are redirected (303) to the layer's login
/// path (`/login` by default).
pub struct PageAuth<S: AuthStore>(pub Auth<S>);

impl<S, St> FromRequestParts<St> for PageAuth<S>
where
    S: AuthStore + Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        let context = context::<S>(parts)?;
        match context.validated {
            Some(valid) => Ok(Self(Auth::from(valid))),
            None => Err(Redirect::to(&context.login_path).into_response()),
        }
    }
}

/// The signed-in user and session, if any: never rejects.
///
/// ```
/// # type Store = lucia::MemoryStore<String, ()>;
/// async fn home(lucia_axum::MaybeAuth(auth): lucia_axum::MaybeAuth<Store>) -> String {
///     auth.map_or_else(|| "hello, stranger".into(), |auth| format!("hello, {}", auth.user.attributes))
/// }
/// ```
pub struct MaybeAuth<S: AuthStore>(pub Option<Auth<S>>);

impl<S, St> FromRequestParts<St> for MaybeAuth<S>
where
    S: AuthStore + Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        Ok(Self(context::<S>(parts)?.validated.map(Auth::from)))
    }
}

/// Starts and ends sessions from a handler; the layer sets or clears the cookie on the
/// response.
///
/// ```
/// # type Store = lucia::MemoryStore<String, ()>;
/// use lucia_axum::{AuthError, SessionControl};
///
/// async fn sign_in(control: SessionControl<Store>) -> Result<&'static str, AuthError> {
///     let key = control.lucia().use_key("email", "ada@example.com", Some("correct horse battery")).await?;
///     control.sign_in(&key.user_id, ()).await?;
///     Ok("welcome")
/// }
///
/// async fn sign_out(control: SessionControl<Store>) -> Result<&'static str, AuthError> {
///     control.sign_out().await?;
///     Ok("bye")
/// }
/// ```
pub struct SessionControl<S: AuthStore> {
    context: AuthContext<S>,
}

impl<S, St> FromRequestParts<St> for SessionControl<S>
where
    S: AuthStore + Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        Ok(Self {
            context: context::<S>(parts)?,
        })
    }
}

impl<S: AuthStore + Send + Sync + 'static> SessionControl<S> {
    /// The `Lucia` the layer uses.
    pub fn lucia(&self) -> &Arc<Lucia<S>> {
        &self.context.lucia
    }

    /// The current session and user, if the request had a valid one.
    pub fn current(&self) -> Option<&Validated<S::SessionAttributes, S::UserAttributes>> {
        self.context.validated.as_ref()
    }

    /// Starts a new session for `user_id` and sets its cookie on the response. A session
    /// the request already had is ended first (no session fixation).
    pub async fn sign_in(
        &self,
        user_id: &str,
        attributes: S::SessionAttributes,
    ) -> lucia::Result<(Session<S::SessionAttributes>, SessionToken)> {
        self.end_current().await?;
        let (session, token) = self
            .context
            .lucia
            .create_session(user_id, attributes)
            .await?;
        self.set_cookie(&session, &token);
        Ok((session, token))
    }

    /// Sets the cookie for a session created elsewhere (with a custom lifetime, say).
    pub fn set_cookie(&self, session: &Session<S::SessionAttributes>, token: &SessionToken) {
        let cookie = self.context.lucia.session_cookie(session, token);
        self.context.set_change(CookieChange::Set(cookie));
    }

    /// Ends the current session (if any) and clears the cookie.
    pub async fn sign_out(&self) -> lucia::Result<()> {
        self.end_current().await?;
        self.context.set_change(CookieChange::Clear);
        Ok(())
    }

    async fn end_current(&self) -> lucia::Result<()> {
        if let Some(current) = &self.context.validated {
            self.context
                .lucia
                .invalidate_session(&current.session.id)
                .await?;
        }
        Ok(())
    }
}

/// Like [`Auth`], and the session must have passed the second factor
/// ([`TwoFactorSession::two_factor_verified`](lucia::two_factor::TwoFactorSession)):
/// otherwise 401 with `{"error":"two_factor_required"}`. Sessions of users without two-factor
/// authentication should be created verified.
pub struct VerifiedAuth<S: AuthStore>(pub Auth<S>);

impl<S, St> FromRequestParts<St> for VerifiedAuth<S>
where
    S: AuthStore + Send + Sync + 'static,
    S::SessionAttributes: lucia::two_factor::TwoFactorSession,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Self::Rejection> {
        use lucia::two_factor::TwoFactorSession;
        let auth = Auth::<S>::from_request_parts(parts, state).await?;
        if auth.session.attributes.two_factor_verified() {
            Ok(Self(auth))
        } else {
            Err(json_error(StatusCode::UNAUTHORIZED, "two_factor_required"))
        }
    }
}
