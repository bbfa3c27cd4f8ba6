//! Auth0 (OpenID Connect, per-tenant domain).

use crate::error::Result;
use crate::provider::{Pkce, Provider};

/// Auth0 at `https://{domain}` (`tenant.us.auth0.com` or a custom domain). OpenID Connect: the
/// issuer is `https://{domain}/` (with the trailing slash), `sub` is the account id and
/// `email_verified` is Auth0's flag. Refresh tokens with the `offline_access` scope; revocation
/// (of refresh tokens) at `/oauth/revoke`. PKCE is not sent: per the facts file it is for public
/// clients only, and a server-side app is a confidential client authenticating with its secret.
pub fn auth0(domain: &str) -> Result<Provider> {
    Provider::oidc(
        "auth0",
        "Auth0",
        &format!("https://{domain}/"),
        &format!("https://{domain}/authorize"),
        &format!("https://{domain}/oauth/token"),
        &format!("https://{domain}/.well-known/jwks.json"),
    )?
    .pkce(Pkce::None)
    .revocation(&format!("https://{domain}/oauth/revoke"))
}
