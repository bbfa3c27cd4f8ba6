//! A sweep of hostile input over every route and every form field of the demo, over real HTTP
//! on loopback (a raw HTTP/1.1 client, so the requests can carry bytes no well-behaved client
//! sends): oversized bodies and headers, invalid UTF-8 in bodies, query strings, paths and
//! cookies, missing and duplicated fields, wrong content types, SQL and HTML/script injection
//! in every field, and open-redirect attempts on every route.
//!
//! Every response, whatever the request, must satisfy [`check`]: no 5xx, no `Location` that
//! leaves the site (only relative same-site paths; the OAuth start redirect goes to the
//! configured provider and nowhere else), and no hostile payload reflected unescaped in HTML.
//! The routes and their fields are listed once, in [`ROUTES`].
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::time::Duration;

use lucia_demo::oauth::ProviderSetting;
use lucia_demo::{Settings, build};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum As {
    /// No cookie.
    Anonymous,
    /// A signed-in user with a verified address.
    User,
    /// A session waiting for its second factor.
    Pending,
}

/// One route: method, path (`{token}` and `{provider}` are filled in), its form fields with a
/// plausible value each, and who can reach its handler.
struct Route {
    method: &'static str,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    who: As,
}

const fn route(
    method: &'static str,
    path: &'static str,
    fields: &'static [(&'static str, &'static str)],
    who: As,
) -> Route {
    Route {
        method,
        path,
        fields,
        who,
    }
}

/// Every route of the demo (the table in `examples/demo/src/lib.rs`).
const ROUTES: &[Route] = &[
    route("GET", "/", &[], As::User),
    route("GET", "/signup", &[], As::Anonymous),
    route(
        "POST",
        "/signup",
        &[
            ("email", "new@example.com"),
            ("password", "correct horse battery"),
        ],
        As::Anonymous,
    ),
    route("GET", "/login", &[], As::Anonymous),
    route(
        "POST",
        "/login",
        &[
            ("email", "ada@example.com"),
            ("password", "correct horse battery"),
            ("remember", "on"),
        ],
        As::Anonymous,
    ),
    route("POST", "/logout", &[], As::User),
    route("GET", "/settings/sessions", &[], As::User),
    route(
        "POST",
        "/settings/sessions/revoke",
        &[("session_id", "abcdefghijklmnop")],
        As::User,
    ),
    route("POST", "/settings/sessions/revoke-others", &[], As::User),
    route("GET", "/api/me", &[], As::User),
    route("GET", "/2fa", &[], As::Pending),
    route(
        "POST",
        "/2fa",
        &[("code", "123456"), ("recovery_code", "abcd-efgh")],
        As::Pending,
    ),
    route("GET", "/forgot-password", &[], As::Anonymous),
    route(
        "POST",
        "/forgot-password",
        &[("email", "ada@example.com")],
        As::Anonymous,
    ),
    route("GET", "/reset-password/{token}", &[], As::Anonymous),
    route(
        "POST",
        "/reset-password/{token}",
        &[("password", "another horse battery")],
        As::Anonymous,
    ),
    route("GET", "/dev/mailbox", &[], As::Anonymous),
    route("GET", "/verify-email", &[], As::User),
    route("POST", "/verify-email", &[("code", "ABCD2345")], As::User),
    route("POST", "/verify-email/resend", &[], As::User),
    route("GET", "/login/{provider}", &[], As::Anonymous),
    route(
        "GET",
        "/login/{provider}/callback",
        &[
            ("code", "abc"),
            ("state", "xyz"),
            ("iss", "http://127.0.0.1"),
        ],
        As::Anonymous,
    ),
    route(
        "POST",
        "/login/{provider}/callback",
        &[("code", "abc"), ("state", "xyz")],
        As::Anonymous,
    ),
    route("GET", "/settings", &[], As::User),
    route(
        "POST",
        "/settings/linked-accounts/unlink",
        &[("provider", "oidc")],
        As::User,
    ),
    route(
        "POST",
        "/settings/linked-accounts/{provider}",
        &[],
        As::User,
    ),
    route("GET", "/settings/2fa", &[], As::User),
    route("POST", "/settings/2fa/begin", &[], As::User),
    route(
        "POST",
        "/settings/2fa/enable",
        &[("code", "123456")],
        As::User,
    ),
    route(
        "POST",
        "/settings/2fa/disable",
        &[("code", "123456")],
        As::User,
    ),
    route("GET", "/favicon.svg", &[], As::Anonymous),
    route("GET", "/style.css", &[], As::Anonymous),
];

/// HTML and script injection: none of these may ever appear verbatim in an HTML page.
const HTML_PAYLOADS: &[&str] = &[
    "<script>hostile()</script>",
    "\"><svg/onload=hostile()>",
    "'><img/src=x/onerror=hostile()>",
    "</textarea></title><script>hostile()</script>",
    "<a href=\"javascript:hostile()\">x</a>",
];

