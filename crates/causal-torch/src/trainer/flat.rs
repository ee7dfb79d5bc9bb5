//! Adam, AdamW and SGD over one contiguous parameter buffer.
//!
//! LibTorch's C++ optimizers update each parameter tensor separately, about eight small kernels
//! per tensor per step; for the small networks of causal inference (a handful of layers of
//! width 10–200) that dispatch cost, not arithmetic, dominates a training step. Here every
//! trainable variable is re-pointed at a slice of one flat buffer, the gradients come back from
//! autograd as one list (no `.grad` accumulation, so no zeroing), are flattened once, and the
//! update is a fixed handful of kernels on the flat buffers whatever the number of tensors.
//! The arithmetic is PyTorch's (`torch.optim.Adam`/`AdamW`/`SGD` with dampening 0); the
//! `matches_libtorch_*` tests check it against `tch::COptimizer`.

use tch::Tensor;

use super::params::Optimizer;
use crate::error::{Result, TorchError};

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

/// The optimizer's state over the flat buffer; dropping it (or calling
/// [`FlatOptimizer::release`]) is all that is needed, the variables keep working either way.
pub(crate) struct FlatOptimizer {
    params: Vec<Tensor>,
    flat: Tensor,
    kind: Optimizer,
    weight_decay: f64,
    lr: f64,
    step: i32,
    state: State,
}

/// Per-element optimizer state, allocated at the first step.
enum State {
    Empty,
    /// Adam(W)'s first and second moments.
    Moments(Tensor, Tensor),
    /// SGD's momentum buffer.
    Momentum(Tensor),
}

impl FlatOptimizer {
    /// Moves `params` (leaf variables of one dtype and device) into one flat buffer.
    pub(crate) fn new(
        params: Vec<Tensor>,
        kind: Optimizer,
        lr: f64,
        weight_decay: f64,
    ) -> Result<Self> {
        let Some(first) = params.first() else {
            return Err(TorchError::InvalidParameter(
                "the variable store has no trainable variables".into(),
            ));
        };
        let (k, device) = (first.kind(), first.device());
        if let Some(other) = params
            .iter()
            .find(|t| t.kind() != k || t.device() != device)
        {
            return Err(TorchError::InvalidParameter(format!(
                "trainable variables must share one dtype and device: found {:?} on {:?} and {:?} on {:?}",
                k,
                device,
                other.kind(),
                other.device()
            )));
        }
        let flat = tch::no_grad(|| -> Result<Tensor> {
            let flat = Tensor::f_flatten_dense_tensors(&params)?;
            let mut offset = 0;
            for p in &params {
                let n = p.numel() as i64;
                let view = flat.f_narrow(0, offset, n)?.f_view(p.size().as_slice())?;
                p.shallow_clone().f_set_data(&view)?;
                offset += n;
            }
            Ok(flat)
        })?;
        Ok(Self {
            params,
            flat,
            kind,
            weight_decay,
            lr,
            step: 0,
            state: State::Empty,
        })
    }

    pub(crate) fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// The parameters as one vector (a view: it changes with every step).
    pub(crate) fn flat(&self) -> &Tensor {
        &self.flat
    }

    /// Back-propagates `loss` to the parameters and takes one step, clipping the global
    /// gradient norm to `clip` first when given.
    pub(crate) fn backward_step(&mut self, loss: &Tensor, clip: Option<f64>) -> Result<()> {
        let grads = Tensor::f_run_backward(&[loss], &self.params, false, false)?;
        tch::no_grad(|| {
            let mut g = self.flatten(grads)?;
            if let Some(max) = clip {
                let norm = g.f_norm()?.f_double_value(&[])?;
                let coef = max / (norm + 1e-6);
                if coef < 1.0 {
                    let _ = g.f_mul_scalar_(coef)?;
                }
            }
            self.update(g)
        })
    }

    /// One flat gradient; a parameter the loss does not reach gets zeros (as `.grad` would
    /// stay zero under `zero_grad`).
    fn flatten(&self, grads: Vec<Tensor>) -> Result<Tensor> {
        if grads.iter().all(Tensor::defined) {
            return Ok(Tensor::f_flatten_dense_tensors(&grads)?);
        }
        let filled: Vec<Tensor> = grads
            .into_iter()
            .zip(&self.params)
            .map(|(g, p)| if g.defined() { Ok(g) } else { p.f_zeros_like() })
            .collect::<std::result::Result<_, _>>()?;
        Ok(Tensor::f_flatten_dense_tensors(&filled)?)
    }

