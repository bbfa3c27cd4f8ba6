//! The browser side of a flow: the short-lived cookie that carries `state`, the PKCE verifier
//! and the nonce from the redirect to the callback, and the checks at the callback.
//!
//! The flow cookie is `HttpOnly`, `Path=/`, `Max-Age=600`, and `SameSite=Lax` (the callback
//! is a top-level GET navigation from the provider, which Lax cookies accompany). For
//! providers that call back with a cross-site POST ([`ResponseMode::FormPost`](crate::provider::ResponseMode::FormPost), Apple) it is
//! `SameSite=None; Secure` instead, since browsers send no Lax cookie with a cross-site POST.
//! Its value is not secret from the user it belongs to: it only binds the callback to the
//! browser that started the flow (the `state` check is the CSRF defence of RFC 6749 §10.12,
//! compared in constant time) and keeps the verifier away from the provider's redirect.

use cookie::{Cookie, SameSite};
use data_encoding::BASE64URL_NOPAD;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, ProviderError, Result};

/// The flow cookie's name.
pub const FLOW_COOKIE: &str = "lucia_oauth_flow";

/// How long a flow may take from redirect to callback.
pub const FLOW_LIFETIME: Duration = Duration::minutes(10);

/// What the callback must match: kept in the flow cookie between the redirect and the
/// callback.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The provider the flow was started for (a callback for another provider is refused).
    #[serde(rename = "p")]
    pub provider_id: String,
    /// The `state` sent to the provider.
    #[serde(rename = "s")]
    pub state: String,
    /// The PKCE code verifier, when PKCE is used.
    #[serde(rename = "v", default, skip_serializing_if = "Option::is_none")]
    pub code_verifier: Option<String>,
    /// The OpenID Connect nonce, when sent.
    #[serde(rename = "n", default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// When the flow started (Unix seconds).
    #[serde(rename = "t")]
    pub started_at: i64,
    /// Whether the callback is a cross-site POST (the cookie is then `SameSite=None`).
    #[serde(rename = "f", default)]
    pub form_post: bool,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow")
            .field("provider_id", &self.provider_id)
            .field("started_at", &self.started_at)
            .finish_non_exhaustive()
    }
}

impl Flow {
    /// The `Set-Cookie` that starts the flow. `secure` adds `Secure` (use it whenever the app
    /// is served over HTTPS; form-post flows always get it).
    ///
    /// ```
    /// # use lucia_oauth::callback::Flow;
    /// let flow = Flow {
    ///     provider_id: "github".into(), state: "s".into(), code_verifier: None,
    ///     nonce: None, started_at: 0, form_post: false,
    /// };
    /// let cookie = flow.cookie(true).to_string();
    /// assert!(cookie.starts_with("lucia_oauth_flow="));
    /// assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=600"));
    /// ```
    pub fn cookie(&self, secure: bool) -> Cookie<'static> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let same_site = if self.form_post {
            SameSite::None
        } else {
            SameSite::Lax
        };
        Cookie::build((FLOW_COOKIE, BASE64URL_NOPAD.encode(&json)))
            .path("/")
            .http_only(true)
            .secure(secure || self.form_post)
            .same_site(same_site)
            .max_age(FLOW_LIFETIME)
            .build()
    }

    /// The `Set-Cookie` that ends the flow (sent with the callback's response, whatever the
    /// outcome: a flow is used once).
    pub fn removal_cookie(secure: bool) -> Cookie<'static> {
        let mut cookie = Cookie::build((FLOW_COOKIE, ""))
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Lax)
            .build();
        cookie.make_removal();
        cookie
    }

    /// Reads the flow from a request's `Cookie` headers; [`Error::MissingFlow`] when absent or
    /// unreadable.
    pub fn from_headers(headers: &http::HeaderMap) -> Result<Self> {
        lucia::headers::cookie_values(headers, FLOW_COOKIE)
            .find_map(Self::from_cookie_value)
            .ok_or(Error::MissingFlow)
    }

    /// Reads the flow from the cookie's value.
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        let json = BASE64URL_NOPAD.decode(value.as_bytes()).ok()?;
        serde_json::from_slice(&json).ok()
    }

    /// Checks a callback against this flow and returns the authorization code:
    ///
    /// - a provider `error` → [`Error::Provider`] (`access_denied` when the user declined);
    /// - the flow is for another provider → [`Error::StateMismatch`];
    /// - older than [`FLOW_LIFETIME`] → [`Error::FlowExpired`];
    /// - no `state` → [`Error::MissingState`]; a different one → [`Error::StateMismatch`]
    ///   (constant-time comparison);
    /// - no `code` → [`Error::MissingCode`].
    pub fn check<'a>(
        &self,
        provider_id: &str,
        callback: &'a Callback,
        now: OffsetDateTime,
    ) -> Result<&'a str> {
        if self.provider_id != provider_id {
            return Err(Error::StateMismatch);
        }
        // `started_at` comes from the client's cookie: any i64, so no plain subtraction.
        if now.unix_timestamp().saturating_sub(self.started_at) > FLOW_LIFETIME.whole_seconds() {
            return Err(Error::FlowExpired);
        }
        // A provider error is reported only for this browser's own flow: a forged error link
        // should not show the user a misleading message.
        let state = callback.state.as_deref().ok_or(Error::MissingState)?;
        if !bool::from(state.as_bytes().ct_eq(self.state.as_bytes())) {
            return Err(Error::StateMismatch);
        }
        if let Some(error) = &callback.error {
            return Err(Error::Provider(ProviderError {
                error: error.clone(),
                error_description: callback.error_description.clone(),
                error_uri: callback.error_uri.clone(),
            }));
        }
        callback.code.as_deref().ok_or(Error::MissingCode)
    }
}

