//! The sessions page: every session of the user, revocable.

use axum::extract::Form;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use lucia_axum::SessionControl;
use serde::Deserialize;

use crate::DemoStore;
use crate::app::*;
use crate::pages::escape;

pub(crate) async fn sessions<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
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
        Some(&auth.user.attributes),
        &body,
    )
}

#[derive(Deserialize)]
pub(crate) struct RevokeForm {
    #[serde(default)]
    session_id: String,
}

pub(crate) async fn revoke<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
    Form(form): Form<RevokeForm>,
) -> Response {
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
            Some(&auth.user.attributes),
            r#"<p>No such session. <a href="/settings/sessions">Back to your sessions</a>.</p>"#,
        ),
        Err(_) => unavailable(),
    }
}

pub(crate) async fn revoke_others<S: DemoStore>(
    SignedIn(auth): SignedIn<S>,
    control: SessionControl<S>,
) -> Response {
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
