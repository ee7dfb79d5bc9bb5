//! The training loop shared by every neural method in causal-rs.
//!
//! A model supplies an [`Objective`] (named loss terms per mini-batch, and optionally a
//! validation loss); the [`Trainer`] owns the optimizer, the learning-rate schedule, gradient
//! clipping, seeded shuffling, early stopping (restoring the best weights), divergence checks
//! and the progress bar, and returns a [`History`].

mod flat;
mod history;
mod params;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tch::nn::VarStore;
use tch::{Device, Tensor};

use flat::FlatOptimizer;
pub use history::History;
pub use params::{LrSchedule, Optimizer, TrainerParams};

use crate::error::{Result, TorchError};
use crate::seed::manual_seed;

/// What a model asks the [`Trainer`] to minimise.
pub trait Objective {
    /// Named loss terms for one mini-batch of training row indices (Int64 tensor on the
    /// trainer's device); the optimised loss is their sum. A NaN/inf term stops training with
    /// [`TorchError::Diverged`] naming epoch and term.
    ///
    /// # Errors
    ///
    /// Whatever the model's forward pass raises; the trainer passes it on.
    fn train_loss(&mut self, batch: &Tensor, epoch: usize) -> Result<Vec<(String, Tensor)>>;

    /// Validation loss, called once per epoch under no_grad. `None` for every epoch disables
    /// early stopping; `None` for some epochs (validating every k-th epoch) skips them: the
    /// best epoch and the patience count only the epochs that returned a loss.
    ///
    /// # Errors
    ///
    /// Whatever the model's forward pass raises; the trainer passes it on.
    fn validation_loss(&mut self, epoch: usize) -> Result<Option<f64>>;
}

/// A validated training configuration; build it with [`TrainerParams`]'s
/// [`check`](causal_core::contract::ParamGuard::check).
///
/// # Examples
///
/// Least squares on `y = 2x + 1` with an [`Objective`] that indexes its rows by the batch:
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_torch::trainer::{Objective, TrainerParams};
/// use causal_torch::{Result, nn::MlpParams};
/// use tch::{Device, Kind, Tensor, nn::VarStore};
///
/// struct Fit<'a> { net: &'a causal_torch::nn::Mlp, x: Tensor, y: Tensor }
/// impl Objective for Fit<'_> {
///     fn train_loss(&mut self, b: &Tensor, _: usize) -> Result<Vec<(String, Tensor)>> {
///         let pred = self.net.f_forward_t(&self.x.f_index_select(0, b)?, true)?;
///         let mse = pred.f_mse_loss(&self.y.f_index_select(0, b)?, tch::Reduction::Mean)?;
///         Ok(vec![("mse".into(), mse)])
///     }
///     fn validation_loss(&mut self, _: usize) -> Result<Option<f64>> { Ok(None) }
/// }
///
/// causal_torch::seed::manual_seed(0);
/// let mut vs = VarStore::new(Device::Cpu);
/// let net = MlpParams::new(1, &[], 1).build(vs.root())?;
/// let x = Tensor::linspace(-1.0, 1.0, 64, (Kind::Float, Device::Cpu)).unsqueeze(1);
/// let y = &x * 2.0 + 1.0;
/// let trainer = TrainerParams::new().learning_rate(0.05).epochs(200).batch_size(16)
///     .device(Device::Cpu).quiet(true).check()?;
/// let history = trainer.fit(&mut vs, &mut Fit { net: &net, x, y }, 64)?;
/// assert!(*history.train.last().unwrap() < 1e-4);
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Trainer {
    params: TrainerParams,
}

/// Per-term running sums over one epoch.
struct EpochSums {
    names: Vec<String>,
    sums: Vec<f64>,
    total: f64,
    rows: usize,
}

impl EpochSums {
    fn new() -> Self {
        Self {
            names: Vec::new(),
            sums: Vec::new(),
            total: 0.0,
            rows: 0,
        }
    }

