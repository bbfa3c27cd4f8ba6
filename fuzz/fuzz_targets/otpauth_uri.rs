//! `otpauth://` key URIs: `lucia::otp::KeyUri::parse`.
//!
//! Invariants: anything accepted is at most `MAX_URI_LEN` bytes; `to_uri` of an accepted URI
//! parses back to an equal key URI and is a fixed point (`to_uri(parse(to_uri(u))) ==
//! to_uri(u)`); the issuer and account never contain a colon or control characters.
#![no_main]

use libfuzzer_sys::fuzz_target;
use lucia::otp::{KeyUri, MAX_URI_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = KeyUri::parse(input) else {
        return;
    };
    assert!(input.len() <= MAX_URI_LEN);
    assert!(!uri.account().is_empty());
    for text in [Some(uri.account()), uri.issuer()].into_iter().flatten() {
        assert!(
            !text.contains(':') && !text.contains(char::is_control),
            "{text:?}"
        );
    }
    let written = uri.to_uri();
    let again = KeyUri::parse(&written).unwrap_or_else(|e| panic!("{written:?}: {e}"));
    assert_eq!(again, uri, "{written:?}");
    assert_eq!(again.to_uri(), written);
});
