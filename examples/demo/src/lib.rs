//! The lucia demo app: sign-up, sign-in, sign-out, a sessions page and a JSON API, on axum
//! with lucia-axum and lucia-sqlx. Everything here uses only the libraries' public APIs: read
//! it as the reference for wiring lucia into an app.
//!
//! Routes (a stable contract; tests and tools depend on it):
//!
//! | route | |
//! | --- | --- |
//! | `GET /` | the signed-in user's email and a logout button, or links to log in / sign up |
//! | `GET /signup`, `POST /signup` (`email`, `password`) | 303 to `/` with the session cookie; otherwise the form again with a message and a 4xx |
//! | `GET /login`, `POST /login` (`email`, `password`) | 303 to `/` with a new session; wrong credentials: one generic message, 400; throttled: 429 + `Retry-After` |
//! | `POST /logout` | ends the session, clears the cookie, 303 to `/` |
//! | `GET /settings/sessions` | the user's sessions; `POST /settings/sessions/revoke` (`session_id`), `POST /settings/sessions/revoke-others` |
//! | `GET /api/me` | `{"id", "email"}` for a session cookie or `Authorization: Bearer`; 401 JSON otherwise (also while the second factor is pending) |
//! | `GET /settings/2fa`, `POST /settings/2fa/enable` (`code`), `POST /settings/2fa/disable` (`code`) | TOTP enrolment with an inline QR code and the key; ten recovery codes shown once |
//! | `GET /forgot-password`, `POST /forgot-password` (`email`) | the same answer whether or not the address has an account; mails throttled (3 per address, then one per 10 minutes; 10 requests per client a minute) |
//! | `GET /reset-password/{token}`, `POST /reset-password/{token}` (`password`) | `Referrer-Policy: no-referrer`; policy checked before the link is used; success signs out every session |
//! | `GET /dev/mailbox` | development only: the mails the demo sent, newest first |
//! | `GET /2fa`, `POST /2fa` (`code` or `recovery_code`) | the second step of signing in when two-factor is on; wrong codes are throttled (5 free, then 15 minutes doubling up to an hour: 429 + `Retry-After`) |
//!
//! Every non-safe request passes lucia's origin check (403 otherwise).
#![forbid(unsafe_code)]

pub mod mail;
pub mod model;
pub mod pages;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, RETRY_AFTER, USER_AGENT,
    X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use lucia::cookie::SessionCookie;
use lucia::origin::OriginCheck;
use lucia::store::AuthStore;
use lucia::throttle::{Limit, MemoryThrottle, Throttle, keys};
use lucia::{Error, Lucia, NewKey, NewUser};
use lucia_axum::{
    Auth, LuciaLayer, MaybeAuth, PageAuth, SessionControl, TokioOffload, VerifiedAuth,
};
use lucia_sqlx::SqlxStore;
use serde::Deserialize;

use crate::model::{Account, Device, migrator};
use crate::pages::{credentials_form, escape, layout};

/// Any store the demo can run on.
pub trait DemoStore:
    AuthStore<UserAttributes = Account, SessionAttributes = Device>
    + lucia::two_factor::TwoFactorStore
    + lucia::one_time::TokenStore
    + Send
    + Sync
    + 'static
{
}
impl<T> DemoStore for T where
    T: AuthStore<UserAttributes = Account, SessionAttributes = Device>
        + lucia::two_factor::TwoFactorStore
        + lucia::one_time::TokenStore
        + Send
        + Sync
        + 'static
{
}

/// How the demo is served.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://file.db`, `postgres://...` or `mysql://...`.
    pub database_url: String,
    /// Serve `Secure` cookies and expect `https://` origins (behind TLS).
    pub secure_cookies: bool,
}

