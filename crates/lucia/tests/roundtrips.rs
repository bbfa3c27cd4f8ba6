//! Property tests of the core's round trips: session token ⇄ string, session cookie build ⇄
//! parse (by the core's `Cookie` header parser and by the `cookie` crate), OTP secrets ⇄
//! base32, and password hashes ⇄ PHC strings (with mutated PHC strings giving typed errors).
//! Native only: proptest does not run on wasm32.
#![forbid(unsafe_code)]
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)]

use http::header::COOKIE;
use http::{HeaderMap, HeaderValue};
use lucia::cookie::{Cookie, CookiePrefix, SameSite, SessionCookie};
use lucia::headers::{cookie_values, read_bearer_token};
use lucia::otp::{MAX_SECRET_BYTES, MIN_SECRET_BYTES, Secret, SecretError};
use lucia::password::{Argon2id, PasswordHasher, PasswordVerification};
use lucia::time::{Duration, OffsetDateTime};
use lucia::{Error, SecretHash, SessionToken};
use proptest::prelude::*;

/// A token part as `SessionToken::parse` documents it: 1 to 128 of `A-Z a-z 0-9 - _`.
const PART: &str = "[A-Za-z0-9_-]{1,128}";

fn token() -> impl Strategy<Value = String> {
    (PART, PART).prop_map(|(id, secret)| format!("{id}.{secret}"))
}

fn header(name: http::HeaderName, value: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.append(name, HeaderValue::from_str(value).unwrap());
    headers
}

