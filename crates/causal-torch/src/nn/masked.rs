//! One batched network holding d per-node networks, as NOTEARS-MLP's locally connected layers:
//! a masked first layer routes only a node's allowed inputs into its hidden units, and the
//! following layers act on each node's units separately (a batched matrix product), so a node's
//! output provably depends on its allowed inputs only.

use std::borrow::Borrow;

use tch::nn::{Init, Path};
use tch::{Kind, Tensor};

use super::activation::Activation;
use crate::error::{Result, TorchError};

/// d independent dense layers applied at once: input `n × d × m_in`, output `n × d × m_out`.
///
/// # Formula
///
/// `y[n, j, :] = x[n, j, :] · W[j] + b[j]`, with W of shape `d × m_in × m_out`.
#[derive(Debug)]
pub struct LocallyConnected {
    /// Weight, `d × m_in × m_out`.
    pub weight: Tensor,
    /// Bias, `d × m_out`.
    pub bias: Tensor,
}

impl LocallyConnected {
    /// Creates `weight` and `bias` under `path`, uniform in ±1/√m_in (as gCastle's layer).
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn new<'a, P: Borrow<Path<'a>>>(
        path: P,
        d: usize,
        m_in: usize,
        m_out: usize,
    ) -> Result<Self> {
        let path = path.borrow();
        let b = 1.0 / (m_in.max(1) as f64).sqrt();
        let init = Init::Uniform { lo: -b, up: b };
        Ok(Self {
            weight: path.f_var("weight", &[d as i64, m_in as i64, m_out as i64], init)?,
            bias: path.f_var("bias", &[d as i64, m_out as i64], init)?,
        })
    }

    /// Applies the layer to `n × d × m_in`.
    ///
    /// # Errors
    ///
    /// LibTorch errors (shape mismatch).
    pub fn f_forward(&self, x: &Tensor) -> Result<Tensor> {
        // d batched GEMMs, [d, n, m_in] @ [d, m_in, m_out], rather than n·d tiny products.
        let y = x
            .f_transpose(0, 1)?
            .f_bmm(&self.weight)?
            .f_transpose(0, 1)?;
        Ok(y.f_add(&self.bias)?)
    }
}

/// A graph-masked batched MLP: node j's `k` outputs are a function of the inputs `mask`
/// allows for j only.
///
/// Layers: masked dense `d_in → d·m₁`, then per-node (locally connected) layers
/// `m₁ → m₂ → … → k`, with the activation between them.
#[derive(Debug)]
pub struct MaskedMlp {
    /// First-layer weight, `(d·m₁) × d_in` (rows `j·m₁ .. (j+1)·m₁` belong to node j).
    pub first: Tensor,
    /// First-layer bias, `d·m₁`.
    pub first_bias: Tensor,
    /// The per-node layers after the first.
    pub rest: Vec<LocallyConnected>,
    /// `(d·m₁) × d_in` 0/1 mask applied to `first` (not trained).
    pub mask: Tensor,
    d: usize,
    d_in: usize,
    m1: usize,
    k: usize,
    activation: Activation,
}

