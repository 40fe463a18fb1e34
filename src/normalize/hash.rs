//! xxh3-64 of ASCII and Latin-1 words, lowercased on the fly straight from
//! the original text: bit for bit the hash of the normalized word, without
//! copying it to a buffer first.

use super::block::ascii_alnum_lower;

/// xxh3-64 of the ASCII word of letters and digits `text[start..end]`,
/// lowercased.
#[inline(always)]
pub(super) fn hash_ascii_word(text: &[u8], start: usize, end: usize) -> u64 {
    const LOWER: u64 = 0x2020_2020_2020_2020;
    hash_mapped_word(text, start, end, |bytes| bytes | LOWER, ascii_alnum_lower)
}

/// xxh3-64 of the word `text[start..end]` of ASCII letters and digits and
/// Latin-1 letters, lowercased.
///
/// In UTF-8 the lowercase of such a word is the same length and byte-wise:
/// ASCII letters get bit 5 set (see [`ascii_alnum_lower`]); Latin-1 letters
/// are C3 followed by 80..BF, and their lowercase keeps the C3 and sets bit
/// 5 of the second byte (U+00C0..U+00DE map to U+00E0..U+00FE, the others
/// are lowercase already) except for ß (C3 9F), which stays. So every byte
/// but C3 and 9F gets bit 5 set.
#[inline(always)]
pub(super) fn hash_latin1_word(text: &[u8], start: usize, end: usize) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const BIT5: u64 = 0x20 * ONES;
    // Only the word's own bytes reach the hash, and a word's bytes are
    // ASCII letters and digits, C3, and the bytes after C3 (80..BF). Among
    // those, C3 is the one with bits 7 and 6 set, and 9F the one with bit 5
    // clear and bits 0 to 4 set (BF has them too, but has bit 5 already).
    let lower = |bytes: u64| {
        let low5_set = ((bytes & (0x1F * ONES)) + ONES) & BIT5;
        let lead = ((bytes & (bytes << 1)) >> 2) & BIT5;
        bytes | (BIT5 & !(low5_set | lead))
    };
    hash_mapped_word(text, start, end, lower, |b| match b {
        0xC3 | 0x9F => b,
        _ => b | 0x20,
    })
}

/// xxh3-64 of `text[start..end]` mapped byte by byte, where `map8` maps
/// eight bytes at once (little-endian) and `map` one byte, the same way.
#[inline(always)]
fn hash_mapped_word(
    text: &[u8],
    start: usize,
    end: usize,
    map8: impl Fn(u64) -> u64,
    map: impl Fn(u8) -> u8,
) -> u64 {
    let len = end - start;
    if len <= 16 && start + 8 <= text.len() {
        return xxh3_64_short_word(text, start, end, map8);
    }
    // Long words, and words in the last 8 bytes of the text.
    let mut buffer = [0u8; 64];
    if len <= buffer.len() {
        for (mapped, &b) in buffer.iter_mut().zip(&text[start..end]) {
            *mapped = map(b);
        }
        xxhash_rust::xxh3::xxh3_64(&buffer[..len])
    } else {
        let mapped: Vec<u8> = text[start..end].iter().map(|&b| map(b)).collect();
        xxhash_rust::xxh3::xxh3_64(&mapped)
    }
}

