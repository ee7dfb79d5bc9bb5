//! Edge endpoint marks.

use serde::{Deserialize, Serialize};

/// The mark at one end of an edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    /// No arrowhead: `-`.
    Tail,
    /// Arrowhead: `>`.
    Arrow,
    /// Undetermined (PAG): `o`.
    Circle,
}

/// An edge between nodes `a` and `b` (indices), with the mark at each end.
///
/// `a -> b` is `Edge { a, b, mark_a: Tail, mark_b: Arrow }`; `a <-> b` has arrows at both ends;
/// `a - b` has tails at both ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Edge {
    /// First endpoint.
    pub a: usize,
    /// Second endpoint.
    pub b: usize,
    /// Mark at `a`.
    pub mark_a: Mark,
    /// Mark at `b`.
    pub mark_b: Mark,
}

impl Edge {
    /// `a -> b`.
    pub fn directed(a: usize, b: usize) -> Self {
        Self {
            a,
            b,
            mark_a: Mark::Tail,
            mark_b: Mark::Arrow,
        }
    }

    /// `a <-> b`.
    pub fn bidirected(a: usize, b: usize) -> Self {
        Self {
            a,
            b,
            mark_a: Mark::Arrow,
            mark_b: Mark::Arrow,
        }
    }

    /// `a - b`.
    pub fn undirected(a: usize, b: usize) -> Self {
        Self {
            a,
            b,
            mark_a: Mark::Tail,
            mark_b: Mark::Tail,
        }
    }

    /// The same edge written from the other end.
    pub fn reversed(self) -> Self {
        Self {
            a: self.b,
            b: self.a,
            mark_a: self.mark_b,
            mark_b: self.mark_a,
        }
    }

    /// The canonical form, with `a <= b`.
    pub fn canonical(self) -> Self {
        if self.a <= self.b {
            self
        } else {
            self.reversed()
        }
    }

    /// Whether this is `from -> to`.
    pub fn is_directed_from(&self, from: usize, to: usize) -> bool {
        let e = if self.a == from {
            *self
        } else {
            self.reversed()
        };
        e.a == from && e.b == to && e.mark_a == Mark::Tail && e.mark_b == Mark::Arrow
    }

    /// The mark at node `v`, if `v` is an endpoint.
    pub fn mark_at(&self, v: usize) -> Option<Mark> {
        if self.a == v {
            Some(self.mark_a)
        } else if self.b == v {
            Some(self.mark_b)
        } else {
            None
        }
    }

    /// The other endpoint, if `v` is one.
    pub fn other(&self, v: usize) -> Option<usize> {
        if self.a == v {
            Some(self.b)
        } else if self.b == v {
            Some(self.a)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_flips_marks_with_ends() {
        let e = Edge::directed(3, 1).canonical();
        assert_eq!(
            (e.a, e.b, e.mark_a, e.mark_b),
            (1, 3, Mark::Arrow, Mark::Tail)
        );
        assert!(e.is_directed_from(3, 1));
        assert!(!e.is_directed_from(1, 3));
        assert_eq!(e.mark_at(1), Some(Mark::Arrow));
        assert_eq!(e.other(3), Some(1));
        assert_eq!(e.other(7), None);
    }
}
