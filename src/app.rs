//! The binary's work: read inputs, run the scan, write the report. Progress
//! bars (indicatif) and messages live here, never in the library.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use lifted::ingest::{read_inputs, Corpus};
use lifted::manifest::Date;
use lifted::provenance::{read_manifest, Chronology};
use lifted::report::{self, Report};
use lifted::scan::{scan, Params, Progress, Stage};

use crate::cli::{
    CheckArgs, Cli, Command, Format, GenArgs, GenShape, InputArgs, MatchArgs, Order, ScanArgs,
};
use crate::output::{Replacement, Target};
use crate::signals::CANCEL;
use lifted::gen::Shape;

/// Run the command line; errors become exit code 2 in `main`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    crate::signals::install()?;
    match cli.command {
        Command::Scan(args) => on_pool(args.matching.threads, || run_scan(args)),
        Command::Check(args) => on_pool(args.matching.threads, || run_check(args)),
        Command::Gen(args) => run_gen(args),
        Command::Eval(a) => on_pool(a.matching.threads, || crate::eval_cmd::run(a, &CANCEL)),
        Command::Completions(args) => crate::completions::run(args),
        Command::Man(args) => crate::man::run(args),
        Command::Dedup(args) => on_pool(args.matching.threads, || crate::dedup_cmd::run(args)),
    }
}

/// Start `threads` worker threads (0: one per core) and run `work` on one of
/// them while the calling thread waits. Called from the main thread, every
/// parallel step of the pipeline would be handed to the pool and every
/// serial step between two of them come back (about a hundred round trips
/// in a scan, each waking a sleeping thread); run on a worker, the serial
/// steps stay there, the other workers steal the parallel work, and
/// `--threads N` means N threads working, not N plus the main thread. On the
/// 100 MB benchmark corpus the wall time did not change beyond the noise
/// (two A/B series of 7: 0.821 -> 0.843 s and 0.840 -> 0.820 s with 2
/// threads).
fn on_pool<R: Send>(threads: usize, work: impl FnOnce() -> Result<R> + Send) -> Result<R> {
    set_threads(threads)?;
    rayon::scope(|_| work())
}

