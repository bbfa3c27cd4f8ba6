//! MyAnimeList.

use crate::error::Result;
use crate::provider::{Pkce, Profile, Provider};

/// MyAnimeList. OAuth 2.0 whose only PKCE method is `plain`; basic client auth; refresh tokens.
/// The account id is the numeric `id` of `GET https://api.myanimelist.net/v2/users/@me`; no
/// email is exposed.
pub fn myanimelist() -> Result<Provider> {
    Ok(Provider::oauth2(
        "myanimelist",
        "MyAnimeList",
        "https://myanimelist.net/v1/oauth2/authorize",
        "https://myanimelist.net/v1/oauth2/token",
    )?
    .pkce(Pkce::Plain)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.myanimelist.net/v2/users/@me", "/id")?
            .name("/name")
            .avatar("/picture"),
    ))
}
