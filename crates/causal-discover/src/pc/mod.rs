//! The PC algorithm (Spirtes, Glymour and Scheines), original and stable, as causal-learn.
//!
//! 1. **Skeleton**: start from the complete graph; at depth `d = 0, 1, …` remove `x – y` when
//!    `x ⫫ y | S` for some `S` of size `d` among the neighbours of `x`. The stable variant
//!    (Colombo and Maathuis 2014) freezes adjacencies per depth, so its CI tests run in
//!    parallel with identical output.
//! 2. **Colliders**: orient unshielded triples `x – y – z` as `x -> y <- z` by
//!    [`UcRule`] (separating sets, max-P or definite max-P), resolving conflicts by
//!    [`UcPriority`].
//! 3. **Meek's rules** R1–R3 (and R4 with background knowledge) propagate orientations.

mod meek;
mod orient;
pub(crate) mod skeleton;

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;

use causal_core::contract::{Fit, ParamGuard};

use crate::ci::{CiTest, CiTestKind};
use crate::error::{DiscoverError, Result};
use crate::knowledge::Knowledge;
use crate::search_setup::{check_alpha_threads, given, in_pool, resolve_knowledge};
use crate::sepset::SepSets;

/// How unshielded colliders are chosen (causal-learn's `uc_rule`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UcRule {
    /// 0: `x -> y <- z` when `y` is in no separating set of `x`, `z` (default).
    #[default]
    SepSet,
    /// 1: max-P: compare the largest p-value over sets with and without `y`.
    MaxP,
    /// 2: definite max-P: as max-P, but only for triples where the tests are unambiguous.
    DefiniteMaxP,
}

impl UcRule {
    /// From causal-learn's integer code 0, 1 or 2.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for any other code.
    pub fn from_code(code: i64) -> Result<Self> {
        match code {
            0 => Ok(Self::SepSet),
            1 => Ok(Self::MaxP),
            2 => Ok(Self::DefiniteMaxP),
            _ => Err(DiscoverError::InvalidParameter(format!(
                "uc_rule must be 0, 1 or 2, got {code}"
            ))),
        }
    }
}

/// How conflicting collider orientations are resolved (causal-learn's `uc_priority`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UcPriority {
    /// -1: the rule's own default (3 for sepset and max-P, 4 for definite max-P).
    RuleDefault,
    /// 0: later orientations overwrite earlier ones.
    Overwrite,
    /// 1: conflicting orientations become bidirected edges.
    BiDirected,
    /// 2: existing colliders win (default).
    #[default]
    Existing,
    /// 3: stronger colliders first (ascending max p-value with the middle node).
    Stronger,
    /// 4: stronger* colliders first (descending max p-value without the middle node).
    StrongerStar,
}

impl UcPriority {
    /// From causal-learn's integer code -1..=4.
    ///
    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for any other code.
    pub fn from_code(code: i64) -> Result<Self> {
        Ok(match code {
            -1 => Self::RuleDefault,
            0 => Self::Overwrite,
            1 => Self::BiDirected,
            2 => Self::Existing,
            3 => Self::Stronger,
            4 => Self::StrongerStar,
            _ => {
                return Err(DiscoverError::InvalidParameter(format!(
                    "uc_priority must be in -1..=4, got {code}"
                )));
            }
        })
    }

    fn code(self, rule: UcRule) -> u8 {
        match self {
            Self::RuleDefault => {
                if rule == UcRule::DefiniteMaxP {
                    4
                } else {
                    3
                }
            }
            Self::Overwrite => 0,
            Self::BiDirected => 1,
            Self::Existing => 2,
            Self::Stronger => 3,
            Self::StrongerStar => 4,
        }
    }
}

