#![doc = include_str!("../README.md")]

pub mod data;
pub mod error;
pub mod metrics;
pub mod models;
pub mod policy;
pub mod prelude;

pub use error::{CfError, Result};
