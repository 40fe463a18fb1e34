//! `lifted stage` and `lifted worker`: the staged route of issue 15 (see
//! [`lifted::stage`] for the stages and the work folder's layout). The
//! report stage goes through `lifted scan`'s own writing code, with the map
//! built from the stages' files instead of a scan.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use lifted::report::{self, Report};
use lifted::stage::files::{self, Shard, Work};
use lifted::stage::{columns, worker as workers, Keys};

use crate::app::{run_scan_with, scan_format, streams_json, Timings, Traced};
use crate::cli::{Format, InputArgs, MatchArgs, ScanArgs};
use crate::output::Target;
use crate::signals::CANCEL;

/// The stages, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StageName {
    /// Read this rank's share of the inputs (a byte range of each JSONL file, every N-th other file).
    Ingest,
    /// Band hashes of every segment of --min-words words or more, winnowed fingerprints and the segment count of every document.
    Sign,
    /// Group the band and fingerprint rows this rank owns into candidate pairs.
    Candidates,
    /// Verify and align the candidate pairs this rank owns.
    Align,
    /// Cluster, trace provenance and write the map (one process, --rank 0).
    Report,
}

/// `lifted stage`.
#[derive(Debug, Args)]
pub struct StageArgs {
    /// The stage to run.
    #[arg(value_enum)]
    pub name: StageName,
    /// This process's rank, 0 to --world-size - 1 (a job array's task id).
    #[arg(long, value_name = "R")]
    pub rank: usize,
    /// How many processes run each stage; the same at every stage.
    #[arg(long, value_name = "N")]
    pub world_size: usize,
    /// The folder the stages share (created if missing).
    #[arg(long, value_name = "DIR")]
    pub work: PathBuf,
    /// Tests only: keep this many bits of the document keys, so that two
    /// ids with one key can be made.
    #[arg(long, hide = true, default_value_t = 64)]
    pub key_bits: u32,
    /// The flags and paths of `lifted scan`.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// The per-partition transforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum WorkerName {
    /// Rows `doc int64, text binary|utf8` -> `band int32, key int64, doc int64, segment int32`.
    Sign,
    /// Rows `a int64, a_segment int32, b int64, b_segment int32, a_id, a_text,
    /// b_id, b_text` (every row of a document pair in one call) -> results.
    Align,
}

/// `lifted worker`.
#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// The transform.
    #[arg(value_enum)]
    pub name: WorkerName,
    /// Matching options (those of `lifted scan`).
    #[command(flatten)]
    pub matching: MatchArgs,
}

