//! Session tokens (`<id>.<secret>`), the hash of their secret, and random identifiers.
//!
//! A token is what the client holds (in the session cookie or an `Authorization: Bearer`
//! header). Its id locates the session; its secret proves possession. Only
//! `SHA-256(secret)` is stored, and it is compared in constant time, so a leaked database
//! yields no usable token and a lookup reveals nothing through its timing.

use std::fmt;

use data_encoding::BASE32_NOPAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Bytes of entropy in every generated id and secret: 15 bytes = 120 bits, 24 base32 characters.
pub const RANDOM_BYTES: usize = 15;

/// The longest id or secret [`SessionToken::parse`] accepts; anything longer is not ours.
pub const MAX_PART_LEN: usize = 128;

/// Generates a random identifier: 120 bits from the operating system's CSPRNG, encoded as 24
/// lowercase base32 characters (`a-z`, `2-7`).
///
/// Used for session ids, session secrets and generated user ids.
///
/// ```
/// let id = lucia::generate_id()?;
/// assert_eq!(id.len(), 24);
/// assert!(id.bytes().all(|b| b.is_ascii_lowercase() || (b'2'..=b'7').contains(&b)));
/// # Ok::<(), lucia::Error>(())
/// ```
pub fn generate_id() -> Result<String> {
    let mut bytes = [0u8; RANDOM_BYTES];
    getrandom::fill(&mut bytes).map_err(Error::Random)?;
    let mut id = BASE32_NOPAD.encode(&bytes);
    id.make_ascii_lowercase();
    Ok(id)
}

/// A session token, `<id>.<secret>`, as given to and received from the client.
///
/// Its `Debug` and `Display` print the id only: the secret never lands in a log by accident.
/// Call [`SessionToken::expose_secret`] to get the full string for a cookie or a response body.
///
/// ```
/// use lucia::SessionToken;
/// let token = SessionToken::generate()?;
/// let again = SessionToken::parse(token.expose_secret()).expect("a generated token parses");
/// assert_eq!(token.id(), again.id());
/// assert!(!format!("{token:?}").contains(token.secret()));
/// # Ok::<(), lucia::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken {
    full: String,
    dot: usize,
}

impl SessionToken {
    /// Generates a new token: a random id and a random secret of 120 bits each.
    pub fn generate() -> Result<Self> {
        let id = generate_id()?;
        let secret = generate_id()?;
        let dot = id.len();
        Ok(Self {
            full: format!("{id}.{secret}"),
            dot,
        })
    }

    /// Parses a token received from a client.
    ///
    /// Returns `None` unless the input is exactly one id and one secret separated by a single
    /// dot, each 1 to 128 characters of `A-Z a-z 0-9 - _`. Never panics.
    ///
    /// ```
    /// use lucia::SessionToken;
    /// assert!(SessionToken::parse("abc.def").is_some());
    /// assert!(SessionToken::parse("abcdef").is_none());
    /// assert!(SessionToken::parse("a.b.c").is_none());
    /// assert!(SessionToken::parse(".secret").is_none());
    /// ```
    pub fn parse(input: &str) -> Option<Self> {
        let (id, secret) = input.split_once('.')?;
        let valid = |part: &str| {
            (1..=MAX_PART_LEN).contains(&part.len())
                && part
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        (valid(id) && valid(secret)).then(|| Self {
            full: input.to_owned(),
            dot: id.len(),
        })
    }

    /// The session id: the part before the dot. Safe to log.
    pub fn id(&self) -> &str {
        &self.full[..self.dot]
    }

    /// The secret: the part after the dot. Never store or log it.
    pub fn secret(&self) -> &str {
        &self.full[self.dot + 1..]
    }

    /// The whole token, `<id>.<secret>`, to hand to the client.
    pub fn expose_secret(&self) -> &str {
        &self.full
    }

    /// The hash of this token's secret, as stored.
    pub fn secret_hash(&self) -> SecretHash {
        SecretHash::of(self.secret())
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionToken")
            .field("id", &self.id())
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl fmt::Display for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.<redacted>", self.id())
    }
}

/// `SHA-256` of a secret: what a store keeps instead of the secret itself.
///
/// Equality is constant-time (`subtle`), so comparing a presented secret to the stored hash
/// reveals nothing through timing.
///
/// ```
/// use lucia::SecretHash;
/// let hash = SecretHash::of("secret");
/// assert_eq!(SecretHash::from_hex(&hash.to_hex()), Some(hash));
/// assert!(hash.matches("secret"));
/// assert!(!hash.matches("Secret"));
/// ```
#[derive(Clone, Copy, Eq)]
pub struct SecretHash([u8; 32]);

impl SecretHash {
    /// Hashes a secret.
    pub fn of(secret: &str) -> Self {
        Self(Sha256::digest(secret.as_bytes()).into())
    }

    /// Wraps 32 stored bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Wraps stored bytes; `None` unless exactly 32 bytes long.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The 32 bytes to store (a `BYTEA`/`BLOB`/`BINARY(32)` column).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex, for stores that keep text (64 characters).
    pub fn to_hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// Parses lowercase or uppercase hex; `None` unless it decodes to exactly 32 bytes.
    pub fn from_hex(hex: &str) -> Option<Self> {
        let bytes = data_encoding::HEXLOWER_PERMISSIVE
            .decode(hex.as_bytes())
            .ok()?;
        Self::from_slice(&bytes)
    }

    /// Whether `secret` hashes to this value, compared in constant time.
    pub fn matches(&self, secret: &str) -> bool {
        *self == Self::of(secret)
    }
}

impl PartialEq for SecretHash {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl fmt::Debug for SecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecretHash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn generated_tokens_are_unique_and_well_formed() {
        let a = SessionToken::generate().unwrap();
        let b = SessionToken::generate().unwrap();
        assert_ne!(a.id(), b.id());
        assert_ne!(a.secret(), b.secret());
        assert_eq!(a.id().len(), 24);
        assert_eq!(a.secret().len(), 24);
        assert_eq!(SessionToken::parse(a.expose_secret()), Some(a));
    }

    #[test]
    fn hostile_tokens_are_rejected_without_panic() {
        let long = "a".repeat(8 * 1024);
        let cases = [
            "",
            ".",
            "abc",
            "abc.",
            ".abc",
            "a.b.c",
            "a..b",
            "ab c.def",
            "abc.d\u{e9}f",
            "abc.def\0",
            "abc.def\n",
            "\u{1F600}.x",
        ];
        for case in cases {
            assert!(SessionToken::parse(case).is_none(), "{case:?} parsed");
        }
        assert!(SessionToken::parse(&format!("{long}.x")).is_none());
        assert!(SessionToken::parse(&format!("x.{long}")).is_none());
        let max = "a".repeat(MAX_PART_LEN);
        assert!(SessionToken::parse(&format!("{max}.{max}")).is_some());
    }

    #[test]
    fn debug_and_display_redact_the_secret() {
        let token = SessionToken::generate().unwrap();
        for shown in [
            format!("{token:?}"),
            format!("{token}"),
            format!("{token:#?}"),
        ] {
            assert!(shown.contains(token.id()));
            assert!(!shown.contains(token.secret()), "{shown}");
        }
    }

    #[test]
    fn secret_hash_is_sha256_of_the_secret() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            SecretHash::of("abc").to_hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = SessionToken::parse("id.abc").unwrap();
        assert_eq!(token.secret_hash(), SecretHash::of("abc"));
        assert_eq!(SecretHash::from_slice(&[0; 31]), None);
        assert_eq!(SecretHash::from_hex("zz"), None);
    }
}
