//! Withings.

use crate::error::Result;
use crate::provider::{ClientAuth, Profile, Provider};

/// Withings. OAuth 2.0 without PKCE; comma-separated scopes; credentials in the form body; every
/// token request carries `action=requesttoken` and the answer is wrapped as `{status, body}`
/// (an error is a non-zero `status` with HTTP 200). No refresh per the facts file.
///
/// Not expressible: Withings returns the user id only in the token response (`body.userid`);
/// its public API has no "who am I" endpoint, and the profile model reads ids from a profile
/// endpoint. The profile is therefore set to `POST https://wbsapi.withings.net/v2/user`
/// (`action=getdevice`), which answers but holds no id at `/body/userid`: sign-ins fail closed
/// (no account id) until the client can read the id from the token response. Tokens for data
/// access work.
pub fn withings() -> Result<Provider> {
    let mut profile = Profile::endpoint("https://wbsapi.withings.net/v2/user", "/body/userid")?
        .query("action", "getdevice");
    profile.method = http::Method::POST;
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
