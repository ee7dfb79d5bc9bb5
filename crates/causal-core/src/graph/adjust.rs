//! Covariate adjustment: the back-door criterion, the generalised adjustment criterion,
//! minimal and optimal adjustment sets, the front-door criterion and conditional instruments.
//!
//! Notation follows Perković et al. (2018) and van der Zander, Liśkiewicz & Textor (2019):
//! `Cn(X, Y)` are the nodes other than `X` on proper causal paths from `X` to `Y`;
//! `Forb(X, Y) = De(Cn(X, Y)) ∪ X`; the proper back-door graph `G^pbd` is `G` without the first
//! edge of every proper causal path.

use super::admg::Admg;
use super::moral::Moral;
use super::nodeset::NodeSet;
use crate::error::{CoreError, Result};

/// Enumerations stop after this many sets; graphs with more minimal sets are rare and the
/// listing would not be read.
pub const MAX_SETS: usize = 10_000;

/// Subsets examined by the front-door search before it stops.
const MAX_FRONTDOOR_CHECKS: usize = 200_000;

/// A conditional instrument: `instrument` is an instrument for `X -> Y` given `given`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instrument {
    /// The instrument node.
    pub instrument: usize,
    /// The conditioning set.
    pub given: NodeSet,
}

impl Admg {
    /// Fails unless `x` and `y` are non-empty and disjoint.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] naming the overlapping node or the empty side.
    pub fn check_effect(&self, x: &NodeSet, y: &NodeSet) -> Result<()> {
        if x.is_empty() || y.is_empty() {
            return Err(CoreError::InvalidParameter(
                "the treatment and the outcome need at least one node each".into(),
            ));
        }
        if let Some(v) = (x & y).first() {
            return Err(CoreError::InvalidParameter(format!(
                "node '{}' is both a treatment and an outcome",
                self.name(v)
            )));
        }
        Ok(())
    }

    /// `Cn(X, Y)`: the nodes outside `x` on proper causal paths from `x` to `y`.
    pub fn causal_path_nodes(&self, x: &NodeSet, y: &NodeSet) -> NodeSet {
        let cut = self.cut_incoming_directed(x);
        let from_x = &cut.descendants(x) - x;
        let to_y = cut.ancestors(y);
        &from_x & &to_y
    }

    /// `G` with the directed edges into `set` removed (bidirected edges kept).
    fn cut_incoming_directed(&self, set: &NodeSet) -> Admg {
        let mut g = self.clone();
        for v in set.iter() {
            for &p in self.parents(v) {
                g.remove_directed(p, v);
            }
        }
        g
    }

    /// `Forb(X, Y) = De(Cn(X, Y)) ∪ X`: nodes no adjustment set may contain.
    pub fn forbidden(&self, x: &NodeSet, y: &NodeSet) -> NodeSet {
        &self.descendants(&self.causal_path_nodes(x, y)) | x
    }

    /// The proper back-door graph: `G` without the edges `x -> w` with `x ∈ X`, `w ∈ Cn(X, Y)`.
    pub fn proper_backdoor_graph(&self, x: &NodeSet, y: &NodeSet) -> Admg {
        let cn = self.causal_path_nodes(x, y);
        let mut g = self.clone();
        for v in x.iter() {
            for &c in self.children(v) {
                if cn.contains(c) {
                    g.remove_directed(v, c);
                }
            }
        }
        g
    }

    /// Pearl's back-door criterion: `z` holds no descendant of `x`, and blocks every path
    /// between `x` and `y` that starts with an edge into `x` (m-separation in `G` without the
    /// edges out of `x`).
    pub fn is_backdoor_set(&self, x: &NodeSet, y: &NodeSet, z: &NodeSet) -> bool {
        if !z.is_disjoint(&self.descendants(x)) || !z.is_disjoint(y) {
            return false;
        }
        self.cut_outgoing(x).m_separated(x, y, z)
    }

