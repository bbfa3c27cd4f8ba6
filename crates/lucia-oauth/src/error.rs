//! The error type of every OAuth operation.

use std::fmt;

/// Everything that can go wrong in an OAuth or OpenID Connect flow.
///
/// Errors from the provider keep the provider's own words ([`ProviderError`]); errors of the
/// flow itself (a missing or mismatched `state`, an expired flow) are their own variants so an
/// app can answer "please try again" instead of a 500.
///
/// ```
/// use lucia_oauth::Error;
/// assert_eq!(Error::StateMismatch.to_string(), "the OAuth state does not match this browser's flow");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A preset or client was configured with an unusable value (a malformed URL, an empty
    /// client id, a missing parameter such as a tenant or domain).
    #[error("invalid OAuth configuration: {0}")]
    Config(String),
    /// The callback came without the flow cookie: the flow was never started in this browser,
    /// its cookie expired (10 minutes), or cookies are blocked.
    #[error("no OAuth flow is in progress in this browser (missing or expired flow cookie)")]
    MissingFlow,
    /// The flow cookie is older than its lifetime.
    #[error("the OAuth flow has expired; start the sign-in again")]
    FlowExpired,
    /// The callback has no `state` parameter.
    #[error("the OAuth callback has no state parameter")]
    MissingState,
    /// The callback's `state` differs from the one this browser's flow started with (CSRF, or a
    /// stale tab).
    #[error("the OAuth state does not match this browser's flow")]
    StateMismatch,
    /// The callback's `iss` parameter (RFC 9207) names another issuer than the provider's: a
    /// mix-up attack, where a code from one provider is replayed at another's callback.
    #[error("the OAuth callback comes from another issuer ({0:?})")]
    IssuerMismatch(String),
    /// The callback has neither `code` nor `error`.
    #[error("the OAuth callback has no authorization code")]
    MissingCode,
    /// The provider answered with an OAuth error (at the callback or from an endpoint).
    #[error("{0}")]
    Provider(ProviderError),
    /// The provider answered something that is not the expected JSON (an HTML error page, a
    /// proxy's message, a missing field).
    #[error("unexpected response from {endpoint} (HTTP {status}): {detail}")]
    UnexpectedResponse {
        /// Which endpoint answered: "token", "userinfo", "discovery", "jwks", ...
        endpoint: &'static str,
        /// The HTTP status code.
        status: u16,
        /// What was wrong, with the start of the body.
        detail: String,
    },
    /// The request could not be sent or timed out.
    #[error("request to {endpoint} failed: {source}")]
    Http {
        /// Which endpoint was called.
        endpoint: &'static str,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// The ID token failed verification (signature, issuer, audience, expiry, nonce, ...).
    #[error("invalid ID token: {0}")]
    IdToken(IdTokenError),
    /// The provider does not offer this operation (refresh, revocation, ...).
    #[error("{provider} does not support {operation}")]
    Unsupported {
        /// The provider id.
        provider: String,
        /// The operation.
        operation: &'static str,
    },
    /// The provider account is already a key of a user (linking it again, or to another user,
    /// is refused).
    #[error("this provider account is already linked to a user")]
    AlreadyLinked,
    /// The provider's profile lacks a stable account id.
    #[error("the provider's profile has no account id at {0}")]
    MissingAccountId(String),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(#[from] getrandom::Error),
    /// An error from lucia's core (store failure, duplicate key, ...), while linking accounts.
    #[error(transparent)]
    Lucia(#[from] lucia::Error),
}

/// An OAuth error response (RFC 6749 §4.1.2.1 and §5.2): the provider's `error` code and its
/// optional description and URI.
///
/// ```
/// let err = lucia_oauth::ProviderError::new("invalid_grant");
/// assert_eq!(err.to_string(), "provider error invalid_grant");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct ProviderError {
    /// The error code: `access_denied`, `invalid_grant`, `invalid_client`, ...
    pub error: String,
    /// Human-readable text from the provider, if any.
    #[serde(default)]
    pub error_description: Option<String>,
    /// A page about the error, if any.
    #[serde(default)]
    pub error_uri: Option<String>,
}

impl ProviderError {
    /// An error with this code and no description.
    pub fn new(error: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            error_description: None,
            error_uri: None,
        }
    }

    /// Whether the user declined at the provider (`access_denied`): usually not worth logging.
    pub fn is_access_denied(&self) -> bool {
        self.error == "access_denied"
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "provider error {}", self.error)?;
        if let Some(description) = &self.error_description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

/// Why an ID token was refused.
///
/// ```
/// use lucia_oauth::IdTokenError;
/// assert_eq!(IdTokenError::NonceMismatch.to_string(), "nonce does not match");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdTokenError {
    /// Not a compact JWS, or its header or claims are not valid JSON.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The `alg` is not on the allow-list (`none` and HMAC algorithms never are, unless a
    /// provider opts in to HMAC with the client secret).
    #[error("algorithm {0} is not allowed")]
    AlgorithmNotAllowed(String),
    /// No key of the issuer's JWKS matches the token's `kid` and algorithm, even after
    /// refreshing the key set.
    #[error("no key in the issuer's JWKS matches kid {0:?}")]
    UnknownKey(Option<String>),
    /// The signature does not verify.
    #[error("signature verification failed")]
    Signature,
    /// `iss` is not the provider's issuer.
    #[error("issuer {0:?} is not the expected issuer")]
    Issuer(String),
    /// `aud` does not contain the client id (or `azp` names another client).
    #[error("audience does not include this client")]
    Audience,
    /// `exp` has passed (beyond the leeway).
    #[error("token has expired")]
    Expired,
    /// `iat` lies in the future (beyond the leeway), or `nbf` has not been reached.
    #[error("token is not valid yet")]
    NotYetValid,
    /// A nonce was expected and the token's differs or is missing.
    #[error("nonce does not match")]
    NonceMismatch,
    /// A required claim (`sub`, `exp`, `iat`, ...) is missing.
    #[error("required claim {0} is missing")]
    MissingClaim(&'static str),
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
