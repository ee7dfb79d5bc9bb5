//! Background knowledge as index matrices, the form the score-based searches consult.

use crate::error::{DiscoverError, Result};

/// Required and forbidden directed edges between node indices.
///
/// Tiers become forbidden edges (no edge from a later tier into an earlier one), see
/// [`EdgeRules::from_tiers`]. GES and NOTEARS take their knowledge in this form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeRules {
    d: usize,
    forbidden: Vec<bool>,
    required: Vec<bool>,
    tiers: Vec<Option<usize>>,
    any: bool,
}

impl EdgeRules {
    /// No constraint on `d` nodes.
    pub fn none(d: usize) -> Self {
        Self {
            d,
            forbidden: vec![false; d * d],
            required: vec![false; d * d],
            tiers: vec![None; d],
            any: false,
        }
    }

    /// The index form of a [`Knowledge`](crate::knowledge::Knowledge) over the given columns:
    /// its forbidden edges (explicit and from tiers), required edges and tiers.
    ///
    /// # Errors
    ///
    /// [`Knowledge::resolve`](crate::knowledge::Knowledge::resolve)'s errors: a name that is
    /// not a column, an edge both required and forbidden.
    pub fn from_knowledge(
        k: &crate::knowledge::Knowledge,
        names: &[String],
    ) -> crate::error::Result<Self> {
        let r = k.resolve(names)?;
        let d = names.len();
        let mut out = Self::none(d);
        out.tiers = names.iter().map(|n| k.tier_of(n)).collect();
        for i in 0..d {
            for j in 0..d {
                if i != j && r.is_forbidden(i, j) {
                    out.forbid(i, j);
                }
                if r.is_required(i, j) {
                    out.require(i, j);
                }
            }
        }
        out.any |= out.tiers.iter().any(Option::is_some);
        Ok(out)
    }

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.d
    }

    /// Whether there is no constraint at all.
    pub fn is_empty(&self) -> bool {
        !self.any
    }

    /// Forbids `i -> j`.
    pub fn forbid(&mut self, i: usize, j: usize) {
        self.forbidden[i * self.d + j] = true;
        self.any = true;
    }

    /// Requires `i -> j`.
    pub fn require(&mut self, i: usize, j: usize) {
        self.required[i * self.d + j] = true;
        self.any = true;
    }

    /// Whether `i -> j` is forbidden.
    pub fn is_forbidden(&self, i: usize, j: usize) -> bool {
        self.forbidden[i * self.d + j]
    }

    /// Whether `i -> j` is required.
    pub fn is_required(&self, i: usize, j: usize) -> bool {
        self.required[i * self.d + j]
    }

    /// Whether an edge between `i` and `j` (either way) is required.
    pub fn is_required_either(&self, i: usize, j: usize) -> bool {
        self.is_required(i, j) || self.is_required(j, i)
    }

    /// Node `i`'s tier, if it was given one by [`EdgeRules::from_tiers`].
    pub fn tier(&self, i: usize) -> Option<usize> {
        self.tiers[i]
    }

    /// Whether node `k` must come before node `i` in a causal order: `k` is in an earlier
    /// tier, or `k -> i` is required.
    pub fn must_precede(&self, k: usize, i: usize) -> bool {
        matches!((self.tiers[k], self.tiers[i]), (Some(a), Some(b)) if a < b)
            || self.is_required(k, i)
    }

    /// Required edges as `(from, to)` pairs in row order.
    pub fn required_edges(&self) -> Vec<(usize, usize)> {
        (0..self.d)
            .flat_map(|i| (0..self.d).map(move |j| (i, j)))
            .filter(|&(i, j)| self.is_required(i, j))
            .collect()
    }

    /// Tiers (temporal order): `tier[i]` is node `i`'s tier, `None` for a node in no tier.
    /// An edge from a later tier into an earlier one is forbidden.
    pub fn from_tiers(tier: &[Option<usize>]) -> Self {
        let d = tier.len();
        let mut r = Self::none(d);
        r.tiers = tier.to_vec();
        for i in 0..d {
            for j in 0..d {
                if let (Some(ti), Some(tj)) = (tier[i], tier[j])
                    && ti > tj
                {
                    r.forbid(i, j);
                }
            }
        }
        r
    }

    /// Errors on an edge both required and forbidden in `rules` (the check of every
    /// score-based search's hyperparameters).
    pub(crate) fn check_consistent(rules: Option<&Self>) -> Result<()> {
        match rules.and_then(Self::conflict) {
            Some((i, j)) => Err(DiscoverError::KnowledgeConflict(format!(
                "edge {i} -> {j} is both required and forbidden"
            ))),
            None => Ok(()),
        }
    }

    /// `rules` for data with `d` columns, no constraint when there are none.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::KnowledgeConflict`]
    /// when the rules cover another number of nodes.
    pub(crate) fn for_columns(rules: Option<&Self>, d: usize) -> Result<Self> {
        let rules = rules.cloned().unwrap_or_else(|| Self::none(d));
        if rules.n_nodes() != d {
            return Err(DiscoverError::KnowledgeConflict(format!(
                "the knowledge covers {} nodes but the data has {d} columns",
                rules.n_nodes()
            )));
        }
        Ok(rules)
    }

    /// The first pair `(i, j)` whose edge `i -> j` is both required and forbidden, if any.
    pub fn conflict(&self) -> Option<(usize, usize)> {
        (0..self.d)
            .flat_map(|i| (0..self.d).map(move |j| (i, j)))
            .find(|&(i, j)| self.is_required(i, j) && (self.is_forbidden(i, j) || i == j))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_forbid_backward_edges_only() {
        let r = EdgeRules::from_tiers(&[Some(0), Some(1), None]);
        assert!(r.is_forbidden(1, 0));
        assert!(!r.is_forbidden(0, 1));
        assert!(!r.is_forbidden(2, 0) && !r.is_forbidden(0, 2));
        assert!(!r.is_empty());
        assert!(EdgeRules::from_tiers(&[Some(0), Some(0)]).is_empty());
    }

    #[test]
    fn knowledge_is_resolved_by_name() {
        let k = crate::knowledge::Knowledge::new()
            .tier(0, ["a"])
            .tier(1, ["b", "c"])
            .require("b", "c");
        let names = ["c".to_owned(), "b".to_owned(), "a".to_owned()];
        let r = EdgeRules::from_knowledge(&k, &names).unwrap();
        assert!(r.is_forbidden(0, 2) && r.is_forbidden(1, 2) && !r.is_forbidden(2, 0));
        assert!(r.is_required(1, 0) && r.must_precede(2, 1) && r.tier(0) == Some(1));
        let bad = crate::knowledge::Knowledge::new().require("a", "zz");
        assert!(EdgeRules::from_knowledge(&bad, &names).is_err());
    }

    #[test]
    fn conflict_is_found() {
        let mut r = EdgeRules::none(2);
        r.require(0, 1);
        assert_eq!(r.conflict(), None);
        r.forbid(0, 1);
        assert_eq!(r.conflict(), Some((0, 1)));
    }
}
