//! DragonNet with targeted regularization (Shi, Blei & Veitch 2019).

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::Init;
use causal_torch::tch::{Device, Reduction, Tensor};
use causal_torch::trainer::Objective;

use super::fitted::{
    FitState, Setup, check_widths, elu_mlp, representation, state_methods, sum_sq_weights, to_torch,
};
use super::prep::{FitTensors, to_vec};
use super::settings::{TrainSettings, train_builders, widths_builders};
use super::{IteModel, PotentialOutcomes};
use crate::data::IteData;
use crate::error::{CfError, Result};

/// Hyperparameters of DragonNet.
///
/// Defaults follow the paper: a shared representation of three ELU layers of 200 units, a
/// linear-logistic propensity head, two outcome heads of two ELU layers of 100 units, loss
/// weights α = 1 (propensity) and β = 1 (targeted regularization), Adam at 1e-3 with batches
/// of 64 and early stopping on validation.
///
/// # Formula
///
/// L = Σ (y − Q(t, x))² + α Σ BCE(t, g(x)) + β Σ (y − Q̃(t, x))²,
/// Q̃ = Q + ε [t / g − (1 − t) / (1 − g)], with ε a trained scalar.
///
/// # Examples
///
/// ```
/// use causal_cf::models::{DragonNetParams, IteModel};
/// # use causal_cf::data::IteData;
/// # let rows: Vec<Vec<f64>> = (0..40).map(|i| vec![(i % 7) as f64 / 7.0, (i % 2) as f64]).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = rows.iter().zip(&t).map(|(r, t)| r[0] + 2.0 * t).collect();
/// # let data = IteData::new(vec!["a".into(), "b".into()], rows, t, y)?;
/// let model = DragonNetParams::new().epochs(10).representation(&[16]).heads(&[8]).check()?
///     .fit(&data, None)?;
/// let e = model.propensity(data.x())?.unwrap();
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

    /// Weight α of the propensity loss.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Weight β of the targeted regularization (0 turns it off).
    pub fn beta(mut self, beta: f64) -> Self {
        self.beta = beta;
        self
    }

    /// L2 penalty on the outcome heads' weights (Keras-style Σw², as in the authors' code).
    pub fn head_l2(mut self, l2: f64) -> Self {
        self.head_l2 = l2;
        self
    }

    train_builders!();

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidConfig`] for empty or zero widths, negative weights, or invalid
    /// optimisation settings.
    pub fn check(self) -> Result<DragonNet> {
        check_widths(&self.rep, &self.heads)?;
        if !(self.alpha >= 0.0 && self.beta >= 0.0 && self.head_l2 >= 0.0) {
            return Err(CfError::InvalidConfig(format!(
                "alpha {}, beta {} and head L2 {} must be non-negative",
                self.alpha, self.beta, self.head_l2
            )));
        }
        self.train.trainer(Device::Cpu, true)?;
        Ok(DragonNet { params: self })
    }
}

struct Nets {
    rep: Mlp,
    g: Mlp,
    q0: Mlp,
    q1: Mlp,
    eps: Tensor,
}

struct Out {
    q0: Tensor,
    q1: Tensor,
    /// Propensity logits.
    g_logit: Tensor,
}

impl Nets {
    fn forward(&self, x: &Tensor, train: bool) -> Result<Out> {
        let r = Activation::Elu.f_apply(&self.rep.f_forward_t(x, train)?)?;
        Ok(Out {
            q0: self.q0.f_forward_t(&r, train)?.f_view([-1])?,
            q1: self.q1.f_forward_t(&r, train)?.f_view([-1])?,
            g_logit: self.g.f_forward_t(&r, train)?.f_view([-1])?,
        })
    }
}

struct DragonObjective<'a> {
    nets: &'a Nets,
    data: &'a FitTensors,
    params: &'a DragonNetParams,
}

impl DragonObjective<'_> {
    fn terms(
        &self,
        x: &Tensor,
        t: &Tensor,
        y: &Tensor,
        train: bool,
    ) -> Result<Vec<(String, Tensor)>> {
        let o = self.nets.forward(x, train)?;
        let one_minus_t = t.f_neg()?.f_add_scalar(1.0)?;
        let q = o.q1.f_mul(t)?.f_add(&o.q0.f_mul(&one_minus_t)?)?;
        let mut terms = vec![("outcome".to_string(), q.f_mse_loss(y, Reduction::Mean)?)];
        // The authors squash g into [0.005, 0.995] before the cross-entropy and the clever
        // covariate, which keeps h bounded.
        let g = o
            .g_logit
            .f_sigmoid()?
            .f_add_scalar(0.01)?
            .f_div_scalar(1.02)?;
        if self.params.alpha > 0.0 {
            let bce = g.f_binary_cross_entropy::<Tensor>(t, None, Reduction::Mean)?;
            terms.push(("propensity".into(), bce.f_mul_scalar(self.params.alpha)?));
        }
        if self.params.beta > 0.0 {
            let h = t
                .f_div(&g)?
                .f_sub(&one_minus_t.f_div(&g.f_neg()?.f_add_scalar(1.0)?)?)?;
            let q_tilde = q.f_add(&h.f_mul(&self.nets.eps)?)?;
            let tr = q_tilde.f_mse_loss(y, Reduction::Mean)?;
            terms.push(("targeted".into(), tr.f_mul_scalar(self.params.beta)?));
        }
        if train && self.params.head_l2 > 0.0 {
            let acc = sum_sq_weights(&[&self.nets.q0, &self.nets.q1], 1.0, x.device())?;
            terms.push((
                "head_l2".into(),
                acc.f_mul_scalar(self.params.head_l2 / x.size()[0].max(1) as f64)?,
            ));
        }
        Ok(terms)
    }
}

impl Objective for DragonObjective<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let (x, t, y) = self.data.batch(batch)?;
        self.terms(&x, &t, &y, true).map_err(to_torch)
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        let Some((x, t, y)) = self.data.valid() else {
            return Ok(None);
        };
        let terms = self.terms(x, t, y, false).map_err(to_torch)?;
        let mut total = 0.0;
        for (_, v) in &terms {
            total += v.f_double_value(&[])?;
        }
        Ok(Some(total))
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
    pub fn fit(&self, train: &IteData, valid: Option<&IteData>) -> Result<FittedDragonNet> {
        let p = &self.params;
        let (setup, data) = Setup::new(train, valid, &p.train, false)?;
        let root = setup.root();
        let (rep, w) = representation(train.d(), &p.rep, &root / "rep")?;
        let nets = Nets {
            rep,
            g: MlpParams::new(w, &[], 1).build(&root / "g")?,
            q0: elu_mlp(w, &p.heads, 1, &root / "q0")?,
            q1: elu_mlp(w, &p.heads, 1, &root / "q1")?,
            eps: root.f_var("epsilon", &[1], Init::Const(0.0))?,
        };
        let mut objective = DragonObjective {
            nets: &nets,
            data: &data,
            params: p,
        };
        let state = setup.train(&p.train, &mut objective)?;
        let mut fitted = FittedDragonNet { nets, state };
        let po = fitted.potential_outcomes(train.x())?;
        fitted.state.set_residuals(train, &po);
        Ok(fitted)
    }
}

/// A fitted DragonNet.
pub struct FittedDragonNet {
    nets: Nets,
    state: FitState,
}

impl std::fmt::Debug for FittedDragonNet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedDragonNet")
            .field("epochs", &self.state.history.epochs())
            .finish()
    }
}

impl FittedDragonNet {
    /// The fitted targeted-regularization coefficient ε.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn epsilon(&self) -> Result<f64> {
        Ok(self.nets.eps.f_double_value(&[0])? * self.state.ys.sd)
    }
}

impl IteModel for FittedDragonNet {
    fn name(&self) -> &str {
        "DragonNet"
    }

    state_methods!(deterministic);

    fn potential_outcomes(&self, x: &[f64]) -> Result<PotentialOutcomes> {
        let (_, xt) = self.state.input(x)?;
        let o = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        self.state.outcomes(&o.q0, &o.q1)
    }

    fn propensity(&self, x: &[f64]) -> Result<Option<Vec<f64>>> {
        let (_, xt) = self.state.input(x)?;
        let o = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        Ok(Some(to_vec(
            &o.g_logit
                .f_sigmoid()?
                .f_add_scalar(0.01)?
                .f_div_scalar(1.02)?,
        )?))
    }
}
