//! Fitting: splits, tensors, the shared trainer, and the fitted model.

use causal_core::contract::Fit;
use causal_core::contract::ParamGuard;
use causal_torch::device::{default_device, parse_device};
use causal_torch::tch::nn::VarStore;
use causal_torch::tch::{Device, Kind, Tensor};
use causal_torch::trainer::{History, Optimizer, TrainerParams};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use causal_core::data::{ColumnRoles, Dataset};

use super::data::{EnvData, feature_rows, split_environments};
use super::net::Net;
use super::objective::{EpochMetrics, InvariantObjective, Split};
use super::params::{Deep, Method, Task};
use crate::error::{IrmError, Result};

/// A trained invariance model with its per-epoch curves and the epochs each selection rule picks.
pub struct DeepFit {
    // Keeps the network's variables alive; saved by `save.rs`, which also builds models.
    pub(super) vs: VarStore,
    pub(super) net: Net,
    pub(super) device: Device,
    pub(super) n_features: usize,
    pub(super) method: Method,
    pub(super) architecture: super::save::Architecture,
    /// The trainer's history (losses by term and epoch).
    pub history: History,
    /// Metrics after every epoch, or every `eval_every`-th and the last.
    pub curves: Vec<EpochMetrics>,
    /// Epoch chosen by training-domain validation (the model's weights are from this epoch);
    /// the last epoch when no validation split was held out.
    pub selected_epoch: usize,
    /// Epoch chosen by test-domain validation (the oracle rule), when test environments were given.
    pub oracle_epoch: Option<usize>,
}

/// The figures a selection rule reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Selected {
    /// The rule: `training-domain`, `oracle` or `last`.
    pub rule: &'static str,
    /// The metrics at the chosen epoch.
    pub metrics: EpochMetrics,
}

fn tensor2(x: &[f32], d: usize, device: Device) -> Result<Tensor> {
    let n = (x.len() / d) as i64;
    Ok(Tensor::f_from_slice(x)
        .and_then(|t| t.f_reshape([n, d as i64]))
        .and_then(|t| t.f_to_device(device))
        .map_err(causal_torch::TorchError::from)?)
}

fn tensor1(y: &[f32], device: Device) -> Result<Tensor> {
    Ok(Tensor::f_from_slice(y)
        .and_then(|t| t.f_to_device(device))
        .map_err(causal_torch::TorchError::from)?)
}

/// Shuffles `0..n` with `rng` and splits off `fraction` (at least 1 row when `fraction > 0`).
fn holdout(n: usize, fraction: f64, rng: &mut ChaCha8Rng) -> (Vec<usize>, Vec<usize>) {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.shuffle(rng);
    let k = if fraction > 0.0 {
        ((n as f64 * fraction).round() as usize).clamp(1, n - 1)
    } else {
        0
    };
    let held = idx[..k].to_vec();
    let kept = idx[k..].to_vec();
    (kept, held)
}

impl<'a> Fit<(&'a ColumnRoles, &'a [i64])> for Deep {
    type Object = DeepFit;
    type Error = IrmError;

    /// As [`Deep::fit`]: `with` is the column roles and the test environments' labels.
    fn fit(
        &self,
        data: &Dataset,
        (roles, test_envs): (&'a ColumnRoles, &'a [i64]),
    ) -> Result<DeepFit> {
        Deep::fit(self, data, roles, test_envs)
    }
}

impl Deep {
    /// Trains on the rows of `data`, cut into environments by the roles: `environment` names
    /// the (integer) environment label column, `outcome` the target and `covariates` the
    /// features, in order. Environments are taken in ascending label order; those whose label
    /// is in `test_envs` (may be empty) are only evaluated, for the curves and the oracle rule,
    /// never trained on. Values enter the network as f32.
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for a missing role, a `test_envs` label the column lacks, an
    /// environment with fewer than 2 rows or a non-finite value, fewer than 2 training
    /// environments, or a label outside {0, 1} in a binary task; [`IrmError::Column`] for
    /// non-integer environment labels; [`IrmError::Core`] for an unknown column or missing
    /// cells; [`IrmError::Torch`] for device or training failures (a loss diverging to NaN
    /// names the term and epoch).
    pub fn fit(&self, data: &Dataset, roles: &ColumnRoles, test_envs: &[i64]) -> Result<DeepFit> {
        let (train, test) = split_environments(data, roles, test_envs)?;
        self.fit_envs(&train, &test)
    }

