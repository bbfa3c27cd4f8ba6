//! The error this store puts inside [`lucia::StoreError::Backend`].

use std::time::Duration;

/// What went wrong in a MongoDB store operation.
///
/// Conflicts the application must tell apart (duplicate key, duplicate user id, unique
/// attribute, unknown user) are the core's own [`lucia::StoreError`] variants; everything else
/// is [`lucia::StoreError::Backend`] wrapping this error, so callers that care can downcast:
///
/// ```
/// use lucia::StoreError;
/// use lucia_mongodb::MongoStoreError;
///
/// let err = StoreError::backend(MongoStoreError::Timeout {
///     operation: "get_session",
///     after: std::time::Duration::from_secs(5),
/// });
/// let StoreError::Backend(source) = &err else { unreachable!() };
/// assert!(matches!(
///     source.downcast_ref::<MongoStoreError>(),
///     Some(MongoStoreError::Timeout { operation: "get_session", .. })
/// ));
/// assert_eq!(err.to_string(), "mongodb store: get_session: no answer within 5s");
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MongoStoreError {
    /// The driver failed: the server answered with an error, could not be selected or
    /// reached, or the connection broke.
    #[error("mongodb store: {operation}: {source}")]
    Driver {
        /// The store method (or setup step) that failed.
        operation: &'static str,
        /// The driver's error.
        #[source]
        source: mongodb::error::Error,
    },
    /// One round trip took longer than the store's timeout
    /// ([`MongoStore::with_timeout`](crate::MongoStore::with_timeout)).
    #[error("mongodb store: {operation}: no answer within {after:?}")]
    Timeout {
        /// The store method that timed out.
        operation: &'static str,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// A stored document could not be read back: a missing or mistyped field, or attributes
    /// that do not deserialize into the app's type.
    #[error(
        "mongodb store: {operation}: stored document {id:?} in {collection:?} is unreadable: {reason}"
    )]
    Corrupt {
        /// The store method that read it.
        operation: &'static str,
        /// The collection it lives in.
        collection: String,
        /// Its `_id`.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A value could not be turned into BSON (attributes that fail to serialize, a timestamp
    /// outside BSON's range); nothing was written.
    #[error("mongodb store: {operation}: {reason}")]
    Encode {
        /// The store method that failed.
        operation: &'static str,
        /// What could not be encoded.
        reason: String,
    },
    /// `update_session_expiry` lost its compare-and-swap to concurrent updates of the same
    /// session this many times in a row; nothing was written.
    #[error(
        "mongodb store: {operation}: the session changed concurrently {attempts} times in a row"
    )]
    Contention {
        /// The store method that gave up.
        operation: &'static str,
        /// How often it tried.
        attempts: usize,
    },
    /// A unique-index violation on the users collection that names no index this store
    /// created (an index the app added itself). Nothing was written.
    #[error("mongodb store: {operation}: unique index violated: {message}")]
    UnknownUniqueIndex {
        /// The store method that failed.
        operation: &'static str,
        /// The server's error message.
        message: String,
    },
    /// `insert_user` without transactions failed after writing the key, and deleting that key
    /// again failed too: the key (pointing to a user that does not exist) is left behind.
    /// Signing in with it fails like an unknown user; delete it with
    /// [`UserStore::delete_key`](lucia::store::UserStore::delete_key).
    #[error(
        "mongodb store: {operation}: failed ({cause}), and removing the key {key_id:?} written before failed too ({compensation})"
    )]
    Compensation {
        /// The store method that failed.
        operation: &'static str,
        /// The `_id` of the key that may be left behind.
        key_id: String,
        /// Why the operation failed.
        cause: lucia::BoxError,
        /// Why the key could not be removed.
        compensation: lucia::BoxError,
    },
}

impl MongoStoreError {
    pub(crate) fn driver(operation: &'static str, source: mongodb::error::Error) -> Self {
        Self::Driver { operation, source }
    }
}

impl From<MongoStoreError> for lucia::StoreError {
    fn from(err: MongoStoreError) -> Self {
        lucia::StoreError::backend(err)
    }
}
