//! IDA: the possible total effects of a treatment on an outcome over the DAGs a CPDAG or a
//! maximally oriented PDAG (background knowledge) represents, in linear-Gaussian models.
//!
//! - [`IdaMethod::Local`] (Maathuis, Kalisch & Bühlmann 2009): one effect per locally valid
//!   parent set of the treatment, adjusting for that parent set. For a PDAG with knowledge the
//!   local check orients the treatment's edges, closes under Meek's rules and asks for a
//!   consistent extension (the semi-local check of Perković et al. 2017).
//! - [`IdaMethod::Optimal`] (Witte, Henckel, Maathuis & Didelez 2020): per locally valid parent
//!   set, the optimal adjustment set of the oriented graph, which gives the smallest variance.
//! - [`IdaMethod::Global`]: every DAG of the class, one effect each (the multiset).
//! - [`joint_ida`] (Nandy, Maathuis & Richardson 2017): joint effects of several treatments from
//!   jointly valid parent sets, by recursive regressions.
//! - [`bootstrap::pipeline_bootstrap`]: discovery plus IDA rerun on resampled rows, so that the
//!   interval carries structure uncertainty as well as sampling uncertainty.

pub mod bootstrap;
mod joint;
mod regress;

pub use joint::{JointEffect, JointIdaResult, joint_ida};
pub use regress::CovRegression;

use serde::{Deserialize, Serialize};

use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::marks::Marks;
use crate::graph::pdag::pdag_marks;
use crate::graph::{GraphClass, MixedGraph, NodeSet};

/// DAGs enumerated by [`IdaMethod::Global`] before it stops with an error.
pub const MAX_DAGS: usize = 100_000;

/// Siblings (undirected neighbours) of a treatment beyond which local IDA refuses to try
/// every subset.
pub const MAX_SIBLINGS: usize = 20;

/// Which IDA.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdaMethod {
    /// Local IDA: adjust for each locally valid parent set.
    Local,
    /// Optimal IDA: the optimal adjustment set of each locally oriented graph.
    Optimal,
    /// Global IDA: one effect per DAG of the class (the multiset).
    Global,
}

impl std::str::FromStr for IdaMethod {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "local" => Ok(Self::Local),
            "optimal" => Ok(Self::Optimal),
            "global" => Ok(Self::Global),
            other => Err(CoreError::InvalidParameter(format!(
                "unknown IDA method '{other}' (expected local, optimal or global)"
            ))),
        }
    }
}

/// One possible effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PossibleEffect {
    /// The effect of a unit increase of the treatment on the outcome.
    pub effect: f64,
    /// Its classical OLS standard error (0 for an effect that is zero by the graph).
    pub se: f64,
    /// The covariates adjusted for.
    pub adjustment: Vec<String>,
    /// The treatment's parents in this member or configuration.
    pub parents: Vec<String>,
    /// How many DAGs of the class give this parent set (global IDA; 1 otherwise).
    pub count: usize,
}

/// The possible effects of one treatment on one outcome.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IdaResult {
    /// Treatment.
    pub treatment: String,
    /// Outcome.
    pub outcome: String,
    /// Which IDA.
    pub method: IdaMethod,
    /// The class the graph was read as.
    pub class: GraphClass,
    /// The possible effects.
    pub possible_effects: Vec<PossibleEffect>,
    /// `min |effect|`: a lower bound on the size of the effect over the class.
    pub min_abs: f64,
    /// `max |effect|`.
    pub max_abs: f64,
}

impl IdaResult {
    /// The effects, repeated by their `count` (the multiset of global IDA).
    pub fn multiset(&self) -> Vec<f64> {
        self.possible_effects
            .iter()
            .flat_map(|e| std::iter::repeat_n(e.effect, e.count))
            .collect()
    }
}

/// A CPDAG or PDAG with its data, ready for many IDA queries.
#[derive(Clone, Debug)]
pub struct Ida {
    graph: MixedGraph,
    marks: Marks,
    class: GraphClass,
    reg: CovRegression,
}

/// One locally valid orientation around a treatment.
#[derive(Clone, Debug)]
struct Config {
    parents: Vec<usize>,
    oriented: Marks,
}

impl Ida {
    /// Prepares IDA on `graph` (a DAG, CPDAG or PDAG; a PDAG is closed under Meek's rules) with
    /// the columns of `data` named by its nodes.
    ///
    /// # Errors
    ///
    /// [`CoreError::InvalidParameter`] for bidirected or circle marks (use the adjustment
    /// criterion on a PAG instead), [`CoreError::UnknownColumn`] for a node without a column.
    pub fn new(data: &Dataset, graph: &MixedGraph) -> Result<Self> {
        let mut marks = pdag_marks(graph).map_err(|_| {
            CoreError::InvalidParameter(
                "IDA needs a DAG, CPDAG or PDAG (directed and undirected edges); for a PAG use the generalised adjustment criterion"
                    .into(),
            )
        })?;
        let class = graph.graph_class();
        marks.meek_closure();
        if marks.one_extension().is_none() {
            return Err(CoreError::InvalidParameter(
                "the PDAG has no consistent DAG extension (its orientations contradict each other)"
                    .into(),
            ));
        }
        let reg = CovRegression::new(data, graph.nodes())?;
        Ok(Self {
            graph: marks.to_mixed(graph),
            marks,
            class,
            reg,
        })
    }

