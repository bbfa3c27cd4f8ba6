//! Sign-in with OAuth providers (lucia-oauth): any preset, configured through environment
//! variables, plus a generic OpenID Connect provider found by discovery.
//!
//! - `GET /login/{provider}` redirects to the provider with the flow cookie;
//! - `GET /login/{provider}/callback` (and `POST`, for form-post providers such as Apple)
//!   signs in the provider account's user, or creates one when the provider vouches for the
//!   email address, or links the account to the signed-in user when the flow was started
//!   from `/settings` (`POST /settings/linked-accounts/{provider}`).
//!
//! Accounts are never merged by email: a provider account whose verified address belongs to
//! an existing user is refused with "log in with your password, then connect it in
//! settings", so a provider cannot take over a password account.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lucia_axum::SessionControl;
use lucia_oauth::callback::{Callback, Flow};
use lucia_oauth::{OAuthClient, ProviderAccount, linking, providers};

use crate::DemoStore;
use crate::app::*;
use crate::model::Account;
use crate::pages::escape;

/// The cookie that marks a flow as "link to the signed-in user" (holds the user id).
const LINK_COOKIE: &str = "demo_oauth_link";

/// One configured provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderSetting {
    /// A preset id (`github`), or `oidc` for the generic OpenID Connect provider.
    pub id: String,
    /// The client id.
    pub client_id: String,
    /// The client secret (none for public clients).
    pub client_secret: Option<String>,
    /// The preset's parameters (`tenant`, `domain`, ...).
    pub params: Vec<(String, String)>,
    /// The issuer, for the generic OpenID Connect provider.
    pub issuer: Option<String>,
    /// The display name, for the generic OpenID Connect provider.
    pub name: Option<String>,
}

/// The environment prefix of a preset: `LUCIA_DEMO_GITHUB_`, `LUCIA_DEMO_MICROSOFT_ENTRA_ID_`.
pub fn env_prefix(id: &str) -> String {
    format!("LUCIA_DEMO_{}_", id.to_uppercase().replace('-', "_"))
}

/// Reads the configured providers from environment variables:
///
/// - a preset: `LUCIA_DEMO_<ID>_CLIENT_ID`, `LUCIA_DEMO_<ID>_CLIENT_SECRET` and its
///   parameters as `LUCIA_DEMO_<ID>_<PARAM>` (`LUCIA_DEMO_MICROSOFT_ENTRA_ID_TENANT=common`);
/// - any OpenID provider: `LUCIA_DEMO_OIDC_ISSUER`, `LUCIA_DEMO_OIDC_CLIENT_ID`,
///   `LUCIA_DEMO_OIDC_CLIENT_SECRET`, and optionally `LUCIA_DEMO_OIDC_NAME`.
///
/// A provider with a client id but a missing parameter is an error naming the variable.
pub fn from_env(vars: &HashMap<String, String>) -> Result<Vec<ProviderSetting>, String> {
    let get = |name: &str| vars.get(name).filter(|v| !v.is_empty()).cloned();
    let mut settings = Vec::new();
    for preset in providers::catalog() {
        let prefix = env_prefix(preset.id);
        let Some(client_id) = get(&format!("{prefix}CLIENT_ID")) else {
            continue;
        };
        let mut params = Vec::new();
        for param in preset.params {
            let name = format!("{prefix}{}", param.to_uppercase());
            let value = get(&name).ok_or_else(|| format!("{} needs {name}", preset.id))?;
            params.push(((*param).to_owned(), value));
        }
        settings.push(ProviderSetting {
            id: preset.id.to_owned(),
            client_id,
            client_secret: get(&format!("{prefix}CLIENT_SECRET")),
            params,
            issuer: None,
            name: None,
        });
    }
    if let Some(client_id) = get("LUCIA_DEMO_OIDC_CLIENT_ID") {
        let issuer = get("LUCIA_DEMO_OIDC_ISSUER")
            .ok_or("LUCIA_DEMO_OIDC_CLIENT_ID is set without LUCIA_DEMO_OIDC_ISSUER")?;
        settings.push(ProviderSetting {
            id: "oidc".into(),
            client_id,
            client_secret: get("LUCIA_DEMO_OIDC_CLIENT_SECRET"),
            params: Vec::new(),
            issuer: Some(issuer),
            name: get("LUCIA_DEMO_OIDC_NAME"),
        });
    }
    Ok(settings)
}

