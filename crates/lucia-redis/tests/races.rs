//! The race suite's session races (`lucia::conformance::races`: 100 concurrent renewals of
//! one session, sign-out-everywhere racing 100 logins) on a multi-threaded tokio runtime,
//! with sessions in Redis (single node and cluster) and users in memory (`Split`). The
//! user-side races (sign-ups, reset links, two-factor codes) do not touch a session store:
//! they run against the SQL stores and the memory store.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::Arc;

use lucia::MemoryStore;
use lucia::conformance::races::{invalidation, password_reset, session_extension};
use lucia::conformance::{TestSession, TestUser};
use lucia::store::Split;

use lucia_http_tests::TokioSpawn as Tokio;

fn users() -> MemoryStore<TestUser, ()> {
    MemoryStore::new().unique("email", |u: &TestUser| Some(u.email.clone()))
}

async fn session_races<S>(label: &str, sessions: S)
where
    S: lucia::store::SessionStore<SessionAttributes = TestSession> + 'static,
{
    let store = Arc::new(Split::new(users(), sessions));
    for outcome in [
        session_extension(Arc::clone(&store), &Tokio).await,
        invalidation(Arc::clone(&store), &Tokio).await,
        // A reset signs the user out everywhere: here, in Redis.
        password_reset(store, &Tokio).await,
    ] {
        common::say(&format!("races: {label}: {outcome}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_single_node() {
    let Some(sessions) = common::single::<TestSession>("races_single_node").await else {
        return;
    };
    session_races("redis single node", sessions).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn races_cluster() {
    let Some(sessions) = common::cluster::<TestSession>("races_cluster").await else {
        return;
    };
    session_races("redis cluster", sessions).await;
}