    /// Trains on per-environment blocks (see [`Deep::fit`]).
    fn fit_envs(&self, train: &[EnvData], test: &[EnvData]) -> Result<DeepFit> {
        let p = &self.0;
        if train.len() < 2 {
            return Err(IrmError::Environments(format!(
                "found {} training environment(s); invariance needs at least 2",
                train.len()
            )));
        }
        let d = train[0].n_features;
        if let Some(e) = train.iter().chain(test).find(|e| e.n_features != d) {
            return Err(IrmError::Environments(format!(
                "environments have {d} and {} features",
                e.n_features
            )));
        }
        if p.task == Task::Binary
            && let Some(v) = train
                .iter()
                .chain(test)
                .flat_map(|e| &e.y)
                .find(|v| **v != 0.0 && **v != 1.0)
        {
            return Err(IrmError::Environments(format!(
                "binary task: label {v} is not 0 or 1"
            )));
        }
        let device = match &p.device {
            Some(spec) => parse_device(spec)?,
            None => default_device()?,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);

        let (mut xs, mut ys, mut envs) = (Vec::new(), Vec::new(), Vec::new());
        let (mut train_eval, mut val) = (Vec::new(), Vec::new());
        for (e, env) in train.iter().enumerate() {
            let (kept, held) = holdout(env.len(), p.validation_fraction, &mut rng);
            let (x, y) = env.take(&kept);
            train_eval.push(Split {
                x: tensor2(&x, d, device)?,
                y: tensor1(&y, device)?,
            });
            xs.extend_from_slice(&x);
            envs.extend(std::iter::repeat_n(e as i64, y.len()));
            ys.extend_from_slice(&y);
            if !held.is_empty() {
                let (x, y) = env.take(&held);
                val.push(Split {
                    x: tensor2(&x, d, device)?,
                    y: tensor1(&y, device)?,
                });
            }
        }
        let (mut oracle, mut test_splits) = (Vec::new(), Vec::new());
        for env in test {
            let (kept, held) = holdout(env.len(), p.validation_fraction.max(0.2), &mut rng);
            let (x, y) = env.take(&held);
            oracle.push(Split {
                x: tensor2(&x, d, device)?,
                y: tensor1(&y, device)?,
            });
            let (x, y) = env.take(&kept);
            test_splits.push(Split {
                x: tensor2(&x, d, device)?,
                y: tensor1(&y, device)?,
            });
        }
        let n_train = ys.len();

        // The seeded initialisation and training draw from LibTorch's process-wide generator:
        // concurrent fits (tests run in threads) would otherwise interleave their draws.
        let _rng = causal_torch::seed::generator_lock();
        causal_torch::seed::manual_seed(p.seed);
        let mut vs = VarStore::new(device);
        let net = Net::build(&vs.root(), p, d, train.len())?;
        // Sorted by name: the store is a hash map, and the l2 sum must not depend on its order.
        let mut named: Vec<(String, Tensor)> = vs
            .variables()
            .into_iter()
            .filter(|(name, t)| name.ends_with("weight") && t.dim() == 2)
            .collect();
        named.sort_by(|a, b| a.0.cmp(&b.0));
        let weights: Vec<Tensor> = named.into_iter().map(|(_, t)| t).collect();
        let q = Tensor::f_full(
            [train.len() as i64],
            1.0 / train.len() as f64,
            (Kind::Float, device),
        )
        .map_err(causal_torch::TorchError::from)?;
        let mut objective = InvariantObjective {
            net,
            method: p.method,
            task: p.task,
            l2: p.l2,
            weights,
            x: tensor2(&xs, d, device)?,
            y: tensor1(&ys, device)?,
            env: Tensor::f_from_slice(&envs)
                .and_then(|t| t.f_to_device(device))
                .map_err(causal_torch::TorchError::from)?,
            n_env: train.len(),
            epochs: p.epochs,
            eval_every: p.eval_every,
            q,
            train_eval,
            val,
            oracle,
            test: test_splits,
            curves: Vec::new(),
        };
        let trainer = TrainerParams::new()
            .optimizer(Optimizer::Adam)
            .learning_rate(p.learning_rate)
            .weight_decay(0.0)
            .epochs(p.epochs)
            .batch_size(p.batch_size.unwrap_or(n_train).min(n_train))
            .patience(None)
            .seed(p.seed)
            .device(device)
            .quiet(true)
            .check()?;
        let history = trainer.fit(&mut vs, &mut objective, n_train)?;
        let curves = std::mem::take(&mut objective.curves);
        // Epochs, not positions in `curves`: with `eval_every > 1` the curves skip epochs.
        let selected_epoch = if objective.val.is_empty() {
            curves.last().map_or(0, |c| c.epoch)
        } else {
            history.best_epoch
        };
        let oracle_epoch = (!objective.oracle.is_empty())
            .then(|| {
                let mut best: Option<&EpochMetrics> = None;
                for c in &curves {
                    if best.is_none_or(|b| c.oracle_validation > b.oracle_validation) {
                        best = Some(c);
                    }
                }
                best.map(|c| c.epoch)
            })
            .flatten();
        Ok(DeepFit {
            vs,
            net: objective.net,
            device,
            n_features: d,
            method: p.method,
            architecture: super::save::Architecture::of(p, d, train.len()),
            history,
            curves,
            selected_epoch,
            oracle_epoch,
        })
    }
}

