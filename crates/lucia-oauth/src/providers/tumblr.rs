//! Tumblr.

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Tumblr. OAuth 2.0 without PKCE; basic client auth; refresh tokens with `offline_access`.
///
/// Weak account id: `GET https://api.tumblr.com/v2/user/info` has no user id, only the user's
/// `name` (changeable) and their blogs. The id used is the `uuid` of the first blog
/// (`response.user.blogs[0].uuid`, Tumblr's stable blog id, which survives renames); the first
/// blog is the primary one in Tumblr's answers, but that order is not a documented guarantee.
/// No email is exposed.
pub fn tumblr() -> Result<Provider> {
    Ok(Provider::oauth2(
        "tumblr",
        "Tumblr",
        "https://www.tumblr.com/oauth2/authorize",
        "https://api.tumblr.com/v2/oauth2/token",
    )?
    .scopes(&["basic", "offline_access"])
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://api.tumblr.com/v2/user/info",
            "/response/user/blogs/0/uuid",
        )?
        .username("/response/user/name"),
    ))
}
