#![doc = include_str!("../README.md")]

#[cfg(feature = "torch")]
pub mod deep;
pub mod environments;
pub mod error;
pub mod icp;
pub mod linear;
pub mod prelude;

pub use error::{IrmError, Result};
