//! Strava.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Strava. OAuth 2.0 without PKCE; comma-separated scopes; credentials in the form body;
/// refresh tokens. The account id is the numeric athlete `id` of
/// `GET https://www.strava.com/api/v3/athlete` (scope `read`); no email is exposed.
pub fn strava() -> Result<Provider> {
    Ok(Provider::oauth2(
        "strava",
        "Strava",
        "https://www.strava.com/oauth/authorize",
        "https://www.strava.com/api/v3/oauth/token",
    )?
    .scopes(&["read"])
    .scope_separator(",")
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://www.strava.com/api/v3/athlete", "/id")?
            .name("/firstname")
            .username("/username")
            .avatar("/profile"),
    ))
}
