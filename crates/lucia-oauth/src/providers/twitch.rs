//! Twitch (OpenID Connect plus the Helix API).

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Twitch. OpenID Connect (issuer `https://id.twitch.tv/oauth2`) without PKCE; credentials in
/// the form body (no basic auth); refresh tokens; no revocation offered (Twitch's needs the
/// client id only, not RFC 7009 client auth). ID tokens are verified; the profile is Helix's
/// `GET https://api.twitch.tv/helix/users` with the required `Client-Id` header: `data[0].id`
/// is the account id. Twitch documents `email` there as "the user's verified email address"
/// (scope `user:read:email`), hence [`EmailVerified::Always`].
pub fn twitch() -> Result<Provider> {
    Ok(Provider::oidc(
        "twitch",
        "Twitch",
        "https://id.twitch.tv/oauth2",
        "https://id.twitch.tv/oauth2/authorize",
        "https://id.twitch.tv/oauth2/token",
        "https://id.twitch.tv/oauth2/keys",
    )?
    .scopes(&["openid", "user:read:email"])
    .pkce(Pkce::None)
    .client_auth(ClientAuth::Post)
    .profile(
        Profile::endpoint("https://api.twitch.tv/helix/users", "/data/0/id")?
            .header("Client-Id", "{client_id}")
            .email("/data/0/email", EmailVerified::Always)
            .name("/data/0/display_name")
            .username("/data/0/login")
            .avatar("/data/0/profile_image_url"),
    ))
}
