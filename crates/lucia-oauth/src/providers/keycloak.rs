//! Keycloak (OpenID Connect, self-hosted).

use crate::error::Result;
use crate::provider::Provider;

/// Keycloak at `https://{domain}/realms/{realm}` (Keycloak 17+ paths, without `/auth`).
/// OpenID Connect with PKCE, refresh and revocation.
pub fn keycloak(domain: &str, realm: &str) -> Result<Provider> {
    let base = format!("https://{domain}/realms/{realm}");
    let oidc = format!("{base}/protocol/openid-connect");
    Provider::oidc(
        "keycloak",
        "Keycloak",
        &base,
        &format!("{oidc}/auth"),
        &format!("{oidc}/token"),
        &format!("{oidc}/certs"),
    )?
    .revocation(&format!("{oidc}/revoke"))
}
