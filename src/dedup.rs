//! Deduplication (issue 16): which documents, or which paragraphs of later
//! documents, to drop so that no near-duplicate is kept twice.
//!
//! Document level: every document's whole shingle set is signed with
//! MinHash and banded with the scan's LSH parameters; each candidate pair is
//! then measured exactly on its shingle sets, and only pairs whose Jaccard
//! similarity reaches the threshold count (an LSH collision alone never
//! removes a document). Verified pairs are joined with union-find, and each
//! cluster keeps its earliest document: the earliest date when dates are
//! given (undated documents come after dated ones), else the first in input
//! order. Clusters are connected components, as in text-dedup: a document
//! near one that is near the kept one goes too.
//!
//! Paragraph level: the scan's verified segment pairs (paragraphs, or windows
//! of long paragraphs; see [`crate::segment`]) are clustered the same way,
//! and every segment of a cluster that is not in the cluster's earliest
//! document is cut from its document.
//!
//! Everything is sorted before it is returned: the result does not depend on
//! the number of threads.

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::align::Span;
use crate::error::{Error, Result};
use crate::ingest::Corpus;
use crate::lsh::{band_hashes, candidate_pairs};
use crate::manifest::Date;
use crate::minhash::MinHasher;
use crate::normalize::tokenize;
use crate::scan::{Params, SegmentPair};
use crate::shingle::shingle_set;
use crate::verify::similarity;

/// A document dropped because it nearly duplicates an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedDocument {
    /// The dropped document (index into the corpus).
    pub doc: u32,
    /// The document its cluster keeps.
    pub kept: u32,
    /// The document it was verified against with the highest similarity
    /// (the kept one, unless it joined the cluster through another member).
    pub matched: u32,
    /// Exact Jaccard similarity with `matched`.
    pub jaccard: f64,
}

/// A byte range cut from a later document because it nearly duplicates a
/// segment of an earlier one.
#[derive(Debug, Clone, PartialEq)]
pub struct RemovedSegment {
    /// The range cut (a segment: from its first word to its last).
    pub span: Span,
    /// The segment of the cluster's earliest document it matched.
    pub kept: Span,
    /// Exact Jaccard similarity of the verified pair that put it in the
    /// cluster with the highest similarity.
    pub jaccard: f64,
}

/// What document-level deduplication found.
#[derive(Debug, Default)]
pub struct DocumentDedup {
    /// Dropped documents, by document index.
    pub removed: Vec<RemovedDocument>,
    /// Candidate pairs LSH proposed.
    pub candidate_pairs: u64,
    /// Candidate pairs whose exact Jaccard reached the threshold.
    pub verified_pairs: u64,
    /// LSH buckets larger than `max_bucket`, linked as stars (their members
    /// are compared with the bucket's first document only).
    pub oversized_buckets: u64,
}

/// A rank per document: lower is earlier. With `dates`, dated documents come
/// first by date (a date alone sorts at the start of its day), undated ones
/// after them; ties, and everything without dates, go by input order.
pub fn earliness(corpus: &Corpus, dates: Option<&[Option<Date>]>) -> Vec<u32> {
    let mut docs: Vec<u32> = (0..corpus.documents.len() as u32).collect();
    let order = |d: u32| corpus.documents[d as usize].order;
    match dates {
        Some(dates) => docs.sort_by(|&a, &b| {
            let (da, db) = (&dates[a as usize], &dates[b as usize]);
            // `None` sorts first in Option's order: put it last instead.
            (da.is_none(), da, order(a)).cmp(&(db.is_none(), db, order(b)))
        }),
        None => docs.sort_by_key(|&d| order(d)),
    }
    let mut rank = vec![0u32; docs.len()];
    for (position, &doc) in docs.iter().enumerate() {
        rank[doc as usize] = position as u32;
    }
    rank
}

/// Union-find with path halving; the root of each set is its element of
/// lowest rank, so the root is what a cluster keeps.
struct Clusters<'r> {
    parent: Vec<u32>,
    rank: &'r dyn Fn(u32) -> (u32, u32),
}

impl Clusters<'_> {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        if (self.rank)(ra) < (self.rank)(rb) {
            self.parent[rb as usize] = ra;
        } else {
            self.parent[ra as usize] = rb;
        }
    }
}

/// Candidate pairs measured at once (bounds the shingle sets held).
const VERIFY_BATCH: usize = 1 << 16;

