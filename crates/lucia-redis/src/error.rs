//! The error this store puts inside [`lucia::StoreError::Backend`].

use std::time::Duration;

/// What went wrong in a Redis session-store operation.
///
/// Every store method returns it as the source of [`lucia::StoreError::Backend`], so callers
/// that care can downcast:
///
/// ```
/// use lucia::StoreError;
/// use lucia_redis::RedisStoreError;
///
/// let err = StoreError::backend(RedisStoreError::Timeout {
///     operation: "get_session",
///     after: std::time::Duration::from_secs(3),
/// });
/// let StoreError::Backend(source) = &err else { unreachable!() };
/// assert!(matches!(
///     source.downcast_ref::<RedisStoreError>(),
///     Some(RedisStoreError::Timeout { operation: "get_session", .. })
/// ));
/// assert_eq!(err.to_string(), "redis session store: get_session: no answer within 3s");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// Redis answered with an error, or the connection failed (refused, dropped, timed out in
    /// the driver).
    #[error("redis session store: {operation}: {source}")]
    Redis {
        /// The store method that failed.
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: redis::RedisError,
    },
    /// One Redis round trip took longer than the store's timeout
    /// ([`RedisSessionStore::with_timeout`](crate::RedisSessionStore::with_timeout)).
    #[error("redis session store: {operation}: no answer within {after:?}")]
    Timeout {
        /// The store method that timed out.
        operation: &'static str,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// A stored session could not be read back: a missing or malformed field, an unknown
    /// format version, or attributes that [`AttributeCodec::decode`](crate::AttributeCodec::decode)
    /// rejected.
    #[error("redis session store: {operation}: stored session {key:?} is unreadable: {reason}")]
    Corrupt {
        /// The store method that read it.
        operation: &'static str,
        /// The Redis key of the session.
        key: String,
        /// What is wrong with it.
        reason: String,
    },
    /// [`AttributeCodec::encode`](crate::AttributeCodec::encode) failed; nothing was written.
    #[error("redis session store: {operation}: session attributes could not be encoded: {source}")]
    Encode {
        /// The store method that failed.
        operation: &'static str,
        /// The codec's error.
        #[source]
        source: lucia::BoxError,
    },
}
