//! Command-line interface: clap types (their doc comments are the `--help`
//! text), converted once into the library's checked [`Params`].

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use lifted::ingest::IngestOptions;
use lifted::normalize::NormalizeOptions;
use lifted::provenance::BoilerplateOptions;
use lifted::scan::{Params, ScanOptions};

/// Find text lifted from one document into others, at span level, and say
/// where it came from.
///
/// Exit codes: 0 success; 1 `check` found a regression; 2 usage or input error;
/// 128 + the signal when interrupted (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP; no
/// partial or temporary file is left).
#[derive(Debug, Parser)]
#[command(name = "lifted", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan documents for lifted passages and print the provenance map.
    ///
    /// Example: lifted scan fixtures/lemonde --manifest fixtures/lemonde/manifest.csv
    Scan(ScanArgs),
    /// Rescan and compare with a golden map: exit 0 when they agree, 1 on a regression.
    ///
    /// Make the golden map with `lifted scan ... --format json --output golden.json`,
    /// then run `lifted check --expected golden.json` with the same inputs and options.
    Check(CheckArgs),
    /// Generate a synthetic corpus with planted reuse and its ground truth (for benchmarks).
    Gen(GenArgs),
    /// Score the scan against an annotated benchmark: precision, recall,
    /// granularity and plagdet per kind of reuse.
    ///
    /// Example: lifted eval pan ../shared/pan13-train
    Eval(EvalArgs),
    /// Print the shell completion script for bash, zsh, fish, powershell or elvish.
    Completions(crate::completions::CompletionsArgs),
    /// Print the manual page (roff), or write one page per command with --output DIR.
    Man(crate::man::ManArgs),
    /// Write the corpus back without near-duplicate documents (or paragraphs).
    ///
    /// Two documents (or paragraphs) are near-duplicates when the exact Jaccard
    /// similarity of their shingle sets reaches --threshold; of each cluster of
    /// near-duplicates the earliest stays: by --manifest date, else the first in
    /// input order. --order, --pairs-only, --within-doc, --max-gap, --timings and
    /// the boilerplate options do not apply.
    ///
    /// Example: lifted dedup corpus.jsonl --output deduped.jsonl --threshold 0.8
    Dedup(DedupArgs),
    /// Run one stage of the sharded pipeline (a job array's task): ingest,
    /// sign, candidates, align, then report (one process, --rank 0).
    ///
    /// Every stage takes the flags and paths of `lifted scan`; the report
    /// writes what `lifted scan ... --output MAP` writes. A table made with
    /// other matching flags (--ngram, --threshold, --preset ...) than this
    /// stage's is refused, naming the file and the flag. See README: Scaling out.
    ///
    /// Example: lifted stage sign --rank 0 --world-size 4 --work work/ corpus.jsonl
    Stage(crate::stage_cmd::StageArgs),
    /// Transform Arrow IPC record batches from standard input to standard
    /// output, one stage for one partition (Spark's `DataFrame.mapInArrow`):
    /// sign (document rows -> sign rows) or align (edge rows with texts -> results).
    Worker(crate::stage_cmd::WorkerArgs),
}

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary: documents by share lifted, with their main source; spans
    /// and excerpts with --details or --doc.
    Text,
    /// The full provenance map (see README: Output schema): one line per
    /// document, pair, passage and link; --pretty or --compact for others.
    Json,
    /// The same map as JSON Lines: one record per line with a "type" field
    /// (header, document, pair, passage, link, warning, end), read line by line.
    Jsonl,
    /// One row per link.
    Csv,
    /// One self-contained page with lifted spans highlighted; with
    /// `--output DIR/`, an index and one page per document.
    Html,
    /// The map's tables (documents, passages, links, pairs) as Parquet files
    /// in the folder given to --output.
    Parquet,
}

/// Pipeline presets (`--preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// Today's pipeline: exact seeds, small gaps.
    Fast,
    /// Also rewritten reuse: short seeds, gaps adaptive to match density.
    Thorough,
}

/// When to colour the text report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// When standard output is a terminal and NO_COLOR is not set.
    Auto,
    /// Always (even with NO_COLOR).
    Always,
    /// Never.
    Never,
}

/// How to order documents in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Order {
    /// No order known: links are undirected (unless --manifest gives dates).
    None,
    /// The order of the inputs is chronological (earliest first).
    Given,
}

