//! Failures without a MongoDB server: unreachable and hung servers give typed errors within the
//! configured time, never a panic or a hang. Runs everywhere (no service needed).
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use lucia::StoreError;
use lucia::store::{SessionStore, UserStore};
use lucia_mongodb::{MongoStore, MongoStoreError};

fn backend(err: StoreError) -> MongoStoreError {
    match err {
        StoreError::Backend(source) => *source.downcast::<MongoStoreError>().unwrap(),
        other => panic!("expected a backend error, got {other:?}"),
    }
}

/// A port nothing listens on: bind, read the port, close.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn connect_to_a_closed_port_fails_with_the_driver_error() {
    let url = format!(
        "mongodb://127.0.0.1:{}/?serverSelectionTimeoutMS=500",
        closed_port()
    );
    let started = Instant::now();
    let err = lucia_mongodb::connect(&url, "x").await.unwrap_err();
    assert!(
        matches!(
            err,
            MongoStoreError::Driver {
                operation: "connect",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(
        lucia_mongodb::connect("postgres://nope", "x")
            .await
            .is_err(),
        "a malformed URL is an error"
    );
}

#[tokio::test]
async fn store_methods_on_an_unreachable_server_return_backend_errors() {
    let url = format!(
        "mongodb://127.0.0.1:{}/?serverSelectionTimeoutMS=300",
        closed_port()
    );
    let client = lucia_mongodb::mongodb::Client::with_uri_str(&url)
        .await
        .unwrap();
    let store = MongoStore::<(), ()>::new(client.database("x"));
    let started = Instant::now();
    let err = backend(store.get_session("s1").await.unwrap_err());
    assert!(
        matches!(
            err,
            MongoStoreError::Driver {
                operation: "get_session",
                ..
            }
        ),
        "{err:?}"
    );
    let err = backend(store.get_user("u1").await.unwrap_err());
    assert!(matches!(
        err,
        MongoStoreError::Driver {
            operation: "get_user",
            ..
        }
    ));
    // A failed detection is not cached: the next call asks again (and fails again).
    assert!(store.uses_transactions().await.is_err());
    assert!(store.uses_transactions().await.is_err());
    assert!(store.init().await.is_err());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

/// A server that accepts connections and never answers: the store's own timeout ends each call.
#[tokio::test]
async fn a_hung_server_times_out_after_the_store_timeout() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket); // never read, never answer
            if held.len() > 64 {
                break;
            }
        }
    });
    let url = format!(
        "mongodb://127.0.0.1:{port}/?serverSelectionTimeoutMS=30000&connectTimeoutMS=30000"
    );
    let client = lucia_mongodb::mongodb::Client::with_uri_str(&url)
        .await
        .unwrap();
    let store =
        MongoStore::<(), ()>::new(client.database("x")).with_timeout(Duration::from_millis(400));
    let started = Instant::now();
    let err = backend(
        store
            .delete_expired_sessions(time::OffsetDateTime::now_utc())
            .await
            .unwrap_err(),
    );
    let elapsed = started.elapsed();
    assert!(
        matches!(
            err,
            MongoStoreError::Timeout { operation: "delete_expired_sessions", after } if after == Duration::from_millis(400)
        ),
        "{err:?}"
    );
    assert!(
        elapsed >= Duration::from_millis(400) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    hold.abort();
}
