//! Filling gaps (step 5 of [`crate::align`]): the words between two
//! alignments of the same two documents, aligned word by word.
//!
//! Exact seeds of `seed` words miss a passage revised too heavily for any
//! of them to survive (a paragraph of a later version with one word in
//! four changed keeps few runs of five words), although the passages before
//! and after it are aligned. Between two consecutive alignments that follow
//! each other on both sides, a gap of `min_words` to [`FILL_MOST`] words a
//! side is aligned by the longest common subsequence of its words (a
//! bit-parallel table, Hyyrö 2004: one addition per word of one side),
//! when that subsequence has `min_words` words and a Dice similarity of at
//! least [`FILL_SIMILARITY`] over the whole gap. Its matched words are cut
//! wherever both sides hold a paragraph break between two of them (as
//! chaining does), each piece is trimmed to its densest stretches (a
//! matched word scores 1, each word of the larger side of a gap between
//! matches costs 1; ties end the stretch), and a stretch is kept when it
//! matches `min_words` words (a stretch with a positive score has more
//! matched words than edits, so its Dice similarity is over
//! [`FILL_SIMILARITY`] already). A kept stretch joins the alignment beside
//! it when at most `max_gap` words and no paragraph break on both sides part
//! them, so one revised passage is one span; it never joins another
//! stretch, nor makes two alignments one. A gap that another alignment of
//! the pair reaches into (its words belong elsewhere) is left alone, as are
//! the text before the first alignment and after the last one.
//!
//! Filling runs on the alignments of two documents of the default (fast)
//! preset, in [`crate::stage`]'s aligning of document pairs (every route:
//! `scan`, `lifted stage`, Spark); [`super::align_prepared`] and the other
//! functions of [`crate::align`] return chains only. The thorough preset
//! has its own word and sentence alignment and fills no gaps.
//!
//! Measured on 28 MB of real English in revised versions
//! (`benches/real_versions.py --size-mb 25 --seed 42`), before this step:
//! 3,598 of the 3,703 revised paragraphs the exact aligner missed lay in
//! such gaps, of 251 bytes at the median and 720 at the 95th percentile.
//! With it, revised recall 0.930 -> 0.977 there (precision 0.943 -> 0.938),
//! 0.900 -> 0.979 on 25 MB of `lifted gen --shape versions`, PAN 2013's
//! plagdet with the fast preset 0.450 -> 0.468; about 15-20% more CPU on
//! those corpora (`--threads 1`).

use super::chain::{build, Breaks};
use super::{AlignOptions, Alignment, Match};
use crate::normalize::Token;

/// Most words a side of a gap that is aligned word by word.
pub const FILL_MOST: u32 = 160;

/// Least Dice similarity (matched words over the mean length of the two
/// spans) of a stretch kept from a gap.
pub const FILL_SIMILARITY: f64 = 0.5;

/// Add to `found` (alignments of documents A and B, sorted by their start
/// in A then in B, as chaining returns them) the alignments
/// of the gaps between them; `found` stays sorted.
pub fn fill_gaps(
    found: &mut Vec<Alignment>,
    a: &[Token],
    a_breaks: &[u32],
    b: &[Token],
    b_breaks: &[u32],
    options: &AlignOptions,
) {
    if found.len() < 2 {
        return;
    }
    // Every alignment's B side by its start, with the furthest end of those
    // up to each, to see whether one reaches into a gap's B side; and the
    // furthest end in A of the alignments up to each (`found` is by start
    // in A), to see whether one before a gap reaches into its A side.
    let mut b_sides: Vec<(u32, u32)> = found.iter().map(|x| (x.b_first, x.b_last)).collect();
    b_sides.sort_unstable();
    let b_reach: Vec<u32> = b_sides
        .iter()
        .scan(0, |furthest, &(_, end)| {
            *furthest = end.max(*furthest);
            Some(*furthest)
        })
        .collect();
    let a_reach: Vec<u32> = found
        .iter()
        .scan(0, |furthest, x| {
            *furthest = x.a_last.max(*furthest);
            Some(*furthest)
        })
        .collect();
    let reach = Reach {
        b_sides: &b_sides,
        b_reach: &b_reach,
        a_reach: &a_reach,
    };
    let breaks = Breaks {
        a: a_breaks,
        b: b_breaks,
    };
    SCRATCH.with_borrow_mut(|scratch| fill_with(found, a, b, &breaks, &reach, options, scratch));
}

