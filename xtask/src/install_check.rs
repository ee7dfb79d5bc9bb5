//! `cargo xtask install-check`: what a user gets from `cargo install --path crates/causal-cli`
//! must run without setup: it installs into `target/install-check/` (reusing the release build)
//! and, with no `LD_LIBRARY_PATH`, runs `causal --help` and a two-epoch TARNet fit, which the
//! front end hands to the installed companion `causal-neural`; on Linux it also checks that
//! the front end loads no LibTorch.

use std::process::Command;

use crate::process::{cargo, run};
use crate::{libtorch, paths};

/// `cargo xtask install-check`.
pub fn command(_args: &[String]) -> Result<(), String> {
    let mut env = libtorch::env()?;
    // The install builds in the workspace's target folder, not a fresh temporary one.
    env.push((
        "CARGO_TARGET_DIR".into(),
        paths::target().display().to_string(),
    ));
    let root = paths::target().join("install-check");
    let root_str = root.display().to_string();
    run(
        &cargo(),
        &[
            "install",
            "--locked",
            "--force",
            "--path",
            "crates/causal-cli",
            "--root",
            &root_str,
        ],
        &env,
    )?;
    let causal = root.join("bin").join("causal");
    let data = root.join("ite.csv");
    let mut csv = String::from("x,t,y\n");
    for i in 0..200 {
        let x = (0.37 * f64::from(i)).sin();
        let t = u8::from((1.7 * f64::from(i)).cos() + x > 0.0);
        csv.push_str(&format!("{x},{t},{}\n", x + 2.0 * f64::from(t)));
    }
    std::fs::write(&data, csv).map_err(|e| format!("{}: {e}", data.display()))?;
    let data_str = data.display().to_string();
    let checks: [&[&str]; 2] = [
        &["--help"],
        &[
            "ite",
            "--model",
            "tarnet",
            "--data",
            &data_str,
            "--treatment",
            "t",
            "--outcome",
            "y",
            "--epochs",
            "2",
            "--quiet",
        ],
    ];
    for args in checks {
        eprintln!(
            "$ {} {} (LD_LIBRARY_PATH unset)",
            causal.display(),
            args.join(" ")
        );
        let out = Command::new(&causal)
            .args(args)
            .env_remove("LD_LIBRARY_PATH")
            .env_remove("LIBTORCH")
            .output()
            .map_err(|e| format!("could not start {}: {e}", causal.display()))?;
        if !out.status.success() {
            return Err(format!(
                "installed `causal {}` failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    // The front end itself must not load LibTorch (glibc's loader log names each library).
    if cfg!(target_os = "linux") {
        let out = Command::new(&causal)
            .arg("--help")
            .env_remove("LD_LIBRARY_PATH")
            .env("LD_DEBUG", "libs")
            .output()
            .map_err(|e| format!("could not start {}: {e}", causal.display()))?;
        let log = String::from_utf8_lossy(&out.stderr);
        if let Some(line) = log.lines().find(|l| {
            l.contains("find library=") && (l.contains("libtorch") || l.contains("libc10"))
        }) {
            return Err(format!(
                "the installed front end loads LibTorch: {}",
                line.trim()
            ));
        }
    }
    eprintln!("xtask install-check: the installed causal runs without setup ({root_str})");
    Ok(())
}
