//! Extractors: the current user (required or optional) and control over the session cookie.

use axum::extract::FromRequestParts;
use axum::response::{IntoResponse, Redirect, Response};
use http::StatusCode;
use http::request::Parts;
use lucia::store::AuthStore;
use lucia::{Session, User, Validated};

use lucia::request::SessionHandle;

use crate::layer::{AuthContext, json_error};

// Rejections are responses, as with axum's own extractors.
#[allow(clippy::result_large_err)]
fn context<S: AuthStore + Send + Sync + 'static>(
    parts: &Parts,
) -> Result<&AuthContext<S>, Response> {
    parts.extensions.get::<AuthContext<S>>().ok_or_else(|| {
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
            .handle
            .current()
            .cloned()
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
        match context.handle.current().cloned() {
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
        Ok(Self(
            context::<S>(parts)?
                .handle
                .current()
                .cloned()
                .map(Auth::from),
        ))
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
pub struct SessionControl<S: AuthStore>(SessionHandle<S>);

impl<S, St> FromRequestParts<St> for SessionControl<S>
where
    S: AuthStore + Send + Sync + 'static,
    St: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &St) -> Result<Self, Self::Rejection> {
        Ok(Self(context::<S>(parts)?.handle.clone()))
    }
}

/// `sign_in`, `sign_out`, `set_cookie`, `current` and `lucia` come from the core's
/// [`SessionHandle`].
impl<S: AuthStore> std::ops::Deref for SessionControl<S> {
    type Target = SessionHandle<S>;

    fn deref(&self) -> &SessionHandle<S> {
        &self.0
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
