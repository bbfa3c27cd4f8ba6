//! Facebook Login.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider, TokenPlacement};

/// Facebook. OAuth 2.0 without PKCE or refresh tokens (long-lived tokens are exchanged, not
/// refreshed); credentials in the form body; Graph API v16.0 as in Arctic (Facebook upgrades
/// calls to retired versions to the oldest available one). The profile is
/// `GET https://graph.facebook.com/me?fields=id,name,email,picture` with the token in the query:
/// `id` is the app-scoped user id; Facebook documents no verification flag for `email`, so it
/// is never counted as verified.
pub fn facebook() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://graph.facebook.com/me", "/id")?
        .query("fields", "id,name,email,picture")
        .email("/email", EmailVerified::Never)
        .name("/name")
        .avatar("/picture/data/url");
    profile.token = TokenPlacement::Query;
    Ok(Provider::oauth2(
        "facebook",
        "Facebook",
        "https://www.facebook.com/v16.0/dialog/oauth",
        "https://graph.facebook.com/v16.0/oauth/access_token",
    )?
    .scopes(&["email", "public_profile"])
    .client_auth(ClientAuth::Post)
    .profile(profile))
}
