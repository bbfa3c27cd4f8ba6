//! Length limits for new passwords.

/// Why a new password was rejected.
///
/// ```
/// use lucia::password::{PasswordPolicy, PasswordPolicyError};
///
/// let err = PasswordPolicy::default().check("short").unwrap_err();
/// assert_eq!(err, PasswordPolicyError::TooShort { min: 8 });
/// assert_eq!(err.to_string(), "the password must have at least 8 characters");
/// ```
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

/// Length limits for new passwords (at sign-up, on a password change).
///
/// The minimum counts *characters* (Unicode scalar values, what `str::chars` yields), so that a
/// password in a non-Latin script is not favoured or penalised by its UTF-8 size; the maximum
/// counts *bytes* (UTF-8), because it exists to bound the work of hashing. Both apply to the
/// password as given, before the hasher's Unicode normalisation. Nothing else is required
/// (no composition rules), following NIST SP 800-63B: add a breached-password check in your
/// application if you want one.
///
/// The default is 8 characters to 256 bytes. A maximum above
/// [`MAX_PASSWORD_BYTES`](super::MAX_PASSWORD_BYTES) (1024) has no effect beyond it: the hasher
/// refuses longer passwords anyway.
///
/// The policy is for new passwords only: never check it at sign-in, or a user whose password
/// predates a stricter policy could no longer sign in to change it.
///
/// ```
/// use lucia::password::{PasswordPolicy, PasswordPolicyError};
///
/// let policy = PasswordPolicy::default();
/// assert_eq!(policy, PasswordPolicy { min_chars: 8, max_bytes: 256 });
/// assert!(policy.check("correct horse battery staple").is_ok());
/// // 8 characters, 16 bytes: long enough.
/// assert!(policy.check("пароль12").is_ok());
/// assert_eq!(policy.check("1234567"), Err(PasswordPolicyError::TooShort { min: 8 }));
/// // 200 characters but 400 bytes: too long.
/// assert_eq!(
///     policy.check(&"é".repeat(200)),
///     Err(PasswordPolicyError::TooLong { max: 256 })
/// );
///
/// let strict = PasswordPolicy { min_chars: 12, ..PasswordPolicy::default() };
/// assert!(strict.check("only11chars").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    /// Minimum length in characters (Unicode scalar values).
    pub min_chars: usize,
    /// Maximum length in bytes (UTF-8).
    pub max_bytes: usize,
}

impl Default for PasswordPolicy {
    /// At least 8 characters, at most 256 bytes.
    ///
    /// ```
    /// let policy = lucia::password::PasswordPolicy::default();
    /// assert_eq!((policy.min_chars, policy.max_bytes), (8, 256));
    /// ```
    fn default() -> Self {
        Self {
            min_chars: 8,
            max_bytes: 256,
        }
    }
}

impl PasswordPolicy {
    /// Checks a new password: [`TooShort`](PasswordPolicyError::TooShort) if it has fewer than
    /// `min_chars` characters, else [`TooLong`](PasswordPolicyError::TooLong) if it has more
    /// than `max_bytes` bytes.
    ///
    /// ```
    /// use lucia::password::{PasswordPolicy, PasswordPolicyError};
    ///
    /// let policy = PasswordPolicy::default();
    /// assert!(policy.check("hunter22").is_ok());
    /// assert_eq!(policy.check(""), Err(PasswordPolicyError::TooShort { min: 8 }));
    /// // Errors convert into `lucia::Error`.
    /// let err: lucia::Error = policy.check("x".repeat(257).as_str()).unwrap_err().into();
    /// assert!(matches!(err, lucia::Error::PasswordPolicy(PasswordPolicyError::TooLong { max: 256 })));
    /// ```
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
