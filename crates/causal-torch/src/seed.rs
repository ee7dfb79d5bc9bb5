//! Global seeding, so that seeded CPU runs are bit-for-bit reproducible.

/// Seeds LibTorch's global generators (CPU and CUDA).
pub fn manual_seed(seed: u64) {
    // LibTorch takes an i64; wrapping keeps every u64 usable as a seed.
    tch::manual_seed(seed as i64);
}

/// Held while a seeded computation draws from LibTorch's process-wide generator, so that
/// computations in concurrent threads (two estimators, or tests) cannot interleave their
/// draws and make a seeded result depend on thread timing. A poisoned lock is taken over:
/// the generator has no state that a panic could leave half-written. The lock is not
/// reentrant: a computation that holds it must not call another that takes it (the MLP
/// learner's fit does).
pub fn generator_lock() -> std::sync::MutexGuard<'static, ()> {
    static GENERATOR: std::sync::Mutex<()> = std::sync::Mutex::new(());
    GENERATOR
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
