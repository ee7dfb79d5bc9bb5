//! The network shared by every method: an MLP, or for DANN a featurizer, a head and a domain
//! classifier.

use causal_torch::nn::{Mlp, MlpParams};
use causal_torch::tch::Tensor;
use causal_torch::tch::nn::Path;

use super::params::{DeepParams, Method};
use causal_torch::Result;

pub(crate) struct Net {
    /// For DANN, the layers up to the last hidden width; otherwise the whole MLP.
    body: Mlp,
    /// For DANN, the linear head on the features.
    head: Option<Mlp>,
    /// For DANN, the domain classifier.
    pub(crate) domain: Option<Mlp>,
    activation: causal_torch::nn::Activation,
}

impl Net {
    pub(crate) fn build(root: &Path<'_>, p: &DeepParams, d: usize, n_env: usize) -> Result<Self> {
        Ok(match p.method {
            Method::Dann { hidden, .. } => {
                let (last, rest) = p.hidden.split_last().map_or((1, &[][..]), |(l, r)| (*l, r));
                let body = MlpParams::new(d, rest, last)
                    .activation(p.activation)
                    .dropout(p.dropout)
                    .build(root / "body")?;
                let head = MlpParams::new(last, &[], 1).build(root / "head")?;
                let domain = MlpParams::new(last, &[hidden], n_env)
                    .activation(p.activation)
                    .build(root / "domain")?;
                Self {
                    body,
                    head: Some(head),
                    domain: Some(domain),
                    activation: p.activation,
                }
            }
            _ => Self {
                body: MlpParams::new(d, &p.hidden, 1)
                    .activation(p.activation)
                    .dropout(p.dropout)
                    .build(root / "mlp")?,
                head: None,
                domain: None,
                activation: p.activation,
            },
        })
    }

    /// Outputs `[n]` and, for DANN, the features `[n, width]`.
    pub(crate) fn forward(&self, x: &Tensor, train: bool) -> Result<(Tensor, Option<Tensor>)> {
        let h = self.body.f_forward_t(x, train)?;
        match &self.head {
            None => Ok((h.f_squeeze_dim(1)?, None)),
            Some(head) => {
                let z = self.activation.f_apply(&h)?;
                let out = head.f_forward_t(&z, train)?.f_squeeze_dim(1)?;
                Ok((out, Some(z)))
            }
        }
    }

    /// The weight vector of a linear model (no hidden layers), else `None`.
    pub(crate) fn linear_weights(&self) -> Option<&Tensor> {
        (self.head.is_none() && self.body.layers().len() == 1)
            .then(|| self.body.first_layer_weight())
    }
}

/// Gradient reversal: the forward value of `z`, the gradient multiplied by `−1`.
pub(crate) fn reverse_gradient(z: &Tensor) -> Result<Tensor> {
    let d = z.f_detach()?;
    // d − (z − d): value d (= z), derivative −1 with respect to z.
    Ok(d.f_sub(&z.f_sub(&d)?)?)
}
