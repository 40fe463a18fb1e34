//! The binary's work: read inputs, run the scan, write the report. Progress
//! bars (indicatif) and messages live here, never in the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use lifted::ingest::{read_inputs, Corpus};
use lifted::provenance::Chronology;
use lifted::report::{self, Report};
use lifted::scan::{scan, Findings, Params, Progress, Stage};

use crate::cli::{
    CheckArgs, Cli, Color, Command, Format, GenArgs, GenShape, InputArgs, MatchArgs, Order,
    ScanArgs,
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
        Command::Stage(a) => on_pool(a.scan.matching.threads, || crate::stage_cmd::run(a)),
        Command::Worker(a) => on_pool(a.matching.threads, || crate::stage_cmd::worker(a)),
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
pub(crate) struct Timings(Mutex<Vec<(&'static str, Duration)>>);

impl Timings {
    fn record(&self, stage: &'static str, took: Duration) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((stage, took));
    }

    /// Time `work` as `stage`.
    pub(crate) fn time<T>(&self, stage: &'static str, work: impl FnOnce() -> T) -> T {
        let began = Instant::now();
        let result = work();
        self.record(stage, began.elapsed());
        result
    }

    /// One line for standard error: each stage, then the total.
    pub(crate) fn line(&self) -> String {
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

/// A scan's corpus and findings, and what its map is made with.
struct Scanned {
    corpus: Corpus,
    traced: Traced,
}

/// Findings traced to their sources (by a scan, or read from the staged
/// route's files), what their map is made with, and the stages' wall times.
pub(crate) struct Traced {
    pub(crate) params: Params,
    pub(crate) chronology: Chronology,
    pub(crate) findings: Findings,
    pub(crate) shown: report::ReportOptions,
    pub(crate) timings: Timings,
}

impl Traced {
    /// Print the warnings of the limits the scan met (standard error).
    pub(crate) fn warn_limits(&self) {
        let max_bucket = self.params.options.max_bucket;
        for warning in report::limit_warnings(&self.findings.stats, max_bucket) {
            eprintln!("lifted: warning: {warning}");
        }
    }

    /// The tail of every JSON map `scan` and `stage report` write: the map's
    /// parts over `documents` (whose texts are read through `texts`), the
    /// limit warnings, the map written to `target` a group of entries at a
    /// time ([`report::json::write_parts`], timed as "writing"), then the
    /// `--timings` line. Errors name the output.
    pub(crate) fn write_json(
        &self,
        target: Target,
        documents: &dyn lifted::ingest::Documents,
        texts: &dyn report::TextFacts,
        args: &ScanArgs,
    ) -> Result<()> {
        let parts = report::MapParts::new(
            documents,
            texts,
            &self.params,
            &self.chronology,
            &self.findings,
            &self.shown,
        );
        self.warn_limits();
        self.timings.time("writing", || {
            target.write(|out| report::json::write_parts(&parts, out, args.layout()))
        })?;
        if args.matching.timings {
            eprintln!("{}", self.timings.line());
        }
        Ok(())
    }
}

/// Read and scan (the map to have excerpts of `excerpt` characters), with
/// the stages' wall times.
fn scan_inputs(input: &InputArgs, matching: &MatchArgs, excerpt: usize) -> Result<Scanned> {
    let params: Params = matching.params()?;
    let bars = Bars::new(matching.quiet);
    let corpus = bars
        .timings
        .time("reading", || read_inputs(&input.paths, &input.options()))?;
    for warning in &corpus.warnings {
        eprintln!("lifted: warning: {warning}");
    }
    let (chronology, labels) = chronology(&corpus, matching)?;
    let findings = scan(&corpus, &params, &chronology, &bars, &CANCEL)?;
    let shown = report::ReportOptions { excerpt, labels };
    Ok(Scanned {
        corpus,
        traced: Traced {
            params,
            chronology,
            findings,
            shown,
            timings: bars.timings,
        },
    })
}

/// Read, scan, and build the map (with excerpts of `excerpt` characters);
/// with the stages' wall times.
fn build_report(
    input: &InputArgs,
    matching: &MatchArgs,
    excerpt: usize,
) -> Result<(Corpus, Report, Timings)> {
    let Scanned { corpus, traced: t } = scan_inputs(input, matching, excerpt)?;
    let report = t.timings.time("reporting", || {
        Report::build_with(&corpus, &t.params, &t.chronology, &t.findings, &t.shown)
    });
    t.warn_limits();
    Ok((corpus, report, t.timings))
}

/// The documents' order in time and their manifest labels, from the
/// records' dates, `--manifest` and `--order` (see
/// [`lifted::provenance::chronology`]).
pub(crate) fn chronology(
    corpus: &dyn lifted::ingest::Documents,
    matching: &MatchArgs,
) -> Result<(Chronology, Vec<report::Label>)> {
    Ok(lifted::provenance::chronology(
        corpus,
        matching.manifest.as_deref(),
        matching.order == Order::Given,
    )?)
}

/// Above this many bytes of input, a one-page HTML report is big enough for
/// a browser to take long over it: a note suggests a folder instead.
const BIG_PAGE_INPUT: u64 = 16_000_000;

/// What makes the corpus and the map of a scan: [`build_report`], or the
/// report stage of the staged route (`lifted stage report`).
pub(crate) type Build<'a> =
    &'a dyn Fn(&InputArgs, &MatchArgs, usize) -> Result<(Corpus, Report, Timings)>;

fn run_scan(args: ScanArgs) -> Result<ExitCode> {
    if streams_json(&args, scan_format(&args)?) {
        return scan_json(&args);
    }
    run_scan_with(args, &build_report)
}

/// Whether a map in `format` is streamed a group of entries at a time
/// ([`scan_json`], and the report stage's `report_json`): JSON to one file
/// or standard output, every document shown.
pub(crate) fn streams_json(args: &ScanArgs, format: Format) -> bool {
    format == Format::Json && html_folder(args.output.as_deref()).is_none() && args.doc.is_empty()
}

/// The format of `lifted scan`'s report: as given, else HTML for a folder,
/// else by the output's extension.
pub(crate) fn scan_format(args: &ScanArgs) -> Result<Format> {
    Ok(match (args.format, html_folder(args.output.as_deref())) {
        (Some(format), _) => format,
        (None, Some(_)) => Format::Html,
        (None, None) => default_format(args.output.as_deref())?,
    })
}

/// `lifted scan` writing a JSON map to a file or standard output: the
/// entries are made a group at a time as the groups before them are
/// written ([`report::json::write_parts`], as the staged route's report
/// stage writes them), never the whole [`Report`]: making the entries
/// (code-point offsets, excerpts, ids) runs on the worker threads while
/// this one hands the bytes to the kernel, and the map's millions of
/// strings are never all held. The bytes are those of
/// [`report::json::write_as`] of [`Report::build_with`]. The reporting
/// stage is what comes before (the spans' code-point offsets), writing
/// the rest.
fn scan_json(args: &ScanArgs) -> Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.input.paths.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.matching.manifest.as_deref());
    // Checked before anything is read, as for every format.
    let target = Target::prepare(args.output.as_deref(), &inputs)?;
    let s = scan_inputs(&args.input, &args.matching, args.excerpt)?;
    let t = &s.traced;
    let texts = t.timings.time("reporting", || {
        report::CorpusTexts::new(&s.corpus, &t.findings)
    });
    t.write_json(target, &s.corpus, &texts, args)?;
    // As below: the system takes the memory back at once.
    std::mem::forget(texts);
    std::mem::forget(s);
    Ok(ExitCode::SUCCESS)
}

/// `lifted scan` with the map made by `build`.
pub(crate) fn run_scan_with(args: ScanArgs, build: Build) -> Result<ExitCode> {
    let folder = html_folder(args.output.as_deref());
    let format = scan_format(&args)?;
    // Where the report goes is checked before anything is read: a bad
    // --output fails at once, not after the scan, and never lands on an input.
    let mut inputs: Vec<&Path> = args.input.paths.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.matching.manifest.as_deref());
    if format == Format::Parquet {
        return write_tables(&args, &inputs, build);
    }
    if let Some(dir) = folder {
        if format != Format::Html {
            anyhow::bail!(
                "{}: a folder takes --format html (one page per document); other formats are one file: give a file name",
                dir.display()
            );
        }
        return run_scan_folder(&args, dir, &inputs, build);
    }
    let target = Target::prepare(args.output.as_deref(), &inputs)?;
    let to_terminal = match &args.output {
        None => io::stdout().is_terminal(),
        Some(path) => path == Path::new("-") && io::stdout().is_terminal(),
    };
    let text = report::text::TextOptions {
        details: args.details,
        docs: args.doc.clone(),
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        },
        excerpt: args.excerpt,
    };
    let (corpus, report, timings) = build(&args.input, &args.matching, args.excerpt)?;
    if format == Format::Html && corpus.bytes() > BIG_PAGE_INPUT && !args.matching.quiet {
        eprintln!(
            "lifted: note: one HTML page for {} MB of input is slow to open in a browser; --output DIR/ writes an index and one page per document",
            corpus.bytes() / 1_000_000
        );
    }
    for id in &args.doc {
        if report.document_index(id).is_none() {
            anyhow::bail!(
                "--doc {}: no document has this id (the ids are those of the JSON report's documents, e.g. {})",
                report::escape::for_terminal(id),
                report
                    .documents
                    .first()
                    .map_or("none".into(), |d| report::escape::for_terminal(&d.id))
            );
        }
    }
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match format {
            Format::Json => report::json::write_as(&report, out, args.layout()),
            Format::Jsonl => report::jsonl::write(&report, out),
            Format::Text => report::text::write_with(&report, &corpus, &text, out),
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

/// The folder of an HTML report in pages: an `--output` ending in `/`. A
/// folder named without the slash is refused as before (issue 13): writing
/// pages into a folder is asked for, never guessed.
pub(crate) fn html_folder(output: Option<&Path>) -> Option<&Path> {
    let output = output?;
    output
        .as_os_str()
        .as_encoded_bytes()
        .ends_with(b"/")
        .then_some(output)
}

/// `lifted scan --format html --output DIR/`: `index.html` and one page per
/// document with lifted or reused text. The folder is created if missing and
/// checked like a file output (never inside a scanned folder); each page is
/// written whole (temporary file, then renamed), the index last; pages of an
/// earlier report in the folder that this one does not have are removed.
fn run_scan_folder(
    args: &ScanArgs,
    dir: &Path,
    inputs: &[&Path],
    build: Build,
) -> Result<ExitCode> {
    let created = !dir.exists();
    create_folder(dir, "--output DIR/ (the HTML pages)")?;
    let index = match Target::prepare(Some(&dir.join("index.html")), inputs) {
        Ok(target) => target,
        Err(e) => {
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            return Err(e);
        }
    };
    let (corpus, report, timings) = build(&args.input, &args.matching, args.excerpt)?;
    let site = report::html::Site::new(&report, &corpus, true);
    let pages = site.pages();
    timings.time("writing", || -> Result<()> {
        for &page in &pages[1..] {
            let target = Target::prepare(Some(&dir.join(page.file_name())), inputs)?;
            target.write(|out| site.write_page(page, out))?;
        }
        index.write(|out| site.write_page(report::html::Page::Index, out))?;
        remove_stale_pages(dir, &pages)
    })?;
    if args.matching.timings {
        eprintln!("{}", timings.line());
    }
    std::mem::forget((corpus, report));
    Ok(ExitCode::SUCCESS)
}

/// Remove the `doc-{n}.html` pages of an earlier report that `pages` does
/// not have (regular files with exactly that name pattern, nothing else).
fn remove_stale_pages(dir: &Path, pages: &[report::html::Page]) -> Result<()> {
    let written: std::collections::HashSet<String> = pages.iter().map(|p| p.file_name()).collect();
    let entries = std::fs::read_dir(dir).map_err(|source| lifted::Error::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let page = name
            .strip_prefix("doc-")
            .and_then(|n| n.strip_suffix(".html"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let file = entry.file_type().is_ok_and(|t| t.is_file());
        if page && file && !written.contains(name) {
            std::fs::remove_file(entry.path()).map_err(|source| lifted::Error::Write {
                path: entry.path(),
                source,
            })?;
        }
    }
    Ok(())
}

/// `--format parquet`: the map's tables, one Parquet file each in the
/// folder given to --output (created if missing, and removed again if the
/// run fails before writing). Each file is checked before the scan and
/// replaced atomically, as a single report is.
fn write_tables(args: &ScanArgs, inputs: &[&Path], build: Build) -> Result<ExitCode> {
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
        let (corpus, report, timings) = build(&args.input, &args.matching, args.excerpt)?;
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

/// Create the folder `dir` (and its parents) that `flag` names. An existing
/// file there is named as such: it used to be "cannot write: File exists;
/// check that the folder exists and is writable".
pub(crate) fn create_folder(dir: &Path, flag: &str) -> Result<()> {
    // `file/` does not exist for `stat`: look at `file`.
    let named: PathBuf = dir.components().collect();
    if named.exists() && !named.is_dir() {
        anyhow::bail!(
            "{}: a file, not a folder; {flag} takes a folder: name another",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir).map_err(|source| lifted::Error::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// Extensions that promise a binary or compressed file, which a report
/// written as text must not be named with.
pub(crate) const PACKED_KINDS: [&str; 9] = [
    "parquet", "arrow", "ipc", "feather", "gz", "zst", "bz2", "xz", "zip",
];

/// The extension of `path`, in lower case.
pub(crate) fn extension_of(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// The format named by the output's extension, in any case (`map.HTML`).
/// A name that promises a binary or compressed format lifted does not write
/// there (`map.parquet`, `map.json.gz`) is refused: JSON used to land in it
/// without a word.
pub(crate) fn default_format(output: Option<&Path>) -> Result<Format> {
    let output = output.filter(|p| *p != Path::new("-"));
    let extension = output.and_then(extension_of);
    Ok(match extension.as_deref() {
        Some("json") => Format::Json,
        Some("jsonl") => Format::Jsonl,
        Some("csv") => Format::Csv,
        Some("html" | "htm") => Format::Html,
        Some("txt") => Format::Text,
        Some(kind) if PACKED_KINDS.contains(&kind) => anyhow::bail!(
            "{}: the report would be JSON, not .{kind}: pass --format json to write JSON under this name anyway{}",
            output.map_or(String::new(), |p| p.display().to_string()),
            if kind == "parquet" {
                ", or --format parquet --output DIR/ for the map's tables as Parquet files"
            } else {
                ", or compress the report after it is written"
            }
        ),
        Some(_) => Format::Json,
        None if output.is_none() && io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    })
}

fn run_check(args: CheckArgs) -> Result<ExitCode> {
    let expected = lifted::check::read_expected(&args.expected)?;
    let (_, report, timings) = build_report(&args.input, &args.matching, report::EXCERPT)?;
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
    create_folder(&args.out, "--out")?;
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
            ("links.JSONL", Format::Jsonl),
            ("map.TXT", Format::Text),
            ("map.other", Format::Json),
        ] {
            assert_eq!(
                default_format(Some(Path::new(name))).unwrap(),
                format,
                "{name}"
            );
        }
        assert_eq!(
            default_format(Some(Path::new("-"))).unwrap(),
            default_format(None).unwrap()
        );
        for name in ["map.parquet", "map.Arrow", "map.json.gz", "links.csv.zst"] {
            let refused = default_format(Some(Path::new(name)))
                .unwrap_err()
                .to_string();
            assert!(refused.contains("--format json"), "{name}: {refused}");
        }
    }
}
