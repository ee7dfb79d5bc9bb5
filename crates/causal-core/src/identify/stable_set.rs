//! Stable feature sets for prediction under dataset shift: the conditioning sets `Z` with
//! `Y ⫫ S | Z` in a selection diagram (Subbaswamy, Schulam & Saria, AISTATS 2019, "Preventing
//! failures due to dataset shift: learning predictive models that transport").
//!
//! A selection node `S -> V` marks a variable whose mechanism may differ between the training
//! population and the populations the model will meet (the convention of [`super::Transporter`]).
//! A predictor of `Y` from features `Z` transports when `P(Y | Z)` is the same in every
//! population, which the selection diagram guarantees when `Z` m-separates `Y` from every
//! selection node (d-separates, without bidirected edges). Among those stable sets one is chosen
//! by a stated rule, and every feature left out is reported with the open path that conditioning
//! on it would create.

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::transport::{check_selection_node, looks_like_selection};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::{Admg, NodeSet};
use crate::stats::{Design, ols_fit};

/// Up to this many candidate features, every subset is checked (2^k separation tests); beyond
/// it, a greedy search finds one inclusion-maximal stable set and [`StableSet::exact`] is false.
pub const EXACT_LIMIT: usize = 18;

/// At most this many maximal stable sets are scored on validation data (the best-ranked ones
/// by the largest-set rule).
pub const MAX_CANDIDATES: usize = 32;

/// Steps allowed to the search for an open path shown in a reason (path enumeration is
/// exponential in the worst case; beyond the budget the reason names the selection node only).
const PATH_BUDGET: usize = 200_000;

/// A candidate feature the chosen set leaves out, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    /// The feature.
    pub feature: String,
    /// Why adding it to the chosen set breaks stability, in words.
    pub reason: String,
    /// The open path from a selection node to the target that conditioning on the feature
    /// creates, as alternating node names and edge marks (`["S(C)", "->", "C", "<-", "Y"]`);
    /// empty when the path search ran out of budget.
    pub path: Vec<String>,
}

/// One inclusion-maximal stable set considered by the choice rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Its features, in graph order.
    pub features: Vec<String>,
    /// Mean squared error of a least-squares fit on the validation rows (rule `validation`).
    pub validation_mse: Option<f64>,
}

/// The chosen stable set and the reasons for every feature left out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StableSet {
    /// The prediction target.
    pub target: String,
    /// The chosen conditioning set, in graph order: `target ⫫ S | stable_set`.
    pub stable_set: Vec<String>,
    /// Every candidate feature outside the chosen set, with its reason.
    pub excluded: Vec<Excluded>,
    /// The variables whose mechanisms may shift (children of selection nodes).
    pub shifted: Vec<String>,
    /// The selection nodes of the diagram (those read from the graph and `S(V)` for each
    /// `--shifted V`).
    pub selection: Vec<String>,
    /// The target's parents among the candidate features.
    pub parents: Vec<String>,
    /// Whether the parents alone are a stable set (always, without latent confounders).
    pub parents_stable: bool,
    /// The rule that chose the set, in words.
    pub rule: String,
    /// Whether every subset of the features was checked (else a greedy search, see
    /// [`EXACT_LIMIT`]).
    pub exact: bool,
    /// The maximal stable sets the rule chose among, best first.
    pub candidates: Vec<Candidate>,
}

/// Stable-set queries on one selection diagram for one target.
///
/// # Examples
///
/// ```
/// use causal_core::graph::Admg;
/// use causal_core::identify::StableSetSearch;
///
/// // X -> Y -> C1, Y -> C2; the mechanism of C1 differs between populations.
/// let g = Admg::from_names(["X", "Y", "C1", "C2"], &[("X", "Y"), ("Y", "C1"), ("Y", "C2")], &[])?;
/// let s = StableSetSearch::new(&g, "Y", &["C1"])?.search()?;
/// assert_eq!(s.stable_set, vec!["X", "C2"]);
/// assert_eq!(s.excluded[0].feature, "C1");
/// assert_eq!(s.excluded[0].path.join(" "), "S(C1) -> C1 <- Y");
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct StableSetSearch {
    graph: Admg,
    target: usize,
    selection: NodeSet,
    /// Candidate features in graph order.
    features: Vec<usize>,
}

/// An edge on a path as seen from the node before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    /// `a -> b`.
    Out,
    /// `a <- b`.
    In,
    /// `a <-> b`.
    Bi,
}

