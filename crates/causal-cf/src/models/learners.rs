//! S- and T-learner MLP baselines (Künzel et al. 2019), trained like the other networks.

use causal_torch::nn::{Activation, Mlp, MlpParams};
use causal_torch::tch::nn::VarStore;
use causal_torch::tch::{Device, Kind, Tensor};
use causal_torch::trainer::{History, Objective};

use super::cfr::{check_valid, to_torch};
use super::prep::{FitTensors, Scaler, YScale, to_vec};
use super::settings::{TrainSettings, train_builders};
use super::{IteModel, PotentialOutcomes, gaussian_samples, residual_sd, rows_of};
use crate::data::IteData;
use crate::error::{CfError, Result};

fn default_train() -> TrainSettings {
    let mut train = TrainSettings::new(600, 100, 1e-3, 1e-4);
    train.patience = Some(60);
    train
}

fn check_widths(hidden: &[usize]) -> Result<()> {
    if hidden.contains(&0) {
        return Err(CfError::InvalidConfig(format!(
            "hidden widths {hidden:?} must be positive"
        )));
    }
    Ok(())
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
/// use causal_cf::models::{IteModel, SLearnerParams};
/// # use causal_cf::data::IteData;
/// # let rows: Vec<Vec<f64>> = (0..40).map(|i| vec![(i % 7) as f64 / 7.0, (i % 2) as f64]).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = rows.iter().zip(&t).map(|(r, t)| r[0] + 2.0 * t).collect();
/// # let data = IteData::new(vec!["a".into(), "b".into()], rows, t, y)?;
/// let m = SLearnerParams::new().hidden(&[16]).epochs(10).check()?.fit(&data, None)?;
/// assert_eq!(m.predict(&data)?.cate().len(), 40);
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

impl Default for SLearnerParams {
    fn default() -> Self {
        Self::new()
    }
}

impl SLearnerParams {
    /// Three ELU layers of 200 units, Adam 1e-3, weight decay 1e-4, batches of 100.
    pub fn new() -> Self {
        Self {
            hidden: vec![200, 200, 200],
            train: default_train(),
        }
    }

    /// Hidden widths.
    pub fn hidden(mut self, widths: &[usize]) -> Self {
        self.hidden = widths.to_vec();
        self
    }

    train_builders!();

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidConfig`] for a zero width or invalid optimisation settings.
    pub fn check(self) -> Result<SLearner> {
        check_widths(&self.hidden)?;
        self.train.trainer(Device::Cpu, true)?;
        Ok(SLearner { params: self })
    }
}

fn with_t(x: &Tensor, t: &Tensor) -> Result<Tensor> {
    Ok(Tensor::f_cat(&[x.shallow_clone(), t.f_unsqueeze(1)?], 1)?)
}

struct SObjective<'a> {
    net: &'a Mlp,
    data: &'a FitTensors,
}

impl Objective for SObjective<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let x = self.data.x.f_index_select(0, batch)?;
        let t = self.data.t.f_index_select(0, batch)?;
        let y = self.data.y.f_index_select(0, batch)?;
        let pred = self
            .net
            .f_forward_t(&with_t(&x, &t).map_err(to_torch)?, true)?
            .f_view([-1])?;
        Ok(vec![(
            "mse".into(),
            pred.f_sub(&y)?.f_square()?.f_mean(Kind::Float)?,
        )])
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        let (Some(x), Some(t), Some(y)) = (&self.data.x_val, &self.data.t_val, &self.data.y_val)
        else {
            return Ok(None);
        };
        let pred = self
            .net
            .f_forward_t(&with_t(x, t).map_err(to_torch)?, false)?
            .f_view([-1])?;
        Ok(Some(
            pred.f_sub(y)?
                .f_square()?
                .f_mean(Kind::Float)?
                .f_double_value(&[])?,
        ))
    }
}

impl SLearner {
    /// Fits on `train`, early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// As [`crate::models::Cfr::fit`].
    pub fn fit(&self, train: &IteData, valid: Option<&IteData>) -> Result<FittedSLearner> {
        check_valid(train, valid)?;
        let p = &self.params;
        let device = p.train.resolve_device()?;
        causal_torch::seed::manual_seed(p.train.seed);
        let scaler = Scaler::fit(train, false);
        let ys = YScale::fit(train.y());
        let data = FitTensors::new(train, valid, &scaler, &ys, device)?;
        let mut vs = VarStore::new(device);
        let net = MlpParams::new(train.d() + 1, &p.hidden, 1)
            .activation(Activation::Elu)
            .build(vs.root() / "net")?;
        let trainer = p.train.trainer(device, valid.is_some())?;
        let history = trainer.fit(
            &mut vs,
            &mut SObjective {
                net: &net,
                data: &data,
            },
            train.n(),
        )?;
        let mut fitted = FittedSLearner {
            net,
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

/// A fitted S-learner.
pub struct FittedSLearner {
    net: Mlp,
    _vs: VarStore,
    scaler: Scaler,
    ys: YScale,
    device: Device,
    history: History,
    sd: [f64; 2],
}

impl std::fmt::Debug for FittedSLearner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedSLearner").finish()
    }
}

impl IteModel for FittedSLearner {
    fn name(&self) -> &str {
        "S-learner"
    }

    fn dim(&self) -> usize {
        self.scaler.dim()
    }

    fn potential_outcomes(&self, x: &[f64]) -> Result<PotentialOutcomes> {
        let n = rows_of(x, self.dim())?;
        let xt = self.scaler.tensor(x, self.device)?;
        let arm = |v: f64| -> Result<Vec<f64>> {
            let t = Tensor::f_full([n as i64], v, (Kind::Float, self.device))?;
            let out = causal_torch::tch::no_grad(|| -> Result<Tensor> {
                Ok(self.net.f_forward_t(&with_t(&xt, &t)?, false)?)
            })?;
            Ok(self.ys.back(&to_vec(&out)?))
        };
        Ok(PotentialOutcomes {
            y0: arm(0.0)?,
            y1: arm(1.0)?,
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

/// Hyperparameters of the T-learner: one MLP per arm, three ELU layers of 200 units each.
///
/// # Examples
///
/// ```
/// use causal_cf::models::{IteModel, TLearnerParams};
/// # use causal_cf::data::IteData;
/// # let rows: Vec<Vec<f64>> = (0..40).map(|i| vec![(i % 7) as f64 / 7.0, (i % 2) as f64]).collect();
/// # let t: Vec<f64> = (0..40).map(|i| ((i / 2) % 2) as f64).collect();
/// # let y: Vec<f64> = rows.iter().zip(&t).map(|(r, t)| r[0] + 2.0 * t).collect();
/// # let data = IteData::new(vec!["a".into(), "b".into()], rows, t, y)?;
/// let m = TLearnerParams::new().hidden(&[16]).epochs(10).check()?.fit(&data, None)?;
/// assert_eq!(m.predict(&data)?.y1.len(), 40);
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

impl Default for TLearnerParams {
    fn default() -> Self {
        Self::new()
    }
}

impl TLearnerParams {
    /// Three ELU layers of 200 units per arm, Adam 1e-3, weight decay 1e-4, batches of 100.
    pub fn new() -> Self {
        Self {
            hidden: vec![200, 200, 200],
            train: default_train(),
        }
    }

    /// Hidden widths of each arm's network.
    pub fn hidden(mut self, widths: &[usize]) -> Self {
        self.hidden = widths.to_vec();
        self
    }

    train_builders!();

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`CfError::InvalidConfig`] for a zero width or invalid optimisation settings.
    pub fn check(self) -> Result<TLearner> {
        check_widths(&self.hidden)?;
        self.train.trainer(Device::Cpu, true)?;
        Ok(TLearner { params: self })
    }
}

struct TObjective<'a> {
    nets: &'a [Mlp; 2],
    data: &'a FitTensors,
}

