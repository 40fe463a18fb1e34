//! Byte classes for [`tokenize`](super::tokenize): the 64 bytes of a
//! [`Block`] classified into bit masks at once (SSE2 on x86-64, eight bytes
//! to a `u64` elsewhere), and the SWAR run of ASCII letters and digits that
//! the word scanner uses, so that word ends are found with no branch per byte.

/// Bytes classified at once by [`Block::at`].
pub(super) const BLOCK: usize = 64;

/// Whether `byte` can be part of a word run: an ASCII letter or digit, or
/// any byte of a non-ASCII character (decided later, character by character).
#[inline]
pub(super) fn is_word_byte(byte: u8) -> bool {
    byte >= 0x80 || byte.is_ascii_alphanumeric()
}

/// Classes of the [`BLOCK`] bytes from an offset of the text: bit `k` of each
/// mask describes byte `k` (bytes past the end of the text read as NUL, a
/// separator).
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Block {
    /// [`is_word_byte`].
    pub(super) word: u64,
    /// Non-ASCII bytes.
    pub(super) high: u64,
    /// `\n` and `\r`.
    pub(super) newline: u64,
    /// `'` and `` ` ``, which may join two words' letters.
    pub(super) quote: u64,
    /// 0xC3, the lead byte of U+00C0..U+00FF.
    pub(super) c3: u64,
    /// 0x80..=0xBF but 0x97 and 0xB7: a continuation byte that makes a
    /// Latin-1 letter after 0xC3 (not × or ÷).
    pub(super) latin_tail: u64,
}

impl Block {
    /// The classes of `text[at..at + BLOCK]`.
    #[inline]
    pub(super) fn at(text: &[u8], at: usize) -> Block {
        let mut bytes = [0u8; BLOCK];
        let bytes: &[u8; BLOCK] = match text.get(at..at + BLOCK) {
            Some(slice) => slice.try_into().expect("BLOCK bytes"),
            None => {
                bytes[..text.len() - at].copy_from_slice(&text[at..]);
                &bytes
            }
        };
        #[cfg(target_arch = "x86_64")]
        {
            Block::classify_sse2(bytes)
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Block::classify_swar(bytes)
        }
    }

    /// [`Block::at`] with AVX2 (the caller checks that the processor has
    /// it): thirty-two bytes a comparison, half the instructions of SSE2.
    ///
    /// # Safety
    ///
    /// The processor must have AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline]
    pub(super) unsafe fn at_avx2(text: &[u8], at: usize) -> Block {
        let mut bytes = [0u8; BLOCK];
        let bytes: &[u8; BLOCK] = match text.get(at..at + BLOCK) {
            Some(slice) => slice.try_into().expect("BLOCK bytes"),
            None => {
                bytes[..text.len() - at].copy_from_slice(&text[at..]);
                &bytes
            }
        };
        Block::classify_avx2(bytes)
    }

    /// [`Block::classify_sse2`] on 32 bytes at a time. No closures: they
    /// would not be compiled for AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    #[inline]
    fn classify_avx2(bytes: &[u8; BLOCK]) -> Block {
        use std::arch::x86_64::*;
        let mut block = Block::default();
        for i in 0..BLOCK / 32 {
            let chunk: &[u8; 32] = bytes[32 * i..32 * i + 32].try_into().expect("32 bytes");
            // SAFETY: AVX2 is enabled here, and the load is unaligned from
            // a 32-byte array.
            let masks = unsafe {
                let v = _mm256_loadu_si256(chunk.as_ptr().cast());
                macro_rules! byte {
                    ($k:expr) => {
                        _mm256_set1_epi8($k as u8 as i8)
                    };
                }
                macro_rules! equal {
                    ($k:expr) => {
                        _mm256_cmpeq_epi8(v, byte!($k))
                    };
                }
                // `lo..=hi` as unsigned bytes of `x`: shift the range to
                // start at -128 and compare signed.
                macro_rules! within {
                    ($x:expr, $lo:expr, $hi:expr) => {
                        _mm256_cmpgt_epi8(
                            byte!(0x80u8.wrapping_add($hi - $lo).wrapping_add(1)),
                            _mm256_add_epi8($x, byte!(0x80u8.wrapping_sub($lo))),
                        )
                    };
                }
                macro_rules! mask {
                    ($m:expr) => {
                        u64::from(_mm256_movemask_epi8($m) as u32)
                    };
                }
                let lower = _mm256_or_si256(v, byte!(0x20));
                let letter = within!(lower, b'a', b'z');
                let alnum = _mm256_or_si256(letter, within!(v, b'0', b'9'));
                let tail = _mm256_andnot_si256(
                    _mm256_or_si256(equal!(0x97), equal!(0xB7)),
                    within!(v, 0x80u8, 0xBFu8),
                );
                [
                    mask!(alnum) | mask!(v),
                    mask!(v),
                    mask!(_mm256_or_si256(equal!(b'\n'), equal!(b'\r'))),
                    mask!(_mm256_or_si256(equal!(b'\''), equal!(b'`'))),
                    mask!(equal!(0xC3)),
                    mask!(tail),
                ]
            };
            block.add(masks, 32 * i);
        }
        block
    }

