//! Fingerprint: find every pair of documents that share a run of `min_words`
//! words, however short next to the documents, so that the aligner sees it.
//!
//! MinHash over paragraphs finds paragraphs that are mostly alike; a nine-word
//! quotation inside two different paragraphs is invisible to it. Winnowing
//! (Schleimer, Wilkerson and Aiken, 2003) keeps the minimum n-gram hash of every
//! window of `w = min_words - n + 1` consecutive n-grams: any run of `min_words`
//! shared words then yields at least one shared fingerprint, with about
//! `2 / (w + 1)` of the n-grams kept. Documents are joined by sorting
//! `(fingerprint, document)` tuples; a fingerprint held by more than `max_docs`
//! documents is a common phrase or boilerplate and is not used to pair them.

use rayon::prelude::*;

use crate::normalize::Token;
use crate::shingle::ngram_hash;

/// The winnowed fingerprints of a token stream, sorted and deduplicated.
pub fn winnow(tokens: &[Token], n: usize, min_words: usize) -> Vec<u64> {
    if tokens.len() < n {
        return Vec::new();
    }
    let grams: Vec<u64> = tokens.windows(n).map(ngram_hash).collect();
    winnow_grams(&grams, n, min_words)
}

/// [`winnow`] over n-gram hashes already computed (`tokens.windows(n)`).
pub fn winnow_grams(grams: &[u64], n: usize, min_words: usize) -> Vec<u64> {
    if grams.is_empty() {
        return Vec::new();
    }
    let window = min_words.saturating_sub(n).saturating_add(1).max(1);
    let mut picked = Vec::with_capacity(grams.len() * 2 / (window + 1) + 1);
    if grams.len() <= window {
        picked.push(*grams.iter().min().unwrap_or(&0));
    } else {
        let mut last = usize::MAX;
        for start in 0..=grams.len() - window {
            let mut best = start;
            for i in start..start + window {
                if grams[i] <= grams[best] {
                    best = i;
                }
            }
            if best != last {
                picked.push(grams[best]);
                last = best;
            }
        }
    }
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// Pairs of documents sharing at least one fingerprint, with how many they share.
#[derive(Debug, Default)]
pub struct DocumentPairs {
    /// `(a, b, shared)` with `a < b`, sorted.
    pub pairs: Vec<(u32, u32, u32)>,
    /// Fingerprints skipped because too many documents hold them.
    pub common_fingerprints: u64,
}

/// Join documents on their fingerprints. `fingerprints` holds `(hash, doc)`,
/// each unique per document, in any order.
pub fn join(mut fingerprints: Vec<(u64, u32)>, max_docs: usize) -> DocumentPairs {
    fingerprints.par_sort_unstable();
    let mut packed = Vec::new();
    let mut common = 0;
    for group in fingerprints.chunk_by(|x, y| x.0 == y.0) {
        if group.len() < 2 {
            continue;
        }
        if group.len() > max_docs {
            common += 1;
            continue;
        }
        for (i, x) in group.iter().enumerate() {
            for y in &group[i + 1..] {
                if x.1 != y.1 {
                    packed.push(((x.1.min(y.1) as u64) << 32) | x.1.max(y.1) as u64);
                }
            }
        }
    }
    packed.par_sort_unstable();
    let pairs = packed
        .chunk_by(|x, y| x == y)
        .map(|run| ((run[0] >> 32) as u32, run[0] as u32, run.len() as u32))
        .collect();
    DocumentPairs {
        pairs,
        common_fingerprints: common,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    fn prints(text: &str) -> Vec<u64> {
        winnow(
            &tokenize(text.as_bytes(), NormalizeOptions::default()).tokens,
            5,
            8,
        )
    }

    #[test]
    fn any_eight_shared_words_share_a_fingerprint() {
        let shared = "one two three four five six seven eight";
        let a = prints(&format!("alpha beta gamma delta {shared} epsilon zeta"));
        let b = prints(&format!("{shared} omega psi chi phi upsilon tau sigma rho"));
        assert!(a.iter().any(|h| b.contains(h)));
        let c = prints("one two three four five six seven nine ten eleven");
        let d = prints("zero one two three four five six seven twelve");
        // Seven shared words are below the guarantee; they may or may not match,
        // but the join must not panic on them.
        let _ = c.iter().any(|h| d.contains(h));
    }

    #[test]
    fn join_counts_and_skips_common() {
        let found = join(
            vec![
                (1, 0),
                (1, 1),
                (2, 0),
                (2, 1),
                (3, 2),
                (4, 0),
                (4, 1),
                (4, 2),
            ],
            2,
        );
        assert_eq!(found.pairs, [(0, 1, 2)]);
        assert_eq!(found.common_fingerprints, 1);
    }
}
