//! Shingle: word n-grams of a run of tokens, hashed to 64 bits.
//!
//! Each word is already an xxh3-64 hash ([`Token::hash`]). A shingle combines
//! the `n` word hashes as a polynomial, `h0·P^(n-1) + … + h(n-1)` modulo 2^64
//! with an odd `P`, then avalanches it with the murmur3 finalizer. Two
//! different runs of `n` words agree on the polynomial with probability 2^-64
//! over random word hashes (the last word's coefficient is 1), and the
//! polynomial rolls: the next window costs two multiplications instead of a
//! fresh hash of `8n` bytes. (xxh3 of the word hashes' bytes, used before,
//! spent 10% of a whole scan's CPU time on this; the rolling form a fifth of
//! that.) A run shorter than `n` still gets one shingle of all its words, with
//! its length mixed in, so short paragraphs can match each other. The same
//! function seeds the span aligner and the fingerprints.

use crate::normalize::Token;

/// Largest supported n-gram size.
pub const MAX_NGRAM: usize = 32;

/// The polynomial's base (odd, so that multiplying by it is a bijection).
const BASE: u64 = 0x9E37_79B9_7F4A_7C15;
/// Mixed in once per word of the run, so runs of different lengths differ.
const LENGTH: u64 = 0xD6E8_FEB8_6659_FD93;

/// The murmur3 64-bit finalizer: every input bit flips about half the output bits.
#[inline(always)]
fn avalanche(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    k ^= k >> 33;
    k = k.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    k ^ (k >> 33)
}

/// `h0·BASE^(k-1) + … + h(k-1)` of the words' hashes, modulo 2^64.
#[inline(always)]
fn polynomial(tokens: &[Token]) -> u64 {
    tokens
        .iter()
        .fold(0u64, |acc, t| acc.wrapping_mul(BASE).wrapping_add(t.hash))
}

#[inline(always)]
fn finish(polynomial: u64, len: usize) -> u64 {
    avalanche(polynomial.wrapping_add(LENGTH.wrapping_mul(len as u64)))
}

/// Hash of the words `tokens` (at most [`MAX_NGRAM`] of them).
#[inline]
pub fn ngram_hash(tokens: &[Token]) -> u64 {
    let tokens = &tokens[..tokens.len().min(MAX_NGRAM)];
    finish(polynomial(tokens), tokens.len())
}

/// The hash of every n-gram of `tokens`, in text order: `n`-word windows,
/// none when there are fewer than `n` words. Equal to
/// `tokens.windows(n).map(ngram_hash)`, computed by rolling the polynomial.
pub fn ngram_hashes(tokens: &[Token], n: usize) -> Vec<u64> {
    // Exactly the n-grams: no reallocation after the first one is pushed.
    let mut out = Vec::with_capacity((tokens.len() + 1).saturating_sub(n.max(1)));
    ngram_hashes_into(tokens, n, &mut out);
    out
}

/// [`ngram_hashes`], appended to `out`.
pub fn ngram_hashes_into(tokens: &[Token], n: usize, out: &mut Vec<u64>) {
    let n = n.max(1);
    debug_assert!(n <= MAX_NGRAM, "n-grams of at most {MAX_NGRAM} words");
    if tokens.len() < n {
        return;
    }
    // BASE^(n-1): the weight of the word that leaves the window.
    let leaving = (1..n).fold(1u64, |acc, _| acc.wrapping_mul(BASE));
    let mut polynomial = polynomial(&tokens[..n]);
    out.push(finish(polynomial, n));
    // One `extend` of a zip of slices (its length known): no capacity
    // check per n-gram, as `push` makes.
    out.extend(tokens.iter().zip(&tokens[n..]).map(|(old, new)| {
        polynomial = polynomial
            .wrapping_sub(old.hash.wrapping_mul(leaving))
            .wrapping_mul(BASE)
            .wrapping_add(new.hash);
        finish(polynomial, n)
    }));
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
    ngram_hashes_into(tokens, n, out);
}

