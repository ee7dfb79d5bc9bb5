//! The d-separation oracle: a "test" that reads independences off a known DAG.

use causal_core::graph::{Admg, MixedGraph, NodeSet};

use super::{CiTest, check_indices};
use crate::error::{DiscoverError, Result};

/// A perfect CI oracle for a known DAG: p-value 1 when `x` and `y` are d-separated by `z`,
/// else 0. Running PC or FCI with it recovers the true CPDAG or PAG, which is how the search
/// logic is tested independently of sampling noise.
///
/// # Examples
///
/// ```
/// use causal_core::graph::{Admg, MixedGraph, NodeSet};
/// use causal_discover::ci::{CiTest, DSeparation};
///
/// let mut g = MixedGraph::with_nodes(["a", "b", "c"])?;
/// g.add_directed("a", "c")?;
/// g.add_directed("b", "c")?;
/// let oracle = DSeparation::new(&g)?;
/// assert_eq!(oracle.p_value(0, 1, &[])?, 1.0);
/// assert_eq!(oracle.p_value(0, 1, &[2])?, 0.0);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct DSeparation {
    dag: Admg,
}

impl DSeparation {
    /// Builds the oracle for a DAG.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] if the graph has an edge that is not directed, and
    /// the core cycle error (naming the cycle) if it is cyclic.
    pub fn new(dag: &MixedGraph) -> Result<Self> {
        dag.check_acyclic()?;
        for e in dag.edges() {
            if !(e.is_directed_from(e.a, e.b) || e.is_directed_from(e.b, e.a)) {
                return Err(DiscoverError::InvalidParameter(format!(
                    "the d-separation oracle needs a DAG, but the edge between '{}' and '{}' is not directed",
                    dag.name(e.a),
                    dag.name(e.b)
                )));
            }
        }
        Ok(Self {
            dag: Admg::from_mixed(dag)?,
        })
    }

    /// Whether `x` and `y` are d-separated given `z` (core's Bayes-ball,
    /// [`Admg::m_separated`]).
    pub fn d_separated(&self, x: usize, y: usize, z: &[usize]) -> bool {
        let n = self.dag.n();
        self.dag.m_separated(
            &NodeSet::from_indices(n, [x]),
            &NodeSet::from_indices(n, [y]),
            &NodeSet::from_indices(n, z.iter().copied()),
        )
    }
}

impl CiTest for DSeparation {
    fn n_vars(&self) -> usize {
        self.dag.n()
    }

    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        check_indices(self.dag.n(), x, y, z)?;
        Ok(if self.d_separated(x, y, z) { 1.0 } else { 0.0 })
    }

    fn name(&self) -> &'static str {
        "d-separation"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_fork_collider_and_descendant_of_collider() {
        let mut g = MixedGraph::with_nodes(["a", "b", "c", "d", "e"]).unwrap();
        g.add_directed("a", "b").unwrap(); // chain a -> b -> c
        g.add_directed("b", "c").unwrap();
        g.add_directed("d", "c").unwrap(); // collider b -> c <- d
        g.add_directed("c", "e").unwrap(); // descendant of the collider
        let o = DSeparation::new(&g).unwrap();
        assert!(!o.d_separated(0, 2, &[]));
        assert!(o.d_separated(0, 2, &[1]));
        assert!(o.d_separated(1, 3, &[]));
        assert!(!o.d_separated(1, 3, &[2]));
        assert!(!o.d_separated(1, 3, &[4]));
        assert!(o.d_separated(0, 3, &[]));
        assert!(!o.d_separated(0, 3, &[4]));
        assert!(o.d_separated(0, 3, &[4, 1]));
    }

    #[test]
    fn non_dag_is_rejected() {
        let mut g = MixedGraph::with_nodes(["a", "b"]).unwrap();
        g.add_undirected("a", "b").unwrap();
        assert!(DSeparation::new(&g).is_err());
    }
}
