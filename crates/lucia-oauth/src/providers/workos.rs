//! WorkOS (SSO).

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// WorkOS SSO. OAuth 2.0 without refresh; credentials in the form body; PKCE not sent (public
/// clients only, per the facts file). The authorization URL also needs one of `connection`,
/// `organization` or `provider`, which depends on the app: add it with
/// [`Provider::authorization_param`]. The account id is the profile `id` of
/// `GET https://api.workos.com/sso/profile` (the same profile as in the token response); the
/// email comes from the customer's identity provider without a verification guarantee, so it
/// is never counted as verified.
pub fn workos() -> Result<Provider> {
    Ok(Provider::oauth2(
        "workos",
        "WorkOS",
        "https://api.workos.com/sso/authorize",
        "https://api.workos.com/sso/token",
    )?
    .client_auth(ClientAuth::Post)
    .profile(
        Profile::endpoint("https://api.workos.com/sso/profile", "/id")?
            .email("/email", EmailVerified::Never)
            .name("/first_name"),
    ))
}
