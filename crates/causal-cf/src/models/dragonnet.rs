//! DragonNet with targeted regularization (Shi, Blei & Veitch 2019).

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::Init;
use causal_torch::tch::{Device, Reduction, Tensor};

use super::fitted::{
    FitState, Setup, check_non_negative, check_widths, representation, state_methods,
    with_residuals,
};
use super::heads::{ArmHeads, factual};
use super::prep::to_vec;
use super::settings::{TrainSettings, setters, train_builders, widths_builders};
use super::{IteModel, PotentialOutcomes};
use crate::error::{CfError, Result};
use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::{ColumnRoles, Dataset};

/// Hyperparameters of DragonNet.
///
/// Defaults follow the paper: a shared representation of three ELU layers of 200 units, a
/// linear-logistic propensity head, two outcome heads of two ELU layers of 100 units, loss
/// weights α = 1 (propensity) and β = 1 (targeted regularization), Adam at 1e-3 with batches
/// of 64 (the rate ×0.99 an epoch, [`ANNEALED`](crate::models::ANNEALED)) and early stopping on
/// validation.
///
/// # Formula
///
/// L = Σ (y − Q(t, x))² + α Σ BCE(t, g(x)) + β Σ (y − Q̃(t, x))²,
/// Q̃ = Q + ε [t / g − (1 − t) / (1 − g)], with ε a trained scalar.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_cf::models::{DragonNetParams, IteModel};
/// # use causal_core::data::{ColumnRoles, Dataset};
/// # let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64 / 7.0).collect();
/// # let b: Vec<f64> = (0..40).map(|i| (i % 2) as f64).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = a.iter().zip(&t).map(|(a, t)| a + 2.0 * t).collect();
/// # let data = Dataset::new(vec!["a".into(), "b".into(), "t".into(), "y".into()], vec![a, b, t, y])?;
/// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["a", "b"]);
/// let model = DragonNetParams::new().epochs(10).representation(&[16]).heads(&[8]).check()?
///     .fit(&data, &roles, None)?;
/// let e = model.propensity(&data, &roles)?.unwrap();
/// assert!(e.iter().all(|p| *p > 0.0 && *p < 1.0));
/// # Ok::<(), causal_cf::CfError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DragonNetParams {
    rep: Vec<usize>,
    heads: Vec<usize>,
    alpha: f64,
    beta: f64,
    head_l2: f64,
    train: TrainSettings,
}

/// A validated DragonNet estimator; see [`DragonNetParams`].
#[derive(Clone, Debug, PartialEq)]
pub struct DragonNet {
    params: DragonNetParams,
}

impl Default for DragonNetParams {
    fn default() -> Self {
        Self::new()
    }
}

impl DragonNetParams {
    /// The paper's configuration.
    pub fn new() -> Self {
        let mut train = TrainSettings::new(300, 64, 1e-3, 0.0);
        train.patience = Some(30);
        Self {
            rep: vec![200, 200, 200],
            heads: vec![100, 100],
            alpha: 1.0,
            beta: 1.0,
            head_l2: 0.01,
            train,
        }
    }

    widths_builders!();

    setters! {
        /// Weight α of the propensity loss.
        alpha: f64;
        /// Weight β of the targeted regularization (0 turns it off).
        beta: f64;
        /// L2 penalty on the outcome heads' weights (Keras-style Σw², as in the authors' code).
        head_l2: f64;
    }

    train_builders!();
}

