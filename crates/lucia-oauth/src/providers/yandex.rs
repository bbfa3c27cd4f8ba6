//! Yandex ID.

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Yandex ID. OAuth 2.0 without PKCE; basic client auth; refresh tokens. The account id is `id`
/// of `GET https://login.yandex.ru/info?format=json` (Yandex ID's user API; Arctic's docs point
/// at the Tracker API instead). Yandex documents the `OAuth <token>` scheme there; the bearer
/// scheme sent here is unverified. Its `default_email` has no verification flag (never counted
/// as verified).
pub fn yandex() -> Result<Provider> {
    Ok(Provider::oauth2(
        "yandex",
        "Yandex",
        "https://oauth.yandex.com/authorize",
        "https://oauth.yandex.com/token",
    )?
    .scopes(&["login:info", "login:email"])
    .refreshable(true)
    .profile(
        Profile::endpoint("https://login.yandex.ru/info", "/id")?
            .query("format", "json")
            .email("/default_email", EmailVerified::Never)
            .name("/display_name")
            .username("/login"),
    ))
}
