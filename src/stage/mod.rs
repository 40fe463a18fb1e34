//! Stages: the scan pipeline cut into steps that run on their own, over
//! shards, reading and writing typed tables (issue 15), so that a job array
//! (`lifted stage NAME --rank R --world-size N`) or Spark (`lifted worker`
//! through `DataFrame.mapInArrow`) runs what [`crate::scan::scan`] runs in
//! memory, with the same report byte for byte.
//!
//! The stages, and the tables between them (Parquet files under a work
//! folder, see [`files`]; Arrow record batches for the workers):
//!
//! 1. **ingest** ([`files::ingest`]): rank `R` reads its share of the
//!    inputs ([`crate::ingest::Share`]: byte range `R` of `N` of each plain
//!    JSONL file, every `N`-th other file), so the ranks read each input
//!    once: the [`DocumentTable`] (key, id, origin, input position, date,
//!    text), sorted by id. An id in two shares is found by the stages that
//!    read every id (candidates, report).
//! 2. **sign** ([`sign::sign_documents`]): documents -> [`SignRows`]: one row
//!    per LSH band of every segment of `--min-words` words or more, one per
//!    distinct winnowed fingerprint of every document, and one per document
//!    holding its count of segments (all of them: `stats.segments`).
//!    Embarrassingly parallel.
//! 3. **candidates** ([`candidates::candidates`]): the one shuffle. Band rows
//!    grouped by (band, hash) and fingerprint rows by fingerprint, with
//!    `scan`'s bucket rules (a bucket over `--max-bucket` linked as a star
//!    and counted; a fingerprint held by too many documents counted and
//!    dropped) -> [`Edges`] (segment pairs and document pairs).
//! 4. **align** ([`align::align_edges`]): edges joined with the documents'
//!    text (stored in the ingest tables, never re-read from the inputs) ->
//!    [`Results`]: the document pairs aligned, the verified segment pairs
//!    with their Jaccard similarity, and the aligned spans.
//! 5. **report** ([`report::findings`]): the id-sorted corpus rebuilt from the
//!    ingest tables as a [`crate::ingest::Catalog`] (ids, origins, input
//!    positions and dates, no texts: [`files::text_facts`] gathers what the
//!    map needs of them in one pass; the text and HTML formats read them
//!    whole), the results mapped onto it, then clustering and provenance as
//!    in `scan`, and the same report writers.
//!
//! Nothing between stages depends on a global numbering: a document is
//! keyed by a 64-bit hash of its id (two ids with one key are an error) and
//! a segment by its document's key and its index in the document. Inside a
//! stage, documents are numbered by sorted id, the corpus's order, so the
//! shared code ([`sign::sketch`], [`verify::verify_pairs`],
//! [`align::align_documents`], [`crate::lsh::candidate_pairs_from_keys`],
//! [`crate::fingerprint::join`]) sees pairs in the orientation and order
//! `scan` gives them.

pub mod align;
pub mod candidates;
pub mod columns;
pub mod files;
pub mod report;
pub mod settings;
pub mod sign;
mod table;
pub mod verify;
pub mod worker;

use crate::minhash::splitmix64;

/// The stable 64-bit key of the document `id`: FNV-1a over its UTF-8 bytes,
/// then the SplitMix64 finalizer (FNV alone leaves the low bits, which pick
/// the shard, poorly mixed). Tables carry it as an `int64` bit pattern.
pub fn document_key(id: &str) -> u64 {
    let mut hash = 0xCBF2_9CE4_8422_2325u64;
    for &byte in id.as_bytes() {
        hash = (hash ^ byte as u64).wrapping_mul(0x0100_0000_01B3);
    }
    let mut state = hash;
    splitmix64(&mut state)
}

/// How keys are made: all 64 bits, or (tests only) fewer, so that two ids
/// with one key can be constructed and the collision check exercised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys {
    /// Bits of [`document_key`] kept (64 but in tests).
    pub bits: u32,
}

impl Default for Keys {
    fn default() -> Self {
        Keys { bits: 64 }
    }
}

impl Keys {
    /// The key of document `id`.
    pub fn of(self, id: &str) -> u64 {
        let key = document_key(id);
        if self.bits >= 64 {
            key
        } else {
            key & ((1u64 << self.bits) - 1)
        }
    }
}

/// Which of `world` shards owns the value `x` (already a hash, or not:
/// it is mixed again, so that related values spread).
pub fn owner(x: u64, world: usize) -> usize {
    let mut state = x;
    (splitmix64(&mut state) % world.max(1) as u64) as usize
}

