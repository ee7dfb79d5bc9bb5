//! Environments as one table: per-environment blocks of row-major f32 features and targets
//! stacked into a `Dataset` with an environment label column, the form causal-irm's deep
//! methods take (issue 13: one table type).

use causal::core::data::{ColumnRoles, Dataset};

use crate::Result;

/// One environment's rows: row-major features (`n × d`), `d`, and one target per row.
pub(crate) type Block = (Vec<f32>, usize, Vec<f32>);

/// Stacks `blocks` into one table labelled 0, 1, … in order (column `env`), with features
/// `x1..xd` and target `y`, and the roles that name them. The f32 values are stored exactly
/// in f64, so the networks see the same numbers as from the blocks.
pub(crate) fn env_table(blocks: &[Block]) -> Result<(Dataset, ColumnRoles)> {
    let d = blocks.first().map_or(0, |b| b.1);
    let mut cols: Vec<Vec<f64>> = vec![Vec::new(); d + 2];
    for (label, (x, bd, y)) in blocks.iter().enumerate() {
        if *bd != d || x.len() != y.len() * d {
            return Err(crate::LabError::Usage(format!(
                "environment {label}: {} values do not form {} rows of {d} features",
                x.len(),
                y.len()
            )));
        }
        cols[0].extend(std::iter::repeat_n(label as f64, y.len()));
        for row in x.chunks(d.max(1)) {
            for (j, v) in row.iter().enumerate() {
                cols[j + 1].push(f64::from(*v));
            }
        }
        cols[d + 1].extend(y.iter().map(|v| f64::from(*v)));
    }
    let features: Vec<String> = (1..=d).map(|j| format!("x{j}")).collect();
    let mut names = vec!["env".to_owned()];
    names.extend(features.iter().cloned());
    names.push("y".into());
    let roles = ColumnRoles::new()
        .environment("env")
        .outcome("y")
        .covariates(features);
    Ok((Dataset::new(names, cols)?, roles))
}
