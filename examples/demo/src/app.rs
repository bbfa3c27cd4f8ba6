//! The demo's shared state and the helpers every page uses.

use std::net::SocketAddr;

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::extract::FromRequestParts;
use axum::http::header::{REFERRER_POLICY, RETRY_AFTER, USER_AGENT};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use lucia::throttle::{MemoryThrottle, Throttle};
use lucia_axum::{Auth, PageAuth};

use crate::DemoStore;
use crate::model::{Account, Device};
use crate::pages::{Viewer, layout};

/// Shared state of the handlers.
pub(crate) struct App {
    /// Failed sign-ins per account.
    pub(crate) accounts: Throttle<MemoryThrottle>,
    /// Failed sign-ins per client address.
    pub(crate) addresses: Throttle<MemoryThrottle>,
    /// Password-reset mails per address asked for, and requests per client address.
    pub(crate) reset_mails: Throttle<MemoryThrottle>,
    pub(crate) reset_requests: Throttle<MemoryThrottle>,
    /// Verification-code mails per user: 3, then one per 5 minutes.
    pub(crate) verification_mails: Throttle<MemoryThrottle>,
    /// Where mails go.
    pub(crate) mailer: crate::mail::Mailer,
    /// The demo's public base URL (`http://127.0.0.1:3000`), for links in mails and OAuth
    /// redirect URIs: never taken from the request's `Host`, which a client chooses.
    pub(crate) public_url: String,
    /// Whether cookies are `Secure`.
    pub(crate) secure_cookies: bool,
    /// The configured OAuth providers.
    pub(crate) oauth: Vec<lucia_oauth::OAuthClient>,
    /// Wrong two-factor codes per user: 5 free, then 15 minutes doubling up to an hour.
    pub(crate) second_factor: Throttle<MemoryThrottle>,
}

pub(crate) fn html(
    status: StatusCode,
    title: &str,
    viewer: Option<&Account>,
    body: &str,
) -> Response {
    let viewer = viewer.map_or(Viewer::Anonymous, Viewer::User);
    (status, Html(layout(title, viewer, body))).into_response()
}

/// The signed-in user a page's header shows, from a session that passed its second factor.
pub(crate) fn viewer(current: Option<&lucia::Validated<Device, Account>>) -> Option<&Account> {
    current
        .filter(|c| c.session.attributes.two_factor_verified)
        .map(|c| &c.user.attributes)
}

/// A page for a session still waiting for its second factor (header: only "Log out").
pub(crate) fn pending_html(status: StatusCode, title: &str, body: &str) -> Response {
    (status, Html(layout(title, Viewer::Pending, body))).into_response()
}

pub(crate) fn unavailable() -> Response {
    let mut response = html(
        StatusCode::SERVICE_UNAVAILABLE,
        "Temporarily unavailable",
        None,
        "<p>The database is not answering. Please try again in a moment.</p>",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// The mail server did not take a mail: 503, so the user knows to try again.
pub(crate) fn mail_failed() -> Response {
    let mut response = html(
        StatusCode::SERVICE_UNAVAILABLE,
        "Mail not sent",
        None,
        "<p>We could not send the mail just now. Please try again in a moment.</p>",
    );
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("30"));
    response
}

/// Normalises an email address (The Copenhagen Book): lowercase, no surrounding whitespace,
/// at most 255 characters, `x@y.z` shape; `+tags` are kept.
pub(crate) fn normalize_email(email: &str) -> Option<String> {
    if email.is_empty() || email.len() > 255 || email.trim() != email {
        return None;
    }
    let (local, domain) = email.rsplit_once('@')?;
    let valid = !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| email.to_lowercase())
}

/// The peer's address (the demo is served directly; behind a proxy, take it from the proxy's
/// header instead, and only from a proxy you trust).
pub(crate) fn client_ip(connect: Option<&Extension<ConnectInfo<SocketAddr>>>) -> String {
    connect.map_or_else(
        || "unknown".to_owned(),
        |Extension(ConnectInfo(addr))| addr.ip().to_string(),
    )
}

pub(crate) fn device(headers: &HeaderMap, ip: &str) -> Device {
    let user_agent = headers
        .get(USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("unknown")
        .chars()
        .take(255)
        .collect();
    Device {
        user_agent,
        ip: Some(ip.to_owned()),
        two_factor_verified: true,
    }
}

pub(crate) fn format_time(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    t.format(&format).unwrap_or_else(|_| t.to_string())
}

/// A signed-in user whose session passed the second factor: the extractor of every page
/// for signed-in users. Anonymous visitors are redirected to `/login` (as with `PageAuth`),
/// sessions still waiting for the second factor to `/2fa`.
pub(crate) struct SignedIn<S: DemoStore>(pub(crate) Auth<S>);

impl<S: DemoStore, St: Send + Sync> FromRequestParts<St> for SignedIn<S> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &St) -> Result<Self, Response> {
        let PageAuth(auth) = PageAuth::<S>::from_request_parts(parts, state).await?;
        if !auth.session.attributes.two_factor_verified {
            return Err(Redirect::to("/2fa").into_response());
        }
        Ok(Self(auth))
    }
}

/// The code field of the verification and two-factor forms.
#[derive(serde::Deserialize, Default)]
pub(crate) struct CodeForm {
    #[serde(default)]
    pub(crate) code: String,
}

pub(crate) fn throttled(title: &str, body: &str, wait: lucia::throttle::RetryAfter) -> Response {
    throttled_for(title, None, body, wait)
}

/// A 429 page with `Retry-After`.
pub(crate) fn throttled_for(
    title: &str,
    viewer: Option<&Account>,
    body: &str,
    wait: lucia::throttle::RetryAfter,
) -> Response {
    let mut response = html(StatusCode::TOO_MANY_REQUESTS, title, viewer, body);
    if let Ok(value) = HeaderValue::from_str(&wait.seconds().to_string()) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

pub(crate) fn no_referrer(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normalize_email("Ada+Tag@Example.COM").as_deref(),
            Some("ada+tag@example.com")
        );
        for bad in [
            "",
            " ada@example.com",
            "ada@example.com ",
            "ada",
            "ada@example",
            "@example.com",
            "ada@.com",
            "a b@c.de",
            "ada@example.com.",
        ] {
            assert_eq!(normalize_email(bad), None, "{bad:?}");
        }
        assert_eq!(
            normalize_email(&format!("{}@example.com", "a".repeat(250))),
            None
        );
    }
}
