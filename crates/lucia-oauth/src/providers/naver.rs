//! Naver.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Naver. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The account id
/// is `response.id` of `GET https://openapi.naver.com/v1/nid/me` (per application); its email
/// has no verification flag (never counted as verified). `state` is always sent, although
/// Naver's examples omit it.
pub fn naver() -> Result<Provider> {
    Ok(Provider::oauth2(
        "naver",
        "Naver",
        "https://nid.naver.com/oauth2.0/authorize",
        "https://nid.naver.com/oauth2.0/token",
    )?
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://openapi.naver.com/v1/nid/me", "/response/id")?
            .email("/response/email", EmailVerified::Never)
            .name("/response/name")
            .username("/response/nickname")
            .avatar("/response/profile_image"),
    ))
}
