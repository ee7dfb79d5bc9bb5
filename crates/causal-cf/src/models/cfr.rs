//! TARNet and Counterfactual Regression (Shalit, Johansson & Sontag 2017).

use causal_torch::nn::{Activation, Mlp};
use causal_torch::tch::{Device, Kind, Tensor};

use super::fitted::{
    FitState, Setup, check_non_negative, check_widths, representation, state_methods,
    with_residuals,
};
use super::heads::{ArmHeads, factual};
use super::ipm::Ipm;
use super::settings::{TrainSettings, setters, train_builders, widths_builders};
use super::{IteModel, PotentialOutcomes};
use crate::error::{CfError, Result};
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::{ColumnRoles, Dataset};

/// Hyperparameters of TARNet / CFR.
///
/// Defaults follow the authors' IHDP configuration: a representation Φ of three ELU layers of
/// 200 units, two outcome heads of three ELU layers of 100 units, an L2 penalty of 1e-4 on the
/// heads, sample re-weighting by the treated share, Adam at 1e-3 with batches of 100 (the rate
/// ×0.99 an epoch, [`ANNEALED`](crate::models::ANNEALED)), and early stopping on the validation
/// factual loss.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_cf::models::{CfrParams, IteModel};
/// # use causal_core::data::{ColumnRoles, Dataset};
/// # let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64 / 7.0).collect();
/// # let b: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// # let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let model = CfrParams::tarnet().epochs(20).representation(&[16]).heads(&[8]).check()?
///     .fit(&data, &roles, None)?;
/// let po = model.predict(&data, &roles)?;
/// assert_eq!(po.y0.len(), 40);
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CfrParams {
    rep: Vec<usize>,
    heads: Vec<usize>,
    ipm: Ipm,
    alpha: f64,
    head_l2: f64,
    reweight: bool,
    normalize: bool,
    train: TrainSettings,
}

/// A validated TARNet / CFR estimator; see [`CfrParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct Cfr {
    params: CfrParams,
}

impl CfrParams {
    /// TARNet: CFR without an IPM penalty.
    pub fn tarnet() -> Self {
        let mut train = TrainSettings::new(600, 100, 1e-3, 0.0);
        train.patience = Some(60);
        Self {
            rep: vec![200, 200, 200],
            heads: vec![100, 100, 100],
            ipm: Ipm::None,
            alpha: 0.0,
            head_l2: 1e-4,
            reweight: true,
            normalize: false,
            train,
        }
    }

    /// CFR with the Wasserstein penalty (α = 1, λ = 10, 10 Sinkhorn iterations) on a
    /// unit-norm representation.
    pub fn wasserstein() -> Self {
        Self {
            ipm: Ipm::Wasserstein {
                lambda: 10.0,
                iterations: 10,
            },
            alpha: 1.0,
            normalize: true,
            ..Self::tarnet()
        }
    }

    /// CFR with the linear MMD penalty (α = 1) on a unit-norm representation.
    pub fn mmd() -> Self {
        Self {
            ipm: Ipm::MmdLinear,
            alpha: 1.0,
            normalize: true,
            ..Self::tarnet()
        }
    }

    widths_builders!();

    /// The IPM and its weight α.
    pub fn ipm(mut self, ipm: Ipm, alpha: f64) -> Self {
        self.ipm = ipm;
        self.alpha = alpha;
        self
    }

    setters! {
        /// L2 penalty on the outcome heads' weights.
        head_l2: f64;
        /// Re-weight units by 1/(2p) (treated) and 1/(2(1−p)) (control).
        reweight: bool;
        /// Scale each representation to unit norm before the heads and the IPM.
        normalize: bool;
    }

    train_builders!();
}

