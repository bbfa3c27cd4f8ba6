//! VK (VKontakte), classic OAuth.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider, TokenPlacement};

/// VK (classic `oauth.vk.com`). OAuth 2.0 without PKCE or refresh tokens; credentials in the
/// form body. The account id is `response[0].id` of `GET https://api.vk.com/method/users.get`
/// (API version `v=5.131`, token in the query). VK returns the email only in the token
/// response, which the profile model cannot read, so no email is offered.
pub fn vk() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://api.vk.com/method/users.get", "/response/0/id")?
        .query("v", "5.131")
        .query("fields", "photo_100,screen_name")
        .name("/response/0/first_name")
        .username("/response/0/screen_name")
        .avatar("/response/0/photo_100");
    profile.token = TokenPlacement::Query;
    Ok(Provider::oauth2(
        "vk",
        "VK",
        "https://oauth.vk.com/authorize",
        "https://oauth.vk.com/access_token",
    )?
    .scopes(&["email"])
    .client_auth(ClientAuth::Post)
    .profile(profile))
}
