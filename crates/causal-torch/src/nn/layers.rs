//! Fallibly constructed linear and batch-norm layers (tch's `nn::linear` panics on failure).

use std::borrow::Borrow;

use tch::Tensor;
use tch::nn::{Init, Path};

use crate::error::Result;

/// A dense layer `y = x Wᵀ + b`, initialised as PyTorch's `nn.Linear`
/// (weights and bias uniform in ±1/√fan_in).
#[derive(Debug)]
pub struct Linear {
    /// Weight, `out × in`.
    pub weight: Tensor,
    /// Bias, `out`.
    pub bias: Tensor,
}

impl Linear {
    /// Creates the variables `weight` and `bias` under `path`.
    ///
    /// # Errors
    ///
    /// LibTorch errors (e.g. a variable name already taken).
    pub fn new<'a, P: Borrow<Path<'a>>>(path: P, input: usize, output: usize) -> Result<Self> {
        let path = path.borrow();
        let bound = 1.0 / (input.max(1) as f64).sqrt();
        let init = Init::Uniform {
            lo: -bound,
            up: bound,
        };
        Ok(Self {
            weight: path.f_var("weight", &[output as i64, input as i64], init)?,
            bias: path.f_var("bias", &[output as i64], init)?,
        })
    }

    /// Applies the layer.
    ///
    /// # Errors
    ///
    /// LibTorch errors, e.g. when the last dimension of `x` is not `in`.
    pub fn f_forward(&self, x: &Tensor) -> Result<Tensor> {
        Ok(x.f_linear(&self.weight, Some(&self.bias))?)
    }
}

/// 1-D batch normalisation over the feature dimension, with running statistics
/// (momentum 0.1, ε = 1e-5, as PyTorch's `BatchNorm1d`).
#[derive(Debug)]
pub struct BatchNorm {
    /// Scale γ.
    pub weight: Tensor,
    /// Shift β.
    pub bias: Tensor,
    /// Running mean (not trained; saved with checkpoints).
    pub running_mean: Tensor,
    /// Running variance (not trained; saved with checkpoints).
    pub running_var: Tensor,
}

impl BatchNorm {
    /// Creates the layer's variables under `path`.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn new<'a, P: Borrow<Path<'a>>>(path: P, features: usize) -> Result<Self> {
        let path = path.borrow();
        let f = features as i64;
        Ok(Self {
            weight: path.f_ones("weight", &[f])?,
            bias: path.f_zeros("bias", &[f])?,
            running_mean: path.f_zeros_no_train("running_mean", &[f])?,
            running_var: path.f_ones_no_train("running_var", &[f])?,
        })
    }

    /// Normalises with batch statistics when `train` (updating the running ones), else with
    /// the running statistics.
    ///
    /// # Errors
    ///
    /// LibTorch errors (e.g. a batch of one row in training mode).
    pub fn f_forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        Ok(x.f_batch_norm(
            Some(&self.weight),
            Some(&self.bias),
            Some(&self.running_mean),
            Some(&self.running_var),
            train,
            0.1,
            1e-5,
            false,
        )?)
    }
}
