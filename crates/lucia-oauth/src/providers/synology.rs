//! Synology SSO Server (self-hosted).

use crate::error::Result;
use crate::provider::{EmailVerified, Pkce, Profile, Provider};

/// Synology SSO Server at `https://{domain}` (the DSM address; a port cannot be given as a
/// parameter, use [`Provider::rebase`] for one). OAuth 2.0 with PKCE S256, no refresh; basic
/// client auth. The profile is `GET /webman/sso/SSOUserInfo.cgi`, read as OpenID Connect
/// userinfo (`sub` as the account id). Its exact fields are not documented in the facts at
/// hand (unverified); the email is never counted as verified.
pub fn synology(domain: &str) -> Result<Provider> {
    let base = format!("https://{domain}/webman/sso");
    Ok(Provider::oauth2(
        "synology",
        "Synology",
        &format!("{base}/SSOOauth.cgi"),
        &format!("{base}/SSOAccessToken.cgi"),
    )?
    .scopes(&["openid", "email"])
    .pkce(Pkce::S256)
    .profile(
        Profile::endpoint(&format!("{base}/SSOUserInfo.cgi"), "/sub")?
            .email("/email", EmailVerified::Never)
            .username("/preferred_username"),
    ))
}
