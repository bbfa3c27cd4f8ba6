//! The core's session-store conformance suite, on a single Redis and on a Redis Cluster.
#![forbid(unsafe_code)]

mod common;

use std::time::Instant;

use lucia::conformance::TestSession;

#[tokio::test]
async fn conformance_single_node() {
    let Some(store) = common::single::<TestSession>("conformance_single_node").await else {
        return;
    };
    let started = Instant::now();
    lucia::conformance::run_session_store(&store).await;
    common::say(&format!(
        "conformance: redis single node: passed ({:?})",
        started.elapsed()
    ));
}

#[tokio::test]
async fn conformance_cluster() {
    let Some(store) = common::cluster::<TestSession>("conformance_cluster").await else {
        return;
    };
    let started = Instant::now();
    lucia::conformance::run_session_store(&store).await;
    common::say(&format!(
        "conformance: redis cluster: passed ({:?})",
        started.elapsed()
    ));
}

/// Sessions without attributes (`()`).
///
/// (There is no zero-TTL-grace run of the suite: its "live" session expires one second after
/// the suite's whole-second `now`, so without a grace Redis may drop it before the suite
/// reads it back. `ttl.rs` tests the zero-grace behaviour directly.)
#[tokio::test]
async fn conformance_unit_attributes() {
    let Some(store) = common::single::<()>("conformance_unit_attributes").await else {
        return;
    };
    lucia::conformance::run_session_store(&store).await;
    common::say("conformance: redis single node, () attributes: passed");
}

/// The whole suite, users and the full `Lucia` flow included, with users in memory and
/// sessions in Redis (`Split`).
#[tokio::test]
async fn conformance_split_with_memory_users() {
    let Some(sessions) = common::single::<TestSession>("conformance_split_with_memory_users").await
    else {
        return;
    };
    let users = lucia::MemoryStore::<lucia::conformance::TestUser, ()>::new()
        .unique("email", |u| Some(u.email.clone()));
    lucia::conformance::run_auth_store(&lucia::store::Split::new(users, sessions)).await;
    common::say("conformance: redis single node sessions + memory users (run_auth_store): passed");
}