impl MaskedMlp {
    /// Builds the network for `allowed[j]` = the inputs node j may read (indices into
    /// `0..d_in`), hidden widths `hidden` (at least one) and `k` outputs per node.
    ///
    /// # Errors
    ///
    /// [`TorchError::InvalidParameter`] for no nodes, no hidden layer, a zero width or an input
    /// index out of range; LibTorch errors.
    pub fn new<'a, P: Borrow<Path<'a>>>(
        path: P,
        d_in: usize,
        allowed: &[Vec<usize>],
        hidden: &[usize],
        k: usize,
        activation: Activation,
    ) -> Result<Self> {
        let path = path.borrow();
        let d = allowed.len();
        if d == 0 || d_in == 0 || k == 0 {
            return Err(TorchError::InvalidParameter(
                "a masked network needs nodes, inputs and outputs".into(),
            ));
        }
        if hidden.is_empty() || hidden.contains(&0) {
            return Err(TorchError::InvalidParameter(format!(
                "a masked network needs positive hidden widths, got {hidden:?}"
            )));
        }
        let m1 = hidden[0];
        let mut mask = vec![0f32; d * m1 * d_in];
        for (j, inputs) in allowed.iter().enumerate() {
            for &i in inputs {
                if i >= d_in {
                    return Err(TorchError::InvalidParameter(format!(
                        "node {j} reads input {i} of only {d_in}"
                    )));
                }
                for u in 0..m1 {
                    mask[(j * m1 + u) * d_in + i] = 1.0;
                }
            }
        }
        let b = 1.0 / (d_in as f64).sqrt();
        let init = Init::Uniform { lo: -b, up: b };
        let mask = Tensor::f_from_slice(&mask)?
            .f_view([(d * m1) as i64, d_in as i64])?
            .f_to_device(path.device())?
            .f_to_kind(path.kind())?;
        let first = path.f_var("first", &[(d * m1) as i64, d_in as i64], init)?;
        // Zero the masked weights so that the stored parameters show the graph too.
        let _ = tch::no_grad(|| first.shallow_clone().f_mul_(&mask))?;
        let first_bias = path.f_var("first_bias", &[(d * m1) as i64], init)?;
        let mut widths = hidden.to_vec();
        widths.push(k);
        let rest = widths
            .windows(2)
            .enumerate()
            .map(|(l, w)| LocallyConnected::new(path / format!("lc{l}"), d, w[0], w[1]))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            first,
            first_bias,
            rest,
            mask,
            d,
            d_in,
            m1,
            k,
            activation,
        })
    }

    /// The number of nodes.
    pub fn nodes(&self) -> usize {
        self.d
    }

    /// Outputs per node.
    pub fn outputs_per_node(&self) -> usize {
        self.k
    }

    /// The masked first-layer weight actually used.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn effective_first(&self) -> Result<Tensor> {
        Ok(self.first.f_mul(&self.mask)?)
    }

    /// `n × d_in` inputs to `n × d × k` outputs.
    ///
    /// # Errors
    ///
    /// [`TorchError::Shape`] when `x` is not `n × d_in`; LibTorch errors.
    pub fn f_forward(&self, x: &Tensor) -> Result<Tensor> {
        let s = x.size();
        if s.len() != 2 || s[1] != self.d_in as i64 {
            return Err(TorchError::Shape(format!(
                "masked network expects n × {} inputs, got {s:?}",
                self.d_in
            )));
        }
        let h = x.f_linear(&self.effective_first()?, Some(&self.first_bias))?;
        let mut h = h.f_view([s[0], self.d as i64, self.m1 as i64])?;
        for layer in &self.rest {
            h = self.activation.f_apply(&h)?;
            h = layer.f_forward(&h)?;
        }
        Ok(h)
    }

    /// The `d_in × d` matrix of group norms of the (masked) first layer: how strongly each
    /// input feeds each node.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn input_strengths(&self) -> Result<Tensor> {
        crate::loss::group_norms(&self.effective_first()?, self.d)
    }

    /// The 0/1 allowed-input matrix, `d_in × d`.
    ///
    /// # Errors
    ///
    /// LibTorch errors.
    pub fn allowed_matrix(&self) -> Result<Tensor> {
        Ok(self
            .mask
            .f_view([self.d as i64, self.m1 as i64, self.d_in as i64])?
            .f_amax(1, false)?
            .f_tr()?
            .f_to_kind(Kind::Float)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;
    use tch::nn::VarStore;

    #[test]
    fn outputs_ignore_disallowed_inputs_exactly() {
        let _rng = crate::seed::generator_lock();
        crate::seed::manual_seed(1);
        let vs = VarStore::new(Device::Cpu);
        // 4 nodes over 4 inputs: node 2 reads inputs 0 and 1; node 3 reads 2; others none.
        let allowed = vec![vec![], vec![0], vec![0, 1], vec![2]];
        let net = MaskedMlp::new(vs.root(), 4, &allowed, &[8, 8], 2, Activation::Tanh).unwrap();
        let x = Tensor::randn([16, 4], (Kind::Float, Device::Cpu));
        let y = net.f_forward(&x).unwrap();
        assert_eq!(y.size(), vec![16, 4, 2]);
        for (input, unaffected) in [
            (3, vec![0, 1, 2, 3]),
            (2, vec![0, 1, 2]),
            (1, vec![0, 1, 3]),
        ] {
            let x2 = x.copy();
            let _ = x2.narrow(1, input, 1).f_add_scalar_(5.0).unwrap();
            let y2 = net.f_forward(&x2).unwrap();
            for j in unaffected {
                assert!(
                    y.select(1, j).equal(&y2.select(1, j)),
                    "node {j} moved when input {input} changed"
                );
            }
        }
        // ...and a parent does matter.
        let x3 = x.copy();
        let _ = x3.narrow(1, 1, 1).f_add_scalar_(5.0).unwrap();
        assert!(
            !y.select(1, 2)
                .equal(&net.f_forward(&x3).unwrap().select(1, 2))
        );
        let allowed_m = net.allowed_matrix().unwrap();
        assert_eq!(allowed_m.double_value(&[1, 2]), 1.0);
        assert_eq!(allowed_m.double_value(&[3, 2]), 0.0);
        assert!(MaskedMlp::new(vs.root() / "b", 4, &[vec![9]], &[4], 1, Activation::Relu).is_err());
    }
}
