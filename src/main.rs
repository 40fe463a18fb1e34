//! `lifted`: the command-line binary. It stays thin: parse, run, map errors
//! to exit codes (0 success, 1 regression found by `check`, 2 usage or input
//! error, 128 + the signal when interrupted: 130 for Ctrl-C). The work is in
//! the `lifted` library.

mod app;
mod cli;
mod completions;
mod dedup_cmd;
mod eval_cmd;
mod man;
mod output;
mod signals;
mod stage_cmd;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::Parser;
use lifted::report::escape::for_terminal;

fn main() -> ExitCode {
    tune_allocator();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return usage(error),
    };
    match app::run(cli) {
        Ok(code) => code,
        Err(error) => {
            let interrupted = matches!(
                error.downcast_ref::<lifted::Error>(),
                Some(lifted::Error::Interrupted)
            );
            eprintln!("lifted: {}", for_terminal(&message(&error)));
            ExitCode::from(if interrupted { 130 } else { 2 })
        }
    }
}

/// A command line clap refused, on one line with a pointer to the help
/// (clap's own message takes four or five); `--help` and `--version` print
/// as clap does, with exit code 0.
fn usage(error: clap::Error) -> ExitCode {
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::from(error.exit_code() as u8);
    }
    // The subcommand's help, when one was named (taken from the definition,
    // so a new subcommand needs no list kept by hand here).
    let names: Vec<String> = <cli::Cli as clap::CommandFactory>::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    let command = std::env::args()
        .skip(1)
        .find(|a| names.iter().any(|n| n == a))
        .map(|c| format!("lifted {c}"))
        .unwrap_or_else(|| "lifted".into());
    // Clap repeats the offending argument as given: escape its controls too.
    eprintln!(
        "lifted: {}; see `{command} --help`",
        for_terminal(&one_line(&error))
    );
    ExitCode::from(2)
}

/// Clap's message without its usage and "for more information" lines: the
/// first paragraph (a list of missing arguments joined with commas), and any
/// tip (`a similar argument exists: '--output'`).
fn one_line(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let mut paragraphs = text.split("\n\n");
    let first = paragraphs.next().unwrap_or_default();
    let mut lines = first.lines().map(str::trim).filter(|l| !l.is_empty());
    let mut line = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string();
    let rest: Vec<&str> = lines.collect();
    if !rest.is_empty() {
        line.push(' ');
        line.push_str(&rest.join(", "));
    }
    for tip in paragraphs.flat_map(str::lines).map(str::trim) {
        if let Some(tip) = tip.strip_prefix("tip: ") {
            line.push_str("; ");
            line.push_str(tip);
        }
    }
    line
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

/// Let glibc's malloc grow its per-thread heaps 64 MiB at a time (`M_TOP_PAD`)
/// instead of 128 KiB: reading a corpus allocates every document's text from
/// the worker threads, and each small growth was an `mprotect` call and a
/// trip through `sysmalloc`. On the 1 GB benchmark corpus reading took 1.16
/// -> 0.92 s and system time 2.2 -> 1.4 s (peak RSS fell, 1.79 -> 1.66 GB:
/// untouched padding is never resident); on 100 MB reading 0.121 -> 0.099 s.
/// Other platforms and allocators keep their defaults.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune_allocator() {
    use std::os::raw::c_int;
    unsafe extern "C" {
        /// glibc's `mallopt(3)`.
        fn mallopt(param: c_int, value: c_int) -> c_int;
    }
    /// `M_TOP_PAD` in glibc's `malloc.h`.
    const M_TOP_PAD: c_int = -2;
    // SAFETY: mallopt only sets a tuning parameter; it is called before any
    // thread is started, with a valid parameter and value.
    unsafe {
        mallopt(M_TOP_PAD, 64 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune_allocator() {}
