//! The multilayer perceptron builder.

use std::borrow::Borrow;

use serde::{Deserialize, Serialize};
use tch::Tensor;
use tch::nn::{ModuleT, Path};

use super::activation::Activation;
use super::layers::{BatchNorm, Linear};
use crate::error::{Result, TorchError};

/// Hyperparameters of an [`Mlp`]: widths, activation, dropout and batch norm.
///
/// Each hidden layer is `linear → [batch norm] → activation → [dropout]`; the output layer is
/// linear.
///
/// # Examples
///
/// ```
/// use causal_torch::nn::{Activation, MlpParams};
/// use tch::{Device, Kind, Tensor, nn::VarStore};
///
/// causal_torch::seed::manual_seed(0);
/// let vs = VarStore::new(Device::Cpu);
/// let mlp = MlpParams::new(3, &[16, 16], 1)
///     .activation(Activation::Elu)
///     .dropout(0.1)
///     .batch_norm(true)
///     .build(vs.root() / "net")?;
/// let y = mlp.forward_t(&Tensor::zeros([8, 3], (Kind::Float, Device::Cpu)), false);
/// assert_eq!(y.size(), vec![8, 1]);
/// assert!(MlpParams::new(3, &[0], 1).build(vs.root() / "bad").is_err());
/// # Ok::<(), causal_torch::TorchError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpParams {
    input: usize,
    hidden: Vec<usize>,
    output: usize,
    activation: Activation,
    dropout: f64,
    batch_norm: bool,
}

impl MlpParams {
    /// An MLP from `input` features through the `hidden` widths to `output` values, with
    /// ReLU, no dropout and no batch norm.
    pub fn new(input: usize, hidden: &[usize], output: usize) -> Self {
        Self {
            input,
            hidden: hidden.to_vec(),
            output,
            activation: Activation::Relu,
            dropout: 0.0,
            batch_norm: false,
        }
    }

    /// The hidden activation.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Dropout probability after each hidden activation, in `[0, 1)`.
    pub fn dropout(mut self, p: f64) -> Self {
        self.dropout = p;
        self
    }

    /// Batch normalisation before each hidden activation.
    pub fn batch_norm(mut self, on: bool) -> Self {
        self.batch_norm = on;
        self
    }

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for a zero width (input, hidden or output) or a dropout
    /// outside `[0, 1)`.
    pub fn check(&self) -> Result<()> {
        if self.input == 0 || self.output == 0 {
            return Err(TorchError::InvalidParameter(format!(
                "MLP input and output widths must be positive (got {} and {})",
                self.input, self.output
            )));
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return Err(TorchError::InvalidParameter(format!(
                "MLP hidden layer {} has width 0",
                i + 1
            )));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(TorchError::InvalidParameter(format!(
                "dropout must be in [0, 1), got {}",
                self.dropout
            )));
        }
        Ok(())
    }

    /// Validates and creates the network's variables under `path` (`layer0`, `layer1`, ...,
    /// and `bn0`, ... with batch norm).
    ///
    /// # Errors
    ///
    /// As [`MlpParams::check`], plus LibTorch errors (e.g. the path already holds variables of
    /// those names).
    pub fn build<'a, P: Borrow<Path<'a>>>(&self, path: P) -> Result<Mlp> {
        self.check()?;
        let path = path.borrow();
        let mut widths = vec![self.input];
        widths.extend(&self.hidden);
        widths.push(self.output);
        let mut layers = Vec::with_capacity(widths.len() - 1);
        let mut norms = Vec::new();
        for (i, w) in widths.windows(2).enumerate() {
            layers.push(Linear::new(path / format!("layer{i}"), w[0], w[1])?);
            if self.batch_norm && i + 2 < widths.len() {
                norms.push(BatchNorm::new(path / format!("bn{i}"), w[1])?);
            }
        }
        Ok(Mlp {
            params: self.clone(),
            layers,
            norms,
        })
    }
}

