//! Reading credentials from request headers: the `Authorization: Bearer` token and the values
//! of a named cookie in the `Cookie` header(s).
//!
//! Both readers take an [`http::HeaderMap`] and never panic, whatever bytes a client sends:
//! anything malformed reads as "no credential" (`None` or an empty iterator). A missing or
//! mangled credential is an unauthenticated request, not an error.
//!
//! # The `Cookie` header parser
//!
//! [`cookie_values`] is the one parser lucia uses for the request `Cookie` header
//! ([RFC 6265 §4.2](https://www.rfc-editor.org/rfc/rfc6265#section-4.2), parsed leniently in
//! the spirit of §5.4 and RFC 6265bis):
//!
//! - Every `Cookie` header is read, in order (HTTP/2 clients may split cookies over several
//!   header fields).
//! - Each header is split on `;`; spaces and tabs around every pair, name and value are trimmed.
//! - A pair is split at its **first** `=`: everything after it is the value, so a value that
//!   itself contains `=` (base64 padding, say) is kept whole.
//! - A pair without any `=` (a "nameless cookie") is skipped: it can never match a name.
//! - Names are compared exactly (cookie names are case-sensitive).
//! - One pair of surrounding double quotes is removed from a value (`name="value"` yields
//!   `value`), as the RFC 6265 grammar makes them delimiters.
//! - The parser works on bytes, so one cookie whose value is not UTF-8 (another application's
//!   cookie, or junk) does not hide the others: only a matching value that is not valid UTF-8 is
//!   skipped.
//! - Every occurrence of the name is yielded, in header order; choosing among duplicates is the
//!   caller's business (see [`SessionCookie::read`](crate::cookie::SessionCookie::read)).

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

use crate::token::SessionToken;

/// Reads the session token from an `Authorization: Bearer <token>` header.
///
/// The scheme is matched case-insensitively and must be followed by one or more spaces and
/// exactly one token that [`SessionToken::parse`] accepts. Returns `None` when there is no
/// `Authorization` header, when there are several, when the scheme is not `Bearer`, when the
/// token is empty, when anything follows the token (a second token, a comma, a parameter) or
/// when the header is not visible ASCII. Leading and trailing spaces or tabs around the whole
/// header value are ignored, as HTTP parsers strip them anyway.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::AUTHORIZATION};
/// use lucia::headers::read_bearer_token;
///
/// let mut headers = HeaderMap::new();
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc.def"));
/// let token = read_bearer_token(&headers).expect("a bearer token");
/// assert_eq!(token.expose_secret(), "abc.def");
///
/// headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic YWxhZGRpbjpvcGVuc2VzYW1l"));
/// assert!(read_bearer_token(&headers).is_none());
/// ```
pub fn read_bearer_token(headers: &HeaderMap) -> Option<SessionToken> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let value = value.to_str().ok()?.trim_matches(is_ows);
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    // RFC 7235: `credentials = auth-scheme [ 1*SP ( token68 / ... ) ]`. Anything after the
    // token (spaces, commas, a second token) makes `SessionToken::parse` fail, as its
    // alphabet has no separators.
    SessionToken::parse(token.trim_start_matches(' '))
}

/// The values of every cookie called `name` in the request's `Cookie` header(s), in order.
///
/// See the [module documentation](self) for exactly how the header is parsed. An empty `name`
/// matches nothing. Never panics, whatever the header holds.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::COOKIE};
/// use lucia::headers::cookie_values;
///
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("theme=dark; sid=a=b=; sid=\"second\""));
/// headers.append(COOKIE, HeaderValue::from_static("lang=en;sid=third"));
/// let sids: Vec<&str> = cookie_values(&headers, "sid").collect();
/// assert_eq!(sids, ["a=b=", "second", "third"]);
/// assert_eq!(cookie_values(&headers, "missing").count(), 0);
/// ```
pub fn cookie_values<'a>(headers: &'a HeaderMap, name: &str) -> impl Iterator<Item = &'a str> {
    let name = name.as_bytes();
    headers
        .get_all(COOKIE)
        .iter()
        .filter(move |_| !name.is_empty())
        .flat_map(move |header| {
            header
                .as_bytes()
                .split(|&b| b == b';')
                .filter_map(move |pair| cookie_value(pair, name))
        })
}

/// The value of one `name=value` pair if its name is `name`.
fn cookie_value<'a>(pair: &'a [u8], name: &[u8]) -> Option<&'a str> {
    let eq = pair.iter().position(|&b| b == b'=')?;
    let (pair_name, value) = (&pair[..eq], &pair[eq + 1..]);
    if trim_ows_bytes(pair_name) != name {
        return None;
    }
    let value = trim_ows_bytes(value);
    let value = match value {
        [b'"', inner @ .., b'"'] => inner,
        _ => value,
    };
    std::str::from_utf8(value).ok()
}

