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
            pending_html(StatusCode::BAD_REQUEST, "Two-factor authentication", &form)
        }
        Err(_) => unavailable(),
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
