//! Automatic LibTorch.
//!
//! tch 0.26 links LibTorch 2.13.0, which the PyPI wheel `torch==2.13.0` contains. If the user
//! set `LIBTORCH`, that LibTorch is used (a CUDA build, say). Otherwise xtask creates a Python
//! venv in the per-user cache, installs the pinned torch into it once, and points `LIBTORCH` at
//! the wheel's `torch/` folder. Later runs find the finished venv and reuse it. Either way it
//! links `.libtorch` at the workspace root to that LibTorch, which .cargo/config.toml names as
//! `LIBTORCH`: after `cargo xtask libtorch` once, plain `cargo build` finds it too.

use std::path::{Path, PathBuf};

use crate::process::{Env, output, run};

/// The one place the LibTorch version lives.
pub const TORCH_VERSION: &str = "2.13.0";

const MANUAL: &str =
    "alternatively download LibTorch 2.13.0 yourself and set LIBTORCH=/path/to/libtorch";

/// `cargo xtask libtorch [--env]`.
pub fn command(args: &[String]) -> Result<(), String> {
    let mut p = crate::args::parser(args);
    let shell = p.contains("--env");
    crate::args::no_rest("libtorch (expected --env)", p)?;
    let env = env()?;
    for (k, v) in &env {
        if shell {
            println!("export {k}=\"{v}\"");
        } else {
            println!("{k}={v}");
        }
    }
    Ok(())
}

/// The link `cargo xtask libtorch` keeps at the workspace root, pointing at the LibTorch in
/// use; .cargo/config.toml sets `LIBTORCH` to it, so plain `cargo build` finds LibTorch.
pub fn link_path() -> PathBuf {
    crate::paths::root().join(".libtorch")
}

/// The environment that lets cargo build and run tch: `LIBTORCH` and the library path.
///
/// A `LIBTORCH` set by the user wins; the one cargo passes from .cargo/config.toml (the link
/// itself) does not count as set. The link is refreshed to the LibTorch chosen, and `LIBTORCH`
/// names the link unless the user set it, so builds through xtask and plain `cargo build`
/// see the same value and do not rebuild torch-sys in turn.
pub fn env() -> Result<Env, String> {
    let link = link_path();
    let user = std::env::var_os("LIBTORCH")
        .map(PathBuf::from)
        .filter(|d| d != &link);
    let libtorch = match &user {
        Some(dir) => {
            if !dir.join("lib").is_dir() {
                return Err(format!("LIBTORCH={} has no lib/ folder", dir.display()));
            }
            dir.clone()
        }
        None => provision()?,
    };
    let linked = refresh_link(&link, &libtorch);
    let exported = match (&user, linked) {
        (None, true) => link,
        _ => libtorch.clone(),
    };
    let lib = libtorch.join("lib");
    let mut ld = lib.display().to_string();
    if let Ok(old) = std::env::var("LD_LIBRARY_PATH") {
        if !old.split(':').any(|p| Path::new(p) == lib) {
            ld = format!("{ld}:{old}");
        } else {
            ld = old;
        }
    }
    Ok(vec![
        ("LIBTORCH".into(), exported.display().to_string()),
        ("LD_LIBRARY_PATH".into(), ld),
    ])
}

/// Points `link` at `target` (a symlink, Unix only); false when it could not.
fn refresh_link(link: &Path, target: &Path) -> bool {
    if std::fs::read_link(link).is_ok_and(|t| t == target) {
        return true;
    }
    #[cfg(unix)]
    {
        let _ = std::fs::remove_file(link);
        match std::os::unix::fs::symlink(target, link) {
            Ok(()) => true,
            Err(e) => {
                eprintln!(
                    "xtask: could not link {} -> {}: {e}",
                    link.display(),
                    target.display()
                );
                false
            }
        }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The venv folder for the pinned version.
fn venv_dir() -> PathBuf {
    crate::paths::cache().join(format!("libtorch-{TORCH_VERSION}"))
}

/// Installs torch into the cached venv on first need; returns the wheel's `torch/` folder.
fn provision() -> Result<PathBuf, String> {
    let venv = venv_dir();
    if let Some(dir) = find_torch(&venv) {
        return Ok(dir);
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    output(&python, &["--version"], &Vec::new()).map_err(|_| {
        format!("LibTorch is needed but `{python}` was not found: install Python 3 with venv and pip; {MANUAL}")
    })?;
    eprintln!(
        "Provisioning LibTorch {TORCH_VERSION} (PyPI torch=={TORCH_VERSION}, about 5 GB with its CUDA \
         libraries; a few minutes) into {}",
        venv.display()
    );
    let partial = venv.with_extension("partial");
    let _ = std::fs::remove_dir_all(&partial);
    if let Some(parent) = partial.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let partial_str = partial.display().to_string();
    run(&python, &["-m", "venv", &partial_str], &Vec::new()).map_err(|e| {
        format!("{e}\ncould not create a venv (is python3-venv installed?); {MANUAL}")
    })?;
    let pip = partial.join("bin").join("pip").display().to_string();
    let pin = format!("torch=={TORCH_VERSION}");
    run(
        &pip,
        &["install", "--disable-pip-version-check", "--no-input", &pin],
        &Vec::new(),
    )
    .map_err(|e| format!("{e}\npip could not install {pin}; {MANUAL}"))?;
    // Rename only when complete, so an interrupted install is never mistaken for a cache hit.
    let _ = std::fs::remove_dir_all(&venv);
    std::fs::rename(&partial, &venv).map_err(|e| format!("{}: {e}", venv.display()))?;
    find_torch(&venv)
        .ok_or_else(|| format!("torch was installed but not found under {}", venv.display()))
}

/// `venv/lib/python3.*/site-packages/torch`, if it holds LibTorch's shared libraries.
fn find_torch(venv: &Path) -> Option<PathBuf> {
    let lib = std::fs::read_dir(venv.join("lib")).ok()?;
    lib.flatten()
        .map(|e| e.path().join("site-packages").join("torch"))
        .find(|t| {
            t.join("lib").join("libtorch_cpu.so").exists()
                || t.join("lib").join("libtorch_cpu.dylib").exists()
        })
}
