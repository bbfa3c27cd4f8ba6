//! The client against a scripted provider on loopback: request shapes, ID-token verification
//! and its failure paths, typed errors for every kind of bad answer.
#![forbid(unsafe_code)]

#[path = "support/mock.rs"]
mod mock;

use std::time::Duration;

use lucia_oauth::callback::Callback;
use lucia_oauth::provider::{ClientAuth, Pkce, Profile, Provider};
use lucia_oauth::{Error, HttpClient, IdTokenError, OAuthClient};
use mock::{Key, Mock, claims, jwks, now, param};
use serde_json::json;

const REDIRECT: &str = "http://127.0.0.1:3000/callback";

fn oidc_provider(mock: &Mock) -> Provider {
    Provider::oidc(
        "test-oidc",
        "Test OIDC",
        &mock.base,
        &mock.url("/authorize"),
        &mock.url("/token"),
        &mock.url("/jwks"),
    )
    .and_then(|p| p.revocation(&mock.url("/revoke")))
    .expect("valid provider")
}

fn oauth2_provider(mock: &Mock, auth: ClientAuth) -> Provider {
    Provider::oauth2(
        "test-oauth2",
        "Test OAuth 2.0",
        &mock.url("/authorize"),
        &mock.url("/token"),
    )
    .expect("valid provider")
    .client_auth(auth)
    .profile(
        Profile::endpoint(&mock.url("/me"), "/id")
            .expect("valid")
            .username("/login"),
    )
}

fn client(provider: Provider) -> OAuthClient {
    OAuthClient::new(provider, "app-id", REDIRECT)
        .expect("valid client")
        .client_secret("app-secret")
}

#[tokio::test]
async fn oidc_sign_in_verifies_id_tokens_signed_with_rs256_es256_and_eddsa() {
    let mock = Mock::start().await;
    let keys = [Key::rsa(), Key::ec(), Key::ed25519()];
    mock.json("/jwks", 200, jwks(&keys.iter().collect::<Vec<_>>()));
    let client = client(oidc_provider(&mock));
    for key in &keys {
        let request = client.authorization_url(&[]).expect("authorization URL");
        let url = &request.url;
        assert_eq!(param(url, "scope").as_deref(), Some("openid email profile"));
        assert_eq!(param(url, "code_challenge_method").as_deref(), Some("S256"));
        let state = param(url, "state").expect("state");
        assert!(state.len() >= 43, "256-bit state");
        let nonce = param(url, "nonce").expect("nonce");
        let id_token = key.sign(&claims(&mock.base, "app-id", Some(&nonce)));
        mock.json(
            "/token",
            200,
            json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60,
                   "refresh_token": "rt", "id_token": id_token}),
        );
        let mixed_up = Callback::parse(&format!(
            "code=the-code&state={state}&iss=https://evil.test"
        ));
        assert!(matches!(
            client.finish(&request.flow, &mixed_up).await,
            Err(Error::IssuerMismatch(_))
        ));
        let callback = Callback::parse(&format!("code=the-code&state={state}&iss={}", mock.base));
        let sign_in = client
            .finish(&request.flow, &callback)
            .await
            .unwrap_or_else(|e| panic!("{:?} sign-in failed: {e}", key.alg));
        assert_eq!(sign_in.account.account_id, "user-1");
        assert_eq!(sign_in.account.verified_email(), Some("ada@example.com"));
        assert_eq!(sign_in.tokens.refresh_token.as_deref(), Some("rt"));

        let token_request = mock.last("/token");
        assert_eq!(token_request.method, "POST");
        assert_eq!(
            token_request.basic(),
            Some(("app-id".into(), "app-secret".into()))
        );
        assert_eq!(
            token_request.field("grant_type").as_deref(),
            Some("authorization_code")
        );
        assert_eq!(token_request.field("code").as_deref(), Some("the-code"));
        assert_eq!(
            token_request.field("redirect_uri").as_deref(),
            Some(REDIRECT)
        );
        let verifier = token_request.field("code_verifier").expect("PKCE verifier");
        assert_eq!(
            lucia_oauth::pkce::code_challenge(&verifier, Pkce::S256),
            param(url, "code_challenge"),
            "the verifier matches the challenge"
        );
        assert_eq!(
            token_request.field("client_secret"),
            None,
            "basic auth only"
        );
    }
}

