//! Offsets every consumer can use: byte offsets are what `lifted` works in,
//! but Python, Java and most databases slice text by character. Each span of
//! the map also gives its Unicode code-point offsets (`start_char`,
//! `end_char`), and links and passages carry a short excerpt (issue 14).
//!
//! Counting characters from the start of a document for every span would
//! cost a pass over the document per span, and an index of every document
//! (characters before each 64-byte block) cost a pass over the whole corpus
//! plus a cache miss into the text for every offset looked up: about 0.15 s
//! on the 100 MB `lifted gen` corpus. [`CharIndex`] instead takes the byte
//! offsets the map needs, sorts them per document, and counts the characters
//! up to each in one sequential sweep of that document (in parallel over the
//! documents); a lookup is then a binary search among a document's offsets.
//!
//! A character is counted at each byte that does not continue a UTF-8
//! sequence (`0b10xx_xxxx`): exact for valid UTF-8; in a document read with
//! invalid UTF-8 (a warning says so), each stray byte counts as one.

use rayon::prelude::*;

use crate::align::Span;
use crate::ingest::Corpus;

/// The code-point offsets of the byte offsets a map needs, per document.
pub struct CharIndex<'c> {
    corpus: &'c Corpus,
    /// Per document: the byte offsets asked for (sorted, unique, clamped to
    /// the text) and the characters before each.
    offsets: Vec<(Vec<u32>, Vec<u32>)>,
}

/// Characters that start in `bytes`: the bytes less the continuation bytes
/// (`0b10xx_xxxx`), found eight at a time (bit 7 set and bit 6 clear:
/// `x & !(x << 1)` on the high bits) and counted in eight byte-wide
/// counters, summed every 255 words: 3x the speed of a byte-by-byte filter
/// (which the compiler did not vectorize), and on the baseline x86-64
/// target (no `popcnt` instruction) 1.6x that of a `count_ones` per word.
fn count(bytes: &[u8]) -> u32 {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let mut continuations = 0u32;
    let mut words = bytes.chunks_exact(8);
    loop {
        // Each byte of `counters` counts up to 255.
        let mut counters = 0u64;
        let mut taken = 0;
        for word in words.by_ref().take(255) {
            let mut eight = [0u8; 8];
            eight.copy_from_slice(word);
            let x = u64::from_le_bytes(eight);
            counters += (x & !(x << 1)) >> 7 & LOW;
            taken += 1;
        }
        // The eight counters summed: in pairs into four 16-bit lanes (at
        // most 510 each), then the lanes (at most 2,040) into the top one.
        let pairs = (counters & 0x00FF_00FF_00FF_00FF) + (counters >> 8 & 0x00FF_00FF_00FF_00FF);
        continuations += (pairs.wrapping_mul(0x0001_0001_0001_0001) >> 48) as u32;
        if taken < 255 {
            break;
        }
    }
    continuations += words
        .remainder()
        .iter()
        .filter(|&&b| b & 0xC0 == 0x80)
        .count() as u32;
    bytes.len() as u32 - continuations
}

/// Characters that start in `bytes` (as [`CharIndex`] counts them), for
/// counting in a sweep of one's own.
pub fn chars(bytes: &[u8]) -> u32 {
    count(bytes)
}

impl<'c> CharIndex<'c> {
    /// Count the characters before the starts and ends of `spans`.
    pub fn new<'s>(corpus: &'c Corpus, spans: impl Iterator<Item = &'s Span>) -> CharIndex<'c> {
        let mut wanted: Vec<Vec<u32>> = vec![Vec::new(); corpus.documents.len()];
        for span in spans {
            if let Some(list) = wanted.get_mut(span.doc as usize) {
                list.push(span.start);
                list.push(span.end);
            }
        }
        let offsets = wanted
            .into_par_iter()
            .zip(corpus.documents.par_iter())
            .map(|(mut bytes, document)| {
                let text = &document.text;
                for b in &mut bytes {
                    *b = (*b).min(text.len() as u32);
                }
                bytes.sort_unstable();
                bytes.dedup();
                let mut chars = Vec::with_capacity(bytes.len());
                let (mut at, mut total) = (0usize, 0u32);
                for &b in &bytes {
                    total += count(&text[at..b as usize]);
                    at = b as usize;
                    chars.push(total);
                }
                (bytes, chars)
            })
            .collect();
        CharIndex { corpus, offsets }
    }

