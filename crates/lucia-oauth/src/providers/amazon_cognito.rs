//! Amazon Cognito user pools (OpenID Connect).

use crate::error::Result;
use crate::provider::Provider;

/// Amazon Cognito: the hosted UI at `https://{domain}` (a `*.auth.{region}.amazoncognito.com`
/// prefix domain or a custom domain) of the user pool `user_pool_id` in `region`. OpenID
/// Connect with PKCE, refresh and revocation; the ID token's issuer is
/// `https://cognito-idp.{region}.amazonaws.com/{user_pool_id}` and its `sub` is the account id;
/// `email_verified` is the pool's own flag.
pub fn amazon_cognito(domain: &str, region: &str, user_pool_id: &str) -> Result<Provider> {
    let issuer = format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}");
    Provider::oidc(
        "amazon-cognito",
        "Amazon Cognito",
        &issuer,
        &format!("https://{domain}/oauth2/authorize"),
        &format!("https://{domain}/oauth2/token"),
        &format!("{issuer}/.well-known/jwks.json"),
    )?
    .revocation(&format!("https://{domain}/oauth2/revoke"))
}