impl StableSetSearch {
    /// Compiles a selection diagram for predicting `target`.
    ///
    /// Selection nodes are the nodes with the `selection` role; when none has it and `shifted`
    /// is empty, nodes named `S`, `S1`, `S_2`, .. (as for [`super::Transporter`]). Each name in
    /// `shifted` gets a new selection node `S(name)` pointing at it. Nodes with the `latent`
    /// role are then projected out (Verma & Pearl), so a latent common cause becomes a
    /// bidirected edge and is never conditioned on. The candidate features are the remaining
    /// nodes other than the target and the selection nodes.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`] for a target or shifted name the graph lacks;
    /// [`CoreError::InvalidParameter`] when the target is latent or a selection node, when a
    /// selection node has a parent or a bidirected edge, and when the target's own mechanism
    /// is marked as shifted (no conditioning set can then be stable).
    pub fn new<S: AsRef<str>>(diagram: &Admg, target: &str, shifted: &[S]) -> Result<Self> {
        let t0 = diagram.index(target)?;
        if diagram.roles(t0).latent {
            return Err(CoreError::InvalidParameter(format!(
                "target '{target}' is latent (not in the data); a predictor needs it observed"
            )));
        }
        let mut sel = diagram.nodes_with(|r| r.selection);
        if sel.is_empty() && shifted.is_empty() {
            sel = NodeSet::from_indices(
                diagram.n(),
                (0..diagram.n()).filter(|&i| looks_like_selection(diagram.name(i))),
            );
        }
        if sel.contains(t0) {
            return Err(CoreError::InvalidParameter(format!(
                "target '{target}' is a selection node, not a variable"
            )));
        }
        let mut names: Vec<String> = diagram.names().to_vec();
        let mut directed: Vec<(usize, usize)> = diagram.directed_edges().collect();
        let bidirected: Vec<(usize, usize)> = diagram.bidirected_edges().collect();
        let mut added = Vec::new();
        for v in shifted {
            let v = v.as_ref();
            let i = diagram.index(v)?;
            if sel.contains(i) {
                return Err(CoreError::InvalidParameter(format!(
                    "'{v}' is a selection node; mark variables as shifted, not selection nodes"
                )));
            }
            if i == t0 {
                return Err(target_shifted(target, &format!("S({v})")));
            }
            if added.contains(&i) {
                continue;
            }
            added.push(i);
            directed.push((names.len(), i));
            names.push(fresh_name(diagram, &format!("S({v})")));
        }
        let mut g = Admg::from_edges(names, &directed, &bidirected)?;
        for i in 0..diagram.n() {
            *g.roles_mut(i) = diagram.roles(i);
        }
        for k in diagram.n()..g.n() {
            g.roles_mut(k).selection = true;
        }
        for s in sel.iter() {
            g.roles_mut(s).selection = true;
        }
        if !g.nodes_with(|r| r.latent).is_empty() {
            g = g.project_latents();
        }
        let target = g.index(target)?;
        let selection = g.nodes_with(|r| r.selection);
        for s in selection.iter() {
            check_selection_node(&g, s)?;
        }
        if let Some(&s) = g.parents(target).iter().find(|&&p| selection.contains(p)) {
            return Err(target_shifted(g.name(target), g.name(s)));
        }
        let features = (0..g.n())
            .filter(|&v| v != target && !selection.contains(v))
            .collect();
        Ok(Self {
            graph: g,
            target,
            selection,
            features,
        })
    }

    /// The diagram searched: the input with a selection node per shifted variable and the
    /// latent nodes projected out.
    pub fn diagram(&self) -> &Admg {
        &self.graph
    }

    /// The candidate features, in graph order.
    pub fn features(&self) -> Vec<&str> {
        self.features.iter().map(|&v| self.graph.name(v)).collect()
    }

    /// The variables whose mechanisms may shift (children of selection nodes), in graph order.
    pub fn shifted(&self) -> Vec<&str> {
        let mut out = NodeSet::new(self.graph.n());
        for s in self.selection.iter() {
            for &c in self.graph.children(s) {
                out.insert(c);
            }
        }
        self.graph.names_of(&out)
    }

    /// Whether conditioning on the named features makes the target independent of every
    /// selection node.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`]; [`CoreError::InvalidParameter`] for a name that is not a
    /// candidate feature (the target or a selection node).
    pub fn is_stable<S: AsRef<str>>(&self, features: &[S]) -> Result<bool> {
        let z = self.feature_set(features)?;
        Ok(self.stable(&z))
    }