/// Inputs and how to read them.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files, folders (read recursively, sorted; hidden entries and entries matched
    /// by a `.liftedignore` file are skipped), `-` for standard input, JSONL
    /// files (`.jsonl`, `.jsonl.gz`, `.json.gz`, `.jsonl.zst`), Parquet files
    /// (`.parquet`, or a folder of Parquet shards) or Arrow IPC files (`.arrow`,
    /// `.ipc`, `.feather`), one document per line or row.
    ///
    /// `.liftedignore` uses gitignore syntax and applies to its folder and below:
    /// one pattern per line, `#` comments, `*` (not across `/`), `**`, a trailing
    /// `/` for folders only, a leading `/` to anchor, `!` to read an entry again.
    ///
    /// Symbolic links inside a folder are followed only when they lead inside that
    /// folder (see --follow). Each file is read once, even when named twice or
    /// reached through a link (a warning names both paths).
    ///
    /// Files that are not text (binary, compressed, encrypted, UTF-16, empty) or
    /// over --max-doc-bytes are skipped with a warning inside folders and refused
    /// when named directly; invalid UTF-8 is read with a warning. Use --strict to
    /// refuse all of these.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read every input as JSONL (one {"id", "text"} object per line).
    #[arg(long)]
    pub jsonl: bool,
    /// JSONL field or Parquet/Arrow column holding the document id (a string or a
    /// number; ids must be unique).
    #[arg(long, default_value = "id", value_name = "NAME")]
    pub id_field: String,
    /// JSONL field or Parquet/Arrow column holding the document text.
    #[arg(long, default_value = "text", value_name = "NAME")]
    pub text_field: String,
    /// JSONL field or Parquet/Arrow column holding each document's date: an ISO
    /// 8601 date or date-time, as in a manifest (a Parquet date or timestamp
    /// column too). A record without it (or null) has no date. A date in the
    /// --manifest wins over the record's date for the same document.
    #[arg(long, value_name = "NAME")]
    pub date_field: Option<String>,
    /// Skip malformed JSONL lines and bad Parquet/Arrow rows (a null id or text,
    /// a bad date; counted in a warning) instead of stopping.
    #[arg(long)]
    pub skip_bad_lines: bool,
    /// Stop on any file that is not clean UTF-8 text instead of skipping it.
    #[arg(long)]
    pub strict: bool,
    /// Follow symbolic links that lead out of a folder being read (by default they
    /// are skipped with a warning, so that a link cannot put an unrelated file,
    /// such as a private key, into a report).
    #[arg(long)]
    pub follow: bool,
    /// Largest document: a file, standard input or the text of one JSONL line
    /// (checked before reading). Bytes, or with a K, M or G suffix (powers of
    /// 1024); at most 4G.
    #[arg(long, default_value = "256M", value_name = "SIZE", value_parser = parse_doc_size)]
    pub max_doc_bytes: u64,
    /// Largest JSONL line, after decompression (a longer line is an error, or
    /// skipped with --skip-bad-lines, once this much is read). Bytes, or with a K,
    /// M or G suffix.
    #[arg(long, default_value = "512M", value_name = "SIZE", value_parser = parse_size)]
    pub max_line_bytes: u64,
}

/// A size: bytes, or a number with a `K`, `M`, `G` or `T` suffix (powers of
/// 1024, an optional `iB` or `B` after it).
fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    let unit_text = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (digits, shift) = match unit_text.chars().last() {
        Some('k') => (&unit_text[..unit_text.len() - 1], 10),
        Some('m') => (&unit_text[..unit_text.len() - 1], 20),
        Some('g') => (&unit_text[..unit_text.len() - 1], 30),
        Some('t') => (&unit_text[..unit_text.len() - 1], 40),
        _ => (unit_text, 0),
    };
    let number: u64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a size (bytes, or a number with K, M or G)"))?;
    match number.checked_mul(1 << shift) {
        Some(0) | None => Err(format!("{text:?} must be at least 1 byte and fit 64 bits")),
        Some(bytes) => Ok(bytes),
    }
}

/// A size no larger than 32-bit offsets allow.
fn parse_doc_size(text: &str) -> Result<u64, String> {
    let bytes = parse_size(text)?;
    if bytes > lifted::ingest::MAX_DOC_BYTES_CEILING + 1 {
        return Err(format!(
            "{text:?} is over 4G: offsets into a document are 32-bit; split the document"
        ));
    }
    Ok(bytes.min(lifted::ingest::MAX_DOC_BYTES_CEILING))
}

