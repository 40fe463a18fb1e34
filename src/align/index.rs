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

use super::{AlignOptions, Alignment, Prepared};
use crate::normalize::most_words;

/// Entries (one per distinct hash of each document) per hash range: a
/// range's entries are sorted in one task.
const RANGE_ENTRIES: usize = 4096;

/// Set in the first index of a shared run (see [`SharedRuns`]) when the
/// hash is once in each document: the run's ends are then known without
/// reading the hashes again.
pub(super) const ONCE: u32 = 1 << 31;

/// The hashes each pair shares, pair by pair: `runs(p)` lists, for pair `p`
/// of [`shared_runs`], the first index of every shared hash's run in the
/// sorted list of its first document (with [`ONCE`] set when the hash is
/// once in each document) and of its second (each hash once, in hash
/// order).
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

/// Whether a document of `bytes` bytes of text may be [`indexable`] once
/// prepared: it has no more n-grams than words, and no more words than
/// [`most_words`] (about one every two bytes), so a shorter text has too
/// few n-grams to be sorted. (With one word a byte as the bound, every
/// batch of the 100 MB independent corpus, documents of 0.2 to 3.6 KB of
/// which none is sorted, had documents over 2 KB in a pair and was
/// prepared whole before aligning, its n-grams read back from memory; see
/// `stage::align`.)
pub fn may_be_indexable(bytes: usize) -> bool {
    most_words(bytes) >= super::SORTED_MIN
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
    let lookup = PairLookup::new(docs.len(), pairs, docs.len() <= DENSE_DOCS);
    // Indices leave the top bit for [`ONCE`] (a document of at most 4 GiB
    // has fewer than 2^31 words: each takes a byte and a separator).
    assert!(sorted.iter().all(|s| s.hashes.len() <= ONCE as usize));
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
        .map_init(RangeScratch::default, |scratch, r| {
            let entries = range_entries(&sorted, &bounds, r, bits, scratch);
            let mut out: Vec<(u32, u32, u32)> = Vec::new();
            for run in entries.chunk_by(|x, y| x.0 == y.0) {
                if run.len() < 2 {
                    continue;
                }
                for (k, &(_, x, i)) in run.iter().enumerate() {
                    lookup.later(x, &run[k + 1..], |p, j| {
                        out.push((p, (i & !ONCE) | (i & j & ONCE), j & !ONCE))
                    });
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

/// Most documents for a [`PairLookup`] to hold a table of every pair's
/// index (4 bytes per pair of documents: 16 MiB at 2,048 documents, as
/// many long documents, of 4 KB or more, as 8 MiB of text holds; a block
/// of 16 MiB of the shortest may hold twice as many); beyond, partners are
/// looked up by binary search.
const DENSE_DOCS: usize = 2048;

/// Which pairs of documents are pairs to align, and their index.
enum PairLookup {
    /// `table[x * n + y]`: the index of pair `(x, y)`, or `u32::MAX`.
    Dense { n: usize, table: Vec<u32> },
    /// Each document's later partners, ascending, with the pair's index.
    Lists(Vec<Vec<(u32, u32)>>),
}

impl PairLookup {
    /// For `n` documents, as a table (`dense`) or as lists.
    fn new(n: usize, pairs: &[(u32, u32)], dense: bool) -> PairLookup {
        for &(x, y) in pairs {
            assert!(x < y, "pairs to index are ordered and distinct");
        }
        if dense {
            let mut table = vec![u32::MAX; n * n];
            for (p, &(x, y)) in pairs.iter().enumerate() {
                table[x as usize * n + y as usize] = p as u32;
            }
            return PairLookup::Dense { n, table };
        }
        let mut lists: Vec<Vec<(u32, u32)>> = vec![Vec::new(); n];
        for (p, &(x, y)) in pairs.iter().enumerate() {
            lists[x as usize].push((y, p as u32));
        }
        for list in &mut lists {
            list.sort_unstable();
        }
        PairLookup::Lists(lists)
    }

    /// Calls `f(pair, j)` for each entry `(_, y, j)` of `later` (ascending
    /// by document, all after `x`) such that `(x, y)` is a pair.
    #[inline]
    fn later(&self, x: u32, later: &[(u64, u32, u32)], mut f: impl FnMut(u32, u32)) {
        match self {
            PairLookup::Dense { n, table } => {
                let row = &table[x as usize * n..(x as usize + 1) * n];
                for &(_, y, j) in later {
                    let p = row[y as usize];
                    if p != u32::MAX {
                        f(p, j);
                    }
                }
            }
            PairLookup::Lists(lists) => {
                // Whichever of the two lists is shorter is walked and looked
                // up in the other.
                let list = &lists[x as usize];
                if list.len() <= later.len() {
                    for &(y, p) in list {
                        if let Ok(l) = later.binary_search_by_key(&y, |e| e.1) {
                            f(p, later[l].2);
                        }
                    }
                } else {
                    for &(_, y, j) in later {
                        if let Ok(l) = list.binary_search_by_key(&y, |e| e.0) {
                            f(list[l].1, j);
                        }
                    }
                }
            }
        }
    }
}

/// Calls `f` with the entry of every distinct hash of range `r` in each
/// document of `sorted` (in document order, each document's in hash
/// order): (hash, document, first index of the hash's run in its sorted
/// list, with [`ONCE`] when the run is one n-gram). `bounds[d]` holds
/// where each range starts in document `d`'s list.
#[inline(always)]
fn for_each_entry(
    sorted: &[&super::Sorted],
    bounds: &[Vec<u32>],
    r: usize,
    mut f: impl FnMut((u64, u32, u32)),
) {
    for (d, s) in sorted.iter().enumerate() {
        let (from, to) = (bounds[d][r] as usize, bounds[d][r + 1] as usize);
        let hashes = &s.hashes[from..to];
        // A hash's run never straddles two ranges.
        for (k, &h) in hashes.iter().enumerate() {
            if k == 0 || hashes[k - 1] != h {
                let once = k + 1 == hashes.len() || hashes[k + 1] != h;
                let flag = if once { ONCE } else { 0 };
                f((h, d as u32, (from + k) as u32 | flag));
            }
        }
    }
}

/// Buffers [`range_entries`] reuses from one range to the next of a rayon
/// task (zeroed allocations for each range took about 1% of scanning 25
/// versions). Each holds at most the largest range's entries (or its
/// buckets, at most 2^20 + 1), and lives no longer than [`shared_runs`].
#[derive(Default)]
struct RangeScratch {
    /// Where each bucket starts, plus the end.
    starts: Vec<u32>,
    /// Where the next entry of each bucket goes.
    at: Vec<u32>,
    /// The entries; only a prefix is this range's, the rest is stale.
    entries: Vec<(u64, u32, u32)>,
}

/// The entries of range `r` ([`for_each_entry`]; the range named by the
/// top `bits` bits of its hashes, which are uniform within it), sorted by
/// hash, then document: counted and placed straight from the documents'
/// lists by the hashes' next bits (about one bucket per two entries), each
/// bucket then sorted by hash alone, as its entries come in document order.
/// The order of sorting the entries whole; gathered first and sorted
/// through a generic counting sort, as before, building the index took a
/// tenth more. Held in `scratch`, whose entries past those returned are
/// left as they were (every slot returned is written first, so none is
/// zeroed again).
fn range_entries<'s>(
    sorted: &[&super::Sorted],
    bounds: &[Vec<u32>],
    r: usize,
    bits: u32,
    scratch: &'s mut RangeScratch,
) -> &'s [(u64, u32, u32)] {
    const SMALL: usize = 256;
    // At least the entries (one per distinct hash), at most this.
    let most: usize = (0..sorted.len())
        .map(|d| (bounds[d][r + 1] - bounds[d][r]) as usize)
        .sum();
    let RangeScratch {
        starts,
        at,
        entries,
    } = scratch;
    if entries.len() < most {
        entries.resize(most, (0, 0, 0));
    }
    if most < SMALL {
        let mut count = 0;
        for_each_entry(sorted, bounds, r, |e| {
            entries[count] = e;
            count += 1;
        });
        let entries = &mut entries[..count];
        entries.sort_unstable();
        return entries;
    }
    let next = (usize::BITS - (most / 2).leading_zeros()).clamp(8, 20);
    let buckets = 1usize << next;
    let bucket = |h: u64| ((h << bits) >> (64 - next)) as usize;
    starts.clear();
    starts.resize(buckets + 1, 0);
    for_each_entry(sorted, bounds, r, |e| starts[bucket(e.0) + 1] += 1);
    for k in 0..buckets {
        starts[k + 1] += starts[k];
    }
    let entries = &mut entries[..starts[buckets] as usize];
    at.clear();
    at.extend_from_slice(&starts[..buckets]);
    for_each_entry(sorted, bounds, r, |e| {
        let slot = &mut at[bucket(e.0)];
        entries[*slot as usize] = e;
        *slot += 1;
    });
    for k in 0..buckets {
        let run = &mut entries[starts[k] as usize..starts[k + 1] as usize];
        if run.len() > super::INSERTION_MOST {
            run.sort_unstable();
        } else {
            // Stable on the hash: equal hashes stay in document order.
            super::insertion_sort_by_hash(run, |e| e.0);
        }
    }
    entries
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    /// Long documents (sorted when prepared) over small vocabularies, with a
    /// refrain repeated more than `max_repeat` times, passages copied from
    /// one to another, and document 0 in a pair with every other.
    fn documents(options: &AlignOptions) -> Vec<Prepared> {
        let mut state = 11u64;
        let mut next = move || crate::minhash::splitmix64(&mut state);
        let base: Vec<String> = (0..3000).map(|_| format!("w{}", next() % 50)).collect();
        (0..7)
            .map(|d| {
                let vocabulary = [5, 50, 400, 5000][d % 4];
                let mut words: Vec<String> = Vec::new();
                for s in 0..260 {
                    if s % (3 + d % 3) == 0 {
                        words.extend(["so", "it", "was", "said", "then"].map(String::from));
                    }
                    if d % 2 == 1 && s % 9 == 0 {
                        let from = (next() % 2900) as usize;
                        words.extend(base[from..from + 40].iter().cloned());
                    }
                    words.extend((0..8).map(|_| format!("w{}", next() % vocabulary)));
                    if s % 50 == 49 {
                        words.push("\n".to_string());
                    }
                }
                let text = words.join(" ");
                Prepared::new(
                    tokenize(text.as_bytes(), NormalizeOptions::default()),
                    options,
                )
            })
            .collect()
    }

    /// The first index of every hash both sorted lists hold, by a merge of
    /// the two whole lists.
    fn merged_runs(a: &super::super::Sorted, b: &super::super::Sorted) -> Vec<(u32, u32)> {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < a.hashes.len() && j < b.hashes.len() {
            let (x, y) = (a.hashes[i], b.hashes[j]);
            if x < y {
                i += 1;
            } else if y < x {
                j += 1;
            } else {
                out.push((i as u32, j as u32));
                i = a.run_end(i);
                j = b.run_end(j);
            }
        }
        out
    }

    /// The index finds, for every pair, exactly the shared hashes a merge of
    /// the pair's two lists finds (so the per-pair probe's too), and the
    /// alignments from them are those of [`super::super::align_prepared`],
    /// with one thread or three.
    #[test]
    fn the_batch_index_finds_the_runs_of_each_pair() {
        for max_repeat in [16, 2] {
            let options = AlignOptions {
                max_repeat,
                ..AlignOptions::default()
            };
            let docs = documents(&options);
            assert!(docs.iter().all(indexable));
            let held: Vec<&Prepared> = docs.iter().collect();
            let n = docs.len() as u32;
            let pairs: Vec<(u32, u32)> = (0..n)
                .flat_map(|x| (x + 1..n).map(move |y| (x, y)))
                .filter(|&(x, y)| x == 0 || (x + y) % 3 != 0)
                .collect();
            let in_pool = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| shared_runs(&held, &pairs))
            };
            let shared = in_pool(1);
            let again = in_pool(3);
            assert_eq!(shared.offsets, again.offsets);
            assert_eq!(shared.runs, again.runs);
            let mut aligned = 0;
            for (p, &(x, y)) in pairs.iter().enumerate() {
                let (a, b) = (&docs[x as usize], &docs[y as usize]);
                let (sa, sb) = (a.sorted.as_ref().unwrap(), b.sorted.as_ref().unwrap());
                for &(i, j) in shared.runs(p) {
                    let (i, j) = ((i & !ONCE) as usize, j as usize);
                    let once = sa.run_end(i) == i + 1 && sb.run_end(j) == j + 1;
                    assert_eq!(shared.runs(p).contains(&(i as u32 | ONCE, j as u32)), once);
                }
                let mut found: Vec<(u32, u32)> = shared
                    .runs(p)
                    .iter()
                    .map(|&(i, j)| (i & !ONCE, j))
                    .collect();
                found.sort_unstable();
                assert_eq!(found, merged_runs(sa, sb), "pair {x} {y}");
                let expected = super::super::align_prepared(a, b, &options);
                assert_eq!(
                    align_indexed(a, b, shared.runs(p), &options),
                    expected,
                    "pair {x} {y}"
                );
                aligned += expected.len();
            }
            // The copied passages and the refrain align.
            assert!(aligned > 20, "{aligned}");
        }
    }

    /// No pairs, or documents in none: nothing is found.
    #[test]
    fn documents_in_no_pair_share_nothing() {
        let options = AlignOptions::default();
        let docs = documents(&options);
        let held: Vec<&Prepared> = docs.iter().collect();
        assert!(shared_runs(&held, &[]).is_empty());
        let one = shared_runs(&held, &[(2, 5)]);
        assert_eq!(one.runs(0).len(), one.len());
        assert!(!one.is_empty());
    }

    /// The table and the lists name the same pairs.
    #[test]
    fn pair_lookups_agree() {
        let mut state = 8u64;
        let n = 40u32;
        let mut pairs: Vec<(u32, u32)> = (0..300)
            .map(|_| {
                let x = (crate::minhash::splitmix64(&mut state) % n as u64) as u32;
                let y = (crate::minhash::splitmix64(&mut state) % n as u64) as u32;
                (x.min(y), x.max(y))
            })
            .filter(|&(x, y)| x < y)
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let (dense, lists) = (
            PairLookup::new(n as usize, &pairs, true),
            PairLookup::new(n as usize, &pairs, false),
        );
        for x in 0..n {
            // Later documents, some repeated in no pair, ascending.
            let later: Vec<(u64, u32, u32)> = (x + 1..n)
                .step_by(1 + x as usize % 3)
                .map(|y| (0, y, 100 + y))
                .collect();
            let (mut from_dense, mut from_lists) = (Vec::new(), Vec::new());
            dense.later(x, &later, |p, j| from_dense.push((p, j)));
            lists.later(x, &later, |p, j| from_lists.push((p, j)));
            from_lists.sort_unstable();
            let expected: Vec<(u32, u32)> = pairs
                .iter()
                .enumerate()
                .filter(|&(_, &(a, b))| a == x && later.iter().any(|e| e.1 == b))
                .map(|(p, &(_, b))| (p as u32, 100 + b))
                .collect();
            assert_eq!(from_dense, expected);
            assert_eq!(from_lists, expected);
        }
    }

    /// A range's entries, counted and placed straight from the documents'
    /// sorted lists, are the entries gathered and sorted whole: ranges of
    /// few entries and of many, hashes in one document or in several,
    /// repeated within a document, and a bucket of more than
    /// `super::INSERTION_MOST` entries.
    #[test]
    fn range_entries_are_the_entries_sorted_whole() {
        let mut state = 3u64;
        for (docs, len, distinct) in [
            (3usize, 50u64, 20u64),
            (8, 3000, 900),
            (40, 2500, 2500),
            (6, 5000, 60),
        ] {
            let lists: Vec<super::super::Sorted> = (0..docs)
                .map(|_| {
                    let hashes: Vec<u64> = (0..len)
                        .map(|_| {
                            let k = crate::minhash::splitmix64(&mut state) % distinct;
                            crate::minhash::splitmix64(&mut { k })
                        })
                        .collect();
                    super::super::Sorted::of(&hashes)
                })
                .collect();
            let sorted: Vec<&super::super::Sorted> = lists.iter().collect();
            for bits in [0u32, 2, 5] {
                let ranges = 1usize << bits;
                let bounds: Vec<Vec<u32>> = sorted
                    .iter()
                    .map(|s| {
                        (0..=ranges)
                            .map(|r| {
                                if r == ranges {
                                    s.hashes.len() as u32
                                } else if bits == 0 {
                                    0
                                } else {
                                    let h = (r as u64) << (64 - bits);
                                    s.hashes.partition_point(|&x| x < h) as u32
                                }
                            })
                            .collect()
                    })
                    .collect();
                // One scratch for every range (as a task reuses it), so
                // stale entries of a larger range precede smaller ones.
                let mut scratch = RangeScratch::default();
                for r in 0..ranges {
                    let mut expected = Vec::new();
                    for_each_entry(&sorted, &bounds, r, |e| expected.push(e));
                    expected.sort_unstable();
                    assert_eq!(
                        range_entries(&sorted, &bounds, r, bits, &mut scratch),
                        &expected[..],
                        "{docs} documents, range {r} of {ranges}"
                    );
                }
            }
        }
    }
}
