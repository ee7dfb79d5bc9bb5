//! Invariant Causal Prediction (Peters, Bühlmann and Meinshausen, 2016). Needs no LibTorch.
//!
//! The causal predictors `S*` of a target `Y` are the ones whose conditional `Y | X_{S*}` is
//! the same in every environment. ICP tests that invariance for every subset `S` of predictors
//! and returns the intersection of the accepted subsets, which is contained in `S*` with
//! probability at least `1 − α` when the model holds. All statistics are computed from
//! per-environment sufficient statistics, and subsets are tested in parallel (rayon) with an
//! order-preserving collect, so the output is deterministic.
//!
//! # Examples
//!
//! ```
//! use causal_core::contract::ParamGuard;
//! use causal_core::data::Dataset;
//! use causal_irm::environments::Environments;
//! use causal_irm::icp::{IcpParams, IcpTest};
//!
//! let d = Dataset::from_text(
//!     "x,y,e\n0,0.1,0\n1,2.2,0\n2,3.9,0\n3,6.1,0\n10,20.2,1\n11,21.8,1\n12,24.1,1\n13,25.9,1\n",
//! )?
//! .with_environment("e")?;
//! let envs = Environments::from_dataset(&d)?;
//! let icp = IcpParams::new().test(IcpTest::Exact).check()?.fit(&d, "y", &envs)?;
//! assert_eq!(icp.estimate_names(), ["x"]);
//! assert!(!icp.model_rejected);
//! # Ok::<(), causal_irm::IrmError>(())
//! ```

mod fit;
mod params;
mod preselect;
mod result;
mod stats;

pub use params::{Icp, IcpParams, IcpTest, Preselection};
pub use result::{IcpFit, SetTest};
