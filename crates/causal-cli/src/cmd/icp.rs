//! `causal icp`: Invariant Causal Prediction of one target across environments.

use causal::prelude::ParamGuard;
use std::path::PathBuf;

use causal::irm::IrmError;
use causal::irm::environments::Environments;
use causal::irm::icp::{IcpParams, IcpTest, Preselection};
use clap::{Args, ValueEnum};

use crate::error::CliError;
use crate::io::{read_data, split_names};

/// The invariance test.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Method {
    /// Residual means (Welch t) and variances (F), each environment against the rest.
    Approx,
    /// Chow's predictive F-test, each environment against the rest.
    Exact,
}

/// Arguments of `causal icp`.
#[derive(Args)]
pub struct IcpArgs {
    /// Data file (CSV or whitespace-separated, with a header).
    #[arg(long)]
    data: PathBuf,
    /// The target column.
    #[arg(long)]
    target: String,
    /// The column labelling environments (integer codes).
    #[arg(long)]
    env: String,
    /// Comma-separated candidate predictors (default: every other column).
    #[arg(long)]
    predictors: Option<String>,
    /// Level of each set test.
    #[arg(long, default_value_t = 0.05, allow_hyphen_values = true, value_parser = crate::bounds::open_unit)]
    alpha: f64,
    /// The invariance test.
    #[arg(long, value_enum, default_value_t = Method::Approx)]
    method: Method,
    /// Only test subsets of at most this many predictors.
    #[arg(long)]
    max_size: Option<usize>,
    /// Pre-select predictors first: `lasso:K` or `boosting:K`.
    #[arg(long)]
    preselect: Option<String>,
}

fn irm_error(e: IrmError) -> CliError {
    match e {
        IrmError::Core(c) => CliError::from(c),
        IrmError::Numerical(_) => CliError::failure_from(e),
        other => CliError::bad_input_from(other),
    }
}

fn preselection(spec: Option<&str>) -> Result<Preselection, CliError> {
    let Some(spec) = spec else {
        return Ok(Preselection::None);
    };
    let bad = || {
        CliError::BadInput(format!(
            "--preselect '{spec}': expected lasso:K or boosting:K with K ≥ 1"
        ))
    };
    let (kind, k) = spec.split_once(':').ok_or_else(bad)?;
    let k: usize = k.trim().parse().map_err(|_| bad())?;
    match kind.trim() {
        "lasso" => Ok(Preselection::Lasso(k)),
        "boosting" => Ok(Preselection::Boosting(k)),
        _ => Err(bad()),
    }
}

/// Runs `causal icp`.
pub fn run(args: IcpArgs) -> Result<serde_json::Value, CliError> {
    let data = read_data(&args.data)?
        .with_environment(&args.env)
        .map_err(CliError::from)?;
    let envs = Environments::from_dataset(&data).map_err(irm_error)?;
    let mut params = IcpParams::new()
        .alpha(args.alpha)
        .test(match args.method {
            Method::Approx => IcpTest::Approximate,
            Method::Exact => IcpTest::Exact,
        })
        .preselection(preselection(args.preselect.as_deref())?);
    if let Some(k) = args.max_size {
        params = params.max_size(k);
    }
    if let Some(list) = &args.predictors {
        params = params.predictors(split_names(list));
    }
    let icp = params
        .check()
        .map_err(irm_error)?
        .fit(&data, &args.target, &envs)
        .map_err(irm_error)?;
    eprintln!(
        "icp: {} sets tested, {} accepted, estimate {:?}",
        icp.tests.len(),
        icp.accepted.len(),
        icp.estimate_names()
    );
    Ok(icp.to_json())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(data: PathBuf, extra: &[&str]) -> IcpArgs {
        use clap::{FromArgMatches, Parser};
        #[derive(Parser)]
        struct Wrap {
            #[command(flatten)]
            a: IcpArgs,
        }
        let mut argv = vec![
            "icp".to_string(),
            "--data".into(),
            data.display().to_string(),
        ];
        argv.extend(extra.iter().map(|s| s.to_string()));
        let m = <Wrap as clap::CommandFactory>::command().get_matches_from(argv);
        Wrap::from_arg_matches(&m)
            .map(|w| w.a)
            .expect("arguments parse")
    }

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("causal-cli-icp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let p = dir.join(name);
        std::fs::write(&p, text).expect("temp file");
        p
    }

    /// `X` shifts across environments; `Y = 2X + noise`; `Z = Y + noise` is a child.
    fn csv() -> String {
        let mut s = String::from("X,Y,Z,E\n");
        for i in 0..90 {
            let e = i / 30;
            let u = ((i * 7919) % 97) as f64 / 97.0 - 0.5;
            let v = ((i * 104_729) % 89) as f64 / 89.0 - 0.5;
            let w = ((i * 1_299_709) % 83) as f64 / 83.0 - 0.5;
            let x = u + 3.0 * e as f64;
            let y = 2.0 * x + v;
            let z = y + 0.3 * w * (1 + e) as f64;
            s.push_str(&format!("{x},{y},{z},{e}\n"));
        }
        s
    }

    #[test]
    fn reports_estimate_as_json() {
        let path = write("ok.csv", &csv());
        for method in ["approx", "exact"] {
            let v = run(args(
                path.clone(),
                &["--target", "Y", "--env", "E", "--method", method],
            ))
            .expect("icp runs");
            assert_eq!(v["estimate"], serde_json::json!(["X"]), "{method}: {v}");
            assert_eq!(v["model_rejected"], false);
            assert!(v["predictors"]["X"]["p_value"].as_f64().unwrap() < 0.05);
        }
    }

    #[test]
    fn bad_input_exits_2() {
        let path = write("bad.csv", &csv());
        let e = run(args(path.clone(), &["--target", "Q", "--env", "E"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("'Q'"), "{e}");
        let e = run(args(
            path.clone(),
            &["--target", "Y", "--env", "E", "--preselect", "ridge:3"],
        ))
        .unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let one = write("one.csv", "X,Y,E\n1,2,0\n2,4.1,0\n3,5.9,0\n");
        let e = run(args(one, &["--target", "Y", "--env", "E"])).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("at least 2"), "{e}");
    }
}