/// PC's hyperparameters (a consuming builder; [`ParamGuard::check`] validates them into a
/// [`Pc`]).
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_core::graph::MixedGraph;
/// use causal_discover::ci::DSeparation;
/// use causal_discover::knowledge::Knowledge;
/// use causal_discover::pc::PcParams;
///
/// // The collider a -> c <- b is recovered from the d-separation oracle.
/// let mut dag = MixedGraph::with_nodes(["a", "b", "c"])?;
/// dag.add_directed("a", "c")?;
/// dag.add_directed("b", "c")?;
/// let oracle = DSeparation::new(&dag)?;
/// let out = PcParams::new().check()?.fit_test(&oracle, dag.nodes(), &Knowledge::new())?;
/// assert_eq!(out.graph, dag);
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct PcParams {
    alpha: f64,
    stable: bool,
    uc_rule: UcRule,
    uc_priority: UcPriority,
    max_depth: Option<usize>,
    test: CiTestKind,
    threads: Option<usize>,
}

impl Default for PcParams {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            stable: true,
            uc_rule: UcRule::SepSet,
            uc_priority: UcPriority::Existing,
            max_depth: None,
            test: CiTestKind::FisherZ,
            threads: None,
        }
    }
}

/// PC with validated hyperparameters: fit it to a [`Dataset`] with background
/// [`Knowledge`] ([`Fit`]), or run it on any CI test ([`Pc::fit_test`]).
#[derive(Clone, Debug)]
pub struct Pc {
    params: PcParams,
}

/// What PC found.
#[derive(Clone, Debug)]
pub struct PcFit {
    /// The CPDAG (directed and undirected edges; bidirected only under uc_priority 1).
    pub graph: MixedGraph,
    /// The separating sets of removed pairs.
    pub sepsets: SepSets,
    /// How many CI tests the skeleton phase ran.
    pub n_tests: usize,
}

impl PcParams {
    /// causal-learn's defaults: alpha 0.05, stable, uc_rule 0, uc_priority 2, no depth limit,
    /// Fisher-z.
    pub fn new() -> Self {
        Self::default()
    }

    /// Significance level: `x ⫫ y | S` is accepted when `p > alpha`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// Stable (order-independent) skeleton search, the default; `false` runs the original PC.
    pub fn stable(mut self, stable: bool) -> Self {
        self.stable = stable;
        self
    }

    /// The collider rule.
    pub fn uc_rule(mut self, rule: UcRule) -> Self {
        self.uc_rule = rule;
        self
    }

    /// The conflict-resolution priority.
    pub fn uc_priority(mut self, priority: UcPriority) -> Self {
        self.uc_priority = priority;
        self
    }

    /// The largest conditioning-set size tested (causal-learn's `max_k`); `None` for no limit.
    pub fn max_depth(mut self, depth: Option<usize>) -> Self {
        self.max_depth = depth;
        self
    }

    /// The CI test [`Fit::fit`] builds on the data (default Fisher-z); [`Pc::fit_test`]
    /// takes its own.
    pub fn test(mut self, test: CiTestKind) -> Self {
        self.test = test;
        self
    }

    /// Runs the CI tests on a private pool of `n` threads (default: rayon's global pool).
    /// The output does not depend on the number of threads.
    pub fn threads(mut self, n: Option<usize>) -> Self {
        self.threads = n;
        self
    }
}

impl ParamGuard for PcParams {
    type Checked = Pc;
    type Error = DiscoverError;

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for alpha outside (0, 1), zero threads, or definite
    /// max-P with priority 0 or 1 (which causal-learn rejects as well).
    fn check(self) -> Result<Pc> {
        check_alpha_threads(self.alpha, self.threads)?;
        if self.uc_rule == UcRule::DefiniteMaxP
            && matches!(
                self.uc_priority,
                UcPriority::Overwrite | UcPriority::BiDirected
            )
        {
            return Err(DiscoverError::InvalidParameter(
                "uc_rule 2 (definite max-P) takes uc_priority -1, 2, 3 or 4".into(),
            ));
        }
        Ok(Pc { params: self })
    }
}

