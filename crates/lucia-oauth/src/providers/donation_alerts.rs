//! DonationAlerts.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// DonationAlerts. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The
/// account id is `data.id` of `GET https://www.donationalerts.com/api/v1/user/oauth` (scope
/// `oauth-user-show`); its email has no verification flag (never counted as verified).
pub fn donation_alerts() -> Result<Provider> {
    Ok(Provider::oauth2(
        "donation-alerts",
        "DonationAlerts",
        "https://www.donationalerts.com/oauth/authorize",
        "https://www.donationalerts.com/oauth/token",
    )?
    .scopes(&["oauth-user-show"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint(
            "https://www.donationalerts.com/api/v1/user/oauth",
            "/data/id",
        )?
        .email("/data/email", EmailVerified::Never)
        .name("/data/name")
        .username("/data/code")
        .avatar("/data/avatar"),
    ))
}