    /// Code-point offset of byte `offset` of document `doc` (clamped to the
    /// text). Offsets not given to [`CharIndex::new`] are counted from the
    /// start of the document.
    pub fn char_offset(&self, doc: usize, offset: u32) -> u32 {
        let text = &self.corpus.documents[doc].text;
        let offset = offset.min(text.len() as u32);
        let (bytes, chars) = &self.offsets[doc];
        match bytes.binary_search(&offset) {
            Ok(i) => chars[i],
            Err(_) => count(&text[..offset as usize]),
        }
    }
}

/// The first `limit` characters of `bytes`, whitespace runs collapsed to one
/// space and trimmed, with `…` appended when the text goes on. Reads only as
/// far as needed, a character at a time (ASCII directly, others decoded
/// from the few bytes they take: validating windows of a few times `limit`
/// bytes first made excerpts the costliest part of building the map);
/// invalid UTF-8 reads as U+FFFD, one per maximal invalid sequence, as
/// `str::from_utf8_lossy` reads it.
pub fn excerpt(bytes: &[u8], limit: usize) -> String {
    // Built as bytes (each character encoded as it is pushed) and checked
    // once at the end: a word's ASCII run is copied as it is, where
    // checking each run as UTF-8 cost a third of the excerpts' time.
    let mut out: Vec<u8> = Vec::new();
    if limit == 0 {
        return String::new();
    }
    out.reserve(limit + 8);
    let mut taken = 0;
    let mut space = false;
    let mut at = 0;
    while at < bytes.len() {
        let (c, width) = next_char(&bytes[at..]);
        at += width;
        if c.is_whitespace() {
            space = taken > 0;
            continue;
        }
        if taken + usize::from(space) >= limit {
            out.extend_from_slice(ELLIPSIS);
            return checked(out);
        }
        if space {
            out.push(b' ');
            taken += 1;
            space = false;
        }
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        taken += 1;
        // The run of ASCII non-blank characters that follows, at once (the
        // text of a word), as far as the limit.
        let run = bytes[at..]
            .iter()
            .take_while(|&&b| b < 0x80 && !matches!(b, b'\t'..=b'\r' | b' '))
            .count();
        if run > 0 {
            let fits = run.min(limit - taken);
            out.extend_from_slice(&bytes[at..at + fits]);
            taken += fits;
            at += fits;
            if run > fits {
                out.extend_from_slice(ELLIPSIS);
                return checked(out);
            }
        }
    }
    checked(out)
}

/// `…` in UTF-8.
const ELLIPSIS: &[u8] = "…".as_bytes();

/// An excerpt's bytes as a string: whole characters and ASCII runs only,
/// so always valid UTF-8.
fn checked(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("an excerpt is made of whole characters")
}

