//! Atlassian (Jira, Confluence: OAuth 2.0 "3LO").

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Atlassian. Plain OAuth 2.0 without PKCE; credentials in the form body; the authorization
/// URL needs `audience=api.atlassian.com` and `prompt=consent`; refresh tokens with the
/// `offline_access` scope. The account id is `account_id` of `GET https://api.atlassian.com/me`
/// (scope `read:me`), Atlassian's id across all its products; the email there has no
/// verification flag in the documented schema, so it is never counted as verified.
pub fn atlassian() -> Result<Provider> {
    Ok(Provider::oauth2(
        "atlassian",
        "Atlassian",
        "https://auth.atlassian.com/authorize",
        "https://auth.atlassian.com/oauth/token",
    )?
    .scopes(&["read:me", "offline_access"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .authorization_param("audience", "api.atlassian.com")
    .authorization_param("prompt", "consent")
    .profile(
        Profile::endpoint("https://api.atlassian.com/me", "/account_id")?
            .email("/email", crate::provider::EmailVerified::Never)
            .name("/name")
            .username("/nickname")
            .avatar("/picture"),
    ))
}
