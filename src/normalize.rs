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
pub fn tokenize(text: &[u8], options: NormalizeOptions) -> TokenStream {
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
            if !word.active() && pending_break {
                stream.breaks.push(stream.tokens.len() as u32);
                pending_break = false;
            }
            word.push(c, i, width);
        } else if is_apostrophe(c) && word.active() && next_is_alphanumeric(text, i + width) {
            word.push('\'', i, width);
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

/// The normalized form of one word, as hashed (exposed for tests and tools).
pub fn normalize_word(word: &str, options: NormalizeOptions) -> String {
    let mut out = String::new();
    normalize_into(word, options, &mut out);
    out
}

fn normalize_into(word: &str, options: NormalizeOptions, out: &mut String) {
    out.clear();
    let fold = |c: char| if is_apostrophe(c) { '\'' } else { c };
    if options.fold_accents {
        for c in word.nfkd().filter(|c| !is_combining_mark(*c)) {
            out.extend(c.to_lowercase().map(fold));
        }
    } else {
        for c in word.nfkc() {
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

fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{02B9}' | '\u{2032}' | '\u{FF07}' | '`'
    )
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

fn next_is_alphanumeric(text: &[u8], at: usize) -> bool {
    if at >= text.len() {
        return false;
    }
    let (c, _) = bstr::decode_utf8(&text[at..]);
    c.is_some_and(is_word_char)
}

/// Accumulates one word: its byte range and, on the fast path, its normalized
/// bytes. The fast path covers words made only of ASCII and of the Latin-1 and
/// Latin Extended-A letters that NFKC leaves alone (nearly every French,
/// Spanish or German word), where normalizing is a per-character lowercase;
/// anything else takes the full NFKC path.
struct WordBuilder {
    options: NormalizeOptions,
    start: usize,
    end: usize,
    simple: bool,
    bytes: Vec<u8>,
    scratch: String,
}

/// The lowercase form of `c` when NFKC leaves `c` unchanged and lowercasing
/// gives one character; `None` sends the word to the full path.
#[inline]
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

impl WordBuilder {
    fn new(options: NormalizeOptions) -> Self {
        WordBuilder {
            options,
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
    fn latin_range_word_chars_match_unicode() {
        for c in ('\u{C0}'..='\u{24F}').filter(|c| *c != '\u{D7}' && *c != '\u{F7}') {
            assert!(c.is_alphanumeric(), "{c:?}");
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

    #[test]
    fn same_as_reference_on_every_char() {
        // Every scalar value alone, inside a word, after an apostrophe, before
        // one, next to ASCII and Latin letters, and before a line break.
        let chars: Vec<char> = (0..=0x10FFFF).filter_map(char::from_u32).collect();
        for chunk in chars.chunks(4096) {
            let mut text = String::new();
            for &c in chunk {
                text.push_str(&format!(
                    "a{c}b {c} x'{c} {c}'y é{c}É z’{c}’w {c}\n{c}{c} Ab{c}\r\n"
                ));
            }
            assert_same_as_reference(text.as_bytes());
        }
    }

    #[test]
    fn same_as_reference_on_seed_texts() {
        let dirs = [
            concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lemonde"),
            "/work/shared/seeds",
        ];
        let mut files = 0;
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.expect("dir entry").path();
                let text = std::fs::read(&path).expect("read text");
                assert_same_as_reference(&text);
                files += 1;
            }
        }
        assert!(files > 0);
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
