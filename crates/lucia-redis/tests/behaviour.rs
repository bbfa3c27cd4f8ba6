//! Redis-specific behaviour: per-user operations on a cluster, concurrency, TTLs, stale index
//! entries and corrupt data. Each test uses its own key prefix.
#![forbid(unsafe_code)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use lucia::conformance::TestSession;
use lucia::store::SessionStore;
use lucia::time::{self, OffsetDateTime};
use lucia::{SecretHash, Session, StoreError};
use lucia_redis::redis::aio::ConnectionLike;
use lucia_redis::redis::{self, cmd};
use lucia_redis::{EXPIRY_SHARDS, RedisSessionStore, RedisStoreError};

type Store<C> = RedisSessionStore<C, TestSession>;

fn now() -> OffsetDateTime {
    let now = OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

fn session(user_id: &str, n: u64, expires_at: OffsetDateTime) -> Session<TestSession> {
    Session {
        id: format!("s-{}", lucia::generate_id().expect("rng")),
        user_id: user_id.to_owned(),
        secret_hash: SecretHash::of(&format!("secret-{n}")),
        created_at: now(),
        expires_at,
        lifetime: n.is_multiple_of(2).then(|| time::Duration::days(7)),
        fresh: false,
        attributes: TestSession {
            ip: n.is_multiple_of(3).then(|| format!("192.0.2.{}", n % 250)),
            user_agent: format!("agent {n}"),
        },
    }
}

async fn raw<C, T>(store: &Store<C>, command: &redis::Cmd) -> T
where
    C: ConnectionLike + Clone,
    T: redis::FromRedisValue,
{
    let mut conn = store.connection().clone();
    command
        .query_async(&mut conn)
        .await
        .unwrap_or_else(|err| panic!("raw command failed: {err}"))
}

async fn index_ids<C: ConnectionLike + Clone>(store: &Store<C>, user_id: &str) -> BTreeSet<String> {
    let ids: Vec<String> = raw(
        store,
        cmd("ZRANGE")
            .arg(store.user_index_key(user_id))
            .arg(0)
            .arg(-1),
    )
    .await;
    ids.into_iter().collect()
}

/// How many entries the expiry index holds under this store's prefix.
async fn expiry_entries<C: ConnectionLike + Clone>(store: &Store<C>) -> u64 {
    let mut total = 0;
    for shard in 0..EXPIRY_SHARDS {
        // Any session id of that shard names the key; build it from the prefix directly.
        let key = format!("{}:expiries:{{{shard}}}", store.prefix());
        let n: u64 = raw(store, cmd("ZCARD").arg(key)).await;
        total += n;
    }
    total
}

async fn exists<C: ConnectionLike + Clone>(store: &Store<C>, key: &str) -> bool {
    let n: i64 = raw(store, cmd("EXISTS").arg(key)).await;
    n == 1
}

// --- Many users, many sessions: per-user operations (on a cluster, users spread over slots).

const AWKWARD_USER_IDS: [&str; 6] = ["{", "}", "{a}", "a}{b", "user:with:colons", "ünïcødé 👤"];

async fn many_users<C>(store: &Store<C>, label: &str)
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    let far = now() + time::Duration::days(30);
    let mut users: Vec<String> = (0..40).map(|i| format!("user-{i}")).collect();
    users.extend(AWKWARD_USER_IDS.iter().map(|s| s.to_string()));
    let mut tasks = tokio::task::JoinSet::new();
    for user in &users {
        for n in 0..6 {
            let (store, s) = (store.clone(), session(user, n, far));
            tasks.spawn(async move {
                store.insert_session(&s).await.expect("insert_session");
                s
            });
        }
    }
    let mut inserted = Vec::new();
    while let Some(result) = tasks.join_next().await {
        inserted.push(result.expect("task"));
    }
    assert_eq!(inserted.len(), users.len() * 6);
    assert_eq!(expiry_entries(store).await, inserted.len() as u64);

    for user in &users {
        let mut listed = store.get_user_sessions(user).await.expect("list");
        listed.sort_by(|a, b| a.id.cmp(&b.id));
        let mut expected: Vec<_> = inserted
            .iter()
            .filter(|s| &s.user_id == user)
            .cloned()
            .collect();
        expected.sort_by(|a, b| a.id.cmp(&b.id));
        assert_eq!(listed, expected, "{label}: sessions of {user:?}");
    }

    // Delete every user's sessions concurrently; each must take exactly its own.
    let mut tasks = tokio::task::JoinSet::new();
    for user in users.iter().step_by(2) {
        let (store, user) = (store.clone(), user.clone());
        tasks.spawn(async move { store.delete_user_sessions(&user).await.expect("delete") });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task");
    }
    for (i, user) in users.iter().enumerate() {
        let left = store.get_user_sessions(user).await.expect("list").len();
        assert_eq!(left, if i % 2 == 0 { 0 } else { 6 }, "{label}: {user:?}");
    }
    for user in users.iter().skip(1).step_by(2) {
        store.delete_user_sessions(user).await.expect("delete");
    }
    for s in &inserted {
        assert!(
            !exists(store, &store.session_key(&s.id)).await,
            "{label}: session key left"
        );
    }
    for user in &users {
        assert!(
            !exists(store, &store.user_index_key(user)).await,
            "{label}: index left"
        );
    }
    assert_eq!(
        expiry_entries(store).await,
        0,
        "{label}: expiry entries left"
    );
    common::say(&format!(
        "{label}: {} sessions of {} users inserted, listed and deleted per user",
        inserted.len(),
        users.len()
    ));
}

