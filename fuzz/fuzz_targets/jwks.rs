//! JWKS documents: any bytes deserialised as a JSON Web Key Set, then every fixture token
//! verified against it with `lucia_oauth::oidc::verify_with_keys` (key selection by `kid`,
//! type and algorithm, and the key material itself: RSA moduli, curve points, OKP keys).
//!
//! Invariants: any document gives claims or a typed error, never a panic; the HS256 and
//! `none` tokens never verify against a key set (an `oct` key is never used, HS256 only ever
//! uses the client secret); a token verifies only if the set has a key with its `kid` (or,
//! for a token without `kid`, exactly one usable key).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lucia_oauth::oidc::{Expect, JwkSet, verify_with_keys};
use lucia_oauth::provider::{IssuerCheck, Oidc};

fn oidc() -> &'static Oidc {
    static OIDC: OnceLock<Oidc> = OnceLock::new();
    OIDC.get_or_init(|| Oidc {
        issuer: IssuerCheck::exact("https://id.test"),
        jwks_uri: "https://id.test/jwks".parse().unwrap(),
        allow_hs256: false,
    })
}

fn tokens() -> Vec<&'static str> {
    include_str!("fixture/tokens.txt").lines().collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(keys) = serde_json::from_slice::<JwkSet>(data) else {
        return;
    };
    let oidc = oidc();
    for (index, token) in tokens().into_iter().enumerate() {
        let expect = Expect {
            oidc,
            client_id: "app",
            client_secret: None,
            nonce: Some("n"),
        };
        let Ok(_claims) = verify_with_keys(token, &keys, expect) else {
            continue;
        };
        // Tokens 5 and 6 are HS256 (client secret) and `none`.
        assert!(
            index != 5 && index != 6,
            "token {index} verified against {keys:?}"
        );
        let header: serde_json::Value = {
            let header = token.split('.').next().unwrap();
            let json = data_encoding_free_base64url(header);
            serde_json::from_slice(&json).unwrap()
        };
        match header.get("kid").and_then(|k| k.as_str()) {
            Some(kid) => assert!(
                keys.keys
                    .iter()
                    .any(|k| k.common.key_id.as_deref() == Some(kid)),
                "token {index} verified without a key {kid:?}"
            ),
            None => assert!(!keys.keys.is_empty()),
        }
    }
});

/// Base64url without padding, decoded without another dependency.
fn data_encoding_free_base64url(input: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' => 62,
        _ => 63,
    };
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in input.bytes() {
        acc = (acc << 6) | u32::from(value(c));
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}
