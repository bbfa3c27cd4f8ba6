//! LinkedIn (Sign In with LinkedIn using OpenID Connect).

use crate::error::Result;
use crate::provider::{ClientAuth, Pkce, Profile, Provider};

/// LinkedIn. OpenID Connect (issuer `https://www.linkedin.com/oauth`); credentials in the form
/// body (no basic auth); no PKCE for web apps. The ID token's `sub` is the member id and
/// `email_verified` its flag. Refresh tokens only for LinkedIn-approved apps.
pub fn linkedin() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.username = None;
    Ok(Provider::oidc(
        "linkedin",
        "LinkedIn",
        "https://www.linkedin.com/oauth",
        "https://www.linkedin.com/oauth/v2/authorization",
        "https://www.linkedin.com/oauth/v2/accessToken",
        "https://www.linkedin.com/oauth/openid/jwks",
    )?
    .pkce(Pkce::None)
    .client_auth(ClientAuth::Post)
    .profile(profile))
}
