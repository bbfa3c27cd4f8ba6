//! Autodesk Platform Services (OpenID Connect).

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Autodesk Platform Services (APS, formerly Forge). OpenID Connect with PKCE, refresh and
/// revocation; ID tokens are verified, and the profile comes from the OIDC userinfo endpoint
/// `https://api.userprofile.autodesk.com/userinfo` (scope `user-profile:read`): `sub` is the
/// account id, `email_verified` its flag.
pub fn autodesk() -> Result<Provider> {
    Ok(Provider::oidc(
        "autodesk",
        "Autodesk",
        "https://developer.api.autodesk.com",
        "https://developer.api.autodesk.com/authentication/v2/authorize",
        "https://developer.api.autodesk.com/authentication/v2/token",
        "https://developer.api.autodesk.com/authentication/v2/keys",
    )?
    .scopes(&["openid", "user-profile:read"])
    .revocation("https://developer.api.autodesk.com/authentication/v2/revoke")?
    .profile(
        Profile::endpoint("https://api.userprofile.autodesk.com/userinfo", "/sub")?
            .email("/email", EmailVerified::At("/email_verified".into()))
            .name("/name")
            .username("/preferred_username")
            .avatar("/picture"),
    ))
}
