//! LSH banding: segments whose signatures agree on every row of at least one
//! band become candidate pairs.
//!
//! Bands x rows are chosen from the threshold so that a pair exactly at the
//! threshold is missed less than 1% of the time (the largest `rows` with
//! `1 - (1 - t^rows)^bands >= 0.99`); extra candidates cost only a verification.
//! Peers default to 25 x 5 at 0.5, which misses 45% of pairs at the threshold.
//! Buckets are formed by sorting `(band hash, segment)` tuples, one band at a
//! time, never with a map of vectors. A bucket larger than `max_bucket` (a
//! passage repeated in many places, usually boilerplate) is linked as a star
//! (its first segment with each other one) so the work stays linear, and counted.

use rayon::prelude::*;

use crate::error::{config, Result};

/// Number of bands and rows per band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LshParams {
    /// Bands: a pair is a candidate if any band matches.
    pub bands: usize,
    /// Rows (signature positions) per band.
    pub rows: usize,
}

/// Smallest acceptable probability of catching a pair at the threshold.
const TARGET_RECALL: f64 = 0.99;

impl LshParams {
    /// Bands x rows for `threshold` with `permutations`, unless given explicitly.
    pub fn choose(
        threshold: f64,
        permutations: usize,
        bands: Option<usize>,
        rows: Option<usize>,
    ) -> Result<LshParams> {
        if permutations == 0 {
            return Err(config("permutations", "must be at least 1"));
        }
        // Each of bands and rows is at most the permutations, and their
        // product is checked without overflowing (`--bands 2^63 --rows 2`
        // once wrapped to 0 and passed).
        for (parameter, value) in [("bands", bands), ("rows", rows)] {
            match value {
                Some(0) => return Err(config(parameter, "must be at least 1")),
                Some(value) if value > permutations => {
                    return Err(config(
                        parameter,
                        format!("{value} is outside 1..={permutations}: at most --permutations ({permutations}) is allowed"),
                    ))
                }
                _ => {}
            }
        }
        let params = match (bands, rows) {
            (Some(bands), Some(rows)) => LshParams { bands, rows },
            (Some(bands), None) => {
                if !permutations.is_multiple_of(bands) {
                    return Err(config(
                        "bands",
                        format!("{permutations} permutations are not divisible by {bands} bands; give --rows too or change --permutations"),
                    ));
                }
                LshParams {
                    bands,
                    rows: permutations / bands,
                }
            }
            (None, Some(rows)) => LshParams {
                bands: permutations / rows,
                rows,
            },
            (None, None) => Self::for_threshold(threshold, permutations),
        };
        let needed = params.bands.checked_mul(params.rows);
        if params.bands == 0 || needed.is_none_or(|needed| needed > permutations) {
            return Err(config(
                "bands",
                format!(
                    "{} bands x {} rows need {} permutations but --permutations is {permutations}",
                    params.bands,
                    params.rows,
                    params.bands as u128 * params.rows as u128
                ),
            ));
        }
        Ok(params)
    }

    /// The largest `rows` that still catches pairs at `threshold` with
    /// probability at least 0.99, with as many bands as fit.
    pub fn for_threshold(threshold: f64, permutations: usize) -> LshParams {
        for rows in (1..=permutations).rev() {
            let params = LshParams {
                bands: permutations / rows,
                rows,
            };
            if params.probability(threshold) >= TARGET_RECALL {
                return params;
            }
        }
        LshParams {
            bands: permutations,
            rows: 1,
        }
    }

    /// Probability that a pair of Jaccard similarity `s` becomes a candidate.
    pub fn probability(&self, s: f64) -> f64 {
        1.0 - (1.0 - s.powi(self.rows as i32)).powi(self.bands as i32)
    }
}