thread_local! {
    /// The gap buffers of each thread, kept from pair to pair (their table
    /// of B's words is 19 KiB, zeroed when first used).
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// [`fill_gaps`] with its pair's `breaks` and `reach` and a thread's
/// buffers.
fn fill_with(
    found: &mut Vec<Alignment>,
    a: &[Token],
    b: &[Token],
    breaks: &Breaks,
    reach: &Reach,
    options: &AlignOptions,
    scratch: &mut Scratch,
) {
    let min_words = u32::try_from(options.min_words.max(1)).unwrap_or(u32::MAX);
    let mut stretches = Vec::new();
    let mut out: Vec<Alignment> = Vec::with_capacity(found.len());
    // Whether the last alignment of `out` ends in a filled stretch. A
    // stretch joins an alignment beside it, never another stretch (the
    // densest stretches of a gap stay apart) and never makes two aligned
    // passages one (chaining kept them apart).
    let mut last_filled = false;
    for (i, &y) in found.iter().enumerate() {
        stretches.clear();
        if i > 0 {
            let x = found[i - 1];
            if !reach.reaches_gap(i, x, y) {
                gap_stretches(x, y, a, b, breaks, min_words, scratch, &mut stretches);
            }
            stretches.sort_unstable_by_key(|s: &Alignment| (s.a_first, s.b_first));
        }
        for (next, filled) in stretches.iter().map(|&s| (s, true)).chain([(y, false)]) {
            match out.last_mut() {
                Some(last) if last_filled != filled && joins(last, &next, breaks, options) => {
                    let (gap_a, gap_b) = (next.a_first - last.a_last, next.b_first - last.b_last);
                    last.a_last = next.a_last;
                    last.b_last = next.b_last;
                    last.words += next.words;
                    last.edits += next.edits + gap_a.max(gap_b);
                    last_filled = filled;
                }
                _ => {
                    out.push(next);
                    last_filled = filled;
                }
            }
        }
    }
    out.sort_unstable_by_key(|x| (x.a_first, x.b_first));
    *found = out;
}

/// Where the alignments of a pair reach, to find those that reach into a
/// gap (see [`fill_gaps`]).
struct Reach<'a> {
    /// B sides, by start.
    b_sides: &'a [(u32, u32)],
    /// The furthest B end of `b_sides` up to each.
    b_reach: &'a [u32],
    /// The furthest A end of the alignments (by start in A) up to each.
    a_reach: &'a [u32],
}

impl Reach<'_> {
    /// Whether an alignment other than `x` and `y` (the alignments `i - 1`
    /// and `i` by start in A) reaches into the gap between them: one that
    /// starts before `x` in A and ends past it, or one whose B side starts
    /// before `y`'s and ends past `x`'s end in B (`x` itself does not, nor
    /// `y`; one that starts with `y` in B but is not `y` is found by its
    /// end only when it starts earlier, and is harmless otherwise: it then
    /// starts after the gap).
    fn reaches_gap(&self, i: usize, x: Alignment, y: Alignment) -> bool {
        if i >= 2 && self.a_reach[i - 2] > x.a_last {
            return true;
        }
        let before = self
            .b_sides
            .partition_point(|&(start, _)| start < y.b_first);
        before > 0 && self.b_reach[before - 1] > x.b_last
    }
}

/// Whether `next` follows `last` on both sides within `max_gap` words, and
/// no paragraph break on both sides parts them: a filled stretch and the
/// alignment or stretch beside it are then one span.
fn joins(last: &Alignment, next: &Alignment, breaks: &Breaks, options: &AlignOptions) -> bool {
    let max_gap = u32::try_from(options.max_gap).unwrap_or(u32::MAX);
    next.a_first >= last.a_last
        && next.b_first >= last.b_last
        && next.a_first - last.a_last <= max_gap
        && next.b_first - last.b_last <= max_gap
        && !breaks.separate(
            Match {
                a: last.a_last - 1,
                b: last.b_last - 1,
                len: 1,
            },
            Match {
                a: next.a_first,
                b: next.b_first,
                len: 1,
            },
        )
}

