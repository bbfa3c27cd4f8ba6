//! authentik (OpenID Connect, self-hosted).

use crate::error::Result;
use crate::provider::Provider;

/// authentik at `https://{domain}`, for the application whose slug is `slug`. OpenID Connect
/// with PKCE, refresh and revocation; the endpoints are shared by all applications
/// (`/application/o/{authorize,token,revoke}/`), while the issuer and keys are per application:
/// `https://{domain}/application/o/{slug}/` and its `jwks/`. authentik's default `sub` mode is a
/// hash of the user id; keep a stable mode (not the email or username modes) for account ids.
pub fn authentik(domain: &str, slug: &str) -> Result<Provider> {
    let base = format!("https://{domain}/application/o");
    Provider::oidc(
        "authentik",
        "authentik",
        &format!("{base}/{slug}/"),
        &format!("{base}/authorize/"),
        &format!("{base}/token/"),
        &format!("{base}/{slug}/jwks/"),
    )?
    .revocation(&format!("{base}/revoke/"))
}
