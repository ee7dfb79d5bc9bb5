//! Evaluating treatment policies π(x) = 1[τ̂(x) > c]: the true value where potential outcomes are
//! known, the doubly-robust estimate from observed data, and the policy risk of Shalit et al. (2017).

use crate::error::{CfError, Result};

/// The threshold policy: treat unit i when its estimated effect exceeds `c`.
///
/// # Formula
///
/// πᵢ = 1[τ̂(xᵢ) > c]
pub fn threshold_policy(cate: &[f64], c: f64) -> Vec<bool> {
    cate.iter().map(|&tau| tau > c).collect()
}

fn check_len(policy: &[bool], others: &[(&str, &[f64])]) -> Result<()> {
    if policy.is_empty() {
        return Err(CfError::Shape("an empty policy".into()));
    }
    for (name, v) in others {
        if v.len() != policy.len() {
            return Err(CfError::Shape(format!(
                "{name} has {} values for a policy over {} units",
                v.len(),
                policy.len()
            )));
        }
    }
    Ok(())
}

/// The true value of a policy on these units, from their potential outcomes (or their means).
///
/// # Formula
///
/// V(π) = (1/n) Σᵢ [πᵢ μ₁(xᵢ) + (1 − πᵢ) μ₀(xᵢ)]
///
/// # Errors
///
/// [`CfError::Shape`] for empty or unequal inputs.
pub fn true_policy_value(policy: &[bool], mu0: &[f64], mu1: &[f64]) -> Result<f64> {
    check_len(policy, &[("mu0", mu0), ("mu1", mu1)])?;
    let s: f64 = (0..policy.len())
        .map(|i| if policy[i] { mu1[i] } else { mu0[i] })
        .sum();
    Ok(s / policy.len() as f64)
}

/// An estimated policy value with its standard error.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PolicyValue {
    /// The estimate.
    pub value: f64,
    /// Its standard error.
    pub se: f64,
}

impl PolicyValue {
    /// The mean of the per-unit terms ψ, with its standard error.
    fn mean_of(psi: &[f64]) -> Result<Self> {
        let m = crate::metrics::mean_se(psi)?;
        Ok(Self {
            value: m.mean,
            se: m.se,
        })
    }
}

/// The doubly-robust (augmented inverse-propensity) estimate of a policy's value.
///
/// Consistent when either the outcome model (μ̂₀, μ̂₁) or the propensity ê is right. Propensities
/// are clipped to `[clip, 1 − clip]` to bound the weights.
///
/// # Formula
///
/// ψᵢ = πᵢ [μ̂₁ᵢ + tᵢ (yᵢ − μ̂₁ᵢ) / êᵢ] + (1 − πᵢ) [μ̂₀ᵢ + (1 − tᵢ)(yᵢ − μ̂₀ᵢ) / (1 − êᵢ)],
/// V̂ = mean(ψ), SE = sd(ψ) / √n
///
/// # Examples
///
/// ```
/// use causal_cf::policy::dr_policy_value;
///
/// // Perfect outcome model: the estimate is the model's value whatever the propensity.
/// let pi = [true, false, true, false];
/// let (t, mu0, mu1) = ([1.0, 0.0, 0.0, 1.0], [0.0; 4], [1.0; 4]);
/// let y = [1.0, 0.0, 0.0, 1.0];
/// let v = dr_policy_value(&pi, &t, &y, &mu0, &mu1, &[0.5; 4], 0.01)?;
/// assert!((v.value - 0.5).abs() < 1e-12 && v.se > 0.0);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
///
/// # Errors
///
/// [`CfError::Shape`] for empty or unequal inputs (or fewer than 2 units);
/// [`CfError::InvalidParameter`] for `clip` outside [0, 0.5); [`CfError::BadValue`] for a
/// non-finite input.
pub fn dr_policy_value(
    policy: &[bool],
    t: &[f64],
    y: &[f64],
    mu0_hat: &[f64],
    mu1_hat: &[f64],
    propensity: &[f64],
    clip: f64,
) -> Result<PolicyValue> {
    PolicyValue::mean_of(&dr_terms(policy, t, y, mu0_hat, mu1_hat, propensity, clip)?)
}

