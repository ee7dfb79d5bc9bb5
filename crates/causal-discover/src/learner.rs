//! One entry point for every discovery method: [`GraphLearner`], which PC, FCI, GES,
//! DirectLiNGAM, NOTEARS and NOTEARS-MLP implement, and [`discover`], which runs a [`Method`]
//! named at run time with one set of [`DiscoverOptions`].
//!
//! The CLI, the demo, the experiments and the Python package all call [`discover`] (or
//! [`discover_via`]), so a method behaves the same wherever it is run, and background
//! [`Knowledge`] is given by name everywhere: GES, DirectLiNGAM and NOTEARS resolve it to
//! [`EdgeRules`](crate::ges::EdgeRules) against the data's columns.
//!
//! NOTEARS-MLP needs causal-discover's `torch` feature. Without it [`discover`] returns
//! [`DiscoverError::NotCompiledWithTorch`]. A program that links no LibTorch code even when
//! the feature is on (the `causal` CLI's front end) calls [`discover_via`] with a
//! [`TorchRoute`] that never runs the method, so the NOTEARS-MLP code is not instantiated in
//! it at all.

use std::str::FromStr;

use causal_core::contract::{Fit, ParamGuard};
use causal_core::data::Dataset;
use causal_core::graph::MixedGraph;
use nalgebra::DMatrix;

use crate::ci::CiTestKind;
use crate::error::{DiscoverError, Result};
use crate::fci::{Fci, FciParams};
use crate::ges::{Ges, GesParams, GesScore};
use crate::knowledge::Knowledge;
use crate::lingam::{DirectLingam, DirectLingamParams};
use crate::notears::{Notears, NotearsParams};
use crate::pc::{Pc, PcParams, UcPriority, UcRule};

/// The discovery methods [`discover`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// PC ([`crate::pc`]): a CPDAG from CI tests.
    Pc,
    /// FCI ([`crate::fci`]): a PAG from CI tests, allowing latent confounders.
    Fci,
    /// GES ([`crate::ges`]): a CPDAG by score search.
    Ges,
    /// DirectLiNGAM ([`crate::lingam`]): a weighted DAG for non-Gaussian data.
    Lingam,
    /// Linear NOTEARS ([`crate::notears`]): a weighted DAG by continuous optimisation.
    Notears,
    /// NOTEARS-MLP (causal-torch, the `torch` feature): a DAG from one MLP per node.
    NotearsMlp,
}

impl Method {
    /// Every method, in the order of [`Method::NAMES`].
    pub const ALL: [Self; 6] = [
        Self::Pc,
        Self::Fci,
        Self::Ges,
        Self::Lingam,
        Self::Notears,
        Self::NotearsMlp,
    ];

