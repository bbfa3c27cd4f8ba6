//! Kick.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Kick. OAuth 2.1 with mandatory PKCE S256; credentials in the form body; refresh tokens and
/// revocation. The account id is `data[0].user_id` of `GET https://api.kick.com/public/v1/users`
/// (scope `user:read`); its email has no verification flag (never counted as verified).
pub fn kick() -> Result<Provider> {
    Provider::oauth2(
        "kick",
        "Kick",
        "https://id.kick.com/oauth/authorize",
        "https://id.kick.com/oauth/token",
    )?
    .scopes(&["user:read"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.kick.com/public/v1/users", "/data/0/user_id")?
            .email("/data/0/email", EmailVerified::Never)
            .name("/data/0/name")
            .avatar("/data/0/profile_picture"),
    )
    .revocation("https://id.kick.com/oauth/revoke")
}
