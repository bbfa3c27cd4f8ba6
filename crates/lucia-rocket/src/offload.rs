//! Password hashing on Rocket's (tokio's) blocking pool.

use std::sync::Arc;

use lucia::offload::{BlockingJob, BoxFuture, Offload};
use rocket::tokio::sync::Semaphore;

/// Runs lucia's blocking jobs (password hashing) with `tokio::task::spawn_blocking`, at most
/// `limit` at a time.
///
/// ```
/// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new())
///     .with_offload(lucia_rocket::RocketOffload::default());
/// # let _ = lucia;
/// ```
#[derive(Debug, Clone)]
pub struct RocketOffload {
    permits: Arc<Semaphore>,
}

impl RocketOffload {
    /// At most `limit` jobs at once (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }
}

impl Default for RocketOffload {
    /// [`lucia::offload::default_hash_concurrency`] jobs at once: one fewer than the
    /// machine's cores, so the executor keeps a core.
    fn default() -> Self {
        Self::new(lucia::offload::default_hash_concurrency())
    }
}

impl Offload for RocketOffload {
    fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
        let permits = Arc::clone(&self.permits);
        Box::pin(async move {
            let _permit = permits.acquire_owned().await.ok();
            let _ = rocket::tokio::task::spawn_blocking(job).await;
        })
    }
}
