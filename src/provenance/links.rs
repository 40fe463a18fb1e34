//! The links inside one passage: per copy, one incoming link, directed from
//! the older copy it resembles most when dates order them, else undirected
//! from the most similar copy before it in id order.

use super::chronology::Key;
use super::Link;
use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;

/// The best incoming links of a passage's copies, directed and undirected
/// ([`passage_links`] fills it; kept from passage to passage so that its
/// lists are made once per thread).
#[derive(Default)]
pub(super) struct Links<'a> {
    directed: Vec<Option<(f64, Key<'a>, usize, Link)>>,
    undirected: Vec<Option<(f64, usize, Link)>>,
}

impl Links<'_> {
    /// The links found, by target copy: its directed link, else its
    /// undirected one.
    pub(super) fn found(&self) -> impl Iterator<Item = Link> + '_ {
        self.directed
            .iter()
            .zip(&self.undirected)
            .filter_map(|(d, u)| d.map(|(_, _, _, link)| link).or(u.map(|(_, _, link)| link)))
    }
}

/// Fill `found` with the links inside passage `index` (see [`Links::found`]).
pub(super) fn passage_links<'a>(
    index: usize,
    passage: &Passage,
    pairs: &[AlignedPair],
    keys: &[Option<Key<'a>>],
    found: &mut Links<'a>,
) {
    // Per copy, its best incoming link: from the older copy it resembles most
    // (directed), or, when no older copy is known, from the most similar copy
    // that comes earlier in id order (undirected). One link per copy keeps the
    // map linear in the number of copies: a passage in 10,000 documents gives
    // 9,999 links, not 50 million.
    let Links {
        directed,
        undirected,
    } = found;
    directed.clear();
    directed.resize(passage.copies.len(), None);
    undirected.clear();
    undirected.resize(passage.copies.len(), None);
    for &k in &passage.pairs {
        let pair = pairs[k];
        let (ca, cb) = (passage.copy_of(&pair.a), passage.copy_of(&pair.b));
        if ca == cb {
            continue;
        }
        // (source copy, target copy, link) with A or B as the source.
        let orient = |a_first: bool, directed: bool| {
            if a_first {
                (
                    ca,
                    cb,
                    make_link(index, pair.a, pair.b, directed, &pair, pair.b_words),
                )
            } else {
                (
                    cb,
                    ca,
                    make_link(index, pair.b, pair.a, directed, &pair, pair.a_words),
                )
            }
        };
        match (keys[ca], keys[cb]) {
            (Some(ka), Some(kb)) if ka.before(kb) || kb.before(ka) => {
                let (older, newer, link) = orient(ka.before(kb), true);
                let key = ka.min(kb);
                let better = match &directed[newer] {
                    None => true,
                    // Most similar first; ties go to the earliest copy.
                    Some((similarity, other_key, other, _)) => {
                        (link.similarity, std::cmp::Reverse((key, older)))
                            > (*similarity, std::cmp::Reverse((*other_key, *other)))
                    }
                };
                if better {
                    directed[newer] = Some((link.similarity, key, older, link));
                }
            }
            _ => {
                // Copies are sorted by (document, start): the earlier one is the source.
                let (first, second, link) = orient(ca < cb, false);
                let better = match &undirected[second] {
                    None => true,
                    Some((similarity, other, _)) => {
                        (link.similarity, std::cmp::Reverse(first))
                            > (*similarity, std::cmp::Reverse(*other))
                    }
                };
                if better {
                    undirected[second] = Some((link.similarity, first, link));
                }
            }
        }
    }
}

fn make_link(
    passage: usize,
    source: Span,
    target: Span,
    directed: bool,
    pair: &AlignedPair,
    target_words: u32,
) -> Link {
    Link {
        source,
        target,
        directed,
        similarity: pair.similarity(),
        words: pair.words,
        edits: pair.edits,
        coverage: pair.words as f64 / target_words.max(1) as f64,
        passage,
    }
}
