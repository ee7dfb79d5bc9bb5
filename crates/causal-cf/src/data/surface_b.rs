//! Hill's (2011) response surface B, simulated from the raw IHDP covariates.
//!
//! The raw file (985 children; `treat` plus 29 covariates, as shipped in the econml wheel) is
//! made observational as Hill did: treated children with non-white mothers are removed, leaving
//! 747 units (139 treated). The six continuous covariates are standardized; the 19 binary ones are
//! kept. With X the 25 covariates plus an intercept (Hill codes `first` as {1, 2}) and W = 0.5
//! everywhere except the intercept:
//!
//! Y(0) ~ N(exp((X + W)β), 1),  Y(1) ~ N(Xβ − ω, 1),
//!
//! βⱼ drawn from {0, 0.1, 0.2, 0.3, 0.4} with probabilities {0.6, 0.1, 0.1, 0.1, 0.1}, and ω set
//! so that the average effect on the treated is exactly 4.

use causal_core::data::Dataset;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use super::{IteSample, Truth};
use crate::error::{CfError, Result};

/// Continuous covariates, standardized.
const CONTINUOUS: [&str; 6] = ["bw", "b.head", "preterm", "birth.o", "nnhealth", "momage"];
/// Binary covariates, kept as 0/1.
const BINARY: [&str; 19] = [
    "sex",
    "twin",
    "b.marr",
    "mom.lths",
    "mom.hs",
    "mom.scoll",
    "cig",
    "first",
    "booze",
    "drugs",
    "work.dur",
    "prenatal",
    "site1",
    "site2",
    "site3",
    "site4",
    "site5",
    "site6",
    "site7",
];
/// Hill's coding of `first` is {1, 2}; the raw file has {0, 1}.
const FIRST: &str = "first";
/// The effect on the treated that fixes ω.
pub const CATT: f64 = 4.0;

/// The treatment column of a simulated table (as in the raw file).
const TREATMENT: &str = "treat";
/// The simulated factual outcome column.
const OUTCOME: &str = "y";

/// One draw of response surface B: the data (with truth) and its coefficients.
#[derive(Clone, Debug)]
pub struct SurfaceB {
    /// The table (columns `treat`, `y` and the 25 covariates, with the roles naming them) and
    /// the true potential-outcome means.
    pub sample: IteSample,
    /// β, intercept first, then the 25 covariates in the order of the covariates role.
    pub beta: Vec<f64>,
    /// ω, the shift of the treated surface.
    pub omega: f64,
}

