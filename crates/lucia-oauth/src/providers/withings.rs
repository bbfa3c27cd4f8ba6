//! Withings.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Withings. OAuth 2.0 without PKCE; comma-separated scopes; credentials in the form body; every
/// token request carries `action=requesttoken` and the answer is wrapped as `{status, body}`
/// (an error is a non-zero `status` with HTTP 200). No refresh per the facts file.
///
/// The account id is the token response's `userid` (Withings has no "who am I" endpoint), read
/// from the unwrapped token response; no email is offered.
pub fn withings() -> Result<Provider> {
    let mut profile = Profile::id_token();
    profile.id = "/userid".into();
    profile.email = None;
    profile.email_verified = EmailVerified::Never;
    profile.name = None;
    profile.username = None;
    profile.avatar = None;
    Ok(Provider::oauth2(
        "withings",
        "Withings",
        "https://account.withings.com/oauth2_user/authorize2",
        "https://wbsapi.withings.net/v2/oauth2",
    )?
    .scopes(&["user.info"])
    .scope_separator(",")
    .client_auth(ClientAuth::Post)
    .token_param("action", "requesttoken")
    .token_wrapper("/body")
    .profile(profile))
}
