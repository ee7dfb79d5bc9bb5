//! What an estimator returns.

use serde::{Deserialize, Serialize};

use crate::stats::BootstrapSummary;

/// The estimation methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Regression adjustment by OLS.
    Regression,
    /// Inverse propensity weighting.
    Ipw,
    /// Augmented IPW, cross-fitted.
    Aipw,
    /// The front-door estimator.
    Frontdoor,
    /// Two-stage least squares with instruments.
    Iv,
    /// CATE by regression with interactions.
    Cate,
    /// Double machine learning (PLR, IRM, PLIV, IIVM).
    Dml,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Regression => "regression",
            Self::Ipw => "ipw",
            Self::Aipw => "aipw",
            Self::Frontdoor => "frontdoor",
            Self::Iv => "iv",
            Self::Cate => "cate",
            Self::Dml => "dml",
        })
    }
}

impl std::str::FromStr for Method {
    type Err = crate::CoreError;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "regression" | "ols" => Ok(Self::Regression),
            "ipw" => Ok(Self::Ipw),
            "aipw" | "dr" => Ok(Self::Aipw),
            "frontdoor" | "front-door" => Ok(Self::Frontdoor),
            "iv" | "2sls" => Ok(Self::Iv),
            "cate" => Ok(Self::Cate),
            "dml" => Ok(Self::Dml),
            other => Err(crate::CoreError::InvalidParameter(format!(
                "unknown method '{other}' (regression, ipw, aipw, frontdoor, iv, cate, dml)"
            ))),
        }
    }
}

/// Point estimate, standard error and diagnostics from one fit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectFit {
    /// The average treatment effect.
    pub ate: f64,
    /// Its standard error.
    pub se: f64,
    /// Diagnostics a user should see (limited overlap, weak instruments, ...).
    pub warnings: Vec<String>,
    /// Method-specific details (coefficients, propensity summary, ...).
    pub details: serde_json::Value,
}

/// An estimate with its interval: the record `causal estimate` prints and the report keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EffectEstimate {
    /// The identified estimand, as text.
    pub estimand: String,
    /// The method.
    pub method: String,
    /// Treatment column.
    pub treatment: String,
    /// Outcome column.
    pub outcome: String,
    /// Adjustment (or front-door / instrument) columns.
    pub covariates: Vec<String>,
    /// The average treatment effect.
    pub ate: f64,
    /// Its standard error.
    pub se: f64,
    /// The confidence interval.
    pub ci: [f64; 2],
    /// `normal` or `bootstrap-percentile`.
    pub ci_method: String,
    /// Confidence level.
    pub level: f64,
    /// Rows used.
    pub n: usize,
    /// Bootstrap summary when a bootstrap ran.
    pub bootstrap: Option<BootstrapSummary>,
    /// Diagnostics.
    pub warnings: Vec<String>,
    /// Method-specific details.
    pub details: serde_json::Value,
}
