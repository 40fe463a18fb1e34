//! Sign: documents -> band hashes of their segments, winnowed fingerprints
//! and each document's count of segments ([`SignRows`]). One document at a time, in parallel, with
//! the same [`sketch`] `scan` runs; a document's fingerprints are
//! deduplicated before they leave it (the join only asks which documents
//! hold a fingerprint), which keeps the shuffle small.

use rayon::prelude::*;

use super::SignRows;
use crate::fingerprint::winnow_picks_into;
use crate::lsh::band_hashes;
use crate::minhash::MinHasher;
use crate::normalize::{tokenize_into, TokenStream};
use crate::scan::Params;
use crate::segment::{segments_into, Segment};
use crate::shingle::{ngram_hashes_into, shingles_into};

/// What the first pass keeps of consecutive documents, in flat vectors: one
/// set per rayon task rather than three vectors per document. The merge
/// frees them on another thread than the one that allocated them, and with
/// glibc's malloc each such free takes the allocating thread's arena lock:
/// per-document vectors made the two threads wait on each other's locks some
/// 2,500 times in a 100 MB scan.
#[derive(Default)]
pub(crate) struct Sketches {
    /// Per document, in order: its index and how many fingerprints it added.
    pub(crate) docs: Vec<(u32, u32)>,
    /// The documents' segments, in order.
    pub(crate) segments: Vec<Segment>,
    /// Band hashes, segment by segment (`bands` per segment), of the
    /// segments that [`Segment::can_pair`] only.
    pub(crate) bands: Vec<u32>,
    /// Which segments `bands` holds, in order: their indices in `segments`.
    pub(crate) banded: Vec<u32>,
    /// Each document's fingerprints, in text order.
    pub(crate) fingerprints: Vec<u64>,
}

/// Buffers one rayon task reuses from document to document while sketching.
#[derive(Default)]
pub(crate) struct SketchScratch {
    stream: TokenStream,
    grams: Vec<u64>,
    short: Vec<u64>,
    signature: Vec<u32>,
}

/// Sketch document `doc` into `out`: its segments, their band hashes and
/// (unless `--pairs-only`) its winnowed fingerprints. `scan` and the sign
/// stage both sketch with it.
pub(crate) fn sketch(
    doc: u32,
    text: &[u8],
    params: &Params,
    hasher: &MinHasher,
    out: &mut Sketches,
    scratch: &mut SketchScratch,
) {
    let options = &params.options;
    let n = options.ngram;
    let SketchScratch {
        stream,
        grams,
        short,
        signature,
    } = scratch;
    tokenize_into(text, options.normalize, stream);
    let first_segment = out.segments.len();
    segments_into(doc, stream, options.window, &mut out.segments);
    // The document's n-grams, hashed once: a segment's shingles are a slice
    // of them, and the fingerprints are winnowed from all of them.
    grams.clear();
    ngram_hashes_into(&stream.tokens, n, grams);
    signature.resize(options.permutations, 0);
    for (index, segment) in out.segments.iter().enumerate().skip(first_segment) {
        if !segment.can_pair(options.min_words) {
            continue;
        }
        out.banded.push(index as u32);
        let (first, last) = (segment.first as usize, segment.last as usize);
        let shingles = if last - first > n {
            &grams[first..last + 1 - n]
        } else {
            short.clear();
            shingles_into(&stream.tokens[first..last], n, short);
            &short[..]
        };
        hasher.sign(shingles, signature);
        band_hashes(signature, params.lsh, &mut out.bands);
    }
    let first_fingerprint = out.fingerprints.len();
    if options.align {
        winnow_picks_into(grams, n, options.min_words, &mut out.fingerprints);
    }
    out.docs
        .push((doc, (out.fingerprints.len() - first_fingerprint) as u32));
}

/// Documents signed per parallel run: their rows are gathered in order.
const SIGN_CHUNK: usize = 1024;

/// The `band` of a fingerprint row of [`SignRows`].
pub const FINGERPRINT_BAND: i32 = -1;
/// The `band` of a document's count row of [`SignRows`]: `key` holds how
/// many segments the document has (all of them, banded or not), `segment`
/// is -1. Segments under `--min-words` have no band rows
/// ([`Segment::can_pair`]), so the band rows cannot count the segments:
/// the candidates stage and the Spark driver sum these rows into
/// `stats.segments`.
pub const COUNT_BAND: i32 = -2;

