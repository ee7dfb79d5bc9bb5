//! S- and T-learner MLP baselines (Künzel et al. 2019), trained like the other networks.

use causal_torch::nn::Mlp;
use causal_torch::tch::{Device, Kind, Tensor};

use super::fitted::{FitState, Setup, elu_mlp, state_methods, with_residuals};
use super::heads::ArmHeads;
use super::settings::{TrainSettings, train_builders};
use super::{IteModel, PotentialOutcomes};
use crate::error::{CfError, Result};
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::{ColumnRoles, Dataset};

fn default_train() -> TrainSettings {
    let mut train = TrainSettings::new(600, 100, 1e-3, 1e-4);
    train.patience = Some(60);
    train
}

fn check_widths(hidden: &[usize]) -> Result<()> {
    if hidden.contains(&0) {
        return Err(CfError::InvalidParameter(format!(
            "hidden widths {hidden:?} must be positive"
        )));
    }
    Ok(())
}

/// `Default`, `new`, `hidden`, the training settings and `check` of a one-width-list learner.
macro_rules! learner_params {
    ($params:ident, $estimator:ident, $defaults:literal) => {
        impl Default for $params {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $params {
            #[doc = $defaults]
            pub fn new() -> Self {
                Self {
                    hidden: vec![200, 200, 200],
                    train: default_train(),
                }
            }

            /// Hidden widths (of each network).
            pub fn hidden(mut self, widths: &[usize]) -> Self {
                self.hidden = widths.to_vec();
                self
            }

            train_builders!();
        }

        impl ParamGuard for $params {
            type Checked = $estimator;
            type Error = CfError;

            /// Validates the hyperparameters.
            ///
            /// # Errors
            ///
            /// [`CfError::InvalidParameter`] for a zero width or invalid optimisation settings.
            fn check(self) -> Result<$estimator> {
                check_widths(&self.hidden)?;
                self.train.trainer(Device::Cpu, true)?;
                Ok($estimator { params: self })
            }
        }
    };
}

/// Squared error of `pred` against `y` over the rows where `mask` is 1 (summed, divided by the
/// batch size so that the two arms add up to the batch mean).
fn masked_sq(pred: &Tensor, y: &Tensor, mask: &Tensor) -> Result<Tensor> {
    let n = y.size()[0].max(1) as f64;
    Ok(pred
        .f_sub(y)?
        .f_square()?
        .f_mul(mask)?
        .f_sum(Kind::Float)?
        .f_div_scalar(n)?)
}

/// Hyperparameters of the S-learner: one MLP on (x, t), three ELU layers of 200 units.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_cf::models::{IteModel, SLearnerParams};
/// # use causal_core::data::{ColumnRoles, Dataset};
/// # let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64 / 7.0).collect();
/// # let b: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// # let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let m = SLearnerParams::new().hidden(&[16]).epochs(10).check()?.fit(&data, &roles, None)?;
/// assert_eq!(m.predict(&data, &roles)?.cate().len(), 40);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct SLearnerParams {
    hidden: Vec<usize>,
    train: TrainSettings,
}

/// A validated S-learner; see [`SLearnerParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct SLearner {
    params: SLearnerParams,
}

learner_params!(
    SLearnerParams,
    SLearner,
    "Three ELU layers of 200 units, Adam 1e-3 (×0.99 an epoch), weight decay 1e-4, batches of 100."
);

fn with_t(x: &Tensor, t: &Tensor) -> Result<Tensor> {
    Ok(Tensor::f_cat(&[x.shallow_clone(), t.f_unsqueeze(1)?], 1)?)
}

/// The S-learner's squared error on units (x, t, y).
fn s_loss(net: &Mlp, x: &Tensor, t: &Tensor, y: &Tensor, train: bool) -> Result<Tensor> {
    let pred = net.f_forward_t(&with_t(x, t)?, train)?.f_view([-1])?;
    Ok(pred.f_sub(y)?.f_square()?.f_mean(Kind::Float)?)
}

impl<'a> Fit<(&'a ColumnRoles, Option<&'a Dataset>)> for SLearner {
    type Object = SLearnerFit;
    type Error = CfError;

    /// As [`SLearner::fit`]: `with` is the column roles and the early-stopping units.
    fn fit(
        &self,
        train: &Dataset,
        (roles, valid): (&'a ColumnRoles, Option<&'a Dataset>),
    ) -> Result<SLearnerFit> {
        SLearner::fit(self, train, roles, valid)
    }
}