/// The stretches aligned word by word in the gap between `x` and `y`, two
/// consecutive alignments (by their start in A) of documents A and B, added
/// to `out`; none when the gap is not one (see the module doc).
#[allow(clippy::too_many_arguments)]
fn gap_stretches(
    x: Alignment,
    y: Alignment,
    a: &[Token],
    b: &[Token],
    breaks: &Breaks,
    min_words: u32,
    scratch: &mut Scratch,
    out: &mut Vec<Alignment>,
) {
    if y.a_first < x.a_last || y.b_first < x.b_last {
        return;
    }
    let (gap_a, gap_b) = (y.a_first - x.a_last, y.b_first - x.b_last);
    if gap_a.min(gap_b) < min_words || gap_a.max(gap_b) > FILL_MOST {
        return;
    }
    let a_words = &a[x.a_last as usize..y.a_first as usize];
    let b_words = &b[x.b_last as usize..y.b_first as usize];
    // The longest common subsequence bounds the matched words of any
    // stretch: too short for `min_words`, or for the least similarity over
    // the whole gap, and nothing is kept but, at most, a stretch inside a
    // gap mostly new on one side. The words the two sides share (counted
    // with repeats) bound the subsequence in turn, and are counted before
    // the table: on 100 MB of `lifted gen --shape versions` they refuse
    // 124,000 of the 438,000 gaps tried, 94% of those the table refuses.
    let too_short =
        |n: u32| n < min_words || f64::from(2 * n) < FILL_SIMILARITY * f64::from(gap_a + gap_b);
    if too_short(scratch.shared(a_words, b_words)) || too_short(scratch.table(b_words.len())) {
        return;
    }
    let runs = scratch.common_subsequence(a_words, b_words, x.a_last, x.b_last);
    for piece in runs.chunk_by(|&before, &current| !breaks.separate(before, current)) {
        keep_dense(piece, min_words, out);
    }
}

/// Words of a gap's B side a [`Scratch`] row holds: [`FILL_MOST`] rounded up
/// to whole 64-bit words.
const ROW_WORDS: usize = (FILL_MOST as usize).div_ceil(64);

/// Where a word of B stands in its gap: bit `j` set for its `j`th word.
type Row = [u64; ROW_WORDS];

/// Slots of the table of a gap's distinct B words: a power of two, over
/// three times [`FILL_MOST`], so that probes stay short.
const SLOTS: usize = 512;

// Probing ends on a free slot only while B's words leave some: keep the
// table at least three times as large as a gap's side.
const _: () = assert!(SLOTS >= 3 * FILL_MOST as usize);

/// The slot of a word of A that B lacks.
const ABSENT: u16 = u16::MAX;

/// Buffers reused from gap to gap: a table of B's distinct words (open
/// addressing on the word's hash, which is already xxh3; a slot is in use
/// when its stamp is the current gap's), where A's words stand in it, and
/// the rows of the bit-parallel table.
#[derive(Default)]
struct Scratch {
    /// The word hash each slot holds.
    keys: Vec<u64>,
    /// The gap each slot was filled for.
    stamps: Vec<u32>,
    /// The current gap's stamp.
    stamp: u32,
    /// Each slot's word's places in B.
    places: Vec<Row>,
    /// Each slot's word's places in B not yet paired with a word of A, by
    /// [`Scratch::shared`].
    unpaired: Vec<u16>,
    /// Each word of A's slot, or [`ABSENT`].
    a_slots: Vec<u16>,
    /// 64-bit words per row of the bit-parallel table (1 to
    /// [`ROW_WORDS`]: B's words rounded up).
    width: usize,
    /// The table's rows, `width` words each: row 0 before any word of A,
    /// row `i` after `i`. Bit `j` clear where the common subsequence of A's
    /// words so far and B's first `j + 1` words is one longer than with B's
    /// first `j` (Hyyrö 2004).
    rows: Vec<u64>,
}

