//! Epic Games (Epic Account Services).

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Epic Games. OAuth 2.0 without PKCE; basic client auth; refresh tokens and revocation. The
/// account id is `sub` (the Epic account id) of
/// `GET https://api.epicgames.dev/epic/oauth/v2/userInfo` (scope `basic_profile`); the display
/// name is changeable. No email is exposed to third parties.
pub fn epic_games() -> Result<Provider> {
    Provider::oauth2(
        "epic-games",
        "Epic Games",
        "https://www.epicgames.com/id/authorize",
        "https://api.epicgames.dev/epic/oauth/v2/token",
    )?
    .scopes(&["basic_profile"])
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.epicgames.dev/epic/oauth/v2/userInfo", "/sub")?
            .username("/preferred_username"),
    )
    .revocation("https://api.epicgames.dev/epic/oauth/v2/revoke")
}
