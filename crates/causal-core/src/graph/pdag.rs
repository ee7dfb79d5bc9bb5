//! Partially directed graphs (directed and undirected edges): the CPDAG of a DAG, Meek's
//! orientation rules (closure to the maximally oriented PDAG after background knowledge), and the
//! DAGs in the class such a graph represents.

use super::dag::Dag;
use super::marks::Marks;
use super::mixed::MixedGraph;
use crate::error::{CoreError, Result};

impl Marks {
    /// Applies Meek's rules R1–R4 until nothing changes. Only directed and undirected edges are
    /// read; R4 only fires after background knowledge, so a CPDAG is left as it is.
    pub(crate) fn meek_closure(&mut self) {
        let n = self.n();
        loop {
            let mut changed = false;
            for a in 0..n {
                for b in 0..n {
                    if a == b || !self.undirected(a, b) {
                        continue;
                    }
                    if self.meek_orients(a, b) {
                        self.orient(a, b);
                        changed = true;
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }

    /// Whether one of Meek's rules orients the undirected edge `a - b` as `a -> b`.
    fn meek_orients(&self, a: usize, b: usize) -> bool {
        let n = self.n();
        // R1: c -> a - b, c and b not adjacent.
        if (0..n).any(|c| self.directed(c, a) && !self.adjacent(c, b)) {
            return true;
        }
        // R2: a -> c -> b.
        if (0..n).any(|c| self.directed(a, c) && self.directed(c, b)) {
            return true;
        }
        // R3: a - c -> b, a - d -> b, c and d not adjacent.
        let cs: Vec<usize> = (0..n)
            .filter(|&c| self.undirected(a, c) && self.directed(c, b))
            .collect();
        for (k, &c) in cs.iter().enumerate() {
            if cs[k + 1..].iter().any(|&d| !self.adjacent(c, d)) {
                return true;
            }
        }
        // R4: a - d -> c -> b with a adjacent to c, and d and b not adjacent.
        for c in 0..n {
            if !(self.directed(c, b) && self.adjacent(a, c)) {
                continue;
            }
            if (0..n).any(|d| self.undirected(a, d) && self.directed(d, c) && !self.adjacent(d, b))
            {
                return true;
            }
        }
        false
    }

    /// The CPDAG of a fully directed graph: the skeleton, its v-structures, then Meek's rules.
    pub(crate) fn cpdag_of(dag: &Marks) -> Marks {
        let n = dag.n();
        let mut out = Marks::empty(n);
        for a in 0..n {
            for b in a + 1..n {
                if dag.adjacent(a, b) {
                    out.set(a, b, super::mark::Mark::Tail, super::mark::Mark::Tail);
                }
            }
        }
        for (a, c, b) in dag.v_structures() {
            out.orient(a, c);
            out.orient(b, c);
        }
        out.meek_closure();
        out
    }

    /// Every DAG in the class of this (Meek-closed) PDAG: branch on one undirected edge at a
    /// time, orient it each way and close under Meek's rules; a branch that ends cyclic or with a
    /// new v-structure is dropped. Stops after `limit` DAGs.
    pub(crate) fn extensions(&self, limit: usize) -> Vec<Marks> {
        let mut out = Vec::new();
        let base_v = self.v_structures();
        let mut stack = vec![self.clone()];
        while let Some(g) = stack.pop() {
            if out.len() >= limit {
                break;
            }
            let n = g.n();
            let pair = (0..n)
                .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
                .find(|&(a, b)| g.undirected(a, b));
            match pair {
                None => {
                    if !g.directed_cyclic() && g.v_structures() == base_v {
                        out.push(g);
                    }
                }
                Some((a, b)) => {
                    for (s, t) in [(b, a), (a, b)] {
                        let mut h = g.clone();
                        h.orient(s, t);
                        h.meek_closure();
                        stack.push(h);
                    }
                }
            }
        }
        out
    }

    /// One DAG in the class (Dor & Tarsi 1992): repeatedly take a sink among the remaining
    /// nodes whose undirected neighbours are adjacent to all its other neighbours, and point its
    /// undirected edges into it.
    /// `None` if the PDAG has no consistent extension.
    pub(crate) fn one_extension(&self) -> Option<Marks> {
        let n = self.n();
        let mut g = self.clone();
        let mut alive = vec![true; n];
        for _ in 0..n {
            let sink = (0..n).find(|&x| {
                alive[x] && (0..n).all(|y| !alive[y] || !g.directed(x, y)) && {
                    let und: Vec<usize> =
                        (0..n).filter(|&y| alive[y] && g.undirected(x, y)).collect();
                    let adj: Vec<usize> =
                        (0..n).filter(|&y| alive[y] && g.adjacent(x, y)).collect();
                    und.iter()
                        .all(|&y| adj.iter().all(|&z| z == y || g.adjacent(y, z)))
                }
            })?;
            for y in 0..n {
                if alive[y] && g.undirected(sink, y) {
                    g.orient(y, sink);
                }
            }
            alive[sink] = false;
        }
        Some(g)
    }

    /// The fully directed marks as a [`Dag`] with the node names of `template`.
    pub(crate) fn to_dag(&self, template: &MixedGraph) -> Result<Dag> {
        Dag::from_mixed(&self.to_mixed(template))
    }
}

impl MixedGraph {
    /// Closes a partially directed graph (directed and undirected edges) under Meek's rules:
    /// the maximally oriented PDAG. Use it after orienting edges of a CPDAG by background
    /// knowledge.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for bidirected or circle marks, or two edges on one pair.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::MixedGraph;
    ///
    /// // A - B - C with knowledge A -> B: Meek's R1 orients B -> C.
    /// let mut g = MixedGraph::with_nodes(["A", "B", "C"])?;
    /// g.add_directed("A", "B")?;
    /// g.add_undirected("B", "C")?;
    /// let m = g.meek_closure()?;
    /// assert_eq!(m.children(m.index("B")?), vec![m.index("C")?]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn meek_closure(&self) -> Result<MixedGraph> {
        let mut m = pdag_marks(self)?;
        m.meek_closure();
        Ok(m.to_mixed(self))
    }

    /// The DAGs in the class of a CPDAG or maximally oriented PDAG, at most `limit`.
    ///
    /// # Errors
    ///
    /// As [`MixedGraph::meek_closure`].
    pub fn dags_in_class(&self, limit: usize) -> Result<Vec<Dag>> {
        let mut m = pdag_marks(self)?;
        m.meek_closure();
        m.extensions(limit).iter().map(|d| d.to_dag(self)).collect()
    }
}

impl Dag {
    /// The CPDAG (essential graph) of this DAG: its Markov equivalence class.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::{Dag, GraphKind};
    ///
    /// let g = Dag::from_names(["A", "B", "C"], &[("A", "B"), ("C", "B")])?;
    /// assert_eq!(g.cpdag().kind(), GraphKind::Dag); // a v-structure is compelled
    /// let chain = Dag::from_names(["A", "B", "C"], &[("A", "B"), ("B", "C")])?;
    /// assert_eq!(chain.cpdag().kind(), GraphKind::Cpdag);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn cpdag(&self) -> MixedGraph {
        let m = self.to_mixed();
        match Marks::from_mixed(&m) {
            Ok(marks) => Marks::cpdag_of(&marks).to_mixed(&m),
            Err(_) => m,
        }
    }
}

/// The marks of a graph with directed and undirected edges only.
pub(crate) fn pdag_marks(g: &MixedGraph) -> Result<Marks> {
    let m = Marks::from_mixed(g)?;
    if m.has_circle() || m.has_bidirected() {
        return Err(CoreError::InvalidParameter(
            "a CPDAG or PDAG has directed and undirected edges only (found a bidirected or circle mark)"
                .into(),
        ));
    }
    Ok(m)
}
