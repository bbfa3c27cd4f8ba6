//! Login with Amazon.

use crate::error::Result;
use crate::provider::{ClientAuth, EmailVerified, Pkce, Profile, Provider};

/// Login with Amazon (amazon.com endpoints; the token endpoint is global). OAuth 2.0 with PKCE
/// S256 and refresh tokens; credentials in the form body. The account id is `user_id` of
/// `GET https://api.amazon.com/user/profile` (scope `profile`); Amazon gives no verification
/// guarantee for its `email`, so it is never counted as verified.
pub fn amazon() -> Result<Provider> {
    Ok(Provider::oauth2(
        "amazon",
        "Amazon",
        "https://www.amazon.com/ap/oa",
        "https://api.amazon.com/auth/o2/token",
    )?
    .scopes(&["profile"])
    .pkce(Pkce::S256)
    .client_auth(ClientAuth::Post)
    .refreshable(true)
    .profile(
        Profile::endpoint("https://api.amazon.com/user/profile", "/user_id")?
            .email("/email", EmailVerified::Never)
            .name("/name"),
    ))
}
