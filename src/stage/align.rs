//! Verify and align: candidate edges, joined with the text of their
//! documents, become verified segment pairs (exact Jaccard similarity of
//! their shingle sets) and aligned spans ([`Results`]). The functions that
//! do the work ([`verify_pairs`], [`align_documents`]) are the ones `scan`
//! calls; here they run over the documents one shard needs, numbered in id
//! order so that every pair keeps the orientation `scan` gives it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use rayon::prelude::*;

use super::{Edges, Fault, Kind, Results};
use crate::align::{
    align_indexed, align_prepared, align_prepared_within, fill_gaps, indexable, may_be_indexable,
    shared_runs, AlignOptions, AlignedPair, Prepared, Span,
};
use crate::ingest::Corpus;
use crate::normalize::{tokenize, NormalizeOptions};
use crate::scan::{Params, Progress};
use crate::segment::{segments_into, Segment};

use super::verify::verify_pairs;

/// Text bytes whose prepared documents one batch of alignment holds at once
/// (tokens and sorted n-gram hashes with their positions and ranks take
/// about 5 times their text): bounds memory on big corpora, while a document in
/// many pairs is prepared once per batch rather than once per pair. Runs
/// of pairs (short documents, few pairs each) hold half as much: on the
/// 100 MB paragraphs corpus aligning took 0.258 s with 16 MiB runs,
/// 0.225 s with 4 MiB and 0.219 s with 2 MiB, but 0.249 s with 1 MiB
/// (medians of 5, 2 threads); 128 MiB batches had held 150 MB more at the
/// peak. Long documents in many pairs are prepared again in each block
/// that meets them (see [`blocks`]): on 28 MB of real-text versions
/// (--threads 1, callgrind) 16 MiB blocks prepared 1,044 documents
/// instead of 1,619 with 8 MiB, the scan 10.95 G instructions instead of
/// 12.18 G, the peak 196 MB instead of 165 MB (--threads 2); on 73 MB of
/// real-text versions 4.1-4.4 CPU s instead of 4.8-4.9, the peak 347-376
/// MB instead of 320-322 MB; on 25 MB of generated versions each document
/// is prepared once (664, not 670), the scan 8.78 G instead of 8.87 G; on
/// 100 MB of generated versions the peak the same, 396 MB.
pub(crate) const BATCH_BYTES: usize = 16 << 20;

/// Documents made ready to align ([`Prepared`]: tokens and sorted seed
/// n-grams), each prepared once, by the first pair task that needs it: a
/// batch's preparing and aligning are one parallel step, with no wait for
/// the last document to be prepared before aligning starts.
#[derive(Default)]
struct PreparedDocs<'c> {
    corpus: Option<&'c Corpus>,
    normalize: NormalizeOptions,
    align: AlignOptions,
    docs: Vec<u32>,
    prepared: Vec<OnceLock<Prepared>>,
}

impl<'c> PreparedDocs<'c> {
    /// A store of `docs` (ascending, no repeats) of `corpus`: documents this
    /// store already prepared are moved over, the others prepared when first
    /// asked for. Prepared documents that `keep` names stay too, though not
    /// in `docs` (the first group of a run of batches, met again later).
    fn covering(
        mut self,
        corpus: &'c Corpus,
        docs: Vec<u32>,
        keep: impl Fn(u32) -> bool,
        normalize: NormalizeOptions,
        align: &AlignOptions,
    ) -> PreparedDocs<'c> {
        let mut held: Vec<(u32, OnceLock<Prepared>)> = docs
            .iter()
            .map(|&doc| {
                let prepared = self
                    .docs
                    .binary_search(&doc)
                    .ok()
                    .map(|i| std::mem::take(&mut self.prepared[i]))
                    .unwrap_or_default();
                (doc, prepared)
            })
            .collect();
        for (&doc, prepared) in self.docs.iter().zip(&mut self.prepared) {
            if prepared.get().is_some() && keep(doc) {
                held.push((doc, std::mem::take(prepared)));
            }
        }
        // Taken documents left an empty cell behind, so none is held twice.
        held.sort_unstable_by_key(|x| x.0);
        let (docs, prepared) = held.into_iter().unzip();
        PreparedDocs {
            corpus: Some(corpus),
            normalize,
            align: *align,
            docs,
            prepared,
        }
    }

    fn get(&self, doc: u32) -> &Prepared {
        let i = self
            .docs
            .binary_search(&doc)
            .expect("every document of a batch is in its store");
        self.prepared[i].get_or_init(|| {
            let corpus = self.corpus.expect("a store covers a corpus");
            let stream = tokenize(&corpus.documents[doc as usize].text, self.normalize);
            Prepared::new(stream, &self.align)
        })
    }
}

