//! The general SCM.

use std::collections::HashMap;
use std::sync::Arc;

use petgraph::algo::toposort;
use petgraph::graph::{DiGraph, NodeIndex};
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::cycle_through;

/// A node's structural equation.
#[derive(Clone)]
pub enum Mechanism {
    /// `X = f(parents) + U`: additive noise, so the noise can be recovered (abduction).
    Additive(Arc<dyn Fn(&[f64]) -> f64 + Send + Sync>),
    /// `X = g(parents, U)`: any mechanism.
    General(Arc<dyn Fn(&[f64], f64) -> f64 + Send + Sync>),
}

impl std::fmt::Debug for Mechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Additive(_) => "Additive(..)",
            Self::General(_) => "General(..)",
        })
    }
}

/// A node's exogenous noise.
#[derive(Clone)]
pub enum Noise {
    /// `N(0, sd²)`.
    Gaussian(f64),
    /// `Uniform(0, 1)`.
    Uniform,
    /// Any distribution, drawn from the given generator.
    Custom(Arc<dyn Fn(&mut dyn RngCore) -> f64 + Send + Sync>),
}

impl std::fmt::Debug for Noise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Gaussian(sd) => write!(f, "Gaussian({sd})"),
            Self::Uniform => f.write_str("Uniform"),
            Self::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl Noise {
    fn draw(&self, rng: &mut ChaCha8Rng) -> f64 {
        match self {
            Self::Gaussian(sd) => {
                sd * <StandardNormal as Distribution<f64>>::sample(&StandardNormal, rng)
            }
            Self::Uniform => rng.random::<f64>(),
            Self::Custom(f) => f(rng),
        }
    }
}

/// An intervention on one node.
#[derive(Clone)]
pub enum Intervention {
    /// `do(X = x)`.
    Hard(f64),
    /// Shift: `X = f(parents, U) + δ`.
    Shift(f64),
    /// Soft: a new mechanism (and optionally new noise) on new parents.
    Soft {
        /// Parents of the new mechanism.
        parents: Vec<String>,
        /// The new mechanism.
        mechanism: Mechanism,
        /// New noise, or keep the node's own.
        noise: Option<Noise>,
    },
    /// A stochastic policy `X ~ π(· | inputs)`: the function gets the inputs' values and a
    /// random generator.
    Policy {
        /// Variables the policy reads.
        inputs: Vec<String>,
        /// The policy.
        policy: Arc<dyn Fn(&[f64], &mut dyn RngCore) -> f64 + Send + Sync>,
    },
}

impl std::fmt::Debug for Intervention {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hard(x) => write!(f, "Hard({x})"),
            Self::Shift(d) => write!(f, "Shift({d})"),
            Self::Soft { parents, .. } => write!(f, "Soft({parents:?})"),
            Self::Policy { inputs, .. } => write!(f, "Policy({inputs:?})"),
        }
    }
}

/// One node of an SCM.
#[derive(Clone, Debug)]
pub struct ScmNode {
    /// Name.
    pub name: String,
    /// Parent names, in the order the mechanism receives their values.
    pub parents: Vec<String>,
    /// Structural equation.
    pub mechanism: Mechanism,
    /// Exogenous noise.
    pub noise: Noise,
    /// An intervention in force, if any.
    pub intervention: Option<Intervention>,
}

/// A structural causal model over named variables.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use causal_core::scm::{Intervention, Mechanism, Noise, Scm};
///
/// let scm = Scm::builder()
///     .node("Z", &[], Mechanism::Additive(Arc::new(|_| 0.0)), Noise::Gaussian(1.0))
///     .node("X", &["Z"], Mechanism::Additive(Arc::new(|p| 0.5 * p[0])), Noise::Gaussian(1.0))
///     .node("Y", &["X", "Z"], Mechanism::Additive(Arc::new(|p| 2.0 * p[0] + p[1])), Noise::Gaussian(1.0))
///     .build()?;
/// let data = scm.intervene(&[("X", Intervention::Hard(1.0))])?.sample(1000, 42)?;
/// assert!(data.column("X")?.iter().all(|&x| x == 1.0));
/// # Ok::<(), causal_core::CoreError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Scm {
    nodes: Vec<ScmNode>,
    index: HashMap<String, usize>,
    order: Vec<usize>,
    /// Each node's active parents as indices, resolved once (not per row and node).
    parent_index: Vec<Vec<usize>>,
}