/// Find the documents to drop: near-duplicates (exact Jaccard over the whole
/// documents' shingle sets at least `params.options.threshold`) of an
/// earlier document. `rank` comes from [`earliness`].
pub fn dedup_documents(
    corpus: &Corpus,
    params: &Params,
    rank: &[u32],
    cancel: &AtomicBool,
) -> Result<DocumentDedup> {
    let options = &params.options;
    let check = || {
        if cancel.load(Ordering::Relaxed) {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    };
    let hasher = MinHasher::new(options.permutations, options.seed);
    let lsh = params.lsh;
    let shingles = |doc: u32| {
        let text = &corpus.documents[doc as usize].text;
        shingle_set(&tokenize(text, options.normalize).tokens, options.ngram)
    };
    // Band hashes per document; a document without words has none and is
    // never a duplicate (it would otherwise collide with every other empty one).
    let signed: Vec<Option<Vec<u32>>> = (0..corpus.documents.len() as u32)
        .into_par_iter()
        .map(|doc| {
            if cancel.load(Ordering::Relaxed) {
                return None;
            }
            let set = shingles(doc);
            if set.is_empty() {
                return None;
            }
            let mut signature = vec![0u32; options.permutations];
            hasher.sign(&set, &mut signature);
            let mut bands = Vec::with_capacity(lsh.bands);
            band_hashes(&signature, lsh, &mut bands);
            Some(bands)
        })
        .collect();
    check()?;
    let members: Vec<u32> = (0..signed.len() as u32)
        .filter(|&d| signed[d as usize].is_some())
        .collect();
    let hashes: Vec<Vec<u32>> = (0..lsh.bands)
        .map(|band| {
            members
                .iter()
                .filter_map(|&d| signed[d as usize].as_ref().map(|b| b[band]))
                .collect()
        })
        .collect();
    drop(signed);
    let candidates = candidate_pairs(&hashes, &members, false, options.max_bucket);
    drop(hashes);
    let mut verified: Vec<(u32, u32, f64)> = Vec::new();
    for batch in candidates.pairs.chunks(VERIFY_BATCH) {
        check()?;
        let batch: Vec<(u32, u32)> = batch
            .iter()
            .map(|&(a, b)| (members[a as usize], members[b as usize]))
            .collect();
        let mut involved: Vec<u32> = batch.iter().flat_map(|&(a, b)| [a, b]).collect();
        involved.par_sort_unstable();
        involved.dedup();
        let sets: Vec<Vec<u64>> = involved.par_iter().map(|&d| shingles(d)).collect();
        let set = |d: u32| &sets[involved.binary_search(&d).unwrap_or(0)];
        verified.par_extend(batch.par_iter().filter_map(|&(a, b)| {
            let jaccard = similarity(set(a), set(b)).jaccard;
            (jaccard >= options.threshold).then_some((a, b, jaccard))
        }));
    }
    check()?;
    verified.sort_by_key(|x| (x.0, x.1));
    let order = |d: u32| (rank[d as usize], d);
    let mut clusters = Clusters {
        parent: (0..corpus.documents.len() as u32).collect(),
        rank: &order,
    };
    for &(a, b, _) in &verified {
        clusters.union(a, b);
    }
    // Per dropped document, its best verified partner (highest Jaccard,
    // then earliest).
    let mut best: Vec<Option<(u32, f64)>> = vec![None; corpus.documents.len()];
    for &(a, b, jaccard) in &verified {
        for (doc, other) in [(a, b), (b, a)] {
            let better = match best[doc as usize] {
                None => true,
                Some((current, j)) => {
                    jaccard > j || (jaccard == j && order(other) < order(current))
                }
            };
            if better {
                best[doc as usize] = Some((other, jaccard));
            }
        }
    }
    let mut removed = Vec::new();
    for doc in 0..corpus.documents.len() as u32 {
        let kept = clusters.find(doc);
        if kept != doc {
            let (matched, jaccard) = best[doc as usize].unwrap_or((kept, 0.0));
            removed.push(RemovedDocument {
                doc,
                kept,
                matched,
                jaccard,
            });
        }
    }
    Ok(DocumentDedup {
        removed,
        candidate_pairs: candidates.pairs.len() as u64,
        verified_pairs: verified.len() as u64,
        oversized_buckets: candidates.oversized_buckets,
    })
}

/// The segments to cut, from the scan's verified segment `pairs` (run with
/// `align: false`): in each cluster of near-duplicate segments, those outside
/// the cluster's earliest document. Sorted by document, then start.
pub fn dedup_segments(pairs: &[SegmentPair], rank: &[u32]) -> Vec<RemovedSegment> {
    let mut spans: Vec<Span> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    spans.sort_by_key(|s| (s.doc, s.start, s.end));
    spans.dedup();
    let index = |s: &Span| {
        spans
            .binary_search_by_key(&(s.doc, s.start, s.end), |t| (t.doc, t.start, t.end))
            .unwrap_or(0) as u32
    };
    let order = |i: u32| {
        let span = &spans[i as usize];
        (rank[span.doc as usize], span.start)
    };
    let mut clusters = Clusters {
        parent: (0..spans.len() as u32).collect(),
        rank: &order,
    };
    let indexed: Vec<(u32, u32, f64)> = pairs
        .iter()
        .map(|p| (index(&p.a), index(&p.b), p.jaccard))
        .collect();
    for &(a, b, _) in &indexed {
        clusters.union(a, b);
    }
    let mut best: Vec<f64> = vec![0.0; spans.len()];
    for &(a, b, jaccard) in &indexed {
        for x in [a, b] {
            best[x as usize] = best[x as usize].max(jaccard);
        }
    }
    let mut removed = Vec::new();
    for i in 0..spans.len() as u32 {
        let root = clusters.find(i);
        let span = spans[i as usize];
        let kept = spans[root as usize];
        if span.doc != kept.doc {
            removed.push(RemovedSegment {
                span,
                kept,
                jaccard: best[i as usize],
            });
        }
    }
    removed
}

/// `text` without the byte ranges `cuts` (sorted by start; they may
/// overlap, as windows of one long paragraph do). Each cut also takes the
/// white space after it (before it at the end of the text), so that cutting
/// a paragraph does not leave an empty one. Returns the text and the number
/// of bytes removed.
pub fn cut(text: &[u8], cuts: &[(u32, u32)]) -> (Vec<u8>, u64) {
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for &(start, end) in cuts {
        let (mut start, mut end) = (start as usize, (end as usize).min(text.len()));
        while end < text.len() && text[end].is_ascii_whitespace() {
            end += 1;
        }
        if end == text.len() {
            while start > 0 && text[start - 1].is_ascii_whitespace() {
                start -= 1;
            }
        }
        match merged.last_mut() {
            Some(last) if start <= last.1 => {
                last.0 = last.0.min(start);
                last.1 = last.1.max(end);
            }
            _ => merged.push((start, end)),
        }
    }
    let mut out = Vec::with_capacity(text.len());
    let mut from = 0;
    for &(start, end) in &merged {
        let start = start.max(from);
        out.extend_from_slice(&text[from..start]);
        from = from.max(end);
    }
    out.extend_from_slice(&text[from.min(text.len())..]);
    let removed = (text.len() - out.len()) as u64;
    (out, removed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;
    use crate::scan::ScanOptions;

    fn corpus(texts: &[&str]) -> Corpus {
        Corpus {
            documents: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Document {
                    id: format!("d{i}"),
                    origin: format!("d{i}"),
                    // Input order is the reverse of the index order.
                    order: (texts.len() - 1 - i) as u32,
                    text: t.as_bytes().to_vec(),
                    date: None,
                })
                .collect(),
            warnings: Vec::new(),
        }
    }

    fn words(seed: u64, n: usize) -> String {
        let mut state = seed;
        (0..n)
            .map(|_| format!("w{}", crate::minhash::splitmix64(&mut state) % 5000))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn near_duplicates_go_and_the_earliest_stays() {
        let base = words(1, 200);
        let edited = base.replacen("w", "x", 3);
        let other = words(2, 200);
        let corpus = corpus(&[&base, &edited, &other, &base]);
        let params = Params::new(ScanOptions::default()).unwrap();
        let rank = earliness(&corpus, None);
        // Input order: d3, d2, d1, d0.
        assert_eq!(rank, vec![3, 2, 1, 0]);
        let found = dedup_documents(&corpus, &params, &rank, &AtomicBool::new(false)).unwrap();
        let removed: Vec<(u32, u32)> = found.removed.iter().map(|r| (r.doc, r.kept)).collect();
        assert_eq!(removed, vec![(0, 3), (1, 3)]);
        assert_eq!(found.removed[0].jaccard, 1.0);
    }

    #[test]
    fn dates_come_before_input_order_and_undated_last() {
        let corpus = corpus(&["a", "b", "c"]);
        let dates = vec![
            Some(Date::parse("2020-01-02").unwrap()),
            None,
            Some(Date::parse("2020-01-01").unwrap()),
        ];
        assert_eq!(earliness(&corpus, Some(&dates)), vec![1, 2, 0]);
    }

    #[test]
    fn a_segment_cluster_keeps_every_segment_of_its_earliest_document() {
        let span = |doc, start| Span {
            doc,
            start,
            end: start + 10,
        };
        let pair = |a, b, jaccard| SegmentPair {
            a,
            b,
            jaccard,
            containment: jaccard,
        };
        // Document 2 is the earliest; 0 and 1 chain to it through each other.
        let rank = [1, 2, 0];
        let pairs = [
            pair(span(0, 0), span(1, 50), 0.8),
            pair(span(1, 50), span(2, 20), 0.6),
            pair(span(0, 0), span(2, 90), 0.9),
        ];
        let removed = dedup_segments(&pairs, &rank);
        let got: Vec<(Span, Span, f64)> = removed
            .iter()
            .map(|r| (r.span, r.kept, r.jaccard))
            .collect();
        assert_eq!(
            got,
            vec![
                (span(0, 0), span(2, 20), 0.9),
                (span(1, 50), span(2, 20), 0.8),
            ]
        );
    }

    #[test]
    fn cuts_merge_and_take_the_following_space() {
        let text = b"one two\n\nthree four\n\nfive six";
        let (out, removed) = cut(text, &[(9, 19)]);
        assert_eq!(out, b"one two\n\nfive six");
        assert_eq!(removed, 12);
        let (out, _) = cut(text, &[(21, 29)]);
        assert_eq!(out, b"one two\n\nthree four");
        let (out, _) = cut(text, &[(0, 7), (4, 19)]);
        assert_eq!(out, b"five six");
        let (out, removed) = cut(text, &[]);
        assert_eq!((out.as_slice(), removed), (&text[..], 0));
    }
}
