//! Salesforce (OpenID Connect).

use crate::error::Result;
use crate::provider::Provider;

/// Salesforce at `https://{domain}` (`login.salesforce.com`, `test.salesforce.com` or a My
/// Domain). OpenID Connect with PKCE S256, revocation, and refresh tokens with the
/// `refresh_token` scope (included); basic client auth. The issuer is the login domain used
/// (`https://{domain}`); `sub` is the identity URL `…/id/{org id}/{user id}`, stable for the
/// user; `email_verified` is Salesforce's flag.
pub fn salesforce(domain: &str) -> Result<Provider> {
    let base = format!("https://{domain}");
    Provider::oidc(
        "salesforce",
        "Salesforce",
        &base,
        &format!("{base}/services/oauth2/authorize"),
        &format!("{base}/services/oauth2/token"),
        &format!("{base}/id/keys"),
    )?
    .scopes(&["openid", "email", "profile", "refresh_token"])
    .revocation(&format!("{base}/services/oauth2/revoke"))
}
