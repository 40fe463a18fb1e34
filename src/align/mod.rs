//! Align: find the exact reused spans between two documents.
//!
//! Seed and extend, then chain (the approach of BLAST-like local aligners and
//! passim's passage alignment, done on words):
//! 1. seeds are positions where both documents have the same word n-gram
//!    (a sort-merge join of the two n-gram hash lists); an n-gram repeated
//!    more than `max_repeat` times in either document seeds each occurrence
//!    in A only with the one in B on the diagonal of the anchors around it
//!    (n-grams once in each document, chained as a longest increasing
//!    subsequence, as MUMmer and minimap2 do), or without anchors its k-th
//!    occurrence in A with its k-th in B (linear, and the diagonal of a
//!    copy), and not at all inside one document;
//! 2. seeds on one diagonal at consecutive positions merge into maximal exact
//!    matches (MEMs) of at least n words;
//! 3. MEMs are chained in order on both sides when the gaps between them are at
//!    most `max_gap` words on each side: a changed word, a typo, an inserted
//!    aside such as "(vidéo ci-dessus)" or "[s]on" against "son" are bridged, so
//!    one lifted passage comes out as one span, even across paragraph breaks;
//! 4. chains are taken best first; every MEM belongs to one chain, so a
//!    passage that occurs twice in one document gives two alignments;
//! 5. between two documents (not inside one), the gap between two
//!    consecutive alignments, at most [`FILL_MOST`] words a side, is aligned
//!    word by word ([`fill_gaps`]): a passage revised too heavily for any
//!    seed to survive, between two aligned ones, is found and joins them.
//!    The aligning of document pairs ([`crate::stage`]) does this step; the
//!    functions here return the chains of step 4.
//!
//! A chain ends at its last exact match, and a filled gap at its last
//! matched word, so a span never runs on into paraphrase. Chains and
//! filled stretches with fewer than `min_words` matched words are dropped.

mod chain;
mod gaps;
mod index;
mod seeds;

use chain::*;
use seeds::*;

pub use gaps::{fill_gaps, FILL_MOST, FILL_SIMILARITY};
pub use index::{align_indexed, indexable, may_be_indexable, shared_runs, SharedRuns};
pub(crate) use seeds::for_each_shared;

use crate::normalize::{Token, TokenStream};
use crate::shingle::ngram_hashes;

/// Alignment settings.
#[derive(Debug, Clone, Copy)]
pub struct AlignOptions {
    /// Seed size in words (the shingle n-gram size).
    pub seed: usize,
    /// Fewest words in common for an alignment to be reported.
    pub min_words: usize,
    /// Largest gap, in words on either side, bridged inside one alignment.
    pub max_gap: usize,
    /// N-grams repeated more often than this in a document seed only on the
    /// diagonal of the anchors around each occurrence (see the module doc).
    pub max_repeat: usize,
}

impl Default for AlignOptions {
    fn default() -> Self {
        AlignOptions {
            seed: 5,
            min_words: 8,
            max_gap: 8,
            max_repeat: 16,
        }
    }
}

/// One aligned pair of spans, in token indices of each document (half-open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alignment {
    /// First token in document A.
    pub a_first: u32,
    /// One past the last token in A.
    pub a_last: u32,
    /// First token in document B.
    pub b_first: u32,
    /// One past the last token in B.
    pub b_last: u32,
    /// Words matched exactly on both sides.
    pub words: u32,
    /// Words inserted, deleted or substituted inside the span (the larger side of each gap).
    pub edits: u32,
}

impl Alignment {
    /// Words in the A span.
    pub fn a_words(&self) -> u32 {
        self.a_last - self.a_first
    }

    /// Words in the B span.
    pub fn b_words(&self) -> u32 {
        self.b_last - self.b_first
    }

    /// Matched words over the mean length of the two spans (Dice on words), in [0, 1].
    pub fn similarity(&self) -> f64 {
        2.0 * self.words as f64 / (self.a_words() + self.b_words()).max(1) as f64
    }
}

/// A byte range of one document (half-open), the unit every report speaks in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Index of the document in the corpus.
    pub doc: u32,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

impl Span {
    /// Length in bytes.
    pub fn len(&self) -> u32 {
        self.end - self.start
    }

    /// True for an empty span.
    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    /// Bytes shared with `other` (0 when in different documents).
    pub fn overlap(&self, other: &Span) -> u32 {
        if self.doc != other.doc {
            return 0;
        }
        self.end
            .min(other.end)
            .saturating_sub(self.start.max(other.start))
    }
}

