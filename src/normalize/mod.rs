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
//! BOM: [`is_ignorable`](chars::is_ignorable)) stay in its byte range but not in its normalized
//! form. Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer,
//! Myanmar: [`is_segmented`]) give one word per character and its combining
//! marks, so their n-grams are n-grams of characters.
//!
//! Line breaks (`\n`, `\r\n`, lone `\r`, U+2028, U+2029) are recorded as paragraph
//! boundaries for the segmenter. Invalid UTF-8 decodes to U+FFFD, a separator,
//! without shifting offsets. ASCII words take a fast path with no allocation.
//!
//! This file holds the token types and the block loop of [`tokenize`]; the
//! rest is one file per part: `block` (bytes classified 64 and 8 at a time),
//! `chars` (character classes and UTF-8 decoding), `word` (scanning a word
//! and its fast paths), `segmented` (Chinese, Japanese, Thai and the other
//! scripts written without spaces), `fold` (the normalized form of a word:
//! NFKC, case, accents) and `hash` (xxh3 of a word straight from the text).

mod block;
mod chars;
mod fold;
mod hash;
mod segmented;
mod word;

#[cfg(test)]
mod differential;
#[cfg(test)]
mod reference;

pub use fold::normalize_word;

use block::{is_word_byte, Block, BLOCK};
use chars::{decode_at, is_line_break, is_word_char};
use hash::{hash_ascii_word, hash_latin1_word};
use segmented::{is_segmented, scan_segment};
use word::{scan_word, Scratch};

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
///
/// About 131 instructions a word on 25 MB of generated independent
/// documents and 143 on PAN 2013's suspicious documents (callgrind; 188 and
/// 198 before the twelfth session's changes: one mask per block of the
/// bytes that keep a run off the fast path, words written past the tokens
/// without `Vec::push`, the run crossing the block's end found once per
/// block, a cheaper Latin-1 lowercasing in the hash). About 117 a word on
/// 25 MB of generated versions with the AVX2 compilation of
/// [`tokenize_into`], 140 before it (fourteenth session).
pub fn tokenize(text: &[u8], options: NormalizeOptions) -> TokenStream {
    let mut stream = TokenStream::default();
    tokenize_into(text, options, &mut stream);
    // The stream may be held a while (aligning holds a batch's documents
    // prepared): the room reserved for a denser text is given back (glibc
    // usually shrinks the buffer where it is, without a copy; Rust's
    // allocator interface does not promise it).
    stream.tokens.shrink_to_fit();
    stream
}

/// The most words [`tokenize`] finds in a text of `bytes` bytes: one every
/// two bytes, plus one. A word is at least one byte (ASCII) and is followed
/// by a separator of at least one byte, or by a word of a script written
/// without spaces (see [`is_segmented`]), which is at least three bytes
/// (U+0E00 and up); a word is never split from the word before it inside a
/// byte. Aligning uses it to tell, from a document's length alone, that it
/// has too few n-grams to be sorted when prepared (the differential tests
/// check the bound on every text they tokenize).
pub fn most_words(bytes: usize) -> usize {
    bytes / 2 + 1
}

/// [`tokenize`] into `stream`, replacing what it held but reusing its memory.
///
/// On x86-64 processors with AVX2, BMI1, BMI2 and LZCNT (Haswell and later,
/// Zen) the same code is compiled for them and chosen at run time: blocks
/// are classified 32 bytes at a time instead of 16, and the bit scans and
/// clears of the word loop (`tzcnt`, `blsr`, `shrx`, `andn`) are one
/// instruction each instead of a scan, a zero test and a move.
pub fn tokenize_into(text: &[u8], options: NormalizeOptions, stream: &mut TokenStream) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("bmi1")
            && std::arch::is_x86_feature_detected!("bmi2")
            && std::arch::is_x86_feature_detected!("lzcnt")
        {
            // SAFETY: the features the function is compiled for were just detected.
            unsafe { tokenize_into_avx2(text, options, stream) };
            return;
        }
    }
    tokenize_words::<false>(text, options, stream);
}

/// [`tokenize_words`] compiled for AVX2, BMI1, BMI2 and LZCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt")]
unsafe fn tokenize_into_avx2(text: &[u8], options: NormalizeOptions, stream: &mut TokenStream) {
    tokenize_words::<true>(text, options, stream);
}

/// The classes of the block of `text` at `at`: [`Block::at_avx2`] when
/// `AVX2` (only in [`tokenize_into_avx2`]), else [`Block::at`].
#[inline(always)]
fn classify<const AVX2: bool>(text: &[u8], at: usize) -> Block {
    #[cfg(target_arch = "x86_64")]
    if AVX2 {
        // SAFETY: `AVX2` is true only in `tokenize_into_avx2`, called once
        // the processor is known to have AVX2.
        return unsafe { Block::at_avx2(text, at) };
    }
    Block::at(text, at)
}

