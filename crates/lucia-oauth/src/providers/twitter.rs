//! X (Twitter), OAuth 2.0.

use crate::error::Result;
use crate::provider::{Pkce, Profile, Provider};

/// X (formerly Twitter). OAuth 2.0 with mandatory PKCE S256; basic client auth (confidential
/// clients); refresh tokens with the `offline.access` scope (included); revocation. The account
/// id is `data.id` of `GET https://api.x.com/2/users/me` (scopes `users.read tweet.read`); the
/// handle changes. No email is read.
pub fn twitter() -> Result<Provider> {
    Provider::oauth2(
        "twitter",
        "X (Twitter)",
        "https://x.com/i/oauth2/authorize",
        "https://api.x.com/2/oauth2/token",
    )?
    .scopes(&["users.read", "tweet.read", "offline.access"])
    .pkce(Pkce::S256)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.x.com/2/users/me", "/data/id")?
            .query("user.fields", "profile_image_url")
            .name("/data/name")
            .username("/data/username")
            .avatar("/data/profile_image_url"),
    )
    .revocation("https://api.x.com/2/oauth2/revoke")
}