/// An alignment in byte terms: the output of this stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignedPair {
    /// Span in the first document (the one with the smaller index).
    pub a: Span,
    /// Span in the second document.
    pub b: Span,
    /// Words matched exactly.
    pub words: u32,
    /// Words edited inside the spans.
    pub edits: u32,
    /// Words in the A span.
    pub a_words: u32,
    /// Words in the B span.
    pub b_words: u32,
}

impl AlignedPair {
    /// From token-level alignment of documents `a_doc` and `b_doc`.
    pub fn from_alignment(
        alignment: &Alignment,
        a_doc: u32,
        a: &[Token],
        b_doc: u32,
        b: &[Token],
    ) -> AlignedPair {
        AlignedPair {
            a: Span {
                doc: a_doc,
                start: a[alignment.a_first as usize].start,
                end: a[alignment.a_last as usize - 1].end,
            },
            b: Span {
                doc: b_doc,
                start: b[alignment.b_first as usize].start,
                end: b[alignment.b_last as usize - 1].end,
            },
            words: alignment.words,
            edits: alignment.edits,
            a_words: alignment.a_words(),
            b_words: alignment.b_words(),
        }
    }

    /// Matched words over the mean span length, in [0, 1].
    pub fn similarity(&self) -> f64 {
        2.0 * self.words as f64 / (self.a_words + self.b_words).max(1) as f64
    }
}

/// An exact match: `len` words at `a` in A and at `b` in B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Match {
    a: u32,
    b: u32,
    len: u32,
}

/// Align two documents' tokens. With `same_document`, A and B are one document
/// and only matches with B after A (and not overlapping it) are kept.
pub fn align(
    a: &[Token],
    b: &[Token],
    same_document: bool,
    options: &AlignOptions,
) -> Vec<Alignment> {
    align_with_breaks(a, &[], b, &[], same_document, options)
}

/// [`align`] for two token streams, knowing where their paragraphs start: a
/// gap is not bridged when it holds a paragraph break on both sides (two
/// copied paragraphs under different headings are two spans), while a copy
/// that glues paragraphs into one line still aligns as one span.
pub fn align_streams(
    a: &TokenStream,
    b: &TokenStream,
    same_document: bool,
    options: &AlignOptions,
) -> Vec<Alignment> {
    align_with_breaks(
        &a.tokens,
        &a.breaks,
        &b.tokens,
        &b.breaks,
        same_document,
        options,
    )
}

fn align_with_breaks(
    a: &[Token],
    a_breaks: &[u32],
    b: &[Token],
    b_breaks: &[u32],
    same_document: bool,
    options: &AlignOptions,
) -> Vec<Alignment> {
    let n = options.seed.max(1);
    let ga = grams(a, n);
    let gb = if same_document {
        Vec::new()
    } else {
        grams(b, n)
    };
    let gb = if same_document { &ga } else { &gb };
    align_grams(&ga, a_breaks, gb, b_breaks, same_document, options)
}

/// A document made ready to be aligned with many partners: its tokens, its
/// seed n-gram hashes in text order with a bit filter of them and, for a
/// long document (at least [`SORTED_MIN`] n-grams), the hashes sorted once
/// (with where each one sits in the text). Two long documents join their sorted lists in
/// one linear merge and read the shared n-grams back in text order, so no
/// pair sorts anything (sorting, per pair, the n-grams that passed the
/// partner's filter took 60% of aligning long documents that share most of
/// their text, where nearly every n-gram passes); other pairs sort just the
/// n-grams that pass the other side's filter. Either way the same seeds and
/// alignments as [`align_streams`]. A document in many pairs is prepared once.
#[derive(Default)]
pub struct Prepared {
    /// The tokens and paragraph starts.
    pub stream: TokenStream,
    /// Seed n-gram hashes in text order.
    text: Vec<u64>,
    /// A bit filter of `text`.
    filter: Vec<u64>,
    /// For a long document, its n-grams sorted.
    sorted: Option<Sorted>,
}

/// A document's seed n-grams sorted once.
#[derive(Default)]
struct Sorted {
    /// Seed n-gram hashes, ascending (ties by position).
    hashes: Vec<u64>,
    /// Text position of each hash of `hashes`.
    positions: Vec<u32>,
    /// Where each bucket of hashes (by their top `bits` bits) starts in
    /// `hashes`, plus the end: about one hash a bucket, so that a hash is
    /// found in `hashes` in a step or two.
    starts: Vec<u32>,
    /// Top bits of a hash that name its bucket of `starts`.
    bits: u32,
}

