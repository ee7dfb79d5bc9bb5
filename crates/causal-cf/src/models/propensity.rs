//! A logistic-regression propensity model P(t = 1 | x), trained on the causal-torch Trainer, for
//! doubly-robust estimates with models that have no propensity head.

use causal_torch::nn::{Mlp, MlpParams};
use causal_torch::tch::{Kind, Reduction, Tensor};

use super::fitted::{FitState, Setup};
use super::prep::to_vec;
use super::settings::TrainSettings;
use crate::data::IteData;
use crate::error::Result;

/// A fitted logistic propensity model.
pub struct Propensity {
    net: Mlp,
    state: FitState,
}

impl std::fmt::Debug for Propensity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Propensity").finish()
    }
}

/// The logistic loss of the logits `net(x)` against t.
fn bce(net: &Mlp, x: &Tensor, t: &Tensor) -> Result<Tensor> {
    let logits = net.f_forward_t(x, false)?.f_view([-1])?;
    Ok(logits.f_binary_cross_entropy_with_logits::<Tensor>(t, None, None, Reduction::Mean)?)
}

impl Propensity {
    /// Fits logistic regression of t on the (scaled) covariates, with L2 weight decay 1e-3,
    /// early-stopping on `valid` when given.
    ///
    /// # Errors
    ///
    /// [`crate::CfError::Shape`] for mismatched validation covariates; trainer errors.
    pub fn fit(train: &IteData, valid: Option<&IteData>, seed: u64) -> Result<Self> {
        let mut settings = TrainSettings::new(200, 128, 1e-2, 1e-3);
        settings.patience = Some(20);
        settings.seed = seed;
        let (setup, data) = Setup::new(train, valid, &settings, false)?;
        let net = MlpParams::new(train.d(), &[], 1).build(setup.root() / "logit")?;
        let state = setup.train(&settings, &data, |x, t, _, _| {
            Ok(vec![("bce".into(), bce(&net, x, t)?)])
        })?;
        Ok(Self { net, state })
    }

    /// P(t = 1 | x) for covariate rows `x`.
    ///
    /// # Errors
    ///
    /// [`crate::CfError::Shape`] for rows of the wrong width; LibTorch errors.
    pub fn predict(&self, x: &[f64]) -> Result<Vec<f64>> {
        let (_, xt) = self.state.input(x)?;
        let p = causal_torch::tch::no_grad(|| -> Result<Tensor> {
            Ok(self
                .net
                .f_forward_t(&xt, false)?
                .f_sigmoid()?
                .f_to_kind(Kind::Float)?)
        })?;
        to_vec(&p)
    }
}
