#![doc = include_str!("../README.md")]

pub mod error;
pub mod prelude;

pub use error::{DiscoverError, Result};
pub mod ges;
pub mod lingam;
pub mod notears;
pub mod sem;