    /// The methods' names, as the CLI takes them.
    pub const NAMES: [&'static str; 6] = ["pc", "fci", "ges", "lingam", "notears", "notears-mlp"];

    /// The method's name, as the CLI takes it.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }

    /// Whether the method needs LibTorch (causal-discover's `torch` feature).
    pub fn needs_torch(self) -> bool {
        self == Self::NotearsMlp
    }

    /// Whether the method runs CI tests (so [`DiscoverOptions::test`] applies).
    pub fn uses_ci_test(self) -> bool {
        matches!(self, Self::Pc | Self::Fci)
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A name of [`Method::NAMES`], case-insensitive; `_` may stand for `-`, and DirectLiNGAM
/// is also `direct_lingam` or `directlingam` (the Python package's name).
impl FromStr for Method {
    type Err = DiscoverError;

    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase().replace('_', "-");
        match lower.as_str() {
            "direct-lingam" | "directlingam" => Ok(Self::Lingam),
            other => Self::ALL
                .into_iter()
                .find(|m| m.name() == other)
                .ok_or_else(|| DiscoverError::UnknownMethod(s.to_owned())),
        }
    }
}

/// What a discovery method found: the graph, and the extras some methods give.
#[derive(Clone, Debug)]
pub struct Discovered {
    /// The method that ran.
    pub method: Method,
    /// The graph over the data's columns: a CPDAG (PC, GES), a PAG (FCI) or a DAG (LiNGAM,
    /// NOTEARS, NOTEARS-MLP).
    pub graph: MixedGraph,
    /// Edge weights `W[(i, j)]` of `i -> j` in column order: DirectLiNGAM's regression
    /// coefficients, NOTEARS's thresholded weights, NOTEARS-MLP's first-layer norms (before
    /// thresholding); `None` for PC, FCI and GES.
    pub weights: Option<DMatrix<f64>>,
    /// The number of CI tests run (PC, FCI).
    pub n_tests: Option<usize>,
    /// The score of the learned equivalence class (GES).
    pub score: Option<f64>,
}

impl Discovered {
    fn graph_only(method: Method, graph: MixedGraph) -> Self {
        Self {
            method,
            graph,
            weights: None,
            n_tests: None,
            score: None,
        }
    }
}

/// A validated discovery algorithm that learns a graph from data and background knowledge.
pub trait GraphLearner {
    /// The method this learner runs.
    fn method(&self) -> Method;

    /// Learns a graph over the columns of `data`.
    ///
    /// # Errors
    ///
    /// The method's own fit errors; knowledge naming a variable that is not a column.
    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered>;
}

impl GraphLearner for Pc {
    fn method(&self) -> Method {
        Method::Pc
    }

    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        let fit = self.fit(data, knowledge)?;
        Ok(Discovered {
            n_tests: Some(fit.n_tests),
            ..Discovered::graph_only(Method::Pc, fit.graph)
        })
    }
}

impl GraphLearner for Fci {
    fn method(&self) -> Method {
        Method::Fci
    }

    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        let fit = self.fit(data, knowledge)?;
        Ok(Discovered {
            n_tests: Some(fit.n_tests),
            ..Discovered::graph_only(Method::Fci, fit.graph)
        })
    }
}

impl GraphLearner for Ges {
    fn method(&self) -> Method {
        Method::Ges
    }

    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        let fit = self.fit(data, knowledge)?;
        let score = fit.score();
        Ok(Discovered {
            score: Some(score),
            ..Discovered::graph_only(Method::Ges, fit.into_graph())
        })
    }
}

impl GraphLearner for DirectLingam {
    fn method(&self) -> Method {
        Method::Lingam
    }

    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        let fit = self.fit(data, knowledge)?;
        // lingam's B[target, source], turned to the i -> j convention of the others.
        let weights = fit.adjacency().transpose();
        Ok(Discovered {
            weights: Some(weights),
            ..Discovered::graph_only(Method::Lingam, fit.into_graph())
        })
    }
}

impl GraphLearner for Notears {
    fn method(&self) -> Method {
        Method::Notears
    }

    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        let fit = self.fit(data, knowledge)?;
        let weights = fit.weights().clone();
        Ok(Discovered {
            weights: Some(weights),
            ..Discovered::graph_only(Method::Notears, fit.into_graph())
        })
    }
}

#[cfg(feature = "torch")]
impl GraphLearner for causal_torch::notears_mlp::NotearsMlp {
    fn method(&self) -> Method {
        Method::NotearsMlp
    }

    /// # Errors
    ///
    /// [`DiscoverError::InvalidParameter`] for any knowledge (NOTEARS-MLP takes none; its
    /// prior is [`NotearsMlpParams::prior`](causal_torch::notears_mlp::NotearsMlpParams::prior)),
    /// and the fit's errors.
    fn learn(&self, data: &Dataset, knowledge: &Knowledge) -> Result<Discovered> {
        if !knowledge.is_empty() {
            return Err(DiscoverError::InvalidParameter(
                "notears-mlp takes no background knowledge (give it a prior graph instead)".into(),
            ));
        }
        let fit = self.fit(data, ())?;
        Ok(Discovered {
            weights: Some(fit.weights().clone()),
            ..Discovered::graph_only(Method::NotearsMlp, fit.graph().clone())
        })
    }
}

