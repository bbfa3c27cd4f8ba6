//! Etsy (Open API v3).

use crate::error::Result;
use crate::provider::{ClientAuth, Pkce, Profile, Provider};

/// Etsy. OAuth 2.0 with mandatory PKCE S256 and refresh tokens; the client id (the app's
/// keystring) goes in the form body. Every API call needs an `x-api-key` header with the
/// keystring (templated from the client id). The account id is the numeric `user_id` of
/// `GET https://openapi.etsy.com/v3/application/users/me`; that endpoint has no email.
pub fn etsy() -> Result<Provider> {
    Ok(Provider::oauth2(
        "etsy",
        "Etsy",
        "https://www.etsy.com/oauth/connect",
        "https://api.etsy.com/v3/public/oauth/token",
    )?
    .scopes(&["email_r"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://openapi.etsy.com/v3/application/users/me",
            "/user_id",
        )?
        .header("x-api-key", "{client_id}"),
    ))
}
