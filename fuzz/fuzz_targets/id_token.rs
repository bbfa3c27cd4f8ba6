//! ID tokens (JWTs) against a fixed key set (RSA, P-256, Ed25519):
//! `lucia_oauth::oidc::verify_with_keys`, the same checks as sign-in without the fetching.
//!
//! Each input is verified twice: with HS256 off, and with HS256 on and a client secret.
//! Invariants: any bytes give claims or a typed error; accepted claims have the expected
//! issuer, audience and nonce; and nothing is accepted whose signed part (header and payload)
//! is not one of the fixture's genuinely signed tokens — no forgery, no `alg` confusion
//! (HS256 only where allowed, `none` never).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lucia_oauth::oidc::{Expect, JwkSet, verify_with_keys};
use lucia_oauth::provider::{IssuerCheck, Oidc};
use serde_json::Value;

struct Fixture {
    keys: JwkSet,
    oidc: Oidc,
    oidc_hs256: Oidc,
    signed: Vec<&'static str>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let oidc = Oidc {
            issuer: IssuerCheck::exact("https://id.test"),
            jwks_uri: "https://id.test/jwks".parse().unwrap(),
            allow_hs256: false,
        };
        Fixture {
            keys: serde_json::from_str(include_str!("fixture/jwks.json")).unwrap(),
            oidc_hs256: Oidc {
                allow_hs256: true,
                ..oidc.clone()
            },
            oidc,
            signed: include_str!("fixture/tokens.txt")
                .lines()
                .map(|token| token.rsplit_once('.').unwrap().0)
                .collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let fixture = fixture();
    for (oidc, secret) in [
        (&fixture.oidc, None),
        (&fixture.oidc_hs256, Some("client-secret")),
    ] {
        let expect = Expect {
            oidc,
            client_id: "app",
            client_secret: secret,
            nonce: Some("n"),
        };
        let Ok(claims) = verify_with_keys(token, &fixture.keys, expect) else {
            continue;
        };
        let signed = token
            .rsplit_once('.')
            .map(|(signed, _)| signed)
            .unwrap_or_default();
        assert!(
            fixture.signed.contains(&signed),
            "forged token accepted: {token:?}"
        );
        assert_eq!(claims.get("iss"), Some(&Value::from("https://id.test")));
        assert_eq!(claims.get("nonce"), Some(&Value::from("n")));
        let aud_ok = match claims.get("aud") {
            Some(Value::String(aud)) => aud == "app",
            Some(Value::Array(auds)) => auds.contains(&Value::from("app")),
            _ => false,
        };
        assert!(aud_ok, "{claims:?}");
        // Fixture tokens 5 and 6 are HS256 (client secret) and `none`.
        assert_ne!(signed, fixture.signed[6], "alg none accepted");
        if !oidc.allow_hs256 {
            assert_ne!(
                signed, fixture.signed[5],
                "HS256 accepted without the opt-in"
            );
        }
    }
});
