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
//! closest versions) claim the bytes they match first, as far as they match;
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

use rayon::prelude::*;

use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;
pub use crate::manifest::{read_manifest, Date, Label, ManifestEntry};

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

/// The documents' order in time, and their manifest titles and URLs (by
/// document index; empty without a manifest). Dates come from the records
/// (`Document::date`, from `--date-field`), then from `manifest`, which wins
/// document by document; without any date, `given_order` makes the input
/// order the chronology. The one place the CLI's scan, check and dedup and the
/// Python package decide this.
pub fn chronology(
    corpus: &crate::ingest::Corpus,
    manifest: Option<&std::path::Path>,
    given_order: bool,
) -> crate::Result<(Chronology, Vec<Label>)> {
    let mut dates: Vec<Option<Date>> = corpus.documents.iter().map(|d| d.date.clone()).collect();
    if let Some(path) = manifest {
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        let mut labels = vec![Label::default(); ids.len()];
        for entry in read_manifest(path, &ids)? {
            // read_manifest checked that every id is in the corpus, once.
            if let Ok(i) = ids.binary_search(&entry.id.as_str()) {
                dates[i] = Some(entry.date);
                labels[i] = Label {
                    title: entry.title,
                    url: entry.url,
                };
            }
        }
        return Ok((Chronology::Dates(dates), labels));
    }
    let chronology = if dates.iter().any(Option::is_some) {
        Chronology::Dates(dates)
    } else if given_order {
        Chronology::Given(corpus.documents.iter().map(|d| d.order).collect())
    } else {
        Chronology::Unknown
    };
    Ok((chronology, Vec::new()))
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
        // Directed links are credited byte by byte below.
        out.links.extend(links.into_iter().filter(|l| !l.directed));
    }
    let keep = |index: usize| options.keep || !out.boilerplate[index];
    out.links
        .extend(attribute(passages, pairs, chronology, &keep));
    // Stable, as the serial sort was: ties keep passage order.
    out.links.par_sort_by_key(|x| (x.target, x.source));
    (out.main_sources, out.lifted_bytes) = main_sources(lengths.len(), &out.links);
    out
}

/// Gap (in bytes, in both the target and the source) across which two
/// consecutive links from the same source into the same target merge.
pub const MERGE_GAP_BYTES: u32 = 32;

/// Longer gaps, up to this, merge when they are at most a fifth of the
/// merged link (a sentence inserted into a long copied stretch).
pub const MERGE_LONG_GAP_BYTES: u32 = 160;

/// A directed candidate: one aligned pair, or the part of it still unclaimed.
/// Word counts are scaled with the part kept, hence fractional.
#[derive(Debug, Clone, Copy)]
struct Piece {
    source: Span,
    target: Span,
    words: f64,
    edits: f64,
    source_words: f64,
    target_words: f64,
    passage: usize,
}

impl Piece {
    /// The part of the piece whose target is `start..end` (inside its
    /// target); the source is cut in proportion (exact at the ends kept).
    fn part(&self, start: u32, end: u32) -> Piece {
        let (t, s) = (self.target, self.source);
        let length = t.len().max(1) as f64;
        let map = |at: u32| -> u32 {
            if at == t.start {
                s.start
            } else if at == t.end {
                s.end
            } else {
                let offset = ((at - t.start) as f64 / length * s.len() as f64).round() as u32;
                (s.start + offset).min(s.end)
            }
        };
        let share = (end - start) as f64 / length;
        Piece {
            source: Span {
                doc: s.doc,
                start: map(start),
                end: map(end),
            },
            target: Span {
                doc: t.doc,
                start,
                end,
            },
            words: self.words * share,
            edits: self.edits * share,
            source_words: self.source_words * share,
            target_words: self.target_words * share,
            passage: self.passage,
        }
    }

    fn link(&self) -> Link {
        let words = self.words.round() as u32;
        Link {
            source: self.source,
            target: self.target,
            directed: true,
            similarity: (2.0 * self.words / (self.source_words + self.target_words).max(1.0))
                .min(1.0),
            words,
            edits: self.edits.round() as u32,
            coverage: (self.words / self.target_words.max(1.0)).min(1.0),
            passage: self.passage,
        }
    }
}