    fn update(&mut self, mut g: Tensor) -> Result<()> {
        self.step += 1;
        let (lr, wd) = (self.lr, self.weight_decay);
        let mut p = self.flat.shallow_clone();
        match self.kind {
            Optimizer::Adam | Optimizer::AdamW => {
                if wd != 0.0 {
                    if self.kind == Optimizer::AdamW {
                        let _ = p.f_mul_scalar_(1.0 - lr * wd)?;
                    } else {
                        let _ = g.f_add_(&p.f_mul_scalar(wd)?)?;
                    }
                }
                if let State::Empty = self.state {
                    self.state = State::Moments(g.f_zeros_like()?, g.f_zeros_like()?);
                }
                let State::Moments(m, v) = &mut self.state else {
                    return Err(TorchError::InvalidParameter(
                        "optimizer state mismatch".into(),
                    ));
                };
                let _ = m.f_lerp_(&g, 1.0 - BETA1)?;
                let _ = v.f_lerp_(&g.f_square()?, 1.0 - BETA2)?;
                let bc1 = 1.0 - BETA1.powi(self.step);
                let bc2 = 1.0 - BETA2.powi(self.step);
                // p -= lr/bc1 · m / (√v/√bc2 + eps) = m / ((√v + eps·√bc2) · (-bc1 / (lr·√bc2))),
                // the scale folded into the denominator (tch's addcdiv_ has no `value`).
                let mut denom = v.f_sqrt()?;
                let _ = denom.f_add_scalar_(EPS * bc2.sqrt())?;
                let _ = denom.f_mul_scalar_(-bc1 / (lr * bc2.sqrt()))?;
                let _ = p.f_addcdiv_(m, &denom)?;
            }
            Optimizer::Sgd { momentum } => {
                if wd != 0.0 {
                    let _ = g.f_add_(&p.f_mul_scalar(wd)?)?;
                }
                // PyTorch's SGD (dampening 0): the buffer starts as the first gradient.
                let d = match &mut self.state {
                    _ if momentum == 0.0 => g,
                    State::Momentum(buf) => {
                        let _ = buf.f_mul_scalar_(momentum)?;
                        let _ = buf.f_add_(&g)?;
                        buf.shallow_clone()
                    }
                    state => {
                        *state = State::Momentum(g.f_detach_copy()?);
                        g
                    }
                };
                let _ = p.f_sub_(&d.f_mul_scalar(lr)?)?;
            }
        }
        Ok(())
    }

