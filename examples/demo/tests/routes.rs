//! Every route of the demo over real HTTP, on a temporary SQLite file.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;

use lucia_demo::{Settings, build};
use reqwest::header::{COOKIE, LOCATION, ORIGIN, SET_COOKIE};
use reqwest::{Client, Response, StatusCode, redirect::Policy};

struct Demo {
    base: String,
    client: Client,
    db: std::path::PathBuf,
}

impl Drop for Demo {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db.display()));
        }
    }
}

async fn start(secure_cookies: bool) -> Demo {
    start_with(|settings| settings.secure_cookies = secure_cookies).await
}

/// A demo on a fresh SQLite file, with settings adjusted by `configure`.
async fn start_with(configure: impl FnOnce(&mut Settings)) -> Demo {
    // reqwest shares lucia-oauth's rustls without a bundled provider.
    lucia_oauth::http::install_crypto_provider();
    let db = std::env::temp_dir().join(format!("lucia-demo-{}.db", lucia::generate_id().unwrap()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        database_url: format!("sqlite://{}", db.display()),
        public_url: Some(format!("http://{addr}")),
        ..Settings::default()
    };
    configure(&mut settings);
    let app = build(&settings).await.unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Demo {
        base: format!("http://{addr}"),
        client: Client::builder().redirect(Policy::none()).build().unwrap(),
        db,
    }
}

fn session_cookie(response: &Response) -> Option<String> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("auth_session="))
        .map(str::to_owned)
}

