//! Scripts written without spaces between words (Chinese, Japanese, Thai,
//! Lao, Khmer, Myanmar): one word per character and the combining marks
//! after it, so a copied sentence shares its n-grams of characters; and the
//! shortcut for the characters whose normalized form is themselves.

use unicode_normalization::char::is_combining_mark;

use super::chars::decode_at;
use super::fold::normalize_into;
use super::word::Scratch;
use super::NormalizeOptions;

/// Word characters of scripts written without spaces between words: Han,
/// Hiragana and Katakana (Chinese and Japanese), Thai, Lao, Khmer and
/// Myanmar. Each such character, with the combining marks after it, is a
/// word of its own (see [`extends_segment`]), so a copied sentence shares its
/// n-grams of characters instead of being one long unmatched word. Combining
/// marks are not in this class.
pub(super) fn is_segmented(c: char) -> bool {
    let code = c as u32;
    let segmented = matches!(
        code,
        0x0E00..=0x0EFF // Thai, Lao
            | 0x1000..=0x109F // Myanmar
            | 0x1780..=0x17FF // Khmer
            | 0x3005..=0x3007 // 々 〆 〇
            | 0x3021..=0x3029 // Hangzhou numerals
            | 0x3031..=0x3035 // kana repeat marks
            | 0x303B..=0x303C
            | 0x3040..=0x30FF // Hiragana, Katakana
            | 0x31F0..=0x31FF // Katakana phonetic extensions
            | 0x3400..=0x4DBF // CJK extension A
            | 0x4E00..=0x9FFF // CJK unified ideographs
            | 0xF900..=0xFAFF // CJK compatibility ideographs
            | 0xFF66..=0xFF9D // halfwidth Katakana
            | 0x1B000..=0x1B16F // Kana supplement and extensions
            | 0x20000..=0x3FFFF // CJK extensions B.., compatibility supplement
    );
    segmented && !is_combining_mark(c)
}

/// What stays with the character before it in a [`is_segmented`] word:
/// combining marks (Thai vowel and tone marks, kana voicing marks) and the
/// halfwidth voicing marks U+FF9E, U+FF9F (NFKC composes ｶﾞ into ガ).
pub(super) fn extends_segment(c: char) -> bool {
    is_combining_mark(c) || c == '\u{FF9E}' || c == '\u{FF9F}'
}

/// The end of the [`is_segmented`] word that starts at `start` (its first
/// character is `width` bytes long): the characters that
/// [`extends_segment`] after it.
fn segment_end(text: &[u8], start: usize, width: usize) -> usize {
    let mut end = start + width;
    while end < text.len() && text[end] >= 0x80 {
        let (c, width) = decode_at(text, end);
        if !extends_segment(c) {
            break;
        }
        end += width;
    }
    end
}

/// Read the [`is_segmented`] word starting at `start` and return the hash of
/// its normalized form and the offset just past it.
#[inline(never)]
pub(super) fn scan_segment(text: &[u8], start: usize, scratch: &mut Scratch) -> (u64, usize) {
    let (c, width) = decode_at(text, start);
    let end = segment_end(text, start, width);
    if end == start + width && normalizes_to_itself(c, scratch.options) {
        return (xxhash_rust::xxh3::xxh3_64(&text[start..end]), end);
    }
    let original = String::from_utf8_lossy(&text[start..end]);
    normalize_into(&original, scratch.options, &mut scratch.string);
    (xxhash_rust::xxh3::xxh3_64(scratch.string.as_bytes()), end)
}

/// Whether the normalized form of the one-character word `c` is `c`: true
/// for the CJK unified ideographs (no decomposition, no case) and, without
/// accent folding (which takes the voicing marks off が), for the Hiragana
/// and Katakana letters; the unit tests check every one. Such words skip
/// NFKC: Chinese text is tokenized several times faster.
#[inline]
fn normalizes_to_itself(c: char, options: NormalizeOptions) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF)
        || (!options.fold_accents && matches!(c as u32, 0x3041..=0x3096 | 0x30A1..=0x30FA))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{normalize_word, ALL_OPTIONS};

    #[test]
    fn characters_that_normalize_to_themselves() {
        for c in (0x3000..=0xA000).filter_map(char::from_u32) {
            for options in ALL_OPTIONS {
                if normalizes_to_itself(c, options) {
                    assert!(is_segmented(c), "{c:?}");
                    assert_eq!(normalize_word(&c.to_string(), options), c.to_string());
                }
            }
        }
    }
}
