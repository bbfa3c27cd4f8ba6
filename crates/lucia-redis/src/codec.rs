//! How session attributes become bytes in Redis, and back.

use lucia::BoxError;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Turns session attributes into the bytes stored in a session's `attributes` field, and back.
///
/// The store is generic over the app's attribute type; this trait is the only thing it needs
/// from it. Implementations exist for `()` (no attributes: stores nothing and ignores what it
/// reads), `String` (UTF-8), `Vec<u8>` (raw bytes) and [`Json<T>`] for any serde type. For your
/// own serde type, either wrap it in [`Json`] or implement the trait in a few lines:
///
/// ```
/// use lucia_redis::{AttributeCodec, Json};
/// use lucia::BoxError;
///
/// #[derive(Clone, serde::Serialize, serde::Deserialize)]
/// struct Attributes {
///     ip: Option<String>,
///     user_agent: String,
/// }
///
/// impl AttributeCodec for Attributes {
///     fn encode(&self) -> Result<Vec<u8>, BoxError> {
///         Ok(serde_json::to_vec(self)?)
///     }
///     fn decode(bytes: &[u8]) -> Result<Self, BoxError> {
///         Ok(serde_json::from_slice(bytes)?)
///     }
/// }
///
/// let attributes = Attributes { ip: None, user_agent: "curl/8".into() };
/// let bytes = attributes.encode()?;
/// assert_eq!(Attributes::decode(&bytes)?.user_agent, "curl/8");
/// // Or, without an impl of your own:
/// let wrapped = Json(attributes);
/// assert_eq!(Json::<Attributes>::decode(&wrapped.encode()?)?.0.user_agent, "curl/8");
/// # Ok::<(), BoxError>(())
/// ```
///
/// A `decode` failure (data written by another version of your app, say) reaches the caller as
/// [`lucia::StoreError::Backend`] wrapping a [`RedisStoreError::Corrupt`](crate::RedisStoreError::Corrupt)
/// that names the session key; it never panics.
pub trait AttributeCodec: Sized {
    /// The bytes to store.
    fn encode(&self) -> Result<Vec<u8>, BoxError>;

    /// Reads back what [`encode`](Self::encode) wrote.
    fn decode(bytes: &[u8]) -> Result<Self, BoxError>;
}

impl AttributeCodec for () {
    /// Stores nothing.
    fn encode(&self) -> Result<Vec<u8>, BoxError> {
        Ok(Vec::new())
    }

    /// Ignores the stored bytes: `()` carries no information, so attributes written by an
    /// earlier attribute type are not an error.
    fn decode(_: &[u8]) -> Result<Self, BoxError> {
        Ok(())
    }
}

impl AttributeCodec for String {
    fn encode(&self) -> Result<Vec<u8>, BoxError> {
        Ok(self.as_bytes().to_vec())
    }

    fn decode(bytes: &[u8]) -> Result<Self, BoxError> {
        Ok(String::from_utf8(bytes.to_vec())?)
    }
}

impl AttributeCodec for Vec<u8> {
    fn encode(&self) -> Result<Vec<u8>, BoxError> {
        Ok(self.clone())
    }

    fn decode(bytes: &[u8]) -> Result<Self, BoxError> {
        Ok(bytes.to_vec())
    }
}

/// Stores any serde type as JSON: use `Json<MyAttributes>` as the store's attribute type.
///
/// ```
/// use lucia_redis::{AttributeCodec, Json};
/// let attributes = Json(vec!["a".to_string(), "b".to_string()]);
/// assert_eq!(attributes.encode()?, br#"["a","b"]"#);
/// assert_eq!(*Json::<Vec<String>>::decode(br#"["a","b"]"#)?, ["a", "b"]);
/// assert!(Json::<Vec<String>>::decode(b"not json").is_err());
/// # Ok::<(), lucia::BoxError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Json<T>(pub T);

impl<T: Serialize + DeserializeOwned> AttributeCodec for Json<T> {
    fn encode(&self) -> Result<Vec<u8>, BoxError> {
        Ok(serde_json::to_vec(&self.0)?)
    }

    fn decode(bytes: &[u8]) -> Result<Self, BoxError> {
        Ok(Json(serde_json::from_slice(bytes)?))
    }
}

impl<T> From<T> for Json<T> {
    fn from(value: T) -> Self {
        Json(value)
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> std::ops::DerefMut for Json<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

/// The conformance suite's attributes, as a JSON object `{"ip": ..., "user_agent": ...}`.
#[cfg(feature = "conformance")]
impl AttributeCodec for lucia::conformance::TestSession {
    fn encode(&self) -> Result<Vec<u8>, BoxError> {
        let value = serde_json::json!({ "ip": self.ip, "user_agent": self.user_agent });
        Ok(serde_json::to_vec(&value)?)
    }

    fn decode(bytes: &[u8]) -> Result<Self, BoxError> {
        #[derive(serde::Deserialize)]
        struct Wire {
            ip: Option<String>,
            user_agent: String,
        }
        let wire: Wire = serde_json::from_slice(bytes)?;
        Ok(Self {
            ip: wire.ip,
            user_agent: wire.user_agent,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_stores_nothing_and_reads_anything() {
        assert!(().encode().unwrap().is_empty());
        <()>::decode(b"whatever").unwrap();
    }

    #[test]
    fn string_rejects_invalid_utf8() {
        assert_eq!(String::decode(b"abc").unwrap(), "abc");
        assert!(String::decode(&[0xff, 0xfe]).is_err());
    }

    #[cfg(feature = "conformance")]
    #[test]
    fn test_session_round_trips() {
        use lucia::conformance::{Fixture, TestSession};
        for seed in 0..4 {
            let attributes = TestSession::fixture(seed);
            let bytes = attributes.encode().unwrap();
            assert_eq!(TestSession::decode(&bytes).unwrap(), attributes);
        }
        assert!(TestSession::decode(b"{}").is_err());
        assert!(TestSession::decode(b"\xff").is_err());
    }
}
