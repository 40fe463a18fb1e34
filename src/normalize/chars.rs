//! Character classes of the tokenizer (word characters, apostrophes, line
//! breaks, the invisible characters ignored inside a word) and the decoding
//! of one UTF-8 character at a byte offset, invalid bytes included.

use unicode_normalization::char::is_combining_mark;

use super::segmented::is_segmented;

/// Word characters: letters, digits and combining marks (for decomposed accents).
pub(super) fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{C0}'..='\u{24F}').contains(&c) {
        // Latin-1 Supplement letters and Latin Extended-A/B: all letters but × and ÷.
        c != '\u{D7}' && c != '\u{F7}'
    } else {
        c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Characters that are ignored inside a word: the soft hyphen (U+00AD),
/// the zero-width space, non-joiner and joiner (U+200B..U+200D), the word
/// joiner (U+2060) and the zero-width no-break space or BOM (U+FEFF). They are
/// invisible, and editors and web pages put them inside words (hyphenation
/// points, line-breaking hints), so `ex\u{AD}ample` is the word `example`,
/// still spanning every original byte. Elsewhere they separate, as other
/// non-word characters do.
pub(super) fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Whether `c` continues a word of other characters: a word character that is
/// not [`is_segmented`].
#[inline]
pub(super) fn continues_word(c: char) -> bool {
    is_word_char(c) && !(c >= '\u{E00}' && is_segmented(c))
}

pub(super) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '\u{2032}' | '\u{FF07}' | '`'
    )
}

pub(super) fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Whether the character at `text[at]` continues a word (see
/// [`continues_word`]).
pub(super) fn next_is_alphanumeric(text: &[u8], at: usize) -> bool {
    if at >= text.len() {
        return false;
    }
    let (c, _) = bstr::decode_utf8(&text[at..]);
    c.is_some_and(continues_word)
}

/// Whether a word goes on after the [`is_ignorable`] characters from `at`:
/// the first other character continues it.
pub(super) fn continues_after_ignorables(text: &[u8], mut at: usize) -> bool {
    while at < text.len() {
        let (c, width) = bstr::decode_utf8(&text[at..]);
        match c {
            Some(c) if is_ignorable(c) => at += width,
            Some(c) => return continues_word(c),
            None => return false,
        }
    }
    false
}

/// The character at `text[at]` (a lead byte) and its width; invalid UTF-8
/// decodes to U+FFFD over its maximal invalid prefix, as `bstr` does.
#[inline]
pub(super) fn decode_at(text: &[u8], at: usize) -> (char, usize) {
    let byte = text[at];
    if byte < 0x80 {
        return (byte as char, 1);
    }
    if (0xC2..=0xDF).contains(&byte) {
        // A valid two-byte sequence (accented Latin letters), decoded inline;
        // anything else goes to bstr.
        if let Some(&next) = text.get(at + 1) {
            if next & 0xC0 == 0x80 {
                let code = u32::from(byte & 0x1F) << 6 | u32::from(next & 0x3F);
                return (char::from_u32(code).expect("U+0080..U+07FF"), 2);
            }
        }
    }
    let (c, width) = bstr::decode_utf8(&text[at..]);
    (c.unwrap_or('\u{FFFD}'), width.max(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn latin_range_word_chars_match_unicode() {
        for c in ('\u{C0}'..='\u{24F}').filter(|c| *c != '\u{D7}' && *c != '\u{F7}') {
            assert!(c.is_alphanumeric(), "{c:?}");
        }
    }
}