/// One batch of alignment: the indices of its pairs (ascending), its
/// documents (ascending) and the group whose prepared documents stay in the
/// store for the next batches (see [`blocks`]).
struct Batch {
    pairs: Vec<u32>,
    docs: Vec<u32>,
    keep: Option<u32>,
}

/// The distinct documents of `pairs[indices]`, ascending.
fn docs_of(pairs: &[(u32, u32)], indices: &[u32]) -> Vec<u32> {
    let mut docs: Vec<u32> = indices
        .iter()
        .flat_map(|&p| {
            let (a, b) = pairs[p as usize];
            [a, b]
        })
        .collect();
    docs.sort_unstable();
    docs.dedup();
    docs
}

/// Split document `pairs` (sorted) into consecutive runs whose distinct
/// documents total at most `limit` bytes of text (a single pair may exceed
/// it). Suits pairs that are few per document: a document's partners come
/// in one run, and a document still in the next run is kept.
fn runs(corpus: &Corpus, pairs: &[(u32, u32)], limit: usize) -> Vec<Batch> {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    // Which run last counted each document: none is counted twice.
    let mut counted = vec![u32::MAX; corpus.documents.len()];
    let mut out = Vec::new();
    let mut start = 0;
    while start < pairs.len() {
        let run = out.len() as u32;
        let mut bytes = 0usize;
        let mut end = start;
        while end < pairs.len() {
            let (a, b) = pairs[end];
            let new = |doc: u32| counted[doc as usize] != run;
            let cost =
                if new(a) { size(a) } else { 0 } + if b != a && new(b) { size(b) } else { 0 };
            if end > start && bytes + cost > limit {
                break;
            }
            for doc in [a, b] {
                if counted[doc as usize] != run {
                    counted[doc as usize] = run;
                    bytes += size(doc);
                }
            }
            end += 1;
        }
        let indices: Vec<u32> = (start as u32..end as u32).collect();
        let docs = docs_of(pairs, &indices);
        out.push(Batch {
            pairs: indices,
            docs,
            keep: None,
        });
        start = end;
    }
    out
}

/// Split document `pairs` (sorted, `a <= b`) into blocks: the documents in
/// pairs are cut, in id order, into groups of at most [`KEPT_SHARE`] of
/// `limit` bytes (a longer document is a group of its own). Each group in
/// turn stays prepared while its partners in later groups stream past it:
/// first a block of the pairs inside the group, then the pairs with its
/// later partners, cut, from the last partner down, into chunks of at most
/// the rest of `limit` (a longer partner is a chunk of its own). So at most
/// `limit` bytes of text are held, more only when one document is longer
/// than its share: then the larger of the group's share and its longest
/// document, plus the larger of the chunk's share and its longest one;
/// a document is prepared about once per group that meets it, and the
/// last chunk of a group's partners (the next group's first documents) is
/// still held when the next group starts. Holding half the limit, and
/// pairing it with the later groups half a limit at a time, prepared each
/// document more often: 28 MB of real-text versions (726 documents,
/// 15,397 pairs, all between groups) 2,154 preparations at 8 MiB instead
/// of 1,619; 25 MB of generated versions 823 instead of 724. Suits
/// documents paired with many others (10 MB of generated versions, 163
/// documents in 7,363 pairs: 3,088 preparations in runs, 449 in blocks of
/// halves). Returns each document's group with the blocks.
fn blocks(corpus: &Corpus, pairs: &[(u32, u32)], limit: usize) -> (Vec<u32>, Vec<Batch>) {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    let (kept, streamed) = (limit / 4 * KEPT_SHARE, limit - limit / 4 * KEPT_SHARE);
    let mut involved: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    involved.par_sort_unstable();
    involved.dedup();
    let mut group = vec![u32::MAX; corpus.documents.len()];
    let (mut current, mut bytes) = (0u32, 0usize);
    for &doc in &involved {
        if bytes > 0 && bytes + size(doc) > kept {
            current += 1;
            bytes = 0;
        }
        group[doc as usize] = current;
        bytes += size(doc);
    }
    // Each pair's group (the lower of its documents' groups) and its
    // partner there: none for a pair inside the group, else the document
    // of the later group. Pairs by group, those inside first, then by
    // partner from the last down, each partner's in pair order.
    let key = |p: u32| {
        let (a, b) = pairs[p as usize];
        let (x, y) = (group[a as usize], group[b as usize]);
        let partner = match x.cmp(&y) {
            std::cmp::Ordering::Equal => None,
            std::cmp::Ordering::Less => Some(b),
            std::cmp::Ordering::Greater => Some(a),
        };
        (x.min(y), partner.map(std::cmp::Reverse), p)
    };
    let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
    order.par_sort_unstable_by_key(|&p| key(p));
    let mut out = Vec::new();
    let mut batch = |indices: &[u32], keep: u32| {
        let mut indices = indices.to_vec();
        indices.sort_unstable();
        let docs = docs_of(pairs, &indices);
        out.push(Batch {
            pairs: indices,
            docs,
            keep: Some(keep),
        });
    };
    for row in order.chunk_by(|&p, &q| key(p).0 == key(q).0) {
        let g = key(row[0]).0;
        let inside = row.partition_point(|&p| key(p).1.is_none());
        if inside > 0 {
            batch(&row[..inside], g);
        }
        // The partners, a chunk at a time.
        let (mut from, mut bytes) = (inside, 0usize);
        for (at, by_partner) in
            row[inside..]
                .chunk_by(|&p, &q| key(p).1 == key(q).1)
                .scan(inside, |at, run| {
                    let start = *at;
                    *at += run.len();
                    Some((start, run))
                })
        {
            let partner = key(by_partner[0]).1.expect("a pair between groups").0;
            if bytes > 0 && bytes + size(partner) > streamed {
                batch(&row[from..at], g);
                (from, bytes) = (at, 0);
            }
            bytes += size(partner);
        }
        if from < row.len() {
            batch(&row[from..], g);
        }
    }
    (group, out)
}