/// Matching and provenance options shared by scan and check.
#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Words per shingle (n-gram size); also the alignment seed size. 1 to 32.
    #[arg(long, default_value_t = 5, value_name = "N")]
    pub ngram: usize,
    /// MinHash permutations, 1 to 1024.
    #[arg(long, default_value_t = 128, value_name = "K")]
    pub permutations: usize,
    /// Jaccard similarity for near-duplicate segments, in (0, 1]; also sets the LSH bands.
    #[arg(
        long,
        default_value_t = 0.5,
        value_name = "T",
        allow_negative_numbers = true
    )]
    pub threshold: f64,
    /// LSH bands (default: chosen so that pairs at the threshold are found 99% of the time);
    /// bands x rows must not exceed --permutations.
    #[arg(long, value_name = "B")]
    pub bands: Option<usize>,
    /// LSH rows per band (bands x rows must not exceed --permutations).
    #[arg(long, value_name = "R")]
    pub rows: Option<usize>,
    /// Paragraphs longer than this many words are cut into windows overlapping by half
    /// (1 to 100000).
    #[arg(long, default_value_t = 100, value_name = "WORDS")]
    pub window: usize,
    /// Fewest words for a reported segment or lifted span (1 to 100000).
    #[arg(long, default_value_t = 8, value_name = "WORDS")]
    pub min_words: usize,
    /// Largest gap (changed, inserted or deleted words) bridged inside one lifted span
    /// (0 to 100000).
    #[arg(long, default_value_t = 8, value_name = "WORDS")]
    pub max_gap: usize,
    /// Fold accents (é matches e).
    #[arg(long)]
    pub fold_accents: bool,
    /// Also report text repeated inside one document.
    #[arg(long)]
    pub within_doc: bool,
    /// LSH buckets and fingerprints shared by more segments or documents than this
    /// are treated as boilerplate: linked as a star (buckets) or ignored (fingerprints);
    /// a warning says how many. 2 to 10000.
    #[arg(long, default_value_t = 64, value_name = "N")]
    pub max_bucket: usize,
    /// Only find near-duplicate segments (pairs); skip span alignment and provenance.
    #[arg(long)]
    pub pairs_only: bool,
    /// Dates of the documents: CSV with header `id,date[,title,url]`, or a JSON array
    /// of objects with these fields. ISO 8601 dates (YYYY-MM-DD, or with THH:MM[:SS]
    /// and an optional Z or +HH:MM offset; no offset means UTC; a date alone is the
    /// whole day, so it is neither older nor newer than a time on that day).
    #[arg(long, value_name = "FILE", conflicts_with = "order")]
    pub manifest: Option<PathBuf>,
    /// Chronology without a manifest.
    #[arg(long, value_enum, default_value_t = Order::None)]
    pub order: Order,
    /// With 10 or more documents, a passage found in more than this share of them is
    /// boilerplate; in (0, 1]. (Footers are boilerplate too: at most 30 words at the very
    /// end of 5 or more documents that otherwise share little text.)
    #[arg(long, default_value_t = 0.5, value_name = "SHARE")]
    pub max_docs_frac: f64,
    /// Keep boilerplate passages in the map (marked "boilerplate": true).
    #[arg(long)]
    pub keep_boilerplate: bool,
    /// Worker threads (0: one per core; at most 4 per core). The output does not depend on it.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// No progress bars (they are drawn only when standard error is a terminal).
    #[arg(long, short)]
    pub quiet: bool,
    /// fast: exact n-gram seeds chained across small gaps (verbatim and lightly
    /// edited copies). thorough: also rewritten copies (words swapped, replaced,
    /// reordered; translations; summaries), from 2-word seeds and similar
    /// sentences (stemmed content words) grouped across gaps that adapt to their
    /// density; spans need twice --min-words matched words, and
    /// --ngram is at most 3 (more candidate pairs, slower on large corpora; see
    /// README: Presets).
    #[arg(long, value_enum, default_value_t = Preset::Fast)]
    pub preset: Preset,
    /// Print how long each stage took (reading, signing, banding, verifying,
    /// joining, aligning, tracing, reporting, writing) to standard error at the end.
    #[arg(long)]
    pub timings: bool,
}

