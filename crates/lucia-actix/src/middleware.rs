//! [`LuciaMiddleware`]: authenticates every request and keeps the session cookie in step.

use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::header::{HeaderValue, RETRY_AFTER, SET_COOKIE};
use actix_web::{HttpMessage, HttpResponse};
use lucia::Lucia;
use lucia::origin::OriginCheck;
use lucia::request::{Refusal, RequestPolicy, SessionHandle};
use lucia::store::AuthStore;

/// The per-request state the middleware leaves for the extractors.
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

/// The actix-web middleware that authenticates every request with lucia (see the crate docs
/// and [`lucia::request`] for the rules).
pub struct LuciaMiddleware<S> {
    lucia: Arc<Lucia<S>>,
    policy: Arc<RequestPolicy>,
}

impl<S> Clone for LuciaMiddleware<S> {
    fn clone(&self) -> Self {
        Self {
            lucia: Arc::clone(&self.lucia),
            policy: Arc::clone(&self.policy),
        }
    }
}

impl<S> LuciaMiddleware<S> {
    /// A middleware with the default origin check (`https`, the request's own host), bearer
    /// tokens accepted, and `/login` as the page extractor's redirect target.
    pub fn new(lucia: Arc<Lucia<S>>) -> Self {
        Self {
            lucia,
            policy: Arc::new(RequestPolicy::default()),
        }
    }

    /// Replaces the origin check.
    pub fn origin_check(mut self, origin: OriginCheck) -> Self {
        Arc::make_mut(&mut self.policy).origin = origin;
        self
    }

    /// Where [`PageAuth`](crate::PageAuth) sends anonymous visitors (`/login` by default).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        Arc::make_mut(&mut self.policy).login_path = path.into();
        self
    }

    /// Whether `Authorization: Bearer` tokens are accepted (default `true`).
    pub fn accept_bearer(mut self, accept: bool) -> Self {
        Arc::make_mut(&mut self.policy).accept_bearer = accept;
        self
    }
}

impl<S, Srv, B> Transform<Srv, ServiceRequest> for LuciaMiddleware<S>
where
    S: AuthStore + 'static,
    Srv: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = LuciaService<S, Srv>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: Srv) -> Self::Future {
        ready(Ok(LuciaService {
            service: Rc::new(service),
            lucia: Arc::clone(&self.lucia),
            policy: Arc::clone(&self.policy),
        }))
    }
}

/// The service [`LuciaMiddleware`] wraps around an app.
pub struct LuciaService<S, Srv> {
    service: Rc<Srv>,
    lucia: Arc<Lucia<S>>,
    policy: Arc<RequestPolicy>,
}

/// `http` 1 headers (lucia's) from actix-web's; values that do not convert are skipped.
fn headers(request: &ServiceRequest) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in request.headers() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(name.as_str().as_bytes()),
            http::HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn refusal(status: u16, error: &str) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::FORBIDDEN);
    HttpResponse::build(status).json(serde_json::json!({ "error": error }))
}

impl<S, Srv, B> Service<ServiceRequest> for LuciaService<S, Srv>
where
    S: AuthStore + 'static,
    Srv: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>>>>;

    forward_ready!(service);

    fn call(&self, request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let lucia = Arc::clone(&self.lucia);
        let policy = Arc::clone(&self.policy);
        Box::pin(async move {
            // Every method actix-web parsed is a valid `http` method; an impossible failure is
            // treated as a non-safe method, so it is checked rather than waved through.
            let method = http::Method::from_bytes(request.method().as_str().as_bytes())
                .unwrap_or(http::Method::POST);
            let authority = request.uri().authority().map(|a| a.as_str().to_owned());
            let headers = headers(&request);
            let mut auth = match lucia
                .authenticate_request(&policy, &method, authority.as_deref(), &headers)
                .await
            {
                Ok(auth) => auth,
                Err(Refusal::Forbidden(err)) => {
                    let response = refusal(403, &format!("forbidden: {err}"));
                    return Ok(request.into_response(response).map_into_right_body());
                }
                Err(Refusal::Unavailable(_)) => {
                    let mut response = refusal(503, "unavailable");
                    response
                        .headers_mut()
                        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
                    return Ok(request.into_response(response).map_into_right_body());
                }
            };
            let handle = SessionHandle::new(Arc::clone(&lucia), auth.validated.take());
            request.extensions_mut().insert(AuthContext::<S> {
                handle: handle.clone(),
                login_path: Arc::from(policy.login_path.as_str()),
            });
            let mut response = service.call(request).await?;
            if let Some(cookie) = auth.response_cookie(&lucia, handle.take_change())
                && let Ok(value) = HeaderValue::from_str(&cookie.to_string())
            {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response.map_into_left_body())
        })
    }
}
