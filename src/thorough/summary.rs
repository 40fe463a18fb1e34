//! The summary step of the thorough aligner: alignments near one another
//! merged into one summary span, and a summary's long side extended over
//! the sparse seeds of its short side (see the module docs of
//! [`super`]).

use super::*;

/// Whether the shared runs of `x` pair at least [`NEAR_EXACT`] of the words
/// of its longer side.
fn near_exact(x: &Alignment) -> bool {
    x.words as f64 >= NEAR_EXACT * x.a_words().max(x.b_words()) as f64
}

/// Alignments whose sides on A (`side_a`) or on B lie within `max_gap`
/// words of one another merged into one when the merged span on the other
/// side is at least [`EXTEND_RATIO`] times longer: the sentences of a
/// summary, each aligned to the part of the source it condenses.
pub(super) fn merge_summaries(
    alignments: Vec<Alignment>,
    side_a: bool,
    options: &ThoroughOptions,
) -> Vec<Alignment> {
    let short = |x: &Alignment| {
        if side_a {
            (x.a_first, x.a_last)
        } else {
            (x.b_first, x.b_last)
        }
    };
    let long = |x: &Alignment| {
        if side_a {
            (x.b_first, x.b_last)
        } else {
            (x.a_first, x.a_last)
        }
    };
    // A near-verbatim copy is no part of a summary.
    let (mut out, mut alignments): (Vec<Alignment>, Vec<Alignment>) =
        alignments.into_iter().partition(near_exact);
    alignments.sort_unstable_by_key(|x| (short(x), long(x)));
    let mut pending: Vec<Alignment> = Vec::new();
    let flush = |pending: &mut Vec<Alignment>, out: &mut Vec<Alignment>| {
        if pending.len() > 1 {
            let merged = Alignment {
                a_first: pending.iter().map(|x| x.a_first).min().unwrap_or(0),
                a_last: pending.iter().map(|x| x.a_last).max().unwrap_or(0),
                b_first: pending.iter().map(|x| x.b_first).min().unwrap_or(0),
                b_last: pending.iter().map(|x| x.b_last).max().unwrap_or(0),
                words: pending.iter().map(|x| x.words).sum(),
                edits: 0,
            };
            let (s, l) = (short(&merged), long(&merged));
            let member_short: u32 = pending.iter().map(|x| short(x).1 - short(x).0).sum();
            let member_long: u32 = pending.iter().map(|x| long(x).1 - long(x).0).sum();
            if (l.1 - l.0) as f64 >= EXTEND_RATIO * (s.1 - s.0) as f64
                && member_long as f64 >= SUMMARY_MEMBER_RATIO * member_short as f64
            {
                let edits = merged
                    .a_words()
                    .max(merged.b_words())
                    .saturating_sub(merged.words);
                out.push(Alignment { edits, ..merged });
                pending.clear();
                return;
            }
        }
        out.append(pending);
    };
    let mut end = 0u32;
    for x in alignments {
        let (s, e) = short(&x);
        if !pending.is_empty() && s > end + options.max_gap as u32 {
            flush(&mut pending, &mut out);
        }
        if pending.is_empty() {
            end = e;
        }
        end = end.max(e);
        pending.push(x);
    }
    flush(&mut pending, &mut out);
    out
}

/// Summary-like alignments (the long side spans at least [`EXTEND_RATIO`]
/// times the words of the short side) with their long side extended over
/// the seeds of their short side within [`EXTEND_GAP`] times its words of
/// it, again until none is added: a summary condenses a long passage whose
/// parts its sentences and phrases match sparsely, farther apart than the
/// gaps of a copied passage (the larger gap of Sanchez-Perez et al. 2014's
/// summary step).
pub(super) fn extend_summaries(alignments: Vec<Alignment>, runs: &[Run]) -> Vec<Alignment> {
    alignments
        .into_iter()
        .map(|x| {
            let short_a = x.a_words() <= x.b_words();
            let (s0, s1, l0, l1) = if short_a {
                (x.a_first, x.a_last, x.b_first, x.b_last)
            } else {
                (x.b_first, x.b_last, x.a_first, x.a_last)
            };
            let short = (s1 - s0) as f64;
            if ((l1 - l0) as f64) < EXTEND_RATIO * short {
                return x;
            }
            let gap = (EXTEND_GAP * short) as u32;
            let mut seeds: Vec<(u32, u32)> = runs
                .iter()
                .filter(|r| {
                    let (s, e) = r.side(short_a);
                    s >= s0 && e <= s1
                })
                .map(|r| r.side(!short_a))
                .collect();
            seeds.sort_unstable();
            let (mut lo, mut hi) = (l0, l1);
            loop {
                let before = (lo, hi);
                for &(s, e) in &seeds {
                    if e + gap >= lo && s <= hi + gap {
                        lo = lo.min(s);
                        hi = hi.max(e);
                    }
                }
                if (lo, hi) == before {
                    break;
                }
            }
            let words = x.words;
            let extended = if short_a {
                Alignment {
                    b_first: lo,
                    b_last: hi,
                    ..x
                }
            } else {
                Alignment {
                    a_first: lo,
                    a_last: hi,
                    ..x
                }
            };
            Alignment {
                edits: extended
                    .a_words()
                    .max(extended.b_words())
                    .saturating_sub(words),
                ..extended
            }
        })
        .collect()
}
