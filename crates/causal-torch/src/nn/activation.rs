//! Activation functions.

use serde::{Deserialize, Serialize};
use tch::Tensor;

use crate::error::Result;

/// A pointwise nonlinearity between layers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Activation {
    /// max(0, x).
    #[default]
    Relu,
    /// x for x > 0, e^x − 1 otherwise.
    Elu,
    /// tanh(x).
    Tanh,
    /// 1 / (1 + e^−x).
    Sigmoid,
    /// x for x > 0, 0.01·x otherwise.
    LeakyRelu,
}

impl Activation {
    /// Applies the activation.
    ///
    /// # Errors
    ///
    /// LibTorch errors only.
    pub fn f_apply(self, x: &Tensor) -> Result<Tensor> {
        Ok(match self {
            Self::Relu => x.f_relu()?,
            Self::Elu => x.f_elu()?,
            Self::Tanh => x.f_tanh()?,
            Self::Sigmoid => x.f_sigmoid()?,
            Self::LeakyRelu => x.f_leaky_relu()?,
        })
    }
}
