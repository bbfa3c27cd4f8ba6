//! Password reset by a mailed single-use link.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lucia::Error;
use lucia::throttle::keys;
use lucia_axum::SessionControl;
use serde::Deserialize;

use crate::DemoStore;
use crate::app::*;
use crate::pages::escape;

pub(crate) async fn forgot_password_page<S: DemoStore>(control: SessionControl<S>) -> Response {
    html(
        StatusCode::OK,
        "Forgot your password?",
        viewer(control.current()),
        &email_form(None),
    )
}

pub(crate) fn email_form(message: Option<&str>) -> String {
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
pub(crate) struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The same answer whether or not the address has an account; mails are throttled per
/// address asked for and per client.
pub(crate) async fn forgot_password<S: DemoStore>(
    State(app): State<Arc<App>>,
    control: SessionControl<S>,
    connect: Option<Extension<ConnectInfo<SocketAddr>>>,
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
                // The link's base is the configured public URL, never the request's Host
                // header, which the client chooses (reset-link poisoning).
                let body = format!(
                    "Someone asked to reset the password of your account. If it was you, open\n\n{}/reset-password/{}\n\nwithin an hour. If not, ignore this mail.",
                    app.public_url,
                    link.expose_secret()
                );
                // A failed delivery is logged, not shown: the answer must not depend on
                // whether the address has an account.
                if let Err(err) = app.mailer.send(&email, "Reset your password", body).await {
                    eprintln!("lucia-demo: reset mail to {email} failed: {err}");
                }
            }
            Ok(None) => {}
            Err(_) => return unavailable(),
        }
    }
    html(
        StatusCode::OK,
        "Check your mail",
        viewer(control.current()),
        "<p>If an account exists for that address, we sent it a link to reset the password. The link works once, for an hour.</p>",
    )
}

pub(crate) fn reset_form(token: &str, error: Option<&str>) -> String {
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

pub(crate) async fn reset_password_page(
    axum::extract::Path(token): axum::extract::Path<String>,
) -> Response {
    no_referrer(html(
        StatusCode::OK,
        "Choose a new password",
        None,
        &reset_form(&token, None),
    ))
}

#[derive(Deserialize, Default)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    password: String,
}

pub(crate) async fn reset_password<S: DemoStore>(
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
        Ok(user_id) => {
            // The link reached the mailbox, which proves the address: mark it verified
            // (The Copenhagen Book). The core has already ended every session of the user.
            let verified = match lucia.get_user(&user_id).await {
                Ok(Some(user)) if !user.attributes.email_verified => {
                    let account = crate::model::Account {
                        email_verified: true,
                        ..user.attributes
                    };
                    lucia
                        .update_user_attributes(&user_id, account)
                        .await
                        .map(drop)
                }
                Ok(_) => Ok(()),
                Err(err) => Err(err),
            };
            match (verified, control.sign_out().await) {
                (Ok(()), Ok(())) => no_referrer(Redirect::to("/login").into_response()),
                _ => unavailable(),
            }
        }
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
