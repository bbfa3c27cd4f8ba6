//! The policy new passwords must meet: length limits and a list of common leaked passwords.

use std::collections::HashSet;
use std::sync::OnceLock;

use unicode_normalization::UnicodeNormalization;

/// The bundled list: the 30 000 most common passwords from zxcvbn's frequency list (drawn
/// from Mark Burnett's 10 million leaked passwords), most common first.
const COMMON_PASSWORDS: &str = include_str!("common-passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect()
    })
}

/// Whether `password` is on the bundled list of common passwords, compared after Unicode
/// NFKC normalisation and lowercasing (so `PASSWORD1` and full-width `ｐａｓｓｗｏｒｄ` count).
///
/// ```
/// use lucia::password::is_common_password;
/// assert!(is_common_password("Password1"));
/// assert!(is_common_password("qwertyuiop"));
/// assert!(!is_common_password("correct horse battery staple"));
/// ```
pub fn is_common_password(password: &str) -> bool {
    if password.len() > 64 {
        return false;
    }
    let folded: String = password.nfkc().collect::<String>().to_lowercase();
    common_passwords().contains(folded.as_str())
}

/// How many passwords the bundled list holds.
///
/// ```
/// assert!(lucia::password::common_password_count() >= 10_000);
/// ```
pub fn common_password_count() -> usize {
    common_passwords().len()
}

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
    /// On the list of common leaked passwords (see [`is_common_password`]).
    #[error("the password is one of the most common leaked passwords")]
    Common,
}

/// Length limits for new passwords (at sign-up, on a password change).
///
/// The minimum counts *characters* (Unicode scalar values, what `str::chars` yields), so that a
/// password in a non-Latin script is not favoured or penalised by its UTF-8 size; the maximum
/// counts *bytes* (UTF-8), because it exists to bound the work of hashing. Both apply to the
/// password as given, before the hasher's Unicode normalisation. Nothing else is required
/// (no composition rules), following NIST SP 800-63B, but common leaked passwords are refused
/// ([`is_common_password`], a bundled list of 30 000) unless `reject_common` is off. For an
/// online breach check (HIBP's k-anonymity range API), implement [`BreachCheck`] in your app.
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
/// assert_eq!(policy, PasswordPolicy { min_chars: 8, max_bytes: 256, reject_common: true });
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
    /// Refuse passwords on the bundled list of common leaked passwords.
    pub reject_common: bool,
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
            reject_common: true,
        }
    }
}

impl PasswordPolicy {
    /// Checks a new password: [`TooShort`](PasswordPolicyError::TooShort) if it has fewer than
    /// `min_chars` characters, else [`TooLong`](PasswordPolicyError::TooLong) if it has more
    /// than `max_bytes` bytes, else [`Common`](PasswordPolicyError::Common) if it is a common
    /// leaked password (and `reject_common` is on).
    ///
    /// ```
    /// use lucia::password::{PasswordPolicy, PasswordPolicyError};
    ///
    /// let policy = PasswordPolicy::default();
    /// assert!(policy.check("hunter22 but longer").is_ok());
    /// assert_eq!(policy.check("hunter22"), Err(PasswordPolicyError::Common));
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
        if self.reject_common && is_common_password(password) {
            return Err(PasswordPolicyError::Common);
        }
        Ok(())
    }
}

/// An online check against breached passwords, for apps that want one (for example Have I
/// Been Pwned's k-anonymity range API: send the first 5 hex digits of `SHA-1(password)`,
/// compare the returned suffixes locally). The core does no I/O: implement it in your app
/// with your HTTP client, and call it after [`PasswordPolicy::check`].
///
/// ```
/// use lucia::password::BreachCheck;
///
/// /// A stand-in that knows one breached password.
/// struct Known;
/// impl BreachCheck for Known {
///     async fn is_breached(&self, password: &str) -> lucia::Result<bool> {
///         Ok(password == "correct horse battery staple")
///     }
/// }
/// assert!(pollster::block_on(Known.is_breached("correct horse battery staple")).unwrap());
/// ```
pub trait BreachCheck: crate::store::MaybeSend + crate::store::MaybeSync {
    /// Whether `password` appears in known breaches.
    fn is_breached(
        &self,
        password: &str,
    ) -> impl Future<Output = crate::Result<bool>> + crate::store::MaybeSend;
}
