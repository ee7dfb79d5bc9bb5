//! The structural-equation experiments of Arjovsky et al. (2019), section 5.1 (their
//! `ChainEquationModel`), with ICP beside ERM and IRM.
//!
//! Per environment `e ∈ {0.2, 2, 5}`, with 5 + 5 dimensions and `n = 1000`:
//! `H ~ N(0, e²)`, `X = H·W_hx + N(0, e²)`, `Y = X·W_xy + H·W_hy + N(0, σ_y²)`,
//! `Z = Y·W_yz + H·W_hz + N(0, σ_z²)`; the target is `Σ Y`, the observed features `[X, Z]·S`.
//! `W_xy = W_yz = I`. Heteroskedastic: `σ_y = e, σ_z = 1`; homoskedastic: `σ_y = 1, σ_z = e`.
//! Fully observed: `W_hx = I`, `W_hy = W_hz = 0`; partially observed: all three `N(0,1)/10`.
//! Scrambled: `S` a random orthogonal matrix; unscrambled: `S = I`. The causal solution is
//! `w = (1,…,1, 0,…,0)`; errors are mean squared errors of the unscrambled estimate `S·ŵ` on the
//! causal and non-causal halves. ERM and ICP use all three environments; both IRMs train on the
//! first two and pick their penalty weight on the third (as in the paper's code). Two IRMv1s:
//! ours (causal-irm's `Deep`, a linear model with a scalar dummy, `R + λ·penalty`) and the
//! authors' (causal-irm's `linear`: their Φ, dummy w = 1, `reg·R + (1 − reg)·penalty`, grid and
//! selection), beside the authors' released numbers ([`super::irm_published`]).

use causal::prelude::ParamGuard;
use std::path::Path;

use causal::core::data::Dataset;
use causal::irm::deep::{DeepParams, Method, Task};

use super::env_table::{Block, env_table};
use causal::irm::environments::Environments;
use causal::irm::icp::IcpParams;
use causal::irm::linear::LinearIrmParams;
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde_json::json;

use super::irm_plot::{Series, bar_chart, mean_sd};
use super::irm_published::published;
use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

const HALF: usize = 5;
const N: usize = 1000;
const ENVS: [f64; 3] = [0.2, 2.0, 5.0];
const IRM_WEIGHTS: [f64; 4] = [1e1, 1e2, 1e3, 1e4];
/// Methods in table order, and the published method each is compared with.
const METHODS: [(&str, &str); 4] = [
    ("ERM", "ERM"),
    ("ICP", "ICP"),
    ("IRM (ours)", "IRM"),
    ("IRM (authors)", "IRM"),
];
/// A homoskedastic mean within this factor of the published one (either way) counts as
/// reproduced: with 5 seeds and IRM's spread (sd about the mean), a faithful run lands
/// within it, and the 10-100× gap of issue 19 does not.
const REPRO_FACTOR: f64 = 3.0;

struct Setting {
    hetero: bool,
    hidden: bool,
    scramble: bool,
}

impl Setting {
    fn name(&self) -> String {
        format!(
            "{}{}{}",
            if self.hidden { "PO" } else { "FO" },
            if self.scramble { "S" } else { "U" },
            if self.hetero { "-hetero" } else { "-homo" }
        )
    }
}

struct Sem {
    whx: DMatrix<f64>,
    why: DMatrix<f64>,
    whz: DMatrix<f64>,
    scramble: DMatrix<f64>,
    hetero: bool,
}

fn normal(rng: &mut ChaCha8Rng, r: usize, c: usize, scale: f64) -> DMatrix<f64> {
    DMatrix::from_fn(r, c, |_, _| {
        let z: f64 = StandardNormal.sample(rng);
        z * scale
    })
}

impl Sem {
    fn new(s: &Setting, rng: &mut ChaCha8Rng) -> Self {
        let d = 2 * HALF;
        let scramble = if s.scramble {
            normal(rng, d, d, 1.0).qr().q()
        } else {
            DMatrix::identity(d, d)
        };
        let (whx, why, whz) = if s.hidden {
            let k = 1.0 / d as f64;
            (
                normal(rng, HALF, HALF, k),
                normal(rng, HALF, HALF, k),
                normal(rng, HALF, HALF, k),
            )
        } else {
            (
                DMatrix::identity(HALF, HALF),
                DMatrix::zeros(HALF, HALF),
                DMatrix::zeros(HALF, HALF),
            )
        };
        Self {
            whx,
            why,
            whz,
            scramble,
            hetero: s.hetero,
        }
    }