/// The character `bytes` (not empty) start with and the bytes it takes:
/// U+FFFD for a maximal invalid sequence (at most 3 bytes; a character
/// takes at most 4, so 4 bytes decide).
fn next_char(bytes: &[u8]) -> (char, usize) {
    let first = bytes[0];
    if first < 0x80 {
        return (first as char, 1);
    }
    let window = &bytes[..bytes.len().min(4)];
    match window.utf8_chunks().next() {
        Some(chunk) => match chunk.valid().chars().next() {
            Some(c) => (c, c.len_utf8()),
            None => ('\u{FFFD}', chunk.invalid().len().max(1)),
        },
        None => ('\u{FFFD}', 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;

    fn corpus(texts: &[&[u8]]) -> Corpus {
        Corpus {
            documents: texts
                .iter()
                .enumerate()
                .map(|(i, t)| Document {
                    id: format!("{i}"),
                    origin: format!("{i}"),
                    order: i as u32,
                    text: t.to_vec(),
                    date: None,
                })
                .collect(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn char_offsets_match_a_count_from_the_start() {
        let text = "aé€😀 zé ".repeat(40);
        let corpus = corpus(&[text.as_bytes(), b"", b"plain ascii"]);
        let all: Vec<Span> = (0..=text.len() as u32)
            .map(|i| Span {
                doc: 0,
                start: i,
                end: u32::MAX,
            })
            .chain([Span {
                doc: 2,
                start: 5,
                end: 5,
            }])
            .collect();
        let index = CharIndex::new(&corpus, all.iter());
        for (byte, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(
                index.char_offset(0, byte as u32) as usize,
                text[..byte].chars().count(),
                "byte {byte}"
            );
        }
        assert_eq!(
            index.char_offset(0, u32::MAX) as usize,
            text.chars().count()
        );
        assert_eq!(index.char_offset(1, 5), 0);
        assert_eq!(index.char_offset(2, 5), 5);
        // Not asked for: counted from the start all the same.
        assert_eq!(index.char_offset(2, 3), 3);
        let none = CharIndex::new(&corpus, std::iter::empty());
        assert_eq!(none.char_offset(0, 3) as usize, text[..3].chars().count());
    }

    #[test]
    fn count_is_the_characters_of_valid_utf8_and_one_per_stray_byte() {
        let text = "aé€😀 zé\u{7f}\u{80}\u{7ff}\u{800}\u{ffff}\u{10000}".repeat(7);
        for start in 0..20 {
            for end in (start..text.len()).step_by(5) {
                if text.is_char_boundary(start) && text.is_char_boundary(end) {
                    assert_eq!(
                        count(&text.as_bytes()[start..end]) as usize,
                        text[start..end].chars().count()
                    );
                }
            }
        }
        let stray: &[u8] = b"ab\x80\x80\xffc\xc3";
        assert_eq!(count(stray), 5);
        for len in 0..40 {
            assert_eq!(count(&vec![b'x'; len]) as usize, len);
            assert_eq!(count(&vec![0x80; len]), 0);
            assert_eq!(count(&vec![0xC3; len]) as usize, len);
        }
        // Past the counters' 255 words, full (every byte counted) or not.
        for len in [2039, 2040, 2041, 2047, 4080, 4081, 10_000] {
            assert_eq!(count(&vec![b'x'; len]) as usize, len);
            assert_eq!(count(&vec![0x80; len]), 0);
            let mixed: Vec<u8> = (0..len).map(|i| (i * 37 % 256) as u8).collect();
            let starts = mixed.iter().filter(|&&b| b & 0xC0 != 0x80).count();
            assert_eq!(count(&mixed) as usize, starts, "{len}");
        }
    }

    /// The excerpt of `bytes` as the lossy decoding of all of it reads.
    fn reference(bytes: &[u8], limit: usize) -> String {
        let text = String::from_utf8_lossy(bytes);
        let words: Vec<&str> = text.split_whitespace().collect();
        let joined = words.join(" ");
        if joined.chars().count() > limit {
            let mut cut: String = joined.chars().take(limit).collect();
            // A space at the cut is left out with what follows it.
            if cut.ends_with(' ') {
                cut.pop();
            }
            format!("{cut}…")
        } else {
            joined
        }
    }

    #[test]
    fn excerpts_read_invalid_utf8_as_the_lossy_decoding_does() {
        // Valid characters of every width, stray continuation bytes,
        // truncated sequences, overlong and surrogate encodings, cut anywhere.
        let pieces: [&[u8]; 13] = [
            b"words\x0b",
            b"a ",
            "é".as_bytes(),
            "€".as_bytes(),
            "😀".as_bytes(),
            b"\x80",
            b"\xe2\x82",
            b"\xf0\x9f\x98",
            b"\xc0\xaf",
            b"\xed\xa0\x80",
            b"\xff",
            b"\n\t ",
            b"x\x1cy\x85",
        ];
        let mut state = 7u64;
        for _ in 0..2000 {
            let mut bytes = Vec::new();
            for _ in 0..(crate::minhash::splitmix64(&mut state) % 30) {
                let piece = pieces[(crate::minhash::splitmix64(&mut state) % 13) as usize];
                bytes.extend_from_slice(piece);
            }
            for limit in [1, 2, 3, 5, 7, 80] {
                assert_eq!(
                    excerpt(&bytes, limit),
                    reference(&bytes, limit),
                    "{bytes:?} {limit}"
                );
            }
        }
    }

    #[test]
    fn excerpts_collapse_whitespace_and_stop_at_the_limit() {
        assert_eq!(excerpt(b"  one\n\ttwo  three ", 80), "one two three");
        assert_eq!(excerpt(b"one two three", 7), "one two…");
        assert_eq!(excerpt(b"one two", 7), "one two");
        assert_eq!(excerpt("été à Paris".as_bytes(), 4), "été…");
        assert_eq!(excerpt(b"ab\xffcd", 80), "ab\u{FFFD}cd");
        assert_eq!(excerpt(b"anything", 0), "");
        assert_eq!(excerpt(b"   ", 5), "");
        // Across windows: long whitespace runs, characters at the cuts.
        let long = format!("a{}b", " ".repeat(1000));
        assert_eq!(excerpt(long.as_bytes(), 3), "a b");
        let accents = "é".repeat(500);
        for limit in [1, 3, 17, 64, 499, 500, 501] {
            let expected: String = accents.chars().take(limit).collect();
            let suffix = if limit < 500 { "…" } else { "" };
            assert_eq!(
                excerpt(accents.as_bytes(), limit),
                format!("{expected}{suffix}")
            );
        }
    }
}