/// Append the band hashes of one signature to `out`: 32 bits per band. Each
/// row value is folded into a 64-bit state by an xor and a bijective
/// multiply-xorshift step, and the state's upper half is kept: two different
/// bands of values collide with probability about 2^-32. Two unrelated
/// segments then share a band hash a few hundred times per band on a
/// billion-byte corpus, each pair rejected by exact verification; in
/// exchange band hashes and the sort keys take half the memory.
///
/// Up to eight rows a band, the rows' loop is unrolled for their count
/// (`band_hashes_of`), and the hashes are written without a capacity check
/// each: the 42 x 3 bands of a segment took 1,770 instructions, a sixth of
/// signing's own (25 MB versions, callgrind).
pub fn band_hashes(signature: &[u32], params: LshParams, out: &mut Vec<u32>) {
    let bands = params.bands;
    match params.rows {
        1 => band_hashes_of::<1>(signature, bands, out),
        2 => band_hashes_of::<2>(signature, bands, out),
        3 => band_hashes_of::<3>(signature, bands, out),
        4 => band_hashes_of::<4>(signature, bands, out),
        5 => band_hashes_of::<5>(signature, bands, out),
        6 => band_hashes_of::<6>(signature, bands, out),
        7 => band_hashes_of::<7>(signature, bands, out),
        8 => band_hashes_of::<8>(signature, bands, out),
        rows => out.extend(
            signature
                .chunks_exact(rows)
                .take(bands)
                .enumerate()
                .map(|(band, rows)| band_hash(band, rows)),
        ),
    }
}

/// [`band_hashes`] of bands of `ROWS` rows.
#[inline]
fn band_hashes_of<const ROWS: usize>(signature: &[u32], bands: usize, out: &mut Vec<u32>) {
    let (rows, _) = signature.as_chunks::<ROWS>();
    out.extend(
        rows.iter()
            .take(bands)
            .enumerate()
            .map(|(band, rows)| band_hash(band, rows)),
    );
}