impl Scratch {
    /// Fill the table of B's words (at most [`FILL_MOST`]) and look up A's
    /// in it; return how many words the two share, counting each repeat
    /// once on each side (a bound on their longest common subsequence).
    fn shared(&mut self, a: &[Token], b: &[Token]) -> u32 {
        debug_assert!(b.len() <= ROW_WORDS * 64);
        if self.keys.is_empty() {
            self.keys = vec![0; SLOTS];
            self.stamps = vec![0; SLOTS];
            self.places = vec![[0; ROW_WORDS]; SLOTS];
            self.unpaired = vec![0; SLOTS];
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // Stamps of 2^32 gaps ago would look current.
            self.stamps.fill(0);
            self.stamp = 1;
        }
        for (j, word) in b.iter().enumerate() {
            let slot = self.slot(word.hash);
            if self.stamps[slot] != self.stamp {
                self.stamps[slot] = self.stamp;
                self.keys[slot] = word.hash;
                self.places[slot] = [0; ROW_WORDS];
                self.unpaired[slot] = 0;
            }
            self.places[slot][j / 64] |= 1 << (j % 64);
            self.unpaired[slot] += 1;
        }
        let mut shared = 0;
        self.a_slots.clear();
        for word in a {
            let slot = self.slot(word.hash);
            if self.stamps[slot] != self.stamp {
                self.a_slots.push(ABSENT);
                continue;
            }
            self.a_slots.push(slot as u16);
            if self.unpaired[slot] > 0 {
                self.unpaired[slot] -= 1;
                shared += 1;
            }
        }
        shared
    }

    /// The slot that holds `hash` in the current gap, or the free one where
    /// it goes (linear probing; never full, as B has at most [`FILL_MOST`]
    /// words).
    #[inline]
    fn slot(&self, hash: u64) -> usize {
        let mut slot = hash as usize & (SLOTS - 1);
        while self.stamps[slot] == self.stamp && self.keys[slot] != hash {
            slot = (slot + 1) & (SLOTS - 1);
        }
        slot
    }

    /// Fill the bit-parallel table of the longest common subsequence of the
    /// words of A and B that [`Scratch::shared`] was last given (`b_len` the
    /// number of B's), one row per word of A, and return its length.
    fn table(&mut self, b_len: usize) -> u32 {
        match b_len.div_ceil(64) {
            0 | 1 => self.table_of::<1>(b_len),
            2 => self.table_of::<2>(b_len),
            _ => self.table_of::<ROW_WORDS>(b_len),
        }
    }

    /// [`Scratch::table`] with rows of `W` words (most gaps have at most 64
    /// words a side: one word per row instead of [`ROW_WORDS`]).
    fn table_of<const W: usize>(&mut self, b_len: usize) -> u32 {
        // The rows' stride, as `row` reads them.
        self.width = W;
        let mut v = [u64::MAX; W];
        self.rows.clear();
        self.rows.reserve((self.a_slots.len() + 1) * W);
        self.rows.extend_from_slice(&v);
        for &slot in &self.a_slots {
            // A word B lacks leaves the row as it was.
            if slot != ABSENT {
                // V' = (V + (V & M)) | (V & !M), the addition carried across
                // the row's words.
                let matches = &self.places[slot as usize];
                let mut carry = false;
                for k in 0..W {
                    let u = v[k] & matches[k];
                    let (sum, c1) = v[k].overflowing_add(u);
                    let (sum, c2) = sum.overflowing_add(u64::from(carry));
                    carry = c1 || c2;
                    v[k] = sum | (v[k] & !matches[k]);
                }
            }
            self.rows.extend_from_slice(&v);
        }
        ones_below(&v, b_len)
    }

    /// Row `i` of the table.
    fn row(&self, i: usize) -> &[u64] {
        &self.rows[i * self.width..(i + 1) * self.width]
    }

    /// A longest common subsequence of the words of `a` and `b`, read back
    /// from the table [`Scratch::table`] filled for them, as runs of
    /// consecutive matched words, in order, at token indices offset by
    /// `a_at` and `b_at`: the one [`table_subsequence`] gives from the whole
    /// table of the dynamic programme (one cell per pair of words).
    fn common_subsequence(&mut self, a: &[Token], b: &[Token], a_at: u32, b_at: u32) -> Vec<Match> {
        let (mut i, mut j) = (a.len(), b.len());
        let mut here = ones_below(self.row(i), j);
        let mut pairs = Vec::with_capacity(here as usize);
        while i > 0 && j > 0 && here > 0 {
            // Equal words always extend the subsequence of the words
            // before them by one.
            if a[i - 1].hash == b[j - 1].hash {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
                here -= 1;
            } else if ones_below(self.row(i - 1), j) == here {
                i -= 1;
            } else {
                j -= 1;
            }
        }
        runs_of(pairs, a_at, b_at)
    }
}

