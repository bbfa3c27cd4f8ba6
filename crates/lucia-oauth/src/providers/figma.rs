//! Figma.

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Figma. OAuth 2.0 without PKCE; basic client auth; refresh tokens at a separate endpoint
/// (`https://api.figma.com/v1/oauth/refresh`). The account id is the `id` of
/// `GET https://api.figma.com/v1/me` (scope `current_user:read`); its email has no
/// verification flag (never counted as verified).
pub fn figma() -> Result<Provider> {
    Ok(Provider::oauth2(
        "figma",
        "Figma",
        "https://www.figma.com/oauth",
        "https://api.figma.com/v1/oauth/token",
    )?
    .scopes(&["current_user:read"])
    .refresh_endpoint("https://api.figma.com/v1/oauth/refresh")?
    .profile(
        Profile::endpoint("https://api.figma.com/v1/me", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/handle")
            .avatar("/img_url"),
    ))
}