/// Shared state of the handlers.
struct App {
    /// Failed sign-ins per account.
    accounts: Throttle<MemoryThrottle>,
    /// Failed sign-ins per client address.
    addresses: Throttle<MemoryThrottle>,
    /// Password-reset mails per address asked for, and requests per client address.
    reset_mails: Throttle<MemoryThrottle>,
    reset_requests: Throttle<MemoryThrottle>,
    /// The development mailbox.
    mailbox: mail::DevMailbox,
    /// Wrong two-factor codes per user: 5 free, then 15 minutes doubling up to an hour.
    second_factor: Throttle<MemoryThrottle>,
}

/// Connects to the database, applies the migrations and builds the app.
pub async fn build(
    settings: &Settings,
) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    let url = settings.database_url.as_str();
    let timeout = Duration::from_secs(3);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(timeout)
            .connect(url)
            .await?;
        migrator("TEXT")?.run(&pool).await?;
        Ok(router(store(pool)?, settings)?)
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        let url = url.replacen("mariadb://", "mysql://", 1);
        let pool = sqlx::mysql::MySqlPoolOptions::new()
            .acquire_timeout(timeout)
            .connect(&url)
            .await?;
        migrator("VARCHAR(255)")?.run(&pool).await?;
        Ok(router(store(pool)?, settings)?)
    } else if url.starts_with("sqlite:") {
        let options = sqlx::sqlite::SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .foreign_keys(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .acquire_timeout(timeout)
            .connect_with(options)
            .await?;
        migrator("TEXT")?.run(&pool).await?;
        Ok(router(store(pool)?, settings)?)
    } else {
        Err(
            format!("unsupported database URL {url:?}: use sqlite://, postgres:// or mysql://")
                .into(),
        )
    }
}

fn store<DB>(pool: sqlx::Pool<DB>) -> lucia::Result<SqlxStore<DB, Account, Device>>
where
    DB: lucia_sqlx::Backend,
    Account: lucia_sqlx::Columns<DB>,
    Device: lucia_sqlx::Columns<DB>,
{
    SqlxStore::with_tables(pool, migrator("TEXT")?.tables().clone())
}

/// The router for any store (the tests use it directly).
pub fn router<S: DemoStore>(store: S, settings: &Settings) -> lucia::Result<Router> {
    let development = !settings.secure_cookies;
    let lucia = Arc::new(
        Lucia::new(store)
            .with_offload(TokioOffload::default())
            .with_session_cookie(SessionCookie::builder().development(development).build()?),
    );
    let origin = OriginCheck::builder().development(development).build()?;
    let app = Arc::new(App {
        // Copenhagen: about 5 attempts per account, refilled one a minute; more per address,
        // which may be shared (NAT, offices).
        accounts: Throttle::new(
            "login-account",
            Limit::copenhagen_login(),
            MemoryThrottle::new(),
        ),
        addresses: Throttle::new(
            "login-address",
            Limit::TokenBucket {
                capacity: 20,
                refill: time::Duration::seconds(15),
            },
            MemoryThrottle::new(),
        ),
        reset_mails: Throttle::new(
            "reset-mail",
            Limit::TokenBucket {
                capacity: 3,
                refill: time::Duration::minutes(10),
            },
            MemoryThrottle::new(),
        ),
        reset_requests: Throttle::new(
            "reset-request",
            Limit::TokenBucket {
                capacity: 10,
                refill: time::Duration::minutes(1),
            },
            MemoryThrottle::new(),
        ),
        mailbox: mail::DevMailbox::default(),
        second_factor: Throttle::new(
            "two-factor",
            Limit::Backoff {
                free: 5,
                base: time::Duration::minutes(15),
                max: time::Duration::HOUR,
            },
            MemoryThrottle::new(),
        ),
    });
    Ok(Router::new()
        .route("/", get(home::<S>))
        .route("/signup", get(signup_page).post(signup::<S>))
        .route("/login", get(login_page).post(login::<S>))
        .route("/logout", post(logout::<S>))
        .route("/settings/sessions", get(sessions::<S>))
        .route("/settings/sessions/revoke", post(revoke::<S>))
        .route("/settings/sessions/revoke-others", post(revoke_others::<S>))
        .route("/api/me", get(api_me::<S>))
        .route(
            "/2fa",
            get(second_factor_page::<S>).post(second_factor::<S>),
        )
        .route(
            "/forgot-password",
            get(forgot_password_page).post(forgot_password::<S>),
        )
        .route(
            "/reset-password/{token}",
            get(reset_password_page).post(reset_password::<S>),
        )
        .route("/dev/mailbox", get(mailbox))
        .route("/settings/2fa", get(two_factor_settings::<S>))
        .route("/settings/2fa/enable", post(enable_two_factor::<S>))
        .route("/settings/2fa/disable", post(disable_two_factor::<S>))
        .route(
            "/style.css",
            get(|| async { ([("content-type", "text/css")], pages::STYLE) }),
        )
        .with_state(app)
        .layer(LuciaLayer::new(lucia).origin_check(origin))
        .layer(axum::middleware::map_response(security_headers)))
}

