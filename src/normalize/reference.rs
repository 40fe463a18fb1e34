//! The implementation of [`tokenize`] as of commit 9195a18, before the
//! throughput work, kept as the reference for the differential tests in
//! `normalize/differential.rs`: the optimized tokenizer must give the same
//! tokens (hashes and offsets) and breaks for every input and every option.
//! Only the scanning and hashing that the optimization rewrote are kept here;
//! the character classes and the full normalization, which it did not change,
//! are the module's own. Since then, in the same character-at-a-time style:
//! ignorable characters inside a word ([`is_ignorable`]) and one word per
//! character of the scripts written without spaces ([`is_segmented`]).

use super::chars::{
    continues_after_ignorables, is_apostrophe, is_ignorable, is_line_break, is_word_char,
    next_is_alphanumeric,
};
use super::fold::{normalize_into, simple_lowercase};
use super::segmented::{extends_segment, is_segmented};
use super::{NormalizeOptions, Token, TokenStream};

/// Tokenize and normalize a document.
pub(crate) fn tokenize(text: &[u8], options: NormalizeOptions) -> TokenStream {
    let mut stream = TokenStream {
        tokens: Vec::with_capacity(text.len() / 6),
        breaks: Vec::new(),
    };
    let mut word = WordBuilder::new(options);
    let mut pending_break = false;
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        if byte.is_ascii_alphanumeric() {
            // Fast path: a run of ASCII letters and digits at once.
            let run = text[i..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(text.len() - i);
            if word.segmented {
                if let Some(token) = word.finish(text) {
                    stream.tokens.push(token);
                }
            }
            if !word.active() && pending_break {
                stream.breaks.push(stream.tokens.len() as u32);
                pending_break = false;
            }
            word.push_ascii(&text[i..i + run], i);
            i += run;
            continue;
        }
        let (c, width) = if byte < 0x80 {
            (byte as char, 1)
        } else {
            let (c, width) = bstr::decode_utf8(&text[i..]);
            (c.unwrap_or('\u{FFFD}'), width.max(1))
        };
        if is_word_char(c) {
            let extends = word.segmented && extends_segment(c);
            if (word.segmented && !extends) || (is_segmented(c) && word.active()) {
                if let Some(token) = word.finish(text) {
                    stream.tokens.push(token);
                }
            }
            if !word.active() && pending_break {
                stream.breaks.push(stream.tokens.len() as u32);
                pending_break = false;
            }
            if !extends && is_segmented(c) {
                word.segmented = true;
            }
            word.push(c, i, width);
        } else if is_apostrophe(c)
            && word.active()
            && !word.segmented
            && next_is_alphanumeric(text, i + width)
        {
            word.push('\'', i, width);
        } else if is_ignorable(c)
            && word.active()
            && !word.segmented
            && continues_after_ignorables(text, i + width)
        {
            // Inside the word's range, not in its normalized form.
            word.end = i + width;
        } else {
            if let Some(token) = word.finish(text) {
                stream.tokens.push(token);
            }
            if is_line_break(c) && !stream.tokens.is_empty() {
                pending_break = true;
            }
        }
        i += width;
    }
    if let Some(token) = word.finish(text) {
        stream.tokens.push(token);
    }
    stream
}

/// Accumulates one word: its byte range and, on the fast path, its normalized
/// bytes. The fast path covers words made only of ASCII and of the Latin-1 and
/// Latin Extended-A letters that NFKC leaves alone (nearly every French,
/// Spanish or German word), where normalizing is a per-character lowercase;
/// anything else takes the full NFKC path.
struct WordBuilder {
    options: NormalizeOptions,
    /// The word is one character of a script without spaces (and its marks).
    segmented: bool,
    start: usize,
    end: usize,
    simple: bool,
    bytes: Vec<u8>,
    scratch: String,
}

impl WordBuilder {
    fn new(options: NormalizeOptions) -> Self {
        WordBuilder {
            options,
            segmented: false,
            start: usize::MAX,
            end: 0,
            simple: true,
            bytes: Vec::with_capacity(64),
            scratch: String::with_capacity(64),
        }
    }

    fn active(&self) -> bool {
        self.start != usize::MAX
    }

    /// Push a run of ASCII letters and digits starting at byte `at`.
    #[inline]
    fn push_ascii(&mut self, run: &[u8], at: usize) {
        if !self.active() {
            self.start = at;
            self.simple = true;
            self.bytes.clear();
        }
        self.end = at + run.len();
        if self.simple {
            self.bytes.extend(run.iter().map(u8::to_ascii_lowercase));
        }
    }

    #[inline]
    fn push(&mut self, c: char, at: usize, width: usize) {
        if !self.active() {
            self.start = at;
            self.simple = true;
            self.bytes.clear();
        }
        self.end = at + width;
        if self.simple {
            match simple_lowercase(c, self.options.fold_accents) {
                Some(lower) if lower.is_ascii() => self.bytes.push(lower as u8),
                Some(lower) => {
                    let mut buffer = [0u8; 4];
                    self.bytes
                        .extend_from_slice(lower.encode_utf8(&mut buffer).as_bytes());
                }
                None => self.simple = false,
            }
        }
    }

    fn finish(&mut self, text: &[u8]) -> Option<Token> {
        if !self.active() {
            return None;
        }
        let (start, end) = (self.start, self.end);
        self.start = usize::MAX;
        self.segmented = false;
        let hash = if self.simple {
            xxhash_rust::xxh3::xxh3_64(&self.bytes)
        } else {
            let original = String::from_utf8_lossy(&text[start..end]);
            normalize_into(&original, self.options, &mut self.scratch);
            xxhash_rust::xxh3::xxh3_64(self.scratch.as_bytes())
        };
        Some(Token {
            hash,
            start: start as u32,
            end: end as u32,
        })
    }
}
