//! A small fixed-width bitset over node indices, the workhorse of identification.

/// A set of node indices `0..n`, stored as bits. All sets built for one graph share a width,
/// so equality and hashing compare contents.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Set {
    words: Vec<u64>,
}

impl Set {
    /// The empty set over `n` nodes.
    pub(crate) fn empty(n: usize) -> Self {
        Self {
            words: vec![0; n.div_ceil(64).max(1)],
        }
    }

    /// `{0, .., n-1}`.
    pub(crate) fn full(n: usize) -> Self {
        let mut s = Self::empty(n);
        for i in 0..n {
            s.insert(i);
        }
        s
    }

    /// A set from indices.
    pub(crate) fn from_iter(n: usize, items: impl IntoIterator<Item = usize>) -> Self {
        let mut s = Self::empty(n);
        for i in items {
            s.insert(i);
        }
        s
    }

    /// A singleton.
    pub(crate) fn single(n: usize, i: usize) -> Self {
        let mut s = Self::empty(n);
        s.insert(i);
        s
    }

    pub(crate) fn insert(&mut self, i: usize) {
        self.words[i / 64] |= 1 << (i % 64);
    }

    pub(crate) fn remove(&mut self, i: usize) {
        self.words[i / 64] &= !(1 << (i % 64));
    }

    pub(crate) fn contains(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    pub(crate) fn union(&self, other: &Self) -> Self {
        Self {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a | b)
                .collect(),
        }
    }

    pub(crate) fn intersect(&self, other: &Self) -> Self {
        Self {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & b)
                .collect(),
        }
    }

    pub(crate) fn minus(&self, other: &Self) -> Self {
        Self {
            words: self
                .words
                .iter()
                .zip(&other.words)
                .map(|(a, b)| a & !b)
                .collect(),
        }
    }

    pub(crate) fn union_with(&mut self, other: &Self) {
        for (a, b) in self.words.iter_mut().zip(&other.words) {
            *a |= b;
        }
    }

    pub(crate) fn is_subset(&self, other: &Self) -> bool {
        self.words
            .iter()
            .zip(&other.words)
            .all(|(a, b)| a & !b == 0)
    }

    pub(crate) fn intersects(&self, other: &Self) -> bool {
        self.words.iter().zip(&other.words).any(|(a, b)| a & b != 0)
    }

    /// Members in increasing order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(k, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    None
                } else {
                    let b = w.trailing_zeros() as usize;
                    w &= w - 1;
                    Some(k * 64 + b)
                }
            })
        })
    }

    /// Number of 64-bit words.
    pub(crate) fn word_count(&self) -> usize {
        self.words.len()
    }

    /// The smallest member.
    pub(crate) fn first(&self) -> Option<usize> {
        self.iter().next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_algebra() {
        let a = Set::from_iter(130, [1, 64, 129]);
        let b = Set::from_iter(130, [1, 2]);
        assert_eq!(a.union(&b).iter().collect::<Vec<_>>(), vec![1, 2, 64, 129]);
        assert_eq!(a.intersect(&b).iter().collect::<Vec<_>>(), vec![1]);
        assert_eq!(a.minus(&b).len(), 2);
        assert!(Set::single(130, 1).is_subset(&a));
        assert!(!b.is_subset(&a));
        assert!(a.intersects(&b));
        assert_eq!(Set::full(70).len(), 70);
        assert_eq!(a.first(), Some(1));
        assert!(Set::empty(5).is_empty());
    }
}
