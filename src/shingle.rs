//! Shingle: word n-grams of a run of tokens, hashed with xxh3-64.
//!
//! A shingle is the xxh3 hash of the `n` consecutive token hashes (little-endian
//! bytes), so two runs of words share a shingle exactly when they share `n`
//! consecutive normalized words (up to a 2^-64 collision). A run shorter than `n`
//! still gets one shingle of all its words, so short paragraphs can match
//! each other. The same function seeds the span aligner.

use crate::normalize::Token;

/// Largest supported n-gram size.
pub const MAX_NGRAM: usize = 32;

/// Hash of the words `tokens` (at most [`MAX_NGRAM`] of them).
#[inline]
pub fn ngram_hash(tokens: &[Token]) -> u64 {
    let len = tokens.len().min(MAX_NGRAM);
    if len <= 8 {
        // The usual n-gram sizes: a small buffer, not 256 bytes to zero.
        let mut bytes = [0u8; 64];
        return hash_words(&tokens[..len], &mut bytes);
    }
    let mut bytes = [0u8; MAX_NGRAM * 8];
    hash_words(&tokens[..len], &mut bytes)
}

/// xxh3 of the words' hashes as little-endian bytes, laid out in `bytes`.
#[inline(always)]
fn hash_words(tokens: &[Token], bytes: &mut [u8]) -> u64 {
    for (chunk, token) in bytes.chunks_exact_mut(8).zip(tokens) {
        chunk.copy_from_slice(&token.hash.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_64(&bytes[..tokens.len() * 8])
}

/// The hash of every n-gram of `tokens`, in text order: `n`-word windows,
/// none when there are fewer than `n` words.
pub fn ngram_hashes(tokens: &[Token], n: usize) -> Vec<u64> {
    if tokens.len() < n {
        return Vec::new();
    }
    tokens.windows(n).map(ngram_hash).collect()
}

/// Append the shingles of `tokens` to `out`, in text order (with repeats).
pub fn shingles_into(tokens: &[Token], n: usize, out: &mut Vec<u64>) {
    if tokens.is_empty() {
        return;
    }
    if tokens.len() <= n {
        out.push(ngram_hash(tokens));
        return;
    }
    out.extend(tokens.windows(n).map(ngram_hash));
}

/// The sorted, deduplicated shingle set of `tokens`.
pub fn shingle_set(tokens: &[Token], n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len());
    shingles_into(tokens, n, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    fn set(text: &str, n: usize) -> Vec<u64> {
        shingle_set(
            &tokenize(text.as_bytes(), NormalizeOptions::default()).tokens,
            n,
        )
    }

    #[test]
    fn counts_and_short_runs() {
        assert_eq!(set("a b c d e f g", 5).len(), 3);
        assert_eq!(set("a b", 5).len(), 1);
        assert!(set("", 5).is_empty());
        assert_eq!(set("a b c a b c a b c", 3).len(), 3);
    }

    #[test]
    fn shared_words_share_shingles() {
        let a = set("le chat est sur le tapis rouge", 3);
        let b = set("Le CHAT est sur le tapis bleu", 3);
        let common = a.iter().filter(|h| b.contains(h)).count();
        assert_eq!(common, 4);
    }
}