/// `xxhash_rust::xxh3::xxh3_64` of `text[start..end]`, 1 to 16 bytes long,
/// mapped byte-wise by `map8`, with at least 8 bytes of `text` from `start`
/// on; bit for bit (the unit tests compare).
///
/// The arithmetic of the crate's short-input paths (XXH3 spec, lengths 1-3,
/// 4-8 and 9-16, seed 0), but reading the word straight from the text and
/// mapping (lowercasing) each 64-bit read at once, instead of copying the
/// word to a lowercased buffer first (whose unaligned re-reads would stall
/// store forwarding). Of the mapped reads only the word's own bytes reach
/// the hash, so `map8` need only map those right.
#[inline(always)]
fn xxh3_64_short_word(text: &[u8], start: usize, end: usize, map8: impl Fn(u64) -> u64) -> u64 {
    // The start of xxh3's default secret (`kSecret`), as the short paths use it.
    const SECRET: [u8; 56] = [
        0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad,
        0x1c, 0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3,
        0x67, 0x1f, 0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc,
        0xff, 0x72, 0x21, 0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e,
    ];
    const fn secret64(at: usize) -> u64 {
        let mut word = [0u8; 8];
        let mut i = 0;
        while i < 8 {
            word[i] = SECRET[at + i];
            i += 1;
        }
        u64::from_le_bytes(word)
    }
    const FLIP_1_TO_3: u64 = (secret64(0) as u32 ^ (secret64(4) as u32)) as u64;
    const FLIP_4_TO_8: u64 = secret64(8) ^ secret64(16);
    const FLIP_9_TO_16_LOW: u64 = secret64(24) ^ secret64(32);
    const FLIP_9_TO_16_HIGH: u64 = secret64(40) ^ secret64(48);
    const PRIME64_2: u64 = 0xC2B2_AE3D_27D4_EB4F;
    const PRIME64_3: u64 = 0x1656_67B1_9E37_79F9;
    const PRIME_MX1: u64 = 0x1656_6791_9E37_79F9;
    const PRIME_MX2: u64 = 0x9FB2_1C65_1E98_DF25;

    let len = end - start;
    debug_assert!((1..=16).contains(&len));
    let read64 = |at: usize| {
        map8(u64::from_le_bytes(
            text[at..at + 8].try_into().expect("8 bytes"),
        ))
    };
    // The first 8 bytes: the whole word when it is 8 bytes or shorter.
    let first8 = read64(start);
    let n = len as u64;

    // 9 to 16 bytes: the first and last eight bytes, folded 128-bit product.
    let h9 = || {
        let last8 = read64(end - 8);
        let low = first8 ^ FLIP_9_TO_16_LOW;
        let high = last8 ^ FLIP_9_TO_16_HIGH;
        let product = u128::from(low) * u128::from(high);
        let mut h = n
            .wrapping_add(low.swap_bytes())
            .wrapping_add(high)
            .wrapping_add(product as u64 ^ (product >> 64) as u64);
        h ^= h >> 37;
        h = h.wrapping_mul(PRIME_MX1);
        h ^ (h >> 32)
    };

    // 4 to 8 bytes: the first and last four bytes, then rrmxmx.
    let h4 = || {
        let first4 = first8 & 0xFFFF_FFFF;
        // (For shorter words the shift wraps: the value is not used then;
        // masked before the product, which would overflow in debug builds.)
        let last4 = (first8 >> (8 * (len.wrapping_sub(4) & 7))) & 0xFFFF_FFFF;
        let mut h = last4.wrapping_add(first4 << 32) ^ FLIP_4_TO_8;
        h ^= h.rotate_left(49) ^ h.rotate_left(24);
        h = h.wrapping_mul(PRIME_MX2);
        h ^= (h >> 35).wrapping_add(n);
        h = h.wrapping_mul(PRIME_MX2);
        h ^ (h >> 28)
    };

    // 1 to 3 bytes: first, middle and last byte, and the length.
    let h1 = || {
        let byte = |at: usize| (first8 >> ((8 * at) & 63)) & 0xFF;
        let combo = byte(0) << 16 | byte(len >> 1) << 24 | byte(len - 1) | n << 8;
        let mut h = combo ^ FLIP_1_TO_3;
        h ^= h >> 33;
        h = h.wrapping_mul(PRIME64_2);
        h ^= h >> 29;
        h = h.wrapping_mul(PRIME64_3);
        h ^ (h >> 32)
    };

    // Words of 9 to 16 bytes are the fewest (4% of the words of 25 MB of
    // generated independent documents, 16% of versions, 11% of PAN 2013's
    // suspicious documents): a branch on them mispredicts seldom enough.
    // Lengths 1 to 3 and 4 to 8 are both common and random: both hashes
    // are computed and one is picked, without a branch (branching on them
    // too took 17% fewer instructions on PAN 2013 but more time).
    if len > 8 {
        return h9();
    }
    let (h4, h1) = (h4(), h1());
    if len >= 4 {
        h4
    } else {
        h1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_word_xxh3_matches_the_crate() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut random = || crate::minhash::splitmix64(&mut state) as usize;
        let alnum = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for _ in 0..20_000 {
            let text: Vec<u8> = (0..40).map(|_| alnum[random() % alnum.len()]).collect();
            for len in 1..=16 {
                let start = random() % (text.len() - 16);
                let word = &text[start..start + len];
                let lower = word.to_ascii_lowercase();
                assert_eq!(
                    hash_ascii_word(&text, start, start + len),
                    xxhash_rust::xxh3::xxh3_64(&lower),
                    "{:?}",
                    String::from_utf8_lossy(word)
                );
            }
        }
    }

    #[test]
    fn latin1_word_xxh3_matches_the_crate() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut random = || crate::minhash::splitmix64(&mut state) as usize;
        // Every Latin-1 letter (C3 80..C3 BF but × and ÷) and some ASCII.
        let mut letters: Vec<String> = ('\u{C0}'..='\u{FF}')
            .filter(|c| *c != '×' && *c != '÷')
            .map(String::from)
            .collect();
        letters.extend(["a", "Z", "9", "q", "E"].map(String::from));
        for _ in 0..20_000 {
            let text: String = (0..24)
                .map(|_| letters[random() % letters.len()].as_str())
                .collect();
            let bytes = text.as_bytes();
            let start = (0..=random() % 8)
                .rfind(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            for end in (start + 1..=start + 16).filter(|&i| text.is_char_boundary(i)) {
                let word = &text[start..end];
                assert_eq!(
                    hash_latin1_word(bytes, start, end),
                    xxhash_rust::xxh3::xxh3_64(word.to_lowercase().as_bytes()),
                    "{word:?}"
                );
            }
        }
    }
}
