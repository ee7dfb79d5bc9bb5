//! The types most individual-effect programs need.

pub use crate::data::{IteSample, Split, Truth, cevae_split, load_npci, simulate_surface_b};
pub use crate::error::CfError;
pub use crate::metrics::{MeanSe, ate_error, mean_se, sqrt_pehe};
pub use crate::models::{
    CevaeParams, CfrParams, DragonNetParams, FitOptions, IteModel, ModelKind, PotentialOutcomes,
    SLearnerParams, TLearnerParams, fit_model, fit_model_with,
};
pub use crate::policy::{
    aipw_ate, dr_policy_value, policy_risk, threshold_policy, true_policy_value,
};
