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
use crate::two_factor::{Proof, Refusal, check_second_factor};

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
<label>Two-factor code or recovery code (only if two-factor authentication is on) <input name="code" autocomplete="one-time-code" maxlength="64"></label>
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
    /// A TOTP code (digits) or a recovery code; needed when two-factor is on.
    #[serde(default)]
    code: String,
}

/// Sets a new password from a mailed link. A user with two-factor authentication must also
/// give a code from their app or a recovery code (The Copenhagen Book: the mailbox alone must
/// not be enough). A missing or wrong code spends the link, so a fresh one is issued into the
/// form answered (never mailed); wrong codes count against the same throttle as at sign-in.
pub(crate) async fn reset_password<S: DemoStore>(
    State(app): State<Arc<App>>,
    axum::extract::Path(token): axum::extract::Path<String>,
    control: SessionControl<S>,
    Form(form): Form<PasswordForm>,
) -> Response {
    let page = |status: StatusCode, token: &str, message: &str| {
        no_referrer(html(
            status,
            "Choose a new password",
            None,
            &reset_form(token, Some(message)),
        ))
    };
    let lucia = control.lucia();
    // Check the policy first: the token is consumed by the reset itself.
    if let Err(reason) = lucia.password_policy().check(&form.password) {
        let message = format!("Please choose another password: {reason}.");
        return page(StatusCode::UNPROCESSABLE_ENTITY, &token, &message);
    }
    let reset = match lucia.redeem_password_reset(&token).await {
        Ok(reset) => reset,
        Err(Error::InvalidToken | Error::TokenExpired) => {
            return no_referrer(html(
                StatusCode::BAD_REQUEST,
                "Link not valid",
                None,
                r#"<p>This link is invalid, used or expired. <a href="/forgot-password">Ask for a new one</a>.</p>"#,
            ));
        }
        Err(_) => return unavailable(),
    };
    match second_factor_of_reset(&app, lucia, &reset, form.code.trim()).await {
        Ok(None) => {}
        Ok(Some(refusal)) => {
            // The link is spent: continue with a new one, shown only in this form.
            let next = match reissue(lucia, &reset).await {
                Ok(next) => next,
                Err(response) => return response,
            };
            return match refusal {
                Wait::Refused(Refusal::Throttled(wait)) => no_referrer(throttled(
                    "Choose a new password",
                    &reset_form(
                        &next,
                        Some("Too many wrong codes. Please wait before trying again."),
                    ),
                    wait,
                )),
                Wait::Missing => page(
                    StatusCode::BAD_REQUEST,
                    &next,
                    "Two-factor authentication is on: enter a code from your app or a recovery code.",
                ),
                Wait::Refused(Refusal::Wrong) => page(
                    StatusCode::BAD_REQUEST,
                    &next,
                    "That code is not valid. Try the next one from your app.",
                ),
            };
        }
        Err(response) => return response,
    }
    match lucia.complete_password_reset(&reset, &form.password).await {
        Ok(()) => {}
        Err(Error::PasswordPolicy(reason)) => {
            let message = format!("Please choose another password: {reason}.");
            return match reissue(lucia, &reset).await {
                Ok(next) => page(StatusCode::UNPROCESSABLE_ENTITY, &next, &message),
                Err(response) => response,
            };
        }
        Err(_) => return unavailable(),
    }
    // The link reached the mailbox, which proves the address: mark it verified (The
    // Copenhagen Book). The core has already ended every session of the user.
    let verified = match lucia.get_user(&reset.user_id).await {
        Ok(Some(user)) if !user.attributes.email_verified => {
            let account = crate::model::Account {
                email_verified: true,
                ..user.attributes
            };
            lucia
                .update_user_attributes(&reset.user_id, account)
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

/// Why a reset waits for its second factor.
enum Wait {
    Missing,
    Refused(Refusal),
}

/// A new reset link for a spent one (answered in the form, never mailed).
async fn reissue<S: DemoStore>(
    lucia: &lucia::Lucia<S>,
    reset: &lucia::one_time::PasswordReset,
) -> Result<String, Response> {
    lucia
        .issue_token(
            &reset.user_id,
            lucia::one_time::Purpose::PASSWORD_RESET,
            Some(&reset.email),
        )
        .await
        .map(|issued| issued.expose_secret().to_owned())
        .map_err(|_| unavailable())
}

/// `Ok(None)` when the reset may go on (no second factor, or a right code).
async fn second_factor_of_reset<S: DemoStore>(
    app: &App,
    lucia: &lucia::Lucia<S>,
    reset: &lucia::one_time::PasswordReset,
    code: &str,
) -> Result<Option<Wait>, Response> {
    match lucia.two_factor_enabled(&reset.user_id).await {
        Ok(false) => return Ok(None),
        Ok(true) => {}
        Err(_) => return Err(unavailable()),
    }
    if code.is_empty() {
        return Ok(Some(Wait::Missing));
    }
    // One field for both: an app code is a few digits, a recovery code is not.
    let proof = if code.len() <= 8 && code.bytes().all(|b| b.is_ascii_digit()) {
        Proof::Totp(code)
    } else {
        Proof::Recovery(code)
    };
    Ok(check_second_factor(app, lucia, &reset.user_id, proof)
        .await?
        .err()
        .map(Wait::Refused))
}
