//! The types most training programs need.

pub use crate::device::{default_device, parse_device};
pub use crate::error::TorchError;
pub use crate::seed::manual_seed;