impl std::fmt::Debug for DeepFit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeepFit")
            .field("method", &self.method)
            .field("n_features", &self.n_features)
            .field("epochs", &self.curves.len())
            .field("selected_epoch", &self.selected_epoch)
            .field("oracle_epoch", &self.oracle_epoch)
            .finish()
    }
}

impl DeepFit {
    /// The method trained.
    pub fn method(&self) -> Method {
        self.method
    }

    /// Outputs for every row of `data`, in row order: logits (binary task) or predictions
    /// (regression). Only the `covariates` role is read (the features, in the order the model
    /// was trained on); other roles may be set and are ignored.
    ///
    /// # Errors
    ///
    /// [`IrmError::Environments`] for a different feature count, no feature columns or a
    /// non-finite value; [`IrmError::Core`] for an unknown column or missing cells;
    /// [`IrmError::Torch`].
    pub fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<Vec<f32>> {
        let (x, d) = feature_rows(data, roles)?;
        if d != self.n_features {
            return Err(IrmError::Environments(format!(
                "the model takes {} features, the data have {d}",
                self.n_features
            )));
        }
        let x = tensor2(&x, self.n_features, self.device)?;
        let out = causal_torch::tch::no_grad(|| self.net.forward(&x, false))?.0;
        let out = out
            .f_to_device(Device::Cpu)
            .map_err(causal_torch::TorchError::from)?;
        Ok(Vec::<f32>::try_from(&out).map_err(causal_torch::TorchError::from)?)
    }

    /// The metrics after `epoch`, if they were computed (see [`DeepParams::eval_every`]).
    ///
    /// [`DeepParams::eval_every`]: super::DeepParams::eval_every
    pub fn at_epoch(&self, epoch: usize) -> Option<&EpochMetrics> {
        self.curves.iter().find(|c| c.epoch == epoch)
    }

    /// The metrics picked by training-domain validation (the rule used for model selection).
    pub fn selected(&self) -> Option<Selected> {
        self.at_epoch(self.selected_epoch).map(|m| Selected {
            rule: "training-domain",
            metrics: m.clone(),
        })
    }

    /// The metrics picked by the oracle rule (test-domain validation), reported separately.
    pub fn oracle(&self) -> Option<Selected> {
        self.oracle_epoch
            .and_then(|e| self.at_epoch(e))
            .map(|m| Selected {
                rule: "oracle",
                metrics: m.clone(),
            })
    }

    /// The metrics after the last epoch (a fixed training budget, as in Arjovsky et al.).
    pub fn last(&self) -> Option<Selected> {
        self.curves.last().map(|m| Selected {
            rule: "last",
            metrics: m.clone(),
        })
    }

    /// The weights of a linear model (no hidden layers), feature order; `None` otherwise.
    ///
    /// # Errors
    ///
    /// [`IrmError::Torch`] if the weights cannot be read.
    pub fn linear_weights(&self) -> Result<Option<Vec<f64>>> {
        let Some(w) = self.net.linear_weights() else {
            return Ok(None);
        };
        let w = w
            .f_to_device(Device::Cpu)
            .and_then(|t| t.f_to_kind(Kind::Double))
            .and_then(|t| t.f_reshape([-1]))
            .map_err(causal_torch::TorchError::from)?;
        Ok(Some(
            Vec::<f64>::try_from(&w).map_err(causal_torch::TorchError::from)?,
        ))
    }
}
