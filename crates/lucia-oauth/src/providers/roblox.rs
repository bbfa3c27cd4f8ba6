//! Roblox (OpenID Connect).

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Roblox. OpenID Connect (issuer `https://apis.roblox.com/oauth/`, with the trailing slash)
/// with PKCE S256, refresh and revocation; basic client auth. `sub` is the numeric user id;
/// Roblox gives third parties no email, so only `openid profile` are requested.
pub fn roblox() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.email = None;
    Provider::oidc(
        "roblox",
        "Roblox",
        "https://apis.roblox.com/oauth/",
        "https://apis.roblox.com/oauth/v1/authorize",
        "https://apis.roblox.com/oauth/v1/token",
        "https://apis.roblox.com/oauth/v1/certs",
    )?
    .scopes(&["openid", "profile"])
    .profile(profile)
    .revocation("https://apis.roblox.com/oauth/v1/token/revoke")
}
