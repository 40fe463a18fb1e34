//! Provenance: who lifted from whom.
//!
//! Dates come from a manifest (`id,date[,title,url]` CSV with a header row, or a
//! JSON array of objects with the same fields) or from input order
//! (`--order given`). Within a passage the earliest-dated copy is its source;
//! every later copy links to the strictly older copy it resembles most (its
//! direct alignment with the highest similarity; ties go to the earliest), so a
//! chain A -> B -> C shows when C copied B's edited version rather than A. A
//! link is directed only when both ends have dates and they differ: copies of
//! unknown or equal date are linked undirected, and a passage with an undated
//! copy has no source. No direction is ever invented. A copy with no known
//! older copy gets an undirected link from the most similar copy before it in
//! id order. Documents are kept sorted by id, so the map does not depend on
//! the order the inputs were given in (issue 4): that order is the "input
//! order" issue 3 asks for. Every copy has at most one incoming link.
//!
//! Boilerplate: a passage found in more than `max_docs_frac` of the documents
//! (when there are at least 10), or a footer, is marked and left out of the map
//! unless asked for. A footer (such as "Laisser un commentaire") is a short
//! passage (at most [`FOOTER_WORDS`] words) at the very end of every one of its
//! copies, that recurs in many documents ([`FOOTER_DOCUMENTS`] or more) which
//! otherwise have little to do with each other: fewer than half of them share
//! other text with another of them. That is what a site's or a series' footer
//! looks like: the same closing line under articles on different subjects.
//! Versions of one text (translations, editions) that end with the same
//! verses are not footers, however many they are: they share the rest of the
//! text too. (Issue 13: the rule used to be "at the end of three or more
//! documents", and the last verses of several books, identical across four
//! translations, were dropped as boilerplate.) Measured on `lifted gen
//! --size-mb 6` (eight footers in 6 to 15 documents each): all eight marked,
//! no other passage marked, as before.

use rayon::prelude::*;

use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;
pub use crate::manifest::{read_manifest, Date, ManifestEntry};

/// What is known of the documents' order in time.
#[derive(Debug, Clone)]
pub enum Chronology {
    /// Dates per document (by index); `None` when unknown.
    Dates(Vec<Option<Date>>),
    /// Input order is chronological: the position of each document.
    Given(Vec<u32>),
    /// Nothing is known: every link is undirected.
    Unknown,
}

impl Chronology {
    /// A comparable time key, when known.
    fn key(&self, doc: u32) -> Option<Key<'_>> {
        match self {
            Chronology::Dates(dates) => dates[doc as usize].as_ref().map(Key::Date),
            Chronology::Given(order) => Some(Key::Order(order[doc as usize])),
            Chronology::Unknown => None,
        }
    }
}

/// When a copy was published. The derived order is total, for choosing a
/// passage's source and breaking ties; whether one copy came before another
/// is [`Key::before`], which leaves overlapping dates unordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    Date(&'a Date),
    Order(u32),
}

impl Key<'_> {
    fn before(self, other: Key) -> bool {
        match (self, other) {
            (Key::Date(a), Key::Date(b)) => a.before(b),
            (Key::Order(a), Key::Order(b)) => a < b,
            _ => false,
        }
    }
}

/// Boilerplate rules.
#[derive(Debug, Clone, Copy)]
pub struct BoilerplateOptions {
    /// Share of documents above which a passage is boilerplate (with 10+ documents).
    pub max_docs_frac: f64,
    /// Keep boilerplate passages in the map (marked).
    pub keep: bool,
}

/// A directed or undirected link between two copies.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// The older copy (or the first in input order when undirected).
    pub source: Span,
    /// The newer copy.
    pub target: Span,
    /// Whether dates give the direction.
    pub directed: bool,
    /// Similarity of the two spans, in [0, 1].
    pub similarity: f64,
    /// Words in common.
    pub words: u32,
    /// Words edited.
    pub edits: u32,
    /// Share of the target span's words matched.
    pub coverage: f64,
    /// Index of the passage.
    pub passage: usize,
}

