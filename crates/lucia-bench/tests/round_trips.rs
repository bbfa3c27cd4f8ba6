//! Store round trips per validation, counted with `CountingStore` (counts, never times).
//!
//! The goal: exactly one store call for a validation that does not extend the session, two
//! when it does (the read, then the expiry update).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use lucia::clock::ManualClock;
use lucia::store::{AuthStore, Split};
use lucia::{Lucia, MemoryStore, NewUser};
use lucia_bench::counting::{CallLog, CountingStore};
use lucia_bench::setup;
use time::{Duration, OffsetDateTime};

/// Runs the scenarios on `lucia`; `label` is the store whose calls are round trips.
async fn assert_round_trips<S>(lucia: Lucia<S>, clock: Arc<ManualClock>, log: CallLog, label: &str)
where
    S: AuthStore<UserAttributes = (), SessionAttributes = ()>,
{
    let user = lucia.create_user(NewUser::new(())).await.unwrap();
    let (_session, token) = lucia.create_session(&user.id, ()).await.unwrap();
    log.take();
    let only = |calls: Vec<String>| -> Vec<String> {
        calls
            .into_iter()
            .filter(|call| call.starts_with(&format!("{label}:")))
            .collect()
    };

    // A fresh session: one read, no write.
    let valid = lucia.validate_session(token.expose_secret()).await.unwrap();
    let valid = valid.valid().expect("valid session");
    assert!(!valid.session.fresh);
    let calls = only(log.take());
    assert_eq!(
        calls.len(),
        1,
        "{label}: non-extending validation: {calls:?}"
    );

    // Past half of the 30-day lifetime: read, then extend.
    clock.advance(Duration::days(16));
    let valid = lucia.validate_session(token.expose_secret()).await.unwrap();
    assert!(valid.valid().expect("still valid").session.fresh);
    let calls = only(log.take());
    assert_eq!(calls.len(), 2, "{label}: extending validation: {calls:?}");
    assert!(calls[1].ends_with(":update_session_expiry"), "{calls:?}");

    // Just extended: back to one read.
    assert!(
        lucia
            .validate_session(token.expose_secret())
            .await
            .unwrap()
            .is_valid()
    );
    let calls = only(log.take());
    assert_eq!(calls.len(), 1, "{label}: after extension: {calls:?}");

    // A wrong secret costs the one read and writes nothing; a malformed token costs nothing.
    let wrong = format!("{}.{}", token.id(), "x".repeat(token.secret().len()));
    assert!(!lucia.validate_session(&wrong).await.unwrap().is_valid());
    assert_eq!(only(log.take()).len(), 1, "{label}: wrong secret");
    assert!(
        !lucia
            .validate_session("no-dot-here")
            .await
            .unwrap()
            .is_valid()
    );
    assert_eq!(only(log.take()).len(), 0, "{label}: malformed token");
    println!("round trips: {label}: 1 per validation, 2 when it extends");
}

fn clock() -> Arc<ManualClock> {
    let now = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap();
    Arc::new(ManualClock::new(now))
}

#[tokio::test]
async fn memory_store() {
    let (log, clock) = (CallLog::new(), clock());
    let store = CountingStore::new(MemoryStore::<(), ()>::new(), "memory", log.clone());
    let lucia = Lucia::new(store).with_clock(Arc::clone(&clock));
    assert_round_trips(lucia, clock, log, "memory").await;
}

#[tokio::test]
async fn sqlite_file_store() {
    let dir = std::env::temp_dir().join(setup::unique("lucia-bench-rt"));
    std::fs::create_dir_all(&dir).unwrap();
    let pool = setup::sqlite_pool(&dir.join("rt.db"), 4).await.unwrap();
    let store = setup::sqlite_store(pool, "rt").await.unwrap();
    let (log, clock) = (CallLog::new(), clock());
    let lucia =
        Lucia::new(CountingStore::new(store, "sqlite", log.clone())).with_clock(Arc::clone(&clock));
    assert_round_trips(lucia, clock, log, "sqlite").await;
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn postgres_store() {
    let Some(url) = setup::service_url("LUCIA_POSTGRES_URL", "round trips on PostgreSQL") else {
        return;
    };
    let pool = setup::postgres_pool(&url, 4).await.unwrap();
    let store = setup::postgres_store(pool, "bench_rt").await.unwrap();
    let (log, clock) = (CallLog::new(), clock());
    let lucia = Lucia::new(CountingStore::new(store, "postgres", log.clone()))
        .with_clock(Arc::clone(&clock));
    assert_round_trips(lucia, clock, log, "postgres").await;
}

/// Sessions in Redis, users in memory (`Split`): Redis sees one call per validation, two when
/// it extends; the user comes from the in-process user store.
#[tokio::test]
async fn redis_session_store() {
    let Some(url) = setup::service_url("LUCIA_REDIS_URL", "round trips on Redis") else {
        return;
    };
    let sessions = setup::redis_store(&url, &setup::unique("lucia-bench-rt"))
        .await
        .unwrap();
    let (log, clock) = (CallLog::new(), clock());
    let store = Split::new(
        CountingStore::new(MemoryStore::<(), ()>::new(), "memory", log.clone()),
        CountingStore::new(sessions, "redis", log.clone()),
    );
    let lucia = Lucia::new(store).with_clock(Arc::clone(&clock));
    assert_round_trips(lucia, clock, log, "redis").await;
}