/// A built multilayer perceptron; see [`MlpParams`].
#[derive(Debug)]
pub struct Mlp {
    params: MlpParams,
    layers: Vec<Linear>,
    norms: Vec<BatchNorm>,
}

impl Mlp {
    /// The hyperparameters it was built from.
    pub fn params(&self) -> &MlpParams {
        &self.params
    }

    /// The number of input features.
    pub fn input_dim(&self) -> usize {
        self.params.input
    }

    /// The number of outputs.
    pub fn output_dim(&self) -> usize {
        self.params.output
    }

    /// The linear layers, input first.
    pub fn layers(&self) -> &[Linear] {
        &self.layers
    }

    /// The first layer's weight (`hidden₁ × input`), e.g. for input-group penalties.
    pub fn first_layer_weight(&self) -> &Tensor {
        &self.layers[0].weight
    }

    /// The forward pass; `train` enables dropout and batch statistics.
    ///
    /// # Errors
    ///
    /// [`TorchError::Shape`] when the last dimension of `x` is not the input width; LibTorch
    /// errors.
    pub fn f_forward_t(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let last = x.size().last().copied().unwrap_or(0);
        if last != self.params.input as i64 {
            return Err(TorchError::Shape(format!(
                "MLP expects {} input features, got a tensor of shape {:?}",
                self.params.input,
                x.size()
            )));
        }
        let n_hidden = self.layers.len() - 1;
        let mut h = self.layers[0].f_forward(x)?;
        for i in 0..n_hidden {
            if let Some(bn) = self.norms.get(i) {
                h = bn.f_forward_t(&h, train)?;
            }
            h = self.params.activation.f_apply(&h)?;
            if self.params.dropout > 0.0 {
                h = h.f_dropout(self.params.dropout, train)?;
            }
            h = self.layers[i + 1].f_forward(&h)?;
        }
        Ok(h)
    }

    /// The forward pass; `train` enables dropout and batch statistics.
    ///
    /// # Panics
    ///
    /// When `x` does not fit (see [`Mlp::f_forward_t`] for the fallible form).
    pub fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        match self.f_forward_t(x, train) {
            Ok(y) => y,
            Err(e) => panic!("Mlp::forward_t: {e}"),
        }
    }
}

impl ModuleT for Mlp {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        Mlp::forward_t(self, xs, train)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::nn::VarStore;
    use tch::{Device, Kind};

    #[test]
    fn shapes_variables_and_errors() {
        let _rng = crate::seed::generator_lock();
        let vs = VarStore::new(Device::Cpu);
        let mlp = MlpParams::new(4, &[8, 8], 2)
            .batch_norm(true)
            .build(vs.root() / "m")
            .unwrap();
        // 3 linear layers (w, b) + 2 batch norms (w, b trainable; 2 buffers).
        assert_eq!(vs.trainable_variables().len(), 3 * 2 + 2 * 2);
        assert_eq!(vs.variables().len(), 3 * 2 + 2 * 4);
        let x = Tensor::randn([5, 4], (Kind::Float, Device::Cpu));
        assert_eq!(mlp.forward_t(&x, true).size(), vec![5, 2]);
        let err = mlp
            .f_forward_t(&Tensor::zeros([5, 3], (Kind::Float, Device::Cpu)), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("4 input features"), "{err}");
        assert!(MlpParams::new(4, &[8], 2).dropout(1.0).check().is_err());
        assert!(MlpParams::new(0, &[8], 2).check().is_err());
    }

    #[test]
    fn dropout_only_in_training() {
        let _rng = crate::seed::generator_lock();
        let vs = VarStore::new(Device::Cpu);
        let mlp = MlpParams::new(3, &[64], 1)
            .dropout(0.5)
            .build(vs.root())
            .unwrap();
        let x = Tensor::ones([4, 3], (Kind::Float, Device::Cpu));
        let a = mlp.forward_t(&x, false);
        let b = mlp.forward_t(&x, false);
        assert!(a.equal(&b));
        let c = mlp.forward_t(&x, true);
        assert!(!a.equal(&c));
    }
}
