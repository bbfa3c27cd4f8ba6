//! End to end against a real, certified OpenID Provider on loopback: node's `oidc-provider`
//! started by `scripts/services.sh` (`LUCIA_OIDC_ISSUER`). Discovery, the authorization-code
//! flow with PKCE through the provider's login page, ID tokens verified with its JWKS (RS256,
//! ES256, EdDSA), every client-authentication style, refresh and revocation, and the failure
//! paths: wrong state, a declined consent, a replayed code, tampered ID tokens.
#![forbid(unsafe_code)]

#[path = "support/oidc_login.rs"]
mod oidc_login;

use data_encoding::BASE64URL_NOPAD;
use lucia_oauth::callback::{Callback, Flow};
use lucia_oauth::{AuthorizationRequest, Error, HttpClient, IdTokenError, OAuthClient, oidc};
use oidc_login::{ALICE, ALICE_PASSWORD, ALICE_SUB, BOB, BOB_PASSWORD, BOB_SUB, CLIENT_SECRET};
use serde_json::Value;

async fn client(issuer: &str, client_id: &str, secret: Option<&str>) -> OAuthClient {
    let http = HttpClient::new().expect("HTTP client");
    let discovery = oidc::discover(&http, issuer).await.expect("discovery");
    let provider = oidc::provider("test-idp", "Test IdP", &discovery).expect("provider");
    let client = OAuthClient::new(provider, client_id, oidc_login::REDIRECT_URI)
        .expect("client")
        .http_client(http);
    match secret {
        Some(secret) => client.client_secret(secret),
        None => client,
    }
}

/// What the browser brings back to the callback: the flow cookie and the callback query.
async fn sign_in_at_provider(
    client: &OAuthClient,
    login: &str,
    password: &str,
) -> (AuthorizationRequest, Flow, Callback) {
    let request = client.authorization_url(&[]).expect("authorization URL");
    let callback = oidc_login::authorize(request.url.as_str(), login, password)
        .await
        .unwrap_or_else(|e| panic!("sign-in at the provider failed: {e}"));
    assert!(
        callback.as_str().starts_with(oidc_login::REDIRECT_URI),
        "redirected to the app: {callback}"
    );
    // The flow comes back in the cookie the redirect set.
    let mut headers = http::HeaderMap::new();
    let cookie = request.flow.cookie(false);
    headers.insert(
        http::header::COOKIE,
        cookie.stripped().to_string().parse().expect("header value"),
    );
    let flow = Flow::from_headers(&headers).expect("flow cookie");
    let callback = Callback::parse(callback.query().unwrap_or_default());
    (request, flow, callback)
}

#[tokio::test]
async fn sign_in_refresh_and_revoke_with_each_client_authentication_and_signing_algorithm() {
    let Some(issuer) = oidc_login::issuer_or_skip("oidc_provider::sign_in") else {
        return;
    };
    let clients = [
        (oidc_login::CLIENT_ID, Some(CLIENT_SECRET), "RS256"),
        (oidc_login::CLIENT_ID_POST, Some(CLIENT_SECRET), "RS256"),
        (oidc_login::CLIENT_ID_PUBLIC, None, "RS256"),
        (oidc_login::CLIENT_ID_ES256, Some(CLIENT_SECRET), "ES256"),
        (oidc_login::CLIENT_ID_EDDSA, Some(CLIENT_SECRET), "EdDSA"),
    ];
    for (client_id, secret, alg) in clients {
        let client = client(&issuer, client_id, secret).await;
        let (_, flow, callback) = sign_in_at_provider(&client, ALICE, ALICE_PASSWORD).await;
        let sign_in = client
            .finish(&flow, &callback)
            .await
            .unwrap_or_else(|e| panic!("{client_id}: {e}"));
        let id_token = sign_in.tokens.id_token.as_deref().expect("an ID token");
        assert_eq!(header(id_token)["alg"], alg, "{client_id}");
        let account = &sign_in.account;
        assert_eq!(account.provider_id, "test-idp");
        assert_eq!(account.account_id, ALICE_SUB);
        assert_eq!(account.verified_email(), Some("alice@example.com"));
        assert_eq!(account.name.as_deref(), Some("Alice Example"));

        let refresh_token = sign_in
            .tokens
            .refresh_token
            .clone()
            .expect("a refresh token");
        let refreshed = client.refresh(&refresh_token).await.expect("refreshed");
        assert_ne!(refreshed.access_token, sign_in.tokens.access_token);
        let current = refreshed.refresh_token.expect("a refresh token");
        client.revoke(&current).await.expect("revoked");
        assert!(
            matches!(
                client.refresh(&current).await,
                Err(Error::Provider(ref e)) if e.error == "invalid_grant"
            ),
            "{client_id}: a revoked refresh token is refused"
        );
    }
}

#[tokio::test]
async fn an_unverified_email_is_reported_as_unverified() {
    let Some(issuer) = oidc_login::issuer_or_skip("oidc_provider::unverified_email") else {
        return;
    };
    let client = client(&issuer, oidc_login::CLIENT_ID, Some(CLIENT_SECRET)).await;
    let (_, flow, callback) = sign_in_at_provider(&client, BOB, BOB_PASSWORD).await;
    let account = client
        .finish(&flow, &callback)
        .await
        .expect("signed in")
        .account;
    assert_eq!(account.account_id, BOB_SUB);
    assert_eq!(account.email.as_deref(), Some("bob@example.com"));
    assert_eq!(account.verified_email(), None);
}

