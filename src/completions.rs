//! `lifted completions SHELL`: the shell completion script (clap_complete),
//! on standard output, as ripgrep and fd ship theirs (issue 16). The script
//! is derived from the same clap definition as `--help`, so it never lags
//! behind a new flag.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

use crate::cli::Cli;
use crate::output::Target;

/// `lifted completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    ///
    /// Install: bash `lifted completions bash > ~/.local/share/bash-completion/completions/lifted`;
    /// zsh `lifted completions zsh > ~/.zfunc/_lifted` (with `fpath+=~/.zfunc` before `compinit`);
    /// fish `lifted completions fish > ~/.config/fish/completions/lifted.fish`.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: Shell,
}

/// Write the completion script for `args.shell` to standard output.
pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let target = Target::prepare(None, &[])?;
    target.write(|out| {
        let mut command = Cli::command();
        let mut script = Vec::new();
        clap_complete::generate(args.shell, &mut command, "lifted", &mut script);
        out.write_all(&script)
    })?;
    Ok(ExitCode::SUCCESS)
}
