//! The core's conformance suite against the server in `LUCIA_MONGODB_URL` (nx-27017 in CI).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use common::{Device, Profile};
use lucia_mongodb::Atomicity;

/// Users, keys, sessions and the full `Lucia` flow, with the atomicity the server's `hello`
/// answer selects (compensation on nx-27017, which reports itself as standalone).
#[tokio::test]
async fn conformance_auth_store_auto() {
    let Some(store) = common::store::<Profile, Device>(
        "conformance_auth_store_auto",
        common::DATABASE,
        "auto_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    let transactions = store.uses_transactions().await.unwrap();
    let started = Instant::now();
    lucia::conformance::run_auth_store(&store).await;
    common::say(&format!(
        "conformance: mongodb (auto: transactions={transactions}): passed ({:?})",
        started.elapsed()
    ));
}

/// The same with `insert_user` in a multi-document transaction (forced: nx-27017 accepts
/// transactions although it does not advertise a replica set; see `scripts/mongo/README.md`
/// for why `Auto` still does not pick them there).
#[tokio::test]
async fn conformance_auth_store_transactions() {
    let Some(store) = common::store::<Profile, Device>(
        "conformance_auth_store_transactions",
        // A database of its own: nx-27017 runs a transaction on the one SQLite connection of
        // its database, so other clients' writes meanwhile join it (and vanish when it aborts).
        "lucia_test_transactions",
        "txn_",
        Atomicity::Transactions,
    )
    .await
    else {
        return;
    };
    assert!(store.uses_transactions().await.unwrap());
    let started = Instant::now();
    lucia::conformance::run_auth_store(&store).await;
    common::say(&format!(
        "conformance: mongodb (transactions): passed ({:?})",
        started.elapsed()
    ));
}

/// The same with `insert_user` by compensation (forced, so it runs on a replica set too).
#[tokio::test]
async fn conformance_auth_store_compensation() {
    let Some(store) = common::store::<Profile, Device>(
        "conformance_auth_store_compensation",
        common::DATABASE,
        "comp_",
        Atomicity::Compensation,
    )
    .await
    else {
        return;
    };
    assert!(!store.uses_transactions().await.unwrap());
    lucia::conformance::run_auth_store(&store).await;
    common::say("conformance: mongodb (compensation): passed");
}

/// `()` attributes (stored as `null`), sessions for users that exist nowhere.
#[tokio::test]
async fn conformance_unit_attributes() {
    let Some(store) = common::store::<(), ()>(
        "conformance_unit_attributes",
        common::DATABASE,
        "unit_",
        Atomicity::Auto,
    )
    .await
    else {
        return;
    };
    lucia::conformance::run_session_store(&store).await;
    lucia::conformance::run_user_store(&store).await;
    common::say("conformance: mongodb, () attributes: passed");
}
