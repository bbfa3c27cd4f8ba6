//! 42 (the 42 network's intranet API).

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// 42 (id `42`). Plain OAuth 2.0, no PKCE, no refresh tokens; credentials in the form body.
/// The account id is the numeric `id` of `GET https://api.intra.42.fr/v2/me`; its `email`
/// carries no verification flag, so it is never counted as verified.
pub fn forty_two() -> Result<Provider> {
    Ok(Provider::oauth2(
        "42",
        "42",
        "https://api.intra.42.fr/oauth/authorize",
        "https://api.intra.42.fr/oauth/token",
    )?
    .scopes(&["public"])
    .client_auth(ClientAuth::Post)
    .profile(
        Profile::endpoint("https://api.intra.42.fr/v2/me", "/id")?
            .email("/email", crate::provider::EmailVerified::Never)
            .name("/displayname")
            .username("/login")
            .avatar("/image/link"),
    ))
}
