//! One n-gram index for a batch of long documents and the pairs among them:
//! the hashes every pair shares, found by reading each document's sorted
//! n-grams once for all its partners, instead of once per partner.
//!
//! Aligning two long documents starts from the hashes they share (the first
//! index of each shared hash's run in both sorted lists). Probing one list
//! against the other's filter, pair by pair, costs the shorter document's
//! length for every pair: on 100 MB of generated versions, 101,876 pairs of
//! ~7,000 n-grams each, though 94% of them share only a few stock phrases.
//! Here the batch's entries are gathered by hash range (each range a task),
//! sorted by (hash, document), and every run of one hash held by two or more
//! documents emits, for each of its document pairs that is a pair to align,
//! the runs' first indices: work in the batch's n-grams and the shared
//! occurrences, not in pairs times length. The runs found are those the
//! per-pair probe finds ([`super::seeds::prepared_matches`]), so the
//! alignments are the same.

use rayon::prelude::*;

use super::{Alignment, AlignOptions, Prepared};

/// Entries (one per distinct hash of each document) per hash range: a
/// range's entries are sorted in one task.
const RANGE_ENTRIES: usize = 4096;

/// The hashes each pair shares, pair by pair: `runs(p)` lists, for pair `p`
/// of [`shared_runs`], the first index of every shared hash's run in the
/// sorted list of its first document and of its second (each hash once,
/// in hash order).
pub struct SharedRuns {
    /// Where each pair's runs start in `runs`, plus the end.
    offsets: Vec<u32>,
    runs: Vec<(u32, u32)>,
}

impl SharedRuns {
    /// The runs of pair `p`.
    pub fn runs(&self, p: usize) -> &[(u32, u32)] {
        &self.runs[self.offsets[p] as usize..self.offsets[p + 1] as usize]
    }

    /// Runs held for all pairs.
    pub fn len(&self) -> usize {
        self.runs.len()
    }

