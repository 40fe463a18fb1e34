//! Reports: one serializable provenance map, written in several formats.
//!
//! [`Report`] is the model (its field names are a public contract: scripts and
//! CI jobs read them; see "Output schema" in README.md). Each format has its own
//! writer module, after hyperfine's `export/` layout. Every list is sorted and
//! every float rounded to 4 decimals so that reports are byte-identical from run
//! to run, whatever the thread count.

pub mod csv;
pub mod escape;
pub mod html;
pub mod json;
pub mod jsonl;
pub mod offsets;
pub mod parquet;
mod parts;
pub mod text;

pub use parts::MapParts;

use serde::{Deserialize, Serialize};

use crate::align::Span;
use crate::error::Warning;
use crate::ingest::Corpus;
use crate::provenance::Chronology;
use crate::scan::{Findings, Params, Stats};

/// Version of the JSON schema; bumped on any change of its fields.
/// 2: `start_char`/`end_char` on spans, `excerpt` on links and passages,
/// `title`, `url` and `main_source` on documents (issue 14).
pub const SCHEMA_VERSION: u32 = 2;

/// Default length of an excerpt, in characters (`--excerpt`).
pub const EXCERPT: usize = 80;

/// What the report shows beyond the scan's findings.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    /// Characters of the excerpt of each link and passage (0: none).
    pub excerpt: usize,
    /// Manifest title and URL per document of the corpus (by index); empty
    /// without a manifest.
    pub labels: Vec<Label>,
}

/// A document's manifest title and URL (defined with the manifest).
pub use crate::manifest::Label;

/// The provenance map of one scan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// Tool name and version.
    pub tool: Tool,
    /// Parameters the scan ran with.
    pub parameters: Parameters,
    /// What each stage did.
    pub stats: Stats,
    /// Every input document, sorted by id.
    pub documents: Vec<DocumentEntry>,
    /// Near-duplicate segments (paragraphs or windows), verified.
    pub pairs: Vec<PairEntry>,
    /// Passages: groups of copies of the same text.
    pub passages: Vec<PassageEntry>,
    /// Who lifted from whom, span to span.
    pub links: Vec<LinkEntry>,
    /// Inputs skipped or read with care.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

/// Tool identity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Tool {
    /// Always "lifted".
    pub name: String,
    /// Crate version.
    pub version: String,
}

/// The scan's parameters, as used.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Parameters {
    /// Words per shingle.
    pub ngram: usize,
    /// MinHash permutations.
    pub permutations: usize,
    /// LSH bands.
    pub bands: usize,
    /// LSH rows per band.
    pub rows: usize,
    /// Jaccard threshold.
    pub threshold: f64,
    /// Window size in words.
    pub window: usize,
    /// Fewest words reported.
    pub min_words: usize,
    /// Largest gap bridged in an alignment.
    pub max_gap: usize,
    /// Accents folded.
    pub fold_accents: bool,
    /// Reuse inside a document reported.
    pub within_doc: bool,
    /// Where dates came from: "manifest", "given" or "none".
    pub chronology: String,
    /// Only near-duplicate segment pairs were looked for (`--pairs-only`):
    /// no passages, links or lifted shares. Present only when true.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub pairs_only: bool,
}

/// One input document.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DocumentEntry {
    /// Document id (path relative to the folder given, or JSONL id).
    pub id: String,
    /// Where it was read from (`file` or `file:line`).
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Publication date, when the manifest gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Title, when the manifest gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Address, when the manifest gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Bytes of this document lifted from others (targets of directed links)
    /// or shared with others when the direction is unknown (undirected links).
    pub lifted_bytes: u64,
    /// `lifted_bytes / bytes`.
    pub lifted_share: f64,
    /// The document credited with most of this document's lifted bytes
    /// (its base text), when anything was lifted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_source: Option<MainSource>,
}

/// The source credited with most of a document's lifted bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MainSource {
    /// Its document id.
    pub doc: String,
    /// Bytes of the document lifted from it (or shared with it when the
    /// direction is unknown).
    pub bytes: u64,
    /// `bytes / lifted_bytes` of the document.
    pub share: f64,
}

/// A byte range of a document, half-open.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct SpanEntry {
    /// Document id.
    pub doc: String,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
    /// First character (Unicode code point, counted from 0).
    #[serde(default)]
    pub start_char: u32,
    /// One past the last character.
    #[serde(default)]
    pub end_char: u32,
}

/// A verified near-duplicate pair of segments.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PairEntry {
    /// First segment.
    pub a: SpanEntry,
    /// Second segment.
    pub b: SpanEntry,
    /// Exact Jaccard similarity of their shingle sets.
    pub jaccard: f64,
    /// Exact containment (intersection over the smaller set).
    pub containment: f64,
}

/// A passage and its copies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PassageEntry {
    /// `p1`, `p2`, ... in order of first copy.
    pub id: String,
    /// Every copy, sorted by document and offset.
    pub copies: Vec<SpanEntry>,
    /// Document of the earliest copy, when every copy is dated.
    pub source: Option<String>,
    /// Most words one aligned pair of copies has in common.
    pub words: u32,
    /// Marked as boilerplate (present only with --keep-boilerplate).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub boilerplate: bool,
    /// The start of the first copy's text (`--excerpt` characters, whitespace
    /// collapsed); absent with `--excerpt 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// A link from the copy lifted from to the copy that lifted it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LinkEntry {
    /// Passage id.
    pub passage: String,
    /// The older copy (first in input order when undirected).
    pub source: SpanEntry,
    /// The newer copy.
    pub target: SpanEntry,
    /// Whether dates give the direction.
    pub directed: bool,
    /// Words matched over the mean span length (Dice on words).
    pub similarity: f64,
    /// Words in common.
    pub words: u32,
    /// Words inserted, deleted or replaced inside the spans.
    pub edits: u32,
    /// Share of the target span's words matched.
    pub coverage: f64,
    /// The start of the target span's text (`--excerpt` characters,
    /// whitespace collapsed); absent with `--excerpt 0`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
}

