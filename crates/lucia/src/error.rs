//! The error type shared by every operation of the core, and the narrower error a store returns.

use crate::origin::OriginError;
use crate::password::PasswordPolicyError;

/// A boxed error from a store's backend (a database driver, a network client, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong in lucia.
///
/// A bad session token is *not* an error: [`Lucia::validate_session`](crate::Lucia::validate_session)
/// answers [`Validation::Invalid`](crate::Validation::Invalid) for it. Store failures always are
/// errors ([`Error::Store`]), so an unreachable database never looks like "signed out".
///
/// ```
/// use lucia::Error;
/// let err = Error::InvalidPassword;
/// assert_eq!(err.to_string(), "incorrect password");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key's provider id was empty or contained the key-id separator `:`.
    #[error("invalid key provider id {0:?}: it must be non-empty and must not contain ':'")]
    InvalidProviderId(String),
    /// An app-chosen user id was empty, longer than 255 bytes or held control characters.
    #[error("invalid user id {0:?}: it must be 1 to 255 bytes without control characters")]
    InvalidUserId(String),
    /// No key matches the provider id and provider user id.
    #[error("no key matches this provider id and provider user id")]
    UnknownKey,
    /// The password did not match, or a password was given for a key that has none (or the
    /// other way round).
    #[error("incorrect password")]
    InvalidPassword,
    /// A key with this provider id and provider user id already exists.
    #[error("a key with this provider id and provider user id already exists")]
    DuplicateKey,
    /// A user with this id already exists.
    #[error("a user with this id already exists")]
    DuplicateUserId,
    /// An app-defined unique column (an email address, say) already holds this value.
    #[error("the value of unique column {column:?} is already taken")]
    UniqueViolation {
        /// The column (or attribute) whose uniqueness was violated.
        column: String,
    },
    /// No user has this id.
    #[error("no user has this id")]
    UnknownUser,
    /// No session has this id.
    #[error("no session has this id")]
    UnknownSession,
    /// A one-time token or code is unknown, already used, or does not match.
    #[error("invalid or already used token")]
    InvalidToken,
    /// A one-time token or code has expired.
    #[error("the token has expired")]
    TokenExpired,
    /// Too many wrong codes were tried; the code is void and a new one must be issued.
    #[error("too many attempts: request a new code")]
    TooManyAttempts,
    /// Two-factor authentication is not set up (or not confirmed) for this user.
    #[error("two-factor authentication is not enabled for this user")]
    TwoFactorNotEnabled,
    /// A new password breaks the password policy (too short, too long, or a common leaked password).
    #[error("password rejected: {0}")]
    PasswordPolicy(#[from] PasswordPolicyError),
    /// A stored password hash is in no format this hasher can verify.
    #[error("the stored password hash is not in a supported format")]
    UnsupportedHash,
    /// Hashing a password failed (invalid parameters, for instance).
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// The blocking job that hashes a password was dropped before it finished.
    #[error("the blocking password-hashing job did not complete")]
    Offload,
    /// The request failed the origin (CSRF) check.
    #[error("request origin not allowed: {0}")]
    ForbiddenOrigin(#[from] OriginError),
    /// The operating system's random number generator failed.
    #[error("the operating system's random number generator failed: {0}")]
    Random(getrandom::Error),
    /// A configuration value is invalid (for example a `__Host-` cookie with a `Domain`).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The store failed (database unreachable, query error, ...).
    #[error("store failure: {0}")]
    Store(#[source] BoxError),
}

/// What a store returns when an operation fails.
///
/// Conflicts that the application must be able to tell apart get their own variant; anything
/// else is [`StoreError::Backend`] with the driver's error as its source.
///
/// ```
/// use lucia::{Error, StoreError};
/// let err: Error = StoreError::DuplicateKey.into();
/// assert!(matches!(err, Error::DuplicateKey));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key to insert already exists. Nothing was written.
    #[error("duplicate key")]
    DuplicateKey,
    /// The user id to insert already exists. Nothing was written.
    #[error("duplicate user id")]
    DuplicateUserId,
    /// The row refers to a user that does not exist (a key or session for an unknown user).
    #[error("unknown user")]
    UnknownUser,
    /// An app-defined unique column already holds this value. Nothing was written.
    #[error("unique column {column:?} violated")]
    UniqueViolation {
        /// The column (or attribute) whose uniqueness was violated.
        column: String,
    },
    /// Any other failure of the backend.
    #[error(transparent)]
    Backend(BoxError),
}

impl StoreError {
    /// Wraps any backend error.
    ///
    /// ```
    /// let err = lucia::StoreError::backend(std::io::Error::other("connection refused"));
    /// assert_eq!(err.to_string(), "connection refused");
    /// ```
    pub fn backend(err: impl Into<BoxError>) -> Self {
        Self::Backend(err.into())
    }
}

impl From<StoreError> for Error {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::DuplicateKey => Error::DuplicateKey,
            StoreError::DuplicateUserId => Error::DuplicateUserId,
            StoreError::UnknownUser => Error::UnknownUser,
            StoreError::UniqueViolation { column } => Error::UniqueViolation { column },
            StoreError::Backend(source) => Error::Store(source),
        }
    }
}

/// Shorthand for `Result<T, lucia::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