impl Pc {
    /// Runs PC with a CI test over variables named `names` (in the test's index order), with
    /// background knowledge applied in the skeleton (pairs forbidden both ways are never
    /// adjacent), before and during orientation (as causal-learn: required edges orient an
    /// adjacency that survived the tests; they do not add one).
    ///
    /// # Errors
    ///
    /// Unknown knowledge variables, a name count that differs from the test's variables, and
    /// any CI-test error.
    pub fn fit_test(
        &self,
        test: &dyn CiTest,
        names: &[String],
        knowledge: &Knowledge,
    ) -> Result<PcFit> {
        in_pool(self.params.threads, || {
            self.fit_inner(test, names, given(knowledge))
        })
    }

    fn fit_inner(
        &self,
        test: &dyn CiTest,
        names: &[String],
        knowledge: Option<&Knowledge>,
    ) -> Result<PcFit> {
        let p = &self.params;
        let resolved = resolve_knowledge(knowledge, test, names)?;
        let k = resolved.as_ref();
        let (mut g, sepsets, n_tests) = skeleton::skeleton(
            test,
            &skeleton::SkeletonOptions {
                alpha: p.alpha,
                stable: p.stable,
                max_depth: p.max_depth,
                knowledge: k,
            },
        )?;
        if let Some(k) = k {
            orient::orient_by_knowledge(&mut g, k);
        }
        let priority = p.uc_priority.code(p.uc_rule);
        let g = match p.uc_rule {
            UcRule::SepSet => {
                let mut g = orient::uc_sepset(g, &sepsets, priority, test, k)?;
                meek::meek(&mut g, k);
                g
            }
            UcRule::MaxP => {
                let mut g = orient::maxp(g, priority, test, k)?;
                meek::meek(&mut g, k);
                g
            }
            UcRule::DefiniteMaxP => {
                let mut o = orient::definite_maxp(g, p.alpha, priority, test, k)?;
                meek::definite_meek(&mut o.g, &o.definite_uc, &o.definite_non_uc, k);
                meek::meek(&mut o.g, k);
                o.g
            }
        };
        Ok(PcFit {
            graph: g.to_mixed(names)?,
            sepsets,
            n_tests,
        })
    }
}

/// Builds the CI test named by [`PcParams::test`] on the data and runs PC on its columns.
///
/// # Errors
///
/// The test's construction errors and [`Pc::fit_test`]'s errors.
impl Fit<&Knowledge> for Pc {
    type Object = PcFit;
    type Error = DiscoverError;

    fn fit(&self, data: &Dataset, knowledge: &Knowledge) -> Result<PcFit> {
        in_pool(self.params.threads, || {
            let t = self.params.test.build(data)?;
            self.fit_inner(t.as_ref(), data.names(), given(knowledge))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::DSeparation;

    fn dag(nodes: &[&str], edges: &[(&str, &str)]) -> MixedGraph {
        let mut g = MixedGraph::with_nodes(nodes.iter().copied()).unwrap();
        for (a, b) in edges {
            g.add_directed(a, b).unwrap();
        }
        g
    }

    #[test]
    fn oracle_pc_recovers_the_cpdag() {
        // a -> b <- c, b -> d: the v-structure and its consequence are fully oriented;
        // e - f stays undirected.
        let truth = dag(
            &["a", "b", "c", "d", "e", "f"],
            &[("a", "b"), ("c", "b"), ("b", "d"), ("e", "f")],
        );
        let oracle = DSeparation::new(&truth).unwrap();
        for stable in [true, false] {
            let out = PcParams::new()
                .stable(stable)
                .check()
                .unwrap()
                .fit_test(&oracle, truth.nodes(), &Knowledge::new())
                .unwrap();
            let g = &out.graph;
            assert_eq!(g.n_edges(), 4);
            assert!(g.edges_between(0, 1).next().unwrap().is_directed_from(0, 1));
            assert!(g.edges_between(1, 3).next().unwrap().is_directed_from(1, 3));
            let ef = g.edges_between(4, 5).next().unwrap();
            assert_eq!(
                (ef.mark_a, ef.mark_b),
                (
                    causal_core::graph::Mark::Tail,
                    causal_core::graph::Mark::Tail
                )
            );
            assert_eq!(out.sepsets.union(0, 2), Vec::<usize>::new());
            assert!(out.sepsets.contains(0, 3, 1));
        }
    }

    #[test]
    fn knowledge_removes_and_orients() {
        let truth = dag(&["a", "b", "c"], &[("a", "b"), ("b", "c")]);
        let oracle = DSeparation::new(&truth).unwrap();
        let k = Knowledge::new()
            .tier(0, ["a"])
            .tier(1, ["b"])
            .tier(2, ["c"]);
        let out = PcParams::new()
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &k)
            .unwrap();
        assert_eq!(out.graph, truth);
        let both = Knowledge::new().forbid("a", "b").forbid("b", "a");
        let out = PcParams::new()
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &both)
            .unwrap();
        assert!(!out.graph.adjacent(0, 1));
        let bad = Knowledge::new().forbid("a", "zz");
        let err = PcParams::new()
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &bad)
            .unwrap_err();
        assert_eq!(err.to_string(), "unknown column 'zz'");
    }