#[tokio::test]
async fn cluster_per_user_operations() {
    let Some(store) = common::cluster::<TestSession>("cluster_per_user_operations").await else {
        return;
    };
    many_users(&store, "redis cluster").await;
}

#[tokio::test]
async fn single_node_per_user_operations() {
    let Some(store) = common::single::<TestSession>("single_node_per_user_operations").await else {
        return;
    };
    many_users(&store, "redis single node").await;
}

// --- Concurrency: one user, many concurrent inserts, updates and deletes.

async fn concurrent_one_user<C>(store: &Store<C>, label: &str)
where
    C: ConnectionLike + Clone + Send + Sync + 'static,
{
    let user = "concurrent-user";
    let far = now() + time::Duration::days(30);
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..300u64 {
        let store = store.clone();
        tasks.spawn(async move {
            let s = session(user, n, far);
            store.insert_session(&s).await.expect("insert");
            match n % 3 {
                // Deleted right away, racing everything else.
                0 => {
                    store.delete_session(&s.id).await.expect("delete");
                    None
                }
                // Renewed, racing everything else.
                1 => {
                    let later = far + time::Duration::days(1);
                    assert!(
                        store
                            .update_session_expiry(&s.id, later)
                            .await
                            .expect("update")
                    );
                    Some(s.id)
                }
                _ => Some(s.id),
            }
        });
    }
    // Listings racing the writes (they prune, which must never drop a live session's entry).
    for _ in 0..20 {
        let store = store.clone();
        tasks.spawn(async move {
            store.get_user_sessions(user).await.expect("list");
            None
        });
    }
    let mut live = BTreeSet::new();
    while let Some(result) = tasks.join_next().await {
        if let Some(id) = result.expect("task") {
            live.insert(id);
        }
    }
    assert_eq!(live.len(), 200);
    assert_eq!(
        index_ids(store, user).await,
        live,
        "{label}: raw index = live sessions"
    );
    assert_eq!(
        expiry_entries(store).await,
        200,
        "{label}: expiry index = live sessions"
    );
    let listed: BTreeSet<String> = store
        .get_user_sessions(user)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(listed, live, "{label}: listing = live sessions");

    // Sign out everywhere while new sign-ins race it: afterwards the index holds exactly the
    // sessions that exist.
    let mut tasks = tokio::task::JoinSet::new();
    {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .delete_user_sessions(user)
                .await
                .expect("delete_user_sessions");
        });
    }
    for n in 1000..1050u64 {
        let store = store.clone();
        tasks.spawn(async move {
            store
                .insert_session(&session(user, n, far))
                .await
                .expect("insert");
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task");
    }
    let indexed = index_ids(store, user).await;
    for id in &indexed {
        assert!(
            exists(store, &store.session_key(id)).await,
            "{label}: index entry {id} without a session"
        );
    }
    for id in &live {
        assert!(
            !exists(store, &store.session_key(id)).await,
            "{label}: survived sign-out"
        );
    }
    assert!(indexed.len() <= 50);
    store
        .delete_user_sessions(user)
        .await
        .expect("delete_user_sessions");
    assert!(index_ids(store, user).await.is_empty());
    assert_eq!(expiry_entries(store).await, 0);
    common::say(&format!(
        "{label}: concurrent inserts/updates/deletes for one user kept the index consistent"
    ));
}

#[tokio::test]
async fn single_node_concurrency() {
    let Some(store) = common::single::<TestSession>("single_node_concurrency").await else {
        return;
    };
    concurrent_one_user(&store, "redis single node").await;
}

#[tokio::test]
async fn cluster_concurrency() {
    let Some(store) = common::cluster::<TestSession>("cluster_concurrency").await else {
        return;
    };
    concurrent_one_user(&store, "redis cluster").await;
}

// --- TTLs and atomic updates.

async fn pttl<C: ConnectionLike + Clone>(store: &Store<C>, key: &str) -> i64 {
    raw(store, cmd("PTTL").arg(key)).await
}

#[tokio::test]
async fn ttl_follows_expiry_plus_grace_and_updates_keep_it() {
    let Some(store) = common::single::<TestSession>("ttl_follows_expiry").await else {
        return;
    };
    let store = store.with_ttl_grace(Duration::from_secs(30));
    let s = session("ttl-user", 1, now() + time::Duration::hours(1));
    store.insert_session(&s).await.expect("insert");
    let key = store.session_key(&s.id);
    let hour_and_grace = 3_630_000;
    let ttl = pttl(&store, &key).await;
    assert!(
        (hour_and_grace - 5_000..=hour_and_grace).contains(&ttl),
        "ttl {ttl}"
    );

    let attrs = TestSession {
        ip: None,
        user_agent: "new".into(),
    };
    assert!(
        store
            .update_session_attributes(&s.id, &attrs)
            .await
            .expect("update")
    );
    let ttl = pttl(&store, &key).await;
    assert!(
        (hour_and_grace - 5_000..=hour_and_grace).contains(&ttl),
        "attributes update kept the TTL: {ttl}"
    );

    assert!(
        store
            .update_session_expiry(&s.id, s.expires_at + time::Duration::hours(1))
            .await
            .expect("update")
    );
    let ttl = pttl(&store, &key).await;
    assert!(
        (2 * 3_600_000 + 25_000..=2 * 3_600_000 + 30_000).contains(&ttl),
        "expiry update moved the TTL: {ttl}"
    );
    let stored = store
        .get_session(&s.id)
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(stored.attributes, attrs);
    assert_eq!(stored.expires_at, s.expires_at + time::Duration::hours(1));

    // Updates never resurrect a deleted session, nor its index entries.
    store.delete_session(&s.id).await.expect("delete");
    assert!(
        !store
            .update_session_expiry(&s.id, s.expires_at)
            .await
            .expect("update")
    );
    assert!(
        !store
            .update_session_attributes(&s.id, &attrs)
            .await
            .expect("update")
    );
    assert!(!exists(&store, &key).await);
    assert!(index_ids(&store, "ttl-user").await.is_empty());
    assert_eq!(expiry_entries(&store).await, 0);
}

#[tokio::test]
async fn expired_sessions_within_the_grace_are_returned_for_the_core_to_judge() {
    let Some(store) = common::single::<TestSession>("expired_within_grace").await else {
        return;
    };
    let s = session("grace-user", 2, now() - time::Duration::seconds(5));
    store.insert_session(&s).await.expect("insert");
    assert_eq!(
        store.get_session(&s.id).await.expect("get"),
        Some(s.clone())
    );
    assert_eq!(
        store.get_user_sessions("grace-user").await.expect("list"),
        vec![s.clone()]
    );
    assert_eq!(
        store.delete_expired_sessions(now()).await.expect("purge"),
        1
    );
    assert_eq!(store.get_session(&s.id).await.expect("get"), None);
    assert!(index_ids(&store, "grace-user").await.is_empty());
    assert_eq!(expiry_entries(&store).await, 0);
}

#[tokio::test]
async fn without_grace_expired_sessions_vanish_at_once_but_the_purge_counts_them() {
    let Some(store) = common::single::<TestSession>("without_grace").await else {
        return;
    };
    let store = store.with_ttl_grace(Duration::ZERO);
    let user = "no-grace-user";
    let gone = session(user, 3, now() - time::Duration::seconds(1));
    let live = session(user, 4, now() + time::Duration::hours(1));
    store.insert_session(&gone).await.expect("insert");
    store.insert_session(&live).await.expect("insert");
    assert_eq!(store.get_session(&gone.id).await.expect("get"), None);
    assert!(!exists(&store, &store.session_key(&gone.id)).await);
    // The listing prunes the dead entry; the purge still counts the session once.
    assert_eq!(
        store.get_user_sessions(user).await.expect("list"),
        vec![live.clone()]
    );
    assert_eq!(
        index_ids(&store, user).await,
        BTreeSet::from([live.id.clone()])
    );
    assert_eq!(
        store.delete_expired_sessions(now()).await.expect("purge"),
        1
    );
    assert_eq!(
        store.delete_expired_sessions(now()).await.expect("purge"),
        0
    );
    assert_eq!(
        store.get_session(&live.id).await.expect("get"),
        Some(live.clone())
    );
    assert_eq!(expiry_entries(&store).await, 1);
    store.delete_user_sessions(user).await.expect("cleanup");
}

#[tokio::test]
async fn the_purge_repairs_stale_scores_instead_of_deleting_live_sessions() {
    let Some(store) = common::single::<TestSession>("purge_repairs").await else {
        return;
    };
    let user = "repair-user";
    let s = session(user, 5, now() + time::Duration::hours(1));
    store.insert_session(&s).await.expect("insert");
    // Simulate an expiry update interrupted after the session was written: stale, old scores.
    let member = format!(
        "{}:{}",
        data_encoding::BASE64URL_NOPAD.encode(user.as_bytes()),
        s.id
    );
    let old = (now() - time::Duration::days(1)).unix_timestamp();
    let _: i64 = raw(
        &store,
        cmd("ZADD")
            .arg(store.expiry_shard_key(&s.id))
            .arg(old)
            .arg(&member),
    )
    .await;
    let _: i64 = raw(
        &store,
        cmd("ZADD")
            .arg(store.user_index_key(user))
            .arg(old)
            .arg(&s.id),
    )
    .await;
    assert_eq!(
        store.delete_expired_sessions(now()).await.expect("purge"),
        0
    );
    assert_eq!(
        store.get_session(&s.id).await.expect("get"),
        Some(s.clone())
    );
    let score: f64 = raw(
        &store,
        cmd("ZSCORE")
            .arg(store.expiry_shard_key(&s.id))
            .arg(&member),
    )
    .await;
    assert_eq!(
        score as i64,
        s.expires_at.unix_timestamp(),
        "score repaired"
    );
    let score: f64 = raw(
        &store,
        cmd("ZSCORE").arg(store.user_index_key(user)).arg(&s.id),
    )
    .await;
    assert_eq!(
        score as i64,
        s.expires_at.unix_timestamp(),
        "score repaired"
    );
    store.delete_user_sessions(user).await.expect("cleanup");
}

// --- Corrupt data is an error, never a panic, never "no session".

#[tokio::test]
async fn corrupt_sessions_are_backend_errors() {
    let Some(store) = common::single::<TestSession>("corrupt_sessions").await else {
        return;
    };
    let user = "corrupt-user";
    let s = session(user, 6, now() + time::Duration::hours(1));
    store.insert_session(&s).await.expect("insert");
    let key = store.session_key(&s.id);
    let _: i64 = raw(
        &store,
        cmd("HSET").arg(&key).arg("attributes").arg("{not json"),
    )
    .await;

    let err = store
        .get_session(&s.id)
        .await
        .expect_err("corrupt attributes");
    let StoreError::Backend(source) = &err else {
        panic!("{err:?}")
    };
    match source.downcast_ref::<RedisStoreError>() {
        Some(RedisStoreError::Corrupt { key: k, reason, .. }) => {
            assert_eq!(k, &key);
            assert!(reason.contains("attributes"), "{reason}");
        }
        other => panic!("expected Corrupt, got {other:?}"),
    }
    common::say(&format!("corrupt session reported as: {err}"));
    assert!(matches!(
        store.get_user_sessions(user).await,
        Err(StoreError::Backend(_))
    ));

    // A key of the wrong type is a Redis error, also typed.
    let _: i64 = raw(&store, cmd("DEL").arg(&key)).await;
    let _: () = raw(&store, cmd("SET").arg(&key).arg("a string")).await;
    assert!(matches!(
        store.get_session(&s.id).await,
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(
        store.update_session_attributes(&s.id, &s.attributes).await,
        Err(StoreError::Backend(_))
    ));
    let _: i64 = raw(&store, cmd("DEL").arg(&key)).await;
    store.delete_user_sessions(user).await.expect("cleanup");
}

#[tokio::test]
async fn attribute_encoding_failures_write_nothing() {
    let Some(url) = common::env("attribute_encoding_failures", "LUCIA_REDIS_URL") else {
        return;
    };
    /// Attributes whose encoding always fails.
    #[derive(Clone, Debug, PartialEq)]
    struct Unencodable;
    impl lucia_redis::AttributeCodec for Unencodable {
        fn encode(&self) -> Result<Vec<u8>, lucia::BoxError> {
            Err("cannot encode".into())
        }
        fn decode(_: &[u8]) -> Result<Self, lucia::BoxError> {
            Ok(Self)
        }
    }
    let conn = lucia_redis::connect(&url).await.expect("connect");
    let store = RedisSessionStore::<_, Unencodable>::new(conn)
        .with_prefix(common::unique_prefix("encoding"))
        .expect("prefix");
    let s = Session {
        id: "s-unencodable".into(),
        user_id: "u".into(),
        secret_hash: SecretHash::of("x"),
        created_at: now(),
        expires_at: now() + time::Duration::hours(1),
        lifetime: None,
        fresh: false,
        attributes: Unencodable,
    };
    let err = store.insert_session(&s).await.expect_err("encoding fails");
    assert!(err.to_string().contains("cannot encode"), "{err}");
    assert_eq!(store.get_session(&s.id).await.expect("get"), None);
    assert!(store.get_user_sessions("u").await.expect("list").is_empty());
}
