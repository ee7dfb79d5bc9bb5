//! Greedy equivalence search (Chickering 2002) with the Gaussian BIC and discrete BDeu scores.
//!
//! The search runs over CPDAGs: a forward phase of Insert operators while the score improves,
//! then a backward phase of Delete operators. Candidates are visited in causal-learn's order
//! and the first best wins, so on the same data the result is causal-learn's. Local scores are
//! cached by (node, parent set) and the missing ones of each step are computed in parallel.
//!
//! Background knowledge ([`EdgeRules`]) restricts the operators (no forbidden edge is inserted
//! or oriented, no required edge deleted), starts the search from the required edges, and
//! after each step orients what the knowledge implies and closes under Meek's rules.

mod checks;
mod pdag;
mod rules;
mod score;
mod search;

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;

pub(crate) use checks::{continuous_covariance, discrete_codes};
pub(crate) use pdag::Pdag;
pub use rules::EdgeRules;
use score::{Bdeu, Bic, LocalScore, ScoreCache};

use causal_core::contract::{Fit, ParamGuard};

use crate::error::{DiscoverError, Result};
use crate::knowledge::Knowledge;
use crate::search_setup::given;

/// The score GES maximises.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum GesScore {
    /// Gaussian BIC for continuous data.
    Bic,
    /// Bayesian Dirichlet equivalent uniform for discrete data (integer codes).
    Bdeu,
}

impl std::str::FromStr for GesScore {
    type Err = DiscoverError;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "bic" => Ok(Self::Bic),
            "bdeu" => Ok(Self::Bdeu),
            other => Err(DiscoverError::InvalidParameter(format!(
                "unknown score '{other}' (expected bic or bdeu)"
            ))),
        }
    }
}

/// GES hyperparameters (consuming builder; [`ParamGuard::check`] validates them into a
/// [`Ges`]).
///
/// # Formula
///
/// BIC local score (causal-learn's `local_score_BIC_from_cov`, higher is better):
/// `-n/2 (1 + ln σ̂²_j|Pa) - λ (|Pa| + 1) ln n`, with `λ` the [`GesParams::penalty`] (default
/// 0.5, the classical BIC). BDeu: `Σ_parent configs [lnΓ(α/q) - lnΓ(N_ij + α/q) + Σ_k
/// lnΓ(N_ijk + α/(rq)) - lnΓ(α/(rq))]` plus causal-learn's structure prior term, `α` the
/// [`GesParams::sample_prior`].
///
/// # Examples
///
/// ```
/// use causal_core::contract::Fit;
/// use causal_core::data::Dataset;
/// use causal_discover::ges::{GesParams, GesScore};
/// use causal_discover::knowledge::Knowledge;
///
/// // x -> y <- z: a collider GES orients.
/// let n = 500;
/// let x: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5).collect();
/// let z: Vec<f64> = (0..n).map(|i| ((i * 104729) % 997) as f64 / 997.0 - 0.5).collect();
/// let y: Vec<f64> = (0..n).map(|i| x[i] + z[i] + 0.1 * (((i * 31) % 17) as f64 / 17.0 - 0.5)).collect();
/// let data = Dataset::new(vec!["x".into(), "y".into(), "z".into()], vec![x, y, z])?;
/// let fit = GesParams::new().score(GesScore::Bic).fit(&data, &Knowledge::new())?;
/// let g = fit.graph();
/// assert_eq!(g.parents(g.index("y")?), vec![0, 2]);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct GesParams {
    score: GesScore,
    penalty: f64,
    sample_prior: f64,
    structure_prior: f64,
    max_parents: Option<usize>,
}

impl Default for GesParams {
    fn default() -> Self {
        Self::new()
    }
}

/// GES with validated hyperparameters: fit it to a [`Dataset`] with background [`Knowledge`]
/// ([`Fit`]), or with knowledge already in index form ([`Ges::fit_rules`]).
#[derive(Clone, Debug)]
pub struct Ges {
    params: GesParams,
}

impl GesParams {
    /// BIC with penalty 0.5, BDeu priors 1 and 1, no parent limit.
    pub fn new() -> Self {
        Self {
            score: GesScore::Bic,
            penalty: 0.5,
            sample_prior: 1.0,
            structure_prior: 1.0,
            max_parents: None,
        }
    }

    /// The score.
    pub fn score(mut self, score: GesScore) -> Self {
        self.score = score;
        self
    }

