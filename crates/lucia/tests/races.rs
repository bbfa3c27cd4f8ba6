//! The race suite (`lucia::conformance::races`) against the memory store, on OS threads: the
//! memory store's futures need no runtime.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)] // Tests unwrap: a panic is a failed test.

use lucia::MemoryStore;
use lucia::conformance::races::{Threads, run_races};
use lucia::conformance::{TestSession, TestUser};
use lucia::store::Split;

fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

#[pollster::test]
async fn memory_store_races() {
    let store = std::sync::Arc::new(
        MemoryStore::<TestUser, TestSession>::new().unique("email", |u| Some(u.email.clone())),
    );
    for outcome in run_races(store, &Threads).await {
        say(&format!("races: memory: {outcome}"));
    }
}

#[pollster::test]
async fn split_memory_stores_race() {
    let users = MemoryStore::<TestUser, ()>::new().unique("email", |u| Some(u.email.clone()));
    let sessions = MemoryStore::<(), TestSession>::new();
    let store = std::sync::Arc::new(Split::new(users, sessions));
    for outcome in run_races(store, &Threads).await {
        say(&format!("races: memory split: {outcome}"));
    }
}
