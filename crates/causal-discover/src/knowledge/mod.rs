//! Background knowledge: required and forbidden directed edges, and tiers (temporal order).
//!
//! [`Knowledge`] holds the knowledge by variable name, as a user writes it (or as Tetrad's text
//! format stores it, see [`Knowledge::from_tetrad`]). Before a search, it is resolved against the
//! data's column names with [`Knowledge::resolve`], which rejects names the data does not have.

mod tetrad;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::error::{DiscoverError, Result};

/// Background knowledge by variable name.
///
/// Semantics follow Tetrad and causal-learn: `a → b` is forbidden if it was forbidden
/// explicitly, or if `a` sits in a later tier than `b`, or both share a tier declared
/// forbidden-within. `a → b` is required if it was required explicitly.
///
/// # Examples
///
/// ```
/// use causal_discover::knowledge::Knowledge;
///
/// let k = Knowledge::new()
///     .tier(0, ["age", "sex"])
///     .tier(1, ["smoking"])
///     .forbid("smoking", "sex")
///     .require("age", "smoking");
/// let r = k.resolve(&["age".into(), "sex".into(), "smoking".into()])?;
/// assert!(r.is_forbidden(2, 0)); // a later tier cannot cause an earlier one
/// assert!(r.is_required(0, 2));
/// assert!(k.resolve(&["age".into()]).is_err()); // 'sex' and 'smoking' are unknown
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Knowledge {
    forbidden: BTreeSet<(String, String)>,
    required: BTreeSet<(String, String)>,
    tiers: BTreeMap<String, usize>,
    forbidden_within: BTreeSet<usize>,
}

impl Knowledge {
    /// No knowledge.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forbids the directed edge `from → to`.
    pub fn forbid(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.forbidden.insert((from.into(), to.into()));
        self
    }

    /// Requires the directed edge `from → to`.
    pub fn require(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.required.insert((from.into(), to.into()));
        self
    }

    /// Puts variables in a tier; lower tiers come first in time.
    pub fn tier<S: Into<String>>(
        mut self,
        tier: usize,
        names: impl IntoIterator<Item = S>,
    ) -> Self {
        for n in names {
            self.tiers.insert(n.into(), tier);
        }
        self
    }

    /// Forbids edges between variables of the same tier.
    pub fn forbid_within_tier(mut self, tier: usize) -> Self {
        self.forbidden_within.insert(tier);
        self
    }

    /// Whether there is no knowledge at all.
    pub fn is_empty(&self) -> bool {
        self.forbidden.is_empty() && self.required.is_empty() && self.tiers.is_empty()
    }

    /// The explicitly required edges.
    pub fn required_edges(&self) -> impl Iterator<Item = (&str, &str)> {
        self.required.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// The explicitly forbidden edges.
    pub fn forbidden_edges(&self) -> impl Iterator<Item = (&str, &str)> {
        self.forbidden.iter().map(|(a, b)| (a.as_str(), b.as_str()))
    }

    /// Whether any variable has a tier.
    pub fn has_tiers(&self) -> bool {
        !self.tiers.is_empty()
    }

    /// The tier of a variable, if it has one.
    pub fn tier_of(&self, name: &str) -> Option<usize> {
        self.tiers.get(name).copied()
    }

    /// Parses Tetrad's knowledge text format (`/knowledge`, `addtemporal`, `forbiddirect`,
    /// `requiredirect`). A tier line is `N name name ...`; `N*` forbids edges within tier N.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::Knowledge`] naming the line for anything malformed.
    pub fn from_tetrad(text: &str) -> Result<Self> {
        tetrad::parse(text)
    }

    /// Reads a Tetrad knowledge file.
    ///
    /// # Errors
    ///
    /// The core I/O error naming the path, and [`Knowledge::from_tetrad`]'s errors.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| causal_core::CoreError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_tetrad(&text)
    }

