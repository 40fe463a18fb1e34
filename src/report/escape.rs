//! Escaping for human-facing output: text that a document or a file name
//! controls must not control the reader's terminal or spreadsheet (issue 13,
//! items 12 and 13).
//!
//! - [`for_terminal`]: a document can hold an escape sequence (an OSC 52
//!   clipboard write, a screen clear, a fake prompt) and a file name can hold
//!   a right-to-left override that shows `gnp.exe` as `exe.png`. Every
//!   control character and every bidirectional formatting character is
//!   written as a visible escape instead: `\n`, `\t`, `\r`, and `\u{1b}`,
//!   `\u{9b}`, `\u{202e}` (lowercase hexadecimal) for the others. The text
//!   report collapses white space in excerpts, so it needs no raw tab or line
//!   feed from a document: every field is escaped whole. A backslash is left
//!   as it is (Windows paths stay readable), so `\u{1b}` written literally in
//!   a document looks the same as an escaped ESC; the terminal is safe either
//!   way.
//! - [`for_spreadsheet`]: a CSV cell starting with `=`, `+`, `-`, `@`, a tab
//!   or a carriage return is run as a formula by spreadsheet programs; as
//!   OWASP recommends, such a cell gets a leading `'`.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal raw: C0 controls (with tab and line
/// feed), DEL, C1 controls, and the bidirectional formatting characters
/// (ALM U+061C, LRM/RLM U+200E-U+200F, embeddings and overrides
/// U+202A-U+202E, isolates U+2066-U+2069).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1F}'
        | '\u{7F}'..='\u{9F}'
        | '\u{61C}'
        | '\u{200E}' | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe`] character written as a visible escape;
/// borrowed when there is none.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell that a spreadsheet will not run as a formula: `'` prefixed to
/// a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return.
pub fn for_spreadsheet(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_visibly() {
        let cases = [
            ("plain text, déjà vu ✓", "plain text, déjà vu ✓"),
            (
                "a\u{1b}]52;c;SGVsbG8=\u{7}b",
                "a\\u{1b}]52;c;SGVsbG8=\\u{7}b",
            ),
            ("\u{1b}[2J\u{1b}[H", "\\u{1b}[2J\\u{1b}[H"),
            ("line\nnext\ttab\rcr", "line\\nnext\\ttab\\rcr"),
            (
                "del\u{7f} csi\u{9b} nel\u{85}",
                "del\\u{7f} csi\\u{9b} nel\\u{85}",
            ),
            ("evil\u{202e}gnp.exe", "evil\\u{202e}gnp.exe"),
            (
                "\u{2066}\u{2067}\u{2068}\u{2069}",
                "\\u{2066}\\u{2067}\\u{2068}\\u{2069}",
            ),
            (
                "\u{200e}\u{200f}\u{61c}\u{202a}",
                "\\u{200e}\\u{200f}\\u{61c}\\u{202a}",
            ),
            ("nul\u{0}", "nul\\u{0}"),
            ("عربي עברית", "عربي עברית"),
        ];
        for (input, expected) in cases {
            assert_eq!(for_terminal(input), expected, "{input:?}");
        }
        assert!(matches!(for_terminal("ok"), Cow::Borrowed(_)));
    }

    #[test]
    fn formula_cells_get_a_quote() {
        for (cell, expected) in [
            ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
            ("+1", "'+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("a=b", "a=b"),
            (" =x", " =x"),
            ("", ""),
        ] {
            assert_eq!(for_spreadsheet(cell), expected, "{cell:?}");
        }
    }
}
