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
//!    passage that occurs twice in one document gives two alignments.
//!
//! A chain ends at its last exact match, so a span never runs on into
//! paraphrase. Chains with fewer than `min_words` matched words are dropped.

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
/// (with where each one sits in the text and, for each text position, its
/// rank in the sorted list). Two long documents join their sorted lists in
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
    /// For each text position, the index of its n-gram in `hashes`.
    rank: Vec<u32>,
}

/// Fewest n-grams for a document to be sorted when prepared. A short
/// document is aligned by filtering both sides on the other's bit filter
/// and sorting what passes (only shared n-grams and a few false positives),
/// cheaper than sorting all of it when it is in a pair or two, as in the
/// 100 MB paragraphs corpus (aligning 0.48 s with the filter, 0.65 s with
/// every document sorted, --threads 1); a long one is sorted once and merged
/// in linear time with each partner.
const SORTED_MIN: usize = 2048;

/// Bits in a [`Prepared`] filter (a power of two).
const FILTER_BITS: usize = 1 << 15;

fn filter_of(hashes: &[u64]) -> Vec<u64> {
    let mut filter = vec![0u64; FILTER_BITS / 64];
    for &hash in hashes {
        let bit = hash as usize & (FILTER_BITS - 1);
        filter[bit / 64] |= 1 << (bit % 64);
    }
    filter
}

/// The n-grams of `hashes` that `filter` may hold, with their positions, sorted.
fn passing(hashes: &[u64], filter: &[u64]) -> Vec<(u64, u32)> {
    let mut grams: Vec<(u64, u32)> = hashes
        .iter()
        .enumerate()
        .filter(|&(_, &hash)| {
            let bit = hash as usize & (FILTER_BITS - 1);
            filter[bit / 64] & (1 << (bit % 64)) != 0
        })
        .map(|(i, &hash)| (hash, i as u32))
        .collect();
    grams.sort_unstable();
    grams
}

impl Prepared {
    /// Hash the seed n-grams of `stream`, build their filter and, for a
    /// long document, sort them.
    pub fn new(stream: TokenStream, options: &AlignOptions) -> Prepared {
        let text = ngram_hashes(&stream.tokens, options.seed.max(1));
        let filter = filter_of(&text);
        let sorted = (text.len() >= SORTED_MIN).then(|| {
            let grams = sorted_grams(&text);
            let mut rank = vec![0u32; grams.len()];
            for (i, &(_, position)) in grams.iter().enumerate() {
                rank[position as usize] = i as u32;
            }
            Sorted {
                hashes: grams.iter().map(|x| x.0).collect(),
                positions: grams.iter().map(|x| x.1).collect(),
                rank,
            }
        });
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
        let matches = prepared_matches(sa, sb, options);
        return chain(
            &matches,
            &Breaks {
                a: a_breaks,
                b: b_breaks,
            },
            options,
        );
    }
    let ga = passing(&a.text, &b.filter);
    let gb = passing(&b.text, &a.filter);
    align_grams(&ga, a_breaks, &gb, b_breaks, false, options)
}

/// `align_streams(a, a, true, ...)` of a prepared document: the reuse inside
/// it, from the n-grams it already holds.
pub fn align_prepared_within(a: &Prepared, options: &AlignOptions) -> Vec<Alignment> {
    let grams = sorted_grams(&a.text);
    let breaks = &a.stream.breaks;
    align_grams(&grams, breaks, &grams, breaks, true, options)
}