async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers
        .entry(REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("same-origin"));
    headers
        .entry(CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

fn html(status: StatusCode, title: &str, signed_in: Option<&str>, body: &str) -> Response {
    (status, Html(layout(title, signed_in, body))).into_response()
}

fn unavailable() -> Response {
    let mut response = html(
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        None,
        "<p>The database is not answering. Please try again in a moment.</p>",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

async fn home<S: DemoStore>(MaybeAuth(auth): MaybeAuth<S>) -> Response {
    match auth {
        Some(auth) if !auth.session.attributes.two_factor_verified => html(
            StatusCode::OK,
            "Two-factor authentication",
            None,
            r#"<p>One more step: <a href="/2fa">enter the code from your authenticator app</a>.</p>"#,
        ),
        Some(auth) => {
            let email = &auth.user.attributes.email;
            let body = format!(
                r#"<p>You are signed in as <strong>{}</strong>.</p>
<p><a href="/settings/sessions">Your sessions</a> · <a href="/settings/2fa">Two-factor authentication</a> · <a href="/api/me">/api/me</a></p>
<form method="post" action="/logout"><button type="submit">Log out</button></form>"#,
                escape(email)
            );
            html(StatusCode::OK, "Welcome back", Some(email), &body)
        }
        None => html(
            StatusCode::OK,
            "Welcome",
            None,
            r#"<p>This demo shows lucia's sign-up, sign-in, sessions and API authentication.</p>
<p><a href="/signup">Sign up</a> or <a href="/login">log in</a>.</p>"#,
        ),
    }
}

/// The fields of the sign-up and log-in forms. Missing fields are empty strings, so they get
/// the form's own message instead of a bare rejection.
#[derive(Deserialize, Default)]
struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// Normalises an email address (The Copenhagen Book): lowercase, no surrounding whitespace,
/// at most 255 characters, `x@y.z` shape; `+tags` are kept.
fn normalize_email(email: &str) -> Option<String> {
    if email.is_empty() || email.len() > 255 || email.trim() != email {
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    let valid = !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| email.to_lowercase())
}

/// The peer's address (the demo is served directly; behind a proxy, take it from the proxy's
/// header instead, and only from a proxy you trust).
fn client_ip(connect: Option<&Extension<ConnectInfo<SocketAddr>>>) -> String {
    connect.map_or_else(
        || "unknown".to_owned(),
        |Extension(ConnectInfo(addr))| addr.ip().to_string(),
    )
}

fn device(headers: &HeaderMap, ip: &str) -> Device {
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .chars()
        .take(255)
        .collect();
    Device {
        user_agent,
        ip: Some(ip.to_owned()),
        two_factor_verified: true,
    }
}

async fn signup_page() -> Response {
    html(
        StatusCode::OK,
        "Sign up",
        None,
        &credentials_form("/signup", "Create account", None, ""),
    )
}

async fn signup<S: DemoStore>(
    control: SessionControl<S>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Response {
    let again = |status: StatusCode, message: &str| {
        html(
            status,
            "Sign up",
            None,
            &credentials_form("/signup", "Create account", Some(message), &form.email),
        )
    };
    let Some(email) = normalize_email(&form.email) else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Please enter a valid email address.",
        );
    };
    let key = match NewKey::new("email", &email) {
        Ok(key) => key.password(form.password.as_str()),
        Err(_) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Please enter a valid email address.",
            );
        }
    };
    let lucia = control.lucia();
    match lucia
        .create_user(
            NewUser::new(Account {
                email: email.clone(),
            })
            .key(key),
        )
        .await
    {
        Ok(user) => {
            let ip = client_ip(connect.as_ref());
            match control.sign_in(&user.id, device(&headers, &ip)).await {
                Ok(_) => Redirect::to("/").into_response(),
                Err(_) => unavailable(),
            }
        }
        Err(Error::PasswordPolicy(lucia::password::PasswordPolicyError::Common)) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "This password is too common. Please choose another one.",
        ),
        Err(Error::PasswordPolicy(reason)) => again(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("Weak password: {reason}."),
        ),
        Err(Error::DuplicateKey | Error::UniqueViolation { .. }) => again(
            StatusCode::CONFLICT,
            "This email address is already registered. Log in instead?",
        ),
        Err(_) => unavailable(),
    }
}

