//! Directed links, one source per lifted byte (issue 14): each target's
//! candidate pieces are ranked by how close their source is, claim the bytes
//! no better piece has claimed, go to an older source that has them word for
//! word, and merge across small gaps (see the module doc of
//! [`provenance`](super)).

use rayon::prelude::*;

use super::chronology::Chronology;
use super::Link;
use crate::align::{AlignedPair, Span};
use crate::cluster::Passage;
use crate::group::par_counting_sort;

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
/// closer one lacks, or with a piece it has word for word. In a stretch of
/// the target that one source has whole, word for word, that source ranks
/// first ([`stretch_ranks`]): a quotation goes to the version it quotes.
/// Then consecutive links from one source merge across
/// gaps of at most [`MERGE_GAP_BYTES`], or [`MERGE_LONG_GAP_BYTES`] when
/// the gap is at most a fifth of the merged link (fewer, longer links); a
/// short piece from another source inside such a gap is absorbed as an edit.
pub(super) fn attribute(
    passages: &[Passage],
    pairs: &[AlignedPair],
    chronology: &Chronology,
    keep: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<Link> {
    // The passage of each aligned pair (none when left out).
    let mut passage_of: Vec<u32> = vec![u32::MAX; pairs.len()];
    for (index, passage) in passages.iter().enumerate() {
        if keep(index) {
            for &k in &passage.pairs {
                passage_of[k] = index as u32;
            }
        }
    }
    // Each pair's candidate, read in pair order (a sequential pass, where
    // going passage by passage jumped about the pairs), placed straight
    // into its target document's group (a counting sort). Each group is
    // then sorted on its own, stably: pieces of one passage tie in pair
    // order, which is the passage's order of its pairs.
    let newer: Vec<Option<bool>> = pairs
        .par_iter()
        .zip(&passage_of)
        .map(|(pair, &passage)| {
            if passage == u32::MAX {
                return None;
            }
            let (ka, kb) = (chronology.key(pair.a.doc)?, chronology.key(pair.b.doc)?);
            if ka.before(kb) {
                Some(true)
            } else if kb.before(ka) {
                Some(false)
            } else {
                None
            }
        })
        .collect();
    let documents = pairs
        .iter()
        .map(|p| p.a.doc.max(p.b.doc) as usize + 1)
        .max()
        .unwrap_or(0);
    let (grouped, _) = par_counting_sort(
        pairs.len(),
        documents,
        |k| {
            let b_newer = newer[k]?;
            let pair = &pairs[k];
            let (source, target, sw, tw) = if b_newer {
                (pair.a, pair.b, pair.a_words, pair.b_words)
            } else {
                (pair.b, pair.a, pair.b_words, pair.a_words)
            };
            Some(Piece {
                source,
                target,
                words: pair.words as f64,
                edits: pair.edits as f64,
                source_words: sw as f64,
                target_words: tw as f64,
                passage: passage_of[k] as usize,
            })
        },
        |piece| piece.target.doc as usize,
    );
    let per_target: Vec<Vec<Link>> = grouped
        .par_chunk_by(|x, y| x.target.doc == y.target.doc)
        .map(|group| attribute_target(group, chronology))
        .collect();
    per_target.into_iter().flatten().collect()
}

/// [`group_key`]'s integers.
type GroupKey = (u64, u64, u64, u32);

/// A candidate's place in its target's candidates ordered by (target,
/// source, passage), ties in pair order (`position`, its place among the
/// target's candidates as [`attribute`] groups them), as plain integers.
/// The target document is the group's.
fn group_key(piece: &Piece, position: usize) -> GroupKey {
    let pack = |high: u32, low: u32| ((high as u64) << 32) | low as u64;
    debug_assert!(piece.passage < u32::MAX as usize);
    (
        pack(piece.target.start, piece.target.end),
        pack(piece.source.doc, piece.source.start),
        pack(piece.source.end, piece.passage as u32),
        position as u32,
    )
}

/// [`attribute`] for the candidates of one target document.
fn attribute_target(group: &[Piece], chronology: &Chronology) -> Vec<Link> {
    // The group is in pair order; the order that breaks ties below is
    // (target, source, passage), then pair order ([`group_key`]).
    // Words each source shares with the target. The words of a candidate
    // are a whole number (an aligned pair's), so the sums are exact in any
    // order (below 2^53), and they sort as integers below.
    debug_assert!(group
        .iter()
        .all(|p| p.words.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&p.words)));
    let mut sources: Vec<u32> = group.iter().map(|p| p.source.doc).collect();
    sources.sort_unstable();
    sources.dedup();
    let slots: Vec<u32> = group
        .iter()
        .map(|p| sources.partition_point(|&d| d < p.source.doc) as u32)
        .collect();
    let mut shared: Vec<(u32, f64)> = sources.iter().map(|&d| (d, 0.0)).collect();
    for (p, &slot) in group.iter().zip(&slots) {
        shared[slot as usize].1 += p.words;
    }
    // Sources by rank: most words first, ties to the oldest, then the
    // first document.
    let mut ranked: Vec<u32> = (0..shared.len() as u32).collect();
    ranked.sort_by(|&x, &y| {
        let (x, y) = (shared[x as usize], shared[y as usize]);
        y.1.total_cmp(&x.1)
            .then_with(|| chronology.key(x.0).cmp(&chronology.key(y.0)))
            .then(x.0.cmp(&y.0))
    });
    // Each source's rank, by its slot.
    let mut ranks: Vec<u32> = vec![0; shared.len()];
    for (r, &slot) in ranked.iter().enumerate() {
        ranks[slot as usize] = r as u32;
    }
    let local = stretch_ranks(group, |i| ranks[slots[i] as usize]);
    // Pieces by their source's rank in their stretch, then most words
    // first, then in the order of (target, source, passage) and pair order:
    // sorted by rank and words (whole numbers) packed in one integer, then
    // each run of equal ones by its pieces' [`group_key`]s. Pieces of two
    // stretches never claim the same byte, so their order between them does
    // not matter.
    let mut order: Vec<(u64, u32)> = group
        .iter()
        .zip(&local)
        .enumerate()
        .map(|(i, (p, &rank))| {
            let fewer = u32::MAX - p.words as u32;
            (((rank as u64) << 32) | fewer as u64, i as u32)
        })
        .collect();
    order.sort_unstable();
    for run in order.chunk_by_mut(|x, y| x.0 == y.0) {
        if run.len() > 1 {
            run.sort_unstable_by_key(|&(_, i)| group_key(&group[i as usize], i as usize));
        }
    }
    // Claimed target bytes: (start, end), sorted by start, disjoint (a
    // sorted list rather than a map: a target has few claims at a time,
    // and a lookup allocates nothing).
    let mut claimed: Vec<(u32, u32)> = Vec::new();
    let mut kept: Vec<Piece> = Vec::new();
    for (_, i) in order {
        let piece = &group[i as usize];
        let (start, end) = (piece.target.start, piece.target.end);
        // Claims starting before the piece's start, at or before it, before
        // its end and at or before it: one binary search, then a walk over
        // the claims the piece touches (merged into one below, so the walk
        // costs no more than the merge).
        let from_start = claimed.partition_point(|c| c.0 < start);
        let after = |from: usize, bound: u32| {
            from + claimed[from..].iter().take_while(|c| c.0 <= bound).count()
        };
        let upto_start = after(from_start, start);
        let before_end = from_start
            + claimed[from_start..]
                .iter()
                .take_while(|c| c.0 < end)
                .count();
        let mut at = start;
        // The claim that may reach into the piece from before its start.
        if upto_start > 0 {
            at = at.max(claimed[upto_start - 1].1);
        }
        let inside = claimed[from_start..before_end].iter().copied();
        for (s, e) in inside.chain(std::iter::once((end, end))) {
            if s > at {
                kept.push(piece.part(at, s.min(end)));
            }
            at = at.max(e);
            if at >= end {
                break;
            }
        }
        // Claim the whole piece: merge it with the claims it touches.
        let mut first = from_start;
        let mut new_start = start;
        let mut new_end = end;
        if upto_start > 0 && claimed[upto_start - 1].1 >= start {
            first = upto_start - 1;
            new_start = claimed[first].0;
            new_end = new_end.max(claimed[first].1);
        }
        let last = after(before_end, end);
        for c in &claimed[first..last] {
            new_end = new_end.max(c.1);
        }
        // In place when the merged claims are one (no shift of the rest).
        match last - first {
            0 => claimed.insert(first, (new_start, new_end)),
            1 => claimed[first] = (new_start, new_end),
            _ => {
                claimed[first] = (new_start, new_end);
                claimed.drain(first + 1..last);
            }
        }
    }
    // Kept pieces are disjoint and not empty: by target start, their ends
    // ascend too (the order of (target, source, passage), as the links are
    // listed).
    kept.sort_unstable_by_key(|p| p.target.start);
    // The oldest copy of the closest version: a piece goes to an older
    // source that has all of it word for word (an aligned pair without
    // edits covering it), as a reprint is credited to the first printing.
    let mut exact: Vec<(GroupKey, &Piece)> = group
        .iter()
        .enumerate()
        .filter(|(_, q)| q.edits == 0.0 && q.words >= q.target_words)
        .map(|(i, q)| (group_key(q, i), q))
        .collect();
    exact.sort_unstable_by_key(|e| e.0);
    let exact: Vec<&Piece> = exact.into_iter().map(|e| e.1).collect();
    if !exact.is_empty() {
        // A sweep: the exact pieces starting at or before a kept piece's
        // start are admitted in target order (the group's), and those
        // ending before its end dropped, for good (the next kept piece
        // ends later). The rest cover the piece, in group order, as the
        // scan of every exact piece before it found them.
        let mut admitted = 0;
        let mut covering: Vec<&Piece> = Vec::new();
        for piece in kept.iter_mut() {
            while admitted < exact.len() && exact[admitted].target.start <= piece.target.start {
                covering.push(exact[admitted]);
                admitted += 1;
            }
            covering.retain(|q| q.target.end >= piece.target.end);
            let key = chronology.key(piece.source.doc);
            let older = covering
                .iter()
                .filter(|q| {
                    matches!((chronology.key(q.source.doc), key), (Some(a), Some(b)) if a.before(b))
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
    merged_links(&kept)
}

/// Each piece's rank in its stretch of the target. The stretches are the
/// runs of target bytes that the pieces cover, overlapping or closer than
/// [`MERGE_GAP_BYTES`] (a gap a link would merge across). In each, a
/// source with one piece that has the whole stretch word for word (an
/// aligned pair without edits) ranks before those without; otherwise the
/// sources keep their rank in the whole target (`rank`, by piece: most
/// words shared with the whole target, then the oldest).
///
/// A commentary is a stretch per quotation: the version a quotation was
/// taken from word for word is credited with it, whatever version the
/// commentary shares most words with elsewhere (a quotation of version 3
/// of a book was credited to versions 1 and 2, with edits or in pieces,
/// and version 3 got what they lacked). A revised book is a few long
/// stretches that no single piece has whole, ranked as the whole target
/// is; now and then a short stretch between two gaps is word for word in
/// a sibling version (the same respellings), which then has it. Ranking
/// every stretch by the words each source shares there instead credited
/// 0.8% of the revised bytes away from the version revised from, on the
/// fragments of its alignment.
fn stretch_ranks(group: &[Piece], rank: impl Fn(usize) -> u32) -> Vec<u32> {
    let mut by_start: Vec<u32> = (0..group.len() as u32).collect();
    by_start.sort_unstable_by_key(|&i| group[i as usize].target.start);
    let whole = |p: &Piece, start: u32, end: u32| {
        p.edits == 0.0
            && p.words >= p.target_words
            && p.target.start <= start
            && p.target.end >= end
    };
    let mut local = vec![0u32; group.len()];
    // (whole-target rank, piece) of the stretch's pieces.
    let mut members: Vec<(u32, u32)> = Vec::new();
    // (has it not whole, whole-target rank, its members) of its sources.
    let mut sources: Vec<(bool, u32, usize, usize)> = Vec::new();
    let mut at = 0;
    while at < by_start.len() {
        let first = group[by_start[at] as usize].target;
        let (start, mut end, mut to) = (first.start, first.end, at + 1);
        while to < by_start.len()
            && group[by_start[to] as usize].target.start <= end.saturating_add(MERGE_GAP_BYTES)
        {
            end = end.max(group[by_start[to] as usize].target.end);
            to += 1;
        }
        members.clear();
        members.extend(by_start[at..to].iter().map(|&i| (rank(i as usize), i)));
        members.sort_unstable();
        sources.clear();
        let mut from = 0;
        for source in members.chunk_by(|x, y| x.0 == y.0) {
            let has = source
                .iter()
                .any(|&(_, i)| whole(&group[i as usize], start, end));
            sources.push((!has, source[0].0, from, from + source.len()));
            from += source.len();
        }
        sources.sort_unstable();
        for (r, &(_, _, from, to)) in sources.iter().enumerate() {
            for &(_, i) in &members[from..to] {
                local[i as usize] = r as u32;
            }
        }
        at = to;
    }
    local
}

/// [`attribute_target`] as it was before the fourteenth session's rewrite
/// (five binary searches per piece, a scan of every exact piece before
/// each kept one), with the ranks by stretch of [`stretch_ranks`] worked
/// out naively: the reference the tests compare it with.
#[cfg(test)]
fn attribute_target_reference(group: &[Piece], chronology: &Chronology) -> Vec<Link> {
    // Words each source shares with the target (summed in group order).
    let mut shared: Vec<(u32, f64)> = Vec::new();
    let mut by_source: Vec<(u32, u32)> = (0..group.len() as u32)
        .map(|i| (group[i as usize].source.doc, i))
        .collect();
    by_source.sort_unstable();
    for chunk in by_source.chunk_by(|x, y| x.0 == y.0) {
        let words = chunk.iter().map(|&(_, i)| group[i as usize].words).sum();
        shared.push((chunk[0].0, words));
    }
    shared.sort_by(|x, y| {
        y.1.total_cmp(&x.1)
            .then_with(|| chronology.key(x.0).cmp(&chronology.key(y.0)))
            .then(x.0.cmp(&y.0))
    });
    // Each source's rank, looked up by document (a binary search, not a
    // scan of the ranking per piece).
    let mut ranks: Vec<(u32, u32)> = shared
        .iter()
        .enumerate()
        .map(|(r, s)| (s.0, r as u32))
        .collect();
    ranks.sort_unstable();
    let rank = |doc: u32| {
        ranks
            .binary_search_by_key(&doc, |r| r.0)
            .map_or(u32::MAX, |i| ranks[i].1)
    };
    // Each piece's stretch (by plain union of the pieces that overlap or
    // touch, as a list of labels relabelled until nothing changes), then
    // its source's rank there: the sources of the stretch that have it
    // whole word for word when it has not, or as well as it and rank
    // before it in the whole target.
    let touch = |a: &Piece, b: &Piece| {
        a.target.start <= b.target.end.saturating_add(MERGE_GAP_BYTES)
            && b.target.start <= a.target.end.saturating_add(MERGE_GAP_BYTES)
    };
    let mut label: Vec<usize> = (0..group.len()).collect();
    loop {
        let mut changed = false;
        for i in 0..group.len() {
            for j in 0..group.len() {
                if touch(&group[i], &group[j]) && label[j] < label[i] {
                    label[i] = label[j];
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    let has_whole = |stretch: usize, doc: u32| -> bool {
        let members = || (0..group.len()).filter(|&j| label[j] == stretch);
        let start = members().map(|j| group[j].target.start).min().unwrap();
        let end = members().map(|j| group[j].target.end).max().unwrap();
        members().any(|j| {
            let q = &group[j];
            q.source.doc == doc
                && q.edits == 0.0
                && q.words >= q.target_words
                && q.target.start <= start
                && q.target.end >= end
        })
    };
    let local = |i: usize| -> u32 {
        let (doc, stretch) = (group[i].source.doc, label[i]);
        let mine = (!has_whole(stretch, doc), rank(doc));
        let mut docs: Vec<u32> = (0..group.len())
            .filter(|&j| label[j] == stretch)
            .map(|j| group[j].source.doc)
            .collect();
        docs.sort_unstable();
        docs.dedup();
        docs.into_iter()
            .filter(|&d| (!has_whole(stretch, d), rank(d)) < mine)
            .count() as u32
    };
    // Pieces by that rank, then most words first, then in group order
    // (which is by target, source and passage): plain integer keys, the
    // words' order as `f64::total_cmp`'s.
    let descending = |words: f64| {
        let bits = words.to_bits() as i64;
        std::cmp::Reverse(bits ^ (((bits >> 63) as u64) >> 1) as i64)
    };
    let mut order: Vec<(u32, std::cmp::Reverse<i64>, u32)> = group
        .iter()
        .enumerate()
        .map(|(i, p)| (local(i), descending(p.words), i as u32))
        .collect();
    order.sort_unstable();
    // Claimed target bytes: (start, end), sorted by start, disjoint (a
    // sorted list rather than a map: a target has few claims at a time,
    // and a lookup allocates nothing).
    let mut claimed: Vec<(u32, u32)> = Vec::new();
    let mut kept: Vec<Piece> = Vec::new();
    for (_, _, i) in order {
        let piece = &group[i as usize];
        let (start, end) = (piece.target.start, piece.target.end);
        // Claims starting at or before the piece's start, and before its end.
        let upto_start = claimed.partition_point(|c| c.0 <= start);
        let from_start = claimed.partition_point(|c| c.0 < start);
        let before_end = claimed.partition_point(|c| c.0 < end);
        let mut at = start;
        // The claim that may reach into the piece from before its start.
        if upto_start > 0 {
            at = at.max(claimed[upto_start - 1].1);
        }
        let inside = claimed[from_start..before_end].iter().copied();
        for (s, e) in inside.chain(std::iter::once((end, end))) {
            if s > at {
                kept.push(piece.part(at, s.min(end)));
            }
            at = at.max(e);
            if at >= end {
                break;
            }
        }
        // Claim the whole piece: merge it with the claims it touches.
        let mut first = from_start;
        let mut new_start = start;
        let mut new_end = end;
        if upto_start > 0 && claimed[upto_start - 1].1 >= start {
            first = upto_start - 1;
            new_start = claimed[first].0;
            new_end = new_end.max(claimed[first].1);
        }
        let last = claimed.partition_point(|c| c.0 <= end);
        for c in &claimed[first..last] {
            new_end = new_end.max(c.1);
        }
        claimed.splice(first..last, std::iter::once((new_start, new_end)));
    }
    // The oldest copy of the closest version: a piece goes to an older
    // source that has all of it word for word (an aligned pair without
    // edits covering it), as a reprint is credited to the first printing.
    let exact: Vec<&Piece> = group
        .iter()
        .filter(|q| q.edits == 0.0 && q.words >= q.target_words)
        .collect();
    if !exact.is_empty() {
        // Their target ends, side by side, for the scan below (sorted by
        // target start as the group is).
        let starts: Vec<u32> = exact.iter().map(|q| q.target.start).collect();
        let ends: Vec<u32> = exact.iter().map(|q| q.target.end).collect();
        for piece in kept.iter_mut() {
            let key = chronology.key(piece.source.doc);
            let reach = starts.partition_point(|&s| s <= piece.target.start);
            let older = (0..reach)
                .filter(|&i| ends[i] >= piece.target.end)
                .map(|i| exact[i])
                .filter(|q| {
                    matches!((chronology.key(q.source.doc), key), (Some(a), Some(b)) if a.before(b))
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
    merged_links(&kept)
}

/// The links that `kept` (a target's credited pieces, by target start) make:
/// pieces from one source join across small gaps, and a short piece from
/// another source between two that join is taken as an edit of them.
fn merged_links(kept: &[Piece]) -> Vec<Link> {
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

#[cfg(test)]
mod tests {
    use super::{attribute_target, attribute_target_reference, Piece};
    use crate::align::Span;
    use crate::provenance::tests::{pair, traced};
    use crate::provenance::{Chronology, Date};
    use crate::provenance::{MainSource, Provenance};
    use proptest::prelude::*;

    /// Random candidates of target document 6: spans close together (so
    /// they overlap, touch and nest), a few exact, from sources 0 to 5.
    fn pieces() -> impl Strategy<Value = Vec<Piece>> {
        let piece = (
            (0u32..6, 0u32..120, 0u32..40),
            (0u32..120, 0u32..40),
            (0u32..30, 0u32..4, 0u32..8, 0usize..3),
        )
            .prop_map(|((doc, s, sl), (t, tl), (words, edits, extra, passage))| {
                let target_words = words + if extra < 3 { 0 } else { extra };
                Piece {
                    source: Span {
                        doc,
                        start: s,
                        end: s + sl,
                    },
                    target: Span {
                        doc: 6,
                        start: t,
                        end: t + tl,
                    },
                    words: words as f64,
                    edits: if edits < 2 { 0.0 } else { edits as f64 },
                    source_words: (words + extra) as f64,
                    target_words: target_words as f64,
                    passage,
                }
            });
        proptest::collection::vec(piece, 0..60)
    }

    /// Dates for documents 0 to 6, some equal, some unknown, or input order.
    fn chronologies() -> impl Strategy<Value = Chronology> {
        prop_oneof![
            proptest::collection::vec(proptest::option::weighted(0.8, 0u32..4), 7).prop_map(
                |years| {
                    Chronology::Dates(
                        years
                            .into_iter()
                            .map(|y| y.map(|y| Date::parse(&format!("190{y}-01-01")).unwrap()))
                            .collect(),
                    )
                }
            ),
            Just(Chronology::Given((0..7).collect())),
        ]
    }

    proptest! {
        /// The rewritten attribution, given the candidates in pair order,
        /// gives the reference's links (given them sorted, as it sorted
        /// them), bit for bit.
        #[test]
        fn attribution_matches_the_reference(group in pieces(), chronology in chronologies()) {
            let mut stable = group.clone();
            stable.sort_by_key(|p| (p.target, p.source, p.passage));
            let got = attribute_target(&group, &chronology);
            let expected = attribute_target_reference(&stable, &chronology);
            prop_assert_eq!(format!("{got:?}"), format!("{expected:?}"));
        }
    }

    /// (source document, target start, target end) of the links into `doc`.
    fn links_into(found: &Provenance, doc: u32) -> Vec<(u32, u32, u32)> {
        found
            .links
            .iter()
            .filter(|l| l.target.doc == doc)
            .map(|l| (l.source.doc, l.target.start, l.target.end))
            .collect()
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
        let found = traced(
            &pairs,
            &[Some("1534-01-01"), Some("1611-01-01"), Some("1901-01-01")],
            1000,
        );
        let into_2 = links_into(&found, 2);
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
        let found = traced(
            &pairs,
            &[Some("1900-01-01"), Some("1950-01-01"), Some("2000-01-01")],
            2000,
        );
        let into_2 = links_into(&found, 2);
        assert_eq!(into_2, [(1, 0, 400), (0, 1000, 1400)]);
        assert_eq!(found.main_sources[2].map(|m| m.share), Some(0.5));
    }

    #[test]
    fn a_quotation_is_credited_to_the_version_it_matches_best() {
        // Doc 2, a commentary, quotes doc 0 at length (0..400), then a
        // sentence that doc 1, a later version of doc 0, has word for word
        // (1000..1200); doc 0 has it with edits, aligned in two pieces
        // around them. Doc 0 shares more words with the commentary as a
        // whole, but the sentence is doc 1's: one link from doc 1, where it
        // was credited to doc 0 (its two pieces joined across doc 1's).
        let pairs = [
            pair((0, 0, 400), (2, 0, 400), 60, (60, 60)),
            pair((0, 800, 880), (2, 1000, 1080), 12, (12, 12)),
            pair((0, 900, 1000), (2, 1100, 1200), 14, (14, 14)),
            pair((1, 500, 700), (2, 1000, 1200), 30, (30, 30)),
        ];
        let found = traced(
            &pairs,
            &[Some("1900-01-01"), Some("1950-01-01"), Some("2000-01-01")],
            2000,
        );
        assert_eq!(links_into(&found, 2), [(0, 0, 400), (1, 1000, 1200)]);
    }

    #[test]
    fn links_from_one_source_merge_across_a_small_gap_only() {
        let pairs = [
            pair((0, 0, 1000), (1, 0, 1000), 150, (150, 150)),
            pair((0, 1100, 2000), (1, 1100, 2000), 140, (150, 150)),
            pair((0, 2600, 3000), (1, 2600, 3000), 60, (60, 60)),
        ];
        let found = traced(&pairs, &[Some("2000-01-01"), Some("2001-01-01")], 3000);
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
}