    fn add(&mut self, name: &str, value: f64, rows: usize) {
        let w = value * rows as f64;
        match self.names.iter().position(|n| n == name) {
            Some(i) => self.sums[i] += w,
            None => {
                self.names.push(name.to_string());
                self.sums.push(w);
            }
        }
        self.total += w;
    }
}

impl Trainer {
    /// The validated hyperparameters.
    pub fn params(&self) -> &TrainerParams {
        &self.params
    }

    /// The device batches are placed on (and the model's variables must live on).
    pub fn device(&self) -> Device {
        self.params.device.unwrap_or(Device::Cpu)
    }

    /// Trains every trainable variable of `vs` on `objective`, over seeded shuffled
    /// mini-batches of the rows `0..n_train`.
    ///
    /// LibTorch's global generator is seeded with the trainer's seed first, so dropout is
    /// reproducible too. With a validation loss, the weights (and buffers such as batch-norm
    /// statistics) of the best validation epoch are restored at the end, whether or not
    /// training stopped early.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for `n_train == 0`, a store without trainable variables,
    /// an objective returning no terms or a non-scalar term; [`TorchError::Device`] when the
    /// store is not on the trainer's device; [`TorchError::Diverged`] naming the epoch and the
    /// term (or `validation`, or `parameters`) that became NaN or infinite; errors of the
    /// objective; LibTorch errors.
    pub fn fit(
        &self,
        vs: &mut VarStore,
        objective: &mut impl Objective,
        n_train: usize,
    ) -> Result<History> {
        let p = &self.params;
        let device = self.device();
        if n_train == 0 {
            return Err(TorchError::InvalidParameter(
                "no training rows (n_train = 0)".into(),
            ));
        }
        if vs.device() != device {
            return Err(TorchError::Device(format!(
                "the model's variables are on {:?} but the trainer runs on {:?}",
                vs.device(),
                device
            )));
        }
        // Variables frozen with `set_requires_grad(false)` (fine-tuning) stay as they are.
        let trainable: Vec<Tensor> = vs
            .trainable_variables()
            .into_iter()
            .filter(Tensor::requires_grad)
            .collect();
        if trainable.is_empty() {
            return Err(TorchError::InvalidParameter(
                "the variable store has no trainable variables (or all are frozen)".into(),
            ));
        }
        manual_seed(p.seed);
        let mut opt = FlatOptimizer::new(trainable, p.optimizer, p.learning_rate, p.weight_decay)?;

        let bar = progress_bar(p.epochs as u64, p.quiet);
        let mut rng = ChaCha8Rng::seed_from_u64(p.seed);
        let mut order: Vec<i64> = (0..n_train as i64).collect();
        let mut history = History::default();
        let mut best: Option<(f64, Vec<(String, Tensor)>)> = None;
        let mut since_best = 0usize;

        for epoch in 0..p.epochs {
            let lr = p.schedule.rate(p.learning_rate, epoch, p.epochs);
            opt.set_learning_rate(lr);
            order.shuffle(&mut rng);
            let mut sums = EpochSums::new();
            // One host-to-device copy per epoch; each batch is a view of it.
            let perm = Tensor::f_from_slice(&order)?.f_to_device(device)?;
            for start in (0..n_train).step_by(p.batch_size) {
                let rows = p.batch_size.min(n_train - start);
                let batch = perm.f_narrow(0, start as i64, rows as i64)?;
                let terms = objective.train_loss(&batch, epoch)?;
                let loss = sum_checked(&terms, epoch, rows, &mut sums)?;
                opt.backward_step(&loss, p.grad_clip)?;
                sums.rows += rows;
            }
            check_parameters(opt.flat(), epoch)?;
            let val = tch::no_grad(|| objective.validation_loss(epoch))?;
            if let Some(v) = val
                && !v.is_finite()
            {
                return Err(TorchError::Diverged {
                    term: "validation".into(),
                    epoch,
                    value: v,
                });
            }
            let train = sums.total / sums.rows as f64;
            history.record(epoch, train, val, lr, &sums.names, &sums.sums, sums.rows);
            bar.set_message(match val {
                Some(v) => format!("train {train:.4} val {v:.4}"),
                None => format!("train {train:.4}"),
            });
            bar.inc(1);

            if let Some(v) = val {
                let improved = best.as_ref().is_none_or(|(b, _)| v < b - p.min_delta);
                if improved {
                    best = Some((v, snapshot(vs)?));
                    history.best_epoch = epoch;
                    since_best = 0;
                } else {
                    since_best += 1;
                    if p.patience.is_some_and(|pat| since_best >= pat) {
                        history.stopped_early = true;
                        break;
                    }
                }
            } else if best.is_none() {
                // No validation yet: the last epoch stands. Epochs without a validation loss
                // between validated ones (an objective that validates every k-th epoch) neither
                // move the best epoch nor count towards the patience.
                history.best_epoch = epoch;
            }
        }
        bar.finish_and_clear();
        opt.release()?;
        if let Some((_, weights)) = best {
            restore(vs, &weights)?;
        }
        Ok(history)
    }
}