/// SQL injection (and other strings that break naive code): harmless here, but they must not
/// cause a 5xx, and the database must be intact afterwards.
const SQL_PAYLOADS: &[&str] = &[
    "' OR '1'='1",
    "'; DROP TABLE demo_users; --",
    "\" OR \"\"=\"",
    "1; SELECT pg_sleep(10)--",
    "admin'--",
    "%00\u{0}nul",
    "😀\u{202e}\u{feff}",
];

/// Open-redirect attempts, for every `next`/redirect/return parameter name a route might read.
const REDIRECT_TARGETS: &[&str] = &[
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "javascript:hostile()",
    "%2F%2Fevil.example",
    "/%2F/evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https:/\\evil.example",
    "//evil.example@127.0.0.1",
    "data:text/html,<script>hostile()</script>",
];
const REDIRECT_PARAMS: &[&str] = &[
    "next",
    "redirect",
    "redirect_to",
    "redirect_uri",
    "return",
    "return_to",
    "returnTo",
    "continue",
    "url",
    "to",
];

/// Percent-encodes everything but unreserved characters (so the payload reaches the handler
/// exactly as written).
fn encode(text: &[u8]) -> String {
    let mut out = String::new();
    for &b in text {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn form(fields: &[(&str, &[u8])]) -> Vec<u8> {
    fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name.as_bytes()), encode(value)))
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

/// A response as read off the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("set-cookie"))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One raw HTTP/1.1 request.
struct Request {
    method: String,
    target: Vec<u8>,
    headers: Vec<(Vec<u8>, Vec<u8>)>,
    body: Vec<u8>,
    /// Leave out the `Origin` header that same-site form posts carry.
    no_origin: bool,
}

impl Request {
    fn new(method: &str, target: impl Into<Vec<u8>>) -> Self {
        Self {
            method: method.to_owned(),
            target: target.into(),
            headers: Vec::new(),
            body: Vec::new(),
            no_origin: false,
        }
    }

