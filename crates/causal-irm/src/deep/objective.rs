//! One `Objective` for every method: per-environment risks combined by the method's rule.

use causal_torch::tch::{Kind, Reduction, Tensor};
use causal_torch::trainer::Objective;
use serde::{Deserialize, Serialize};

use super::net::{Net, reverse_gradient};
use super::params::{Method, Task};

type TResult<T> = causal_torch::Result<T>;

/// Metrics after one epoch: accuracy for classification, negative MSE for regression (higher is
/// better in both cases), averaged over the environments of each split.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochMetrics {
    /// 0-based epoch.
    pub epoch: usize,
    /// On the training rows of the training environments.
    pub train: f64,
    /// On the held-out rows of the training environments (the model-selection split).
    pub validation: Option<f64>,
    /// On the held-out rows of the test environments (the oracle's selection split).
    pub oracle_validation: Option<f64>,
    /// On the remaining rows of the test environments.
    pub test: Option<f64>,
    /// Per test environment, on its remaining rows.
    pub test_per_env: Vec<f64>,
}

/// Features and targets of one evaluation group.
pub(crate) struct Split {
    pub x: Tensor,
    pub y: Tensor,
}

pub(crate) struct InvariantObjective {
    pub net: Net,
    pub method: Method,
    pub task: Task,
    pub l2: f64,
    pub weights: Vec<Tensor>,
    pub x: Tensor,
    pub y: Tensor,
    pub env: Tensor,
    pub n_env: usize,
    pub epochs: usize,
    pub eval_every: usize,
    pub q: Tensor,
    pub train_eval: Vec<Split>,
    pub val: Vec<Split>,
    pub oracle: Vec<Split>,
    pub test: Vec<Split>,
    pub curves: Vec<EpochMetrics>,
}

/// The mean risk of outputs `out` for targets `y`.
pub(crate) fn risk(task: Task, out: &Tensor, y: &Tensor) -> TResult<Tensor> {
    Ok(match task {
        Task::Binary => {
            out.f_binary_cross_entropy_with_logits::<Tensor>(y, None, None, Reduction::Mean)?
        }
        Task::Regression => out.f_sub(y)?.f_square()?.f_mean(Kind::Float)?,
    })
}

/// IRMv1's penalty: `(∂R(w·out)/∂w |_{w=1})²`, differentiable (the graph is kept).
pub(crate) fn irm_penalty(task: Task, out: &Tensor, y: &Tensor) -> TResult<Tensor> {
    let scale = Tensor::f_ones([0i64; 0], (Kind::Float, out.device()))?.set_requires_grad(true);
    let r = risk(task, &out.f_mul(&scale)?, y)?;
    let grads = Tensor::f_run_backward(&[&r], &[&scale], true, true)?;
    Ok(grads[0].f_square()?)
}

impl InvariantObjective {
    fn metric(&self, s: &Split) -> TResult<f64> {
        let (out, _) = self.net.forward(&s.x, false)?;
        Ok(match self.task {
            Task::Binary => out
                .f_gt(0.0)?
                .f_eq_tensor(&s.y.f_gt(0.5)?)?
                .f_to_kind(Kind::Float)?
                .f_mean(Kind::Float)?
                .f_double_value(&[])?,
            Task::Regression => -out
                .f_sub(&s.y)?
                .f_square()?
                .f_mean(Kind::Float)?
                .f_double_value(&[])?,
        })
    }

    fn mean_metric(&self, splits: &[Split]) -> TResult<Option<f64>> {
        if splits.is_empty() {
            return Ok(None);
        }
        let mut sum = 0.0;
        for s in splits {
            sum += self.metric(s)?;
        }
        Ok(Some(sum / splits.len() as f64))
    }

    fn penalty_weight(&self, weight: f64, anneal: usize, epoch: usize) -> f64 {
        if epoch >= anneal { weight } else { 1.0 }
    }
}