/// Run one stage.
pub fn run(args: StageArgs) -> Result<ExitCode> {
    let shard = Shard::new(args.rank, args.world_size)?;
    let params = args.scan.matching.params()?;
    let work = Work {
        root: args.work.clone(),
        shard,
        settings: lifted::stage::settings::Settings::of(&params),
    };
    match args.name {
        StageName::Ingest => {
            if !(1..=64).contains(&args.key_bits) {
                anyhow::bail!("--key-bits {} is outside 1..=64", args.key_bits);
            }
            let keys = Keys {
                bits: args.key_bits,
            };
            files::ingest(
                &work,
                &args.scan.input.paths,
                &args.scan.input.options(),
                keys,
            )?;
        }
        StageName::Sign => files::sign(&work, &params, &CANCEL)?,
        StageName::Candidates => files::candidates(&work, &params)?,
        StageName::Align => files::align_stage(&work, &params, &CANCEL)?,
        StageName::Report => {
            if shard.rank != 0 {
                anyhow::bail!(
                    "--rank {}: the report stage is one process; run it with --rank 0 (and the same --world-size)",
                    shard.rank
                );
            }
            // The text and HTML writers show the texts; the others need
            // only lengths, character offsets and excerpts, gathered in a
            // pass over the ingest tables without holding the texts.
            let format = scan_format(&args.scan)?;
            let texts = matches!(format, Format::Text | Format::Html);
            if streams_json(&args.scan, format) {
                return report_json(&work, &args.scan);
            }
            let build = |input: &InputArgs, matching: &MatchArgs, excerpt: usize| {
                build_from_stages(&work, input, matching, excerpt, texts)
            };
            return run_scan_with(args.scan, &build);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What the map is made from, read from the stages' files.
struct Gathered {
    catalog: lifted::ingest::Catalog,
    traced: Traced,
    /// Without the texts: what the map needs of them.
    facts: Option<files::StreamedTexts>,
}

/// Read the stages' files and trace provenance as `build_report` does
/// after a scan; what the map needs of the texts ([`Gathered::facts`])
/// unless `texts` (the caller then reads the texts whole).
fn gather(
    work: &Work,
    input: &InputArgs,
    matching: &MatchArgs,
    excerpt: usize,
    texts: bool,
) -> Result<Gathered> {
    let params = matching.params()?;
    let timings = Timings::default();
    let read = timings.time("reading", || files::report_inputs(work))?;
    let files::ReportInputs {
        catalog,
        keys: _,
        lengths,
        results,
        stats,
    } = read;
    let catalog = lifted::ingest::check_documents(catalog, &input.paths, &input.options())?;
    for warning in &catalog.warnings {
        eprintln!("lifted: warning: {warning}");
    }
    let (chronology, labels) = crate::app::chronology(&catalog, matching)?;
    let findings = timings.time("tracing", || {
        results.finish(&lengths, stats, &chronology, &params.options)
    });
    let mut findings = findings.map_err(|fault| fault.at(&work.root.join("align")))?;
    // The map shows pairs, passages and provenance only: the aligned spans
    // and document pairs they came from can go (millions of rows at 5 GB),
    // and the memory clustering and tracing used on the worker threads is
    // given back before the texts are read again.
    findings.aligned = Vec::new();
    findings.document_pairs = Vec::new();
    release_free_memory();
    let facts = if texts {
        None
    } else {
        Some(timings.time("reading", || {
            files::text_facts(work, &catalog, lengths, &findings, excerpt)
        })?)
    };
    Ok(Gathered {
        catalog,
        traced: Traced {
            params,
            chronology,
            findings,
            shown: report::ReportOptions { excerpt, labels },
            timings,
        },
        facts,
    })
}

/// Give the memory malloc holds free back to the system (glibc's
/// `malloc_trim`): what the worker threads' heaps freed would otherwise stay
/// resident while the main thread allocates anew.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_free_memory() {
    unsafe extern "C" {
        /// glibc's `malloc_trim(3)`.
        fn malloc_trim(pad: usize) -> std::os::raw::c_int;
    }
    // SAFETY: malloc_trim only returns free pages to the system.
    unsafe {
        malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_free_memory() {}

/// The corpus and the map from the stages' files, as `build_report` makes
/// them from a scan; the corpus (with its texts) only when `texts` (else
/// none: the map is made from the catalog and the facts).
fn build_from_stages(
    work: &Work,
    input: &InputArgs,
    matching: &MatchArgs,
    excerpt: usize,
    texts: bool,
) -> Result<(lifted::ingest::Corpus, Report, Timings)> {
    let Gathered {
        catalog,
        traced: t,
        facts,
    } = gather(work, input, matching, excerpt, texts)?;
    let corpus = match &facts {
        None => t
            .timings
            .time("reading", || files::report_corpus(work, &catalog))?,
        Some(_) => lifted::ingest::Corpus::default(),
    };
    let report = t.timings.time("reporting", || match &facts {
        None => Report::build_with(&corpus, &t.params, &t.chronology, &t.findings, &t.shown),
        Some(facts) => Report::build_from(
            &catalog,
            facts,
            &t.params,
            &t.chronology,
            &t.findings,
            &t.shown,
        ),
    });
    t.warn_limits();
    Ok((corpus, report, t.timings))
}

/// The report stage writing a JSON map (to a file or standard output): the
/// entries made a group at a time as they are written
/// ([`report::json::write_parts`]), so that neither the corpus's text nor
/// the whole map is held. The bytes are those `lifted scan` writes.
fn report_json(work: &Work, args: &ScanArgs) -> Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.input.paths.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.matching.manifest.as_deref());
    // Checked before anything is read, as `scan` does.
    let target = Target::prepare(args.output.as_deref(), &inputs)?;
    let g = gather(work, &args.input, &args.matching, args.excerpt, false)?;
    let facts = g.facts.as_ref().expect("gathered without the texts");
    g.traced.write_json(target, &g.catalog, facts, args)?;
    // As `scan`: the system takes the memory back at once.
    std::mem::forget(g);
    Ok(ExitCode::SUCCESS)
}

/// Run a worker: Arrow IPC stream in, Arrow IPC stream out.
pub fn worker(args: WorkerArgs) -> Result<ExitCode> {
    let params = args.matching.params()?;
    let batches = workers::read_stream(io::stdin().lock())?;
    let (schema, out) = match args.name {
        WorkerName::Sign => (
            columns::signs_schema(),
            workers::worker_sign(&batches, &params)?,
        ),
        WorkerName::Align => (
            columns::results_schema(),
            workers::worker_align(&batches, &params, &CANCEL)?,
        ),
    };
    drop(batches);
    let stdout = io::stdout();
    let mut output = io::BufWriter::new(stdout.lock());
    let written = workers::write_stream(&mut output, schema, &out).and_then(|()| output.flush());
    match written {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        other => {
            other.context("writing the Arrow IPC stream to standard output")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