impl SLearner {
    /// Fits on `train`, early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// As [`crate::models::Cfr::fit`].
    pub fn fit(
        &self,
        train: &Dataset,
        roles: &ColumnRoles,
        valid: Option<&Dataset>,
    ) -> Result<SLearnerFit> {
        let p = &self.params;
        let (setup, data) = Setup::new(train, roles, valid, &p.train, false)?;
        let net = elu_mlp(setup.d + 1, &p.hidden, 1, setup.root() / "net")?;
        let state = setup.train(&p.train, &data, |x, t, y, training| {
            Ok(vec![("mse".into(), s_loss(&net, x, t, y, training)?)])
        })?;
        with_residuals(SLearnerFit { net, state }, train, roles, |m| &mut m.state)
    }
}

/// A fitted S-learner.
pub struct SLearnerFit {
    net: Mlp,
    state: FitState,
}

impl std::fmt::Debug for SLearnerFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SLearnerFit").finish()
    }
}

impl IteModel for SLearnerFit {
    fn name(&self) -> &str {
        "S-learner"
    }

    state_methods!(deterministic);

    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes> {
        let (n, xt) = self.state.input(data, roles)?;
        let arm = |v: f64| -> Result<Tensor> {
            let t = Tensor::f_full([n as i64], v, (Kind::Float, self.state.device))?;
            causal_torch::tch::no_grad(|| Ok(self.net.f_forward_t(&with_t(&xt, &t)?, false)?))
        };
        self.state.outcomes(&arm(0.0)?, &arm(1.0)?)
    }
}

/// Hyperparameters of the T-learner: one MLP per arm, three ELU layers of 200 units each.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_cf::models::{IteModel, TLearnerParams};
/// # use causal_core::data::{ColumnRoles, Dataset};
/// # let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64 / 7.0).collect();
/// # let b: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// # let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let m = TLearnerParams::new().hidden(&[16]).epochs(10).check()?.fit(&data, &roles, None)?;
/// assert_eq!(m.predict(&data, &roles)?.y1.len(), 40);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TLearnerParams {
    hidden: Vec<usize>,
    train: TrainSettings,
}

/// A validated T-learner; see [`TLearnerParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct TLearner {
    params: TLearnerParams,
}

learner_params!(
    TLearnerParams,
    TLearner,
    "Three ELU layers of 200 units per arm, Adam 1e-3 (×0.99 an epoch), weight decay 1e-4, \
     batches of 100."
);

/// The T-learner's squared error on units (x, t, y): each arm's head on its own units.
fn t_loss(heads: &ArmHeads, x: &Tensor, t: &Tensor, y: &Tensor, train: bool) -> Result<Tensor> {
    let (p0, p1) = heads.forward(x, train)?;
    let c = t.f_neg()?.f_add_scalar(1.0)?;
    Ok(masked_sq(&p0, y, &c)?.f_add(&masked_sq(&p1, y, t)?)?)
}

impl<'a> Fit<(&'a ColumnRoles, Option<&'a Dataset>)> for TLearner {
    type Object = TLearnerFit;
    type Error = CfError;

    /// As [`TLearner::fit`]: `with` is the column roles and the early-stopping units.
    fn fit(
        &self,
        train: &Dataset,
        (roles, valid): (&'a ColumnRoles, Option<&'a Dataset>),
    ) -> Result<TLearnerFit> {
        TLearner::fit(self, train, roles, valid)
    }
}

impl TLearner {
    /// Fits on `train`, early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// As [`crate::models::Cfr::fit`].
    pub fn fit(
        &self,
        train: &Dataset,
        roles: &ColumnRoles,
        valid: Option<&Dataset>,
    ) -> Result<TLearnerFit> {
        let p = &self.params;
        let (setup, data) = Setup::new(train, roles, valid, &p.train, false)?;
        let heads = ArmHeads::new(setup.d, &p.hidden, &setup.root(), ["mu0", "mu1"])?;
        let state = setup.train(&p.train, &data, |x, t, y, training| {
            Ok(vec![("mse".into(), t_loss(&heads, x, t, y, training)?)])
        })?;
        with_residuals(TLearnerFit { heads, state }, train, roles, |m| &mut m.state)
    }
}

/// A fitted T-learner.
pub struct TLearnerFit {
    heads: ArmHeads,
    state: FitState,
}

impl std::fmt::Debug for TLearnerFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TLearnerFit").finish()
    }
}

impl IteModel for TLearnerFit {
    fn name(&self) -> &str {
        "T-learner"
    }

    state_methods!(deterministic);

    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes> {
        let (_, xt) = self.state.input(data, roles)?;
        let (y0, y1) = causal_torch::tch::no_grad(|| self.heads.forward(&xt, false))?;
        self.state.outcomes(&y0, &y1)
    }
}
