//! Gitea and Forgejo (self-hosted).

use crate::error::Result;
use crate::provider::{Pkce, Profile, Provider};

/// Gitea (or Forgejo) at `https://{domain}`. OAuth 2.0 with PKCE S256 and refresh tokens; basic
/// client auth. The account id is the numeric `id` of `GET https://{domain}/api/v1/user`; the
/// email is the primary, verified entry of `GET /api/v1/user/emails`. Account ids are per
/// instance: use one preset per instance. (Gitea also speaks OpenID Connect; not used here.)
pub fn gitea(domain: &str) -> Result<Provider> {
    let api = format!("https://{domain}/api/v1");
    let mut profile = Profile::endpoint(&format!("{api}/user"), "/id")?
        .name("/full_name")
        .username("/login")
        .avatar("/avatar_url");
    profile.email_list = Some(super::email_list(
        &format!("{api}/user/emails"),
        "",
        "email",
        Some("primary"),
        "verified",
    )?);
    Ok(Provider::oauth2(
        "gitea",
        "Gitea",
        &format!("https://{domain}/login/oauth/authorize"),
        &format!("https://{domain}/login/oauth/access_token"),
    )?
    .scopes(&["read:user"])
    .pkce(Pkce::S256)
    .refreshable(true)
    .profile(profile))
}
