//! Multiple-testing corrections of p-values.

use serde::{Deserialize, Serialize};

/// A correction for testing many hypotheses at once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Correction {
    /// No correction.
    None,
    /// Bonferroni: `p·m`.
    Bonferroni,
    /// Holm's step-down method (controls the family-wise error rate; dagitty's default).
    Holm,
    /// Benjamini–Hochberg (controls the false discovery rate).
    Bh,
}

impl std::str::FromStr for Correction {
    type Err = crate::CoreError;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Self::None),
            "bonferroni" => Ok(Self::Bonferroni),
            "holm" => Ok(Self::Holm),
            "bh" | "fdr" | "benjamini-hochberg" => Ok(Self::Bh),
            other => Err(crate::CoreError::InvalidParameter(format!(
                "unknown multiple-testing correction '{other}' (none, bonferroni, holm, bh)"
            ))),
        }
    }
}

/// Adjusted p-values in the input order (as R's `p.adjust`).
///
/// # Examples
///
/// ```
/// use causal_core::stats::{Correction, adjust_p_values};
///
/// let adj = adjust_p_values(&[0.25, 0.5, 0.125], Correction::Holm);
/// assert_eq!(adj, vec![0.5, 0.5, 0.375]);
/// ```
pub fn adjust_p_values(p: &[f64], correction: Correction) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    match correction {
        Correction::None => out.copy_from_slice(p),
        Correction::Bonferroni => {
            for i in 0..m {
                out[i] = (p[i] * m as f64).min(1.0);
            }
        }
        Correction::Holm => {
            let mut running = 0.0f64;
            for (rank, &i) in order.iter().enumerate() {
                running = running.max(((m - rank) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
        Correction::Bh => {
            let mut running = 1.0f64;
            for (rank, &i) in order.iter().enumerate().rev() {
                running = running.min((m as f64 / (rank + 1) as f64 * p[i]).min(1.0));
                out[i] = running;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_r_p_adjust() {
        // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH") = 0.05 for all;
        // "holm" = 0.05, 0.08, 0.09, 0.09, 0.09; "bonferroni" = 0.05, 0.10, 0.15, 0.20, 0.25.
        let p = [0.01, 0.02, 0.03, 0.04, 0.05];
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12);
        assert!(close(&adjust_p_values(&p, Correction::Bh), &[0.05; 5]));
        assert!(close(
            &adjust_p_values(&p, Correction::Holm),
            &[0.05, 0.08, 0.09, 0.09, 0.09]
        ));
        assert!(close(
            &adjust_p_values(&p, Correction::Bonferroni),
            &[0.05, 0.10, 0.15, 0.20, 0.25]
        ));
    }
}
