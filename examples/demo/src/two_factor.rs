//! Two-factor authentication: TOTP enrolment, the second sign-in step, recovery codes.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lucia::Error;
use lucia::throttle::keys;
use lucia_axum::{PageAuth, SessionControl};
use serde::Deserialize;

use crate::DemoStore;
use crate::app::*;
use crate::model::Account;
use crate::pages::escape;

pub(crate) fn second_factor_form(error: Option<&str>) -> String {
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

pub(crate) async fn second_factor_page<S: DemoStore>(PageAuth(auth): PageAuth<S>) -> Response {
    if auth.session.attributes.two_factor_verified {
        return Redirect::to("/").into_response();
    }
    pending_html(
        StatusCode::OK,
        "Two-factor authentication",
        &second_factor_form(None),
    )
}

/// Two-factor authentication needs a verified address (the way back in if the device is
/// lost goes through that address).
fn verify_first(account: &Account) -> Response {
    html(
        StatusCode::FORBIDDEN,
        "Two-factor authentication",
        Some(account),
        r#"<p class="error" role="alert">Verify your email address before turning on two-factor authentication. <a href="/verify-email">Verify it now</a>.</p>"#,
    )
}

/// How recent the sign-in must be to start a two-factor enrolment ("sudo mode"): whoever
/// holds a stolen session cookie must not be able to bind the account to their own
/// authenticator, which would lock the owner out of sign-in and password reset.
const RECENT_SIGN_IN: time::Duration = time::Duration::minutes(10);

fn sign_in_again(account: &Account) -> Response {
    html(
        StatusCode::FORBIDDEN,
        "Two-factor authentication",
        Some(account),
        r#"<p class="error" role="alert">For your security, turning on two-factor authentication needs a recent sign-in. Log out and sign in again, then come back here.</p>"#,
    )
}

#[derive(Deserialize, Default)]
pub(crate) struct SecondFactorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    recovery_code: String,
}

