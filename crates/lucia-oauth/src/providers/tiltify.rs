//! Tiltify.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Tiltify (API v5). OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The
/// account id is `data.id` of `GET https://v5api.tiltify.com/api/public/current-user`; no
/// email is read.
pub fn tiltify() -> Result<Provider> {
    Ok(Provider::oauth2(
        "tiltify",
        "Tiltify",
        "https://v5api.tiltify.com/oauth/authorize",
        "https://v5api.tiltify.com/oauth/token",
    )?
    .scopes(&["public"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://v5api.tiltify.com/api/public/current-user",
            "/data/id",
        )?
        .username("/data/username")
        .avatar("/data/avatar/src"),
    ))
}
