//! Every preset against a scripted provider on loopback: its endpoints are moved onto the mock
//! server (`https://github.com/login/oauth/access_token` is served at
//! `/github.com/login/oauth/access_token`), then a whole sign-in runs through the client and
//! every request is checked against what the preset declares: the authorization URL's
//! parameters, the token request's method, client authentication and parameters, the
//! profile request's token placement and headers, refresh and revocation, and which account
//! id and email come out.
#![forbid(unsafe_code)]

#[path = "support/mock.rs"]
mod mock;

use lucia_oauth::callback::Callback;
use lucia_oauth::provider::{
    ClientAuth, EmailVerified, IssuerCheck, Pkce, Provider, TokenPlacement,
};
use lucia_oauth::{OAuthClient, providers};
use mock::{Key, Mock, jwks, now, param};
use serde_json::{Value, json};
use url::Url;

const CLIENT_ID: &str = "client-id";
const CLIENT_SECRET: &str = "client-secret";
const REDIRECT: &str = "http://127.0.0.1:3000/login/callback";

/// The path an endpoint is served at on the mock server.
fn mock_path(url: &Url) -> String {
    format!("/{}{}", url.host_str().unwrap_or_default(), url.path())
}

fn moved(mock: &Mock, url: &Url) -> Url {
    let mut moved = Url::parse(&mock.url(&mock_path(url))).expect("valid");
    moved.set_query(url.query());
    moved
}

/// The preset with every endpoint on the mock server.
fn onto(mock: &Mock, mut provider: Provider) -> Provider {
    let urls = [
        Some(&mut provider.authorization_endpoint),
        Some(&mut provider.token_endpoint),
        provider.refresh_endpoint.as_mut(),
        provider.revocation_endpoint.as_mut(),
        provider.oidc.as_mut().map(|o| &mut o.jwks_uri),
        provider.profile.url.as_mut(),
        provider.profile.email_list.as_mut().map(|l| &mut l.url),
    ];
    for url in urls.into_iter().flatten() {
        *url = moved(mock, url);
    }
    provider
}

/// Sets `value` at a JSON pointer, creating objects (and arrays for numeric segments).
fn set(doc: &mut Value, pointer: &str, value: Value) {
    let mut current = doc;
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        current = match segment.parse::<usize>() {
            Ok(index) => {
                if !current.is_array() {
                    *current = json!([]);
                }
                let array = current.as_array_mut().expect("array");
                while array.len() <= index {
                    array.push(Value::Null);
                }
                &mut array[index]
            }
            Err(_) => {
                if !current.is_object() {
                    *current = json!({});
                }
                current
                    .as_object_mut()
                    .expect("object")
                    .entry(segment)
                    .or_insert(Value::Null)
            }
        };
    }
    *current = value;
}

/// A profile document with the preset's fields filled in.
fn profile_doc(provider: &Provider, account_id: &str) -> Value {
    let profile = &provider.profile;
    let mut doc = json!({});
    set(&mut doc, &profile.id, json!(account_id));
    if let Some(pointer) = &profile.email {
        set(&mut doc, pointer, json!("profile@example.com"));
    }
    if let EmailVerified::At(pointer) = &profile.email_verified {
        set(&mut doc, pointer, json!(true));
    }
    for (pointer, value) in [
        (&profile.name, "Ada Lovelace"),
        (&profile.username, "ada"),
        (&profile.avatar, "https://img.example.com/ada.png"),
    ] {
        if let Some(pointer) = pointer {
            set(&mut doc, pointer, json!(value));
        }
    }
    doc
}

#[tokio::test]
async fn every_preset_signs_in_with_the_requests_it_declares() {
    let mock = Mock::start().await;
    let key = Key::rsa();
    let catalog = providers::catalog();
    assert!(!catalog.is_empty());
    for preset in catalog {
        let provider = onto(&mock, preset.example().expect("builds"));
        let original = preset.example().expect("builds");
        check_preset(&mock, &key, provider, &original)
            .await
            .unwrap_or_else(|e| panic!("preset {}: {e}", preset.id));
    }
}

