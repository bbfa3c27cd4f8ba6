//! Kakao.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Kakao. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The account id
/// is the numeric `id` of `GET https://kapi.kakao.com/v2/user/me`; the email (scope
/// `account_email`) counts as verified when `kakao_account.is_email_verified` is true.
pub fn kakao() -> Result<Provider> {
    Ok(Provider::oauth2(
        "kakao",
        "Kakao",
        "https://kauth.kakao.com/oauth/authorize",
        "https://kauth.kakao.com/oauth/token",
    )?
    .scopes(&["account_email", "profile_nickname", "profile_image"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://kapi.kakao.com/v2/user/me", "/id")?
            .email(
                "/kakao_account/email",
                EmailVerified::At("/kakao_account/is_email_verified".into()),
            )
            .name("/kakao_account/profile/nickname")
            .avatar("/kakao_account/profile/profile_image_url"),
    ))
}