    /// The graph after Meek's rules.
    pub fn graph(&self) -> &MixedGraph {
        &self.graph
    }

    fn names(&self, set: &[usize]) -> Vec<String> {
        set.iter().map(|&v| self.graph.name(v).to_owned()).collect()
    }

    /// Locally valid parent sets of `x`: its parents plus a subset of its siblings such that
    /// orienting `x`'s edges accordingly and closing under Meek's rules leaves a graph with a
    /// consistent extension and no new v-structure.
    fn configs(&self, x: usize) -> Result<Vec<Config>> {
        let m = &self.marks;
        let pa = m.parents(x);
        let sib = m.siblings(x);
        if sib.len() > MAX_SIBLINGS {
            return Err(CoreError::InvalidParameter(format!(
                "'{}' has {} undirected neighbours; local IDA tries every subset and stops above {MAX_SIBLINGS}",
                self.graph.name(x),
                sib.len()
            )));
        }
        let base_v = m.v_structures();
        let mut out = Vec::new();
        for bits in 0u64..(1u64 << sib.len()) {
            let t: Vec<usize> = (0..sib.len())
                .filter(|k| bits >> k & 1 == 1)
                .map(|k| sib[k])
                .collect();
            // Quick necessary check: new parents form a clique (else a new v-structure at x).
            if t.iter()
                .enumerate()
                .any(|(i, &a)| t[i + 1..].iter().any(|&b| !m.adjacent(a, b)))
            {
                continue;
            }
            let mut g = m.clone();
            for &s in &sib {
                if t.contains(&s) {
                    g.orient(s, x);
                } else {
                    g.orient(x, s);
                }
            }
            g.meek_closure();
            let ok = g
                .one_extension()
                .is_some_and(|e| e.v_structures() == base_v);
            if ok {
                let mut parents = pa.clone();
                parents.extend(&t);
                parents.sort_unstable();
                out.push(Config {
                    parents,
                    oriented: g,
                });
            }
        }
        Ok(out)
    }

    fn node(&self, name: &str) -> Result<usize> {
        self.graph.index(name)
    }

    /// The effect of `x` on `y` adjusting for `z` (zero when `y` is among the parents).
    fn effect(&self, x: usize, y: usize, parents: &[usize], z: &[usize]) -> Result<PossibleEffect> {
        if parents.contains(&y) {
            return Ok(PossibleEffect {
                effect: 0.0,
                se: 0.0,
                adjustment: Vec::new(),
                parents: self.names(parents),
                count: 1,
            });
        }
        let (effect, se) = self.reg.coef(y, x, z)?;
        Ok(PossibleEffect {
            effect,
            se,
            adjustment: self.names(z),
            parents: self.names(parents),
            count: 1,
        })
    }

    /// The possible effects of `treatment` on `outcome`.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`]; [`CoreError::InvalidParameter`] when treatment and outcome are
    /// the same, too many siblings (local, optimal) or DAGs (global); regression errors.
    pub fn effects(&self, treatment: &str, outcome: &str, method: IdaMethod) -> Result<IdaResult> {
        let (x, y) = (self.node(treatment)?, self.node(outcome)?);
        Ok(self
            .effects_of(x, &[y], method)?
            .pop()
            .unwrap_or_else(|| unreachable_result(treatment, outcome, method, self.class)))
    }

    /// The possible effects of `treatment` on every other node, configurations computed once.
    ///
    /// # Errors
    ///
    /// As [`Ida::effects`].
    pub fn effects_on_all(&self, treatment: &str, method: IdaMethod) -> Result<Vec<IdaResult>> {
        let x = self.node(treatment)?;
        let ys: Vec<usize> = (0..self.graph.n_nodes()).filter(|&v| v != x).collect();
        self.effects_of(x, &ys, method)
    }

