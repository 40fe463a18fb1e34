//! Normalize: split a document's original bytes into word [`Token`]s, each with
//! the hash of its normalized form and its byte range in the original text.
//!
//! Word boundaries are decided on the original characters (a word is a run of
//! alphanumeric characters and combining marks; an apostrophe between two such
//! characters stays inside the word, so `l’entreprise` is one word). Each word is
//! then normalized on its own: Unicode NFKC, lowercase, every apostrophe-like
//! character folded to `'`, and optionally accents removed. Because a token is a
//! contiguous slice of the original, the offset map back to the original bytes is
//! exact by construction: re-normalizing `text[token.start..token.end]` gives the
//! same token. Quotes, dashes and other punctuation are separators, so their
//! typographic variants cannot make two copies differ.
//!
//! Invisible characters inside a word (soft hyphen, zero-width space, joiners,
//! BOM: [`is_ignorable`]) stay in its byte range but not in its normalized
//! form. Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
//! Myanmar: [`is_segmented`]) give one word per character and its combining
//! marks, so their n-grams are n-grams of characters.
//!
//! Line breaks (`\n`, `\r\n`, lone `\r`, U+2028, U+2029) are recorded as paragraph
//! boundaries for the segmenter. Invalid UTF-8 decodes to U+FFFD, a separator,
//! without shifting offsets. ASCII words take a fast path with no allocation.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

#[cfg(test)]
mod reference;

/// One word of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// xxh3-64 of the normalized word.
    pub hash: u64,
    /// Byte offset of the word's first byte in the original text.
    pub start: u32,
    /// Byte offset just past the word's last byte (half-open).
    pub end: u32,
}

/// How words are normalized.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NormalizeOptions {
    /// Remove accents (`é` matches `e`).
    pub fold_accents: bool,
}

/// The tokens of one document and where its paragraphs start.
#[derive(Debug, Default, Clone)]
pub struct TokenStream {
    /// Words in text order.
    pub tokens: Vec<Token>,
    /// Index of the first token of every paragraph after the first, ascending.
    pub breaks: Vec<u32>,
}

/// Tokenize and normalize a document.
///
/// The text is classified 64 bytes at a time into bit masks (see
/// [`Block`]); words are then found from the masks' bits, with no branch
/// per byte. A run of ASCII letters and digits, or of those and Latin-1
/// letters, that an ASCII separator other than an apostrophe ends (nearly
/// every French or English word) is hashed straight away; any other run
/// (other scripts, apostrophes, non-ASCII separators, invalid UTF-8, runs
/// across a block's end) goes through [`Tokenizer::scalar`], one character
/// at a time, until the next ASCII separator.
pub fn tokenize(text: &[u8], options: NormalizeOptions) -> TokenStream {
    let mut stream = TokenStream::default();
    tokenize_into(text, options, &mut stream);
    stream
}

/// [`tokenize`] into `stream`, replacing what it held but reusing its memory.
pub fn tokenize_into(text: &[u8], options: NormalizeOptions, stream: &mut TokenStream) {
    stream.tokens.clear();
    stream.breaks.clear();
    stream.tokens.reserve(text.len() / 6);
    let mut tokenizer = Tokenizer {
        text,
        stream,
        scratch: Scratch::new(options),
        pending_break: false,
    };
    // Every byte before `cursor` is consumed; `cursor` is 0, the end of the
    // text or an ASCII separator (a byte of no word).
    let mut cursor = 0;
    let mut block_at = 0;
    'blocks: while block_at < text.len() {
        let block = Block::at(text, block_at);
        let before = block_at > 0 && is_word_byte(text[block_at - 1]);
        let mut starts = block.word & !(block.word << 1 | u64::from(before));
        while starts != 0 {
            let offset = starts.trailing_zeros() as usize;
            let start = block_at + offset;
            // Line breaks between the last word and this one.
            let gap = (cursor - block_at)..offset;
            if block.newline & bits(gap) != 0 && !tokenizer.stream.tokens.is_empty() {
                tokenizer.pending_break = true;
            }
            let rest = !block.word >> offset;
            if rest == 0 && offset > 0 {
                // The run goes on past the block: classify from its start.
                cursor = start;
                block_at = start;
                continue 'blocks;
            }
            cursor = match (rest != 0)
                .then(|| start + rest.trailing_zeros() as usize)
                .and_then(|end| tokenizer.fast_word(&block, block_at, start, end))
            {
                Some(end) => end,
                None => tokenizer.scalar(start),
            };
            if cursor >= block_at + BLOCK {
                break;
            }
            starts &= !0u64 << (cursor - block_at);
        }
        let block_end = block_at + BLOCK;
        if cursor < block_end {
            let from = cursor - block_at;
            if block.newline >> from != 0 && !tokenizer.stream.tokens.is_empty() {
                tokenizer.pending_break = true;
            }
            cursor = block_end;
        }
        block_at = cursor;
    }
}

