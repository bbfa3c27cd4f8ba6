//! Running CPU-heavy work (password hashing) off the async executor, without depending on one.
//!
//! Hashing a password with Argon2id takes tens of milliseconds of CPU. Run on an async
//! executor's worker thread, it stalls every other task on that thread. The core cannot call
//! `tokio::task::spawn_blocking` itself (it is runtime-free), so it asks an [`Offload`]:
//! integrations install one that hands the job to their runtime's blocking pool (and bounds
//! how many hashes run at once); the default, [`Inline`], runs the job in place, which suits
//! tests, command-line tools and single-threaded executors (wasm).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

use crate::error::{Error, Result};

/// A job to run to completion on some thread.
pub type BlockingJob = Box<dyn FnOnce() + Send + 'static>;

/// A boxed, `Send` future.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Runs blocking jobs somewhere they do not stall the async executor.
///
/// A tokio implementation, as the integrations provide it:
///
/// ```ignore
/// struct SpawnBlocking;
/// impl lucia::offload::Offload for SpawnBlocking {
///     fn run(&self, job: lucia::offload::BlockingJob) -> lucia::offload::BoxFuture<'static, ()> {
///         Box::pin(async move { let _ = tokio::task::spawn_blocking(job).await; })
///     }
/// }
/// ```
///
/// (Marked `ignore` because the core does not depend on tokio.) A thread-per-job version
/// needing nothing but `std`:
///
/// ```
/// use lucia::offload::{BlockingJob, BoxFuture, Offload, run_blocking};
///
/// struct NewThread;
/// impl Offload for NewThread {
///     fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
///         let handle = std::thread::spawn(job);
///         Box::pin(async move { let _ = handle.join(); })
///     }
/// }
/// let answer = pollster::block_on(run_blocking(&NewThread, || 6 * 7))?;
/// assert_eq!(answer, 42);
/// # Ok::<(), lucia::Error>(())
/// ```
pub trait Offload: Send + Sync + 'static {
    /// Runs `job`; the returned future completes once the job has run (or was dropped).
    fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()>;
}

/// How many hashes an integration's offload runs at once by default: one fewer than the
/// machine's cores (at least one), so one core always stays free for the async executor.
///
/// With as many Argon2id hashes as cores, a burst of sign-ins takes every core and the
/// executor's threads wait behind them for the scheduler: cheap requests then see
/// milliseconds of tail latency. Leaving a core free trades some sign-in throughput for
/// requests that never wait on password hashing (see `BENCHMARKS.md`, the executor check).
///
/// ```
/// let limit = lucia::offload::default_hash_concurrency();
/// let cores = std::thread::available_parallelism().map_or(1, usize::from);
/// assert_eq!(limit, cores.saturating_sub(1).max(1));
/// ```
pub fn default_hash_concurrency() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .saturating_sub(1)
        .max(1)
}

/// Runs jobs in place, on the calling thread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Inline;

impl Offload for Inline {
    fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
        job();
        Box::pin(std::future::ready(()))
    }
}

/// Runs `f` through `offload` and returns its result.
///
/// [`Error::Offload`] when the offload dropped the job without running it (its pool shut
/// down, or the job panicked).
pub async fn run_blocking<R, F>(offload: &dyn Offload, f: F) -> Result<R>
where
    R: Send + 'static,
    F: FnOnce() -> R + Send + 'static,
{
    let slot: Arc<Mutex<Option<R>>> = Arc::new(Mutex::new(None));
    let filled = Arc::clone(&slot);
    offload
        .run(Box::new(move || {
            let result = f();
            *filled.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        }))
        .await;
    let result = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    result.ok_or(Error::Offload)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    struct Dropping;
    impl Offload for Dropping {
        fn run(&self, job: BlockingJob) -> BoxFuture<'static, ()> {
            drop(job);
            Box::pin(std::future::ready(()))
        }
    }

    #[test]
    fn inline_runs_in_place_and_dropped_jobs_are_errors() {
        assert_eq!(
            pollster::block_on(run_blocking(&Inline, || "done")).unwrap(),
            "done"
        );
        assert!(matches!(
            pollster::block_on(run_blocking(&Dropping, || 1)),
            Err(Error::Offload)
        ));
    }
}
