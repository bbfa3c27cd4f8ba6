//! Yahoo! JAPAN ID (YConnect v2, OpenID Connect).

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Yahoo! JAPAN (YConnect v2). OpenID Connect (issuer
/// `https://auth.login.yahoo.co.jp/yconnect/v2`) with PKCE S256 and refresh; basic client auth.
/// ID tokens are verified; the profile comes from the UserInfo API
/// `https://userinfo.yahooapis.jp/yconnect/v2/attribute`: `sub` is the account id (per
/// application), `email_verified` the email's flag.
pub fn yahoo_japan() -> Result<Provider> {
    let base = "https://auth.login.yahoo.co.jp/yconnect/v2";
    Ok(Provider::oidc(
        "yahoo-japan",
        "Yahoo! JAPAN",
        base,
        &format!("{base}/authorization"),
        &format!("{base}/token"),
        &format!("{base}/jwks"),
    )?
    .profile(
        Profile::endpoint(
            "https://userinfo.yahooapis.jp/yconnect/v2/attribute",
            "/sub",
        )?
        .email("/email", EmailVerified::At("/email_verified".into()))
        .name("/name")
        .username("/nickname")
        .avatar("/picture"),
    ))
}