/// Sums the terms after checking each is a finite scalar, accumulating per-term values.
fn sum_checked(
    terms: &[(String, Tensor)],
    epoch: usize,
    rows: usize,
    sums: &mut EpochSums,
) -> Result<Tensor> {
    let mut total: Option<Tensor> = None;
    for (name, t) in terms {
        if t.numel() != 1 {
            return Err(TorchError::InvalidParameter(format!(
                "loss term '{name}' has shape {:?}; each term must be a scalar",
                t.size()
            )));
        }
        let value = t.f_double_value(&[])?;
        if !value.is_finite() {
            return Err(TorchError::Diverged {
                term: name.clone(),
                epoch,
                value,
            });
        }
        sums.add(name, value, rows);
        let t = if t.dim() == 0 {
            t.shallow_clone()
        } else {
            t.f_reshape([])?
        };
        total = Some(match total {
            None => t,
            Some(acc) => acc.f_add(&t)?,
        });
    }
    total.ok_or_else(|| TorchError::InvalidParameter("the objective returned no loss terms".into()))
}

fn check_parameters(flat: &Tensor, epoch: usize) -> Result<()> {
    tch::no_grad(|| {
        let all_finite = flat.f_isfinite()?.f_all()?.f_int64_value(&[])? != 0;
        if !all_finite {
            let value = flat.f_sum(flat.kind())?.f_double_value(&[])?;
            return Err(TorchError::Diverged {
                term: "parameters".into(),
                epoch,
                value,
            });
        }
        Ok(())
    })
}

fn snapshot(vs: &VarStore) -> Result<Vec<(String, Tensor)>> {
    tch::no_grad(|| {
        vs.variables()
            .into_iter()
            .map(|(name, t)| Ok((name, deep_copy(&t)?)))
            .collect()
    })
}

/// A copy with its own storage (tch's `copy` panics on failure).
pub(crate) fn deep_copy(t: &Tensor) -> Result<Tensor> {
    let mut c = t.f_zeros_like()?;
    c.f_copy_(t)?;
    Ok(c)
}

fn restore(vs: &VarStore, weights: &[(String, Tensor)]) -> Result<()> {
    let vars = vs.variables();
    tch::no_grad(|| {
        for (name, saved) in weights {
            if let Some(t) = vars.get(name) {
                t.shallow_clone().f_copy_(saved)?;
            }
        }
        Ok(())
    })
}

fn progress_bar(epochs: u64, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    // indicatif draws nothing when stderr is not a terminal.
    let bar = ProgressBar::with_draw_target(Some(epochs), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} epoch {pos}/{len} [{elapsed_precise}] {msg}")
    {
        bar.set_style(style);
    }
    bar
}
