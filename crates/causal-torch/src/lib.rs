#![doc = include_str!("../README.md")]

pub mod device;
pub mod error;
pub mod prelude;
pub mod seed;

pub use error::{Result, TorchError};
pub use tch;
