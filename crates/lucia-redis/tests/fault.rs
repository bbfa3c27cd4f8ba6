//! A Redis that goes down gives typed errors quickly, and the store recovers when it is back.
//!
//! Starts its own throwaway `redis-server` (from `PATH`) on a free loopback port, kills it
//! and restarts it on the same port.
#![forbid(unsafe_code)]

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use lucia::conformance::TestSession;
use lucia::store::SessionStore;
use lucia::time::{self, OffsetDateTime};
use lucia::{SecretHash, Session, StoreError};
use lucia_redis::RedisSessionStore;
use tokio::process::{Child, Command};

const TEST: &str = "redis_down_gives_typed_errors_quickly_and_recovers";

fn redis_server() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("redis-server"))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

/// Starts `redis-server` on `port` (no persistence) and waits until it accepts connections.
async fn start(binary: &PathBuf, port: u16) -> Child {
    let child = Command::new(binary)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args([
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "yes",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn redis-server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            Instant::now() < deadline,
            "redis-server did not start on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child
}

fn session() -> Session<TestSession> {
    let now = OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .expect("valid");
    Session {
        id: format!("s-{}", lucia::generate_id().expect("rng")),
        user_id: "fault-user".into(),
        secret_hash: SecretHash::of("secret"),
        created_at: now,
        expires_at: now + time::Duration::days(1),
        lifetime: None,
        fresh: false,
        attributes: TestSession {
            ip: None,
            user_agent: "fault test".into(),
        },
    }
}

fn signal(signal: &str, pid: &str) {
    let status = std::process::Command::new("kill")
        .args([signal, pid])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill {signal} {pid} failed");
}

/// Runs `op`, asserting it finishes within 10 s with a `StoreError::Backend`.
async fn expect_backend_error<T: std::fmt::Debug>(
    what: &str,
    op: impl std::future::Future<Output = Result<T, StoreError>>,
) -> Duration {
    let started = Instant::now();
    let result = tokio::time::timeout(Duration::from_secs(10), op)
        .await
        .unwrap_or_else(|_| panic!("{what}: no answer within 10 s"));
    let elapsed = started.elapsed();
    match result {
        Err(StoreError::Backend(err)) => {
            common::say(&format!("fault: {what}: error after {elapsed:?}: {err}"));
        }
        other => panic!("{what}: expected StoreError::Backend while Redis is down, got {other:?}"),
    }
    elapsed
}

#[tokio::test]
async fn redis_down_gives_typed_errors_quickly_and_recovers() {
    let Some(binary) = redis_server() else {
        common::skip(
            TEST,
            "redis-server is not on PATH (scripts/services.sh installs it)",
        );
        return;
    };
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let mut server = start(&binary, port).await;

    let conn = lucia_redis::connect(&url).await.expect("connect");
    let store = RedisSessionStore::<_, TestSession>::new(conn);
    let before = session();
    store
        .insert_session(&before)
        .await
        .expect("insert while up");
    assert_eq!(
        store.get_session(&before.id).await.expect("get while up"),
        Some(before.clone())
    );

    // A server that accepts connections but never answers (SIGSTOP): the timeouts fire.
    let pid = server.id().expect("redis-server pid").to_string();
    signal("-STOP", &pid);
    let hung =
        expect_backend_error("get_session (server hung)", store.get_session(&before.id)).await;
    let hung = hung.max(
        expect_backend_error(
            "insert_session (server down)",
            store.insert_session(&session()),
        )
        .await,
    );
    assert!(
        hung < Duration::from_secs(5),
        "a hung Redis took {hung:?} to fail"
    );
    signal("-CONT", &pid);
    let resumed = Instant::now();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), store.get_session(&before.id)).await {
            Ok(Ok(found)) => {
                assert_eq!(found, Some(before.clone()));
                break;
            }
            Ok(Err(err)) => assert!(
                resumed.elapsed() < Duration::from_secs(15),
                "no recovery within 15 s of SIGCONT: {err}"
            ),
            Err(_) => panic!("get_session hung after SIGCONT"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    common::say(&format!(
        "fault: store answered again {:?} after SIGCONT",
        resumed.elapsed()
    ));

    server.kill().await.expect("kill redis-server");
    let mut slowest = Duration::ZERO;
    for _ in 0..3 {
        slowest = slowest.max(
            expect_backend_error("get_session (server down)", store.get_session(&before.id)).await,
        );
        slowest = slowest.max(
            expect_backend_error(
                "insert_session (server down)",
                store.insert_session(&session()),
            )
            .await,
        );
        slowest = slowest.max(
            expect_backend_error(
                "get_user_sessions (server down)",
                store.get_user_sessions("fault-user"),
            )
            .await,
        );
        slowest = slowest.max(
            expect_backend_error(
                "delete_expired_sessions (server down)",
                store.delete_expired_sessions(OffsetDateTime::now_utc()),
            )
            .await,
        );
    }
    common::say(&format!(
        "fault: slowest failure while Redis was down: {slowest:?}"
    ));

    // Back on the same port (empty: no persistence): the same store works again.
    let _server = start(&binary, port).await;
    let restarted = Instant::now();
    let after = session();
    loop {
        let attempt = tokio::time::timeout(Duration::from_secs(10), store.insert_session(&after))
            .await
            .expect("insert answers within 10 s");
        match attempt {
            Ok(()) => break,
            Err(err) => {
                assert!(
                    restarted.elapsed() < Duration::from_secs(15),
                    "the store did not recover within 15 s of the restart: {err}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
    assert_eq!(
        store
            .get_session(&after.id)
            .await
            .expect("get after restart"),
        Some(after.clone())
    );
    assert_eq!(
        store
            .get_user_sessions("fault-user")
            .await
            .expect("list after restart"),
        vec![after]
    );
    common::say(&format!(
        "fault: store recovered {:?} after the restart",
        restarted.elapsed()
    ));
}
