//! Library errors as Python exceptions: bad input is a `ValueError`, anything else a
//! `RuntimeError`, both carrying the library's message (which names the column or node).

use causal_core::CoreError;
use causal_discover::DiscoverError;
use pyo3::PyErr;
use pyo3::exceptions::{PyRuntimeError, PyValueError};

/// A `ValueError` with `msg`.
pub fn value_error(msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(msg.to_string())
}

/// Core errors are all about the input (data, names, graphs): `ValueError`.
pub fn core(e: CoreError) -> PyErr {
    value_error(e)
}

/// Discovery errors: numerical failures are `RuntimeError`, the rest `ValueError`.
pub fn discover(e: DiscoverError) -> PyErr {
    match e {
        DiscoverError::Diverged(_) | DiscoverError::NoConsistentExtension => {
            PyRuntimeError::new_err(e.to_string())
        }
        other => value_error(other),
    }
}
