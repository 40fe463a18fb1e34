//! Offsets every consumer can use: byte offsets are what `lifted` works in,
//! but Python, Java and most databases slice text by character. Each span of
//! the map also gives its Unicode code-point offsets (`start_char`,
//! `end_char`), and links and passages carry a short excerpt (issue 14).
//!
//! Counting characters from the start of a document for every span would
//! cost a pass over the document per span. [`CharIndex`] keeps, per
//! document, the number of characters before every [`BLOCK`]-byte block (4
//! bytes per 64 bytes of text), so an offset costs at most one block's count.
//!
//! A character is counted at each byte that does not continue a UTF-8
//! sequence (`0b10xx_xxxx`): exact for valid UTF-8; in a document read with
//! invalid UTF-8 (a warning says so), each stray byte counts as one.

use rayon::prelude::*;

use crate::ingest::Corpus;

/// Bytes per block of the index.
const BLOCK: usize = 64;

/// Characters (code points) before each block of each document.
pub struct CharIndex<'c> {
    corpus: &'c Corpus,
    blocks: Vec<Vec<u32>>,
}

/// Characters that start in `bytes`.
fn count(bytes: &[u8]) -> u32 {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count() as u32
}

impl<'c> CharIndex<'c> {
    /// Index every document of `corpus` (in parallel).
    pub fn new(corpus: &'c Corpus) -> CharIndex<'c> {
        let blocks = corpus
            .documents
            .par_iter()
            .map(|d| {
                let mut total = 0u32;
                let mut out = Vec::with_capacity(d.text.len() / BLOCK + 1);
                out.push(0);
                for block in d.text.chunks(BLOCK) {
                    total += count(block);
                    out.push(total);
                }
                out
            })
            .collect();
        CharIndex { corpus, blocks }
    }

    /// Code-point offset of byte `offset` of document `doc` (clamped to the text).
    pub fn char_offset(&self, doc: usize, offset: u32) -> u32 {
        let text = &self.corpus.documents[doc].text;
        let offset = (offset as usize).min(text.len());
        let block = offset / BLOCK;
        self.blocks[doc][block] + count(&text[block * BLOCK..offset])
    }
}

/// The first `limit` characters of `bytes`, whitespace runs collapsed to one
/// space and trimmed, with `…` appended when the text goes on. Reads only as
/// far as needed; invalid UTF-8 reads as U+FFFD.
pub fn excerpt(bytes: &[u8], limit: usize) -> String {
    let mut out = String::new();
    if limit == 0 {
        return out;
    }
    let mut taken = 0;
    let mut space = false;
    for chunk in bytes.utf8_chunks() {
        let invalid = (!chunk.invalid().is_empty()).then_some('\u{FFFD}');
        for c in chunk.valid().chars().chain(invalid) {
            if c.is_whitespace() {
                space = taken > 0;
                continue;
            }
            if taken + usize::from(space) >= limit {
                out.push('…');
                return out;
            }
            if space {
                out.push(' ');
                taken += 1;
                space = false;
            }
            out.push(c);
            taken += 1;
        }
    }
    out
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
                })
                .collect(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn char_offsets_match_a_count_from_the_start() {
        let text = "aé€😀 zé ".repeat(40);
        let corpus = corpus(&[text.as_bytes(), b"", b"plain ascii"]);
        let index = CharIndex::new(&corpus);
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
    }
}
