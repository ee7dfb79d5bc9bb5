//! The types most discovery programs need.

pub use crate::error::DiscoverError;
