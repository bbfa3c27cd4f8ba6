//! The throttle backend suite on a single Redis and on a Redis Cluster.
#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used)]

mod common;

use lucia_redis::RedisThrottle;

#[tokio::test]
async fn redis_throttle_passes_the_throttle_suite() {
    if let Some(url) = common::env("redis_throttle_single_node", "LUCIA_REDIS_URL") {
        let connection = lucia_redis::connect(&url).await.unwrap();
        let backend = RedisThrottle::new(connection).with_prefix(common::unique_prefix("throttle"));
        lucia::conformance::run_throttle_backend(&backend).await;
        common::say("conformance: throttle on redis single node: passed");
    }
    if let Some(urls) = common::env("redis_throttle_cluster", "LUCIA_REDIS_CLUSTER_URLS") {
        let nodes: Vec<&str> = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        let connection = lucia_redis::connect_cluster(&nodes).await.unwrap();
        let backend = RedisThrottle::new(connection).with_prefix(common::unique_prefix("throttle"));
        lucia::conformance::run_throttle_backend(&backend).await;
        common::say("conformance: throttle on redis cluster: passed");
    }
}
