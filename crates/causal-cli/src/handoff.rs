//! The front end's hand-over to its companion: `causal` runs neural subcommands by replacing
//! itself with `causal-neural`, found next to its own executable, after checking that the
//! LibTorch the companion was built against is still there.

use std::path::{Path, PathBuf};

use crate::error::CliError;

/// The companion binary's name (without the platform's executable suffix).
pub const COMPANION: &str = "causal-neural";

/// The LibTorch `lib/` folder the companion was linked against (its rpath), baked in by
/// build.rs; `None` when the build found LibTorch in a system location.
const BUILT_LIBTORCH_LIB: Option<&str> = option_env!("CAUSAL_LIBTORCH_LIB");

/// The command that provisions LibTorch, named in the error when it is missing.
const PROVISION: &str = "cargo xtask libtorch";

/// Replaces this process with the companion, forwarding the arguments unchanged (stdin,
/// stdout, stderr and the exit code follow, since it is the same process). Returns only on
/// failure, with the error to report.
pub fn exec_companion() -> CliError {
    let companion = match companion_path() {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut command = std::process::Command::new(&companion);
    command.args(std::env::args_os().skip(1));
    match libtorch_lib() {
        Ok(Some(dir)) => {
            // Only a relocated LibTorch needs the search path: the built one is in the rpath.
            if std::env::var_os("CAUSAL_LIBTORCH").is_some() {
                let mut paths = vec![dir];
                if let Some(old) = std::env::var_os("LD_LIBRARY_PATH") {
                    paths.extend(std::env::split_paths(&old));
                }
                if let Ok(joined) = std::env::join_paths(paths) {
                    command.env("LD_LIBRARY_PATH", joined);
                }
            }
        }
        Ok(None) => {}
        Err(e) => return e,
    }
    run(command, &companion)
}

#[cfg(unix)]
fn run(mut command: std::process::Command, companion: &Path) -> CliError {
    use std::os::unix::process::CommandExt;
    let e = command.exec();
    CliError::Failure(format!("could not run {}: {e}", companion.display()))
}

#[cfg(not(unix))]
fn run(mut command: std::process::Command, companion: &Path) -> CliError {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(e) => CliError::Failure(format!("could not run {}: {e}", companion.display())),
    }
}

/// `causal-neural` beside the running executable (symlinks to `causal` are resolved first).
fn companion_path() -> Result<PathBuf, CliError> {
    let exe = std::env::current_exe()
        .and_then(|p| p.canonicalize())
        .map_err(|e| CliError::Failure(format!("cannot locate the running `causal`: {e}")))?;
    let dir = exe.parent().unwrap_or(Path::new("."));
    let path = dir.join(format!("{COMPANION}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(CliError::Failure(format!(
            "neural subcommands need the companion binary {}, which is missing: build or \
             install causal-cli with its default `torch` feature (run `{PROVISION}` first)",
            path.display()
        )))
    }
}

/// The LibTorch `lib/` folder to check: `$CAUSAL_LIBTORCH/lib` when set (a moved LibTorch),
/// else the one built against. Errors in one line naming the file looked for.
fn libtorch_lib() -> Result<Option<PathBuf>, CliError> {
    let dir = match std::env::var_os("CAUSAL_LIBTORCH") {
        Some(root) => PathBuf::from(root).join("lib"),
        None => match BUILT_LIBTORCH_LIB {
            Some(dir) => PathBuf::from(dir),
            None => return Ok(None),
        },
    };
    let lib = dir.join(format!(
        "{}torch_cpu{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    if lib.is_file() {
        Ok(Some(dir))
    } else {
        Err(CliError::Failure(format!(
            "LibTorch not found: looked for {} (run `{PROVISION}` to provision it, or set \
             CAUSAL_LIBTORCH to a LibTorch folder)",
            lib.display()
        )))
    }
}