/// Builds the clients (discovering the generic provider), with redirect URIs under
/// `public_url`.
pub(crate) async fn clients(
    settings: &[ProviderSetting],
    public_url: &str,
) -> Result<Vec<OAuthClient>, lucia_oauth::Error> {
    let mut clients = Vec::new();
    for setting in settings {
        let provider = match &setting.issuer {
            Some(issuer) => {
                let http = lucia_oauth::HttpClient::new()?;
                let discovery = lucia_oauth::oidc::discover(&http, issuer).await?;
                let name = setting.name.as_deref().unwrap_or("OpenID Connect");
                lucia_oauth::oidc::provider(&setting.id, name, &discovery)?
            }
            None => {
                let preset = providers::preset(&setting.id).ok_or_else(|| {
                    lucia_oauth::Error::Config(format!("unknown provider {}", setting.id))
                })?;
                let params: Vec<(&str, &str)> = setting
                    .params
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()))
                    .collect();
                preset.build(&params)?
            }
        };
        let redirect = format!("{public_url}/login/{}/callback", setting.id);
        let mut client = OAuthClient::new(provider, &setting.client_id, &redirect)?;
        if let Some(secret) = &setting.client_secret {
            client = client.client_secret(secret);
        }
        clients.push(client);
    }
    Ok(clients)
}

/// The sign-in buttons for the login and sign-up pages.
pub(crate) fn buttons(app: &App) -> String {
    if app.oauth.is_empty() {
        return String::new();
    }
    let links: String = app
        .oauth
        .iter()
        .map(|client| {
            let provider = client.provider();
            format!(
                r#"<a class="button secondary" href="/login/{}">Continue with {}</a>"#,
                escape(&provider.id),
                escape(&provider.name)
            )
        })
        .collect();
    format!(r#"<div class="providers">{links}</div>"#)
}

fn client<'a>(app: &'a App, id: &str) -> Option<&'a OAuthClient> {
    app.oauth.iter().find(|c| c.provider().id == id)
}

fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "Unknown provider",
        None,
        r#"<p>This sign-in provider is not configured. <a href="/login">Back to log in</a>.</p>"#,
    )
}

/// The redirect to the provider, setting the flow cookie (and the link cookie when linking).
fn start(app: &App, client: &OAuthClient, link_user: Option<&str>) -> Response {
    let Ok(request) = client.authorization_url(&[]) else {
        return unavailable();
    };
    let mut response =
        (StatusCode::SEE_OTHER, [(LOCATION, request.url.to_string())]).into_response();
    let headers = response.headers_mut();
    append_cookie(
        headers,
        &request.flow.cookie(app.secure_cookies).to_string(),
    );
    let link = match link_user {
        Some(user_id) => link_cookie(user_id, app.secure_cookies),
        None => removal(LINK_COOKIE, app.secure_cookies),
    };
    append_cookie(headers, &link.to_string());
    response
}

fn link_cookie(user_id: &str, secure: bool) -> cookie::Cookie<'static> {
    cookie::Cookie::build((LINK_COOKIE, user_id.to_owned()))
        .path("/")
        .http_only(true)
        .secure(secure)
        .same_site(cookie::SameSite::Lax)
        .max_age(cookie::time::Duration::minutes(10))
        .build()
}

fn removal(name: &'static str, secure: bool) -> cookie::Cookie<'static> {
    let mut cookie = cookie::Cookie::build((name, ""))
        .path("/")
        .http_only(true)
        .secure(secure)
        .build();
    cookie.make_removal();
    cookie
}

fn append_cookie(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.append(SET_COOKIE, value);
    }
}

/// `GET /login/{provider}`.
pub(crate) async fn login(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match client(&app, &id) {
        Some(client) => start(&app, client, None),
        None => not_found(),
    }
}

