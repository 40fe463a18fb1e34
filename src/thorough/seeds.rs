//! Step 1 of the thorough aligner ([`super`]): the seeds that are shared
//! runs of words. A document's seed word pairs are made once for all its
//! partners ([`Index`]: sorted, with a bit filter so that a partner sorts
//! only the pairs the document may share, and its sentences for the
//! sentence seeds of [`super::sentence`]); two documents' pairs give their
//! maximal shared runs ([`runs`]), each a [`Run`], which the grouping
//! ([`super::group`]) cuts and pairs into alignments.

use super::{sentence, ThoroughOptions, SHORT_WORD_BYTES};
use crate::normalize::{Token, TokenStream};
use crate::shingle::ngram_hashes;

/// A seed: `a_len` words at `a` in A matched with `b_len` words at `b` in
/// B (a shared run of words, `a_len == b_len`, or a pair of similar
/// sentences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Run {
    pub(super) a: u32,
    pub(super) b: u32,
    pub(super) a_len: u32,
    pub(super) b_len: u32,
    /// A pair of similar sentences rather than a shared run of words.
    pub(super) sentence: bool,
}

impl Run {
    /// Where the run starts and ends on one side.
    pub(super) fn side(&self, side_a: bool) -> (u32, u32) {
        if side_a {
            (self.a, self.a + self.a_len)
        } else {
            (self.b, self.b + self.b_len)
        }
    }
}

/// A document's seed word pairs, made once for all its partners: sorted with
/// their positions, and a bit filter of them so that each partner sorts only
/// the pairs the document may share.
#[derive(Debug, Clone, Default)]
pub struct Index {
    pub(super) grams: Vec<(u64, u32)>,
    pub(super) filter: Vec<u64>,
    pub(super) sentences: sentence::Sentences,
}

/// Bits in an [`Index`] filter (a power of two).
const FILTER_BITS: usize = 1 << 15;

pub(super) fn bit(hash: u64) -> (usize, u64) {
    let bit = hash as usize & (FILTER_BITS - 1);
    (bit / 64, 1 << (bit % 64))
}

/// The seed word pairs of `tokens` (not two short words) with their
/// positions, in text order, kept by `keep`.
pub(super) fn seed_grams(
    tokens: &[Token],
    options: &ThoroughOptions,
    keep: impl Fn(u64) -> bool,
) -> Vec<(u64, u32)> {
    let n = options.seed.max(1);
    ngram_hashes(tokens, n)
        .into_iter()
        .enumerate()
        .filter(|&(i, hash)| {
            keep(hash)
                && tokens[i..i + n]
                    .iter()
                    .any(|t| t.end - t.start > SHORT_WORD_BYTES)
        })
        .map(|(i, hash)| (hash, i as u32))
        .collect()
}

impl Index {
    /// Index one document: `stream` holds the tokens of `text`.
    pub fn new(stream: &TokenStream, text: &[u8], options: &ThoroughOptions) -> Index {
        let mut grams = seed_grams(&stream.tokens, options, |_| true);
        let mut filter = vec![0u64; FILTER_BITS / 64];
        for &(hash, _) in &grams {
            let (word, mask) = bit(hash);
            filter[word] |= mask;
        }
        grams.sort_unstable();
        let sentences = if options.sentences.is_some() {
            sentence::sentences(stream, text)
        } else {
            sentence::Sentences::default()
        };
        Index {
            grams,
            filter,
            sentences,
        }
    }
}

/// The seeds: maximal shared runs of at least `options.seed` words, from
/// both documents' sorted seed word pairs.
///
/// Each shared word pair is a seed (diagonal, position in A), sorted, and
/// runs of consecutive positions on one diagonal are joined. No two seeds
/// are equal (a position holds one word pair), so any sort gives the same
/// order: the seeds are sorted packed in one number each (the diagonal
/// shifted by 2^31 above the position) when every position is below 2^31,
/// which halves the bytes sorted and compares one integer rather than two
/// (on 5 MB of real-text versions this sort was the largest of the
/// thorough aligner's).
pub(super) fn runs(ga: &[(u64, u32)], gb: &[(u64, u32)], options: &ThoroughOptions) -> Vec<Run> {
    let n = options.seed.max(1);
    const HALF: i64 = 1 << 31;
    let mut packed: Vec<u64> = Vec::new();
    let mut wide = false;
    crate::align::for_each_shared(ga, gb, |ra, rb| {
        if ra.len() <= options.max_repeat && rb.len() <= options.max_repeat {
            for x in ra {
                for y in rb {
                    wide |= (x.1 | y.1) as i64 >= HALF;
                    let diagonal = y.1 as i64 - x.1 as i64 + HALF;
                    packed.push(((diagonal as u64) << 32) | x.1 as u64);
                }
            }
        }
    });
    if wide {
        return runs_wide(ga, gb, options);
    }
    packed.sort_unstable();
    // The next position on the same diagonal is the next number.
    packed
        .chunk_by(|&x, &y| y == x + 1)
        .map(|run| {
            let (diagonal, first) = ((run[0] >> 32) as i64 - HALF, run[0] as u32);
            let len = run.len() as u32 + n as u32 - 1;
            Run {
                a: first,
                b: (first as i64 + diagonal) as u32,
                a_len: len,
                b_len: len,
                sentence: false,
            }
        })
        .collect()
}

/// [`runs`] for documents of 2^31 words or more: the seeds sorted as
/// pairs.
fn runs_wide(ga: &[(u64, u32)], gb: &[(u64, u32)], options: &ThoroughOptions) -> Vec<Run> {
    let n = options.seed.max(1);
    let mut seeds: Vec<(i64, u32)> = Vec::new();
    crate::align::for_each_shared(ga, gb, |ra, rb| {
        if ra.len() <= options.max_repeat && rb.len() <= options.max_repeat {
            for x in ra {
                for y in rb {
                    seeds.push((y.1 as i64 - x.1 as i64, x.1));
                }
            }
        }
    });
    seeds.sort_unstable();
    seeds
        .chunk_by(|x, y| x.0 == y.0 && y.1 == x.1 + 1)
        .map(|run| {
            let (diagonal, first) = run[0];
            let len = run.len() as u32 + n as u32 - 1;
            Run {
                a: first,
                b: (first as i64 + diagonal) as u32,
                a_len: len,
                b_len: len,
                sentence: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seeds sorted packed and as pairs give the same runs.
    #[test]
    fn packed_and_wide_seeds_give_the_same_runs() {
        let mut state = 3u64;
        let mut next = |m: u64| crate::minhash::splitmix64(&mut state) % m;
        let options = ThoroughOptions::default();
        for _ in 0..50 {
            // Few distinct word pairs, so that runs form and repeat.
            let mut doc = |len: u32| -> Vec<(u64, u32)> {
                let mut g: Vec<(u64, u32)> = (0..len).map(|i| (next(40), i)).collect();
                g.sort_unstable();
                g
            };
            let (ga, gb) = (doc(300), doc(250));
            let packed = runs(&ga, &gb, &options);
            assert!(!packed.is_empty());
            assert_eq!(packed, runs_wide(&ga, &gb, &options));
        }
    }
}
