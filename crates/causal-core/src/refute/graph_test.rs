//! Testing a graph against data: every implied conditional independence, with a
//! multiple-testing correction (as dagitty's `localTests`).

use serde::{Deserialize, Serialize};

use crate::contract::{Fit, ParamGuard};
use crate::data::Dataset;
use crate::error::{CoreError, Result};
use crate::graph::{Admg, MixedGraph};
use crate::stats::{CiTestResult, Correction, adjust_p_values, chi_square_test, fisher_z_test};

/// Settings of [`test_graph`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphTestParams {
    /// Family-wise (or FDR) level.
    pub alpha: f64,
    /// The correction.
    pub correction: Correction,
}

impl Default for GraphTestParams {
    fn default() -> Self {
        Self {
            alpha: 0.05,
            correction: Correction::Holm,
        }
    }
}

/// One implied independence and its test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphTestRow {
    /// The test.
    #[serde(flatten)]
    pub test: CiTestResult,
    /// The corrected p-value.
    pub p_adjusted: f64,
    /// Whether the data contradict this independence at the corrected level.
    pub rejected: bool,
}

/// The outcome of testing a graph.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GraphTestFit {
    /// Every implied independence with its test.
    pub tests: Vec<GraphTestRow>,
    /// The correction used.
    pub correction: Correction,
    /// Level.
    pub alpha: f64,
    /// Number of rejected independences.
    pub n_rejected: usize,
    /// True when no implied independence is rejected.
    pub passed: bool,
}

/// Tests every conditional independence the graph implies: Fisher's z when any variable
/// involved is continuous, Pearson's chi-square when all are marked discrete in the data.
///
/// # Errors
///
/// [`CoreError::InvalidParameter`] for `alpha` outside (0, 1) or when a graph node is not a data
/// column (naming it), and the
/// graph errors (cycles) and test errors (constant columns).
pub fn test_graph(
    graph: &MixedGraph,
    data: &Dataset,
    params: &GraphTestParams,
) -> Result<GraphTestFit> {
    params.check()?.fit(data, graph)
}

impl ParamGuard for GraphTestParams {
    type Checked = GraphTest;
    type Error = CoreError;

    /// Checks that `alpha` lies in (0, 1).
    fn check(self) -> Result<GraphTest> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(CoreError::InvalidParameter(format!(
                "alpha must be in (0, 1), got {}",
                self.alpha
            )));
        }
        Ok(GraphTest { params: self })
    }
}

/// A checked graph test: see [`GraphTestParams`] and [`test_graph`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GraphTest {
    params: GraphTestParams,
}

impl<'g> Fit<&'g MixedGraph> for GraphTest {
    type Object = GraphTestFit;
    type Error = CoreError;

    /// Tests every conditional independence `graph` implies in `data`: see [`test_graph`].
    fn fit(&self, data: &Dataset, graph: &'g MixedGraph) -> Result<GraphTestFit> {
        let params = &self.params;
        if let Some(missing) = graph.nodes().iter().find(|n| !data.has_column(n)) {
            return Err(CoreError::InvalidParameter(format!(
                "graph node '{missing}' is not a column of the data (columns: {})",
                data.names().join(", ")
            )));
        }
        let admg = Admg::from_mixed(graph)?;
        let mut results = Vec::new();
        for ind in admg.implied_independencies() {
            let given: Vec<&str> = ind.given.iter().map(String::as_str).collect();
            let all_discrete = std::iter::once(ind.x.as_str())
                .chain(std::iter::once(ind.y.as_str()))
                .chain(given.iter().copied())
                .map(|c| data.is_discrete(c))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .all(|d| d);
            let r = if all_discrete {
                chi_square_test(data, &ind.x, &ind.y, &given)?
            } else {
                fisher_z_test(data, &ind.x, &ind.y, &given)?
            };
            results.push(r);
        }
        let p: Vec<f64> = results.iter().map(|r| r.p_value).collect();
        let adj = adjust_p_values(&p, params.correction);
        let tests: Vec<GraphTestRow> = results
            .into_iter()
            .zip(adj)
            .map(|(test, p_adjusted)| GraphTestRow {
                test,
                p_adjusted,
                rejected: p_adjusted < params.alpha,
            })
            .collect();
        let n_rejected = tests.iter().filter(|t| t.rejected).count();
        Ok(GraphTestFit {
            tests,
            correction: params.correction,
            alpha: params.alpha,
            n_rejected,
            passed: n_rejected == 0,
        })
    }
}
