//! A logistic-regression propensity model P(t = 1 | x), trained on the causal-torch Trainer, for
//! doubly-robust estimates with models that have no propensity head.

use causal_torch::nn::{Mlp, MlpParams};
use causal_torch::tch::{Kind, Reduction, Tensor};

use super::fitted::{FitState, Setup};
use super::prep::to_vec;
use super::settings::TrainSettings;
use crate::error::Result;
use causal_core::data::{ColumnRoles, Dataset};

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
    /// Fits logistic regression of the treatment on the (scaled) covariates of `train`, read
    /// through `roles`, with L2 weight decay 1e-3, early-stopping on `valid` when given.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_cf::models::Propensity;
    /// use causal_core::data::{ColumnRoles, Dataset};
    ///
    /// let x: Vec<f64> = (0..40).map(|i| f64::from(i) / 40.0).collect();
    /// let t: Vec<f64> = (0..40).map(|i| f64::from(u8::from(i % 3 == 0 || i > 30))).collect();
    /// let data = Dataset::new(vec!["x".into(), "t".into(), "y".into()], vec![x, t, vec![0.0; 40]])?;
    /// let roles = ColumnRoles::new().treatment("t").outcome("y").covariates(["x"]);
    /// let e = Propensity::fit(&data, &roles, None, 1)?.predict(&data, &roles)?;
    /// assert!(e.iter().all(|p| *p > 0.0 && *p < 1.0));
    /// # Ok::<(), causal_cf::CfError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The data errors of [`crate::models::Cfr::fit`]; trainer errors.
    pub fn fit(
        train: &Dataset,
        roles: &ColumnRoles,
        valid: Option<&Dataset>,
        seed: u64,
    ) -> Result<Self> {
        let mut settings = TrainSettings::new(200, 128, 1e-2, 1e-3);
        settings.patience = Some(20);
        settings.seed = seed;
        // A logistic regression: no tail to settle, so Adam's constant rate as before.
        settings.schedule = causal_torch::trainer::LrSchedule::Constant;
        let (setup, data) = Setup::new(train, roles, valid, &settings, false)?;
        let net = MlpParams::new(setup.d, &[], 1).build(setup.root() / "logit")?;
        let state = setup.train(&settings, &data, |x, t, _, _| {
            Ok(vec![("bce".into(), bce(&net, x, t)?)])
        })?;
        Ok(Self { net, state })
    }

    /// P(t = 1 | x) for every row of `data`, reading the covariates role of `roles`.
    ///
    /// # Errors
    ///
    /// As [`crate::models::IteModel::predict`].
    pub fn predict(&self, data: &Dataset, roles: &ColumnRoles) -> Result<Vec<f64>> {
        let (_, xt) = self.state.input(data, roles)?;
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