    fn header(mut self, name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    fn form(self, body: Vec<u8>) -> Self {
        self.header("content-type", "application/x-www-form-urlencoded")
            .body(body)
    }

    fn body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    fn cookie(self, cookie: Option<&str>) -> Self {
        match cookie {
            Some(cookie) => self.header("cookie", cookie),
            None => self,
        }
    }
}

struct Demo {
    addr: SocketAddr,
    base: String,
    /// The database URL.
    url: String,
    /// The SQLite file to delete afterwards (none on a server).
    db: Option<std::path::PathBuf>,
    /// Makes this run's email addresses unique (the server databases are shared).
    tag: String,
    /// The configured OAuth provider's authorization endpoint, if any.
    provider_endpoint: Option<String>,
}

impl Drop for Demo {
    fn drop(&mut self) {
        if let Some(db) = &self.db {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
        }
    }
}

/// Writes a loud line past the test harness's capture.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// The demo on a fresh SQLite file; with `LUCIA_OIDC_ISSUER`, with the test provider as
/// `oidc` so the OAuth routes reach their handlers.
async fn start(test: &str) -> Demo {
    let db = std::env::temp_dir().join(format!(
        "lucia-demo-hostile-{}.db",
        lucia::generate_id().unwrap()
    ));
    let mut demo = start_on(test, format!("sqlite://{}", db.display())).await;
    demo.db = Some(db);
    demo
}

/// The demo on the database at `url`.
async fn start_on(test: &str, url: String) -> Demo {
    lucia_oauth::http::install_crypto_provider();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let mut settings = Settings {
        database_url: url.clone(),
        public_url: Some(format!("http://{addr}")),
        ..Settings::default()
    };
    match std::env::var("LUCIA_OIDC_ISSUER") {
        Ok(issuer) if !issuer.is_empty() => settings.oauth.push(ProviderSetting {
            id: "oidc".into(),
            client_id: "lucia-test".into(),
            client_secret: Some("lucia-test-secret".into()),
            params: Vec::new(),
            issuer: Some(issuer),
            name: Some("Test <b>provider</b>".into()),
        }),
        _ => {
            assert!(
                std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "{test}: LUCIA_OIDC_ISSUER is not set and LUCIA_REQUIRE_SERVICES=1"
            );
            say(&format!(
                "SKIPPED (in part): {test}: LUCIA_OIDC_ISSUER is not set, the OAuth routes answer 404 without reaching their handlers"
            ));
        }
    }
    let app = build(&settings).await.unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let provider_endpoint = if settings.oauth.is_empty() {
        None
    } else {
        let issuer = settings.oauth[0].issuer.clone().unwrap();
        Some(issuer.trim_end_matches('/').to_owned())
    };
    Demo {
        addr,
        base: format!("http://{addr}"),
        url,
        db: None,
        tag: lucia::generate_id().unwrap().to_lowercase(),
        provider_endpoint,
    }
}

impl Demo {
    /// Sends `request` on a fresh connection and reads the whole response. The body is written
    /// while the response is read, so a server that answers before reading a large body (413)
    /// is seen answering. `None` when the server closed the connection without any answer.
    async fn send(&self, request: Request) -> Option<Reply> {
        let mut head = Vec::new();
        head.extend_from_slice(request.method.as_bytes());
        head.push(b' ');
        head.extend_from_slice(&request.target);
        head.extend_from_slice(b" HTTP/1.1\r\n");
        head.extend_from_slice(format!("host: {}\r\nconnection: close\r\n", self.addr).as_bytes());
        if request.method == "POST" && !request.no_origin {
            head.extend_from_slice(format!("origin: {}\r\n", self.base).as_bytes());
        }
        for (name, value) in &request.headers {
            head.extend_from_slice(name);
            head.extend_from_slice(b": ");
            head.extend_from_slice(value);
            head.extend_from_slice(b"\r\n");
        }
        if request.method == "POST" || !request.body.is_empty() {
            head.extend_from_slice(
                format!("content-length: {}\r\n", request.body.len()).as_bytes(),
            );
        }
        head.extend_from_slice(b"\r\n");
        let stream = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let (mut read, mut write) = stream.into_split();
        let body = request.body;
        let writer = tokio::spawn(async move {
            // The server may stop reading (and close) early: a write error is not a failure.
            if write.write_all(&head).await.is_ok() {
                let _ = write.write_all(&body).await;
            }
            write
        });
        let mut raw = Vec::new();
        let read_all = tokio::time::timeout(Duration::from_secs(30), read.read_to_end(&mut raw));
        let outcome = read_all.await.expect("the server answers within 30 s");
        drop(writer.await);
        if outcome.is_err() && raw.is_empty() {
            return None;
        }
        Some(parse(&raw).unwrap_or_else(|| {
            panic!(
                "unparsable response: {:?}",
                String::from_utf8_lossy(&raw[..raw.len().min(500)])
            )
        }))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn parse(raw: &[u8]) -> Option<Reply> {
    let end = find(raw, b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let mut headers = Vec::new();
    for line in lines {
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_owned(), value.trim().as_bytes().to_vec()));
    }
    let mut rest = &raw[end + 4..];
    let chunked = headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case("transfer-encoding") && v == b"chunked");
    let body = if chunked {
        let mut body = Vec::new();
        loop {
            let line_end = find(rest, b"\r\n")?;
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).ok()?, 16).ok()?;
            rest = &rest[line_end + 2..];
            if size == 0 {
                break;
            }
            body.extend_from_slice(rest.get(..size)?);
            rest = rest.get(size + 2..)?;
        }
        body
    } else {
        rest.to_vec()
    };
    Some(Reply {
        status,
        headers,
        body,
    })
}

/// Whether a `Location` value keeps the browser on this site: a path starting with a single
/// `/`, without backslashes, whitespace or control characters (browsers strip tabs and
/// newlines and read `\` as `/`, so `/\t/evil` and `/\evil` leave the site).
fn same_site(location: &[u8]) -> bool {
    location.first() == Some(&b'/')
        && location.get(1) != Some(&b'/')
        && !location
            .iter()
            .any(|&b| b == b'\\' || b.is_ascii_whitespace() || b.is_ascii_control() || b >= 0x80)
}

/// What every response must satisfy.
fn check(demo: &Demo, what: &str, reply: &Reply) {
    assert!(
        reply.status < 500,
        "{what}: {} {}",
        reply.status,
        truncate(&reply.text())
    );
    if let Some(location) = reply.header("location") {
        let to_provider = demo.provider_endpoint.as_ref().is_some_and(|endpoint| {
            std::str::from_utf8(location).is_ok_and(|l| {
                l.starts_with(&format!("{endpoint}/")) && provider_redirect_ok(demo, l)
            })
        });
        assert!(
            same_site(location) || to_provider,
            "{what}: Location {:?} leaves the site",
            String::from_utf8_lossy(location)
        );
    }
    let html = reply
        .header("content-type")
        .is_some_and(|t| t.starts_with(b"text/html"));
    if html {
        let text = reply.text();
        for payload in HTML_PAYLOADS
            .iter()
            .chain(REDIRECT_TARGETS.iter().filter(|t| t.contains('<')))
        {
            assert!(
                !text.contains(payload),
                "{what}: {payload:?} reflected unescaped in {}",
                truncate(&text)
            );
        }
        for fragment in [
            "<script>hostile",
            "<svg/onload",
            "<img/src=x",
            "href=\"javascript:",
        ] {
            assert!(
                !text.contains(fragment),
                "{what}: {fragment:?} in the page: {}",
                truncate(&text)
            );
        }
    } else if reply.header("content-type").is_some() {
        // Error bodies from the framework are plain text; they must not be served as HTML,
        // and nosniff keeps browsers from guessing.
        assert_eq!(
            reply.header("x-content-type-options"),
            Some(&b"nosniff"[..]),
            "{what}: a non-HTML answer without nosniff"
        );
    }
}

