//! Coinbase (Sign in with Coinbase).

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Coinbase. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens and
/// revocation (`https://api.coinbase.com/oauth/revoke`). The account id is `data.id` of
/// `GET https://api.coinbase.com/v2/user`; the email (scope `wallet:user:email`) has no
/// verification flag there, so it is never counted as verified.
pub fn coinbase() -> Result<Provider> {
    Provider::oauth2(
        "coinbase",
        "Coinbase",
        "https://www.coinbase.com/oauth/authorize",
        "https://www.coinbase.com/oauth/token",
    )?
    .scopes(&["wallet:user:read", "wallet:user:email"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.coinbase.com/v2/user", "/data/id")?
            .email("/data/email", EmailVerified::Never)
            .name("/data/name")
            .username("/data/username")
            .avatar("/data/avatar_url"),
    )
    .revocation("https://api.coinbase.com/oauth/revoke")
}