/// indicatif bars on standard error, hidden when it is not a terminal or with --quiet.
struct Bars {
    enabled: bool,
    bar: RwLock<ProgressBar>,
    /// The stage running and when it began, for `--timings`.
    current: Mutex<Option<(&'static str, Instant)>>,
    timings: Timings,
}

/// Wall time per stage, in the order the stages ran.
#[derive(Default)]
struct Timings(Mutex<Vec<(&'static str, Duration)>>);

impl Timings {
    fn record(&self, stage: &'static str, took: Duration) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((stage, took));
    }

    /// Time `work` as `stage`.
    fn time<T>(&self, stage: &'static str, work: impl FnOnce() -> T) -> T {
        let began = Instant::now();
        let result = work();
        self.record(stage, began.elapsed());
        result
    }

    /// One line for standard error: each stage, then the total.
    fn line(&self) -> String {
        let timings = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let total: Duration = timings.iter().map(|t| t.1).sum();
        let mut line = String::from("lifted: timings:");
        for (stage, took) in timings.iter() {
            line.push_str(&format!(" {stage} {:.3} s,", took.as_secs_f64()));
        }
        line.push_str(&format!(" total {:.3} s", total.as_secs_f64()));
        line
    }
}

impl Bars {
    fn new(quiet: bool) -> Bars {
        Bars {
            enabled: !quiet && io::stderr().is_terminal(),
            bar: RwLock::new(ProgressBar::hidden()),
            current: Mutex::new(None),
            timings: Timings::default(),
        }
    }

    fn bar(&self) -> std::sync::RwLockReadGuard<'_, ProgressBar> {
        self.bar.read().unwrap_or_else(|e| e.into_inner())
    }
}

impl Progress for Bars {
    fn start(&self, stage: Stage, total: u64) {
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((stage.name(), Instant::now()));
        if !self.enabled {
            return;
        }
        let template = match stage {
            Stage::Signing => "{prefix:>10} {bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}",
            Stage::Banding => "{prefix:>10} {spinner} {len} segments",
            Stage::Verifying => "{prefix:>10} {bar:40} {pos}/{len} pairs {eta}",
            Stage::Joining => "{prefix:>10} {spinner} fingerprints",
            Stage::Aligning => "{prefix:>10} {bar:40} {pos}/{len} document pairs {eta}",
            Stage::Tracing => "{prefix:>10} {spinner} {len} aligned pairs",
        };
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_prefix(stage.name());
        *self.bar.write().unwrap_or_else(|e| e.into_inner()) = bar;
    }

    fn advance(&self, units: u64) {
        if self.enabled {
            self.bar().inc(units);
        }
    }

    fn finish(&self) {
        if let Some((stage, began)) = self
            .current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            self.timings.record(stage, began.elapsed());
        }
        if self.enabled {
            self.bar().finish_and_clear();
        }
    }
}

fn set_threads(threads: usize) -> Result<()> {
    // Bounded: `--threads 100000` tried to start 100,000 threads (issue 13).
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    lifted::scan::check_threads(threads, cores)?;
    if threads > 0 {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build_global()
            .context("cannot start the worker threads")?;
    }
    Ok(())
}

/// Read, scan, and build the map; with the stages' wall times.
fn build_report(input: &InputArgs, matching: &MatchArgs) -> Result<(Corpus, Report, Timings)> {
    let params: Params = matching.params()?;
    let bars = Bars::new(matching.quiet);
    let corpus = bars
        .timings
        .time("reading", || read_inputs(&input.paths, &input.options()))?;
    for warning in &corpus.warnings {
        eprintln!("lifted: warning: {warning}");
    }
    let chronology = chronology(&corpus, matching)?;
    let findings = scan(&corpus, &params, &chronology, &bars, &CANCEL)?;
    let report = bars.timings.time("reporting", || {
        Report::build(&corpus, &params, &chronology, &findings)
    });
    Ok((corpus, report, bars.timings))
}

pub(crate) fn chronology(corpus: &Corpus, matching: &MatchArgs) -> Result<Chronology> {
    let order: Vec<u32> = corpus.documents.iter().map(|d| d.order).collect();
    // Dates from the records (--date-field), then the manifest's, which win
    // document by document: a manifest can correct or complete the records.
    let mut dates: Vec<Option<Date>> = corpus.documents.iter().map(|d| d.date.clone()).collect();
    if let Some(path) = &matching.manifest {
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        let entries = read_manifest(path, &ids)?;
        for entry in entries {
            // read_manifest checked that every id is in the corpus, once.
            if let Ok(i) = ids.binary_search(&entry.id.as_str()) {
                dates[i] = Some(entry.date);
            }
        }
        return Ok(Chronology::Dates(dates));
    }
    if dates.iter().any(Option::is_some) {
        return Ok(Chronology::Dates(dates));
    }
    Ok(match matching.order {
        Order::Given => Chronology::Given(order),
        Order::None => Chronology::Unknown,
    })
}

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    let format = args
        .format
        .unwrap_or_else(|| default_format(args.output.as_deref()));
    // Where the report goes is checked before anything is read: a bad
    // --output fails at once, not after the scan, and never lands on an input.
    let mut inputs: Vec<&Path> = args.input.paths.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.matching.manifest.as_deref());
    if format == Format::Parquet {
        return write_tables(&args, &inputs);
    }
    let target = Target::prepare(args.output.as_deref(), &inputs)?;
    let (corpus, report, timings) = build_report(&args.input, &args.matching)?;
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match format {
            Format::Json => report::json::write(&report, out),
            Format::Text => report::text::write(&report, &corpus, out),
            Format::Csv => report::csv::write(&report, out),
            Format::Html => report::html::write(&report, &corpus, out),
            Format::Parquet => unreachable!("written by write_tables"),
        }
    };
    timings.time("writing", || target.write(write))?;
    if args.matching.timings {
        eprintln!("{}", timings.line());
    }
    // The process ends here: the system takes back the corpus's and the
    // report's memory at once, instead of millions of strings being freed one
    // by one (about 30 ms on the 100 MB benchmark corpus).
    std::mem::forget((corpus, report));
    Ok(ExitCode::SUCCESS)
}

/// `--format parquet`: the map's tables, one Parquet file each in the
/// folder given to --output (created if missing, and removed again if the
/// run fails before writing). Each file is checked before the scan and
/// replaced atomically, as a single report is.
fn write_tables(args: &ScanArgs, inputs: &[&Path]) -> Result<ExitCode> {
    let Some(folder) = args.output.as_deref().filter(|p| *p != Path::new("-")) else {
        anyhow::bail!(
            "--format parquet writes one file per table: name a folder with --output DIR"
        );
    };
    let failed = |source| lifted::Error::Write {
        path: folder.to_path_buf(),
        source,
    };
    let created = match std::fs::metadata(folder) {
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => anyhow::bail!(
            "{}: not a folder; --format parquet writes one file per table into the folder given to --output",
            folder.display()
        ),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            std::fs::create_dir_all(folder).map_err(failed)?;
            true
        }
        Err(e) => return Err(failed(e).into()),
    };
    let run = || -> Result<()> {
        let mut targets = Vec::new();
        for name in report::parquet::TABLES {
            let path = folder.join(format!("{name}.parquet"));
            targets.push((name, Target::prepare(Some(&path), inputs)?));
        }
        let (corpus, report, timings) = build_report(&args.input, &args.matching)?;
        timings.time("writing", || -> Result<()> {
            for (name, target) in targets {
                let bytes = report::parquet::table(&report, name).map_err(failed)?;
                target.write(|out| out.write_all(&bytes))?;
            }
            Ok(())
        })?;
        if args.matching.timings {
            eprintln!("{}", timings.line());
        }
        std::mem::forget((corpus, report));
        Ok(())
    };
    match run() {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(error) => {
            if created {
                // Empty unless a table was written: then it stays.
                let _ = std::fs::remove_dir(folder);
            }
            Err(error)
        }
    }
}

