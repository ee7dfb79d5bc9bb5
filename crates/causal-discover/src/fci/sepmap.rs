//! FCI's separating sets, keyed by ordered pair as causal-learn's `sep_sets` dictionary.
//!
//! The adjacency search records a removed pair under both orders; the possible-d-sep stage
//! records only `(node1, node2)` of the edge it removed (see `graph_ops::graph_edges`), and
//! the orientation rules look pairs up in the order they meet them. A lookup in the other
//! order finds nothing, exactly as in causal-learn, which changes which colliders are oriented.

use std::collections::HashMap;

use crate::sepset::SepSets;

/// Separating sets by ordered pair.
#[derive(Clone, Debug, Default)]
pub(crate) struct SepMap {
    map: HashMap<(usize, usize), Vec<usize>>,
}

impl SepMap {
    /// The union sets of a skeleton search (FAS stores each removed pair both ways).
    pub(crate) fn from_skeleton(sepsets: &SepSets, n: usize) -> Self {
        let mut map = HashMap::new();
        for x in 0..n {
            for y in 0..n {
                if sepsets.get(x, y).is_some() {
                    map.insert((x, y), sepsets.union(x, y));
                }
            }
        }
        Self { map }
    }

    /// The set recorded for the ordered pair `(x, y)`.
    pub(crate) fn get(&self, x: usize, y: usize) -> Option<&[usize]> {
        self.map.get(&(x, y)).map(Vec::as_slice)
    }

    /// Records `set` for the ordered pair `(x, y)` only.
    pub(crate) fn insert(&mut self, x: usize, y: usize, set: Vec<usize>) {
        self.map.insert((x, y), set);
    }

    /// The sets as the public [`SepSets`], each recorded pair under both orders.
    pub(crate) fn to_sepsets(&self, n: usize) -> SepSets {
        let mut out = SepSets::new(n);
        let mut keys: Vec<&(usize, usize)> = self.map.keys().collect();
        keys.sort_unstable();
        for &(x, y) in &keys {
            out.append(*x, *y, self.map[&(*x, *y)].clone());
        }
        for &(x, y) in &keys {
            if out.get(*y, *x).is_none() {
                out.append(*y, *x, self.map[&(*x, *y)].clone());
            }
        }
        out
    }
}