/// The sorted, deduplicated shingle set of `tokens`.
pub fn shingle_set(tokens: &[Token], n: usize) -> Vec<u64> {
    let mut out = Vec::with_capacity(tokens.len());
    shingle_set_into(tokens, n, &mut out);
    out
}

/// Append [`shingle_set`] of `tokens` to `out` (what was there is kept), so
/// that many sets can share one buffer.
pub fn shingle_set_into(tokens: &[Token], n: usize, out: &mut Vec<u64>) {
    let start = out.len();
    shingles_into(tokens, n, out);
    sort_dedup_from(out, start);
}

/// Sort and deduplicate `out[start..]` in place, keeping `out[..start]`.
pub fn sort_dedup_from(out: &mut Vec<u64>, start: usize) {
    let set = &mut out[start..];
    set.sort_unstable();
    let kept = dedup_sorted(set);
    out.truncate(start + kept);
}

/// Move the distinct values of sorted `set` to its front; their count
/// (`Vec::dedup` on a slice, which std has only unstably).
fn dedup_sorted(set: &mut [u64]) -> usize {
    if set.is_empty() {
        return 0;
    }
    let mut kept = 1;
    for i in 1..set.len() {
        if set[i] != set[kept - 1] {
            set[kept] = set[i];
            kept += 1;
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    #[test]
    fn dedup_keeps_each_value_once() {
        for set in [&[][..], &[1], &[1, 1, 1], &[1, 2, 2, 3, 9, 9]] {
            let mut mine = set.to_vec();
            let kept = dedup_sorted(&mut mine);
            let mut plain = set.to_vec();
            plain.dedup();
            assert_eq!(&mine[..kept], &plain[..]);
        }
    }

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

    fn tokens(hashes: &[u64]) -> Vec<Token> {
        hashes
            .iter()
            .map(|&hash| Token {
                hash,
                start: 0,
                end: 0,
            })
            .collect()
    }

    #[test]
    fn rolling_hashes_equal_window_hashes() {
        let mut state = 3u64;
        let hashes: Vec<u64> = (0..200)
            .map(|i| {
                // Some repeated words, some random ones, some extreme values.
                match i % 7 {
                    0 => 0,
                    1 => u64::MAX,
                    2 => 42,
                    _ => crate::minhash::splitmix64(&mut state),
                }
            })
            .collect();
        let tokens = tokens(&hashes);
        for n in [1, 2, 5, 8, 9, MAX_NGRAM] {
            let expected: Vec<u64> = tokens.windows(n).map(ngram_hash).collect();
            assert_eq!(ngram_hashes(&tokens, n), expected, "n = {n}");
        }
        assert!(ngram_hashes(&tokens[..4], 5).is_empty());
    }

    #[test]
    fn order_length_and_every_word_change_the_hash() {
        let words = tokens(&[11, 22, 33, 44, 55]);
        let base = ngram_hash(&words);
        let mut swapped = words.clone();
        swapped.swap(1, 3);
        assert_ne!(ngram_hash(&swapped), base);
        assert_ne!(
            ngram_hash(&words[..4]),
            ngram_hash(&tokens(&[0, 11, 22, 33, 44]))
        );
        for i in 0..5 {
            let mut changed = words.clone();
            changed[i].hash ^= 1 << 40;
            assert_ne!(ngram_hash(&changed), base, "word {i}");
        }
        // One flipped input bit flips about half the output bits.
        let mut flipped = words.clone();
        flipped[4].hash ^= 1;
        let bits = (ngram_hash(&flipped) ^ base).count_ones();
        assert!((16..=48).contains(&bits), "{bits} bits changed");
    }

    #[test]
    fn shared_words_share_shingles() {
        let a = set("le chat est sur le tapis rouge", 3);
        let b = set("Le CHAT est sur le tapis bleu", 3);
        let common = a.iter().filter(|h| b.contains(h)).count();
        assert_eq!(common, 4);
    }
}
