//! The shared secret of an HOTP/TOTP authenticator, and its base32 form.

use std::fmt;

use data_encoding::{BASE32, BASE32_NOPAD};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Bytes in a generated secret: 20 bytes = 160 bits, as RFC 4226 recommends (32 base32 characters).
pub const SECRET_BYTES: usize = 20;

/// The shortest secret accepted: 16 bytes = 128 bits, RFC 4226's minimum (R6).
pub const MIN_SECRET_BYTES: usize = 16;

/// The longest secret accepted: 128 bytes (twice SHA-512's block size, far more than any
/// authenticator uses).
pub const MAX_SECRET_BYTES: usize = 128;

/// The shared secret of an HOTP/TOTP authenticator.
///
/// Generate one per user with [`Secret::generate`] (160 bits from the operating system's
/// CSPRNG), show it once as a key URI or QR code, and store its bytes (encrypted at rest if you
/// can) to verify codes later. Secrets are 16 to 128 bytes long: RFC 4226 requires at least 128
/// bits, so the 80-bit secrets of some older systems are refused.
///
/// `Debug` prints only the length; there is no `Display`. Equality is constant-time. The bytes
/// are overwritten with zeros when the secret is dropped.
///
/// ```
/// use lucia::otp::Secret;
/// let secret = Secret::generate()?;
/// assert_eq!(secret.expose_bytes().len(), 20);
/// let base32 = secret.expose_base32();
/// assert_eq!(base32.len(), 32);
/// assert_eq!(Secret::from_base32(&base32.to_lowercase())?, secret);
/// assert!(!format!("{secret:?}").contains(&base32));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Generates a 160-bit secret from the operating system's CSPRNG.
    ///
    /// ```
    /// let a = lucia::otp::Secret::generate()?;
    /// let b = lucia::otp::Secret::generate()?;
    /// assert_ne!(a, b);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn generate() -> Result<Self> {
        Self::generate_with_len(SECRET_BYTES)
    }

    /// Generates a secret of `len` bytes (16 to 128) from the operating system's CSPRNG: for
    /// example 32 bytes for HMAC-SHA-256 or 64 for HMAC-SHA-512.
    ///
    /// Any other length is an [`Error::Config`].
    ///
    /// ```
    /// use lucia::otp::Secret;
    /// assert_eq!(Secret::generate_with_len(64)?.expose_bytes().len(), 64);
    /// assert!(matches!(Secret::generate_with_len(10), Err(lucia::Error::Config(_))));
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn generate_with_len(len: usize) -> Result<Self> {
        if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&len) {
            return Err(Error::Config(format!(
                "an OTP secret must be {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes long, not {len}"
            )));
        }
        let mut bytes = Zeroizing::new(vec![0u8; len]);
        getrandom::fill(&mut bytes).map_err(Error::Random)?;
        Ok(Self(bytes))
    }

    /// Wraps stored secret bytes; they must be 16 to 128 bytes long.
    ///
    /// ```
    /// use lucia::otp::{Secret, SecretError};
    /// assert!(Secret::from_bytes(b"12345678901234567890").is_ok());
    /// assert_eq!(Secret::from_bytes(b"short").unwrap_err(), SecretError::TooShort(5));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        match bytes.len() {
            len if len < MIN_SECRET_BYTES => Err(SecretError::TooShort(len)),
            len if len > MAX_SECRET_BYTES => Err(SecretError::TooLong(len)),
            _ => Ok(Self(Zeroizing::new(bytes.to_vec()))),
        }
    }

    /// Parses a base32 secret (RFC 4648) as typed or pasted by a person or found in a key URI.
    ///
    /// Lenient where people are: lowercase letters, missing `=` padding and spaces (authenticator
    /// apps show secrets in groups of four) are accepted. Anything else that is not base32, a
    /// wrong amount of padding, or non-zero trailing bits are refused, and so is a secret
    /// outside 16 to 128 bytes. The error never contains the input.
    ///
    /// ```
    /// use lucia::otp::{Secret, SecretError};
    /// let a = Secret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")?;
    /// let b = Secret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq")?;
    /// assert_eq!(a, b);
    /// assert_eq!(a.expose_bytes(), b"12345678901234567890");
    /// assert_eq!(Secret::from_base32("not base32!").unwrap_err(), SecretError::Base32);
    /// # Ok::<(), SecretError>(())
    /// ```
    pub fn from_base32(input: &str) -> Result<Self, SecretError> {
        // 128 bytes are 205 base32 characters; allow for spaces and padding, refuse the rest
        // before doing any work.
        if input.len() > 4 * MAX_SECRET_BYTES {
            return Err(SecretError::TooLong(input.len() * 5 / 8));
        }
        let bytes = Zeroizing::new(decode_base32(input).ok_or(SecretError::Base32)?);
        Self::from_bytes(&bytes)
    }

    /// The secret's bytes, to store. Never log them.
    ///
    /// ```
    /// use lucia::otp::Secret;
    /// let secret = Secret::generate()?;
    /// let stored = secret.expose_bytes().to_vec();
    /// assert_eq!(Secret::from_bytes(&stored)?, secret);
    /// # Ok::<(), lucia::Error>(())
    /// ```
    pub fn expose_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32 (uppercase, without padding), as authenticator apps expect it in a
    /// key URI or typed by hand. Never log it.
    ///
    /// ```
    /// use lucia::otp::Secret;
    /// let secret = Secret::from_bytes(b"12345678901234567890")?;
    /// assert_eq!(secret.expose_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    /// # Ok::<(), lucia::otp::SecretError>(())
    /// ```
    pub fn expose_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted {} bytes>)", self.0.len())
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        // `ct_eq` on slices of different lengths is false without looking at the bytes; the
        // length is not secret.
        self.0.as_slice().ct_eq(other.0.as_slice()).into()
    }
}

