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
use crate::pages::{credentials_form, escape};

pub(crate) async fn home<S: DemoStore>(MaybeAuth(auth): MaybeAuth<S>) -> Response {
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
pub(crate) struct Credentials {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub(crate) async fn signup_page() -> Response {
    html(
        StatusCode::OK,
        "Sign up",
        None,
        &credentials_form("/signup", "Create account", None, ""),
    )
}

pub(crate) async fn signup<S: DemoStore>(
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

pub(crate) async fn login_page() -> Response {
    html(
        StatusCode::OK,
        "Log in",
        None,
        &credentials_form("/login", "Log in", None, ""),
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
