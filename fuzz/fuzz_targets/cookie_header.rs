//! `Cookie` request headers: `lucia::headers::cookie_values` and the session cookie lookup
//! `SessionCookie::read`, on one to four header fields split from the input at `\n`.
//!
//! Invariants: every value yielded is a slice of one of the headers without `;`, nothing
//! matches an empty name; `SessionCookie::read` is the first yielded value that parses as a
//! token; a token found survives being put back in a header after other cookies; and the
//! `Set-Cookie` the core builds for it parses back (core parser and `cookie` crate) to it.
#![no_main]

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use lucia::SessionToken;
use lucia::cookie::{Cookie, SessionCookie};
use lucia::headers::cookie_values;
use lucia::time::{Duration, OffsetDateTime};

fn headers(data: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n').take(4) {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(COOKIE, value);
        }
    }
    headers
}

fuzz_target!(|data: &[u8]| {
    let headers = headers(data);
    let raw: Vec<&[u8]> = headers
        .get_all(COOKIE)
        .iter()
        .map(HeaderValue::as_bytes)
        .collect();
    let session = SessionCookie::default();
    for name in [session.name(), "a", "x y"] {
        for value in cookie_values(&headers, name) {
            assert!(!value.contains(';'), "{value:?}");
            let inside = raw.iter().any(|header| {
                let range = header.as_ptr_range();
                let start = value.as_ptr();
                range.start <= start && start as usize + value.len() <= range.end as usize
            });
            assert!(inside, "{value:?} is not a slice of a header");
        }
    }
    assert_eq!(cookie_values(&headers, "").count(), 0);

    let read = session.read(&headers);
    let first = cookie_values(&headers, session.name()).find_map(SessionToken::parse);
    assert_eq!(read, first);
    let Some(token) = read else { return };

    // Put back after other cookies, it is found again.
    let mut again = HeaderMap::new();
    let header = format!("x=1; {}={}; y=2", session.name(), token.expose_secret());
    again.append(COOKIE, HeaderValue::from_str(&header).unwrap());
    assert_eq!(session.read(&again).as_ref(), Some(&token));

    // The Set-Cookie built for it parses back to it.
    let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    let set = session
        .session_cookie(&token, now + Duration::days(1), now)
        .to_string();
    let parsed = Cookie::parse(set.as_str()).unwrap();
    assert_eq!(parsed.name(), session.name());
    assert_eq!(parsed.value(), token.expose_secret());
    assert_eq!(parsed.http_only(), Some(true));
    let pair = set.split(';').next().unwrap();
    let mut back = HeaderMap::new();
    back.append(COOKIE, HeaderValue::from_str(pair).unwrap());
    assert_eq!(session.read(&back).as_ref(), Some(&token));
});
