//! Mastodon (any instance).

use crate::error::Result;
use crate::provider::{Pkce, Profile, Provider};

/// A Mastodon instance at `https://{domain}`. OAuth 2.0 with PKCE S256 (Mastodon 4.3+), no
/// refresh tokens (tokens do not expire), revocation; basic client auth. Endpoints are
/// Mastodon's documented `/oauth/{authorize,token,revoke}` (Arctic v3.7.0 uses
/// `/api/v1/oauth/...`, which Mastodon's API docs do not list). The account id is `id` of
/// `GET /api/v1/accounts/verify_credentials` (scope `read:accounts`), unique per instance only:
/// use one preset per instance. No email is exposed.
pub fn mastodon(domain: &str) -> Result<Provider> {
    let base = format!("https://{domain}");
    Provider::oauth2(
        "mastodon",
        "Mastodon",
        &format!("{base}/oauth/authorize"),
        &format!("{base}/oauth/token"),
    )?
    .scopes(&["read:accounts"])
    .pkce(Pkce::S256)
    .profile(
        Profile::endpoint(&format!("{base}/api/v1/accounts/verify_credentials"), "/id")?
            .name("/display_name")
            .username("/username")
            .avatar("/avatar"),
    )
    .revocation(&format!("{base}/oauth/revoke"))
}
