//! Yahoo (OpenID Connect).

use crate::error::Result;
use crate::provider::{Pkce, Provider};

/// Yahoo. OpenID Connect (issuer `https://api.login.yahoo.com`) without PKCE (per the facts
/// file); basic client auth; refresh tokens. `sub` is the account id and `email_verified`
/// Yahoo's flag.
pub fn yahoo() -> Result<Provider> {
    Ok(Provider::oidc(
        "yahoo",
        "Yahoo",
        "https://api.login.yahoo.com",
        "https://api.login.yahoo.com/oauth2/request_auth",
        "https://api.login.yahoo.com/oauth2/get_token",
        "https://api.login.yahoo.com/openid/v1/certs",
    )?
    .pkce(Pkce::None))
}
