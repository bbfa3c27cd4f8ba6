//! TikTok (Login Kit for Web).

use crate::error::Result;
use crate::provider::{ClientAuth, Pkce, Profile, Provider};

/// TikTok. OAuth 2.0 with PKCE S256, refresh tokens and revocation; the client id parameter is
/// `client_key`, scopes are comma-separated, credentials go in the form body. The account id is
/// `data.user.open_id` of `GET https://open.tiktokapis.com/v2/user/info/` (fields asked in the
/// query; scope `user.info.basic`), TikTok's per-application user id. No email is exposed.
pub fn tiktok() -> Result<Provider> {
    Provider::oauth2(
        "tiktok",
        "TikTok",
        "https://www.tiktok.com/v2/auth/authorize",
        "https://open.tiktokapis.com/v2/oauth/token/",
    )?
    .scopes(&["user.info.basic"])
    .scope_separator(",")
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .client_id_param("client_key")
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://open.tiktokapis.com/v2/user/info/",
            "/data/user/open_id",
        )?
        .query("fields", "open_id,union_id,avatar_url,display_name")
        .name("/data/user/display_name")
        .avatar("/data/user/avatar_url"),
    )
    .revocation("https://open.tiktokapis.com/v2/oauth/revoke/")
}