async fn login_page() -> Response {
    html(
        StatusCode::OK,
        "Log in",
        None,
        &credentials_form("/login", "Log in", None, ""),
    )
}

async fn login<S: DemoStore>(
    State(app): State<Arc<App>>,
    control: SessionControl<S>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Response {
    let email = normalize_email(&form.email).unwrap_or_default();
    let ip = client_ip(connect.as_ref());
    let (account_key, address_key) = (keys::account(&email), keys::address(&ip));
    let lucia = control.lucia();
    let now = lucia.now();
    let checks = match (
        app.accounts.check(&account_key, now).await,
        app.addresses.check(&address_key, now).await,
    ) {
        (Ok(account), Ok(address)) => account.and(address),
        _ => return unavailable(),
    };
    if let Err(wait) = checks {
        let message = Some("Too many attempts. Please wait a moment and try again.");
        return throttled(
            "Log in",
            &credentials_form("/login", "Log in", message, &form.email),
            wait,
        );
    }
    let key = if email.is_empty() {
        Err(Error::UnknownKey)
    } else {
        lucia.use_key("email", &email, Some(&form.password)).await
    };
    match key {
        Ok(key) => {
            if app.accounts.reset(&account_key).await.is_err() {
                return unavailable();
            }
            // With two-factor on, the new session is "pending" until a code is entered.
            let Ok(two_factor) = lucia.two_factor_enabled(&key.user_id).await else {
                return unavailable();
            };
            let mut attributes = device(&headers, &ip);
            attributes.two_factor_verified = !two_factor;
            match control.sign_in(&key.user_id, attributes).await {
                Ok(_) if two_factor => Redirect::to("/2fa").into_response(),
                Ok(_) => Redirect::to("/").into_response(),
                Err(_) => unavailable(),
            }
        }
        Err(Error::UnknownKey | Error::InvalidPassword) => {
            let counted = (
                app.accounts.hit(&account_key, now).await,
                app.addresses.hit(&address_key, now).await,
            );
            if counted.0.is_err() || counted.1.is_err() {
                return unavailable();
            }
            html(
                StatusCode::BAD_REQUEST,
                "Log in",
                None,
                &credentials_form(
                    "/login",
                    "Log in",
                    Some("Incorrect email or password."),
                    &form.email,
                ),
            )
        }
        Err(_) => unavailable(),
    }
}

async fn logout<S: DemoStore>(control: SessionControl<S>) -> Response {
    match control.sign_out().await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(_) => unavailable(),
    }
}

fn format_time(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&format).unwrap_or_else(|_| t.to_string())
}