impl Sorted {
    /// The n-grams `text` (hashes in text order) sorted by hash, then
    /// position, in one counting pass on the bits that name their bucket
    /// of `starts` (about one n-gram a bucket), straight into `hashes` and
    /// `positions`, each bucket then sorted by hash alone: a bucket holds
    /// its n-grams in text order, so equal hashes stay by position. (Sorted
    /// as pairs first, then split into the two lists and the buckets found
    /// again, preparing long documents took a tenth more.)
    fn of(text: &[u64]) -> Sorted {
        let len = text.len();
        assert!(len <= u32::MAX as usize, "n-gram positions fit in 32 bits");
        let bits = (usize::BITS - len.leading_zeros()).clamp(1, 24);
        let buckets = 1usize << bits;
        let bucket = |hash: u64| (hash >> (64 - bits)) as usize;
        let mut starts = vec![0u32; buckets + 1];
        for &hash in text {
            starts[bucket(hash) + 1] += 1;
        }
        for k in 0..buckets {
            starts[k + 1] += starts[k];
        }
        let mut hashes = vec![0u64; len];
        let mut positions = vec![0u32; len];
        let mut next = starts[..buckets].to_vec();
        for (i, &hash) in text.iter().enumerate() {
            let at = &mut next[bucket(hash)];
            hashes[*at as usize] = hash;
            positions[*at as usize] = i as u32;
            *at += 1;
        }
        drop(next);
        for k in 0..buckets {
            let (from, to) = (starts[k] as usize, starts[k + 1] as usize);
            if to - from > 1 {
                sort_bucket(&mut hashes[from..to], &mut positions[from..to]);
            }
        }
        Sorted {
            hashes,
            positions,
            starts,
            bits,
        }
    }

    /// The end of the run of `hashes[i]`'s equal hashes starting at `i`.
    #[inline(always)]
    fn run_end(&self, i: usize) -> usize {
        let x = self.hashes[i];
        i + self.hashes[i..].iter().take_while(|&&h| h == x).count()
    }

    /// The first index `j` at or after `from` with `hashes[j] >= hash`.
    #[inline(always)]
    fn seek(&self, from: usize, hash: u64) -> usize {
        let bucket = (hash >> (64 - self.bits)) as usize;
        let mut j = from.max(self.starts[bucket] as usize);
        let end = self.starts[bucket + 1] as usize;
        while j < end && self.hashes[j] < hash {
            j += 1;
        }
        j
    }
}

/// Most items of a bucket that the counting sorts of n-grams finish by
/// insertion, stable on the hash ([`sort_bucket`] here, on two parallel
/// lists, [`sort_text_ordered`] on pairs, and `index::range_entries`, on
/// whole entries); a larger bucket
/// (a frequent n-gram's repeats and another hash's, interleaved, which
/// insertion would sort in quadratic time) is sorted whole.
/// `seeds::sorted_grams` always sorts its buckets whole: its items carry
/// their position, so there is no order to keep.
const INSERTION_MOST: usize = 32;

/// Sort one bucket of [`Sorted::of`]: `hashes` with their `positions`,
/// the positions ascending, into (hash, position) order: by insertion,
/// stable on the hash, for a few n-grams; as pairs for more (a bucket of
/// a frequent n-gram's repeats and another hash's, interleaved, would be
/// quadratic by insertion).
fn sort_bucket(hashes: &mut [u64], positions: &mut [u32]) {
    if hashes.len() > INSERTION_MOST {
        let mut pairs: Vec<(u64, u32)> = hashes
            .iter()
            .copied()
            .zip(positions.iter().copied())
            .collect();
        pairs.sort_unstable();
        for (k, (hash, position)) in pairs.into_iter().enumerate() {
            hashes[k] = hash;
            positions[k] = position;
        }
        return;
    }
    for i in 1..hashes.len() {
        let (hash, position) = (hashes[i], positions[i]);
        let mut j = i;
        while j > 0 && hashes[j - 1] > hash {
            hashes[j] = hashes[j - 1];
            positions[j] = positions[j - 1];
            j -= 1;
        }
        hashes[j] = hash;
        positions[j] = position;
    }
}

/// Fewest n-grams for a document to be sorted when prepared. A short
/// document is aligned by filtering both sides on the other's bit filter
/// and sorting what passes (only shared n-grams and a few false positives),
/// cheaper than sorting all of it when it is in a pair or two, as in the
/// 100 MB paragraphs corpus (aligning 0.48 s with the filter, 0.65 s with
/// every document sorted, --threads 1); a long one is sorted once and merged
/// in linear time with each partner.
const SORTED_MIN: usize = 2048;