/// Per-unit doubly-robust terms ψᵢ of a policy's value, after checking the inputs.
fn dr_terms(
    policy: &[bool],
    t: &[f64],
    y: &[f64],
    mu0_hat: &[f64],
    mu1_hat: &[f64],
    propensity: &[f64],
    clip: f64,
) -> Result<Vec<f64>> {
    check_len(
        policy,
        &[
            ("t", t),
            ("y", y),
            ("mu0_hat", mu0_hat),
            ("mu1_hat", mu1_hat),
            ("propensity", propensity),
        ],
    )?;
    if !(0.0..0.5).contains(&clip) {
        return Err(CfError::InvalidParameter(format!(
            "propensity clip {clip} must lie in [0, 0.5)"
        )));
    }
    let n = policy.len();
    if n < 2 {
        return Err(CfError::Shape("a standard error needs 2 units".into()));
    }
    let mut psi = Vec::with_capacity(n);
    for i in 0..n {
        for (name, v) in [
            ("t", t[i]),
            ("y", y[i]),
            ("mu0_hat", mu0_hat[i]),
            ("mu1_hat", mu1_hat[i]),
            ("propensity", propensity[i]),
        ] {
            if !v.is_finite() {
                return Err(CfError::BadValue {
                    row: i + 1,
                    column: name.into(),
                    value: v,
                });
            }
        }
        let e = propensity[i].clamp(clip, 1.0 - clip);
        psi.push(if policy[i] {
            mu1_hat[i] + t[i] * (y[i] - mu1_hat[i]) / e
        } else {
            mu0_hat[i] + (1.0 - t[i]) * (y[i] - mu0_hat[i]) / (1.0 - e)
        });
    }
    Ok(psi)
}

/// The augmented inverse-propensity (doubly-robust) estimate of the average treatment effect,
/// with its standard error.
///
/// # Formula
///
/// ψᵢ = μ̂₁ᵢ − μ̂₀ᵢ + tᵢ (yᵢ − μ̂₁ᵢ) / êᵢ − (1 − tᵢ)(yᵢ − μ̂₀ᵢ) / (1 − êᵢ),
/// ATE = mean(ψ), SE = sd(ψ) / √n
///
/// # Errors
///
/// As [`dr_policy_value`].
pub fn aipw_ate(
    t: &[f64],
    y: &[f64],
    mu0_hat: &[f64],
    mu1_hat: &[f64],
    propensity: &[f64],
    clip: f64,
) -> Result<PolicyValue> {
    // V(always treat) − V(never treat), computed jointly so the SE accounts for both.
    let n = t.len();
    let treat = dr_terms(&vec![true; n], t, y, mu0_hat, mu1_hat, propensity, clip)?;
    let control = dr_terms(&vec![false; n], t, y, mu0_hat, mu1_hat, propensity, clip)?;
    let psi: Vec<f64> = treat.iter().zip(&control).map(|(a, b)| a - b).collect();
    PolicyValue::mean_of(&psi)
}

/// Policy risk as defined by Shalit et al. (2017) from observed outcomes of a randomized sample.
///
/// Units whose treatment agrees with the policy stand in for everyone the policy assigns to that
/// arm; an arm with no agreeing unit contributes 0, as in the authors' code.
///
/// # Formula
///
/// R_pol(π) = 1 − ( E[Y | t = 1, π = 1] · P(π = 1) + E[Y | t = 0, π = 0] · P(π = 0) )
///
/// # Errors
///
/// [`CfError::Shape`] for empty or unequal inputs.
pub fn policy_risk(policy: &[bool], t: &[f64], y: &[f64]) -> Result<f64> {
    check_len(policy, &[("t", t), ("y", y)])?;
    let arm_mean = |arm: bool| {
        let v: Vec<f64> = (0..policy.len())
            .filter(|&i| policy[i] == arm && (t[i] == 1.0) == arm)
            .map(|i| y[i])
            .collect();
        if v.is_empty() {
            0.0
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        }
    };
    let p_treat = policy.iter().filter(|&&p| p).count() as f64 / policy.len() as f64;
    Ok(1.0 - (arm_mean(true) * p_treat + arm_mean(false) * (1.0 - p_treat)))
}

