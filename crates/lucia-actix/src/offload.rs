//! Password hashing on actix's blocking pool.

use std::sync::Arc;

use lucia::offload::{BlockingJob, BoxFuture, Offload};
use tokio::sync::Semaphore;

/// Runs lucia's blocking jobs (password hashing) with `actix_web::rt::task::spawn_blocking`,
/// at most `limit` at a time.
///
/// ```
/// let lucia = lucia::Lucia::new(lucia::MemoryStore::<(), ()>::new())
///     .with_offload(lucia_actix::ActixOffload::default());
/// # let _ = lucia;
/// ```
#[derive(Debug, Clone)]
pub struct ActixOffload {
    permits: Arc<Semaphore>,
}

impl ActixOffload {
    /// At most `limit` jobs at once (at least one).
    pub fn new(limit: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(limit.max(1))),
        }
    }
}

impl Default for ActixOffload {
    /// [`lucia::offload::default_hash_concurrency`] jobs at once: one fewer than the
    /// machine's cores, so the executor keeps a core.
    fn default() -> Self {
        Self::new(lucia::offload::default_hash_concurrency())
    }
}

impl Offload for ActixOffload {
    fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
        let permits = Arc::clone(&self.permits);
        Box::pin(async move {
            let _permit = permits.acquire_owned().await.ok();
            let _ = actix_web::rt::task::spawn_blocking(job).await;
        })
    }
}
