//! Hugging Face (Sign in with Hugging Face, OpenID Connect).

use crate::error::Result;
use crate::provider::{EmailVerified, Profile, Provider};

/// Hugging Face. OpenID Connect (issuer `https://huggingface.co`) with PKCE S256 and refresh;
/// basic client auth. ID tokens are verified; the profile comes from the userinfo endpoint
/// `https://huggingface.co/oauth/userinfo`: `sub` is the account id, `email_verified` the
/// email's flag (scope `email`), `preferred_username` the (changeable) handle.
pub fn hugging_face() -> Result<Provider> {
    Ok(Provider::oidc(
        "hugging-face",
        "Hugging Face",
        "https://huggingface.co",
        "https://huggingface.co/oauth/authorize",
        "https://huggingface.co/oauth/token",
        "https://huggingface.co/oauth/jwks",
    )?
    .profile(
        Profile::endpoint("https://huggingface.co/oauth/userinfo", "/sub")?
            .email("/email", EmailVerified::At("/email_verified".into()))
            .name("/name")
            .username("/preferred_username")
            .avatar("/picture"),
    ))
}
