//! GitHub: OAuth 2.0 apps and GitHub Apps.

use crate::error::Result;
use crate::provider::{EmailList, EmailVerified, Pkce, Profile, Provider, parse_url};

/// GitHub. No OpenID Connect: the account id is the numeric `id` of `GET /user`; the email is
/// the primary, verified entry of `GET /user/emails` (scope `user:email`), because the profile's
/// public `email` carries no verification flag. Supports PKCE; no refresh tokens for OAuth apps;
/// token revocation needs basic auth on a different API, so it is not offered.
pub fn github() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://api.github.com/user", "/id")?
        .name("/name")
        .username("/login")
        .avatar("/avatar_url")
        .header("Accept", "application/vnd.github+json");
    profile.email_list = Some(EmailList {
        url: parse_url("https://api.github.com/user/emails")?,
        list: String::new(),
        email: "email".into(),
        primary: Some("primary".into()),
        verified: "verified".into(),
    });
    profile.email_verified = EmailVerified::Never;
    Ok(Provider::oauth2(
        "github",
        "GitHub",
        "https://github.com/login/oauth/authorize",
        "https://github.com/login/oauth/access_token",
    )?
    .scopes(&["read:user", "user:email"])
    .pkce(Pkce::S256)
    .profile(profile))
}
