//! start.gg.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// The default scopes, also sent with every token request.
const SCOPES: [&str; 2] = ["user.identity", "user.email"];

/// start.gg. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens at a separate
/// endpoint. start.gg needs the scopes again in the code exchange: they are a token parameter
/// (`scope=user.identity user.email`), so an app that changes the default scopes must change
/// that parameter too.
///
/// The user API is GraphQL only (`POST https://api.start.gg/gql/alpha`, `currentUser { id }`);
/// the query goes in the `query` URL parameter of the POST since the model has no request body.
/// That form is not verified against start.gg: if it is refused, the sign-in fails closed. The
/// email has no verification flag (never counted as verified).
pub fn startgg() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://api.start.gg/gql/alpha", "/data/currentUser/id")?
        .query(
            "query",
            "{ currentUser { id slug email player { gamerTag } } }",
        )
        .email("/data/currentUser/email", EmailVerified::Never)
        .username("/data/currentUser/player/gamerTag");
    profile.method = http::Method::POST;
    Ok(Provider::oauth2(
        "startgg",
        "start.gg",
        "https://start.gg/oauth/authorize",
        "https://api.start.gg/oauth/access_token",
    )?
    .scopes(&SCOPES)
    .token_param("scope", &SCOPES.join(" "))
    .client_auth(ClientAuth::Post)
    .refresh_endpoint("https://api.start.gg/oauth/refresh")?
    .profile(profile))
}
