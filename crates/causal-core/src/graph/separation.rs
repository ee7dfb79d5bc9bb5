//! d-separation (DAGs) and m-separation (ADMGs) by Bayes-ball reachability, and the conditional
//! independences a graph implies.

use super::admg::Admg;
use super::nodeset::NodeSet;
use crate::error::{CoreError, Result};

/// One conditional independence `x ⫫ y | given` implied by a graph.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Independence {
    /// First variable.
    pub x: String,
    /// Second variable.
    pub y: String,
    /// The conditioning set, sorted by node index.
    pub given: Vec<String>,
}

// Visit states of the ball: it reached a node through an arrowhead at the node ("from a parent
// or spouse") or through a tail at the node ("from a child", or a start node).
const VIA_HEAD: u8 = 1;
const VIA_TAIL: u8 = 2;

impl Admg {
    /// The nodes m-connected to `x` given `z`: every `w` with an m-connecting path from some
    /// member of `x` to `w`. Members of `x` are included.
    ///
    /// A path is m-connecting given `z` when every collider on it is an ancestor of `z` and
    /// every other inner node is outside `z` (Richardson 2003; d-connection when the graph has no
    /// bidirected edge). This is Shachter's Bayes-ball: linear in nodes plus edges.
    pub fn m_connected(&self, x: &NodeSet, z: &NodeSet) -> NodeSet {
        self.bayes_ball(x, z, None).0
    }

    /// Whether `x` and `y` are m-separated given `z` (d-separated, for a DAG).
    ///
    /// Sets may have any size. A node in both `x` and `y` is never separated from itself;
    /// members of `z` that are also in `x` or `y` are ignored as conditioning nodes.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Dag;
    ///
    /// let g = Dag::from_names(["A", "B", "C"], &[("A", "B"), ("C", "B")])?;
    /// let (a, b, c) = (g.set(&["A"])?, g.set(&["B"])?, g.set(&["C"])?);
    /// assert!(g.m_separated(&a, &c, &g.empty_set()));
    /// assert!(!g.m_separated(&a, &c, &b)); // conditioning on a collider connects
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn m_separated(&self, x: &NodeSet, y: &NodeSet, z: &NodeSet) -> bool {
        if !x.is_disjoint(y) {
            return false;
        }
        let z = &(z - x) - y;
        !self.bayes_ball(x, &z, Some(y)).1
    }

    /// [`Admg::m_separated`] by node names, refusing overlapping sets.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`]; [`CoreError::InvalidParameter`] naming a node that is in two
    /// of the sets, or an empty `x` or `y`.
    pub fn m_separated_names<S: AsRef<str>>(&self, x: &[S], y: &[S], z: &[S]) -> Result<bool> {
        let (xs, ys, zs) = (self.set(x)?, self.set(y)?, self.set(z)?);
        if xs.is_empty() || ys.is_empty() {
            return Err(CoreError::InvalidParameter(
                "separation needs at least one node on each side".into(),
            ));
        }
        for (a, b, what) in [
            (&xs, &ys, "x and y"),
            (&xs, &zs, "x and the conditioning set"),
            (&ys, &zs, "y and the conditioning set"),
        ] {
            if let Some(v) = (a & b).first() {
                return Err(CoreError::InvalidParameter(format!(
                    "node '{}' is in both {what}",
                    self.name(v)
                )));
            }
        }
        Ok(self.m_separated(&xs, &ys, &zs))
    }

