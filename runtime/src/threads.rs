//! The thread count and numjit's own rayon pool. Owns nothing about what runs on it.
//!
//! Behaviour, by design:
//! * `NUMJIT_NUM_THREADS` is read once, on the first call that needs the count; the
//!   default is `std::thread::available_parallelism()`. No thread is spawned at load
//!   time: the pool is built on the first parallel evaluation.
//! * The pool has exactly `num_threads()` workers and is private to numjit, so work
//!   never lands on (or oversubscribes) a caller's global rayon pool.
//! * Many caller threads evaluating at once all queue their blocks into this one pool
//!   (`ThreadPool::install` blocks the caller until its blocks are done). At most
//!   `num_threads()` numjit workers ever compute, however many callers there are; the
//!   callers themselves only wait. A caller that is itself a worker of another rayon
//!   pool keeps executing its own pool's jobs while it waits (rayon's cross-pool
//!   install), so it never deadlocks.
//! * `set_num_threads(n)` takes effect for evaluations that start afterwards; a pool of
//!   the old size is dropped once the evaluations still using it finish.

use rayon::{ThreadPool, ThreadPoolBuilder};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// 0 means "not chosen yet": fall back to the environment / core count.
static REQUESTED: AtomicUsize = AtomicUsize::new(0);
static DEFAULT: OnceLock<usize> = OnceLock::new();
static POOL: Mutex<Option<(usize, Arc<ThreadPool>)>> = Mutex::new(None);

/// Upper bound accepted by [`set_num_threads`] (and the environment variable).
pub const MAX_THREADS: usize = 1024;

fn default_threads() -> usize {
    *DEFAULT.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        match std::env::var("NUMJIT_NUM_THREADS") {
            Ok(s) => match s.trim().parse::<usize>() {
                Ok(n) if n >= 1 => n.min(MAX_THREADS),
                _ => cores,
            },
            Err(_) => cores,
        }
    })
}

/// How many threads evaluations use.
pub fn num_threads() -> usize {
    match REQUESTED.load(Ordering::Relaxed) {
        0 => default_threads(),
        n => n,
    }
}

/// Sets how many threads evaluations use (clamped to `1..=MAX_THREADS`). `1` runs
/// every evaluation on the calling thread.
pub fn set_num_threads(n: usize) {
    REQUESTED.store(n.clamp(1, MAX_THREADS), Ordering::Relaxed);
}

/// Forgets the pool without touching it. For a child process right after `fork()`:
/// the parent's workers do not exist there, so the pool must neither be used nor
/// dropped (dropping signals threads that are gone); the next parallel evaluation
/// builds a fresh one. Leaks the old pool's memory once per fork.
pub fn reset_after_fork() {
    let mut slot = match POOL.try_lock() {
        Ok(g) => g,
        Err(std::sync::TryLockError::Poisoned(e)) => e.into_inner(),
        // Another thread was swapping pools at the moment of the fork; that thread
        // does not exist in the child, so there is nothing safe to do.
        Err(std::sync::TryLockError::WouldBlock) => return,
    };
    if let Some(old) = slot.take() {
        std::mem::forget(old);
    }
}

/// The pool with exactly `n` workers, built on first use. `None` if the OS refused
/// to spawn threads; callers then run serially.
pub fn pool(n: usize) -> Option<Arc<ThreadPool>> {
    // A poisoned lock only means another thread panicked while swapping pools;
    // the Option inside is still a valid value.
    let mut slot = POOL.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((size, p)) = slot.as_ref() {
        if *size == n {
            return Some(p.clone());
        }
    }
    let built = ThreadPoolBuilder::new()
        .num_threads(n)
        .thread_name(|i| format!("numjit-{i}"))
        .build()
        .ok()?;
    let p = Arc::new(built);
    *slot = Some((n, p.clone()));
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_has_exact_size() {
        let p = pool(3).unwrap();
        assert_eq!(p.current_num_threads(), 3);
        let q = pool(3).unwrap();
        assert!(Arc::ptr_eq(&p, &q));
    }
}