/// Quarters of the batch limit that [`blocks`] holds in the group kept
/// prepared; its partners stream past in the rest. At 8 MiB (offline
/// count of the plans), 28 MB of real-text versions: 1,833 preparations
/// with 5 eighths, 1,619 with 3 quarters, 1,510 with 7 eighths; 25 MB of
/// generated versions 745, 724 and 846 (small chunks make more blocks,
/// each reading its group's n-grams into its index again).
const KEPT_SHARE: usize = 3;

/// How many documents a plan of batches prepares: each document of a batch
/// that the store does not hold from the batch before (its documents, and
/// the prepared documents of the group it keeps).
fn preparations(plan: &[Batch], group: &[u32], documents: usize) -> usize {
    let mut held_in = vec![u32::MAX; documents];
    let mut held: Vec<u32> = Vec::new();
    let mut count = 0;
    for (b, batch) in plan.iter().enumerate() {
        let b = b as u32;
        let before = b.wrapping_sub(1);
        count += batch
            .docs
            .iter()
            .filter(|&&d| held_in[d as usize] != before || b == 0)
            .count();
        let kept: Vec<u32> = held
            .iter()
            .copied()
            .filter(|&d| batch.keep.is_some_and(|g| group[d as usize] == g))
            .collect();
        held.clear();
        held.extend(batch.docs.iter().copied());
        held.extend(kept);
        for &d in &held {
            held_in[d as usize] = b;
        }
    }
    count
}

/// The batches to align `pairs` in, holding at most `limit` bytes of text
/// at once: [`runs`] (of half the limit, see [`BATCH_BYTES`]) or
/// [`blocks`], whichever prepares fewer documents (runs on a tie), with
/// each document's group.
fn batches(corpus: &Corpus, pairs: &[(u32, u32)], limit: usize) -> (Vec<u32>, Vec<Batch>) {
    let documents = corpus.documents.len();
    let (group, blocks) = blocks(corpus, pairs, limit);
    let runs = runs(corpus, pairs, run_limit(limit));
    if preparations(&blocks, &group, documents) < preparations(&runs, &group, documents) {
        (group, blocks)
    } else {
        (group, runs)
    }
}

/// The text limit of [`runs`] within a batch limit of `limit` (blocks take
/// the whole limit, runs half of it: measured on the paragraphs corpus).
fn run_limit(limit: usize) -> usize {
    limit / 2
}

/// How many times as much indexing one n-gram costs ([`shared_runs`]:
/// gathered, radix-sorted, its run walked) as probing one for a pair
/// ([`align_prepared`]): one long document and 40 partners that each share a
/// quotation with it (benches/stages.rs), every partner read once either
/// way, take 96 us probed and 1.27 ms indexed (13x); on 100 MB of versions
/// (2,996 documents read in 98,154 pairs, 35 probed n-grams per indexed
/// one) the index took a fifth off the scan's CPU.
const INDEX_COST: usize = 12;

/// The alignments of documents `a` and `b` (prepared as `first` and
/// `second`) in byte terms.
fn aligned_pairs(
    found: &[crate::align::Alignment],
    a: u32,
    first: &Prepared,
    b: u32,
    second: &Prepared,
) -> Vec<AlignedPair> {
    found
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
        .collect()
}