/// Total length of the union of half-open ranges (defined with provenance,
/// which credits bytes with it).
pub use crate::provenance::union_length;

/// Round to 4 decimals, for stable output.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

impl Report {
    /// Build the map of a scan, with default [`ReportOptions`] (excerpts of
    /// [`EXCERPT`] characters, no manifest titles).
    pub fn build(
        corpus: &Corpus,
        params: &Params,
        chronology: &Chronology,
        findings: &Findings,
    ) -> Report {
        let options = ReportOptions {
            excerpt: EXCERPT,
            labels: Vec::new(),
        };
        Report::build_with(corpus, params, chronology, findings, &options)
    }

    /// Build the map of a scan.
    pub fn build_with(
        corpus: &Corpus,
        params: &Params,
        chronology: &Chronology,
        findings: &Findings,
        shown: &ReportOptions,
    ) -> Report {
        let texts = CorpusTexts::new(corpus, findings);
        Report::build_from(corpus, &texts, params, chronology, findings, shown)
    }

    /// Build the map of a scan from what it needs of the texts (`texts`):
    /// `corpus` gives the documents' ids, origins and warnings. The
    /// staged route's report stage uses this without holding the texts.
    pub fn build_from(
        corpus: &dyn crate::ingest::Documents,
        texts: &dyn TextFacts,
        params: &Params,
        chronology: &Chronology,
        findings: &Findings,
        shown: &ReportOptions,
    ) -> Report {
        let parts = MapParts::new(corpus, texts, params, chronology, findings, shown);
        let [documents, pairs, passages, links] = parts.lengths();
        let mut report = parts.head();
        report.documents = parts.documents(0..documents);
        report.pairs = parts.pairs(0..pairs);
        report.passages = parts.passages(0..passages);
        report.links = parts.links(0..links);
        report
    }

    /// Index of a document id in `documents`.
    pub fn document_index(&self, id: &str) -> Option<usize> {
        self.documents
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .ok()
    }
}

/// The spans whose character offsets the map gives: links' ends, passages'
/// copies and pairs' segments.
pub fn spans_shown(findings: &Findings) -> impl Iterator<Item = &Span> {
    let ends = findings
        .provenance
        .links
        .iter()
        .flat_map(|l| [&l.source, &l.target]);
    let copies = findings.passages.iter().flat_map(|p| &p.copies);
    let pairs = findings.pairs.iter().flat_map(|p| [&p.a, &p.b]);
    ends.chain(copies).chain(pairs)
}

/// What [`Report::build_from`] needs of the documents' texts (by index in
/// the corpus).
pub trait TextFacts: Sync {
    /// The text's length in bytes.
    fn len(&self, doc: usize) -> usize;
    /// The code-point offset of byte `offset` (clamped to the text).
    fn char_offset(&self, doc: usize, offset: u32) -> u32;
    /// The excerpt of `span` ([`offsets::excerpt`], `limit` > 0 characters).
    fn excerpt(&self, span: &Span, limit: usize) -> String;
}

/// [`TextFacts`] of a corpus held with its texts, for the map of a scan's
/// findings (the character offsets of the spans it shows counted once).
pub struct CorpusTexts<'c> {
    corpus: &'c Corpus,
    chars: offsets::CharIndex<'c>,
}

impl<'c> CorpusTexts<'c> {
    /// The texts of `corpus`, with the character offsets of the spans the
    /// map of `findings` shows ([`spans_shown`]).
    pub fn new(corpus: &'c Corpus, findings: &Findings) -> CorpusTexts<'c> {
        let chars = offsets::CharIndex::new(corpus, spans_shown(findings));
        CorpusTexts { corpus, chars }
    }
}

impl TextFacts for CorpusTexts<'_> {
    fn len(&self, doc: usize) -> usize {
        self.corpus.documents[doc].text.len()
    }

    fn char_offset(&self, doc: usize, offset: u32) -> u32 {
        self.chars.char_offset(doc, offset)
    }

    fn excerpt(&self, span: &Span, limit: usize) -> String {
        let text = &self.corpus.documents[span.doc as usize].text;
        let end = (span.end as usize).min(text.len());
        let start = (span.start as usize).min(end);
        offsets::excerpt(&text[start..end], limit)
    }
}

/// What the path of a warning about the whole corpus rather than one file says.
pub const ALL_INPUTS: &str = "(all inputs)";

/// The warnings that `--max-bucket` caps were reached: oversized LSH buckets
/// linked as stars, fingerprints too common to pair documents.
pub fn limit_warnings(stats: &Stats, max_bucket: usize) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if stats.oversized_buckets > 0 {
        warnings.push(Warning::file(
            ALL_INPUTS,
            format!(
                "{} LSH bucket(s) held more than --max-bucket {max_bucket} segments: each was linked as a star from its first segment instead of pair by pair (stats.oversized_buckets; raise --max-bucket to compare every pair)",
                stats.oversized_buckets
            ),
        ));
    }
    if stats.common_fingerprints > 0 {
        warnings.push(Warning::file(
            ALL_INPUTS,
            format!(
                "{} fingerprint(s) were shared by more than --max-bucket {max_bucket} documents and paired no documents, as boilerplate (stats.common_fingerprints; raise --max-bucket to align those documents too)",
                stats.common_fingerprints
            ),
        ));
    }
    warnings
}
