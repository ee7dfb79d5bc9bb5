#![doc = include_str!("../README.md")]

pub mod error;
pub mod prelude;

pub use error::{DiscoverError, Result};
pub mod ges;
