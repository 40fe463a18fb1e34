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
//! order" issue 3 asks for. Every copy has at most one incoming undirected
//! link.
//!
//! Directed links credit each lifted byte to one source (issue 14): per
//! target document, every aligned pair with an older document is a
//! candidate; the sources that share the most words with the target (its
//! closest versions) claim the bytes they match first, as far as they match,
//! except that a stretch of the target one source has whole, word for word,
//! is that source's first (a commentary's quotation goes to the version it
//! quotes, not to the version the commentary shares most words with);
//! an older document that has a claimed piece word for word takes it over
//! (the oldest copy of the closest version, as a reprint is credited to the
//! first printing); consecutive links from one source merge across small
//! gaps. A verse copied whole from KJV is one link from KJV, not pieces from
//! KJV and Tyndale; each document's main source ("base text") is
//! [`Provenance::main_sources`]. Measured on `lifted gen --shape versions
//! --size-mb 1`: 4,149 links (median 16 words, 201,595 target bytes in two
//! links from different sources, 71.4% of the revised paragraphs' lifted
//! bytes credited to the version they were revised from) before, 589 links
//! (median 36 words, none, 99.3%) after.
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
//!
//! The parts live one to a file: `chronology` (the documents' order in time),
//! `links` (the links inside one passage), `attribute` (one source per
//! lifted byte) and `boilerplate` (spread and footers); this file holds the
//! types and [`trace`], which puts them together, and each document's main
//! source.

mod attribute;
mod boilerplate;
mod chronology;
mod links;

use rayon::prelude::*;

use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;
pub use crate::manifest::{read_manifest, Date, Label, ManifestEntry};

pub use attribute::{MERGE_GAP_BYTES, MERGE_LONG_GAP_BYTES};
pub use boilerplate::{FOOTER_DOCUMENTS, FOOTER_WORDS};
pub use chronology::{chronology, Chronology};

pub use crate::align::union_length;
use attribute::attribute;
use chronology::Key;
use links::{passage_links, Links};

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
    /// Links, sorted by target then source. No byte of a document is the
    /// target of two directed links from different sources.
    pub links: Vec<Link>,
    /// Per document, its main source ("base text"): the document credited
    /// with most of its lifted bytes, when anything was lifted.
    pub main_sources: Vec<Option<MainSource>>,
    /// Per document, its lifted bytes: the union of the target ends of its
    /// links and of both ends of undirected ones.
    pub lifted_bytes: Vec<u64>,
}

/// The source credited with most of a document's lifted bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MainSource {
    /// The source document.
    pub doc: u32,
    /// Bytes of the document credited to it (the union of the target ends
    /// of its links into the document, and of both ends of undirected ones).
    pub bytes: u64,
    /// `bytes` over the document's lifted bytes.
    pub share: f64,
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
    let boilerplate = boilerplate::boilerplate(passages, pairs, lengths, options);
    // Passages are decided independently, in parallel, and gathered in
    // order: the source of each, then the links of all straight into one
    // list (no list per passage held: millions of passages).
    out.sources = passages
        .par_iter()
        .map(|passage| {
            // The oldest copy, when every copy's date is known (the first
            // of the oldest).
            let mut oldest: Option<(Key, usize)> = None;
            for (i, copy) in passage.copies.iter().enumerate() {
                let key = chronology.key(copy.doc)?;
                if oldest.is_none_or(|o| (key, i) < o) {
                    oldest = Some((key, i));
                }
            }
            oldest.map(|(_, i)| passage.copies[i].doc)
        })
        .collect();
    // Each thread's working lists, reused from passage to passage: the
    // copies' time keys, and the links of a passage. Only its undirected
    // links are kept (directed ones are credited byte by byte below), and
    // most passages have none: no list is made for them.
    out.links = passages
        .par_iter()
        .enumerate()
        .map_init(
            || (Vec::new(), Links::default()),
            |(keys, links), (index, passage)| {
                if boilerplate[index] && !options.keep {
                    return Vec::new();
                }
                keys.clear();
                keys.extend(passage.copies.iter().map(|c| chronology.key(c.doc)));
                passage_links(index, passage, pairs, keys, links);
                links.found().filter(|l| !l.directed).collect::<Vec<Link>>()
            },
        )
        .flat_map_iter(|links| links)
        .collect();
    out.boilerplate = boilerplate;
    let keep = |index: usize| options.keep || !out.boilerplate[index];
    out.links
        .extend(attribute(passages, pairs, chronology, &keep));
    // Stable, as the serial sort was: ties keep passage order.
    out.links.par_sort_by_key(|x| (x.target, x.source));
    (out.main_sources, out.lifted_bytes) = main_sources(lengths.len(), &out.links);
    out
}

