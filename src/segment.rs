//! Segment: cut a document's tokens into paragraphs, and paragraphs longer than
//! a window into overlapping windows.
//!
//! News text puts one paragraph per line, so a line break ends a paragraph.
//! A paragraph longer than `window` words is cut into windows of `window` words
//! that overlap by half (the last one ends at the paragraph's end), so that a
//! passage buried in a 14,000-character line still has a segment whose shingle
//! set it dominates. Every token belongs to at least one segment.

use crate::normalize::TokenStream;

/// A run of tokens of one document: a paragraph or a window inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Index of the document in the corpus.
    pub doc: u32,
    /// Index of the first token.
    pub first: u32,
    /// Index just past the last token.
    pub last: u32,
    /// Byte offset of the first token in the original text.
    pub start: u32,
    /// Byte offset just past the last token (half-open).
    pub end: u32,
}

impl Segment {
    /// Number of words.
    pub fn words(&self) -> usize {
        (self.last - self.first) as usize
    }

    /// Whether the segment can be part of a verified pair: it has
    /// `min_words` words or more. Shorter ones (a title, a one-word line) are
    /// neither signed nor banded nor measured: verification would drop every
    /// pair they are in.
    pub fn can_pair(&self, min_words: usize) -> bool {
        self.words() >= min_words
    }
}

/// The segments of one document, in text order.
pub fn segments(doc: u32, stream: &TokenStream, window: usize) -> Vec<Segment> {
    let mut out = Vec::new();
    segments_into(doc, stream, window, &mut out);
    out
}

/// [`segments`], appended to `out`.
pub fn segments_into(doc: u32, stream: &TokenStream, window: usize, out: &mut Vec<Segment>) {
    // Saturating, not truncating: `--window 4294967296` once became 0 and
    // made an empty segment (issue 13). `Params::new` bounds it anyway.
    let window = u32::try_from(window).unwrap_or(u32::MAX).max(1);
    let stride = (window / 2).max(1);
    let total = stream.tokens.len() as u32;
    let mut start = 0u32;
    let ends = stream.breaks.iter().copied().chain(std::iter::once(total));
    for end in ends {
        if end <= start {
            continue;
        }
        if end - start <= window {
            out.push(make(doc, stream, start, end));
        } else {
            let mut first = start;
            loop {
                let last = first.saturating_add(window).min(end);
                out.push(make(doc, stream, first, last));
                if last == end {
                    break;
                }
                first = (first + stride).min(end - window);
            }
        }
        start = end;
    }
}

fn make(doc: u32, stream: &TokenStream, first: u32, last: u32) -> Segment {
    Segment {
        doc,
        first,
        last,
        start: stream.tokens[first as usize].start,
        end: stream.tokens[last as usize - 1].end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions, Token};
    use proptest::prelude::*;

    fn stream(total: u32, breaks: Vec<u32>) -> TokenStream {
        TokenStream {
            tokens: (0..total)
                .map(|i| Token {
                    hash: i as u64,
                    start: i,
                    end: i + 1,
                })
                .collect(),
            breaks,
        }
    }

    #[test]
    fn paragraphs_and_windows() {
        let s = stream(10, vec![3]);
        let cut: Vec<(u32, u32)> = segments(0, &s, 4)
            .iter()
            .map(|s| (s.first, s.last))
            .collect();
        assert_eq!(cut, [(0, 3), (3, 7), (5, 9), (6, 10)]);
    }

    proptest! {
        /// A segment's text, tokenized alone, gives the same words as the
        /// segment's slice of the whole document (verification relies on it
        /// with `--pairs-only`).
        #[test]
        fn a_segment_tokenizes_alone_as_in_place(
            pieces in proptest::collection::vec(0usize..24, 0..300),
            window in 1usize..40,
            fold_accents in any::<bool>(),
        ) {
            const PIECES: [&str; 24] = [
                "word", "l'homme", "l\u{2019}été", "aujourd\u{2019}hui", "'", "\u{2019}", " ", "  ",
                "\n", "\n\n", "\r\n", ", ", ". ", "É", "ﬁ", "e\u{301}", "\u{301}", "１２", "ß",
                "ΣΑΣ", "-", "«\u{a0}", "x'", "'y",
            ];
            let text: String = pieces.iter().map(|&p| PIECES[p]).collect();
            let options = NormalizeOptions { fold_accents };
            let whole = tokenize(text.as_bytes(), options);
            for seg in segments(0, &whole, window) {
                let alone = tokenize(&text.as_bytes()[seg.start as usize..seg.end as usize], options);
                let expected: Vec<u64> = whole.tokens[seg.first as usize..seg.last as usize].iter().map(|t| t.hash).collect();
                let got: Vec<u64> = alone.tokens.iter().map(|t| t.hash).collect();
                prop_assert_eq!(got, expected, "segment {:?} of {:?}", seg, text);
            }
        }

        /// Windows cover every token, never cross a paragraph and respect the size.
        #[test]
        fn windows_cover_every_token(total in 0u32..400, cuts in proptest::collection::vec(1u32..400, 0..6), window in 1usize..120) {
            let mut breaks: Vec<u32> = cuts.into_iter().filter(|&c| c < total).collect();
            breaks.sort_unstable();
            breaks.dedup();
            let s = stream(total, breaks.clone());
            let segs = segments(0, &s, window);
            let mut covered = vec![false; total as usize];
            for seg in &segs {
                prop_assert!(seg.first < seg.last && seg.words() <= window);
                prop_assert!(!breaks.iter().any(|&b| seg.first < b && b < seg.last));
                for i in seg.first..seg.last { covered[i as usize] = true; }
            }
            prop_assert!(covered.iter().all(|&c| c));
        }
    }
}