    /// Observed features (`n × 10`) and target (`n`).
    fn sample(&self, e: f64, rng: &mut ChaCha8Rng) -> (DMatrix<f64>, DVector<f64>) {
        let h = normal(rng, N, HALF, e);
        let x = &h * &self.whx + normal(rng, N, HALF, e);
        let (sy, sz) = if self.hetero { (e, 1.0) } else { (1.0, e) };
        let y = &x + &h * &self.why + normal(rng, N, HALF, sy);
        let z = &y + &h * &self.whz + normal(rng, N, HALF, sz);
        let mut xz = DMatrix::zeros(N, 2 * HALF);
        xz.columns_mut(0, HALF).copy_from(&x);
        xz.columns_mut(HALF, HALF).copy_from(&z);
        let target = DVector::from_iterator(N, y.row_iter().map(|r| r.sum()));
        (xz * &self.scramble, target)
    }
}

fn ols(x: &DMatrix<f64>, y: &DVector<f64>) -> Result<DVector<f64>> {
    let xtx = x.transpose() * x;
    xtx.cholesky()
        .map(|c| c.solve(&(x.transpose() * y)))
        .ok_or_else(|| LabError::Usage("singular design in OLS".into()))
}

fn stack(parts: &[(DMatrix<f64>, DVector<f64>)]) -> (DMatrix<f64>, DVector<f64>) {
    let n: usize = parts.iter().map(|p| p.0.nrows()).sum();
    let d = parts[0].0.ncols();
    let mut x = DMatrix::zeros(n, d);
    let mut y = DVector::zeros(n);
    let mut r = 0;
    for (px, py) in parts {
        x.rows_mut(r, px.nrows()).copy_from(px);
        y.rows_mut(r, px.nrows()).copy_from(py);
        r += px.nrows();
    }
    (x, y)
}

fn env_data(x: &DMatrix<f64>, y: &DVector<f64>) -> Block {
    let flat: Vec<f32> = x
        .row_iter()
        .flat_map(|r| r.iter().map(|v| *v as f32).collect::<Vec<_>>())
        .collect();
    (flat, x.ncols(), y.iter().map(|v| *v as f32).collect())
}

fn errors(sem: &Sem, w_obs: &DVector<f64>) -> (f64, f64) {
    let w = &sem.scramble * w_obs;
    let causal = (0..HALF).map(|j| (w[j] - 1.0).powi(2)).sum::<f64>() / HALF as f64;
    let non = (HALF..2 * HALF).map(|j| w[j].powi(2)).sum::<f64>() / HALF as f64;
    (causal, non)
}

fn icp_solution(parts: &[(DMatrix<f64>, DVector<f64>)]) -> Result<DVector<f64>> {
    let (x, y) = stack(parts);
    let d = x.ncols();
    let mut names: Vec<String> = (0..d).map(|j| format!("X{j}")).collect();
    names.extend(["Y".to_string(), "E".to_string()]);
    let mut cols: Vec<Vec<f64>> = (0..d)
        .map(|j| x.column(j).iter().copied().collect())
        .collect();
    cols.push(y.iter().copied().collect());
    cols.push(
        parts
            .iter()
            .enumerate()
            .flat_map(|(e, p)| std::iter::repeat_n(e as f64, p.0.nrows()))
            .collect(),
    );
    let data = Dataset::new(names, cols)?.with_environment("E")?;
    let envs = Environments::from_dataset(&data).map_err(|e| LabError::Usage(e.to_string()))?;
    let icp = IcpParams::new()
        .check()
        .and_then(|p| p.fit(&data, "Y", &envs))
        .map_err(|e| LabError::Usage(e.to_string()))?;
    let mut w = DVector::zeros(d);
    if !icp.estimate.is_empty() {
        let xs = DMatrix::from_fn(x.nrows(), icp.estimate.len(), |i, k| {
            x[(i, icp.estimate[k])]
        });
        let b = ols(&xs, &y)?;
        for (k, &j) in icp.estimate.iter().enumerate() {
            w[j] = b[k];
        }
    }
    Ok(w)
}

