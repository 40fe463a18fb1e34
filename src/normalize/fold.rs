//! The normalized form of a word: NFKC (or NFKD without combining marks when
//! accents are folded), lowercase, apostrophes folded to `'`, ignorable
//! characters dropped; and the table of Latin lowercase letters that lets
//! the word scanner skip NFKC for the letters it leaves alone.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::chars::{is_apostrophe, is_ignorable};
use super::NormalizeOptions;

/// The normalized form of one word, as hashed (exposed for tests and tools).
pub fn normalize_word(word: &str, options: NormalizeOptions) -> String {
    let mut out = String::new();
    normalize_into(word, options, &mut out);
    out
}

pub(super) fn normalize_into(word: &str, options: NormalizeOptions, out: &mut String) {
    out.clear();
    let fold = |c: char| if is_apostrophe(c) { '\'' } else { c };
    let kept = word.chars().filter(|c| !is_ignorable(*c));
    if options.fold_accents {
        for c in kept.nfkd().filter(|c| !is_combining_mark(*c)) {
            out.extend(c.to_lowercase().map(fold));
        }
    } else {
        for c in kept.nfkc() {
            out.extend(c.to_lowercase().map(fold));
        }
    }
}

/// First character of the Latin range with a precomputed lowercase.
const LATIN_FIRST: u32 = 0xC0;
/// Number of characters in the Latin range (U+00C0..=U+017F).
pub(super) const LATIN_LEN: usize = 0xC0;

/// For U+00C0..=U+017F: the UTF-8 bytes of the lowercase of the character
/// when NFKC leaves it unchanged and lowercasing gives one character (always
/// two bytes), else `[0, 0]` (see [`simple_lowercase`], which defines it). A
/// table lookup replaces the binary search of `char::to_lowercase` and the
/// UTF-8 encoding for every accented letter.
pub(super) fn latin_lowercase_table() -> &'static [[u8; 2]; LATIN_LEN] {
    static TABLE: std::sync::OnceLock<[[u8; 2]; LATIN_LEN]> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [[0u8; 2]; LATIN_LEN];
        for (offset, entry) in table.iter_mut().enumerate() {
            let c = char::from_u32(LATIN_FIRST + offset as u32).expect("Latin letter");
            if let Some(lower) = simple_lowercase(c, false) {
                lower.encode_utf8(entry);
                assert_eq!(lower.len_utf8(), 2, "{lower:?}");
            }
        }
        table
    })
}

/// [`simple_lowercase`], as UTF-8, for a non-ASCII `c`, through the table.
#[inline]
pub(super) fn latin_lowercase(
    c: char,
    fold_accents: bool,
    table: &[[u8; 2]; LATIN_LEN],
) -> Option<[u8; 2]> {
    if fold_accents {
        return None;
    }
    let offset = (c as u32).wrapping_sub(LATIN_FIRST) as usize;
    match table.get(offset) {
        Some(&lower) if lower != [0, 0] => Some(lower),
        _ => None,
    }
}

/// The lowercase form of `c` when NFKC leaves `c` unchanged and lowercasing
/// gives one character; `None` sends the word to the full path.
pub(super) fn simple_lowercase(c: char, fold_accents: bool) -> Option<char> {
    if c.is_ascii() {
        return Some(c.to_ascii_lowercase());
    }
    if fold_accents
        || !('\u{C0}'..='\u{17F}').contains(&c)
        || matches!(
            c,
            '\u{D7}'
                | '\u{F7}'
                | '\u{130}'
                | '\u{132}'
                | '\u{133}'
                | '\u{13F}'
                | '\u{140}'
                | '\u{149}'
                | '\u{17F}'
        )
    {
        return None;
    }
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => Some(l),
        _ => None,
    }
}
