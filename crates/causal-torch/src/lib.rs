#![doc = include_str!("../README.md")]

pub mod checkpoint;
pub mod data;
pub mod device;
pub mod error;
pub mod learner;
pub mod loss;
pub mod nn;
pub mod notears_mlp;
pub mod predict;
pub mod prelude;
pub mod scm;
pub mod seed;
pub mod trainer;

pub use error::{Result, TorchError};
pub use tch;