fn irm_solution(parts: &[(DMatrix<f64>, DVector<f64>)], seed: u64) -> Result<(DVector<f64>, f64)> {
    let (train, roles) = env_table(&[
        env_data(&parts[0].0, &parts[0].1),
        env_data(&parts[1].0, &parts[1].1),
    ])?;
    let (xv, yv) = &parts[2];
    let mut best: Option<(f64, DVector<f64>, f64)> = None;
    for weight in IRM_WEIGHTS {
        let model = DeepParams::new(
            Method::Irm {
                weight,
                anneal_epochs: 0,
            },
            Task::Regression,
        )
        .hidden(&[])
        .l2(0.0)
        .learning_rate(1e-2)
        .epochs(epochs())
        .validation_fraction(0.0)
        .seed(seed)
        .device("cpu")
        .check()
        .and_then(|p| p.fit(&train, &roles, &[]))
        .map_err(|e| LabError::Usage(e.to_string()))?;
        let w = model
            .linear_weights()
            .map_err(|e| LabError::Usage(e.to_string()))?
            .ok_or_else(|| LabError::Usage("IRM model is not linear".into()))?;
        let w = DVector::from_vec(w);
        let err = (xv * &w - yv).norm_squared() / yv.len() as f64;
        if best.as_ref().is_none_or(|b| err < b.0) {
            best = Some((err, w, weight));
        }
    }
    best.map(|(_, w, l)| (w, l))
        .ok_or_else(|| LabError::Usage("no IRM fit".into()))
}

/// The authors' IRMv1 (their Φ, dummy, loss, grid and selection; see causal-irm's `linear`):
/// the solution and the selected risk weight `reg`.
fn authors_irm_solution(parts: &[(DMatrix<f64>, DVector<f64>)]) -> Result<(DVector<f64>, f64)> {
    let fit = LinearIrmParams::new()
        .iterations(authors_iterations())
        .check()
        .and_then(|p| p.fit(parts))
        .map_err(|e| LabError::Usage(e.to_string()))?;
    Ok((
        DVector::from_vec(fit.coefficients.clone()),
        fit.risk_weight(),
    ))
}