/// Bytes classified at once by [`Block::at`].
const BLOCK: usize = 64;

/// The bits `range` of a `u64` (`range.end` below 64: a run or gap that
/// reaches a block's end is never asked for).
#[inline]
fn bits(range: std::ops::Range<usize>) -> u64 {
    debug_assert!(range.end < 64);
    ((1u64 << range.end) - 1) & !((1u64 << range.start) - 1)
}

/// Whether `byte` can be part of a word run: an ASCII letter or digit, or
/// any byte of a non-ASCII character (decided later, character by character).
#[inline]
fn is_word_byte(byte: u8) -> bool {
    byte >= 0x80 || byte.is_ascii_alphanumeric()
}

/// Classes of the [`BLOCK`] bytes from an offset of the text: bit `k` of each
/// mask describes byte `k` (bytes past the end of the text read as NUL, a
/// separator).
#[derive(Debug, Default, PartialEq, Eq)]
struct Block {
    /// [`is_word_byte`].
    word: u64,
    /// Non-ASCII bytes.
    high: u64,
    /// `\n` and `\r`.
    newline: u64,
    /// `'` and `` ` ``, which may join two words' letters.
    quote: u64,
    /// 0xC3, the lead byte of U+00C0..U+00FF.
    c3: u64,
    /// 0x80..=0xBF but 0x97 and 0xB7: a continuation byte that makes a
    /// Latin-1 letter after 0xC3 (not × or ÷).
    latin_tail: u64,
}

impl Block {
    /// The classes of `text[at..at + BLOCK]`.
    #[inline]
    fn at(text: &[u8], at: usize) -> Block {
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

    /// Add the masks of bytes `at..` (word, high, newline, quote, c3,
    /// latin_tail).
    #[inline]
    fn add(&mut self, masks: [u64; 6], at: usize) {
        self.word |= masks[0] << at;
        self.high |= masks[1] << at;
        self.newline |= masks[2] << at;
        self.quote |= masks[3] << at;
        self.c3 |= masks[4] << at;
        self.latin_tail |= masks[5] << at;
    }
}

/// The state of [`tokenize`].
struct Tokenizer<'t> {
    text: &'t [u8],
    stream: &'t mut TokenStream,
    scratch: Scratch,
    /// A line break was passed since the last word.
    pending_break: bool,
}

impl Tokenizer<'_> {
    #[inline]
    fn push(&mut self, hash: u64, start: usize, end: usize) {
        if self.pending_break {
            self.stream.breaks.push(self.stream.tokens.len() as u32);
            self.pending_break = false;
        }
        self.stream.tokens.push(Token {
            hash,
            start: start as u32,
            end: end as u32,
        });
    }

    /// The word run `text[start..end]` of `block` (at `block_at`) when it is
    /// a word of ASCII letters and digits, or of those and Latin-1 letters,
    /// that an ASCII separator other than an apostrophe ends: pushed, and
    /// its end returned. `None` for any other run.
    #[inline]
    fn fast_word(
        &mut self,
        block: &Block,
        block_at: usize,
        start: usize,
        end: usize,
    ) -> Option<usize> {
        let (from, to) = (start - block_at, end - block_at);
        if block.quote >> to & 1 != 0 {
            return None;
        }
        let run = bits(from..to);
        let high = block.high & run;
        let c3 = block.c3 & run;
        let tails = c3 << 1;
        // Non-ASCII bytes only as Latin-1 letters (C3 then a letter's
        // byte), and none at all when accents are folded. The Latin-1
        // hash is the ASCII one on ASCII words: one path, no branch on
        // whether a word has accents.
        let folded = self.scratch.options.fold_accents && high != 0;
        if high != c3 | tails || tails & !block.latin_tail != 0 || folded {
            return None;
        }
        let hash = hash_latin1_word(self.text, start, end);
        self.push(hash, start, end);
        Some(end)
    }

    /// Tokenize one character or word at a time from `from` (the start of a
    /// word run) up to the next ASCII separator after it (or the end of the
    /// text), and return where it stopped.
    #[inline(never)]
    fn scalar(&mut self, from: usize) -> usize {
        let text = self.text;
        let mut i = from;
        while i < text.len() {
            let byte = text[i];
            if byte < 0x80 && !byte.is_ascii_alphanumeric() {
                if i > from {
                    // An ASCII separator: the block loop takes over.
                    break;
                }
                i += 1;
                continue;
            }
            if byte >= 0x80 {
                let (c, width) = decode_at(text, i);
                if !is_word_char(c) {
                    if is_line_break(c) && !self.stream.tokens.is_empty() {
                        self.pending_break = true;
                    }
                    i += width;
                    continue;
                }
            }
            // A word starts at `i`.
            let (hash, end) = if byte >= 0xE0 && is_segmented(decode_at(text, i).0) {
                scan_segment(text, i, &mut self.scratch)
            } else {
                scan_word(text, i, &mut self.scratch)
            };
            self.push(hash, i, end);
            i = end;
        }
        i
    }
}