/// The table's value in a row at column `j`: the row's clear bits below `j`
/// (each clear bit is a step of one in the subsequence's length).
fn ones_below(row: &[u64], j: usize) -> u32 {
    let mut count = 0;
    for (k, &word) in row.iter().enumerate() {
        let low = k * 64;
        if j <= low {
            break;
        }
        let bits = j - low;
        let mask = if bits >= 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        count += (!word & mask).count_ones();
    }
    count
}

/// Matched word pairs (in reverse order) as runs of consecutive ones, in
/// order, at token indices offset by `a_at` and `b_at`.
fn runs_of(mut pairs: Vec<(usize, usize)>, a_at: u32, b_at: u32) -> Vec<Match> {
    pairs.reverse();
    let mut runs: Vec<Match> = Vec::new();
    for (i, j) in pairs {
        let (i, j) = (a_at + i as u32, b_at + j as u32);
        match runs.last_mut() {
            Some(run) if run.a + run.len == i && run.b + run.len == j => run.len += 1,
            _ => runs.push(Match { a: i, b: j, len: 1 }),
        }
    }
    runs
}

/// [`Scratch::common_subsequence`] from the whole table of the dynamic
/// programme, one cell per pair of words: the reference it is tested
/// against. Ties go the same way every time: from the end, a match is
/// taken where it keeps the length, else a word of A is skipped where that
/// keeps it, else a word of B.
#[cfg(test)]
fn table_subsequence(a: &[Token], b: &[Token], a_at: u32, b_at: u32) -> Vec<Match> {
    let (n, m) = (a.len(), b.len());
    let width = m + 1;
    let mut table = vec![0u32; (n + 1) * width];
    for i in 1..=n {
        for j in 1..=m {
            table[i * width + j] = if a[i - 1].hash == b[j - 1].hash {
                table[(i - 1) * width + j - 1] + 1
            } else {
                table[(i - 1) * width + j].max(table[i * width + j - 1])
            };
        }
    }
    let mut pairs = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 && j > 0 {
        let here = table[i * width + j];
        if a[i - 1].hash == b[j - 1].hash && table[(i - 1) * width + j - 1] + 1 == here {
            pairs.push((i - 1, j - 1));
            i -= 1;
            j -= 1;
        } else if table[(i - 1) * width + j] == here {
            i -= 1;
        } else {
            j -= 1;
        }
    }
    runs_of(pairs, a_at, b_at)
}

