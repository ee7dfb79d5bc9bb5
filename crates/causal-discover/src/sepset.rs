//! Separating sets found by a skeleton search.

/// For each removed pair, the conditioning sets recorded when the pair was found independent.
///
/// As in causal-learn, a pair may hold several sets: the stable search records, from each
/// endpoint's side, the union of every set that separated the pair at the depth where it was
/// removed; the original search records the first separating set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SepSets {
    n: usize,
    sets: Vec<Option<Vec<Vec<usize>>>>,
}

impl SepSets {
    /// No separating sets over `n` variables.
    pub fn new(n: usize) -> Self {
        Self {
            n,
            sets: vec![None; n * n],
        }
    }

    /// Records `set` for the ordered pair `(x, y)`.
    pub fn append(&mut self, x: usize, y: usize, set: Vec<usize>) {
        self.sets[x * self.n + y]
            .get_or_insert_with(Vec::new)
            .push(set);
    }

    /// The recorded sets of `(x, y)`, if the pair was ever separated.
    pub fn get(&self, x: usize, y: usize) -> Option<&[Vec<usize>]> {
        self.sets[x * self.n + y].as_deref()
    }

    /// Whether `v` belongs to any recorded set of `(x, y)`.
    pub fn contains(&self, x: usize, y: usize, v: usize) -> bool {
        self.get(x, y)
            .is_some_and(|sets| sets.iter().any(|s| s.contains(&v)))
    }

    /// The union of the recorded sets of `(x, y)`, sorted.
    pub fn union(&self, x: usize, y: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .get(x, y)
            .map(|sets| sets.iter().flatten().copied().collect())
            .unwrap_or_default();
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_and_query() {
        let mut s = SepSets::new(3);
        assert!(s.get(0, 2).is_none());
        s.append(0, 2, vec![1]);
        s.append(0, 2, vec![]);
        assert!(s.contains(0, 2, 1));
        assert!(!s.contains(2, 0, 1));
        assert_eq!(s.union(0, 2), vec![1]);
    }
}