/// Builds an [`Scm`] node by node.
#[derive(Clone, Debug, Default)]
pub struct ScmBuilder {
    nodes: Vec<ScmNode>,
}

impl ScmBuilder {
    /// Adds a node.
    pub fn node(
        mut self,
        name: &str,
        parents: &[&str],
        mechanism: Mechanism,
        noise: Noise,
    ) -> Self {
        self.nodes.push(ScmNode {
            name: name.to_owned(),
            parents: parents.iter().map(|s| (*s).to_owned()).collect(),
            mechanism,
            noise,
            intervention: None,
        });
        self
    }

    /// Validates and builds.
    ///
    /// # Errors
    ///
    /// [`CoreError::Duplicate`], [`CoreError::UnknownNode`] for a parent that is not a node,
    /// [`CoreError::Cycle`] naming the cycle, [`CoreError::Empty`] with no nodes.
    pub fn build(self) -> Result<Scm> {
        Scm::from_nodes(self.nodes)
    }
}

impl Scm {
    /// A builder.
    pub fn builder() -> ScmBuilder {
        ScmBuilder::default()
    }

    fn from_nodes(nodes: Vec<ScmNode>) -> Result<Self> {
        if nodes.is_empty() {
            return Err(CoreError::Empty("the SCM has no nodes".into()));
        }
        let mut index = HashMap::new();
        for (i, n) in nodes.iter().enumerate() {
            if n.name.is_empty() {
                return Err(CoreError::InvalidParameter(
                    "an SCM node needs a name".into(),
                ));
            }
            if index.insert(n.name.clone(), i).is_some() {
                return Err(CoreError::Duplicate(n.name.clone()));
            }
        }
        let mut scm = Self {
            nodes,
            index,
            order: Vec::new(),
            parent_index: Vec::new(),
        };
        (scm.order, scm.parent_index) = scm.topological_order()?;
        Ok(scm)
    }

    /// The parents a node currently reads (the intervention's, when one is in force).
    fn active_parents(&self, i: usize) -> Vec<String> {
        let n = &self.nodes[i];
        match &n.intervention {
            Some(Intervention::Hard(_)) => Vec::new(),
            Some(Intervention::Soft { parents, .. }) => parents.clone(),
            Some(Intervention::Policy { inputs, .. }) => inputs.clone(),
            Some(Intervention::Shift(_)) | None => n.parents.clone(),
        }
    }

    /// A topological order, and every node's active parents as indices.
    fn topological_order(&self) -> Result<(Vec<usize>, Vec<Vec<usize>>)> {
        let p = self.nodes.len();
        let mut parents = vec![Vec::new(); p];
        for i in 0..p {
            for name in self.active_parents(i) {
                parents[i].push(self.node_index(&name)?);
            }
        }
        // petgraph's toposort is iterative: a spec whose parents form a chain of 100 000
        // nodes must not overflow the stack (a recursive search did).
        let mut g: DiGraph<(), ()> = DiGraph::with_capacity(p, 0);
        for _ in 0..p {
            g.add_node(());
        }
        for (child, ps) in parents.iter().enumerate() {
            for &u in ps {
                g.add_edge(NodeIndex::new(u), NodeIndex::new(child), ());
            }
        }
        match toposort(&g, None) {
            Ok(order) => Ok((order.into_iter().map(NodeIndex::index).collect(), parents)),
            Err(cycle) => {
                let cyc = cycle_through(&g, cycle.node_id());
                Err(CoreError::Cycle(
                    cyc.iter().map(|&i| self.nodes[i].name.clone()).collect(),
                ))
            }
        }
    }