/// `POST /settings/linked-accounts/{provider}`: connect a provider to the signed-in user.
pub(crate) async fn link<S: DemoStore>(
    State(app): State<Arc<App>>,
    SignedIn(auth): SignedIn<S>,
    Path(id): Path<String>,
) -> Response {
    match client(&app, &id) {
        Some(client) => start(&app, client, Some(&auth.user.id)),
        None => not_found(),
    }
}

/// `GET` / `POST /login/{provider}/callback`.
pub(crate) async fn callback<S: DemoStore>(
    State(app): State<Arc<App>>,
    control: SessionControl<S>,
    Path(id): Path<String>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: String,
) -> Response {
    let Some(client) = client(&app, &id) else {
        return not_found();
    };
    // Form-post providers send the parameters in the body.
    let params = query.filter(|q| !q.is_empty()).unwrap_or(body);
    let callback = Callback::parse(&params);
    let link_user = lucia::headers::cookie_values(&headers, LINK_COOKIE).next();
    let mut response = match Flow::from_headers(&headers) {
        Ok(flow) => match client.finish(&flow, &callback).await {
            Ok(sign_in) => {
                let linking_user = control.current().filter(|current| {
                    current.session.attributes.two_factor_verified
                        && link_user == Some(current.user.id.as_str())
                });
                match linking_user {
                    Some(current) => link_account(&control, &current.user, &sign_in.account).await,
                    None => {
                        let ip = client_ip(connect.as_ref());
                        sign_in_account(&control, &headers, &ip, &sign_in.account).await
                    }
                }
            }
            Err(err) => failure(client, &err),
        },
        Err(err) => failure(client, &err),
    };
    // A flow is used once, whatever its outcome.
    let secure = app.secure_cookies;
    append_cookie(
        response.headers_mut(),
        &Flow::removal_cookie(secure).to_string(),
    );
    append_cookie(
        response.headers_mut(),
        &removal(LINK_COOKIE, secure).to_string(),
    );
    response
}

