//! The DR- and R-learners with MLP nuisances on the 10 shared IHDP replications, scored as
//! the `ihdp` experiment scores the causal-cf models: the same split (CEVAE's protocol: 10%
//! held out, split seed of `ihdp`), √PEHE and ε_ATE within the training units and on the
//! held-out ones, TARNet's published out-of-sample √PEHE 0.95 beside them.
//!
//! - **DR-learner**: cross-fitted MLP outcome models per arm and an MLP propensity (clipped to
//!   [0.01, 0.99]); the doubly robust pseudo-outcome is regressed on the 25 covariates by an
//!   MLP final stage, and by OLS (EconML's `LinearDRLearner`).
//! - **R-learner**: MLP nuisances `m(x) = E[Y | x]` and `e(x)`; the final stage minimises
//!   `Σ (Y − m − (T − e) τ(x))²`, as an MLP regression of `(Y − m)/(T − e)` with row weights
//!   `(T − e)²` (EconML's `NonParamDML`), and in closed form when τ is linear in the
//!   covariates.

use std::path::Path;
use std::time::Instant;

use causal::cf::data::{cevae_split, load_npci};
use causal::cf::metrics::{ate_error, mean_se, sqrt_pehe};
use causal::core::estimate::{CateLearnerParams, CateMethod, ParamGuard};
use causal::core::learner::Learner;
use causal::torch::learner::MlpLearner;
use serde_json::json;

use super::ihdp::SPLIT_SEED;
use crate::output::{markdown_table, write, write_json};
use crate::{LabError, Result};

const REPLICATIONS: usize = 10;
/// Hidden widths of every MLP here.
const WIDTHS: [usize; 2] = [128, 128];

fn mlp(classifier: bool, seed: u64) -> Result<Box<dyn Learner>> {
    let base = if classifier {
        MlpLearner::classifier()
    } else {
        MlpLearner::regressor()
    };
    // 128-128: of 64, 128 and 200 wide, the widths that served the DR-learner best here.
    let base = base.hidden(&WIDTHS);
    Ok(Box::new(base.seed(seed).check()?))
}

/// The learners compared: name, method, flexible final stage.
const LEARNERS: [(&str, CateMethod, bool); 4] = [
    ("DR-learner, MLP final stage", CateMethod::Dr, true),
    ("DR-learner, linear final stage", CateMethod::Dr, false),
    ("R-learner, MLP final stage", CateMethod::R, true),
    ("R-learner, linear final stage", CateMethod::R, false),
];

/// Runs the experiment, writing `results.json` and `results.md`.
pub fn run(out: &Path) -> Result<()> {
    causal::torch::tch::set_num_threads(1);
    let dir = super::shared_subdir("ihdp-meta", "ihdp", "ihdp_npci_1.csv")?;
    let started = Instant::now();
    let mut scores = vec![[Vec::new(), Vec::new(), Vec::new(), Vec::new()]; LEARNERS.len()];
    for r in 1..=REPLICATIONS {
        let data = load_npci(dir.join(format!("ihdp_npci_{r}.csv")))?;
        let split = cevae_split(data.n(), SPLIT_SEED)?;
        let within = data.take_rows(&split.in_sample())?;
        let test = data.take_rows(&split.test)?;
        let roles = data.roles();
        let (t, y) = (roles.treatment.as_deref(), roles.outcome.as_deref());
        let (t, y) = t.zip(y).ok_or_else(|| {
            LabError::Usage("IHDP data without a treatment or an outcome role".into())
        })?;
        let refs: Vec<&str> = roles.covariates.iter().map(String::as_str).collect();
        for (k, (name, method, flexible)) in LEARNERS.iter().enumerate() {
            let mut params = CateLearnerParams::new(*method, t, y, &refs)
                .covariates(&refs)
                .learners(mlp(false, r as u64)?, mlp(true, r as u64)?)
                .seed(r as u64);
            if *flexible {
                params = params.final_stage(mlp(false, r as u64)?);
            }
            let (fit, pred) = params.check()?.fit_predict(within.data(), test.data())?;
            let (ti, to) = (within.true_ite(), test.true_ite());
            let row = [
                sqrt_pehe(&ti, &fit.cate)?,
                sqrt_pehe(&to, &pred)?,
                ate_error(&ti, &fit.cate)?,
                ate_error(&to, &pred)?,
            ];
            eprintln!(
                "rep {r:>2} {name}: √PEHE in {:.3} out {:.3}, ε_ATE in {:.3} out {:.3}",
                row[0], row[1], row[2], row[3]
            );
            for (s, v) in scores[k].iter_mut().zip(row) {
                s.push(v);
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut rows = Vec::new();
    let mut learners = serde_json::Map::new();
    for ((name, _, _), s) in LEARNERS.iter().zip(&scores) {
        let m: Vec<_> = s
            .iter()
            .map(|v| mean_se(v))
            .collect::<std::result::Result<_, _>>()?;
        learners.insert(
            (*name).into(),
            json!({"pehe_in": m[0], "pehe_out": m[1], "ate_in": m[2], "ate_out": m[3],
                   "pehe_out_per_replication": s[1]}),
        );
        rows.push(vec![
            (*name).into(),
            format!("{:.2} ± {:.2}", m[0].mean, m[0].se),
            format!("{:.2} ± {:.2}", m[1].mean, m[1].se),
            "≤ 1.0 (TARNet 0.95)".into(),
            format!("{:.2} ± {:.2}", m[2].mean, m[2].se),
            format!("{:.2} ± {:.2}", m[3].mean, m[3].se),
        ]);
    }
    write_json(
        out,
        "results.json",
        &json!({"replications": REPLICATIONS, "split_seed": SPLIT_SEED, "seconds": seconds,
                "mlp": MlpLearner::regressor().hidden(&WIDTHS).describe(), "learners": learners}),
    )?;
    let md = format!(
        "# ihdp-meta\n\nMeta-learners with MLP nuisances ({}) on the {REPLICATIONS} shared IHDP \
         replications, split as in `ihdp` (split seed {SPLIT_SEED}; \"in\" = training + \
         validation units, \"out\" = the held-out 10%). Mean ± standard error over \
         replications; {seconds:.0} s.\n\n{}",
        MlpLearner::regressor().hidden(&WIDTHS).describe(),
        markdown_table(
            &[
                "learner",
                "√PEHE in",
                "√PEHE out",
                "target (out)",
                "ε_ATE in",
                "ε_ATE out"
            ],
            &rows
        )
    );
    write(out, "results.md", &md)?;
    println!("{md}");
    Ok(())
}
