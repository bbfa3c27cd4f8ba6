//! Behaviour specific to MongoDB against the server in `LUCIA_MONGODB_URL`: the TTL index, the
//! indexes `init` creates, BSON dates surviving updates, corrupt documents, and races between
//! sign-ups (compensation) and between `insert_key` and `delete_user`.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration as StdDuration, Instant};

use common::{Device, Profile};
use futures_util::TryStreamExt;
use lucia::store::{SessionStore, UserStore};
use lucia::{Key, KeyId, SecretHash, Session, StoreError, User};
use lucia_mongodb::mongodb::bson::{Bson, Document, doc};
use lucia_mongodb::{Atomicity, MongoStore, MongoStoreError};
use time::{Duration, OffsetDateTime};

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", lucia::generate_id().unwrap())
}

fn session(user_id: &str, expires_at: OffsetDateTime) -> Session<Device> {
    Session {
        id: unique("s"),
        user_id: user_id.to_owned(),
        secret_hash: SecretHash::of("secret"),
        created_at: now() - Duration::days(1),
        expires_at,
        lifetime: None,
        fresh: false,
        attributes: Device {
            ip: None,
            user_agent: "test".into(),
        },
    }
}

fn profile(email: &str) -> Profile {
    Profile {
        email: email.to_owned(),
        name: None,
        admin: false,
    }
}

#[tokio::test]
async fn ttl_index_removes_expired_sessions_and_reads_do_not_rely_on_it() {
    let Some(url) = common::url("ttl_index_removes_expired_sessions") else {
        return;
    };
    let db = lucia_mongodb::connect(&url, common::DATABASE)
        .await
        .unwrap();
    // Default grace (7 days): a session expired a day ago is still there; the core's expiry
    // check is what signs it out.
    let store = MongoStore::<Profile, Device>::new(db.clone()).with_prefix("ttl_default_");
    store.init().await.unwrap();
    let expired = session("u", now() - Duration::days(1));
    store.insert_session(&expired).await.unwrap();
    assert_eq!(
        store.get_session(&expired.id).await.unwrap(),
        Some(expired.clone()),
        "within the grace an expired session is returned, expired"
    );

    // No grace: the server removes it by itself (nx-27017 before the next operation on the
    // collection, MongoDB's TTL monitor within about a minute).
    let store = MongoStore::<Profile, Device>::new(db)
        .with_prefix("ttl_zero_")
        .with_session_ttl(Some(StdDuration::ZERO));
    store.init().await.unwrap();
    let expired = session("u", now() - Duration::minutes(1));
    let live = session("u", now() + Duration::hours(1));
    store.insert_session(&expired).await.unwrap();
    store.insert_session(&live).await.unwrap();
    let started = Instant::now();
    while store.get_session(&expired.id).await.unwrap().is_some() {
        assert!(
            started.elapsed() < StdDuration::from_secs(120),
            "the TTL index did not remove an expired session within 120 s"
        );
        tokio::time::sleep(StdDuration::from_secs(1)).await;
    }
    assert_eq!(
        store.get_session(&live.id).await.unwrap(),
        Some(live.clone())
    );
    common::say(&format!(
        "mongodb: TTL index removed an expired session after {:?}",
        started.elapsed()
    ));
    store.delete_session(&live.id).await.unwrap();
}

async fn index_keys(
    collection: &lucia_mongodb::mongodb::Collection<Document>,
) -> Vec<(Document, Document)> {
    collection
        .list_indexes()
        .await
        .unwrap()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .into_iter()
        .map(|index| {
            let options = lucia_mongodb::mongodb::bson::to_document(&index.options).unwrap();
            (index.keys, options)
        })
        .collect()
}

