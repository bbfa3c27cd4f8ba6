//! Patreon.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Profile, Provider};

/// Patreon. OAuth 2.0 without PKCE; credentials in the form body; refresh tokens. The profile is
/// `GET https://www.patreon.com/api/oauth2/v2/identity` with `fields[user]` asking for the
/// attributes (API v2 returns none unless asked): `data.id` is the account id, and the email
/// (scope `identity[email]`) counts as verified when `is_email_verified` is true.
pub fn patreon() -> Result<Provider> {
    Ok(Provider::oauth2(
        "patreon",
        "Patreon",
        "https://www.patreon.com/oauth2/authorize",
        "https://www.patreon.com/api/oauth2/token",
    )?
    .scopes(&["identity", "identity[email]"])
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://www.patreon.com/api/oauth2/v2/identity", "/data/id")?
            .query(
                "fields[user]",
                "email,full_name,image_url,is_email_verified",
            )
            .email(
                "/data/attributes/email",
                EmailVerified::At("/data/attributes/is_email_verified".into()),
            )
            .name("/data/attributes/full_name")
            .avatar("/data/attributes/image_url"),
    ))
}