impl Objective for InvariantObjective {
    fn train_loss(&mut self, batch: &Tensor, epoch: usize) -> TResult<Vec<(String, Tensor)>> {
        let xb = self.x.f_index_select(0, batch)?;
        let yb = self.y.f_index_select(0, batch)?;
        let eb = self.env.f_index_select(0, batch)?;
        let (out, feats) = self.net.forward(&xb, true)?;
        let mut risks = Vec::new();
        let mut penalties = Vec::new();
        let mut present = Vec::new();
        for e in 0..self.n_env {
            let idx = eb.f_eq(e as i64)?.f_nonzero()?.f_squeeze_dim(1)?;
            if idx.numel() == 0 {
                continue;
            }
            let oe = out.f_index_select(0, &idx)?;
            let ye = yb.f_index_select(0, &idx)?;
            risks.push(risk(self.task, &oe, &ye)?);
            if matches!(self.method, Method::Irm { .. }) {
                penalties.push(irm_penalty(self.task, &oe, &ye)?);
            }
            present.push(e as i64);
        }
        let stacked = Tensor::f_stack(&risks, 0)?;
        let nll = stacked.f_mean(Kind::Float)?;
        let mut l2 = Tensor::f_zeros([0i64; 0], (Kind::Float, out.device()))?;
        for w in &self.weights {
            l2 = l2.f_add(&w.f_square()?.f_sum(Kind::Float)?)?;
        }
        let l2 = l2.f_mul_scalar(self.l2)?;
        let annealed = |name: &str, pen: Tensor, w: f64| -> TResult<Vec<(String, Tensor)>> {
            let div = w.max(1.0);
            Ok(vec![
                ("nll".into(), nll.f_div_scalar(div)?),
                ("l2".into(), l2.f_div_scalar(div)?),
                (name.into(), pen.f_mul_scalar(w / div)?),
            ])
        };
        match self.method {
            Method::Erm => Ok(vec![("nll".into(), nll), ("l2".into(), l2)]),
            Method::Irm {
                weight,
                anneal_epochs,
            } => {
                let pen = Tensor::f_stack(&penalties, 0)?.f_mean(Kind::Float)?;
                annealed(
                    "irm",
                    pen,
                    self.penalty_weight(weight, anneal_epochs, epoch),
                )
            }
            Method::Vrex {
                weight,
                anneal_epochs,
            } => {
                let pen = stacked.f_sub(&nll)?.f_square()?.f_mean(Kind::Float)?;
                annealed(
                    "vrex",
                    pen,
                    self.penalty_weight(weight, anneal_epochs, epoch),
                )
            }
            Method::GroupDro { eta } => {
                // q_e ← q_e·exp(η R_e), renormalised; only the environments present in the batch move.
                let idx = Tensor::f_from_slice(&present)?.f_to_device(out.device())?;
                let qe = self.q.f_index_select(0, &idx)?;
                let qe = qe.f_mul(&stacked.f_detach()?.f_mul_scalar(eta)?.f_exp()?)?;
                let _ = self.q.f_index_copy_(0, &idx, &qe)?;
                let total = self.q.f_sum(Kind::Float)?;
                let _ = self.q.f_div_(&total)?;
                let weights = self.q.f_index_select(0, &idx)?;
                let dro = stacked.f_mul(&weights)?.f_sum(Kind::Float)?;
                Ok(vec![("dro".into(), dro), ("l2".into(), l2)])
            }
            Method::Dann { weight, .. } => {
                let (Some(z), Some(domain)) = (feats, self.net.domain.as_ref()) else {
                    return Err(causal_torch::TorchError::InvalidParameter(
                        "DANN network lacks its domain classifier".into(),
                    ));
                };
                let progress = epoch as f64 / self.epochs.max(1) as f64;
                let ramp = 2.0 / (1.0 + (-10.0 * progress).exp()) - 1.0;
                let logits = domain.f_forward_t(&reverse_gradient(&z)?, true)?;
                let ce =
                    logits.f_cross_entropy_loss::<Tensor>(&eb, None, Reduction::Mean, -100, 0.0)?;
                Ok(vec![
                    ("nll".into(), nll),
                    ("l2".into(), l2),
                    ("domain".into(), ce.f_mul_scalar(weight * ramp)?),
                ])
            }
        }
    }

    fn validation_loss(&mut self, epoch: usize) -> TResult<Option<f64>> {
        if !epoch.is_multiple_of(self.eval_every) && epoch + 1 != self.epochs {
            return Ok(None);
        }
        let train = self.mean_metric(&self.train_eval)?.unwrap_or(f64::NAN);
        let validation = self.mean_metric(&self.val)?;
        let oracle_validation = self.mean_metric(&self.oracle)?;
        let mut test_per_env = Vec::new();
        for s in &self.test {
            test_per_env.push(self.metric(s)?);
        }
        let test = (!test_per_env.is_empty())
            .then(|| test_per_env.iter().sum::<f64>() / test_per_env.len() as f64);
        self.curves.push(EpochMetrics {
            epoch,
            train,
            validation,
            oracle_validation,
            test,
            test_per_env,
        });
        // Training-domain validation (DomainBed): the trainer keeps the best such epoch.
        Ok(validation.map(|v| -v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn irm_penalty_matches_closed_form() {
        // d/dw mean BCE(w z, y) at w = 1 is mean((σ(z) − y) z).
        let z = [0.3f32, -1.2, 2.0, 0.1];
        let y = [1.0f32, 0.0, 0.0, 1.0];
        let g: f64 = z
            .iter()
            .zip(&y)
            .map(|(&z, &y)| (1.0 / (1.0 + (-z as f64).exp()) - y as f64) * z as f64)
            .sum::<f64>()
            / 4.0;
        let out = Tensor::from_slice(&z).set_requires_grad(true);
        let pen = irm_penalty(Task::Binary, &out, &Tensor::from_slice(&y)).unwrap();
        assert!((pen.double_value(&[]) - g * g).abs() < 1e-6);
        // The penalty is differentiable with respect to the outputs (create_graph).
        pen.backward();
        assert!(out.grad().abs().sum(Kind::Float).double_value(&[]) > 0.0);
        // Squared loss: d/dw mean((w z − y)²) = 2 mean((z − y) z).
        let g: f64 = z
            .iter()
            .zip(&y)
            .map(|(&z, &y)| 2.0 * (z as f64 - y as f64) * z as f64)
            .sum::<f64>()
            / 4.0;
        let pen = irm_penalty(
            Task::Regression,
            &Tensor::from_slice(&z),
            &Tensor::from_slice(&y),
        )
        .unwrap();
        assert!((pen.double_value(&[]) - g * g).abs() < 1e-4);
    }

    #[test]
    fn gradient_reversal_negates_the_gradient() {
        let z = Tensor::from_slice(&[1.0f32, -2.0, 3.0]).set_requires_grad(true);
        let r = reverse_gradient(&z).unwrap();
        assert_eq!(Vec::<f32>::try_from(&r).unwrap(), vec![1.0, -2.0, 3.0]);
        (r * Tensor::from_slice(&[1.0f32, 2.0, 3.0]))
            .sum(Kind::Float)
            .backward();
        assert_eq!(
            Vec::<f32>::try_from(&z.grad()).unwrap(),
            vec![-1.0, -2.0, -3.0]
        );
    }
}