/// The normalized form of one word, as hashed (exposed for tests and tools).
pub fn normalize_word(word: &str, options: NormalizeOptions) -> String {
    let mut out = String::new();
    normalize_into(word, options, &mut out);
    out
}

fn normalize_into(word: &str, options: NormalizeOptions, out: &mut String) {
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

/// Word characters: letters, digits and combining marks (for decomposed accents).
fn is_word_char(c: char) -> bool {
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
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Word characters of scripts written without spaces between words: Han,
/// Hiragana and Katakana (Chinese and Japanese), Thai, Lao, Khmer and
/// Myanmar. Each such character, with the combining marks after it, is a
/// word of its own (see [`extends_segment`]), so a copied sentence shares its
/// n-grams of characters instead of being one long unmatched word. Combining
/// marks are not in this class.
fn is_segmented(c: char) -> bool {
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
fn extends_segment(c: char) -> bool {
    is_combining_mark(c) || c == '\u{FF9E}' || c == '\u{FF9F}'
}

/// Whether `c` continues a word of other characters: a word character that is
/// not [`is_segmented`].
#[inline]
fn continues_word(c: char) -> bool {
    is_word_char(c) && !(c >= '\u{E00}' && is_segmented(c))
}

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '\u{2032}' | '\u{FF07}' | '`'
    )
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Whether the character at `text[at]` continues a word (see
/// [`continues_word`]).
fn next_is_alphanumeric(text: &[u8], at: usize) -> bool {
    if at >= text.len() {
        return false;
    }
    let (c, _) = bstr::decode_utf8(&text[at..]);
    c.is_some_and(continues_word)
}

/// Whether a word goes on after the [`is_ignorable`] characters from `at`:
/// the first other character continues it.
fn continues_after_ignorables(text: &[u8], mut at: usize) -> bool {
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

/// The character at `text[at]` (a lead byte) and its width; invalid UTF-8
/// decodes to U+FFFD over its maximal invalid prefix, as `bstr` does.
#[inline]
fn decode_at(text: &[u8], at: usize) -> (char, usize) {
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

/// Length of the run of ASCII letters and digits at the start of `bytes`.
///
/// Classifies eight bytes at a time (see [`non_alnum_mask`]): the end of a
/// word is found without a branch per byte, so the branch predictor does
/// not have to guess word lengths.
#[inline]
fn ascii_alnum_run(bytes: &[u8]) -> usize {
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
fn ascii_alnum_lower(byte: u8) -> u8 {
    byte | 0x20
}

/// Buffers reused from word to word.
struct Scratch {
    options: NormalizeOptions,
    /// The normalized bytes of the current word, on the fast path.
    bytes: Vec<u8>,
    /// The normalized form of a word that takes the full NFKC path.
    string: String,
    /// [`latin_lowercase_table`], fetched once.
    latin: &'static [[u8; 2]; LATIN_LEN],
}

impl Scratch {
    fn new(options: NormalizeOptions) -> Self {
        Scratch {
            options,
            bytes: Vec::with_capacity(64),
            string: String::new(),
            latin: latin_lowercase_table(),
        }
    }
}

/// Read the word starting at `start` (a word character) and return the hash
/// of its normalized form and the offset just past it.
///
/// Words of ASCII letters and digits and of Latin-1 letters (U+00C0..U+00FF
/// but × and ÷, encoded C3 80..C3 BF) followed by an ASCII separator (nearly
/// every French or English word) take a fast path: their normalized form has
/// the same length and is a per-byte function of the original, hashed
/// straight from the text (see [`hash_latin1_word`]). Other words made only
/// of ASCII and of the Latin-1 and Latin Extended-A letters that NFKC leaves
/// alone are normalized on the fly by a per-character lowercase into
/// `scratch.bytes`; any other character sends the word to the full NFKC
/// path, on the original slice, once its end is known.
#[inline]
fn scan_word(text: &[u8], start: usize, scratch: &mut Scratch) -> (u64, usize) {
    // An ASCII separator ends a word, unless it is an apostrophe (which may
    // join the next letters).
    let ends_word = |at: usize| match text.get(at) {
        None => true,
        Some(&next) => next < 0x80 && next != b'\'' && next != b'`',
    };
    let run_end = start + ascii_alnum_run(&text[start..]);
    if ends_word(run_end) {
        return (hash_ascii_word(text, start, run_end), run_end);
    }
    if !scratch.options.fold_accents {
        let mut end = run_end;
        while let [0xC3, next, ..] = text[end..] {
            if next & 0xC0 != 0x80 || next == 0x97 || next == 0xB7 {
                break; // Invalid UTF-8, ×, ÷: separators.
            }
            end += 2;
            end += ascii_alnum_run(&text[end..]);
        }
        if end > run_end && ends_word(end) {
            return (hash_latin1_word(text, start, end), end);
        }
    }
    scan_other_word(text, start, run_end, scratch)
}

/// [`scan_word`] for the words that leave its fast paths: `text[start..run_end]`
/// is the leading run of ASCII letters and digits. Kept out of line so that
/// the fast paths stay compact.
#[inline(never)]
fn scan_other_word(
    text: &[u8],
    start: usize,
    run_end: usize,
    scratch: &mut Scratch,
) -> (u64, usize) {
    let bytes = &mut scratch.bytes;
    bytes.clear();
    bytes.extend(text[start..run_end].iter().map(|&b| ascii_alnum_lower(b)));
    let mut simple = true;
    let mut i = run_end;
    while i < text.len() {
        let byte = text[i];
        if byte.is_ascii_alphanumeric() {
            let run = ascii_alnum_run(&text[i..]);
            if simple {
                bytes.extend(text[i..i + run].iter().map(|&b| ascii_alnum_lower(b)));
            }
            i += run;
            continue;
        }
        let (c, width) = decode_at(text, i);
        if continues_word(c) {
            if simple {
                match latin_lowercase(c, scratch.options.fold_accents, scratch.latin) {
                    Some(lower) => bytes.extend_from_slice(&lower),
                    None => simple = false,
                }
            }
        } else if is_apostrophe(c) && next_is_alphanumeric(text, i + width) {
            if simple {
                bytes.push(b'\'');
            }
        } else if !(is_ignorable(c) && continues_after_ignorables(text, i + width)) {
            break;
        }
        i += width;
    }
    let hash = if simple {
        xxhash_rust::xxh3::xxh3_64(bytes)
    } else {
        let original = String::from_utf8_lossy(&text[start..i]);
        normalize_into(&original, scratch.options, &mut scratch.string);
        xxhash_rust::xxh3::xxh3_64(scratch.string.as_bytes())
    };
    (hash, i)
}

/// Read the [`is_segmented`] word starting at `start` and return the hash of
/// its normalized form and the offset just past it.
#[inline(never)]
fn scan_segment(text: &[u8], start: usize, scratch: &mut Scratch) -> (u64, usize) {
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

/// xxh3-64 of the ASCII word of letters and digits `text[start..end]`,
/// lowercased.
#[inline]
fn hash_ascii_word(text: &[u8], start: usize, end: usize) -> u64 {
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
fn hash_latin1_word(text: &[u8], start: usize, end: usize) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F * ONES;
    // High bit of every byte of `x` that is not zero (exact, no carries).
    let nonzero = |x: u64| ((x & LOW7).wrapping_add(LOW7) | x) & !LOW7;
    let lower = |bytes: u64| {
        let keep = nonzero(bytes ^ (0xC3 * ONES)) & nonzero(bytes ^ (0x9F * ONES));
        bytes | (keep >> 2)
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
/// store forwarding).
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
    // The last 8 bytes (from `start` for shorter words: unused then).
    let last8 = read64(end.max(start + 8) - 8);
    let n = len as u64;
    // The three length classes are all computed and one is picked: word
    // lengths are random, so a branch on them would often mispredict.

    // 9 to 16 bytes: the first and last eight bytes, folded 128-bit product.
    let low = first8 ^ FLIP_9_TO_16_LOW;
    let high = last8 ^ FLIP_9_TO_16_HIGH;
    let product = u128::from(low) * u128::from(high);
    let mut h9 = n
        .wrapping_add(low.swap_bytes())
        .wrapping_add(high)
        .wrapping_add(product as u64 ^ (product >> 64) as u64);
    h9 ^= h9 >> 37;
    h9 = h9.wrapping_mul(PRIME_MX1);
    h9 ^= h9 >> 32;

    // 4 to 8 bytes: the first and last four bytes, then rrmxmx.
    let first4 = first8 & 0xFFFF_FFFF;
    let last4 = (first8 >> ((8 * len.saturating_sub(4)) & 63)) & 0xFFFF_FFFF;
    let mut h4 = last4.wrapping_add(first4 << 32) ^ FLIP_4_TO_8;
    h4 ^= h4.rotate_left(49) ^ h4.rotate_left(24);
    h4 = h4.wrapping_mul(PRIME_MX2);
    h4 ^= (h4 >> 35).wrapping_add(n);
    h4 = h4.wrapping_mul(PRIME_MX2);
    h4 ^= h4 >> 28;

    // 1 to 3 bytes: first, middle and last byte, and the length.
    let byte = |at: usize| (first8 >> ((8 * at) & 63)) & 0xFF;
    let combo = byte(0) << 16 | byte(len >> 1) << 24 | byte(len - 1) | n << 8;
    let mut h1 = combo ^ FLIP_1_TO_3;
    h1 ^= h1 >> 33;
    h1 = h1.wrapping_mul(PRIME64_2);
    h1 ^= h1 >> 29;
    h1 = h1.wrapping_mul(PRIME64_3);
    h1 ^= h1 >> 32;

    match len {
        9.. => h9,
        4..=8 => h4,
        _ => h1,
    }
}

/// First character of the Latin range with a precomputed lowercase.
const LATIN_FIRST: u32 = 0xC0;
/// Number of characters in the Latin range (U+00C0..=U+017F).
const LATIN_LEN: usize = 0xC0;

/// For U+00C0..=U+017F: the UTF-8 bytes of the lowercase of the character
/// when NFKC leaves it unchanged and lowercasing gives one character (always
/// two bytes), else `[0, 0]` (see [`simple_lowercase`], which defines it). A
/// table lookup replaces the binary search of `char::to_lowercase` and the
/// UTF-8 encoding for every accented letter.
fn latin_lowercase_table() -> &'static [[u8; 2]; LATIN_LEN] {
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
fn latin_lowercase(c: char, fold_accents: bool, table: &[[u8; 2]; LATIN_LEN]) -> Option<[u8; 2]> {
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
fn simple_lowercase(c: char, fold_accents: bool) -> Option<char> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rayon::prelude::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text.as_bytes(), NormalizeOptions::default())
            .tokens
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect()
    }

    fn hashes(text: &str, options: NormalizeOptions) -> Vec<u64> {
        tokenize(text.as_bytes(), options)
            .tokens
            .iter()
            .map(|t| t.hash)
            .collect()
    }

    #[test]
    fn apostrophes_stay_inside_words_and_fold() {
        assert_eq!(
            words("l’entreprise d'avoir 'cité'"),
            ["l’entreprise", "d'avoir", "cité"]
        );
        let opts = NormalizeOptions::default();
        assert_eq!(hashes("L’Entreprise", opts), hashes("l'entreprise", opts));
    }

    #[test]
    fn nfkc_case_and_accents() {
        let opts = NormalizeOptions::default();
        assert_eq!(hashes("ﬁn CAFÉ", opts), hashes("fin café", opts));
        // Decomposed é (e + U+0301) equals the composed one.
        assert_eq!(hashes("cafe\u{301}", opts), hashes("café", opts));
        assert_ne!(hashes("café", opts), hashes("cafe", opts));
        let folded = NormalizeOptions { fold_accents: true };
        assert_eq!(hashes("café élève", folded), hashes("cafe eleve", folded));
    }

    #[test]
    fn fast_path_agrees_with_full_normalization() {
        for c in (0u32..0x250)
            .filter_map(char::from_u32)
            .filter(|c| is_word_char(*c))
        {
            for options in [
                NormalizeOptions::default(),
                NormalizeOptions { fold_accents: true },
            ] {
                let word = format!("a{c}b");
                let fast = tokenize(word.as_bytes(), options).tokens[0].hash;
                let full = xxhash_rust::xxh3::xxh3_64(normalize_word(&word, options).as_bytes());
                assert_eq!(fast, full, "{c:?} (U+{:04X}) {options:?}", c as u32);
            }
        }
    }

    #[test]
    fn latin_range_word_chars_match_unicode() {
        for c in ('\u{C0}'..='\u{24F}').filter(|c| *c != '\u{D7}' && *c != '\u{F7}') {
            assert!(c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn ignorable_characters_do_not_split_words() {
        let opts = NormalizeOptions::default();
        let text = "ex\u{AD}am\u{200B}p\u{200C}l\u{200D}e\u{2060}s\u{FEFF}\u{AD}!";
        // One word over every original byte but the trailing ones.
        assert_eq!(
            words(text),
            ["ex\u{AD}am\u{200B}p\u{200C}l\u{200D}e\u{2060}s"]
        );
        assert_eq!(hashes(text, opts), hashes("examples", opts));
        let folded = NormalizeOptions { fold_accents: true };
        assert_eq!(hashes("é\u{AD}té", folded), hashes("ete", folded));
        assert_eq!(hashes("Élé\u{AD}ment", opts), hashes("élément", opts));
        // At a word's edges, or between words, they separate.
        assert_eq!(
            words("\u{FEFF}un \u{AD}deux\u{200B} trois\u{200B}\u{200B}.quatre"),
            ["un", "deux", "trois", "quatre"]
        );
        assert_eq!(
            words("a\u{AD} b a\u{AD}\u{AD}b"),
            ["a", "b", "a\u{AD}\u{AD}b"]
        );
        // Not before an apostrophe, a separator or a word of another script.
        assert_eq!(words("l\u{AD}'a x\u{200B}中"), ["l", "a", "x", "中"]);
    }

    #[test]
    fn scripts_without_spaces_give_a_word_per_character() {
        assert_eq!(words("中文字符"), ["中", "文", "字", "符"]);
        assert_eq!(
            words("日本語のテキスト。"),
            ["日", "本", "語", "の", "テ", "キ", "ス", "ト"]
        );
        // Thai: each letter with its vowel and tone marks.
        assert_eq!(words("สวัสดีครับ"), ["ส", "วั", "ส", "ดี", "ค", "รั", "บ"]);
        // Other words end where such a character starts, and the reverse.
        assert_eq!(words("abc中def l'中"), ["abc", "中", "def", "l", "中"]);
        // Halfwidth kana with its voicing mark: NFKC makes it ガ.
        let opts = NormalizeOptions::default();
        assert_eq!(words("ｶﾞ"), ["ｶﾞ"]);
        assert_eq!(hashes("ｶﾞ", opts), hashes("ガ", opts));
        assert_eq!(hashes("か\u{3099}", opts), hashes("が", opts));
        // Hangul is written with spaces: words as before.
        assert_eq!(words("한국어 텍스트"), ["한국어", "텍스트"]);
    }

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

    #[test]
    fn paragraph_breaks_are_recorded() {
        let stream = tokenize(
            b"one two\r\nthree\rfour\n\n\nfive",
            NormalizeOptions::default(),
        );
        assert_eq!(stream.tokens.len(), 5);
        assert_eq!(stream.breaks, [2, 3, 4]);
    }

    #[test]
    fn invalid_utf8_keeps_offsets() {
        let text = b"caf\xe9 au lait";
        let stream = tokenize(text, NormalizeOptions::default());
        let ranges: Vec<(u32, u32)> = stream.tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(ranges, [(0, 3), (5, 7), (8, 12)]);
    }

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

    const ALL_OPTIONS: [NormalizeOptions; 2] = [
        NormalizeOptions {
            fold_accents: false,
        },
        NormalizeOptions { fold_accents: true },
    ];

    /// The tokenizer and the reference implementation agree on `text` for
    /// every option: same tokens (hashes and offsets), same breaks.
    fn assert_same_as_reference(text: &[u8]) {
        for options in ALL_OPTIONS {
            let new = tokenize(text, options);
            let old = reference::tokenize(text, options);
            assert_eq!(
                new.tokens,
                old.tokens,
                "tokens differ, {options:?}, text {:?}",
                String::from_utf8_lossy(text)
            );
            assert_eq!(
                new.breaks,
                old.breaks,
                "breaks differ, {options:?}, text {:?}",
                String::from_utf8_lossy(text)
            );
        }
    }

    /// Short inputs that exercise every branch of the tokenizer.
    fn tricky_inputs() -> Vec<Vec<u8>> {
        let long_ascii = "Abcdefghij".repeat(30);
        let long_latin = "éÉèaZ".repeat(40);
        let long_mixed = format!("{}é{}ﬁ{}", "x".repeat(63), "Y".repeat(64), "z".repeat(200));
        let mut inputs: Vec<Vec<u8>> = [
            "",
            " ",
            "a",
            "A",
            "Hello, World! 42 times.",
            "l’entreprise d'avoir 'cité' l'’a a'' b 'x' ’y’ z’ ‘q‘ r‘s",
            "aʼb aʹb a′b a＇b a`b `a b` a''b a’’b a'é a'ﬁ a'́ é'a é’É",
            "ﬁn ﬂeur ﬃ ǆ ǅ Ǆ ĳ Ĳ ŉ ſ ẞ ß Straße STRASSE",
            "ＦＵＬＬ ｗｉｄｔｈ １２３ ｶﾀｶﾅ",
            "İstanbul İ i̇ ı I",
            "ΣΟΦΟΣ σοφος σοφοσ ΌΣΟΣ Σ",
            "cafe\u{301} cafe\u{301}\u{327} \u{301}abc \u{301} a\u{301}\u{302}\u{303}b",
            "e\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}\u{0301}x",
            "one two\r\nthree\rfour\n\n\nfive\r\r\n\n",
            "\n\nstart\n",
            "\r\n",
            "a\u{2028}b\u{2029}c\u{85}d \u{2028}\u{2029}",
            "×÷ a×b c÷d",
            "12:30 3.14 1,000 x86_64 a-b a_b a/b",
            "😀 a😀b 👍🏽 é😀é e\u{301}😀",
            "中文字符 日本語のテキスト 한국어 العربية עברית हिन्दी",
            "Ǻǻ Ǽ ǽ Ǿ Ș ș Ț ț Ȁ ȁ ɐ ʯ Ÿ ÿ Œ œ Æ æ Ø ø Þ þ Ð ð",
            "Ⅻ ⅻ ① ² ³ ¹ ¼ ½ ª º µ",
            "a\u{0}b \u{0} \u{1}\u{7f}",
            "«guillemets» “quotes” „low“ — – - … ·",
            "\u{feff}bom \u{200b}zw\u{200b}sp\u{200d}",
            "ex\u{ad}am\u{ad}\u{ad}ple \u{ad}a\u{ad} b\u{2060}'c l'\u{ad}d é\u{200c}é a\u{200d}\u{301} x\u{ad}中",
            "中文字符abc日本語のテキスト ｶﾞｷﾞ か\u{3099} 中\u{301}a a\u{301}中 l'中 中'a",
            "สวัสดีครับ ພາສາລາວ ភាសាខ្មែរ မြန်မာ 𠀀𠀁 々〆 ー",
            "\u{fffd}a\u{fffd}",
            "Ǉ ǈ ǉ ǰ ΐ ﬀ ﬅ ﬆ",
            "ℌ ℍ ℎ ℏ K Å Ω",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        inputs.push(long_ascii.into_bytes());
        inputs.push(long_latin.into_bytes());
        inputs.push(long_mixed.into_bytes());
        // Invalid UTF-8: lone continuation bytes, truncated sequences,
        // overlongs, surrogates, bytes that never appear in UTF-8.
        inputs.extend([
            b"caf\xe9 au lait".to_vec(),
            b"a\x80b \xc3 \xc3\xa9\xc3".to_vec(),
            b"a\xe2\x80b a\xe2\x80\x99 a\xe2\x80\x99b \xe2\x80\x99x".to_vec(),
            b"\xc0\xaf \xe0\x80\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xff\xfe".to_vec(),
            b"word\xf0\x9f\x98 x\xf0\x9f \xf0".to_vec(),
            b"l'\xe9t\xe9 l\xe2\x80\x99\xc3".to_vec(),
            b"\r\xc2\x85\xc2".to_vec(),
        ]);
        inputs
    }

    #[test]
    fn same_as_reference_on_tricky_inputs() {
        for input in tricky_inputs() {
            assert_same_as_reference(&input);
            // Every byte slice too: truncated UTF-8 at both ends, words cut short.
            for start in 0..input.len().min(64) {
                for end in start..=input.len().min(start + 64) {
                    assert_same_as_reference(&input[start..end]);
                }
            }
        }
    }

    /// What the tokenizers can see of a character beyond its bytes: two
    /// characters with the same class differ only in their code point.
    fn char_class(c: char) -> impl Eq + std::hash::Hash {
        use unicode_normalization::char::is_public_assigned;
        let nfkc = unicode_normalization::is_nfkc(c.encode_utf8(&mut [0; 4]));
        let lower = c.to_lowercase().eq(std::iter::once(c));
        (
            (c as u32) >> 16,
            c.len_utf8(),
            is_public_assigned(c),
            is_word_char(c),
            is_apostrophe(c),
            is_line_break(c),
            is_combining_mark(c),
            c.is_alphanumeric(),
            (nfkc, lower),
        )
    }

    #[test]
    fn same_as_reference_on_every_char() {
        // Thirteen contexts: alone, inside a word, after an apostrophe, before
        // one, next to ASCII and Latin letters, and before a line break.
        let contexts =
            |c: char| format!("a{c}b {c} x'{c} {c}'y é{c}É z’{c}’w {c}\n{c}{c} Ab{c}\r\n");
        // Every scalar value of the Basic Multilingual Plane (every one- and
        // two-byte character, every apostrophe and line break, nearly every
        // compatibility mapping) in every context.
        let bmp: Vec<char> = (0..=0xFFFF).filter_map(char::from_u32).collect();
        bmp.par_chunks(4096).for_each(|chunk| {
            assert_same_as_reference(
                chunk
                    .iter()
                    .map(|&c| contexts(c))
                    .collect::<String>()
                    .as_bytes(),
            );
        });
        // The 1,048,576 others, mostly unassigned or private use: 64 of each
        // class (see `char_class`) in every context, and every one of them in
        // runs of 64 consecutive characters, alone and inside a word (a
        // character classified or normalized differently changes the
        // tokens' boundaries or hashes).
        let mut seen = std::collections::HashMap::new();
        let mut texts = Vec::new();
        let others: Vec<char> = (0x10000..=0x10FFFF).filter_map(char::from_u32).collect();
        for chunk in others.chunks(4096) {
            let mut text = String::new();
            for &c in chunk {
                let count = seen.entry(char_class(c)).or_insert(0);
                *count += 1;
                if *count <= 64 {
                    text.push_str(&contexts(c));
                }
            }
            for run in chunk.chunks(64) {
                let run: String = run.iter().collect();
                text.push_str(&format!("{run}\na{run}b\n"));
            }
            texts.push(text);
        }
        texts
            .par_iter()
            .for_each(|text| assert_same_as_reference(text.as_bytes()));
        assert!(seen.len() >= 16, "{} classes in 16 planes", seen.len());
    }

    #[test]
    fn same_as_reference_on_seed_texts() {
        // The five seed articles (copies of ../shared/seeds) and the
        // fixture's other files, from the repository.
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lemonde");
        let mut articles = 0;
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {dir}: {e}")) {
            let path = entry.expect("dir entry").path();
            let text = std::fs::read(&path).expect("read text");
            assert_same_as_reference(&text);
            let name = path.file_name().unwrap().to_string_lossy();
            articles += usize::from(name.ends_with(".txt") && name.as_bytes()[0].is_ascii_digit());
        }
        assert_eq!(articles, 5, "the five seed articles in {dir}");
    }

    /// Pieces that tokenization treats differently, to build random texts
    /// denser in edge cases than arbitrary strings are.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        let pieces: Vec<&'static [u8]> = vec![
            b"a",
            b"Z",
            b"0",
            b"9",
            b"word",
            b"WoRd",
            b" ",
            b"  ",
            b".",
            b",",
            b"-",
            b"_",
            b"'",
            b"`",
            "’".as_bytes(),
            "‘".as_bytes(),
            "ʼ".as_bytes(),
            "ʹ".as_bytes(),
            "′".as_bytes(),
            "＇".as_bytes(),
            "é".as_bytes(),
            "É".as_bytes(),
            "ê".as_bytes(),
            "ß".as_bytes(),
            "ẞ".as_bytes(),
            "İ".as_bytes(),
            "ı".as_bytes(),
            "ĳ".as_bytes(),
            "ŉ".as_bytes(),
            "ſ".as_bytes(),
            "Ÿ".as_bytes(),
            "×".as_bytes(),
            "Σ".as_bytes(),
            "ς".as_bytes(),
            "ﬁ".as_bytes(),
            "Ａ".as_bytes(),
            "１".as_bytes(),
            "\u{301}".as_bytes(),
            "\u{327}".as_bytes(),
            "😀".as_bytes(),
            "中".as_bytes(),
            "の".as_bytes(),
            "ｶ".as_bytes(),
            "ﾞ".as_bytes(),
            "\u{3099}".as_bytes(),
            "ก".as_bytes(),
            "\u{E31}".as_bytes(),
            "\u{AD}".as_bytes(),
            "\u{200B}".as_bytes(),
            "\u{200D}".as_bytes(),
            "\u{2060}".as_bytes(),
            "\u{FEFF}".as_bytes(),
            "«".as_bytes(),
            "»".as_bytes(),
            "—".as_bytes(),
            b"\n",
            b"\r",
            b"\r\n",
            "\u{85}".as_bytes(),
            "\u{2028}".as_bytes(),
            "\u{2029}".as_bytes(),
            b"\0",
            b"\x80",
            b"\xc3",
            b"\xe2\x80",
            b"\xff",
            "\u{fffd}".as_bytes(),
            "Ω".as_bytes(),
            "ǅ".as_bytes(),
            "Ⅻ".as_bytes(),
            "²".as_bytes(),
            "ª".as_bytes(),
        ];
        prop_oneof![
            6 => proptest::sample::select(pieces).prop_map(<[u8]>::to_vec),
            2 => "[a-zA-Z0-9]{1,40}".prop_map(String::into_bytes),
            2 => "\\PC{1,4}".prop_map(String::into_bytes),
            1 => proptest::collection::vec(any::<u8>(), 1..4),
        ]
    }

    proptest! {
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
            prop_assert_eq!(Block::classify_sse2(bytes), swar);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_as_reference_on_random_pieces(
            pieces in proptest::collection::vec(piece(), 0..60)
        ) {
            assert_same_as_reference(&pieces.concat());
        }

        #[test]
        fn same_as_reference_on_random_strings(text in "\\PC{0,200}") {
            assert_same_as_reference(text.as_bytes());
        }

        #[test]
        fn same_as_reference_on_random_bytes(
            bytes in proptest::collection::vec(any::<u8>(), 0..200)
        ) {
            assert_same_as_reference(&bytes);
        }
    }

    proptest! {
        /// Every token slices the original at char boundaries, and re-normalizing
        /// that slice alone gives the same single token.
        #[test]
        fn offsets_map_back_to_the_original(text in "\\PC{0,80}", fold in any::<bool>()) {
            let options = NormalizeOptions { fold_accents: fold };
            let stream = tokenize(text.as_bytes(), options);
            let mut previous_end = 0;
            for token in &stream.tokens {
                let (start, end) = (token.start as usize, token.end as usize);
                prop_assert!(start >= previous_end && start < end && end <= text.len());
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                let again = tokenize(&text.as_bytes()[start..end], options);
                prop_assert_eq!(again.tokens.len(), 1);
                prop_assert_eq!(again.tokens[0].hash, token.hash);
                previous_end = end;
            }
        }
    }
}
