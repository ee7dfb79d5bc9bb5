//! Global seeding, so that seeded CPU runs are bit-for-bit reproducible.

/// Seeds LibTorch's global generators (CPU and CUDA).
pub fn manual_seed(seed: u64) {
    // LibTorch takes an i64; wrapping keeps every u64 usable as a seed.
    tch::manual_seed(seed as i64);
}