    /// [`Block::at`] with SSE2, which every x86-64 processor has: sixteen
    /// bytes a comparison.
    #[cfg(target_arch = "x86_64")]
    #[inline]
    fn classify_sse2(bytes: &[u8; BLOCK]) -> Block {
        use std::arch::x86_64::*;
        let mut block = Block::default();
        for i in 0..BLOCK / 16 {
            let chunk: &[u8; 16] = bytes[16 * i..16 * i + 16].try_into().expect("16 bytes");
            // SAFETY: SSE2 is part of the x86-64 baseline, and the load is
            // unaligned from a 16-byte array.
            let masks = unsafe {
                let v = _mm_loadu_si128(chunk.as_ptr().cast());
                let byte = |k: u8| _mm_set1_epi8(k as i8);
                let equal = |k: u8| _mm_cmpeq_epi8(v, byte(k));
                // `lo..=hi` as unsigned bytes: shift the range to start at
                // -128 and compare signed.
                let within = |lo: u8, hi: u8| {
                    let shifted = _mm_add_epi8(v, byte(0x80u8.wrapping_sub(lo)));
                    _mm_cmplt_epi8(shifted, byte(0x80u8.wrapping_add(hi - lo).wrapping_add(1)))
                };
                let lower = _mm_or_si128(v, byte(0x20));
                let letter = {
                    let shifted = _mm_add_epi8(lower, byte(0x80u8.wrapping_sub(b'a')));
                    _mm_cmplt_epi8(shifted, byte(0x80 + 26))
                };
                let alnum = _mm_or_si128(letter, within(b'0', b'9'));
                let tail =
                    _mm_andnot_si128(_mm_or_si128(equal(0x97), equal(0xB7)), within(0x80, 0xBF));
                let mask = |m: __m128i| u64::from(_mm_movemask_epi8(m) as u16);
                [
                    mask(alnum) | mask(v),
                    mask(v),
                    mask(_mm_or_si128(equal(b'\n'), equal(b'\r'))),
                    mask(_mm_or_si128(equal(b'\''), equal(b'`'))),
                    mask(equal(0xC3)),
                    mask(tail),
                ]
            };
            block.add(masks, 16 * i);
        }
        block
    }