proptest! {
    #[test]
    fn a_well_formed_token_round_trips(input in token()) {
        let token = SessionToken::parse(&input).unwrap();
        prop_assert_eq!(token.expose_secret(), input.as_str());
        let (id, secret) = input.split_once('.').unwrap();
        prop_assert_eq!(token.id(), id);
        prop_assert_eq!(token.secret(), secret);
        prop_assert_eq!(token.secret_hash(), SecretHash::of(secret));
        prop_assert_eq!(SessionToken::parse(token.expose_secret()), Some(token.clone()));
        // The same token through the Authorization header.
        let bearer = read_bearer_token(&header(http::header::AUTHORIZATION, &format!("Bearer {input}")));
        prop_assert_eq!(bearer, Some(token));
    }

    #[test]
    fn any_string_parses_only_when_it_is_a_token(input in "\\PC{0,40}|[a-z.]{0,12}") {
        let well_formed = match input.split_once('.') {
            Some((id, secret)) => [id, secret].iter().all(|part| {
                (1..=128).contains(&part.len())
                    && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }),
            None => false,
        };
        let parsed = SessionToken::parse(&input);
        prop_assert_eq!(parsed.is_some(), well_formed);
        if let Some(token) = parsed {
            prop_assert_eq!(token.expose_secret(), input.as_str());
        }
    }

    #[test]
    fn secret_hashes_round_trip_through_hex_and_bytes(bytes in prop::array::uniform32(any::<u8>())) {
        let hash = SecretHash::from_bytes(bytes);
        prop_assert_eq!(SecretHash::from_hex(&hash.to_hex()), Some(hash));
        prop_assert_eq!(SecretHash::from_hex(&hash.to_hex().to_uppercase()), Some(hash));
        prop_assert_eq!(SecretHash::from_slice(hash.as_bytes()), Some(hash));
    }

    #[test]
    fn the_session_cookie_parses_back(
        input in token(),
        name in "[a-z][a-z0-9_]{0,15}",
        prefix in 0..3u8,
        same_site in 0..3u8,
        secure in any::<bool>(),
        lifetime in -100_000i64..100_000_000,
    ) {
        let same_site = [SameSite::Lax, SameSite::Strict, SameSite::None][usize::from(same_site)];
        let prefix = [CookiePrefix::None, CookiePrefix::Host, CookiePrefix::Secure][usize::from(prefix)];
        let config = SessionCookie::builder().name(name.clone()).prefix(prefix).same_site(same_site).secure(secure).build();
        // Some combinations are refused by design (a prefix or SameSite=None without Secure).
        prop_assume!(config.is_ok());
        let config = config.unwrap();
        let token = SessionToken::parse(&input).unwrap();
        let now = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        let set_cookie = config.session_cookie(&token, now + Duration::seconds(lifetime), now).to_string();

        // The `cookie` crate reads back every attribute.
        let parsed = Cookie::parse(set_cookie.as_str()).unwrap();
        prop_assert_eq!(parsed.name(), config.name());
        prop_assert!(parsed.name().ends_with(name.as_str()));
        prop_assert_eq!(parsed.value(), input.as_str());
        prop_assert_eq!(parsed.http_only(), Some(true));
        prop_assert_eq!(parsed.same_site(), Some(same_site));
        prop_assert_eq!(parsed.secure().unwrap_or(false), config.is_secure());
        prop_assert_eq!(parsed.path(), Some("/"));
        prop_assert_eq!(parsed.max_age(), Some(Duration::seconds(lifetime.clamp(0, 400 * 86_400))));

        // The browser sends back `name=value`; the core finds the token in it, among others.
        let pair = set_cookie.split(';').next().unwrap();
        let headers = header(COOKIE, &format!("theme=dark; {pair}; other=x"));
        prop_assert_eq!(config.read(&headers), Some(token));
        prop_assert!(config.read(&header(COOKIE, &config.blank_cookie().stripped().to_string())).is_none());
    }

    #[test]
    fn cookies_written_by_the_cookie_crate_are_read_by_the_core(
        pairs in prop::collection::vec(("[A-Za-z0-9_]{1,12}", "[!#-+\\--:<-\\[\\]-~]{0,24}"), 1..6),
    ) {
        let header_value = pairs
            .iter()
            .map(|(name, value)| Cookie::new(name.as_str(), value.as_str()).to_string())
            .collect::<Vec<_>>()
            .join("; ");
        let headers = header(COOKIE, &header_value);
        for (name, _) in &pairs {
            let expected: Vec<&str> = pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect();
            let got: Vec<&str> = cookie_values(&headers, name).collect();
            prop_assert_eq!(got, expected);
        }
        // And the `cookie` crate agrees on the split.
        let split: Vec<(String, String)> = Cookie::split_parse(header_value.as_str())
            .map(|c| { let c = c.unwrap(); (c.name().to_owned(), c.value().to_owned()) })
            .collect();
        prop_assert_eq!(split, pairs);
    }

    #[test]
    fn otp_secrets_round_trip_through_base32(bytes in prop::collection::vec(any::<u8>(), MIN_SECRET_BYTES..=MAX_SECRET_BYTES)) {
        let secret = Secret::from_bytes(&bytes).unwrap();
        let base32 = secret.expose_base32();
        prop_assert!(base32.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        prop_assert_eq!(Secret::from_base32(&base32).unwrap().expose_bytes().to_vec(), bytes.clone());
        // As people type it: lowercase, in groups of four, with padding.
        let grouped = base32.to_lowercase().as_bytes().chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap()).collect::<Vec<_>>().join(" ");
        prop_assert_eq!(Secret::from_base32(&grouped).unwrap().expose_bytes().to_vec(), bytes.clone());
        let padded = format!("{base32}{}", "=".repeat((8 - base32.len() % 8) % 8));
        prop_assert_eq!(Secret::from_base32(&padded).unwrap().expose_bytes().to_vec(), bytes.clone());
    }

    #[test]
    fn any_base32_input_is_a_secret_or_a_typed_error(input in "[A-Za-z2-7= 0-9!]{0,260}") {
        match Secret::from_base32(&input) {
            Ok(secret) => {
                // Canonical: encoding again gives the input without spaces, padding or case.
                let canonical: String = input.chars().filter(|c| *c != ' ' && *c != '=').collect();
                prop_assert_eq!(secret.expose_base32(), canonical.to_uppercase());
            }
            Err(SecretError::Base32 | SecretError::TooShort(_) | SecretError::TooLong(_)) => {}
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
}

proptest! {
    // Argon2 at the cheapest parameters (8 KiB, 1 pass, 1 lane), explicitly for this test.
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn a_password_hash_is_a_phc_string_that_verifies(password in "\\PC{0,64}") {
        let hasher = Argon2id::insecure_for_tests();
        let hash = hasher.hash(&password).unwrap();
        let phc = password_hash::PasswordHash::new(&hash).unwrap();
        prop_assert_eq!(phc.algorithm.as_str(), "argon2id");
        prop_assert_eq!(phc.version, Some(19));
        prop_assert_eq!(phc.salt.map(|s| s.len()), Some(22)); // 16 bytes in B64
        prop_assert_eq!(phc.hash.map(|h| h.len()), Some(Argon2id::OUTPUT_LEN));
        prop_assert_eq!(hasher.verify(&hash, &password).unwrap(), PasswordVerification::Valid { needs_rehash: false });
        prop_assert_eq!(hasher.verify(&hash, &format!("{password}x")).unwrap(), PasswordVerification::Invalid);
    }

    #[test]
    fn a_mutated_phc_string_is_invalid_or_a_typed_error(
        at in any::<prop::sample::Index>(),
        mutation in 0..3u8,
        byte in prop::sample::select(b"$=,.0123456789abcdefmptvAZ+/-\0\xff".to_vec()),
    ) {
        let hasher = Argon2id::insecure_for_tests();
        let hash = hasher.hash("correct horse").unwrap();
        let mut bytes = hash.clone().into_bytes();
        let i = at.index(bytes.len());
        match mutation {
            0 => bytes[i] = byte,
            1 => bytes.insert(i, byte),
            _ => bytes.truncate(i),
        }
        let Ok(mutated) = String::from_utf8(bytes) else { return Ok(()) };
        match hasher.verify(&mutated, "correct horse") {
            Ok(PasswordVerification::Invalid) | Err(Error::UnsupportedHash) => {}
            // Equivalent spellings (a changed character of a salt's last digit's unused bits,
            // say) may still verify, but only for the right password.
            Ok(PasswordVerification::Valid { .. }) => {
                prop_assert_eq!(hasher.verify(&mutated, "wrong horse").unwrap(), PasswordVerification::Invalid);
            }
            Err(other) => prop_assert!(false, "{mutated:?}: unexpected error {other:?}"),
        }
    }

    #[test]
    fn any_stored_hash_string_is_checked_without_panic(
        prefix in prop::sample::select(vec!["", "$argon2id$", "$argon2id$v=19$m=8,t=1,p=1$", "$scrypt$", "$2b$04$", "s2:", "$"]),
        rest in "\\PC{0,80}",
    ) {
        let stored = format!("{prefix}{rest}");
        match Argon2id::insecure_for_tests().verify(&stored, "password") {
            Ok(PasswordVerification::Invalid) | Err(Error::UnsupportedHash) => {}
            other => prop_assert!(false, "{stored:?}: {other:?}"),
        }
    }
}
