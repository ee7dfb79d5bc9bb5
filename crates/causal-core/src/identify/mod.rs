//! Identification of causal effects from a causal diagram with hidden confounders (ADMG).
//!
//! - [`Identifier`] runs the complete ID algorithm and its conditional extension IDC
//!   (Shpitser & Pearl 2006) and returns either a symbolic estimand [`Expr`] written in terms
//!   of the observational distribution, or a [`Hedge`] that proves the effect is not
//!   identifiable.
//! - [`DoCalculus`] checks the three rules of do-calculus.
//! - [`Transporter`] transports an effect from a source population with experiments to a
//!   target population with observations (Bareinboim & Pearl 2012), given a selection diagram.
//! - [`StableSetSearch`] finds the feature sets whose prediction of a target transports across
//!   populations on a selection diagram (Subbaswamy, Schulam & Saria 2019), and says why each
//!   other feature is unsafe.
//! - [`Expr::evaluate`] and [`plug_in`] turn an estimand into a number on discrete data
//!   (empirical frequencies).
//!
//! # Examples
//!
//! ```
//! use causal_core::graph::Admg;
//! use causal_core::identify::Identifier;
//!
//! // Front door: X -> Z -> Y with X <-> Y.
//! let mut g = Admg::from_names(["X", "Z", "Y"], &[("X", "Z"), ("Z", "Y")], &[("X", "Y")])?;
//! let id = Identifier::new(&g).identify(&["X"], &["Y"])?;
//! assert_eq!(
//!     id.estimand().unwrap().to_string(),
//!     "sum_{Z} P(Z | X) [sum_{X'} P(X') P(Y | X', Z)]"
//! );
//! // The bow arc X -> Y, X <-> Y is not identifiable.
//! g.add_directed("X", "Y")?;
//! assert!(!Identifier::new(&g).identify(&["X"], &["Z", "Y"])?.is_identifiable());
//! # Ok::<(), causal_core::CoreError>(())
//! ```

mod cg;
mod docalc;
mod eval;
mod expr;
mod hedge;
mod id;
mod stable_set;
mod term;
mod transport;

pub use docalc::DoCalculus;
pub use eval::{Event, plug_in};
pub use expr::Expr;
pub use hedge::Hedge;
pub use stable_set::{
    Candidate, EXACT_LIMIT, Excluded, MAX_CANDIDATES, StableSet, StableSetSearch,
};
pub use transport::{Transport, Transporter, transport};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::graph::Admg;
use crate::graph::NodeSet;
use cg::Cg;
use id::Id;

/// The outcome of identification: an estimand or the hedge that rules one out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    /// The effect equals this expression of the observational distribution.
    Identified(Expr),
    /// The effect is not identifiable; the hedge is the witness.
    NotIdentifiable(Hedge),
}

impl Identification {
    /// Whether an estimand exists.
    pub fn is_identifiable(&self) -> bool {
        matches!(self, Self::Identified(_))
    }

    /// The estimand, if identifiable.
    pub fn estimand(&self) -> Option<&Expr> {
        match self {
            Self::Identified(e) => Some(e),
            Self::NotIdentifiable(_) => None,
        }
    }

    /// The hedge, if not identifiable.
    pub fn hedge(&self) -> Option<&Hedge> {
        match self {
            Self::Identified(_) => None,
            Self::NotIdentifiable(h) => Some(h),
        }
    }
}

/// Identification queries on one ADMG, compiled once into a compact bitset form.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Admg;
/// use causal_core::identify::Identifier;
///
/// // Back door: Z -> X -> Y, Z -> Y.
/// let g = Admg::from_names(["Z", "X", "Y"], &[("Z", "X"), ("X", "Y"), ("Z", "Y")], &[])?;
/// let id = Identifier::new(&g);
/// let e = id.identify(&["X"], &["Y"])?;
/// assert_eq!(e.estimand().unwrap().to_string(), "sum_{Z} P(Z) P(Y | Z, X)");
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Identifier {
    cg: Cg,
}

impl Identifier {
    /// Compiles an ADMG. Nodes marked latent in their roles are projected out first
    /// ([`Admg::project_latents`]), so queries name observed nodes only.
    pub fn new(graph: &Admg) -> Self {
        Self {
            cg: Cg::observed(graph),
        }
    }

    /// Node names, in graph order.
    pub fn nodes(&self) -> &[String] {
        &self.cg.names
    }

    fn query<S: AsRef<str>>(
        &self,
        treatment: &[S],
        outcome: &[S],
        given: &[S],
    ) -> Result<(NodeSet, NodeSet, NodeSet)> {
        let x = self.cg.set_of(treatment)?;
        let y = self.cg.set_of(outcome)?;
        let z = self.cg.set_of(given)?;
        if y.is_empty() {
            return Err(CoreError::InvalidParameter(
                "the outcome set is empty".into(),
            ));
        }
        for (a, b, what) in [
            (&x, &y, "is both a treatment and an outcome"),
            (&x, &z, "is both a treatment and conditioned on"),
            (&y, &z, "is both an outcome and conditioned on"),
        ] {
            if let Some(v) = a.intersection(b).first() {
                return Err(CoreError::InvalidParameter(format!(
                    "node '{}' {what}",
                    self.cg.names[v]
                )));
            }
        }
        Ok((x, y, z))
    }

    /// Identifies `P(outcome | do(treatment))` (the ID algorithm).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] naming an unknown node, [`CoreError::InvalidParameter`] for an
    /// empty outcome or a node that is both treatment and outcome.
    pub fn identify<S: AsRef<str>>(
        &self,
        treatment: &[S],
        outcome: &[S],
    ) -> Result<Identification> {
        self.identify_given(treatment, outcome, &[] as &[S])
    }

    /// Identifies `P(outcome | do(treatment), given)` (the IDC algorithm).
    ///
    /// # Errors
    ///
    /// As [`Identifier::identify`], and for a node that is conditioned on and also a
    /// treatment or an outcome.
    pub fn identify_given<S: AsRef<str>>(
        &self,
        treatment: &[S],
        outcome: &[S],
        given: &[S],
    ) -> Result<Identification> {
        let (x, y, z) = self.query(treatment, outcome, given)?;
        let id = Id {
            cg: &self.cg,
            differ: None,
        };
        Ok(match id.identify_conditional(&y, &x, &z) {
            Ok(t) => Identification::Identified(t.to_expr(&self.cg.names)),
            Err(fail) => {
                let (f, fp, hx, hy) = *fail;
                Identification::NotIdentifiable(Hedge::from_sets(&self.cg, &f, &fp, &hx, &hy))
            }
        })
    }
}

/// Identifies `P(outcome | do(treatment))` in `graph`; see [`Identifier::identify`].
///
/// # Errors
///
/// As [`Identifier::identify`].
pub fn identify<S: AsRef<str>>(
    graph: &Admg,
    treatment: &[S],
    outcome: &[S],
) -> Result<Identification> {
    Identifier::new(graph).identify(treatment, outcome)
}

/// Identifies `P(outcome | do(treatment), given)` in `graph`; see [`Identifier::identify_given`].
///
/// # Errors
///
/// As [`Identifier::identify_given`].
pub fn identify_conditional<S: AsRef<str>>(
    graph: &Admg,
    treatment: &[S],
    outcome: &[S],
    given: &[S],
) -> Result<Identification> {
    Identifier::new(graph).identify_given(treatment, outcome, given)
}
