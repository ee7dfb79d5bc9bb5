//! Invariant Causal Prediction (causal-irm's ICP, no LibTorch) from Python.

use causal_core::contract::ParamGuard;
use causal_irm::IrmError;
use causal_irm::environments::Environments;
use causal_irm::icp::{IcpParams, IcpTest};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

use crate::data::Data;
use crate::error;
use crate::graph::to_py;

fn irm_error(e: IrmError) -> PyErr {
    match e {
        IrmError::Core(c) => error::core(c),
        IrmError::Numerical(_) => PyRuntimeError::new_err(e.to_string()),
        other => error::value_error(other),
    }
}

/// ICP of `target` across the environments labelled by column `env`: a dict as `causal icp`
/// prints it (`estimate`, `accepted_sets`, per-predictor `p_value` and `interval`, every
/// tested set with its p-value). `method` is `approx` or `exact`.
#[pyfunction]
#[pyo3(signature = (data, target, env, *, alpha=0.05, method="approx", max_size=None,
    predictors=None, missing="error"))]
pub fn icp<'py>(
    py: Python<'py>,
    data: &Data,
    target: &str,
    env: &str,
    alpha: f64,
    method: &str,
    max_size: Option<usize>,
    predictors: Option<Vec<String>>,
    missing: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let test = match method {
        "approx" => IcpTest::Approximate,
        "exact" => IcpTest::Exact,
        other => {
            return Err(error::value_error(format!(
                "unknown ICP method '{other}' (expected approx or exact)"
            )));
        }
    };
    let d = data
        .prepared(missing)?
        .into_owned()
        .with_environment(env)
        .map_err(error::core)?;
    let mut params = IcpParams::new().alpha(alpha).test(test);
    if let Some(k) = max_size {
        params = params.max_size(k);
    }
    if let Some(p) = predictors {
        params = params.predictors(p);
    }
    let icp = params.check().map_err(irm_error)?;
    let fit = py
        .detach(|| {
            let envs = Environments::from_dataset(&d)?;
            icp.fit(&d, target, &envs)
        })
        .map_err(irm_error)?;
    to_py(py, &fit.to_json())
}
