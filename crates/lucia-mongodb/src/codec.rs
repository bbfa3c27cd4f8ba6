//! How users, keys and sessions become BSON documents, and back; and which duplicate-key
//! error means what. Pure functions, unit-tested without a server.

use lucia::{Key, KeyId, SecretHash, Session, User};
use mongodb::bson::{self, Bson, DateTime, Document, doc};
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::{Duration, OffsetDateTime};

use crate::error::MongoStoreError;

/// Field names, shared by the queries and the codec.
pub(crate) mod field {
    pub const ID: &str = "_id";
    pub const ATTRIBUTES: &str = "attributes";
    pub const USER_ID: &str = "user_id";
    pub const PROVIDER_ID: &str = "provider_id";
    pub const PROVIDER_USER_ID: &str = "provider_user_id";
    pub const PASSWORD_HASH: &str = "password_hash";
    pub const SECRET_HASH: &str = "secret_hash";
    pub const CREATED_AT: &str = "created_at";
    pub const EXPIRES_AT: &str = "expires_at";
    pub const LIFETIME: &str = "lifetime_seconds";
    pub const REVISION: &str = "rev";
}

/// A timestamp as a BSON date (milliseconds since the epoch). Sub-millisecond parts are
/// dropped (session timestamps have whole seconds); dates outside BSON's range are an error.
pub(crate) fn to_bson_date(
    operation: &'static str,
    at: OffsetDateTime,
) -> Result<DateTime, MongoStoreError> {
    let millis = at.unix_timestamp_nanos().div_euclid(1_000_000);
    i64::try_from(millis)
        .map(DateTime::from_millis)
        .map_err(|_| MongoStoreError::Encode {
            operation,
            reason: format!("timestamp {at} is outside the range of a BSON date"),
        })
}

/// A BSON date as a UTC timestamp.
pub(crate) fn from_bson_date(date: DateTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(date.timestamp_millis()) * 1_000_000).ok()
}

/// Serializes app attributes (any serde type; `()` becomes `null`).
pub(crate) fn encode_attributes<A: Serialize>(
    operation: &'static str,
    attributes: &A,
) -> Result<Bson, MongoStoreError> {
    bson::to_bson(attributes).map_err(|err| MongoStoreError::Encode {
        operation,
        reason: format!("attributes could not be serialized to BSON: {err}"),
    })
}

/// What a stored document is missing or has wrong, for [`MongoStoreError::Corrupt`].
type Corrupt = String;

fn str_field<'a>(doc: &'a Document, name: &str) -> Result<&'a str, Corrupt> {
    match doc.get(name) {
        Some(Bson::String(s)) => Ok(s),
        Some(other) => Err(format!(
            "field {name:?} is a {:?}, not a string",
            other.element_type()
        )),
        None => Err(format!("field {name:?} is missing")),
    }
}

fn date_field(doc: &Document, name: &str) -> Result<OffsetDateTime, Corrupt> {
    match doc.get(name) {
        Some(Bson::DateTime(d)) => {
            from_bson_date(*d).ok_or_else(|| format!("field {name:?} is out of range"))
        }
        Some(other) => Err(format!(
            "field {name:?} is a {:?}, not a date",
            other.element_type()
        )),
        None => Err(format!("field {name:?} is missing")),
    }
}

fn attributes_field<A: DeserializeOwned>(doc: &Document) -> Result<A, Corrupt> {
    let value = doc.get(field::ATTRIBUTES).cloned().unwrap_or(Bson::Null);
    bson::from_bson(value).map_err(|err| format!("attributes do not deserialize: {err}"))
}

