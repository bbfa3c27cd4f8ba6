//! Dribbble.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Dribbble. OAuth 2.0 without PKCE or refresh tokens; credentials in the form body. The
/// account id is the numeric `id` of `GET https://api.dribbble.com/v2/user`; no email.
pub fn dribbble() -> Result<Provider> {
    Ok(Provider::oauth2(
        "dribbble",
        "Dribbble",
        "https://dribbble.com/oauth/authorize",
        "https://dribbble.com/oauth/token",
    )?
    .scopes(&["public"])
    .client_auth(ClientAuth::Post)
    .profile(
        Profile::endpoint("https://api.dribbble.com/v2/user", "/id")?
            .name("/name")
            .username("/login")
            .avatar("/avatar_url"),
    ))
}
