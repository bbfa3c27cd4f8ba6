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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// The bound holds: 12 jobs through an offload of 2 never run more than 2 at once, and
    /// all of them run.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn at_most_the_limit_runs_at_once() {
        let offload = TokioOffload::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let done = Arc::new(AtomicUsize::new(0));
        let jobs = (0..12).map(|_| {
            let (running, peak, done) = (running.clone(), peak.clone(), done.clone());
            offload.run(Box::new(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                done.fetch_add(1, Ordering::SeqCst);
            }))
        });
        futures_join_all(jobs).await;
        assert_eq!(done.load(Ordering::SeqCst), 12);
        assert_eq!(peak.load(Ordering::SeqCst), 2);
        assert_eq!(TokioOffload::new(0).permits.available_permits(), 1);
    }

    async fn futures_join_all(futures: impl Iterator<Item = BoxFuture<'static, ()>>) {
        let handles: Vec<_> = futures.map(tokio::spawn).collect();
        for handle in handles {
            handle.await.unwrap();
        }
    }
}
