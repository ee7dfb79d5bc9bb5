//! The Colored MNIST protocol's runner and report, shared by `colored-digits`, `colored-fashion`
//! and `colored-mnist-5k`: every method of [`methods`] over seeds, the last-step,
//! training-domain and oracle figures, the published Colored MNIST figures beside them (and a
//! PyTorch run on the same data where one is stored), the bounds, and the curves.

use std::path::Path;

use causal::core::data::{ColumnRoles, Dataset};
use causal::irm::deep::{EpochMetrics, Method};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::colored_digits::{
    ANNEAL, Config, IRM_WEIGHT, PUBLISHED, VREX_WEIGHT, env_usize, methods, penalty_at, train,
};
use super::irm_plot::{Line, Series, bar_chart, line_chart, mean_sd};
use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

/// Which accuracy a bound is on (mean over seeds, last step, %).
#[derive(Clone, Copy)]
pub(crate) enum Metric {
    Train,
    Test,
}

/// A bound on a mean accuracy (%).
#[derive(Clone, Copy)]
pub(crate) enum Bound {
    AtMost(f64),
    AtLeast(f64),
}

/// A reference run of the same protocol on the same data: per method, per-seed (train, test)
/// accuracies in %, and where it came from.
pub(crate) struct Reference {
    pub label: String,
    pub runs: Vec<(&'static str, Vec<(f64, f64)>)>,
}

/// One instance of the protocol.
pub(crate) struct Protocol<'a> {
    /// Title in the report (`Colored Digits`).
    pub title: &'static str,
    /// The experiment's name.
    pub name: &'static str,
    /// What the environments are made of, for the report.
    pub data: String,
    /// Images per training environment (before the validation hold-out).
    pub train_per_env: usize,
    /// Seeds unless `$CAUSAL_SEEDS` says otherwise.
    pub default_seeds: usize,
    /// Metrics every k-th step (and the last).
    pub eval_every: usize,
    /// LibTorch intra-op threads (`None`: every core).
    pub threads: Option<i32>,
    /// (JSON key, method, metric, bound) checked on the means over seeds.
    pub bounds: &'a [(&'static str, &'static str, Metric, Bound)],
    /// A reference run on the same data, if stored.
    pub reference: Option<Reference>,
}

fn check(v: f64, b: Bound) -> bool {
    match b {
        Bound::AtMost(t) => v <= t,
        Bound::AtLeast(t) => v >= t,
    }
}

/// What the report needs of one fit; stored under `fits/` in the output folder so that an
/// interrupted run resumes (the full-scale protocol takes minutes per fit).
#[derive(Serialize, Deserialize)]
struct FitRecord {
    /// The settings the fit was made with; a stored fit with other settings is refitted.
    settings: serde_json::Value,
    seconds: f64,
    selected_epoch: usize,
    oracle_epoch: Option<usize>,
    last: EpochMetrics,
    selected: Option<EpochMetrics>,
    oracle: Option<EpochMetrics>,
    penalty: Option<f64>,
    curves: Vec<EpochMetrics>,
    terms: serde_json::Value,
    #[serde(skip)]
    loaded: bool,
}

/// Fits `method` on seed `seed`'s environments, or reads the same fit stored by an earlier run
/// into `out`. With `$CAUSAL_STORED_ONLY` set, a fit that is not stored is skipped (`None`):
/// the report is then made of the stored fits alone, each method with the seeds it has.
fn fit_or_load(
    envs: &dyn Fn(u64, bool) -> Result<(Dataset, ColumnRoles)>,
    (name, method, gray): (&str, Method, bool),
    seed: u64,
    cfg: &Config,
    out: &Path,
) -> Result<Option<FitRecord>> {
    let settings = json!({
        "method": method, "gray": gray, "seed": seed, "hidden": cfg.hidden, "l2": cfg.l2,
        "lr": cfg.learning_rate, "epochs": cfg.epochs, "eval_every": cfg.eval_every,
        "validation_fraction": cfg.validation_fraction,
    });
    let slug: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let path = out.join("fits").join(format!("{slug}-seed{seed}.json"));
    if let Some(mut stored) = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str::<FitRecord>(&t).ok())
        .filter(|r| r.settings == settings)
    {
        stored.loaded = true;
        return Ok(Some(stored));
    }
    if std::env::var_os("CAUSAL_STORED_ONLY").is_some() {
        return Ok(None);
    }
    let (table, roles) = envs(seed, gray)?;
    let start = std::time::Instant::now();
    let model = train(method, &table, &roles, seed, cfg)?;
    let seconds = start.elapsed().as_secs_f64();
    let last = model
        .last()
        .ok_or_else(|| LabError::Usage("no epochs".into()))?
        .metrics;
    let record = FitRecord {
        settings,
        seconds,
        selected_epoch: model.selected_epoch,
        oracle_epoch: model.oracle_epoch,
        last,
        selected: model.selected().map(|s| s.metrics),
        oracle: model.oracle().map(|s| s.metrics),
        penalty: penalty_at(&model, cfg.epochs - 1),
        curves: model.curves.clone(),
        terms: json!(model.history.terms),
        loaded: false,
    };
    let dir = out.join("fits");
    std::fs::create_dir_all(&dir).map_err(|source| LabError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    write_json(&dir, &format!("{slug}-seed{seed}.json"), &json!(record))?;
    Ok(Some(record))
}

