//! Discord.

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Discord. OAuth 2.0 with refresh and revocation; basic client auth. PKCE is not sent (the
/// facts file lists it for public clients only; a server-side app is confidential). The account
/// id is the snowflake `id` of `GET https://discord.com/api/users/@me` (scope `identify`); the
/// email (scope `email`) counts as verified when `verified` is true. Avatars are hashes, not
/// URLs, so no avatar pointer is set.
pub fn discord() -> Result<Provider> {
    Provider::oauth2(
        "discord",
        "Discord",
        "https://discord.com/oauth2/authorize",
        "https://discord.com/api/oauth2/token",
    )?
    .scopes(&["identify", "email"])
    .refreshable(true)
    .profile(
        Profile::endpoint("https://discord.com/api/users/@me", "/id")?
            .email("/email", EmailVerified::At("/verified".into()))
            .name("/global_name")
            .username("/username"),
    )
    .revocation("https://discord.com/api/oauth2/token/revoke")
}
