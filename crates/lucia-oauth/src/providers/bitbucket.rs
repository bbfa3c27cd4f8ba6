//! Bitbucket Cloud.

use crate::error::Result;
use crate::provider::{Profile, Provider};

/// Bitbucket Cloud. OAuth 2.0 without PKCE, with refresh tokens; basic client auth. The account
/// id is the `uuid` of `GET https://api.bitbucket.org/2.0/user` (scope `account`); the email is
/// the primary, confirmed entry of `GET /2.0/user/emails` (scope `email`).
pub fn bitbucket() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://api.bitbucket.org/2.0/user", "/uuid")?
        .name("/display_name")
        .username("/username")
        .avatar("/links/avatar/href");
    profile.email_list = Some(super::email_list(
        "https://api.bitbucket.org/2.0/user/emails",
        "/values",
        "email",
        Some("is_primary"),
        "is_confirmed",
    )?);
    Ok(Provider::oauth2(
        "bitbucket",
        "Bitbucket",
        "https://bitbucket.org/site/oauth2/authorize",
        "https://bitbucket.org/site/oauth2/access_token",
    )?
    .scopes(&["account", "email"])
    .refreshable(true)
    .profile(profile))
}
