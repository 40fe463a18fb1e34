//! The pipeline: runs every stage in order over a corpus and returns the
//! findings, without printing anything.
//!
//! Memory stays proportional to the work rather than to the corpus: documents
//! are tokenized one at a time inside the parallel loops and their tokens
//! dropped at once; only per-segment band hashes (`bands` x 4 bytes), winnowed
//! fingerprints (8 bytes each) and the candidates survive a stage. Shingle
//! sets are rebuilt only for the segments that are candidates, a batch at a
//! time, and tokens only for the documents that are aligned, a batch at a
//! time. Every parallel step collects in input order, so
//! the output does not depend on the number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;
use crate::error::{config, Error, Result};
use crate::fingerprint::{join, Fingerprints, Packing};
use crate::ingest::Corpus;
use crate::lsh::{candidate_pairs, LshParams};
use crate::minhash::MinHasher;
use crate::normalize::NormalizeOptions;
use crate::provenance::{BoilerplateOptions, Chronology, Provenance};
use crate::shingle::MAX_NGRAM;
use crate::stage::align::{align_documents, BATCH_BYTES};
use crate::stage::sign::{sketch, SketchScratch, Sketches};
use crate::stage::verify::verify_pairs;

/// Settings of a scan as the user gives them; [`Params::new`] checks them.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Words per shingle.
    pub ngram: usize,
    /// MinHash permutations.
    pub permutations: usize,
    /// Jaccard threshold for near-duplicate segments, in (0, 1].
    pub threshold: f64,
    /// LSH bands (chosen from the threshold when `None`).
    pub bands: Option<usize>,
    /// LSH rows per band (chosen from the threshold when `None`).
    pub rows: Option<usize>,
    /// Window size, in words, for long paragraphs.
    pub window: usize,
    /// Fewest words for a reported segment or aligned span.
    pub min_words: usize,
    /// Largest gap bridged inside one aligned span, in words.
    pub max_gap: usize,
    /// Normalization settings.
    pub normalize: NormalizeOptions,
    /// Also report reuse inside one document.
    pub within_doc: bool,
    /// Buckets larger than this are linked as stars and reported.
    pub max_bucket: usize,
    /// Align spans and trace provenance (false: near-duplicate pairs only).
    pub align: bool,
    /// Boilerplate rules.
    pub boilerplate: BoilerplateOptions,
    /// Seed of the MinHash permutations.
    pub seed: u64,
    /// Which aligner pairs of different documents go through.
    pub preset: crate::thorough::Preset,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            ngram: 5,
            permutations: 128,
            threshold: 0.5,
            bands: None,
            rows: None,
            window: 100,
            min_words: 8,
            max_gap: 8,
            normalize: NormalizeOptions::default(),
            within_doc: false,
            max_bucket: 64,
            align: true,
            boilerplate: BoilerplateOptions {
                max_docs_frac: 0.5,
                keep: false,
            },
            seed: 0x6C69_6674_6564,
            preset: crate::thorough::Preset::Fast,
        }
    }
}

/// Checked settings of a scan.
#[derive(Debug, Clone)]
pub struct Params {
    /// The options, validated.
    pub options: ScanOptions,
    /// Bands and rows in use.
    pub lsh: LshParams,
}

/// Most MinHash permutations (`--permutations`): a signature is 4 bytes a
/// permutation, computed for every segment, so 1,024 already costs 8 times
/// the default's time.
pub const MAX_PERMUTATIONS: usize = 1024;

/// Most words for `--window`, `--min-words` and `--max-gap`: a paragraph of
/// 100,000 words is a whole book; larger values only risk overflows.
pub const MAX_WORDS: usize = 100_000;

/// Most segments or documents for `--max-bucket`: the pairs of one bucket
/// grow with its square (10,000 segments give 50 million pairs a band).
pub const MAX_BUCKET: usize = 10_000;

