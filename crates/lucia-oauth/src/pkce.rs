//! PKCE (RFC 7636) and the flow's random values (`state`, `nonce`).

use data_encoding::BASE64URL_NOPAD;
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::provider::Pkce;

/// A random value of `bytes` bytes from the operating system's CSPRNG, base64url without
/// padding: `state` and `nonce` use 32 bytes (256 bits).
pub(crate) fn random_string(bytes: usize) -> Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)?;
    Ok(BASE64URL_NOPAD.encode(&buf))
}

/// A fresh code verifier: 32 random bytes, base64url (43 characters, RFC 7636 §4.1).
pub fn code_verifier() -> Result<String> {
    random_string(32)
}

/// The `code_challenge` for a verifier, or `None` when the provider gets no PKCE.
///
/// ```
/// use lucia_oauth::{pkce::code_challenge, provider::Pkce};
/// // RFC 7636, Appendix B.
/// assert_eq!(
///     code_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", Pkce::S256).as_deref(),
///     Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
/// );
/// ```
pub fn code_challenge(verifier: &str, method: Pkce) -> Option<String> {
    match method {
        Pkce::None => None,
        Pkce::S256 => Some(BASE64URL_NOPAD.encode(&Sha256::digest(verifier.as_bytes()))),
        Pkce::Plain => Some(verifier.to_owned()),
    }
}

/// The `code_challenge_method` parameter.
pub(crate) fn method_name(method: Pkce) -> Option<&'static str> {
    match method {
        Pkce::None => None,
        Pkce::S256 => Some("S256"),
        Pkce::Plain => Some("plain"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifiers_are_43_url_safe_characters_and_differ() {
        let a = code_verifier().expect("random");
        let b = code_verifier().expect("random");
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(a, b);
    }

    #[test]
    fn rfc7636_appendix_b_vector() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            code_challenge(verifier, Pkce::S256).as_deref(),
            Some("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
        );
        assert_eq!(code_challenge(verifier, Pkce::None), None);
        assert_eq!(
            code_challenge(verifier, Pkce::Plain).as_deref(),
            Some(verifier)
        );
    }
}
