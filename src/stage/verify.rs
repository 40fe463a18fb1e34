//! Verify: candidate segment pairs measured on their exact shingle sets
//! (Jaccard similarity), the step before alignment that `scan` and the
//! align stage ([`super::align::align_edges`]) share.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::align::Span;
use crate::ingest::Corpus;
use crate::normalize::tokenize;
use crate::scan::{Params, Progress, SegmentPair};
use crate::segment::Segment;
use crate::shingle::shingle_set;
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
