//! `causal-lab`: the demo, the named experiments and the ours-side of the peer timings (see
//! this crate's README for which is which).

mod benches;
mod demo;
mod experiments;
mod output;
mod sim;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The causal-rs demo and experiments.
#[derive(Parser)]
#[command(name = "causal-lab", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The main job, end to end on built-in data.
    Demo {
        /// Smaller data and fewer epochs (a smoke run).
        #[arg(long)]
        quick: bool,
        /// Output folder.
        #[arg(long, default_value = "target/causal-demo")]
        out: PathBuf,
        /// Folder holding the built-in data downloaded by `cargo xtask demo`.
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// One timed task for `cargo xtask bench-compare`; prints JSON with `seconds`.
    Bench {
        /// The task's name (`causal-lab bench --list` lists them).
        name: String,
        /// The task's arguments.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run a named experiment, or list them.
    Experiment {
        /// The experiment's name.
        name: Option<String>,
        /// List the experiments.
        #[arg(long)]
        list: bool,
        /// Output folder (default `target/experiments/<name>`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, thiserror::Error)]
enum LabError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Core(#[from] causal::core::CoreError),
    #[error(transparent)]
    Torch(#[from] causal::torch::TorchError),
    #[error(transparent)]
    Discover(#[from] causal::discover::DiscoverError),
    #[error(transparent)]
    Irm(#[from] causal::irm::IrmError),
    #[error(transparent)]
    Cf(#[from] causal::cf::CfError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

type Result<T, E = LabError> = std::result::Result<T, E>;

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo {
            quick,
            out,
            data_dir,
        } => demo::run(quick, &out, data_dir.as_deref()),
        Command::Bench { name, .. } if name == "--list" => {
            for (name, about, _) in benches::REGISTRY {
                println!("{name:<24} {about}");
            }
            Ok(())
        }
        Command::Bench { name, args } => benches::run(&name, &args),
        Command::Experiment { list: true, .. } => {
            for (name, about, _) in experiments::REGISTRY {
                println!("{name:<24} {about}");
            }
            Ok(())
        }
        Command::Experiment {
            name: Some(name),
            out,
            ..
        } => {
            let out = out.unwrap_or_else(|| PathBuf::from("target/experiments").join(&name));
            experiments::run(&name, &out)
        }
        Command::Experiment { name: None, .. } => {
            Err(LabError::Usage("name an experiment, or pass --list".into()))
        }
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(if matches!(e, LabError::Usage(_)) {
            2
        } else {
            1
        });
    }
}