async fn sessions<S: DemoStore>(
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    let lucia = control.lucia();
    let Ok(mut sessions) = lucia.get_all_user_sessions(&auth.user.id).await else {
        return unavailable();
    };
    sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
    let lifetime = lucia.session_policy().default_lifetime();
    let mut rows = String::new();
    for session in &sessions {
        let current = session.id == auth.session.id;
        // Sessions are extended on use, so `expires_at - lifetime` is when it was last extended.
        let last_seen = session.expires_at - session.lifetime.unwrap_or(lifetime);
        rows.push_str(&format!(
            r#"<tr><td>{created}</td><td>{seen}</td><td>{agent}<br><small>{ip}</small></td><td>{state}</td></tr>"#,
            created = format_time(session.created_at),
            seen = format_time(last_seen.max(session.created_at)),
            agent = escape(&session.attributes.user_agent),
            ip = escape(session.attributes.ip.as_deref().unwrap_or("")),
            state = if current {
                r#"<span class="current">This device</span>"#.to_owned()
            } else {
                format!(
                    r#"<form method="post" action="/settings/sessions/revoke"><input type="hidden" name="session_id" value="{}"><button type="submit" class="secondary">Revoke</button></form>"#,
                    escape(&session.id)
                )
            },
        ));
    }
    let body = format!(
        r#"<table><thead><tr><th>Signed in</th><th>Last seen</th><th>Device</th><th></th></tr></thead><tbody>{rows}</tbody></table>
<form method="post" action="/settings/sessions/revoke-others"><p><button type="submit">Sign out all other sessions</button></p></form>"#
    );
    html(
        StatusCode::OK,
        "Your sessions",
        Some(&auth.user.attributes.email),
        &body,
    )
}

#[derive(Deserialize)]
struct RevokeForm {
    #[serde(default)]
    session_id: String,
}

async fn revoke<S: DemoStore>(
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
    Form(form): Form<RevokeForm>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    if form.session_id == auth.session.id {
        return match control.sign_out().await {
            Ok(()) => Redirect::to("/").into_response(),
            Err(_) => unavailable(),
        };
    }
    let lucia = control.lucia();
    match lucia.get_session(&form.session_id).await {
        // Only the owner may revoke a session; someone else's id looks like an unknown one.
        Ok(Some(session)) if session.user_id == auth.user.id => {
            if lucia.invalidate_session(&session.id).await.is_err() {
                return unavailable();
            }
            Redirect::to("/settings/sessions").into_response()
        }
        Ok(_) => html(
            StatusCode::NOT_FOUND,
            "Unknown session",
            Some(&auth.user.attributes.email),
            r#"<p>No such session. <a href="/settings/sessions">Back to your sessions</a>.</p>"#,
        ),
        Err(_) => unavailable(),
    }
}

async fn revoke_others<S: DemoStore>(
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    let lucia = control.lucia();
    let Ok(sessions) = lucia.get_all_user_sessions(&auth.user.id).await else {
        return unavailable();
    };
    for session in sessions.iter().filter(|s| s.id != auth.session.id) {
        if lucia.invalidate_session(&session.id).await.is_err() {
            return unavailable();
        }
    }
    Redirect::to("/settings/sessions").into_response()
}

async fn api_me<S: DemoStore>(VerifiedAuth(auth): VerifiedAuth<S>) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "id": auth.user.id, "email": auth.user.attributes.email }))
}

/// Serves the app on `addr` until Ctrl-C.
pub async fn serve(
    settings: Settings,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let app = build(&settings).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("lucia demo listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("Ada+Tag@Example.COM").as_deref(),
            Some("ada+tag@example.com")
        );
        for bad in [
            "",
            " ada@example.com",
            "ada@example.com ",
            "ada",
            "ada@example",
            "@example.com",
            "ada@.com",
            "a b@c.de",
            "ada@example.com.",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
        assert_eq!(
            normalize_email(&format!("{}@example.com", "a".repeat(250))),
            None
        );
    }
}

/// Pages for signed-in users send sessions still waiting for the second factor to `/2fa`.
fn second_factor_pending<S: DemoStore>(auth: &Auth<S>) -> Option<Response> {
    (!auth.session.attributes.two_factor_verified).then(|| Redirect::to("/2fa").into_response())
}