/// `lifted scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Matching options.
    #[command(flatten)]
    pub matching: MatchArgs,
    /// Report format (default: from the --output extension, html for a folder
    /// (`DIR/`), else text on a terminal, json otherwise; an --output named
    /// `.parquet`, `.arrow`, `.feather`, `.ipc`, `.gz`, `.zst`, `.bz2`, `.xz`
    /// or `.zip` needs --format, as JSON is not what the name promises).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// JSON all on one line (--format json). The default writes each
    /// document, pair, passage and link on one line of its own.
    #[arg(long, conflicts_with = "pretty")]
    pub compact: bool,
    /// JSON pretty-printed throughout, every field on its own line
    /// (--format json; about 1.5 times the default's size).
    #[arg(long)]
    pub pretty: bool,
    /// Characters of text quoted per link and passage (JSON, JSONL, CSV, text); 0: none.
    #[arg(long, default_value_t = lifted::report::EXCERPT, value_name = "N")]
    pub excerpt: usize,
    /// Text report: every document's lifted spans with excerpts, after the summary.
    #[arg(long)]
    pub details: bool,
    /// Text report: the lifted spans of this document (repeatable), after the summary.
    #[arg(long, value_name = "ID")]
    pub doc: Vec<String>,
    /// Colour in the text report: auto (when standard output is a terminal and
    /// NO_COLOR is not set), always or never.
    #[arg(long, value_enum, default_value_t = Color::Auto, value_name = "WHEN")]
    pub color: Color,
    /// Write the report to FILE instead of standard output (`-`).
    ///
    /// A regular file (or the target of a symbolic link) is replaced atomically:
    /// written to a temporary file beside it, then renamed; it keeps its
    /// permissions (a new file gets those of the umask). A character device or
    /// a FIFO is written in place. A name ending in `/` is a folder for the
    /// HTML report: `index.html` and one `doc-N.html` page per document with
    /// lifted or reused text (created if missing). A folder named without the
    /// `/`, a socket or a block device is refused, as is an input, the
    /// manifest, or a file or folder inside a scanned folder. All this is
    /// checked before the scan starts.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

impl ScanArgs {
    /// How a JSON map is laid out (--compact, --pretty, or one element per line).
    pub fn layout(&self) -> lifted::report::json::Layout {
        use lifted::report::json::Layout;
        match (self.compact, self.pretty) {
            (true, _) => Layout::Compact,
            (_, true) => Layout::Pretty,
            _ => Layout::Lines,
        }
    }
}

/// `lifted check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The golden map (JSON written by `lifted scan`).
    #[arg(long, value_name = "FILE")]
    pub expected: PathBuf,
    /// Spans that moved by at most this many bytes still match.
    #[arg(long, default_value_t = 16, value_name = "BYTES")]
    pub tolerance: u32,
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Matching options (use the ones the golden map was made with).
    #[command(flatten)]
    pub matching: MatchArgs,
}

/// `lifted gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Folder to write `corpus.jsonl` and `truth.jsonl` into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Corpus size in megabytes, 1 to 1000000.
    #[arg(long, default_value_t = 10, value_name = "MB",
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub size_mb: u64,
    /// Random seed: the same seed gives the same corpus.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Share of paragraphs that are planted copies, 0 to 0.8 (paragraphs,
    /// independent and rewritten shapes).
    #[arg(long, default_value_t = 0.10, value_name = "SHARE", value_parser = copy_rate)]
    pub copy_rate: f64,
    /// What the corpus looks like (README: Generated corpora).
    #[arg(long, value_enum, default_value_t = GenShape::Paragraphs)]
    pub shape: GenShape,
    /// Share of characters changed in the `noisy` copies of the rewritten shape, 0 to 0.5.
    #[arg(long, default_value_t = 0.05, value_name = "SHARE", value_parser = noise)]
    pub noise: f64,
}

/// Corpus shapes of `lifted gen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenShape {
    /// News-like documents of short paragraphs, copies verbatim, edited or embedded.
    Paragraphs,
    /// Long documents in 5 to 7 versions, each revised from an earlier one,
    /// plus commentaries quoting them (writes manifest.csv with the dates too).
    Versions,
    /// Paragraphs of 60 to 100 random-letter words, 10% copies, half of them edited.
    Independent,
    /// Copies verbatim, edited, rewritten, summarised or with character noise.
    Rewritten,
}

/// A `--noise`: a number in [0, 0.5].
fn noise(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| "expected a number from 0 to 0.5".to_string())?;
    if (0.0..=0.5).contains(&rate) {
        Ok(rate)
    } else {
        Err("the share of characters changed must be from 0 to 0.5".to_string())
    }
}

/// What `lifted dedup` removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Whole documents whose shingle sets reach --threshold (exact Jaccard)
    /// with an earlier document's.
    Document,
    /// Paragraphs (or windows of long ones) of later documents that nearly
    /// duplicate a paragraph of an earlier document.
    Paragraph,
}