impl ParamGuard for CfrParams {
    type Checked = Cfr;
    type Error = CfError;

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`] for an empty representation, zero widths, a negative α or
    /// L2, or invalid IPM or optimisation settings.
    fn check(self) -> Result<Cfr> {
        check_widths(&self.rep, &self.heads)?;
        check_non_negative(&[("alpha", self.alpha), ("head L2", self.head_l2)])?;
        match self.ipm {
            Ipm::Wasserstein { lambda, iterations }
                if lambda.is_nan() || lambda <= 0.0 || iterations == 0 =>
            {
                return Err(CfError::InvalidParameter(format!(
                    "Wasserstein needs lambda > 0 and iterations > 0, got {lambda} and {iterations}"
                )));
            }
            Ipm::MmdRbf { sigma } if sigma.is_nan() || sigma <= 0.0 => {
                return Err(CfError::InvalidParameter(format!(
                    "the MMD bandwidth must be positive, got {sigma}"
                )));
            }
            _ => {}
        }
        self.train.trainer(Device::Cpu, true)?;
        Ok(Cfr { params: self })
    }
}

struct Nets {
    rep: Mlp,
    heads: ArmHeads,
    normalize: bool,
}

impl Nets {
    fn phi(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let r = Activation::Elu.f_apply(&self.rep.f_forward_t(x, train)?)?;
        if self.normalize {
            let norm = r
                .f_square()?
                .f_sum_dim_intlist(1, true, Kind::Float)?
                .f_add_scalar(1e-10)?
                .f_sqrt()?;
            Ok(r.f_div(&norm)?)
        } else {
            Ok(r)
        }
    }

    /// (ŷ₀, ŷ₁, Φ) on standardized scale.
    fn forward(&self, x: &Tensor, train: bool) -> Result<(Tensor, Tensor, Tensor)> {
        let r = self.phi(x, train)?;
        let (y0, y1) = self.heads.forward(&r, train)?;
        Ok((y0, y1, r))
    }

    /// The loss terms on units (x, t, y) given the treated share `p`: the (re-weighted)
    /// factual loss, and in training the IPM and head L2 penalties.
    fn terms(
        &self,
        params: &CfrParams,
        p: f64,
        x: &Tensor,
        t: &Tensor,
        y: &Tensor,
        train: bool,
    ) -> Result<Vec<(String, Tensor)>> {
        let (y0, y1, r) = self.forward(x, train)?;
        let w = weights(t, p, params.reweight)?;
        let err = factual(&y0, &y1, t)?.f_sub(y)?.f_square()?;
        let mut terms = vec![("factual".to_string(), err.f_mul(&w)?.f_mean(Kind::Float)?)];
        if !train {
            return Ok(terms);
        }
        if params.alpha > 0.0
            && let Some(d) = params.ipm.penalty(&r, t, p)?
        {
            terms.push(("ipm".into(), d.f_mul_scalar(params.alpha)?));
        }
        if params.head_l2 > 0.0 {
            let l2 = self.heads.sum_sq_weights(0.5, x.device())?;
            terms.push(("head_l2".into(), l2.f_mul_scalar(params.head_l2)?));
        }
        Ok(terms)
    }
}

fn weights(t: &Tensor, p: f64, reweight: bool) -> Result<Tensor> {
    if !reweight {
        return Ok(t.f_ones_like()?);
    }
    Ok(t.f_div_scalar(2.0 * p)?.f_add(
        &t.f_neg()?
            .f_add_scalar(1.0)?
            .f_div_scalar(2.0 * (1.0 - p))?,
    )?)
}

impl<'a> Fit<(&'a ColumnRoles, Option<&'a Dataset>)> for Cfr {
    type Object = CfrFit;
    type Error = CfError;

    /// As [`Cfr::fit`]: `with` is the column roles and the early-stopping units.
    fn fit(
        &self,
        train: &Dataset,
        (roles, valid): (&'a ColumnRoles, Option<&'a Dataset>),
    ) -> Result<CfrFit> {
        Cfr::fit(self, train, roles, valid)
    }
}

impl Cfr {
    /// The hyperparameters.
    pub fn params(&self) -> &CfrParams {
        &self.params
    }

    /// Fits on `train`, early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// [`CfError::Shape`] for mismatched validation covariates; [`CfError::TooFewUnits`] (from the
    /// data); [`CfError::Torch`] with [`causal_torch::TorchError::Diverged`] when the loss
    /// diverges; LibTorch errors.
    pub fn fit(
        &self,
        train: &Dataset,
        roles: &ColumnRoles,
        valid: Option<&Dataset>,
    ) -> Result<CfrFit> {
        let p = &self.params;
        let (setup, data) = Setup::new(train, roles, valid, &p.train, false)?;
        let root = setup.root();
        let (rep, w) = representation(setup.d, &p.rep, &root / "rep")?;
        let nets = Nets {
            rep,
            heads: ArmHeads::new(w, &p.heads, &root, ["h0", "h1"])?,
            normalize: p.normalize,
        };
        let share = setup.treated_share;
        let state = setup.train(&p.train, &data, |x, t, y, training| {
            nets.terms(p, share, x, t, y, training)
        })?;
        let name = match (p.ipm, p.alpha > 0.0) {
            (Ipm::None, _) | (_, false) => "TARNet",
            (Ipm::Wasserstein { .. }, true) => "CFR-Wass",
            (_, true) => "CFR-MMD",
        };
        with_residuals(CfrFit { name, nets, state }, train, roles, |m| &mut m.state)
    }
}

/// A fitted TARNet / CFR model.
pub struct CfrFit {
    name: &'static str,
    nets: Nets,
    state: FitState,
}

impl std::fmt::Debug for CfrFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CfrFit")
            .field("name", &self.name)
            .field("epochs", &self.state.history.epochs())
            .finish()
    }
}

impl IteModel for CfrFit {
    fn name(&self) -> &str {
        self.name
    }

    state_methods!(deterministic);

    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes> {
        let (_, xt) = self.state.input(data, roles)?;
        let (y0, y1, _) = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        self.state.outcomes(&y0, &y1)
    }
}