/// The document id of a stored document, for error messages.
pub(crate) fn doc_id(doc: &Document) -> String {
    match doc.get(field::ID) {
        Some(Bson::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => "<no _id>".to_owned(),
    }
}

/// `{_id: user id, attributes: ...}`.
pub(crate) fn user_to_doc<A: Serialize>(
    operation: &'static str,
    user: &User<A>,
) -> Result<Document, MongoStoreError> {
    Ok(doc! {
        field::ID: &user.id,
        field::ATTRIBUTES: encode_attributes(operation, &user.attributes)?,
    })
}

pub(crate) fn user_from_doc<A: DeserializeOwned>(doc: &Document) -> Result<User<A>, Corrupt> {
    Ok(User {
        id: str_field(doc, field::ID)?.to_owned(),
        attributes: attributes_field(doc)?,
    })
}

/// The `_id` of a key: `provider_id:provider_user_id` (provider ids never contain `:`, so
/// this is unique per key and the `_id` index is the key's unique index).
pub(crate) fn key_doc_id(id: &KeyId) -> String {
    format!("{}:{}", id.provider_id(), id.provider_user_id())
}

/// `{_id: "provider:user", provider_id, provider_user_id, user_id, password_hash}`.
pub(crate) fn key_to_doc(key: &Key) -> Document {
    doc! {
        field::ID: key_doc_id(&key.id),
        field::PROVIDER_ID: key.id.provider_id(),
        field::PROVIDER_USER_ID: key.id.provider_user_id(),
        field::USER_ID: &key.user_id,
        field::PASSWORD_HASH: key.password_hash.as_deref().map_or(Bson::Null, |h| Bson::String(h.to_owned())),
    }
}

pub(crate) fn key_from_doc(doc: &Document) -> Result<Key, Corrupt> {
    let id = KeyId::new(
        str_field(doc, field::PROVIDER_ID)?,
        str_field(doc, field::PROVIDER_USER_ID)?,
    )
    .map_err(|err| format!("invalid key id: {err}"))?;
    let password_hash = match doc.get(field::PASSWORD_HASH) {
        None | Some(Bson::Null) => None,
        Some(Bson::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(format!(
                "field {:?} is a {:?}, not a string",
                field::PASSWORD_HASH,
                other.element_type()
            ));
        }
    };
    Ok(Key {
        id,
        user_id: str_field(doc, field::USER_ID)?.to_owned(),
        password_hash,
    })
}

/// `{_id, user_id, secret_hash (hex), created_at, expires_at, lifetime_seconds, attributes}`;
/// `fresh` is not stored.
pub(crate) fn session_to_doc<A: Serialize>(
    operation: &'static str,
    session: &Session<A>,
) -> Result<Document, MongoStoreError> {
    Ok(doc! {
        field::ID: &session.id,
        field::USER_ID: &session.user_id,
        field::SECRET_HASH: session.secret_hash.to_hex(),
        field::CREATED_AT: to_bson_date(operation, session.created_at)?,
        field::EXPIRES_AT: to_bson_date(operation, session.expires_at)?,
        field::LIFETIME: session.lifetime.map_or(Bson::Null, |l| Bson::Int64(l.whole_seconds())),
        field::ATTRIBUTES: encode_attributes(operation, &session.attributes)?,
        field::REVISION: 0_i64,
    })
}

pub(crate) fn session_from_doc<A: DeserializeOwned>(doc: &Document) -> Result<Session<A>, Corrupt> {
    let secret_hash = SecretHash::from_hex(str_field(doc, field::SECRET_HASH)?)
        .ok_or_else(|| format!("field {:?} is not 64 hex digits", field::SECRET_HASH))?;
    let lifetime = match doc.get(field::LIFETIME) {
        None | Some(Bson::Null) => None,
        Some(Bson::Int64(s)) => Some(Duration::seconds(*s)),
        Some(Bson::Int32(s)) => Some(Duration::seconds(i64::from(*s))),
        Some(other) => {
            return Err(format!(
                "field {:?} is a {:?}, not an integer",
                field::LIFETIME,
                other.element_type()
            ));
        }
    };
    Ok(Session {
        id: str_field(doc, field::ID)?.to_owned(),
        user_id: str_field(doc, field::USER_ID)?.to_owned(),
        secret_hash,
        created_at: date_field(doc, field::CREATED_AT)?,
        expires_at: date_field(doc, field::EXPIRES_AT)?,
        lifetime,
        fresh: false,
        attributes: attributes_field(doc)?,
    })
}

/// The code MongoDB (and compatible servers) use for a unique-index violation.
pub(crate) const DUPLICATE_KEY_CODE: i32 = 11000;

/// Which unique index of the users collection a duplicate-key error message names: the user
/// id (`_id`), one of the app's unique attributes (by its field name), or neither.
///
/// Two message formats are understood:
/// - MongoDB: `E11000 duplicate key error collection: db.users index: <name> dup key: { ... }`,
///   where `<name>` is `_id_` or the store's index name `lucia_unique_<field>`.
/// - nx-27017 (SQLite underneath): `UNIQUE constraint failed: users._id` or
///   `UNIQUE constraint failed: index 'idx_users_attributes_<field>'` (it ignores index names
///   and derives its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UserConflict {
    Id,
    Attribute(String),
    Unrecognised,
}