    /// The open path from a selection node to the target given the named features, if any,
    /// as alternating node names and edge marks.
    ///
    /// # Errors
    ///
    /// As [`StableSetSearch::is_stable`].
    pub fn open_path<S: AsRef<str>>(&self, features: &[S]) -> Result<Option<Vec<String>>> {
        let z = self.feature_set(features)?;
        if self.stable(&z) {
            return Ok(None);
        }
        Ok(Some(
            self.find_path(&z)
                .map(|p| self.path_tokens(&p))
                .unwrap_or_default(),
        ))
    }

    fn feature_set<S: AsRef<str>>(&self, features: &[S]) -> Result<NodeSet> {
        let z = self.graph.set(features)?;
        if let Some(v) = z.iter().find(|v| !self.features.contains(v)) {
            return Err(CoreError::InvalidParameter(format!(
                "'{}' is not a candidate feature (it is the target or a selection node)",
                self.graph.name(v)
            )));
        }
        Ok(z)
    }

    fn stable(&self, z: &NodeSet) -> bool {
        let y = NodeSet::from_indices(self.graph.n(), [self.target]);
        self.selection.is_empty() || self.graph.m_separated(&y, &self.selection, z)
    }

    fn subset(&self, mask: u64) -> NodeSet {
        NodeSet::from_indices(
            self.graph.n(),
            self.features
                .iter()
                .enumerate()
                .filter(|(k, _)| mask >> k & 1 == 1)
                .map(|(_, &v)| v),
        )
    }

    /// The inclusion-maximal stable sets, ranked by the largest-set rule (size, then features
    /// adjacent to the target, then graph order), and whether the search was exhaustive.
    fn maximal_sets(&self) -> Result<(Vec<NodeSet>, bool)> {
        let k = self.features.len();
        let mut found = if k <= EXACT_LIMIT {
            let stable: Vec<bool> = (0..1u64 << k)
                .map(|m| self.stable(&self.subset(m)))
                .collect();
            (0..1u64 << k)
                .filter(|&m| stable[m as usize])
                .filter(|&m| (0..k).all(|i| m >> i & 1 == 1 || !stable[(m | 1 << i) as usize]))
                .map(|m| self.subset(m))
                .collect()
        } else {
            let z = self.greedy();
            if self.stable(&z) { vec![z] } else { Vec::new() }
        };
        if found.is_empty() {
            let none = NodeSet::new(self.graph.n());
            let path = self
                .find_path(&none)
                .map(|p| {
                    format!(
                        " (with no features, {} is open)",
                        self.path_tokens(&p).join(" ")
                    )
                })
                .unwrap_or_default();
            return Err(CoreError::InvalidParameter(format!(
                "no set of features makes '{}' independent of the selection nodes{path}: every \
                 set that blocks one path from a shifted mechanism opens another",
                self.graph.name(self.target)
            )));
        }
        let adjacent = |z: &NodeSet| {
            z.iter()
                .filter(|&v| self.graph.adjacent(v, self.target))
                .count()
        };
        found.sort_by(|a, b| {
            b.len()
                .cmp(&a.len())
                .then(adjacent(b).cmp(&adjacent(a)))
                .then(a.to_vec().cmp(&b.to_vec()))
        });
        Ok((found, k <= EXACT_LIMIT))
    }