/// The parameters of a callback, from its query string (`GET`) or form body (form-post
/// providers). Unknown parameters are ignored.
///
/// ```
/// let cb = lucia_oauth::callback::Callback::parse("code=abc&state=xyz&iss=https%3A%2F%2Fid.test");
/// assert_eq!(cb.code.as_deref(), Some("abc"));
/// assert_eq!(cb.state.as_deref(), Some("xyz"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state.
    pub state: Option<String>,
    /// An OAuth error code.
    pub error: Option<String>,
    /// The error's description.
    pub error_description: Option<String>,
    /// The error's page.
    pub error_uri: Option<String>,
    /// The issuer that sent the callback (RFC 9207), when the provider says.
    pub iss: Option<String>,
    /// Apple's first-sign-in `user` JSON (name), form-post only.
    pub user: Option<String>,
}

impl Callback {
    /// Parses `application/x-www-form-urlencoded` parameters (a query string without `?`, or a
    /// form body). A repeated parameter keeps its first value.
    pub fn parse(params: &str) -> Self {
        let mut cb = Self::default();
        for (name, value) in url::form_urlencoded::parse(params.as_bytes()) {
            let slot = match &*name {
                "code" => &mut cb.code,
                "state" => &mut cb.state,
                "error" => &mut cb.error,
                "error_description" => &mut cb.error_description,
                "error_uri" => &mut cb.error_uri,
                "iss" => &mut cb.iss,
                "user" => &mut cb.user,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value.into_owned());
            }
        }
        cb
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow() -> Flow {
        Flow {
            provider_id: "github".into(),
            state: "state-123".into(),
            code_verifier: Some("verifier".into()),
            nonce: None,
            started_at: 1_000_000,
            form_post: false,
        }
    }

    fn at(seconds: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(seconds).expect("valid")
    }

    #[test]
    fn the_cookie_round_trips_through_request_headers() {
        let flow = flow();
        let cookie = flow.cookie(false);
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::COOKIE,
            http::HeaderValue::from_str(&format!("other=1; {}", cookie.stripped())).expect("valid"),
        );
        assert_eq!(Flow::from_headers(&headers).expect("present"), flow);
        assert!(matches!(
            Flow::from_headers(&http::HeaderMap::new()),
            Err(Error::MissingFlow)
        ));
        assert!(Flow::from_cookie_value("not base64!").is_none());
        let form_post = Flow {
            form_post: true,
            ..flow
        }
        .cookie(false)
        .to_string();
        assert!(form_post.contains("SameSite=None") && form_post.contains("Secure"));
    }

    #[test]
    fn callbacks_are_checked_for_state_error_code_provider_and_age() {
        let flow = flow();
        let now = at(1_000_100);
        let good = Callback::parse("code=c&state=state-123");
        assert_eq!(flow.check("github", &good, now).expect("valid"), "c");
        let check = |cb: &str, provider: &str, now| {
            flow.check(provider, &Callback::parse(cb), now)
                .map(str::to_owned)
        };
        assert!(matches!(
            check("code=c", "github", now),
            Err(Error::MissingState)
        ));
        assert!(matches!(
            check("code=c&state=state-124", "github", now),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            check("code=c&state=state-123", "google", now),
            Err(Error::StateMismatch)
        ));
        assert!(matches!(
            check("state=state-123", "github", now),
            Err(Error::MissingCode)
        ));
        assert!(matches!(
            check("code=c&state=state-123", "github", at(1_000_601)),
            Err(Error::FlowExpired)
        ));
        match check(
            "error=access_denied&error_description=no+thanks&state=state-123",
            "github",
            now,
        ) {
            Err(Error::Provider(err)) => {
                assert!(err.is_access_denied());
                assert_eq!(err.error_description.as_deref(), Some("no thanks"));
            }
            other => panic!("expected a provider error, got {other:?}"),
        }
        // A forged error without this browser's state is a state mismatch, not a provider error.
        assert!(matches!(
            check("error=access_denied&state=forged", "github", now),
            Err(Error::StateMismatch)
        ));
    }

    /// Regression (found by the `oauth_callback` fuzz target): a flow cookie is client input,
    /// and a `started_at` of `i64::MIN` overflowed the age computation (a panic with overflow
    /// checks on). It is an expired flow.
    #[test]
    fn a_flow_from_the_far_past_is_expired_not_an_overflow() {
        let now = at(1_700_000_000);
        let good = Callback::parse("code=c&state=state-123");
        for started_at in [i64::MIN, i64::MIN + 1, -1] {
            let flow = Flow {
                started_at,
                ..flow()
            };
            let value = flow.cookie(false).value().to_owned();
            let flow = Flow::from_cookie_value(&value).expect("it round-trips");
            assert!(matches!(
                flow.check("github", &good, now),
                Err(Error::FlowExpired)
            ));
        }
        let future = Flow {
            started_at: i64::MAX,
            ..flow()
        };
        assert_eq!(
            future.check("github", &good, now).expect("not expired"),
            "c"
        );
    }
}
