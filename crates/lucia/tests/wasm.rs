//! The core on WebAssembly: run with
//! `cargo test -p lucia --target wasm32-unknown-unknown --features conformance --test wasm`
//! and `wasm-bindgen-test-runner` (Node.js) as the target's runner (see `scripts/wasm-test.sh`).
//! Natively this file is empty: the same behaviours run in the other test files.
#![forbid(unsafe_code)]
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#![allow(clippy::unwrap_used)]

use lucia::conformance::{
    TestSession, TestUser, run_auth_store, run_session_store, run_throttle_backend,
    run_token_store, run_two_factor_store,
};
use lucia::password::{Argon2id, PasswordHasher, PasswordVerification};
use lucia::{Lucia, MemoryStore, NewKey, NewUser, SessionToken};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn the_conformance_suites_pass_on_the_memory_store() {
    let store =
        MemoryStore::<TestUser, TestSession>::new().unique("email", |u| Some(u.email.clone()));
    run_auth_store(&store).await;
    run_session_store(&MemoryStore::<(), TestSession>::new()).await;
    run_token_store(&MemoryStore::<TestUser, ()>::new()).await;
    run_two_factor_store(&MemoryStore::<TestUser, ()>::new()).await;
    run_throttle_backend(&lucia::throttle::MemoryThrottle::new()).await;
}

#[wasm_bindgen_test]
async fn sign_up_sign_in_and_validate_with_js_randomness_and_clock() {
    let lucia =
        Lucia::new(MemoryStore::<String, ()>::new()).with_hasher(Argon2id::insecure_for_tests());
    let user = lucia
        .create_user(
            NewUser::new("ada@example.com".to_owned()).key(
                NewKey::new("email", "ada@example.com")
                    .unwrap()
                    .password("correct horse battery"),
            ),
        )
        .await
        .unwrap();
    let key = lucia
        .use_key("email", "ada@example.com", Some("correct horse battery"))
        .await
        .unwrap();
    assert_eq!(key.user_id, user.id);
    let (_, token) = lucia.create_session(&user.id, ()).await.unwrap();
    assert!(
        lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    assert!(lucia.now().year() >= 2024, "time comes from Date.now()");
    let other = SessionToken::generate().unwrap();
    assert_ne!(
        other.id(),
        token.id(),
        "randomness comes from crypto.getRandomValues"
    );
}

/// Argon2id at the default (OWASP) parameters works on wasm too, just slower.
#[wasm_bindgen_test]
fn argon2id_at_default_parameters() {
    let hasher = Argon2id::default();
    let hash = hasher.hash("correct horse battery staple").unwrap();
    assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    assert_eq!(
        hasher
            .verify(&hash, "correct horse battery staple")
            .unwrap(),
        PasswordVerification::Valid {
            needs_rehash: false
        }
    );
}
