//! `causal completions SHELL` and `causal man`: a shell completion script (clap_complete) and
//! the man page (clap_mangen), generated from the same definition as the parser.

use clap::Args;
use clap_complete::Shell;

use crate::error::CliError;

/// Arguments of `causal completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    shell: Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn run(
    args: CompletionsArgs,
    mut command: clap::Command,
) -> Result<serde_json::Value, CliError> {
    clap_complete::generate(args.shell, &mut command, "causal", &mut std::io::stdout());
    Ok(serde_json::Value::Null)
}

/// Prints the man page (roff) on stdout.
pub fn man(command: clap::Command) -> Result<serde_json::Value, CliError> {
    clap_mangen::Man::new(command)
        .render(&mut std::io::stdout())
        .map_err(|e| CliError::Failure(format!("writing the man page: {e}")))?;
    Ok(serde_json::Value::Null)
}
