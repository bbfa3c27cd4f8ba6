//! The demo's form bodies and query strings: the whole axum `Router` of `lucia-demo`, driven
//! in-process (no sockets) on a temporary SQLite file, with arbitrary bodies on every POST
//! route and arbitrary query strings and path segments on the callback and reset routes.
//!
//! Input: byte 0 picks the route, byte 1 is flags (bit 0: send the session cookie of a user
//! signed up at start; bit 1: omit `Origin`; bit 2: `application/json` instead of a form;
//! bits 4-7: the client address), then `path-segment \n body` for routes with a parameter,
//! else the body.
//!
//! Invariants: never a 5xx; a redirect only ever goes to a same-site relative path (`/x`,
//! never `//x` or `/\x`); no response reflects the `<fuzz` marker of the seeds unescaped.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::header::{CONTENT_TYPE, COOKIE, HOST, LOCATION, ORIGIN, SET_COOKIE};
use http::{Method, Request, StatusCode};
use libfuzzer_sys::fuzz_target;
use lucia_demo::{Settings, build};
use tower::ServiceExt;

const BASE: &str = "http://127.0.0.1:3000";

struct Fixture {
    runtime: tokio::runtime::Runtime,
    app: Router,
    cookie: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let db = std::env::temp_dir().join(format!("lucia-fuzz-demo-{}.db", std::process::id()));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let settings = Settings {
            database_url: format!("sqlite://{}", db.display()),
            public_url: Some(BASE.into()),
            ..Settings::default()
        };
        let app = runtime.block_on(build(&settings)).unwrap();
        let response = runtime.block_on(
            app.clone().oneshot(
                Request::post("/signup")
                    .header(HOST, "127.0.0.1:3000")
                    .header(ORIGIN, BASE)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(
                        "email=fuzz%40example.com&password=correct+horse+battery+staple",
                    ))
                    .unwrap(),
            ),
        );
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response
            .headers()
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("auth_session="))
            .and_then(|v| v.split(';').next())
            .unwrap()
            .to_owned();
        Fixture {
            runtime,
            app,
            cookie,
        }
    })
}

/// (method, path, whether the path takes a segment from the input, may carry the session).
const ROUTES: &[(&str, &str, bool, bool)] = &[
    ("POST", "/signup", false, true),
    ("POST", "/login", false, true),
    ("POST", "/logout", false, false),
    ("POST", "/settings/sessions/revoke", false, true),
    ("POST", "/settings/sessions/revoke-others", false, true),
    ("POST", "/2fa", false, true),
    ("POST", "/forgot-password", false, true),
    ("POST", "/reset-password/", true, true),
    ("GET", "/reset-password/", true, true),
    ("POST", "/verify-email", false, true),
    ("POST", "/verify-email/resend", false, true),
    ("POST", "/settings/linked-accounts/unlink", false, true),
    ("POST", "/settings/linked-accounts/", true, true),
    ("POST", "/settings/2fa/enable", false, true),
    ("POST", "/settings/2fa/disable", false, true),
    ("GET", "/login/github/callback?", true, true),
    ("POST", "/login/", true, true),
    ("GET", "/login/", true, true),
];

/// Percent-encodes everything but unreserved characters (the segment stays one segment).
fn segment(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let [route, flags, rest @ ..] = data else {
        return;
    };
    let (method, path, takes_segment, may_sign_in) = ROUTES[usize::from(*route) % ROUTES.len()];
    let (uri, body) = if takes_segment {
        let (param, body) = match rest.iter().position(|&b| b == b'\n') {
            Some(at) => (&rest[..at], &rest[at + 1..]),
            None => (rest, &[][..]),
        };
        let param = if path.ends_with('?') {
            // A query string: kept as sent where it is a valid URI, else encoded.
            match std::str::from_utf8(param) {
                Ok(q) if q.bytes().all(|b| b.is_ascii_graphic() && b != b'#') => q.to_owned(),
                _ => segment(param),
            }
        } else {
            segment(param)
        };
        (format!("{path}{param}"), body)
    } else {
        (path.to_owned(), rest)
    };
    let fixture = fixture();
    let mut request = Request::builder()
        .method(Method::from_bytes(method.as_bytes()).unwrap())
        .uri(&uri)
        .header(HOST, "127.0.0.1:3000");
    if flags & 2 == 0 {
        request = request.header(ORIGIN, BASE);
    }
    request = request.header(
        CONTENT_TYPE,
        if flags & 4 == 0 {
            "application/x-www-form-urlencoded"
        } else {
            "application/json"
        },
    );
    if flags & 1 == 1 && may_sign_in {
        request = request.header(COOKIE, &fixture.cookie);
    }
    let Ok(mut request) = request.body(Body::from(body.to_vec())) else {
        return;
    };
    let client = SocketAddr::from(([127, 0, 0, flags >> 4], 40000));
    request.extensions_mut().insert(ConnectInfo(client));

    let (status, location, page) = fixture.runtime.block_on(async {
        let response = fixture.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let location = response
            .headers()
            .get(LOCATION)
            .map(|l| l.as_bytes().to_vec());
        let page = axum::body::to_bytes(response.into_body(), 1 << 22)
            .await
            .unwrap();
        (status, location, page)
    });
    let page = String::from_utf8_lossy(&page);
    assert!(
        !status.is_server_error(),
        "{method} {uri}: {status}\n{page}"
    );
    if let Some(location) = location {
        let ok = location.starts_with(b"/")
            && !location.starts_with(b"//")
            && !location.starts_with(b"/\\");
        assert!(
            ok,
            "{method} {uri}: redirect to {:?}",
            String::from_utf8_lossy(&location)
        );
    }
    assert!(
        !page.contains("<fuzz"),
        "{method} {uri}: reflected markup\n{page}"
    );
});
