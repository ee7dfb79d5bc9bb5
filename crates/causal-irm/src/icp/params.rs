//! Hyperparameters of ICP: a consuming builder validated by `check()`.

use serde::{Deserialize, Serialize};

use causal_core::contract::ParamGuard;

use crate::error::{IrmError, Result};

/// The invariance test applied to each subset of predictors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum IcpTest {
    /// Residuals of the pooled regression, each environment against the rest: Welch t-test of
    /// means and F-test of variances, Bonferroni-corrected by `2(E − 1)` (as `causalicp` and
    /// R's `InvariantCausalPrediction`).
    #[default]
    Approximate,
    /// Chow's predictive F-test, each environment against a regression fitted on the rest,
    /// Bonferroni-corrected by `E`. Exact under Gaussian errors.
    Exact,
}

/// How to shrink a long list of predictors before subsets are enumerated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Preselection {
    /// Enumerate subsets of every predictor.
    #[default]
    None,
    /// The first `k` predictors to enter the lasso path on the pooled data.
    Lasso(usize),
    /// The first `k` predictors chosen by componentwise L2 boosting on the pooled data.
    Boosting(usize),
}

/// Hyperparameters of Invariant Causal Prediction (unchecked).
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_irm::icp::{IcpParams, IcpTest};
///
/// let params = IcpParams::new().alpha(0.01).test(IcpTest::Exact).max_size(3).check()?;
/// assert_eq!(params.alpha(), 0.01);
/// assert!(IcpParams::new().alpha(1.5).check().is_err());
/// # Ok::<(), causal_irm::IrmError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct IcpParams {
    pub(crate) alpha: f64,
    pub(crate) test: IcpTest,
    pub(crate) max_size: Option<usize>,
    pub(crate) preselection: Preselection,
    pub(crate) predictors: Option<Vec<String>>,
    pub(crate) max_sets: u128,
}

impl Default for IcpParams {
    fn default() -> Self {
        Self::new()
    }
}

impl IcpParams {
    /// Defaults: `alpha = 0.05`, the approximate test, every subset, no pre-selection, every
    /// column other than the target and the environment as predictor, at most 2²⁰ subsets.
    pub fn new() -> Self {
        Self {
            alpha: 0.05,
            test: IcpTest::Approximate,
            max_size: None,
            preselection: Preselection::None,
            predictors: None,
            max_sets: 1 << 20,
        }
    }

    /// Level of each set test (a set is rejected when its p-value is `≤ alpha`).
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The invariance test.
    pub fn test(mut self, test: IcpTest) -> Self {
        self.test = test;
        self
    }

    /// Only subsets of at most this many predictors are tested.
    pub fn max_size(mut self, k: usize) -> Self {
        self.max_size = Some(k);
        self
    }

    /// Pre-selection of candidate predictors.
    pub fn preselection(mut self, p: Preselection) -> Self {
        self.preselection = p;
        self
    }

    /// Candidate predictors by name (default: all columns but the target and the environment).
    pub fn predictors<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.predictors = Some(names.into_iter().map(|s| s.as_ref().to_owned()).collect());
        self
    }

    /// Largest number of subsets ICP will enumerate before asking for pre-selection.
    pub fn max_sets(mut self, limit: u128) -> Self {
        self.max_sets = limit;
        self
    }
}

impl ParamGuard for IcpParams {
    type Checked = Icp;
    type Error = IrmError;

    /// Validates the parameters.
    ///
    /// # Errors
    ///
    /// [`IrmError::InvalidParameter`] for `alpha` outside `(0, 1)`, a pre-selection of 0
    /// variables, or a zero subset limit.
    fn check(self) -> Result<Icp> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(IrmError::InvalidParameter(format!(
                "alpha must lie in (0, 1), got {}",
                self.alpha
            )));
        }
        if matches!(
            self.preselection,
            Preselection::Lasso(0) | Preselection::Boosting(0)
        ) {
            return Err(IrmError::InvalidParameter(
                "pre-selection must keep at least 1 predictor".into(),
            ));
        }
        if self.max_sets == 0 {
            return Err(IrmError::InvalidParameter(
                "max_sets must be at least 1".into(),
            ));
        }
        Ok(Icp(self))
    }
}

/// Checked ICP hyperparameters; [`Icp::fit`] runs ICP.
#[derive(Clone, Debug, PartialEq)]
pub struct Icp(pub(crate) IcpParams);

impl Icp {
    /// Level of each set test.
    pub fn alpha(&self) -> f64 {
        self.0.alpha
    }

    /// The invariance test.
    pub fn test(&self) -> IcpTest {
        self.0.test
    }

    /// Largest subset size tested, if capped.
    pub fn max_size(&self) -> Option<usize> {
        self.0.max_size
    }

    /// The pre-selection rule.
    pub fn preselection(&self) -> Preselection {
        self.0.preselection
    }

    /// Candidate predictors, if given.
    pub fn predictors(&self) -> Option<&[String]> {
        self.0.predictors.as_deref()
    }

    /// Largest number of subsets enumerated.
    pub fn max_sets(&self) -> u128 {
        self.0.max_sets
    }
}
