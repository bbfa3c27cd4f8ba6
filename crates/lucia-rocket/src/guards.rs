//! Request guards: the current user (required or optional) and control over the session cookie.

use std::sync::{Arc, PoisonError};

use lucia::request::SessionHandle;
use lucia::store::AuthStore;
use lucia::{Session, User, Validated};
use rocket::http::Status;
use rocket::request::{FromRequest, Outcome, Request};

use crate::fairing::{AuthState, GuardRefusal, state};

/// The signed-in user and session, **required**: anonymous requests get 401 with
/// `{"error":"unauthorized"}`. For pages, use [`PageAuth`] (a redirect instead).
pub struct Auth<S: AuthStore> {
    /// The user.
    pub user: User<S::UserAttributes>,
    /// The session.
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

/// The fairing's state, or a 500 when the fairing is not attached (a programming error).
fn attached<'r, S: AuthStore + Send + Sync + 'static>(
    request: &'r Request<'_>,
) -> Result<&'r Arc<AuthState<S>>, Status> {
    state::<S>(request)
        .as_ref()
        .ok_or(Status::InternalServerError)
}

#[rocket::async_trait]
impl<'r, S: AuthStore + Send + Sync + 'static> FromRequest<'r> for Auth<S> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let state = match attached::<S>(request) {
            Ok(state) => state,
            Err(status) => return Outcome::Error((status, ())),
        };
        match state.handle.current() {
            Some(valid) => Outcome::Success(Self::from(valid.clone())),
            None => {
                *state.refusal.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(GuardRefusal::Unauthorized);
                Outcome::Error((Status::Unauthorized, ()))
            }
        }
    }
}

/// Like [`Auth`], for pages: anonymous visitors are redirected (303) to the fairing's login
/// path (`/login` by default).
pub struct PageAuth<S: AuthStore>(pub Auth<S>);

#[rocket::async_trait]
impl<'r, S: AuthStore + Send + Sync + 'static> FromRequest<'r> for PageAuth<S> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        let state = match attached::<S>(request) {
            Ok(state) => state,
            Err(status) => return Outcome::Error((status, ())),
        };
        match state.handle.current() {
            Some(valid) => Outcome::Success(Self(Auth::from(valid.clone()))),
            None => {
                *state.refusal.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(GuardRefusal::Redirect);
                Outcome::Error((Status::SeeOther, ()))
            }
        }
    }
}

/// The signed-in user and session, if any: never refuses (but for a missing fairing).
pub struct MaybeAuth<S: AuthStore>(pub Option<Auth<S>>);

#[rocket::async_trait]
impl<'r, S: AuthStore + Send + Sync + 'static> FromRequest<'r> for MaybeAuth<S> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match attached::<S>(request) {
            Ok(state) => Outcome::Success(Self(state.handle.current().cloned().map(Auth::from))),
            Err(status) => Outcome::Error((status, ())),
        }
    }
}

/// Starts and ends sessions from a handler; the fairing sets or clears the cookie on the
/// response. `sign_in`, `sign_out`, `set_cookie`, `current` and `lucia` come from the core's
/// [`SessionHandle`].
pub struct SessionControl<S: AuthStore>(SessionHandle<S>);

#[rocket::async_trait]
impl<'r, S: AuthStore + Send + Sync + 'static> FromRequest<'r> for SessionControl<S> {
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        match attached::<S>(request) {
            Ok(state) => Outcome::Success(Self(state.handle.clone())),
            Err(status) => Outcome::Error((status, ())),
        }
    }
}

impl<S: AuthStore> std::ops::Deref for SessionControl<S> {
    type Target = SessionHandle<S>;

    fn deref(&self) -> &SessionHandle<S> {
        &self.0
    }
}

/// Like [`Auth`], and the session must have passed the second factor
/// ([`TwoFactorSession::two_factor_verified`](lucia::two_factor::TwoFactorSession)):
/// otherwise 401 (with `{"error":"unauthorized"}`).
pub struct VerifiedAuth<S: AuthStore>(pub Auth<S>);

#[rocket::async_trait]
impl<'r, S> FromRequest<'r> for VerifiedAuth<S>
where
    S: AuthStore + Send + Sync + 'static,
    S::SessionAttributes: lucia::two_factor::TwoFactorSession,
{
    type Error = ();

    async fn from_request(request: &'r Request<'_>) -> Outcome<Self, ()> {
        use lucia::two_factor::TwoFactorSession;
        match Auth::<S>::from_request(request).await {
            Outcome::Success(auth) if auth.session.attributes.two_factor_verified() => {
                Outcome::Success(Self(auth))
            }
            Outcome::Success(_) => {
                if let Ok(state) = attached::<S>(request) {
                    *state.refusal.lock().unwrap_or_else(PoisonError::into_inner) =
                        Some(GuardRefusal::Unauthorized);
                }
                Outcome::Error((Status::Unauthorized, ()))
            }
            Outcome::Error(error) => Outcome::Error(error),
            Outcome::Forward(status) => Outcome::Forward(status),
        }
    }
}