/// The densest stretches of `runs` (matched words score, the larger side of
/// each gap between runs costs), best first then those left on either side,
/// kept when they match `min_words` words at [`FILL_SIMILARITY`] or more.
fn keep_dense(runs: &[Match], min_words: u32, out: &mut Vec<Alignment>) {
    if runs.is_empty() {
        return;
    }
    // Kadane's maximum-sum stretch of runs.
    let (mut best, mut best_from, mut best_to) = (i64::MIN, 0, 0);
    let (mut sum, mut from) = (0i64, 0);
    for (k, run) in runs.iter().enumerate() {
        let cost = if k == 0 {
            0
        } else {
            let before = runs[k - 1];
            let gap_a = run.a - (before.a + before.len);
            let gap_b = run.b - (before.b + before.len);
            i64::from(gap_a.max(gap_b))
        };
        if k == 0 || sum - cost <= 0 {
            sum = 0;
            from = k;
        } else {
            sum -= cost;
        }
        sum += i64::from(run.len);
        if sum > best {
            (best, best_from, best_to) = (sum, from, k + 1);
        }
    }
    let members: Vec<usize> = (best_from..best_to).collect();
    let alignment = build(runs, &members);
    if alignment.words >= min_words && alignment.similarity() >= FILL_SIMILARITY {
        out.push(alignment);
    }
    keep_dense(&runs[..best_from], min_words, out);
    keep_dense(&runs[best_to..], min_words, out);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::align::align_streams;
    use crate::normalize::{tokenize, NormalizeOptions};

    fn tokens(words: &[u64]) -> Vec<Token> {
        words
            .iter()
            .enumerate()
            .map(|(i, &hash)| Token {
                hash,
                start: i as u32 * 2,
                end: i as u32 * 2 + 1,
            })
            .collect()
    }

    proptest::proptest! {
        /// The bit-parallel table gives the same subsequence as the whole
        /// table, up to FILL_MOST words a side and across the rows' words.
        #[test]
        fn bit_parallel_subsequence_is_the_table_one(
            a in proptest::collection::vec(0u64..6, 0..=FILL_MOST as usize),
            b in proptest::collection::vec(0u64..6, 0..=FILL_MOST as usize),
            a_at in 0u32..1000,
            b_at in 0u32..1000,
            colliding in proptest::prelude::any::<bool>(),
        ) {
            // Colliding hashes share their first slot, to exercise probing.
            let spread = |words: Vec<u64>| -> Vec<u64> {
                words.into_iter().map(|w| if colliding { w << 20 } else { w }).collect()
            };
            let (a, b) = (tokens(&spread(a)), tokens(&spread(b)));
            let mut scratch = Scratch::default();
            // A first gap leaves stale slots behind for the second.
            scratch.shared(&b, &a);
            let shared = scratch.shared(&a, &b);
            let longest = scratch.table(b.len());
            let reference = table_subsequence(&a, &b, a_at, b_at);
            let matched: u32 = reference.iter().map(|run| run.len).sum();
            proptest::prop_assert_eq!(longest, matched);
            proptest::prop_assert!(shared >= longest);
            proptest::prop_assert_eq!(shared, bag_shared(&a, &b));
            proptest::prop_assert_eq!(
                scratch.common_subsequence(&a, &b, a_at, b_at),
                table_subsequence(&a, &b, a_at, b_at)
            );
        }
    }

    /// A stamp that wraps clears the slots: the gap before it leaves no
    /// word behind that looks current.
    #[test]
    fn a_wrapping_stamp_leaves_no_stale_word() {
        let (a, b) = (tokens(&[1, 2, 3, 4]), tokens(&[4, 3, 2, 1]));
        let mut scratch = Scratch::default();
        assert_eq!(scratch.shared(&a, &b), 4);
        // The next gap's stamp wraps to 0, then 1: the stamp the slots of
        // the first gap hold.
        scratch.stamp = u32::MAX;
        assert_eq!(scratch.shared(&a, &tokens(&[7, 8, 9])), 0);
        assert_eq!(scratch.table(3), 0);
        assert_eq!(scratch.shared(&a, &b), 4);
        assert_eq!(scratch.table(4), 1);
    }

    /// Words `a` and `b` share, counting repeats once on each side: the
    /// merge of [`crate::verify::intersection`] over the sorted lists,
    /// repeats kept.
    fn bag_shared(a: &[Token], b: &[Token]) -> u32 {
        let mut a: Vec<u64> = a.iter().map(|t| t.hash).collect();
        let mut b: Vec<u64> = b.iter().map(|t| t.hash).collect();
        a.sort_unstable();
        b.sort_unstable();
        crate::verify::intersection(&a, &b) as u32
    }

    const BEFORE: &str = "The council met on Monday to discuss the new budget for the coming year and the plans for the harbour district.";
    const AFTER: &str = "Later that evening the mayor told reporters that the vote would take place before the end of the month as promised.";

    /// Documents of three paragraphs, the middle one given, the others the same.
    fn documents(a_middle: &str, b_middle: &str) -> (String, String) {
        (
            format!("{BEFORE}\n{a_middle}\n{AFTER}"),
            format!("{BEFORE}\n{b_middle}\n{AFTER}"),
        )
    }

    fn aligned(a: &str, b: &str) -> (Vec<Alignment>, Vec<Alignment>) {
        let options = AlignOptions::default();
        let (sa, sb) = (
            tokenize(a.as_bytes(), NormalizeOptions::default()),
            tokenize(b.as_bytes(), NormalizeOptions::default()),
        );
        let exact = align_streams(&sa, &sb, false, &options);
        let mut filled = exact.clone();
        fill_gaps(
            &mut filled,
            &sa.tokens,
            &sa.breaks,
            &sb.tokens,
            &sb.breaks,
            &options,
        );
        (exact, filled)
    }

    #[test]
    fn a_paragraph_revised_beyond_any_seed_is_found_between_aligned_ones() {
        // One word in three or four changed: no run of five words survives.
        let (a, b) = documents(
            "Residents of the old quarter have long asked the city to repair the roads and to open a school near the market square.",
            "Families of the old district have often asked the town to mend the streets and to build a school by the market place.",
        );
        let (exact, filled) = aligned(&a, &b);
        assert_eq!(exact.len(), 2, "{exact:?}");
        assert_eq!(filled.len(), 3, "{filled:?}");
        let middle = filled[1];
        // The middle paragraph's words: 23 on each side, from word 20
        // ("Residents" and "Families" differ, "of the old" do not).
        assert!(middle.a_first <= 22 && middle.b_first <= 22, "{middle:?}");
        assert!(middle.a_last >= 40 && middle.b_last >= 40, "{middle:?}");
        assert!(middle.a_last <= 43 && middle.b_last <= 43, "{middle:?}");
        assert!(
            middle.words >= 13 && middle.similarity() >= FILL_SIMILARITY,
            "{middle:?}"
        );
        assert_eq!((filled[0], filled[2]), (exact[0], exact[1]));
    }

    #[test]
    fn unrelated_paragraphs_between_aligned_ones_are_left_alone() {
        let (a, b) = documents(
            "Residents of the old quarter have long asked the city to repair the roads and to open a school near the market square.",
            "A storm from the west brought heavy rain to the valley, and several farms lost part of their crops in the floods of the night.",
        );
        let (exact, filled) = aligned(&a, &b);
        assert_eq!(exact.len(), 2, "{exact:?}");
        assert_eq!(filled, exact);
    }

    #[test]
    fn a_gap_another_alignment_reaches_into_is_left_alone() {
        let options = AlignOptions::default();
        let a: Vec<Token> = tokens(&(0..80).collect::<Vec<u64>>());
        let mut b = a.clone();
        // B's words 20..30 are A's 70..80.
        for j in 20..30 {
            b[j].hash = a[j + 50].hash;
        }
        let around = |first: u32, last: u32, b_first: u32| Alignment {
            a_first: first,
            a_last: last,
            b_first,
            b_last: b_first + last - first,
            words: last - first,
            edits: 0,
        };
        // B's side of the gap between 0..10 and 50..60 holds the copy of
        // A's 70..80, aligned on its own.
        let mut found = vec![around(0, 10, 0), around(50, 60, 50), around(70, 80, 20)];
        let before = found.clone();
        fill_gaps(&mut found, &a, &[], &b, &[], &options);
        assert_eq!(found, before);
        // Without it, the gap fills.
        let mut found = vec![around(0, 10, 0), around(50, 60, 50)];
        fill_gaps(&mut found, &a, &[], &b, &[], &options);
        // All but B's 20..30 match: two runs, 10 words apart on each side,
        // a tie between joining them and not, kept apart; each joins the
        // alignment it touches (no paragraph break between them).
        let joined = |first: u32, last: u32| Alignment {
            words: last - first,
            ..around(first, last, first)
        };
        assert_eq!(found, vec![joined(0, 20), joined(30, 60)]);
    }

    #[test]
    fn a_filled_stretch_never_joins_two_aligned_passages() {
        let options = AlignOptions::default();
        let a: Vec<Token> = tokens(&(0..90).collect::<Vec<u64>>());
        let b = a.clone();
        let exact = |first: u32, last: u32| Alignment {
            a_first: first,
            a_last: last,
            b_first: first,
            b_last: last,
            words: last - first,
            edits: 0,
        };
        // 0..20 and 50..70 aligned, their gap filled and joined to both;
        // 76..84 six words after: chaining kept it apart, and so does
        // filling (the gap is too short to fill, and nothing filled
        // touches it).
        let mut found = vec![exact(0, 20), exact(50, 70), exact(76, 84)];
        fill_gaps(&mut found, &a, &[], &b, &[], &options);
        assert_eq!(found, vec![exact(0, 70), exact(76, 84)]);
    }
}
