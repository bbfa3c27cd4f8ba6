//! Password hashing, verification of imported and legacy hashes, and the password policy.
//!
//! # Hashing
//!
//! [`Argon2id`] is the hasher. By default it uses OWASP's recommended Argon2id parameters
//! (19 MiB of memory, 2 passes, 1 lane, version 0x13), a 16-byte salt from the operating
//! system's CSPRNG and a 32-byte tag, and writes a PHC string:
//! `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<tag>`.
//!
//! Hashing and verifying are CPU-bound and synchronous (tens of milliseconds at the default
//! parameters): run them off any async executor's worker threads.
//!
//! # Unicode normalisation
//!
//! A password is normalised with Unicode NFKC before it is hashed, so that the same password
//! typed on another keyboard or OS (a ligature `ﬁ` against `fi`, full-width `Ｐ` against `P`, a
//! precomposed `é` against `e` + combining accent) still matches. The password is never
//! truncated, trimmed, case-folded or altered in any other way.
//!
//! Hashes that lucia did not create may have been computed from the password exactly as typed.
//! [`Argon2id::verify`] therefore checks the NFKC form first and, *only when it differs from the
//! password as given*, the password as given. The two lucia formats known to hash the NFKC form
//! (`s2:` and Lucia v3's `<hex salt>:<key>`, see below) are only checked in NFKC form (a match of
//! the form as given would imply a match of the NFKC form anyway). A match that needed the
//! un-normalised form always reports `needs_rehash: true`, so that the stored hash moves to the
//! normalised form. For ASCII passwords (and any other NFKC-stable password) exactly one hash is
//! computed; otherwise at most two.
//!
//! # Formats that [`Argon2id::verify`] accepts
//!
//! | format | example / notes | `needs_rehash` |
//! | --- | --- | --- |
//! | PHC Argon2id | `$argon2id$v=19$m=19456,t=2,p=1$…$…` | `false` only with exactly the hasher's parameters (see below) |
//! | PHC Argon2i, Argon2d | `$argon2i$v=19$…`, `$argon2d$v=19$…` | `true` |
//! | PHC Argon2, any variant | version 0x10 too (`v=16`; no `v=` means 0x10, as in the reference implementation), associated data (`data=`) | `true` |
//! | PHC scrypt | `$scrypt$ln=15,r=8,p=1$<salt>$<key>`: the format of the `scrypt` crate and of passlib (salt and key in B64, the standard base64 alphabet without padding; the salt is used *decoded*; the key is as long as stored, 10 to 64 bytes; a missing `ln`, `r` or `p` means 17, 8, 1) | `true` |
//! | bcrypt | `$2a$`, `$2b$`, `$2y$` (60 characters), all computed alike; `$2x$` (crypt_blowfish's sign-extension bug, which also affected its `$2a$` hashes of non-ASCII passwords before 2011: those do not verify) and `$2$` are refused | `true` |
//! | Lucia v1/v2 | `s2:<salt>:<key>`: scrypt (N = 16384, r = 16, p = 1, 64-byte key) of the NFKC password, the salt *string's* UTF-8 bytes as salt, the key in hex | `true` |
//! | Lucia v3 `Scrypt` | `<salt>:<key>` where the salt is 32 lowercase hex characters: same as `s2` (r = 16, NFKC), the hex salt string used as is | `true` |
//! | Lucia 0.1–0.2 | `<salt>:<key>` with any other salt (Lucia wrote 16 alphanumeric characters): scrypt with Node's defaults (N = 16384, r = 8, p = 1, 64-byte key) of the password as typed (Lucia v2 checked the NFKC form: both are tried) | `true` |
//!
//! The two-part `<salt>:<key>` form is ambiguous between Lucia 0.1–0.2 (written with r = 8 from
//! the raw password; Lucia v1–v3 still verify it so) and Lucia v3's `Scrypt` hasher (r = 16,
//! NFKC). They are told apart by the salt: Lucia 0.x salts were 16 alphanumeric characters,
//! v3 salts are 16 random bytes written as 32 hex characters.
//!
//! A hash in none of these formats, or one that no longer parses (truncated, bad base64 or hex,
//! a wrong key length, an unknown or repeated PHC parameter, an Argon2 `keyid`: lucia has no
//! secret key to go with it, ...), is an [`Error::UnsupportedHash`](crate::Error::UnsupportedHash),
//! never a panic, and never [`PasswordVerification::Invalid`]: a stored hash lucia cannot read
//! is a bug or a data problem, not a wrong password. (A damaged hash that still parses, a PHC
//! key cut short for instance, is simply checked as it stands.)
//!
//! `needs_rehash` is `false` only for an Argon2id hash, version 0x13, with the hasher's memory,
//! passes and lanes, a 32-byte tag, a salt of at least 16 bytes and no associated data, that
//! matched the NFKC form of the password. Anything else, including a *stronger* Argon2id hash,
//! asks for a rehash, so that all hashes converge on the configured parameters.
//!
//! Keys are always compared in constant time (with `subtle`).
//!
//! # Denial of service
//!
//! Hashing is deliberately expensive, so both the password and the stored hash are bounded:
//!
//! * [`Argon2id::verify`] answers [`PasswordVerification::Invalid`] for a password longer than
//!   [`MAX_PASSWORD_BYTES`] (1024 bytes, before normalisation) without computing anything, and
//!   [`Argon2id::hash`] refuses such a password with
//!   [`Error::PasswordPolicy`](crate::Error::PasswordPolicy), so that lucia never writes a hash
//!   it would refuse to check. This is a hard limit on top of [`PasswordPolicy`] (256 bytes by
//!   default): a policy above 1024 bytes is pointless.
//! * Stored hashes whose cost would take a server down are refused as
//!   [`Error::UnsupportedHash`](crate::Error::UnsupportedHash): Argon2 above 1 GiB of memory,
//!   above 4 GiB of total memory traffic (memory × passes) or above 64 lanes; scrypt above 1 GiB
//!   of memory (128 · r · N) or 4 GiB of total work (128 · r · N · p); bcrypt above cost 16.
//!   These limits are far above any sane setting (OWASP's are 19 MiB × 2 for Argon2id, 64 MiB
//!   for scrypt, cost 10 for bcrypt). [`Argon2id::new`] refuses parameters above them.
//!
//! # bcrypt's 72 bytes
//!
//! bcrypt only reads the first 72 bytes of a password, so a hash of `p` also matches every
//! longer password that starts with `p`'s first 72 bytes. lucia never verifies a password
//! longer than 72 bytes (after normalisation, for the NFKC form) against a bcrypt hash: such a
//! password is [`PasswordVerification::Invalid`] against bcrypt, even if its first 72 bytes
//! match. A password of exactly 72 bytes is checked normally. A password with a NUL byte is
//! hashed in full (the C implementations would stop at the NUL), so it cannot match a hash of its
//! prefix either.
//!
//! # Example
//!
//! ```
//! use lucia::password::{Argon2id, PasswordHasher, PasswordPolicy, PasswordVerification};
//!
//! // Cheap parameters to keep this example fast: use `Argon2id::default()` in production.
//! let hasher = Argon2id::insecure_for_tests();
//! let password = "correct horse battery staple";
//!
//! PasswordPolicy::default().check(password)?;
//! let hash = hasher.hash(password)?;
//! assert!(hash.starts_with("$argon2id$v=19$"));
//!
//! assert_eq!(
//!     hasher.verify(&hash, password)?,
//!     PasswordVerification::Valid { needs_rehash: false }
//! );
//! assert_eq!(hasher.verify(&hash, "wrong")?, PasswordVerification::Invalid);
//! # Ok::<(), lucia::Error>(())
//! ```

