//! Password hashing on tokio's blocking pool.

use std::sync::Arc;

use lucia::offload::{BlockingJob, BoxFuture, Offload};
use tokio::sync::Semaphore;

/// Runs lucia's blocking jobs (password hashing) with `tokio::task::spawn_blocking`, at most
/// `limit` at a time, so sign-in storms neither stall the executor nor exhaust the blocking
/// pool.
///
/// ```
/// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new())
///     .with_offload(lucia_axum::TokioOffload::default());
/// # let _ = lucia;
/// ```
#[derive(Debug, Clone)]
pub struct TokioOffload {
    permits: Arc<Semaphore>,
}

impl TokioOffload {
    /// At most `limit` jobs at once (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }
}

impl Default for TokioOffload {
    /// [`lucia::offload::default_hash_concurrency`] jobs at once: one fewer than the
    /// machine's cores, so the executor keeps a core.
    fn default() -> Self {
        Self::new(lucia::offload::default_hash_concurrency())
    }
}

impl Offload for TokioOffload {
    fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
        let permits = Arc::clone(&self.permits);
        Box::pin(async move {
            // A closed semaphore never happens (we never close it); run the job regardless.
            let _permit = permits.acquire_owned().await.ok();
            let _ = tokio::task::spawn_blocking(job).await;
        })
    }
}
