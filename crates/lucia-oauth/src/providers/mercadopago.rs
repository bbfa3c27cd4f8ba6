//! Mercado Pago.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Mercado Pago. OAuth 2.0 with PKCE S256; credentials in the form body; refresh tokens with
/// the `offline_access` scope. The account id is the numeric `id` of
/// `GET https://api.mercadopago.com/users/me` (the same user as the token response's
/// `user_id`); its email has no verification flag (never counted as verified). The profile
/// endpoint is Mercado Libre's shared users API; it is not shown in Arctic's docs.
pub fn mercadopago() -> Result<Provider> {
    Ok(Provider::oauth2(
        "mercadopago",
        "Mercado Pago",
        "https://auth.mercadopago.com/authorization",
        "https://api.mercadopago.com/oauth/token",
    )?
    .scopes(&["offline_access", "read"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.mercadopago.com/users/me", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/first_name")
            .username("/nickname"),
    ))
}