/// Fewest bits in a [`Prepared`] filter (a power of two). A short document
/// (1.7 KB, 300 n-grams) gets 16 bits an n-gram like a long one, 8 Kib,
/// where a floor of 32 Kib made its filter 4 KB, read from memory at
/// nearly every probe (see [`align_prepared`]).
const FILTER_BITS: usize = 1 << 12;

/// Filter bits per n-gram, rounded up to a power of two:
/// about one bit in 16 to 32 set, so that a merge of two sorted lists that
/// share few n-grams skips most of the probing side without looking into
/// the other (see [`seeds::prepared_matches`]).
const FILTER_BITS_PER_GRAM: usize = 16;

/// A bit filter of `hashes` (their low bits): [`FILTER_BITS`] bits, or for
/// many hashes [`FILTER_BITS_PER_GRAM`] a hash.
fn filter_of(hashes: &[u64]) -> Vec<u64> {
    filter_sized(
        hashes.iter().copied(),
        hashes.len(),
        FILTER_BITS_PER_GRAM,
        FILTER_BITS,
    )
}

/// Bits per hash of a [`filter_of_len`] filter.
const SMALL_FILTER_BITS_PER_GRAM: usize = 32;

/// A bit filter of the `len` hashes `hashes` sized to them: about 32 bits a
/// hash, at least 512 (one cache line), for [`may_hold`].
fn filter_of_len(hashes: impl Iterator<Item = u64>, len: usize) -> Vec<u64> {
    filter_sized(hashes, len, SMALL_FILTER_BITS_PER_GRAM, 512)
}

/// A bit filter of the `len` hashes `hashes` (their low bits): `per_gram`
/// bits a hash rounded up to a power of two, at least `fewest`.
fn filter_sized(
    hashes: impl Iterator<Item = u64>,
    len: usize,
    per_gram: usize,
    fewest: usize,
) -> Vec<u64> {
    let bits = (len * per_gram).next_power_of_two().max(fewest);
    let mut filter = vec![0u64; bits / 64];
    for hash in hashes {
        let bit = hash as usize & (bits - 1);
        filter[bit / 64] |= 1 << (bit % 64);
    }
    filter
}

/// May `filter` (of [`filter_of`]) hold `hash`?
#[inline(always)]
fn may_hold(filter: &[u64], hash: u64) -> bool {
    let bit = hash as usize & (filter.len() * 64 - 1);
    filter[bit / 64] & (1 << (bit % 64)) != 0
}

/// The n-grams of `hashes` that `filter` may hold, with their positions, sorted.
fn passing(hashes: &[u64], filter: &[u64]) -> Vec<(u64, u32)> {
    let grams = hashes
        .iter()
        .enumerate()
        .filter(|&(_, &hash)| may_hold(filter, hash))
        .map(|(i, &hash)| (hash, i as u32))
        .collect();
    sort_text_ordered(grams)
}

/// `grams` (n-gram hashes with their positions, the positions ascending)
/// sorted by hash, then position: the order of `sort_unstable`, found as
/// [`Sorted::of`] finds it, one counting pass on the top bits of the hashes
/// (about one n-gram a bucket), each bucket then sorted by insertion,
/// stable on the hash (a bucket holds its n-grams in text order). On the
/// 100 MB independent corpus `sort_unstable` of the n-grams that passed a
/// partner's filter (some 100 a pair) had taken 4% of the scan's CPU.
fn sort_text_ordered(mut grams: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    let len = grams.len();
    if len <= INSERTION_MOST {
        insertion_sort_by_hash(&mut grams, |g| g.0);
        return grams;
    }
    let bits = (usize::BITS - len.leading_zeros()).clamp(1, 24);
    let buckets = 1usize << bits;
    let (mut out, starts) = crate::group::counting_sort(
        len,
        buckets,
        |i| Some(grams[i]),
        |g| (g.0 >> (64 - bits)) as usize,
    );
    for bucket in starts.windows(2) {
        let run = &mut out[bucket[0]..bucket[1]];
        if run.len() > INSERTION_MOST {
            // A frequent n-gram's repeats among another hash's.
            run.sort_unstable();
        } else {
            insertion_sort_by_hash(run, |g| g.0);
        }
    }
    out
}

