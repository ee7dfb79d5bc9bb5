//! The learner contract every algorithm family in causal-rs follows (linfa's):
//!
//! `XParams` (a builder of hyperparameters) → [`ParamGuard::check`] → `X` (the validated
//! algorithm) → [`Fit::fit`] on a [`Dataset`] → `XFit` (the fitted model or the result).
//!
//! [`ParamGuard`] carries its own error type, so every crate implements it with its own
//! `thiserror` enum. The blanket impl below lets an unchecked `XParams` be fitted directly: it
//! is checked first, and a bad setting comes back as the fit's error.
//!
//! `Fit` takes the data and one more argument, `With`, for what an algorithm needs beside the
//! table: `()` when nothing, background knowledge for a graph search, column roles for an
//! effect model.

use crate::data::Dataset;

/// Hyperparameter validation before fitting: `check` consumes the builder and returns the
/// validated algorithm.
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_core::estimate::RegressionParams;
///
/// // Unchecked parameters are checked, and the bad setting is named.
/// let err = RegressionParams::new("t", "t").check().unwrap_err();
/// assert!(err.to_string().contains("invalid parameter"), "{err}");
/// ```
pub trait ParamGuard {
    /// The validated algorithm.
    type Checked;
    /// What a bad setting returns (the crate's error enum).
    type Error: std::error::Error;

    /// Validates the hyperparameters.
    ///
    /// # Errors
    ///
    /// The crate's `InvalidParameter` variant, naming the bad setting.
    fn check(self) -> Result<Self::Checked, Self::Error>;
}

/// Fitting a validated algorithm to a [`Dataset`].
pub trait Fit<With = ()> {
    /// The fitted model or the result (`XFit`).
    type Object;
    /// What a failed fit returns (the crate's error enum).
    type Error: std::error::Error;

    /// Fits to `data`, with `with` for what the algorithm needs beside the table.
    ///
    /// # Errors
    ///
    /// Whatever the algorithm rejects in the data: each error names the column, node or
    /// setting at fault.
    fn fit(&self, data: &Dataset, with: With) -> Result<Self::Object, Self::Error>;
}

/// Unchecked parameters fit by checking first (a clone, as `check` consumes the builder).
impl<P, W> Fit<W> for P
where
    P: ParamGuard + Clone,
    P::Checked: Fit<W>,
    <P::Checked as Fit<W>>::Error: From<P::Error>,
{
    type Object = <P::Checked as Fit<W>>::Object;
    type Error = <P::Checked as Fit<W>>::Error;

    fn fit(&self, data: &Dataset, with: W) -> Result<Self::Object, Self::Error> {
        self.clone().check()?.fit(data, with)
    }
}
