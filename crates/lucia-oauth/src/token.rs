//! The tokens a provider returns (RFC 6749 §5.1).

use std::fmt;

use serde_json::Value;
use time::{Duration, OffsetDateTime};

use crate::error::{Error, Result};

/// A token response: access token, optional refresh token, expiry, granted scopes and (for
/// OpenID Connect) the ID token. `Debug` shows no token values.
///
/// ```
/// use lucia_oauth::TokenSet;
/// use lucia_oauth::lucia::time::OffsetDateTime;
///
/// let body = serde_json::json!({
///     "access_token": "at", "token_type": "Bearer", "expires_in": 3600,
///     "refresh_token": "rt", "scope": "openid email"
/// });
/// let now = OffsetDateTime::UNIX_EPOCH;
/// let tokens = TokenSet::from_json(body, now)?;
/// assert_eq!(tokens.access_token, "at");
/// assert_eq!(tokens.scopes, ["openid", "email"]);
/// assert_eq!(tokens.expires_at, Some(now + lucia_oauth::lucia::time::Duration::hours(1)));
/// assert!(!format!("{tokens:?}").contains("rt"));
/// # Ok::<(), lucia_oauth::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct TokenSet {
    /// The access token.
    pub access_token: String,
    /// `Bearer` for almost every provider.
    pub token_type: Option<String>,
    /// The refresh token, when one was issued.
    pub refresh_token: Option<String>,
    /// When the access token expires (from `expires_in`), if the provider said.
    pub expires_at: Option<OffsetDateTime>,
    /// Granted scopes (from `scope`, split on spaces or commas), empty when not returned.
    pub scopes: Vec<String>,
    /// The ID token (a JWT), for OpenID Connect. Verify it before use
    /// ([`crate::OAuthClient::verify_id_token`]); [`crate::OAuthClient::fetch_account`] does.
    pub id_token: Option<String>,
    /// The whole response, for provider-specific fields.
    pub raw: Value,
}

impl TokenSet {
    /// Reads a token response received at `now`.
    pub fn from_json(raw: Value, now: OffsetDateTime) -> Result<Self> {
        let string = |name: &str| raw.get(name).and_then(Value::as_str).map(str::to_owned);
        let access_token = string("access_token").ok_or_else(|| Error::UnexpectedResponse {
            endpoint: "token",
            status: 200,
            detail: "no access_token in the token response".into(),
        })?;
        // Some providers send numbers as strings.
        let expires_in = match raw.get("expires_in") {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.parse().ok(),
            _ => None,
        };
        let scopes = string("scope")
            .map(|s| {
                s.split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            access_token,
            token_type: string("token_type"),
            refresh_token: string("refresh_token"),
            expires_at: expires_in
                .filter(|s| *s > 0)
                .map(|s| now + Duration::seconds(s)),
            scopes,
            id_token: string("id_token"),
            raw,
        })
    }

    /// Whether the access token has expired at `now` (false when the expiry is unknown).
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at.is_some_and(|at| at <= now)
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("token_type", &self.token_type)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("has_id_token", &self.id_token.is_some())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_expiry_and_comma_scopes_are_read_and_a_missing_access_token_is_an_error() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let tokens = TokenSet::from_json(
            serde_json::json!({"access_token": "a", "expires_in": "60", "scope": "a,b"}),
            now,
        )
        .expect("valid");
        assert_eq!(tokens.expires_at, Some(now + Duration::minutes(1)));
        assert_eq!(tokens.scopes, ["a", "b"]);
        assert!(tokens.is_expired(now + Duration::minutes(1)));
        assert!(!tokens.is_expired(now));
        assert!(matches!(
            TokenSet::from_json(serde_json::json!({"token_type": "Bearer"}), now),
            Err(Error::UnexpectedResponse { .. })
        ));
    }
}