    /// The BIC penalty multiplier `λ` (causal-learn's `lambda_value`).
    pub fn penalty(mut self, lambda: f64) -> Self {
        self.penalty = lambda;
        self
    }

    /// The BDeu equivalent sample size.
    pub fn sample_prior(mut self, ess: f64) -> Self {
        self.sample_prior = ess;
        self
    }

    /// The BDeu structure prior (expected number of parents).
    pub fn structure_prior(mut self, s: f64) -> Self {
        self.structure_prior = s;
        self
    }

    /// At most this many parents per node after an insertion (unlimited by default).
    pub fn max_parents(mut self, m: usize) -> Self {
        self.max_parents = Some(m);
        self
    }
}

impl ParamGuard for GesParams {
    type Checked = Ges;
    type Error = DiscoverError;

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for a non-positive or non-finite penalty or prior.
    fn check(self) -> Result<Ges> {
        for (name, v) in [
            ("penalty", self.penalty),
            ("sample_prior", self.sample_prior),
            ("structure_prior", self.structure_prior),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(DiscoverError::InvalidParameter(format!(
                    "GES {name} must be positive and finite, got {v}"
                )));
            }
        }
        Ok(Ges { params: self })
    }
}

/// Runs GES on the data, the knowledge resolved against its columns ([`EdgeRules`]).
impl Fit<&Knowledge> for Ges {
    type Object = GesFit;
    type Error = DiscoverError;

    fn fit(&self, data: &Dataset, knowledge: &Knowledge) -> Result<GesFit> {
        let rules = given(knowledge)
            .map(|k| EdgeRules::from_knowledge(k, data.names()))
            .transpose()?;
        self.fit_inner(data, rules.as_ref())
    }
}

impl Ges {
    /// Runs GES on the data with knowledge indexed like its columns.
    ///
    /// # Errors
    ///
    /// With BIC, [`DiscoverError::ConstantColumn`] and [`DiscoverError::Singular`]; with BDeu,
    /// [`DiscoverError::NotDiscrete`] for a non-integer value;
    /// [`DiscoverError::KnowledgeConflict`] for an edge both required and forbidden, when the
    /// rules have another number of nodes than the data has columns, or when the required
    /// edges form a cycle.
    pub fn fit_rules(&self, data: &Dataset, rules: &EdgeRules) -> Result<GesFit> {
        self.fit_inner(data, Some(rules))
    }

    fn fit_inner(&self, data: &Dataset, rules: Option<&EdgeRules>) -> Result<GesFit> {
        let p = &self.params;
        let d = data.n_cols();
        EdgeRules::check_consistent(rules)?;
        let rules = EdgeRules::for_columns(rules, d)?;
        let score: Box<dyn LocalScore> = match p.score {
            GesScore::Bic => Box::new(Bic {
                cov: continuous_covariance(data, "GES (BIC)", 2)?,
                n: data.n_rows() as f64,
                lambda: p.penalty,
            }),
            GesScore::Bdeu => {
                let (codes, levels) = discrete_codes(data, "GES (BDeu)")?;
                Box::new(Bdeu {
                    codes,
                    levels,
                    sample_prior: p.sample_prior,
                    structure_prior: p.structure_prior,
                })
            }
        };
        let start = required_start(&rules, data.names())?;
        let mut cache = ScoreCache::default();
        let (g, trace) = search::ges(start, score.as_ref(), &mut cache, &rules, p.max_parents)?;
        let total = search::total_score(&g, score.as_ref(), &mut cache)?;
        Ok(GesFit {
            graph: g.to_mixed(data.names())?,
            score: total,
            inserts: trace.inserts,
            deletes: trace.deletes,
            scored: cache.len(),
        })
    }
}

/// The graph of the required edges, or an error naming a directed cycle among them.
pub(crate) fn required_start(rules: &EdgeRules, names: &[String]) -> Result<Pdag> {
    let mut g = MixedGraph::with_nodes(names.iter().cloned())?;
    let mut start = Pdag::empty(rules.n_nodes());
    for (i, j) in rules.required_edges() {
        g.add_edge(causal_core::graph::Edge::directed(i, j))?;
        start.set_arc(i, j);
    }
    if let Some(cycle) = g.find_directed_cycle() {
        let names: Vec<&str> = cycle.iter().map(|&i| names[i].as_str()).collect();
        return Err(DiscoverError::KnowledgeConflict(format!(
            "the required edges form a directed cycle: {}",
            names.join(" -> ")
        )));
    }
    Ok(start)
}