/// The maximal exact matches of [`exact_matches`] for two prepared
/// documents, sorted by `a` then `b`, in time linear in their n-grams and
/// seeds: a merge of the two sorted hash lists notes, for each n-gram of A,
/// the range of B's sorted list it seeds with; A's n-grams are then visited
/// in text order, each seed extending the match its diagonal had at the
/// previous position or opening a new one.
fn prepared_matches(a: &Sorted, b: &Sorted, options: &AlignOptions) -> Vec<Match> {
    let n = options.seed.max(1) as u32;
    let (ha, hb) = (&a.hashes, &b.hashes);
    // Each seeding index of `ha` with the half-open range of `hb` indices
    // it seeds with.
    let mut seeded: Vec<(u32, u32, u32)> = Vec::new();
    let mut anchors: Vec<(u32, u32)> = Vec::new();
    let mut frequent: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < ha.len() && j < hb.len() {
        let (x, y) = (ha[i], hb[j]);
        if x != y {
            // Without a branch on which side is behind: the two lists
            // interleave at random, which a branch predictor cannot learn
            // (this loop was half of aligning before).
            i += usize::from(x < y);
            j += usize::from(y < x);
        } else {
            let ea = i + ha[i..].iter().take_while(|&&h| h == x).count();
            let eb = j + hb[j..].iter().take_while(|&&h| h == x).count();
            if ea - i <= options.max_repeat && eb - j <= options.max_repeat {
                if ea - i == 1 && eb - j == 1 {
                    anchors.push((a.positions[i], b.positions[j]));
                }
                seeded.extend((i..ea).map(|x| (x as u32, j as u32, eb as u32)));
            } else {
                frequent.push((i, ea, j, eb));
            }
            i = ea;
            j = eb;
        }
    }
    // Too frequent to pair every occurrence with every other (quadratic):
    // placed by the anchors, as in `exact_matches`.
    if !frequent.is_empty() {
        let anchors = chain_anchors(anchors);
        for (i, ea, j, eb) in frequent {
            pair_frequent(
                a.positions[i..ea].iter().copied(),
                &b.positions[j..eb],
                &anchors,
                |k, l| seeded.push(((i + k) as u32, (j + l) as u32, (j + l + 1) as u32)),
            );
        }
    }
    // The seeds in A's text order: by sorting them when few n-grams seed
    // (most pairs of documents that share only stock phrases), else through
    // each position's rank (documents sharing most of their text).
    let in_order: Vec<(u32, u32, u32)> = if seeded.len() * 16 < ha.len() {
        let mut in_order: Vec<(u32, u32, u32)> = seeded
            .iter()
            .map(|&(x, from, to)| (a.positions[x as usize], from, to))
            .collect();
        in_order.sort_unstable();
        in_order
    } else {
        let mut partner = vec![(0u32, 0u32); ha.len()];
        for &(x, from, to) in &seeded {
            partner[x as usize] = (from, to);
        }
        a.rank
            .iter()
            .enumerate()
            .filter_map(|(position, &rank)| {
                let (from, to) = partner[rank as usize];
                (to > from).then_some((position as u32, from, to))
            })
            .collect()
    };
    let mut matches: Vec<Match> = Vec::new();
    // Seeds at the previous position of A: (position in B, match), by position.
    let mut previous: Vec<(u32, usize)> = Vec::new();
    let mut current: Vec<(u32, usize)> = Vec::new();
    let mut previous_position = u32::MAX;
    for (position, from, to) in in_order {
        if previous_position.wrapping_add(1) != position {
            previous.clear();
        }
        previous_position = position;
        current.clear();
        for &b_position in &b.positions[from as usize..to as usize] {
            let extends = b_position
                .checked_sub(1)
                .and_then(|before| previous.binary_search_by_key(&before, |x| x.0).ok());
            let m = match extends {
                Some(k) => {
                    let m = previous[k].1;
                    matches[m].len += 1;
                    m
                }
                None => {
                    matches.push(Match {
                        a: position,
                        b: b_position,
                        len: n,
                    });
                    matches.len() - 1
                }
            };
            current.push((b_position, m));
        }
        std::mem::swap(&mut previous, &mut current);
    }
    matches
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

/// Paragraph starts (token indices, ascending) of both documents.
struct Breaks<'a> {
    a: &'a [u32],
    b: &'a [u32],
}

