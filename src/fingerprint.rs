//! Fingerprint: find every pair of documents that share a run of `min_words`
//! words, however short next to the documents, so that the aligner sees it.
//!
//! MinHash over paragraphs finds paragraphs that are mostly alike; a nine-word
//! quotation inside two different paragraphs is invisible to it. Winnowing
//! (Schleimer, Wilkerson and Aiken, 2003) keeps the minimum n-gram hash of every
//! window of `w = min_words - n + 1` consecutive n-grams: any run of `min_words`
//! shared words then yields at least one shared fingerprint, with about
//! `2 / (w + 1)` of the n-grams kept. Documents are joined by sorting
//! fingerprint-and-document keys packed in one `u64` ([`Packing`]); a fingerprint held by more than `max_docs`
//! documents is a common phrase or boilerplate and is not used to pair them.

use rayon::prelude::*;

use crate::normalize::Token;
use crate::shingle::ngram_hashes;

/// The winnowed fingerprints of a token stream, sorted and deduplicated.
pub fn winnow(tokens: &[Token], n: usize, min_words: usize) -> Vec<u64> {
    winnow_grams(&ngram_hashes(tokens, n), n, min_words)
}

/// [`winnow`] over n-gram hashes already computed (`tokens.windows(n)`).
pub fn winnow_grams(grams: &[u64], n: usize, min_words: usize) -> Vec<u64> {
    let mut picked = Vec::new();
    winnow_picks_into(grams, n, min_words, &mut picked);
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// [`winnow_grams`] in text order, a fingerprint picked again later in the
/// text repeated, appended to `out`: what the join needs, since it sorts and
/// deduplicates every document's keys itself (sorting each document's picks
/// first was 1.4% of a scan's time).
pub fn winnow_picks_into(grams: &[u64], n: usize, min_words: usize, out: &mut Vec<u64>) {
    if grams.is_empty() {
        return;
    }
    let window = min_words.saturating_sub(n).saturating_add(1).max(1);
    if grams.len() <= window {
        out.extend(grams.iter().min());
    } else if window == 4 {
        winnow_four(grams, out);
    } else {
        winnow_any(grams, window, out);
    }
}

/// The picks of windows of `window` n-grams (`grams` holds more), in text
/// order: the rightmost minimum of each window, kept from one window to the
/// next; only when it leaves the window is the window scanned again.
fn winnow_any(grams: &[u64], window: usize, out: &mut Vec<u64>) {
    let rightmost_min = |from: usize| {
        let mut best = from;
        for i in from..from + window {
            if grams[i] <= grams[best] {
                best = i;
            }
        }
        best
    };
    out.reserve(grams.len() * 2 / (window + 1) + 1);
    let mut best = rightmost_min(0);
    out.push(grams[best]);
    for start in 1..=grams.len() - window {
        let last = best;
        let new = start + window - 1;
        if best < start {
            best = rightmost_min(start);
        } else if grams[new] <= grams[best] {
            best = new;
        }
        if best != last {
            out.push(grams[best]);
        }
    }
}

/// Winnowing with windows of four n-grams (the default: 8-word runs, 5-word
/// n-grams), without a branch on the hashes: the rightmost minimum of a
/// window is that of its two halves' rightmost minima (each pair's taken
/// once, for the two windows it is a half of), and each pick is written
/// whether or not it is new, the count advancing only when it is.
/// Random hashes make the general loop's comparisons unpredictable; this
/// runs in about a third of [`winnow_any`]'s time. `grams` holds more than
/// four hashes.
fn winnow_four(grams: &[u64], out: &mut Vec<u64>) {
    // The rightmost minimum of a pair (index, value): the later one on ties.
    #[inline(always)]
    fn pick(x: (usize, u64), y: (usize, u64)) -> (usize, u64) {
        if y.1 <= x.1 {
            y
        } else {
            x
        }
    }
    let windows = grams.len() - 3;
    let base = out.len();
    // Picks are written past the vector's end (room for one a window), not
    // into zeros written first.
    out.reserve(windows);
    let picked = &mut out.spare_capacity_mut()[..windows];
    let mut count = 0;
    let mut last = usize::MAX;
    // The window at `start` is the pairs at `start` and `start + 2`; each
    // pair's minimum is taken once and serves two windows.
    let mut first = pick((0, grams[0]), (1, grams[1]));
    let mut second = pick((1, grams[1]), (2, grams[2]));
    for (end, pair) in grams.windows(2).enumerate().skip(2) {
        let third = pick((end, pair[0]), (end + 1, pair[1]));
        let (best, hash) = pick(first, third);
        picked[count].write(hash);
        count += usize::from(best != last);
        last = best;
        (first, second) = (second, third);
    }
    // SAFETY: `picked[..count]`, the `count` slots past the end, were
    // written (every slot up to the last counted one was).
    unsafe { out.set_len(base + count) };
}

/// Pairs of documents sharing at least one fingerprint, with how many they share.
#[derive(Debug, Default)]
pub struct DocumentPairs {
    /// `(a, b, shared)` with `a < b`, sorted.
    pub pairs: Vec<(u32, u32, u32)>,
    /// Fingerprints skipped because too many documents hold them.
    pub common_fingerprints: u64,
}

/// Fingerprints of a corpus packed one per `u64`: the fingerprint's upper
/// bits above, the document below, in as few bits as the number of documents
/// needs. Half the memory of `(u64, u32)` tuples (a billion-byte corpus has
/// some 60 million fingerprints), and one integer sort joins them. With a
/// million documents 44 bits of hash remain: among 60 million fingerprints
/// about a hundred unrelated pairs collide, each costing one alignment that
/// finds nothing.
#[derive(Debug, Clone, Copy)]
pub struct Packing {
    doc_bits: u32,
}

impl Packing {
    /// The packing for a corpus of `documents` documents.
    pub fn new(documents: usize) -> Packing {
        let doc_bits = (usize::BITS - documents.saturating_sub(1).leading_zeros()).max(1);
        Packing { doc_bits }
    }

    /// The key of fingerprint `hash` held by document `doc`.
    #[inline]
    pub fn key(self, hash: u64, doc: u32) -> u64 {
        (hash >> self.doc_bits << self.doc_bits) | doc as u64
    }

    fn doc(self, key: u64) -> u32 {
        (key & ((1u64 << self.doc_bits) - 1)) as u32
    }

    fn hash(self, key: u64) -> u64 {
        key >> self.doc_bits
    }
}

/// Top bits of a key that pick its bucket in [`Fingerprints`].
const BUCKET_BITS: u32 = 10;

/// A corpus's fingerprint keys ([`Packing::key`]), in buckets by their top
/// bits (the fingerprint's, uniform). The join sorts each bucket on its own,
/// in parallel: a bucket fits in a core's cache (on the 100 MB benchmark
/// corpus 7 million keys make buckets of about 7,000), where one sort of
/// every key went to memory on each pass and ran on one core at its end.
#[derive(Debug)]
pub struct Fingerprints {
    packing: Packing,
    buckets: Vec<Vec<u64>>,
}

impl Fingerprints {
    /// No fingerprints yet, for a corpus packed by `packing`.
    pub fn new(packing: Packing) -> Fingerprints {
        Fingerprints {
            packing,
            buckets: vec![Vec::new(); 1 << BUCKET_BITS],
        }
    }

    /// Add document `doc`'s fingerprints.
    pub fn extend(&mut self, doc: u32, hashes: impl IntoIterator<Item = u64>) {
        for hash in hashes {
            let key = self.packing.key(hash, doc);
            self.buckets[(key >> (u64::BITS - BUCKET_BITS)) as usize].push(key);
        }
    }
}

/// Drop from `keys` (one bucket's) every key whose fingerprint no other
/// key of the bucket has: held by one document once, it pairs no documents,
/// and the join skips it anyway. A bit per slot records that a slot was
/// seen, another that it was seen again; keys are kept when their
/// fingerprint's slot was seen again (always so when the fingerprint
/// recurs). With eight slots a key, about one unique fingerprint in eight
/// shares its slot and stays. Many fingerprints of a corpus are unique (of
/// the distinct fingerprint-document keys, 86% on 25 MB of generated
/// independent documents, 52% on PAN 2013's suspicious documents, 30% on 25
/// MB of generated versions), and these two linear passes over a bitmap in
/// cache cost less than sorting them: the join of a scan of 25 MB
/// independent (callgrind, `--threads 1`) went from 335 M instructions to
/// 172 M.
fn keep_recurring(keys: &mut Vec<u64>, packing: Packing) {
    let slots = (keys.len() * 8).next_power_of_two().max(64);
    let mask = slots - 1;
    let mut seen = vec![0u64; slots / 64];
    let mut again = vec![0u64; slots / 64];
    // The fingerprint's low bits: uniform (the bucket is its top bits).
    let slot = |key: u64| packing.hash(key) as usize & mask;
    for &key in keys.iter() {
        let slot = slot(key);
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        again[word] |= seen[word] & bit;
        seen[word] |= bit;
    }
    keys.retain(|&key| {
        let slot = slot(key);
        again[slot / 64] & (1u64 << (slot % 64)) != 0
    });
}

/// Join documents on their fingerprints.
pub fn join(fingerprints: Fingerprints, max_docs: usize) -> DocumentPairs {
    let packing = fingerprints.packing;
    // Each bucket becomes its document pairs, packed `a << 32 | b`, one
    // entry per fingerprint they share.
    let joined: Vec<(Vec<u64>, u64)> = fingerprints
        .buckets
        .into_par_iter()
        .map(|mut keys| {
            keep_recurring(&mut keys, packing);
            keys.sort_unstable();
            // A document may hold two fingerprints that agree on the kept bits.
            keys.dedup();
            let mut packed = Vec::new();
            let mut common = 0;
            for group in keys.chunk_by(|&x, &y| packing.hash(x) == packing.hash(y)) {
                if group.len() < 2 {
                    continue;
                }
                if group.len() > max_docs {
                    common += 1;
                    continue;
                }
                for (i, &x) in group.iter().enumerate() {
                    for &y in &group[i + 1..] {
                        let (x, y) = (packing.doc(x), packing.doc(y));
                        packed.push(((x.min(y) as u64) << 32) | x.max(y) as u64);
                    }
                }
            }
            (packed, common)
        })
        .collect();
    let common = joined.iter().map(|(_, common)| common).sum();
    let mut packed: Vec<u64> = Vec::with_capacity(joined.iter().map(|(p, _)| p.len()).sum());
    for (pairs, _) in joined {
        packed.extend(pairs);
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

    /// Every window's rightmost minimum, scanned in full each time.
    fn winnow_naive(grams: &[u64], window: usize) -> Vec<u64> {
        let mut picked = Vec::new();
        if grams.len() <= window {
            picked.extend(grams.iter().min());
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

    proptest::proptest! {
        /// The incremental winnowing picks what scanning every window picks.
        #[test]
        fn winnowing_matches_the_definition(
            grams in proptest::collection::vec(0u64..20, 1..200),
            min_words in 5usize..14,
        ) {
            let window = min_words - 5 + 1;
            proptest::prop_assert_eq!(winnow_grams(&grams, 5, min_words), winnow_naive(&grams, window));
        }

        /// The branch-free path of four-n-gram windows, with few and many
        /// distinct hashes (ties decide which position is picked).
        #[test]
        fn four_gram_windows_match_the_definition(
            grams in proptest::collection::vec(0u64..6, 1..300),
            spread in proptest::prelude::any::<bool>(),
        ) {
            let grams: Vec<u64> = if spread {
                grams.iter().enumerate().map(|(i, &g)| g.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i as u64 % 3)).collect()
            } else {
                grams
            };
            proptest::prop_assert_eq!(winnow_grams(&grams, 5, 8), winnow_naive(&grams, 4));
        }
    }

    #[test]
    fn packing_keeps_documents_and_orders_by_hash() {
        for documents in [1, 2, 3, 1000, 1 << 20, (1 << 20) + 1] {
            let packing = Packing::new(documents);
            let last = documents as u32 - 1;
            assert_eq!(packing.doc(packing.key(u64::MAX, last)), last);
            assert_eq!(packing.doc(packing.key(0, 0)), 0);
            assert!(packing.key(1 << 62, 0) > packing.key(1 << 61, last));
        }
    }

    /// The join by its definition: for every fingerprint (its kept bits),
    /// the documents that hold it; every pair of them shares it, unless
    /// more than `max_docs` do.
    fn join_by_definition(
        docs: &[Vec<u64>],
        packing: Packing,
        max_docs: usize,
    ) -> (Vec<(u32, u32, u32)>, u64) {
        use std::collections::{BTreeMap, BTreeSet};
        let mut holders: BTreeMap<u64, BTreeSet<u32>> = BTreeMap::new();
        for (doc, hashes) in docs.iter().enumerate() {
            for &hash in hashes {
                let kept = packing.hash(packing.key(hash, doc as u32));
                holders.entry(kept).or_default().insert(doc as u32);
            }
        }
        let mut shared: BTreeMap<(u32, u32), u32> = BTreeMap::new();
        let mut common = 0;
        for docs in holders.values().filter(|d| d.len() > 1) {
            if docs.len() > max_docs {
                common += 1;
                continue;
            }
            let docs: Vec<u32> = docs.iter().copied().collect();
            for (i, &a) in docs.iter().enumerate() {
                for &b in &docs[i + 1..] {
                    *shared.entry((a, b)).or_default() += 1;
                }
            }
        }
        (
            shared.into_iter().map(|((a, b), n)| (a, b, n)).collect(),
            common,
        )
    }

    proptest::proptest! {
        /// The join (with its filter of fingerprints held once) finds what
        /// the definition finds: few distinct fingerprints over many
        /// documents (most shared, some by too many) and many (most held
        /// once, where the filter drops nearly all), repeats within a
        /// document included.
        #[test]
        fn join_matches_the_definition(
            docs in proptest::collection::vec(proptest::collection::vec(0u64..400, 0..60), 1..40),
            spread in 0u32..3,
            max_docs in 2usize..8,
        ) {
            let packing = Packing::new(docs.len());
            // Spread the small values over the whole range (so over the
            // buckets), or keep them in one bucket; with `spread` 2 most
            // are distinct.
            let docs: Vec<Vec<u64>> = docs.iter().enumerate().map(|(d, hashes)| hashes.iter().map(|&h| match spread {
                0 => h << 20,
                1 => h.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                _ => (h * 1000 + d as u64 * (h % 2)).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            }).collect()).collect();
            let mut fingerprints = Fingerprints::new(packing);
            for (doc, hashes) in docs.iter().enumerate() {
                fingerprints.extend(doc as u32, hashes.iter().copied());
            }
            let found = join(fingerprints, max_docs);
            let (pairs, common) = join_by_definition(&docs, packing, max_docs);
            proptest::prop_assert_eq!(found.pairs, pairs);
            proptest::prop_assert_eq!(found.common_fingerprints, common);
        }
    }

    #[test]
    fn join_counts_and_skips_common() {
        let packing = Packing::new(3);
        let mut fingerprints = Fingerprints::new(packing);
        // Hashes far apart in their top bits land in different buckets.
        let hash = |h: u64| h << 61 | h << 40;
        fingerprints.extend(0, [1, 2, 4].map(hash));
        fingerprints.extend(1, [4, 2, 1].map(hash));
        fingerprints.extend(2, [3, 4].map(hash));
        let found = join(fingerprints, 2);
        assert_eq!(found.pairs, [(0, 1, 2)]);
        assert_eq!(found.common_fingerprints, 1);
    }

    #[test]
    fn join_counts_a_pair_across_buckets_once_per_fingerprint() {
        let packing = Packing::new(2);
        let mut fingerprints = Fingerprints::new(packing);
        let hashes: Vec<u64> = (0..5000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        fingerprints.extend(0, hashes.iter().copied());
        // Document 1 holds every other one, one of them twice.
        fingerprints.extend(1, hashes.iter().step_by(2).copied().chain([hashes[0]]));
        let found = join(fingerprints, 2);
        assert_eq!(found.pairs, [(0, 1, 2500)]);
        assert_eq!(found.common_fingerprints, 0);
    }
}
