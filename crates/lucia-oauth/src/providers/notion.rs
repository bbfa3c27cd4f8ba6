//! Notion (public integrations).

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Notion. OAuth 2.0 without PKCE or refresh tokens (per the facts file); basic client auth;
/// the authorization URL needs `owner=user`. `GET https://api.notion.com/v1/users/me` (with the
/// required `Notion-Version` header) returns the integration's bot user, whose
/// `bot.owner.user` is the person who authorized it: its `id` is the account id. Its email has
/// no verification flag (never counted as verified).
pub fn notion() -> Result<Provider> {
    Ok(Provider::oauth2(
        "notion",
        "Notion",
        "https://api.notion.com/v1/oauth/authorize",
        "https://api.notion.com/v1/oauth/token",
    )?
    .authorization_param("owner", "user")
    .profile(
        Profile::endpoint("https://api.notion.com/v1/users/me", "/bot/owner/user/id")?
            .header("Notion-Version", "2022-06-28")
            .email("/bot/owner/user/person/email", EmailVerified::Never)
            .name("/bot/owner/user/name")
            .avatar("/bot/owner/user/avatar_url"),
    ))
}
