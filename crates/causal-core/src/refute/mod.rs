//! Refutation and sensitivity: placebo treatment, random common cause, data subset and dummy
//! outcome refuters; the E-value; Cinelli & Hazlett's omitted-variable-bias robustness value and
//! partial R² bounds; and testing a graph's implied independences against data.

mod evalue;
mod graph_test;
mod ovb;
mod refuters;

pub use evalue::{EValue, evalue_odds_ratio, evalue_risk_ratio, evalue_smd};
pub use graph_test::{GraphTest, GraphTestFit, GraphTestParams, GraphTestRow, test_graph};
pub use ovb::{OvbAdjusted, OvbSensitivity, benchmark_bounds, ovb_adjusted, ovb_sensitivity};
pub use refuters::{
    Refutation, Refute, RefuteFit, RefuteParams, data_subset, dummy_outcome, placebo_treatment,
    random_common_cause, refute_all,
};
