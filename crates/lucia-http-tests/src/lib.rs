//! The behaviour table every lucia framework integration passes, over real HTTP.
//!
//! Each integration's tests build a small app on [`TestApp::lucia`], serve it on a loopback
//! port, and call [`run_behaviour_table`] with its base URL. The table then drives the app
//! with a real HTTP client, handling cookies by hand so every `Set-Cookie` is checked.
//!
//! The app must serve these routes (the same on every framework):
//!
//! | route | what it does |
//! | --- | --- |
//! | `POST /login` (form `email`, `password`) | `use_key("email", ..)` + `create_session`, sets the session cookie through the integration's helper; 200 with the token as body; wrong credentials: 400 |
//! | `POST /logout` | ends the current session through the integration's helper (cookie cleared); 200 |
//! | `GET /me` | the *required* extractor in API mode: 200 with the user id as body, 401 when anonymous |
//! | `GET /page` | the *required* extractor in page mode: 303 to `/login` when anonymous |
//! | `GET /whoami` | the *optional* extractor: the user id, or `anonymous` |
//! | `POST /action` | any non-safe route: 200 `done` (the origin check guards it) |
//!
//! The integration is configured with the app's [`TestApp::lucia`] (a memory store seeded
//! with the user `alice`, a manual clock, the default cookie) and an origin check in
//! development mode (the app is served over `http://`).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::Arc;

use lucia::clock::ManualClock;
use lucia::password::Argon2id;
use lucia::store::{AuthStore, SessionStore, StoreResult, UserStore};
use lucia::time::{Duration, OffsetDateTime};
use lucia::{Key, KeyId, Lucia, MemoryStore, NewKey, NewUser, Session, StoreError, User};
use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Client, StatusCode, redirect::Policy};

/// The store of the test apps: users with an email attribute, sessions without attributes.
pub type Store = MemoryStore<String, ()>;

/// The seeded user's id, email and password.
pub const ALICE: (&str, &str, &str) = ("alice", "alice@example.com", "correct horse battery");

/// What a test app is built on.
pub struct TestApp {
    /// The `Lucia` to give the integration (clones share store and clock).
    pub lucia: Lucia<Store>,
    /// The clock the `Lucia` reads, for the table to move.
    pub clock: Arc<ManualClock>,
}

impl TestApp {
    /// A memory store with `alice` (email key with password), cheap hashing, a manual clock.
    pub async fn new() -> Self {
        let clock = Arc::new(ManualClock::new(OffsetDateTime::now_utc()));
        let lucia = Lucia::new(Store::new())
            .with_hasher(Argon2id::insecure_for_tests())
            .with_clock(Arc::clone(&clock));
        let (id, email, password) = ALICE;
        lucia
            .create_user(
                NewUser::new(email.to_owned())
                    .id(id)
                    .key(NewKey::new("email", email).unwrap().password(password)),
            )
            .await
            .unwrap();
        Self { lucia, clock }
    }
}

struct Table {
    base: String,
    origin: String,
    client: Client,
}

impl Table {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> reqwest::Response {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(form) = form {
            let body: Vec<String> = form
                .iter()
                .map(|(k, v)| format!("{k}={}", encode(v)))
                .collect();
            request = request
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&"));
        }
        request.send().await.unwrap()
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        self.send(reqwest::Method::GET, path, headers, None).await
    }

    async fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        form: Option<&[(&str, &str)]>,
    ) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, headers, form).await
    }

    async fn login(&self) -> (String, String) {
        let (_, email, password) = ALICE;
        let response = self
            .post(
                "/login",
                &[("origin", &self.origin)],
                Some(&[("email", email), ("password", password)]),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::OK,
            "POST /login with the right password"
        );
        let set_cookie =
            session_cookie(response.headers()).expect("POST /login sets the session cookie");
        let token = response.text().await.unwrap();
        (token, set_cookie)
    }
}

fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `Set-Cookie` header for `auth_session`, if any.
fn session_cookie(headers: &HeaderMap) -> Option<String> {
    let all: Vec<String> = headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.starts_with("auth_session="))
        .map(str::to_owned)
        .collect();
    assert!(
        all.len() <= 1,
        "at most one session Set-Cookie per response, got {all:?}"
    );
    all.into_iter().next()
}

fn attribute<'a>(set_cookie: &'a str, name: &str) -> Option<&'a str> {
    set_cookie.split(';').map(str::trim).find_map(|part| {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        key.eq_ignore_ascii_case(name).then_some(value)
    })
}

/// Builds a test client. When the workspace is built together, reqwest's rustls comes without
/// a bundled crypto provider (lucia-oauth's choice: `ring`) and reqwest panics unless a
/// process default is installed, so one is installed first (a no-op if one exists).
pub fn client(builder: reqwest::ClientBuilder) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    builder.build().expect("the test HTTP client builds")
}

/// Drives the app at `base_url` (`http://127.0.0.1:PORT`) through every behaviour and panics
/// on the first that does not hold. `label` names the framework in failure messages.
pub async fn run_behaviour_table(label: &str, base_url: &str, app: &TestApp) {
    let table = Table {
        base: base_url.trim_end_matches('/').to_owned(),
        origin: base_url.trim_end_matches('/').to_owned(),
        client: client(Client::builder().redirect(Policy::none())),
    };
    let t = &table;
    let origin = t.origin.as_str();

    // 1. Login sets the cookie with the right attributes.
    let (token, set_cookie) = t.login().await;
    assert!(
        set_cookie.starts_with(&format!("auth_session={token}")),
        "[{label}] cookie value is the token: {set_cookie}"
    );
    for flag in ["HttpOnly", "Secure"] {
        assert!(
            attribute(&set_cookie, flag).is_some(),
            "[{label}] {flag} missing: {set_cookie}"
        );
    }
    assert_eq!(
        attribute(&set_cookie, "SameSite"),
        Some("Lax"),
        "[{label}] {set_cookie}"
    );
    assert_eq!(
        attribute(&set_cookie, "Path"),
        Some("/"),
        "[{label}] {set_cookie}"
    );
    assert_eq!(
        attribute(&set_cookie, "Max-Age"),
        Some("2592000"),
        "[{label}] 30 days: {set_cookie}"
    );
    let cookie = format!("auth_session={token}");

    // Wrong password: 400 and no cookie.
    let (_, email, _) = ALICE;
    let wrong = t
        .post(
            "/login",
            &[("origin", origin)],
            Some(&[("email", email), ("password", "wrong password")]),
        )
        .await;
    assert_eq!(
        wrong.status(),
        StatusCode::BAD_REQUEST,
        "[{label}] wrong password"
    );
    assert!(
        session_cookie(wrong.headers()).is_none(),
        "[{label}] no cookie on a failed login"
    );

    // 2. A valid cookie authenticates; no Set-Cookie while the session is not fresh.
    let me = t.get("/me", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "[{label}] GET /me with a valid cookie"
    );
    assert!(
        session_cookie(me.headers()).is_none(),
        "[{label}] no Set-Cookie for a session that was not extended"
    );
    assert_eq!(me.text().await.unwrap(), ALICE.0);
    let who = t.get("/whoami", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(
        who.text().await.unwrap(),
        ALICE.0,
        "[{label}] optional extractor with a session"
    );

    // 3. Past the renewal threshold the session is extended and the cookie set again.
    app.clock.advance(Duration::days(16));
    let renewed = t.get("/me", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(
        renewed.status(),
        StatusCode::OK,
        "[{label}] GET /me after 16 days"
    );
    let again = session_cookie(renewed.headers())
        .unwrap_or_else(|| panic!("[{label}] a fresh session re-sets the cookie"));
    assert!(
        again.starts_with(&cookie),
        "[{label}] the same token: {again}"
    );
    assert_eq!(
        attribute(&again, "Max-Age"),
        Some("2592000"),
        "[{label}] a new full lifetime: {again}"
    );

    // 4. An invalid cookie is anonymous and cleared.
    for bad in [
        "auth_session=garbage",
        "auth_session=abc.def",
        &format!("auth_session={}.{}", &token[..24], "x".repeat(24)),
    ] {
        let response = t.get("/whoami", &[(COOKIE.as_str(), bad)]).await;
        assert_eq!(response.status(), StatusCode::OK, "[{label}] {bad}");
        let cleared = session_cookie(response.headers())
            .unwrap_or_else(|| panic!("[{label}] invalid cookie {bad:?} must be cleared"));
        assert_eq!(
            attribute(&cleared, "Max-Age"),
            Some("0"),
            "[{label}] blank cookie: {cleared}"
        );
        assert_eq!(
            response.text().await.unwrap(),
            "anonymous",
            "[{label}] {bad}"
        );
    }
    // Hostile input is never a 5xx.
    let huge = format!("auth_session={}", "a".repeat(7000));
    let response = t.get("/whoami", &[(COOKIE.as_str(), &huge)]).await;
    assert!(
        response.status().is_success(),
        "[{label}] 7 KB cookie: {}",
        response.status()
    );

    // 5. Cross-origin non-safe requests are refused; same-origin ones pass.
    let cross = t
        .post(
            "/action",
            &[
                (COOKIE.as_str(), &cookie),
                (ORIGIN.as_str(), "https://evil.example"),
            ],
            None,
        )
        .await;
    assert_eq!(
        cross.status(),
        StatusCode::FORBIDDEN,
        "[{label}] cross-origin POST"
    );
    let missing = t.post("/action", &[(COOKIE.as_str(), &cookie)], None).await;
    assert_eq!(
        missing.status(),
        StatusCode::FORBIDDEN,
        "[{label}] POST without Origin"
    );
    let same = t
        .post(
            "/action",
            &[(COOKIE.as_str(), &cookie), (ORIGIN.as_str(), origin)],
            None,
        )
        .await;
    assert_eq!(same.status(), StatusCode::OK, "[{label}] same-origin POST");
    let fetch = t
        .post(
            "/action",
            &[
                (COOKIE.as_str(), &cookie),
                ("sec-fetch-site", "same-origin"),
            ],
            None,
        )
        .await;
    assert_eq!(
        fetch.status(),
        StatusCode::OK,
        "[{label}] Sec-Fetch-Site: same-origin"
    );
    let login_csrf = t
        .post(
            "/login",
            &[(ORIGIN.as_str(), "https://evil.example")],
            Some(&[("email", email), ("password", ALICE.2)]),
        )
        .await;
    assert_eq!(
        login_csrf.status(),
        StatusCode::FORBIDDEN,
        "[{label}] cross-origin login (login CSRF)"
    );
    assert!(session_cookie(login_csrf.headers()).is_none());

    // 6. Bearer tokens authenticate API calls; a bearer-only POST needs no Origin (no cookie, no CSRF).
    let bearer = format!("Bearer {token}");
    let api = t.get("/me", &[(AUTHORIZATION.as_str(), &bearer)]).await;
    assert_eq!(api.status(), StatusCode::OK, "[{label}] bearer token");
    assert!(
        session_cookie(api.headers()).is_none(),
        "[{label}] no cookie for a bearer request"
    );
    let lower = t
        .get(
            "/me",
            &[(AUTHORIZATION.as_str(), &format!("bearer {token}"))],
        )
        .await;
    assert_eq!(
        lower.status(),
        StatusCode::OK,
        "[{label}] scheme is case-insensitive"
    );
    let api_post = t
        .post("/action", &[(AUTHORIZATION.as_str(), &bearer)], None)
        .await;
    assert_eq!(
        api_post.status(),
        StatusCode::OK,
        "[{label}] bearer POST without Origin"
    );
    let bad_bearer = t
        .get("/me", &[(AUTHORIZATION.as_str(), "Bearer abc.def")])
        .await;
    assert_eq!(
        bad_bearer.status(),
        StatusCode::UNAUTHORIZED,
        "[{label}] invalid bearer"
    );
    assert!(
        session_cookie(bad_bearer.headers()).is_none(),
        "[{label}] no cookie games for bearer requests"
    );

    // 7. Required extractors: 401 for APIs, a redirect for pages.
    let anon = t.get("/me", &[]).await;
    assert_eq!(
        anon.status(),
        StatusCode::UNAUTHORIZED,
        "[{label}] anonymous GET /me"
    );
    let page = t.get("/page", &[]).await;
    assert_eq!(
        page.status(),
        StatusCode::SEE_OTHER,
        "[{label}] anonymous GET /page"
    );
    assert_eq!(
        page.headers().get(LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login")
    );
    let page_ok = t.get("/page", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(
        page_ok.status(),
        StatusCode::OK,
        "[{label}] GET /page signed in"
    );

    // 8. Logout ends the session and clears the cookie.
    let out = t
        .post(
            "/logout",
            &[(COOKIE.as_str(), &cookie), (ORIGIN.as_str(), origin)],
            None,
        )
        .await;
    assert!(
        out.status().is_success() || out.status().is_redirection(),
        "[{label}] logout: {}",
        out.status()
    );
    let cleared = session_cookie(out.headers())
        .unwrap_or_else(|| panic!("[{label}] logout clears the cookie"));
    assert_eq!(attribute(&cleared, "Max-Age"), Some("0"));
    let after = t.get("/me", &[(COOKIE.as_str(), &cookie)]).await;
    assert_eq!(
        after.status(),
        StatusCode::UNAUTHORIZED,
        "[{label}] the old cookie after logout"
    );
    assert!(
        app.lucia
            .get_all_user_sessions(ALICE.0)
            .await
            .unwrap()
            .is_empty(),
        "[{label}] the session row is gone"
    );
}

/// A store whose every call fails, as a database that is down would.
#[derive(Clone, Debug)]
pub struct Down;

fn down<T>() -> StoreResult<T> {
    Err(StoreError::backend(std::io::Error::other(
        "connection refused",
    )))
}

impl UserStore for Down {
    type UserAttributes = ();
    async fn get_user(&self, _: &str) -> StoreResult<Option<User<()>>> {
        down()
    }
    async fn insert_user(&self, _: &User<()>, _: Option<&Key>) -> StoreResult<()> {
        down()
    }
    async fn update_user_attributes(&self, _: &str, _: &()) -> StoreResult<bool> {
        down()
    }
    async fn delete_user(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn get_key(&self, _: &KeyId) -> StoreResult<Option<Key>> {
        down()
    }
    async fn insert_key(&self, _: &Key) -> StoreResult<()> {
        down()
    }
    async fn update_key_password(&self, _: &KeyId, _: Option<&str>) -> StoreResult<bool> {
        down()
    }
    async fn delete_key(&self, _: &KeyId) -> StoreResult<()> {
        down()
    }
    async fn get_user_keys(&self, _: &str) -> StoreResult<Vec<Key>> {
        down()
    }
}

impl SessionStore for Down {
    type SessionAttributes = ();
    async fn insert_session(&self, _: &Session<()>) -> StoreResult<()> {
        down()
    }
    async fn get_session(&self, _: &str) -> StoreResult<Option<Session<()>>> {
        down()
    }
    async fn get_user_sessions(&self, _: &str) -> StoreResult<Vec<Session<()>>> {
        down()
    }
    async fn update_session_expiry(
        &self,
        _: &str,
        _: lucia::time::OffsetDateTime,
    ) -> StoreResult<bool> {
        down()
    }
    async fn update_session_attributes(&self, _: &str, _: &()) -> StoreResult<bool> {
        down()
    }
    async fn delete_session(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn delete_user_sessions(&self, _: &str) -> StoreResult<()> {
        down()
    }
    async fn delete_expired_sessions(&self, _: lucia::time::OffsetDateTime) -> StoreResult<u64> {
        down()
    }
}

impl AuthStore for Down {
    async fn get_session_and_user(
        &self,
        _: &str,
    ) -> StoreResult<Option<(Session<()>, Option<User<()>>)>> {
        down()
    }
}

/// Checks that an app on [`Down`] answers a request carrying a session cookie with 503 and
/// `Retry-After` at `GET /whoami` (never "anonymous"), and a request without one normally.
pub async fn assert_outage_is_503(label: &str, base_url: &str) {
    let client = client(Client::builder());
    let token = lucia::SessionToken::generate().unwrap();
    let response = client
        .get(format!("{base_url}/whoami"))
        .header(COOKIE, format!("auth_session={}", token.expose_secret()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "[{label}] store down"
    );
    assert!(
        response.headers().get("retry-after").is_some(),
        "[{label}] Retry-After"
    );
    let anonymous = client
        .get(format!("{base_url}/whoami"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::OK,
        "[{label}] no token, no store call"
    );
}

/// Session attributes with the two-factor flag, for [`run_two_factor_table`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecondFactor {
    /// Whether the session passed the second factor.
    pub verified: bool,
}

impl lucia::two_factor::TwoFactorSession for SecondFactor {
    fn two_factor_verified(&self) -> bool {
        self.verified
    }
    fn set_two_factor_verified(&mut self, verified: bool) {
        self.verified = verified;
    }
}

/// The store of two-factor test apps.
pub type TwoFactorStore = MemoryStore<String, SecondFactor>;

/// Checks the integration's two-factor extractor at `GET /secret` (which answers 200 with
/// the user id): a pending session gets 401 `two_factor_required`, a verified one passes.
pub async fn run_two_factor_table(label: &str, base_url: &str, lucia: &Lucia<TwoFactorStore>) {
    let client = client(Client::builder());
    let user = lucia
        .create_user(NewUser::new("eve@example.com".to_owned()))
        .await
        .unwrap();
    let (mut session, token) = lucia
        .create_session(&user.id, SecondFactor::default())
        .await
        .unwrap();
    let cookie = format!("auth_session={}", token.expose_secret());
    let pending = client
        .get(format!("{base_url}/secret"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        pending.status(),
        StatusCode::UNAUTHORIZED,
        "[{label}] two-factor pending"
    );
    if label != "rocket" {
        assert!(
            pending
                .text()
                .await
                .unwrap()
                .contains("two_factor_required"),
            "[{label}] error code"
        );
    }
    lucia.mark_two_factor_verified(&mut session).await.unwrap();
    let verified = client
        .get(format!("{base_url}/secret"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        verified.status(),
        StatusCode::OK,
        "[{label}] two-factor verified"
    );
    assert_eq!(verified.text().await.unwrap(), user.id);
    let anonymous = client
        .get(format!("{base_url}/secret"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        anonymous.status(),
        StatusCode::UNAUTHORIZED,
        "[{label}] anonymous"
    );
}

/// An integration's offload keeps its bound: 12 jobs through an offload built for `limit`
/// never run more than `limit` at once, and all of them run. Call it from a multi-threaded
/// runtime of the framework.
pub async fn assert_offload_bound(
    label: &str,
    offload: &dyn lucia::offload::Offload,
    limit: usize,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let jobs: Vec<_> = (0..12)
        .map(|_| {
            let (running, peak, done) = (running.clone(), peak.clone(), done.clone());
            offload.run(Box::new(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            }))
        })
        .collect();
    futures_util::future::join_all(jobs).await;
    assert_eq!(done.load(Ordering::SeqCst), 12, "{label}: every job ran");
    assert_eq!(
        peak.load(Ordering::SeqCst),
        limit,
        "{label}: at most {limit} at once"
    );
}

/// tokio's spawn for the race suite (`lucia::conformance::races`): tasks run on the current
/// multi-threaded runtime, and a task that panics fails the race.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSpawn;

impl lucia::conformance::races::Spawn for TokioSpawn {
    fn spawn<T: Send + 'static>(
        &self,
        task: lucia::conformance::races::Task<T>,
    ) -> lucia::conformance::races::Task<T> {
        let handle = tokio::spawn(task);
        Box::pin(async move {
            handle
                .await
                .unwrap_or_else(|err| std::panic::resume_unwind(err.into_panic()))
        })
    }
}