mod argon2id;
mod formats;
mod policy;
#[cfg(test)]
mod tests;

pub use argon2id::{Argon2Params, Argon2id};
pub use policy::{
    BreachCheck, PasswordPolicy, PasswordPolicyError, common_password_count, is_common_password,
};

use crate::error::Result;

/// The longest password, in bytes (UTF-8, before normalisation), that lucia hashes or verifies.
///
/// [`Argon2id::verify`] answers [`PasswordVerification::Invalid`] for a longer password without
/// hashing anything, and [`Argon2id::hash`] refuses it with
/// [`Error::PasswordPolicy`](crate::Error::PasswordPolicy). This bounds the work an attacker can
/// cause with huge passwords; [`PasswordPolicy`] (256 bytes by default) is the limit to show
/// users.
///
/// ```
/// use lucia::password::{Argon2id, MAX_PASSWORD_BYTES, PasswordHasher, PasswordVerification};
///
/// let hasher = Argon2id::insecure_for_tests();
/// let hash = hasher.hash("hunter22")?;
/// let huge = "a".repeat(MAX_PASSWORD_BYTES + 1);
/// assert_eq!(hasher.verify(&hash, &huge)?, PasswordVerification::Invalid);
/// assert!(matches!(hasher.hash(&huge), Err(lucia::Error::PasswordPolicy(_))));
/// # Ok::<(), lucia::Error>(())
/// ```
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// The outcome of checking a password against a stored hash.
///
/// ```
/// use lucia::password::PasswordVerification;
///
/// let outcome = PasswordVerification::Valid { needs_rehash: true };
/// assert!(outcome.is_valid());
/// assert!(outcome.needs_rehash());
/// assert!(!PasswordVerification::Invalid.is_valid());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordVerification {
    /// The password does not match.
    Invalid,
    /// The password matches; `needs_rehash` asks the caller to store a fresh hash.
    Valid {
        /// The hash is in an older format, has other parameters than the hasher's own, or was
        /// computed from the un-normalised password: hash the password again and store the new
        /// hash.
        needs_rehash: bool,
    },
}