#[tokio::test]
async fn init_creates_the_indexes_and_is_idempotent() {
    let Some(store) = common::store::<Profile, Device>(
        "init_creates_the_indexes",
        common::DATABASE,
        "indexes_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    store.init().await.unwrap();
    let [users, keys, sessions] = store.collections();
    assert_eq!(users.name(), "indexes_users");
    let sessions = index_keys(&sessions).await;
    let ttl = sessions
        .iter()
        .find(|(keys, _)| keys == &doc! { "expires_at": 1 })
        .expect("an index on expires_at");
    assert_eq!(
        ttl.1
            .get("expireAfterSeconds")
            .and_then(Bson::as_i64)
            .or_else(|| ttl
                .1
                .get("expireAfterSeconds")
                .and_then(Bson::as_i32)
                .map(i64::from)),
        Some(7 * 24 * 3600),
        "a TTL index with the default grace: {ttl:?}"
    );
    assert!(sessions.iter().any(|(k, _)| k == &doc! { "user_id": 1 }));
    assert!(
        index_keys(&keys)
            .await
            .iter()
            .any(|(k, _)| k == &doc! { "user_id": 1 })
    );
    let users = index_keys(&users).await;
    let email = users
        .iter()
        .find(|(k, _)| k == &doc! { "attributes.email": 1 })
        .expect("an index on attributes.email");
    assert_eq!(
        email.1.get("unique"),
        Some(&Bson::Boolean(true)),
        "{email:?}"
    );
}

/// nx-27017 0.8.1 stores a date given to `$set` as a string ('2030-01-02 00:00:00'); the store
/// updates expiry by replacing the document, so it stays a BSON date (and the TTL index and
/// `$lte` purge keep working on it).
#[tokio::test]
async fn expiry_updates_keep_bson_dates() {
    let Some(store) = common::store::<Profile, Device>(
        "expiry_updates_keep_bson_dates",
        common::DATABASE,
        "dates_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    let s = session("u", now() + Duration::days(1));
    store.insert_session(&s).await.unwrap();
    let later = now() + Duration::days(30);
    assert!(store.update_session_expiry(&s.id, later).await.unwrap());
    assert!(
        store
            .update_session_attributes(&s.id, &s.attributes)
            .await
            .unwrap()
    );
    let [_, _, sessions] = store.collections();
    let raw = sessions
        .find_one(doc! { "_id": &s.id })
        .await
        .unwrap()
        .unwrap();
    assert!(
        matches!(raw.get("expires_at"), Some(Bson::DateTime(d)) if d.timestamp_millis() == later.unix_timestamp() * 1000),
        "expires_at must stay a BSON date: {raw:?}"
    );
    let rev = match raw.get("rev") {
        Some(Bson::Int64(r)) => *r,
        Some(Bson::Int32(r)) => i64::from(*r),
        other => panic!("rev: {other:?}"),
    };
    assert_eq!(rev, 2, "both updates count the revision");
    // (Other sessions in this collection, from earlier runs, may be purged too.)
    assert!(store.delete_expired_sessions(later).await.unwrap() >= 1);
    assert_eq!(
        store.get_session(&s.id).await.unwrap(),
        None,
        "the purge finds the updated date"
    );
}

#[tokio::test]
async fn corrupt_documents_are_errors_that_name_the_document() {
    let Some(store) = common::store::<Profile, Device>(
        "corrupt_documents",
        common::DATABASE,
        "corrupt_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    let [users, _, sessions] = store.collections();
    let id = unique("s");
    sessions
        .insert_one(doc! {
            "_id": &id, "user_id": "u", "secret_hash": "zz",
            "created_at": lucia_mongodb::mongodb::bson::DateTime::now(),
            "expires_at": lucia_mongodb::mongodb::bson::DateTime::from_millis(4_102_444_800_000),
        })
        .await
        .unwrap();
    for err in [
        store.get_session(&id).await.unwrap_err(),
        store.update_session_expiry(&id, now()).await.unwrap_err(),
    ] {
        let StoreError::Backend(source) = err else {
            panic!("{err:?}")
        };
        match source.downcast_ref::<MongoStoreError>() {
            Some(MongoStoreError::Corrupt {
                collection,
                id: got,
                ..
            }) => {
                assert_eq!(
                    (collection.as_str(), got.as_str()),
                    ("corrupt_sessions", id.as_str())
                );
            }
            other => panic!("{other:?}"),
        }
    }
    let raw = sessions
        .find_one(doc! { "_id": &id })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        raw.get("expires_at"),
        Some(&Bson::DateTime(
            lucia_mongodb::mongodb::bson::DateTime::from_millis(4_102_444_800_000)
        )),
        "a corrupt session is not rewritten"
    );
    let uid = unique("u");
    users
        // A number where a string belongs (unique per run: the email index is unique).
        .insert_one(doc! { "_id": &uid, "attributes": {
            "email": i64::try_from(OffsetDateTime::now_utc().unix_timestamp_nanos()).unwrap(),
        } })
        .await
        .unwrap();
    assert!(matches!(
        store.get_user(&uid).await,
        Err(StoreError::Backend(_))
    ));
}

/// Ten concurrent sign-ups with one key, then ten with one email: exactly one of each wins, and
/// the losers leave nothing behind (in compensation mode the keys they wrote are deleted).
#[tokio::test]
async fn concurrent_sign_ups_leave_one_winner_and_nothing_else() {
    for atomicity in [Atomicity::Compensation, Atomicity::Auto] {
        let Some(store) = common::store::<Profile, Device>(
            "concurrent_sign_ups",
            common::DATABASE,
            "race_",
            atomicity,
        )
        .await
        else {
            return;
        };
        let key_id = KeyId::new("email", unique("k")).unwrap();
        let users: Vec<User<Profile>> = (0..10)
            .map(|n| User {
                id: unique("u"),
                attributes: profile(&format!("{}-{n}@example.com", unique("e"))),
            })
            .collect();
        let keys: Vec<Key> = users
            .iter()
            .map(|u| Key {
                id: key_id.clone(),
                user_id: u.id.clone(),
                password_hash: None,
            })
            .collect();
        let results = futures_util::future::join_all(
            users
                .iter()
                .zip(&keys)
                .map(|(u, k)| store.insert_user(u, Some(k))),
        )
        .await;
        let winners: Vec<usize> = (0..10).filter(|&i| results[i].is_ok()).collect();
        assert_eq!(winners.len(), 1, "{atomicity:?}: {results:?}");
        assert!(
            results
                .iter()
                .filter(|r| r.is_err())
                .all(|r| matches!(r, Err(StoreError::DuplicateKey))),
            "{results:?}"
        );
        let winner = &users[winners[0]];
        assert_eq!(
            store.get_key(&key_id).await.unwrap().unwrap().user_id,
            winner.id
        );
        for (i, u) in users.iter().enumerate() {
            assert_eq!(
                store.get_user(&u.id).await.unwrap().is_some(),
                i == winners[0]
            );
        }

        // Same email, different keys: the user insert fails after the key was written.
        let email = format!("{}@example.com", unique("same"));
        let users: Vec<User<Profile>> = (0..10)
            .map(|_| User {
                id: unique("u"),
                attributes: profile(&email),
            })
            .collect();
        let keys: Vec<Key> = users
            .iter()
            .map(|u| Key {
                id: KeyId::new("email", unique("k")).unwrap(),
                user_id: u.id.clone(),
                password_hash: None,
            })
            .collect();
        let results = futures_util::future::join_all(
            users
                .iter()
                .zip(&keys)
                .map(|(u, k)| store.insert_user(u, Some(k))),
        )
        .await;
        assert_eq!(
            results.iter().filter(|r| r.is_ok()).count(),
            1,
            "{results:?}"
        );
        for ((u, k), r) in users.iter().zip(&keys).zip(&results) {
            match r {
                Ok(()) => assert!(store.get_key(&k.id).await.unwrap().is_some()),
                Err(StoreError::UniqueViolation { column }) => {
                    assert_eq!(column, "email");
                    assert_eq!(store.get_user(&u.id).await.unwrap(), None);
                    assert_eq!(
                        store.get_key(&k.id).await.unwrap(),
                        None,
                        "{atomicity:?}: a loser's key is gone"
                    );
                }
                Err(other) => panic!("{other:?}"),
            }
        }
    }
}

/// `insert_key` racing `delete_user`: whatever the interleaving, no key outlives its user.
#[tokio::test]
async fn insert_key_racing_delete_user_leaves_no_orphan_key() {
    let Some(store) = common::store::<Profile, Device>(
        "insert_key_racing_delete_user",
        common::DATABASE,
        "orphan_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    let mut outcomes = [0usize; 2];
    for round in 0..20u64 {
        let user = User {
            id: unique("u"),
            attributes: profile(&format!("{}@example.com", unique("o"))),
        };
        store.insert_user(&user, None).await.unwrap();
        let key = Key {
            id: KeyId::new("github", unique("gh")).unwrap(),
            user_id: user.id.clone(),
            password_hash: None,
        };
        // Stagger the delete so that it lands before, between and after insert_key's steps.
        let (inserted, deleted) = tokio::join!(store.insert_key(&key), async {
            tokio::time::sleep(StdDuration::from_micros(round * 250)).await;
            store.delete_user(&user.id).await
        });
        deleted.unwrap();
        match inserted {
            Ok(()) => outcomes[0] += 1,
            Err(StoreError::UnknownUser) => outcomes[1] += 1,
            Err(other) => panic!("{other:?}"),
        }
        assert_eq!(
            store.get_key(&key.id).await.unwrap(),
            None,
            "orphan key left behind"
        );
        assert_eq!(store.get_user(&user.id).await.unwrap(), None);
    }
    common::say(&format!(
        "mongodb: insert_key vs delete_user x20: {} inserted then deleted, {} refused",
        outcomes[0], outcomes[1]
    ));
}
