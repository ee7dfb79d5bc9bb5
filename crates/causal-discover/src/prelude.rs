//! The types most discovery programs need.

pub use crate::ci::{CiTest, CiTestKind};
pub use crate::error::DiscoverError;
pub use crate::fci::{Fci, FciResult};
pub use crate::knowledge::Knowledge;
pub use crate::pc::{Pc, PcResult, UcPriority, UcRule};
