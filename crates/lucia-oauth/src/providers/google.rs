//! Google (OpenID Connect).

use crate::error::Result;
use crate::provider::{IssuerCheck, Provider};

/// Google. OpenID Connect with PKCE; the ID token's `sub` is the account id and its
/// `email_verified` is authoritative. `access_type=offline` asks for a refresh token; Google
/// issues both issuer spellings (`https://accounts.google.com` and `accounts.google.com`).
pub fn google() -> Result<Provider> {
    Ok(Provider::oidc(
        "google",
        "Google",
        "https://accounts.google.com",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://www.googleapis.com/oauth2/v3/certs",
    )?
    .revocation("https://oauth2.googleapis.com/revoke")?
    .authorization_param("access_type", "offline")
    .issuer_check(IssuerCheck::AnyOf(vec![
        "https://accounts.google.com".into(),
        "accounts.google.com".into(),
    ])))
}