#[tokio::test]
async fn tampered_or_foreign_id_tokens_are_refused_with_the_reason() {
    let mock = Mock::start().await;
    let key = Key::rsa();
    mock.json("/jwks", 200, jwks(&[&key]));
    let client = client(oidc_provider(&mock));
    let good = claims(&mock.base, "app-id", Some("n"));
    let verify = |token: String, nonce: Option<&'static str>| {
        let client = client.clone();
        async move {
            match client.verify_id_token(&token, nonce).await {
                Err(Error::IdToken(reason)) => reason,
                other => panic!("expected an ID-token error, got {other:?}"),
            }
        }
    };
    client
        .verify_id_token(&key.sign(&good), Some("n"))
        .await
        .expect("the untampered token verifies");

    // Signature: same kid, another key; and a payload swapped under a valid signature.
    assert_eq!(
        verify(Key::attacker().sign(&good), Some("n")).await,
        IdTokenError::Signature
    );
    let genuine = key.sign(&good);
    let forged_payload = key.sign(&json!({"sub": "admin"}));
    let mut parts: Vec<&str> = genuine.split('.').collect();
    parts[1] = forged_payload.split('.').nth(1).expect("payload");
    assert_eq!(
        verify(parts.join("."), Some("n")).await,
        IdTokenError::Signature
    );

    let with = |name: &str, value: serde_json::Value| {
        let mut claims = good.clone();
        claims[name] = value;
        key.sign(&claims)
    };
    assert_eq!(
        verify(with("aud", json!("other-app")), Some("n")).await,
        IdTokenError::Audience
    );
    assert_eq!(
        verify(with("exp", json!(now() - 120)), Some("n")).await,
        IdTokenError::Expired
    );
    assert_eq!(
        verify(with("iat", json!(now() + 600)), Some("n")).await,
        IdTokenError::NotYetValid
    );
    assert_eq!(
        verify(with("nonce", json!("other")), Some("n")).await,
        IdTokenError::NonceMismatch
    );
    assert!(matches!(
        verify(with("iss", json!("https://evil.test")), Some("n")).await,
        IdTokenError::Issuer(_)
    ));
    let mut no_sub = good.clone();
    no_sub.as_object_mut().expect("object").remove("sub");
    assert_eq!(
        verify(key.sign(&no_sub), Some("n")).await,
        IdTokenError::MissingClaim("sub")
    );

    // RFC 7515 A.5: an unsecured JWS (`alg: none`) is refused.
    let b64 =
        |v: serde_json::Value| data_encoding::BASE64URL_NOPAD.encode(v.to_string().as_bytes());
    let unsecured = format!("{}.{}.", b64(json!({"alg": "none"})), b64(good.clone()));
    assert!(matches!(
        verify(unsecured, Some("n")).await,
        IdTokenError::Malformed(_) | IdTokenError::AlgorithmNotAllowed(_)
    ));
    // HS256 with the client secret (which the client knows, and so could an attacker who
    // learnt it) is refused unless the provider opted in.
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &good,
        &jsonwebtoken::EncodingKey::from_secret(b"app-secret"),
    )
    .expect("signed");
    assert!(matches!(
        verify(hs256, Some("n")).await,
        IdTokenError::AlgorithmNotAllowed(_)
    ));
    assert!(matches!(
        verify("not-a-jwt".into(), None).await,
        IdTokenError::Malformed(_)
    ));
}