/// Sort `items` by their `hash`, keeping items of equal hashes in the
/// order they come in: by insertion, for a few (a bucket of the counting
/// sorts of n-grams, see [`INSERTION_MOST`]).
fn insertion_sort_by_hash<T: Copy>(items: &mut [T], hash: impl Fn(&T) -> u64) {
    for i in 1..items.len() {
        let item = items[i];
        let mut j = i;
        while j > 0 && hash(&items[j - 1]) > hash(&item) {
            items[j] = items[j - 1];
            j -= 1;
        }
        items[j] = item;
    }
}

impl Prepared {
    /// Its seed n-grams.
    pub fn grams(&self) -> usize {
        self.text.len()
    }

    /// Hash the seed n-grams of `stream`, build their filter and, for a
    /// long document, sort them.
    pub fn new(stream: TokenStream, options: &AlignOptions) -> Prepared {
        let text = ngram_hashes(&stream.tokens, options.seed.max(1));
        let filter = filter_of(&text);
        let sorted = (text.len() >= SORTED_MIN).then(|| Sorted::of(&text));
        Prepared {
            stream,
            text,
            filter,
            sorted,
        }
    }
}

/// [`align_streams`] of two prepared documents, `a` and `b` (not the same
/// one: that is `align_streams(a, a, true, ...)`), prepared with the same
/// `options.seed`.
pub fn align_prepared(a: &Prepared, b: &Prepared, options: &AlignOptions) -> Vec<Alignment> {
    let (a_breaks, b_breaks) = (&a.stream.breaks, &b.stream.breaks);
    if let (Some(sa), Some(sb)) = (&a.sorted, &b.sorted) {
        let matches = prepared_matches(sa, &a.filter, sb, &b.filter, options);
        return chain(
            &matches,
            &Breaks {
                a: a_breaks,
                b: b_breaks,
            },
            options,
        );
    }
    // The shorter side probes the other's filter; the other side then
    // probes a small filter of just the n-grams that passed (every n-gram
    // the two share passes, and every occurrence of it on both sides), held
    // in a cache line or two, where the partner's filter of a kilobyte or more was
    // a cache miss at nearly every probe: documents of a batch are met in
    // no order that keeps their filters cached.
    let swap = b.text.len() < a.text.len();
    let (first, second) = if swap { (b, a) } else { (a, b) };
    let passed = passing(&first.text, &second.filter);
    // Every n-gram of `first` that `second` holds passed: when they cannot
    // align, `second` need not be read at all.
    if passed.len() <= TEST_MOST {
        let mut positions: Vec<u32> = passed.iter().map(|x| x.1).collect();
        if cannot_align(&mut positions, options) {
            return Vec::new();
        }
    }
    let small = filter_of_len(passed.iter().map(|x| x.0), passed.len());
    let other = passing(&second.text, &small);
    let (ga, gb) = if swap {
        (other, passed)
    } else {
        (passed, other)
    };
    align_grams(&ga, a_breaks, &gb, b_breaks, false, options)
}

/// `align_streams(a, a, true, ...)` of a prepared document: the reuse inside
/// it, from the n-grams it already holds.
pub fn align_prepared_within(a: &Prepared, options: &AlignOptions) -> Vec<Alignment> {
    let grams = sorted_grams(&a.text);
    let breaks = &a.stream.breaks;
    align_grams(&grams, breaks, &grams, breaks, true, options)
}

fn align_grams(
    ga: &[(u64, u32)],
    a_breaks: &[u32],
    gb: &[(u64, u32)],
    b_breaks: &[u32],
    same_document: bool,
    options: &AlignOptions,
) -> Vec<Alignment> {
    // Every exact match is chained: keeping only the longest few thousand
    // (as before issue 13) reported a 2 MB copy with one word in 30 edited
    // as 39% lifted. Chaining is linear in the matches (at most
    // `MAX_PREDECESSORS` looked at each), and they take less memory than
    // the seeds they come from.
    let mut matches = exact_matches(ga, gb, same_document, options);
    matches.sort_unstable();
    chain(
        &matches,
        &Breaks {
            a: a_breaks,
            b: b_breaks,
        },
        options,
    )
}

