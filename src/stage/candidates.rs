//! Candidates: the shuffle. Sign rows of whole buckets (every row of a
//! (band, hash) bucket, every row of a fingerprint) come together in one
//! shard and become [`Edges`] by `scan`'s rules, through `scan`'s own code:
//! [`crate::lsh::candidate_pairs_from_keys`] (a bucket over `--max-bucket`
//! becomes a star around its first segment in id order, and is counted) and
//! [`crate::fingerprint::join`] (a fingerprint held by more than
//! `--max-bucket` documents is counted and pairs none).
//!
//! Segments and documents are numbered here by document id, the corpus's
//! order, which needs the ids of the documents: [`Buckets::new`] takes every
//! document's key in id order (the ingest tables' `doc` and `id` columns).

use std::collections::HashMap;

use super::sign::{COUNT_BAND, FINGERPRINT_BAND};
use super::{Edges, Fault, SignRows, StageStats};
use crate::fingerprint::{join, Fingerprints, Packing};
use crate::lsh::candidate_pairs_from_keys;
use crate::scan::Params;

/// The buckets of one shard, filled a batch of rows at a time.
pub struct Buckets<'k> {
    /// Every document's key, in id order.
    keys: &'k [u64],
    index: HashMap<u64, u32>,
    /// Per band: `(hash, document index << 32 | segment)`.
    bands: Vec<Vec<(u32, u64)>>,
    fingerprints: Fingerprints,
    has_fingerprints: bool,
    /// The documents' segments, from their count rows.
    segments: u64,
}

