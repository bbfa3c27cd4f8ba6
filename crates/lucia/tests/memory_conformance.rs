//! The conformance suite against the memory store, used whole and as a session-only store.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use lucia::MemoryStore;
use lucia::conformance::{
    TestSession, TestUser, run_auth_store, run_session_store, run_user_store,
};
use lucia::store::Split;

#[pollster::test]
async fn memory_store_passes_the_auth_store_suite() {
    let store =
        MemoryStore::<TestUser, TestSession>::new().unique("email", |u| Some(u.email.clone()));
    run_auth_store(&store).await;
}

#[pollster::test]
async fn memory_store_passes_the_session_store_suite_with_orphan_user_ids() {
    run_session_store(&MemoryStore::<(), TestSession>::new()).await;
}

#[pollster::test]
async fn memory_store_passes_the_user_store_suite_without_unique_attributes() {
    run_user_store(&MemoryStore::<(), ()>::new()).await;
}

#[pollster::test]
async fn split_stores_pass_the_auth_store_suite() {
    let users = MemoryStore::<TestUser, ()>::new().unique("email", |u| Some(u.email.clone()));
    let sessions = MemoryStore::<(), TestSession>::new();
    run_auth_store(&Split::new(users, sessions)).await;
}

#[pollster::test]
async fn memory_store_passes_the_token_store_suite() {
    lucia::conformance::run_token_store(&MemoryStore::<TestUser, ()>::new()).await;
}

#[pollster::test]
async fn memory_store_passes_the_two_factor_store_suite() {
    lucia::conformance::run_two_factor_store(&MemoryStore::<TestUser, ()>::new()).await;
}

#[pollster::test]
async fn the_memory_throttle_passes_the_throttle_suite() {
    lucia::conformance::run_throttle_backend(&lucia::throttle::MemoryThrottle::new()).await;
}