/// Total length of the union of half-open ranges (aligned spans, lifted
/// bytes): what alignments and the provenance map measure coverage with.
pub fn union_length(mut ranges: Vec<(u32, u32)>) -> u64 {
    ranges.sort_unstable();
    let mut total = 0u64;
    let mut current: Option<(u32, u32)> = None;
    for (start, end) in ranges {
        match current.as_mut() {
            Some(c) if start <= c.1 => c.1 = c.1.max(end),
            _ => {
                if let Some(c) = current {
                    total += (c.1 - c.0) as u64;
                }
                current = Some((start, end));
            }
        }
    }
    total + current.map_or(0, |c| (c.1 - c.0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    fn run(a: &str, b: &str) -> Vec<(String, String, u32, u32)> {
        let ta = tokenize(a.as_bytes(), NormalizeOptions::default()).tokens;
        let tb = tokenize(b.as_bytes(), NormalizeOptions::default()).tokens;
        align(&ta, &tb, false, &AlignOptions::default())
            .into_iter()
            .map(|x| {
                let sa = &a
                    [ta[x.a_first as usize].start as usize..ta[x.a_last as usize - 1].end as usize];
                let sb = &b
                    [tb[x.b_first as usize].start as usize..tb[x.b_last as usize - 1].end as usize];
                (sa.to_string(), sb.to_string(), x.words, x.edits)
            })
            .collect()
    }

    proptest::proptest! {
        /// Filtering both sides before sorting finds exactly the alignments
        /// of sorting every n-gram of both documents. Words come from a
        /// small vocabulary so that repeats and partial copies are common.
        #[test]
        fn filtered_alignment_equals_prepared(
            a in proptest::collection::vec(0u8..12, 0..400),
            b in proptest::collection::vec(0u8..12, 0..400),
            copy in proptest::prelude::any::<bool>(),
        ) {
            let words = |v: &[u8]| -> String {
                v.iter()
                    .map(|&w| if w == 11 { "\n".to_string() } else { format!("w{w} ") })
                    .collect()
            };
            let text_a = words(&a);
            let text_b = if copy { format!("{}{}", words(&b), &text_a[text_a.len() / 3..]) } else { words(&b) };
            let sa = tokenize(text_a.as_bytes(), NormalizeOptions::default());
            let sb = tokenize(text_b.as_bytes(), NormalizeOptions::default());
            let options = AlignOptions { max_repeat: 64, ..AlignOptions::default() };
            let expected = align_streams(&sa, &sb, false, &options);
            let within = align_streams(&sa, &sa, true, &options);
            let (pa, pb) = (Prepared::new(sa, &options), Prepared::new(sb, &options));
            let filtered = align_prepared(&pa, &pb, &options);
            proptest::prop_assert_eq!(filtered, expected);
            proptest::prop_assert_eq!(align_prepared_within(&pa, &options), within);
        }
    }

    proptest::proptest! {
        /// The counting sort of the n-grams that pass a filter gives the
        /// order of sorting them whole, with repeated hashes (a small
        /// vocabulary) and buckets past the insertion limit (hashes that
        /// share their top bits).
        #[test]
        fn passing_sorts_as_sort_unstable(
            words in proptest::collection::vec(0u64..40, 0..1500),
            spread in proptest::prelude::any::<bool>(),
            filter in proptest::collection::vec(proptest::prelude::any::<u64>(), 2),
        ) {
            let hashes: Vec<u64> = words
                .iter()
                .map(|&w| if spread { w.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { w << 8 | w })
                .collect();
            let mut expected: Vec<(u64, u32)> = hashes
                .iter()
                .enumerate()
                .filter(|&(_, &hash)| may_hold(&filter, hash))
                .map(|(i, &hash)| (hash, i as u32))
                .collect();
            expected.sort_unstable();
            proptest::prop_assert_eq!(passing(&hashes, &filter), expected);
            let all: Vec<(u64, u32)> = hashes.iter().enumerate().map(|(i, &h)| (h, i as u32)).collect();
            let mut sorted = all.clone();
            sorted.sort_unstable();
            proptest::prop_assert_eq!(sort_text_ordered(all), sorted);
        }
    }

    /// Two long documents (sorted when prepared, merged in linear time)
    /// align as [`align_streams`] does, frequent n-grams included: words
    /// from a vocabulary of 30, a refrain in every fourth sentence, B a copy
    /// of most of A with edits, plus text of its own.
    #[test]
    fn long_prepared_documents_align_as_streams() {
        let mut state = 5u64;
        let mut word = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            format!("w{}", (state >> 33) % 30)
        };
        let mut a = Vec::new();
        for s in 0..600 {
            if s % 4 == 0 {
                a.extend(["so", "it", "was", "said", "then"].map(String::from));
            }
            a.extend((0..6).map(|_| word()));
        }
        let mut b: Vec<String> = (0..300).map(|_| word()).collect();
        b.extend(a[500..].iter().cloned());
        for i in (40..b.len()).step_by(97) {
            b[i] = format!("edit{i}");
        }
        let (text_a, text_b) = (a.join(" "), b.join(" "));
        let sa = tokenize(text_a.as_bytes(), NormalizeOptions::default());
        let sb = tokenize(text_b.as_bytes(), NormalizeOptions::default());
        let options = AlignOptions::default();
        let expected = align_streams(&sa, &sb, false, &options);
        assert!(expected.iter().any(|x| x.words > 1000), "{expected:?}");
        let (pa, pb) = (Prepared::new(sa, &options), Prepared::new(sb, &options));
        assert!(pa.sorted.is_some() && pb.sorted.is_some());
        assert_eq!(align_prepared(&pa, &pb, &options), expected);
        assert_eq!(align_prepared(&pb, &pa, &options).len(), expected.len());
    }

    /// Long prepared documents (merged in four hash ranges side by side)
    /// align as [`align_streams`] does, over vocabularies from a few words
    /// (every n-gram frequent) to thousands (few n-grams shared but the
    /// copied passages), with copies, edits and paragraph breaks.
    #[test]
    fn long_prepared_documents_align_as_streams_at_any_vocabulary() {
        for (seed, vocabulary) in [(1u64, 8u64), (2, 60), (3, 800), (4, 20_000)] {
            let mut state = seed;
            let mut next = move || {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                state >> 33
            };
            let mut a: Vec<String> = Vec::new();
            for i in 0..5000 {
                a.push(if i % 97 == 96 {
                    "\n".to_string()
                } else {
                    format!("w{}", next() % vocabulary)
                });
            }
            let mut b: Vec<String> = (0..1500)
                .map(|_| format!("w{}", next() % vocabulary))
                .collect();
            b.extend(a[1000..2500].iter().cloned());
            b.extend((0..800).map(|_| format!("w{}", next() % vocabulary)));
            b.extend(a[4000..].iter().cloned());
            for i in (30..b.len()).step_by(41) {
                b[i] = format!("edit{i}");
            }
            let (text_a, text_b) = (a.join(" "), b.join(" "));
            let sa = tokenize(text_a.as_bytes(), NormalizeOptions::default());
            let sb = tokenize(text_b.as_bytes(), NormalizeOptions::default());
            let options = AlignOptions::default();
            let expected = align_streams(&sa, &sb, false, &options);
            assert!(!expected.is_empty(), "vocabulary {vocabulary}");
            let (pa, pb) = (Prepared::new(sa, &options), Prepared::new(sb, &options));
            assert!(pa.sorted.is_some() && pb.sorted.is_some());
            assert_eq!(
                align_prepared(&pa, &pb, &options),
                expected,
                "vocabulary {vocabulary}"
            );
        }
    }

    /// A long document's sorted n-grams, straight from a counting pass on
    /// the bits of their buckets, are those of sorting (hash, position)
    /// pairs whole, and each bucket starts where the first hash at or
    /// above it is: few or many distinct hashes, a hash repeated thousands
    /// of times in a bucket with another (sorted as pairs), lengths around
    /// powers of two.
    #[test]
    fn sorted_straight_from_buckets_is_a_full_sort() {
        let mut state = 17u64;
        for (len, distinct) in [
            (1, 1),
            (2047, 2047),
            (2048, 300),
            (2049, 2),
            (6000, 6000),
            (6000, 40),
            (70_000, 70_000),
        ] {
            let mut hashes: Vec<u64> = (0..len)
                .map(|_| {
                    crate::minhash::splitmix64(
                        &mut (crate::minhash::splitmix64(&mut state) % distinct),
                    )
                })
                .collect();
            // A bucket holding two hashes repeated and interleaved.
            if len >= 4000 {
                let x = hashes[0] | 1;
                for (k, h) in hashes.iter_mut().enumerate().take(3000) {
                    *h = if k % 2 == 0 { x } else { x - 1 };
                }
            }
            let mut expected: Vec<(u64, u32)> = hashes
                .iter()
                .enumerate()
                .map(|(i, &h)| (h, i as u32))
                .collect();
            expected.sort_unstable();
            let sorted = Sorted::of(&hashes);
            let got: Vec<(u64, u32)> = sorted
                .hashes
                .iter()
                .copied()
                .zip(sorted.positions.iter().copied())
                .collect();
            assert_eq!(got, expected, "{len} n-grams");
            let buckets = 1usize << sorted.bits;
            assert_eq!(sorted.starts.len(), buckets + 1);
            for (k, &start) in sorted.starts.iter().enumerate() {
                let first =
                    expected.partition_point(|&(h, _)| ((h >> (64 - sorted.bits)) as usize) < k);
                assert_eq!(start as usize, first, "bucket {k} of {len} n-grams");
            }
        }
    }

    /// Sorting n-grams through buckets of their top bits gives the order of
    /// sorting them whole, repeated hashes (ordered by position) included.
    #[test]
    fn bucketed_sort_of_grams_is_a_full_sort() {
        let mut state = 9u64;
        for (len, distinct) in [
            (0, 1),
            (1, 1),
            (255, 40),
            (256, 40),
            (5000, 5000),
            (20_000, 300),
        ] {
            let hashes: Vec<u64> = (0..len)
                .map(|_| {
                    state = state
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    // Few distinct values, spread over the whole range.
                    crate::minhash::splitmix64(&mut (state % distinct))
                })
                .collect();
            let mut expected: Vec<(u64, u32)> = hashes
                .iter()
                .enumerate()
                .map(|(i, &h)| (h, i as u32))
                .collect();
            expected.sort_unstable();
            assert_eq!(sorted_grams(&hashes), expected, "{len} n-grams");
        }
    }

    const PASSAGE: &str = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan. Les membres de ce forum ont pour spécialité de se moquer";

    #[test]
    fn verbatim_passage_inside_other_text() {
        let a = format!("Un texte sans rapport aucun. {PASSAGE} et puis autre chose encore.");
        let b = format!("Tout autre début ici. {PASSAGE}, fin différente");
        let found = run(&a, &b);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, PASSAGE);
        assert_eq!(found[0].1, PASSAGE);
        assert_eq!(found[0].3, 0);
    }

    #[test]
    fn small_edits_are_bridged_into_one_span() {
        let a = "après avoir raconté cette première épreuve dans une vidéo postée le 9 août sur YouTube, la vidéaste et son fiancé font l’objet d’une deuxième attaque";
        let b = "après avoir raconté cette première épreuve dans une vidéo postée le 9 août sur YouTube (vidéo ci-dessus), la vidéaste et son fiancé font l'objet d'une deuxième attaque";
        let found = run(a, b);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, a);
        assert_eq!(found[0].3, 3, "vidéo, ci and dessus were inserted");
    }

    #[test]
    fn a_passage_twice_in_one_document_gives_two_alignments() {
        let a = format!("Début. {PASSAGE}. Fin.");
        let b = format!(
            "{PASSAGE}. Entre les deux, des mots qui ne sont pas les mêmes du tout ici. {PASSAGE}."
        );
        let found = run(&a, &b);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn different_headings_between_copied_paragraphs_split_the_span() {
        let first = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan selon le magazine";
        let second = "Utilisant notamment sur Twitter les hashtags DropKiwiFarms et TimesUpCloudFlare Keffals";
        let a = format!("{first}.\nUn intertitre du journal\n{second}");
        let b = format!("{first}.\nUn autre titre ici\n{second}");
        let glued = format!("{first}. {second}");
        let options = AlignOptions::default();
        let stream = |t: &str| tokenize(t.as_bytes(), NormalizeOptions::default());
        assert_eq!(
            align_streams(&stream(&a), &stream(&b), false, &options).len(),
            2
        );
        // One side glued into a single line: still one span, the heading an insertion.
        assert_eq!(
            align_streams(&stream(&a), &stream(&glued), false, &options).len(),
            1
        );
    }

    #[test]
    fn chance_words_across_a_paragraph_break_are_trimmed() {
        let copied = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan selon le magazine";
        let a = format!("Une phrase qui finit par fra.\n{copied}");
        let b = format!("Autre chose encore qui finit par fra.\n{copied}");
        let stream = |t: &str| tokenize(t.as_bytes(), NormalizeOptions::default());
        let (sa, sb) = (stream(&a), stream(&b));
        let found = align_streams(&sa, &sb, false, &AlignOptions::default());
        assert_eq!(found.len(), 1);
        let start = sa.tokens[found[0].a_first as usize].start as usize;
        assert!(a[start..].starts_with("Les origines"), "{}", &a[start..]);
    }

    #[test]
    fn short_coincidences_are_not_reported() {
        let found = run(
            "il y a eu des problèmes hier soir dans la ville",
            "selon lui il y a eu des problèmes graves partout",
        );
        assert!(found.is_empty(), "{found:?}");
    }
}