    /// The generalised adjustment criterion (Shpitser, VanderWeele & Robins 2010; Perković et
    /// al. 2018): `z` avoids `Forb(X, Y)` and m-separates `x` and `y` in the proper back-door
    /// graph. Sound and complete: `z` satisfies it iff `P(y | do(x)) = Σ_z P(y | x, z) P(z)`
    /// for every distribution compatible with the graph.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Dag;
    ///
    /// let g = Dag::from_names(["Z", "X", "Y"], &[("Z", "X"), ("Z", "Y"), ("X", "Y")])?;
    /// let (x, y) = (g.set(&["X"])?, g.set(&["Y"])?);
    /// assert!(g.is_adjustment_set(&x, &y, &g.set(&["Z"])?));
    /// assert!(!g.is_adjustment_set(&x, &y, &g.empty_set()));
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn is_adjustment_set(&self, x: &NodeSet, y: &NodeSet, z: &NodeSet) -> bool {
        if !z.is_disjoint(&self.forbidden(x, y)) || !z.is_disjoint(y) {
            return false;
        }
        self.proper_backdoor_graph(x, y).m_separated(x, y, z)
    }

    /// Nodes allowed in adjustment sets: not latent, not in `x`, `y` or `Forb(X, Y)`.
    fn adjustable(&self, x: &NodeSet, y: &NodeSet) -> NodeSet {
        let latent = self.nodes_with(|r| r.latent);
        let mut r = self.all();
        r.difference_with(&latent);
        r.difference_with(&self.forbidden(x, y));
        r.difference_with(y);
        r
    }

