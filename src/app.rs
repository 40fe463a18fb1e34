//! The binary's work: read inputs, run the scan, write the report. Progress
//! bars (indicatif) and messages live here, never in the library.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};

use lifted::ingest::{read_inputs, Corpus};
use lifted::provenance::{read_manifest, Chronology};
use lifted::report::{self, Report};
use lifted::scan::{scan, Params, Progress, Stage};

use crate::cli::{CheckArgs, Cli, Command, Format, GenArgs, InputArgs, MatchArgs, Order, ScanArgs};

/// Set by Ctrl-C; polled by the library between documents and stages.
static CANCEL: AtomicBool = AtomicBool::new(false);

/// Run the command line; errors become exit code 2 in `main`.
pub fn run(cli: Cli) -> Result<ExitCode> {
    // A second Ctrl-C exits at once; the first lets the run stop cleanly, so
    // that no partial output is left behind.
    let _ = ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    match cli.command {
        Command::Scan(args) => on_pool(args.matching.threads, || run_scan(args)),
        Command::Check(args) => on_pool(args.matching.threads, || run_check(args)),
        Command::Gen(args) => run_gen(args),
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

fn chronology(corpus: &Corpus, matching: &MatchArgs) -> Result<Chronology> {
    let order: Vec<u32> = corpus.documents.iter().map(|d| d.order).collect();
    if let Some(path) = &matching.manifest {
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        let entries = read_manifest(path, &ids)?;
        let mut dates = vec![None; ids.len()];
        for entry in entries {
            if let Ok(i) = ids.binary_search(&entry.id.as_str()) {
                dates[i] = Some(entry.date);
            }
        }
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
    let (corpus, report, timings) = build_report(&args.input, &args.matching)?;
    let write = |out: &mut dyn Write| -> io::Result<()> {
        match format {
            Format::Json => report::json::write(&report, out),
            Format::Text => report::text::write(&report, &corpus, out),
            Format::Csv => report::csv::write(&report, out),
            Format::Html => report::html::write(&report, &corpus, out),
        }
    };
    timings.time("writing", || match &args.output {
        Some(path) => write_atomically(path, write),
        None => write_stdout(write),
    })?;
    if args.matching.timings {
        eprintln!("{}", timings.line());
    }
    // The process ends here: the system takes back the corpus's and the
    // report's memory at once, instead of millions of strings being freed one
    // by one (about 30 ms on the 100 MB benchmark corpus).
    std::mem::forget((corpus, report));
    Ok(ExitCode::SUCCESS)
}

fn default_format(output: Option<&Path>) -> Format {
    match output.and_then(|p| p.extension()).and_then(|e| e.to_str()) {
        Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("html" | "htm") => Format::Html,
        Some("txt") => Format::Text,
        Some(_) => Format::Json,
        None if output.is_none() && io::stdout().is_terminal() => Format::Text,
        None => Format::Json,
    }
}

/// Standard output, buffered; a closed pipe (`lifted scan ... | head`) ends quietly.
fn write_stdout(write: impl Fn(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing to standard output"),
    }
}

/// Write to a temporary file beside `path`, then rename it over `path`: a
/// failure or an interruption never leaves a partial file.
///
/// The file is not fsynced before the rename. A report is derived data that
/// a rerun reproduces byte for byte, and the fsync cost 10 to 150 ms of a
/// 1.4 s scan of the 100 MB benchmark corpus (most of `writing`), as it would
/// on every CI run. The price: after a power cut or kernel crash (not a
/// failure or Ctrl-C of lifted) the report may be missing or empty until the
/// scan is run again.
fn write_atomically(path: &Path, write: impl Fn(&mut dyn Write) -> io::Result<()>) -> Result<()> {
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let failed = |source: io::Error| lifted::Error::Write {
        path: path.to_path_buf(),
        source,
    };
    let temporary = tempfile::Builder::new()
        .prefix(".lifted-")
        .suffix(".tmp")
        .tempfile_in(&folder)
        .map_err(failed)?;
    {
        // On ext4, renamed over an existing file, a new file's dirty pages
        // are all flushed by the rename itself (auto_da_alloc: 15 ms for the
        // 32 MB report of the 100 MB benchmark corpus, on one thread at the
        // very end). Starting that writeback as the report is written spreads
        // it over the serialization instead. Elsewhere the pages are left to
        // the kernel: writing them back early could only make a run wait for
        // a slow disk.
        let eager = path.exists() && on_ext4(temporary.as_file());
        let mut file = WriteBack::new(temporary.as_file(), eager);
        let mut out = io::BufWriter::new(&mut file);
        write(&mut out).and_then(|()| out.flush()).map_err(failed)?;
    }
    if CANCEL.load(Ordering::SeqCst) {
        return Err(lifted::Error::Interrupted.into());
    }
    publish(temporary, path)
}

/// Whether `file` is on an ext2/3/4 file system (Linux only).
#[cfg(target_os = "linux")]
fn on_ext4(file: &std::fs::File) -> bool {
    use std::os::fd::AsRawFd;
    const EXT4_SUPER_MAGIC: libc::c_long = 0xEF53;
    let mut stats = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs writes a whole `statfs` into the buffer when it
    // returns 0, and the buffer is read only then.
    unsafe {
        libc::fstatfs(file.as_raw_fd(), stats.as_mut_ptr()) == 0
            && stats.assume_init().f_type as libc::c_long == EXT4_SUPER_MAGIC
    }
}

#[cfg(not(target_os = "linux"))]
fn on_ext4(_file: &std::fs::File) -> bool {
    false
}

/// A file writer that, when `eager`, asks the kernel to start writing back
/// each [`WriteBack::STEP`] bytes once they are written (Linux only, a no-op
/// elsewhere; a hint, whose failure changes nothing).
struct WriteBack<'f> {
    file: &'f std::fs::File,
    eager: bool,
    written: u64,
    started: u64,
}

impl<'f> WriteBack<'f> {
    const STEP: u64 = 4 << 20;

    fn new(file: &'f std::fs::File, eager: bool) -> Self {
        WriteBack {
            file,
            eager,
            written: 0,
            started: 0,
        }
    }

    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        let length = self.written - self.started;
        // SAFETY: a plain system call on an open descriptor; it reads no
        // memory of ours.
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                self.started as libc::off64_t,
                length as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }

    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl Write for WriteBack<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let mut file = self.file;
        let n = file.write(bytes)?;
        self.written += n as u64;
        if self.eager && self.written - self.started >= Self::STEP {
            self.start_writeback();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        let mut file = self.file;
        file.flush()
    }
}

/// Give a finished temporary file the usual permissions (temporary files are
/// created private) and rename it into place.
fn publish(temporary: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    let failed = |source: io::Error| lifted::Error::Write {
        path: path.to_path_buf(),
        source,
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temporary.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(failed)?;
    }
    temporary.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
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
            args.expected.display()
        )
    } else {
        let mut text = format!(
            "lifted check: REGRESSION against {} ({} difference(s)):\n",
            args.expected.display(),
            differences.len()
        );
        for line in &differences {
            text.push_str(line);
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
        ..lifted::gen::GenConfig::default()
    };
    let corpus_path = args.out.join("corpus.jsonl");
    let truth_path = args.out.join("truth.jsonl");
    // Both files go through temporary files and are renamed only when both are whole.
    let temporary = |path: &Path| {
        tempfile::Builder::new()
            .prefix(".lifted-")
            .suffix(".tmp")
            .tempfile_in(&args.out)
            .map_err(|source| lifted::Error::Write {
                path: path.to_path_buf(),
                source,
            })
    };
    let (corpus, truth) = (temporary(&corpus_path)?, temporary(&truth_path)?);
    let stats = {
        let mut corpus_out = io::BufWriter::new(corpus.as_file());
        let mut truth_out = io::BufWriter::new(truth.as_file());
        let stats =
            lifted::gen::generate(&config, &mut corpus_out, &mut truth_out).map_err(|source| {
                lifted::Error::Write {
                    path: corpus_path.clone(),
                    source,
                }
            })?;
        corpus_out.flush().map_err(|source| lifted::Error::Write {
            path: corpus_path.clone(),
            source,
        })?;
        truth_out.flush().map_err(|source| lifted::Error::Write {
            path: truth_path.clone(),
            source,
        })?;
        stats
    };
    if CANCEL.load(Ordering::SeqCst) {
        return Err(lifted::Error::Interrupted.into());
    }
    publish(corpus, &corpus_path)?;
    publish(truth, &truth_path)?;
    eprintln!(
        "lifted gen: {} documents, {} paragraphs, {} bytes, {} planted copies -> {}, {}",
        stats.documents,
        stats.paragraphs,
        stats.bytes,
        stats.planted,
        corpus_path.display(),
        truth_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writing back as it goes, the file gets every byte, in order, across
    /// several steps and odd-sized writes.
    #[test]
    fn write_back_writes_every_byte() {
        for eager in [false, true] {
            let file = tempfile::tempfile().unwrap();
            let bytes: Vec<u8> = (0..(3 * WriteBack::STEP as usize + 12_345))
                .map(|i| (i * 31 % 251) as u8)
                .collect();
            let mut writer = WriteBack::new(&file, eager);
            for piece in bytes.chunks(1_000_003) {
                writer.write_all(piece).unwrap();
            }
            writer.flush().unwrap();
            assert_eq!(writer.written, bytes.len() as u64);
            assert_eq!(writer.started > 0, eager && cfg!(target_os = "linux"));
            let mut read = Vec::new();
            use std::io::{Read, Seek};
            let mut file = file;
            file.seek(io::SeekFrom::Start(0)).unwrap();
            file.read_to_end(&mut read).unwrap();
            assert!(read == bytes, "eager {eager}: the file differs");
        }
    }
}
