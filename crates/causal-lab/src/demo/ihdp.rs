//! Section 7: individual treatment effects on IHDP response surface B, simulated (Hill 2011)
//! from the real IHDP covariates that ship in the econml wheel; CEVAE, TARNet and DragonNet
//! compared, and the treat-if-benefit policy evaluated against its true value.

use std::path::Path;
use std::time::Instant;

use causal::cf::data::{IteSample, cevae_split, simulate_surface_b};
use causal::cf::metrics::{ate_error, sqrt_pehe};
use causal::cf::models::{FitOptions, IteModel, ModelKind, fit_model_with};
use causal::cf::policy::{dr_policy_value, threshold_policy, true_policy_value};
use causal::core::data::Dataset;
use serde_json::json;

use super::{Section, Settings, plot};
use crate::output::markdown_table;
use crate::{LabError, Result};

/// Seed of the simulated response surface, the split and the training.
const SEED: u64 = 1;
/// Treat when the predicted benefit exceeds this cost (the effect on the treated is 4).
const COST: f64 = 4.0;
/// Propensity clipping of the doubly-robust estimate.
const CLIP: f64 = 0.01;
const MODELS: [ModelKind; 3] = [ModelKind::Cevae, ModelKind::Tarnet, ModelKind::DragonNet];

/// Fits the three models on the simulated data and evaluates each, plus DragonNet's policy.
pub fn run(data_dir: &Path, settings: &Settings<'_>) -> Result<Section> {
    // Small networks and batches: extra LibTorch threads only spin-wait.
    causal::torch::tch::set_num_threads(1);
    let raw = Dataset::from_path(data_dir.join("ihdp_sim.csv"))?;
    let data = simulate_surface_b(&raw, SEED)?.sample;
    let split = cevae_split(data.n(), SEED)?;
    let roles = data.roles();
    let (train, valid, test) = (
        data.data().take_rows(&split.train)?,
        data.data().take_rows(&split.valid)?,
        data.take_rows(&split.test)?,
    );
    let true_ite = test.true_ite();
    let options = FitOptions {
        seed: SEED,
        quiet: true,
        epochs: settings.quick.then_some(20),
        ..FitOptions::default()
    };
    let mut rows = Vec::new();
    let mut records = Vec::new();
    let mut bars = Vec::new();
    let mut dragonnet: Option<Box<dyn IteModel>> = None;
    for kind in MODELS {
        let start = Instant::now();
        let model = fit_model_with(kind, &train, roles, Some(&valid), &options)?;
        let seconds = start.elapsed().as_secs_f64();
        let cate = model.predict(test.data(), roles)?.cate();
        let (pehe, eate) = (sqrt_pehe(&true_ite, &cate)?, ate_error(&true_ite, &cate)?);
        model.history().write_svg(
            settings
                .out
                .join(format!("ihdp_{}_training.svg", kind.cli_name())),
        )?;
        rows.push(vec![
            model.name().to_owned(),
            format!("{pehe:.2}"),
            format!("{eate:.2}"),
            model.history().epochs().to_string(),
            format!("{seconds:.1}"),
        ]);
        bars.push((model.name().to_owned(), pehe));
        records.push(
            json!({"model": kind.cli_name(), "sqrt_pehe_out": pehe, "ate_error_out": eate,
            "epochs": model.history().epochs(), "seconds": seconds}),
        );
        if kind == ModelKind::DragonNet {
            dragonnet = Some(model);
        }
    }
    plot::bars(
        &settings.out.join("ihdp_pehe.svg"),
        "IHDP surface B: out-of-sample √PEHE (lower is better)",
        &bars,
    )?;
    let model = dragonnet.ok_or_else(|| LabError::Usage("DragonNet was not fitted".into()))?;
    let (policy_md, policy_json) = policy(model.as_ref(), &test)?;

    let markdown = format!(
        "IHDP (Hill 2011): 747 children of the Infant Health and Development Program, 25 \
         covariates; the outcome is simulated by Hill's response surface B from the real covariates \
         (econml's copy), so every child's true effect is known. Models train on 470 children, stop \
         early on 202, and are scored on the 75 held out (CEVAE's split). √PEHE is the root mean \
         squared error of the individual effects τ̂(x) − τ(x); ε_ATE the error of their mean. \
         Published out-of-sample √PEHE over 1000 npci replications: TARNet 0.95, CFR-Wass 0.76 \
         (Shalit et al. 2017), CEVAE 2.6 (Louizos et al. 2017; ours trains the encoder q(z | x) \
         and weights the outcome's likelihood; every model's learning rate decays, see \
         causal-cf); `cargo xtask experiment ihdp` runs the full benchmark.{}\n\n{}\n![√PEHE](ihdp_pehe.svg)\n\n{policy_md}",
        if settings.quick {
            " This --quick run caps training at 20 epochs, so the errors are larger."
        } else {
            ""
        },
        markdown_table(&["model", "√PEHE", "ε_ATE", "epochs", "seconds"], &rows),
    );
    let best = records
        .iter()
        .min_by(|a, b| {
            a["sqrt_pehe_out"]
                .as_f64()
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b["sqrt_pehe_out"].as_f64().unwrap_or(f64::INFINITY))
        })
        .map(|r| {
            format!(
                "{} √PEHE {:.2}",
                r["model"].as_str().unwrap_or(""),
                r["sqrt_pehe_out"].as_f64().unwrap_or(f64::NAN)
            )
        })
        .unwrap_or_default();
    Ok(Section {
        key: "ihdp",
        title: "7. Individual effects and policy evaluation (IHDP)",
        markdown,
        summary: format!(
            "ITE: best {best} on held-out IHDP units; policy DR {}",
            policy_json["verdict"].as_str().unwrap_or("")
        ),
        json: json!({"seed": SEED, "models": records, "policy": policy_json}),
    })
}

