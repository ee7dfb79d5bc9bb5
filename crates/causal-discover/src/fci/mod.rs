//! FCI (Spirtes, Meek and Richardson 1995; Zhang 2008): causal discovery that allows latent
//! confounders and selection bias, returning a PAG.
//!
//! 1. **Adjacency search**: PC's stable skeleton search (shared with [`crate::pc`]).
//! 2. **Colliders** (R0) on the skeleton, then the **possible-d-sep** stage removes edges whose
//!    endpoints are separated by a subset of `Possible-D-Sep`; all marks are reset to circles
//!    and R0 runs again.
//! 3. **Orientation rules** R1–R4 (arrowheads and tails from colliders, ancestors, double
//!    triangles and discriminating paths), R5–R7 (selection bias) and R8–R10 (tails of
//!    `o->` edges), repeated until nothing changes.
//!
//! Every step follows causal-learn 0.1.4.8's `fci` with its defaults, including the order in
//! which edges and subsets are visited, so the PAG is the one causal-learn returns; the module
//! files name the few places where causal-learn's order depends on Python's string hashing.
//!
//! In the PAG, a circle `o` is a mark the data leave undecided; `a --> b` says `a` is an
//! ancestor of `b`; `a <-> b` says neither is an ancestor of the other (a latent confounder).

mod discriminating;
mod graph_ops;
mod pdsep;
mod rules;
mod selection;
mod sepmap;
mod tails;

use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;

use causal_core::contract::{Fit, ParamGuard};

use crate::ci::{CiTest, CiTestKind};
use crate::error::{DiscoverError, Result};
use crate::knowledge::Knowledge;
use crate::pc::skeleton::{SkeletonOptions, skeleton};
use crate::search_setup::{check_alpha_threads, given, in_pool, resolve_knowledge};
use crate::sepset::SepSets;

use discriminating::R4Context;
use sepmap::SepMap;

/// Runs CI tests at a level and counts them.
pub(crate) struct Tester<'a> {
    test: &'a dyn CiTest,
    alpha: f64,
    n_tests: usize,
}

impl Tester<'_> {
    /// Whether `x ⫫ y | z` at the level (`p > alpha`, causal-learn's convention).
    pub(crate) fn independent(&mut self, x: usize, y: usize, z: &[usize]) -> Result<bool> {
        self.n_tests += 1;
        Ok(self.test.p_value(x, y, z)? > self.alpha)
    }
}

/// FCI's hyperparameters (a consuming builder; [`ParamGuard::check`] validates them into an
/// [`Fci`]).
///
/// # Examples
///
/// ```
/// use causal_core::contract::ParamGuard;
/// use causal_core::graph::{Mark, MixedGraph};
/// use causal_discover::ci::DSeparation;
/// use causal_discover::fci::FciParams;
/// use causal_discover::knowledge::Knowledge;
///
/// // a -> c <- b, c -> d: the collider is found and R1 orients c -> d away from it; the
/// // marks at a and b stay circles (a latent could confound either edge).
/// let mut dag = MixedGraph::with_nodes(["a", "b", "c", "d"])?;
/// dag.add_directed("a", "c")?;
/// dag.add_directed("b", "c")?;
/// dag.add_directed("c", "d")?;
/// let oracle = DSeparation::new(&dag)?;
/// let fci = FciParams::new().check()?;
/// let pag = fci.fit_test(&oracle, dag.nodes(), &Knowledge::new())?.graph;
/// let ac = pag.edges_between(0, 2).next().unwrap();
/// assert_eq!((ac.mark_a, ac.mark_b), (Mark::Circle, Mark::Arrow)); // a o-> c
/// assert!(pag.edges_between(2, 3).next().unwrap().is_directed_from(2, 3)); // c --> d
/// assert!(!pag.adjacent(0, 1));
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
#[derive(Clone, Debug)]
pub struct FciParams {
    alpha: f64,
    max_depth: Option<usize>,
    max_path_length: Option<usize>,
    test: CiTestKind,
    threads: Option<usize>,
}

impl Default for FciParams {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            max_depth: None,
            max_path_length: None,
            test: CiTestKind::FisherZ,
            threads: None,
        }
    }
}

