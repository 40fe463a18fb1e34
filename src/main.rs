//! `lifted`: the command-line binary. It stays thin: parse, run, map errors
//! to exit codes (0 success, 1 regression found by `check`, 2 usage or input
//! error, 130 interrupted). The work is in the `lifted` library.

mod app;
mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match app::run(cli) {
        Ok(code) => code,
        Err(error) => {
            let interrupted = matches!(
                error.downcast_ref::<lifted::Error>(),
                Some(lifted::Error::Interrupted)
            );
            eprintln!("lifted: {}", message(&error));
            ExitCode::from(if interrupted { 130 } else { 2 })
        }
    }
}

/// The error and its causes on one line, each cause once: library errors
/// already quote the operating system's reason that they also expose as
/// their source.
fn message(error: &anyhow::Error) -> String {
    let mut text = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}
