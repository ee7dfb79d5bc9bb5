//! The registry of named experiments.

mod backdoor_linear;
pub(crate) mod colored_digits;
mod colored_digits_sweep;
pub(crate) mod colored_images;
mod colored_report;
mod dml_coverage;
mod env_table;
mod icp_sachs;
mod ida_coverage;
mod ihdp;
mod ihdp_meta;
mod irm_plot;
mod irm_published;
mod irm_synthetic;
mod notears_mlp_gcastle;
pub(crate) mod robust_prediction;
mod sachs_discovery;
pub(crate) mod sachs_interventional_scm;
mod sachs_neural_scm;

use std::path::{Path, PathBuf};

use crate::{LabError, Result};

/// The shared reference data folder: `$CAUSAL_SHARED_DATA`, else `../shared/data` from the
/// working directory, else the one beside this checkout (`<repo>/../shared/data`).
pub(crate) fn shared_data() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("CAUSAL_SHARED_DATA").map(PathBuf::from),
        Some(PathBuf::from("../shared/data")),
        Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_dir())
}

/// `<shared data>/sub` when it holds `file`, for experiment `name`; else an error saying what is
/// missing and how to point at it.
pub(crate) fn shared_subdir(name: &str, sub: &str, file: &str) -> Result<PathBuf> {
    shared_data()
        .map(|d| d.join(sub))
        .filter(|d| d.join(file).is_file())
        .ok_or_else(|| {
            LabError::Usage(format!(
                "{name} needs ../shared/data/{sub}/{file} (not found; set CAUSAL_SHARED_DATA to the \
                 data folder)"
            ))
        })
}

/// An experiment: name, one-line description, entry point writing under the given folder.
pub type Experiment = (&'static str, &'static str, fn(&Path) -> Result<()>);

/// Every experiment, by name.
pub const REGISTRY: &[Experiment] = &[
    (
        "ida-coverage",
        "pipeline bootstrap (PC + IDA) vs naive interval coverage over 200 seeds at n = 500; IDA and bootstrap timings",
        ida_coverage::run,
    ),
    (
        "backdoor-linear",
        "naive vs back-door OLS over 20 seeds of a confounded linear SCM",
        backdoor_linear::run,
    ),
    (
        "sachs-discovery",
        "SHD of PC, GES, LiNGAM, NOTEARS on Sachs (n = 853) vs the consensus graph, with and without tiers",
        sachs_discovery::run,
    ),
    (
        "sachs-neural-scm",
        "NeuralScmFit on Sachs' 853 observational rows: predicted vs observed intervention shifts",
        sachs_neural_scm::run,
    ),
    (
        "sachs-interventional-scm",
        "neural SCM trained on interventions (DCDI-style): perfect targets, leave-one-regime-out on Sachs vs obs-only, linear SCM and no change; imperfect (regime-specific mechanisms), within-regime held-out LL vs pooled",
        sachs_interventional_scm::run,
    ),
    (
        "notears-mlp-gcastle",
        "NOTEARS-MLP vs gCastle's NotearsNonlinear: SHD and time on 5 seeds of ER MLP data (d = 10)",
        notears_mlp_gcastle::run,
    ),
    (
        "icp-sachs",
        "ICP on the Sachs data, 9 conditions as environments, vs the consensus graph",
        icp_sachs::run,
    ),
    (
        "colored-digits",
        "Colored MNIST protocol on 8x8 digits: ERM, IRM, V-REx, GroupDRO, DANN, grayscale oracle",
        colored_digits::run,
    ),
    (
        "colored-fashion",
        "Colored MNIST protocol at the published scale on Fashion-MNIST (2 × 25 000 training images): ERM, IRM, V-REx, GroupDRO, DANN, grayscale oracle; PyTorch beside",
        colored_images::run_fashion,
    ),
    (
        "colored-mnist-5k",
        "Colored MNIST protocol on 5000 real MNIST digits (2 × 2000 training images): ERM, IRM, V-REx, GroupDRO, DANN, grayscale oracle",
        colored_images::run_mnist_5k,
    ),
    (
        "colored-digits-sweep",
        "IRM / V-REx on Colored Digits over penalty weight, anneal step and l2; training-domain vs oracle selection",
        colored_digits_sweep::run,
    ),
    (
        "irm-synthetic",
        "IRM paper 5.1 SEMs: causal / non-causal weight errors of ERM, IRM and ICP",
        irm_synthetic::run,
    ),
    (
        "robust-prediction",
        "ERM vs parents, stable set, soft graph alignment and IRM under shifted mechanisms (synthetic curves; Sachs per protein and regime)",
        robust_prediction::run,
    ),
    (
        "dml-coverage",
        "DML-PLR and DML-IRM with forest and MLP nuisances vs OLS adjustment: 95% interval coverage over 200 seeds of nonlinear confounding (n = 2000)",
        dml_coverage::run,
    ),
    (
        "ihdp",
        "CEVAE, TARNet, CFR, DragonNet, S/T-learners and the DR-/R-learners with MLP nuisances on the 10 IHDP replications vs published",
        ihdp::run,
    ),
    (
        "ihdp-meta",
        "DR- and R-learners with MLP nuisances on the 10 IHDP replications: √PEHE and ε_ATE in and out of sample, TARNet's 0.95 beside",
        ihdp_meta::run,
    ),
    (
        "ihdp-meta-fresh",
        "the kept DR- and R-learner settings of ihdp-meta against the earlier ones on 10 fresh draws of IHDP surface B that the choice never saw",
        ihdp_meta::run_fresh,
    ),
];

/// Runs the named experiment.
pub fn run(name: &str, out: &Path) -> Result<()> {
    let (_, _, f) = REGISTRY
        .iter()
        .find(|(n, _, _)| *n == name)
        .ok_or_else(|| LabError::Usage(format!("unknown experiment '{name}' (see --list)")))?;
    f(out)?;
    eprintln!("results: {}", out.display());
    Ok(())
}