    /// True when no pair shares a hash.
    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

/// Whether [`shared_runs`] can index a document: it was sorted when
/// prepared (a long document).
pub fn indexable(doc: &Prepared) -> bool {
    doc.sorted.is_some()
}

/// The shared hashes of every pair `(x, y)` of `pairs` (indices into `docs`,
/// `x < y`, every document [`indexable`]), found through one index of the
/// documents' sorted n-grams. Parallel over hash ranges; the result does
/// not depend on the number of threads.
pub fn shared_runs(docs: &[&Prepared], pairs: &[(u32, u32)]) -> SharedRuns {
    let sorted: Vec<&super::Sorted> = docs
        .iter()
        .map(|d| d.sorted.as_ref().expect("indexed documents are sorted"))
        .collect();
    // Each document's later partners, ascending, with the pair's index.
    let mut partners: Vec<Vec<(u32, u32)>> = vec![Vec::new(); docs.len()];
    for (p, &(x, y)) in pairs.iter().enumerate() {
        assert!(x < y, "pairs to index are ordered and distinct");
        partners[x as usize].push((y, p as u32));
    }
    for list in &mut partners {
        list.sort_unstable();
    }
    let total: usize = sorted.iter().map(|s| s.hashes.len()).sum();
    let bits = (usize::BITS - (total / RANGE_ENTRIES).leading_zeros()).min(16);
    let ranges = 1usize << bits;
    // The first hash of range `r` (ranges by top bits), none past the last.
    let first_hash = |r: usize| -> Option<u64> {
        if r >= ranges {
            None
        } else if bits == 0 {
            Some(0)
        } else {
            Some((r as u64) << (64 - bits))
        }
    };
    let bound = |s: &super::Sorted, r: usize| match first_hash(r) {
        None => s.hashes.len(),
        Some(h) => s.hashes.partition_point(|&x| x < h),
    };
    // Where each document's entries start in each range (ranges + 1 bounds
    // a document).
    let bounds: Vec<Vec<u32>> = sorted
        .par_iter()
        .map(|s| (0..=ranges).map(|r| bound(s, r) as u32).collect())
        .collect();
    let found: Vec<Vec<(u32, u32, u32)>> = (0..ranges)
        .into_par_iter()
        .map(|r| {
            // (hash, document, first index of the hash's run in it).
            let mut entries: Vec<(u64, u32, u32)> = Vec::new();
            for (d, s) in sorted.iter().enumerate() {
                let (from, to) = (bounds[d][r] as usize, bounds[d][r + 1] as usize);
                let hashes = &s.hashes[from..to];
                // A hash's run never straddles two ranges.
                for (k, &h) in hashes.iter().enumerate() {
                    if k == 0 || hashes[k - 1] != h {
                        entries.push((h, d as u32, (from + k) as u32));
                    }
                }
            }
            sort_entries(&mut entries, bits);
            let mut out: Vec<(u32, u32, u32)> = Vec::new();
            for run in entries.chunk_by(|x, y| x.0 == y.0) {
                if run.len() < 2 {
                    continue;
                }
                for (k, &(_, x, i)) in run.iter().enumerate() {
                    let later = &run[k + 1..];
                    let list = &partners[x as usize];
                    if list.is_empty() {
                        continue;
                    }
                    // The pairs of `x` with the later documents of the run:
                    // whichever of the two lists is shorter is walked and
                    // looked up in the other.
                    if list.len() <= later.len() {
                        for &(y, p) in list {
                            if let Ok(l) = later.binary_search_by_key(&y, |e| e.1) {
                                out.push((p, i, later[l].2));
                            }
                        }
                    } else {
                        for &(_, y, j) in later {
                            if let Ok(l) = list.binary_search_by_key(&y, |e| e.0) {
                                out.push((list[l].1, i, j));
                            }
                        }
                    }
                }
            }
            out
        })
        .collect();
    // Grouped by pair, each pair's runs in hash order (ranges in order, a
    // range's runs by hash).
    let mut offsets = vec![0u32; pairs.len() + 1];
    for &(p, _, _) in found.iter().flatten() {
        offsets[p as usize + 1] += 1;
    }
    for p in 1..offsets.len() {
        offsets[p] += offsets[p - 1];
    }
    let mut next = offsets.clone();
    let mut runs = vec![(0u32, 0u32); offsets[pairs.len()] as usize];
    for &(p, i, j) in found.iter().flatten() {
        let at = &mut next[p as usize];
        runs[*at as usize] = (i, j);
        *at += 1;
    }
    SharedRuns { offsets, runs }
}

/// Sort `entries` (hashes uniform within the range their top `bits` bits
/// name) by hash, then document: one counting pass on the hashes' next bits
/// (about one bucket per two entries) leaves buckets of a few entries to
/// sort by comparisons, as [`super::seeds::sorted_grams`] does. The same
/// order as sorting them whole, in much less time (the sort was as costly
/// as the probing it replaced).
fn sort_entries(entries: &mut Vec<(u64, u32, u32)>, bits: u32) {
    const SMALL: usize = 256;
    if entries.len() < SMALL {
        entries.sort_unstable();
        return;
    }
    let next = (usize::BITS - (entries.len() / 2).leading_zeros()).clamp(8, 20);
    let bucket = |hash: u64| ((hash << bits) >> (64 - next)) as usize;
    let mut starts = vec![0u32; (1 << next) + 1];
    for e in entries.iter() {
        starts[bucket(e.0) + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut out = vec![(0u64, 0u32, 0u32); entries.len()];
    let mut at = starts.clone();
    for &e in entries.iter() {
        let slot = &mut at[bucket(e.0)];
        out[*slot as usize] = e;
        *slot += 1;
    }
    for window in starts.windows(2) {
        let run = &mut out[window[0] as usize..window[1] as usize];
        if run.len() > 1 {
            run.sort_unstable();
        }
    }
    *entries = out;
}

/// [`super::align_prepared`] of two indexed documents from the `runs` of
/// their pair in [`shared_runs`] (`a` the pair's first document).
pub fn align_indexed(
    a: &Prepared,
    b: &Prepared,
    runs: &[(u32, u32)],
    options: &AlignOptions,
) -> Vec<Alignment> {
    let (sa, sb) = (
        a.sorted.as_ref().expect("indexed documents are sorted"),
        b.sorted.as_ref().expect("indexed documents are sorted"),
    );
    let matches = super::seeds::runs_matches(sa, sb, runs, options);
    super::chain::chain(
        &matches,
        &super::chain::Breaks {
            a: &a.stream.breaks,
            b: &b.stream.breaks,
        },
        options,
    )
}
