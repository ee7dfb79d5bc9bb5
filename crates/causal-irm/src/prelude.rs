//! The types most invariance programs need.

pub use crate::environments::Environments;
pub use crate::error::IrmError;
pub use crate::icp::{Icp, IcpFit, IcpParams, IcpTest, Preselection};
pub use crate::linear::{LinearIrm, LinearIrmFit, LinearIrmParams};
