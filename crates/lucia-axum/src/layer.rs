//! [`LuciaLayer`]: reads the session, checks the origin, validates, and sets the cookie.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::response::{IntoResponse, Response};
use http::header::{RETRY_AFTER, SET_COOKIE};
use http::{HeaderValue, Request, StatusCode};
use lucia::Lucia;
use lucia::cookie::Cookie;
use lucia::origin::OriginCheck;
use lucia::request::{Refusal, RequestPolicy, SessionHandle};
use lucia::store::AuthStore;
use tower_layer::Layer;
use tower_service::Service;

/// The per-request state the layer puts into the request's extensions for the extractors.
pub(crate) struct AuthContext<S: AuthStore> {
    pub(crate) handle: SessionHandle<S>,
    pub(crate) login_path: Arc<str>,
}

impl<S: AuthStore> Clone for AuthContext<S> {
    fn clone(&self) -> Self {
        Self {
            handle: self.handle.clone(),
            login_path: Arc::clone(&self.login_path),
        }
    }
}

/// The tower layer that authenticates every request with lucia.
///
/// For each request it:
/// 1. reads the session token from the session cookie, or (for clients without the cookie)
///    from `Authorization: Bearer <token>`;
/// 2. on non-safe methods (anything but GET, HEAD, OPTIONS, TRACE) runs the origin check and
///    answers **403** when it fails — except for requests carrying only a bearer token and no
///    session cookie, which a browser cannot forge across sites. Sign-in forms are checked
///    too (no "login CSRF");
/// 3. validates the token once, and hands the result to the extractors;
/// 4. on the response: sets the cookie a handler asked for ([`SessionControl`](crate::SessionControl)),
///    or re-sets it when the session was extended (`fresh`), or clears it when the cookie's
///    token was invalid. Bearer requests never get cookies.
///
/// A store failure answers **503** with `Retry-After`, never an anonymous request.
///
/// ```
/// use std::sync::Arc;
/// use axum::{Router, routing::get};
/// use lucia::{Lucia, MemoryStore};
/// use lucia_axum::{Auth, LuciaLayer, TokioOffload};
///
/// type Store = MemoryStore<String, ()>;
///
/// async fn me(auth: Auth<Store>) -> String {
///     auth.user.attributes
/// }
///
/// let lucia = Arc::new(Lucia::new(Store::new()).with_offload(TokioOffload::default()));
/// let app: Router = Router::new().route("/me", get(me)).layer(LuciaLayer::new(lucia));
/// # let _ = app;
/// ```
pub struct LuciaLayer<S> {
    config: Arc<Config<S>>,
}

struct Config<S> {
    lucia: Arc<Lucia<S>>,
    policy: RequestPolicy,
    login_path: Arc<str>,
}

impl<S> Clone for Config<S> {
    fn clone(&self) -> Self {
        Self {
            lucia: Arc::clone(&self.lucia),
            policy: self.policy.clone(),
            login_path: Arc::clone(&self.login_path),
        }
    }
}

impl<S> Clone for LuciaLayer<S> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
        }
    }
}

impl<S> LuciaLayer<S> {
    /// A layer with the default origin check (`https`, the request's own host), bearer tokens
    /// accepted, and `/login` as the page extractor's redirect target.
    pub fn new(lucia: Arc<Lucia<S>>) -> Self {
        Self {
            config: Arc::new(Config {
                lucia,
                policy: RequestPolicy::default(),
                login_path: Arc::from("/login"),
            }),
        }
    }

    fn config_mut(&mut self) -> &mut Config<S> {
        Arc::make_mut(&mut self.config)
    }

    /// Replaces the origin check (allowed origins and subdomains, development mode for
    /// `http://`).
    pub fn origin_check(mut self, origin: OriginCheck) -> Self {
        self.config_mut().policy.origin = origin;
        self
    }

    /// Where [`PageAuth`](crate::PageAuth) sends anonymous visitors (`/login` by default).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        let config = self.config_mut();
        config.login_path = Arc::from(path.as_str());
        config.policy.login_path = path;
        self
    }

    /// Whether `Authorization: Bearer` tokens are accepted (default `true`).
    pub fn accept_bearer(mut self, accept: bool) -> Self {
        self.config_mut().policy.accept_bearer = accept;
        self
    }
}

impl<S, I> Layer<I> for LuciaLayer<S> {
    type Service = LuciaService<S, I>;

    fn layer(&self, inner: I) -> Self::Service {
        LuciaService {
            config: Arc::clone(&self.config),
            inner,
        }
    }
}

/// The service [`LuciaLayer`] wraps around a router or handler.
pub struct LuciaService<S, I> {
    config: Arc<Config<S>>,
    inner: I,
}

impl<S, I: Clone> Clone for LuciaService<S, I> {
    fn clone(&self) -> Self {
        Self {
            config: Arc::clone(&self.config),
            inner: self.inner.clone(),
        }
    }
}

pub(crate) fn json_error(status: StatusCode, error: &str) -> Response {
    (status, axum::Json(serde_json::json!({ "error": error }))).into_response()
}

fn append_cookie(response: &mut Response, cookie: &Cookie<'static>) {
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

impl<S, I, B> Service<Request<B>> for LuciaService<S, I>
where
    S: AuthStore + Send + Sync + 'static,
    I: Service<Request<B>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    I::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        let config = Arc::clone(&self.config);
        // The clone is the one that was not polled ready; keep the ready one for this call.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let lucia = &config.lucia;
            let mut auth = match lucia
                .authenticate_request(
                    &config.policy,
                    request.method(),
                    request.uri().authority().map(|a| a.as_str()),
                    request.headers(),
                )
                .await
            {
                Ok(auth) => auth,
                Err(Refusal::Forbidden(err)) => {
                    return Ok(json_error(
                        StatusCode::FORBIDDEN,
                        &format!("forbidden: {err}"),
                    ));
                }
                Err(Refusal::Unavailable(_)) => {
                    let mut response = json_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
                    return Ok(response);
                }
            };

            let handle = SessionHandle::new(Arc::clone(lucia), auth.validated.take());
            request.extensions_mut().insert(AuthContext::<S> {
                handle: handle.clone(),
                login_path: Arc::clone(&config.login_path),
            });
            let mut response = inner.call(request).await?;
            if let Some(cookie) = auth.response_cookie(lucia, handle.take_change()) {
                append_cookie(&mut response, &cookie);
            }
            Ok(response)
        })
    }
}