pub(crate) fn classify_user_conflict(message: &str, unique: &[String]) -> UserConflict {
    // MongoDB: the index name sits between "index: " and " dup key".
    if let Some(rest) = message.split_once(" index: ").map(|(_, rest)| rest) {
        let name = rest.split_whitespace().next().unwrap_or_default();
        if name == "_id_" {
            return UserConflict::Id;
        }
        if let Some(field) = name.strip_prefix(crate::store::UNIQUE_INDEX_PREFIX)
            && let Some(f) = unique.iter().find(|f| f.as_str() == field)
        {
            return UserConflict::Attribute(f.clone());
        }
        return UserConflict::Unrecognised;
    }
    // nx-27017.
    if let Some(rest) = message
        .split_once("UNIQUE constraint failed: ")
        .map(|(_, r)| r)
    {
        if rest.ends_with("._id") {
            return UserConflict::Id;
        }
        let name = rest.trim_start_matches("index ").trim_matches('\'');
        for f in unique {
            let derived = format!("_attributes_{}", f.replace('.', "_"));
            if name.starts_with("idx_") && name.ends_with(&derived) {
                return UserConflict::Attribute(f.clone());
            }
        }
    }
    UserConflict::Unrecognised
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use time::macros::datetime;

    #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Device {
        ip: Option<String>,
        user_agent: String,
    }

    fn session() -> Session<Device> {
        Session {
            id: "s1".into(),
            user_id: "u1".into(),
            secret_hash: SecretHash::of("secret"),
            created_at: datetime!(2030-01-01 0:00 UTC),
            expires_at: datetime!(2099-12-31 23:59:59 UTC),
            lifetime: Some(Duration::days(365)),
            fresh: true,
            attributes: Device {
                ip: None,
                user_agent: "curl/8 \"quoted\"".into(),
            },
        }
    }

    #[test]
    fn session_round_trips_through_a_document_without_fresh() {
        let s = session();
        let doc = session_to_doc("test", &s).unwrap();
        assert_eq!(doc.get_str("_id").unwrap(), "s1");
        assert_eq!(
            doc.get_str("secret_hash").unwrap(),
            SecretHash::of("secret").to_hex(),
            "only the hash is stored, as hex"
        );
        assert_eq!(
            doc.get_datetime("expires_at").unwrap().timestamp_millis(),
            datetime!(2099-12-31 23:59:59 UTC).unix_timestamp() * 1000,
            "a real BSON date, so a TTL index applies"
        );
        assert_eq!(doc.get_i64("lifetime_seconds").unwrap(), 365 * 86_400);
        assert!(!doc.contains_key("fresh"));
        assert_eq!(
            doc.get_i64("rev").unwrap(),
            0,
            "every update counts up from 0"
        );
        let back: Session<Device> = session_from_doc(&doc).unwrap();
        assert_eq!(back, Session { fresh: false, ..s });
    }

    #[test]
    fn unit_attributes_and_no_lifetime_are_null() {
        let full = session();
        let s = Session {
            id: full.id,
            user_id: full.user_id,
            secret_hash: full.secret_hash,
            created_at: full.created_at,
            expires_at: full.expires_at,
            lifetime: None,
            fresh: false,
            attributes: (),
        };
        let doc = session_to_doc("test", &s).unwrap();
        assert_eq!(doc.get("attributes"), Some(&Bson::Null));
        assert_eq!(doc.get("lifetime_seconds"), Some(&Bson::Null));
        let back: Session<()> = session_from_doc(&doc).unwrap();
        assert_eq!(back, Session { fresh: false, ..s });
    }

    #[test]
    fn corrupt_sessions_name_the_broken_field() {
        let mut doc = session_to_doc("test", &session()).unwrap();
        doc.insert("secret_hash", "not hex");
        let err = session_from_doc::<Device>(&doc).unwrap_err();
        assert!(err.contains("secret_hash"), "{err}");
        doc.remove("secret_hash");
        assert_eq!(
            session_from_doc::<Device>(&doc).unwrap_err(),
            "field \"secret_hash\" is missing"
        );
        let mut doc = session_to_doc("test", &session()).unwrap();
        doc.insert("expires_at", "2030-01-01");
        assert!(
            session_from_doc::<Device>(&doc)
                .unwrap_err()
                .contains("not a date")
        );
        let mut doc = session_to_doc("test", &session()).unwrap();
        doc.insert("attributes", doc! { "ip": 3 });
        assert!(
            session_from_doc::<Device>(&doc)
                .unwrap_err()
                .contains("attributes do not deserialize")
        );
    }

    #[test]
    fn timestamps_keep_whole_seconds_and_reject_what_bson_cannot_hold() {
        for at in [
            datetime!(1970-01-01 0:00 UTC),
            datetime!(1969-12-31 23:59:59 UTC),
            datetime!(2038-01-19 3:14:08 UTC),
            datetime!(9999-12-31 23:59:59 UTC),
        ] {
            assert_eq!(from_bson_date(to_bson_date("t", at).unwrap()), Some(at));
        }
        // Offsets are normalised to UTC, the instant is kept.
        let paris = datetime!(2030-06-01 12:00 +2);
        assert_eq!(
            from_bson_date(to_bson_date("t", paris).unwrap()),
            Some(paris)
        );
        assert!(from_bson_date(DateTime::MAX).is_none());
    }

    #[test]
    fn keys_round_trip_with_and_without_password() {
        for hash in [Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"), None] {
            let key = Key {
                id: KeyId::new("github", "12:34 ünï").unwrap(),
                user_id: "u1".into(),
                password_hash: hash.map(str::to_owned),
            };
            let doc = key_to_doc(&key);
            assert_eq!(doc.get_str("_id").unwrap(), "github:12:34 ünï");
            assert_eq!(key_from_doc(&doc).unwrap(), key);
        }
        let mut doc = key_to_doc(&Key {
            id: KeyId::new("email", "a@b").unwrap(),
            user_id: "u".into(),
            password_hash: None,
        });
        doc.insert("password_hash", 5);
        assert!(key_from_doc(&doc).unwrap_err().contains("password_hash"));
    }

    #[test]
    fn users_round_trip() {
        let user = User {
            id: "u1".to_owned(),
            attributes: Device {
                ip: Some("192.0.2.1".into()),
                user_agent: "x".into(),
            },
        };
        let doc = user_to_doc("t", &user).unwrap();
        assert_eq!(
            doc,
            doc! { "_id": "u1", "attributes": { "ip": "192.0.2.1", "user_agent": "x" } }
        );
        assert_eq!(user_from_doc::<Device>(&doc).unwrap(), user);
        assert!(user_from_doc::<Device>(&doc! { "_id": 1 }).is_err());
    }

    #[test]
    fn duplicate_key_messages_of_both_servers_are_classified() {
        let unique = vec!["email".to_owned(), "profile.handle".to_owned()];
        let cases = [
            (
                r#"E11000 duplicate key error collection: app.lucia_users index: _id_ dup key: { _id: "u1" }"#,
                UserConflict::Id,
            ),
            (
                r#"E11000 duplicate key error collection: app.lucia_users index: lucia_unique_email dup key: { attributes.email: "a@b" }"#,
                UserConflict::Attribute("email".into()),
            ),
            (
                r#"E11000 duplicate key error collection: app.lucia_users index: lucia_unique_profile.handle dup key: { attributes.profile.handle: "x" }"#,
                UserConflict::Attribute("profile.handle".into()),
            ),
            (
                r#"E11000 duplicate key error collection: app.lucia_users index: someone_elses dup key: { x: 1 }"#,
                UserConflict::Unrecognised,
            ),
            (
                "UNIQUE constraint failed: lucia_users._id",
                UserConflict::Id,
            ),
            (
                "UNIQUE constraint failed: index 'idx_lucia_users_attributes_email'",
                UserConflict::Attribute("email".into()),
            ),
            (
                "UNIQUE constraint failed: index 'idx_lucia_users_attributes_profile_handle'",
                UserConflict::Attribute("profile.handle".into()),
            ),
            (
                "UNIQUE constraint failed: index 'idx_lucia_users_attributes_phone'",
                UserConflict::Unrecognised,
            ),
            ("something else entirely", UserConflict::Unrecognised),
        ];
        for (message, expected) in cases {
            assert_eq!(
                classify_user_conflict(message, &unique),
                expected,
                "{message}"
            );
        }
        // A user id that looks like an index name does not fool the MongoDB parser.
        assert_eq!(
            classify_user_conflict(
                r#"E11000 duplicate key error collection: a.users index: _id_ dup key: { _id: "index: lucia_unique_email" }"#,
                &unique
            ),
            UserConflict::Id
        );
    }
}