fn second_factor_form(error: Option<&str>) -> String {
    let error = error.map_or_else(String::new, |e| {
        format!(r#"<p class="error" role="alert">{}</p>"#, escape(e))
    });
    format!(
        r#"{error}<form method="post" action="/2fa" class="card">
<label>Code from your authenticator app <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12"></label>
<label>Or a recovery code <input name="recovery_code" autocomplete="off" maxlength="20"></label>
<button type="submit">Continue</button>
</form>"#
    )
}

fn throttled(title: &str, body: &str, wait: lucia::throttle::RetryAfter) -> Response {
    let mut response = html(StatusCode::TOO_MANY_REQUESTS, title, None, body);
    if let Ok(value) = HeaderValue::from_str(&wait.seconds().to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

async fn second_factor_page<S: DemoStore>(PageAuth(auth): PageAuth<S>) -> Response {
    if auth.session.attributes.two_factor_verified {
        return Redirect::to("/").into_response();
    }
    html(
        StatusCode::OK,
        "Two-factor authentication",
        None,
        &second_factor_form(None),
    )
}

#[derive(Deserialize, Default)]
struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

async fn second_factor<S: DemoStore>(
    State(app): State<Arc<App>>,
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    if auth.session.attributes.two_factor_verified {
        return Redirect::to("/").into_response();
    }
    let lucia = control.lucia();
    let now = lucia.now();
    let key = keys::account(&auth.user.id);
    match app.second_factor.check(&key, now).await {
        Ok(Ok(())) => {}
        Ok(Err(wait)) => {
            let form = second_factor_form(Some(
                "Too many wrong codes. Please wait before trying again.",
            ));
            return throttled("Two-factor authentication", &form, wait);
        }
        Err(_) => return unavailable(),
    }
    let verified = if form.code.trim().is_empty() {
        lucia
            .use_recovery_code(&auth.user.id, &form.recovery_code)
            .await
    } else {
        lucia.verify_two_factor(&auth.user.id, &form.code).await
    };
    match verified {
        Ok(()) => {
            let mut session = auth.session;
            if app.second_factor.reset(&key).await.is_err()
                || lucia.mark_two_factor_verified(&mut session).await.is_err()
            {
                return unavailable();
            }
            Redirect::to("/").into_response()
        }
        Err(Error::InvalidToken | Error::TwoFactorNotEnabled) => {
            if app.second_factor.hit(&key, now).await.is_err() {
                return unavailable();
            }
            let form = second_factor_form(Some(
                "That code is not valid. Try the next one from your app.",
            ));
            html(
                StatusCode::BAD_REQUEST,
                "Two-factor authentication",
                None,
                &form,
            )
        }
        Err(_) => unavailable(),
    }
}

async fn two_factor_settings<S: DemoStore>(
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    let lucia = control.lucia();
    let email = &auth.user.attributes.email;
    match lucia.two_factor_enabled(&auth.user.id).await {
        Ok(true) => html(
            StatusCode::OK,
            "Two-factor authentication",
            Some(email),
            r#"<p>Two-factor authentication is <strong>on</strong>.</p>
<form method="post" action="/settings/2fa/disable" class="card">
<label>Current code <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
<button type="submit" class="secondary">Turn off</button>
</form>"#,
        ),
        Ok(false) => {
            // A fresh secret, not yet confirmed, each time this page is shown.
            let Ok(uri) = lucia
                .begin_two_factor(&auth.user.id, "lucia demo", email)
                .await
            else {
                return unavailable();
            };
            let lucia::otp::Otp::Totp(totp) = uri.otp() else {
                return unavailable();
            };
            let qr = uri.to_qr_svg().unwrap_or_default();
            let body = format!(
                r#"<p>Scan this code with your authenticator app, or type the key below, then enter the code it shows.</p>
<div class="qr" role="img" aria-label="QR code of the two-factor key">{qr}</div>
<p>Key: <code id="totp-secret">{secret}</code></p>
<form method="post" action="/settings/2fa/enable" class="card">
<label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
<button type="submit">Turn on</button>
</form>"#,
                secret = escape(&totp.secret().expose_base32()),
            );
            html(
                StatusCode::OK,
                "Two-factor authentication",
                Some(email),
                &body,
            )
        }
        Err(_) => unavailable(),
    }
}

#[derive(Deserialize, Default)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn enable_two_factor<S: DemoStore>(
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
    Form(form): Form<CodeForm>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    let email = &auth.user.attributes.email;
    match control
        .lucia()
        .confirm_two_factor(&auth.user.id, &form.code)
        .await
    {
        Ok(codes) => {
            let list: String = codes
                .iter()
                .map(|c| format!("<li><code>{}</code></li>", escape(c)))
                .collect();
            let body = format!(
                r#"<p>Two-factor authentication is on. Keep these recovery codes somewhere safe: each works once if you lose your device. They are shown only now.</p>
<ul class="recovery">{list}</ul>
<p><a href="/">Done</a></p>"#
            );
            html(StatusCode::OK, "Recovery codes", Some(email), &body)
        }
        Err(Error::InvalidToken | Error::TwoFactorNotEnabled) => html(
            StatusCode::BAD_REQUEST,
            "Two-factor authentication",
            Some(email),
            r#"<p class="error" role="alert">That code is not valid. <a href="/settings/2fa">Start again</a>.</p>"#,
        ),
        Err(_) => unavailable(),
    }
}

async fn disable_two_factor<S: DemoStore>(
    State(app): State<Arc<App>>,
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
    Form(form): Form<CodeForm>,
) -> Response {
    if let Some(pending) = second_factor_pending(&auth) {
        return pending;
    }
    let lucia = control.lucia();
    let now = lucia.now();
    let key = keys::account(&auth.user.id);
    match app.second_factor.check(&key, now).await {
        Ok(Ok(())) => {}
        Ok(Err(wait)) => {
            return throttled(
                "Two-factor authentication",
                "<p>Too many wrong codes.</p>",
                wait,
            );
        }
        Err(_) => return unavailable(),
    }
    match lucia.verify_two_factor(&auth.user.id, &form.code).await {
        Ok(()) => match lucia.disable_two_factor(&auth.user.id).await {
            Ok(()) => Redirect::to("/settings/2fa").into_response(),
            Err(_) => unavailable(),
        },
        Err(Error::InvalidToken | Error::TwoFactorNotEnabled) => {
            if app.second_factor.hit(&key, now).await.is_err() {
                return unavailable();
            }
            html(
                StatusCode::BAD_REQUEST,
                "Two-factor authentication",
                Some(&auth.user.attributes.email),
                r#"<p class="error" role="alert">That code is not valid. <a href="/settings/2fa">Back</a>.</p>"#,
            )
        }
        Err(_) => unavailable(),
    }
}

async fn forgot_password_page() -> Response {
    html(
        StatusCode::OK,
        "Forgot your password?",
        None,
        &email_form(None),
    )
}

fn email_form(message: Option<&str>) -> String {
    let message = message.map_or_else(String::new, |m| {
        format!(r#"<p role="status">{}</p>"#, escape(m))
    });
    format!(
        r#"{message}<form method="post" action="/forgot-password" class="card">
<label>Email <input type="email" name="email" required autocomplete="email" maxlength="255"></label>
<button type="submit">Send a reset link</button>
</form>"#
    )
}

#[derive(Deserialize, Default)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address has an account; mails are throttled per
/// address asked for and per client.
async fn forgot_password<S: DemoStore>(
    State(app): State<Arc<App>>,
    control: SessionControl<S>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<EmailForm>,
) -> Response {
    let lucia = control.lucia();
    let now = lucia.now();
    let email = normalize_email(&form.email).unwrap_or_default();
    let (mail_key, client_key) = (
        keys::account(&email),
        keys::address(&client_ip(connect.as_ref())),
    );
    match (
        app.reset_mails.hit(&mail_key, now).await,
        app.reset_requests.hit(&client_key, now).await,
    ) {
        (Ok(Ok(())), Ok(Ok(()))) => {}
        (Ok(Err(wait)), _) | (_, Ok(Err(wait))) => {
            let body = email_form(Some(
                "Too many requests. Please wait before asking for another link.",
            ));
            return throttled("Forgot your password?", &body, wait);
        }
        _ => return unavailable(),
    }
    if !email.is_empty() {
        match lucia.request_password_reset(&email).await {
            Ok(Some(link)) => {
                let host = headers
                    .get("host")
                    .and_then(|h| h.to_str().ok())
                    .unwrap_or("127.0.0.1:3000");
                let body = format!(
                    "Someone asked to reset the password of your account. If it was you, open\n\nhttp://{host}/reset-password/{}\n\nwithin an hour. If not, ignore this mail.",
                    link.expose_secret()
                );
                app.mailbox.send(&email, "Reset your password", body);
            }
            Ok(None) => {}
            Err(_) => return unavailable(),
        }
    }
    html(
        StatusCode::OK,
        "Check your mail",
        None,
        "<p>If an account exists for that address, we sent it a link to reset the password. The link works once, for an hour.</p>",
    )
}

fn no_referrer(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

fn reset_form(token: &str, error: Option<&str>) -> String {
    let error = error.map_or_else(String::new, |e| {
        format!(r#"<p class="error" role="alert">{}</p>"#, escape(e))
    });
    format!(
        r#"{error}<form method="post" action="/reset-password/{token}" class="card">
<label>New password <input type="password" name="password" required minlength="8" maxlength="256" autocomplete="new-password"></label>
<button type="submit">Set the new password</button>
</form>"#,
        token = escape(token),
    )
}

async fn reset_password_page(axum::extract::Path(token): axum::extract::Path<String>) -> Response {
    no_referrer(html(
        StatusCode::OK,
        "Choose a new password",
        None,
        &reset_form(&token, None),
    ))
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password<S: DemoStore>(
    axum::extract::Path(token): axum::extract::Path<String>,
    control: SessionControl<S>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let weak = |reason: lucia::password::PasswordPolicyError| {
        let message = format!("Please choose another password: {reason}.");
        let form = reset_form(&token, Some(&message));
        no_referrer(html(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose a new password",
            None,
            &form,
        ))
    };
    let lucia = control.lucia();
    // Check the policy first: the token is consumed by the reset itself.
    if let Err(reason) = lucia.password_policy().check(&form.password) {
        return weak(reason);
    }
    match lucia.reset_password(&token, &form.password).await {
        Ok(_) => match control.sign_out().await {
            Ok(()) => no_referrer(Redirect::to("/login").into_response()),
            Err(_) => unavailable(),
        },
        Err(Error::InvalidToken | Error::TokenExpired) => no_referrer(html(
            StatusCode::BAD_REQUEST,
            "Link not valid",
            None,
            r#"<p>This link is invalid, used or expired. <a href="/forgot-password">Ask for a new one</a>.</p>"#,
        )),
        Err(Error::PasswordPolicy(reason)) => weak(reason),
        Err(_) => unavailable(),
    }
}

/// Development only: the mails the demo "sent", newest first.
async fn mailbox(State(app): State<Arc<App>>) -> Response {
    let mut body = String::from(
        r#"<p class="error">Development mailbox: every mail the demo sends is shown here, to anyone.</p>"#,
    );
    for mail in app.mailbox.messages() {
        let linked: String = escape(&mail.body)
            .split_whitespace()
            .map(|word| {
                if word.starts_with("http://") || word.starts_with("https://") {
                    format!(r#"<a href="{word}">{word}</a>"#)
                } else {
                    word.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ");
        body.push_str(&format!(
            r#"<article class="card"><p><strong>{}</strong> to {} · {}</p><p>{linked}</p></article>"#,
            escape(&mail.subject),
            escape(&mail.to),
            format_time(mail.sent_at),
        ));
    }
    html(StatusCode::OK, "Mailbox", None, &body)
}
