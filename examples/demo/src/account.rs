//! Home, sign-up, log-in, log-out and the JSON API.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use lucia::throttle::keys;
use lucia::{Error, NewKey, NewUser};
use lucia_axum::{MaybeAuth, SessionControl, VerifiedAuth};
use serde::Deserialize;

use crate::DemoStore;
use crate::app::*;
use crate::model::Account;
use crate::oauth::buttons;
use crate::pages::{credentials_form, escape};

/// The session lifetime without "remember me" (sliding: extended while in use).
pub(crate) const SESSION_LIFETIME: time::Duration = time::Duration::DAY;
/// The session lifetime with "remember me".
pub(crate) const REMEMBER_LIFETIME: time::Duration = time::Duration::days(30);

pub(crate) async fn home<S: DemoStore>(MaybeAuth(auth): MaybeAuth<S>) -> Response {
    match auth {
        Some(auth) if !auth.session.attributes.two_factor_verified => pending_html(
            StatusCode::OK,
            "Two-factor authentication",
            r#"<p>One more step: <a href="/2fa">enter the code from your authenticator app</a>.</p>"#,
        ),
        Some(auth) => {
            let account = &auth.user.attributes;
            let email = &account.email;
            let body = format!(
                r#"<p>You are signed in as <strong>{}</strong>.</p>
<p><a href="/settings">Settings</a> · <a href="/settings/sessions">Your sessions</a> · <a href="/settings/2fa">Two-factor authentication</a> · <a href="/api/me">/api/me</a></p>"#,
                escape(email)
            );
            html(StatusCode::OK, "Welcome back", Some(account), &body)
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
pub(crate) struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    /// "Remember me" (log-in only): any value means yes.
    #[serde(default)]
    remember: Option<String>,
}

pub(crate) async fn signup_page(State(app): State<Arc<App>>) -> Response {
    html(
        StatusCode::OK,
        "Sign up",
        None,
        &credentials_form("/signup", "Create account", None, "", &buttons(&app)),
    )
}

pub(crate) async fn signup<S: DemoStore>(
    State(app): State<Arc<App>>,
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
            &credentials_form(
                "/signup",
                "Create account",
                Some(message),
                &form.email,
                &buttons(&app),
            ),
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
                email_verified: false,
            })
            .key(key),
        )
        .await
    {
        Ok(user) => {
            let ip = client_ip(connect.as_ref());
            if control
                .sign_in(&user.id, device(&headers, &ip))
                .await
                .is_err()
            {
                return unavailable();
            }
            // The account exists either way: a mail failure shows the 503 page, and the
            // banner's "send a new code" retries.
            match crate::verify_email::send_code(&app, lucia, &user.id, &email).await {
                Ok(()) => Redirect::to("/").into_response(),
                Err(response) => response,
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

pub(crate) async fn login_page(State(app): State<Arc<App>>) -> Response {
    html(
        StatusCode::OK,
        "Log in",
        None,
        &credentials_form("/login", "Log in", None, "", &buttons(&app)),
    )
}

pub(crate) async fn login<S: DemoStore>(
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
            &credentials_form("/login", "Log in", message, &form.email, &buttons(&app)),
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
            let lifetime = if form.remember.is_some() {
                REMEMBER_LIFETIME
            } else {
                SESSION_LIFETIME
            };
            match control
                .sign_in_with_lifetime(&key.user_id, attributes, lifetime)
                .await
            {
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
                    &buttons(&app),
                ),
            )
        }
        Err(_) => unavailable(),
    }
}

pub(crate) async fn logout<S: DemoStore>(control: SessionControl<S>) -> Response {
    match control.sign_out().await {
        Ok(()) => Redirect::to("/").into_response(),
        Err(_) => unavailable(),
    }
}

pub(crate) async fn api_me<S: DemoStore>(
    VerifiedAuth(auth): VerifiedAuth<S>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "id": auth.user.id, "email": auth.user.attributes.email }))
}
