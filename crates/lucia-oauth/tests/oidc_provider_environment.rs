//! The OpenID Connect test provider of `scripts/services.sh` (`LUCIA_OIDC_ISSUER`) is what
//! the end-to-end tests expect, checked with raw HTTP: discovery, the signing keys, and a
//! sign-in through `support/oidc_login.rs` that ends in a code (or, with a wrong password,
//! does not).

#[path = "support/oidc_login.rs"]
mod oidc_login;

use data_encoding::BASE64URL_NOPAD;
use serde_json::Value;
use sha2::{Digest, Sha256};
use url::Url;

async fn get_json(url: &str) -> Value {
    let response = oidc_login::http_client()
        .get(url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    assert!(
        response.status().is_success(),
        "GET {url}: {}",
        response.status()
    );
    response
        .json()
        .await
        .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
}

fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the OS random number generator works");
    BASE64URL_NOPAD.encode(&bytes)
}

/// An authorization request for `client_id` with a fresh PKCE verifier, state and nonce.
struct Request {
    url: String,
    state: String,
    verifier: String,
}

fn authorization_request(discovery: &Value, client_id: &str) -> Request {
    let endpoint = discovery["authorization_endpoint"]
        .as_str()
        .expect("discovery has authorization_endpoint");
    let verifier = random_token();
    let challenge = BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()));
    let state = random_token();
    let mut url = Url::parse(endpoint).expect("authorization_endpoint is a URL");
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", oidc_login::REDIRECT_URI)
        .append_pair("scope", "openid email profile")
        .append_pair("state", &state)
        .append_pair("nonce", &random_token())
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    Request {
        url: url.into(),
        state,
        verifier,
    }
}

fn query(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

#[tokio::test]
async fn discovery_and_keys() {
    let Some(issuer) = oidc_login::issuer_or_skip("discovery_and_keys") else {
        return;
    };
    let discovery = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;
    assert_eq!(discovery["issuer"], issuer.as_str());
    for field in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "revocation_endpoint",
    ] {
        assert!(
            discovery[field].is_string(),
            "discovery lacks {field}: {discovery}"
        );
    }
    assert_eq!(
        discovery["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );

    let jwks_uri = discovery["jwks_uri"]
        .as_str()
        .expect("discovery has jwks_uri");
    let jwks = get_json(jwks_uri).await;
    let keys = jwks["keys"].as_array().expect("jwks has keys");
    for (kty, crv) in [
        ("RSA", None),
        ("EC", Some("P-256")),
        ("OKP", Some("Ed25519")),
    ] {
        let key = keys
            .iter()
            .find(|k| k["kty"] == kty && crv.is_none_or(|c| k["crv"] == c))
            .unwrap_or_else(|| panic!("no {kty} {crv:?} key in {jwks}"));
        assert!(
            key["kid"].as_str().is_some_and(|k| !k.is_empty()),
            "{kty} key without kid: {key}"
        );
        assert!(
            key.get("d").is_none(),
            "the JWKS leaks a private key: {key}"
        );
    }
}

#[tokio::test]
async fn alice_signs_in_and_a_wrong_password_gets_no_code() {
    let test = "alice_signs_in_and_a_wrong_password_gets_no_code";
    let Some(issuer) = oidc_login::issuer_or_skip(test) else {
        return;
    };
    let discovery = get_json(&format!("{issuer}/.well-known/openid-configuration")).await;

    let request = authorization_request(&discovery, oidc_login::CLIENT_ID);
    let callback =
        oidc_login::authorize(&request.url, oidc_login::ALICE, oidc_login::ALICE_PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("alice cannot sign in: {e}"));
    assert!(
        callback.as_str().starts_with(oidc_login::REDIRECT_URI),
        "unexpected callback {callback}"
    );
    assert_eq!(
        query(&callback, "state").as_deref(),
        Some(request.state.as_str())
    );
    assert_eq!(query(&callback, "iss").as_deref(), Some(issuer.as_str()));
    assert_eq!(query(&callback, "error"), None, "callback {callback}");
    let code = query(&callback, "code").unwrap_or_else(|| panic!("no code in {callback}"));

    // The code is real: the token endpoint takes it once, with the PKCE verifier.
    let token_endpoint = discovery["token_endpoint"]
        .as_str()
        .expect("token_endpoint");
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", oidc_login::REDIRECT_URI),
        ("code_verifier", request.verifier.as_str()),
    ];
    let exchange = || {
        oidc_login::http_client()
            .post(token_endpoint)
            .basic_auth(oidc_login::CLIENT_ID, Some(oidc_login::CLIENT_SECRET))
            .form(&form)
            .send()
    };
    let response = exchange().await.expect("token request");
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.expect("token response is JSON");
    for field in ["access_token", "id_token", "refresh_token"] {
        assert!(tokens[field].is_string(), "no {field} in {tokens}");
    }
    let replay: Value = exchange()
        .await
        .expect("token request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        replay["error"], "invalid_grant",
        "a replayed code: {replay}"
    );

    // A wrong password: the login form comes back, no redirect to the app at all.
    let request = authorization_request(&discovery, oidc_login::CLIENT_ID);
    let result = oidc_login::authorize(&request.url, oidc_login::ALICE, "not-alice-password").await;
    match result {
        Err(e) => assert!(e.starts_with("login rejected:"), "unexpected error: {e}"),
        Ok(url) => panic!("a wrong password reached the app: {url}"),
    }

    // Cancel: the app gets error=access_denied.
    let request = authorization_request(&discovery, oidc_login::CLIENT_ID_PUBLIC);
    let denied = oidc_login::deny(&request.url)
        .await
        .expect("cancel reaches the app");
    assert_eq!(
        query(&denied, "error").as_deref(),
        Some("access_denied"),
        "{denied}"
    );
    assert_eq!(
        query(&denied, "state").as_deref(),
        Some(request.state.as_str())
    );
    assert_eq!(query(&denied, "code"), None);
}