/// The OAuth start redirect: the configured `redirect_uri` and nothing else.
fn provider_redirect_ok(demo: &Demo, location: &str) -> bool {
    let Ok(url) = url_parse(location) else {
        return false;
    };
    let redirect_uris: Vec<String> = url
        .into_iter()
        .filter(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| v)
        .collect();
    redirect_uris == [format!("{}/login/oidc/callback", demo.base)]
}

/// The decoded query pairs of a URL.
fn url_parse(location: &str) -> Result<Vec<(String, String)>, ()> {
    let query = location.split_once('?').ok_or(())?.1;
    Ok(query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect())
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn truncate(text: &str) -> String {
    text.chars().take(600).collect()
}

fn session_cookie(reply: &Reply) -> Option<String> {
    reply
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("auth_session=") && !c.contains("Max-Age=0"))
        .map(|c| c.split(';').next().unwrap().to_owned())
}

/// The signed-in user's and the pending session's cookies.
struct Sessions {
    user: String,
    pending: String,
}

impl Demo {
    async fn post_form(&self, path: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Reply {
        let fields: Vec<(&str, &[u8])> = fields.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
        let request = Request::new("POST", path)
            .cookie(cookie)
            .form(form(&fields));
        self.send(request).await.unwrap()
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Reply {
        self.send(Request::new("GET", path).cookie(cookie))
            .await
            .unwrap()
    }

    async fn sign_up(&self, email: &str, user_agent: &str) -> String {
        let fields = form(&[
            ("email", email.as_bytes()),
            ("password", b"correct horse battery"),
        ]);
        let reply = self
            .send(
                Request::new("POST", "/signup")
                    .header("user-agent", user_agent)
                    .form(fields),
            )
            .await
            .unwrap();
        assert_eq!(reply.status, 303, "sign-up of {email:?}: {}", reply.text());
        session_cookie(&reply).unwrap()
    }

    /// Verifies the address of the newest sign-up with the code from the mailbox; returns the
    /// new session's cookie (verification ends the user's sessions and starts a new one).
    async fn verify(&self, cookie: &str) -> String {
        let mailbox = self.get("/dev/mailbox", None).await.text();
        let code = between(&mailbox, "verification code is<br><br>", "<br>").to_owned();
        let reply = self
            .post_form("/verify-email", Some(cookie), &[("code", &code)])
            .await;
        assert_eq!(reply.status, 303, "verification: {}", reply.text());
        session_cookie(&reply).unwrap()
    }

    /// A verified user, and a second user with two-factor on whose new session is pending.
    async fn sessions(&self) -> Sessions {
        use lucia::otp::{Secret, Totp};
        let (ada, bob) = self.emails();
        let user = self.sign_up(&ada, "hostile-test").await;
        let user = self.verify(&user).await;
        let second = self.sign_up(&bob, "hostile-test").await;
        let second = self.verify(&second).await;
        let page = self
            .post_form("/settings/2fa/begin", Some(&second), &[])
            .await
            .text();
        let totp = Totp::new(
            Secret::from_base32(between(&page, r#"<code id="totp-secret">"#, "</code>")).unwrap(),
        );
        let code = totp.generate_for_step(totp.step(time::OffsetDateTime::now_utc()));
        let enabled = self
            .post_form("/settings/2fa/enable", Some(&second), &[("code", &code)])
            .await;
        assert_eq!(enabled.status, 200, "{}", enabled.text());
        let login = self
            .post_form(
                "/login",
                None,
                &[
                    ("email", bob.as_str()),
                    ("password", "correct horse battery"),
                ],
            )
            .await;
        assert_eq!(login.header("location"), Some(&b"/2fa"[..]));
        Sessions {
            user,
            pending: session_cookie(&login).unwrap(),
        }
    }

    fn cookie<'a>(&self, sessions: &'a Sessions, who: As) -> Option<&'a str> {
        match who {
            As::Anonymous => None,
            As::User => Some(&sessions.user),
            As::Pending => Some(&sessions.pending),
        }
    }

    fn path(&self, route: &Route, token: &str) -> String {
        let provider = if self.provider_endpoint.is_some() {
            "oidc"
        } else {
            "nowhere"
        };
        route
            .path
            .replace("{token}", token)
            .replace("{provider}", provider)
    }

    /// The two fixture users' addresses.
    fn emails(&self) -> (String, String) {
        (
            format!("ada-{}@example.com", self.tag),
            format!("bob-{}@example.com", self.tag),
        )
    }

    async fn count(&self, sql: &str) -> i64 {
        if self.url.starts_with("postgres") {
            let pool = sqlx::PgPool::connect(&self.url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        } else if self.url.starts_with("mysql") {
            let pool = sqlx::MySqlPool::connect(&self.url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        } else {
            let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
            let n: i64 = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
            pool.close().await;
            n
        }
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

/// The routes in the order they are tried: `/logout` last, so it does not end the session
/// the others use.
fn ordered_routes() -> Vec<&'static Route> {
    let ends_session = |r: &Route| r.path == "/logout";
    ROUTES
        .iter()
        .filter(|r| !ends_session(r))
        .chain(ROUTES.iter().filter(|r| ends_session(r)))
        .collect()
}

/// Every field of every route: each injection payload, invalid UTF-8 (percent-encoded and
/// raw), the field missing, the field twice, and an oversized value; every form route with
/// no body, wrong content types and a 10 MB body.
#[tokio::test]
async fn every_field_of_every_route_survives_hostile_values() {
    let demo = start("every_field_of_every_route_survives_hostile_values").await;
    field_sweep(&demo).await;
}

/// The same sweep on the real PostgreSQL and MariaDB servers, which refuse some strings
/// SQLite takes (NUL characters in text, invalid UTF-8).
#[tokio::test]
async fn every_field_survives_hostile_values_on_postgres_and_mariadb() {
    const TEST: &str = "every_field_survives_hostile_values_on_postgres_and_mariadb";
    for var in ["LUCIA_POSTGRES_URL", "LUCIA_MYSQL_URL"] {
        match std::env::var(var) {
            Ok(url) if !url.is_empty() => field_sweep(&start_on(TEST, url).await).await,
            _ => {
                assert!(
                    std::env::var("LUCIA_REQUIRE_SERVICES").as_deref() != Ok("1"),
                    "{TEST}: {var} is not set and LUCIA_REQUIRE_SERVICES=1"
                );
                say(&format!("SKIPPED: {TEST}: {var} is not set"));
            }
        }
    }
}

async fn field_sweep(demo: &Demo) {
    let sessions = demo.sessions().await;
    let mut requests = 0usize;
    for route in ordered_routes() {
        let cookie = demo.cookie(&sessions, route.who);
        let path = demo.path(route, "sometoken");
        let base_fields: Vec<(&str, &[u8])> = route
            .fields
            .iter()
            .map(|(n, v)| (*n, v.as_bytes()))
            .collect();
        let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
        for (i, (name, _)) in route.fields.iter().enumerate() {
            let with = |value: &[u8]| {
                let mut fields = base_fields.clone();
                fields[i].1 = value;
                form(&fields)
            };
            for payload in HTML_PAYLOADS.iter().chain(SQL_PAYLOADS) {
                bodies.push((format!("{name}={payload:?}"), with(payload.as_bytes())));
            }
            bodies.push((
                format!("{name}=%FF%FE (invalid UTF-8)"),
                with(b"\xff\xfe\xc3"),
            ));
            let mut raw = form(&base_fields);
            raw.extend_from_slice(format!("&{name}=").as_bytes());
            raw.extend_from_slice(b"\xff\xfe<\xc0\xaf>");
            bodies.push((format!("{name} raw invalid UTF-8"), raw));
            bodies.push((
                format!("{name} of 100 kB"),
                with("x".repeat(100_000).as_bytes()),
            ));
            let missing: Vec<(&str, &[u8])> = base_fields
                .iter()
                .filter(|(n, _)| n != name)
                .cloned()
                .collect();
            bodies.push((format!("{name} missing"), form(&missing)));
            let mut twice = base_fields.clone();
            twice.push((name, b"second@example.com"));
            bodies.push((format!("{name} twice"), form(&twice)));
        }
        bodies.push(("no fields".into(), Vec::new()));
        bodies.push(("garbage".into(), b"&&&==&%%%=%zz&=x".to_vec()));

        if route.method == "GET" {
            // Fields of GET routes travel in the query string.
            for (what, query) in &bodies {
                let mut target = path.clone().into_bytes();
                target.push(b'?');
                target.extend_from_slice(query);
                let reply = demo
                    .send(Request::new("GET", target).cookie(cookie))
                    .await
                    .unwrap();
                check(demo, &format!("GET {path}?{what}"), &reply);
                requests += 1;
            }
            // Raw invalid UTF-8 and an unknown field in the query and the path.
            for target in [
                [path.as_bytes(), b"?x=\xff\xfe"].concat(),
                [path.as_bytes(), b"/\xff\xfe"].concat(),
                [path.as_bytes(), b"%FF%FE"].concat(),
            ] {
                let what = format!("GET {}", String::from_utf8_lossy(&target));
                if let Some(reply) = demo.send(Request::new("GET", target).cookie(cookie)).await {
                    check(demo, &what, &reply);
                }
                requests += 1;
            }
            continue;
        }
        for (what, body) in bodies {
            let reply = demo
                .send(
                    Request::new("POST", path.as_str())
                        .cookie(cookie)
                        .form(body),
                )
                .await
                .unwrap();
            check(demo, &format!("POST {path} {what}"), &reply);
            requests += 1;
        }
        // Wrong content types, and none: 415 wherever a form is read.
        let body = form(&base_fields);
        for content_type in [
            Some("application/json"),
            Some("multipart/form-data; boundary=x"),
            Some("text/plain"),
            Some("application/x-www-form-urlencoded; charset=\u{ff}"),
            None,
        ] {
            let mut request = Request::new("POST", path.as_str()).cookie(cookie);
            if let Some(content_type) = content_type {
                request = request.header("content-type", content_type);
            }
            let reply = demo.send(request.body(body.clone())).await.unwrap();
            let what = format!("POST {path} as {content_type:?}");
            check(demo, &what, &reply);
            if !route.fields.is_empty() && route.who == As::Anonymous && !path.contains("callback")
            {
                assert_eq!(reply.status, 415, "{what}");
            }
            requests += 1;
        }
        // 10 MB: refused with 413 (or the connection closed) before it is read.
        let mut huge = form(&base_fields);
        huge.extend_from_slice(b"&pad=");
        huge.resize(10 * 1024 * 1024, b'a');
        let what = format!("POST {path} with 10 MB");
        if let Some(reply) = demo
            .send(
                Request::new("POST", path.as_str())
                    .cookie(cookie)
                    .form(huge),
            )
            .await
        {
            check(demo, &what, &reply);
            if !route.fields.is_empty() {
                assert_eq!(reply.status, 413, "{what}");
            }
        }
        requests += 1;
    }
    // The server is still up, the users are intact, and nothing was dropped.
    assert_eq!(demo.get("/", None).await.status, 200);
    let (ada, bob) = demo.emails();
    assert_eq!(
        demo.count(&format!(
            "SELECT COUNT(*) FROM demo_users WHERE email IN ('{ada}', '{bob}')"
        ))
        .await,
        2
    );
    say(&format!(
        "hostile_input: {requests} hostile field requests on {}, no 5xx",
        demo.url.split(':').next().unwrap_or("?")
    ));
}

/// Oversized, duplicated, invalid and hostile headers on every route.
#[tokio::test]
async fn hostile_headers_on_every_route() {
    let demo = start("hostile_headers_on_every_route").await;
    let sessions = demo.sessions().await;
    let big = "x".repeat(64 * 1024);
    let mut requests = 0usize;
    for route in ordered_routes() {
        let cookie = demo.cookie(&sessions, route.who);
        let path = demo.path(route, "sometoken");
        let fields: Vec<(&str, &[u8])> = route
            .fields
            .iter()
            .map(|(n, v)| (*n, v.as_bytes()))
            .collect();
        let body = form(&fields);
        let mut variants: Vec<(&str, Request)> = vec![
            (
                "a 64 kB header",
                Request::new(route.method, path.as_str()).header("x-junk", big.as_str()),
            ),
            (
                "a 64 kB cookie",
                Request::new(route.method, path.as_str())
                    .header("cookie", format!("auth_session={big}; other={big}")),
            ),
            (
                "a 64 kB cookie with the session",
                Request::new(route.method, path.as_str())
                    .header("cookie", format!("{}; junk={big}", cookie.unwrap_or("a=b"))),
            ),
            (
                "invalid UTF-8 in the cookie",
                Request::new(route.method, path.as_str()).header(
                    b"cookie".to_vec(),
                    b"auth_session=\xff\xfe.\xc0\xaf; x=\x80".to_vec(),
                ),
            ),
            (
                "two session cookies in two headers",
                Request::new(route.method, path.as_str())
                    .cookie(cookie)
                    .header("cookie", "auth_session=forged.forged"),
            ),
            (
                "two session cookies in one header",
                Request::new(route.method, path.as_str()).header(
                    "cookie",
                    format!("auth_session=forged.forged; {}", cookie.unwrap_or("a=b")),
                ),
            ),
            (
                "a hostile user agent and client hints",
                Request::new(route.method, path.as_str())
                    .cookie(cookie)
                    .header("user-agent", HTML_PAYLOADS[0])
                    .header("x-forwarded-for", "<script>hostile()</script>")
                    .header("x-forwarded-host", "evil.example")
                    .header("referer", "https://evil.example/"),
            ),
            (
                "invalid UTF-8 in a bearer token",
                Request::new(route.method, path.as_str())
                    .header(b"authorization".to_vec(), b"Bearer \xff\xfe.\x80".to_vec()),
            ),
            (
                "a 64 kB bearer token",
                Request::new(route.method, path.as_str())
                    .header("authorization", format!("Bearer {big}")),
            ),
        ];
        let mut many = Request::new(route.method, path.as_str()).cookie(cookie);
        for i in 0..200 {
            many = many.header(format!("x-many-{i}"), "y");
        }
        variants.push(("200 headers", many));
        for (what, mut request) in variants {
            if route.method == "POST" {
                request = request.form(body.clone());
            }
            let what = format!("{} {path} with {what}", route.method);
            if let Some(reply) = demo.send(request).await {
                check(&demo, &what, &reply);
            }
            requests += 1;
        }
        if route.method == "POST" {
            // A forged origin among two Origin headers, or a cross-site fetch: refused.
            for (what, request) in [
                (
                    "a second, foreign Origin",
                    Request::new("POST", path.as_str())
                        .cookie(cookie)
                        .header("origin", "https://evil.example"),
                ),
                (
                    "a foreign Origin",
                    Request {
                        no_origin: true,
                        ..Request::new("POST", path.as_str())
                            .cookie(cookie)
                            .header("origin", "https://evil.example")
                    },
                ),
                (
                    "Origin null",
                    Request {
                        no_origin: true,
                        ..Request::new("POST", path.as_str())
                            .cookie(cookie)
                            .header("origin", "null")
                    },
                ),
                (
                    "no Origin and a foreign Host",
                    Request {
                        no_origin: true,
                        ..Request::new("POST", path.as_str())
                            .cookie(cookie)
                            .header("sec-fetch-site", "cross-site")
                    },
                ),
            ] {
                let reply = demo.send(request.form(body.clone())).await.unwrap();
                let what = format!("POST {path} with {what}");
                check(&demo, &what, &reply);
                // Form-post providers' callbacks are the one cross-site POST the demo takes,
                // from the provider's origin only.
                assert_eq!(reply.status, 403, "{what}: {}", reply.text());
                requests += 1;
            }
        }
    }
    assert_eq!(demo.get("/", Some(&sessions.user)).await.status, 200);
    say(&format!(
        "hostile_input: {requests} hostile header requests, no 5xx"
    ));
}

/// Stored hostile values (email addresses, user agents, a reset token in the path) come back
/// escaped on every page that shows them, and SQL-looking addresses are stored verbatim.
#[tokio::test]
async fn stored_hostile_values_are_rendered_escaped() {
    let demo = start("stored_hostile_values_are_rendered_escaped").await;
    let emails = [
        "<script>hostile()</script>@example.com",
        "\"><svg/onload=hostile()>@example.com",
        "'><img/src=x/onerror=hostile()>@example.com",
        "x'or'1'='1'--@example.com",
        "robert');drop/**/table/**/demo_users;--@example.com",
    ];
    let pages = [
        "/",
        "/settings",
        "/settings/sessions",
        "/settings/2fa",
        "/verify-email",
        "/forgot-password",
        "/dev/mailbox",
    ];
    let mut cookies = Vec::new();
    for email in emails {
        let cookie = demo.sign_up(email, HTML_PAYLOADS[1]).await;
        // A second session with another hostile user agent, for the sessions page.
        let login = demo
            .send(
                Request::new("POST", "/login")
                    .header("user-agent", HTML_PAYLOADS[2])
                    .form(form(&[
                        ("email", email.as_bytes()),
                        ("password", b"correct horse battery"),
                    ])),
            )
            .await
            .unwrap();
        check(&demo, &format!("log-in of {email}"), &login);
        assert_eq!(login.status, 303, "log-in of {email}: {}", login.text());
        // A failed attempt re-renders the typed address.
        let wrong = demo
            .post_form("/login", None, &[("email", email), ("password", "wrong")])
            .await;
        check(&demo, &format!("wrong password for {email}"), &wrong);
        assert_eq!(wrong.status, 400);
        let taken = demo
            .post_form(
                "/signup",
                None,
                &[("email", email), ("password", "correct horse battery")],
            )
            .await;
        check(&demo, &format!("second sign-up of {email}"), &taken);
        assert_eq!(taken.status, 409);
        // The address shown must be the escaped one.
        let escaped = lucia_demo::pages::escape(&email.to_lowercase());
        let home = demo.get("/", Some(&cookie)).await;
        check(&demo, &format!("home of {email}"), &home);
        assert!(home.text().contains(&escaped), "home shows {escaped}");
        cookies.push(cookie);
    }
    for (email, cookie) in emails.iter().zip(&cookies) {
        for page in pages {
            let reply = demo.get(page, Some(cookie)).await;
            check(&demo, &format!("GET {page} as {email}"), &reply);
            // Two-factor needs a verified address first (403 until then).
            let expected = if page == "/settings/2fa" { 403 } else { 200 };
            assert_eq!(reply.status, expected, "GET {page} as {email}");
        }
        // The forgotten-password mail names the address in the mailbox.
        let reply = demo
            .post_form("/forgot-password", None, &[("email", email)])
            .await;
        check(&demo, &format!("forgot-password for {email}"), &reply);
    }
    let mailbox = demo.get("/dev/mailbox", None).await;
    check(&demo, "the mailbox", &mailbox);
    // SQL-looking addresses are data: stored as typed (lowercased), tables intact.
    for email in emails {
        let stored = demo
            .count(&format!(
                "SELECT COUNT(*) FROM demo_users WHERE email = '{}'",
                email.to_lowercase().replace('\'', "''")
            ))
            .await;
        assert_eq!(stored, 1, "{email} stored verbatim");
    }
    assert_eq!(demo.count("SELECT COUNT(*) FROM demo_users").await, 5);

    // A hostile reset token in the path is echoed only escaped, and never works.
    for token in HTML_PAYLOADS.iter().chain(SQL_PAYLOADS) {
        let path = format!("/reset-password/{}", encode(token.as_bytes()));
        let reply = demo.get(&path, None).await;
        check(&demo, &format!("GET {path}"), &reply);
        let reply = demo
            .post_form(&path, None, &[("password", "another horse battery")])
            .await;
        check(&demo, &format!("POST {path}"), &reply);
        assert_eq!(reply.status, 400, "POST {path}");
    }
}

/// The demo has no `next`/return parameter; whatever a client adds, and whatever path it asks
/// for, every redirect stays on the site (and the OAuth start redirect keeps its configured
/// `redirect_uri`).
#[tokio::test]
async fn no_open_redirects() {
    let demo = start("no_open_redirects").await;
    let sessions = demo.sessions().await;
    // First (the requests below use up the client's reset-request allowance): the reset link in the mail comes from the configured URL, never the request's Host.
    let reply = demo
        .send(
            Request::new("POST", "/forgot-password")
                .header("x-forwarded-host", "evil.example")
                .header("forwarded", "host=evil.example")
                .form(form(&[("email", demo.emails().0.as_bytes())])),
        )
        .await
        .unwrap();
    check(&demo, "forgot-password with forwarded hosts", &reply);
    assert_eq!(reply.status, 200);
    let mailbox = demo.get("/dev/mailbox", None).await.text();
    assert!(
        mailbox.contains("/reset-password/"),
        "the reset mail was sent"
    );
    assert!(!mailbox.contains("evil.example"), "{}", truncate(&mailbox));
    let mut requests = 0usize;
    let mut redirects = 0usize;
    for route in ordered_routes() {
        let path = demo.path(route, "sometoken");
        for who in [route.who, As::Anonymous] {
            let cookie = demo.cookie(&sessions, who);
            for target in REDIRECT_TARGETS {
                let query: Vec<(&str, &[u8])> = REDIRECT_PARAMS
                    .iter()
                    .map(|p| (*p, target.as_bytes()))
                    .collect();
                let query = String::from_utf8(form(&query)).unwrap();
                let url = format!("{path}?{query}");
                let mut request = Request::new(route.method, url.as_str()).cookie(cookie);
                if route.method == "POST" {
                    let mut fields: Vec<(&str, &[u8])> = route
                        .fields
                        .iter()
                        .map(|(n, v)| (*n, v.as_bytes()))
                        .collect();
                    fields.extend(REDIRECT_PARAMS.iter().map(|p| (*p, target.as_bytes())));
                    request = request.form(form(&fields));
                }
                let reply = demo.send(request).await.unwrap();
                check(
                    &demo,
                    &format!("{} {path} with {target:?}", route.method),
                    &reply,
                );
                redirects += usize::from(reply.header("location").is_some());
                requests += 1;
            }
        }
    }
    // Paths that look like other sites, and path tricks (axum must not "normalise" them into
    // a redirect off-site).
    for path in [
        "//evil.example",
        "//evil.example/",
        "/\\evil.example",
        "/%2F%2Fevil.example",
        "/%5Cevil.example",
        "///evil.example/%2e%2e",
        "/login/..%2F..%2F%2Fevil.example",
        "/login/%2F%2Fevil.example",
        "/settings/",
        "/login/",
        "/./login",
        "/reset-password/..%2F..%2Fevil.example",
        "/reset-password/%0d%0aLocation:%20https:%2F%2Fevil.example",
    ] {
        for method in ["GET", "POST"] {
            let mut request = Request::new(method, path).cookie(Some(&sessions.user));
            if method == "POST" {
                request = request.form(Vec::new());
            }
            let reply = demo.send(request).await.unwrap();
            check(&demo, &format!("{method} {path}"), &reply);
            assert!(
                reply.status == 404
                    || reply.status == 405
                    || reply.status < 400
                    || reply.status == 400
                    || reply.status == 415
                    || reply.status == 422,
                "{method} {path}: {}",
                reply.status
            );
            requests += 1;
        }
    }
    say(&format!(
        "hostile_input: {requests} open-redirect attempts, {redirects} redirects, all same-site"
    ));
}
