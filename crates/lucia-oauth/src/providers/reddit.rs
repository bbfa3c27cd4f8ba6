//! Reddit.

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Reddit. OAuth 2.0 without PKCE; basic client auth; refresh tokens with `duration=permanent`
/// (set). Reddit refuses requests without a descriptive `User-Agent`. The account id is the
/// base-36 `id` of `GET https://oauth.reddit.com/api/v1/me` (scope `identity`); `name` is the
/// username. No email is exposed.
pub fn reddit() -> Result<Provider> {
    Ok(Provider::oauth2(
        "reddit",
        "Reddit",
        "https://www.reddit.com/api/v1/authorize",
        "https://www.reddit.com/api/v1/access_token",
    )?
    .scopes(&["identity"])
    .refreshable(true)
    .authorization_param("duration", "permanent")
    .profile(
        Profile::endpoint("https://oauth.reddit.com/api/v1/me", "/id")?
            .username("/name")
            .avatar("/icon_img"),
    ))
}