fn epochs() -> usize {
    std::env::var("CAUSAL_EPOCHS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
}

/// Adam steps of the authors' IRM (their `main.py` default, 100 000, unless overridden).
fn authors_iterations() -> usize {
    std::env::var("CAUSAL_IRM_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000)
}

/// `(mean, sd)` of one method's causal and non-causal errors per setting, in `groups` order:
/// `bars[2m]` causal, `bars[2m + 1]` non-causal for method `m` of [`METHODS`].
type Bars = Vec<Vec<(f64, f64)>>;

/// Whether one IRM's homoskedastic rows reproduce the published ones (the paper's ordering,
/// at most ERM's errors, and every mean within [`REPRO_FACTOR`]), and the largest ratio.
fn reproduces(groups: &[String], bars: &Bars, m: usize) -> (bool, f64) {
    let mut ok = true;
    let mut worst: f64 = 1.0;
    for (g, name) in groups.iter().enumerate() {
        if !name.ends_with("-homo") {
            continue;
        }
        let Some((pc, pn)) = published(name, "IRM") else {
            continue;
        };
        let (c, n) = (bars[2 * m][g].0, bars[2 * m + 1][g].0);
        for (ours, paper) in [(c, pc), (n, pn)] {
            let ratio = (ours / paper).max(paper / ours);
            worst = worst.max(ratio);
            ok &= ratio <= REPRO_FACTOR;
        }
        ok &= c <= bars[0][g].0 && n <= bars[1][g].0;
    }
    (ok, worst)
}

/// Trend checks against the paper (which method is better where), from the table's means.
fn trend_checks(groups: &[String], bars: &Bars) -> Vec<(String, bool)> {
    let idx = |hetero: bool| -> Vec<usize> {
        (0..groups.len())
            .filter(|&g| groups[g].ends_with("-hetero") == hetero)
            .collect()
    };
    let at = |series: usize, g: usize| bars[series][g].0;
    let (erm_c, erm_n, icp_c, icp_n) = (0, 1, 2, 3);
    let mut checks = vec![
        (
            "ERM's non-causal error is ≥ 10× larger with heteroskedastic Y noise than homoskedastic"
                .to_string(),
            idx(true)
                .iter()
                .zip(idx(false))
                .all(|(&h, o)| at(erm_n, h) >= 10.0 * at(erm_n, o)),
        ),
        (
            "ICP is exact (both errors < 0.01) in FOU-homo".to_string(),
            at(icp_c, 0) < 0.01 && at(icp_n, 0) < 0.01,
        ),
        (
            "ICP returns the empty set (causal error > 0.9) in every other setting".to_string(),
            (1..groups.len()).all(|g| at(icp_c, g) > 0.9),
        ),
    ];
    for (m, (name, _)) in METHODS.iter().enumerate().skip(2) {
        let (c, n) = (2 * m, 2 * m + 1);
        checks.push((
            format!("{name}: both errors below ERM's in every heteroskedastic setting"),
            idx(true)
                .iter()
                .all(|&g| at(c, g) < at(erm_c, g) && at(n, g) < at(erm_n, g)),
        ));
        checks.push((
            format!("{name}: both errors at most ERM's in every homoskedastic setting"),
            idx(false)
                .iter()
                .all(|&g| at(c, g) <= at(erm_c, g) && at(n, g) <= at(erm_n, g)),
        ));
    }
    checks
}

/// Runs the experiment, writing `results.json`, `results.md` and `errors.svg`.
pub fn run(out: &Path) -> Result<()> {
    let seeds: u64 = std::env::var("CAUSAL_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    // 10-feature linear fits: extra OpenMP threads only spin on a shared machine.
    causal::torch::tch::set_num_threads(1);
    let mut rows = Vec::new();
    let mut records = Vec::new();
    let mut groups = Vec::new();
    let mut all_lambdas: Vec<f64> = Vec::new();
    let mut all_regs: Vec<f64> = Vec::new();
    let mut bars: Bars = vec![Vec::new(); 2 * METHODS.len()];
    let fmt = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.3}"));
    for hidden in [false, true] {
        for scramble in [false, true] {
            for hetero in [false, true] {
                let s = Setting {
                    hetero,
                    hidden,
                    scramble,
                };
                let mut errs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); METHODS.len()];
                let (mut lambdas, mut regs) = (Vec::new(), Vec::new());
                for seed in 0..seeds {
                    let mut rng = ChaCha8Rng::seed_from_u64(seed * 1000 + 7);
                    let sem = Sem::new(&s, &mut rng);
                    let parts: Vec<_> = ENVS.iter().map(|&e| sem.sample(e, &mut rng)).collect();
                    let (x, y) = stack(&parts);
                    errs[0].push(errors(&sem, &ols(&x, &y)?));
                    errs[1].push(errors(&sem, &icp_solution(&parts)?));
                    let (w, lambda) = irm_solution(&parts, seed)?;
                    lambdas.push(lambda);
                    errs[2].push(errors(&sem, &w));
                    let (w, reg) = authors_irm_solution(&parts)?;
                    regs.push(reg);
                    errs[3].push(errors(&sem, &w));
                }
                groups.push(s.name());
                for (m, (name, paper)) in METHODS.iter().enumerate() {
                    let c: Vec<f64> = errs[m].iter().map(|e| e.0).collect();
                    let nc: Vec<f64> = errs[m].iter().map(|e| e.1).collect();
                    let (cm, cs) = mean_sd(&c);
                    let (nm, ns) = mean_sd(&nc);
                    bars[2 * m].push((cm, cs));
                    bars[2 * m + 1].push((nm, ns));
                    let p = published(&s.name(), paper);
                    rows.push(vec![
                        s.name(),
                        name.to_string(),
                        format!("{cm:.3} ± {cs:.3}"),
                        format!("{nm:.3} ± {ns:.3}"),
                        fmt(p.map(|p| p.0)),
                        fmt(p.map(|p| p.1)),
                    ]);
                    records.push(json!({"setting": s.name(), "method": name, "causal_error": c, "non_causal_error": nc,
                        "published_mean": p.map(|p| json!({"causal": p.0, "non_causal": p.1}))}));
                }
                all_lambdas.extend_from_slice(&lambdas);
                all_regs.extend_from_slice(&regs);
                records.push(json!({"setting": s.name(), "irm_selected_weights": lambdas, "authors_irm_selected_reg": regs}));
                eprintln!("{} done", s.name());
            }
        }
    }
    let checks = trend_checks(&groups, &bars);
    let check_md: String = checks
        .iter()
        .map(|(what, ok)| format!("- [{}] {what}\n", if *ok { "x" } else { " " }))
        .collect();
    let check_json: Vec<_> = checks
        .iter()
        .map(|(what, ok)| json!({"trend": what, "holds": ok}))
        .collect();
    let repro: Vec<(&str, bool, f64)> = [2, 3]
        .iter()
        .map(|&m| {
            let (ok, worst) = reproduces(&groups, &bars, m);
            (METHODS[m].0, ok, worst)
        })
        .collect();
    write_json(
        out,
        "results.json",
        &json!({"seeds": seeds, "n": N, "envs": ENVS, "irm_epochs": epochs(),
            "authors_irm_iterations": authors_iterations(), "results": records,
            "trend_checks": check_json,
            "reproduces_homoskedastic": repro.iter().map(|(n, ok, w)| json!({"method": n, "reproduces": ok, "largest_ratio_to_published": w})).collect::<Vec<_>>()}),
    )?;
    let names: Vec<String> = METHODS
        .iter()
        .flat_map(|(m, _)| [format!("{m} causal"), format!("{m} non-causal")])
        .collect();
    let series: Vec<Series<'_>> = names
        .iter()
        .zip(bars)
        .map(|(n, v)| Series { name: n, values: v })
        .collect();
    bar_chart(
        &out.join("errors.svg"),
        "IRM synthetic SEMs: weight errors (MSE)",
        "mean squared error",
        &groups,
        &series,
    )?;
    let count = |grid: &[f64], picked: &[f64]| {
        grid.iter()
            .map(|w| format!("{w:.0e}: {}", picked.iter().filter(|l| *l == w).count()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let verdict: String = repro
        .iter()
        .map(|(name, ok, worst)| {
            format!(
                "- {name} {} the paper's homoskedastic rows (largest ratio to a published mean: {worst:.1}×).\n",
                if *ok { "reproduces" } else { "does not reproduce" }
            )
        })
        .collect();
    let md = format!(
        "# irm-synthetic\n\nArjovsky et al. (2019) §5.1 SEMs, 5 causal + 5 non-causal features, n = {N} per \
         environment e ∈ {{0.2, 2, 5}}, {seeds} seeds (mean ± sd of the mean squared weight error on each half). \
         FO/PO: fully / partially observed; U/S: unscrambled / scrambled. ICP: approximate test, α = 0.05, OLS \
         on its estimate (zero if empty). IRM (ours): causal-irm's `Deep` IRMv1, a linear model with a scalar \
         dummy, loss `R + λ·penalty`, {} full-batch Adam epochs at 1e-2, λ among {IRM_WEIGHTS:?} chosen on \
         e = 5 (count per value: {}). IRM (authors): their released code's IRMv1 (causal-irm's `linear`): \
         Φ (10 × 10, from I) times a fixed dummy w = 1, loss `reg·Σ R_e + (1 − reg)·Σ mean (∂R_e/∂w)²`, {} \
         full-batch Adam steps at 1e-3 (in f64; theirs float32), reg among [0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1] \
         chosen on e = 5 (count per value: {}).\n\nPublished: the means of the authors' released \
         `synthetic_results.txt` (200 repetitions per setting, the data of the paper's Figure 3; their \
         FOU/FOS/FEU/FES/POU/POS/PEU/PES are our FOU-homo/FOS-homo/FOU-hetero/FOS-hetero/POU-homo/POS-homo/\
         POU-hetero/POS-hetero); both IRM rows are compared with their IRM.\n\n\
         Trend checks (computed from the table below):\n\n{check_md}\n{}\n![errors](errors.svg)\n\n\
         Which IRM reproduces the paper (homoskedastic rows: both errors at most ERM's and every mean within \
         {REPRO_FACTOR}× of the published one):\n\n{verdict}\n\
         Why ours misses (a one-off ablation, issue 19): not its scalar dummy or its `R + λ·penalty` form, \
         but too little training. The same scalar-dummy IRMv1 on sufficient statistics, trained as the \
         authors train (10⁵ Adam steps at 1e-3), lands on the published FOU-homo row (0.003 / 0.003 over 5 \
         seeds, with either grid and from either start); trained as ours (2000 steps at 1e-2) it stays at \
         0.15 / 0.10, and our `Deep` moves from 0.24 / 0.15 to 0.07 / 0.06 with 20 000 epochs (1 seed). \
         Undertrained, a stronger penalty only slows the fit (the loss is scaled \
         by 1/λ), so validation always picks the weakest λ.\n",
        epochs(),
        count(&IRM_WEIGHTS, &all_lambdas),
        authors_iterations(),
        count(&[0.0, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1], &all_regs),
        markdown_table(
            &[
                "setting",
                "method",
                "causal error",
                "non-causal error",
                "published causal",
                "published non-causal"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