/// FCI with validated hyperparameters: fit it to a [`Dataset`] with background
/// [`Knowledge`] ([`Fit`]), or run it on any CI test ([`Fci::fit_test`]).
#[derive(Clone, Debug)]
pub struct Fci {
    params: FciParams,
}

/// What FCI found.
#[derive(Clone, Debug)]
pub struct FciFit {
    /// The PAG: edges with tail, arrow and circle marks.
    pub graph: MixedGraph,
    /// The separating sets of removed pairs (from the adjacency search and the possible-d-sep
    /// stage), recorded under both orders.
    pub sepsets: SepSets,
    /// How many CI tests ran in all (adjacency search, possible-d-sep, discriminating paths).
    pub n_tests: usize,
}

impl FciParams {
    /// causal-learn's defaults: alpha 0.05, no depth limit, no path-length limit, Fisher-z.
    pub fn new() -> Self {
        Self::default()
    }

    /// Significance level: `x ⫫ y | S` is accepted when `p > alpha`.
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.alpha = alpha;
        self
    }

    /// The largest conditioning-set size of the adjacency search (causal-learn's `depth`);
    /// `None` for no limit.
    pub fn max_depth(mut self, depth: Option<usize>) -> Self {
        self.max_depth = depth;
        self
    }

    /// causal-learn's `max_path_length` for the discriminating-path search; `None` (its -1)
    /// for no limit. causal-learn counts the search's first level only, so `Some(0)` disables
    /// R4 and every other value leaves it unlimited.
    pub fn max_path_length(mut self, len: Option<usize>) -> Self {
        self.max_path_length = len;
        self
    }

    /// The CI test [`Fit::fit`] builds on the data (default Fisher-z); [`Fci::fit_test`]
    /// takes its own.
    pub fn test(mut self, test: CiTestKind) -> Self {
        self.test = test;
        self
    }

    /// Runs the adjacency search's CI tests on a private pool of `n` threads (default: rayon's
    /// global pool). The output does not depend on the number of threads.
    pub fn threads(mut self, n: Option<usize>) -> Self {
        self.threads = n;
        self
    }
}

impl ParamGuard for FciParams {
    type Checked = Fci;
    type Error = DiscoverError;

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for alpha outside (0, 1) or zero threads.
    fn check(self) -> Result<Fci> {
        check_alpha_threads(self.alpha, self.threads)?;
        Ok(Fci { params: self })
    }
}

/// Builds the CI test named by [`FciParams::test`] on the data and runs FCI on its columns.
impl Fit<&Knowledge> for Fci {
    type Object = FciFit;
    type Error = DiscoverError;

    fn fit(&self, data: &Dataset, knowledge: &Knowledge) -> Result<FciFit> {
        in_pool(self.params.threads, || {
            let t = self.params.test.build(data)?;
            self.fit_inner(t.as_ref(), data.names(), given(knowledge))
        })
    }
}

