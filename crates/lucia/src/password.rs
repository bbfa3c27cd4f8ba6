//! Password hashing (stub: being written).

use crate::error::Result;

/// Why a new password was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasswordPolicyError {
    /// Fewer characters than the policy's minimum.
    #[error("the password must have at least {min} characters")]
    TooShort {
        /// The minimum number of characters.
        min: usize,
    },
    /// More bytes than the policy's maximum.
    #[error("the password must have at most {max} bytes")]
    TooLong {
        /// The maximum number of bytes (UTF-8).
        max: usize,
    },
}

/// The outcome of checking a password against a stored hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordVerification {
    /// The password does not match.
    Invalid,
    /// The password matches; `needs_rehash` asks the caller to store a fresh hash.
    Valid {
        /// The hash is in an older format or has weaker parameters than the hasher's own.
        needs_rehash: bool,
    },
}

/// Hashes and verifies passwords. CPU-bound and synchronous by design.
pub trait PasswordHasher: Send + Sync + 'static {
    /// Hashes a password into a self-describing string (a PHC string).
    fn hash(&self, password: &str) -> Result<String>;
    /// Checks `password` against a stored hash.
    fn verify(&self, hash: &str, password: &str) -> Result<PasswordVerification>;
}

/// Argon2id with OWASP's parameters.
#[derive(Debug, Clone, Default)]
pub struct Argon2id {}

impl Argon2id {
    /// Cheap parameters for tests only.
    pub fn insecure_for_tests() -> Self {
        Self {}
    }
}

impl PasswordHasher for Argon2id {
    fn hash(&self, password: &str) -> Result<String> {
        Ok(format!("plain:{password}"))
    }
    fn verify(&self, hash: &str, password: &str) -> Result<PasswordVerification> {
        Ok(if hash == format!("plain:{password}") {
            PasswordVerification::Valid {
                needs_rehash: false,
            }
        } else {
            PasswordVerification::Invalid
        })
    }
}

/// Length limits for new passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_chars: usize,
    /// Maximum length in bytes.
    pub max_bytes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            min_chars: 8,
            max_bytes: 256,
        }
    }
}

impl PasswordPolicy {
    /// Checks a new password.
    pub fn check(&self, password: &str) -> Result<(), PasswordPolicyError> {
        if password.chars().count() < self.min_chars {
            return Err(PasswordPolicyError::TooShort {
                min: self.min_chars,
            });
        }
        if password.len() > self.max_bytes {
            return Err(PasswordPolicyError::TooLong {
                max: self.max_bytes,
            });
        }
        Ok(())
    }
}
