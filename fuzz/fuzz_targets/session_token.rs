//! Session tokens as clients send them: `SessionToken::parse` and `Lucia::validate_session`.
//!
//! Invariants: a parsed token re-serialises to exactly the input, its parts are 1 to 128
//! characters of `A-Z a-z 0-9 - _` (checked against an independent predicate, both ways);
//! `Display` never shows the secret part; validation of any input against a store holding one
//! session is `Ok`, and valid only for that session's exact token.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use lucia::{Lucia, MemoryStore, NewUser, SessionToken};

/// The longest id or secret, as `SessionToken::parse` documents it.
const MAX_PART_LEN: usize = 128;

struct Fixture {
    lucia: Lucia<MemoryStore<String, ()>>,
    token: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        pollster::block_on(async {
            let lucia = Lucia::new(MemoryStore::<String, ()>::new());
            let user = lucia
                .create_user(NewUser::new("ada".to_owned()))
                .await
                .unwrap();
            let (_, token) = lucia.create_session(&user.id, ()).await.unwrap();
            Fixture {
                lucia,
                token: token.expose_secret().to_owned(),
            }
        })
    })
}

/// The token grammar, written independently of the parser.
fn well_formed(input: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && p.len() <= MAX_PART_LEN
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    let parts: Vec<&str> = input.split('.').collect();
    parts.len() == 2 && part(parts[0]) && part(parts[1])
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = SessionToken::parse(input);
    assert_eq!(parsed.is_some(), well_formed(input), "{input:?}");
    if let Some(token) = &parsed {
        assert_eq!(token.expose_secret(), input);
        assert_eq!(format!("{}.{}", token.id(), token.secret()), input);
        assert_eq!(format!("{token}"), format!("{}.<redacted>", token.id()));
        assert!(format!("{token:?}").contains("<redacted>"));
        assert_eq!(
            SessionToken::parse(token.expose_secret()).as_ref(),
            Some(token)
        );
        assert!(token.secret_hash().matches(token.secret()));
    }
    let fixture = fixture();
    let validation = pollster::block_on(fixture.lucia.validate_session(input))
        .expect("validating any string against the memory store is Ok");
    assert_eq!(validation.is_valid(), input == fixture.token, "{input:?}");
});
