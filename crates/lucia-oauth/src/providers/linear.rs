//! Linear.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Linear. OAuth 2.0 without PKCE or refresh tokens (per the facts file); credentials in the
/// form body.
///
/// The user API is GraphQL only (`POST https://api.linear.app/graphql`, query `viewer { id }`);
/// the profile model has no request body, so the query goes in the `query` URL parameter of the
/// POST. That form is not verified against Linear: if it is refused, the profile request fails
/// and the sign-in fails closed. The account id is `viewer.id`; the email has no verification
/// flag (never counted as verified).
pub fn linear() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://api.linear.app/graphql", "/data/viewer/id")?
        .query("query", "{ viewer { id name email avatarUrl } }")
        .email("/data/viewer/email", EmailVerified::Never)
        .name("/data/viewer/name")
        .avatar("/data/viewer/avatarUrl");
    profile.method = http::Method::POST;
    Ok(Provider::oauth2(
        "linear",
        "Linear",
        "https://linear.app/oauth/authorize",
        "https://api.linear.app/oauth/token",
    )?
    .scopes(&["read"])
    .client_auth(ClientAuth::Post)
    .profile(profile))
}
