//! The lucia demo app: sign-up with email verification, sign-in with a password or an OAuth
//! provider, two-factor authentication, password reset, account settings, a sessions page
//! and a JSON API, on axum with lucia-axum, lucia-sqlx and lucia-oauth. Everything here uses only the libraries' public APIs: read
//! it as the reference for wiring lucia into an app.
//!
//! Routes (a stable contract; tests and tools depend on it):
//!
//! | route | |
//! | --- | --- |
//! | `GET /` | the signed-in user's email and a logout button, or links to log in / sign up |
//! | `GET /signup`, `POST /signup` (`email`, `password`) | 303 to `/` with the session cookie and a verification code mailed; otherwise the form again with a message and a 4xx |
//! | `GET /login`, `POST /login` (`email`, `password`, `remember`) | 303 to `/` with a new session (1 day, or 30 days with `remember`); wrong credentials: one generic message, 400; throttled: 429 + `Retry-After` |
//! | `GET /verify-email`, `POST /verify-email` (`code`), `POST /verify-email/resend` | the 8-character code mailed after sign-up; resends throttled (3, then one per 5 minutes) |
//! | `GET /login/{provider}`, `GET`/`POST /login/{provider}/callback` | OAuth sign-in with a configured provider (see `oauth`); a new user only for a verified email nobody uses yet |
//! | `GET /settings`, `POST /settings/linked-accounts/{provider}`, `POST /settings/linked-accounts/unlink` (`provider`) | the address, two-factor state and sign-in methods; connect or disconnect providers (never the last sign-in method) |
//! | `POST /logout` | ends the session, clears the cookie, 303 to `/` |
//! | `GET /settings/sessions` | the user's sessions; `POST /settings/sessions/revoke` (`session_id`), `POST /settings/sessions/revoke-others` |
//! | `GET /api/me` | `{"id", "email"}` for a session cookie or `Authorization: Bearer`; 401 JSON otherwise (also while the second factor is pending) |
//! | `GET /settings/2fa`, `POST /settings/2fa/begin`, `POST /settings/2fa/enable` (`code`), `POST /settings/2fa/disable` (`code`) | TOTP enrolment with an inline QR code and the key; ten recovery codes shown once |
//! | `GET /forgot-password`, `POST /forgot-password` (`email`) | the same answer whether or not the address has an account; mails throttled (3 per address, then one per 10 minutes; 10 requests per client a minute) |
//! | `GET /reset-password/{token}`, `POST /reset-password/{token}` (`password`) | `Referrer-Policy: no-referrer`; policy checked before the link is used; success signs out every session |
//! | `GET /dev/mailbox` | development only (off with `--no-dev-mailbox`: 404): the mails the demo sent, newest first |
//! | `GET /2fa`, `POST /2fa` (`code` or `recovery_code`) | the second step of signing in when two-factor is on; wrong codes are throttled (5 free, then 15 minutes doubling up to an hour: 429 + `Retry-After`) |
//!
//! Every non-safe request passes lucia's origin check (403 otherwise).
//!
//! With [`Settings::session_redis_url`] (`--session-redis-url`) sessions live in Redis and
//! users, keys, tokens and two-factor settings in the database ([`lucia::store::Split`]). A
//! database or Redis that stops answering makes requests fail with 503 (within the 3 s pool
//! acquire timeout, or lucia-redis's 2–3 s response timeouts); the app recovers by itself
//! when the server is back (`tests/outage.rs`).
#![forbid(unsafe_code)]

mod account;
mod app;
pub mod mail;
pub mod model;
pub mod oauth;
pub mod pages;
mod password_reset;
mod sessions;
mod settings;
mod two_factor;
mod verify_email;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderValue;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::response::Response;
use axum::routing::{get, post};
use lucia::Lucia;
use lucia::cookie::SessionCookie;
use lucia::origin::OriginCheck;
use lucia::store::AuthStore;
use lucia::throttle::{Limit, MemoryThrottle, Throttle};
use lucia_axum::{LuciaLayer, TokioOffload};
use lucia_sqlx::SqlxStore;