/// The format named by the output's extension, in any case (`map.HTML`).
fn default_format(output: Option<&Path>) -> Format {
    let output = output.filter(|p| *p != Path::new("-"));
    let extension = output
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match extension.as_deref() {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("html" | "htm") => Format::Html,
        Some("txt") => Format::Text,
        Some(_) => Format::Json,
        None if output.is_none() && io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}

fn run_check(args: CheckArgs) -> Result<ExitCode> {
    let expected = lifted::check::read_expected(&args.expected)?;
    let (_, report, timings) = build_report(&args.input, &args.matching)?;
    if args.matching.timings {
        eprintln!("{}", timings.line());
    }
    let differences = lifted::check::compare(&expected, &report, args.tolerance);
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let result = if differences.is_empty() {
        writeln!(
            out,
            "lifted check: OK: {} passages and {} links agree with {}",
            report.passages.len(),
            report.links.len(),
            lifted::report::escape::for_terminal(&args.expected.display().to_string())
        )
    } else {
        let mut text = format!(
            "lifted check: REGRESSION against {} ({} difference(s)):\n",
            lifted::report::escape::for_terminal(&args.expected.display().to_string()),
            differences.len()
        );
        for line in &differences {
            // Ids come from file names and JSONL: no raw controls on a terminal.
            text.push_str(&lifted::report::escape::for_terminal(line));
            text.push('\n');
        }
        text.push_str("to accept the new map, regenerate it with `lifted scan ... --format json --output FILE`\n");
        out.write_all(text.as_bytes())
    };
    match result {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            return Err(e).context("writing to standard output")
        }
        _ => {}
    }
    Ok(if differences.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run_gen(args: GenArgs) -> Result<ExitCode> {
    std::fs::create_dir_all(&args.out).map_err(|source| lifted::Error::Write {
        path: args.out.clone(),
        source,
    })?;
    let config = lifted::gen::GenConfig {
        seed: args.seed,
        size_bytes: args.size_mb.saturating_mul(1_000_000),
        copy_rate: args.copy_rate,
        shape: match args.shape {
            GenShape::Paragraphs => Shape::Paragraphs,
            GenShape::Versions => Shape::Versions,
            GenShape::Independent => Shape::Independent,
            GenShape::Rewritten => Shape::Rewritten,
        },
        noise: args.noise,
        ..lifted::gen::GenConfig::default()
    };
    // All files go through temporary files and are renamed only when all are whole.
    let corpus = Replacement::prepare(&args.out.join("corpus.jsonl"))?;
    let truth = Replacement::prepare(&args.out.join("truth.jsonl"))?;
    let stats = {
        let mut corpus_out = io::BufWriter::new(corpus.file());
        let mut truth_out = io::BufWriter::new(truth.file());
        let stats = lifted::gen::generate_until(&config, &mut corpus_out, &mut truth_out, &CANCEL)
            .map_err(|source| match source.kind() {
                io::ErrorKind::Interrupted => lifted::Error::Interrupted,
                _ => corpus.failed(source),
            })?;
        corpus_out.flush().map_err(|e| corpus.failed(e))?;
        truth_out.flush().map_err(|e| truth.failed(e))?;
        stats
    };
    let mut files = vec![corpus, truth];
    if !stats.dates.is_empty() {
        // The dates of the documents, for `lifted scan --manifest`.
        let manifest = Replacement::prepare(&args.out.join("manifest.csv"))?;
        let mut out = io::BufWriter::new(manifest.file());
        let written = writeln!(out, "id,date")
            .and_then(|()| {
                stats
                    .dates
                    .iter()
                    .try_for_each(|(id, date)| writeln!(out, "{id},{date}"))
            })
            .and_then(|()| out.flush());
        drop(out);
        written.map_err(|e| manifest.failed(e))?;
        files.push(manifest);
    }
    let shown: Vec<String> = files
        .iter()
        .map(|f| f.shown().display().to_string())
        .collect();
    let message = format!(
        "lifted gen: {} documents, {} paragraphs, {} bytes, {} planted copies -> {}",
        stats.documents,
        stats.paragraphs,
        stats.bytes,
        stats.planted,
        shown.join(", ")
    );
    crate::output::publish(files)?;
    eprintln!("{}", lifted::report::escape::for_terminal(&message));
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The extension names the format in any case; `-` is standard output.
    #[test]
    fn default_format_from_the_extension() {
        for (name, format) in [
            ("map.HTML", Format::Html),
            ("map.Htm", Format::Html),
            ("links.CSV", Format::Csv),
            ("map.Json", Format::Json),
            ("map.TXT", Format::Text),
            ("map.other", Format::Json),
        ] {
            assert_eq!(default_format(Some(Path::new(name))), format, "{name}");
        }
        assert_eq!(default_format(Some(Path::new("-"))), default_format(None));
    }
}