/// Runs every method (or `$CAUSAL_METHODS`) over seeds on the environments that `envs` makes
/// for `(seed, gray)`, writing `results.json`, `results.md`, `accuracy.svg`, `curves.svg` and
/// `curves.json` under `out`. `$CAUSAL_SEEDS` and `$CAUSAL_EPOCHS` shorten a run. Each fit is
/// stored under `out/fits/`; a rerun into the same folder reads the fits made with the same
/// settings instead of refitting them, so an interrupted run resumes.
pub(crate) fn run_protocol(
    p: &Protocol<'_>,
    envs: &dyn Fn(u64, bool) -> Result<(Dataset, ColumnRoles)>,
    out: &Path,
) -> Result<()> {
    let wall = std::time::Instant::now();
    let seeds = env_usize("CAUSAL_SEEDS", p.default_seeds) as u64;
    let cfg = Config {
        epochs: env_usize("CAUSAL_EPOCHS", 501),
        eval_every: p.eval_every,
        ..Config::default()
    };
    let epochs = cfg.epochs;
    // `$CAUSAL_THREADS` sets LibTorch's threads, e.g. 1 each for runs of method subsets in
    // parallel processes (into the same folder: each fit is stored apart).
    let threads = std::env::var("CAUSAL_THREADS")
        .ok()
        .and_then(|t| t.parse().ok())
        .or(p.threads)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as i32));
    causal::torch::tch::set_num_threads(threads);
    let mut rows = Vec::new();
    let mut json_methods = Vec::new();
    let mut curves = serde_json::Map::new();
    let mut lines: Vec<(String, Vec<(f64, f64)>)> = Vec::new();
    let (mut train_bars, mut test_bars, mut sel_bars, mut oracle_bars) =
        (vec![], vec![], vec![], vec![]);
    // `$CAUSAL_METHODS` (comma-separated names) runs a subset, for quick checks.
    let only: Option<Vec<String>> = std::env::var("CAUSAL_METHODS")
        .ok()
        .map(|s| s.split(',').map(|m| m.trim().to_owned()).collect());
    let chosen: Vec<_> = methods()
        .into_iter()
        .filter(|(name, ..)| only.as_ref().is_none_or(|o| o.iter().any(|m| m == name)))
        .collect();
    let groups: Vec<String> = chosen.iter().map(|m| m.0.to_string()).collect();
    let mut penalties = Vec::new();
    let mut fit_seconds = 0.0;
    for (name, method, gray) in chosen {
        let (mut tr, mut te, mut sel, mut sel_train, mut orc) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut method_curves = Vec::new();
        let mut seconds = Vec::new();
        for seed in 0..seeds {
            let Some(fit) = fit_or_load(envs, (name, method, gray), seed, &cfg, out)? else {
                continue;
            };
            seconds.push(fit.seconds);
            fit_seconds += fit.seconds;
            tr.push(100.0 * fit.last.train);
            te.push(100.0 * fit.last.test.unwrap_or(f64::NAN));
            if let Some(s) = &fit.selected {
                sel.push(100.0 * s.test.unwrap_or(f64::NAN));
                sel_train.push(100.0 * s.train);
            }
            if let Some(o) = &fit.oracle {
                orc.push(100.0 * o.test.unwrap_or(f64::NAN));
            }
            if let Some(pen) = fit.penalty {
                penalties.push(json!({"method": name, "seed": seed, "last_epoch_penalty": pen}));
            }
            eprintln!(
                "{} {name} seed {seed}: train {:.1} test {:.1} (selected step {}, oracle step {:?}) {:.1}s{}",
                p.name,
                tr[tr.len() - 1],
                te[te.len() - 1],
                fit.selected_epoch,
                fit.oracle_epoch,
                fit.seconds,
                if fit.loaded { " (stored fit)" } else { "" }
            );
            if seed == 0 && matches!(name, "ERM" | "IRM" | "V-REx") {
                for (what, f) in [
                    (
                        "train",
                        (|m: &EpochMetrics| m.train) as fn(&EpochMetrics) -> f64,
                    ),
                    ("test", |m: &EpochMetrics| m.test.unwrap_or(f64::NAN)),
                ] {
                    lines.push((
                        format!("{name} {what}"),
                        fit.curves
                            .iter()
                            .map(|m| (m.epoch as f64, 100.0 * f(m)))
                            .collect(),
                    ));
                }
            }
            method_curves.push(json!({"metrics": fit.curves, "terms": fit.terms}));
        }
        curves.insert(name.into(), json!(method_curves));
        let (trm, trs) = mean_sd(&tr);
        let (tem, tes) = mean_sd(&te);
        let (sm, ss) = mean_sd(&sel);
        let (stm, sts) = mean_sd(&sel_train);
        let (om, os) = mean_sd(&orc);
        train_bars.push((trm, trs));
        test_bars.push((tem, tes));
        sel_bars.push((sm, ss));
        oracle_bars.push((om, os));
        let published = PUBLISHED
            .iter()
            .find(|(n, _)| *n == name)
            .and_then(|(_, p)| *p)
            .map_or("—".to_string(), |(a, b)| format!("{a:.1} / {b:.1}"));
        let mut row = vec![name.to_string(), published];
        if let Some(r) = &p.reference {
            row.push(r.runs.iter().find(|(n, _)| *n == name).map_or(
                "—".to_string(),
                |(_, v)| {
                    let (a, _) = mean_sd(&v.iter().map(|x| x.0).collect::<Vec<_>>());
                    let (b, _) = mean_sd(&v.iter().map(|x| x.1).collect::<Vec<_>>());
                    format!("{a:.1} / {b:.1} ({} seeds)", v.len())
                },
            ));
        }
        row.extend([
            tr.len().to_string(),
            format!("{trm:.1} ± {trs:.1}"),
            format!("{tem:.1} ± {tes:.1}"),
            format!("{stm:.1} ± {sts:.1} / {sm:.1} ± {ss:.1}"),
            format!("{om:.1} ± {os:.1}"),
            format!("{:.1}", mean_sd(&seconds).0),
        ]);
        rows.push(row);
        json_methods.push(json!({
            "method": name, "train_last": tr, "test_last": te,
            "train_training_domain_selection": sel_train,
            "test_training_domain_selection": sel, "test_oracle_selection": orc,
            "seconds_per_fit": seconds,
        }));
    }
    let get = |n: &str, v: &[(f64, f64)]| groups.iter().position(|g| g == n).map(|i| v[i].0);
    let mut acceptance = serde_json::Map::new();
    for (key, method, metric, bound) in p.bounds {
        let bars = match metric {
            Metric::Train => &train_bars,
            Metric::Test => &test_bars,
        };
        acceptance.insert(
            (*key).into(),
            json!(get(method, bars).map(|v| check(v, *bound))),
        );
    }
    let acceptance = serde_json::Value::Object(acceptance);
    let wall_seconds = wall.elapsed().as_secs_f64();
    write_json(
        out,
        "results.json",
        &json!({
            "experiment": p.name, "seeds": seeds, "epochs": epochs, "hidden": cfg.hidden,
            "l2": cfg.l2, "lr": cfg.learning_rate, "validation_fraction": cfg.validation_fraction,
            "eval_every": cfg.eval_every, "threads": threads,
            "anneal_epochs": ANNEAL, "irm_weight": IRM_WEIGHT, "vrex_weight": VREX_WEIGHT,
            "train_images_per_environment": p.train_per_env, "methods": json_methods,
            "acceptance": acceptance, "penalties": penalties, "wall_seconds": wall_seconds,
            "fit_seconds_total": fit_seconds,
            "reference": p.reference.as_ref().map(|r| json!({
                "label": r.label,
                "runs": r.runs.iter().map(|(n, v)| json!({"method": n, "train_test": v})).collect::<Vec<_>>(),
            })),
        }),
    )?;
    write_json(out, "curves.json", &serde_json::Value::Object(curves))?;
    bar_chart(
        &out.join("accuracy.svg"),
        &format!("{}: accuracy (%), mean ± sd over seeds", p.title),
        "accuracy (%)",
        &groups,
        &[
            Series {
                name: "train (last step)",
                values: train_bars.clone(),
            },
            Series {
                name: "test (last step)",
                values: test_bars.clone(),
            },
            Series {
                name: "test (training-domain validation)",
                values: sel_bars,
            },
            Series {
                name: "test (oracle)",
                values: oracle_bars,
            },
        ],
    )?;
    let line_refs: Vec<Line<'_>> = lines
        .iter()
        .map(|(n, pts)| Line {
            name: n,
            points: pts.clone(),
        })
        .collect();
    line_chart(
        &out.join("curves.svg"),
        &format!("{}, seed 0: accuracy (%) by step", p.title),
        "full-batch step",
        "accuracy (%)",
        &line_refs,
    )?;
    let mut header = vec!["method", "published (Colored MNIST) train / test"];
    if let Some(r) = &p.reference {
        header.push(&r.label);
    }
    header.extend([
        "seeds",
        "train (last)",
        "test (last)",
        "train / test (training-domain sel.)",
        "test (oracle sel.)",
        "s per fit (wall clock)",
    ]);
    let held = (p.train_per_env as f64 * cfg.validation_fraction).round();
    let md = format!(
        "# {}\n\nColored MNIST protocol (Arjovsky et al. 2019) on {}; 25% label noise, two colour \
         channels; MLP 2×{}, l2 {:.4}, full-batch Adam (lr {:.2e}), {epochs} steps, IRM weight \
         {IRM_WEIGHT:.0} and V-REx weight {VREX_WEIGHT:.0} after {ANNEAL} steps at 1 (the published \
         IRM settings, not tuned here), up to {seeds} seeds (mean ± sd, accuracy %). Each training \
         environment holds {} images, of which {held:.0} ({:.0}%) are held out for \
         training-domain validation and the rest are trained on. \"Last\" is the fixed budget of \
         the published protocol; \"training-domain\" picks the step by accuracy on the held-out \
         images of the training environments (DomainBed); \"oracle\" picks it on 20% of the test \
         environment and reports the other 80%. Metrics are computed every {} step(s) and at the \
         last. Published: Colored MNIST (25 000 images per training environment, 14×14), MLP, \
         Table 1 of the IRM paper. The fits took {fit_seconds:.0} s of wall clock in all \
         ({threads} LibTorch thread(s)).\n\n{}\n\
         Acceptance (means at the last step): {acceptance}\n\n![accuracy](accuracy.svg)\n\n\
         ![curves](curves.svg)\n",
        p.name,
        p.data,
        cfg.hidden,
        cfg.l2,
        cfg.learning_rate,
        p.train_per_env,
        100.0 * cfg.validation_fraction,
        cfg.eval_every,
        markdown_table(&header, &rows)
    );
    // The evidence when the invariance methods miss their bounds.
    let pen = |m: &str| {
        let v: Vec<f64> = penalties
            .iter()
            .filter(|q| q["method"] == m)
            .filter_map(|q| q["last_epoch_penalty"].as_f64())
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    let missed = p
        .bounds
        .iter()
        .any(|(key, m, ..)| *m != "ERM" && acceptance[*key] == json!(false));
    let md = if missed {
        format!(
            "{md}\n## Why IRM and V-REx miss the bounds here\n\n\
             Each training environment holds about {:.0} training images (Colored MNIST: 25 000), \
             and the 2×{} MLP fits them: ERM ends at {:.1}% train accuracy. Both penalties are one \
             scalar per environment (IRMv1: the gradient of the environment's risk with respect to \
             a scalar output scale; V-REx: the spread of the environment risks), and a network that \
             can fit its training rows satisfies them without giving up colour: at the last step the \
             mean penalty is {} (IRM) and {} (V-REx) while test accuracy stays at {:.1}% and \
             {:.1}%. Shape is also slow to appear beside colour: train accuracy stays at the colour-only \
             level (about 85%) for the first ~100 steps (`curves.svg`), so little shape is learned when \
             the penalty switches on at step {ANNEAL}. The oracle column can exceed 50% through steps \
             whose predictions are anti-correlated with colour (train accuracy below 50%), not through \
             shape; read it with `curves.json`.\n",
            p.train_per_env as f64 - held,
            cfg.hidden,
            get("ERM", &train_bars).unwrap_or(f64::NAN),
            pen("IRM").map_or("—".into(), |v| format!("{v:.1e}")),
            pen("V-REx").map_or("—".into(), |v| format!("{v:.1e}")),
            get("IRM", &test_bars).unwrap_or(f64::NAN),
            get("V-REx", &test_bars).unwrap_or(f64::NAN),
        )
    } else {
        md
    };
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
