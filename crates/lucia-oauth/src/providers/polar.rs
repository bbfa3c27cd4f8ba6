//! Polar.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Polar. OAuth 2.0 with PKCE S256, refresh tokens and revocation; credentials in the form body
/// (Polar's default `client_secret_post`). Polar issues OpenID Connect ID tokens, but their
/// issuer and keys are not in the facts at hand, so they are not verified: the profile is the
/// userinfo endpoint `https://api.polar.sh/v1/oauth2/userinfo` (scope `openid`), with `sub` as
/// the account id and `email_verified` as the email's flag.
pub fn polar() -> Result<Provider> {
    Provider::oauth2(
        "polar",
        "Polar",
        "https://polar.sh/oauth2/authorize",
        "https://api.polar.sh/v1/oauth2/token",
    )?
    .scopes(&["openid", "email", "profile"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.polar.sh/v1/oauth2/userinfo", "/sub")?
            .email("/email", EmailVerified::At("/email_verified".into()))
            .name("/name"),
    )
    .revocation("https://api.polar.sh/v1/oauth2/revoke")
}
