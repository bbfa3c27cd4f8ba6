//! Origin check inputs: method, `Origin`, `Sec-Fetch-Site`, `Host` (each absent, present or
//! repeated) and the request target's authority, under four configurations.
//!
//! Input: byte 0 picks the method, byte 1 the configuration, then lines `o<Origin>`,
//! `h<Host>`, `s<Sec-Fetch-Site>`, `a<authority>` (other lines are ignored).
//!
//! Invariants: safe methods always pass; otherwise a request passes only with exactly one
//! `Sec-Fetch-Site: same-origin`, or with an `Origin` that is an allowed origin or — checked
//! with the `url` crate as an independent oracle — has the configured scheme, the request's
//! host and the request's port (or, where subdomains are allowed, a host under the allowed
//! parent). A cross-site origin never passes. `check` and `check_parts` agree.
#![no_main]

use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;
use lucia::origin::OriginCheck;
use url::Url;

#[derive(Debug, Default)]
struct Input<'a> {
    method: u8,
    config: u8,
    origin: Vec<&'a [u8]>,
    host: Vec<&'a [u8]>,
    sec_fetch_site: Vec<&'a [u8]>,
    authority: Option<&'a str>,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Option<Self> {
        let [method, config, rest @ ..] = data else {
            return None;
        };
        let mut input = Input {
            method: *method,
            config: *config,
            ..Input::default()
        };
        for line in rest.split(|&b| b == b'\n') {
            match line {
                [b'o', value @ ..] => input.origin.push(value),
                [b'h', value @ ..] => input.host.push(value),
                [b's', value @ ..] => input.sec_fetch_site.push(value),
                [b'a', value @ ..] => input.authority = std::str::from_utf8(value).ok(),
                _ => {}
            }
        }
        Some(input)
    }
}

const ALLOWED: &str = "https://trusted.example";
const PARENT: &str = "example.com";

fn checks() -> &'static [(OriginCheck, &'static str, bool); 4] {
    static CHECKS: OnceLock<[(OriginCheck, &'static str, bool); 4]> = OnceLock::new();
    CHECKS.get_or_init(|| {
        [
            (OriginCheck::default(), "https", false),
            (
                OriginCheck::builder().development(true).build().unwrap(),
                "http",
                false,
            ),
            (
                OriginCheck::builder()
                    .allow_origin(ALLOWED)
                    .build()
                    .unwrap(),
                "https",
                false,
            ),
            (
                OriginCheck::builder()
                    .allow_subdomains_of(PARENT)
                    .build()
                    .unwrap(),
                "https",
                true,
            ),
        ]
    })
}

/// `host[:port]` as the `url` crate reads it under `scheme`, with one trailing dot dropped
/// (DNS treats `a.com.` as `a.com`). Hosts the URL standard refuses (`a.0`, which it reads as
/// a bad IPv4 address) fall back to lowercase text with the scheme's default port: lucia may
/// accept them as names, which is harmless as long as it compares them exactly.
fn site(scheme: &str, authority: &str) -> (String, Option<u16>) {
    let default_port = match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    };
    let (host, port) = match Url::parse(&format!("{scheme}://{authority}/")) {
        Ok(url) if url.host_str().is_some() => (
            url.host_str().unwrap_or_default().to_owned(),
            url.port_or_known_default(),
        ),
        _ => match authority.rsplit_once(':') {
            Some((host, port)) if !port.contains(']') => (
                host.to_owned(),
                if port.is_empty() {
                    default_port
                } else {
                    port.parse().ok()
                },
            ),
            _ => (authority.to_owned(), default_port),
        },
    };
    let host = host.to_ascii_lowercase();
    (host.strip_suffix('.').unwrap_or(&host).to_owned(), port)
}

fn append(headers: &mut HeaderMap, name: &'static str, values: &[&[u8]]) {
    for value in values.iter().take(2) {
        if let Ok(value) = HeaderValue::from_bytes(value) {
            headers.append(HeaderName::from_static(name), value);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some(input) = Input::parse(data) else {
        return;
    };
    let method = match input.method % 8 {
        0 => Method::GET,
        1 => Method::HEAD,
        2 => Method::OPTIONS,
        3 => Method::TRACE,
        4 => Method::POST,
        5 => Method::PUT,
        6 => Method::DELETE,
        _ => Method::from_bytes(b"PROPPATCH").unwrap(),
    };
    let mut headers = HeaderMap::new();
    append(&mut headers, "origin", &input.origin);
    append(&mut headers, "host", &input.host);
    append(&mut headers, "sec-fetch-site", &input.sec_fetch_site);
    let (check, scheme, subdomains) = &checks()[usize::from(input.config % 4)];
    let authority = input.authority;

    let result = check.check_parts(&method, authority, &headers);
    if authority.is_none() {
        assert_eq!(result, check.check(&method, &headers));
    }
    let safe = matches!(input.method % 8, 0..=3);
    if safe {
        assert_eq!(result, Ok(()));
        return;
    }
    if result.is_err() {
        return;
    }
    let fetch_site: Vec<&[u8]> = headers
        .get_all("sec-fetch-site")
        .iter()
        .map(|v| v.as_bytes())
        .collect();
    if fetch_site == [b"same-origin"] {
        return;
    }
    let origins: Vec<&str> = headers
        .get_all("origin")
        .iter()
        .map(|v| v.to_str().expect("an accepted Origin is ASCII"))
        .collect();
    assert_eq!(
        origins.len(),
        1,
        "passed without exactly one Origin: {origins:?}"
    );
    let origin = origins[0];
    let (origin_scheme, origin_authority) = origin.split_once("://").expect("scheme://");
    let origin_scheme = origin_scheme.to_ascii_lowercase();
    let origin_site = site(&origin_scheme, origin_authority);
    if input.config % 4 == 2
        && site("https", "trusted.example") == origin_site
        && origin_scheme == "https"
    {
        return;
    }
    assert_eq!(
        &origin_scheme, scheme,
        "{origin:?} accepted under the scheme {scheme}"
    );
    let host = match authority {
        Some(authority) => authority.to_owned(),
        None => {
            let hosts: Vec<&HeaderValue> = headers.get_all("host").iter().collect();
            assert_eq!(hosts.len(), 1, "passed without exactly one Host");
            hosts[0]
                .to_str()
                .expect("an accepted Host is ASCII")
                .to_owned()
        }
    };
    let request_site = site(scheme, &host);
    if origin_site == request_site {
        return;
    }
    assert!(
        *subdomains,
        "cross-origin {origin:?} accepted for host {host:?}"
    );
    assert_eq!(
        origin_site.1, request_site.1,
        "{origin:?} on another port than {host:?}"
    );
    assert!(
        origin_site.0 == PARENT || origin_site.0.ends_with(&format!(".{PARENT}")),
        "{origin:?} is not under {PARENT}"
    );
});
