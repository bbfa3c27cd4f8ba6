//! Intuit (QuickBooks; OpenID Connect).

use crate::error::Result;
use crate::provider::{EmailVerified, Pkce, Profile, Provider};

/// Intuit. OpenID Connect (issuer `https://oauth.platform.intuit.com/op/v1`) without PKCE (per
/// the facts file); basic client auth; refresh tokens and revocation. ID tokens are verified;
/// the profile comes from the userinfo endpoint
/// `https://accounts.platform.intuit.com/v1/openid_connect/userinfo`, whose verification flag is
/// spelled `emailVerified` (camel case), and `sub` is the account id.
pub fn intuit() -> Result<Provider> {
    Ok(Provider::oidc(
        "intuit",
        "Intuit",
        "https://oauth.platform.intuit.com/op/v1",
        "https://appcenter.intuit.com/connect/oauth2",
        "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
        "https://oauth.platform.intuit.com/op/v1/jwks",
    )?
    .pkce(Pkce::None)
    .revocation("https://developer.api.intuit.com/v2/oauth2/tokens/revoke")?
    .profile(
        Profile::endpoint(
            "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
            "/sub",
        )?
        .email("/email", EmailVerified::At("/emailVerified".into()))
        .name("/givenName"),
    ))
}
