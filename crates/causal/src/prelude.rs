//! One prelude merged from the enabled crates' preludes.

pub use causal_core::prelude::*;

#[cfg(feature = "discover")]
pub use causal_discover::prelude::*;

#[cfg(feature = "torch")]
pub use causal_torch::prelude::*;

#[cfg(feature = "irm")]
pub use causal_irm::prelude::*;

#[cfg(feature = "cf")]
pub use causal_cf::prelude::*;
