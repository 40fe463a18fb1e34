//! `lifted man`: the manual page (clap_mangen), generated from the same clap
//! definition as `--help` (issue 16). Without `--output` the page of `lifted`
//! itself goes to standard output (`lifted man | man -l -`); with `--output
//! DIR` one page per command is written there (`lifted.1`, `lifted-scan.1`,
//! ...), ready for a `man1` folder.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_mangen::Man;

use crate::cli::Cli;
use crate::output::{publish, Replacement, Target};

/// `lifted man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write one page per command (`lifted.1`, `lifted-scan.1`, ...) into DIR
    /// (created if missing) instead of the page of `lifted` to standard output.
    #[arg(long, short, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Write the manual page(s).
pub fn run(args: ManArgs) -> Result<ExitCode> {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    match args.output {
        None => {
            let target = Target::prepare(None, &[])?;
            target.write(|out| Man::new(command.clone()).render(out))?;
        }
        Some(dir) => {
            crate::app::create_folder(&dir, "--output")?;
            // Every page goes through a temporary file; all are renamed
            // into place once all are whole.
            let mut pages = Vec::new();
            for page in pages_of(&command) {
                let replacement = Replacement::prepare(&dir.join(page.get_filename()))?;
                let mut out = std::io::BufWriter::new(replacement.file());
                page.render(&mut out)
                    .and_then(|()| out.flush())
                    .map_err(|e| replacement.failed(e))?;
                drop(out);
                pages.push(replacement);
            }
            let written: Vec<String> = pages
                .iter()
                .map(|p| p.shown().display().to_string())
                .collect();
            publish(pages)?;
            eprintln!(
                "lifted man: wrote {}",
                lifted::report::escape::for_terminal(&written.join(", "))
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The page of `command` and of each of its subcommands, named
/// `lifted-scan` and so on as clap names them once built.
fn pages_of(command: &clap::Command) -> Vec<Man> {
    let mut pages = vec![Man::new(command.clone())];
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        pages.extend(pages_of(sub));
    }
    pages
}
