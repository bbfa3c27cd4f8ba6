//! The account settings page: the address and its verification, the sign-in methods (the
//! password and every connected provider account), connecting and disconnecting providers.

use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lucia_axum::SessionControl;
use serde::Deserialize;

use crate::DemoStore;
use crate::app::*;
use crate::pages::escape;

/// `GET /settings`.
pub(crate) async fn settings<S: DemoStore>(
    State(app): State<Arc<App>>,
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
    let lucia = control.lucia();
    let (Ok(keys), Ok(two_factor)) = (
        lucia.get_all_user_keys(&auth.user.id).await,
        lucia.two_factor_enabled(&auth.user.id).await,
    ) else {
        return unavailable();
    };
    let account = &auth.user.attributes;
    let verified = if account.email_verified {
        "verified".to_owned()
    } else {
        r#"not verified — <a href="/verify-email">verify it</a>"#.to_owned()
    };
    let mut rows = String::new();
    for key in &keys {
        let provider = key.id.provider_id();
        let (method, remove) = if provider == "email" {
            ("Email and password".to_owned(), String::new())
        } else {
            let name = app
                .oauth
                .iter()
                .find(|c| c.provider().id == provider)
                .map_or(provider, |c| c.provider().name.as_str());
            (
                format!(
                    "{} <small>(account {})</small>",
                    escape(name),
                    escape(key.id.provider_user_id())
                ),
                format!(
                    r#"<form method="post" action="/settings/linked-accounts/unlink"><input type="hidden" name="provider" value="{}"><button type="submit" class="secondary" aria-label="Disconnect {}">Disconnect</button></form>"#,
                    escape(provider),
                    escape(name)
                ),
            )
        };
        rows.push_str(&format!("<tr><td>{method}</td><td>{remove}</td></tr>"));
    }
    let connect: String = app
        .oauth
        .iter()
        .filter(|c| !keys.iter().any(|k| k.id.provider_id() == c.provider().id))
        .map(|c| {
            format!(
                r#"<form method="post" action="/settings/linked-accounts/{}" class="inline"><button type="submit" class="secondary">Connect {}</button></form> "#,
                escape(&c.provider().id),
                escape(&c.provider().name)
            )
        })
        .collect();
    let connect = if connect.is_empty() {
        String::new()
    } else {
        format!(r#"<p class="providers">{connect}</p>"#)
    };
    let body = format!(
        r#"<p>Email: <strong>{email}</strong> ({verified})</p>
<p>Two-factor authentication: <strong>{two_factor}</strong> · <a href="/settings/2fa">change</a></p>
<p><a href="/settings/sessions">Your sessions</a></p>
<h2>Sign-in methods</h2>
<table><thead><tr><th>Method</th><th>Action</th></tr></thead><tbody>{rows}</tbody></table>
{connect}"#,
        email = escape(&account.email),
        two_factor = if two_factor { "on" } else { "off" },
    );
    html(StatusCode::OK, "Settings", Some(account), &body)
}

#[derive(Deserialize, Default)]
pub(crate) struct UnlinkForm {
    #[serde(default)]
    provider: String,
}

/// `POST /settings/linked-accounts/unlink` (`provider`): removes the user's key for that
/// provider, unless it is their last way to sign in.
pub(crate) async fn unlink<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
    Form(form): Form<UnlinkForm>,
) -> Response {
    let lucia = control.lucia();
    let Ok(keys) = lucia.get_all_user_keys(&auth.user.id).await else {
        return unavailable();
    };
    let Some(key) = keys
        .iter()
        .find(|k| k.id.provider_id() == form.provider && form.provider != "email")
    else {
        return html(
            StatusCode::NOT_FOUND,
            "Not connected",
            Some(&auth.user.attributes),
            r#"<p>That provider is not connected. <a href="/settings">Back to settings</a>.</p>"#,
        );
    };
    if keys.len() == 1 {
        return html(
            StatusCode::CONFLICT,
            "Cannot disconnect",
            Some(&auth.user.attributes),
            r#"<p class="error" role="alert">This is your only way to sign in: connect another provider first. <a href="/settings">Back to settings</a>.</p>"#,
        );
    }
    match lucia
        .delete_key(key.id.provider_id(), key.id.provider_user_id())
        .await
    {
        Ok(()) => Redirect::to("/settings").into_response(),
        Err(_) => unavailable(),
    }
}
