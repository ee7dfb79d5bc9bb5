//! `causal simulate`: sample CSV data from an SCM written as JSON.

use std::path::PathBuf;

use causal::core::scm::{Intervention, ScmSpec};
use clap::Args;

use crate::error::CliError;
use crate::io::{read_text, split_names};

/// Arguments of `causal simulate`.
#[derive(Args)]
pub struct SimulateArgs {
    /// SCM spec (JSON; linear-Gaussian and logistic-binary nodes).
    #[arg(long)]
    scm: PathBuf,
    /// Number of rows.
    #[arg(long, allow_hyphen_values = true, value_parser = crate::bounds::at_least_one)]
    n: usize,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Hard interventions, comma-separated `X=1,Z=0`.
    #[arg(long = "do")]
    do_: Option<String>,
    /// Shift interventions, comma-separated `X=0.5`.
    #[arg(long)]
    shift: Option<String>,
}

fn assignments(list: &str) -> Result<Vec<(String, f64)>, CliError> {
    split_names(list)
        .into_iter()
        .map(|a| {
            let (name, value) = a.split_once('=').ok_or_else(|| {
                CliError::BadInput(format!("'{a}' is not of the form NAME=VALUE"))
            })?;
            let v: f64 = value
                .trim()
                .parse()
                .map_err(|_| CliError::BadInput(format!("'{value}' in '{a}' is not a number")))?;
            Ok((name.trim().to_owned(), v))
        })
        .collect()
}

/// Runs `causal simulate`; the CSV goes to stdout.
pub fn run(args: SimulateArgs) -> Result<serde_json::Value, CliError> {
    let text = read_text(&args.scm)?;
    let spec =
        ScmSpec::from_json(&text).map_err(|e| CliError::bad_input_in(args.scm.display(), e))?;
    let mut scm = spec.to_scm()?;
    let mut ivs: Vec<(String, Intervention)> = Vec::new();
    if let Some(d) = &args.do_ {
        ivs.extend(
            assignments(d)?
                .into_iter()
                .map(|(n, v)| (n, Intervention::Hard(v))),
        );
    }
    if let Some(s) = &args.shift {
        ivs.extend(
            assignments(s)?
                .into_iter()
                .map(|(n, v)| (n, Intervention::Shift(v))),
        );
    }
    if !ivs.is_empty() {
        let refs: Vec<(&str, Intervention)> =
            ivs.iter().map(|(n, i)| (n.as_str(), i.clone())).collect();
        scm = scm.intervene(&refs)?;
    }
    let data = scm.sample(args.n, args.seed)?;
    print!("{}", data.to_csv());
    Ok(serde_json::Value::Null)
}
