//! Integral probability metrics between the treated and control representations (Shalit et al.
//! 2017), computed per mini-batch.

use causal_torch::tch::{Kind, Tensor};

use crate::error::Result;

/// The distance CFR penalises between the representation of treated and control units.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Ipm {
    /// No penalty (TARNet).
    None,
    /// Entropy-regularised Wasserstein-1 by Sinkhorn iterations (Cuturi 2013), as in the
    /// authors' code: λ scaled by the mean distance, plus a dummy point of mass for unequal
    /// group weights.
    Wasserstein {
        /// Entropic regularisation (the authors use 10).
        lambda: f64,
        /// Sinkhorn iterations (the authors use 10).
        iterations: usize,
    },
    /// Linear-kernel MMD²: the squared distance between the weighted group means.
    MmdLinear,
    /// Gaussian-kernel MMD² with bandwidth σ.
    MmdRbf {
        /// Kernel bandwidth.
        sigma: f64,
    },
}

fn sq_dist(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    // ‖a‖² + ‖b‖² − 2 a·b, clamped at 0 against round-off.
    let aa = a.f_square()?.f_sum_dim_intlist(1, true, Kind::Float)?;
    let bb = b
        .f_square()?
        .f_sum_dim_intlist(1, true, Kind::Float)?
        .f_tr()?;
    let ab = a.f_matmul(&b.f_tr()?)?;
    Ok(aa
        .f_add(&bb)?
        .f_sub(&ab.f_mul_scalar(2.0)?)?
        .f_clamp_min(0.0)?)
}

impl Ipm {
    /// The penalty between representations `rep` of a batch with treatment `t` (0/1 floats),
    /// where `p` is the treated share of the training data. `None` when the batch lacks an arm.
    pub(crate) fn penalty(&self, rep: &Tensor, t: &Tensor, p: f64) -> Result<Option<Tensor>> {
        if matches!(self, Self::None) {
            return Ok(None);
        }
        let it = t.f_gt(0.5)?.f_nonzero()?.f_view([-1])?;
        let ic = t.f_lt(0.5)?.f_nonzero()?.f_view([-1])?;
        let (nt, nc) = (it.size()[0], ic.size()[0]);
        if nt == 0 || nc == 0 {
            return Ok(None);
        }
        let xt = rep.f_index_select(0, &it)?;
        let xc = rep.f_index_select(0, &ic)?;
        Ok(Some(match *self {
            Self::None => unreachable_none()?,
            Self::MmdLinear => {
                let mt = xt.f_mean_dim(0, false, Kind::Float)?;
                let mc = xc.f_mean_dim(0, false, Kind::Float)?;
                mt.f_mul_scalar(2.0 * p)?
                    .f_sub(&mc.f_mul_scalar(2.0 * (1.0 - p))?)?
                    .f_square()?
                    .f_sum(Kind::Float)?
            }
            Self::MmdRbf { sigma } => {
                let k = |a: &Tensor, b: &Tensor| -> Result<Tensor> {
                    Ok(sq_dist(a, b)?.f_div_scalar(-2.0 * sigma * sigma)?.f_exp()?)
                };
                let (ntf, ncf) = (nt as f64, nc as f64);
                let kcc = k(&xc, &xc)?.f_sum(Kind::Float)?;
                let ktt = k(&xt, &xt)?.f_sum(Kind::Float)?;
                let kct = k(&xc, &xt)?.f_sum(Kind::Float)?;
                // Unbiased within-group terms as in the authors' code (diagonal removed).
                let wc = (1.0 - p).powi(2) / (ncf * (ncf - 1.0)).max(1.0);
                let wt = p.powi(2) / (ntf * (ntf - 1.0)).max(1.0);
                kcc.f_sub_scalar(ncf)?
                    .f_mul_scalar(wc)?
                    .f_add(&ktt.f_sub_scalar(ntf)?.f_mul_scalar(wt)?)?
                    .f_sub(&kct.f_mul_scalar(2.0 * p * (1.0 - p) / (ncf * ntf))?)?
                    .f_mul_scalar(4.0)?
            }
            Self::Wasserstein { lambda, iterations } => sinkhorn(&xt, &xc, p, lambda, iterations)?,
        }))
    }
}

fn unreachable_none() -> Result<Tensor> {
    Err(crate::error::CfError::InvalidParameter(
        "no IPM to compute".into(),
    ))
}

