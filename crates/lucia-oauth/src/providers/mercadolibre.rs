//! Mercado Libre.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Mercado Libre (the `.com` endpoints; country sites share the API). OAuth 2.0 with PKCE S256;
/// credentials in the form body; refresh tokens with the `offline_access` scope. The account id
/// is the numeric `id` of `GET https://api.mercadolibre.com/users/me`; its email has no
/// verification flag (never counted as verified).
pub fn mercadolibre() -> Result<Provider> {
    Ok(Provider::oauth2(
        "mercadolibre",
        "Mercado Libre",
        "https://auth.mercadolibre.com/authorization",
        "https://api.mercadolibre.com/oauth/token",
    )?
    .scopes(&["offline_access", "read"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.mercadolibre.com/users/me", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/first_name")
            .username("/nickname"),
    ))
}
