//! Shikimori.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Shikimori. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. Shikimori
/// requires a `User-Agent` naming the application. The account id is the numeric `id` of
/// `GET https://shikimori.one/api/users/whoami`; no email is exposed.
pub fn shikimori() -> Result<Provider> {
    Ok(Provider::oauth2(
        "shikimori",
        "Shikimori",
        "https://shikimori.one/oauth/authorize",
        "https://shikimori.one/oauth/token",
    )?
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://shikimori.one/api/users/whoami", "/id")?
            .username("/nickname")
            .avatar("/avatar"),
    ))
}