/// Optional whitespace (RFC 9110 §5.6.3): space or horizontal tab.
fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn trim_ows_bytes(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // Tests may unwrap.
mod tests {
    use super::*;
    use http::HeaderValue;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn cookies(values: &[&[u8]]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(COOKIE, HeaderValue::from_bytes(value).unwrap());
        }
        headers
    }

    fn values<'a>(headers: &'a HeaderMap, name: &str) -> Vec<&'a str> {
        cookie_values(headers, name).collect()
    }

    fn bearer(values: &[&[u8]]) -> Option<String> {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(AUTHORIZATION, HeaderValue::from_bytes(value).unwrap());
        }
        read_bearer_token(&headers).map(|t| t.expose_secret().to_owned())
    }

    #[test]
    fn plain_pairs() {
        let headers = cookies(&[b"a=1; b=2; c=3"]);
        assert_eq!(values(&headers, "a"), ["1"]);
        assert_eq!(values(&headers, "b"), ["2"]);
        assert_eq!(values(&headers, "c"), ["3"]);
        assert!(values(&headers, "d").is_empty());
    }

    #[test]
    fn no_cookie_header_or_empty_header() {
        assert!(values(&HeaderMap::new(), "a").is_empty());
        assert!(values(&cookies(&[b""]), "a").is_empty());
        assert!(values(&cookies(&[b";;;"]), "a").is_empty());
        assert!(values(&cookies(&[b"   "]), "a").is_empty());
        assert!(values(&cookies(&[b"="]), "a").is_empty());
    }

    #[test]
    fn empty_name_matches_nothing() {
        let headers = cookies(&[b"=nameless; a=1; noequals"]);
        assert!(values(&headers, "").is_empty());
    }

    #[test]
    fn values_containing_equals_are_not_truncated() {
        let headers = cookies(&[b"a=b=c==; d==x"]);
        assert_eq!(values(&headers, "a"), ["b=c=="]);
        assert_eq!(values(&headers, "d"), ["=x"]);
    }

    #[test]
    fn whitespace_around_separators_and_names() {
        let headers = cookies(&[b"  a = 1 ;b=2;\tc\t=\t3\t;  d=4  "]);
        assert_eq!(values(&headers, "a"), ["1"]);
        assert_eq!(values(&headers, "b"), ["2"]);
        assert_eq!(values(&headers, "c"), ["3"]);
        assert_eq!(values(&headers, "d"), ["4"]);
    }

    #[test]
    fn quoted_values_lose_one_pair_of_quotes() {
        let headers = cookies(&[b"a=\"1\"; b=\"\"; c=\"; d=\"\"x\"\"; e=\"x"]);
        assert_eq!(values(&headers, "a"), ["1"]);
        assert_eq!(values(&headers, "b"), [""]);
        assert_eq!(values(&headers, "c"), ["\""]);
        assert_eq!(values(&headers, "d"), ["\"x\""]);
        assert_eq!(values(&headers, "e"), ["\"x"]);
    }

    #[test]
    fn cookies_without_equals_are_skipped() {
        let headers = cookies(&[b"a; b=2; a"]);
        assert!(values(&headers, "a").is_empty());
        assert_eq!(values(&headers, "b"), ["2"]);
    }

    #[test]
    fn names_are_case_sensitive_and_exact() {
        let headers = cookies(&[b"Session=1; session=2; sessionx=3; xsession=4"]);
        assert_eq!(values(&headers, "session"), ["2"]);
        assert_eq!(values(&headers, "Session"), ["1"]);
    }

    #[test]
    fn duplicates_and_multiple_headers_in_order() {
        let headers = cookies(&[b"a=1; b=x; a=2", b"a=3", b"c=4;a=5"]);
        assert_eq!(values(&headers, "a"), ["1", "2", "3", "5"]);
    }

    #[test]
    fn invalid_utf8_only_hides_the_bad_value() {
        let headers = cookies(&[b"other=\xff\xfe; a=1; a=\xc3\x28; b=\xc3\xa9"]);
        assert_eq!(values(&headers, "a"), ["1"]);
        assert_eq!(values(&headers, "b"), ["\u{e9}"]);
        let headers = cookies(&[b"\xff=1; a=\x80", b"a=2"]);
        assert_eq!(values(&headers, "a"), ["2"]);
    }

    #[test]
    fn large_values_are_returned_whole() {
        let big = "v".repeat(8 * 1024);
        let header = format!("x={big}; a={big}=");
        let headers = cookies(&[header.as_bytes()]);
        assert_eq!(values(&headers, "a"), [format!("{big}=")]);
    }

    #[test]
    fn bearer_accepts_one_token_with_any_scheme_case() {
        assert_eq!(bearer(&[b"Bearer abc.def"]).as_deref(), Some("abc.def"));
        assert_eq!(bearer(&[b"bearer abc.def"]).as_deref(), Some("abc.def"));
        assert_eq!(bearer(&[b"BEARER abc.def"]).as_deref(), Some("abc.def"));
        assert_eq!(bearer(&[b"Bearer   abc.def"]).as_deref(), Some("abc.def"));
        assert_eq!(bearer(&[b"Bearer abc.def  "]).as_deref(), Some("abc.def"));
    }

    #[test]
    fn bearer_rejects_anything_odd() {
        let long = format!("Bearer {}.x", "a".repeat(8 * 1024));
        let cases: &[&[u8]] = &[
            b"",
            b"Bearer",
            b"Bearer ",
            b"Bearer  ",
            b"Bearerabc.def",
            b"Bearer\tabc.def",
            b"Bearer abc.def ghi.jkl",
            b"Bearer abc.def,ghi.jkl",
            b"Bearer abc.def, ghi.jkl",
            b"Bearer abc.def\tx",
            b"Bearer abc .def",
            b"Bearer abc.def;",
            b"Bearer \"abc.def\"",
            b"Bearer abcdef",
            b"Bearer abc.def.ghi",
            b"Bearer abc..def",
            b"Bearer abc.def=",
            b"Bearer abc.d\xc3\xa9f",
            b"Bearer abc.\xff",
            b"Basic abc.def",
            b"Token abc.def",
            b"Bearer, abc.def",
            b"abc.def",
            long.as_bytes(),
        ];
        for case in cases {
            assert_eq!(bearer(&[case]), None, "{:?}", String::from_utf8_lossy(case));
        }
    }

    #[test]
    fn bearer_rejects_multiple_authorization_headers() {
        assert_eq!(bearer(&[b"Bearer abc.def", b"Bearer abc.def"]), None);
        assert_eq!(bearer(&[b"Bearer abc.def", b"Basic x"]), None);
        assert_eq!(bearer(&[]), None);
    }
}
