//! TARNet and Counterfactual Regression (Shalit, Johansson & Sontag 2017).

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::VarStore;
use causal_torch::tch::{Device, Kind, Tensor};
use causal_torch::trainer::{History, Objective};

use super::ipm::Ipm;
use super::prep::{FitTensors, Scaler, YScale, to_vec};
use super::settings::{TrainSettings, train_builders};
use super::{IteModel, PotentialOutcomes, gaussian_samples, residual_sd, rows_of};
use crate::data::IteData;
use crate::error::{CfError, Result};

/// Hyperparameters of TARNet / CFR.
///
/// Defaults follow the authors' IHDP configuration: a representation Φ of three ELU layers of
/// 200 units, two outcome heads of three ELU layers of 100 units, an L2 penalty of 1e-4 on the
/// heads, sample re-weighting by the treated share, Adam at 1e-3 with batches of 100, and
/// early stopping on the validation factual loss.
///
/// # Examples
///
/// ```
/// use causal_cf::models::{CfrParams, IteModel};
/// # use causal_cf::data::IteData;
/// # let rows: Vec<Vec<f64>> = (0..40).map(|i| vec![(i % 7) as f64 / 7.0, (i % 2) as f64]).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = rows.iter().zip(&t).map(|(r, t)| r[0] + 2.0 * t).collect();
/// # let data = IteData::new(vec!["a".into(), "b".into()], rows, t, y)?;
/// let model = CfrParams::tarnet().epochs(20).representation(&[16]).heads(&[8]).check()?
///     .fit(&data, None)?;
/// let po = model.predict(&data)?;
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

    /// Hidden widths of the representation Φ (its last width is the representation size).
    pub fn representation(mut self, widths: &[usize]) -> Self {
        self.rep = widths.to_vec();
        self
    }

    /// Hidden widths of each outcome head.
    pub fn heads(mut self, widths: &[usize]) -> Self {
        self.heads = widths.to_vec();
        self
    }

    /// The IPM and its weight α.
    pub fn ipm(mut self, ipm: Ipm, alpha: f64) -> Self {
        self.ipm = ipm;
        self.alpha = alpha;
        self
    }

    /// L2 penalty on the outcome heads' weights.
    pub fn head_l2(mut self, l2: f64) -> Self {
        self.head_l2 = l2;
        self
    }

    /// Re-weight units by 1/(2p) (treated) and 1/(2(1−p)) (control).
    pub fn reweight(mut self, on: bool) -> Self {
        self.reweight = on;
        self
    }

    /// Scale each representation to unit norm before the heads and the IPM.
    pub fn normalize(mut self, on: bool) -> Self {
        self.normalize = on;
        self
    }

    train_builders!();

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidConfig`] for an empty representation, zero widths, a negative α or
    /// L2, or invalid IPM or optimisation settings.
    pub fn check(self) -> Result<Cfr> {
        if self.rep.is_empty() || self.rep.contains(&0) || self.heads.contains(&0) {
            return Err(CfError::InvalidConfig(format!(
                "representation widths {:?} and head widths {:?} must be non-empty and positive",
                self.rep, self.heads
            )));
        }
        if !(self.alpha >= 0.0 && self.head_l2 >= 0.0) {
            return Err(CfError::InvalidConfig(format!(
                "alpha {} and head L2 {} must be non-negative",
                self.alpha, self.head_l2
            )));
        }
        match self.ipm {
            Ipm::Wasserstein { lambda, iterations }
                if lambda.is_nan() || lambda <= 0.0 || iterations == 0 =>
            {
                return Err(CfError::InvalidConfig(format!(
                    "Wasserstein needs lambda > 0 and iterations > 0, got {lambda} and {iterations}"
                )));
            }
            Ipm::MmdRbf { sigma } if sigma.is_nan() || sigma <= 0.0 => {
                return Err(CfError::InvalidConfig(format!(
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
    h0: Mlp,
    h1: Mlp,
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
        let y0 = self.h0.f_forward_t(&r, train)?.f_view([-1])?;
        let y1 = self.h1.f_forward_t(&r, train)?.f_view([-1])?;
        Ok((y0, y1, r))
    }

    fn head_l2(&self) -> Result<Tensor> {
        let mut acc: Option<Tensor> = None;
        for l in self.h0.layers().iter().chain(self.h1.layers()) {
            let s = l.weight.f_square()?.f_sum(Kind::Float)?.f_mul_scalar(0.5)?;
            acc = Some(match acc {
                None => s,
                Some(a) => a.f_add(&s)?,
            });
        }
        acc.ok_or_else(|| CfError::InvalidConfig("heads without layers".into()))
    }
}

fn factual(y0: &Tensor, y1: &Tensor, t: &Tensor) -> Result<Tensor> {
    // t·ŷ₁ + (1 − t)·ŷ₀
    Ok(y1
        .f_mul(t)?
        .f_add(&y0.f_mul(&t.f_neg()?.f_add_scalar(1.0)?)?)?)
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

struct CfrObjective<'a> {
    nets: &'a Nets,
    data: &'a FitTensors,
    p: f64,
    params: &'a CfrParams,
}

impl Objective for CfrObjective<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let x = self.data.x.f_index_select(0, batch)?;
        let t = self.data.t.f_index_select(0, batch)?;
        let y = self.data.y.f_index_select(0, batch)?;
        let (y0, y1, r) = self.nets.forward(&x, true).map_err(to_torch)?;
        let w = weights(&t, self.p, self.params.reweight).map_err(to_torch)?;
        let err = factual(&y0, &y1, &t)
            .map_err(to_torch)?
            .f_sub(&y)?
            .f_square()?;
        let mut terms = vec![("factual".to_string(), err.f_mul(&w)?.f_mean(Kind::Float)?)];
        if self.params.alpha > 0.0
            && let Some(d) = self.params.ipm.penalty(&r, &t, self.p).map_err(to_torch)?
        {
            terms.push(("ipm".into(), d.f_mul_scalar(self.params.alpha)?));
        }
        if self.params.head_l2 > 0.0 {
            let l2 = self.nets.head_l2().map_err(to_torch)?;
            terms.push(("head_l2".into(), l2.f_mul_scalar(self.params.head_l2)?));
        }
        Ok(terms)
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        let (Some(x), Some(t), Some(y)) = (&self.data.x_val, &self.data.t_val, &self.data.y_val)
        else {
            return Ok(None);
        };
        let (y0, y1, _) = self.nets.forward(x, false).map_err(to_torch)?;
        let w = weights(t, self.p, self.params.reweight).map_err(to_torch)?;
        let err = factual(&y0, &y1, t)
            .map_err(to_torch)?
            .f_sub(y)?
            .f_square()?;
        Ok(Some(
            err.f_mul(&w)?.f_mean(Kind::Float)?.f_double_value(&[])?,
        ))
    }
}

/// Passes a causal-cf error through the trainer's error type.
pub(crate) fn to_torch(e: CfError) -> causal_torch::TorchError {
    match e {
        CfError::Torch(t) => t,
        other => causal_torch::TorchError::InvalidConfig(other.to_string()),
    }
}

/// Validation data must have the training data's covariates.
pub(crate) fn check_valid(train: &IteData, valid: Option<&IteData>) -> Result<()> {
    if let Some(v) = valid
        && v.d() != train.d()
    {
        return Err(CfError::Shape(format!(
            "validation data has {} covariates, training data {}",
            v.d(),
            train.d()
        )));
    }
    Ok(())
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
    /// data); [`CfError::Torch`] with [`causal_torch::TorchError::NonFinite`] when the loss
    /// diverges; LibTorch errors.
    pub fn fit(&self, train: &IteData, valid: Option<&IteData>) -> Result<FittedCfr> {
        check_valid(train, valid)?;
        let p = &self.params;
        let device = p.train.resolve_device()?;
        causal_torch::seed::manual_seed(p.train.seed);
        let scaler = Scaler::fit(train, false);
        let ys = YScale::fit(train.y());
        let data = FitTensors::new(train, valid, &scaler, &ys, device)?;
        let mut vs = VarStore::new(device);
        let root = vs.root();
        let d = train.d();
        let (rep_hidden, rep_out) = p.rep.split_at(p.rep.len() - 1);
        let nets = Nets {
            rep: MlpParams::new(d, rep_hidden, rep_out[0])
                .activation(Activation::Elu)
                .build(&root / "rep")?,
            h0: MlpParams::new(rep_out[0], &p.heads, 1)
                .activation(Activation::Elu)
                .build(&root / "h0")?,
            h1: MlpParams::new(rep_out[0], &p.heads, 1)
                .activation(Activation::Elu)
                .build(&root / "h1")?,
            normalize: p.normalize,
        };
        let share = train.n_treated() as f64 / train.n() as f64;
        let trainer = p.train.trainer(device, valid.is_some())?;
        let history = {
            let mut obj = CfrObjective {
                nets: &nets,
                data: &data,
                p: share,
                params: p,
            };
            trainer.fit(&mut vs, &mut obj, train.n())?
        };
        let name = match (p.ipm, p.alpha > 0.0) {
            (Ipm::None, _) | (_, false) => "TARNet",
            (Ipm::Wasserstein { .. }, true) => "CFR-Wass",
            (_, true) => "CFR-MMD",
        };
        let mut fitted = FittedCfr {
            name,
            nets,
            _vs: vs,
            scaler,
            ys,
            device,
            history,
            sd: [1.0; 2],
        };
        let po = fitted.potential_outcomes(train.x())?;
        fitted.sd = residual_sd(train, &po);
        Ok(fitted)
    }
}

/// A fitted TARNet / CFR model.
pub struct FittedCfr {
    name: &'static str,
    nets: Nets,
    _vs: VarStore,
    scaler: Scaler,
    ys: YScale,
    device: Device,
    history: History,
    sd: [f64; 2],
}

impl std::fmt::Debug for FittedCfr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedCfr")
            .field("name", &self.name)
            .field("epochs", &self.history.epochs())
            .finish()
    }
}

impl IteModel for FittedCfr {
    fn name(&self) -> &str {
        self.name
    }

    fn dim(&self) -> usize {
        self.scaler.dim()
    }

    fn potential_outcomes(&self, x: &[f64]) -> Result<PotentialOutcomes> {
        rows_of(x, self.dim())?;
        let xt = self.scaler.tensor(x, self.device)?;
        let (y0, y1, _) = causal_torch::tch::no_grad(|| self.nets.forward(&xt, false))?;
        Ok(PotentialOutcomes {
            y0: self.ys.back(&to_vec(&y0)?),
            y1: self.ys.back(&to_vec(&y1)?),
        })
    }

    fn sample_do(
        &self,
        x: &[f64],
        treated: bool,
        n_samples: usize,
        seed: u64,
    ) -> Result<Vec<Vec<f64>>> {
        let po = self.potential_outcomes(x)?;
        let (mean, sd) = if treated {
            (&po.y1, self.sd[1])
        } else {
            (&po.y0, self.sd[0])
        };
        gaussian_samples(mean, sd, n_samples, seed)
    }

    fn history(&self) -> &History {
        &self.history
    }
}