/// The settings of every method in one place (each method reads its own), with the defaults
/// of the methods' own builders.
#[derive(Clone, Debug)]
pub struct DiscoverOptions {
    /// PC, FCI: the CI test.
    pub test: CiTestKind,
    /// PC, FCI: the significance level.
    pub alpha: f64,
    /// PC: stable skeleton search.
    pub stable: bool,
    /// PC: the collider rule.
    pub uc_rule: UcRule,
    /// PC: the collider conflict priority.
    pub uc_priority: UcPriority,
    /// PC, FCI: the largest conditioning-set size.
    pub max_depth: Option<usize>,
    /// FCI: the discriminating-path limit.
    pub max_path_length: Option<usize>,
    /// GES: the score.
    pub score: GesScore,
    /// NOTEARS, NOTEARS-MLP: the l1 penalty (`None`: the method's default).
    pub lambda1: Option<f64>,
    /// NOTEARS, NOTEARS-MLP: the weight threshold (`None`: the method's default).
    pub threshold: Option<f64>,
    /// NOTEARS, NOTEARS-MLP: the outer (augmented-Lagrangian) iterations (`None`: default).
    pub max_iter: Option<usize>,
    /// PC, FCI: CI tests on a private pool of this many threads (`None`: rayon's pool).
    pub threads: Option<usize>,
    /// NOTEARS-MLP: the seed of the initial weights (it overrides `notears_mlp`'s).
    pub seed: u64,
    /// NOTEARS-MLP: the rest of its settings (prior, device, hidden units); `None` for its
    /// defaults. `lambda1`, `threshold`, `max_iter` and `seed` above apply on top.
    #[cfg(feature = "torch")]
    pub notears_mlp: Option<causal_torch::notears_mlp::NotearsMlpParams>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        Self {
            test: CiTestKind::FisherZ,
            alpha: 0.05,
            stable: true,
            uc_rule: UcRule::default(),
            uc_priority: UcPriority::default(),
            max_depth: None,
            max_path_length: None,
            score: GesScore::Bic,
            lambda1: None,
            threshold: None,
            max_iter: None,
            threads: None,
            seed: 0,
            #[cfg(feature = "torch")]
            notears_mlp: None,
        }
    }
}

impl DiscoverOptions {
    /// PC's parameters from these options.
    pub fn pc(&self) -> PcParams {
        PcParams::new()
            .alpha(self.alpha)
            .stable(self.stable)
            .uc_rule(self.uc_rule)
            .uc_priority(self.uc_priority)
            .max_depth(self.max_depth)
            .test(self.test)
            .threads(self.threads)
    }

    /// FCI's parameters from these options.
    pub fn fci(&self) -> FciParams {
        FciParams::new()
            .alpha(self.alpha)
            .max_depth(self.max_depth)
            .max_path_length(self.max_path_length)
            .test(self.test)
            .threads(self.threads)
    }

    /// GES's parameters from these options.
    pub fn ges(&self) -> GesParams {
        GesParams::new().score(self.score)
    }

    /// DirectLiNGAM's parameters from these options (it reads none).
    pub fn lingam(&self) -> DirectLingamParams {
        DirectLingamParams::new()
    }

    /// NOTEARS's parameters from these options.
    pub fn notears(&self) -> NotearsParams {
        let mut p = NotearsParams::new();
        if let Some(l) = self.lambda1 {
            p = p.lambda1(l);
        }
        if let Some(t) = self.threshold {
            p = p.threshold(t);
        }
        if let Some(k) = self.max_iter {
            p = p.max_iter(k);
        }
        p
    }

    /// NOTEARS-MLP's parameters from these options.
    #[cfg(feature = "torch")]
    pub fn notears_mlp(&self) -> causal_torch::notears_mlp::NotearsMlpParams {
        let mut p = self.notears_mlp.clone().unwrap_or_default().seed(self.seed);
        if let Some(l) = self.lambda1 {
            p = p.lambda1(l);
        }
        if let Some(t) = self.threshold {
            p = p.w_threshold(t);
        }
        if let Some(k) = self.max_iter {
            p = p.max_iter(k);
        }
        p
    }
}