    /// Drops features until stable (each time the one leaving the fewest selection nodes
    /// connected to the target, preferring features not adjacent to it), then adds back every
    /// dropped feature that keeps the set stable, so the result is inclusion-maximal.
    fn greedy(&self) -> NodeSet {
        let n = self.graph.n();
        let y = NodeSet::from_indices(n, [self.target]);
        let connected = |z: &NodeSet| (&self.graph.m_connected(&y, z) & &self.selection).len();
        let mut z = NodeSet::from_indices(n, self.features.iter().copied());
        let mut dropped = Vec::new();
        while !self.stable(&z) {
            let best = z
                .iter()
                .map(|v| {
                    let mut smaller = z.clone();
                    smaller.remove(v);
                    (connected(&smaller), self.graph.adjacent(v, self.target), v)
                })
                .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(b.2.cmp(&a.2)));
            match best {
                Some((_, _, v)) => {
                    z.remove(v);
                    dropped.push(v);
                }
                None => break,
            }
        }
        dropped.sort_by_key(|&v| (!self.graph.adjacent(v, self.target), v));
        for v in dropped {
            z.insert(v);
            if !self.stable(&z) {
                z.remove(v);
            }
        }
        z
    }

    /// The largest stable set (ties: more features adjacent to the target, then the earlier
    /// features in graph order), with the reasons for every feature left out.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] when no set of features is stable (possible with latent
    /// confounders: a shifted parent of the target that shares a hidden cause with it), naming
    /// the path left open without features.
    pub fn search(&self) -> Result<StableSet> {
        let (sets, exact) = self.maximal_sets()?;
        let candidates = sets
            .iter()
            .take(MAX_CANDIDATES)
            .map(|z| Candidate {
                features: self.names(z),
                validation_mse: None,
            })
            .collect();
        let rule = if exact {
            "largest stable set (every subset of the features checked); ties: more features \
             adjacent to the target, then graph order"
        } else {
            "an inclusion-maximal stable set from a greedy search (too many features for \
             every subset)"
        };
        Ok(self.report(&sets[0], rule, exact, candidates))
    }

    /// The maximal stable set that predicts best on validation data: each candidate (up to
    /// [`MAX_CANDIDATES`] maximal stable sets) gets a least-squares fit with intercept on a
    /// seeded `1 - valid_fraction` share of the rows, and the one with the smallest mean
    /// squared error on the other rows is chosen (ties and failed fits: the largest-set order).
    /// Only maximal sets compete: in the population, adding a feature never makes the best
    /// predictor worse.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownColumn`] for the target or a feature missing from `data` (mark such
    /// nodes latent first); [`CoreError::InvalidParameter`] for `valid_fraction` outside
    /// `(0, 1)`, fewer than 2 rows on either side of the split, or, as
    /// [`StableSetSearch::search`], no stable set.
    pub fn search_with_data(
        &self,
        data: &Dataset,
        valid_fraction: f64,
        seed: u64,
    ) -> Result<StableSet> {
        if !(valid_fraction > 0.0 && valid_fraction < 1.0) {
            return Err(CoreError::InvalidParameter(format!(
                "valid_fraction must lie in (0, 1), got {valid_fraction}"
            )));
        }
        let y_name = self.graph.name(self.target);
        data.column(y_name)?;
        for &v in &self.features {
            data.column(self.graph.name(v))?;
        }
        let n = data.n_rows();
        let n_valid = ((n as f64) * valid_fraction).round() as usize;
        if n_valid < 2 || n - n_valid < 2 {
            return Err(CoreError::InvalidParameter(format!(
                "{n} rows are too few to split {valid_fraction} for validation"
            )));
        }
        let mut rows: Vec<usize> = (0..n).collect();
        rows.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
        let (valid_rows, train_rows) = rows.split_at(n_valid);
        let train = data.take_rows(train_rows)?;
        let valid = data.take_rows(valid_rows)?;
        let (sets, exact) = self.maximal_sets()?;
        let sets: Vec<NodeSet> = sets.into_iter().take(MAX_CANDIDATES).collect();
        let scores: Vec<Option<f64>> = sets
            .iter()
            .map(|z| self.validation_mse(z, &train, &valid).ok())
            .collect();
        let mut order: Vec<usize> = (0..sets.len()).collect();
        // Stable sort: equal scores keep the largest-set order; failed fits go last.
        order.sort_by(|&a, &b| match (scores[a], scores[b]) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
        let candidates = order
            .iter()
            .map(|&i| Candidate {
                features: self.names(&sets[i]),
                validation_mse: scores[i],
            })
            .collect();
        let rule = format!(
            "the maximal stable set with the smallest validation MSE of a least-squares fit \
             ({:.0}% of {n} rows held out, seed {seed}){}",
            valid_fraction * 100.0,
            if exact {
                ""
            } else {
                "; one greedy candidate (too many features for every subset)"
            }
        );
        Ok(self.report(&sets[order[0]], &rule, exact, candidates))
    }

    fn validation_mse(&self, z: &NodeSet, train: &Dataset, valid: &Dataset) -> Result<f64> {
        let names = self.names(z);
        let cols: Vec<&str> = names.iter().map(String::as_str).collect();
        let y_name = self.graph.name(self.target);
        let fit = ols_fit(
            &Design::from_data(train, &cols, true)?,
            train.column(y_name)?,
        )?;
        let pred = Design::from_data(valid, &cols, true)?.predict(&fit.coef);
        let y = valid.column(y_name)?;
        Ok(pred
            .iter()
            .zip(y)
            .map(|(p, y)| (p - y) * (p - y))
            .sum::<f64>()
            / y.len() as f64)
    }

    fn names(&self, z: &NodeSet) -> Vec<String> {
        z.iter().map(|v| self.graph.name(v).to_owned()).collect()
    }

    fn report(
        &self,
        chosen: &NodeSet,
        rule: &str,
        exact: bool,
        candidates: Vec<Candidate>,
    ) -> StableSet {
        let excluded = self
            .features
            .iter()
            .filter(|&&f| !chosen.contains(f))
            .map(|&f| self.why_excluded(chosen, f))
            .collect();
        let parents = NodeSet::from_indices(
            self.graph.n(),
            self.graph.parents(self.target).iter().copied(),
        );
        StableSet {
            target: self.graph.name(self.target).to_owned(),
            stable_set: self.names(chosen),
            excluded,
            shifted: self.shifted().into_iter().map(str::to_owned).collect(),
            selection: self.names(&self.selection),
            parents: self.names(&parents),
            parents_stable: self.stable(&parents),
            rule: rule.to_owned(),
            exact,
            candidates,
        }
    }

    fn why_excluded(&self, chosen: &NodeSet, f: usize) -> Excluded {
        let name = self.graph.name(f).to_owned();
        let mut z = chosen.clone();
        z.insert(f);
        if self.stable(&z) {
            // Only possible when the rule picked a set that is not inclusion-maximal, which the
            // rules above never do; kept total rather than panicking.
            return Excluded {
                reason: format!("'{name}' keeps the set stable but the rule left it out"),
                feature: name,
                path: Vec::new(),
            };
        }
        let Some(path) = self.find_path(&z) else {
            let connected = self
                .graph
                .m_connected(&NodeSet::from_indices(self.graph.n(), [self.target]), &z);
            let s = self
                .selection
                .iter()
                .find(|&s| connected.contains(s))
                .map_or("a selection node", |s| self.graph.name(s));
            return Excluded {
                reason: format!(
                    "conditioning on '{name}' m-connects '{}' with {s} (path search budget \
                     exhausted)",
                    self.graph.name(self.target)
                ),
                feature: name,
                path: Vec::new(),
            };
        };
        let tokens = self.path_tokens(&path);
        let on_path = path.iter().any(|&(v, _)| v == f);
        let how = if on_path {
            format!("'{name}' is a collider on it")
        } else {
            let an_f = self
                .graph
                .ancestors(&NodeSet::from_indices(self.graph.n(), [f]));
            let collider = collider_nodes(&path)
                .into_iter()
                .find(|&c| an_f.contains(c))
                .map_or_else(String::new, |c| self.graph.name(c).to_owned());
            format!("'{name}' is a descendant of the collider '{collider}' on it")
        };
        Excluded {
            reason: format!(
                "conditioning on '{name}' opens {} ({how}), so P({} | features) would change \
                 with the shifted mechanism",
                tokens.join(" "),
                self.graph.name(self.target)
            ),
            feature: name,
            path: tokens,
        }
    }

    /// A simple m-connecting path from the target to a selection node given `z`, as
    /// `(node, link to the next node)` pairs starting at the target; `None` when there is
    /// none or the search budget runs out.
    fn find_path(&self, z: &NodeSet) -> Option<Vec<(usize, Option<Link>)>> {
        let g = &self.graph;
        let an_z = g.ancestors(z);
        let mut on_path = vec![false; g.n()];
        let mut path = vec![(self.target, None)];
        on_path[self.target] = true;
        let mut budget = PATH_BUDGET;
        let found = self.dfs(None, z, &an_z, &mut on_path, &mut path, &mut budget);
        found.then_some(path)
    }

    /// Extends `path` from its last node; `head_in` says whether the edge that reached it has
    /// an arrowhead at it (None at the start).
    fn dfs(
        &self,
        head_in: Option<bool>,
        z: &NodeSet,
        an_z: &NodeSet,
        on_path: &mut [bool],
        path: &mut Vec<(usize, Option<Link>)>,
        budget: &mut usize,
    ) -> bool {
        let g = &self.graph;
        let Some(&(v, _)) = path.last() else {
            return false;
        };
        let steps = g
            .children(v)
            .iter()
            .map(|&c| (c, Link::Out))
            .chain(g.parents(v).iter().map(|&p| (p, Link::In)))
            .chain(g.spouses(v).iter().map(|&s| (s, Link::Bi)));
        for (w, link) in steps.collect::<Vec<_>>() {
            if on_path[w] {
                continue;
            }
            if *budget == 0 {
                return false;
            }
            *budget -= 1;
            let head_here = matches!(link, Link::In | Link::Bi);
            if let Some(h) = head_in {
                let open = if h && head_here {
                    an_z.contains(v)
                } else {
                    !z.contains(v)
                };
                if !open {
                    continue;
                }
            }
            if let Some(last) = path.last_mut() {
                last.1 = Some(link);
            }
            path.push((w, None));
            if self.selection.contains(w) {
                return true;
            }
            on_path[w] = true;
            let head_there = matches!(link, Link::Out | Link::Bi);
            if self.dfs(Some(head_there), z, an_z, on_path, path, budget) {
                return true;
            }
            on_path[w] = false;
            path.pop();
        }
        false
    }

    /// The path written from the selection node to the target: `S(C) -> C <- Y`.
    fn path_tokens(&self, path: &[(usize, Option<Link>)]) -> Vec<String> {
        let mut out = Vec::with_capacity(2 * path.len());
        for (k, &(v, _)) in path.iter().enumerate().rev() {
            out.push(self.graph.name(v).to_owned());
            if k > 0 {
                // The link from path[k-1] to path[k], read backwards.
                let mark = match path[k - 1].1 {
                    Some(Link::Out) => "<-",
                    Some(Link::In) => "->",
                    _ => "<->",
                };
                out.push(mark.to_owned());
            }
        }
        out
    }
}

