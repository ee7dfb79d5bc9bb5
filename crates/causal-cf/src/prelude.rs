//! The types most individual-effect programs need.

pub use crate::error::CfError;
pub use crate::metrics::{ate_error, sqrt_pehe};