fn t_loss(nets: &[Mlp; 2], x: &Tensor, t: &Tensor, y: &Tensor, train: bool) -> Result<Tensor> {
    let p0 = nets[0].f_forward_t(x, train)?.f_view([-1])?;
    let p1 = nets[1].f_forward_t(x, train)?.f_view([-1])?;
    let c = t.f_neg()?.f_add_scalar(1.0)?;
    Ok(masked_sq(&p0, y, &c)?.f_add(&masked_sq(&p1, y, t)?)?)
}

impl Objective for TObjective<'_> {
    fn train_loss(
        &mut self,
        batch: &Tensor,
        _epoch: usize,
    ) -> causal_torch::Result<Vec<(String, Tensor)>> {
        let x = self.data.x.f_index_select(0, batch)?;
        let t = self.data.t.f_index_select(0, batch)?;
        let y = self.data.y.f_index_select(0, batch)?;
        Ok(vec![(
            "mse".into(),
            t_loss(self.nets, &x, &t, &y, true).map_err(to_torch)?,
        )])
    }

    fn validation_loss(&mut self, _epoch: usize) -> causal_torch::Result<Option<f64>> {
        let (Some(x), Some(t), Some(y)) = (&self.data.x_val, &self.data.t_val, &self.data.y_val)
        else {
            return Ok(None);
        };
        Ok(Some(
            t_loss(self.nets, x, t, y, false)
                .map_err(to_torch)?
                .f_double_value(&[])?,
        ))
    }
}

impl TLearner {
    /// Fits on `train`, early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// As [`crate::models::Cfr::fit`].
    pub fn fit(&self, train: &IteData, valid: Option<&IteData>) -> Result<FittedTLearner> {
        check_valid(train, valid)?;
        let p = &self.params;
        let device = p.train.resolve_device()?;
        causal_torch::seed::manual_seed(p.train.seed);
        let scaler = Scaler::fit(train, false);
        let ys = YScale::fit(train.y());
        let data = FitTensors::new(train, valid, &scaler, &ys, device)?;
        let mut vs = VarStore::new(device);
        let root = vs.root();
        let build = |name: &str| {
            MlpParams::new(train.d(), &p.hidden, 1)
                .activation(Activation::Elu)
                .build(&root / name)
        };
        let nets = [build("mu0")?, build("mu1")?];
        let trainer = p.train.trainer(device, valid.is_some())?;
        let history = trainer.fit(
            &mut vs,
            &mut TObjective {
                nets: &nets,
                data: &data,
            },
            train.n(),
        )?;
        let mut fitted = FittedTLearner {
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

/// A fitted T-learner.
pub struct FittedTLearner {
    nets: [Mlp; 2],
    _vs: VarStore,
    scaler: Scaler,
    ys: YScale,
    device: Device,
    history: History,
    sd: [f64; 2],
}

impl std::fmt::Debug for FittedTLearner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FittedTLearner").finish()
    }
}

impl IteModel for FittedTLearner {
    fn name(&self) -> &str {
        "T-learner"
    }

    fn dim(&self) -> usize {
        self.scaler.dim()
    }

    fn potential_outcomes(&self, x: &[f64]) -> Result<PotentialOutcomes> {
        rows_of(x, self.dim())?;
        let xt = self.scaler.tensor(x, self.device)?;
        let arm = |k: usize| -> Result<Vec<f64>> {
            let out = causal_torch::tch::no_grad(|| self.nets[k].f_forward_t(&xt, false))?;
            Ok(self.ys.back(&to_vec(&out)?))
        };
        Ok(PotentialOutcomes {
            y0: arm(0)?,
            y1: arm(1)?,
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
