//! The native half of the `causal_rs` Python package: PyO3 bindings over causal-core,
//! causal-discover and causal-irm's ICP (no LibTorch).
//!
//! The Python half (`python/causal_rs/`) hands pyarrow and polars tables over through the
//! Arrow C stream interface (`data::arrow_dataset`, which shares their float columns), and
//! turns pandas and NumPy tables into one list of `float64` column buffers for
//! `data::dataset`, which copies them once into a core
//! [`Dataset`](causal_core::data::Dataset); the graph, identification and
//! discovery functions then run on core types with the GIL released. Every error becomes a
//! Python `ValueError` (bad input) or `RuntimeError` (a numerical failure) with the library's
//! message, so nothing panics across the FFI boundary.

mod arrow_ffi;
mod assess;
mod data;
mod discover;
mod effect;
mod error;
mod estimate;
mod graph;
mod icp;

use pyo3::prelude::*;

/// The extension module `causal_rs._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<data::Data>()?;
    m.add_class::<graph::Graph>()?;
    m.add_function(wrap_pyfunction!(data::dataset, m)?)?;
    m.add_function(wrap_pyfunction!(data::dataset_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(data::arrow_dataset, m)?)?;
    m.add_function(wrap_pyfunction!(discover::discover, m)?)?;
    m.add_function(wrap_pyfunction!(discover::bootstrap, m)?)?;
    m.add_function(wrap_pyfunction!(icp::icp, m)?)?;
    m.add_function(wrap_pyfunction!(estimate::estimate, m)?)?;
    m.add_function(wrap_pyfunction!(assess::cate, m)?)?;
    m.add_function(wrap_pyfunction!(effect::effect, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
