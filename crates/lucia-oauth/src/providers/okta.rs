//! Okta (OpenID Connect; org authorization server).

use crate::error::Result;
use crate::provider::Provider;

/// Okta's org authorization server at `https://{domain}` (`dev-123.okta.com` or a custom
/// domain): issuer `https://{domain}`, endpoints under `/oauth2/v1/`. OpenID Connect with PKCE,
/// refresh (scope `offline_access`) and revocation; `sub` is the user id and `email_verified`
/// Okta's flag. For a custom authorization server use [`okta_custom`](super::okta_custom).
pub fn okta(domain: &str) -> Result<Provider> {
    okta_at(
        "okta",
        "Okta",
        &format!("https://{domain}"),
        &format!("https://{domain}/oauth2"),
    )
}

/// Okta's OpenID Connect shape: `issuer`, and endpoints under `{base}/v1/`.
pub(super) fn okta_at(id: &str, name: &str, issuer: &str, base: &str) -> Result<Provider> {
    Provider::oidc(
        id,
        name,
        issuer,
        &format!("{base}/v1/authorize"),
        &format!("{base}/v1/token"),
        &format!("{base}/v1/keys"),
    )?
    .revocation(&format!("{base}/v1/revoke"))
}