/// The sign rows of `documents` (each its key and text), in document order:
/// the document's count row ([`COUNT_BAND`]), per segment that can pair its
/// `bands` band rows (carrying the segment's index among all the
/// document's segments), then the document's fingerprints
/// ([`FINGERPRINT_BAND`]), sorted and distinct.
pub fn sign_documents(documents: &[(u64, &[u8])], params: &Params) -> SignRows {
    let hasher = MinHasher::new(params.options.permutations, params.options.seed);
    let bands = params.lsh.bands;
    let mut rows = SignRows::default();
    for chunk in documents.chunks(SIGN_CHUNK) {
        let parts: Vec<(u64, Sketches)> = chunk
            .par_iter()
            .map_init(SketchScratch::default, |scratch, &(key, text)| {
                let mut out = Sketches::default();
                sketch(0, text, params, &hasher, &mut out, scratch);
                (key, out)
            })
            .collect();
        for (key, mut part) in parts {
            let doc = key as i64;
            rows.push(COUNT_BAND, part.segments.len() as i64, doc, -1);
            for (&segment, hashes) in part
                .banded
                .iter()
                .zip(part.bands.chunks_exact(bands.max(1)))
            {
                for (band, &hash) in hashes.iter().enumerate() {
                    rows.push(band as i32, hash as i64, doc, segment as i32);
                }
            }
            part.fingerprints.sort_unstable();
            part.fingerprints.dedup();
            for &fingerprint in &part.fingerprints {
                rows.push(FINGERPRINT_BAND, fingerprint as i64, doc, -1);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanOptions;

    #[test]
    fn one_band_row_per_band_and_segment_and_distinct_fingerprints() {
        let params = Params::new(ScanOptions::default()).unwrap();
        let text = b"one two three four five six seven eight nine ten\n\neleven twelve thirteen fourteen fifteen sixteen seventeen eighteen";
        let rows = sign_documents(&[(7, &text[..])], &params);
        let counts: Vec<i64> = (0..rows.len())
            .filter(|&i| rows.band[i] == COUNT_BAND)
            .map(|i| rows.key[i])
            .collect();
        assert_eq!(counts, vec![2]);
        let bands = rows.band.iter().filter(|&&b| b >= 0).count();
        assert_eq!(bands, 2 * params.lsh.bands);
        let prints: Vec<u64> = (0..rows.len())
            .filter(|&i| rows.band[i] == FINGERPRINT_BAND)
            .map(|i| rows.key[i] as u64)
            .collect();
        assert!(!prints.is_empty());
        assert!(prints.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
        assert!(rows.doc.iter().all(|&d| d == 7));
        // After the count row, band rows of the second segment carry its index.
        assert_eq!(rows.band[0], COUNT_BAND);
        assert_eq!(rows.segment[1 + params.lsh.bands], 1);
    }

    /// A segment under `--min-words` has no band rows, but is counted, and
    /// the segments after it keep their index in the document.
    #[test]
    fn short_segments_are_counted_but_not_banded() {
        let params = Params::new(ScanOptions::default()).unwrap();
        let min_words = params.options.min_words;
        let long = |from: usize| {
            (from..from + min_words + 3)
                .map(|w| format!("w{w}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let text = format!("{}\n\nShare this:\n\n{}", long(0), long(100));
        let rows = sign_documents(&[(3, text.as_bytes()), (4, b"Advertisement")], &params);
        let count = |doc: i64| -> Vec<i64> {
            (0..rows.len())
                .filter(|&i| rows.band[i] == COUNT_BAND && rows.doc[i] == doc)
                .map(|i| rows.key[i])
                .collect()
        };
        assert_eq!((count(3), count(4)), (vec![3], vec![1]));
        let mut banded: Vec<(i64, i32)> = (0..rows.len())
            .filter(|&i| rows.band[i] >= 0)
            .map(|i| (rows.doc[i], rows.segment[i]))
            .collect();
        assert_eq!(banded.len(), 2 * params.lsh.bands);
        banded.dedup();
        assert_eq!(banded, vec![(3, 0), (3, 2)]);
    }
}