/// `auth_session=<token>` from a Set-Cookie.
/// The `Max-Age` of a `Set-Cookie` value, in seconds.
fn max_age(set_cookie: &str) -> i64 {
    set_cookie
        .split(';')
        .find_map(|part| part.trim().strip_prefix("Max-Age="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no Max-Age in {set_cookie}"))
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

impl Demo {
    async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut request = self.client.get(format!("{}{path}", self.base));
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    async fn post(&self, path: &str, cookie: Option<&str>, body: &str) -> Response {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(ORIGIN, &self.base)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_owned());
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        request.send().await.unwrap()
    }

    /// Signs up and returns the `auth_session=...` cookie.
    async fn sign_up(&self, email: &str, password: &str) -> String {
        let response = self
            .post(
                "/signup",
                None,
                &format!("email={email}&password={password}"),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-up of {email}"
        );
        assert_eq!(response.headers().get(LOCATION).unwrap(), "/");
        cookie_pair(&session_cookie(&response).expect("sign-up sets the session cookie"))
    }

    /// The newest verification code in the development mailbox.
    async fn mailed_code(&self) -> String {
        let mailbox = self.get("/dev/mailbox", None).await.text().await.unwrap();
        between(&mailbox, "verification code is<br><br>", "<br>").to_owned()
    }

    /// Starts a two-factor enrolment (`POST /settings/2fa/begin`): the page shows the QR code
    /// inline and the key, which the returned authenticator uses.
    async fn begin_two_factor(&self, cookie: &str) -> lucia::otp::Totp {
        let page = self
            .post("/settings/2fa/begin", Some(cookie), "")
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("<svg"), "the QR code is shown inline");
        let key = between(&page, r#"<code id="totp-secret">"#, "</code>");
        lucia::otp::Totp::new(lucia::otp::Secret::from_base32(key).unwrap())
    }

    /// The path of the newest reset link in the development mailbox.
    async fn reset_link(&self) -> String {
        let mailbox = self.get("/dev/mailbox", None).await.text().await.unwrap();
        let link = format!("http{}", between(&mailbox, r#"<a href="http"#, r#"">"#));
        let path = link
            .split_once("127.0.0.1")
            .map(|(_, rest)| rest.split_once('/').unwrap().1)
            .unwrap();
        let path = format!("/{path}");
        assert!(path.starts_with("/reset-password/"), "{path}");
        path
    }

    /// Verifies the signed-in user's address with the mailed code; returns the new session's
    /// cookie (verification starts a new session).
    async fn verify_email(&self, cookie: &str) -> String {
        let code = self.mailed_code().await;
        let response = self
            .post("/verify-email", Some(cookie), &format!("code={code}"))
            .await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "verification");
        cookie_pair(&session_cookie(&response).expect("verification sets a new session cookie"))
    }

    async fn log_in(&self, email: &str, password: &str) -> Response {
        self.post(
            "/login",
            None,
            &format!("email={email}&password={password}"),
        )
        .await
    }

    async fn count(&self, sql: &str) -> i64 {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.db.display()))
            .await
            .unwrap();
        let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
        pool.close().await;
        n
    }
}

#[tokio::test]
async fn home_signup_login_logout() {
    let demo = start(false).await;
    let home = demo.get("/", None).await;
    assert_eq!(home.status(), StatusCode::OK);
    let text = home.text().await.unwrap();
    assert!(text.contains(r#"href="/login""#) && text.contains(r#"href="/signup""#));
    assert_eq!(demo.get("/signup", None).await.status(), StatusCode::OK);
    assert_eq!(demo.get("/login", None).await.status(), StatusCode::OK);

    // Sign-up sets a development cookie (no Secure over http) and stores the user.
    let response = demo
        .post(
            "/signup",
            None,
            "email=Ada%40Example.com&password=correct+horse+battery",
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let set_cookie = session_cookie(&response).unwrap();
    // A one-day session without "remember me".
    assert!(
        (86_399..=86_400).contains(&max_age(&set_cookie)),
        "one day (a second may tick between session and cookie): {set_cookie}"
    );
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(
            set_cookie.contains(attribute),
            "{attribute} in {set_cookie}"
        );
    }
    assert!(
        !set_cookie.contains("Secure"),
        "no Secure over plain http: {set_cookie}"
    );
    let cookie = cookie_pair(&set_cookie);
    assert_eq!(
        demo.count("SELECT COUNT(*) FROM demo_users WHERE email = 'ada@example.com'")
            .await,
        1
    );
    assert_eq!(
        demo.count("SELECT COUNT(*) FROM demo_keys WHERE hashed_password LIKE '$argon2id$%'")
            .await,
        1
    );

    let home = demo.get("/", Some(&cookie)).await.text().await.unwrap();
    assert!(home.contains("ada@example.com") && home.contains(r#"action="/logout""#));

    // Log in again: a new session, a new cookie.
    let response = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let second = cookie_pair(&session_cookie(&response).unwrap());
    assert_ne!(second, cookie);
    assert_eq!(demo.count("SELECT COUNT(*) FROM demo_sessions").await, 2);

    // Log out: cookie cleared, session gone, the old cookie is anonymous.
    let response = demo.post("/logout", Some(&second), "").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&response).unwrap().contains("Max-Age=0"));
    assert_eq!(demo.count("SELECT COUNT(*) FROM demo_sessions").await, 1);
    let home = demo.get("/", Some(&second)).await;
    assert!(
        session_cookie(&home).unwrap().contains("Max-Age=0"),
        "a dead cookie is cleared"
    );
    assert!(home.text().await.unwrap().contains(r#"href="/signup""#));
}

#[tokio::test]
async fn signup_rejects_bad_input_with_4xx_and_no_session() {
    let demo = start(false).await;
    demo.sign_up("taken@example.com", "correct+horse+battery")
        .await;
    let cases = [
        (
            "email=not-an-email&password=correct+horse+battery",
            StatusCode::UNPROCESSABLE_ENTITY,
            "valid email",
        ),
        (
            "email=%20a%40b.co&password=correct+horse+battery",
            StatusCode::UNPROCESSABLE_ENTITY,
            "valid email",
        ),
        (
            "email=b%40example.com&password=short",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Weak password",
        ),
        (
            "email=b%40example.com&password=password123",
            StatusCode::UNPROCESSABLE_ENTITY,
            "too common",
        ),
        (
            "email=Taken%40Example.com&password=correct+horse+battery",
            StatusCode::CONFLICT,
            "already registered",
        ),
        ("", StatusCode::UNPROCESSABLE_ENTITY, "valid email"),
        (
            "email=b%40example.com",
            StatusCode::UNPROCESSABLE_ENTITY,
            "Weak password",
        ),
    ];
    for (body, status, message) in cases {
        let response = demo.post("/signup", None, body).await;
        assert_eq!(response.status(), status, "{body}");
        assert!(session_cookie(&response).is_none(), "{body}: no session");
        assert!(
            response.text().await.unwrap().contains(message),
            "{body}: {message}"
        );
    }
    // Invalid UTF-8 in the form and HTML in the email: a 4xx, and nothing reflected unescaped.
    let raw = demo
        .client
        .post(format!("{}/signup", demo.base))
        .header(ORIGIN, &demo.base)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![
            b'e', b'm', b'a', b'i', b'l', b'=', 0xff, 0xfe, b'&', b'p', b'a', b's', b's', b'w',
            b'o', b'r', b'd', b'=', 0xc3,
        ])
        .send()
        .await
        .unwrap();
    assert!(
        raw.status().is_client_error(),
        "invalid UTF-8: {}",
        raw.status()
    );
    let xss = demo
        .post(
            "/signup",
            None,
            "email=%3Cscript%3Ealert(1)%3C%2Fscript%3E&password=x",
        )
        .await;
    assert_eq!(xss.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = xss.text().await.unwrap();
    assert!(!page.contains("<script>alert(1)</script>") && page.contains("&lt;script&gt;"));
    assert_eq!(demo.count("SELECT COUNT(*) FROM demo_users").await, 1);
}

#[tokio::test]
async fn login_failures_are_generic_and_throttled() {
    let demo = start(false).await;
    demo.sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let unknown = demo.log_in("nobody@example.com", "whatever+pass").await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
    let unknown_text = unknown.text().await.unwrap();
    assert!(unknown_text.contains("Incorrect email or password."));
    for attempt in 1..=5 {
        let wrong = demo.log_in("ada@example.com", "wrong+password").await;
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST, "attempt {attempt}");
        assert!(session_cookie(&wrong).is_none());
        assert!(
            wrong
                .text()
                .await
                .unwrap()
                .contains("Incorrect email or password."),
            "one generic message"
        );
    }
    let throttled = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    assert_eq!(
        throttled.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the 6th attempt within a minute"
    );
    let retry: u64 = throttled
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert!(session_cookie(&throttled).is_none());
    // Another account from the same address still works (the address bucket is larger).
    demo.sign_up("bob@example.com", "another+good+password")
        .await;
    assert_eq!(
        demo.log_in("bob@example.com", "another+good+password")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sessions_page_lists_and_revokes() {
    let demo = start(false).await;
    assert_eq!(
        demo.get("/settings/sessions", None)
            .await
            .headers()
            .get(LOCATION)
            .unwrap(),
        "/login"
    );
    let first = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let second = cookie_pair(
        &session_cookie(
            &demo
                .log_in("ada@example.com", "correct+horse+battery")
                .await,
        )
        .unwrap(),
    );
    let third = cookie_pair(
        &session_cookie(
            &demo
                .log_in("ada@example.com", "correct+horse+battery")
                .await,
        )
        .unwrap(),
    );
    let other = demo.sign_up("eve@example.com", "eves+own+password").await;

    let page = demo.get("/settings/sessions", Some(&first)).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert_eq!(html.matches("<tr><td>").count(), 3, "three sessions listed");
    assert_eq!(html.matches("This device").count(), 1);
    assert!(html.contains("UTC"), "created / last seen shown");

    // Revoke the second session from the first.
    let second_id = second
        .trim_start_matches("auth_session=")
        .split('.')
        .next()
        .unwrap();
    let response = demo
        .post(
            "/settings/sessions/revoke",
            Some(&first),
            &format!("session_id={second_id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        demo.get("/api/me", Some(&second)).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // Eve cannot revoke Ada's sessions.
    let first_id = first
        .trim_start_matches("auth_session=")
        .split('.')
        .next()
        .unwrap();
    let response = demo
        .post(
            "/settings/sessions/revoke",
            Some(&other),
            &format!("session_id={first_id}"),
        )
        .await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        demo.get("/api/me", Some(&first)).await.status(),
        StatusCode::OK
    );

    // Revoke all others: only the current one stays.
    let response = demo
        .post("/settings/sessions/revoke-others", Some(&first), "")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        demo.get("/api/me", Some(&third)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        demo.get("/api/me", Some(&first)).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        demo.get("/api/me", Some(&other)).await.status(),
        StatusCode::OK,
        "other users untouched"
    );
}

#[tokio::test]
async fn api_me_with_cookie_or_bearer() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let response = demo.get("/api/me", Some(&cookie)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["email"], "ada@example.com");
    assert!(body["id"].as_str().is_some_and(|id| !id.is_empty()));

    let token = cookie.trim_start_matches("auth_session=");
    let bearer = demo
        .client
        .get(format!("{}/api/me", demo.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), StatusCode::OK);
    assert_eq!(
        bearer.json::<serde_json::Value>().await.unwrap()["email"],
        "ada@example.com"
    );

    let anonymous = demo.get("/api/me", None).await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        anonymous.json::<serde_json::Value>().await.unwrap()["error"],
        "unauthorized"
    );
}

/// Failed logins are also counted per client address (20, then one per 15 s): guessing
/// across many accounts from one address hits 429 with `Retry-After`, and then even a right
/// password from that address waits.
#[tokio::test]
async fn login_is_throttled_per_address_across_accounts() {
    let demo = start(false).await;
    demo.sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let mut refused_at = None;
    for attempt in 1..=30 {
        let response = demo
            .log_in(
                &format!("guess{attempt}@example.com"),
                "wrong+password+here",
            )
            .await;
        match response.status() {
            StatusCode::BAD_REQUEST => {}
            StatusCode::TOO_MANY_REQUESTS => {
                assert!(response.headers().contains_key("retry-after"));
                refused_at = Some(attempt);
                break;
            }
            other => panic!("attempt {attempt}: {other}"),
        }
    }
    // 20 failures per address, each for a different account; one more token per 15 s if the
    // machine is very slow.
    let refused_at = refused_at.expect("the address bucket ran out");
    assert!(
        (21..=23).contains(&refused_at),
        "refused at attempt {refused_at}"
    );
    let right = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    assert_eq!(right.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&right).is_none());
}

/// Only non-safe methods change state: requesting every GET page, signed in and anonymous,
/// leaves every table of the demo exactly as it was (rows and their contents).
#[tokio::test]
async fn get_pages_change_nothing() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let cookie = demo.verify_email(&cookie).await;
    // One pending reset link, so its page has a real token to show.
    demo.post("/forgot-password", None, "email=ada%40example.com")
        .await;
    let link = demo.reset_link().await;
    let snapshot = async || {
        let mut rows = Vec::new();
        for table in [
            "demo_users",
            "demo_keys",
            "demo_sessions",
            "demo_tokens",
            "demo_two_factor",
            "demo_recovery_codes",
        ] {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", demo.db.display()))
                .await
                .unwrap();
            // Every column of every row, as text, in a stable order.
            let columns: Vec<String> =
                sqlx::query_scalar(&format!("SELECT name FROM pragma_table_info('{table}')"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            assert!(!columns.is_empty(), "{table} has columns");
            let row = columns
                .iter()
                .map(|c| format!("quote(\"{c}\")"))
                .collect::<Vec<_>>()
                .join(" || ',' || ");
            let all: Vec<String> =
                sqlx::query_scalar(&format!("SELECT {row} FROM {table} ORDER BY 1"))
                    .fetch_all(&pool)
                    .await
                    .unwrap();
            let count = all.len();
            pool.close().await;
            rows.push((table, count, all));
        }
        rows
    };
    let before = snapshot().await;
    let pages = [
        "/",
        "/signup",
        "/login",
        "/settings",
        "/settings/sessions",
        "/settings/2fa",
        "/verify-email",
        "/forgot-password",
        "/dev/mailbox",
        "/api/me",
        "/2fa",
        link.as_str(),
    ];
    for page in pages {
        for who in [Some(cookie.as_str()), None] {
            let status = demo.get(page, who).await.status();
            assert!(!status.is_server_error(), "{page}: {status}");
        }
    }
    assert_eq!(snapshot().await, before, "a GET changed a table");
}

/// Turning on two-factor needs a recent sign-in: a stolen (older) session cannot bind the
/// account to the thief's authenticator. After signing in again it works.
#[tokio::test]
async fn two_factor_enrolment_needs_a_recent_sign_in() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let cookie = demo.verify_email(&cookie).await;
    // The session is an hour old (as a stolen one would be).
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", demo.db.display()))
        .await
        .unwrap();
    let aged = sqlx::query("UPDATE demo_sessions SET created_at = created_at - 3600")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(aged.rows_affected(), 1);
    pool.close().await;
    let refused = demo.post("/settings/2fa/begin", Some(&cookie), "").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let page = refused.text().await.unwrap();
    assert!(page.contains("needs a recent sign-in") && !page.contains("totp-secret"));

    let login = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    let fresh = cookie_pair(&session_cookie(&login).unwrap());
    let page = demo
        .post("/settings/2fa/begin", Some(&fresh), "")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("totp-secret"), "a fresh sign-in may enrol");
}

/// Session tokens are read from the cookie or `Authorization: Bearer` only: the same token in
/// a query string or a form field signs nobody in and signs nobody out.
#[tokio::test]
async fn tokens_in_urls_and_form_fields_are_ignored() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let token = cookie.trim_start_matches("auth_session=").to_owned();
    for query in ["auth_session", "token", "session", "access_token"] {
        let response = demo.get(&format!("/api/me?{query}={token}"), None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{query}");
    }
    let logout = demo
        .client
        .post(format!("{}/logout", demo.base))
        .header("origin", demo.base.as_str())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("auth_session={token}&token={token}"))
        .send()
        .await
        .unwrap();
    assert!(logout.status().is_redirection(), "{}", logout.status());
    assert_eq!(
        demo.get("/api/me", Some(&cookie)).await.status(),
        StatusCode::OK,
        "a token in a form field ended no session"
    );
}

#[tokio::test]
async fn origin_checks_and_hostile_input() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut request = demo
            .client
            .post(format!("{}/logout", demo.base))
            .header(COOKIE, &cookie);
        if let Some(origin) = origin {
            request = request.header(ORIGIN, origin);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            response.status(),
            StatusCode::FORBIDDEN,
            "origin {origin:?}"
        );
    }
    assert_eq!(
        demo.get("/api/me", Some(&cookie)).await.status(),
        StatusCode::OK,
        "still signed in"
    );

    let huge = format!(
        "auth_session={}; other={}",
        "a".repeat(4000),
        "b".repeat(4000)
    );
    for cookie in [
        huge.as_str(),
        "auth_session=",
        "auth_session=a.b.c",
        "auth_session=\u{0}",
    ] {
        let response = demo
            .client
            .get(format!("{}/", demo.base))
            .header(COOKIE, cookie.as_bytes())
            .send()
            .await;
        if let Ok(response) = response {
            assert!(
                !response.status().is_server_error(),
                "{cookie:.40}: {}",
                response.status()
            );
        }
    }
    let response = demo
        .client
        .get(format!("{}/", demo.base))
        .header("x-junk", "x".repeat(8 * 1024))
        .send()
        .await
        .unwrap();
    assert!(!response.status().is_server_error());
    // Missing form fields.
    assert_eq!(
        demo.post("/settings/sessions/revoke", Some(&cookie), "")
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert!(
        !demo
            .post("/login", None, "password=x")
            .await
            .status()
            .is_server_error()
    );
}

#[tokio::test]
async fn secure_cookies_mode() {
    let demo = start(true).await;
    // Behind TLS, the browser's Origin is https: a plain-http origin is refused.
    let refused = demo
        .post(
            "/signup",
            None,
            "email=ada%40example.com&password=correct+horse+battery",
        )
        .await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let response = demo
        .client
        .post(format!("{}/signup", demo.base))
        .header(ORIGIN, demo.base.replace("http://", "https://"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("email=ada%40example.com&password=correct+horse+battery")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(session_cookie(&response).unwrap().contains("Secure"));
}

/// The demo on the real PostgreSQL and MariaDB servers (`scripts/services.sh`): sign-up, the
/// API, and a second start on the same database (migrations already applied).
#[tokio::test]
async fn runs_on_postgres_and_mariadb() {
    for var in ["LUCIA_POSTGRES_URL", "LUCIA_MYSQL_URL"] {
        let Ok(url) = std::env::var(var) else {
            assert!(
                std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{var} is not set"
            );
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: runs_on_postgres_and_mariadb: {var} is not set"
            );
            continue;
        };
        let settings = Settings {
            database_url: url,
            ..Settings::default()
        };
        let _first_start = build(&settings).await.unwrap();
        let app = build(&settings).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
        let demo = Demo {
            base: format!("http://{addr}"),
            client: Client::builder().redirect(Policy::none()).build().unwrap(),
            db: std::env::temp_dir().join("unused"),
        };
        let email = format!("{}@example.com", lucia::generate_id().unwrap());
        let cookie = demo.sign_up(&email, "correct+horse+battery").await;
        let me: serde_json::Value = demo
            .get("/api/me", Some(&cookie))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], email.as_str(), "{var}");
        let taken = demo
            .post(
                "/signup",
                None,
                &format!("email={email}&password=correct+horse+battery"),
            )
            .await;
        assert_eq!(
            taken.status(),
            StatusCode::CONFLICT,
            "{var}: unique email on a real server"
        );
    }
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} not in page"))
        + start.len();
    let to = text[from..].find(end).unwrap() + from;
    &text[from..to]
}