impl Eq for Secret {}

/// Why a secret was refused. Its message never contains the secret.
///
/// It converts into [`Error::Config`] with `?`.
///
/// ```
/// use lucia::otp::{Secret, SecretError};
/// assert_eq!(Secret::from_base32("MZXW6===").unwrap_err(), SecretError::TooShort(3));
/// let err: lucia::Error = SecretError::Base32.into();
/// assert!(matches!(err, lucia::Error::Config(_)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The text is not base32 (bad characters, bad length or padding, non-zero trailing bits).
    #[error("the secret is not valid base32")]
    Base32,
    /// The secret has fewer than 16 bytes (128 bits); the value is its length in bytes.
    #[error("the secret is {0} bytes long; at least {MIN_SECRET_BYTES} are required")]
    TooShort(usize),
    /// The secret has more than 128 bytes; the value is (about) its length in bytes.
    #[error("the secret is {0} bytes long; at most {MAX_SECRET_BYTES} are accepted")]
    TooLong(usize),
}

impl From<SecretError> for Error {
    fn from(err: SecretError) -> Self {
        Error::Config(format!("invalid OTP secret: {err}"))
    }
}

/// Decodes RFC 4648 base32, accepting lowercase, spaces, and missing (but not wrong) padding.
pub(crate) fn decode_base32(input: &str) -> Option<Vec<u8>> {
    let text: Zeroizing<Vec<u8>> = Zeroizing::new(
        input
            .bytes()
            .filter(|&b| b != b' ')
            .map(|b| b.to_ascii_uppercase())
            .collect(),
    );
    if let Some(first_pad) = text.iter().position(|&b| b == b'=') {
        // Padded input must be padded exactly as RFC 4648 says, and only at the end
        // (data-encoding would accept concatenated padded blocks).
        if text[first_pad..].iter().any(|&b| b != b'=') {
            return None;
        }
        return BASE32.decode(&text).ok();
    }
    // Unpadded: BASE32_NOPAD refuses lengths no encoder produces (1, 3 or 6 mod 8).
    BASE32_NOPAD.decode(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    // RFC 4648 §10.
    const VECTORS: [(&str, &str); 7] = [
        ("", ""),
        ("f", "MY======"),
        ("fo", "MZXQ===="),
        ("foo", "MZXW6==="),
        ("foob", "MZXW6YQ="),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI======"),
    ];

    #[test]
    fn rfc4648_base32_vectors() {
        for (plain, encoded) in VECTORS {
            assert_eq!(BASE32.encode(plain.as_bytes()), encoded);
            let unpadded = encoded.trim_end_matches('=');
            assert_eq!(BASE32_NOPAD.encode(plain.as_bytes()), unpadded);
            for variant in [
                encoded.to_owned(),
                unpadded.to_owned(),
                encoded.to_lowercase(),
                unpadded.to_lowercase(),
            ] {
                assert_eq!(
                    decode_base32(&variant).as_deref(),
                    Some(plain.as_bytes()),
                    "{variant:?}"
                );
            }
        }
    }

    #[test]
    fn malformed_base32_is_refused() {
        for bad in [
            "M",         // impossible length
            "MZX",       // impossible length
            "MZXW6Y",    // impossible length
            "MY=",       // wrong padding
            "MY=======", // too much padding
            "MZ======",  // non-zero trailing bits
            "M1======",  // '1' is not base32
            "MY======MY======",
            "MZXW\u{e9}",
            "MZXW6YT\0",
            "MZXW-6YTB",
        ] {
            assert_eq!(decode_base32(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn secret_length_limits() {
        assert_eq!(
            Secret::from_bytes(&[]).unwrap_err(),
            SecretError::TooShort(0)
        );
        assert_eq!(
            Secret::from_bytes(&[1; 15]).unwrap_err(),
            SecretError::TooShort(15)
        );
        assert!(Secret::from_bytes(&[1; 16]).is_ok());
        assert!(Secret::from_bytes(&[1; 128]).is_ok());
        assert_eq!(
            Secret::from_bytes(&[1; 129]).unwrap_err(),
            SecretError::TooLong(129)
        );
        // The classic 80-bit example secret is below RFC 4226's minimum.
        assert_eq!(
            Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap_err(),
            SecretError::TooShort(10)
        );
        assert!(matches!(
            Secret::from_base32(&"A".repeat(100_000)),
            Err(SecretError::TooLong(_))
        ));
        assert!(Secret::generate_with_len(15).is_err());
        assert!(Secret::generate_with_len(129).is_err());
        assert_eq!(
            Secret::generate_with_len(16).unwrap().expose_bytes().len(),
            16
        );
    }

    #[test]
    fn generated_secrets_round_trip_and_redact() {
        let secret = Secret::generate().unwrap();
        assert_eq!(secret.expose_bytes().len(), 20);
        let base32 = secret.expose_base32();
        assert_eq!(base32.len(), 32);
        assert!(!base32.contains('='));
        assert_eq!(Secret::from_base32(&base32).unwrap(), secret);
        for shown in [format!("{secret:?}"), format!("{secret:#?}")] {
            assert!(!shown.contains(&base32), "{shown}");
            assert!(shown.contains("redacted"));
        }
        assert_ne!(Secret::generate().unwrap(), secret);
        let longer = Secret::from_bytes(&[secret.expose_bytes(), &[0][..]].concat()).unwrap();
        assert_ne!(longer, secret);
    }
}