    /// Every inclusion-minimal adjustment set for the effect of `x` on `y` (van der Zander,
    /// Liśkiewicz & Textor 2019), in the order found, at most [`MAX_SETS`]. Nodes with the
    /// `latent` role are never used. Empty if no adjustment set exists; `[∅]` if none is needed.
    ///
    /// # Examples
    ///
    /// ```
    /// use causal_core::graph::Dag;
    ///
    /// // M-bias: adjusting for the collider M would open X <- A -> M <- B -> Y.
    /// let g = Dag::from_names(["A", "B", "M", "X", "Y"],
    ///     &[("A", "X"), ("A", "M"), ("B", "M"), ("B", "Y"), ("X", "Y")])?;
    /// let sets = g.minimal_adjustment_sets(&g.set(&["X"])?, &g.set(&["Y"])?);
    /// assert_eq!(sets, vec![g.empty_set()]);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    pub fn minimal_adjustment_sets(&self, x: &NodeSet, y: &NodeSet) -> Vec<NodeSet> {
        let pbd = self.proper_backdoor_graph(x, y);
        let anc = pbd.ancestors(&(x | y));
        let allowed = &self.adjustable(x, y) & &anc;
        if !pbd.m_separated(x, y, &allowed) {
            return Vec::new();
        }
        let moral = Moral::new(&pbd, &anc);
        let mut sets = moral.minimal_separators(x, y, &allowed, MAX_SETS);
        sets.sort_by_key(|s| (s.len(), s.to_vec()));
        sets
    }

    /// The optimal adjustment set `O(X, Y) = Pa(Cn(X, Y)) \ Forb(X, Y)` of Henckel, Perković &
    /// Maathuis (2022): among valid sets it gives the smallest asymptotic variance for linear
    /// models. Defined, as in that paper, for graphs without bidirected edges or latent nodes
    /// and outcomes that all descend from the treatment; `None` otherwise, or when no
    /// adjustment set exists.
    pub fn optimal_adjustment_set(&self, x: &NodeSet, y: &NodeSet) -> Option<NodeSet> {
        if self.n_bidirected() > 0 || !self.nodes_with(|r| r.latent).is_empty() {
            return None;
        }
        if !y.is_subset(&self.descendants(x)) {
            return None;
        }
        let cn = self.causal_path_nodes(x, y);
        let mut o = self.empty_set();
        for v in cn.iter() {
            for &p in self.parents(v) {
                o.insert(p);
            }
        }
        o.difference_with(&self.forbidden(x, y));
        self.is_adjustment_set(x, y, &o).then_some(o)
    }

    /// Pearl's front-door criterion for `z`: (i) `z` intercepts every directed path from `x` to
    /// `y`; (ii) no back-door path from `x` to `z` is open; (iii) every back-door path from `z`
    /// to `y` is blocked by `x` (`z ⫫ y | x` in `G` without the edges out of `z`). `z` must be
    /// non-empty, observed and disjoint from `x` and `y`, and `x` must have a causal path to `y`.
    pub fn is_frontdoor_set(&self, x: &NodeSet, y: &NodeSet, z: &NodeSet) -> bool {
        if z.is_empty() || !z.is_disjoint(&(x | y)) {
            return false;
        }
        if !self.nodes_with(|r| r.latent).is_disjoint(z) {
            return false;
        }
        let to_y = self.descendants(x);
        if to_y.is_disjoint(y) {
            return false;
        }
        // (i): with z removed, x reaches no y along directed edges.
        let keep = &self.all() - z;
        if !self.descendants_within(x, &keep).is_disjoint(y) {
            return false;
        }
        // (ii)
        if !self.cut_outgoing(x).m_separated(x, z, &self.empty_set()) {
            return false;
        }
        // (iii)
        self.cut_outgoing(z).m_separated(z, y, x)
    }

    /// The inclusion-minimal front-door sets, by a search over subsets of the nodes that
    /// satisfy condition (ii) on their own, smallest first. The search examines at most 200 000
    /// subsets, so on very large candidate pools it may stop early.
    pub fn frontdoor_sets(&self, x: &NodeSet, y: &NodeSet) -> Vec<NodeSet> {
        if self.descendants(x).is_disjoint(y) || !x.is_disjoint(y) {
            return Vec::new();
        }
        let latent = self.nodes_with(|r| r.latent);
        let open_from_x = self.cut_outgoing(x).m_connected(x, &self.empty_set());
        let candidates: Vec<usize> = (0..self.n())
            .filter(|&v| !x.contains(v) && !y.contains(v) && !latent.contains(v))
            .filter(|&v| !open_from_x.contains(v))
            .collect();
        let mut found: Vec<NodeSet> = Vec::new();
        let mut checks = 0usize;
        for k in 1..=candidates.len() {
            let mut idx: Vec<usize> = (0..k).collect();
            loop {
                checks += 1;
                if checks > MAX_FRONTDOOR_CHECKS || found.len() >= MAX_SETS {
                    return found;
                }
                let z = NodeSet::from_indices(self.n(), idx.iter().map(|&i| candidates[i]));
                if !found.iter().any(|f| f.is_subset(&z)) && self.is_frontdoor_set(x, y, &z) {
                    found.push(z);
                }
                // Next combination of k indices out of candidates.len().
                let m = candidates.len();
                let Some(pos) = (0..k).rev().find(|&i| idx[i] < m - k + i) else {
                    break;
                };
                idx[pos] += 1;
                for j in pos + 1..k {
                    idx[j] = idx[j - 1] + 1;
                }
            }
        }
        found
    }

    /// Conditional instruments for the effect of `x` on `y` (single nodes), following van der
    /// Zander, Textor & Liśkiewicz (2015) as dagitty does: in the proper back-door graph, with
    /// the mediators barred from conditioning sets, `z` is an instrument given `W` when `W` is
    /// a minimal separator of `z` and `y` (closest to `y`) that holds no descendant of `y`, and
    /// `z` stays m-connected to `x` given `W`.
    pub fn instruments(&self, x: usize, y: usize) -> Vec<Instrument> {
        let n = self.n();
        if x == y {
            return Vec::new();
        }
        let xs = NodeSet::from_indices(n, [x]);
        let ys = NodeSet::from_indices(n, [y]);
        let pbd = self.proper_backdoor_graph(&xs, &ys);
        let mediators = &(&(&self.descendants(&xs) & &self.ancestors(&ys)) - &xs) - &ys;
        let de_y = pbd.descendants(&ys);
        let barred = &(&(&self.nodes_with(|r| r.latent) | &mediators) | &de_y) | &xs;
        let mut out = Vec::new();
        for z in 0..n {
            if z == x || z == y || barred.contains(z) || self.roles(z).selection {
                continue;
            }
            let zs = NodeSet::from_indices(n, [z]);
            let anc = pbd.ancestors(&(&zs | &ys));
            let allowed = &(&anc - &barred) - &zs;
            if !pbd.m_separated(&zs, &ys, &allowed) {
                continue;
            }
            let moral = Moral::new(&pbd, &anc);
            let Some(w) = moral.closest_separator(&ys, &zs, &allowed) else {
                continue;
            };
            if pbd.m_separated(&zs, &ys, &w) && !pbd.m_separated(&xs, &zs, &w) {
                out.push(Instrument {
                    instrument: z,
                    given: w,
                });
            }
        }
        out
    }
}