/// π(x) = 1[τ̂(x) > COST] with DragonNet's τ̂ on the held-out children: its true value, its
/// doubly-robust estimate from the observed outcomes, and the treat-all / treat-none baselines.
fn policy(model: &dyn IteModel, test: &IteSample) -> Result<(String, serde_json::Value)> {
    let po = model.predict(test.data(), test.roles())?;
    let pi = threshold_policy(&po.cate(), COST);
    let (mu0, mu1) = (&test.truth().mu0, &test.truth().mu1);
    let v_true = true_policy_value(&pi, mu0, mu1)?;
    let all = true_policy_value(&vec![true; pi.len()], mu0, mu1)?;
    let none = true_policy_value(&vec![false; pi.len()], mu0, mu1)?;
    let e = model
        .propensity(test.data(), test.roles())?
        .ok_or_else(|| LabError::Usage("DragonNet has no propensity head".into()))?;
    let (t, y) = (test.treatment()?, test.outcome()?);
    let dr = dr_policy_value(&pi, t, y, &po.y0, &po.y1, &e, CLIP)?;
    let treated = pi.iter().filter(|&&p| p).count();
    let within = (dr.value - v_true).abs() <= 1.96 * dr.se;
    let verdict = format!(
        "{:.2} ± {:.2} vs true {v_true:.2} ({})",
        dr.value,
        dr.se,
        if within {
            "within its 95% interval"
        } else {
            "outside its 95% interval"
        }
    );
    let share = treated as f64 / pi.len() as f64;
    let net = |v: f64, share: f64| v - COST * share;
    let md = format!(
        "**Treat-if-benefit policy.** Treating costs {COST} outcome units per child (the average \
         effect on the treated), so a child benefits on net when its effect exceeds {COST}: \
         π(x) = 1[τ̂(x) > {COST}] with DragonNet's τ̂ treats {treated} of {} held-out children. \
         V is the mean outcome if every child followed the policy; the net value subtracts the \
         cost of the treated share. The doubly-robust estimate uses only the observed treatments \
         and outcomes (with DragonNet's outcome and propensity heads, propensities clipped to \
         [{CLIP}, {}]); the true values use the simulated potential outcomes. A good policy beats \
         both baselines on net value, and its DR estimate should cover the truth.\n\n{}",
        pi.len(),
        1.0 - CLIP,
        markdown_table(
            &["policy", "V (mean outcome)", "net of cost"],
            &[
                vec![
                    "π, DR estimate from observed data".into(),
                    format!("{:.2} ± {:.2} (SE)", dr.value, dr.se),
                    format!("{:.2}", net(dr.value, share)),
                ],
                vec![
                    "π, true value".into(),
                    format!("{v_true:.2}"),
                    format!("{:.2}", net(v_true, share)),
                ],
                vec![
                    "treat everyone, true value".into(),
                    format!("{all:.2}"),
                    format!("{:.2}", net(all, 1.0)),
                ],
                vec![
                    "treat no one, true value".into(),
                    format!("{none:.2}"),
                    format!("{none:.2}"),
                ],
            ],
        )
    );
    Ok((
        md,
        json!({"cost": COST, "treated": treated, "units": pi.len(), "true_value": v_true,
               "dr_value": dr.value, "dr_se": dr.se, "within_95ci": within,
               "net_true_value": net(v_true, share), "treat_all": all,
               "net_treat_all": net(all, 1.0), "treat_none": none, "verdict": verdict}),
    ))
}