/// The result of fitting [`Ges`]: a CPDAG (a maximally oriented PDAG under knowledge).
#[derive(Clone, Debug)]
pub struct GesFit {
    graph: MixedGraph,
    score: f64,
    inserts: usize,
    deletes: usize,
    scored: usize,
}

impl GesFit {
    /// The learned CPDAG.
    pub fn graph(&self) -> &MixedGraph {
        &self.graph
    }

    /// Consumes the fit, returning the graph.
    pub fn into_graph(self) -> MixedGraph {
        self.graph
    }

    /// The score of the learned equivalence class.
    pub fn score(&self) -> f64 {
        self.score
    }

    /// Number of Insert and Delete steps taken.
    pub fn steps(&self) -> (usize, usize) {
        (self.inserts, self.deletes)
    }

    /// Number of distinct local scores computed (the cache size).
    pub fn n_scored(&self) -> usize {
        self.scored
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl Ges {
        /// GES at its defaults, checked.
        fn checked() -> Self {
            GesParams::new().check().unwrap()
        }
    }
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::{Distribution, Normal};

    /// x -> y -> z, linear Gaussian.
    fn chain(n: usize, seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let e = Normal::new(0.0, 1.0).unwrap();
        let x: Vec<f64> = (0..n).map(|_| e.sample(&mut rng)).collect();
        let y: Vec<f64> = x.iter().map(|v| 0.8 * v + e.sample(&mut rng)).collect();
        let z: Vec<f64> = y.iter().map(|v| 0.8 * v + e.sample(&mut rng)).collect();
        Dataset::new(vec!["x".into(), "y".into(), "z".into()], vec![x, y, z]).unwrap()
    }

    #[test]
    fn chain_gives_an_undirected_chain() {
        let g = GesParams::new()
            .fit(&chain(2000, 1), &Knowledge::new())
            .unwrap()
            .into_graph();
        assert_eq!(g.kind(), causal_core::graph::GraphKind::Cpdag);
        assert_eq!(g.n_edges(), 2);
        assert!(g.adjacent(0, 1) && g.adjacent(1, 2) && !g.adjacent(0, 2));
        assert!(g.parents(1).is_empty() && g.parents(2).is_empty());
    }

    #[test]
    fn tiers_orient_the_chain() {
        // z in an earlier tier than y, y earlier than x: the chain must point z -> y -> x.
        let rules = EdgeRules::from_tiers(&[Some(2), Some(1), Some(0)]);
        let g = Ges::checked()
            .fit_rules(&chain(2000, 2), &rules)
            .unwrap()
            .into_graph();
        assert_eq!(g.parents(0), vec![1]);
        assert_eq!(g.parents(1), vec![2]);
    }

    #[test]
    fn required_edge_survives_and_forbidden_edge_is_never_added() {
        let data = chain(2000, 3);
        let mut rules = EdgeRules::none(3);
        rules.require(0, 2);
        rules.forbid(0, 1);
        rules.forbid(1, 0);
        let g = Ges::checked()
            .fit_rules(&data, &rules)
            .unwrap()
            .into_graph();
        assert_eq!(g.parents(2).first(), Some(&0));
        assert!(!g.adjacent(0, 1));
    }

    #[test]
    fn bad_input_is_named() {
        let data = chain(50, 4);
        let e = GesParams::new()
            .score(GesScore::Bdeu)
            .fit(&data, &Knowledge::new())
            .unwrap_err();
        assert!(matches!(e, DiscoverError::NotDiscrete { ref column, .. } if column == "x"));
        let c = Dataset::new(
            vec!["a".into(), "k".into()],
            vec![vec![1.0, 2.0, 3.0], vec![4.0, 4.0, 4.0]],
        )
        .unwrap();
        assert!(
            matches!(GesParams::new().fit(&c, &Knowledge::new()), Err(DiscoverError::ConstantColumn(ref k)) if k == "k")
        );
        assert!(GesParams::new().penalty(-1.0).check().is_err());
        let mut r = EdgeRules::none(3);
        r.require(0, 1);
        r.require(1, 0);
        assert!(matches!(
            Ges::checked().fit_rules(&data, &r),
            Err(DiscoverError::KnowledgeConflict(_))
        ));
        assert!("BDeu".parse::<GesScore>().is_ok() && "x".parse::<GesScore>().is_err());
    }
}