impl ParamGuard for DragonNetParams {
    type Checked = DragonNet;
    type Error = CfError;

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidParameter`](crate::CfError::InvalidParameter) for empty or zero widths,
    /// negative weights, or invalid optimisation settings.
    fn check(self) -> Result<DragonNet> {
        check_widths(&self.rep, &self.heads)?;
        check_non_negative(&[
            ("alpha", self.alpha),
            ("beta", self.beta),
            ("head L2", self.head_l2),
        ])?;
        self.train.trainer(Device::Cpu, true)?;
        Ok(DragonNet { params: self })
    }
}

struct Nets {
    rep: Mlp,
    g: Mlp,
    q: ArmHeads,
    eps: Tensor,
}

struct Out {
    q0: Tensor,
    q1: Tensor,
    /// Propensity logits.
    g_logit: Tensor,
}

/// The propensity g from its logit. The authors squash g into [0.005, 0.995] before the
/// cross-entropy and the clever covariate, which keeps h bounded.
fn squash(g_logit: &Tensor) -> Result<Tensor> {
    Ok(g_logit
        .f_sigmoid()?
        .f_add_scalar(0.01)?
        .f_div_scalar(1.02)?)
}

impl Nets {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Out> {
        let r = Activation::Elu.f_apply(&self.rep.f_forward_t(x, train)?)?;
        let (q0, q1) = self.q.forward(&r, train)?;
        Ok(Out {
            q0,
            q1,
            g_logit: self.g.f_forward_t(&r, train)?.f_view([-1])?,
        })
    }

    /// The loss terms on units (x, t, y): outcome, propensity, targeted regularization and, in
    /// training, the heads' L2 penalty.
    fn terms(
        &self,
        params: &DragonNetParams,
        x: &Tensor,
        t: &Tensor,
        y: &Tensor,
        train: bool,
    ) -> Result<Vec<(String, Tensor)>> {
        let o = self.forward(x, train)?;
        let q = factual(&o.q0, &o.q1, t)?;
        let mut terms = vec![("outcome".to_string(), q.f_mse_loss(y, Reduction::Mean)?)];
        let g = squash(&o.g_logit)?;
        if params.alpha > 0.0 {
            let bce = g.f_binary_cross_entropy::<Tensor>(t, None, Reduction::Mean)?;
            terms.push(("propensity".into(), bce.f_mul_scalar(params.alpha)?));
        }
        if params.beta > 0.0 {
            let one_minus_t = t.f_neg()?.f_add_scalar(1.0)?;
            let h = t
                .f_div(&g)?
                .f_sub(&one_minus_t.f_div(&g.f_neg()?.f_add_scalar(1.0)?)?)?;
            let q_tilde = q.f_add(&h.f_mul(&self.eps)?)?;
            let tr = q_tilde.f_mse_loss(y, Reduction::Mean)?;
            terms.push(("targeted".into(), tr.f_mul_scalar(params.beta)?));
        }
        if train && params.head_l2 > 0.0 {
            let acc = self.q.sum_sq_weights(1.0, x.device())?;
            terms.push((
                "head_l2".into(),
                acc.f_mul_scalar(params.head_l2 / x.size()[0].max(1) as f64)?,
            ));
        }
        Ok(terms)
    }
}

impl<'a> Fit<(&'a ColumnRoles, Option<&'a Dataset>)> for DragonNet {
    type Object = DragonNetFit;
    type Error = CfError;

    /// As [`DragonNet::fit`]: `with` is the column roles and the early-stopping units.
    fn fit(
        &self,
        train: &Dataset,
        (roles, valid): (&'a ColumnRoles, Option<&'a Dataset>),
    ) -> Result<DragonNetFit> {
        DragonNet::fit(self, train, roles, valid)
    }
}

impl DragonNet {
    /// The hyperparameters.
    pub fn params(&self) -> &DragonNetParams {
        &self.params
    }

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
    ) -> Result<DragonNetFit> {
        let p = &self.params;
        let (setup, data) = Setup::new(train, roles, valid, &p.train, false)?;
        let root = setup.root();
        let (rep, w) = representation(setup.d, &p.rep, &root / "rep")?;
        let nets = Nets {
            rep,
            g: MlpParams::new(w, &[], 1).build(&root / "g")?,
            q: ArmHeads::new(w, &p.heads, &root, ["q0", "q1"])?,
            eps: root.f_var("epsilon", &[1], Init::Const(0.0))?,
        };
        let state = setup.train(&p.train, &data, |x, t, y, training| {
            nets.terms(p, x, t, y, training)
        })?;
        with_residuals(DragonNetFit { nets, state }, train, roles, |m| &mut m.state)
    }
}

/// A fitted DragonNet.
pub struct DragonNetFit {
    nets: Nets,
    state: FitState,
}

impl std::fmt::Debug for DragonNetFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DragonNetFit")
            .field("epochs", &self.state.history.epochs())
            .finish()
    }
}

impl DragonNetFit {
    /// The fitted targeted-regularization coefficient ε.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn epsilon(&self) -> Result<f64> {
        Ok(self.nets.eps.f_double_value(&[0])? * self.state.ys.sd)
    }
}

impl IteModel for DragonNetFit {
    fn name(&self) -> &str {
        "DragonNet"
    }

    state_methods!(deterministic);

    fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<PotentialOutcomes> {
        let (_, xt) = self.state.input(data, roles)?;
        let o = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        self.state.outcomes(&o.q0, &o.q1)
    }

    fn propensity(&self, data: &Dataset, roles: &ColumnRoles) -> Result<Option<Vec<f64>>> {
        let (_, xt) = self.state.input(data, roles)?;
        let o = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        Ok(Some(to_vec(&squash(&o.g_logit)?)?))
    }
}
