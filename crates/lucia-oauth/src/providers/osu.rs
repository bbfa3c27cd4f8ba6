//! osu!

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// osu!. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The account id
/// is the numeric `id` of `GET https://osu.ppy.sh/api/v2/me` (scope `identify`); usernames can
/// change. No email is exposed.
pub fn osu() -> Result<Provider> {
    Ok(Provider::oauth2(
        "osu",
        "osu!",
        "https://osu.ppy.sh/oauth/authorize",
        "https://osu.ppy.sh/oauth/token",
    )?
    .scopes(&["identify"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://osu.ppy.sh/api/v2/me", "/id")?
            .username("/username")
            .avatar("/avatar_url"),
    ))
}