/// Per document, the source with the most bytes of it (see [`MainSource`]);
/// ties go to the first document.
/// Also each document's lifted bytes, which the shares are taken of.
fn main_sources(documents: usize, links: &[Link]) -> (Vec<Option<MainSource>>, Vec<u64>) {
    // (here, there, start, end) for every lifted end.
    let mut ends: Vec<(u32, u32, u32, u32)> = Vec::with_capacity(links.len());
    for link in links {
        let (s, t) = (&link.source, &link.target);
        ends.push((t.doc, s.doc, t.start, t.end));
        if !link.directed {
            ends.push((s.doc, t.doc, s.start, s.end));
        }
    }
    ends.par_sort_unstable();
    let mut best: Vec<Option<(u32, u64)>> = vec![None; documents];
    let mut lifted: Vec<u64> = vec![0; documents];
    for here in ends.chunk_by(|a, b| a.0 == b.0) {
        let doc = here[0].0 as usize;
        lifted[doc] = union_length(here.iter().map(|e| (e.2, e.3)).collect());
        for group in here.chunk_by(|a, b| a.1 == b.1) {
            let bytes = union_length(group.iter().map(|e| (e.2, e.3)).collect());
            if best[doc].is_none_or(|(_, b)| bytes > b) {
                best[doc] = Some((group[0].1, bytes));
            }
        }
    }
    let main = best
        .into_iter()
        .zip(&lifted)
        .map(|(best, &lifted)| {
            best.map(|(doc, bytes)| MainSource {
                doc,
                bytes,
                share: bytes as f64 / lifted.max(1) as f64,
            })
        })
        .collect();
    (main, lifted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::cluster;

    pub(super) fn pair(
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

    pub(super) fn dates(list: &[Option<&str>]) -> Chronology {
        Chronology::Dates(
            list.iter()
                .map(|d| d.map(|d| Date::parse(d).unwrap()))
                .collect(),
        )
    }

    /// The boilerplate rules of the tests: over half of 10+ documents, not kept.
    pub(super) const OPTIONS: BoilerplateOptions = BoilerplateOptions {
        max_docs_frac: 0.5,
        keep: false,
    };

    /// [`trace`] of the passages `pairs` cluster into, for documents of
    /// `length` bytes dated `dated` (one per document).
    pub(super) fn traced(pairs: &[AlignedPair], dated: &[Option<&str>], length: u32) -> Provenance {
        let passages = cluster(pairs);
        let lengths = vec![length; dated.len()];
        trace(&passages, pairs, &dates(dated), &lengths, OPTIONS)
    }

    #[test]
    fn chain_follows_the_edited_version() {
        // Doc 0 (oldest) -> doc 1 edits it -> doc 2 copies doc 1's edited version.
        let pairs = [
            pair((0, 0, 100), (1, 0, 100), 18, (20, 20)),
            pair((0, 0, 100), (2, 0, 100), 16, (20, 20)),
            pair((1, 0, 100), (2, 0, 100), 20, (20, 20)),
        ];
        let found = traced(
            &pairs,
            &[Some("2022-08-24"), Some("2022-09-04"), Some("2022-09-06")],
            1000,
        );
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
        let found = traced(&pairs, &[Some("2022-08-24"), None], 1000);
        assert_eq!(found.sources, [None]);
        assert!(!found.links[0].directed);
        assert_eq!(
            found.links[0].source.doc, 0,
            "the id sorting first is the source"
        );
    }
}