/// Most worker threads per core for `--threads`: the work is all
/// computation, so more threads than cores only add switching, and on a
/// 2-core machine a scan of one small file took 0.3 s with 256 threads and
/// 21 s with 1,024 (`--threads 100000` never finished starting them).
pub const MAX_THREADS_PER_CORE: usize = 4;

/// `value` of flag `parameter` must be in `low..=high`.
fn within(parameter: &'static str, value: usize, low: usize, high: usize) -> Result<()> {
    if value < low {
        Err(config(
            parameter,
            format!("{value} is outside {low}..={high}: must be at least {low}"),
        ))
    } else if value > high {
        Err(config(
            parameter,
            format!("{value} is outside {low}..={high}: at most {high} is allowed"),
        ))
    } else {
        Ok(())
    }
}

/// A share or similarity of flag `parameter` must be a number in (0, 1].
fn share(parameter: &'static str, value: f64) -> Result<()> {
    if value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(config(
            parameter,
            format!("{value} is outside the allowed range (0, 1]"),
        ))
    }
}

/// Check `--threads` (0: one per core) against [`MAX_THREADS_PER_CORE`]
/// times the `cores` of this machine.
pub fn check_threads(threads: usize, cores: usize) -> Result<()> {
    let most = MAX_THREADS_PER_CORE.saturating_mul(cores.max(1));
    if threads > most {
        return Err(config(
            "threads",
            format!("{threads} is outside 0..={most}: at most {MAX_THREADS_PER_CORE} per core ({cores} cores here) is allowed"),
        ));
    }
    Ok(())
}

impl Params {
    /// Check that the options are within their documented bounds and agree
    /// with one another: every refusal names the flag and the allowed range.
    pub fn new(mut options: ScanOptions) -> Result<Params> {
        // NaN fails every comparison, so it is refused with the infinities.
        share("threshold", options.threshold)?;
        within("ngram", options.ngram, 1, MAX_NGRAM)?;
        within("permutations", options.permutations, 1, MAX_PERMUTATIONS)?;
        within("window", options.window, 1, MAX_WORDS)?;
        within("min-words", options.min_words, 1, MAX_WORDS)?;
        within("max-gap", options.max_gap, 0, MAX_WORDS)?;
        within("max-bucket", options.max_bucket, 2, MAX_BUCKET)?;
        share("max-docs-frac", options.boilerplate.max_docs_frac)?;
        if options.preset == crate::thorough::Preset::Thorough {
            options.ngram = options.ngram.min(crate::thorough::MAX_NGRAM);
        }
        let lsh = LshParams::choose(
            options.threshold,
            options.permutations,
            options.bands,
            options.rows,
        )?;
        Ok(Params { options, lsh })
    }
}

/// Stages reported to a [`Progress`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Normalizing, shingling and signing documents (unit: bytes).
    Signing,
    /// LSH banding: grouping segments by band hash (unit: segments).
    Banding,
    /// Verifying candidate pairs (unit: pairs).
    Verifying,
    /// Gathering the document pairs to align: verified pairs and those
    /// sharing a winnowed fingerprint (no unit). The fingerprint join runs
    /// alongside banding and verification; what is left of it when they
    /// end counts here (all of it with one thread).
    Joining,
    /// Aligning document pairs (unit: pairs).
    Aligning,
    /// Clustering passages and tracing provenance (unit: aligned pairs).
    Tracing,
}

impl Stage {
    /// The stage's name as progress bars and `--timings` show it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Signing => "signing",
            Stage::Banding => "banding",
            Stage::Verifying => "verifying",
            Stage::Joining => "joining",
            Stage::Aligning => "aligning",
            Stage::Tracing => "tracing",
        }
    }
}

/// Receives progress; the binary draws bars, tests ignore it. Implementations
/// must be cheap: `advance` is called from worker threads.
pub trait Progress: Sync {
    /// A stage begins with `total` units of work.
    fn start(&self, _stage: Stage, _total: u64) {}
    /// `units` more are done.
    fn advance(&self, _units: u64) {}
    /// The stage is over.
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

/// A verified near-duplicate pair of segments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SegmentPair {
    /// First segment's span.
    pub a: Span,
    /// Second segment's span.
    pub b: Span,
    /// Exact Jaccard similarity of the shingle sets.
    pub jaccard: f64,
    /// Exact containment.
    pub containment: f64,
}