    #[test]
    fn parameters_are_checked() {
        assert!(PcParams::new().alpha(0.0).check().is_err());
        assert!(PcParams::new().alpha(f64::NAN).check().is_err());
        assert!(
            PcParams::new()
                .uc_rule(UcRule::DefiniteMaxP)
                .uc_priority(UcPriority::Overwrite)
                .check()
                .is_err()
        );
        assert!(UcPriority::from_code(5).is_err());
        assert!(UcRule::from_code(3).is_err());
    }

    #[test]
    fn parallel_output_equals_serial() {
        let truth = dag(
            &["a", "b", "c", "d", "e", "f", "g"],
            &[
                ("a", "c"),
                ("b", "c"),
                ("c", "d"),
                ("d", "e"),
                ("f", "e"),
                ("a", "g"),
                ("g", "d"),
            ],
        );
        let oracle = DSeparation::new(&truth).unwrap();
        let serial = PcParams::new()
            .threads(Some(1))
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &Knowledge::new())
            .unwrap();
        let parallel = PcParams::new()
            .threads(Some(4))
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &Knowledge::new())
            .unwrap();
        assert_eq!(serial.graph, parallel.graph);
        assert_eq!(serial.sepsets, parallel.sepsets);
        assert_eq!(serial.n_tests, parallel.n_tests);
        assert!(PcParams::new().threads(Some(0)).check().is_err());
    }

    #[test]
    fn collinear_columns_are_a_named_error() {
        let a: Vec<f64> = (0..50).map(|i| ((i * 37) % 23) as f64).collect();
        let b: Vec<f64> = (0..50).map(|i| ((i * 11) % 19) as f64).collect();
        let c: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x + y).collect();
        let data = Dataset::new(vec!["a".into(), "b".into(), "c".into()], vec![a, b, c]).unwrap();
        let err = PcParams::new().fit(&data, &Knowledge::new()).unwrap_err();
        assert!(matches!(err, DiscoverError::Singular(_)), "{err}");
        assert!(err.to_string().contains("a, b, c"), "{err}");
    }

    #[test]
    fn depth_limit_stops_the_search() {
        // a -> b -> c: a ⫫ c | b is only found at depth 1.
        let truth = dag(&["a", "b", "c"], &[("a", "b"), ("b", "c")]);
        let oracle = DSeparation::new(&truth).unwrap();
        let out = PcParams::new()
            .max_depth(Some(0))
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &Knowledge::new())
            .unwrap();
        assert!(out.graph.adjacent(0, 2));
        let out = PcParams::new()
            .max_depth(Some(1))
            .check()
            .unwrap()
            .fit_test(&oracle, truth.nodes(), &Knowledge::new())
            .unwrap();
        assert!(!out.graph.adjacent(0, 2));
    }
}