/// Where [`discover_via`] runs a method that needs LibTorch.
pub trait TorchRoute {
    /// Runs `learn` (NOTEARS-MLP's fit), or answers without calling it. `learn` is generic,
    /// so a route that never calls it keeps the LibTorch code out of the program.
    ///
    /// # Errors
    ///
    /// `learn`'s errors, or the route's own.
    fn run(self, method: Method, learn: impl FnOnce() -> Result<Discovered>) -> Result<Discovered>;
}

/// Runs torch methods here (what [`discover`] does); without the `torch` feature they return
/// [`DiscoverError::NotCompiledWithTorch`].
#[derive(Clone, Copy, Debug, Default)]
pub struct InProcess;

impl TorchRoute for InProcess {
    fn run(self, _: Method, learn: impl FnOnce() -> Result<Discovered>) -> Result<Discovered> {
        learn()
    }
}

/// Refuses torch methods with [`DiscoverError::NotCompiledWithTorch`] without instantiating
/// them: for a program that must not link LibTorch (it hands those methods elsewhere first).
#[derive(Clone, Copy, Debug, Default)]
pub struct WithoutTorch;

impl TorchRoute for WithoutTorch {
    fn run(self, method: Method, learn: impl FnOnce() -> Result<Discovered>) -> Result<Discovered> {
        drop(learn);
        Err(DiscoverError::NotCompiledWithTorch(method.name()))
    }
}

/// Runs `method` on `data` with background `knowledge` (empty for none) and the options the
/// method reads.
///
/// # Errors
///
/// The method's parameter errors ([`DiscoverError::InvalidParameter`]) and fit errors;
/// knowledge naming a variable that is not a column ([`DiscoverError::UnknownColumn`]);
/// [`DiscoverError::NotCompiledWithTorch`] for NOTEARS-MLP without the `torch` feature.
///
/// # Examples
///
/// ```
/// use causal_core::sim::{random_dag_weights, simulate, Noise};
/// use causal_discover::knowledge::Knowledge;
/// use causal_discover::learner::{discover, DiscoverOptions, Method};
///
/// let w = random_dag_weights(4, 3, 0.8, 1.5, 3)?;
/// let data = simulate(&w, 500, Noise::Gaussian, 4)?;
/// let method: Method = "pc".parse()?;
/// let found = discover(method, &data, &Knowledge::new(), &DiscoverOptions::default())?;
/// assert_eq!(found.graph.nodes(), data.names());
/// assert!("nope".parse::<Method>().unwrap_err().to_string().contains("'nope'"));
/// # Ok::<(), causal_discover::DiscoverError>(())
/// ```
pub fn discover(
    method: Method,
    data: &Dataset,
    knowledge: &Knowledge,
    options: &DiscoverOptions,
) -> Result<Discovered> {
    discover_via(method, data, knowledge, options, InProcess)
}

/// [`discover`] with torch methods handed to `route` (see the module docs).
///
/// # Errors
///
/// As [`discover`], and the route's own.
pub fn discover_via<R: TorchRoute>(
    method: Method,
    data: &Dataset,
    knowledge: &Knowledge,
    options: &DiscoverOptions,
    route: R,
) -> Result<Discovered> {
    match method {
        Method::Pc => options.pc().check()?.learn(data, knowledge),
        Method::Fci => options.fci().check()?.learn(data, knowledge),
        Method::Ges => options.ges().check()?.learn(data, knowledge),
        Method::Lingam => options.lingam().check()?.learn(data, knowledge),
        Method::Notears => options.notears().check()?.learn(data, knowledge),
        Method::NotearsMlp => route.run(method, || notears_mlp(data, knowledge, options)),
    }
}

#[cfg(feature = "torch")]
fn notears_mlp(
    data: &Dataset,
    knowledge: &Knowledge,
    options: &DiscoverOptions,
) -> Result<Discovered> {
    options.notears_mlp().check()?.learn(data, knowledge)
}

#[cfg(not(feature = "torch"))]
fn notears_mlp(_: &Dataset, _: &Knowledge, _: &DiscoverOptions) -> Result<Discovered> {
    Err(DiscoverError::NotCompiledWithTorch(
        Method::NotearsMlp.name(),
    ))
}
