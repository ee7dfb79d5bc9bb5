#![doc = include_str!("../README.md")]

pub mod environments;
pub mod error;
pub mod icp;
pub mod prelude;

pub use error::{IrmError, Result};