/// Align the `pairs` of one batch, each pair a task of its own: the pairs are
/// handed out largest first (by the text of both documents) to rayon's work
/// stealing, so a long document with many partners spreads over every
/// thread, and the results are gathered back in the order of `pairs`, so
/// that they do not depend on the number of threads. (Grouping pairs by
/// first document, as before, ran a long document's partners on one thread:
/// 2 threads were 1.1x faster than 1 on long versioned documents.)
///
/// The batch's documents are prepared first, and the hashes each pair of
/// two long documents shares are found at once for all of them through one
/// index of the batch ([`shared_runs`]): each document's n-grams are read
/// once, not once per partner. On 100 MB of generated versions (101,876
/// pairs, 94% of them sharing only stock phrases) probing each pair's
/// shorter list against the other's filter had been a fifth of the scan's
/// CPU time.
fn align_batch(
    pairs: &[(u32, u32)],
    store: &PreparedDocs,
    corpus: &Corpus,
    align_options: &AlignOptions,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Vec<Vec<AlignedPair>> {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    let to_pair =
        |(a, b): (u32, u32), mut found: Vec<crate::align::Alignment>| -> Vec<AlignedPair> {
            let (first, second) = (store.get(a), store.get(b));
            if a != b {
                fill_gaps(
                    &mut found,
                    &first.stream.tokens,
                    &first.stream.breaks,
                    &second.stream.tokens,
                    &second.stream.breaks,
                    align_options,
                );
            }
            let out = aligned_pairs(&found, a, first, b, second);
            progress.advance(1);
            out
        };
    // No pair of two documents long enough to be indexed: each pair is
    // aligned in the pairs' order, preparing its documents when first met,
    // so that a document is aligned while its prepared n-grams are still
    // in the cache. (Preparing the whole batch first and aligning largest
    // first read every document back from memory: on the 100 MB corpus of
    // 1.7 KB documents, 8 MiB of text is some 50 MB prepared.) Pairs of
    // short documents are many and alike, so the threads stay balanced.
    if !pairs
        .iter()
        .any(|&(a, b)| a != b && may_be_indexable(size(a)) && may_be_indexable(size(b)))
    {
        return pairs
            .par_iter()
            .map(|&(a, b)| {
                if cancel.load(Ordering::Relaxed) {
                    return Vec::new();
                }
                let (first, second) = (store.get(a), store.get(b));
                let found = if a == b {
                    align_prepared_within(first, align_options)
                } else {
                    align_prepared(first, second, align_options)
                };
                to_pair((a, b), found)
            })
            .collect();
    }
    let mut docs: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    docs.sort_unstable();
    docs.dedup();
    // Largest first, for the balance of the threads.
    largest_first(&docs, &size, cancel, |d| {
        store.get(d);
    });
    if cancel.load(Ordering::Relaxed) {
        return vec![Vec::new(); pairs.len()];
    }
    // The long documents, and each pair of two of them with its slot in
    // the index's pairs.
    // The pairs of two long documents, and their documents.
    let long = |d: u32| indexable(store.get(d));
    let mut indexed: Vec<u32> = pairs
        .iter()
        .filter(|&&(a, b)| a != b && long(a) && long(b))
        .flat_map(|&(a, b)| [a, b])
        .collect();
    indexed.sort_unstable();
    indexed.dedup();
    let local = |d: u32| indexed.binary_search(&d).ok().map(|x| x as u32);
    let mut slot = vec![u32::MAX; pairs.len()];
    let mut local_pairs: Vec<(u32, u32)> = Vec::new();
    for (i, &(a, b)) in pairs.iter().enumerate() {
        if let (true, Some(x), Some(y)) = (a != b, local(a), local(b)) {
            slot[i] = local_pairs.len() as u32;
            local_pairs.push((x, y));
        }
    }
    // Probing costs each pair its shorter document's n-grams, the index
    // every document's n-grams once but about INDEX_COST times as much
    // each: the index is built only when it reads fewer.
    let grams = |d: u32| store.get(d).grams();
    let probing: usize = local_pairs
        .iter()
        .map(|&(x, y)| grams(indexed[x as usize]).min(grams(indexed[y as usize])))
        .sum();
    let indexing: usize = indexed.iter().map(|&d| grams(d)).sum();
    let shared = (probing > INDEX_COST * indexing).then(|| {
        let held: Vec<&Prepared> = indexed.iter().map(|&d| store.get(d)).collect();
        shared_runs(&held, &local_pairs)
    });
    by_pair(pairs, &size, usize::MAX, cancel, |i, (a, b)| {
        let (first, second) = (store.get(a), store.get(b));
        let found = match (&shared, slot[i]) {
            _ if a == b => align_prepared_within(first, align_options),
            (Some(shared), at) if at != u32::MAX => {
                align_indexed(first, second, shared.runs(at as usize), align_options)
            }
            _ => align_prepared(first, second, align_options),
        };
        to_pair((a, b), found)
    })
}

/// Align the `pairs` of one batch with the thorough aligner, each pair a
/// task of its own, as [`align_batch`] does: every document of a pair of two
/// documents is indexed once (seed word pairs and sentences, for all its
/// partners on either side), largest first, then the pairs are handed out
/// largest first (by the text of both documents) to rayon's work stealing,
/// one at a time, and their results gathered back in the order of `pairs`,
/// so that they do not depend on the number of threads.
///
/// Before, the pairs were grouped by first document and each group aligned
/// serially on one thread, each document indexed by the first pair that
/// needed it (another thread that needed it too waited on its `OnceLock`,
/// idle): a group was one task however many long partners it had, and
/// each batch waited for its last group. On 5 MB of
/// real-text versions (perf, 2 threads) both threads were busy for the
/// first 10 s of the scan, one alone for the last 5 s.
fn align_thorough(
    pairs: &[(u32, u32)],
    store: &PreparedDocs,
    corpus: &Corpus,
    align_options: &AlignOptions,
    thorough: &crate::thorough::ThoroughOptions,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> Vec<Vec<AlignedPair>> {
    let size = |doc: u32| corpus.documents[doc as usize].text.len();
    // The documents of pairs of two documents (a pair of a document with
    // itself is aligned by the exact aligner, within the document).
    let mut indexed: Vec<u32> = pairs
        .iter()
        .filter(|&&(a, b)| a != b)
        .flat_map(|&(a, b)| [a, b])
        .collect();
    indexed.sort_unstable();
    indexed.dedup();
    let indices: Vec<OnceLock<crate::thorough::Index>> =
        indexed.iter().map(|_| OnceLock::new()).collect();
    let index_of = |doc: u32| {
        let i = indexed
            .binary_search(&doc)
            .expect("every document of a pair is indexed");
        indices[i].get_or_init(|| {
            crate::thorough::Index::new(
                &store.get(doc).stream,
                &corpus.documents[doc as usize].text,
                thorough,
            )
        })
    };
    largest_first(&indexed, &size, cancel, |d| {
        index_of(d);
    });
    // One pair a task.
    by_pair(pairs, &size, 1, cancel, |_, (a, b)| {
        let (first, second) = (store.get(a), store.get(b));
        let found = if a == b {
            align_prepared_within(first, align_options)
        } else {
            crate::thorough::align_indices(index_of(a), index_of(b), thorough)
        };
        let out = aligned_pairs(&found, a, first, b, second);
        progress.advance(1);
        out
    })
}

/// Run `work` on each of `docs`, largest first (by `size`, ties by number),
/// one document a task, until `cancel` is set: the long documents start
/// first and the threads finish together.
fn largest_first(
    docs: &[u32],
    size: &(dyn Fn(u32) -> usize + Sync),
    cancel: &AtomicBool,
    work: impl Fn(u32) + Sync,
) {
    let mut by_size = docs.to_vec();
    by_size.sort_by_key(|&d| (std::cmp::Reverse(size(d)), d));
    by_size.par_iter().with_max_len(1).for_each(|&d| {
        if !cancel.load(Ordering::Relaxed) {
            work(d);
        }
    });
}

/// `align(i, pair)` for each of `pairs`, handed out largest first (by the
/// text of both documents, ties in pair order: a deterministic schedule,
/// though the results do not depend on it) to rayon's work stealing, at
/// most `max_len` pairs a task; the results in the order of `pairs`, empty
/// for the pairs left when `cancel` is set (and for all of them when it is
/// set before the pairs start).
fn by_pair(
    pairs: &[(u32, u32)],
    size: &(dyn Fn(u32) -> usize + Sync),
    max_len: usize,
    cancel: &AtomicBool,
    align: impl Fn(usize, (u32, u32)) -> Vec<AlignedPair> + Sync,
) -> Vec<Vec<AlignedPair>> {
    let mut aligned: Vec<Vec<AlignedPair>> = vec![Vec::new(); pairs.len()];
    if cancel.load(Ordering::Relaxed) {
        return aligned;
    }
    let mut order: Vec<u32> = (0..pairs.len() as u32).collect();
    order.sort_by_key(|&i| {
        let (a, b) = pairs[i as usize];
        (std::cmp::Reverse(size(a) + size(b)), i)
    });
    let done: Vec<(u32, Vec<AlignedPair>)> = order
        .par_iter()
        .with_max_len(max_len)
        .map(|&i| {
            if cancel.load(Ordering::Relaxed) {
                return (i, Vec::new());
            }
            (i, align(i as usize, pairs[i as usize]))
        })
        .collect();
    for (i, out) in done {
        aligned[i as usize] = out;
    }
    aligned
}

/// Align every document pair (sorted by first document), in [`batches`] of
/// at most `batch_bytes` of text: inside a batch every document is tokenized
/// and its n-grams hashed once. The results come in the order of the pairs,
/// whatever the batches and the number of threads.
pub(crate) fn align_documents(
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
    let mut store = PreparedDocs::default();
    let (group, batches) = batches(corpus, document_pairs, batch_bytes);
    // Runs come in the pairs' order and their results are appended as they
    // come; blocks do not, and their results wait in place, one list a pair.
    let in_order = batches.iter().all(|batch| batch.keep.is_none());
    let mut found: Vec<AlignedPair> = Vec::new();
    let mut placed: Vec<Vec<AlignedPair>> = if in_order {
        Vec::new()
    } else {
        vec![Vec::new(); document_pairs.len()]
    };
    for Batch {
        pairs: block,
        docs,
        keep,
    } in batches
    {
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        // In blocks, the first group stays prepared while it meets the later
        // groups, including the documents this batch does not pair.
        let keep = |doc: u32| keep.is_some_and(|g| group[doc as usize] == g);
        store = store.covering(corpus, docs, keep, options.normalize, &align_options);
        let pairs: Vec<(u32, u32)> = block.iter().map(|&p| document_pairs[p as usize]).collect();
        let pairs = &pairs[..];
        let aligned: Vec<Vec<AlignedPair>> = if options.preset == crate::thorough::Preset::Thorough
        {
            align_thorough(
                pairs,
                &store,
                corpus,
                &align_options,
                &thorough,
                progress,
                cancel,
            )
        } else {
            align_batch(pairs, &store, corpus, &align_options, progress, cancel)
        };
        if in_order {
            found.extend(aligned.into_iter().flatten());
        } else {
            for (p, out) in block.into_iter().zip(aligned) {
                placed[p as usize] = out;
            }
        }
    }
    if !in_order {
        found.reserve_exact(placed.iter().map(Vec::len).sum());
        found.extend(placed.into_iter().flatten());
    }
    found
}

/// Verify and align the `edges` of one shard over `corpus` (the documents
/// the edges name, sorted by id, with their `keys`), adding `(d, d)` for the
/// documents `within` (indices into `corpus`, with `--within-doc`). Returns
/// the results and the number of distinct candidate segment pairs.
pub fn align_edges(
    corpus: &Corpus,
    keys: &[u64],
    edges: &Edges,
    within: &[u32],
    params: &Params,
    progress: &dyn Progress,
    cancel: &AtomicBool,
) -> std::result::Result<(Results, u64), Fault> {
    let options = &params.options;
    let index: HashMap<u64, u32> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    let local = |key: i64| {
        index
            .get(&(key as u64))
            .copied()
            .ok_or_else(|| Fault::Bad(format!("document key {key} is in no documents table")))
    };
    // Segments of every document, in id order then text order: the order of
    // `scan`'s segment numbers, restricted to these documents.
    let per_doc: Vec<Vec<Segment>> = corpus
        .documents
        .par_iter()
        .enumerate()
        .map(|(d, document)| {
            let mut out = Vec::new();
            let stream = tokenize(&document.text, options.normalize);
            segments_into(d as u32, &stream, options.window, &mut out);
            out
        })
        .collect();
    let mut offsets = Vec::with_capacity(per_doc.len() + 1);
    offsets.push(0u32);
    for segments in &per_doc {
        offsets.push(offsets.last().copied().unwrap_or(0) + segments.len() as u32);
    }
    let segments: Vec<Segment> = per_doc.into_iter().flatten().collect();
    let segment = |doc: u32, index: i32| -> std::result::Result<u32, Fault> {
        let count = offsets[doc as usize + 1] - offsets[doc as usize];
        if index < 0 || index as u32 >= count {
            return Err(Fault::Bad(format!(
                "segment {index} of document {:?}, which has {count} segments: the edges were made with other flags or inputs",
                corpus.documents[doc as usize].id
            )));
        }
        Ok(offsets[doc as usize] + index as u32)
    };
    let mut candidates = Vec::new();
    let mut document_pairs = Vec::new();
    for i in 0..edges.len() {
        let (a, b) = (local(edges.a[i])?, local(edges.b[i])?);
        if edges.a_segment[i] < 0 || edges.b_segment[i] < 0 {
            if a != b {
                document_pairs.push((a.min(b), a.max(b)));
            }
            continue;
        }
        if a == b && !options.within_doc {
            continue;
        }
        let (x, y) = (
            segment(a, edges.a_segment[i])?,
            segment(b, edges.b_segment[i])?,
        );
        if x != y {
            candidates.push((x.min(y), x.max(y)));
        }
    }
    candidates.par_sort_unstable();
    candidates.dedup();
    let verified = verify_pairs(corpus, &segments, &candidates, params, progress, cancel);
    if cancel.load(Ordering::Relaxed) {
        return Err(Fault::Interrupted);
    }
    let mut results = Results::default();
    if options.align {
        document_pairs.extend(verified.iter().map(|p| (p.a.doc, p.b.doc)));
        document_pairs.extend(within.iter().map(|&d| (d, d)));
        document_pairs.par_sort_unstable();
        document_pairs.dedup();
        for &(a, b) in &document_pairs {
            push_row(&mut results, Kind::DocumentPair, keys, a, b);
        }
    }
    let index_of = |span: &Span| -> i32 {
        let doc =
            &segments[offsets[span.doc as usize] as usize..offsets[span.doc as usize + 1] as usize];
        doc.binary_search_by_key(&span.start, |s| s.start)
            .map_or(-1, |i| i as i32)
    };
    for pair in &verified {
        push_row(
            &mut results,
            Kind::SegmentPair,
            keys,
            pair.a.doc,
            pair.b.doc,
        );
        let last = results.len() - 1;
        results.a_segment[last] = index_of(&pair.a);
        results.b_segment[last] = index_of(&pair.b);
        set_spans(&mut results, &pair.a, &pair.b);
        results.jaccard[last] = pair.jaccard;
        results.containment[last] = pair.containment;
    }
    if options.align {
        let aligned = align_documents(
            corpus,
            &document_pairs,
            params,
            progress,
            cancel,
            BATCH_BYTES,
        );
        if cancel.load(Ordering::Relaxed) {
            return Err(Fault::Interrupted);
        }
        let mut sequence = 0;
        for (i, pair) in aligned.iter().enumerate() {
            let same =
                i > 0 && (aligned[i - 1].a.doc, aligned[i - 1].b.doc) == (pair.a.doc, pair.b.doc);
            sequence = if same { sequence + 1 } else { 0 };
            push_row(&mut results, Kind::Aligned, keys, pair.a.doc, pair.b.doc);
            let last = results.len() - 1;
            results.sequence[last] = sequence;
            set_spans(&mut results, &pair.a, &pair.b);
            results.words[last] = pair.words as i64;
            results.edits[last] = pair.edits as i64;
            results.a_words[last] = pair.a_words as i64;
            results.b_words[last] = pair.b_words as i64;
        }
    }
    Ok((results, candidates.len() as u64))
}

/// Add a row of `kind` for documents `a` and `b` (indices into `keys`),
/// every other column 0 (segments -1).
fn push_row(results: &mut Results, kind: Kind, keys: &[u64], a: u32, b: u32) {
    results.kind.push(kind as i32);
    results.a.push(keys[a as usize] as i64);
    results.b.push(keys[b as usize] as i64);
    results.a_segment.push(-1);
    results.b_segment.push(-1);
    results.sequence.push(0);
    for column in [
        &mut results.a_start,
        &mut results.a_end,
        &mut results.b_start,
        &mut results.b_end,
        &mut results.words,
        &mut results.edits,
        &mut results.a_words,
        &mut results.b_words,
    ] {
        column.push(0);
    }
    results.jaccard.push(0.0);
    results.containment.push(0.0);
}

/// Set the spans of the last row.
fn set_spans(results: &mut Results, a: &Span, b: &Span) {
    let last = results.len() - 1;
    results.a_start[last] = a.start as i64;
    results.a_end[last] = a.end as i64;
    results.b_start[last] = b.start as i64;
    results.b_end[last] = b.end as i64;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;
    use crate::scan::{NoProgress, ScanOptions};

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

    /// Every pair in exactly one batch, each batch's documents those of its
    /// pairs, within the limit: a run over `limit` holds one pair, a block
    /// a group and a chunk of its partners within the limit together, or
    /// of one document each.
    fn check_plan(corpus: &Corpus, pairs: &[(u32, u32)], plan: &[Batch], limit: usize) {
        let size = |d: u32| corpus.documents[d as usize].text.len();
        let largest = (0..corpus.documents.len() as u32).map(size).max().unwrap();
        let mut seen = Vec::new();
        for batch in plan {
            assert!(batch.pairs.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(batch.docs, docs_of(pairs, &batch.pairs));
            let bytes: usize = batch.docs.iter().map(|&d| size(d)).sum();
            if batch.keep.is_none() {
                assert!(
                    batch.pairs.len() == 1 || bytes <= limit,
                    "{bytes} > {limit}"
                );
            } else {
                assert!(bytes <= limit.max(2 * largest), "{bytes} > {limit}");
            }
            seen.extend_from_slice(&batch.pairs);
        }
        seen.sort_unstable();
        assert_eq!(seen, (0..pairs.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn batches_cover_every_pair_once_within_the_limit() {
        let corpus = corpus();
        let n = corpus.documents.len() as u32;
        let pairs: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| {
                (a..n)
                    .filter(move |b| (a + b) % 3 == 0)
                    .map(move |b| (a, b))
            })
            .collect();
        for limit in [1, 700, 2000, usize::MAX] {
            check_plan(&corpus, &pairs, &runs(&corpus, &pairs, limit), limit);
            let (_, blocks) = blocks(&corpus, &pairs, limit);
            check_plan(&corpus, &pairs, &blocks, limit);
            check_plan(&corpus, &pairs, &batches(&corpus, &pairs, limit).1, limit);
            if limit == usize::MAX {
                assert_eq!(blocks.len(), 1);
            } else if limit == 1 {
                // Every document a group: one block per pair.
                assert_eq!(blocks.len(), pairs.len());
            }
        }
    }

    /// Documents each paired with every other are prepared fewer times in
    /// blocks than in runs, documents paired once each fewer times in runs;
    /// the plan taken is the one that prepares fewer.
    #[test]
    fn the_plan_that_prepares_fewer_documents_is_taken() {
        let corpus = corpus();
        let n = corpus.documents.len() as u32;
        let size = |d: u32| corpus.documents[d as usize].text.len();
        let limit = (0..6).map(size).sum::<usize>();
        let all: Vec<(u32, u32)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let once: Vec<(u32, u32)> = (0..n / 2).map(|k| (k, k + n / 2)).collect();
        let count = |pairs: &[(u32, u32)]| {
            let (group, blocks) = blocks(&corpus, pairs, limit);
            let runs = runs(&corpus, pairs, run_limit(limit));
            let chosen = batches(&corpus, pairs, limit).1;
            let documents = corpus.documents.len();
            (
                preparations(&runs, &group, documents),
                preparations(&blocks, &group, documents),
                preparations(&chosen, &group, documents),
            )
        };
        let (in_runs, in_blocks, chosen) = count(&all);
        assert!(in_blocks < in_runs, "{in_blocks} >= {in_runs}");
        assert_eq!(chosen, in_blocks);
        let (in_runs, in_blocks, chosen) = count(&once);
        assert!(in_runs <= in_blocks, "{in_runs} > {in_blocks}");
        assert_eq!(chosen, in_runs);
        // Pairs of one run each prepare both of their documents.
        assert_eq!(in_runs, n as usize);
    }

    /// The thorough aligner's pairs, each a task of its own scheduled
    /// largest first: the same alignments, in pair order, at 1 and at
    /// several threads and whatever the batches.
    #[test]
    fn thorough_alignments_do_not_depend_on_threads_or_batches() {
        let corpus = corpus();
        let params = Params::new(ScanOptions {
            preset: crate::thorough::Preset::Thorough,
            ..ScanOptions::default()
        })
        .unwrap();
        let n = corpus.documents.len() as u32;
        // Every pair, and each document with itself (aligned within).
        let pairs: Vec<(u32, u32)> = (0..n).flat_map(|a| (a..n).map(move |b| (a, b))).collect();
        let cancel = AtomicBool::new(false);
        let align = |threads: usize, limit: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| align_documents(&corpus, &pairs, &params, &NoProgress, &cancel, limit))
        };
        let whole = align(1, usize::MAX);
        assert!(
            whole.len() >= 24,
            "the shared passages align: {}",
            whole.len()
        );
        let size = |d: u32| corpus.documents[d as usize].text.len();
        let six = (0..6).map(size).sum::<usize>();
        for threads in [1, 2, 4] {
            for limit in [1, 900, six, usize::MAX] {
                assert_eq!(
                    align(threads, limit),
                    whole,
                    "{threads} threads, batches of {limit} bytes"
                );
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
        // Small limits cut the pairs into runs or blocks (blocks for these
        // pairs at this limit, see `the_plan_that_prepares_fewer...`).
        let size = |d: u32| corpus.documents[d as usize].text.len();
        let six = (0..6).map(size).sum::<usize>();
        for limit in [1, 900, 5000, six] {
            assert_eq!(align(limit), whole, "batches of {limit} bytes");
        }
        // Pairs each document is in once: aligned in runs, appended in order.
        let once: Vec<(u32, u32)> = pairs
            .iter()
            .copied()
            .filter(|&(a, b)| b == a + 1 && a % 2 == 0)
            .collect();
        let align = |limit| align_documents(&corpus, &once, &params, &NoProgress, &cancel, limit);
        let whole = align(usize::MAX);
        assert!(!whole.is_empty());
        for limit in [1, 900, six] {
            assert_eq!(align(limit), whole, "batches of {limit} bytes");
        }
    }
}