/// The true policy risk from potential-outcome means: 1 − V(π).
///
/// # Errors
///
/// As [`true_policy_value`].
pub fn true_policy_risk(policy: &[bool], mu0: &[f64], mu1: &[f64]) -> Result<f64> {
    Ok(1.0 - true_policy_value(policy, mu0, mu1)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    #[test]
    fn true_value_and_threshold() {
        let pi = threshold_policy(&[0.5, -1.0, 2.0], 0.0);
        assert_eq!(pi, vec![true, false, true]);
        let v = true_policy_value(&pi, &[0.0, 1.0, 2.0], &[3.0, 4.0, 5.0]).unwrap();
        assert!((v - 3.0).abs() < 1e-12);
        assert!(true_policy_value(&pi, &[0.0], &[1.0]).is_err());
    }

    /// With a wrong outcome model but the true propensity, DR still covers the truth; and the
    /// randomized-trial policy risk matches 1 − V(π).
    #[test]
    fn dr_is_consistent_with_wrong_outcome_model() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 20_000;
        let (mut t, mut y, mut mu0, mut mu1, mut e, mut pi) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            let x: f64 = rng.sample(StandardNormal);
            let p = 1.0 / (1.0 + (-x).exp());
            let ti = f64::from(u8::from(rng.random::<f64>() < p));
            let (m0, m1) = (x, 1.0 + 2.0 * x);
            let noise: f64 = rng.sample(StandardNormal);
            y.push(if ti == 1.0 { m1 } else { m0 } + noise);
            t.push(ti);
            mu0.push(m0);
            mu1.push(m1);
            e.push(p);
            pi.push(1.0 + x > 0.0);
        }
        let truth = true_policy_value(&pi, &mu0, &mu1).unwrap();
        let zeros = vec![0.0; n];
        let v = dr_policy_value(&pi, &t, &y, &zeros, &zeros, &e, 0.0).unwrap();
        assert!((v.value - truth).abs() < 3.0 * v.se, "{v:?} vs {truth}");
        // Wrong propensity, right outcome model: also consistent.
        let v2 = dr_policy_value(&pi, &t, &y, &mu0, &mu1, &vec![0.5; n], 0.0).unwrap();
        assert!((v2.value - truth).abs() < 3.0 * v2.se, "{v2:?} vs {truth}");
        // Randomized assignment: Shalit's policy risk estimates 1 − V(π).
        let t_rct: Vec<f64> = (0..n)
            .map(|_| f64::from(u8::from(rng.random::<f64>() < 0.5)))
            .collect();
        let y_rct: Vec<f64> = (0..n)
            .map(|i| if t_rct[i] == 1.0 { mu1[i] } else { mu0[i] })
            .collect();
        let risk = policy_risk(&pi, &t_rct, &y_rct).unwrap();
        let true_risk = true_policy_risk(&pi, &mu0, &mu1).unwrap();
        assert!((risk - true_risk).abs() < 0.05, "{risk} vs {true_risk}");
    }

    #[test]
    fn bad_clip_and_nan_are_rejected() {
        let pi = [true, false];
        let z = [0.0, 0.0];
        assert!(dr_policy_value(&pi, &z, &z, &z, &z, &[0.5, 0.5], 0.7).is_err());
        let err =
            dr_policy_value(&pi, &z, &[0.0, f64::NAN], &z, &z, &[0.5, 0.5], 0.01).unwrap_err();
        assert!(err.to_string().contains("row 2, column 'y'"), "{err}");
    }
}
