//! OAuth callbacks: the query string or form body (`lucia_oauth::callback::Callback::parse`)
//! and the flow cookie (`Flow::from_cookie_value`, `Flow::from_headers`), then `Flow::check`.
//!
//! The input is split at the first `\n`: the callback parameters, then the flow cookie value.
//! Invariants: a parsed callback re-encoded with `form_urlencoded` parses back equal; a flow
//! read from a cookie value is the same through its own `Set-Cookie` and a `Cookie` header;
//! `check` returns the callback's code only when the provider, age and `state` all match.
#![no_main]

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;
use lucia::time::OffsetDateTime;
use lucia_oauth::callback::{Callback, FLOW_COOKIE, FLOW_LIFETIME, Flow};

fn encode(cb: &Callback) -> String {
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    let fields = [
        ("code", &cb.code),
        ("state", &cb.state),
        ("error", &cb.error),
        ("error_description", &cb.error_description),
        ("error_uri", &cb.error_uri),
        ("iss", &cb.iss),
        ("user", &cb.user),
    ];
    for (name, value) in fields {
        if let Some(value) = value {
            out.append_pair(name, value);
        }
    }
    out.finish()
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (params, cookie) = input.split_once('\n').unwrap_or((input, ""));
    let callback = Callback::parse(params);
    assert_eq!(Callback::parse(&encode(&callback)), callback);

    let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
    let fixed = Flow {
        provider_id: "github".into(),
        state: "state-123".into(),
        code_verifier: Some("verifier".into()),
        nonce: None,
        started_at: now.unix_timestamp() - 60,
        form_post: false,
    };
    let flow = match Flow::from_cookie_value(cookie) {
        Some(flow) => {
            let set = flow.cookie(false);
            assert_eq!(set.name(), FLOW_COOKIE);
            assert_eq!(Flow::from_cookie_value(set.value()).as_ref(), Some(&flow));
            let mut headers = HeaderMap::new();
            let header = format!("a=b; {}", set.stripped());
            headers.insert(COOKIE, HeaderValue::from_str(&header).unwrap());
            assert_eq!(Flow::from_headers(&headers).ok().as_ref(), Some(&flow));
            flow
        }
        None => fixed,
    };
    // The cookie as a raw header value, too (it may hold anything a header can).
    if let Ok(value) = HeaderValue::from_str(&format!("{FLOW_COOKIE}={cookie}")) {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, value);
        let _ = Flow::from_headers(&headers);
    }

    for provider in ["github", flow.provider_id.as_str()] {
        if let Ok(code) = flow.check(provider, &callback, now) {
            assert_eq!(Some(code), callback.code.as_deref());
            assert_eq!(provider, flow.provider_id);
            assert_eq!(callback.state.as_deref(), Some(flow.state.as_str()));
            assert!(callback.error.is_none());
            assert!(
                now.unix_timestamp().saturating_sub(flow.started_at)
                    <= FLOW_LIFETIME.whole_seconds()
            );
        }
    }
});
