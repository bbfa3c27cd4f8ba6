//! Origin (CSRF) checks (stub: being written).

/// Why a request failed the origin check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OriginError {
    /// A non-safe request carried no `Origin` header.
    #[error("missing Origin header")]
    MissingOrigin,
}