    fn effects_of(&self, x: usize, ys: &[usize], method: IdaMethod) -> Result<Vec<IdaResult>> {
        if ys.contains(&x) {
            return Err(CoreError::InvalidParameter(format!(
                "'{}' is both the treatment and the outcome",
                self.graph.name(x)
            )));
        }
        let per_y: Vec<Vec<PossibleEffect>> = match method {
            IdaMethod::Local => {
                let configs = self.configs(x)?;
                ys.iter()
                    .map(|&y| {
                        configs
                            .iter()
                            .map(|c| self.effect(x, y, &c.parents, &c.parents))
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<_>>()?
            }
            IdaMethod::Optimal => {
                let configs = self.configs(x)?;
                let n = self.graph.n_nodes();
                let xs = NodeSet::from_indices(n, [x]);
                let mut out = vec![Vec::new(); ys.len()];
                for c in &configs {
                    let g = c.oriented.to_mixed(&self.graph);
                    for (k, &y) in ys.iter().enumerate() {
                        let ysn = NodeSet::from_indices(n, [y]);
                        let adj = g.adjustment(GraphClass::Pdag, &xs, &ysn)?;
                        let e = if !adj.possibly_causal() {
                            PossibleEffect {
                                effect: 0.0,
                                se: 0.0,
                                adjustment: Vec::new(),
                                parents: self.names(&c.parents),
                                count: 1,
                            }
                        } else {
                            let o = adj.optimal_set().map(|o| o.to_vec()).ok_or_else(|| {
                                CoreError::Numerical(format!(
                                    "no optimal adjustment set for '{}' -> '{}' in an oriented graph",
                                    self.graph.name(x),
                                    self.graph.name(y)
                                ))
                            })?;
                            self.effect(x, y, &c.parents, &o)?
                        };
                        out[k].push(e);
                    }
                }
                out
            }
            IdaMethod::Global => {
                let dags = self.marks.extensions(MAX_DAGS + 1);
                if dags.len() > MAX_DAGS {
                    return Err(CoreError::InvalidParameter(format!(
                        "the class has more than {MAX_DAGS} DAGs; use local or optimal IDA"
                    )));
                }
                let mut groups: Vec<(Vec<usize>, usize)> = Vec::new();
                for d in &dags {
                    let pa = d.parents(x);
                    match groups.iter_mut().find(|(p, _)| *p == pa) {
                        Some(g) => g.1 += 1,
                        None => groups.push((pa, 1)),
                    }
                }
                groups.sort();
                ys.iter()
                    .map(|&y| {
                        groups
                            .iter()
                            .map(|(pa, count)| {
                                let mut e = self.effect(x, y, pa, pa)?;
                                e.count = *count;
                                Ok(e)
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<_>>()?
            }
        };
        Ok(ys
            .iter()
            .zip(per_y)
            .map(|(&y, effects)| self.result(x, y, method, effects))
            .collect())
    }

    fn result(
        &self,
        x: usize,
        y: usize,
        method: IdaMethod,
        effects: Vec<PossibleEffect>,
    ) -> IdaResult {
        let abs = effects.iter().map(|e| e.effect.abs());
        let min_abs = abs.clone().fold(f64::INFINITY, f64::min);
        let max_abs = abs.fold(0.0, f64::max);
        IdaResult {
            treatment: self.graph.name(x).to_owned(),
            outcome: self.graph.name(y).to_owned(),
            method,
            class: self.class,
            possible_effects: effects,
            min_abs: if min_abs.is_finite() { min_abs } else { 0.0 },
            max_abs,
        }
    }
}

fn unreachable_result(t: &str, o: &str, method: IdaMethod, class: GraphClass) -> IdaResult {
    IdaResult {
        treatment: t.to_owned(),
        outcome: o.to_owned(),
        method,
        class,
        possible_effects: Vec::new(),
        min_abs: 0.0,
        max_abs: 0.0,
    }
}

/// The possible effects of `treatment` on `outcome` over the class of `graph` (see the module
/// docs for the methods).
///
/// # Errors
///
/// As [`Ida::new`] and [`Ida::effects`].
///
/// # Examples
///
/// ```
/// use causal_core::graph::MixedGraph;
/// use causal_core::ida::{IdaMethod, ida};
/// use causal_core::scm::LinearGaussianScm;
///
/// // X -> Y with coefficient 2, but the CPDAG X - Y cannot tell the direction: the effect of
/// // X on Y is either the regression slope or zero.
/// let sem = LinearGaussianScm::new(&["X", "Y"], &[("X", "Y", 2.0)], &[0.0, 0.0], &[1.0, 1.0])?;
/// let data = sem.to_scm()?.sample(2000, 7)?;
/// let mut g = MixedGraph::with_nodes(["X", "Y"])?;
/// g.add_undirected("X", "Y")?;
/// let r = ida(&data, &g, "X", "Y", IdaMethod::Local)?;
/// assert_eq!(r.possible_effects.len(), 2);
/// assert_eq!(r.min_abs, 0.0);
/// assert!((r.max_abs - 2.0).abs() < 0.1);
/// # Ok::<(), causal_core::CoreError>(())
/// ```
pub fn ida(
    data: &Dataset,
    graph: &MixedGraph,
    treatment: &str,
    outcome: &str,
    method: IdaMethod,
) -> Result<IdaResult> {
    Ida::new(data, graph)?.effects(treatment, outcome, method)
}
