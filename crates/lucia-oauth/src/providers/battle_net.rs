//! Battle.net (Blizzard).

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Battle.net. OAuth 2.0 without PKCE or refresh tokens; credentials in the form body. The
/// account id is the numeric `id` of `GET https://oauth.battle.net/userinfo` (scope `openid`);
/// the BattleTag is a changeable display handle. No email is exposed. (Battle.net also issues ID
/// tokens; they are not verified here, the userinfo endpoint is authoritative.)
pub fn battle_net() -> Result<Provider> {
    Ok(Provider::oauth2(
        "battle-net",
        "Battle.net",
        "https://oauth.battle.net/authorize",
        "https://oauth.battle.net/token",
    )?
    .scopes(&["openid"])
    .client_auth(ClientAuth::Post)
    .profile(Profile::endpoint("https://oauth.battle.net/userinfo", "/id")?.username("/battletag")))
}
