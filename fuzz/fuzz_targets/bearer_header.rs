//! `Authorization` request headers: `lucia::headers::read_bearer_token`, on one or two header
//! fields split from the input at `\n`.
//!
//! Invariants: a token is read only from a single `Authorization` header whose trimmed value
//! is `Bearer` (any case), one or more spaces and exactly the token; the token never contains
//! whitespace, `,`, `;` or `"`; `Bearer <token>` reads back as the same token.
#![no_main]

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use lucia::SessionToken;
use lucia::headers::read_bearer_token;

fuzz_target!(|data: &[u8]| {
    let mut headers = HeaderMap::new();
    for line in data.split(|&b| b == b'\n').take(2) {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            headers.append(AUTHORIZATION, value);
        }
    }
    let Some(token) = read_bearer_token(&headers) else {
        return;
    };
    let secret = token.expose_secret();
    assert!(
        !secret.contains(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '"' | '=')),
        "{secret:?}"
    );
    assert_eq!(headers.get_all(AUTHORIZATION).iter().count(), 1);
    let value = headers[AUTHORIZATION].to_str().unwrap();
    let value = value.trim_matches([' ', '\t']);
    assert!(value.len() > 7, "{value:?}");
    assert!(value[..6].eq_ignore_ascii_case("bearer"), "{value:?}");
    assert_eq!(value[6..].trim_start_matches(' '), secret, "{value:?}");
    assert!(value[6..].starts_with(' '), "{value:?}");
    assert_eq!(SessionToken::parse(secret).as_ref(), Some(&token));

    let mut again = HeaderMap::new();
    again.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {secret}")).unwrap(),
    );
    assert_eq!(read_bearer_token(&again).as_ref(), Some(&token));
});
