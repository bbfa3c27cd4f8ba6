//! Spotify.

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Spotify. OAuth 2.0 with basic client auth and refresh tokens; PKCE is not sent (the facts
/// file lists it for public clients only). The account id is `id` of
/// `GET https://api.spotify.com/v1/me`; Spotify documents its `email` as unverified (scope
/// `user-read-email`), so it is never counted as verified.
pub fn spotify() -> Result<Provider> {
    Ok(Provider::oauth2(
        "spotify",
        "Spotify",
        "https://accounts.spotify.com/authorize",
        "https://accounts.spotify.com/api/token",
    )?
    .scopes(&["user-read-email", "user-read-private"])
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.spotify.com/v1/me", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/display_name")
            .avatar("/images/0/url"),
    ))
}