/// The body of [`tokenize_into`], inlined into each of its compilations.
#[inline(always)]
fn tokenize_words<const AVX2: bool>(
    text: &[u8],
    options: NormalizeOptions,
    stream: &mut TokenStream,
) {
    stream.tokens.clear();
    stream.breaks.clear();
    // A word every 3 bytes, and the block loop's room for one more block
    // (it reserves that before each block), so that the tokens are seldom
    // copied to a larger buffer: with `text.len() / 6` alone, nearly every
    // document of the 100 MB independent corpus (a word every 4.6 bytes)
    // had its tokens copied to a buffer twice as large. ([`tokenize`]
    // gives the spare room back.)
    stream.tokens.reserve(text.len() / 3 + BLOCK / 2);
    let mut tokenizer = Tokenizer {
        text,
        stream,
        scratch: Scratch::new(options),
    };
    let fold_accents = options.fold_accents;
    // Every block starts at 0, at an ASCII separator (a byte of no word)
    // or at the start of a word run; every byte before it is consumed.
    let mut block_at = 0;
    'blocks: while block_at < text.len() {
        let block = classify::<AVX2>(text, block_at);
        let before = block_at > 0 && is_word_byte(text[block_at - 1]);
        let mut starts = block.word & !(block.word << 1 | u64::from(before));
        // The start of the run that goes on past the block, if one does
        // (the last start), taken out of `starts`: the words before it end
        // inside the block.
        let crossing = if block.word >> 63 != 0 && starts != 0 {
            1u64 << (63 - starts.leading_zeros())
        } else {
            0
        };
        starts ^= crossing;
        // Line breaks of the block not passed yet.
        let mut newlines = block.newline;
        let bad = block.not_fast(fold_accents);
        // A block of ASCII bytes alone: its words are lowercased by setting
        // bit 5, the Latin-1 lowercasing's five more operations a word left
        // out (2% of a scan's instructions on the 100 MB independent
        // corpus, all ASCII). The branch goes one way for a whole block.
        let ascii = block.high == 0;
        loop {
            let TokenStream { tokens, breaks } = &mut *tokenizer.stream;
            // Room for every word of the block: at most one every two bytes.
            tokens.reserve(BLOCK / 2);
            let found = tokens.len();
            let spare = tokens.spare_capacity_mut();
            // The words of the fast path, written after the tokens with
            // their count in a register, not through `Vec::push`; the
            // start of the first other word.
            let mut written = 0;
            let slow = loop {
                if starts == 0 {
                    break None;
                }
                let offset = starts.trailing_zeros() as usize;
                let start = block_at + offset;
                // Line breaks between the last word and this one (the
                // bits up to this start's).
                let gap = newlines & (starts ^ (starts - 1));
                if gap != 0 {
                    line_break(breaks, found + written);
                    newlines ^= gap;
                }
                // The run ends in the block: `rest` is not zero.
                let len = (!block.word >> offset).trailing_zeros();
                if (bad >> offset).trailing_zeros() <= len {
                    break Some(start);
                }
                // A word of ASCII letters and digits, or of those and
                // Latin-1 letters, that an ASCII separator other than an
                // apostrophe ends (see [`Block::not_fast`]).
                let end = start + len as usize;
                let hash = if ascii {
                    hash_ascii_word(text, start, end)
                } else {
                    hash_latin1_word(text, start, end)
                };
                spare[written].write(Token {
                    hash,
                    start: start as u32,
                    end: end as u32,
                });
                written += 1;
                starts &= starts - 1;
            };
            // SAFETY: the `written` slots after the tokens were just written
            // (and `reserve` made room for them).
            unsafe { tokens.set_len(found + written) };
            let Some(start) = slow else { break };
            let cursor = tokenizer.scalar(start);
            if cursor >= block_at + BLOCK {
                // Past the block (a word joined by an apostrophe to the
                // crossing run, which `scalar` then reads to its end): its
                // line breaks after `start` are not ASCII ones, which
                // `scalar` has seen.
                block_at = cursor;
                continue 'blocks;
            }
            starts &= !0u64 << (cursor - block_at);
        }
        // Line breaks left are before the crossing run, if any.
        if newlines != 0 {
            line_break(&mut tokenizer.stream.breaks, tokenizer.stream.tokens.len());
        }
        block_at = match crossing.trailing_zeros() as usize {
            BLOCK => block_at + BLOCK,
            // Classify again from the crossing run's start.
            offset @ 1.. => block_at + offset,
            // A run over the whole block and on.
            0 => tokenizer.scalar(block_at),
        };
    }
    // A line break after the last word starts no paragraph.
    if stream.breaks.last() == Some(&(stream.tokens.len() as u32)) {
        stream.breaks.pop();
    }
}

/// Record a line break before word `count` (the next one): a paragraph
/// break unless no word came before, or one is recorded there already.
#[inline]
fn line_break(breaks: &mut Vec<u32>, count: usize) {
    let at = count as u32;
    if count > 0 && breaks.last() != Some(&at) {
        breaks.push(at);
    }
}

/// The state of [`tokenize`].
struct Tokenizer<'t> {
    text: &'t [u8],
    stream: &'t mut TokenStream,
    scratch: Scratch,
}

impl Tokenizer<'_> {
    #[inline]
    fn push(&mut self, hash: u64, start: usize, end: usize) {
        self.stream.tokens.push(Token {
            hash,
            start: start as u32,
            end: end as u32,
        });
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
                    if is_line_break(c) {
                        line_break(&mut self.stream.breaks, self.stream.tokens.len());
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

/// [`tokenize`] as compiled for every x86-64 processor (SSE2 blocks), which
/// [`tokenize_into`] skips on processors with AVX2: the differential tests
/// check both against the reference.
#[cfg(test)]
fn tokenize_baseline(text: &[u8], options: NormalizeOptions) -> TokenStream {
    let mut stream = TokenStream::default();
    tokenize_words::<false>(text, options, &mut stream);
    stream
}

/// Both settings of [`NormalizeOptions`], for the tests that try each.
#[cfg(test)]
const ALL_OPTIONS: [NormalizeOptions; 2] = [
    NormalizeOptions {
        fold_accents: false,
    },
    NormalizeOptions { fold_accents: true },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