/// `lifted dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Inputs.
    #[command(flatten)]
    pub input: InputArgs,
    /// Matching options (--threshold is the exact Jaccard similarity of two
    /// documents' or paragraphs' shingle sets that makes them near-duplicates;
    /// without --manifest the earliest is the first in input order).
    #[command(flatten)]
    pub matching: MatchArgs,
    /// Remove near-duplicate documents, or near-duplicate paragraphs from later documents.
    #[arg(long, value_enum, default_value_t = Level::Document)]
    pub level: Level,
    /// Write the deduplicated corpus to FILE (`-`: standard output) as JSONL, in
    /// input order: records read from JSONL files as they were (all fields; the
    /// text field holding what is left after cuts), other documents as
    /// {"id", "text"}. Compressed when FILE ends in `.gz` (gzip) or `.zst`
    /// (zstd); a name ending `.parquet`, `.arrow`, `.feather`, `.ipc`, `.bz2`,
    /// `.xz` or `.zip` is refused. Replaced atomically as `scan --output` is;
    /// refused when it is an input or inside a scanned folder.
    #[arg(long, short, value_name = "FILE", required_unless_present = "dry_run")]
    pub output: Option<PathBuf>,
    /// Write nothing: list what would be removed on standard output, one JSON
    /// object per line, with the kept near-duplicate each one matched.
    #[arg(long)]
    pub dry_run: bool,
    /// Also write the summary (counts, and every removal) as JSON to FILE (plain JSON:
    /// a name ending .gz, .zst, .parquet ... is refused).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
}

/// A `--copy-rate`: a number in [0, 0.8], the range the generator accepts.
fn copy_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text
        .parse()
        .map_err(|_| "expected a number from 0 to 0.8".to_string())?;
    if (0.0..=0.8).contains(&rate) {
        Ok(rate)
    } else {
        Err("the share of copied paragraphs must be from 0 to 0.8".to_string())
    }
}

/// Annotated benchmarks `lifted eval` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Benchmark {
    /// A PAN text alignment corpus (PAN 2012-2015): susp/, src/ and one
    /// folder per kind of reuse with a `pairs` file and XML cases.
    Pan,
}

/// `lifted eval` report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// A Markdown table, one row per kind and one overall.
    Text,
    /// The same numbers as JSON.
    Json,
}

/// `lifted eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The benchmark's format.
    #[arg(value_enum)]
    pub benchmark: Benchmark,
    /// The benchmark folder.
    #[arg(value_name = "PATH")]
    pub path: PathBuf,
    /// Scan all documents of a kind as one corpus and score the links between
    /// its listed pairs, instead of each pair alone (the PAN task): candidate
    /// generation then has to find the pairs among all the others.
    #[arg(long)]
    pub corpus: bool,
    /// Report format.
    #[arg(long, value_enum, default_value_t = EvalFormat::Text)]
    pub format: EvalFormat,
    /// Matching options (--manifest, --order and --pairs-only do not apply).
    #[command(flatten)]
    pub matching: MatchArgs,
}

impl InputArgs {
    /// Ingest options.
    pub fn options(&self) -> IngestOptions {
        IngestOptions {
            jsonl: self.jsonl,
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            date_field: self.date_field.clone(),
            skip_bad_lines: self.skip_bad_lines,
            strict: self.strict,
            follow: self.follow,
            max_doc_bytes: self.max_doc_bytes,
            max_line_bytes: self.max_line_bytes,
        }
    }
}

impl MatchArgs {
    /// Checked scan parameters.
    pub fn params(&self) -> lifted::Result<Params> {
        Params::new(ScanOptions {
            ngram: self.ngram,
            permutations: self.permutations,
            threshold: self.threshold,
            bands: self.bands,
            rows: self.rows,
            window: self.window,
            min_words: self.min_words,
            max_gap: self.max_gap,
            normalize: NormalizeOptions {
                fold_accents: self.fold_accents,
            },
            within_doc: self.within_doc,
            max_bucket: self.max_bucket,
            align: !self.pairs_only,
            boilerplate: BoilerplateOptions {
                max_docs_frac: self.max_docs_frac,
                keep: self.keep_boilerplate,
            },
            preset: match self.preset {
                Preset::Fast => lifted::thorough::Preset::Fast,
                Preset::Thorough => lifted::thorough::Preset::Thorough,
            },
            ..ScanOptions::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("1K"), Ok(1024));
        assert_eq!(parse_size("256M"), Ok(256 << 20));
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("3gb"), Ok(3 << 30));
        assert!(parse_size("0").is_err() && parse_size("-1").is_err());
        assert!(parse_size("1.5G").is_err() && parse_size("lots").is_err());
        assert!(parse_size("99999999999999999999T").is_err());
        assert!(parse_size("20000000T").is_err());
        assert_eq!(parse_doc_size("4G"), Ok(u64::from(u32::MAX)));
        assert!(parse_doc_size("5G").is_err());
    }
}