/// The provenance of every passage.
#[derive(Debug, Clone, Default)]
pub struct Provenance {
    /// Source document of each passage, when dates make it known.
    pub sources: Vec<Option<u32>>,
    /// Whether each passage is boilerplate.
    pub boilerplate: Vec<bool>,
    /// Links, sorted by target then source.
    pub links: Vec<Link>,
}

/// Decide sources and links. `lengths[d]` is document d's size in bytes.
pub fn trace(
    passages: &[Passage],
    pairs: &[AlignedPair],
    chronology: &Chronology,
    lengths: &[u32],
    options: BoilerplateOptions,
) -> Provenance {
    let mut out = Provenance::default();
    let boilerplate = boilerplate(passages, pairs, lengths, options);
    // Passages are decided independently, in parallel, and gathered in order.
    let decided: Vec<(bool, Option<u32>, Vec<Link>)> = passages
        .par_iter()
        .enumerate()
        .map(|(index, passage)| {
            let boilerplate = boilerplate[index];
            let keys: Vec<Option<Key>> = passage
                .copies
                .iter()
                .map(|c| chronology.key(c.doc))
                .collect();
            let all_known = keys.iter().all(Option::is_some);
            let source = if all_known {
                (0..passage.copies.len())
                    .min_by_key(|&i| (keys[i], i))
                    .map(|i| passage.copies[i].doc)
            } else {
                None
            };
            let links = if boilerplate && !options.keep {
                Vec::new()
            } else {
                passage_links(index, passage, pairs, &keys)
            };
            (boilerplate, source, links)
        })
        .collect();
    for (boilerplate, source, links) in decided {
        out.boilerplate.push(boilerplate);
        out.sources.push(source);
        out.links.extend(links);
    }
    // Stable, as the serial sort was: ties keep passage order.
    out.links.par_sort_by_key(|x| (x.target, x.source));
    out
}

