//! Shared by the integration tests: where the servers are, and the skip rule.
//!
//! A test whose service is not configured prints `SKIPPED: <test>: <VAR> is not set` to
//! stderr and passes, unless `LUCIA_REQUIRE_SERVICES=1`, in which case it fails naming the
//! variable.
#![allow(dead_code)]

use lucia::conformance::TestSession;
use lucia_redis::RedisSessionStore;
use lucia_redis::redis::aio::ConnectionManager;
use lucia_redis::redis::cluster_async::ClusterConnection;

pub type Single<A = TestSession> = RedisSessionStore<ConnectionManager, A>;
pub type Cluster<A = TestSession> = RedisSessionStore<ClusterConnection, A>;

/// Prints a line to stderr that `cargo test` does not capture (it writes to the stream
/// directly, not through `eprintln!`), so CI logs show skips and what ran.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Whether missing services fail the tests instead of skipping them.
pub fn services_required() -> bool {
    std::env::var("LUCIA_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Skips (or, with `LUCIA_REQUIRE_SERVICES=1`, fails) `test` because `what` is missing.
pub fn skip(test: &str, what: &str) {
    if services_required() {
        panic!("{test}: {what}, and LUCIA_REQUIRE_SERVICES=1 requires it");
    }
    say(&format!("SKIPPED: {test}: {what}"));
}

/// The value of `var`, or `None` after applying the skip rule.
pub fn env(test: &str, var: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Some(value.trim().to_owned()),
        _ => {
            skip(test, &format!("{var} is not set"));
            None
        }
    }
}

/// A prefix no other run uses, so tests that count keys or purge see only their own data.
pub fn unique_prefix(test: &str) -> String {
    format!(
        "lucia-test:{test}:{}",
        lucia::generate_id().expect("the OS random number generator works")
    )
}

/// A store on the single node of `LUCIA_REDIS_URL` with its own prefix.
pub async fn single<A>(test: &str) -> Option<Single<A>> {
    let url = env(test, "LUCIA_REDIS_URL")?;
    let conn = lucia_redis::connect(&url)
        .await
        .unwrap_or_else(|err| panic!("{test}: cannot connect to LUCIA_REDIS_URL={url}: {err}"));
    Some(
        RedisSessionStore::new(conn)
            .with_prefix(unique_prefix(test))
            .expect("valid prefix"),
    )
}

/// A store on the cluster of `LUCIA_REDIS_CLUSTER_URLS` with its own prefix.
pub async fn cluster<A>(test: &str) -> Option<Cluster<A>> {
    let urls = env(test, "LUCIA_REDIS_CLUSTER_URLS")?;
    let nodes: Vec<&str> = urls
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .collect();
    // These tests check consistency under heavy concurrency on a small (2-core) machine, not
    // latency: a generous response timeout keeps a scheduling hiccup from failing them. The
    // outage tests keep the library's short defaults.
    let patient = std::time::Duration::from_secs(15);
    let conn = redis::cluster::ClusterClientBuilder::new(
        nodes.iter().map(|n| n.to_string()).collect::<Vec<_>>(),
    )
    .connection_timeout(patient)
    .response_timeout(patient)
    .build()
    .unwrap_or_else(|err| panic!("{test}: bad LUCIA_REDIS_CLUSTER_URLS={urls}: {err}"))
    .get_async_connection()
    .await
    .unwrap_or_else(|err| {
        panic!("{test}: cannot connect to LUCIA_REDIS_CLUSTER_URLS={urls}: {err}")
    });
    Some(
        RedisSessionStore::new(conn)
            .with_prefix(unique_prefix(test))
            .expect("valid prefix")
            .with_timeout(patient),
    )
}
