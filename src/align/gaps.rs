//! Filling gaps (step 5 of [`crate::align`]): the words between two
//! alignments of the same two documents, aligned word by word.
//!
//! Exact seeds of `seed` words miss a passage revised too heavily for any
//! of them to survive (a paragraph of a later version with one word in
//! four changed keeps few runs of five words), although the passages before
//! and after it are aligned. Between two consecutive alignments that follow
//! each other on both sides, a gap of at most [`FILL_MOST`] words a side is
//! aligned by the longest common subsequence of its words; the matched words
//! are cut wherever both sides hold a paragraph break between two of them
//! (as chaining does), each piece is trimmed to its densest stretch (a
//! matched word scores 1, a word of the larger side of each gap between
//! matches costs 1), and a stretch is kept when it matches at least
//! `min_words` words with a Dice similarity of at least [`FILL_SIMILARITY`].
//! A gap that another alignment of the pair reaches into is left alone
//! (its words belong elsewhere), as are the text before the first alignment
//! and after the last one.
//!
//! Measured on 28 MB of real English in revised versions
//! (`benches/real_versions.py --size-mb 25 --seed 42`): 3,598 of the 3,703
//! revised paragraphs the exact aligner missed lay in such gaps, of 251
//! bytes at the median and 720 at the 95th percentile.

use super::chain::{build, Breaks};
use super::{AlignOptions, Alignment, Match};
use crate::normalize::Token;

/// Most words a side of a gap that is aligned word by word.
pub const FILL_MOST: u32 = 160;

/// Least Dice similarity (matched words over the mean length of the two
/// spans) of a stretch kept from a gap.
pub const FILL_SIMILARITY: f64 = 0.5;

/// Add to `found` (alignments of documents A and B, sorted by their start
/// in A then in B, as [`super::chain::chain`] returns them) the alignments
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
    let min_words = options.min_words.max(1) as u32;
    // Where every alignment starts in B, to see whether one starts inside a
    // gap's B side.
    let mut b_starts: Vec<u32> = found.iter().map(|x| x.b_first).collect();
    b_starts.sort_unstable();
    let breaks = Breaks {
        a: a_breaks,
        b: b_breaks,
    };
    let mut added = Vec::new();
    let mut scratch = Scratch::default();
    for pair in found.windows(2) {
        let (x, y) = (pair[0], pair[1]);
        if y.a_first < x.a_last || y.b_first < x.b_last {
            continue;
        }
        let (gap_a, gap_b) = (y.a_first - x.a_last, y.b_first - x.b_last);
        if gap_a.min(gap_b) < min_words || gap_a.max(gap_b) > FILL_MOST {
            continue;
        }
        // Another alignment starting inside B's side of the gap.
        let inside = b_starts.partition_point(|&s| s < x.b_last);
        if b_starts.get(inside).is_some_and(|&s| s < y.b_first) {
            continue;
        }
        let a_words = &a[x.a_last as usize..y.a_first as usize];
        let b_words = &b[x.b_last as usize..y.b_first as usize];
        // The common words bound the matched words of any stretch: too few
        // for the least similarity over the whole gap, and no stretch of it
        // would be kept but one inside a gap mostly new on one side.
        let common = scratch.common_words(a_words, b_words);
        if common < min_words || f64::from(2 * common) < FILL_SIMILARITY * f64::from(gap_a + gap_b) {
            continue;
        }
        let runs = scratch.common_subsequence(a_words, b_words, x.a_last, x.b_last);
        for piece in runs.chunk_by(|&before, &current| !breaks.separate(before, current)) {
            keep_dense(piece, min_words, &mut added);
        }
    }
    if !added.is_empty() {
        found.extend(added);
        found.sort_unstable_by_key(|x| (x.a_first, x.b_first));
    }
}

/// Words of a gap's B side a [`Scratch`] row holds: [`FILL_MOST`] rounded up
/// to whole 64-bit words.
const ROW_WORDS: usize = (FILL_MOST as usize).div_ceil(64);

/// One row of the bit-parallel table: bit `j` clear where the common
/// subsequence of A's words so far and B's first `j + 1` words is one
/// longer than with B's first `j` (Hyyrö 2004).
type Row = [u64; ROW_WORDS];

/// Buffers reused from gap to gap.
#[derive(Default)]
struct Scratch {
    /// A's words' hashes, sorted.
    a_sorted: Vec<u64>,
    /// B's words' hashes with their place, sorted.
    b_sorted: Vec<(u64, u32)>,
    /// The table's rows: row 0 before any word of A, row `i` after `i`.
    rows: Vec<Row>,
}

