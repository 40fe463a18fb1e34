//! Boilerplate: passages in too many of the documents, and footers (a short
//! closing line under many documents that share nothing else), marked so the
//! map can leave them out (see the module doc of [`provenance`](super)).

use rayon::prelude::*;

use super::BoilerplateOptions;
use crate::align::AlignedPair;
use crate::cluster::Passage;

/// Most words of a footer.
pub const FOOTER_WORDS: u32 = 30;

/// Fewest documents a footer recurs in.
pub const FOOTER_DOCUMENTS: usize = 5;

/// Which passages are boilerplate (see the module doc).
pub(super) fn boilerplate(
    passages: &[Passage],
    pairs: &[AlignedPair],
    lengths: &[u32],
    options: BoilerplateOptions,
) -> Vec<bool> {
    let documents = lengths.len();
    let spread: Vec<bool> = passages
        .par_iter()
        .map(|p| widespread(p, documents, options))
        .collect();
    let closing: Vec<bool> = passages
        .par_iter()
        .map(|p| closing_line(p, lengths))
        .collect();
    if !closing.iter().zip(&spread).any(|(&c, &s)| c && !s) {
        return spread;
    }
    // Documents that share text other than a closing line or a widespread
    // passage: the other documents each one shares such text with.
    let mut related: Vec<Vec<u32>> = vec![Vec::new(); documents];
    for (index, passage) in passages.iter().enumerate() {
        if spread[index] || closing[index] {
            continue;
        }
        for &k in &passage.pairs {
            let (a, b) = (pairs[k].a.doc, pairs[k].b.doc);
            if a != b {
                related[a as usize].push(b);
                related[b as usize].push(a);
            }
        }
    }
    related.par_iter_mut().for_each(|list| {
        list.sort_unstable();
        list.dedup();
    });
    passages
        .par_iter()
        .enumerate()
        .map(|(index, passage)| spread[index] || (closing[index] && is_footer(passage, &related)))
        .collect()
}

/// The distinct documents of a passage's copies (copies are sorted by document).
fn documents_of(passage: &Passage) -> Vec<u32> {
    let mut docs: Vec<u32> = passage.copies.iter().map(|c| c.doc).collect();
    docs.dedup();
    docs
}

/// In more than `max_docs_frac` of the documents, when there are 10 or more.
fn widespread(passage: &Passage, documents: usize, options: BoilerplateOptions) -> bool {
    let docs = documents_of(passage).len();
    documents >= 10 && docs as f64 > options.max_docs_frac * documents as f64
}

/// Short, and at the very end of every copy's document (the last tenth and
/// the last 400 bytes).
fn closing_line(passage: &Passage, lengths: &[u32]) -> bool {
    passage.words <= FOOTER_WORDS
        && passage.copies.iter().all(|c| {
            let length = lengths[c.doc as usize];
            c.end as u64 * 10 >= length as u64 * 9 && length.saturating_sub(c.end) < 400
        })
}

/// A closing line in [`FOOTER_DOCUMENTS`] or more documents, fewer than half
/// of which share other text with another of them.
fn is_footer(passage: &Passage, related: &[Vec<u32>]) -> bool {
    let docs = documents_of(passage);
    if docs.len() < FOOTER_DOCUMENTS {
        return false;
    }
    let connected = docs
        .iter()
        .filter(|&&d| {
            related[d as usize]
                .iter()
                .any(|other| docs.binary_search(other).is_ok())
        })
        .count();
    connected * 2 < docs.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::Span;
    use crate::provenance::tests::{pair, OPTIONS};

    /// A passage copied at `start..end` of documents 0 to `n - 1`, of
    /// `words` words, with no aligned pairs.
    fn copies(n: u32, start: u32, end: u32, words: u32) -> Passage {
        Passage {
            copies: (0..n).map(|doc| Span { doc, start, end }).collect(),
            pairs: vec![],
            words,
        }
    }

    #[test]
    fn boilerplate_by_spread_and_by_footer_position() {
        // A passage in 6 of 10 documents is boilerplate; in 5 of 10 it is not.
        let spread = |n: u32| copies(n, 0, 100, 20);
        assert_eq!(boilerplate(&[spread(6)], &[], &[5000; 10], OPTIONS), [true]);
        assert_eq!(
            boilerplate(&[spread(5)], &[], &[5000; 10], OPTIONS),
            [false]
        );
        // A short passage at the very end of n documents.
        let at = |n: u32, start: u32, end: u32| copies(n, start, end, 12);
        let lengths = [5000; 12];
        let footer = |n: u32| boilerplate(&[at(n, 4900, 4990)], &[], &lengths, OPTIONS)[0];
        assert!(!footer(3) && !footer(4), "a few documents are not many");
        assert!(footer(5) && footer(12));
        assert_eq!(
            boilerplate(&[at(6, 2000, 2090)], &[], &lengths, OPTIONS),
            [false],
            "not at the end"
        );
    }

    #[test]
    fn versions_of_one_text_sharing_their_end_are_not_footers() {
        // Six versions of a text: a long shared passage in the middle, and
        // the same last verse.
        let mut aligned = Vec::new();
        for a in 0..6 {
            for b in a + 1..6 {
                aligned.push(pair((a, 1000, 3000), (b, 1000, 3000), 300, (300, 300)));
            }
        }
        let middle = Passage {
            pairs: (0..aligned.len()).collect(),
            ..copies(6, 1000, 3000, 300)
        };
        let end = copies(6, 4900, 4990, 12);
        let lengths = [5000; 8];
        assert_eq!(
            boilerplate(&[middle.clone(), end.clone()], &aligned, &lengths, OPTIONS),
            [false, false]
        );
        // The same closing line under six unrelated documents is a footer.
        assert_eq!(boilerplate(&[end], &aligned, &lengths, OPTIONS), [true]);
        // Two of six related: still a footer.
        let two = Passage {
            copies: middle.copies[..2].to_vec(),
            pairs: vec![0],
            words: 300,
        };
        let end6 = copies(6, 4900, 4990, 12);
        assert_eq!(
            boilerplate(&[two, end6], &aligned, &lengths, OPTIONS),
            [false, true]
        );
    }
}
