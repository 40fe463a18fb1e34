//! Chaining (steps 3 and 4 of [`crate::align`]): exact matches joined across
//! small gaps into alignments, best chain first, never across a paragraph
//! break that differs on both sides.

use super::*;

/// Paragraph starts (token indices, ascending) of both documents.
pub(super) struct Breaks<'a> {
    pub(super) a: &'a [u32],
    pub(super) b: &'a [u32],
}

impl Breaks<'_> {
    /// Whether both gaps, `[before end, current start]` on each side, hold a
    /// paragraph start while at least one gap is not empty.
    pub(super) fn separate(&self, before: Match, current: Match) -> bool {
        let holds = |breaks: &[u32], from: u32, to: u32| {
            let i = breaks.partition_point(|&b| b < from);
            i < breaks.len() && breaks[i] <= to
        };
        let (a_end, b_end) = (before.a + before.len, before.b + before.len);
        (current.a > a_end || current.b > b_end)
            && holds(self.a, a_end, current.a)
            && holds(self.b, b_end, current.b)
    }

    /// Drop fewer than `seed` words that an alignment carries across a
    /// paragraph break present at the same place on both sides: the last words
    /// of the paragraph before a copied one often match by chance ("fra.\n").
    /// Only A's breaks within `seed` words of either end are looked up in
    /// B's, nearest the end first: one search of A's breaks per end, where
    /// every offset up to `seed` cost a search on both sides (1.3% of a scan
    /// of 25 MB of versions, 190,000 chains trimmed). Both spans hold
    /// `seed` words or more (an alignment is made of matches of a seed's
    /// words at least), so neither trim passes the other end.
    fn trim(&self, mut alignment: Alignment, seed: u32) -> Alignment {
        let limit = seed.min(alignment.a_words());
        // Offsets 1..limit from the start: A's breaks in that window, in order.
        let from = self.a.partition_point(|&x| x <= alignment.a_first);
        let start = self.a[from..]
            .iter()
            .take_while(|&&x| x < alignment.a_first + limit)
            .map(|&x| x - alignment.a_first)
            .find(|&o| self.b.binary_search(&(alignment.b_first + o)).is_ok());
        if let Some(offset) = start {
            alignment.a_first += offset;
            alignment.b_first += offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        let limit = seed.min(alignment.a_words().min(alignment.b_words()));
        // Offsets 1..limit from the end: A's breaks in that window, nearest
        // the end first.
        let to = self.a.partition_point(|&x| x < alignment.a_last);
        let end = self.a[..to]
            .iter()
            .rev()
            .take_while(|&&x| x + limit > alignment.a_last)
            .map(|&x| alignment.a_last - x)
            .find(|&o| self.b.binary_search(&(alignment.b_last - o)).is_ok());
        if let Some(offset) = end {
            alignment.a_last -= offset;
            alignment.b_last -= offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        alignment
    }
}

/// Most predecessors examined per match when chaining (bounds the work on
/// repetitive text, as minimap2's chaining does).
pub(super) const MAX_PREDECESSORS: usize = 256;

/// Chain matches (sorted by `a`, then `b`) into alignments. One dynamic
/// programming pass scores the best chain ending at each match; chains are
/// then taken from the best end backwards, each match used once.
pub(super) fn chain(matches: &[Match], breaks: &Breaks, options: &AlignOptions) -> Vec<Alignment> {
    let (score, previous) = link(matches, breaks, options);
    // No match linked to another (most pairs of long documents that share
    // only stock phrases): every chain is one match, whatever the order
    // they are taken in, so none is sorted by score. (Unless two come out
    // starting at the same place, where the order they were taken in
    // would decide their order.)
    if previous.iter().all(|&p| p == usize::MAX) {
        let mut out: Vec<Alignment> = matches
            .iter()
            .filter(|m| m.len as usize >= options.min_words)
            .map(|m| breaks.trim(build(std::slice::from_ref(m), &[0]), options.seed as u32))
            .filter(|alignment| alignment.words as usize >= options.min_words)
            .collect();
        out.sort_unstable_by_key(|x| (x.a_first, x.b_first));
        if out
            .windows(2)
            .all(|w| (w[0].a_first, w[0].b_first) != (w[1].a_first, w[1].b_first))
        {
            return out;
        }
    }
    best_chains(matches, &score, &previous, breaks, options)
}

/// The dynamic programming pass of [`chain`]: for each match, the best
/// score of a chain ending at it and its previous match in that chain.
fn link(matches: &[Match], breaks: &Breaks, options: &AlignOptions) -> (Vec<i64>, Vec<usize>) {
    let count = matches.len();
    let max_gap = i64::try_from(options.max_gap).unwrap_or(i64::MAX);
    // The furthest end in A of the matches up to each one: once it is more
    // than `max_gap` before the current match, no earlier match can link to
    // it (a tighter stop than the longest match's length, which a long copy
    // makes useless; the same chains).
    let reach: Vec<i64> = matches
        .iter()
        .scan(0i64, |furthest, m| {
            *furthest = (*furthest).max(m.a as i64 + m.len as i64);
            Some(*furthest)
        })
        .collect();
    let mut score = vec![0i64; count];
    let mut previous = vec![usize::MAX; count];
    for m in 0..count {
        let current = matches[m];
        score[m] = current.len as i64;
        for p in (m.saturating_sub(MAX_PREDECESSORS)..m).rev() {
            let before = matches[p];
            if reach[p].saturating_add(max_gap) < current.a as i64 {
                break;
            }
            // The cheap test first: most predecessors cannot be chained at
            // all, and only those that could improve the score are looked
            // up in the paragraph breaks.
            if let Some(gain) = link_gain(before, current, max_gap) {
                if score[p] + gain > score[m] && !breaks.separate(before, current) {
                    score[m] = score[p] + gain;
                    previous[m] = p;
                }
            }
        }
    }
    (score, previous)
}

/// The chains of `matches` (with the best `score` of a chain ending at
/// each and its `previous` match), best end first, each match used once;
/// those of at least `min_words` words, trimmed, by start.
fn best_chains(
    matches: &[Match],
    score: &[i64],
    previous: &[usize],
    breaks: &Breaks,
    options: &AlignOptions,
) -> Vec<Alignment> {
    let count = matches.len();
    // A match that is no chain's link (none before it, none after) and
    // shorter than `min_words` is a chain of its own, dropped when taken,
    // and no other chain reads it: it is not taken at all (long versions
    // of one text have many, from stock phrases repeated at other places).
    let mut linked = vec![false; count];
    for &p in previous {
        if p != usize::MAX {
            linked[p] = true;
        }
    }
    let ends = best_first(score, |m| {
        linked[m] || previous[m] != usize::MAX || matches[m].len as usize >= options.min_words
    });
    let mut used = vec![false; count];
    let mut out = Vec::new();
    let mut members = Vec::new();
    for end in ends {
        if used[end] {
            continue;
        }
        members.clear();
        members.push(end);
        let mut at = end;
        while previous[at] != usize::MAX && !used[previous[at]] {
            at = previous[at];
            members.push(at);
        }
        members.reverse();
        for &m in &members {
            used[m] = true;
        }
        // Trimming only takes words off: a chain already short of
        // `min_words` is dropped without looking up its paragraph breaks
        // (most chains of two documents sharing a stock phrase or two).
        let built = build(matches, &members);
        if (built.words as usize) < options.min_words {
            continue;
        }
        let alignment = breaks.trim(built, options.seed as u32);
        if alignment.words as usize >= options.min_words {
            out.push(alignment);
        }
    }
    out.sort_unstable_by_key(|x| (x.a_first, x.b_first));
    out
}

/// The match indices that `keep`, by score, highest first, ties by index
/// (the order of all of them, less those not kept). Scores and indices
/// fit in 32 bits (both are at most a document's words), so each is one
/// `u64` key sorted by value: a third of the time of comparing scores
/// through the indices, which was most of chaining the pairs of long
/// documents that share only stock phrases.
fn best_first(score: &[i64], keep: impl Fn(usize) -> bool) -> Vec<usize> {
    let fits = score.len() <= u32::MAX as usize
        && score.iter().all(|&s| (0..=u32::MAX as i64).contains(&s));
    if !fits {
        let mut ends: Vec<usize> = (0..score.len()).filter(|&m| keep(m)).collect();
        ends.sort_unstable_by(|&x, &y| score[y].cmp(&score[x]).then(x.cmp(&y)));
        return ends;
    }
    // Sized for every match (at most all are kept): a filtered `collect`
    // grew it step by step.
    let mut keys: Vec<u64> = Vec::with_capacity(score.len());
    keys.extend(
        score
            .iter()
            .enumerate()
            .filter(|&(i, _)| keep(i))
            .map(|(i, &s)| ((u32::MAX as u64 - s as u64) << 32) | i as u64),
    );
    keys.sort_unstable();
    keys.into_iter()
        .map(|k| (k & 0xFFFF_FFFF) as usize)
        .collect()
}

/// The words `current` adds after `before` in one chain, less a small penalty
/// per gap word, or `None` if they cannot be chained.
pub(super) fn link_gain(before: Match, current: Match, max_gap: i64) -> Option<i64> {
    if current.a <= before.a || current.b <= before.b {
        return None;
    }
    let gap_a = current.a as i64 - (before.a + before.len) as i64;
    let gap_b = current.b as i64 - (before.b + before.len) as i64;
    // A gap is bridged only when it is small next to the exact matches around
    // it: a changed word between two long runs is an edit, but seven
    // paraphrased words before a seven-word coincidence are not copying.
    let allowed = max_gap.min((before.len.min(current.len) as i64 / 2).max(2));
    if gap_a > allowed || gap_b > allowed {
        return None;
    }
    let overlap = (-gap_a).max(-gap_b).max(0);
    let added = current.len as i64 - overlap;
    if added <= 0 {
        return None;
    }
    let gap = gap_a.max(gap_b).max(0);
    Some(added - gap / 2)
}

pub(super) fn build(matches: &[Match], members: &[usize]) -> Alignment {
    let first = matches[members[0]];
    let mut words = first.len;
    let mut edits = 0;
    let (mut a_end, mut b_end) = (first.a + first.len, first.b + first.len);
    for &m in &members[1..] {
        let current = matches[m];
        let gap_a = current.a as i64 - a_end as i64;
        let gap_b = current.b as i64 - b_end as i64;
        let overlap = (-gap_a).max(-gap_b).max(0) as u32;
        edits += gap_a.max(gap_b).max(0) as u32;
        words += current.len - overlap;
        a_end = current.a + current.len;
        b_end = current.b + current.len;
    }
    Alignment {
        a_first: first.a,
        a_last: a_end,
        b_first: first.b,
        b_last: b_end,
        words,
        edits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`Breaks::trim`] as first written: every offset below `seed` looked
    /// up on both sides, from each end.
    fn trim_by_offsets(breaks: &Breaks, mut alignment: Alignment, seed: u32) -> Alignment {
        let same_break = |alignment: &Alignment, offset: u32| {
            breaks
                .a
                .binary_search(&(alignment.a_first + offset))
                .is_ok()
                && breaks
                    .b
                    .binary_search(&(alignment.b_first + offset))
                    .is_ok()
        };
        if let Some(offset) =
            (1..seed.min(alignment.a_words())).find(|&o| same_break(&alignment, o))
        {
            alignment.a_first += offset;
            alignment.b_first += offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        let length = alignment.a_words().min(alignment.b_words());
        let break_before_end = |alignment: &Alignment, offset: u32| {
            breaks.a.binary_search(&(alignment.a_last - offset)).is_ok()
                && breaks.b.binary_search(&(alignment.b_last - offset)).is_ok()
        };
        if let Some(offset) = (1..seed.min(length)).find(|&o| break_before_end(&alignment, o)) {
            alignment.a_last -= offset;
            alignment.b_last -= offset;
            alignment.words = alignment.words.saturating_sub(offset);
        }
        alignment
    }

    proptest::proptest! {
        /// Trimming from A's breaks near each end gives what looking up
        /// every offset on both sides gives: breaks dense or sparse, at
        /// the ends or not, spans of the seed's length or longer, B's span
        /// shorter than A's.
        #[test]
        fn trim_from_nearby_breaks_equals_trim_by_offsets(
            breaks_a in proptest::collection::btree_set(0u32..80, 0..40),
            breaks_b in proptest::collection::btree_set(0u32..80, 0..40),
            a_first in 0u32..40,
            a_extra in 0u32..30,
            b_first in 0u32..40,
            b_extra in 0u32..30,
            words in 0u32..30,
            seed in 1u32..9,
        ) {
            // An alignment starts with an exact match of `seed` words or
            // more, so both spans hold at least that many.
            let (a_len, b_len) = (seed + a_extra, seed + b_extra);
            let (ba, bb): (Vec<u32>, Vec<u32>) =
                (breaks_a.into_iter().collect(), breaks_b.into_iter().collect());
            let breaks = Breaks { a: &ba, b: &bb };
            let alignment = Alignment {
                a_first,
                a_last: a_first + a_len,
                b_first,
                b_last: b_first + b_len,
                words,
                edits: 0,
            };
            proptest::prop_assert_eq!(
                breaks.trim(alignment, seed),
                trim_by_offsets(&breaks, alignment, seed)
            );
        }
    }

    /// [`best_chains`] as first written: every match taken as an end in
    /// turn.
    fn best_chains_of_every_end(
        matches: &[Match],
        score: &[i64],
        previous: &[usize],
        breaks: &Breaks,
        options: &AlignOptions,
    ) -> Vec<Alignment> {
        let mut used = vec![false; matches.len()];
        let mut out = Vec::new();
        for end in best_first(score, |_| true) {
            if used[end] {
                continue;
            }
            let mut members = vec![end];
            let mut at = end;
            while previous[at] != usize::MAX && !used[previous[at]] {
                at = previous[at];
                members.push(at);
            }
            members.reverse();
            for &m in &members {
                used[m] = true;
            }
            let alignment = breaks.trim(build(matches, &members), options.seed as u32);
            if alignment.words as usize >= options.min_words {
                out.push(alignment);
            }
        }
        out.sort_unstable_by_key(|x| (x.a_first, x.b_first));
        out
    }

    proptest::proptest! {
        /// Leaving out the matches that link to nothing and are shorter
        /// than `min_words` takes the chains that taking every match as an
        /// end takes: matches near one another on a few diagonals (so that
        /// many link), of lengths around `min_words`, across paragraph
        /// breaks.
        #[test]
        fn lone_short_matches_change_no_chain(
            spec in proptest::collection::vec((0u32..8, 0u32..4, 1u32..14), 0..120),
            breaks_a in proptest::collection::btree_set(0u32..600, 0..40),
            breaks_b in proptest::collection::btree_set(0u32..600, 0..40),
            min_words in 3usize..12,
            max_gap in 0usize..9,
        ) {
            let mut a = 0;
            let mut matches: Vec<Match> = spec
                .iter()
                .map(|&(step, diagonal, len)| {
                    a += step;
                    Match { a, b: a + diagonal * 7, len }
                })
                .collect();
            matches.sort_unstable();
            matches.dedup_by_key(|m| (m.a, m.b));
            let (ba, bb): (Vec<u32>, Vec<u32>) =
                (breaks_a.into_iter().collect(), breaks_b.into_iter().collect());
            let breaks = Breaks { a: &ba, b: &bb };
            let options = AlignOptions { min_words, max_gap, ..AlignOptions::default() };
            let (score, previous) = link(&matches, &breaks, &options);
            proptest::prop_assert_eq!(
                best_chains(&matches, &score, &previous, &breaks, &options),
                best_chains_of_every_end(&matches, &score, &previous, &breaks, &options)
            );
        }
    }

    proptest::proptest! {
        /// Matches none of which links to another come out of [`chain`]
        /// as taking them best first does: each of `min_words` words or
        /// more, trimmed at paragraph breaks, by start; ties in start
        /// included (matches on one diagonal, trimmed to the same start).
        #[test]
        fn unlinked_matches_chain_as_taken_best_first(
            spec in proptest::collection::vec((0u32..6, 0u32..400, 5u32..14), 0..60),
            breaks_a in proptest::collection::btree_set(0u32..450, 0..150),
            breaks_b in proptest::collection::btree_set(0u32..450, 0..150),
            min_words in 5usize..12,
        ) {
            let mut a = 0;
            let mut matches: Vec<Match> = spec
                .iter()
                .map(|&(step, b, len)| {
                    a += step;
                    Match { a, b, len }
                })
                .collect();
            matches.sort_unstable();
            matches.dedup_by_key(|m| (m.a, m.b));
            let (ba, bb): (Vec<u32>, Vec<u32>) =
                (breaks_a.into_iter().collect(), breaks_b.into_iter().collect());
            let breaks = Breaks { a: &ba, b: &bb };
            let options = AlignOptions { min_words, ..AlignOptions::default() };
            let score: Vec<i64> = matches.iter().map(|m| m.len as i64).collect();
            let unlinked = vec![usize::MAX; matches.len()];
            let found = chain(&matches, &breaks, &options);
            // When `chain` found no link, its answer is the general one.
            let expected = best_chains(&matches, &score, &unlinked, &breaks, &options);
            let linked = matches.iter().enumerate().any(|(m, &current)| {
                matches[..m].iter().any(|&before| {
                    link_gain(before, current, options.max_gap as i64).is_some()
                        && !breaks.separate(before, current)
                })
            });
            if !linked {
                proptest::prop_assert_eq!(found, expected);
            }
        }
    }

    proptest::proptest! {
        /// The packed keys give the order of comparing scores (highest
        /// first, ties by index), ties and zero scores included.
        #[test]
        fn best_first_orders_as_comparing_scores(
            score in proptest::collection::vec(0i64..40, 0..300),
            kept in proptest::collection::vec(proptest::prelude::any::<bool>(), 300),
        ) {
            let mut expected: Vec<usize> = (0..score.len()).collect();
            expected.sort_by(|&x, &y| score[y].cmp(&score[x]).then(x.cmp(&y)));
            proptest::prop_assert_eq!(best_first(&score, |_| true), expected.clone());
            expected.retain(|&m| kept[m]);
            proptest::prop_assert_eq!(best_first(&score, |m| kept[m]), expected);
        }
    }

    /// A score beyond 32 bits takes the comparison path, with the same order.
    #[test]
    fn best_first_orders_scores_beyond_32_bits() {
        let score = [3, 1 << 40, 3, 0, 1 << 40];
        assert_eq!(best_first(&score, |_| true), vec![1, 4, 0, 2, 3]);
        assert_eq!(best_first(&score, |m| m != 4), vec![1, 0, 2, 3]);
    }
}