/// The page for a failed callback: the user's own mistake or a stale tab is a 400 with "try
/// again"; a provider that does not answer properly is a 502.
fn failure(client: &OAuthClient, err: &lucia_oauth::Error) -> Response {
    use lucia_oauth::Error as E;
    let name = escape(&client.provider().name);
    let again = format!(
        r#"<a href="/login/{}">Try again</a> or <a href="/login">log in another way</a>."#,
        escape(&client.provider().id)
    );
    let (status, text) = match err {
        E::Provider(e) if e.is_access_denied() => (
            StatusCode::BAD_REQUEST,
            format!("You cancelled signing in with {name}. {again}"),
        ),
        E::MissingFlow
        | E::FlowExpired
        | E::MissingState
        | E::StateMismatch
        | E::MissingCode
        | E::IssuerMismatch(_) => (
            StatusCode::BAD_REQUEST,
            format!("This sign-in link has expired or was not started in this browser. {again}"),
        ),
        E::Http { .. } | E::UnexpectedResponse { .. } => {
            eprintln!("lucia-demo: {} sign-in failed: {err}", client.provider().id);
            (
                StatusCode::BAD_GATEWAY,
                format!("{name} is not answering properly right now. {again}"),
            )
        }
        _ => {
            eprintln!(
                "lucia-demo: {} sign-in refused: {err}",
                client.provider().id
            );
            (
                StatusCode::BAD_REQUEST,
                format!("{name} sign-in could not be completed. {again}"),
            )
        }
    };
    html(
        status,
        "Sign-in failed",
        None,
        &format!(r#"<p class="error" role="alert">{text}</p>"#),
    )
}

async fn link_account<S: DemoStore>(
    control: &SessionControl<S>,
    user: &lucia::User<Account>,
    account: &ProviderAccount,
) -> Response {
    let lucia = control.lucia();
    match linking::link(lucia, &user.id, account).await {
        Ok(_) => {
            // The provider vouching for the user's own address verifies it.
            let vouched = account.verified_email().and_then(normalize_email);
            if !user.attributes.email_verified && vouched.as_deref() == Some(&user.attributes.email)
            {
                let verified = Account {
                    email_verified: true,
                    ..user.attributes.clone()
                };
                if lucia
                    .update_user_attributes(&user.id, verified)
                    .await
                    .is_err()
                {
                    return unavailable();
                }
            }
            Redirect::to("/settings").into_response()
        }
        Err(lucia_oauth::Error::AlreadyLinked) => html(
            StatusCode::CONFLICT,
            "Already connected",
            Some(&user.attributes),
            r#"<p class="error" role="alert">That account is already connected to a user of this demo (maybe to you). <a href="/settings">Back to settings</a>.</p>"#,
        ),
        Err(_) => unavailable(),
    }
}

async fn sign_in_account<S: DemoStore>(
    control: &SessionControl<S>,
    headers: &HeaderMap,
    ip: &str,
    account: &ProviderAccount,
) -> Response {
    let lucia = control.lucia();
    let user = match linking::existing_user(lucia, account).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            // A new user, if the provider vouches for an address nobody here uses yet.
            let Some(email) = account.verified_email().and_then(normalize_email) else {
                return html(
                    StatusCode::BAD_REQUEST,
                    "Sign-in failed",
                    None,
                    r#"<p class="error" role="alert">Your account at this provider has no verified email address, so it cannot create an account here. Sign up with your email, then connect the provider in settings.</p>"#,
                );
            };
            let attributes = Account {
                email,
                email_verified: true,
            };
            match linking::create_user(lucia, account, attributes).await {
                Ok(user) => user,
                Err(lucia_oauth::Error::Lucia(
                    lucia::Error::UniqueViolation { .. } | lucia::Error::DuplicateUserId,
                )) => {
                    return html(
                        StatusCode::CONFLICT,
                        "Account exists",
                        None,
                        r#"<p class="error" role="alert">An account with this email address already exists. Log in with your password, then connect this provider in settings.</p><p><a href="/login">Log in</a></p>"#,
                    );
                }
                Err(_) => return unavailable(),
            }
        }
        Err(_) => return unavailable(),
    };
    // The second factor applies to every way of signing in.
    let Ok(two_factor) = lucia.two_factor_enabled(&user.id).await else {
        return unavailable();
    };
    let mut attributes = device(headers, ip);
    attributes.two_factor_verified = !two_factor;
    match control.sign_in(&user.id, attributes).await {
        Ok(_) if two_factor => Redirect::to("/2fa").into_response(),
        Ok(_) => Redirect::to("/").into_response(),
        Err(_) => unavailable(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn providers_are_read_from_the_environment() {
        let settings = from_env(&vars(&[
            ("LUCIA_DEMO_GITHUB_CLIENT_ID", "gh-id"),
            ("LUCIA_DEMO_GITHUB_CLIENT_SECRET", "gh-secret"),
            ("LUCIA_DEMO_MICROSOFT_ENTRA_ID_CLIENT_ID", "entra-id"),
            ("LUCIA_DEMO_MICROSOFT_ENTRA_ID_TENANT", "common"),
            ("LUCIA_DEMO_OIDC_ISSUER", "https://id.example.com"),
            ("LUCIA_DEMO_OIDC_CLIENT_ID", "oidc-id"),
            (
                "LUCIA_DEMO_GOOGLE_CLIENT_SECRET",
                "no id, so not configured",
            ),
        ]))
        .expect("valid");
        let ids: Vec<&str> = settings.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["github", "microsoft-entra-id", "oidc"]);
        assert_eq!(settings[0].client_secret.as_deref(), Some("gh-secret"));
        assert_eq!(
            settings[1].params,
            [("tenant".to_owned(), "common".to_owned())]
        );
        assert_eq!(
            settings[2].issuer.as_deref(),
            Some("https://id.example.com")
        );

        let missing = from_env(&vars(&[("LUCIA_DEMO_KEYCLOAK_CLIENT_ID", "kc")]));
        assert!(missing.is_err_and(|e| e.contains("LUCIA_DEMO_KEYCLOAK_DOMAIN")));
        let no_issuer = from_env(&vars(&[("LUCIA_DEMO_OIDC_CLIENT_ID", "x")]));
        assert!(no_issuer.is_err());
    }
}