async fn check_preset(
    mock: &Mock,
    key: &Key,
    provider: Provider,
    original: &Provider,
) -> Result<(), String> {
    let id = provider.id.clone();
    let account_id = format!("account-of-{id}");
    let client = OAuthClient::new(provider.clone(), CLIENT_ID, REDIRECT)
        .map_err(|e| e.to_string())?
        .client_secret(CLIENT_SECRET);

    // The authorization URL.
    let request = client.authorization_url(&[]).map_err(|e| e.to_string())?;
    let url = &request.url;
    let expect = |cond: bool, what: &str| if cond { Ok(()) } else { Err(what.to_owned()) };
    expect(
        url.path() == mock_path(&original.authorization_endpoint),
        "authorization endpoint",
    )?;
    expect(
        param(url, "response_type").as_deref() == Some("code"),
        "response_type",
    )?;
    expect(
        param(url, provider.client_id_param).as_deref() == Some(CLIENT_ID),
        "client id parameter",
    )?;
    if provider.client_id_param != "client_id" {
        expect(
            param(url, "client_id").is_none(),
            "no client_id besides the custom one",
        )?;
    }
    expect(
        param(url, "redirect_uri").as_deref() == Some(REDIRECT),
        "redirect_uri",
    )?;
    let state = param(url, "state").ok_or("no state")?;
    expect(state.len() >= 43, "256-bit state")?;
    let scope = provider.default_scopes.join(provider.scope_separator);
    expect(
        param(url, "scope") == (!scope.is_empty()).then_some(scope),
        "scope joined with the provider's separator",
    )?;
    let method = param(url, "code_challenge_method");
    match provider.pkce {
        Pkce::None => expect(param(url, "code_challenge").is_none(), "no PKCE")?,
        Pkce::S256 => expect(method.as_deref() == Some("S256"), "PKCE S256")?,
        Pkce::Plain => expect(method.as_deref() == Some("plain"), "PKCE plain")?,
    }
    expect(
        param(url, "nonce").is_some() == provider.is_oidc(),
        "nonce iff OIDC",
    )?;
    for (name, value) in &provider.authorization_params {
        expect(param(url, name).as_deref() == Some(value.as_str()), name)?;
    }

    // The token response (wrapped where the provider wraps it), with a test-signed ID token.
    let mut tokens = json!({"access_token": format!("at-{id}"), "token_type": "Bearer",
                            "expires_in": 3600, "refresh_token": format!("rt-{id}")});
    let profile_url = provider.profile.url.clone();
    if let Some(oidc) = &provider.oidc {
        mock.json(&url_path(&oidc.jwks_uri), 200, jwks(&[key]));
        let mut claims = match &profile_url {
            Some(_) => json!({"sub": account_id}),
            None => profile_doc(&provider, &account_id),
        };
        let issuer = match &oidc.issuer {
            IssuerCheck::AnyOf(issuers) => issuers.first().cloned().ok_or("no issuer")?,
            IssuerCheck::TenantTemplate(template) => {
                claims["tid"] = json!("tenant-1");
                template.replace("{tenantid}", "tenant-1")
            }
        };
        for (name, value) in [
            ("iss", json!(issuer)),
            ("aud", json!(CLIENT_ID)),
            ("iat", json!(now())),
            ("exp", json!(now() + 300)),
            ("nonce", json!(request.flow.nonce)),
        ] {
            claims[name] = value;
        }
        tokens["id_token"] = json!(key.sign(&claims));
    }
    if !provider.is_oidc() && profile_url.is_none() {
        // The account is in the token response (Withings).
        let doc = profile_doc(&provider, &account_id);
        for (name, value) in doc.as_object().ok_or("profile is an object")? {
            tokens[name] = value.clone();
        }
    }
    let token_body = match &provider.token_wrapper {
        Some(pointer) => {
            let mut wrapped = json!({"status": 0});
            set(&mut wrapped, pointer, tokens);
            wrapped
        }
        None => tokens,
    };
    let token_path = mock_path(&original.token_endpoint);
    mock.json(&token_path, 200, token_body);
    let mut profile = profile_url.as_ref().map(|url| {
        let mut doc = profile_doc(&provider, &account_id);
        if provider.is_oidc() {
            set(&mut doc, "/sub", json!(account_id));
        }
        (url_path(url), doc)
    });
    if let Some(list) = &provider.profile.email_list {
        let mut entry = json!({});
        set(
            &mut entry,
            &format!("/{}", list.email),
            json!("listed@example.com"),
        );
        set(&mut entry, &format!("/{}", list.verified), json!(true));
        if let Some(primary) = &list.primary {
            set(&mut entry, &format!("/{primary}"), json!(true));
        }
        let pointer = format!("{}/0", list.list);
        match &mut profile {
            // PayPal lists the addresses in the profile itself.
            Some((path, doc)) if *path == url_path(&list.url) => set(doc, &pointer, entry),
            _ => {
                let mut doc = json!([]);
                set(&mut doc, &pointer, entry);
                mock.json(&url_path(&list.url), 200, doc);
            }
        }
    }
    if let Some((path, doc)) = profile {
        mock.json(&path, 200, doc);
    }

    // The sign-in.
    let callback = Callback::parse(&format!("code=code-{id}&state={state}"));
    let sign_in = client
        .finish(&request.flow, &callback)
        .await
        .map_err(|e| format!("sign-in failed: {e}"))?;
    expect(
        sign_in.tokens.access_token == format!("at-{id}"),
        "access token read",
    )?;

    let token_request = mock.last(&token_path);
    expect(token_request.method == "POST", "token request is a POST")?;
    let field = |name: &str| token_request.field(name);
    expect(
        field("grant_type").as_deref() == Some("authorization_code"),
        "grant_type",
    )?;
    expect(field("code") == Some(format!("code-{id}")), "code")?;
    expect(
        field("redirect_uri").as_deref() == Some(REDIRECT),
        "redirect_uri in the token request",
    )?;
    expect(
        field("code_verifier") == request.flow.code_verifier,
        "code_verifier iff PKCE",
    )?;
    check_client_auth(&token_request, &provider)?;
    for (name, value) in &provider.token_params {
        expect(field(name).as_deref() == Some(value.as_str()), name)?;
    }

    // The profile request.
    if let Some(url) = &profile_url {
        let request = mock.last(&url_path(url));
        let profile = &provider.profile;
        expect(request.method == profile.method, "profile method")?;
        let bearer = request.header("authorization") == Some(format!("Bearer at-{id}"));
        let query = request.query.contains(&format!("access_token=at-{id}"));
        match profile.token {
            TokenPlacement::Bearer => expect(bearer && !query, "bearer token")?,
            TokenPlacement::Query => expect(query, "token in the query")?,
        }
        for (name, value) in &profile.headers {
            let value = value.replace("{client_id}", CLIENT_ID);
            expect(request.header(name) == Some(value), name)?;
        }
        for (name, value) in &profile.query {
            let pair = url::form_urlencoded::Serializer::new(String::new())
                .append_pair(name, value)
                .finish();
            expect(request.query.contains(&pair), name)?;
        }
    }

    // What comes out.
    let account = &sign_in.account;
    expect(account.provider_id == id, "provider id")?;
    expect(account.account_id == account_id, "account id")?;
    let expected_email = match (&provider.profile.email, &provider.profile.email_verified) {
        (Some(_), EmailVerified::At(_) | EmailVerified::Always) => Some("profile@example.com"),
        _ if provider.profile.email_list.is_some() => Some("listed@example.com"),
        _ => None,
    };
    expect(
        account.verified_email() == expected_email,
        &format!("verified email {:?}", account.verified_email()),
    )?;

    // Refresh and revocation, where offered.
    if provider.refresh {
        if let Some(endpoint) = &original.refresh_endpoint {
            mock.json(
                &mock_path(endpoint),
                200,
                json!({"access_token": "refreshed"}),
            );
        }
        client
            .refresh("the-refresh-token")
            .await
            .map_err(|e| format!("refresh: {e}"))?;
        let endpoint = original
            .refresh_endpoint
            .as_ref()
            .unwrap_or(&original.token_endpoint);
        let request = mock.last(&mock_path(endpoint));
        expect(
            request.field("grant_type").as_deref() == Some("refresh_token")
                && request.field("refresh_token").as_deref() == Some("the-refresh-token"),
            "refresh request",
        )?;
        check_client_auth(&request, &provider)?;
    }
    if let Some(endpoint) = &original.revocation_endpoint {
        let path = mock_path(endpoint);
        mock.raw(&path, 200, "application/json", "{}");
        client
            .revoke("the-token")
            .await
            .map_err(|e| format!("revoke: {e}"))?;
        let request = mock.last(&path);
        expect(
            request.field("token").as_deref() == Some("the-token"),
            "revocation token",
        )?;
        check_client_auth(&request, &provider)?;
    }
    Ok(())
}

