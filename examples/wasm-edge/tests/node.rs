//! The exported API in Node.js (`scripts/wasm-test.sh`).
#![forbid(unsafe_code)]
#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
#![allow(clippy::unwrap_used)]

use lucia_wasm_edge::Auth;
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
async fn sign_up_sign_in_validate_sign_out() {
    let auth = Auth::new(Some(true));
    let user = auth
        .sign_up("ada@example.com".into(), "correct horse battery".into())
        .await
        .unwrap();
    assert!(
        auth.sign_in("ada@example.com".into(), "wrong password".into())
            .await
            .is_err()
    );
    let token = auth
        .sign_in("ada@example.com".into(), "correct horse battery".into())
        .await
        .unwrap();
    assert_eq!(auth.validate(token.clone()).await.unwrap(), Some(user));
    let cookie = auth.session_cookie(token.clone()).await.unwrap();
    assert!(cookie.starts_with("auth_session=") && cookie.contains("HttpOnly"));
    auth.sign_out(token.clone()).await.unwrap();
    assert_eq!(auth.validate(token.clone()).await.unwrap(), None);
    assert!(
        auth.session_cookie(token)
            .await
            .unwrap()
            .contains("Max-Age=0")
    );
}
