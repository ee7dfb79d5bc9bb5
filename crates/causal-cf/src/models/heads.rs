//! The outcome side the networks share: one outcome head per treatment arm on a common input,
//! the factual prediction they make, and the L2 penalty on their weights.

use causal_torch::nn::Mlp;
use causal_torch::tch::nn::Path;
use causal_torch::tch::{Device, Kind, Tensor};

use super::fitted::elu_mlp;
use crate::error::Result;

/// ELU networks `input → hidden.. → 1` giving ŷ₀ and ŷ₁ from the same input (a representation
/// Φ, or the covariates themselves for the T-learner).
pub(crate) struct ArmHeads([Mlp; 2]);

impl ArmHeads {
    /// Builds the arm-0 head under `root / names[0]`, then the arm-1 head under `root / names[1]`
    /// (in that order, which fixes their seeded initialisation).
    pub(crate) fn new(
        input: usize,
        hidden: &[usize],
        root: &Path<'_>,
        names: [&str; 2],
    ) -> Result<Self> {
        let h0 = elu_mlp(input, hidden, 1, root / names[0])?;
        let h1 = elu_mlp(input, hidden, 1, root / names[1])?;
        Ok(Self([h0, h1]))
    }

    /// (ŷ₀, ŷ₁), `[n]` each.
    pub(crate) fn forward(&self, input: &Tensor, train: bool) -> Result<(Tensor, Tensor)> {
        let y0 = self.0[0].f_forward_t(input, train)?.f_view([-1])?;
        let y1 = self.0[1].f_forward_t(input, train)?.f_view([-1])?;
        Ok((y0, y1))
    }

    /// `scale · Σ ‖W‖²` over the weight matrices of both heads (their L2 penalty).
    pub(crate) fn sum_sq_weights(&self, scale: f64, device: Device) -> Result<Tensor> {
        let mut acc = Tensor::f_zeros([], (Kind::Float, device))?;
        for l in self.0.iter().flat_map(Mlp::layers) {
            acc = acc.f_add(
                &l.weight
                    .f_square()?
                    .f_sum(Kind::Float)?
                    .f_mul_scalar(scale)?,
            )?;
        }
        Ok(acc)
    }
}

/// The factual prediction t·ŷ₁ + (1 − t)·ŷ₀.
pub(crate) fn factual(y0: &Tensor, y1: &Tensor, t: &Tensor) -> Result<Tensor> {
    Ok(y1
        .f_mul(t)?
        .f_add(&y0.f_mul(&t.f_neg()?.f_add_scalar(1.0)?)?)?)
}
