//! `cargo xtask bench --check`: run the criterion suites of the current tree and of the
//! merge-base in one job, and fail when a benchmark regressed by more than 15% beyond noise.
//!
//! Each tree builds in its own target folder: cargo fingerprints workspace members by their
//! path relative to the workspace root, so with one shared folder the second tree's sources
//! look up to date and its stale binaries would be measured. Both runs share one
//! `CRITERION_HOME`, so criterion stores the two baselines side by side
//! (`criterion/<bench>/{base,current}/estimates.json`); the comparison reads those files.

use std::path::{Path, PathBuf};

use crate::process::{Env, cargo, output, run};

/// Slow-down beyond which a benchmark fails the check (on top of non-overlapping intervals).
const THRESHOLD: f64 = 1.15;

/// Criterion settings that keep the check short while still giving confidence intervals.
const CRITERION_ARGS: &[&str] = &["--warm-up-time", "1", "--measurement-time", "3", "--noplot"];

/// What `bench --check` compares.
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// The base revision (default: the merge-base of HEAD and main).
    pub base: Option<String>,
    /// Only these packages' suites (default: the whole workspace).
    pub packages: Vec<String>,
    /// Only benchmarks whose id matches this criterion filter.
    pub filter: Option<String>,
}

/// Runs the check of the current tree against the base revision.
pub fn check(env: &Env, opts: &CheckOptions) -> Result<(), String> {
    let root = crate::paths::root();
    let base = match &opts.base {
        Some(r) => r.clone(),
        None => merge_base()?,
    };
    let target = root.join("target").join("bench-check");
    let _ = std::fs::remove_dir_all(target.join("criterion"));
    let worktree = root.join("target").join("bench-base");
    let worktree_str = worktree.display().to_string();
    let _ = output(
        "git",
        &["worktree", "remove", "--force", &worktree_str],
        &Vec::new(),
    );
    run(
        "git",
        &[
            "worktree",
            "add",
            "--detach",
            "--force",
            &worktree_str,
            &base,
        ],
        &Vec::new(),
    )?;
    let result = (|| {
        bench_tree(&worktree, &target, "base", env, opts)?;
        bench_tree(&root, &target, "current", env, opts)?;
        compare(&target.join("criterion"))
    })();
    let _ = output(
        "git",
        &["worktree", "remove", "--force", &worktree_str],
        &Vec::new(),
    );
    result
}

fn merge_base() -> Result<String, String> {
    for upstream in ["origin/main", "main"] {
        if let Ok(sha) = output("git", &["merge-base", "HEAD", upstream], &Vec::new()) {
            return Ok(sha.trim().to_owned());
        }
    }
    Err("no merge-base with main found; pass --base REF".into())
}

fn bench_tree(
    tree: &Path,
    target: &Path,
    baseline: &str,
    env: &Env,
    opts: &CheckOptions,
) -> Result<(), String> {
    eprintln!(
        "bench --check: running the {baseline} tree ({})",
        tree.display()
    );
    let mut env = env.clone();
    env.push((
        "CARGO_TARGET_DIR".into(),
        target.join(baseline).display().to_string(),
    ));
    env.push((
        "CRITERION_HOME".into(),
        target.join("criterion").display().to_string(),
    ));
    let manifest = tree.join("Cargo.toml").display().to_string();
    let mut args = vec!["bench", "--manifest-path", &manifest, "--all-features"];
    if opts.packages.is_empty() {
        args.push("--workspace");
    }
    for p in &opts.packages {
        args.extend(["--package", p.as_str()]);
    }
    // Only the criterion targets: a library's own libtest bench harness rejects criterion's flags.
    args.extend(["--bench", "*", "--", "--save-baseline", baseline]);
    args.extend_from_slice(CRITERION_ARGS);
    if let Some(f) = &opts.filter {
        args.push(f);
    }
    run(&cargo(), &args, &env)
}

/// One benchmark's mean estimate: point, and the 95% interval.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Mean {
    point: f64,
    lower: f64,
    upper: f64,
}

fn compare(criterion: &Path) -> Result<(), String> {
    let mut regressions = Vec::new();
    let mut compared = 0;
    for dir in bench_dirs(criterion) {
        let (Some(base), Some(cur)) = (
            read_mean(&dir.join("base")),
            read_mean(&dir.join("current")),
        ) else {
            continue;
        };
        compared += 1;
        let ratio = cur.point / base.point;
        let name = dir
            .strip_prefix(criterion)
            .unwrap_or(&dir)
            .display()
            .to_string();
        eprintln!(
            "{name:<60} base {:>12.1} ns  current {:>12.1} ns  ratio {ratio:.3}",
            base.point, cur.point
        );
        if regressed(base, cur) {
            regressions.push(format!("{name}: {ratio:.2}x slower"));
        }
    }
    if compared == 0 {
        eprintln!("bench --check: no benchmark exists in both trees; nothing to compare");
        return Ok(());
    }
    if regressions.is_empty() {
        eprintln!(
            "bench --check: {compared} benchmarks, no regression beyond {THRESHOLD}x and noise"
        );
        Ok(())
    } else {
        Err(format!(
            "benchmarks regressed:\n  {}",
            regressions.join("\n  ")
        ))
    }
}

/// Slower by more than the threshold, and the intervals do not overlap (beyond noise).
fn regressed(base: Mean, cur: Mean) -> bool {
    cur.point > THRESHOLD * base.point && cur.lower > base.upper
}

/// Every folder under `criterion/` holding a `base` or `current` estimate.
fn bench_dirs(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.join("estimates.json").exists() {
                    if let Some(parent) = p.parent() {
                        out.push(parent.to_path_buf());
                    }
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn read_mean(dir: &Path) -> Option<Mean> {
    parse_mean(&std::fs::read_to_string(dir.join("estimates.json")).ok()?)
}

/// Reads `mean.point_estimate` and its interval from criterion's `estimates.json`.
fn parse_mean(json: &str) -> Option<Mean> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let mean = v.get("mean")?;
    let interval = mean.get("confidence_interval")?;
    Some(Mean {
        point: mean.get("point_estimate")?.as_f64()?,
        lower: interval.get("lower_bound")?.as_f64()?,
        upper: interval.get("upper_bound")?.as_f64()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":98.5,"upper_bound":101.5},"point_estimate":100.0,"standard_error":0.7},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":1.0,"upper_bound":2.0},"point_estimate":1.5,"standard_error":0.1}}"#;

    #[test]
    fn parses_the_mean_not_the_median() {
        let m = parse_mean(ESTIMATES).unwrap();
        assert_eq!(
            m,
            Mean {
                point: 100.0,
                lower: 98.5,
                upper: 101.5
            }
        );
        assert!(parse_mean("{}").is_none());
    }

    #[test]
    fn regression_needs_threshold_and_separation() {
        let base = Mean {
            point: 100.0,
            lower: 98.0,
            upper: 102.0,
        };
        let doubled = Mean {
            point: 200.0,
            lower: 196.0,
            upper: 204.0,
        };
        assert!(regressed(base, doubled));
        let noisy = Mean {
            point: 120.0,
            lower: 90.0,
            upper: 150.0,
        };
        assert!(!regressed(base, noisy), "overlapping intervals are noise");
        let small = Mean {
            point: 110.0,
            lower: 109.0,
            upper: 111.0,
        };
        assert!(!regressed(base, small), "10% is under the threshold");
    }
}