    /// Gives every variable its own storage again, so the model outlives the optimizer with
    /// the layout it came with (checkpoints then hold each tensor alone).
    pub(crate) fn release(self) -> Result<()> {
        tch::no_grad(|| {
            for p in &self.params {
                p.shallow_clone().f_set_data(&p.f_detach_copy()?)?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nn::MlpParams;
    use tch::nn::VarStore;
    use tch::{COptimizer, Device, Kind, Reduction};

    /// `torch.nn.utils.clip_grad_norm_` over the separate `.grad`s, the reference for ours.
    fn clip_grad_norm(params: &[Tensor], max: f64) -> Result<()> {
        tch::no_grad(|| {
            let grads: Vec<Tensor> = params
                .iter()
                .map(Tensor::f_grad)
                .collect::<std::result::Result<_, _>>()?;
            let grads: Vec<Tensor> = grads.into_iter().filter(Tensor::defined).collect();
            if grads.is_empty() {
                return Ok(());
            }
            let norms: Vec<Tensor> = grads
                .iter()
                .map(|g| g.f_norm())
                .collect::<std::result::Result<_, _>>()?;
            let total = Tensor::f_stack(&norms, 0)?.f_norm()?.f_double_value(&[])?;
            let coef = max / (total + 1e-6);
            if coef < 1.0 {
                for mut g in grads {
                    let _ = g.f_mul_scalar_(coef)?;
                }
            }
            Ok(())
        })
    }

    /// Trains the same MLP from the same start with `tch::COptimizer` and with the flat
    /// optimizer; returns the largest absolute difference of the final parameters and their
    /// largest magnitude.
    fn against_libtorch(kind: Optimizer, wd: f64, clip: Option<f64>) -> (f64, f64) {
        crate::seed::manual_seed(3);
        let x = Tensor::randn([64, 4], (Kind::Float, Device::Cpu));
        let y = x.sum_dim_intlist(1, true, Kind::Float).sin();
        let params = MlpParams::new(4, &[16, 8], 1);
        let (vs_ref, vs_flat) = (VarStore::new(Device::Cpu), VarStore::new(Device::Cpu));
        let (net_ref, net_flat) = (
            params.build(vs_ref.root()).unwrap(),
            params.build(vs_flat.root()).unwrap(),
        );
        let mut vs_flat = vs_flat;
        vs_flat.copy(&vs_ref).unwrap();
        let lr = 0.01;
        let mut reference = match kind {
            Optimizer::Adam => COptimizer::adam(lr, BETA1, BETA2, wd, EPS, false),
            Optimizer::AdamW => COptimizer::adamw(lr, BETA1, BETA2, wd, EPS, false),
            Optimizer::Sgd { momentum } => COptimizer::sgd(lr, momentum, 0.0, wd, false),
        }
        .unwrap();
        let ref_params = vs_ref.trainable_variables();
        for t in &ref_params {
            reference.add_parameters(t, 0).unwrap();
        }
        let mut flat = FlatOptimizer::new(vs_flat.trainable_variables(), kind, lr, wd).unwrap();
        for step in 0..50 {
            let rows = Tensor::arange_start(
                step % 4 * 16,
                step % 4 * 16 + 16,
                (Kind::Int64, Device::Cpu),
            );
            let (xb, yb) = (x.index_select(0, &rows), y.index_select(0, &rows));
            let loss = net_ref.forward_t(&xb, true).mse_loss(&yb, Reduction::Mean);
            reference.zero_grad().unwrap();
            loss.backward();
            if let Some(max) = clip {
                clip_grad_norm(&ref_params, max).unwrap();
            }
            reference.step().unwrap();
            let loss = net_flat.forward_t(&xb, true).mse_loss(&yb, Reduction::Mean);
            flat.backward_step(&loss, clip).unwrap();
        }
        flat.release().unwrap();
        let (mut diff, mut scale) = (0.0f64, 0.0f64);
        let (a, b) = (vs_ref.variables(), vs_flat.variables());
        for (name, t) in &a {
            let u = &b[name];
            diff = diff.max((t - u).abs().max().double_value(&[]));
            scale = scale.max(t.abs().max().double_value(&[]));
        }
        (diff, scale)
    }

    #[test]
    fn matches_libtorch_adam_adamw_and_sgd() {
        let _rng = crate::seed::generator_lock();
        for (kind, wd, clip) in [
            (Optimizer::Adam, 0.0, None),
            (Optimizer::Adam, 0.01, Some(0.5)),
            (Optimizer::AdamW, 0.05, None),
            (Optimizer::Sgd { momentum: 0.0 }, 0.0, None),
            (Optimizer::Sgd { momentum: 0.9 }, 0.01, Some(1.0)),
        ] {
            let (diff, scale) = against_libtorch(kind, wd, clip);
            assert!(scale > 0.1, "{kind:?}: parameters vanished ({scale})");
            // Float32 over 50 steps: last-bit rounding differences (measured ≤ 2.1e-7), no more.
            assert!(
                diff < 1e-6 * scale.max(1.0),
                "{kind:?} wd {wd} clip {clip:?}: max |Δ| {diff}"
            );
        }
    }

    #[test]
    fn variables_share_the_flat_buffer_until_released() {
        let _rng = crate::seed::generator_lock();
        let vs = VarStore::new(Device::Cpu);
        let _net = MlpParams::new(3, &[5], 2).build(vs.root()).unwrap();
        let before: Vec<Vec<f32>> = vs
            .trainable_variables()
            .iter()
            .map(|t| Vec::<f32>::try_from(&t.flatten(0, -1)).unwrap())
            .collect();
        let opt = FlatOptimizer::new(vs.trainable_variables(), Optimizer::Adam, 0.1, 0.0).unwrap();
        let n: i64 = vs
            .trainable_variables()
            .iter()
            .map(|t| t.numel() as i64)
            .sum();
        assert_eq!(opt.flat().size(), vec![n]);
        // Values survive the move, and writing the flat buffer writes the variables.
        let after: Vec<Vec<f32>> = vs
            .trainable_variables()
            .iter()
            .map(|t| Vec::<f32>::try_from(&t.flatten(0, -1)).unwrap())
            .collect();
        assert_eq!(before, after);
        let _ = tch::no_grad(|| opt.flat().shallow_clone().fill_(2.0));
        assert!(
            vs.trainable_variables()
                .iter()
                .all(|t| t.eq(2.0).all().int64_value(&[]) == 1)
        );
        opt.release().unwrap();
        let ptrs: Vec<usize> = vs
            .trainable_variables()
            .iter()
            .map(|t| t.data_ptr() as usize)
            .collect();
        let mut unique = ptrs.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(
            unique.len(),
            ptrs.len(),
            "each variable owns its storage again"
        );
        assert!(
            vs.trainable_variables()
                .iter()
                .all(|t| t.eq(2.0).all().int64_value(&[]) == 1)
        );
    }

    #[test]
    fn mixed_dtypes_are_refused_by_name() {
        let a = Tensor::zeros([2], (Kind::Float, Device::Cpu)).set_requires_grad(true);
        let b = Tensor::zeros([2], (Kind::Double, Device::Cpu)).set_requires_grad(true);
        let err = FlatOptimizer::new(vec![a, b], Optimizer::Adam, 0.1, 0.0)
            .err()
            .unwrap();
        assert!(err.to_string().contains("one dtype"), "{err}");
    }
}