/// A second factor as typed: a code from the authenticator app or a recovery code.
pub(crate) enum Proof<'a> {
    Totp(&'a str),
    Recovery(&'a str),
}

/// Why a second factor was refused.
pub(crate) enum Refusal {
    Wrong,
    Throttled(lucia::throttle::RetryAfter),
}

/// Checks `proof` against the user's second factor, throttled per account (a wrong proof
/// counts, a right one clears the count). `Err` is the 503 page for a store or throttle
/// failure. Shared by the sign-in step and the password reset.
pub(crate) async fn check_second_factor<S: DemoStore>(
    app: &App,
    lucia: &lucia::Lucia<S>,
    user_id: &str,
    proof: Proof<'_>,
) -> Result<Result<(), Refusal>, Response> {
    let now = lucia.now();
    let key = keys::account(user_id);
    match app.second_factor.check(&key, now).await {
        Ok(Ok(())) => {}
        Ok(Err(wait)) => return Ok(Err(Refusal::Throttled(wait))),
        Err(_) => return Err(unavailable()),
    }
    let checked = match proof {
        Proof::Totp(code) => lucia.verify_two_factor(user_id, code).await,
        Proof::Recovery(code) => lucia.use_recovery_code(user_id, code).await,
    };
    match checked {
        Ok(()) => match app.second_factor.reset(&key).await {
            Ok(()) => Ok(Ok(())),
            Err(_) => Err(unavailable()),
        },
        Err(Error::InvalidToken | Error::TwoFactorNotEnabled) => {
            match app.second_factor.hit(&key, now).await {
                Ok(_) => Ok(Err(Refusal::Wrong)),
                Err(_) => Err(unavailable()),
            }
        }
        Err(_) => Err(unavailable()),
    }
}

pub(crate) async fn second_factor<S: DemoStore>(
    State(app): State<Arc<App>>,
    PageAuth(auth): PageAuth<S>,
    control: SessionControl<S>,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    if auth.session.attributes.two_factor_verified {
        return Redirect::to("/").into_response();
    }
    // An empty form is a slip, not a guess: it does not count against the attempts.
    if form.code.trim().is_empty() && form.recovery_code.trim().is_empty() {
        let form = second_factor_form(Some("Enter a code from your app or a recovery code."));
        return pending_html(StatusCode::BAD_REQUEST, "Two-factor authentication", &form);
    }
    let lucia = control.lucia();
    let proof = if form.code.trim().is_empty() {
        Proof::Recovery(&form.recovery_code)
    } else {
        Proof::Totp(&form.code)
    };
    match check_second_factor(&app, lucia, &auth.user.id, proof).await {
        Ok(Ok(())) => {
            let mut session = auth.session;
            if lucia.mark_two_factor_verified(&mut session).await.is_err() {
                return unavailable();
            }
            Redirect::to("/").into_response()
        }
        Ok(Err(Refusal::Throttled(wait))) => {
            let form = second_factor_form(Some(
                "Too many wrong codes. Please wait before trying again.",
            ));
            throttled("Two-factor authentication", &form, wait)
        }
        Ok(Err(Refusal::Wrong)) => {
            let form = second_factor_form(Some(
                "That code is not valid. Try the next one from your app.",
            ));
            pending_html(StatusCode::BAD_REQUEST, "Two-factor authentication", &form)
        }
        Err(response) => response,
    }
}

pub(crate) async fn two_factor_settings<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
    let lucia = control.lucia();
    let account = &auth.user.attributes;
    match lucia.two_factor_enabled(&auth.user.id).await {
        Ok(false) if !account.email_verified => verify_first(account),
        Ok(true) => html(
            StatusCode::OK,
            "Two-factor authentication",
            Some(account),
            r#"<p>Two-factor authentication is <strong>on</strong>.</p>
<form method="post" action="/settings/2fa/disable" class="card">
<label>Current code <input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="12" required></label>
<button type="submit" class="secondary">Turn off</button>
</form>"#,
        ),
        Ok(false) => html(
            StatusCode::OK,
            "Two-factor authentication",
            Some(account),
            r#"<p>Two-factor authentication is <strong>off</strong>. With it on, signing in also asks for a code from an authenticator app.</p>
<form method="post" action="/settings/2fa/begin" class="card">
<button type="submit">Set up two-factor authentication</button>
</form>"#,
        ),
        Err(_) => unavailable(),
    }
}

/// Starts an enrolment: a fresh secret, not yet confirmed (it replaces an unconfirmed one;
/// an enabled enrolment is never touched). A POST, since it writes: GET pages change nothing.
pub(crate) async fn begin_two_factor<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
    let lucia = control.lucia();
    let account = &auth.user.attributes;
    let email = &account.email;
    match lucia.two_factor_enabled(&auth.user.id).await {
        Ok(false) if !account.email_verified => verify_first(account),
        Ok(true) => Redirect::to("/settings/2fa").into_response(),
        Ok(false) if lucia.now() - auth.session.created_at > RECENT_SIGN_IN => {
            sign_in_again(account)
        }
        Ok(false) => {
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
                Some(account),
                &body,
            )
        }
        Err(_) => unavailable(),
    }
}

pub(crate) async fn enable_two_factor<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
    Form(form): Form<CodeForm>,
) -> Response {
    let account = &auth.user.attributes;
    if !account.email_verified {
        return verify_first(account);
    }
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
            html(StatusCode::OK, "Recovery codes", Some(account), &body)
        }
        Err(Error::InvalidToken | Error::TwoFactorNotEnabled) => html(
            StatusCode::BAD_REQUEST,
            "Two-factor authentication",
            Some(account),
            r#"<p class="error" role="alert">That code is not valid. <a href="/settings/2fa">Start again</a>.</p>"#,
        ),
        Err(_) => unavailable(),
    }
}

pub(crate) async fn disable_two_factor<S: DemoStore>(
    State(app): State<Arc<App>>,
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
    Form(form): Form<CodeForm>,
) -> Response {
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
                Some(&auth.user.attributes),
                r#"<p class="error" role="alert">That code is not valid. <a href="/settings/2fa">Back</a>.</p>"#,
            )
        }
        Err(_) => unavailable(),
    }
}
