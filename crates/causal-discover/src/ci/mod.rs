//! Conditional-independence (CI) tests.
//!
//! Every test implements [`CiTest`]: given variable indices `x`, `y` and a conditioning set `z`,
//! it returns the p-value of the null hypothesis `x ⫫ y | z`. Constraint-based searches call
//! the test many thousands of times, so each test precomputes what it can once, when it is built:
//! [`FisherZ`] caches the correlation matrix, the discrete tests cache integer codes.
//!
//! | test | data | cost per call |
//! |---|---|---|
//! | [`FisherZ`] | linear-Gaussian | O(k³) in the conditioning-set size k, independent of n |
//! | [`ChiSquare`], [`GSquare`] | discrete codes | O(n (k + 2)) |
//! | [`Kci`] | any (nonlinear) | O(n³) |
//! | [`DSeparation`] | a known DAG (oracle) | O(V + E) |

mod discrete;
mod dsep;
mod fisher_z;
mod kci;

use std::str::FromStr;

use causal_core::data::Dataset;

pub use discrete::{ChiSquare, GSquare};
pub use dsep::DSeparation;
pub use fisher_z::FisherZ;
pub use kci::Kci;

use crate::error::{DiscoverError, Result};

/// A conditional-independence test over the variables `0..n_vars()`.
///
/// Implementations are `Sync` so that searches can run tests in parallel.
pub trait CiTest: Sync {
    /// Number of variables.
    fn n_vars(&self) -> usize;

    /// The p-value of `x ⫫ y | z`. Large values mean independence.
    ///
    /// # Errors
    ///
    /// Test-specific: a singular correlation matrix, too few rows, an index out of range.
    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64>;

    /// The test's short name (`fisherz`, `chisq`, ...).
    fn name(&self) -> &'static str;

    /// About how many of these tests are worth handing to another thread: a search level with
    /// fewer than twice this many runs on the calling thread, since waking the pool would cost
    /// more than the tests. The default (1) parallelises every level, right for slow tests
    /// (KCI, discrete tables); the output never depends on it.
    fn tests_per_task(&self) -> usize {
        1
    }

    /// The outcome of one test at level `alpha`.
    ///
    /// # Errors
    ///
    /// As [`CiTest::p_value`].
    fn test(&self, x: usize, y: usize, z: &[usize], alpha: f64) -> Result<CiOutcome> {
        let p_value = self.p_value(x, y, z)?;
        Ok(CiOutcome {
            p_value,
            independent: p_value > alpha,
        })
    }
}

/// One test's result: its p-value and the decision at the level used.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CiOutcome {
    /// The p-value.
    pub p_value: f64,
    /// Whether `p_value > alpha` (causal-learn's convention).
    pub independent: bool,
}

/// The tests that can be built from data by name (the CLI's `--test`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiTestKind {
    /// Fisher-z partial correlation.
    FisherZ,
    /// Pearson chi-square on discrete codes.
    ChiSquare,
    /// G-square (likelihood ratio) on discrete codes.
    GSquare,
    /// Kernel CI test.
    Kci,
}

impl CiTestKind {
    /// Builds the test on a data set.
    ///
    /// # Errors
    ///
    /// The constructor errors of the chosen test (constant columns, non-discrete data, ...).
    pub fn build(self, data: &Dataset) -> Result<Box<dyn CiTest>> {
        Ok(match self {
            Self::FisherZ => Box::new(FisherZ::new(data)?),
            Self::ChiSquare => Box::new(ChiSquare::new(data)?),
            Self::GSquare => Box::new(GSquare::new(data)?),
            Self::Kci => Box::new(Kci::new(data)?),
        })
    }
}

impl FromStr for CiTestKind {
    type Err = DiscoverError;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "fisherz" | "fisher-z" | "fisher_z" => Ok(Self::FisherZ),
            "chisq" | "chi-square" | "chisquare" => Ok(Self::ChiSquare),
            "gsq" | "g-square" | "gsquare" => Ok(Self::GSquare),
            "kci" => Ok(Self::Kci),
            other => Err(DiscoverError::InvalidParameter(format!(
                "unknown CI test '{other}' (expected fisherz, chisq, gsq or kci)"
            ))),
        }
    }
}

/// Checks that `x`, `y` and `z` are distinct indices below `n`.
pub(crate) fn check_indices(n: usize, x: usize, y: usize, z: &[usize]) -> Result<()> {
    for &v in [x, y].iter().chain(z) {
        if v >= n {
            return Err(DiscoverError::InvalidParameter(format!(
                "variable index {v} is out of range (there are {n} variables)"
            )));
        }
    }
    if x == y || z.contains(&x) || z.contains(&y) {
        return Err(DiscoverError::InvalidParameter(format!(
            "CI test of {x} and {y} given {z:?}: the variables must be distinct"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_parse_and_unknown_is_named() {
        assert_eq!(
            "fisherz".parse::<CiTestKind>().unwrap(),
            CiTestKind::FisherZ
        );
        assert_eq!("GSQ".parse::<CiTestKind>().unwrap(), CiTestKind::GSquare);
        let err = "bogus".parse::<CiTestKind>().unwrap_err().to_string();
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn indices_are_checked() {
        assert!(check_indices(3, 0, 1, &[2]).is_ok());
        assert!(check_indices(3, 0, 0, &[]).is_err());
        assert!(check_indices(3, 0, 1, &[1]).is_err());
        assert!(check_indices(3, 0, 5, &[]).is_err());
    }
}