/// Sinkhorn approximation of the Wasserstein distance, with the transport plan held fixed
/// (no gradient through the iterations), following Shalit et al.'s implementation.
fn sinkhorn(xt: &Tensor, xc: &Tensor, p: f64, lambda: f64, iterations: usize) -> Result<Tensor> {
    let (nt, nc) = (xt.size()[0], xc.size()[0]);
    let opts = (Kind::Float, xt.device());
    let m = sq_dist(xt, xc)?.f_add_scalar(1e-10)?.f_sqrt()?;
    let plan = causal_torch::tch::no_grad(|| -> Result<Tensor> {
        let md = m.f_detach()?;
        let delta = md.f_max()?;
        let eff_lam = lambda / md.f_mean(Kind::Float)?.f_double_value(&[])?.max(1e-12);
        // Augment with a dummy row and column at distance δ so the masses can differ.
        let row = Tensor::f_ones([1, nc], opts)?.f_mul(&delta)?;
        let col = Tensor::f_ones([nt + 1, 1], opts)?.f_mul(&delta)?;
        let _ = col.f_narrow(0, nt, 1)?.f_zero_()?;
        let mt = Tensor::f_cat(&[Tensor::f_cat(&[&md, &row], 0)?, col], 1)?;
        let a = Tensor::f_cat(
            &[
                Tensor::f_full([nt, 1], p / nt as f64, opts)?,
                Tensor::f_full([1, 1], 1.0 - p, opts)?,
            ],
            0,
        )?;
        let b = Tensor::f_cat(
            &[
                Tensor::f_full([nc, 1], (1.0 - p) / nc as f64, opts)?,
                Tensor::f_full([1, 1], p, opts)?,
            ],
            0,
        )?;
        let k = mt.f_mul_scalar(-eff_lam)?.f_exp()?.f_add_scalar(1e-6)?;
        let ainv_k = k.f_div(&a)?;
        let mut u = a.shallow_clone();
        for _ in 0..iterations {
            let ktu = u.f_tr()?.f_matmul(&k)?.f_tr()?;
            u = ainv_k.f_matmul(&b.f_div(&ktu)?)?.f_reciprocal()?;
        }
        let v = b.f_div(&u.f_tr()?.f_matmul(&k)?.f_tr()?)?;
        Ok(u.f_mul(&v.f_tr()?.f_mul(&k)?)?)
    })?;
    // Gradient flows through the distances of the real points only.
    let t_real = plan.f_narrow(0, 0, nt)?.f_narrow(1, 0, nc)?;
    Ok(t_real.f_mul(&m)?.f_sum(Kind::Float)?.f_mul_scalar(2.0)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use causal_torch::tch::Device;

    fn groups(shift: f64) -> (Tensor, Tensor) {
        causal_torch::seed::manual_seed(3);
        let a = Tensor::randn([40, 3], (Kind::Float, Device::Cpu));
        let b = Tensor::randn([60, 3], (Kind::Float, Device::Cpu)) + shift;
        let rep = Tensor::cat(&[a, b], 0);
        let t = Tensor::cat(
            &[
                Tensor::ones([40], (Kind::Float, Device::Cpu)),
                Tensor::zeros([60], (Kind::Float, Device::Cpu)),
            ],
            0,
        );
        (rep, t)
    }

    #[test]
    fn every_ipm_grows_with_the_shift_between_groups() {
        for ipm in [
            Ipm::Wasserstein {
                lambda: 10.0,
                iterations: 10,
            },
            Ipm::MmdLinear,
            Ipm::MmdRbf { sigma: 1.0 },
        ] {
            let (r0, t) = groups(0.0);
            let (r1, _) = groups(2.0);
            let d0 = ipm
                .penalty(&r0, &t, 0.4)
                .unwrap()
                .unwrap()
                .double_value(&[]);
            let d1 = ipm
                .penalty(&r1, &t, 0.4)
                .unwrap()
                .unwrap()
                .double_value(&[]);
            assert!(
                d1.is_finite() && d1 > 2.0 * d0.abs(),
                "{ipm:?}: {d0} vs {d1}"
            );
        }
        let (r, t) = groups(1.0);
        assert!(Ipm::None.penalty(&r, &t, 0.4).unwrap().is_none());
        let only_treated = Tensor::ones([100], (Kind::Float, Device::Cpu));
        assert!(
            Ipm::MmdLinear
                .penalty(&r, &only_treated, 0.4)
                .unwrap()
                .is_none()
        );
    }
}
