//! ZITADEL (OpenID Connect; cloud or self-hosted).

use crate::error::Result;
use crate::provider::Provider;

/// ZITADEL at `https://{domain}` (an instance domain such as `acme.zitadel.cloud`). OpenID
/// Connect (issuer `https://{domain}`) with PKCE S256, refresh (scope `offline_access`) and
/// revocation; basic client auth; `sub` is the user id and `email_verified` ZITADEL's flag.
pub fn zitadel(domain: &str) -> Result<Provider> {
    let base = format!("https://{domain}");
    let oauth = format!("{base}/oauth/v2");
    Provider::oidc(
        "zitadel",
        "ZITADEL",
        &base,
        &format!("{oauth}/authorize"),
        &format!("{oauth}/token"),
        &format!("{oauth}/keys"),
    )?
    .revocation(&format!("{oauth}/revoke"))
}