/// The inner nodes of a path where two arrowheads meet.
fn collider_nodes(path: &[(usize, Option<Link>)]) -> Vec<usize> {
    (1..path.len().saturating_sub(1))
        .filter(|&k| {
            let into_from_prev = matches!(path[k - 1].1, Some(Link::Out | Link::Bi));
            let into_from_next = matches!(path[k].1, Some(Link::In | Link::Bi));
            into_from_prev && into_from_next
        })
        .map(|k| path[k].0)
        .collect()
}

fn target_shifted(target: &str, selection: &str) -> CoreError {
    CoreError::InvalidParameter(format!(
        "target '{target}' is marked as shifted (selection node '{selection}' points at it): its \
         own mechanism may differ between populations, so no conditioning set is stable"
    ))
}

/// `base`, or `base'`, `base''`, .. when the graph already has that name.
fn fresh_name(g: &Admg, base: &str) -> String {
    let mut name = base.to_owned();
    while g.index(&name).is_ok() {
        name.push('\'');
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collider_child_is_unsafe_and_its_reason_names_the_path() {
        // X -> Y -> C <- W, with C's mechanism shifted; D a child of C.
        let g = Admg::from_names(
            ["X", "Y", "C", "W", "D"],
            &[("X", "Y"), ("Y", "C"), ("W", "C"), ("C", "D")],
            &[],
        )
        .unwrap();
        let s = StableSetSearch::new(&g, "Y", &["C"])
            .unwrap()
            .search()
            .unwrap();
        assert_eq!(s.stable_set, vec!["X", "W"]);
        let reasons: Vec<(&str, String)> = s
            .excluded
            .iter()
            .map(|e| (e.feature.as_str(), e.path.join(" ")))
            .collect();
        assert_eq!(
            reasons,
            vec![
                ("C", "S(C) -> C <- Y".to_owned()),
                ("D", "S(C) -> C <- Y".to_owned())
            ]
        );
        assert!(
            s.excluded[1]
                .reason
                .contains("descendant of the collider 'C'")
        );
        assert!(s.parents_stable);
    }

    #[test]
    fn latent_confounder_makes_the_parent_set_unstable() {
        // X -> P -> Y with P <-> Y (latent U), Y -> C; X and C shifted. {P} alone opens
        // S(X) -> X -> P <-> Y; adding X blocks it, so {X, P} is stable and Pa(Y) = {P} is not.
        let mut g = Admg::from_names(
            ["X", "P", "Y", "U", "C"],
            &[("X", "P"), ("P", "Y"), ("U", "P"), ("U", "Y"), ("Y", "C")],
            &[],
        )
        .unwrap();
        g.roles_mut(3).latent = true;
        let search = StableSetSearch::new(&g, "Y", &["X", "C"]).unwrap();
        let s = search.search().unwrap();
        assert_eq!(s.stable_set, vec!["X", "P"]);
        assert_eq!(s.parents, vec!["P"]);
        assert!(!s.parents_stable);
        assert_eq!(s.excluded[0].path.join(" "), "S(C) -> C <- Y");
        assert_eq!(
            search.open_path(&["P"]).unwrap().unwrap().join(" "),
            "S(X) -> X -> P <-> Y"
        );
        // A shifted parent confounded with Y: no set is stable, and the error shows why.
        let g = Admg::from_names(["A", "Y"], &[("A", "Y")], &[("A", "Y")]).unwrap();
        let err = StableSetSearch::new(&g, "Y", &["A"])
            .unwrap()
            .search()
            .unwrap_err()
            .to_string();
        assert!(err.contains("S(A) -> A -> Y is open"), "{err}");
    }

    #[test]
    fn bad_input_is_named() {
        let g = Admg::from_names(["X", "Y"], &[("X", "Y")], &[]).unwrap();
        let err = StableSetSearch::new(&g, "Q", &["X"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'Q'"), "{err}");
        let err = StableSetSearch::new(&g, "Y", &["Z"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("'Z'"), "{err}");
        let err = StableSetSearch::new(&g, "Y", &["Y"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("target 'Y' is marked as shifted"), "{err}");
    }

    #[test]
    fn selection_nodes_from_the_graph_follow_the_transport_convention() {
        let g = Admg::from_names(
            ["X", "Y", "C", "S"],
            &[("X", "Y"), ("Y", "C"), ("S", "C")],
            &[],
        )
        .unwrap();
        let search = StableSetSearch::new(&g, "Y", &[] as &[&str]).unwrap();
        assert_eq!(search.features(), vec!["X", "C"]);
        assert_eq!(search.shifted(), vec!["C"]);
        assert_eq!(search.search().unwrap().stable_set, vec!["X"]);
        let err = StableSetSearch::new(&g, "C", &[] as &[&str])
            .unwrap_err()
            .to_string();
        assert!(err.contains("target 'C' is marked as shifted"), "{err}");
    }

    #[test]
    fn validation_picks_the_more_predictive_maximal_set() {
        // S -> A <- H -> B <- Y with H latent, A -> A2: {A, A2} and {B} are stable, but
        // conditioning on both sides opens the path (A and B are colliders, H is not). The
        // largest-set rule picks {A, A2}; B predicts Y and A, A2 do not, so validation picks {B}.
        let mut g = Admg::from_names(
            ["Y", "A", "A2", "B", "H"],
            &[("A", "A2"), ("H", "A"), ("H", "B"), ("Y", "B")],
            &[],
        )
        .unwrap();
        g.roles_mut(4).latent = true;
        let search = StableSetSearch::new(&g, "Y", &["A"]).unwrap();
        assert_eq!(search.search().unwrap().stable_set, vec!["A", "A2"]);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut cols = vec![Vec::new(); 4];
        for _ in 0..400 {
            let u: Vec<f64> = (0..5)
                .map(|_| rand::Rng::random::<f64>(&mut rng) - 0.5)
                .collect();
            let (y, h) = (u[0], u[1]);
            let a = h + 0.1 * u[2];
            let a2 = a + 0.1 * u[3];
            let b = y + h + 0.1 * u[4];
            for (c, v) in cols.iter_mut().zip([y, a, a2, b]) {
                c.push(v);
            }
        }
        let names = ["Y", "A", "A2", "B"].map(str::to_owned).to_vec();
        let data = Dataset::new(names, cols).unwrap();
        let s = search.search_with_data(&data, 0.3, 0).unwrap();
        assert_eq!(s.stable_set, vec!["B"]);
        let mse: Vec<f64> = s
            .candidates
            .iter()
            .map(|c| c.validation_mse.unwrap())
            .collect();
        // Var(Y) = 1/12 without B; about half of it with B.
        assert!(mse[0] < 0.06 && mse[1] > 0.07, "{mse:?}");
        assert_eq!(s.excluded[0].path.join(" "), "S(A) -> A <-> B <- Y");
        assert!(search.search_with_data(&data, 1.5, 0).is_err());
    }
}
