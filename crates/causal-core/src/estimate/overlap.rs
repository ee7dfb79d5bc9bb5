//! Overlap (positivity) diagnostics for propensity scores.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};

/// Propensity scores below `threshold` or above `1 - threshold` signal limited overlap.
pub const OVERLAP_THRESHOLD: f64 = 0.01;

/// A summary of the fitted propensity scores.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OverlapSummary {
    /// Smallest propensity among treated units.
    pub min_treated: f64,
    /// Largest propensity among treated units.
    pub max_treated: f64,
    /// Smallest propensity among controls.
    pub min_control: f64,
    /// Largest propensity among controls.
    pub max_control: f64,
    /// Units with propensity below the threshold.
    pub n_below: usize,
    /// Units with propensity above one minus the threshold.
    pub n_above: usize,
    /// The threshold used.
    pub threshold: f64,
}

impl OverlapSummary {
    /// Warnings for the report, empty when overlap is fine.
    pub fn warnings(&self, treatment: &str) -> Vec<String> {
        let mut w = Vec::new();
        if self.n_below + self.n_above > 0 {
            w.push(format!(
                "limited overlap: {} units have propensity of '{treatment}' below {} and {} above {}; \
                 estimates rest on extrapolation and extreme weights",
                self.n_below,
                self.threshold,
                self.n_above,
                1.0 - self.threshold
            ));
        }
        w
    }
}

/// Summarises propensities `e` for a binary treatment `t`.
pub fn overlap_summary(t: &[f64], e: &[f64], threshold: f64) -> OverlapSummary {
    let mut s = OverlapSummary {
        min_treated: f64::INFINITY,
        max_treated: f64::NEG_INFINITY,
        min_control: f64::INFINITY,
        max_control: f64::NEG_INFINITY,
        n_below: 0,
        n_above: 0,
        threshold,
    };
    for (&ti, &ei) in t.iter().zip(e) {
        if ti == 1.0 {
            s.min_treated = s.min_treated.min(ei);
            s.max_treated = s.max_treated.max(ei);
        } else {
            s.min_control = s.min_control.min(ei);
            s.max_control = s.max_control.max(ei);
        }
        if ei < threshold {
            s.n_below += 1;
        }
        if ei > 1.0 - threshold {
            s.n_above += 1;
        }
    }
    s
}

/// Checks a propensity clip `c` (propensities are clipped into `[c, 1 − c]`; 0 disables).
pub(super) fn check_clip(clip: f64) -> Result<()> {
    if !(0.0..0.5).contains(&clip) {
        return Err(CoreError::InvalidParameter(format!(
            "propensity clip {clip} is not in [0, 0.5)"
        )));
    }
    Ok(())
}