impl Breaks<'_> {
    /// Whether both gaps, `[before end, current start]` on each side, hold a
    /// paragraph start while at least one gap is not empty.
    fn separate(&self, before: Match, current: Match) -> bool {
        let holds = |breaks: &[u32], from: u32, to: u32| {
            let i = breaks.partition_point(|&b| b < from);
            i < breaks.len() && breaks[i] <= to
        };
        let (a_end, b_end) = (before.a + before.len, before.b + before.len);
        (current.a > a_end || current.b > b_end)
            && holds(self.a, a_end, current.a)
            && holds(self.b, b_end, current.b)
    }

    /// Drop fewer than `seed` words that an alignment carries across a
    /// paragraph break present at the same place on both sides: the last words
    /// of the paragraph before a copied one often match by chance ("fra.\n").
    fn trim(&self, mut alignment: Alignment, seed: u32) -> Alignment {
        let same_break = |offset: u32| {
            self.a.binary_search(&(alignment.a_first + offset)).is_ok()
                && self.b.binary_search(&(alignment.b_first + offset)).is_ok()
        };
        if let Some(offset) = (1..seed.min(alignment.a_words())).find(|&o| same_break(o)) {
            alignment.a_first += offset;
            alignment.b_first += offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        let length = alignment.a_words().min(alignment.b_words());
        let break_before_end = |offset: u32| {
            self.a.binary_search(&(alignment.a_last - offset)).is_ok()
                && self.b.binary_search(&(alignment.b_last - offset)).is_ok()
        };
        if let Some(offset) = (1..seed.min(length)).find(|&o| break_before_end(o)) {
            alignment.a_last -= offset;
            alignment.b_last -= offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        alignment
    }
}

fn grams(tokens: &[Token], n: usize) -> Vec<(u64, u32)> {
    sorted_grams(&ngram_hashes(tokens, n))
}

/// N-gram hashes (in text order) with their positions, sorted.
fn sorted_grams(hashes: &[u64]) -> Vec<(u64, u32)> {
    let mut out: Vec<(u64, u32)> = hashes
        .iter()
        .enumerate()
        .map(|(i, &hash)| (hash, i as u32))
        .collect();
    out.sort_unstable();
    out
}

/// Maximal exact matches of at least `seed` words.
fn exact_matches(
    ga: &[(u64, u32)],
    gb: &[(u64, u32)],
    same_document: bool,
    options: &AlignOptions,
) -> Vec<Match> {
    let n = options.seed.max(1);
    let mut seeds: Vec<(i64, u32)> = Vec::new();
    let mut anchors: Vec<(u32, u32)> = Vec::new();
    let mut frequent: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < ga.len() && j < gb.len() {
        let (ha, hb) = (ga[i].0, gb[j].0);
        if ha < hb {
            i += 1;
        } else if hb < ha {
            j += 1;
        } else {
            let ea = i + ga[i..].iter().take_while(|x| x.0 == ha).count();
            let eb = j + gb[j..].iter().take_while(|x| x.0 == hb).count();
            if ea - i <= options.max_repeat && eb - j <= options.max_repeat {
                if !same_document && ea - i == 1 && eb - j == 1 {
                    anchors.push((ga[i].1, gb[j].1));
                }
                for x in &ga[i..ea] {
                    for y in &gb[j..eb] {
                        if !same_document || y.1 >= x.1 + n as u32 {
                            seeds.push((y.1 as i64 - x.1 as i64, x.1));
                        }
                    }
                }
            } else if !same_document {
                frequent.push((i, ea, j, eb));
            }
            i = ea;
            j = eb;
        }
    }
    // Too frequent to pair every occurrence with every other (quadratic),
    // and dropping them altogether made a verbatim copy of a text with a
    // refrain repeated 200 times align nowhere (issue 13: no silent limits):
    // each occurrence is placed by the anchors around it.
    if !frequent.is_empty() {
        let anchors = chain_anchors(anchors);
        for (i, ea, j, eb) in frequent {
            let b_positions: Vec<u32> = gb[j..eb].iter().map(|y| y.1).collect();
            pair_frequent(
                ga[i..ea].iter().map(|x| x.1),
                &b_positions,
                &anchors,
                |k, l| {
                    let (x, y) = (ga[i + k].1, b_positions[l]);
                    seeds.push((y as i64 - x as i64, x));
                },
            );
        }
    }
    seeds.sort_unstable();
    let mut matches = Vec::new();
    for run in seeds.chunk_by(|x, y| x.0 == y.0 && y.1 == x.1 + 1) {
        let (diagonal, first) = run[0];
        matches.push(Match {
            a: first,
            b: (first as i64 + diagonal) as u32,
            len: run.len() as u32 + n as u32 - 1,
        });
    }
    matches
}

/// Anchors: the n-grams found once in A and once in B, as (position in A,
/// position in B); the longest chain of them increasing on both sides (the
/// longest increasing subsequence of B positions in A order, as MUMmer and
/// minimap2 chain their anchors) is returned, sorted: the diagonals of the
/// copy, which place the occurrences of frequent n-grams.
fn chain_anchors(mut anchors: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    anchors.sort_unstable();
    // Patience sorting: `tails[k]` ends the best chain of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut before = vec![usize::MAX; anchors.len()];
    for (i, &(_, b)) in anchors.iter().enumerate() {
        let k = tails.partition_point(|&t| anchors[t].1 < b);
        if k > 0 {
            before[i] = tails[k - 1];
        }
        if k == tails.len() {
            tails.push(i);
        } else {
            tails[k] = i;
        }
    }
    let mut chained = Vec::with_capacity(tails.len());
    let mut at = tails.last().copied().unwrap_or(usize::MAX);
    while at != usize::MAX {
        chained.push(anchors[at]);
        at = before[at];
    }
    chained.reverse();
    chained
}

/// Pair the occurrences of an n-gram too frequent to pair all with all
/// (`a_positions` and `b_positions` ascending): each occurrence in A with
/// the one in B on the diagonal of the chained anchor before it, or failing
/// that of the one after it. Without anchors, the k-th occurrence in A goes
/// with the k-th in B, the copy's own diagonal when B copies A whole.
/// (Pairing k-th with k-th always put every occurrence after one edited
/// occurrence off the copy's diagonal: a 48,000-word revision with a stock
/// phrase in every third sentence gave 1,030 false phrase-to-phrase
/// alignments.) `seed(k_a, k_b)` gets the indices in the two lists.
fn pair_frequent(
    a_positions: impl Iterator<Item = u32>,
    b_positions: &[u32],
    anchors: &[(u32, u32)],
    mut seed: impl FnMut(usize, usize),
) {
    if anchors.is_empty() {
        for (k, _) in a_positions.enumerate().take(b_positions.len()) {
            seed(k, k);
        }
        return;
    }
    for (k, x) in a_positions.enumerate() {
        let next = anchors.partition_point(|&(a, _)| a <= x);
        let on = |i: usize| {
            let (a, b) = anchors[i];
            let y = (b as i64 + x as i64 - a as i64).try_into().ok()?;
            b_positions.binary_search(&y).ok()
        };
        let found = next
            .checked_sub(1)
            .and_then(on)
            .or_else(|| (next < anchors.len()).then(|| on(next)).flatten());
        if let Some(j) = found {
            seed(k, j);
        }
    }
}

/// Most predecessors examined per match when chaining (bounds the work on
/// repetitive text, as minimap2's chaining does).
const MAX_PREDECESSORS: usize = 256;

/// Chain matches (sorted by `a`, then `b`) into alignments. One dynamic
/// programming pass scores the best chain ending at each match; chains are
/// then taken from the best end backwards, each match used once.
fn chain(matches: &[Match], breaks: &Breaks, options: &AlignOptions) -> Vec<Alignment> {
    let count = matches.len();
    let max_gap = i64::try_from(options.max_gap).unwrap_or(i64::MAX);
    // The furthest end in A of the matches up to each one: once it is more
    // than `max_gap` before the current match, no earlier match can link to
    // it (a tighter stop than the longest match's length, which a long copy
    // makes useless; the same chains).
    let reach: Vec<i64> = matches
        .iter()
        .scan(0i64, |furthest, m| {
            *furthest = (*furthest).max(m.a as i64 + m.len as i64);
            Some(*furthest)
        })
        .collect();
    let mut score = vec![0i64; count];
    let mut previous = vec![usize::MAX; count];
    for m in 0..count {
        let current = matches[m];
        score[m] = current.len as i64;
        for p in (m.saturating_sub(MAX_PREDECESSORS)..m).rev() {
            let before = matches[p];
            if reach[p].saturating_add(max_gap) < current.a as i64 {
                break;
            }
            // The cheap test first: most predecessors cannot be chained at
            // all, and only those that could improve the score are looked
            // up in the paragraph breaks.
            if let Some(gain) = link_gain(before, current, max_gap) {
                if score[p] + gain > score[m] && !breaks.separate(before, current) {
                    score[m] = score[p] + gain;
                    previous[m] = p;
                }
            }
        }
    }
    let mut ends: Vec<usize> = (0..count).collect();
    ends.sort_unstable_by(|&x, &y| score[y].cmp(&score[x]).then(x.cmp(&y)));
    let mut used = vec![false; count];
    let mut out = Vec::new();
    for end in ends {
        if used[end] {
            continue;
        }
        let mut members = vec![end];
        let mut at = end;
        while previous[at] != usize::MAX && !used[previous[at]] {
            at = previous[at];
            members.push(at);
        }
        members.reverse();
        for &m in &members {
            used[m] = true;
        }
        let alignment = breaks.trim(build(matches, &members), options.seed as u32);
        if alignment.words as usize >= options.min_words {
            out.push(alignment);
        }
    }
    out.sort_unstable_by_key(|x| (x.a_first, x.b_first));
    out
}

/// The words `current` adds after `before` in one chain, less a small penalty
/// per gap word, or `None` if they cannot be chained.
fn link_gain(before: Match, current: Match, max_gap: i64) -> Option<i64> {
    if current.a <= before.a || current.b <= before.b {
        return None;
    }
    let gap_a = current.a as i64 - (before.a + before.len) as i64;
    let gap_b = current.b as i64 - (before.b + before.len) as i64;
    // A gap is bridged only when it is small next to the exact matches around
    // it: a changed word between two long runs is an edit, but seven
    // paraphrased words before a seven-word coincidence are not copying.
    let allowed = max_gap.min((before.len.min(current.len) as i64 / 2).max(2));
    if gap_a > allowed || gap_b > allowed {
        return None;
    }
    let overlap = (-gap_a).max(-gap_b).max(0);
    let added = current.len as i64 - overlap;
    if added <= 0 {
        return None;
    }
    let gap = gap_a.max(gap_b).max(0);
    Some(added - gap / 2)
}

fn build(matches: &[Match], members: &[usize]) -> Alignment {
    let first = matches[members[0]];
    let mut words = first.len;
    let mut edits = 0;
    let (mut a_end, mut b_end) = (first.a + first.len, first.b + first.len);
    for &m in &members[1..] {
        let current = matches[m];
        let gap_a = current.a as i64 - a_end as i64;
        let gap_b = current.b as i64 - b_end as i64;
        let overlap = (-gap_a).max(-gap_b).max(0) as u32;
        edits += gap_a.max(gap_b).max(0) as u32;
        words += current.len - overlap;
        a_end = current.a + current.len;
        b_end = current.b + current.len;
    }
    Alignment {
        a_first: first.a,
        a_last: a_end,
        b_first: first.b,
        b_last: b_end,
        words,
        edits,
    }
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