use crate::model::{Account, Device, migrator};

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
    /// The public base URL (`https://demo.example.com`) for links in mails and OAuth
    /// redirect URIs; [`serve`] uses `http://` + the listening address when `None`.
    pub public_url: Option<String>,
    /// Keep the development mailbox at `/dev/mailbox`.
    pub dev_mailbox: bool,
    /// Deliver mail through this SMTP server.
    pub smtp_url: Option<String>,
    /// The sender of the demo's mails.
    pub mail_from: String,
    /// The OAuth providers ([`oauth::from_env`]).
    pub oauth: Vec<oauth::ProviderSetting>,
    /// Keep sessions in this Redis server (`redis://host:port/`) instead of the database;
    /// users, keys, tokens and two-factor settings stay in the database
    /// ([`lucia::store::Split`] over lucia-sqlx and lucia-redis).
    pub session_redis_url: Option<String>,
}

impl Default for Settings {
    /// A SQLite file `lucia-demo.db`, development cookies, the development mailbox, no SMTP,
    /// no OAuth providers.
    fn default() -> Self {
        Self {
            database_url: "sqlite://lucia-demo.db".into(),
            secure_cookies: false,
            public_url: None,
            dev_mailbox: true,
            smtp_url: None,
            mail_from: "lucia demo <demo@localhost>".into(),
            oauth: Vec::new(),
            session_redis_url: None,
        }
    }
}

/// What the app needs besides the store: the mailer and the OAuth clients.
struct Services {
    mailer: mail::Mailer,
    oauth: Vec<lucia_oauth::OAuthClient>,
    public_url: String,
}

impl Services {
    async fn new(settings: &Settings) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        let public_url = settings
            .public_url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:3000".into())
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            mailer: mail::Mailer::new(
                settings.dev_mailbox,
                settings.smtp_url.as_deref(),
                &settings.mail_from,
            )?,
            oauth: oauth::clients(&settings.oauth, &public_url).await?,
            public_url,
        })
    }
}

/// Connects to the database, applies the migrations and builds the app.
pub async fn build(
    settings: &Settings,
) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    let services = Services::new(settings).await?;
    let url = settings.database_url.as_str();
    let timeout = Duration::from_secs(3);
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let pool = sqlx::postgres::PgPoolOptions::new()
            .acquire_timeout(timeout)
            .connect(url)
            .await?;
        migrator("TEXT")?.run(&pool).await?;
        with_sessions(store(pool)?, settings, services).await
    } else if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        let url = url.replacen("mariadb://", "mysql://", 1);
        let pool = sqlx::mysql::MySqlPoolOptions::new()
            .acquire_timeout(timeout)
            .connect(&url)
            .await?;
        migrator("VARCHAR(255)")?.run(&pool).await?;
        with_sessions(store(pool)?, settings, services).await
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
        with_sessions(store(pool)?, settings, services).await
    } else {
        Err(
            format!("unsupported database URL {url:?}: use sqlite://, postgres:// or mysql://")
                .into(),
        )
    }
}