#[tokio::test]
async fn an_unknown_kid_refetches_the_key_set_at_most_every_few_seconds() {
    let mock = Mock::start().await;
    let old = Key::rsa();
    let new = Key::ec().with_kid("rotated");
    mock.json("/jwks", 200, jwks(&[&old]));
    let client = client(oidc_provider(&mock));
    let claims = claims(&mock.base, "app-id", None);
    client
        .verify_id_token(&old.sign(&claims), None)
        .await
        .expect("verifies");
    assert_eq!(mock.requests("/jwks").len(), 1);
    client
        .verify_id_token(&old.sign(&claims), None)
        .await
        .expect("cached key");
    assert_eq!(mock.requests("/jwks").len(), 1, "served from the cache");

    // The provider rotates keys.
    mock.json("/jwks", 200, jwks(&[&old, &new]));
    let rotated = new.sign(&claims);
    assert!(
        matches!(
            client.verify_id_token(&rotated, None).await,
            Err(Error::IdToken(IdTokenError::UnknownKey(Some(_))))
        ),
        "just fetched: no refetch yet (a stream of bogus kids cannot hammer the issuer)"
    );
    tokio::time::sleep(lucia_oauth::oidc::JWKS_MIN_REFETCH + Duration::from_millis(200)).await;
    client
        .verify_id_token(&rotated, None)
        .await
        .expect("the new key is fetched");
    assert_eq!(mock.requests("/jwks").len(), 2);
}

