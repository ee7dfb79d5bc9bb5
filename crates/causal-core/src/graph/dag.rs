//! Directed acyclic graphs.

use std::ops::Deref;

use super::admg::Admg;
use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

/// A directed acyclic graph over named nodes.
///
/// A `Dag` is an [`Admg`] without bidirected edges; it dereferences to one, so every ADMG query
/// (ancestors, districts, separation, adjustment) applies. Constructors refuse cycles and name
/// the cycle in the error.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Dag;
///
/// let g = Dag::from_names(["Z", "X", "Y"], &[("Z", "X"), ("Z", "Y"), ("X", "Y")])?;
/// assert_eq!(g.parents(g.index("Y")?), &[0, 1]);
/// let err = Dag::from_names(["A", "B"], &[("A", "B"), ("B", "A")]).unwrap_err();
/// assert_eq!(err.to_string(), "the graph has a directed cycle: A -> B -> A");
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dag(Admg);

impl Dag {
    /// A DAG from node names and directed edges as index pairs.
    ///
    /// # Errors
    ///
    /// As [`Admg::from_edges`], including [`CoreError::Cycle`].
    pub fn from_edges<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        directed: &[(usize, usize)],
    ) -> Result<Self> {
        Ok(Self(Admg::from_edges(names, directed, &[])?))
    }

    /// A DAG from node names and directed edges given by name.
    ///
    /// # Errors
    ///
    /// As [`Admg::from_names`], including [`CoreError::Cycle`].
    pub fn from_names<S: Into<String>>(
        names: impl IntoIterator<Item = S>,
        directed: &[(&str, &str)],
    ) -> Result<Self> {
        Ok(Self(Admg::from_names(names, directed, &[])?))
    }

    /// Wraps an ADMG that has no bidirected edge.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming a bidirected edge.
    pub fn from_admg(g: Admg) -> Result<Self> {
        if let Some((a, b)) = g.bidirected_edges().next() {
            return Err(CoreError::InvalidParameter(format!(
                "bidirected edge '{}' <-> '{}' in a DAG",
                g.name(a),
                g.name(b)
            )));
        }
        Ok(Self(g))
    }

    /// Reads a [`MixedGraph`] with directed edges only.
    ///
    /// # Errors
    ///
    /// As [`Admg::from_mixed`] and [`Dag::from_admg`].
    pub fn from_mixed(m: &MixedGraph) -> Result<Self> {
        Self::from_admg(Admg::from_mixed(m)?)
    }

    /// Adds `from -> to` by name.
    ///
    /// # Errors
    ///
    /// As [`Admg::add_directed`], including [`CoreError::Cycle`].
    pub fn add_directed(&mut self, from: &str, to: &str) -> Result<()> {
        self.0.add_directed(from, to)
    }

    /// Mutable access to the roles of node `i`. Panics if `i` is out of range.
    pub fn roles_mut(&mut self, i: usize) -> &mut super::NodeRoles {
        self.0.roles_mut(i)
    }

    /// The underlying ADMG.
    pub fn as_admg(&self) -> &Admg {
        &self.0
    }

    /// The underlying ADMG, by value.
    pub fn into_admg(self) -> Admg {
        self.0
    }
}

impl Deref for Dag {
    type Target = Admg;
    fn deref(&self) -> &Admg {
        &self.0
    }
}

impl From<Dag> for Admg {
    fn from(d: Dag) -> Admg {
        d.0
    }
}

impl TryFrom<Admg> for Dag {
    type Error = CoreError;
    fn try_from(g: Admg) -> Result<Dag> {
        Dag::from_admg(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bidirected_and_cycles() {
        let g = Admg::from_names(["A", "B"], &[], &[("A", "B")]).unwrap();
        let err = Dag::try_from(g).unwrap_err().to_string();
        assert!(err.contains("'A' <-> 'B'"), "{err}");
        let mut d = Dag::from_names(["A", "B", "C"], &[("A", "B"), ("B", "C")]).unwrap();
        assert!(matches!(d.add_directed("C", "A"), Err(CoreError::Cycle(c)) if c.len() == 4));
        let m = d.to_mixed();
        assert_eq!(Dag::from_mixed(&m).unwrap(), d);
    }
}