    /// Bayes-ball from `x` given `z`; stops early once a member of `target` is reached.
    /// Returns the reached set and whether a target was hit.
    fn bayes_ball(&self, x: &NodeSet, z: &NodeSet, target: Option<&NodeSet>) -> (NodeSet, bool) {
        let n = self.n();
        let an_z = self.ancestors(z);
        let mut state = vec![0u8; n];
        let mut reached = NodeSet::new(n);
        // (node, arrived via arrowhead?)
        let mut stack: Vec<(usize, bool)> = Vec::with_capacity(64);
        for v in x.iter() {
            state[v] = VIA_HEAD | VIA_TAIL;
            reached.insert(v);
            // A start node is an endpoint: it may leave along any edge.
            self.push_all(v, &mut state, &mut stack);
        }
        let hit = |v: usize| target.is_some_and(|t| t.contains(v));
        while let Some((v, head)) = stack.pop() {
            if reached.insert(v) && hit(v) {
                return (reached, true);
            }
            let in_z = z.contains(v);
            if head {
                // Arrived through an arrowhead: pass on to children as a non-collider unless
                // conditioned; turn back through arrowheads as a collider if an ancestor of z.
                if !in_z {
                    for &c in self.children(v) {
                        visit(&mut state, &mut stack, c, true);
                    }
                }
                if an_z.contains(v) {
                    for &p in self.parents(v) {
                        visit(&mut state, &mut stack, p, false);
                    }
                    for &s in self.spouses(v) {
                        visit(&mut state, &mut stack, s, true);
                    }
                }
            } else if !in_z {
                // Arrived through a tail (from a child): a non-collider whatever comes next.
                self.push_all(v, &mut state, &mut stack);
            }
        }
        (reached, false)
    }

    fn push_all(&self, v: usize, state: &mut [u8], stack: &mut Vec<(usize, bool)>) {
        for &c in self.children(v) {
            visit(state, stack, c, true);
        }
        for &p in self.parents(v) {
            visit(state, stack, p, false);
        }
        for &s in self.spouses(v) {
            visit(state, stack, s, true);
        }
    }

    /// A minimal set that m-separates `x` and `y` among the nodes of `allowed`, or `None` if no
    /// subset of `allowed` separates them.
    ///
    /// Starts from `An(x ∪ y) ∩ allowed`, which separates iff any subset of `allowed` does
    /// (van der Zander, Liśkiewicz & Textor 2019), then drops members one at a time. Inside an
    /// ancestral set separation is monotone, so the result is inclusion-minimal.
    pub fn minimal_separator(
        &self,
        x: &NodeSet,
        y: &NodeSet,
        allowed: &NodeSet,
    ) -> Option<NodeSet> {
        let mut z = &(&self.ancestors(&(x | y)) & allowed) - &(x | y);
        if !self.m_separated(x, y, &z) {
            return None;
        }
        for v in z.to_vec().into_iter().rev() {
            z.remove(v);
            if !self.m_separated(x, y, &z) {
                z.insert(v);
            }
        }
        Some(z)
    }

    /// The conditional independences implied by the graph, one per non-adjacent pair of
    /// observed nodes that some set of observed nodes separates (as dagitty's
    /// `impliedConditionalIndependencies`, which may list several per pair).
    ///
    /// For a pair `(a, b)` the conditioning set is the parents of the later node in topological
    /// order when they separate the pair (the local Markov property, minimised), and otherwise a
    /// minimal separator. Nodes with the `latent` role are never conditioned on nor listed.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Dag;
    ///
    /// let g = Dag::from_names(["A", "B", "C"], &[("A", "B"), ("B", "C")])?;
    /// let imp = g.implied_independencies();
    /// assert_eq!(imp.len(), 1);
    /// assert_eq!((imp[0].x.as_str(), imp[0].y.as_str()), ("A", "C"));
    /// assert_eq!(imp[0].given, vec!["B".to_string()]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn implied_independencies(&self) -> Vec<Independence> {
        let n = self.n();
        let observed = self.nodes_with(|r| !r.latent);
        let mut pos = vec![0usize; n];
        for (k, v) in self.topological_order().into_iter().enumerate() {
            pos[v] = k;
        }
        let mut out = Vec::new();
        for a in observed.iter() {
            for b in observed.iter().filter(|&b| b > a) {
                if self.adjacent(a, b) {
                    continue;
                }
                let xs = NodeSet::from_indices(n, [a]);
                let ys = NodeSet::from_indices(n, [b]);
                let later = if pos[a] > pos[b] { a } else { b };
                let parents = NodeSet::from_indices(n, self.parents(later).iter().copied());
                let allowed = if self.m_separated(&xs, &ys, &(&parents & &observed)) {
                    &parents & &observed
                } else {
                    observed.clone()
                };
                if let Some(z) = self.minimal_separator(&xs, &ys, &allowed) {
                    out.push(Independence {
                        x: self.name(a).to_owned(),
                        y: self.name(b).to_owned(),
                        given: z.iter().map(|v| self.name(v).to_owned()).collect(),
                    });
                }
            }
        }
        out
    }
}