    /// The position of a node.
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`].
    pub fn node_index(&self, name: &str) -> Result<usize> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| CoreError::UnknownNode(name.to_owned()))
    }

    /// Node names in the order given.
    pub fn names(&self) -> Vec<String> {
        self.nodes.iter().map(|n| n.name.clone()).collect()
    }

    /// The nodes.
    pub fn nodes(&self) -> &[ScmNode] {
        &self.nodes
    }

    /// Node indices in a topological order of the (intervened) model.
    pub fn order(&self) -> &[usize] {
        &self.order
    }

    /// A copy of the model with interventions in force (replacing earlier ones on those nodes).
    ///
    /// # Errors
    ///
    /// [`CoreError::UnknownNode`], [`CoreError::Cycle`] when a soft intervention or policy
    /// reads a descendant, [`CoreError::InvalidParameter`] for a non-finite value.
    pub fn intervene(&self, interventions: &[(&str, Intervention)]) -> Result<Self> {
        let mut nodes = self.nodes.clone();
        for (name, iv) in interventions {
            let i = self.node_index(name)?;
            if let Intervention::Hard(v) | Intervention::Shift(v) = iv
                && !v.is_finite()
            {
                return Err(CoreError::InvalidParameter(format!(
                    "intervention value {v} on '{name}' is not finite"
                )));
            }
            nodes[i].intervention = Some(iv.clone());
        }
        Self::from_nodes(nodes)
    }

    pub(crate) fn parent_values(&self, i: usize, row: &[f64]) -> Result<Vec<f64>> {
        Ok(self.parent_index[i].iter().map(|&p| row[p]).collect())
    }

    /// The value of node `i` given its parents' values (in `row`) and its noise `u`.
    pub(crate) fn evaluate(
        &self,
        i: usize,
        row: &[f64],
        u: f64,
        rng: &mut ChaCha8Rng,
    ) -> Result<f64> {
        let node = &self.nodes[i];
        let pa = self.parent_values(i, row)?;
        let natural = |pa: &[f64]| match &node.mechanism {
            Mechanism::Additive(f) => f(pa) + u,
            Mechanism::General(g) => g(pa, u),
        };
        Ok(match &node.intervention {
            None => natural(&pa),
            Some(Intervention::Hard(v)) => *v,
            Some(Intervention::Shift(d)) => natural(&pa) + d,
            Some(Intervention::Soft { mechanism, .. }) => match mechanism {
                Mechanism::Additive(f) => f(&pa) + u,
                Mechanism::General(g) => g(&pa, u),
            },
            Some(Intervention::Policy { policy, .. }) => policy(&pa, rng),
        })
    }

    fn noise_of(&self, i: usize) -> &Noise {
        match &self.nodes[i].intervention {
            Some(Intervention::Soft { noise: Some(n), .. }) => n,
            _ => &self.nodes[i].noise,
        }
    }

    /// Draws `n` rows with their noise: the data, and a table of the same shape and column
    /// names whose row `r` holds the noise terms that produced row `r` of the data.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use causal_core::scm::{Mechanism, Noise, Scm};
    ///
    /// let scm = Scm::builder()
    ///     .node("x", &[], Mechanism::Additive(Arc::new(|_| 0.0)), Noise::Gaussian(1.0))
    ///     .node("y", &["x"], Mechanism::Additive(Arc::new(|p| 2.0 * p[0])), Noise::Gaussian(1.0))
    ///     .build()?;
    /// let (data, noise) = scm.sample_with_noise(5, 3)?;
    /// let (x, y, uy) = (data.column("x")?, data.column("y")?, noise.column("y")?);
    /// for i in 0..5 {
    ///     assert!((y[i] - (2.0 * x[i] + uy[i])).abs() < 1e-12);
    /// }
    /// assert_eq!(data.column("x")?, noise.column("x")?);
    /// # Ok::<(), causal_core::CoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`CoreError::Empty`] for `n = 0`, [`CoreError::BadValue`] when a mechanism returns a
    /// non-finite value (naming the node and row) or a custom noise draws one (naming the node).
    pub fn sample_with_noise(&self, n: usize, seed: u64) -> Result<(Dataset, Dataset)> {
        let (columns, noise) = self.draw(n, seed)?;
        Ok((
            Dataset::new(self.names(), columns)?,
            Dataset::new(self.names(), noise)?,
        ))
    }

    /// Draws `n` rows (seeded).
    ///
    /// # Errors
    ///
    /// As [`Scm::sample_with_noise`], less the noise check.
    pub fn sample(&self, n: usize, seed: u64) -> Result<Dataset> {
        Dataset::new(self.names(), self.draw(n, seed)?.0)
    }

    /// `n` rows of every node and their noise, both column-major (one vector per node).
    fn draw(&self, n: usize, seed: u64) -> Result<(Vec<Vec<f64>>, Vec<Vec<f64>>)> {
        if n == 0 {
            return Err(CoreError::Empty("asked for 0 samples".into()));
        }
        let p = self.nodes.len();
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        // Noise is drawn node by node (in the order given), then rows are evaluated, so
        // adding an intervention does not change the other nodes' noise draws.
        let noise: Vec<Vec<f64>> = (0..p)
            .map(|j| {
                let mut node_rng = ChaCha8Rng::seed_from_u64(seed);
                node_rng.set_stream(j as u64);
                (0..n)
                    .map(|_| self.noise_of(j).draw(&mut node_rng))
                    .collect()
            })
            .collect();
        let mut columns = vec![vec![0.0; n]; p];
        // A row is evaluated in topological order, its parents read from `row`.
        let mut row = vec![0.0; p];
        for r in 0..n {
            for &j in &self.order {
                let v = self.evaluate(j, &row, noise[j][r], &mut rng)?;
                if !v.is_finite() {
                    return Err(CoreError::BadValue {
                        row: r + 1,
                        column: self.nodes[j].name.clone(),
                        message: format!("the mechanism returned {v}"),
                    });
                }
                row[j] = v;
                columns[j][r] = v;
            }
        }
        Ok((columns, noise))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize, close: bool) -> Result<Scm> {
        let mut b = Scm::builder();
        let names: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        for i in 0..n {
            let parent = if i > 0 {
                vec![names[i - 1].as_str()]
            } else if close {
                vec![names[n - 1].as_str()]
            } else {
                vec![]
            };
            b = b.node(
                &names[i],
                &parent,
                Mechanism::Additive(Arc::new(|p: &[f64]| p.iter().sum())),
                Noise::Gaussian(1.0),
            );
        }
        b.build()
    }

    #[test]
    fn a_chain_of_100000_parents_orders_without_recursion() {
        let scm = chain(100_000, false).unwrap();
        // The only topological order of a chain.
        assert!(scm.order().iter().enumerate().all(|(k, &v)| k == v));
        match chain(5, true).unwrap_err() {
            CoreError::Cycle(c) => {
                // The whole cycle, closed, in causal direction (from where the search met it).
                assert_eq!(c.len(), 6, "{c:?}");
                assert_eq!(c[0], c[5]);
                let k = |s: &str| s[1..].parse::<usize>().unwrap();
                assert!(
                    c.windows(2).all(|w| k(&w[1]) == (k(&w[0]) + 1) % 5),
                    "{c:?}"
                );
            }
            e => panic!("{e}"),
        }
        let selfloop = Scm::builder()
            .node(
                "a",
                &["a"],
                Mechanism::Additive(Arc::new(|_| 0.0)),
                Noise::Uniform,
            )
            .build()
            .unwrap_err();
        assert!(matches!(selfloop, CoreError::Cycle(c) if c == ["a", "a"]));
    }
}
