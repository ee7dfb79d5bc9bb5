//! A fixed-capacity bitset of node indices, the currency of every graph query.

use std::fmt;

/// A set of node indices `0..capacity`, stored as a bitset.
///
/// Set algebra is word-parallel, so ancestor, district and separation queries on subsets stay
/// cheap even on graphs with thousands of nodes. Two sets combined by an operator must have the
/// same capacity (they come from the same graph).
///
/// # Examples
///
/// ```
/// use causal_core::graph::NodeSet;
///
/// let a = NodeSet::from_indices(10, [1, 3, 5]);
/// let b = NodeSet::from_indices(10, [3, 4]);
/// assert_eq!((&a & &b).to_vec(), vec![3]);
/// assert_eq!((&a | &b).len(), 4);
/// assert!((&a - &b).contains(1));
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct NodeSet {
    capacity: usize,
    words: Vec<u64>,
}

impl NodeSet {
    /// The empty set over `capacity` nodes.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            words: vec![0; capacity.div_ceil(64)],
        }
    }

    /// Every node `0..capacity`.
    pub fn full(capacity: usize) -> Self {
        let mut s = Self::new(capacity);
        for w in &mut s.words {
            *w = u64::MAX;
        }
        s.trim();
        s
    }

    /// The set of the given indices; indices `>= capacity` are ignored.
    pub fn from_indices(capacity: usize, indices: impl IntoIterator<Item = usize>) -> Self {
        let mut s = Self::new(capacity);
        for i in indices {
            s.insert(i);
        }
        s
    }

    fn trim(&mut self) {
        let extra = self.words.len() * 64 - self.capacity;
        if extra > 0
            && let Some(last) = self.words.last_mut()
        {
            *last &= u64::MAX >> extra;
        }
    }

    /// The number of nodes the set ranges over.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Adds `i`; returns whether it was absent. Indices `>= capacity` are ignored (returns false).
    pub fn insert(&mut self, i: usize) -> bool {
        if i >= self.capacity {
            return false;
        }
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let was = self.words[w] & b != 0;
        self.words[w] |= b;
        !was
    }

    /// Removes `i`; returns whether it was present.
    pub fn remove(&mut self, i: usize) -> bool {
        if i >= self.capacity {
            return false;
        }
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let was = self.words[w] & b != 0;
        self.words[w] &= !b;
        was
    }

    /// Whether `i` is in the set.
    #[inline]
    pub fn contains(&self, i: usize) -> bool {
        i < self.capacity && self.words[i / 64] & (1u64 << (i % 64)) != 0
    }

    /// The number of members.
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set has no member.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// Removes every member.
    pub fn clear(&mut self) {
        for w in &mut self.words {
            *w = 0;
        }
    }

    /// Members in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(k, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let t = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(k * 64 + t)
            })
        })
    }

    /// Members in increasing order, collected.
    pub fn to_vec(&self) -> Vec<usize> {
        self.iter().collect()
    }

    /// The smallest member.
    pub fn first(&self) -> Option<usize> {
        self.iter().next()
    }

    /// `self ∪= other`.
    pub fn union_with(&mut self, other: &NodeSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    /// `self ∩= other`.
    pub fn intersect_with(&mut self, other: &NodeSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= b;
        }
    }

    /// `self \= other`.
    pub fn difference_with(&mut self, other: &NodeSet) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a &= !b;
        }
    }

    /// `self ∪ other` (as `&self | other`).
    pub fn union(&self, other: &NodeSet) -> NodeSet {
        self | other
    }

    /// `self ∩ other` (as `&self & other`).
    pub fn intersection(&self, other: &NodeSet) -> NodeSet {
        self & other
    }

    /// `self \ other` (as `&self - other`).
    pub fn difference(&self, other: &NodeSet) -> NodeSet {
        self - other
    }

    /// Whether `self` and `other` share a member.
    pub fn intersects(&self, other: &NodeSet) -> bool {
        !self.is_disjoint(other)
    }

    /// Whether every member of `self` is in `other`.
    pub fn is_subset(&self, other: &NodeSet) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    /// Whether `self` and `other` share no member.
    pub fn is_disjoint(&self, other: &NodeSet) -> bool {
        self.words.iter().zip(&other.words).all(|(a, b)| a & b == 0)
    }

    /// The complement within `0..capacity`.
    pub fn complement(&self) -> NodeSet {
        let mut s = self.clone();
        for w in &mut s.words {
            *w = !*w;
        }
        s.trim();
        s
    }
}

impl fmt::Debug for NodeSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

macro_rules! set_op {
    ($tr:ident, $method:ident, $with:ident) => {
        impl std::ops::$tr<&NodeSet> for &NodeSet {
            type Output = NodeSet;
            fn $method(self, rhs: &NodeSet) -> NodeSet {
                let mut out = self.clone();
                out.$with(rhs);
                out
            }
        }
    };
}

set_op!(BitOr, bitor, union_with);
set_op!(BitAnd, bitand, intersect_with);
set_op!(Sub, sub, difference_with);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algebra_and_iteration() {
        let a = NodeSet::from_indices(130, [0, 63, 64, 129, 200]);
        assert_eq!(a.to_vec(), vec![0, 63, 64, 129]);
        assert_eq!(a.len(), 4);
        let full = NodeSet::full(130);
        assert_eq!(full.len(), 130);
        assert_eq!(a.complement().len(), 126);
        assert!(a.is_subset(&full));
        assert!(!full.is_subset(&a));
        assert!(a.is_disjoint(&a.complement()));
        let mut b = a.clone();
        assert!(b.remove(63));
        assert!(!b.remove(63));
        assert_eq!((&a - &b).to_vec(), vec![63]);
        assert_eq!(b.first(), Some(0));
        b.clear();
        assert!(b.is_empty());
        assert_eq!(format!("{:?}", NodeSet::from_indices(3, [2])), "{2}");
    }
}
