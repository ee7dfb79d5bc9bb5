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
//! causal and non-causal halves. ERM and ICP use all three environments; IRM trains on the
//! first two and picks its penalty weight on the third (as in the paper's code).

use causal::prelude::ParamGuard;
use std::path::Path;

use causal::core::data::Dataset;
use causal::irm::deep::{DeepParams, Method, Task};

use super::env_table::{Block, env_table};
use causal::irm::environments::Environments;
use causal::irm::icp::IcpParams;
use nalgebra::{DMatrix, DVector};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde_json::json;

use super::irm_plot::{Series, bar_chart, mean_sd};
use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

const HALF: usize = 5;
const N: usize = 1000;
const ENVS: [f64; 3] = [0.2, 2.0, 5.0];
const IRM_WEIGHTS: [f64; 4] = [1e1, 1e2, 1e3, 1e4];

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

fn epochs() -> usize {
    std::env::var("CAUSAL_EPOCHS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000)
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
    let mut bars: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 6];
    for hidden in [false, true] {
        for scramble in [false, true] {
            for hetero in [false, true] {
                let s = Setting {
                    hetero,
                    hidden,
                    scramble,
                };
                let mut errs: Vec<Vec<(f64, f64)>> = vec![Vec::new(); 3];
                let mut lambdas = Vec::new();
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
                }
                groups.push(s.name());
                for (m, name) in ["ERM", "ICP", "IRM"].iter().enumerate() {
                    let c: Vec<f64> = errs[m].iter().map(|e| e.0).collect();
                    let nc: Vec<f64> = errs[m].iter().map(|e| e.1).collect();
                    let (cm, cs) = mean_sd(&c);
                    let (nm, ns) = mean_sd(&nc);
                    bars[2 * m].push((cm, cs));
                    bars[2 * m + 1].push((nm, ns));
                    rows.push(vec![
                        s.name(),
                        name.to_string(),
                        format!("{cm:.3} ± {cs:.3}"),
                        format!("{nm:.3} ± {ns:.3}"),
                    ]);
                    records.push(json!({"setting": s.name(), "method": name, "causal_error": c, "non_causal_error": nc}));
                }
                all_lambdas.extend_from_slice(&lambdas);
                records.push(json!({"setting": s.name(), "irm_selected_weights": lambdas}));
                eprintln!("{} done", s.name());
            }
        }
    }
    // Trend checks against the paper's Figure 3 (bars on a log scale, no table): which method
    // is better where, not the exact heights.
    let idx = |hetero: bool| -> Vec<usize> {
        (0..groups.len())
            .filter(|&g| groups[g].ends_with("-hetero") == hetero)
            .collect()
    };
    let at = |series: usize, g: usize| bars[series][g].0;
    let (erm_c, erm_n, icp_c, icp_n, irm_c, irm_n) = (0, 1, 2, 3, 4, 5);
    let checks = [
        (
            "ERM's non-causal error is ≥ 10× larger with heteroskedastic Y noise than homoskedastic",
            idx(true)
                .iter()
                .zip(idx(false))
                .all(|(&h, o)| at(erm_n, h) >= 10.0 * at(erm_n, o)),
        ),
        (
            "ICP is exact (both errors < 0.01) in FOU-homo",
            at(icp_c, 0) < 0.01 && at(icp_n, 0) < 0.01,
        ),
        (
            "ICP returns the empty set (causal error > 0.9) in every other setting",
            (1..groups.len()).all(|g| at(icp_c, g) > 0.9),
        ),
        (
            "IRM's non-causal error is below ERM's in every heteroskedastic setting",
            idx(true).iter().all(|&g| at(irm_n, g) < at(erm_n, g)),
        ),
        (
            "IRM's causal error is below ERM's in every heteroskedastic setting",
            idx(true).iter().all(|&g| at(irm_c, g) < at(erm_c, g)),
        ),
        (
            "IRM's errors are at most ERM's in the homoskedastic settings (the paper's bars)",
            idx(false)
                .iter()
                .all(|&g| at(irm_c, g) <= at(erm_c, g) && at(irm_n, g) <= at(erm_n, g)),
        ),
    ];
    let check_md: String = checks
        .iter()
        .map(|(what, ok)| format!("- [{}] {what}\n", if *ok { "x" } else { " " }))
        .collect();
    let check_json: Vec<_> = checks
        .iter()
        .map(|(what, ok)| json!({"trend": what, "holds": ok}))
        .collect();
    write_json(
        out,
        "results.json",
        &json!({"seeds": seeds, "n": N, "envs": ENVS, "irm_epochs": epochs(), "results": records, "trend_checks": check_json}),
    )?;
    let names = [
        "ERM causal",
        "ERM non-causal",
        "ICP causal",
        "ICP non-causal",
        "IRM causal",
        "IRM non-causal",
    ];
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
    let md = format!(
        "# irm-synthetic\n\nArjovsky et al. (2019) §5.1 SEMs, 5 causal + 5 non-causal features, n = {N} per \
         environment e ∈ {{0.2, 2, 5}}, {seeds} seeds (mean ± sd of the mean squared weight error on each half). \
         FO/PO: fully / partially observed; U/S: unscrambled / scrambled. IRM: linear IRMv1, {} full-batch \
         epochs, penalty weight chosen among {IRM_WEIGHTS:?} on the e = 5 environment. ICP: approximate test, \
         α = 0.05, OLS on its estimate (zero if empty).\n\nPublished (Figure 3 of the paper, log-scale bars, no table; its FOU/FOS/FEU/FES/POU/POS/PEU/PES \
         are our FOU-homo/FOS-homo/FOU-hetero/FOS-hetero/POU-homo/POS-homo/POU-hetero/POS-hetero): ERM's \
         errors are small (about 10⁻²) with homoskedastic Y noise and near 1 with heteroskedastic noise; ICP \
         is accurate in FOU but otherwise conservative, returning the empty set (causal error about 1, \
         non-causal error small); IRM has the lowest errors in most settings.\n\nTrend checks against the figure (computed from the table below):\n\n{check_md}\n\
         Where IRM misses the paper (homoskedastic settings), the likely cause is how our IRMv1 differs from the paper's code: a linear \
         model with a scalar dummy classifier, {} full-batch Adam steps and the loss `R + λ·penalty`, \
         where the paper's code trains a full matrix Φ with a vector dummy w = 1 for 10⁵ steps on \
         `reg·R + (1 − reg)·penalty`. λ picked on the e = 5 environment, count per value: {}.\n\n{}\n![errors](errors.svg)\n",
        epochs(),
        epochs(),
        IRM_WEIGHTS
            .iter()
            .map(|w| format!(
                "{w:.0e}: {}",
                all_lambdas.iter().filter(|l| *l == w).count()
            ))
            .collect::<Vec<_>>()
            .join(", "),
        markdown_table(
            &["setting", "method", "causal error", "non-causal error"],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
