//! Email verification: after sign-up the user is mailed an 8-character code (lucia's
//! one-time codes: hashed at rest, 15 minutes, 5 wrong tries void it), entered at
//! `/verify-email`. Resends are throttled per user. Until verified, a banner shows on every
//! page and two-factor authentication cannot be turned on.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lucia::Error;
use lucia::throttle::keys;
use lucia_axum::SessionControl;

use crate::DemoStore;
use crate::app::*;
use crate::model::Account;
use crate::pages::escape;

/// Issues a fresh code for the user's current address and mails it.
pub(crate) async fn send_code<S: DemoStore>(
    app: &App,
    lucia: &lucia::Lucia<S>,
    user_id: &str,
    email: &str,
) -> Result<(), Response> {
    let code = lucia
        .issue_email_verification(user_id, email)
        .await
        .map_err(|_| unavailable())?;
    let body = format!(
        "Your lucia demo verification code is\n\n{}\n\nEnter it at {}/verify-email within 15 minutes. If you did not sign up, ignore this mail.",
        code.expose_secret(),
        app.public_url,
    );
    app.mailer
        .send(email, "Verify your email address", body)
        .await
        .map_err(|err| {
            eprintln!("lucia-demo: verification mail to {email} failed: {err}");
            mail_failed()
        })
}

fn form(account: &Account, message: Option<(&str, bool)>) -> String {
    let message = message.map_or_else(String::new, |(text, error)| {
        let (class, role) = if error {
            ("error", "alert")
        } else {
            ("notice", "status")
        };
        format!(r#"<p class="{class}" role="{role}">{}</p>"#, escape(text))
    });
    format!(
        r#"{message}<p>We mailed a code to <strong>{email}</strong>.</p>
<form method="post" action="/verify-email" class="card">
<label>Verification code <input name="code" required autocomplete="one-time-code" maxlength="20" autocapitalize="characters"></label>
<button type="submit">Verify</button>
</form>
<form method="post" action="/verify-email/resend"><p><button type="submit" class="secondary">Send a new code</button></p></form>"#,
        email = escape(&account.email),
    )
}

fn page(status: StatusCode, account: &Account, message: Option<(&str, bool)>) -> Response {
    html(
        status,
        "Verify your email",
        Some(account),
        &form(account, message),
    )
}

pub(crate) async fn verify_page<S: DemoStore>(SignedIn(auth): SignedIn<S>) -> Response {
    if auth.user.attributes.email_verified {
        return Redirect::to("/settings").into_response();
    }
    page(StatusCode::OK, &auth.user.attributes, None)
}

pub(crate) async fn verify<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
    Form(form): Form<CodeForm>,
) -> Response {
    let account = &auth.user.attributes;
    if account.email_verified {
        return Redirect::to("/settings").into_response();
    }
    let lucia = control.lucia();
    let wrong = |text| page(StatusCode::BAD_REQUEST, account, Some((text, true)));
    match lucia
        .verify_email(&auth.user.id, &account.email, &form.code)
        .await
    {
        Ok(()) => {
            let verified = Account {
                email_verified: true,
                ..account.clone()
            };
            if lucia
                .update_user_attributes(&auth.user.id, verified)
                .await
                .is_err()
            {
                return unavailable();
            }
            // A new privilege (a verified address) ends every session of the user; this
            // browser gets a new one with the same device and lifetime.
            if control.renew_everywhere().await.is_err() {
                return unavailable();
            }
            Redirect::to("/").into_response()
        }
        Err(Error::InvalidToken) => wrong("That code is not right. Check the mail and try again."),
        Err(Error::TokenExpired) => wrong("That code has expired. Ask for a new one below."),
        Err(Error::TooManyAttempts) => {
            wrong("Too many wrong codes: that code no longer works. Ask for a new one below.")
        }
        Err(_) => unavailable(),
    }
}

pub(crate) async fn resend<S: DemoStore>(
    State(app): State<Arc<App>>,
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
    let account = &auth.user.attributes;
    if account.email_verified {
        return Redirect::to("/settings").into_response();
    }
    let lucia = control.lucia();
    match app
        .verification_mails
        .hit(&keys::account(&auth.user.id), lucia.now())
        .await
    {
        Ok(Ok(())) => {}
        Ok(Err(wait)) => {
            let body = form(
                account,
                Some(("Please wait before asking for another code.", true)),
            );
            return throttled_for("Verify your email", Some(account), &body, wait);
        }
        Err(_) => return unavailable(),
    }
    if let Err(response) = send_code(&app, lucia, &auth.user.id, &account.email).await {
        return response;
    }
    page(
        StatusCode::OK,
        account,
        Some((
            "We sent a new code. The previous one no longer works.",
            false,
        )),
    )
}