/// One source per lifted byte (issue 14). Every aligned pair whose ends have
/// ordered dates is a candidate for the newer end. Per target document, its
/// sources are ranked by the words they share with it (the closest version
/// first: the one it was revised from shares the most), ties to the oldest;
/// each source's pairs, longest first, claim the target bytes no better
/// ranked pair has claimed, so a verse taken whole from the closest version
/// is one span from it, and an older version is credited only with what the
/// closer one lacks, or with a piece it has word for word. Then consecutive links from one source merge across
/// gaps of at most [`MERGE_GAP_BYTES`], or [`MERGE_LONG_GAP_BYTES`] when
/// the gap is at most a fifth of the merged link (fewer, longer links); a
/// short piece from another source inside such a gap is absorbed as an edit.
fn attribute(
    passages: &[Passage],
    pairs: &[AlignedPair],
    chronology: &Chronology,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<Link> {
    let mut candidates: Vec<Piece> = Vec::new();
    for (index, passage) in passages.iter().enumerate() {
        if !keep(index) {
            continue;
        }
        for &k in &passage.pairs {
            let pair = &pairs[k];
            let (ka, kb) = match (chronology.key(pair.a.doc), chronology.key(pair.b.doc)) {
                (Some(ka), Some(kb)) => (ka, kb),
                _ => continue,
            };
            let piece = |source: Span, target: Span, sw: u32, tw: u32| Piece {
                source,
                target,
                words: pair.words as f64,
                edits: pair.edits as f64,
                source_words: sw as f64,
                target_words: tw as f64,
                passage: index,
            };
            if ka.before(kb) {
                candidates.push(piece(pair.a, pair.b, pair.a_words, pair.b_words));
            } else if kb.before(ka) {
                candidates.push(piece(pair.b, pair.a, pair.b_words, pair.a_words));
            }
        }
    }
    candidates.par_sort_unstable_by_key(|p| (p.target.doc, p.target, p.source, p.passage));
    let per_target: Vec<Vec<Link>> = candidates
        .par_chunk_by(|x, y| x.target.doc == y.target.doc)
        .map(|group| attribute_target(group, chronology))
        .collect();
    per_target.into_iter().flatten().collect()
}

/// [`attribute`] for the candidates of one target document.
fn attribute_target(group: &[Piece], chronology: &Chronology) -> Vec<Link> {
    // Words each source shares with the target.
    let mut shared: Vec<(u32, f64)> = Vec::new();
    let mut by_source: Vec<&Piece> = group.iter().collect();
    by_source.sort_by_key(|p| p.source.doc);
    for chunk in by_source.chunk_by(|x, y| x.source.doc == y.source.doc) {
        shared.push((chunk[0].source.doc, chunk.iter().map(|p| p.words).sum()));
    }
    shared.sort_by(|x, y| {
        y.1.total_cmp(&x.1)
            .then_with(|| chronology.key(x.0).cmp(&chronology.key(y.0)))
            .then(x.0.cmp(&y.0))
    });
    let rank = |doc: u32| shared.iter().position(|s| s.0 == doc).unwrap_or(usize::MAX);
    let mut order: Vec<(usize, &Piece)> = group.iter().map(|p| (rank(p.source.doc), p)).collect();
    order.sort_by(|(rx, x), (ry, y)| {
        rx.cmp(ry)
            .then_with(|| y.words.total_cmp(&x.words))
            .then_with(|| (x.target, x.source, x.passage).cmp(&(y.target, y.source, y.passage)))
    });
    // Claimed target bytes: start -> end, disjoint.
    let mut claimed: std::collections::BTreeMap<u32, u32> = std::collections::BTreeMap::new();
    let mut kept: Vec<Piece> = Vec::new();
    for (_, piece) in order {
        let (start, end) = (piece.target.start, piece.target.end);
        let mut at = start;
        // The claim that may reach into the piece from before its start.
        if let Some((_, &e)) = claimed.range(..=start).next_back() {
            at = at.max(e);
        }
        let inside: Vec<(u32, u32)> = claimed.range(start..end).map(|(&s, &e)| (s, e)).collect();
        for (s, e) in inside.into_iter().chain(std::iter::once((end, end))) {
            if s > at {
                kept.push(piece.part(at, s.min(end)));
            }
            at = at.max(e);
            if at >= end {
                break;
            }
        }
        // Claim the whole piece: merge it with the claims it touches.
        let mut new_start = start;
        let mut new_end = end;
        if let Some((&s, &e)) = claimed.range(..=start).next_back() {
            if e >= start {
                new_start = s;
                new_end = new_end.max(e);
            }
        }
        let touched: Vec<u32> = claimed.range(new_start..=end).map(|(&s, _)| s).collect();
        for s in touched {
            new_end = new_end.max(claimed.remove(&s).unwrap_or(s));
        }
        claimed.insert(new_start, new_end);
    }
    // The oldest copy of the closest version: a piece goes to an older
    // source that has all of it word for word (an aligned pair without
    // edits covering it), as a reprint is credited to the first printing.
    let exact: Vec<&Piece> = group
        .iter()
        .filter(|q| q.edits == 0.0 && q.words >= q.target_words)
        .collect();
    if !exact.is_empty() {
        for piece in kept.iter_mut() {
            let key = chronology.key(piece.source.doc);
            let reach = exact.partition_point(|q| q.target.start <= piece.target.start);
            let older = exact[..reach]
                .iter()
                .filter(|q| {
                    q.target.end >= piece.target.end
                        && matches!((chronology.key(q.source.doc), key), (Some(a), Some(b)) if a.before(b))
                })
                .min_by(|x, y| {
                    chronology
                        .key(x.source.doc)
                        .cmp(&chronology.key(y.source.doc))
                        .then_with(|| (x.source, x.target).cmp(&(y.source, y.target)))
                });
            if let Some(older) = older {
                *piece = older.part(piece.target.start, piece.target.end);
            }
        }
    }
    kept.sort_by_key(|p| (p.target, p.source, p.passage));
    let joins = |last: &Piece, piece: &Piece| {
        let target_gap = piece.target.start.saturating_sub(last.target.end);
        let source_gap = piece.source.start.saturating_sub(last.source.end);
        last.source.doc == piece.source.doc
            && piece.source.start >= last.source.start
            && mergeable(
                target_gap.max(source_gap),
                piece.target.end.max(last.target.end) - last.target.start,
            )
    };
    let mut links: Vec<Piece> = Vec::new();
    let mut i = 0;
    while i < kept.len() {
        let mut piece = kept[i];
        i += 1;
        if let Some(last) = links.last_mut() {
            // A short piece from another source between two pieces that
            // join is an edit of the surrounding link, not a link of its own.
            if last.source.doc != piece.source.doc
                && piece.target.len() <= MERGE_LONG_GAP_BYTES
                && i < kept.len()
                && joins(last, &kept[i])
            {
                piece = kept[i];
                i += 1;
            }
            if joins(last, &piece) {
                let target_gap = piece.target.start.saturating_sub(last.target.end);
                let source_gap = piece.source.start.saturating_sub(last.source.end);
                // Words in the gaps, at the density of the pieces, count as edited.
                let t_density = (last.target_words + piece.target_words)
                    / (last.target.len() + piece.target.len()).max(1) as f64;
                let s_density = (last.source_words + piece.source_words)
                    / (last.source.len() + piece.source.len()).max(1) as f64;
                let target_gap_words = target_gap as f64 * t_density;
                let source_gap_words = source_gap as f64 * s_density;
                last.words += piece.words;
                last.edits += piece.edits + target_gap_words.max(source_gap_words);
                last.source_words += piece.source_words + source_gap_words;
                last.target_words += piece.target_words + target_gap_words;
                last.target.end = last.target.end.max(piece.target.end);
                last.source.end = last.source.end.max(piece.source.end);
                continue;
            }
        }
        links.push(piece);
    }
    links.iter().map(Piece::link).collect()
}

/// Whether a gap of `gap` bytes merges into a link of `merged` bytes.
fn mergeable(gap: u32, merged: u32) -> bool {
    gap <= MERGE_GAP_BYTES || (gap <= MERGE_LONG_GAP_BYTES && gap as u64 * 5 <= merged as u64)
}

/// Total length of the union of half-open ranges.
pub fn union_length(mut ranges: Vec<(u32, u32)>) -> u64 {
    ranges.sort_unstable();
    let mut total = 0u64;
    let mut current: Option<(u32, u32)> = None;
    for (start, end) in ranges {
        match current.as_mut() {
            Some(c) if start <= c.1 => c.1 = c.1.max(end),
            _ => {
                if let Some(c) = current {
                    total += (c.1 - c.0) as u64;
                }
                current = Some((start, end));
            }
        }
    }
    total + current.map_or(0, |c| (c.1 - c.0) as u64)
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
    fn a_target_is_credited_to_its_closest_version_and_its_main_source_is_known() {
        // Doc 2 copies doc 1 whole (bytes 0..300); doc 0, older, shares two
        // short stretches with doc 2. Doc 1 is closest: one link, all of it.
        let pairs = [
            pair((0, 0, 300), (1, 0, 300), 40, (50, 50)),
            pair((1, 0, 300), (2, 0, 300), 50, (50, 50)),
            pair((0, 0, 60), (2, 0, 60), 10, (10, 10)),
            pair((0, 200, 260), (2, 200, 260), 10, (10, 10)),
        ];
        let passages = cluster(&pairs);
        let chronology = dates(&[Some("1534-01-01"), Some("1611-01-01"), Some("1901-01-01")]);
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        let found = trace(&passages, &pairs, &chronology, &[1000; 3], options);
        let into_2: Vec<(u32, u32, u32)> = found
            .links
            .iter()
            .filter(|l| l.target.doc == 2)
            .map(|l| (l.source.doc, l.target.start, l.target.end))
            .collect();
        assert_eq!(into_2, [(1, 0, 300)]);
        assert_eq!(
            found.main_sources[2],
            Some(MainSource {
                doc: 1,
                bytes: 300,
                share: 1.0
            })
        );
        assert_eq!(found.main_sources[0], None);
    }

    #[test]
    fn a_stretch_an_older_document_has_word_for_word_is_credited_to_it() {
        // Doc 2 copies doc 1 (edited, two aligned spans); its second span is
        // word for word in doc 0, which doc 1 reprinted: it goes to doc 0.
        let mut edited = pair((1, 0, 400), (2, 0, 400), 55, (60, 60));
        edited.edits = 5;
        let pairs = [
            edited,
            pair((1, 1000, 1400), (2, 1000, 1400), 60, (60, 60)),
            pair((0, 0, 400), (2, 1000, 1400), 60, (60, 60)),
            pair((0, 0, 400), (1, 1000, 1400), 60, (60, 60)),
        ];
        let passages = cluster(&pairs);
        let chronology = dates(&[Some("1900-01-01"), Some("1950-01-01"), Some("2000-01-01")]);
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        let found = trace(&passages, &pairs, &chronology, &[2000; 3], options);
        let into_2: Vec<(u32, u32, u32)> = found
            .links
            .iter()
            .filter(|l| l.target.doc == 2)
            .map(|l| (l.source.doc, l.target.start, l.target.end))
            .collect();
        assert_eq!(into_2, [(1, 0, 400), (0, 1000, 1400)]);
        assert_eq!(found.main_sources[2].map(|m| m.share), Some(0.5));
    }

    #[test]
    fn links_from_one_source_merge_across_a_small_gap_only() {
        let pairs = [
            pair((0, 0, 1000), (1, 0, 1000), 150, (150, 150)),
            pair((0, 1100, 2000), (1, 1100, 2000), 140, (150, 150)),
            pair((0, 2600, 3000), (1, 2600, 3000), 60, (60, 60)),
        ];
        let passages = cluster(&pairs);
        let chronology = dates(&[Some("2000-01-01"), Some("2001-01-01")]);
        let options = BoilerplateOptions {
            max_docs_frac: 0.5,
            keep: false,
        };
        let found = trace(&passages, &pairs, &chronology, &[3000; 2], options);
        let spans: Vec<(u32, u32)> = found
            .links
            .iter()
            .map(|l| (l.target.start, l.target.end))
            .collect();
        assert_eq!(
            spans,
            [(0, 2000), (2600, 3000)],
            "a 100-byte gap merges, a 600-byte one does not"
        );
        assert_eq!(found.links[0].words, 290);
        assert!(found.links[0].edits > 0, "the gap's words count as edits");
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