impl PasswordVerification {
    /// Whether the password matched.
    ///
    /// ```
    /// use lucia::password::PasswordVerification;
    /// assert!(PasswordVerification::Valid { needs_rehash: false }.is_valid());
    /// assert!(!PasswordVerification::Invalid.is_valid());
    /// ```
    pub fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }

    /// Whether the password matched *and* the stored hash should be replaced by a fresh one.
    ///
    /// ```
    /// use lucia::password::PasswordVerification;
    /// assert!(PasswordVerification::Valid { needs_rehash: true }.needs_rehash());
    /// assert!(!PasswordVerification::Valid { needs_rehash: false }.needs_rehash());
    /// assert!(!PasswordVerification::Invalid.needs_rehash());
    /// ```
    pub fn needs_rehash(self) -> bool {
        matches!(self, Self::Valid { needs_rehash: true })
    }
}

/// Hashes and verifies passwords. CPU-bound and synchronous by design.
///
/// [`Argon2id`] is the implementation lucia provides; see the [module docs](self) for the formats
/// it verifies. An implementation must answer [`Error::UnsupportedHash`](crate::Error::UnsupportedHash)
/// for a stored hash it cannot read, and should bound the work a huge password causes.
///
/// ```
/// use lucia::password::{Argon2id, PasswordHasher, PasswordVerification};
///
/// fn login(hasher: &dyn PasswordHasher, stored: &str, password: &str) -> lucia::Result<bool> {
///     Ok(hasher.verify(stored, password)?.is_valid())
/// }
///
/// // Cheap parameters to keep this example fast: use `Argon2id::default()` in production.
/// let hasher = Argon2id::insecure_for_tests();
/// let stored = hasher.hash("hunter22")?;
/// assert!(login(&hasher, &stored, "hunter22")?);
/// assert!(!login(&hasher, &stored, "hunter23")?);
/// # Ok::<(), lucia::Error>(())
/// ```
pub trait PasswordHasher: Send + Sync + 'static {
    /// Hashes a password into a self-describing string (a PHC string).
    fn hash(&self, password: &str) -> Result<String>;
    /// Checks `password` against a stored hash.
    ///
    /// A wrong password is `Ok(PasswordVerification::Invalid)`; an unreadable hash is an error.
    fn verify(&self, hash: &str, password: &str) -> Result<PasswordVerification>;
}