impl Scratch {
    /// Words the two sides have in common, counted with their repeats: a
    /// bound on their longest common subsequence. Leaves both sides sorted.
    fn common_words(&mut self, a: &[Token], b: &[Token]) -> u32 {
        self.a_sorted.clear();
        self.a_sorted.extend(a.iter().map(|t| t.hash));
        self.a_sorted.sort_unstable();
        self.b_sorted.clear();
        self.b_sorted
            .extend(b.iter().enumerate().map(|(j, t)| (t.hash, j as u32)));
        self.b_sorted.sort_unstable();
        let (x, y) = (&self.a_sorted, &self.b_sorted);
        let (mut i, mut j, mut common) = (0, 0, 0);
        while i < x.len() && j < y.len() {
            match x[i].cmp(&y[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    common += 1;
                    i += 1;
                    j += 1;
                }
            }
        }
        common
    }

    /// A longest common subsequence of the words of `a` and `b` (at most
    /// [`FILL_MOST`] each; `b_sorted` filled by [`Scratch::common_words`])
    /// as runs of consecutive matched words, in order, at token indices
    /// offset by `a_at` and `b_at`: the one [`table_subsequence`] gives,
    /// from a bit-parallel table (one addition per word of A) instead of
    /// one cell per pair of words.
    fn common_subsequence(&mut self, a: &[Token], b: &[Token], a_at: u32, b_at: u32) -> Vec<Match> {
        let (n, m) = (a.len(), b.len());
        debug_assert!(m <= ROW_WORDS * 64);
        self.rows.clear();
        self.rows.push([u64::MAX; ROW_WORDS]);
        for word in a {
            // Where B holds this word.
            let mut matches: Row = [0; ROW_WORDS];
            let from = self.b_sorted.partition_point(|&(h, _)| h < word.hash);
            for &(h, j) in &self.b_sorted[from..] {
                if h != word.hash {
                    break;
                }
                matches[j as usize / 64] |= 1 << (j % 64);
            }
            // V' = (V + (V & M)) | (V & !M), the addition carried across
            // the row's words.
            let v = *self.rows.last().expect("row 0 is there");
            let mut next: Row = [0; ROW_WORDS];
            let mut carry = false;
            for k in 0..ROW_WORDS {
                let u = v[k] & matches[k];
                let (sum, c1) = v[k].overflowing_add(u);
                let (sum, c2) = sum.overflowing_add(u64::from(carry));
                carry = c1 || c2;
                next[k] = sum | (v[k] & !matches[k]);
            }
            self.rows.push(next);
        }
        // The table's value at (i, j): the clear bits of row i below j.
        let rows = &self.rows;
        let value = |i: usize, j: usize| -> u32 {
            let row = &rows[i];
            let mut count = 0;
            for (k, &word) in row.iter().enumerate() {
                let low = k * 64;
                if j <= low {
                    break;
                }
                let bits = (j - low).min(64);
                let mask = if bits == 64 { u64::MAX } else { (1u64 << bits) - 1 };
                count += (!word & mask).count_ones();
            }
            count
        };
        let mut pairs = Vec::new();
        let (mut i, mut j) = (n, m);
        let mut here = value(i, j);
        while i > 0 && j > 0 && here > 0 {
            if a[i - 1].hash == b[j - 1].hash && value(i - 1, j - 1) + 1 == here {
                pairs.push((i - 1, j - 1));
                i -= 1;
                j -= 1;
                here -= 1;
            } else if value(i - 1, j) == here {
                i -= 1;
            } else {
                j -= 1;
            }
        }
        runs_of(pairs, a_at, b_at)
    }
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
        ) {
            let (a, b) = (tokens(&a), tokens(&b));
            let mut scratch = Scratch::default();
            scratch.common_words(&a, &b);
            proptest::prop_assert_eq!(
                scratch.common_subsequence(&a, &b, a_at, b_at),
                table_subsequence(&a, &b, a_at, b_at)
            );
        }
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
        fill_gaps(&mut filled, &sa.tokens, &sa.breaks, &sb.tokens, &sb.breaks, &options);
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
        assert!(middle.words >= 13 && middle.similarity() >= FILL_SIMILARITY, "{middle:?}");
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
        // a tie between joining them and not, kept apart.
        assert_eq!(
            found,
            vec![
                around(0, 10, 0),
                around(10, 20, 10),
                around(30, 50, 30),
                around(50, 60, 50)
            ]
        );
    }
}