#[inline]
fn visit(state: &mut [u8], stack: &mut Vec<(usize, bool)>, w: usize, head: bool) {
    let bit = if head { VIA_HEAD } else { VIA_TAIL };
    if state[w] & bit == 0 {
        state[w] |= bit;
        stack.push((w, head));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Dag;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Brute force: enumerate every simple path between x and y and test the m-connection
    /// conditions on it directly.
    fn brute_connected(g: &Admg, x: usize, y: usize, z: &NodeSet) -> bool {
        let an_z = g.ancestors(z);
        // Edges as (neighbour, arrowhead at this node, arrowhead at neighbour).
        let edges = |v: usize| -> Vec<(usize, bool, bool)> {
            let mut e = Vec::new();
            for &c in g.children(v) {
                e.push((c, false, true));
            }
            for &p in g.parents(v) {
                e.push((p, true, false));
            }
            for &s in g.spouses(v) {
                e.push((s, true, true));
            }
            e
        };
        fn dfs(
            v: usize,
            head_in: Option<bool>,
            y: usize,
            on_path: &mut Vec<bool>,
            z: &NodeSet,
            an_z: &NodeSet,
            edges: &dyn Fn(usize) -> Vec<(usize, bool, bool)>,
        ) -> bool {
            for (w, head_here, head_there) in edges(v) {
                if on_path[w] {
                    continue;
                }
                if let Some(h) = head_in {
                    let collider = h && head_here;
                    let ok = if collider {
                        an_z.contains(v)
                    } else {
                        !z.contains(v)
                    };
                    if !ok {
                        continue;
                    }
                }
                if w == y {
                    return true;
                }
                on_path[w] = true;
                if dfs(w, Some(head_there), y, on_path, z, an_z, edges) {
                    return true;
                }
                on_path[w] = false;
            }
            false
        }
        let mut on_path = vec![false; g.n()];
        on_path[x] = true;
        dfs(x, None, y, &mut on_path, z, &an_z, &edges)
    }

    pub(crate) fn random_admg(rng: &mut ChaCha8Rng, n: usize, p_dir: f64, p_bi: f64) -> Admg {
        let names: Vec<String> = (0..n).map(|i| format!("V{i}")).collect();
        let mut d = Vec::new();
        let mut b = Vec::new();
        for i in 0..n {
            for j in i + 1..n {
                if rng.random_bool(p_dir) {
                    d.push((i, j));
                }
                if rng.random_bool(p_bi) {
                    b.push((i, j));
                }
            }
        }
        Admg::from_edges(names, &d, &b).unwrap()
    }

    #[test]
    fn bayes_ball_agrees_with_path_enumeration() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let mut checked = (0, 0);
        for round in 0..300 {
            let n = 3 + round % 5;
            let p_bi = if round % 2 == 0 { 0.0 } else { 0.25 };
            let g = random_admg(&mut rng, n, 0.4, p_bi);
            for x in 0..n {
                for y in x + 1..n {
                    let mut z = NodeSet::new(n);
                    for v in 0..n {
                        if v != x && v != y && rng.random_bool(0.4) {
                            z.insert(v);
                        }
                    }
                    let xs = NodeSet::from_indices(n, [x]);
                    let ys = NodeSet::from_indices(n, [y]);
                    let sep = g.m_separated(&xs, &ys, &z);
                    assert_eq!(sep, !brute_connected(&g, x, y, &z), "{g:?} {x} {y} {z:?}");
                    if sep { checked.0 += 1 } else { checked.1 += 1 }
                }
            }
        }
        // Both outcomes occur often enough for the comparison to mean something.
        assert!(checked.0 > 200 && checked.1 > 200, "{checked:?}");
    }

    #[test]
    fn sets_on_both_sides() {
        // A -> B <- C, B -> D, E isolated.
        let g = Dag::from_names(
            ["A", "B", "C", "D", "E"],
            &[("A", "B"), ("C", "B"), ("B", "D")],
        )
        .unwrap();
        let s = |v: &[&str]| g.set(v).unwrap();
        assert!(g.m_separated(&s(&["A", "E"]), &s(&["C"]), &s(&[])));
        assert!(!g.m_separated(&s(&["A", "E"]), &s(&["C"]), &s(&["D"])));
        assert!(g.m_separated(&s(&["A", "C"]), &s(&["D"]), &s(&["B"])));
        assert!(!g.m_separated(&s(&["A"]), &s(&["A"]), &s(&[])));
        let err = g
            .m_separated_names(&["A"], &["C"], &["A"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'A'"), "{err}");
        assert!(g.m_separated_names(&["A"], &["Q"], &[]).is_err());
        let conn = g.m_connected(&s(&["A"]), &s(&["B"]));
        assert_eq!(g.names_of(&conn), vec!["A", "B", "C"]);
    }

    #[test]
    fn implied_independencies_by_hand() {
        // Hand-derived: Z -> X <- I -> Y and X -> Y; I and Z meet only at the collider X.
        let g = Dag::from_names(
            ["I", "X", "Y", "Z"],
            &[("I", "X"), ("I", "Y"), ("X", "Y"), ("Z", "X")],
        )
        .unwrap();
        let imp = g.implied_independencies();
        let text: Vec<String> = imp
            .iter()
            .map(|i| format!("{} _||_ {} | {}", i.x, i.y, i.given.join(", ")))
            .collect();
        assert_eq!(text, vec!["I _||_ Z | ", "Y _||_ Z | I, X"]);
        // Bow arc: X -> Y, X <-> Y has no missing edge; the latent-collider ADMG A <-> B <-> C
        // implies A _||_ C marginally.
        let m = Admg::from_names(["A", "B", "C"], &[], &[("A", "B"), ("B", "C")]).unwrap();
        let imp = m.implied_independencies();
        assert_eq!(imp.len(), 1);
        assert!(imp[0].given.is_empty());
    }

    #[test]
    fn minimal_separators_are_minimal_and_separate() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for _ in 0..100 {
            let g = random_admg(&mut rng, 7, 0.35, 0.1);
            let all = g.all();
            for i in g.implied_independencies() {
                let (x, y) = (g.set(&[&i.x]).unwrap(), g.set(&[&i.y]).unwrap());
                let z = g.set(&i.given).unwrap();
                assert!(g.m_separated(&x, &y, &z));
                for v in z.iter() {
                    let mut smaller = z.clone();
                    smaller.remove(v);
                    assert!(!g.m_separated(&x, &y, &smaller));
                }
            }
            // Completeness: a non-adjacent pair with no listed independence is inseparable.
            let listed: Vec<(String, String)> = g
                .implied_independencies()
                .into_iter()
                .map(|i| (i.x, i.y))
                .collect();
            for a in 0..g.n() {
                for b in a + 1..g.n() {
                    if g.adjacent(a, b) || listed.contains(&(g.name(a).into(), g.name(b).into())) {
                        continue;
                    }
                    let (x, y) = (NodeSet::from_indices(7, [a]), NodeSet::from_indices(7, [b]));
                    for mask in 0u32..128 {
                        let z = NodeSet::from_indices(7, (0..7).filter(|v| mask >> v & 1 == 1));
                        let z = &(&z & &all) - &(&x | &y);
                        assert!(!g.m_separated(&x, &y, &z));
                    }
                }
            }
        }
    }
}
