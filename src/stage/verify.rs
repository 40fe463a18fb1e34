//! Verify: candidate segment pairs measured on their exact shingle sets
//! (Jaccard similarity), the step before alignment that `scan` and the
//! align stage ([`super::align::align_edges`]) share.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::align::Span;
use crate::ingest::Corpus;
use crate::normalize::{tokenize_into, TokenStream};
use crate::scan::{Params, Progress, SegmentPair};
use crate::segment::Segment;
use crate::shingle::{ngram_hashes_into, shingles_into, sort_dedup_from};
use crate::verify::similarity;

fn span_of(segment: &Segment) -> Span {
    Span {
        doc: segment.doc,
        start: segment.start,
        end: segment.end,
    }
}

/// Candidate pairs verified at once: the shingle sets of at most twice as
/// many segments are held (a 100-word segment's set is 800 bytes).
pub(crate) const VERIFY_BATCH: usize = 1 << 17;

/// Measure candidates on their exact shingle sets. Candidates go in batches
/// of [`VERIFY_BATCH`] so that the shingle sets held at once stay bounded;
/// each batch tokenizes only its candidate segments' text. (Tokenizing whole
/// documents once and handing them to alignment took as long on the 100 MB
/// benchmark corpus, and 40 MB more memory.)
pub(crate) fn verify_pairs(
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
        // Only the segments of candidates that can pass are measured.
        // Segments under --min-words are not banded (stage::sign::sketch),
        // so scan's candidates hold none; the staged route's come from edge
        // tables another process wrote (the candidates stage, the Spark
        // driver), and the test is what keeps a short segment from pairing
        // whatever wrote them. It costs two loads per candidate.
        let can_pass = |&(a, b): &(u32, u32)| {
            let (sa, sb) = (&segments[a as usize], &segments[b as usize]);
            sa.can_pair(options.min_words)
                && sb.can_pair(options.min_words)
                // Overlapping windows of one paragraph share words by
                // construction.
                && !(sa.doc == sb.doc && sa.first < sb.last && sb.first < sa.last)
        };
        let to_measure: Vec<(u32, u32)> = batch.iter().copied().filter(can_pass).collect();
        progress.advance((batch.len() - to_measure.len()) as u64);
        let mut involved: Vec<u32> = to_measure.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.par_sort_unstable();
        involved.dedup();
        // Only these segments' text: a segment starts and ends on word
        // boundaries, so its words tokenize alone as they do in place.
        let sets = SegmentSets::of(&involved, segments, corpus, params);
        // Every measured candidate's segments are in `involved`: a miss is a bug, and
        // measuring against another segment's set would be a wrong number,
        // so it fails loudly (issue 13) instead of falling back to set 0.
        let lookup = |s: u32| {
            let i = involved
                .binary_search(&s)
                .expect("every candidate segment of a batch has its shingle set");
            sets.get(i)
        };
        verified.par_extend(
            to_measure
                .par_iter()
                .with_min_len(256)
                .filter_map(|&(a, b)| {
                    progress.advance(1);
                    let (sa, sb) = (&segments[a as usize], &segments[b as usize]);
                    let similar = similarity(lookup(a), lookup(b));
                    (similar.jaccard >= options.threshold).then(|| SegmentPair {
                        a: span_of(sa),
                        b: span_of(sb),
                        jaccard: similar.jaccard,
                        containment: similar.containment,
                    })
                }),
        );
    }
    verified
}

/// Segments measured per parallel task: a task tokenizes its segments into
/// one reused stream and writes their sets into one buffer, where a set and
/// a token vector allocated per segment had cost as much as sorting them.
const SETS_PER_TASK: usize = 64;

/// The sorted, deduplicated shingle sets of a batch's segments, in one
/// buffer per task of [`SETS_PER_TASK`] segments.
struct SegmentSets {
    /// Each task's sets, one after the other.
    hashes: Vec<Vec<u64>>,
    /// Each task's sets' ends in its `hashes`.
    ends: Vec<Vec<u32>>,
}

impl SegmentSets {
    /// The sets of the segments `involved` (ascending ids), each segment's
    /// text tokenized alone: it starts and ends on word boundaries, so its
    /// words tokenize as they do in place.
    ///
    /// Consecutive segments of one document whose words overlap or touch
    /// (the half-overlapping windows of a long paragraph, paragraphs one
    /// after the other) are tokenized together, once, and their n-grams
    /// hashed once: each segment's shingles are then a slice of the run's
    /// n-grams, as in [`sketch`](super::sign::sketch). Tokenized one by
    /// one, the windows of a long paragraph had each word tokenized twice
    /// (28 MB of real-text versions: verification's tokenizing 0.85 G
    /// instructions against signing's 0.65 G).
    fn of(involved: &[u32], segments: &[Segment], corpus: &Corpus, params: &Params) -> SegmentSets {
        let options = &params.options;
        let (hashes, ends) = involved
            .par_chunks(SETS_PER_TASK)
            .map_init(
                || (TokenStream::default(), Vec::new()),
                |(stream, grams), chunk| {
                    // Room for every set at once: a segment has no more
                    // shingles than words (growing it had cost 6% of
                    // verification in reallocations and copies).
                    let words = chunk.iter().map(|&s| segments[s as usize].words()).sum();
                    let mut hashes: Vec<u64> = Vec::with_capacity(words);
                    let mut ends = Vec::with_capacity(chunk.len());
                    let mut rest = chunk;
                    while let Some((&head, _)) = rest.split_first() {
                        let run = run_of(rest, segments);
                        let first = &segments[head as usize];
                        let (last, end) = run.iter().fold((first.last, first.end), |(l, e), &s| {
                            let segment = &segments[s as usize];
                            (l.max(segment.last), e.max(segment.end))
                        });
                        let text = &corpus.documents[first.doc as usize].text
                            [first.start as usize..end as usize];
                        tokenize_into(text, options.normalize, stream);
                        debug_assert_eq!(stream.tokens.len(), (last - first.first) as usize);
                        sets_of_run(
                            run,
                            segments,
                            first.first,
                            stream,
                            options.ngram,
                            grams,
                            &mut hashes,
                            &mut ends,
                        );
                        rest = &rest[run.len()..];
                    }
                    (hashes, ends)
                },
            )
            .unzip();
        SegmentSets { hashes, ends }
    }