    /// [`Block::at`] eight bytes at a time in `u64`s, for other processors.
    #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
    fn classify_swar(bytes: &[u8; BLOCK]) -> Block {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x80 * ONES;
        const LOW7: u64 = 0x7F * ONES;
        let mut block = Block::default();
        for i in 0..BLOCK / 8 {
            let chunk = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"));
            // High bit of every byte equal to `k` (exact, no carries).
            let equal = |k: u8| {
                let x = chunk ^ (u64::from(k) * ONES);
                !(((x & LOW7).wrapping_add(LOW7)) | x) & HIGH
            };
            // The high bits of `mask`'s eight bytes, as eight bits.
            let gather = |mask: u64| (mask >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
            let high = chunk & HIGH;
            // 0x80..=0xBF: high bit set, bit 6 clear.
            let continuation = high & !(chunk << 1);
            block.add(
                [
                    (!non_alnum_mask(chunk) & HIGH) | high,
                    high,
                    equal(b'\n') | equal(b'\r'),
                    equal(b'\'') | equal(b'`'),
                    equal(0xC3),
                    continuation & !(equal(0x97) | equal(0xB7)),
                ]
                .map(gather),
                8 * i,
            );
        }
        block
    }

    /// The bytes that keep a word run from the fast path of
    /// [`tokenize`](super::tokenize): a word run `from..to` whose bits
    /// `from..=to` (its bytes and the separator after it) are all clear here
    /// is a word of ASCII letters and digits, or of those and Latin-1
    /// letters (0xC3 then a letter's byte), that an ASCII separator other
    /// than an apostrophe ends; with `fold_accents`, of ASCII ones only.
    ///
    /// Set: quotes (at `to`, a quote may join two words), non-ASCII bytes
    /// that are neither 0xC3 nor a byte after one, bytes after 0xC3 that are
    /// ASCII or not a letter's (so a run ending in 0xC3 is caught at `to`),
    /// and with `fold_accents` every non-ASCII byte. A byte after 0xC3 at
    /// `from` cannot occur: the byte before a run is a separator.
    #[inline]
    pub(super) fn not_fast(&self, fold_accents: bool) -> u64 {
        let tails = self.c3 << 1;
        let folded = if fold_accents { self.high } else { 0 };
        self.quote | (self.high ^ (self.c3 | tails)) | (tails & !self.latin_tail) | folded
    }

    /// Add the masks of bytes `at..` (word, high, newline, quote, c3,
    /// latin_tail).
    #[inline(always)]
    fn add(&mut self, masks: [u64; 6], at: usize) {
        self.word |= masks[0] << at;
        self.high |= masks[1] << at;
        self.newline |= masks[2] << at;
        self.quote |= masks[3] << at;
        self.c3 |= masks[4] << at;
        self.latin_tail |= masks[5] << at;
    }
}

/// Length of the run of ASCII letters and digits at the start of `bytes`.
///
/// Classifies eight bytes at a time (see [`non_alnum_mask`]): the end of a
/// word is found without a branch per byte, so the branch predictor does
/// not have to guess word lengths.
#[inline]
pub(super) fn ascii_alnum_run(bytes: &[u8]) -> usize {
    let mut n = 0;
    loop {
        let chunk = match bytes.get(n..n + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("8 bytes")),
            None => {
                // Fewer than 8 bytes left: pad with NUL, a separator.
                let mut padded = [0u8; 8];
                padded[..bytes.len() - n].copy_from_slice(&bytes[n..]);
                u64::from_le_bytes(padded)
            }
        };
        let stop = non_alnum_mask(chunk);
        if stop != 0 {
            return n + (stop.trailing_zeros() / 8) as usize;
        }
        n += 8;
    }
}

/// The high bit of every byte of `chunk` (eight bytes, little-endian) that is
/// not an ASCII letter or digit, and no other bit.
///
/// SWAR range checks: with the high bits cleared, adding `0x80 - k` to a byte
/// sets its high bit exactly when the byte is >= `k`, and cannot carry into
/// the next byte (0x7F + 0x80 - k < 0x100 for every `k` >= 0x01).
#[inline]
fn non_alnum_mask(chunk: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x80 * ONES;
    let low7 = chunk & !HIGH;
    let at_least = |x: u64, k: u64| x + (0x80 - k) * ONES;
    let digit = at_least(low7, u64::from(b'0')) & !at_least(low7, u64::from(b'9') + 1);
    // Setting bit 5 maps 'A'..='Z' onto 'a'..='z' (and nothing else onto it).
    let folded = low7 | (0x20 * ONES);
    let letter = at_least(folded, u64::from(b'a')) & !at_least(folded, u64::from(b'z') + 1);
    // Bytes >= 0x80 (non-ASCII) are never ASCII letters or digits.
    !((digit | letter) & !chunk) & HIGH
}