impl Fci {
    /// Runs FCI with a CI test over variables named `names` (in the test's index order).
    ///
    /// The names matter beyond labelling: causal-learn orders each `Possible-D-Sep` set by name,
    /// which decides the separating set the stage finds first.
    ///
    /// Background knowledge is applied as causal-learn does: pairs forbidden both ways are
    /// never adjacent; after each reset to circles, an edge forbidden one way (or required)
    /// becomes directed; and no rule puts an arrowhead where knowledge forbids it. Required
    /// edges orient an adjacency that survived the tests; they do not add one.
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
    ) -> Result<FciFit> {
        in_pool(self.params.threads, || {
            self.fit_inner(test, names, given(knowledge))
        })
    }

    fn fit_inner(
        &self,
        test: &dyn CiTest,
        names: &[String],
        knowledge: Option<&Knowledge>,
    ) -> Result<FciFit> {
        let p = &self.params;
        let n = test.n_vars();
        let resolved = resolve_knowledge(knowledge, test, names)?;
        let k = resolved.as_ref();
        let (mut g, skeleton_seps, skeleton_tests) = skeleton(
            test,
            &SkeletonOptions {
                alpha: p.alpha,
                stable: true,
                max_depth: p.max_depth,
                knowledge: k,
            },
        )?;
        let mut seps = SepMap::from_skeleton(&skeleton_seps, n);
        let mut tester = Tester {
            test,
            alpha: p.alpha,
            n_tests: skeleton_tests,
        };

        rules::rule0(&mut g, &seps, k);
        pdsep::remove_by_possible_dsep(&mut g, &mut seps, &mut tester, names)?;
        rules::rule0(&mut g, &seps, k);

        // causal-learn also runs R4 on the first pass, without a prior change, when the
        // knowledge has forbidden edges, required edges and tiers all at once.
        let mut first_time = true;
        let all_kinds = knowledge.is_some_and(|k| {
            k.forbidden_edges().next().is_some()
                && k.required_edges().next().is_some()
                && k.has_tiers()
        });
        let mut changed = true;
        while changed {
            changed = rules::rules_r1_r2(&mut g, k);
            changed |= rules::rule3(&mut g, &seps, k);
            if changed || (first_time && all_kinds) {
                let mut cx = R4Context {
                    seps: &seps,
                    tester: &mut tester,
                    knowledge: k,
                    max_path_length: p.max_path_length,
                };
                changed |= discriminating::rule4(&mut g, &mut cx)?;
                first_time = false;
            }
            changed |= selection::rule5(&mut g);
            changed |= selection::rule6(&mut g);
            changed |= selection::rule7(&mut g);
            changed |= tails::rule8(&mut g);
            changed |= tails::rule9(&mut g);
            changed |= tails::rule10(&mut g);
        }
        Ok(FciFit {
            graph: g.to_mixed(names)?,
            sepsets: seps.to_sepsets(n),
            n_tests: tester.n_tests,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ci::DSeparation;
    use causal_core::graph::Mark;

    /// A d-separation oracle over some nodes of a DAG (the others are latent).
    struct Observed {
        oracle: DSeparation,
        observed: Vec<usize>,
    }

    impl CiTest for Observed {
        fn n_vars(&self) -> usize {
            self.observed.len()
        }
        fn p_value(&self, x: usize, y: usize, z: &[usize]) -> Result<f64> {
            let z: Vec<usize> = z.iter().map(|&v| self.observed[v]).collect();
            let sep = self
                .oracle
                .d_separated(self.observed[x], self.observed[y], &z);
            Ok(if sep { 1.0 } else { 0.0 })
        }
        fn name(&self) -> &'static str {
            "oracle"
        }
    }

    fn marks(g: &MixedGraph, a: usize, b: usize) -> (Mark, Mark) {
        let e = g.edges_between(a, b).next().expect("adjacent");
        if e.a == a {
            (e.mark_a, e.mark_b)
        } else {
            (e.mark_b, e.mark_a)
        }
    }

    /// x1 -> x2 <- L -> x3 <- x4 with L latent: the textbook PAG x1 o-> x2 <-> x3 <-o x4.
    fn latent_example() -> (Observed, Vec<String>) {
        let mut dag = MixedGraph::with_nodes(["x1", "x2", "x3", "x4", "L"]).unwrap();
        for (a, b) in [("x1", "x2"), ("L", "x2"), ("L", "x3"), ("x4", "x3")] {
            dag.add_directed(a, b).unwrap();
        }
        let names = ["x1", "x2", "x3", "x4"].map(String::from).to_vec();
        let test = Observed {
            oracle: DSeparation::new(&dag).unwrap(),
            observed: vec![0, 1, 2, 3],
        };
        (test, names)
    }

    #[test]
    fn latent_confounder_gives_a_bidirected_edge() {
        let (test, names) = latent_example();
        let out = FciParams::new()
            .check()
            .unwrap()
            .fit_test(&test, &names, &Knowledge::new())
            .unwrap();
        let g = &out.graph;
        assert_eq!(g.n_edges(), 3);
        assert_eq!(marks(g, 0, 1), (Mark::Circle, Mark::Arrow));
        assert_eq!(marks(g, 1, 2), (Mark::Arrow, Mark::Arrow));
        assert_eq!(marks(g, 3, 2), (Mark::Circle, Mark::Arrow));
        assert_eq!(out.sepsets.union(0, 2), Vec::<usize>::new());
        assert!(out.n_tests > 0);
    }

    #[test]
    fn discriminating_path_orients_a_tail() {
        // a -> b <- L -> c, b -> d, c -> d with L latent. R0: a o-> b <-o c (a ⫫ c);
        // R1: b --> d; R2: c o-> d. On the discriminating path <a, b, c, d> for c, the test
        // a ⫫ d | {b, c} holds, so R4 makes c a non-collider: c --> d.
        let mut dag = MixedGraph::with_nodes(["a", "b", "c", "d", "L"]).unwrap();
        for (x, y) in [("a", "b"), ("L", "b"), ("L", "c"), ("b", "d"), ("c", "d")] {
            dag.add_directed(x, y).unwrap();
        }
        let names = ["a", "b", "c", "d"].map(String::from).to_vec();
        let test = Observed {
            oracle: DSeparation::new(&dag).unwrap(),
            observed: vec![0, 1, 2, 3],
        };
        let g = FciParams::new()
            .check()
            .unwrap()
            .fit_test(&test, &names, &Knowledge::new())
            .unwrap()
            .graph;
        assert_eq!(marks(&g, 0, 1), (Mark::Circle, Mark::Arrow));
        assert_eq!(marks(&g, 2, 1), (Mark::Circle, Mark::Arrow));
        assert_eq!(marks(&g, 1, 3), (Mark::Tail, Mark::Arrow));
        assert_eq!(marks(&g, 2, 3), (Mark::Tail, Mark::Arrow));
        // max_path_length 0 switches R4 off: c – d keeps its circle at c.
        let g = FciParams::new()
            .max_path_length(Some(0))
            .check()
            .unwrap()
            .fit_test(&test, &names, &Knowledge::new())
            .unwrap()
            .graph;
        assert_eq!(marks(&g, 2, 3).0, Mark::Circle);
    }

    #[test]
    fn knowledge_directs_edges_and_vetoes_arrowheads() {
        let (test, names) = latent_example();
        // x1 before x2: the edge becomes x1 --> x2.
        let k = Knowledge::new().tier(0, ["x1"]).tier(1, ["x2"]);
        let g = FciParams::new()
            .check()
            .unwrap()
            .fit_test(&test, &names, &k)
            .unwrap()
            .graph;
        assert_eq!(marks(&g, 0, 1), (Mark::Tail, Mark::Arrow));
        // Forbidden both ways: never adjacent.
        let k = Knowledge::new().forbid("x1", "x2").forbid("x2", "x1");
        let g = FciParams::new()
            .check()
            .unwrap()
            .fit_test(&test, &names, &k)
            .unwrap()
            .graph;
        assert!(!g.adjacent(0, 1));
        // Unknown names are an error, not a panic.
        let k = Knowledge::new().forbid("x1", "nosuch");
        let err = FciParams::new()
            .check()
            .unwrap()
            .fit_test(&test, &names, &k)
            .unwrap_err();
        assert!(err.to_string().contains("nosuch"), "{err}");
    }

    #[test]
    fn parameters_and_inputs_are_checked() {
        assert!(FciParams::new().alpha(1.0).check().is_err());
        assert!(FciParams::new().alpha(f64::NAN).check().is_err());
        assert!(FciParams::new().threads(Some(0)).check().is_err());
        let (test, names) = latent_example();
        assert!(
            FciParams::new()
                .check()
                .unwrap()
                .fit_test(&test, &names[..3], &Knowledge::new())
                .is_err()
        );
    }

    #[test]
    fn parallel_output_equals_serial() {
        let (test, names) = latent_example();
        let serial = FciParams::new()
            .threads(Some(1))
            .check()
            .unwrap()
            .fit_test(&test, &names, &Knowledge::new())
            .unwrap();
        let parallel = FciParams::new()
            .threads(Some(3))
            .check()
            .unwrap()
            .fit_test(&test, &names, &Knowledge::new())
            .unwrap();
        assert_eq!(serial.graph, parallel.graph);
        assert_eq!(serial.sepsets, parallel.sepsets);
        assert_eq!(serial.n_tests, parallel.n_tests);
    }
}