#[tokio::test]
async fn wrong_state_declined_consent_and_a_replayed_code_are_refused() {
    let Some(issuer) = oidc_login::issuer_or_skip("oidc_provider::failures") else {
        return;
    };
    let client = client(&issuer, oidc_login::CLIENT_ID, Some(CLIENT_SECRET)).await;

    // A callback carrying another state (a CSRF attempt): refused before the code is used...
    let (_, flow, callback) = sign_in_at_provider(&client, ALICE, ALICE_PASSWORD).await;
    let forged = Callback {
        state: Some("forged-state".into()),
        ..callback.clone()
    };
    assert!(matches!(
        client.finish(&flow, &forged).await,
        Err(Error::StateMismatch)
    ));
    let without_state = Callback {
        state: None,
        ..callback.clone()
    };
    assert!(matches!(
        client.finish(&flow, &without_state).await,
        Err(Error::MissingState)
    ));
    // ...so the genuine callback still works, once.
    client.finish(&flow, &callback).await.expect("signed in");
    let code = callback.code.as_deref().expect("code");
    assert!(matches!(
        client.exchange_code(code, flow.code_verifier.as_deref()).await,
        Err(Error::Provider(ref e)) if e.error == "invalid_grant"
    ));

    // The user presses Cancel at the provider.
    let request = client.authorization_url(&[]).expect("authorization URL");
    let denied = oidc_login::deny(request.url.as_str())
        .await
        .expect("redirected");
    let callback = Callback::parse(denied.query().unwrap_or_default());
    assert!(matches!(
        client.finish(&request.flow, &callback).await,
        Err(Error::Provider(ref e)) if e.is_access_denied()
    ));

    // A code redeemed without the flow's PKCE verifier is refused by the provider.
    let (_, _, callback) = sign_in_at_provider(&client, ALICE, ALICE_PASSWORD).await;
    let code = callback.code.as_deref().expect("code");
    let wrong_verifier = lucia_oauth::pkce::code_verifier().expect("random");
    assert!(matches!(
        client.exchange_code(code, Some(&wrong_verifier)).await,
        Err(Error::Provider(ref e)) if e.error == "invalid_grant"
    ));
}

#[tokio::test]
async fn tampered_id_tokens_from_the_real_provider_are_refused() {
    let Some(issuer) = oidc_login::issuer_or_skip("oidc_provider::tampered") else {
        return;
    };
    let client = client(&issuer, oidc_login::CLIENT_ID, Some(CLIENT_SECRET)).await;
    let (_, flow, callback) = sign_in_at_provider(&client, ALICE, ALICE_PASSWORD).await;
    let tokens = client
        .exchange_code(
            callback.code.as_deref().expect("code"),
            flow.code_verifier.as_deref(),
        )
        .await
        .expect("exchanged");
    let id_token = tokens.id_token.expect("an ID token");
    let nonce = flow.nonce.as_deref();
    client
        .verify_id_token(&id_token, nonce)
        .await
        .expect("the genuine token verifies");

    let reason = |result: lucia_oauth::Result<_>| match result {
        Err(Error::IdToken(reason)) => reason,
        other => panic!("expected an ID-token error, got {other:?}"),
    };
    // Claims edited under the provider's signature: a later expiry, another audience,
    // another user.
    for (claim, value) in [
        ("exp", serde_json::json!(4_102_444_800_i64)),
        ("aud", serde_json::json!("lucia-test-post")),
        ("sub", serde_json::json!(BOB_SUB)),
    ] {
        let tampered = with_claim(&id_token, claim, value);
        assert_eq!(
            reason(client.verify_id_token(&tampered, nonce).await),
            IdTokenError::Signature,
            "{claim} edited"
        );
    }
    // A genuine token for another client, and a genuine token with another flow's nonce.
    let other = self::client(&issuer, oidc_login::CLIENT_ID_POST, Some(CLIENT_SECRET)).await;
    assert_eq!(
        reason(other.verify_id_token(&id_token, nonce).await),
        IdTokenError::Audience
    );
    assert_eq!(
        reason(
            client
                .verify_id_token(&id_token, Some("another-flow"))
                .await
        ),
        IdTokenError::NonceMismatch
    );
    // A genuine but expired token: the provider's ID tokens live an hour, so the expiry
    // path is covered with test-signed tokens in tests/client.rs.
}

fn decode(part: &str) -> Value {
    let bytes = BASE64URL_NOPAD.decode(part.as_bytes()).expect("base64url");
    serde_json::from_slice(&bytes).expect("JSON")
}

fn header(jwt: &str) -> Value {
    decode(jwt.split('.').next().expect("header"))
}

/// The token with one claim changed and the original signature kept.
fn with_claim(jwt: &str, claim: &str, value: Value) -> String {
    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims = decode(parts[1]);
    claims[claim] = value;
    let payload = BASE64URL_NOPAD.encode(claims.to_string().as_bytes());
    format!("{}.{payload}.{}", parts[0], parts[2])
}