/// The router on `sql`, with the sessions in Redis when `session_redis_url` is set.
async fn with_sessions<S: DemoStore>(
    sql: S,
    settings: &Settings,
    services: Services,
) -> Result<Router, Box<dyn std::error::Error + Send + Sync>> {
    match &settings.session_redis_url {
        Some(url) => {
            let sessions =
                lucia_redis::RedisSessionStore::<_, Device>::new(lucia_redis::connect(url).await?)
                    .with_prefix("lucia-demo")?;
            Ok(router(
                lucia::store::Split::new(sql, sessions),
                settings,
                services,
            )?)
        }
        None => Ok(router(sql, settings, services)?),
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

/// The router for any store.
fn router<S: DemoStore>(
    store: S,
    settings: &Settings,
    services: Services,
) -> lucia::Result<Router> {
    let development = !settings.secure_cookies;
    let lucia = Arc::new(
        Lucia::new(store)
            .with_offload(TokioOffload::default())
            .with_session_policy(
                lucia::SessionPolicy::default().lifetime(account::SESSION_LIFETIME)?,
            )
            .with_session_cookie(SessionCookie::builder().development(development).build()?),
    );
    let mut origin = OriginCheck::builder().development(development);
    // Form-post providers (Apple) call back with a cross-site POST from their origin; forms
    // may redirect to every configured provider (CSP form-action applies to redirects).
    let mut form_action = String::from("'self'");
    for client in &services.oauth {
        let provider = client.provider();
        let provider_origin = provider
            .authorization_endpoint
            .origin()
            .ascii_serialization();
        if provider.response_mode == lucia_oauth::provider::ResponseMode::FormPost {
            origin = origin.allow_origin(provider_origin.clone());
        }
        form_action.push(' ');
        form_action.push_str(&provider_origin);
    }
    let origin = origin.build()?;
    let csp = HeaderValue::from_str(&format!(
        "default-src 'self'; frame-ancestors 'none'; form-action {form_action}; base-uri 'none'"
    ))
    .map_err(|_| lucia::Error::Config("invalid provider origin in the CSP".into()))?;
    let app = Arc::new(app::App {
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
        verification_mails: Throttle::new(
            "verification-mail",
            Limit::TokenBucket {
                capacity: 3,
                refill: time::Duration::minutes(5),
            },
            MemoryThrottle::new(),
        ),
        mailer: services.mailer,
        public_url: services.public_url,
        secure_cookies: settings.secure_cookies,
        oauth: services.oauth,
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
        .route("/", get(account::home::<S>))
        .route(
            "/signup",
            get(account::signup_page).post(account::signup::<S>),
        )
        .route("/login", get(account::login_page).post(account::login::<S>))
        .route("/logout", post(account::logout::<S>))
        .route("/settings/sessions", get(sessions::sessions::<S>))
        .route("/settings/sessions/revoke", post(sessions::revoke::<S>))
        .route(
            "/settings/sessions/revoke-others",
            post(sessions::revoke_others::<S>),
        )
        .route("/api/me", get(account::api_me::<S>))
        .route(
            "/2fa",
            get(two_factor::second_factor_page::<S>).post(two_factor::second_factor::<S>),
        )
        .route(
            "/forgot-password",
            get(password_reset::forgot_password_page::<S>)
                .post(password_reset::forgot_password::<S>),
        )
        .route(
            "/reset-password/{token}",
            get(password_reset::reset_password_page).post(password_reset::reset_password::<S>),
        )
        .route("/dev/mailbox", get(mail::mailbox::<S>))
        .route(
            "/verify-email",
            get(verify_email::verify_page::<S>).post(verify_email::verify::<S>),
        )
        .route("/verify-email/resend", post(verify_email::resend::<S>))
        .route("/login/{provider}", get(oauth::login))
        .route(
            "/login/{provider}/callback",
            get(oauth::callback::<S>).post(oauth::callback::<S>),
        )
        .route("/settings", get(settings::settings::<S>))
        .route(
            "/settings/linked-accounts/unlink",
            post(settings::unlink::<S>),
        )
        .route(
            "/settings/linked-accounts/{provider}",
            post(oauth::link::<S>),
        )
        .route(
            "/favicon.svg",
            get(|| async { ([("content-type", "image/svg+xml")], pages::FAVICON) }),
        )
        .route("/settings/2fa", get(two_factor::two_factor_settings::<S>))
        .route(
            "/settings/2fa/begin",
            post(two_factor::begin_two_factor::<S>),
        )
        .route(
            "/settings/2fa/enable",
            post(two_factor::enable_two_factor::<S>),
        )
        .route(
            "/settings/2fa/disable",
            post(two_factor::disable_two_factor::<S>),
        )
        .route(
            "/style.css",
            get(|| async { ([("content-type", "text/css")], pages::STYLE) }),
        )
        .with_state(app)
        .layer(LuciaLayer::new(lucia).origin_check(origin))
        .layer(axum::middleware::map_response(move |response| {
            security_headers(response, csp.clone())
        })))
}

async fn security_headers(mut response: Response, csp: HeaderValue) -> Response {
    let headers = response.headers_mut();
    headers.insert(CONTENT_SECURITY_POLICY, csp);
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

/// Serves the app on `addr` until Ctrl-C.
pub async fn serve(
    mut settings: Settings,
    addr: SocketAddr,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    settings
        .public_url
        .get_or_insert_with(|| format!("http://{local}"));
    let app = build(&settings).await?;
    println!("lucia demo listening on http://{local}");
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