/// Counters that say what each stage did.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Stats {
    /// Segments signed.
    pub segments: u64,
    /// Candidate segment pairs from LSH.
    pub candidate_pairs: u64,
    /// LSH buckets larger than --max-bucket (linked as stars: boilerplate-like).
    pub oversized_buckets: u64,
    /// Document pairs aligned.
    pub aligned_document_pairs: u64,
    /// Fingerprints shared by too many documents to pair them (common phrases).
    pub common_fingerprints: u64,
    /// Passages marked as boilerplate.
    pub boilerplate_passages: u64,
}

/// Everything a scan finds.
#[derive(Debug, Default)]
pub struct Findings {
    /// Verified near-duplicate segment pairs, sorted.
    pub pairs: Vec<SegmentPair>,
    /// Aligned span pairs, sorted.
    pub aligned: Vec<AlignedPair>,
    /// Passages (clusters of copies).
    pub passages: Vec<Passage>,
    /// Sources and links.
    pub provenance: Provenance,
    /// Counters.
    pub stats: Stats,
    /// The document pairs handed to the aligner (candidates), sorted.
    pub document_pairs: Vec<(u32, u32)>,
}

/// Run the whole pipeline. `cancel` is polled between documents and stages.
pub fn scan(
    corpus: &Corpus,
    params: &Params,
    chronology: &Chronology,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Result<Findings> {
    let options = &params.options;
    let check = || {
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    };
    let hasher = MinHasher::new(options.permutations, options.seed);
    progress.start(Stage::Signing, corpus.bytes());
    // Documents are sketched a chunk at a time and each chunk merged at
    // once: the sketches' memory is reused from chunk to chunk instead of
    // every document's sketch living until the end (on a 1 GB corpus that
    // doubled the band hashes and fingerprints held, about 0.9 GB).
    const CHUNK_DOCS: usize = 4096;
    let bands = params.lsh.bands;
    let packing = Packing::new(corpus.documents.len());
    let mut all_segments: Vec<crate::segment::Segment> = Vec::new();
    // Band-major: one vector per band, so banding reads each contiguously;
    // only the segments that can pair are banded, `banded` their indices.
    let mut hashes: Vec<Vec<u32>> = vec![Vec::new(); bands];
    let mut banded: Vec<u32> = Vec::new();
    let mut fingerprints = Fingerprints::new(packing);
    let mut merge = |parts: Vec<Sketches>| {
        // Each band's column is filled by its own task: on a 1 GB corpus
        // these vectors are a gigabyte of fresh pages, too many to fault in
        // on one thread while the other signs.
        hashes
            .par_iter_mut()
            .enumerate()
            .for_each(|(band, column)| {
                for part in &parts {
                    column.extend(part.bands.iter().skip(band).step_by(bands));
                }
            });
        for part in &parts {
            let first = all_segments.len() as u32;
            banded.extend(part.banded.iter().map(|&index| first + index));
            all_segments.extend_from_slice(&part.segments);
            let mut from = 0;
            for &(doc, count) in &part.docs {
                let to = from + count as usize;
                fingerprints.extend(doc, part.fingerprints[from..to].iter().copied());
                from = to;
            }
        }
    };
    let sketch_chunk = |first_doc: usize, documents: &[crate::ingest::Document]| {
        let mut parts: Vec<Sketches> = documents
            .par_iter()
            .enumerate()
            .fold(
                || (Sketches::default(), SketchScratch::default()),
                |(mut part, mut scratch), (i, document)| {
                    let doc = (first_doc + i) as u32;
                    sketch(
                        doc,
                        &document.text,
                        params,
                        &hasher,
                        &mut part,
                        &mut scratch,
                    );
                    progress.advance(document.text.len() as u64);
                    (part, scratch)
                },
            )
            .map(|(part, _)| part)
            .collect();
        // rayon gathers the parts in document order; sorting them by their
        // first document (a few dozen parts) does not rely on it.
        parts.sort_unstable_by_key(|part| part.docs.first().map(|d| d.0));
        debug_assert!(parts
            .iter()
            .flat_map(|part| &part.docs)
            .map(|d| d.0 as usize)
            .eq(first_doc..first_doc + documents.len()));
        parts
    };
    // Merging one chunk (sequential) overlaps with sketching the next.
    let mut pending: Option<Vec<Sketches>> = None;
    for (chunk, documents) in corpus.documents.chunks(CHUNK_DOCS).enumerate() {
        check()?;
        let first_doc = chunk * CHUNK_DOCS;
        let previous = pending.take();
        let ((), parts) = rayon::join(
            || {
                if let Some(parts) = previous {
                    merge(parts);
                }
            },
            || sketch_chunk(first_doc, documents),
        );
        pending = Some(parts);
    }
    if let Some(parts) = pending {
        merge(parts);
    }
    progress.finish();
    check()?;

    // The fingerprint join needs only the fingerprints: it runs alongside
    // banding and verification, each side parallel inside.
    let max_bucket = options.max_bucket;
    let (matched, joined) = rayon::join(
        || -> Result<_> {
            progress.start(Stage::Banding, all_segments.len() as u64);
            let docs: Vec<u32> = banded
                .iter()
                .map(|&s| all_segments[s as usize].doc)
                .collect();
            let mut candidates = candidate_pairs(&hashes, &docs, options.within_doc, max_bucket);
            drop(hashes);
            // Back to every segment's numbering: `banded` ascends, so the
            // pairs stay sorted.
            for pair in &mut candidates.pairs {
                *pair = (banded[pair.0 as usize], banded[pair.1 as usize]);
            }
            drop(banded);
            progress.finish();
            check()?;
            progress.start(Stage::Verifying, candidates.pairs.len() as u64);
            let pairs = verify_pairs(
                corpus,
                &all_segments,
                &candidates.pairs,
                params,
                progress,
                cancel,
            );
            progress.finish();
            if options.align {
                progress.start(Stage::Joining, 0);
            }
            Ok((candidates, pairs))
        },
        || options.align.then(|| join(fingerprints, max_bucket)),
    );
    let (candidates, pairs) = matched?;
    let mut stats = Stats {
        segments: all_segments.len() as u64,
        candidate_pairs: candidates.pairs.len() as u64,
        oversized_buckets: candidates.oversized_buckets,
        ..Stats::default()
    };
    check()?;

    let mut findings = Findings {
        pairs,
        ..Findings::default()
    };
    if let Some(joined) = joined {
        let mut document_pairs: Vec<(u32, u32)> =
            findings.pairs.iter().map(|p| (p.a.doc, p.b.doc)).collect();
        stats.common_fingerprints = joined.common_fingerprints;
        document_pairs.extend(joined.pairs.iter().map(|&(a, b, _)| (a, b)));
        if options.within_doc {
            document_pairs.extend((0..corpus.documents.len() as u32).map(|d| (d, d)));
        }
        document_pairs.sort_unstable();
        document_pairs.dedup();
        stats.aligned_document_pairs = document_pairs.len() as u64;
        progress.finish();
        progress.start(Stage::Aligning, document_pairs.len() as u64);
        findings.aligned = align_documents(
            corpus,
            &document_pairs,
            params,
            progress,
            cancel,
            BATCH_BYTES,
        );
        findings.document_pairs = document_pairs;
        progress.finish();
        check()?;
        progress.start(Stage::Tracing, findings.aligned.len() as u64);
        let lengths: Vec<u32> = corpus
            .documents
            .iter()
            .map(|d| d.text.len() as u32)
            .collect();
        crate::stage::report::trace(&mut findings, &mut stats, &lengths, chronology, options);
        progress.finish();
    }
    findings.stats = stats;
    Ok(findings)
}
