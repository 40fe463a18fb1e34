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

use crate::align::{
    align_prepared, align_prepared_within, AlignOptions, AlignedPair, Prepared, Span,
};
use crate::cluster::{cluster, Passage};
use crate::error::{config, Error, Result};
use crate::fingerprint::{join, winnow_picks_into, Fingerprints, Packing};
use crate::ingest::Corpus;
use crate::lsh::{band_hashes, candidate_pairs, LshParams};
use crate::minhash::MinHasher;
use crate::normalize::{tokenize, tokenize_into, NormalizeOptions, TokenStream};
use crate::provenance::{trace, BoilerplateOptions, Chronology, Provenance};
use crate::segment::{segments_into, Segment};
use crate::shingle::{ngram_hashes_into, shingle_set, shingles_into, MAX_NGRAM};
use crate::verify::similarity;

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

/// What the first pass keeps of consecutive documents, in flat vectors: one
/// set per rayon task rather than three vectors per document. The merge
/// frees them on another thread than the one that allocated them, and with
/// glibc's malloc each such free takes the allocating thread's arena lock:
/// per-document vectors made the two threads wait on each other's locks some
/// 2,500 times in a 100 MB scan.
#[derive(Default)]
struct Sketches {
    /// Per document, in order: its index and how many fingerprints it added.
    docs: Vec<(u32, u32)>,
    segments: Vec<Segment>,
    /// Band hashes, segment by segment (`bands` per segment).
    bands: Vec<u32>,
    /// Each document's fingerprints, in text order.
    fingerprints: Vec<u64>,
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
    let mut all_segments = Vec::new();
    // Band-major: one vector per band, so banding reads each contiguously.
    let mut hashes: Vec<Vec<u32>> = vec![Vec::new(); bands];
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
            let docs: Vec<u32> = all_segments.iter().map(|s| s.doc).collect();
            let candidates = candidate_pairs(&hashes, &docs, options.within_doc, max_bucket);
            drop(hashes);
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
        findings.passages = cluster(&findings.aligned);
        let lengths: Vec<u32> = corpus
            .documents
            .iter()
            .map(|d| d.text.len() as u32)
            .collect();
        findings.provenance = trace(
            &findings.passages,
            &findings.aligned,
            chronology,
            &lengths,
            options.boilerplate,
        );
        stats.boilerplate_passages = findings
            .provenance
            .boilerplate
            .iter()
            .filter(|&&b| b)
            .count() as u64;
        progress.finish();
    }
    findings.stats = stats;
    Ok(findings)
}

/// Buffers one rayon task reuses from document to document while sketching.
#[derive(Default)]
struct SketchScratch {
    stream: TokenStream,
    grams: Vec<u64>,
    short: Vec<u64>,
    signature: Vec<u32>,
}

/// Sketch document `doc` into `out`.
fn sketch(
    doc: u32,
    text: &[u8],
    params: &Params,
    hasher: &MinHasher,
    out: &mut Sketches,
    scratch: &mut SketchScratch,
) {
    let options = &params.options;
    let n = options.ngram;
    let SketchScratch {
        stream,
        grams,
        short,
        signature,
    } = scratch;
    tokenize_into(text, options.normalize, stream);
    let first_segment = out.segments.len();
    segments_into(doc, stream, options.window, &mut out.segments);
    // The document's n-grams, hashed once: a segment's shingles are a slice
    // of them, and the fingerprints are winnowed from all of them.
    grams.clear();
    ngram_hashes_into(&stream.tokens, n, grams);
    signature.resize(options.permutations, 0);
    for segment in &out.segments[first_segment..] {
        let (first, last) = (segment.first as usize, segment.last as usize);
        let shingles = if last - first > n {
            &grams[first..last + 1 - n]
        } else {
            short.clear();
            shingles_into(&stream.tokens[first..last], n, short);
            &short[..]
        };
        hasher.sign(shingles, signature);
        band_hashes(signature, params.lsh, &mut out.bands);
    }
    let first_fingerprint = out.fingerprints.len();
    if options.align {
        winnow_picks_into(grams, n, options.min_words, &mut out.fingerprints);
    }
    out.docs
        .push((doc, (out.fingerprints.len() - first_fingerprint) as u32));
}

fn span_of(segment: &Segment) -> Span {
    Span {
        doc: segment.doc,
        start: segment.start,
        end: segment.end,
    }
}