fn passage_links(
    index: usize,
    passage: &Passage,
    pairs: &[AlignedPair],
    keys: &[Option<Key>],
) -> Vec<Link> {
    // Per copy, its best incoming link: from the older copy it resembles most
    // (directed), or, when no older copy is known, from the most similar copy
    // that comes earlier in id order (undirected). One link per copy keeps the
    // map linear in the number of copies: a passage in 10,000 documents gives
    // 9,999 links, not 50 million.
    let mut directed: Vec<Option<(f64, Key, usize, Link)>> = vec![None; passage.copies.len()];
    let mut undirected: Vec<Option<(f64, usize, Link)>> = vec![None; passage.copies.len()];
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
    directed
        .into_iter()
        .zip(undirected)
        .filter_map(|(d, u)| d.map(|(_, _, _, link)| link).or(u.map(|(_, _, link)| link)))
        .collect()
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

/// Most words of a footer.
pub const FOOTER_WORDS: u32 = 30;

/// Fewest documents a footer recurs in.
pub const FOOTER_DOCUMENTS: usize = 5;

/// Which passages are boilerplate (see the module doc).
fn boilerplate(
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
    use crate::cluster::cluster;

    fn pair(
        a: (u32, u32, u32),
        b: (u32, u32, u32),
        words: u32,
        lengths: (u32, u32),
    ) -> AlignedPair {
        AlignedPair {
            a: Span {
                doc: a.0,
                start: a.1,
                end: a.2,
            },
            b: Span {
                doc: b.0,
                start: b.1,
                end: b.2,
            },
            words,
            edits: 0,
            a_words: lengths.0,
            b_words: lengths.1,
        }
    }

    fn dates(list: &[Option<&str>]) -> Chronology {
        Chronology::Dates(
            list.iter()
                .map(|d| d.map(|d| Date::parse(d).unwrap()))
                .collect(),
        )
    }

    #[test]
    fn chain_follows_the_edited_version() {
        // Doc 0 (oldest) -> doc 1 edits it -> doc 2 copies doc 1's edited version.
        let pairs = [
            pair((0, 0, 100), (1, 0, 100), 18, (20, 20)),
            pair((0, 0, 100), (2, 0, 100), 16, (20, 20)),
            pair((1, 0, 100), (2, 0, 100), 20, (20, 20)),
        ];
        let passages = cluster(&pairs);
        let chronology = dates(&[Some("2022-08-24"), Some("2022-09-04"), Some("2022-09-06")]);
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        let found = trace(&passages, &pairs, &chronology, &[1000; 3], options);
        assert_eq!(found.sources, [Some(0)]);
        let edges: Vec<(u32, u32, bool)> = found
            .links
            .iter()
            .map(|l| (l.source.doc, l.target.doc, l.directed))
            .collect();
        assert_eq!(edges, [(0, 1, true), (1, 2, true)]);
    }

    #[test]
    fn unknown_dates_give_undirected_links_and_no_source() {
        let pairs = [pair((0, 0, 100), (1, 0, 100), 20, (20, 20))];
        let passages = cluster(&pairs);
        let chronology = dates(&[Some("2022-08-24"), None]);
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        let found = trace(&passages, &pairs, &chronology, &[1000; 2], options);
        assert_eq!(found.sources, [None]);
        assert!(!found.links[0].directed);
        assert_eq!(
            found.links[0].source.doc, 0,
            "the id sorting first is the source"
        );
    }

    #[test]
    fn boilerplate_by_spread_and_by_footer_position() {
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        // A passage in 6 of 10 documents is boilerplate; in 5 of 10 it is not.
        let spread = |n: u32| Passage {
            copies: (0..n)
                .map(|d| Span {
                    doc: d,
                    start: 0,
                    end: 100,
                })
                .collect(),
            pairs: vec![],
            words: 20,
        };
        assert_eq!(boilerplate(&[spread(6)], &[], &[5000; 10], options), [true]);
        assert_eq!(
            boilerplate(&[spread(5)], &[], &[5000; 10], options),
            [false]
        );
        // A short passage at the very end of n documents.
        let at = |n: u32, start: u32, end: u32| Passage {
            copies: (0..n).map(|doc| Span { doc, start, end }).collect(),
            pairs: vec![],
            words: 12,
        };
        let lengths = [5000; 12];
        let footer = |n: u32| boilerplate(&[at(n, 4900, 4990)], &[], &lengths, options)[0];
        assert!(!footer(3) && !footer(4), "a few documents are not many");
        assert!(footer(5) && footer(12));
        assert_eq!(
            boilerplate(&[at(6, 2000, 2090)], &[], &lengths, options),
            [false],
            "not at the end"
        );
    }

    #[test]
    fn versions_of_one_text_sharing_their_end_are_not_footers() {
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        // Six versions of a text: a long shared passage in the middle, and
        // the same last verse.
        let mut aligned = Vec::new();
        for a in 0..6 {
            for b in a + 1..6 {
                aligned.push(pair((a, 1000, 3000), (b, 1000, 3000), 300, (300, 300)));
            }
        }
        let middle = Passage {
            copies: (0..6)
                .map(|doc| Span {
                    doc,
                    start: 1000,
                    end: 3000,
                })
                .collect(),
            pairs: (0..aligned.len()).collect(),
            words: 300,
        };
        let end = Passage {
            copies: (0..6)
                .map(|doc| Span {
                    doc,
                    start: 4900,
                    end: 4990,
                })
                .collect(),
            pairs: vec![],
            words: 12,
        };
        let lengths = [5000; 8];
        assert_eq!(
            boilerplate(&[middle.clone(), end.clone()], &aligned, &lengths, options),
            [false, false]
        );
        // The same closing line under six unrelated documents is a footer.
        assert_eq!(boilerplate(&[end], &aligned, &lengths, options), [true]);
        // Two of six related: still a footer.
        let two = Passage {
            copies: middle.copies[..2].to_vec(),
            pairs: vec![0],
            words: 300,
        };
        let end6 = Passage {
            copies: (0..6)
                .map(|doc| Span {
                    doc,
                    start: 4900,
                    end: 4990,
                })
                .collect(),
            pairs: vec![],
            words: 12,
        };
        assert_eq!(
            boilerplate(&[two, end6], &aligned, &lengths, options),
            [false, true]
        );
    }
}
