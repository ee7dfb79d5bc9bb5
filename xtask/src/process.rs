//! Running commands with an environment, and reporting failures by name.

use std::process::Command;

/// Environment variables to set on a child process.
pub type Env = Vec<(String, String)>;

/// Runs `program args..` in the workspace root with `env`; fails if it exits non-zero.
pub fn run(program: &str, args: &[&str], env: &Env) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(crate::paths::root())
        .status()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Runs a command and returns its stdout; fails if it exits non-zero.
pub fn output(program: &str, args: &[&str], env: &Env) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .current_dir(crate::paths::root())
        .output()
        .map_err(|e| format!("could not start {program}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "`{program} {}` failed ({}):\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `cargo`, honouring `$CARGO` as set by `cargo xtask`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}