/// Candidate pairs verified at once: the shingle sets of at most twice as
/// many segments are held (a 100-word segment's set is 800 bytes).
const VERIFY_BATCH: usize = 1 << 17;

/// Measure candidates on their exact shingle sets. Candidates go in batches
/// of [`VERIFY_BATCH`] so that the shingle sets held at once stay bounded;
/// each batch tokenizes only its candidate segments' text. (Tokenizing whole
/// documents once and handing them to alignment took as long on the 100 MB
/// benchmark corpus, and 40 MB more memory.)
fn verify_pairs(
    corpus: &Corpus,
    segments: &[Segment],
    candidates: &[(u32, u32)],
    params: &Params,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Vec<SegmentPair> {
    let options = &params.options;
    let mut verified = Vec::new();
    for batch in candidates.chunks(VERIFY_BATCH) {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        let mut involved: Vec<u32> = batch.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.par_sort_unstable();
        involved.dedup();
        // Only these segments' text: a segment starts and ends on word
        // boundaries, so its words tokenize alone as they do in place.
        let sets: Vec<Vec<u64>> = involved
            .par_iter()
            .with_min_len(64)
            .map(|&s| {
                let segment = &segments[s as usize];
                let text = &corpus.documents[segment.doc as usize].text
                    [segment.start as usize..segment.end as usize];
                shingle_set(&tokenize(text, options.normalize).tokens, options.ngram)
            })
            .collect();
        // Every candidate's segments are in `involved`: a miss is a bug, and
        // measuring against another segment's set would be a wrong number,
        // so it fails loudly (issue 13) instead of falling back to set 0.
        let lookup = |s: u32| {
            let i = involved
                .binary_search(&s)
                .expect("every candidate segment of a batch has its shingle set");
            &sets[i]
        };
        verified.par_extend(batch.par_iter().with_min_len(256).filter_map(|&(a, b)| {
            progress.advance(1);
            let (sa, sb) = (&segments[a as usize], &segments[b as usize]);
            if sa.words() < options.min_words || sb.words() < options.min_words {
                return None;
            }
            // Overlapping windows of one paragraph share words by construction.
            if sa.doc == sb.doc && sa.first < sb.last && sb.first < sa.last {
                return None;
            }
            let measured = similarity(lookup(a), lookup(b));
            (measured.jaccard >= options.threshold).then(|| SegmentPair {
                a: span_of(sa),
                b: span_of(sb),
                jaccard: measured.jaccard,
                containment: measured.containment,
            })
        }));
    }
    verified
}

/// Text bytes whose prepared documents one batch of alignment holds at once
/// (tokens and sorted n-gram hashes with their positions and ranks take
/// about 5 times their text): bounds memory on big corpora, while a document in
/// many pairs is prepared once per batch rather than once per pair. Small
/// batches cost little: pairs come sorted by first document and a document
/// still in the next batch is kept. A 4 MiB batch's prepared documents stay
/// in the processor's cache while they are aligned: on the 100 MB benchmark
/// corpus aligning took 0.258 s with 16 MiB batches, 0.225 s with 4 MiB and
/// 0.219 s with 2 MiB, but 0.249 s with 1 MiB (medians of 5, 2 threads);
/// 128 MiB batches had held 150 MB more at the peak.
const BATCH_BYTES: usize = 4 << 20;

/// Documents made ready to align ([`Prepared`]: tokens and sorted seed
/// n-grams), each prepared once, in parallel.
#[derive(Default)]
struct PreparedDocs {
    docs: Vec<u32>,
    prepared: Vec<Prepared>,
}

impl PreparedDocs {
    /// A store of `docs` (ascending, no repeats): documents this store
    /// already holds are moved over, the others prepared.
    fn covering(
        mut self,
        corpus: &Corpus,
        docs: Vec<u32>,
        normalize: NormalizeOptions,
        align: &AlignOptions,
    ) -> PreparedDocs {
        let mut prepared: Vec<Option<Prepared>> = docs
            .iter()
            .map(|doc| {
                self.docs
                    .binary_search(doc)
                    .ok()
                    .map(|i| std::mem::take(&mut self.prepared[i]))
            })
            .collect();
        drop(self);
        prepared
            .par_iter_mut()
            .zip(&docs)
            .filter(|(prepared, _)| prepared.is_none())
            .for_each(|(prepared, &doc)| {
                let stream = tokenize(&corpus.documents[doc as usize].text, normalize);
                *prepared = Some(Prepared::new(stream, align));
            });
        PreparedDocs {
            docs,
            prepared: prepared
                .into_iter()
                .map(|prepared| prepared.expect("every document of the batch was prepared"))
                .collect(),
        }
    }

    fn get(&self, doc: u32) -> &Prepared {
        let i = self
            .docs
            .binary_search(&doc)
            .expect("every document of a batch is in its store");
        &self.prepared[i]
    }
}

/// Split document `pairs` into consecutive runs whose distinct documents
/// total at most `limit` bytes of text (a single pair may exceed it); each
/// run comes with its documents, ascending.
fn batches<'c>(
    corpus: &'c Corpus,
    pairs: &'c [(u32, u32)],
    limit: usize,
) -> impl Iterator<Item = (&'c [(u32, u32)], Vec<u32>)> + 'c {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    // Which batch last counted each document: none is counted twice.
    let mut counted = vec![u32::MAX; corpus.documents.len()];
    let mut start = 0;
    let mut batch = 0u32;
    std::iter::from_fn(move || {
        if start >= pairs.len() {
            return None;
        }
        let mut bytes = 0usize;
        let mut docs = Vec::new();
        let mut end = start;
        while end < pairs.len() {
            let (a, b) = pairs[end];
            let new = |doc: u32| counted[doc as usize] != batch;
            let cost =
                if new(a) { size(a) } else { 0 } + if b != a && new(b) { size(b) } else { 0 };
            if end > start && bytes + cost > limit {
                break;
            }
            for doc in [a, b] {
                if counted[doc as usize] != batch {
                    counted[doc as usize] = batch;
                    bytes += size(doc);
                    docs.push(doc);
                }
            }
            end += 1;
        }
        let run = &pairs[start..end];
        start = end;
        batch += 1;
        docs.sort_unstable();
        Some((run, docs))
    })
}

/// Align the `pairs` of one batch, each pair a task of its own: the pairs are
/// handed out largest first (by the text of both documents) to rayon's work
/// stealing, so a long document with many partners spreads over every
/// thread, and the results are gathered back in the order of `pairs`, so
/// that they do not depend on the number of threads. (Grouping pairs by
/// first document, as before, ran a long document's partners on one thread:
/// 2 threads were 1.1x faster than 1 on long versioned documents.)
fn align_batch(
    pairs: &[(u32, u32)],
    store: &PreparedDocs,
    corpus: &Corpus,
    align_options: &AlignOptions,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Vec<Vec<AlignedPair>> {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
    // Largest first, ties in pair order: the schedule is deterministic,
    // though the results would not depend on it.
    order.sort_by_key(|&i| {
        let (a, b) = pairs[i as usize];
        (std::cmp::Reverse(size(a) + size(b)), i)
    });
    let done: Vec<(u32, Vec<AlignedPair>)> = order
        .par_iter()
        .map(|&i| {
            let (a, b) = pairs[i as usize];
            if cancel.load(Ordering::Relaxed) {
                return (i, Vec::new());
            }
            let (first, second) = (store.get(a), store.get(b));
            let found = if a == b {
                align_prepared_within(first, align_options)
            } else {
                align_prepared(first, second, align_options)
            };
            let out = found
                .iter()
                .map(|alignment| {
                    AlignedPair::from_alignment(
                        alignment,
                        a,
                        &first.stream.tokens,
                        b,
                        &second.stream.tokens,
                    )
                })
                .collect();
            progress.advance(1);
            (i, out)
        })
        .collect();
    let mut aligned: Vec<Vec<AlignedPair>> = vec![Vec::new(); pairs.len()];
    for (i, out) in done {
        aligned[i as usize] = out;
    }
    aligned
}

/// Align every document pair (sorted by first document), in [`batches`] of
/// at most `batch_bytes` of text:
/// inside a batch every document is tokenized and its n-grams hashed once.
fn align_documents(
    corpus: &Corpus,
    document_pairs: &[(u32, u32)],
    params: &Params,
    progress: &dyn Progress,
    cancel: &AtomicBool,
    batch_bytes: usize,
) -> Vec<AlignedPair> {
    let options = &params.options;
    let align_options = AlignOptions {
        seed: options.ngram,
        min_words: options.min_words,
        max_gap: options.max_gap,
        ..AlignOptions::default()
    };
    let thorough = crate::thorough::ThoroughOptions {
        min_words: crate::thorough::MIN_WORDS_FACTOR * options.min_words,
        ..Default::default()
    };
    let mut found = Vec::new();
    let mut store = PreparedDocs::default();
    for (pairs, docs) in batches(corpus, document_pairs, batch_bytes) {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        store = store.covering(corpus, docs, options.normalize, &align_options);
        let aligned: Vec<Vec<AlignedPair>> = if options.preset == crate::thorough::Preset::Thorough
        {
            // Thorough: one index of the first document serves its group.
            let groups: Vec<&[(u32, u32)]> = pairs.chunk_by(|x, y| x.0 == y.0).collect();
            groups
                .par_iter()
                .map(|group| {
                    let first = store.get(group[0].0);
                    let first_tokens = &first.stream;
                    let index = crate::thorough::Index::new(
                        first_tokens,
                        &corpus.documents[group[0].0 as usize].text,
                        &thorough,
                    );
                    let mut out = Vec::new();
                    for &(a, b) in group.iter() {
                        if cancel.load(Ordering::Relaxed) {
                            break;
                        }
                        let second = store.get(b);
                        let second_tokens = &second.stream;
                        let found = if a == b {
                            align_prepared_within(first, &align_options)
                        } else {
                            crate::thorough::align_indexed(
                                &index,
                                second_tokens,
                                &corpus.documents[b as usize].text,
                                &thorough,
                            )
                        };
                        for alignment in found {
                            out.push(AlignedPair::from_alignment(
                                &alignment,
                                a,
                                &first_tokens.tokens,
                                b,
                                &second_tokens.tokens,
                            ));
                        }
                        progress.advance(1);
                    }
                    out
                })
                .collect()
        } else {
            align_batch(pairs, &store, corpus, &align_options, progress, cancel)
        };
        found.extend(aligned.into_iter().flatten());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;

    /// A corpus whose documents share passages with their neighbours.
    fn corpus() -> Corpus {
        let mut state = 7u64;
        let mut word = || format!("w{}", crate::minhash::splitmix64(&mut state) % 500);
        let passages: Vec<String> = (0..12)
            .map(|_| (0..30).map(|_| word()).collect::<Vec<_>>().join(" "))
            .collect();
        let documents = (0..24)
            .map(|d| {
                let own: String = (0..40).map(|_| word()).collect::<Vec<_>>().join(" ");
                let text = format!(
                    "{own}\n\n{}\n\n{}",
                    passages[d % 12],
                    passages[(d * 5 + 1) % 12]
                );
                Document {
                    id: format!("d{d:02}"),
                    origin: format!("d{d:02}"),
                    order: d as u32,
                    text: text.into_bytes(),
                    date: None,
                }
            })
            .collect();
        Corpus {
            documents,
            warnings: Vec::new(),
        }
    }

    #[test]
    fn batches_cover_every_pair_once_within_the_limit() {
        let corpus = corpus();
        let n = corpus.documents.len() as u32;
        let pairs: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| {
                (a + 1..n)
                    .filter(move |b| (a + b) % 3 == 0)
                    .map(move |b| (a, b))
            })
            .collect();
        let size = |d: u32| corpus.documents[d as usize].text.len();
        for limit in [1, 700, 2000, usize::MAX] {
            let mut seen = Vec::new();
            let mut count = 0;
            for (run, docs) in batches(&corpus, &pairs, limit) {
                count += 1;
                assert!(docs.windows(2).all(|w| w[0] < w[1]));
                for &(a, b) in run {
                    assert!(docs.binary_search(&a).is_ok() && docs.binary_search(&b).is_ok());
                }
                let bytes: usize = docs.iter().map(|&d| size(d)).sum();
                assert!(run.len() == 1 || bytes <= limit, "{bytes} > {limit}");
                seen.extend_from_slice(run);
            }
            assert_eq!(seen, pairs);
            if limit == usize::MAX {
                assert_eq!(count, 1);
            } else if limit == 1 {
                assert_eq!(count, pairs.len());
            }
        }
    }

    #[test]
    fn alignments_do_not_depend_on_the_batch_size() {
        let corpus = corpus();
        let params = Params::new(ScanOptions::default()).unwrap();
        let n = corpus.documents.len() as u32;
        let pairs: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let cancel = AtomicBool::new(false);
        let align = |limit| align_documents(&corpus, &pairs, &params, &NoProgress, &cancel, limit);
        let whole = align(usize::MAX);
        assert!(
            whole.len() >= 24,
            "the shared passages align: {}",
            whole.len()
        );
        for limit in [1, 900, 5000] {
            assert_eq!(align(limit), whole, "batches of {limit} bytes");
        }
    }
}