impl<'k> Buckets<'k> {
    /// No rows yet; `keys` are every document's key in id order and `bands`
    /// the number of LSH bands.
    pub fn new(keys: &'k [u64], bands: usize) -> Buckets<'k> {
        Buckets {
            keys,
            index: keys
                .iter()
                .enumerate()
                .map(|(i, &k)| (k, i as u32))
                .collect(),
            bands: vec![Vec::new(); bands],
            fingerprints: Fingerprints::new(Packing::new(keys.len())),
            has_fingerprints: false,
            segments: 0,
        }
    }

    /// Add a batch of sign rows.
    pub fn add(&mut self, rows: &SignRows) -> Result<(), Fault> {
        for i in 0..rows.len() {
            let key = rows.doc[i];
            let Some(&doc) = self.index.get(&(key as u64)) else {
                return Err(Fault::Bad(format!(
                    "document key {key} is in no ingest table: the sign rows come from another run"
                )));
            };
            let band = rows.band[i];
            if band == FINGERPRINT_BAND {
                self.fingerprints.extend(doc, [rows.key[i] as u64]);
                self.has_fingerprints = true;
                continue;
            }
            if band == COUNT_BAND {
                // A document has at most `u32::MAX` bytes
                // ([`crate::ingest::MAX_DOC_BYTES_CEILING`]), so fewer segments: bounded,
                // the counts of a shard cannot overflow their sum.
                let Ok(count) = u32::try_from(rows.key[i]) else {
                    return Err(Fault::Bad(format!(
                        "row {}: document {key} has {} segments",
                        i + 1,
                        rows.key[i]
                    )));
                };
                self.segments += u64::from(count);
                continue;
            }
            let (Some(column), Ok(hash), Ok(segment)) = (
                self.bands.get_mut(band as usize),
                u32::try_from(rows.key[i]),
                u32::try_from(rows.segment[i]),
            ) else {
                return Err(Fault::Bad(format!(
                    "row {}: band {band}, hash {}, segment {}: not a band row of these flags (--permutations, --bands, --rows, --threshold must be the same at every stage)",
                    i + 1,
                    rows.key[i],
                    rows.segment[i]
                )));
            };
            column.push((hash, (doc as u64) << 32 | segment as u64));
        }
        Ok(())
    }

    /// The edges of the buckets, and what was counted: the segments of the
    /// count rows, oversized buckets and common fingerprints.
    pub fn finish(self, params: &Params) -> (Edges, StageStats) {
        let options = &params.options;
        // Segments numbered in (document, index) order: `scan`'s order.
        let mut members: Vec<u64> = self
            .bands
            .iter()
            .flat_map(|band| band.iter().map(|&(_, s)| s))
            .collect();
        members.sort_unstable();
        members.dedup();
        let number = |s: u64| members.binary_search(&s).map_or(0, |i| i as u64);
        let keys: Vec<Vec<u64>> = self
            .bands
            .into_iter()
            .map(|band| {
                band.into_iter()
                    .map(|(hash, s)| (hash as u64) << 32 | number(s))
                    .collect()
            })
            .collect();
        let docs: Vec<u32> = members.iter().map(|&s| (s >> 32) as u32).collect();
        let candidates =
            candidate_pairs_from_keys(keys, &docs, options.within_doc, options.max_bucket);
        let mut edges = Edges::default();
        let key = |doc: u64| self.keys[doc as usize] as i64;
        for &(a, b) in &candidates.pairs {
            let (a, b) = (members[a as usize], members[b as usize]);
            edges.push(key(a >> 32), a as u32 as i32, key(b >> 32), b as u32 as i32);
        }
        let mut stats = StageStats {
            segments: self.segments,
            oversized_buckets: candidates.oversized_buckets,
            ..StageStats::default()
        };
        if self.has_fingerprints {
            let joined = join(self.fingerprints, options.max_bucket);
            stats.common_fingerprints = joined.common_fingerprints;
            for &(a, b, _) in &joined.pairs {
                edges.push(key(a as u64), -1, key(b as u64), -1);
            }
        }
        (edges, stats)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanOptions;

    fn params(max_bucket: usize) -> Params {
        Params::new(ScanOptions {
            max_bucket,
            bands: Some(2),
            rows: Some(64),
            ..ScanOptions::default()
        })
        .unwrap()
    }

    /// A bucket over the cap is a star around its first segment in id order
    /// (document index, then segment), whatever order the rows come in.
    #[test]
    fn an_oversized_bucket_is_a_star_around_the_first_segment() {
        let keys = [30u64, 10, 20];
        let mut rows = SignRows::default();
        for (doc, segment) in [(20u64, 1), (10, 4), (30, 0), (10, 2)] {
            rows.push(0, 99, doc as i64, segment);
        }
        let mut buckets = Buckets::new(&keys, 2);
        buckets.add(&rows).unwrap();
        let (edges, stats) = buckets.finish(&params(2));
        assert_eq!(stats.oversized_buckets, 1);
        // The first segment: document index 0 (key 30), segment 0.
        let pairs: Vec<_> = (0..edges.len())
            .map(|i| {
                (
                    edges.a[i],
                    edges.a_segment[i],
                    edges.b[i],
                    edges.b_segment[i],
                )
            })
            .collect();
        assert_eq!(pairs, vec![(30, 0, 10, 2), (30, 0, 10, 4), (30, 0, 20, 1)]);
    }

    #[test]
    fn unknown_documents_and_bands_are_refused() {
        let keys = [1u64];
        let mut buckets = Buckets::new(&keys, 2);
        let mut rows = SignRows::default();
        rows.push(0, 5, 2, 0);
        assert!(matches!(buckets.add(&rows), Err(Fault::Bad(m)) if m.contains("no ingest table")));
        let mut rows = SignRows::default();
        rows.push(7, 5, 1, 0);
        assert!(matches!(buckets.add(&rows), Err(Fault::Bad(m)) if m.contains("band 7")));
        let mut rows = SignRows::default();
        rows.push(-3, 5, 1, -1);
        assert!(matches!(buckets.add(&rows), Err(Fault::Bad(m)) if m.contains("band -3")));
        let mut rows = SignRows::default();
        rows.push(COUNT_BAND, -4, 1, -1);
        assert!(matches!(buckets.add(&rows), Err(Fault::Bad(m)) if m.contains("has -4 segments")));
    }

    /// A count row over what a document can hold (its bytes are at most
    /// `u32::MAX`, a segment's index is an `i32`) is refused: three rows of
    /// `i64::MAX` overflowed the sum (a panic in a debug build, a wrong
    /// `stats.segments` in a release build).
    #[test]
    fn counts_no_document_can_have_are_refused() {
        let keys = [1u64];
        let mut buckets = Buckets::new(&keys, 2);
        let mut rows = SignRows::default();
        for _ in 0..3 {
            rows.push(COUNT_BAND, i64::MAX, 1, -1);
        }
        let refused = buckets.add(&rows);
        assert!(
            matches!(&refused, Err(Fault::Bad(m)) if m.contains(&format!("has {} segments", i64::MAX))),
            "{refused:?}"
        );
    }

    /// The segments counted are those of the count rows, banded or not: a
    /// document whose segments are all too short has no band row at all.
    #[test]
    fn segments_are_counted_from_the_count_rows() {
        let keys = [30u64, 10, 20];
        let mut rows = SignRows::default();
        rows.push(COUNT_BAND, 3, 30, -1);
        rows.push(0, 99, 30, 2);
        rows.push(COUNT_BAND, 5, 10, -1);
        rows.push(0, 99, 10, 4);
        rows.push(COUNT_BAND, 2, 20, -1);
        let mut buckets = Buckets::new(&keys, 2);
        buckets.add(&rows).unwrap();
        let (edges, stats) = buckets.finish(&params(64));
        assert_eq!(stats.segments, 10);
        assert_eq!(
            (edges.len(), edges.a_segment[0], edges.b_segment[0]),
            (1, 2, 4)
        );
    }
}