    /// Resolves the names against the variables of a data set (in column order).
    ///
    /// # Errors
    ///
    /// [`DiscoverError::UnknownColumn`] naming the first name that is not a variable, and
    /// [`DiscoverError::InvalidParameter`] for an edge both required and forbidden.
    pub fn resolve(&self, names: &[String]) -> Result<ResolvedKnowledge> {
        let n = names.len();
        let index = |name: &str| {
            names
                .iter()
                .position(|v| v == name)
                .ok_or_else(|| DiscoverError::UnknownColumn(name.to_owned()))
        };
        let mut r = ResolvedKnowledge {
            n,
            forbidden: vec![false; n * n],
            required: vec![false; n * n],
            tier: vec![None; n],
            forbidden_within: self.forbidden_within.clone(),
        };
        for (a, b) in &self.forbidden {
            let (i, j) = (index(a)?, index(b)?);
            r.forbidden[i * n + j] = true;
        }
        for (a, b) in &self.required {
            let (i, j) = (index(a)?, index(b)?);
            r.required[i * n + j] = true;
        }
        for (name, &t) in &self.tiers {
            r.tier[index(name)?] = Some(t);
        }
        for (a, b) in &self.required {
            let (i, j) = (index(a)?, index(b)?);
            if r.is_forbidden(i, j) {
                return Err(DiscoverError::InvalidParameter(format!(
                    "the edge {a} -> {b} is both required and forbidden"
                )));
            }
        }
        Ok(r)
    }
}

/// [`Knowledge`] resolved to variable indices, for fast queries inside a search.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedKnowledge {
    n: usize,
    forbidden: Vec<bool>,
    required: Vec<bool>,
    tier: Vec<Option<usize>>,
    forbidden_within: BTreeSet<usize>,
}

impl ResolvedKnowledge {
    /// Knowledge with nothing in it, over `n` variables.
    pub fn empty(n: usize) -> Self {
        Self {
            n,
            forbidden: vec![false; n * n],
            required: vec![false; n * n],
            tier: vec![None; n],
            forbidden_within: BTreeSet::new(),
        }
    }

    /// Number of variables.
    pub fn n_vars(&self) -> usize {
        self.n
    }

    /// Whether `i → j` is forbidden (explicitly or by tiers).
    pub fn is_forbidden(&self, i: usize, j: usize) -> bool {
        if self.forbidden[i * self.n + j] {
            return true;
        }
        match (self.tier[i], self.tier[j]) {
            (Some(ti), Some(tj)) => ti > tj || (ti == tj && self.forbidden_within.contains(&ti)),
            _ => false,
        }
    }

    /// Whether `i → j` is required.
    pub fn is_required(&self, i: usize, j: usize) -> bool {
        self.required[i * self.n + j]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_forbid_backwards_and_within_when_asked() {
        let k = Knowledge::new()
            .tier(1, ["a", "b"])
            .tier(2, ["c"])
            .forbid_within_tier(1);
        let r = k
            .resolve(&["a".into(), "b".into(), "c".into(), "d".into()])
            .unwrap();
        assert!(r.is_forbidden(2, 0));
        assert!(!r.is_forbidden(0, 2));
        assert!(r.is_forbidden(0, 1) && r.is_forbidden(1, 0));
        assert!(!r.is_forbidden(3, 0) && !r.is_forbidden(0, 3));
        let names = ["a", "b", "c", "d"].map(String::from);
        let rules = crate::ges::EdgeRules::from_knowledge(&k, &names).unwrap();
        assert!(rules.is_forbidden(2, 0) && rules.is_forbidden(0, 1) && !rules.is_forbidden(0, 2));
    }

    #[test]
    fn unknown_names_and_contradictions_are_errors() {
        let err = Knowledge::new()
            .require("a", "zz")
            .resolve(&["a".into()])
            .unwrap_err();
        assert_eq!(err.to_string(), "unknown column 'zz'");
        let err = Knowledge::new()
            .require("a", "b")
            .forbid("a", "b")
            .resolve(&["a".into(), "b".into()])
            .unwrap_err();
        assert!(err.to_string().contains("a -> b"), "{err}");
    }
}
