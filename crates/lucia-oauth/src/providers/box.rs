//! Box.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Box. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens and revocation.
/// The account id is the `id` of `GET https://api.box.com/2.0/users/me`; its `login` is the
/// sign-in email, with no verification flag (never counted as verified).
pub fn r#box() -> Result<Provider> {
    Provider::oauth2(
        "box",
        "Box",
        "https://account.box.com/api/oauth2/authorize",
        "https://api.box.com/oauth2/token",
    )?
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.box.com/2.0/users/me", "/id")?
            .email("/login", EmailVerified::Never)
            .name("/name")
            .avatar("/avatar_url"),
    )
    .revocation("https://api.box.com/oauth2/revoke")
}
