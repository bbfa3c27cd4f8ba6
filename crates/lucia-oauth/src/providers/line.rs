//! LINE Login (OpenID Connect).

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// LINE. OpenID Connect (issuer `https://access.line.me`) with PKCE S256 and refresh tokens;
/// credentials in the form body. LINE Login signs web ID tokens with HS256 and the channel
/// secret, so `allow_hs256` is on: with HS256, anyone holding the channel secret could mint ID
/// tokens, so keep it server-side. `sub` is the user id (per provider). The `email` claim (scope
/// `email`, subject to LINE's approval) has no verification flag, so it is never counted as
/// verified.
pub fn line() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.email_verified = EmailVerified::Never;
    profile.username = None;
    let mut provider = Provider::oidc(
        "line",
        "LINE",
        "https://access.line.me",
        "https://access.line.me/oauth2/v2.1/authorize",
        "https://api.line.me/oauth2/v2.1/token",
        "https://api.line.me/oauth2/v2.1/certs",
    )?
    .client_auth(ClientAuth::Post)
    .profile(profile);
    if let Some(oidc) = &mut provider.oidc {
        oidc.allow_hs256 = true;
    }
    Ok(provider)
}