/// The hash of band `band` whose row values are `rows`.
#[inline(always)]
fn band_hash(band: usize, rows: &[u32]) -> u32 {
    let mut state = (band as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for &value in rows {
        state = (state ^ value as u64).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        state ^= state >> 32;
    }
    (state >> 32) as u32
}

/// Candidate segment pairs and what banding had to cut short.
#[derive(Debug, Default)]
pub struct Candidates {
    /// Pairs `(a, b)` of segment indices with `a < b`, sorted, unique.
    pub pairs: Vec<(u32, u32)>,
    /// Buckets larger than the cap, linked as stars.
    pub oversized_buckets: u64,
}

/// Candidate pairs from band hashes, one vector per band (`hashes[band][s]`
/// for segment `s`, so that each band is read contiguously). `docs[s]` is
/// the document of segment `s`; pairs within one document are skipped
/// unless `within_doc`.
pub fn candidate_pairs(
    hashes: &[Vec<u32>],
    docs: &[u32],
    within_doc: bool,
    max_bucket: usize,
) -> Candidates {
    let segments = docs.len();
    assert!(
        hashes.iter().all(|band| band.len() == segments),
        "one hash per band and segment"
    );
    // Each band's pairs are sorted and deduplicated, then merged band into
    // band: a pair found by every band is held once, not `bands` times.
    // Bands go to the workers in runs; a run reuses one pair of key buffers
    // from band to band (on a 1 GB corpus they are 20 MB each, and fresh
    // memory costs a page fault per 4 KiB).
    let run = bands_per_worker(hashes.len());
    let (packed, oversized_buckets) = hashes
        .par_chunks(run)
        .map(|run| {
            let (mut keys, mut scratch) = (Vec::new(), Vec::new());
            let mut repeated = Repeated::new(segments);
            let mut found = (Vec::new(), 0);
            for band in run {
                // One u64 key per segment whose hash may recur in the band:
                // band hash above, segment below. Built in segment order, so
                // sorting by the hash alone (stable) sorts the whole keys.
                repeated.fill(band);
                keys.clear();
                keys.extend(
                    band.iter()
                        .enumerate()
                        .filter(|&(_, &hash)| repeated.may_recur(hash))
                        .map(|(s, &hash)| ((hash as u64) << 32) | s as u64),
                );
                radix_sort_high32(&mut keys, &mut scratch);
                let (mut pairs, oversized) = bucket_pairs(&keys, max_bucket);
                pairs.sort_unstable();
                pairs.dedup();
                found = (merge_sorted(found.0, pairs), found.1 + oversized);
            }
            found
        })
        .reduce(
            || (Vec::new(), 0),
            |(x, nx), (y, ny)| (merge_sorted(x, y), nx + ny),
        );
    unpack(packed, docs, within_doc, oversized_buckets)
}

/// The sorted, distinct packed pairs as [`Candidates`], without the pairs
/// inside one document unless `within_doc`.
fn unpack(packed: Vec<u64>, docs: &[u32], within_doc: bool, oversized_buckets: u64) -> Candidates {
    // Pairs inside one document go at the end, once each: checked per band
    // instead, two lookups in `docs` (10 MB at 1 GB, out of cache) for
    // every pair of every band took as long as the band's radix sort.
    let pairs = packed
        .into_par_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .filter(|&(a, b)| within_doc || docs[a as usize] != docs[b as usize])
        .collect();
    Candidates {
        pairs,
        oversized_buckets,
    }
}

/// [`candidate_pairs`] over some of the segments' band hashes, as the
/// candidates stage of a shard holds them ([`crate::stage`]): `keys[band]`
/// holds `hash << 32 | segment` for the (band, hash) buckets this shard
/// owns, whole buckets, in any order. Segments are numbered in `scan`'s
/// order, so each bucket's star links the same first segment.
pub fn candidate_pairs_from_keys(
    keys: Vec<Vec<u64>>,
    docs: &[u32],
    within_doc: bool,
    max_bucket: usize,
) -> Candidates {
    let (packed, oversized_buckets) = keys
        .into_par_iter()
        .map(|mut keys| {
            // Hash then segment: the order of the stable radix sort of keys
            // built in segment order.
            keys.par_sort_unstable();
            let (mut pairs, oversized) = bucket_pairs(&keys, max_bucket);
            pairs.sort_unstable();
            pairs.dedup();
            (pairs, oversized)
        })
        .reduce(
            || (Vec::new(), 0),
            |(x, nx), (y, ny)| (merge_sorted(x, y), nx + ny),
        );
    unpack(packed, docs, within_doc, oversized_buckets)
}

/// Which band hashes may occur more than once in a band: two bit tables
/// over the hash's low bits (seen once, seen again), four slots or more per
/// segment. Most segments are alone in their bucket in every band; leaving
/// them out before the sort, by two linear passes over a table that stays in
/// cache, sorts a fraction of the keys. A hash that recurs always passes (it
/// shares its slot with itself); a lone hash passes only when another hash
/// shares its slot, and then forms no pair. So the pairs are exactly those
/// of the full sort.
struct Repeated {
    seen: Vec<u64>,
    again: Vec<u64>,
    mask: u32,
}

impl Repeated {
    fn new(segments: usize) -> Repeated {
        let slots = (segments.max(16) * 4).next_power_of_two().min(1 << 32);
        Repeated {
            seen: vec![0; slots.div_ceil(64)],
            again: vec![0; slots.div_ceil(64)],
            mask: (slots - 1) as u32,
        }
    }

    /// Count the hashes of one band.
    fn fill(&mut self, band: &[u32]) {
        self.seen.fill(0);
        self.again.fill(0);
        for &hash in band {
            let slot = (hash & self.mask) as usize;
            let (word, bit) = (slot / 64, 1u64 << (slot % 64));
            self.again[word] |= self.seen[word] & bit;
            self.seen[word] |= bit;
        }
    }

    /// Whether `hash` shares its slot with another hash of the band (always
    /// so when it recurs).
    #[inline]
    fn may_recur(&self, hash: u32) -> bool {
        let slot = (hash & self.mask) as usize;
        self.again[slot / 64] & (1u64 << (slot % 64)) != 0
    }
}

/// Stable LSD radix sort of `keys` by their upper 32 bits, 8 bits at a time:
/// four linear passes instead of a comparison sort's log n, the largest part
/// of banding's time before. 256 buckets rather than 2048 keep the scattered
/// writes of each pass in few enough pages and cache lines when a band holds
/// millions of keys (1 GB corpus: banding 1.37 -> 1.05 s).
fn radix_sort_high32(keys: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    scratch.clear();
    scratch.resize(keys.len(), 0);
    for shift in [32, 40, 48, 56] {
        let digit = |key: u64| (key >> shift) as usize & 0xFF;
        let mut starts = [0usize; 256];
        for &key in keys.iter() {
            starts[digit(key)] += 1;
        }
        let mut total = 0;
        for start in starts.iter_mut() {
            (*start, total) = (total, total + *start);
        }
        for &key in keys.iter() {
            scratch[starts[digit(key)]] = key;
            starts[digit(key)] += 1;
        }
        std::mem::swap(keys, scratch);
    }
}

/// Bands per parallel run: two runs per worker thread, for balance.
fn bands_per_worker(bands: usize) -> usize {
    bands.div_ceil(2 * rayon::current_num_threads()).max(1)
}

/// Union of two sorted, deduplicated lists, sorted and deduplicated.
fn merge_sorted(x: Vec<u64>, y: Vec<u64>) -> Vec<u64> {
    if x.is_empty() {
        return y;
    }
    if y.is_empty() {
        return x;
    }
    let mut out = Vec::with_capacity(x.len().max(y.len()));
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => {
                out.push(x[i]);
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(y[j]);
                j += 1;
            }
            std::cmp::Ordering::Equal => {
                out.push(x[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out.extend_from_slice(&x[i..]);
    out.extend_from_slice(&y[j..]);
    out
}

/// The pairs of segments that share a bucket of `keys` (sorted), packed
/// `a << 32 | b` with `a < b`, in any order, with the number of oversized
/// buckets (linked as stars).
fn bucket_pairs(keys: &[u64], max_bucket: usize) -> (Vec<u64>, u64) {
    let mut pairs = Vec::new();
    let mut oversized = 0;
    let mut push = |a: u32, b: u32| {
        pairs.push(((a.min(b) as u64) << 32) | a.max(b) as u64);
    };
    let segment = |key: u64| key as u32;
    for bucket in keys.chunk_by(|x, y| x >> 32 == y >> 32) {
        if bucket.len() < 2 {
            continue;
        }
        if bucket.len() > max_bucket {
            oversized += 1;
            for &other in &bucket[1..] {
                push(segment(bucket[0]), segment(other));
            }
            continue;
        }
        for (i, &x) in bucket.iter().enumerate() {
            for &y in &bucket[i + 1..] {
                push(segment(x), segment(y));
            }
        }
    }
    (pairs, oversized)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band hashes as they were computed before the rows' loop was
    /// unrolled: one band at a time, one row at a time.
    fn band_hashes_reference(signature: &[u32], params: LshParams) -> Vec<u32> {
        let mut out = Vec::new();
        for (band, rows) in signature
            .chunks_exact(params.rows)
            .take(params.bands)
            .enumerate()
        {
            let mut state = (band as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            for &value in rows {
                state = (state ^ value as u64).wrapping_mul(0xFF51_AFD7_ED55_8CCD);
                state ^= state >> 32;
            }
            out.push((state >> 32) as u32);
        }
        out
    }

    #[test]
    fn unrolled_band_hashes_equal_the_loop() {
        let mut state = 7u64;
        for permutations in [1, 3, 16, 64, 128, 129] {
            let signature: Vec<u32> = (0..permutations)
                .map(|i| match i % 5 {
                    0 => u32::MAX,
                    1 => 0,
                    _ => crate::minhash::splitmix64(&mut state) as u32,
                })
                .collect();
            for rows in 1..=12.min(permutations) {
                for bands in [1, permutations / rows] {
                    let params = LshParams { bands, rows };
                    let mut out = vec![42];
                    band_hashes(&signature, params, &mut out);
                    assert_eq!(out[0], 42);
                    assert_eq!(
                        out[1..],
                        band_hashes_reference(&signature, params)[..],
                        "{bands} x {rows} of {permutations}"
                    );
                }
            }
        }
    }

    #[test]
    fn threshold_half_uses_three_rows() {
        let params = LshParams::for_threshold(0.5, 128);
        assert_eq!(params, LshParams { bands: 42, rows: 3 });
        assert!(params.probability(0.5) >= 0.99);
        assert!(LshParams { bands: 25, rows: 5 }.probability(0.5) < 0.6);
    }

    #[test]
    fn bad_parameters_are_refused() {
        assert!(LshParams::choose(0.5, 128, Some(3), None).is_err());
        assert!(LshParams::choose(0.5, 128, Some(30), Some(5)).is_err());
        assert!(LshParams::choose(0.5, 0, None, None).is_err());
        // Products that overflow, and bands or rows above the permutations.
        assert!(LshParams::choose(0.5, usize::MAX, Some(1 << 63), Some(2)).is_err());
        assert!(LshParams::choose(0.5, 128, Some(1 << 63), Some(2)).is_err());
        assert!(LshParams::choose(0.5, 128, None, Some(129)).is_err());
        assert_eq!(
            LshParams::choose(0.5, 128, Some(25), Some(5)).unwrap(),
            LshParams { bands: 25, rows: 5 }
        );
    }

    proptest::proptest! {
        /// Keys built in segment order come out exactly as a full sort puts them.
        #[test]
        fn radix_sort_sorts(hashes in proptest::collection::vec(proptest::prelude::any::<u32>(), 0..3000), small in proptest::prelude::any::<bool>()) {
            let mut keys: Vec<u64> = hashes
                .iter()
                .enumerate()
                .map(|(s, &h)| ((if small { h % 7 } else { h } as u64) << 32) | s as u64)
                .collect();
            let mut expected = keys.clone();
            expected.sort_unstable();
            radix_sort_high32(&mut keys, &mut Vec::new());
            proptest::prop_assert_eq!(keys, expected);
        }
    }

    /// The pairs a plain grouping of every band's hashes gives: each bucket's
    /// pairs, or a star from its first segment when it holds more than
    /// `max_bucket`.
    fn grouped_pairs(hashes: &[Vec<u32>], docs: &[u32], max_bucket: usize) -> Vec<(u32, u32)> {
        let mut pairs = std::collections::BTreeSet::new();
        for band in hashes {
            let mut buckets = std::collections::BTreeMap::<u32, Vec<u32>>::new();
            for (s, &hash) in band.iter().enumerate() {
                buckets.entry(hash).or_default().push(s as u32);
            }
            for bucket in buckets.values() {
                for (i, &a) in bucket.iter().enumerate() {
                    for &b in &bucket[i + 1..] {
                        if (i == 0 || bucket.len() <= max_bucket)
                            && docs[a as usize] != docs[b as usize]
                        {
                            pairs.insert((a, b));
                        }
                    }
                }
            }
        }
        pairs.into_iter().collect()
    }

    proptest::proptest! {
        /// Leaving out the hashes that cannot recur changes no pair, whether
        /// hashes are dense (many buckets, shared slots) or spread out.
        #[test]
        fn banding_finds_every_shared_bucket(
            band_count in 1usize..4,
            raw in proptest::collection::vec((proptest::prelude::any::<u32>(), 0u32..6), 0..400),
            spread in proptest::prelude::any::<bool>(),
            max_bucket in 2usize..6,
        ) {
            let docs: Vec<u32> = raw.iter().map(|&(_, doc)| doc).collect();
            let hashes: Vec<Vec<u32>> = (0..band_count as u32)
                .map(|band| {
                    raw.iter()
                        .map(|&(h, _)| {
                            let h = h.rotate_left(band * 7);
                            // Small values: many true buckets; large ones
                            // share table slots by their low bits only.
                            if spread { h % 97 * 0x0100_0000 } else { h % 61 }
                        })
                        .collect()
                })
                .collect();
            let found = candidate_pairs(&hashes, &docs, false, max_bucket);
            proptest::prop_assert_eq!(found.pairs, grouped_pairs(&hashes, &docs, max_bucket));
        }
    }

    #[test]
    fn buckets_give_pairs_and_big_buckets_stars() {
        // Two bands, four segments in four documents.
        let hashes = [vec![1, 1, 2, 3], vec![9, 8, 7, 7]];
        let docs = [0, 1, 2, 3];
        let found = candidate_pairs(&hashes, &docs, false, 10);
        assert_eq!(found.pairs, [(0, 1), (2, 3)]);
        let star = candidate_pairs(&[vec![5, 5, 5, 5]], &docs, false, 2);
        assert_eq!(star.pairs, [(0, 1), (0, 2), (0, 3)]);
        assert_eq!(star.oversized_buckets, 1);
        let same_doc = candidate_pairs(&[vec![5, 5]], &[0, 0], false, 10);
        assert!(same_doc.pairs.is_empty());
    }
}