/// Simulates one replication of response surface B from the raw IHDP covariates.
///
/// # Examples
///
/// ```
/// use causal_cf::data::simulate_surface_b;
/// use causal_core::data::Dataset;
///
/// // A toy stand-in for the raw file: 4 treated with white mothers, 4 controls.
/// let mut names: Vec<String> = ["treat", "momwhite", "bw", "b.head", "preterm", "birth.o", "nnhealth", "momage"]
///     .iter().map(|s| s.to_string()).collect();
/// names.extend(["sex", "twin", "b.marr", "mom.lths", "mom.hs", "mom.scoll", "cig", "first", "booze",
///     "drugs", "work.dur", "prenatal", "site1", "site2", "site3", "site4", "site5", "site6", "site7"]
///     .iter().map(|s| s.to_string()));
/// let mut cols = vec![vec![1., 1., 1., 1., 0., 0., 0., 0.], vec![1.; 8]];
/// for j in 0..6 { cols.push((0..8).map(|i| ((i * i + j * i) % 11) as f64).collect()); }
/// for j in 0..19 { cols.push((0..8).map(|i| ((i + j) % 2) as f64).collect()); }
/// let raw = Dataset::new(names, cols)?;
/// let sim = simulate_surface_b(&raw, 7)?;
/// let (t, ite) = (sim.sample.treatment()?, sim.sample.true_ite());
/// let catt: f64 = (0..sim.sample.n()).filter(|&i| t[i] == 1.0).map(|i| ite[i]).sum::<f64>() / 4.0;
/// assert!((catt - 4.0).abs() < 1e-9);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// [`causal_core::CoreError::UnknownColumn`] (wrapped) for a missing column (`treat`,
/// `momwhite` or a covariate); [`CfError::NonBinaryTreatment`] for `treat`; [`CfError::Shape`]
/// for a constant continuous covariate; every error of [`IteSample::new`].
pub fn simulate_surface_b(raw: &Dataset, seed: u64) -> Result<SurfaceB> {
    let treat = raw.column("treat")?;
    let white = raw.column("momwhite")?;
    super::check_treatment("treat", treat, 0)?;
    let keep: Vec<usize> = (0..raw.n_rows())
        .filter(|&i| !(treat[i] == 1.0 && white[i] == 0.0))
        .collect();
    let n = keep.len();
    let names: Vec<&str> = CONTINUOUS.iter().chain(BINARY.iter()).copied().collect();
    let mut cols = Vec::with_capacity(names.len());
    for &name in &names {
        let c = raw.column(name)?;
        let mut v: Vec<f64> = keep.iter().map(|&i| c[i]).collect();
        if CONTINUOUS.contains(&name) {
            // Population standard deviation, as Hill's scaling and scikit-learn's StandardScaler.
            let m = v.iter().sum::<f64>() / n as f64;
            let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64).sqrt();
            if sd == 0.0 {
                return Err(CfError::Shape(format!(
                    "covariate '{name}' is constant among the kept units"
                )));
            }
            v.iter_mut().for_each(|x| *x = (*x - m) / sd);
        }
        cols.push(v);
    }
    let t: Vec<f64> = keep.iter().map(|&i| treat[i]).collect();

    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let levels = [0.0, 0.1, 0.2, 0.3, 0.4];
    let beta: Vec<f64> = (0..=names.len())
        .map(|_| {
            let u: f64 = rng.random();
            // P(0) = 0.6, then 0.1 each.
            if u < 0.6 {
                0.0
            } else {
                levels[1 + (((u - 0.6) / 0.1) as usize).min(3)]
            }
        })
        .collect();
    let (mut lin, mut expo) = (vec![beta[0]; n], vec![beta[0]; n]);
    for (j, (&name, col)) in names.iter().zip(&cols).enumerate() {
        let shift = if name == FIRST { 1.0 } else { 0.0 };
        for i in 0..n {
            let x = col[i] + shift;
            lin[i] += beta[j + 1] * x;
            expo[i] += beta[j + 1] * (x + 0.5);
        }
    }
    let mu0: Vec<f64> = expo.iter().map(|e| e.exp()).collect();
    let n_treated = t.iter().filter(|&&v| v == 1.0).count();
    let gap: f64 = (0..n)
        .filter(|&i| t[i] == 1.0)
        .map(|i| lin[i] - mu0[i])
        .sum::<f64>()
        / n_treated.max(1) as f64;
    let omega = gap - CATT;
    let mu1: Vec<f64> = lin.iter().map(|l| l - omega).collect();
    let (mut y, mut y_cf) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let e0: f64 = rng.sample(StandardNormal);
        let e1: f64 = rng.sample(StandardNormal);
        let (y0, y1) = (mu0[i] + e0, mu1[i] + e1);
        if t[i] == 1.0 {
            y.push(y1);
            y_cf.push(y0);
        } else {
            y.push(y0);
            y_cf.push(y1);
        }
    }
    let covariates = names.iter().map(|s| (*s).to_owned()).zip(cols).collect();
    let truth = Truth {
        mu0,
        mu1,
        y_cf: Some(y_cf),
    };
    let sample = IteSample::from_columns((TREATMENT, t), (OUTCOME, y), covariates, truth)?;
    Ok(SurfaceB {
        sample,
        beta,
        omega,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_data_surface_b_matches_hills_design() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/data/ihdp-covariates/ihdp_covariates_econml.csv");
        if !path.exists() {
            eprintln!("skipping: {} is absent", path.display());
            return;
        }
        let raw = Dataset::from_path(&path).unwrap();
        let a = simulate_surface_b(&raw, 3).unwrap();
        let d = &a.sample;
        let t = d.treatment().unwrap();
        let covs = &d.roles().covariates;
        let binary = covs
            .iter()
            .filter(|c| d.data().kind(c).unwrap().name() == "binary")
            .count();
        let treated = t.iter().filter(|&&v| v == 1.0).count();
        assert_eq!((d.n(), covs.len(), treated, binary), (747, 25, 139, 19));
        let ite = d.true_ite();
        let catt = (0..d.n())
            .filter(|&i| t[i] == 1.0)
            .map(|i| ite[i])
            .sum::<f64>()
            / 139.0;
        assert!((catt - CATT).abs() < 1e-9, "CATT {catt}");
        // Standardized continuous covariates.
        let m = d.data().column(&covs[0]).unwrap().iter().sum::<f64>() / 747.0;
        assert!(m.abs() < 1e-9);
        // Seeded: same draw twice, another seed differs.
        let b = simulate_surface_b(&raw, 3).unwrap();
        assert_eq!(a.sample, b.sample);
        let c = simulate_surface_b(&raw, 4).unwrap();
        assert_ne!(a.beta, c.beta);
    }
}