/// Lowercase an ASCII letter or digit: letters get bit 5 set, which digits
/// (0x30..=0x39) already have, so no comparison is needed.
#[inline]
pub(super) fn ascii_alnum_lower(byte: u8) -> u8 {
    byte | 0x20
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn non_alnum_mask_classifies_every_byte() {
        for byte in 0..=255u8 {
            let chunk = u64::from_le_bytes([b'a', byte, b'Z', 0, byte, b'5', 0xFF, byte]);
            let expected: u64 = [b'a', byte, b'Z', 0, byte, b'5', 0xFF, byte]
                .iter()
                .enumerate()
                .filter(|(_, b)| !b.is_ascii_alphanumeric())
                .map(|(i, _)| 0x80 << (8 * i))
                .sum();
            assert_eq!(non_alnum_mask(chunk), expected, "byte {byte:#04x}");
        }
    }

    proptest! {
        /// [`Block::not_fast`] passes exactly the runs that the per-run
        /// test it replaced passed: no quote after the run, non-ASCII bytes
        /// only as 0xC3 and a letter's byte after it, none with
        /// `fold_accents`.
        #[test]
        fn not_fast_is_the_per_run_test(
            picks in proptest::collection::vec(0usize..16, BLOCK),
            fold_accents in any::<bool>(),
        ) {
            let alphabet = [b'a', b'Z', b'7', b' ', b'\'', b'`', b'\n', 0xC3, 0xC3, 0x80, 0x97, 0x9F, 0xA9, 0xB7, 0xBF, 0xE2];
            let bytes: Vec<u8> = picks.iter().map(|&i| alphabet[i]).collect();
            let block = Block::at(&bytes, 0);
            let bad = block.not_fast(fold_accents);
            let mut starts = block.word & !(block.word << 1);
            while starts != 0 {
                let from = starts.trailing_zeros() as usize;
                starts &= starts - 1;
                let rest = !block.word >> from;
                if rest == 0 {
                    break;
                }
                let to = from + rest.trailing_zeros() as usize;
                let run = ((1u64 << to) - 1) & !((1u64 << from) - 1);
                let high = block.high & run;
                let c3 = block.c3 & run;
                let tails = c3 << 1;
                let per_run = block.quote >> to & 1 == 0
                    && high == c3 | tails
                    && tails & !block.latin_tail == 0
                    && !(fold_accents && high != 0);
                prop_assert_eq!((bad >> from).trailing_zeros() as usize > to - from, per_run);
            }
        }

        /// Both ways of classifying a block agree, on every kind of byte
        /// (the SWAR one runs only on processors other than x86-64).
        #[test]
        fn block_classifiers_agree(bytes in proptest::collection::vec(any::<u8>(), BLOCK)) {
            let bytes: &[u8; BLOCK] = bytes[..].try_into().unwrap();
            let swar = Block::classify_swar(bytes);
            let expected = |class: &dyn Fn(u8) -> bool| {
                bytes.iter().enumerate().filter(|(_, &b)| class(b)).map(|(i, _)| 1u64 << i).sum::<u64>()
            };
            prop_assert_eq!(swar.word, expected(&is_word_byte));
            prop_assert_eq!(swar.high, expected(&|b| b >= 0x80));
            prop_assert_eq!(swar.newline, expected(&|b| b == b'\n' || b == b'\r'));
            prop_assert_eq!(swar.quote, expected(&|b| b == b'\'' || b == b'`'));
            prop_assert_eq!(swar.c3, expected(&|b| b == 0xC3));
            prop_assert_eq!(swar.latin_tail, expected(&|b| (0x80..=0xBF).contains(&b) && b != 0x97 && b != 0xB7));
            #[cfg(target_arch = "x86_64")]
            {
                prop_assert_eq!(Block::classify_sse2(bytes), swar);
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: AVX2 was just detected.
                    let avx2 = unsafe { Block::classify_avx2(bytes) };
                    prop_assert_eq!(avx2, Block::classify_swar(bytes));
                }
            }
        }
    }
}
