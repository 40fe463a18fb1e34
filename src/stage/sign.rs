//! Sign: documents -> band hashes of their segments and winnowed
//! fingerprints ([`SignRows`]). One document at a time, in parallel, with
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
    /// Band hashes, segment by segment (`bands` per segment).
    pub(crate) bands: Vec<u32>,
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
    for segment in &out.segments[first_segment..] {
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

/// The sign rows of `documents` (each its key and text), in document order:
/// per segment its `bands` band rows, then the document's fingerprints,
/// sorted and distinct. With the count of segments.
pub fn sign_documents(documents: &[(u64, &[u8])], params: &Params) -> (SignRows, u64) {
    let hasher = MinHasher::new(params.options.permutations, params.options.seed);
    let bands = params.lsh.bands;
    let mut rows = SignRows::default();
    let mut segments = 0;
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
            segments += part.segments.len() as u64;
            for (segment, hashes) in part.bands.chunks_exact(bands.max(1)).enumerate() {
                for (band, &hash) in hashes.iter().enumerate() {
                    rows.push(band as i32, hash as i64, doc, segment as i32);
                }
            }
            part.fingerprints.sort_unstable();
            part.fingerprints.dedup();
            for &fingerprint in &part.fingerprints {
                rows.push(-1, fingerprint as i64, doc, -1);
            }
        }
    }
    (rows, segments)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::ScanOptions;

    #[test]
    fn one_band_row_per_band_and_segment_and_distinct_fingerprints() {
        let params = Params::new(ScanOptions::default()).unwrap();
        let text = b"one two three four five six seven eight nine ten\n\neleven twelve thirteen fourteen fifteen sixteen seventeen eighteen";
        let (rows, segments) = sign_documents(&[(7, &text[..])], &params);
        assert_eq!(segments, 2);
        let bands = rows.band.iter().filter(|&&b| b >= 0).count();
        assert_eq!(bands, 2 * params.lsh.bands);
        let prints: Vec<u64> = (0..rows.len())
            .filter(|&i| rows.band[i] < 0)
            .map(|i| rows.key[i] as u64)
            .collect();
        assert!(!prints.is_empty());
        assert!(prints.windows(2).all(|w| w[0] < w[1]), "sorted, distinct");
        assert!(rows.doc.iter().all(|&d| d == 7));
        // Band rows of the second segment carry its index.
        assert_eq!(rows.segment[params.lsh.bands], 1);
    }
}
