//! Bungie.net (Destiny).

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Bungie.net, with the application's API key `api_key` (every Bungie.net API call needs an
/// `X-API-Key` header besides the access token). OAuth 2.0 without PKCE; basic client auth;
/// refresh tokens for confidential clients. The account id is `membershipId` of
/// `GET https://www.bungie.net/Platform/User/GetCurrentBungieNetUser`; no email is exposed.
pub fn bungie(api_key: &str) -> Result<Provider> {
    Ok(Provider::oauth2(
        "bungie",
        "Bungie.net",
        "https://www.bungie.net/en/oauth/authorize",
        "https://www.bungie.net/platform/app/oauth/token",
    )?
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://www.bungie.net/Platform/User/GetCurrentBungieNetUser",
            "/Response/membershipId",
        )?
        .header("X-API-Key", api_key)
        .name("/Response/displayName")
        .username("/Response/uniqueName"),
    ))
}