fn url_path(url: &Url) -> String {
    url.path().to_owned()
}

fn check_client_auth(request: &mock::Recorded, provider: &Provider) -> Result<(), String> {
    let in_body = (
        request.field(provider.client_id_param),
        request.field("client_secret"),
    );
    match provider.client_auth {
        ClientAuth::Basic => {
            if request.basic() != Some((CLIENT_ID.into(), CLIENT_SECRET.into())) {
                return Err("client_secret_basic expected".into());
            }
            if in_body.1.is_some() {
                return Err("the secret must not also be in the body".into());
            }
        }
        ClientAuth::Post => {
            if in_body != (Some(CLIENT_ID.into()), Some(CLIENT_SECRET.into())) {
                return Err("client_secret_post expected".into());
            }
            if request.header("authorization").is_some() {
                return Err("no Authorization header with client_secret_post".into());
            }
        }
    }
    Ok(())
}

#[test]
fn list_providers_prints_one_tab_separated_line_per_preset() {
    let output = std::process::Command::new(env!("CARGO"))
        .args([
            "run",
            "-q",
            "-p",
            "lucia-oauth",
            "--example",
            "list_providers",
        ])
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), providers::catalog().len());
    for (line, preset) in lines.iter().zip(providers::catalog()) {
        let provider = preset.example().expect("builds");
        let pkce = if provider.pkce == Pkce::None {
            "no-pkce"
        } else {
            "pkce"
        };
        let kind = if provider.is_oidc() { "oidc" } else { "oauth2" };
        assert_eq!(
            *line,
            format!("{}\t{}\t{pkce}\t{kind}", preset.id, preset.name)
        );
    }
}