/// The shard that owns an unordered pair of documents.
pub fn pair_owner(a: u64, b: u64, world: usize) -> usize {
    let (low, high) = (a.min(b), a.max(b));
    let mut state = low;
    owner(splitmix64(&mut state) ^ high, world)
}

/// The shard that owns a band row: by band and hash together.
pub fn band_owner(band: i32, key: i64, world: usize) -> usize {
    owner(((band as u32 as u64) << 32) ^ key as u64, world)
}

/// The shard that owns a fingerprint row: by the fingerprint bits the join
/// compares ([`crate::fingerprint::Packing`]: all but the low `doc_bits`).
pub fn fingerprint_owner(fingerprint: i64, doc_bits: u32, world: usize) -> usize {
    owner((fingerprint as u64) >> doc_bits, world)
}

/// Bits of a fingerprint key that hold the document in a corpus of
/// `documents` documents: those [`crate::fingerprint::Packing::new`] uses.
pub fn doc_bits(documents: usize) -> u32 {
    (usize::BITS - documents.saturating_sub(1).leading_zeros()).max(1)
}

/// The documents of one shard (or of all), sorted by id: the ingest table.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DocumentTable {
    /// [`document_key`] of each id.
    pub doc: Vec<u64>,
    /// The ids, sorted.
    pub id: Vec<String>,
    /// Where each came from (`file` or `file:line`).
    pub origin: Vec<String>,
    /// Position in the input order of the whole corpus: a key that sorts
    /// in that order ([`crate::ingest::SharedCorpus`]), not a count.
    pub order: Vec<u64>,
    /// The date given in the record, as given.
    pub date: Vec<Option<String>>,
    /// The text, as read.
    pub text: Vec<Vec<u8>>,
}

/// Rows of the sign stage: LSH band hashes of segments, winnowed
/// fingerprints of documents and each document's count of segments, one
/// table (one Arrow schema for Spark).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignRows {
    /// The band (0-based), or -1 on a fingerprint row
    /// ([`sign::FINGERPRINT_BAND`]), or -2 on a document's count row
    /// ([`sign::COUNT_BAND`]).
    pub band: Vec<i32>,
    /// The band's 32-bit hash, or the 64-bit fingerprint (bit pattern), or
    /// the document's count of segments.
    pub key: Vec<i64>,
    /// The document's key (bit pattern).
    pub doc: Vec<i64>,
    /// The segment's index in its document (among all its segments, banded
    /// or not), or -1 on a fingerprint or count row.
    pub segment: Vec<i32>,
}

impl SignRows {
    /// Rows held.
    pub fn len(&self) -> usize {
        self.band.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.band.is_empty()
    }

    /// Add one row.
    pub fn push(&mut self, band: i32, key: i64, doc: i64, segment: i32) {
        self.band.push(band);
        self.key.push(key);
        self.doc.push(doc);
        self.segment.push(segment);
    }
}

/// Candidate pairs: segment pairs from LSH buckets, document pairs from
/// shared fingerprints (segments -1), in any orientation, maybe repeated.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Edges {
    /// First document's key.
    pub a: Vec<i64>,
    /// First segment's index in its document, or -1 for a document pair.
    pub a_segment: Vec<i32>,
    /// Second document's key.
    pub b: Vec<i64>,
    /// Second segment's index, or -1.
    pub b_segment: Vec<i32>,
}

impl Edges {
    /// Edges held.
    pub fn len(&self) -> usize {
        self.a.len()
    }

    /// No edges.
    pub fn is_empty(&self) -> bool {
        self.a.is_empty()
    }

    /// Add one edge.
    pub fn push(&mut self, a: i64, a_segment: i32, b: i64, b_segment: i32) {
        self.a.push(a);
        self.a_segment.push(a_segment);
        self.b.push(b);
        self.b_segment.push(b_segment);
    }
}

/// What one row of [`Results`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Kind {
    /// A document pair handed to the aligner.
    DocumentPair = 0,
    /// A verified near-duplicate segment pair.
    SegmentPair = 1,
    /// A pair of aligned spans.
    Aligned = 2,
}

