//! The d-separation oracle: a "test" that reads independences off a known DAG.

use causal_core::graph::MixedGraph;

use super::{CiTest, check_indices};
use crate::error::{DiscoverError, Result};

/// A perfect CI oracle for a known DAG: p-value 1 when `x` and `y` are d-separated by `z`,
/// else 0. Running PC or FCI with it recovers the true CPDAG or PAG, which is how the search
/// logic is tested independently of sampling noise.
///
/// # Examples
///
/// ```
/// use causal_core::graph::MixedGraph;
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
    parents: Vec<Vec<usize>>,
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
            parents: (0..dag.n_nodes()).map(|v| dag.parents(v)).collect(),
        })
    }

    /// Whether `x` and `y` are d-separated given `z` (ancestral moral graph criterion).
    pub fn d_separated(&self, x: usize, y: usize, z: &[usize]) -> bool {
        d_separated(&self.parents, x, y, z)
    }
}

/// d-separation of `x` and `y` given `z` in the DAG given by its parent lists.
pub(crate) fn d_separated(parents: &[Vec<usize>], x: usize, y: usize, z: &[usize]) -> bool {
    {
        let n = parents.len();
        // Ancestors of {x, y} ∪ z.
        let mut anc = vec![false; n];
        let mut stack: Vec<usize> = [x, y].iter().chain(z).copied().collect();
        while let Some(v) = stack.pop() {
            if !anc[v] {
                anc[v] = true;
                stack.extend(parents[v].iter().copied());
            }
        }
        // Moralise the ancestral subgraph.
        let mut adj = vec![Vec::new(); n];
        for v in (0..n).filter(|&v| anc[v]) {
            let ps = &parents[v];
            for (i, &p) in ps.iter().enumerate() {
                adj[v].push(p);
                adj[p].push(v);
                for &q in &ps[i + 1..] {
                    adj[p].push(q);
                    adj[q].push(p);
                }
            }
        }
        let mut blocked = vec![false; n];
        for &v in z {
            blocked[v] = true;
        }
        let mut seen = vec![false; n];
        let mut stack = vec![x];
        seen[x] = true;
        while let Some(v) = stack.pop() {
            if v == y {
                return false;
            }
            for &w in &adj[v] {
                if !seen[w] && !blocked[w] {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        true
    }
}

impl CiTest for DSeparation {
    fn n_vars(&self) -> usize {
        self.parents.len()
    }

    fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
        check_indices(self.parents.len(), x, y, z)?;
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
