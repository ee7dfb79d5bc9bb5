#![doc = include_str!("../README.md")]

pub mod contract;
pub mod data;
pub mod error;
pub mod estimate;
pub mod graph;
pub mod ida;
pub mod identify;
pub mod learner;
pub mod optim;
pub mod prelude;
pub mod refute;
pub mod report;
pub mod scm;
pub mod sim;
pub mod stats;

pub use error::{CoreError, Result};