/// The align stage's output: one table for the three kinds of row
/// ([`Kind`]); columns a kind does not use hold 0 (-1 for segments).
/// Document `a` comes before `b` in id order (`a == b` within a document).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Results {
    /// [`Kind`] as its number.
    pub kind: Vec<i32>,
    /// First document's key.
    pub a: Vec<i64>,
    /// Second document's key.
    pub b: Vec<i64>,
    /// Segment pairs: the first segment's index in its document.
    pub a_segment: Vec<i32>,
    /// Segment pairs: the second segment's index.
    pub b_segment: Vec<i32>,
    /// Aligned spans: the index among the alignments of the document pair.
    pub sequence: Vec<i32>,
    /// First span's start byte.
    pub a_start: Vec<i64>,
    /// First span's end byte.
    pub a_end: Vec<i64>,
    /// Second span's start byte.
    pub b_start: Vec<i64>,
    /// Second span's end byte.
    pub b_end: Vec<i64>,
    /// Segment pairs: exact Jaccard similarity.
    pub jaccard: Vec<f64>,
    /// Segment pairs: exact containment.
    pub containment: Vec<f64>,
    /// Aligned spans: words matched exactly.
    pub words: Vec<i64>,
    /// Aligned spans: words edited.
    pub edits: Vec<i64>,
    /// Aligned spans: words in the first span.
    pub a_words: Vec<i64>,
    /// Aligned spans: words in the second span.
    pub b_words: Vec<i64>,
}

impl Results {
    /// Rows held.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }

    /// Append every row of `other`.
    pub fn append(&mut self, other: Results) {
        macro_rules! all {
            ($($field:ident),*) => { $( self.$field.extend(other.$field); )* };
        }
        all!(
            kind,
            a,
            b,
            a_segment,
            b_segment,
            sequence,
            a_start,
            a_end,
            b_start,
            b_end,
            jaccard,
            containment,
            words,
            edits,
            a_words,
            b_words
        );
    }
}

/// Why a stage function stopped: the caller names the file it was reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Cancelled (Ctrl-C).
    Interrupted,
    /// The input is not what the stage expects: what is wrong.
    Bad(String),
}

impl Fault {
    /// As a library error about `path`.
    pub fn at(self, path: &std::path::Path) -> crate::Error {
        match self {
            Fault::Interrupted => crate::Error::Interrupted,
            Fault::Bad(reason) => crate::Error::Stage {
                path: path.to_path_buf(),
                reason,
            },
        }
    }
}

/// Counters a stage adds to the report's [`crate::scan::Stats`]: every
/// stage writes its own, the report sums them (missing fields are 0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StageStats {
    /// Segments: the sign table's count rows, summed by the candidates
    /// stage (or by the Spark driver).
    pub segments: u64,
    /// Distinct candidate segment pairs.
    pub candidate_pairs: u64,
    /// LSH buckets linked as stars.
    pub oversized_buckets: u64,
    /// Fingerprints shared by too many documents.
    pub common_fingerprints: u64,
    /// Fingerprint rows signed (for measuring the shuffle; not reported).
    pub fingerprints: u64,
}

impl std::ops::AddAssign for StageStats {
    fn add_assign(&mut self, other: StageStats) {
        self.segments += other.segments;
        self.candidate_pairs += other.candidate_pairs;
        self.oversized_buckets += other.oversized_buckets;
        self.common_fingerprints += other.common_fingerprints;
        self.fingerprints += other.fingerprints;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed_and_spread() {
        // Fixed: shards written by different builds or machines agree.
        assert_eq!(document_key("a"), document_key("a"));
        assert_ne!(document_key("a"), document_key("b"));
        let mut counts = [0usize; 4];
        for i in 0..4000 {
            counts[owner(document_key(&format!("doc-{i}")), 4)] += 1;
        }
        assert!(
            counts.iter().all(|&c| (800..1200).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn pair_owner_ignores_the_orientation() {
        for (a, b) in [(1u64, 2u64), (u64::MAX, 7), (5, 5)] {
            assert_eq!(pair_owner(a, b, 7), pair_owner(b, a, 7));
        }
    }

    #[test]
    fn doc_bits_match_the_packing() {
        for (documents, bits) in [
            (0, 1),
            (1, 1),
            (2, 1),
            (3, 2),
            (4, 2),
            (5, 3),
            (1 << 20, 20),
        ] {
            assert_eq!(doc_bits(documents), bits, "{documents}");
        }
    }

    #[test]
    fn short_keys_collide_for_tests() {
        let keys = Keys { bits: 2 };
        let ids: Vec<u64> = (0..10).map(|i| keys.of(&i.to_string())).collect();
        assert!(ids.iter().all(|&k| k < 4));
    }
}
