//! Okta with a custom authorization server (OpenID Connect).

use crate::error::Result;
use crate::provider::Provider;

/// Okta's custom authorization server `authorization_server` (e.g. `default`) at
/// `https://{domain}`: issuer and endpoint base `https://{domain}/oauth2/{authorization_server}`.
/// Otherwise as [`okta`](super::okta); a separate provider id because the two servers' tokens
/// are not interchangeable.
pub fn okta_custom(domain: &str, authorization_server: &str) -> Result<Provider> {
    let base = format!("https://{domain}/oauth2/{authorization_server}");
    super::okta::okta_at(
        "okta-custom",
        "Okta (custom authorization server)",
        &base,
        &base,
    )
}
