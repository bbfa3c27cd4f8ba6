//! Extractors: the current user (required or optional) and control over the session cookie.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::error::InternalError;
use actix_web::http::header::LOCATION;
use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse};
use lucia::request::SessionHandle;
use lucia::store::AuthStore;
use lucia::{Session, User, Validated};

use crate::middleware::AuthContext;

fn reject(response: HttpResponse) -> actix_web::Error {
    InternalError::from_response("", response).into()
}

fn context<S: AuthStore + 'static>(
    request: &HttpRequest,
) -> Result<AuthContext<S>, actix_web::Error> {
    request
        .extensions()
        .get::<AuthContext<S>>()
        .cloned()
        .ok_or_else(|| {
            // A programming error: the route is not wrapped, or the store type differs.
            reject(
                HttpResponse::InternalServerError().json(
                    serde_json::json!({ "error": "LuciaMiddleware is missing for this route" }),
                ),
            )
        })
}

/// The signed-in user and session, **required**: anonymous requests get 401 with
/// `{"error":"unauthorized"}`. For pages, use [`PageAuth`] (a redirect instead).
///
/// ```
/// # type Store = lucia::MemoryStore<String, ()>;
/// async fn profile(auth: lucia_actix::Auth<Store>) -> String {
///     format!("{} ({})", auth.user.attributes, auth.session.id)
/// }
/// ```
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

impl<S: AuthStore + 'static> FromRequest for Auth<S> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context::<S>(request).and_then(|context| {
            context
                .handle
                .current()
                .cloned()
                .map(Self::from)
                .ok_or_else(|| {
                    reject(
                        HttpResponse::Unauthorized()
                            .json(serde_json::json!({ "error": "unauthorized" })),
                    )
                })
        }))
    }
}

/// Like [`Auth`], for pages: anonymous visitors are redirected (303) to the middleware's
/// login path (`/login` by default).
pub struct PageAuth<S: AuthStore>(pub Auth<S>);

impl<S: AuthStore + 'static> FromRequest for PageAuth<S> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context::<S>(request).and_then(|context| {
            match context.handle.current().cloned() {
                Some(valid) => Ok(Self(Auth::from(valid))),
                None => Err(reject(
                    HttpResponse::SeeOther()
                        .insert_header((LOCATION, &*context.login_path))
                        .finish(),
                )),
            }
        }))
    }
}

/// The signed-in user and session, if any: never rejects.
pub struct MaybeAuth<S: AuthStore>(pub Option<Auth<S>>);

impl<S: AuthStore + 'static> FromRequest for MaybeAuth<S> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            context::<S>(request)
                .map(|context| Self(context.handle.current().cloned().map(Auth::from))),
        )
    }
}

/// Starts and ends sessions from a handler; the middleware sets or clears the cookie on the
/// response.
pub struct SessionControl<S: AuthStore>(SessionHandle<S>);

impl<S: AuthStore + 'static> FromRequest for SessionControl<S> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(context::<S>(request).map(|context| Self(context.handle)))
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
/// otherwise 401 with `{"error":"two_factor_required"}`.
pub struct VerifiedAuth<S: AuthStore>(pub Auth<S>);

impl<S> FromRequest for VerifiedAuth<S>
where
    S: AuthStore + 'static,
    S::SessionAttributes: lucia::two_factor::TwoFactorSession,
{
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        use lucia::two_factor::TwoFactorSession;
        ready(
            Auth::<S>::from_request(request, payload)
                .into_inner()
                .and_then(|auth| {
                    if auth.session.attributes.two_factor_verified() {
                        Ok(Self(auth))
                    } else {
                        Err(reject(HttpResponse::Unauthorized().json(
                            serde_json::json!({ "error": "two_factor_required" }),
                        )))
                    }
                }),
        )
    }
}
