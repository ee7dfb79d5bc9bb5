#![doc = include_str!("../README.md")]

pub mod error;
pub mod metrics;
pub mod prelude;

pub use error::{CfError, Result};
