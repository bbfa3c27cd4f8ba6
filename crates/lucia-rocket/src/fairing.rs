//! [`LuciaFairing`]: authenticates every request and keeps the session cookie in step.

use std::io::Cursor;
use std::sync::{Arc, Mutex, PoisonError};

use lucia::Lucia;
use lucia::origin::OriginCheck;
use lucia::request::{Refusal, RequestAuth, RequestPolicy, SessionHandle};
use lucia::store::AuthStore;
use rocket::fairing::{self, Fairing, Info, Kind};
use rocket::http::{ContentType, Header, Method, Status};
use rocket::{Build, Data, Request, Response, Rocket, get, routes};

/// What a guard refused, for the fairing to complete the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuardRefusal {
    Unauthorized,
    Redirect,
}

/// The per-request state the fairing leaves for the guards.
pub(crate) struct AuthState<S: AuthStore> {
    pub(crate) handle: SessionHandle<S>,
    pub(crate) auth: RequestAuth<S::SessionAttributes, S::UserAttributes>,
    pub(crate) login_path: String,
    pub(crate) refusal: Mutex<Option<GuardRefusal>>,
}

/// What the request local cache holds for lucia (set once, by the fairing).
pub(crate) type Cached<S> = Option<Arc<AuthState<S>>>;

pub(crate) fn state<'r, S: AuthStore + Send + Sync + 'static>(
    request: &'r Request<'_>,
) -> &'r Cached<S> {
    request.local_cache(|| None::<Arc<AuthState<S>>>)
}

/// The Rocket fairing that authenticates every request with lucia (see the crate docs and
/// [`lucia::request`] for the rules).
pub struct LuciaFairing<S> {
    lucia: Arc<Lucia<S>>,
    policy: RequestPolicy,
}

impl<S> LuciaFairing<S> {
    /// A fairing with the default origin check (`https`, the request's own host), bearer
    /// tokens accepted, and `/login` as the page guard's redirect target.
    pub fn new(lucia: Arc<Lucia<S>>) -> Self {
        Self {
            lucia,
            policy: RequestPolicy::default(),
        }
    }

    /// Replaces the origin check.
    pub fn origin_check(mut self, origin: OriginCheck) -> Self {
        self.policy.origin = origin;
        self
    }

    /// Where [`PageAuth`](crate::PageAuth) sends anonymous visitors (`/login` by default).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        self.policy.login_path = path.into();
        self
    }

    /// Whether `Authorization: Bearer` tokens are accepted (default `true`).
    pub fn accept_bearer(mut self, accept: bool) -> Self {
        self.policy.accept_bearer = accept;
        self
    }
}

#[get("/forbidden")]
fn forbidden() -> (Status, (ContentType, &'static str)) {
    (
        Status::Forbidden,
        (ContentType::JSON, r#"{"error":"forbidden"}"#),
    )
}

#[get("/unavailable")]
fn unavailable() -> (Status, (ContentType, &'static str)) {
    (
        Status::ServiceUnavailable,
        (ContentType::JSON, r#"{"error":"unavailable"}"#),
    )
}

/// `http` 1 headers (lucia's) from Rocket's; values that do not convert are skipped.
fn headers(request: &Request<'_>) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for header in request.headers().iter() {
        if let (Ok(name), Ok(value)) = (
            http::HeaderName::from_bytes(header.name().as_str().as_bytes()),
            http::HeaderValue::from_bytes(header.value().as_bytes()),
        ) {
            map.append(name, value);
        }
    }
    map
}

#[rocket::async_trait]
impl<S> Fairing for LuciaFairing<S>
where
    S: AuthStore + Send + Sync + 'static,
{
    fn info(&self) -> Info {
        Info {
            name: "lucia",
            kind: Kind::Ignite | Kind::Request | Kind::Response,
        }
    }

    async fn on_ignite(&self, rocket: Rocket<Build>) -> fairing::Result {
        Ok(rocket.mount("/__lucia", routes![forbidden, unavailable]))
    }

    async fn on_request(&self, request: &mut Request<'_>, _: &mut Data<'_>) {
        let mut method = http::Method::from_bytes(request.method().as_str().as_bytes())
            .unwrap_or(http::Method::POST);
        // Rocket turns a POSTed form with `_method=get` into a GET before fairings run: a form
        // body means the browser sent a POST, so check it as one.
        if request
            .content_type()
            .is_some_and(|content_type| content_type.is_form())
        {
            method = http::Method::POST;
        }
        let headers = headers(request);
        let refused = match self
            .lucia
            .authenticate_request(&self.policy, &method, None, &headers)
            .await
        {
            Ok(mut auth) => {
                let state = Arc::new(AuthState {
                    handle: SessionHandle::new(Arc::clone(&self.lucia), auth.validated.take()),
                    auth,
                    login_path: self.policy.login_path.clone(),
                    refusal: Mutex::new(None),
                });
                request.local_cache(move || Some(state));
                return;
            }
            Err(Refusal::Forbidden(_)) => "/__lucia/forbidden",
            Err(Refusal::Unavailable(_)) => "/__lucia/unavailable",
        };
        // No handler of the app may run: send the request to the internal route instead.
        request.set_method(Method::Get);
        if let Ok(uri) = rocket::http::uri::Origin::parse(refused) {
            request.set_uri(uri);
        }
    }

    async fn on_response<'r>(&self, request: &'r Request<'_>, response: &mut Response<'r>) {
        if response.status() == Status::ServiceUnavailable
            && request.uri().path() == "/__lucia/unavailable"
        {
            response.set_raw_header("Retry-After", "5");
        }
        let Some(state) = state::<S>(request) else {
            return;
        };
        let refusal = *state.refusal.lock().unwrap_or_else(PoisonError::into_inner);
        match refusal {
            Some(GuardRefusal::Unauthorized) if response.status() == Status::Unauthorized => {
                let body = r#"{"error":"unauthorized"}"#;
                response.set_header(ContentType::JSON);
                response.set_sized_body(body.len(), Cursor::new(body));
            }
            Some(GuardRefusal::Redirect) if response.status() == Status::SeeOther => {
                response.set_header(Header::new("Location", state.login_path.clone()));
                response.set_sized_body(0, Cursor::new(""));
            }
            _ => {}
        }
        if let Some(cookie) = state
            .auth
            .response_cookie(state.handle.lucia(), state.handle.take_change())
        {
            response.adjoin_raw_header("Set-Cookie", cookie.to_string());
        }
    }
}