    /// The set of the `i`th segment.
    fn get(&self, i: usize) -> &[u64] {
        let (task, k) = (i / SETS_PER_TASK, i % SETS_PER_TASK);
        let ends = &self.ends[task];
        let start = if k == 0 { 0 } else { ends[k - 1] as usize };
        &self.hashes[task][start..ends[k] as usize]
    }
}

/// The longest prefix of `ids` (at least one) whose segments are of one
/// document, in text order, each starting at or before the end of the
/// words of those before it: their words are one stretch of the text.
fn run_of<'i>(ids: &'i [u32], segments: &[Segment]) -> &'i [u32] {
    let head = &segments[ids[0] as usize];
    let mut last = head.last;
    let mut from = head.first;
    let length = 1 + ids[1..]
        .iter()
        .take_while(|&&s| {
            let segment = &segments[s as usize];
            let joins = segment.doc == head.doc && segment.first >= from && segment.first <= last;
            if joins {
                from = segment.first;
                last = last.max(segment.last);
            }
            joins
        })
        .count();
    &ids[..length]
}

/// Append the sorted, distinct shingle sets of the segments `run` to
/// `hashes`, each set's end to `ends`: `stream` holds the run's words, the
/// first being word `first` of the document. A segment's shingles are the
/// [`shingles_into`] of its words: a slice of the run's n-grams when it has
/// more than `n` words.
#[allow(clippy::too_many_arguments)]
fn sets_of_run(
    run: &[u32],
    segments: &[Segment],
    first: u32,
    stream: &TokenStream,
    n: usize,
    grams: &mut Vec<u64>,
    hashes: &mut Vec<u64>,
    ends: &mut Vec<u32>,
) {
    let n = n.max(1);
    grams.clear();
    ngram_hashes_into(&stream.tokens, n, grams);
    for &s in run {
        let segment = &segments[s as usize];
        let (from, to) = (
            (segment.first - first) as usize,
            (segment.last - first) as usize,
        );
        let start = hashes.len();
        if to - from > n {
            hashes.extend_from_slice(&grams[from..to + 1 - n]);
        } else {
            shingles_into(&stream.tokens[from..to], n, hashes);
        }
        sort_dedup_from(hashes, start);
        ends.push(hashes.len() as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;
    use crate::normalize::tokenize;
    use crate::scan::ScanOptions;
    use crate::segment::segments;
    use crate::shingle::shingle_set;
    use proptest::prelude::*;

    proptest! {
        /// Each segment's set from the shared buffers is the set of its
        /// text tokenized alone, whatever the segments picked and however
        /// they fall across tasks.
        #[test]
        fn sets_are_each_segments_own(
            words in prop::collection::vec(
                prop::sample::select(vec![
                    "a", "b", "c", "L'été", "ÉTÉ", "dont", "x-y", "\n", "\n\n", "«", "n°3",
                    "l’entreprise", "aujourd\u{2BC}hui", "cafe\u{301}", "\u{301}x", "中文字", "ｶﾞ",
                    "ﬁn", "ex\u{AD}am", "\r\n", "\u{2029}", "x\u{200B}", "'", "ß",
                ]),
                0..900,
            ),
            picks in prop::collection::vec(any::<bool>(), 0..200),
            window in 3usize..40,
            ngram in 1usize..7,
        ) {
            // Two documents (the second the first's words backwards, with
            // `ngram` from 1 to 6), so runs also meet a document's end.
            let texts = [words.join(" "), words.iter().rev().copied().collect::<Vec<_>>().join(" ")];
            let corpus = Corpus {
                documents: texts
                    .iter()
                    .enumerate()
                    .map(|(i, text)| Document {
                        id: format!("d{i}"),
                        origin: "d".into(),
                        order: i as u32,
                        text: text.clone().into_bytes(),
                        date: None,
                    })
                    .collect(),
                warnings: Vec::new(),
            };
            let params = Params::new(ScanOptions { ngram, ..ScanOptions::default() }).unwrap();
            let options = &params.options;
            let all: Vec<Segment> = texts
                .iter()
                .enumerate()
                .flat_map(|(doc, text)| segments(doc as u32, &tokenize(text.as_bytes(), options.normalize), window))
                .collect();
            let involved: Vec<u32> = (0..all.len() as u32)
                .filter(|&s| picks.get(s as usize % picks.len().max(1)).copied().unwrap_or(true))
                .collect();
            let sets = SegmentSets::of(&involved, &all, &corpus, &params);
            for (i, &s) in involved.iter().enumerate() {
                let segment = &all[s as usize];
                let alone = tokenize(
                    &texts[segment.doc as usize].as_bytes()[segment.start as usize..segment.end as usize],
                    options.normalize,
                );
                prop_assert_eq!(sets.get(i), &shingle_set(&alone.tokens, options.ngram)[..]);
            }
        }
    }
}