/// Two-factor end to end: enrol with the key shown on the page, sign in with a code (a replay
/// is refused), sign in with a recovery code (single use), and wrong codes get throttled.
#[tokio::test]
async fn two_factor_enrol_sign_in_recover_and_throttle() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let cookie = demo.verify_email(&cookie).await;
    let page = demo
        .get("/settings/2fa", Some(&cookie))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<strong>off</strong>") && !page.contains("totp-secret"));
    let totp = demo.begin_two_factor(&cookie).await;
    let step = totp.step(time::OffsetDateTime::now_utc());

    let wrong = demo
        .post("/settings/2fa/enable", Some(&cookie), "code=12345")
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let enabled = demo
        .post(
            "/settings/2fa/enable",
            Some(&cookie),
            &format!("code={}", totp.generate_for_step(step)),
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let page = enabled.text().await.unwrap();
    let codes: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .map(|part| part.split("</code>").next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes shown once");
    assert!(
        demo.get("/settings/2fa", Some(&cookie))
            .await
            .text()
            .await
            .unwrap()
            .contains("<strong>on</strong>")
    );

    // Password sign-in now leads to /2fa; the session does not count yet.
    let login = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    assert_eq!(login.headers().get(LOCATION).unwrap(), "/2fa");
    let pending = cookie_pair(&session_cookie(&login).unwrap());
    assert_eq!(
        demo.get("/api/me", Some(&pending)).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        demo.get("/settings/sessions", Some(&pending))
            .await
            .headers()
            .get(LOCATION)
            .unwrap(),
        "/2fa"
    );
    assert!(
        demo.get("/", Some(&pending))
            .await
            .text()
            .await
            .unwrap()
            .contains(r#"href="/2fa""#)
    );

    let replay = demo
        .post(
            "/2fa",
            Some(&pending),
            &format!("code={}", totp.generate_for_step(step)),
        )
        .await;
    assert_eq!(
        replay.status(),
        StatusCode::BAD_REQUEST,
        "the code used to enrol cannot be replayed"
    );
    let next = demo
        .post(
            "/2fa",
            Some(&pending),
            &format!("code={}", totp.generate_for_step(step + 1)),
        )
        .await;
    assert_eq!(next.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        demo.get("/api/me", Some(&pending)).await.status(),
        StatusCode::OK,
        "verified now"
    );

    // A recovery code works once.
    let second = cookie_pair(
        &session_cookie(
            &demo
                .log_in("ada@example.com", "correct+horse+battery")
                .await,
        )
        .unwrap(),
    );
    let recovered = demo
        .post(
            "/2fa",
            Some(&second),
            &format!("recovery_code={}", codes[0].to_uppercase()),
        )
        .await;
    assert_eq!(recovered.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        demo.get("/api/me", Some(&second)).await.status(),
        StatusCode::OK
    );
    let third = cookie_pair(
        &session_cookie(
            &demo
                .log_in("ada@example.com", "correct+horse+battery")
                .await,
        )
        .unwrap(),
    );
    let reused = demo
        .post("/2fa", Some(&third), &format!("recovery_code={}", codes[0]))
        .await;
    assert_eq!(
        reused.status(),
        StatusCode::BAD_REQUEST,
        "recovery codes are single use"
    );

    // Wrong codes: five more are tolerated, then the account waits.
    for _ in 0..5 {
        let wrong = demo.post("/2fa", Some(&third), "code=000000").await;
        assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    }
    let locked = demo
        .post("/2fa", Some(&third), &format!("recovery_code={}", codes[1]))
        .await;
    assert_eq!(
        locked.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "throttled even with a right code"
    );
    let retry: u64 = locked
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (800..=900).contains(&retry),
        "about 15 minutes, got {retry}"
    );
    assert_eq!(
        demo.get("/api/me", Some(&third)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

/// A user with two-factor authentication must give a code to reset the password: the mailbox
/// alone is not enough. A missing or wrong code spends the link and the form continues with a
/// new one; the right code (or a recovery code) completes the reset.
#[tokio::test]
async fn password_reset_asks_for_the_second_factor() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let cookie = demo.verify_email(&cookie).await;
    let totp = demo.begin_two_factor(&cookie).await;
    let step = totp.step(time::OffsetDateTime::now_utc());
    let enabled = demo
        .post(
            "/settings/2fa/enable",
            Some(&cookie),
            &format!("code={}", totp.generate_for_step(step)),
        )
        .await;
    assert_eq!(enabled.status(), StatusCode::OK);
    let recovery = between(&enabled.text().await.unwrap(), "<li><code>", "</code>").to_owned();

    let asked = demo
        .post("/forgot-password", None, "email=ada%40example.com")
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let link = demo.reset_link().await;
    let next_link = |page: &str| {
        format!(
            "/reset-password/{}",
            between(page, r#"action="/reset-password/"#, r#"""#)
        )
    };

    // No code: refused, the link is spent, the form goes on with a new one.
    let missing = demo
        .post(&link, None, "password=a+new+long+passphrase")
        .await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let page = missing.text().await.unwrap();
    assert!(page.contains("Two-factor authentication is on"), "{page}");
    let second = next_link(&page);
    assert_ne!(second, link);
    assert_eq!(
        demo.post(&link, None, "password=a+new+long+passphrase&code=123456")
            .await
            .status(),
        StatusCode::BAD_REQUEST,
        "the first link is spent"
    );
    // A wrong code: refused the same way.
    let wrong = demo
        .post(&second, None, "password=a+new+long+passphrase&code=000000")
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let page = wrong.text().await.unwrap();
    assert!(page.contains("not valid"), "{page}");
    let third = next_link(&page);
    assert_eq!(
        demo.log_in("ada@example.com", "a+new+long+passphrase")
            .await
            .status(),
        StatusCode::BAD_REQUEST,
        "the password has not changed"
    );
    // A recovery code completes it.
    let done = demo
        .post(
            &third,
            None,
            &format!("password=a+new+long+passphrase&code={recovery}"),
        )
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(done.headers().get(LOCATION).unwrap(), "/login");
    assert_eq!(
        demo.get("/api/me", Some(&cookie)).await.status(),
        StatusCode::UNAUTHORIZED,
        "every session ended"
    );
    let login = demo
        .log_in("ada@example.com", "a+new+long+passphrase")
        .await;
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        login.headers().get(LOCATION).unwrap(),
        "/2fa",
        "two-factor is still on"
    );
}

/// Forgot password → the mailed link (development mailbox) → a new password → every old
/// session signed out; the same answer for unknown addresses; single use; issuance throttled.
#[tokio::test]
async fn password_reset_through_the_dev_mailbox() {
    let demo = start(false).await;
    let old = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    assert_eq!(
        demo.get("/forgot-password", None).await.status(),
        StatusCode::OK
    );

    let unknown = demo
        .post("/forgot-password", None, "email=nobody%40example.com")
        .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    let unknown_page = unknown.text().await.unwrap();
    let known = demo
        .post("/forgot-password", None, "email=Ada%40Example.com")
        .await;
    assert_eq!(known.status(), StatusCode::OK);
    assert_eq!(
        known.text().await.unwrap(),
        unknown_page,
        "the answer does not reveal accounts"
    );

    let mailbox = demo.get("/dev/mailbox", None).await.text().await.unwrap();
    assert_eq!(
        mailbox.matches("Reset your password").count(),
        1,
        "only the real account got a mail"
    );
    let path = demo.reset_link().await;

    let page = demo.get(&path, None).await;
    assert_eq!(
        page.headers().get("referrer-policy").unwrap(),
        "no-referrer"
    );
    let weak = demo.post(&path, None, "password=password1").await;
    assert_eq!(
        weak.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "policy first; the link still works"
    );
    let verified =
        "SELECT COUNT(*) FROM demo_users WHERE email = 'ada@example.com' AND email_verified";
    assert_eq!(demo.count(verified).await, 0, "never verified before");
    let done = demo
        .post(&path, None, "password=a+new+long+passphrase")
        .await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        demo.count(verified).await,
        1,
        "a used reset link proves the address"
    );
    assert_eq!(done.headers().get(LOCATION).unwrap(), "/login");
    assert_eq!(
        demo.get("/api/me", Some(&old)).await.status(),
        StatusCode::UNAUTHORIZED,
        "old sessions are gone"
    );
    assert_eq!(
        demo.log_in("ada@example.com", "a+new+long+passphrase")
            .await
            .status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        demo.log_in("ada@example.com", "correct+horse+battery")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
    let reused = demo
        .post(&path, None, "password=another+long+passphrase")
        .await;
    assert_eq!(reused.status(), StatusCode::BAD_REQUEST, "single use");

    // Mails per address are throttled (3, then one per 10 minutes).
    for _ in 0..2 {
        assert_eq!(
            demo.post("/forgot-password", None, "email=ada%40example.com")
                .await
                .status(),
            StatusCode::OK
        );
    }
    let throttled = demo
        .post("/forgot-password", None, "email=ada%40example.com")
        .await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().get("retry-after").is_some());
}

/// Sign-up mails an 8-character code; until it is entered a banner shows and two-factor
/// cannot be turned on; wrong codes are refused, resends are throttled and void the previous
/// code; "remember me" picks the 30-day session.
#[tokio::test]
async fn email_verification_and_remember_me() {
    let demo = start(false).await;
    let cookie = demo
        .sign_up("ada@example.com", "correct+horse+battery")
        .await;
    let verified =
        "SELECT COUNT(*) FROM demo_users WHERE email = 'ada@example.com' AND email_verified";
    assert_eq!(demo.count(verified).await, 0);
    let home = demo.get("/", Some(&cookie)).await.text().await.unwrap();
    assert!(home.contains(r#"href="/verify-email""#), "the banner");
    assert_eq!(
        demo.get("/settings/2fa", Some(&cookie)).await.status(),
        StatusCode::FORBIDDEN,
        "no two-factor before the address is verified"
    );
    let first = demo.mailed_code().await;
    assert_eq!(first.len(), 8, "{first}");

    let wrong = demo
        .post("/verify-email", Some(&cookie), "code=AAAAAAAA")
        .await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert!(wrong.text().await.unwrap().contains("not right"));

    // Resends: each voids the previous code; after three, 429.
    for _ in 0..3 {
        let resent = demo.post("/verify-email/resend", Some(&cookie), "").await;
        assert_eq!(resent.status(), StatusCode::OK);
    }
    let throttled = demo.post("/verify-email/resend", Some(&cookie), "").await;
    assert_eq!(throttled.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.headers().contains_key("retry-after"));
    let old = demo
        .post("/verify-email", Some(&cookie), &format!("code={first}"))
        .await;
    assert_eq!(
        old.status(),
        StatusCode::BAD_REQUEST,
        "a resend voids the old code"
    );

    // A second device signed in before the verification.
    let other = demo
        .log_in("ada@example.com", "correct+horse+battery")
        .await;
    let other = cookie_pair(&session_cookie(&other).unwrap());
    assert_eq!(
        demo.get("/api/me", Some(&other)).await.status(),
        StatusCode::OK
    );

    // Typed in lower case with a space: still the code.
    let code = demo.mailed_code().await;
    let typed = format!("{} {}", &code[..4].to_lowercase(), &code[4..]);
    let ok = demo
        .post(
            "/verify-email",
            Some(&cookie),
            &format!("code={}", typed.replace(' ', "+")),
        )
        .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(demo.count(verified).await, 1);
    // Gaining a privilege ends every session of the user; this browser gets a new one.
    let renewed = cookie_pair(&session_cookie(&ok).expect("a new session cookie"));
    assert_ne!(renewed, cookie);
    for old in [&cookie, &other] {
        assert_eq!(
            demo.get("/api/me", Some(old)).await.status(),
            StatusCode::UNAUTHORIZED,
            "sessions from before the verification are over"
        );
    }
    let cookie = renewed;
    let home = demo.get("/", Some(&cookie)).await.text().await.unwrap();
    assert!(
        !home.contains(r#"href="/verify-email""#),
        "no banner once verified"
    );
    assert_eq!(
        demo.get("/settings/2fa", Some(&cookie)).await.status(),
        StatusCode::OK
    );

    // Remember me: the 30-day session.
    let remembered = demo
        .post(
            "/login",
            None,
            "email=ada%40example.com&password=correct+horse+battery&remember=on",
        )
        .await;
    assert_eq!(remembered.status(), StatusCode::SEE_OTHER);
    let set_cookie = session_cookie(&remembered).unwrap();
    assert!(
        (2_591_999..=2_592_000).contains(&max_age(&set_cookie)),
        "thirty days (a second may tick between session and cookie): {set_cookie}"
    );
}

/// Real mail delivery: with `--smtp-url` and `--no-dev-mailbox`, the verification code
/// reaches a real SMTP server on loopback (aiosmtpd from `scripts/services.sh`, which keeps a
/// Maildir) and works; the reset link there uses the public URL; an unreachable server gives
/// a 503 page, not a lost account.
#[tokio::test]
async fn mail_goes_through_a_real_smtp_server() {
    let (Ok(url), Ok(maildir)) = (
        std::env::var("LUCIA_SMTP_URL"),
        std::env::var("LUCIA_SMTP_MAILDIR"),
    ) else {
        assert!(
            std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
            "LUCIA_SMTP_URL / LUCIA_SMTP_MAILDIR are not set and LUCIA_REQUIRE_SERVICES=1"
        );
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED: mail_goes_through_a_real_smtp_server: LUCIA_SMTP_URL is not set"
        );
        return;
    };
    let demo = start_with(|settings| {
        settings.smtp_url = Some(url);
        settings.dev_mailbox = false;
    })
    .await;
    assert_eq!(
        demo.get("/dev/mailbox", None).await.status(),
        StatusCode::NOT_FOUND,
        "the development mailbox is off"
    );
    let email = format!("{}@example.com", lucia::generate_id().unwrap());
    let cookie = demo.sign_up(&email, "correct+horse+battery").await;

    let mail = wait_for_mail(&maildir, &email, "Verify your email address").await;
    let code = mail
        .lines()
        .map(str::trim)
        .find(|line| line.len() == 8 && line.chars().all(|c| c.is_ascii_alphanumeric()))
        .unwrap_or_else(|| panic!("no code in {mail}"))
        .to_owned();
    let verified = demo
        .post("/verify-email", Some(&cookie), &format!("code={code}"))
        .await;
    assert_eq!(
        verified.status(),
        StatusCode::SEE_OTHER,
        "the mailed code works"
    );

    let asked = demo
        .post("/forgot-password", None, &format!("email={email}"))
        .await;
    assert_eq!(asked.status(), StatusCode::OK);
    let mail = wait_for_mail(&maildir, &email, "Reset your password").await;
    assert!(
        mail.contains(&format!("{}/reset-password/", demo.base)),
        "the link uses the public URL: {mail}"
    );

    // A mail server that is down: the account exists, the page says to try again.
    let down = start_with(|settings| {
        settings.smtp_url = Some("smtp://127.0.0.1:9".into());
        settings.dev_mailbox = false;
    })
    .await;
    let response = down
        .post(
            "/signup",
            None,
            "email=eve%40example.com&password=correct+horse+battery",
        )
        .await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        session_cookie(&response).is_some(),
        "signed in all the same"
    );
    assert_eq!(
        down.count("SELECT COUNT(*) FROM demo_users WHERE email = 'eve@example.com'")
            .await,
        1
    );
}

/// The message to `to` with this subject in the Maildir, waiting up to 10 seconds.
async fn wait_for_mail(maildir: &str, to: &str, subject: &str) -> String {
    for _ in 0..100 {
        for dir in ["new", "cur"] {
            let Ok(entries) = std::fs::read_dir(std::path::Path::new(maildir).join(dir)) else {
                continue;
            };
            for entry in entries.flatten() {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                if text.contains(to) && text.contains(subject) {
                    return text;
                }
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} with subject {subject:?} in {maildir}");
}
