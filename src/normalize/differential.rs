//! Differential tests: the tokenizer against the [`reference`](super::reference)
//! implementation, on tricky inputs and their every slice, every character in
//! thirteen contexts, the seed articles and random texts: same tokens (hashes
//! and offsets) and breaks for every option.

use proptest::prelude::*;
use rayon::prelude::*;
use unicode_normalization::char::is_combining_mark;

use super::chars::{is_apostrophe, is_line_break, is_word_char};
use super::{reference, tokenize, tokenize_baseline, ALL_OPTIONS};

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
        // At most one word every two bytes, but for the last (see
        // [`most_words`](super::most_words)): what lets aligning
        // rule out long documents from a text's length alone.
        assert!(
            new.tokens.len() <= super::most_words(text.len()),
            "{} words in {} bytes, text {:?}",
            new.tokens.len(),
            text.len(),
            String::from_utf8_lossy(text)
        );
        let baseline = tokenize_baseline(text, options);
        assert_eq!(
            (&baseline.tokens, &baseline.breaks),
            (&old.tokens, &old.breaks),
            "the baseline compilation differs, {options:?}, text {:?}",
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
    let contexts = |c: char| format!("a{c}b {c} x'{c} {c}'y é{c}É z’{c}’w {c}\n{c}{c} Ab{c}\r\n");
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

/// Snippets placed at every offset around a block's edges (after a filler
/// of 0 to 130 bytes), alone and repeated: words ending at, crossing and
/// spanning block ends, quotes, 0xC3 and line breaks next to them.
#[test]
fn same_as_reference_at_every_block_offset() {
    let long = "A".repeat(200);
    let long_latin = "éÀ".repeat(60);
    let snippets: Vec<Vec<u8>> = [
        "word ",
        "x'y ",
        "x`y ",
        "x'",
        "'y",
        "l’é ",
        "é ",
        "Éa",
        "ß\n",
        "a\r\nb",
        "\n\n\n\na\n\n",
        "a ×b ",
        long.as_str(),
        long_latin.as_str(),
        "中文 ",
        "a\u{2028}b",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .chain([
        b"a\xc3".to_vec(),
        b"a\xc3 b".to_vec(),
        b"\xc3\xc3\xa9".to_vec(),
        b"\xa9ab ".to_vec(),
        b"ab\xe2\x80".to_vec(),
    ])
    .collect();
    let fillers = ["ab ", "a", " ", "\n", "é", "a'"];
    for filler in fillers {
        for pad in 0..=130 {
            let prefix: Vec<u8> = filler.bytes().cycle().take(pad).collect();
            for snippet in &snippets {
                let mut text = prefix.clone();
                text.extend_from_slice(snippet);
                assert_same_as_reference(&text);
                text.extend_from_slice(snippet);
                text.extend_from_slice(&prefix);
                assert_same_as_reference(&text);
            }
        }
    }
}

/// Pieces long enough to cross blocks: long ASCII and Latin-1 runs.
fn long_piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => piece(),
        1 => "[a-zA-Z0-9]{60,200}".prop_map(String::into_bytes),
        1 => "[a-zé'’\n ]{1,130}".prop_map(String::into_bytes),
        1 => (0usize..130).prop_map(|n| vec![b' '; n]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn same_as_reference_on_long_random_pieces(
        pieces in proptest::collection::vec(long_piece(), 0..40)
    ) {
        assert_same_as_reference(&pieces.concat());
    }
}