#[tokio::test]
async fn client_authentication_styles_and_a_public_client() {
    let mock = Mock::start().await;
    mock.json("/token", 200, json!({"access_token": "at"}));

    // Basic: the credentials are form-encoded before base64 (RFC 6749 §2.3.1).
    let basic = OAuthClient::new(
        oauth2_provider(&mock, ClientAuth::Basic),
        "app id",
        REDIRECT,
    )
    .expect("valid")
    .client_secret("s3cr+t:/%");
    basic.exchange_code("c", None).await.expect("exchanged");
    let request = mock.last("/token");
    assert_eq!(request.basic(), Some(("app id".into(), "s3cr+t:/%".into())));
    assert!(
        request
            .header("authorization")
            .is_some_and(|h| !h.contains("s3cr")),
        "the secret is not in the clear"
    );
    assert_eq!(request.field("client_id"), None);
    assert_eq!(
        request.field("code_verifier"),
        None,
        "no PKCE for this provider"
    );
    assert_eq!(
        request.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert!(
        request
            .header("user-agent")
            .is_some_and(|ua| ua.starts_with("lucia-oauth/"))
    );
    assert_eq!(
        request.header("accept").as_deref(),
        Some("application/json")
    );

    client(oauth2_provider(&mock, ClientAuth::Post))
        .exchange_code("c", Some("verifier"))
        .await
        .expect("exchanged");
    let request = mock.last("/token");
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_id").as_deref(), Some("app-id"));
    assert_eq!(
        request.field("client_secret").as_deref(),
        Some("app-secret")
    );
    assert_eq!(request.field("code_verifier").as_deref(), Some("verifier"));

    OAuthClient::new(
        oauth2_provider(&mock, ClientAuth::Basic),
        "public-app",
        REDIRECT,
    )
    .expect("valid")
    .exchange_code("c", Some("verifier"))
    .await
    .expect("exchanged");
    let request = mock.last("/token");
    assert_eq!(request.header("authorization"), None);
    assert_eq!(request.field("client_id").as_deref(), Some("public-app"));
    assert_eq!(request.field("client_secret"), None);
}

#[tokio::test]
async fn bad_answers_become_typed_errors() {
    let mock = Mock::start().await;
    let client = client(oauth2_provider(&mock, ClientAuth::Basic));

    mock.json(
        "/token",
        400,
        json!({"error": "invalid_grant", "error_description": "code already used"}),
    );
    match client.exchange_code("c", None).await {
        Err(Error::Provider(err)) => {
            assert_eq!(err.error, "invalid_grant");
            assert_eq!(err.error_description.as_deref(), Some("code already used"));
        }
        other => panic!("expected a provider error, got {other:?}"),
    }
    // GitHub answers failures with 200 and an error body.
    mock.json("/token", 200, json!({"error": "bad_verification_code"}));
    assert!(matches!(
        client.exchange_code("c", None).await,
        Err(Error::Provider(err)) if err.error == "bad_verification_code"
    ));
    mock.raw("/token", 502, "text/html", "<html>Bad gateway</html>");
    assert!(matches!(
        client.exchange_code("c", None).await,
        Err(Error::UnexpectedResponse {
            endpoint: "token",
            status: 502,
            ..
        })
    ));
    mock.raw("/token", 200, "text/plain", "access_token=at&scope=x");
    assert!(matches!(
        client.exchange_code("c", None).await,
        Err(Error::UnexpectedResponse {
            endpoint: "token",
            status: 200,
            ..
        })
    ));
    mock.json("/token", 200, json!({"token_type": "Bearer"}));
    assert!(matches!(
        client.exchange_code("c", None).await,
        Err(Error::UnexpectedResponse { .. })
    ));
    let huge = "x".repeat(lucia_oauth::http::MAX_BODY + 1);
    mock.raw("/token", 200, "application/json", &huge);
    assert!(matches!(
        client.exchange_code("c", None).await,
        Err(Error::UnexpectedResponse { .. })
    ));

    // A provider that hangs hits the timeout instead of holding the request forever.
    mock.slow("/token", Duration::from_secs(5));
    let impatient = client.clone().http_client(
        HttpClient::with_timeouts(Duration::from_secs(1), Duration::from_millis(500))
            .expect("client"),
    );
    assert!(matches!(
        impatient.exchange_code("c", None).await,
        Err(Error::Http { endpoint: "token", source }) if source.is_timeout()
    ));

    // A provider that is down.
    let down = Provider::oauth2(
        "down",
        "Down",
        "http://127.0.0.1:9/a",
        "http://127.0.0.1:9/t",
    )
    .expect("valid");
    assert!(matches!(
        self::client(down).exchange_code("c", None).await,
        Err(Error::Http { .. })
    ));

    // A profile endpoint that fails, or lacks the id.
    mock.raw(
        "/me",
        401,
        "application/json",
        r#"{"message":"Bad credentials"}"#,
    );
    let tokens = lucia_oauth::TokenSet::from_json(
        json!({"access_token": "at"}),
        time::OffsetDateTime::now_utc(),
    )
    .expect("tokens");
    assert!(matches!(
        client.fetch_account(&tokens, None).await,
        Err(Error::UnexpectedResponse {
            endpoint: "userinfo",
            status: 401,
            ..
        })
    ));
    mock.json("/me", 200, json!({"login": "ada"}));
    assert!(matches!(
        client.fetch_account(&tokens, None).await,
        Err(Error::MissingAccountId(_))
    ));
    mock.json("/me", 200, json!({"id": 7, "login": "ada"}));
    let account = client.fetch_account(&tokens, None).await.expect("account");
    assert_eq!(
        (account.account_id.as_str(), account.username.as_deref()),
        ("7", Some("ada"))
    );
    assert_eq!(
        mock.last("/me").header("authorization").as_deref(),
        Some("Bearer at")
    );
}

#[tokio::test]
async fn refresh_and_revocation() {
    let mock = Mock::start().await;
    let key = Key::rsa();
    mock.json("/jwks", 200, jwks(&[&key]));
    let client = client(oidc_provider(&mock));

    mock.json(
        "/token",
        200,
        json!({"access_token": "at-2", "expires_in": 3600}),
    );
    let tokens = client.refresh("rt-1").await.expect("refreshed");
    assert_eq!(tokens.access_token, "at-2");
    assert_eq!(
        tokens.refresh_token.as_deref(),
        Some("rt-1"),
        "no new refresh token: the old one stays"
    );
    let request = mock.last("/token");
    assert_eq!(
        request.field("grant_type").as_deref(),
        Some("refresh_token")
    );
    assert_eq!(request.field("refresh_token").as_deref(), Some("rt-1"));
    mock.json(
        "/token",
        200,
        json!({"access_token": "at-3", "refresh_token": "rt-2"}),
    );
    assert_eq!(
        client
            .refresh("rt-1")
            .await
            .expect("refreshed")
            .refresh_token
            .as_deref(),
        Some("rt-2"),
        "a rotated refresh token replaces the old one"
    );

    mock.raw("/revoke", 200, "text/plain", "");
    client.revoke("rt-2").await.expect("revoked");
    let request = mock.last("/revoke");
    assert_eq!(request.field("token").as_deref(), Some("rt-2"));
    assert_eq!(
        request.basic(),
        Some(("app-id".into(), "app-secret".into()))
    );
    mock.json("/revoke", 400, json!({"error": "unsupported_token_type"}));
    assert!(matches!(client.revoke("x").await, Err(Error::Provider(_))));

    let plain = self::client(oauth2_provider(&mock, ClientAuth::Basic));
    assert!(matches!(
        plain.refresh("rt").await,
        Err(Error::Unsupported {
            operation: "refresh tokens",
            ..
        })
    ));
    assert!(matches!(
        plain.revoke("rt").await,
        Err(Error::Unsupported {
            operation: "token revocation",
            ..
        })
    ));
}

#[tokio::test]
async fn discovery_builds_a_generic_provider_and_checks_the_issuer() {
    let mock = Mock::start().await;
    let document = json!({
        "issuer": mock.base,
        "authorization_endpoint": mock.url("/authorize"),
        "token_endpoint": mock.url("/token"),
        "jwks_uri": mock.url("/jwks"),
        "userinfo_endpoint": mock.url("/userinfo"),
        "revocation_endpoint": mock.url("/revoke"),
        "token_endpoint_auth_methods_supported": ["client_secret_post"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
    });
    mock.json("/.well-known/openid-configuration", 200, document.clone());
    let http = HttpClient::new().expect("client");
    let discovery = lucia_oauth::oidc::discover(&http, &mock.base)
        .await
        .expect("discovered");
    let provider = lucia_oauth::oidc::provider("idp", "IdP", &discovery).expect("provider");
    assert_eq!(provider.client_auth, ClientAuth::Post);
    assert!(provider.refresh && provider.revocation_endpoint.is_some());

    // Sign-in merges userinfo claims (email here) into the ID token's.
    let key = Key::ec();
    mock.json("/jwks", 200, jwks(&[&key]));
    let client = client(provider);
    let request = client.authorization_url(&[]).expect("url");
    let nonce = param(&request.url, "nonce").expect("nonce");
    let mut id_claims = claims(&mock.base, "app-id", Some(&nonce));
    for claim in ["email", "email_verified", "name"] {
        id_claims.as_object_mut().expect("object").remove(claim);
    }
    mock.json(
        "/token",
        200,
        json!({"access_token": "at", "id_token": key.sign(&id_claims)}),
    );
    mock.json(
        "/userinfo",
        200,
        json!({"sub": "user-1", "email": "ada@example.com", "email_verified": true}),
    );
    let state = request.flow.state.clone();
    let sign_in = client
        .finish(
            &request.flow,
            &Callback::parse(&format!("code=c&state={state}")),
        )
        .await
        .expect("signed in");
    assert_eq!(sign_in.account.verified_email(), Some("ada@example.com"));
    // A userinfo answer about someone else is refused.
    mock.json(
        "/userinfo",
        200,
        json!({"sub": "user-2", "email": "eve@example.com"}),
    );
    let tokens = lucia_oauth::TokenSet::from_json(
        json!({"access_token": "at", "id_token": key.sign(&claims(&mock.base, "app-id", None))}),
        time::OffsetDateTime::now_utc(),
    )
    .expect("tokens");
    assert!(matches!(
        client.fetch_account(&tokens, None).await,
        Err(Error::UnexpectedResponse {
            endpoint: "userinfo",
            ..
        })
    ));

    // A document for another issuer is refused (OpenID Connect Discovery §4.3).
    let mut other = document;
    other["issuer"] = json!("https://evil.test");
    mock.json("/.well-known/openid-configuration", 200, other);
    assert!(matches!(
        lucia_oauth::oidc::discover(&http, &mock.base).await,
        Err(Error::UnexpectedResponse {
            endpoint: "discovery",
            ..
        })
    ));
}
