//! The types most discovery programs need.

pub use crate::ci::{CiTest, CiTestKind};
pub use crate::error::DiscoverError;
pub use crate::fci::{Fci, FciFit, FciParams};
pub use crate::ges::{Ges, GesFit, GesParams, GesScore};
pub use crate::knowledge::Knowledge;
pub use crate::learner::{
    DiscoverOptions, Discovered, GraphLearner, Method as DiscoverMethod, discover,
};
pub use crate::lingam::{DirectLingam, DirectLingamFit, DirectLingamParams};
pub use crate::notears::{Notears, NotearsFit, NotearsParams};
pub use crate::pc::{Pc, PcFit, PcParams, UcPriority, UcRule};
