//! Where things live: the workspace root and the per-user cache.

use std::path::PathBuf;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

/// The per-user cache: `$CAUSAL_CACHE_DIR`, else `$XDG_CACHE_HOME/causal-rs`,
/// else `~/.cache/causal-rs`.
pub fn cache() -> PathBuf {
    if let Some(dir) = std::env::var_os("CAUSAL_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("causal-rs");
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    home.join(".cache").join("causal-rs")
}

/// Cargo's target directory: `$CARGO_TARGET_DIR` when set, else `target/` in the root.
pub fn target() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => root().join("target"),
    }
}
