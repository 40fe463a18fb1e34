//! Check: compare a provenance map with a golden one, for CI.
//!
//! Links match when they join the same two documents in the same direction and
//! both spans start and end within `tolerance` bytes of the golden ones;
//! passages match when their copies do. Anything unmatched is a regression:
//! a missing or new link or passage, a span that moved, a source that changed.
//! Statistics and scores are not compared: they may shift without changing
//! what was found.

use std::path::Path;

use crate::error::{Error, Result};
use crate::report::{LinkEntry, PassageEntry, Report, SpanEntry, SCHEMA_VERSION};

/// Read a golden map written by `lifted scan --format json`.
pub fn read_expected(path: &Path) -> Result<Report> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let report: Report = serde_json::from_slice(&bytes).map_err(|e| Error::Expected {
        path: path.to_path_buf(),
        reason: format!("not a lifted JSON report ({e}); make one with `lifted scan --format json --output FILE`"),
    })?;
    if report.schema != SCHEMA_VERSION {
        return Err(Error::Expected {
            path: path.to_path_buf(),
            reason: format!(
                "schema {} but this lifted writes schema {SCHEMA_VERSION}; regenerate it",
                report.schema
            ),
        });
    }
    Ok(report)
}

fn show(span: &SpanEntry) -> String {
    format!("{}[{}..{}]", span.doc, span.start, span.end)
}

fn close(a: &SpanEntry, b: &SpanEntry, tolerance: u32) -> bool {
    a.doc == b.doc && a.start.abs_diff(b.start) <= tolerance && a.end.abs_diff(b.end) <= tolerance
}

fn overlaps(a: &SpanEntry, b: &SpanEntry) -> bool {
    a.doc == b.doc && a.start < b.end && b.start < a.end
}

fn link_text(link: &LinkEntry) -> String {
    let arrow = if link.directed { "->" } else { "--" };
    format!("{} {arrow} {}", show(&link.source), show(&link.target))
}

/// Differences between the golden map and the current one, one line each;
/// empty when they agree.
///
/// Every step sorts or groups, none scans a list for each entry (with every
/// span moved, the 100 MB benchmark corpus took 42 s to check): links and
/// passages are grouped by their documents and searched by start offset.
/// Spans that moved without changing length (text inserted or removed before
/// them) are paired by their documents and lengths, and reported as one line
/// per document and shift rather than one "missing" and one "new" per span.
pub fn compare(expected: &Report, actual: &Report, tolerance: u32) -> Vec<String> {
    let mut out = Vec::new();
    if expected.parameters != actual.parameters {
        out.push("note: the golden map was made with other parameters".to_string());
    }
    let mut shifts = Shifts::default();
    compare_links(
        &expected.links,
        &actual.links,
        tolerance,
        &mut shifts,
        &mut out,
    );
    compare_passages(
        &expected.passages,
        &actual.passages,
        tolerance,
        &mut shifts,
        &mut out,
    );
    shifts.report(&mut out);
    if out.len() == 1 && out[0].starts_with("note:") {
        out.clear();
    }
    out
}

/// Spans found shifted by the same number of bytes in one document, with
/// how many links and passages they belong to.
#[derive(Default)]
struct Shifts(std::collections::BTreeMap<(String, i64), (usize, usize)>);

impl Shifts {
    /// Record the shift from `expected` to `actual` (same document) when it
    /// is beyond `tolerance`; `link` says whether the span is a link's.
    fn note(&mut self, expected: &SpanEntry, actual: &SpanEntry, tolerance: u32, link: bool) {
        if expected.start.abs_diff(actual.start) > tolerance {
            let shift = actual.start as i64 - expected.start as i64;
            let count = self.0.entry((expected.doc.clone(), shift)).or_default();
            if link {
                count.0 += 1;
            } else {
                count.1 += 1;
            }
        }
    }

    fn report(self, out: &mut Vec<String>) {
        for ((doc, shift), (links, passages)) in self.0 {
            out.push(format!(
                "~ {doc}: spans of {links} link(s) and {passages} passage(s) moved by {shift:+} bytes, their lengths unchanged (text inserted or removed before them)"
            ));
        }
    }
}

/// Indices of `entries` grouped by `key`, each group sorted by `start`
/// (then index): the groups to search by start offset.
fn index_by<T, K: Ord>(
    entries: &[T],
    key: impl Fn(&T) -> K,
    start: impl Fn(&T) -> u32,
) -> std::collections::BTreeMap<K, Vec<usize>> {
    let mut groups: std::collections::BTreeMap<K, Vec<usize>> = std::collections::BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        groups.entry(key(entry)).or_default().push(i);
    }
    for group in groups.values_mut() {
        group.sort_by_key(|&i| (start(&entries[i]), i));
    }
    groups
}

/// The first index (lowest) of `group` (sorted by `start`) whose start is
/// within `from..=to` and that `fits`.
fn first_fit(
    group: &[usize],
    start: impl Fn(usize) -> u32,
    from: u32,
    to: u32,
    fits: impl Fn(usize) -> bool,
) -> Option<usize> {
    let first = group.partition_point(|&i| start(i) < from);
    group[first..]
        .iter()
        .take_while(|&&i| start(i) <= to)
        .copied()
        .filter(|&i| fits(i))
        .min()
}

fn compare_links(
    expected: &[LinkEntry],
    actual: &[LinkEntry],
    tolerance: u32,
    shifts: &mut Shifts,
    out: &mut Vec<String>,
) {
    let mut taken = vec![false; actual.len()];
    let mut missing = Vec::new();
    // 1. The same link, within the tolerance.
    let by_documents = index_by(
        actual,
        |a| (a.directed, a.source.doc.clone(), a.target.doc.clone()),
        |a| a.source.start,
    );
    for (k, e) in expected.iter().enumerate() {
        let group = by_documents.get(&(e.directed, e.source.doc.clone(), e.target.doc.clone()));
        let found = group.and_then(|group| {
            first_fit(
                group,
                |i| actual[i].source.start,
                e.source.start.saturating_sub(tolerance),
                e.source.start.saturating_add(tolerance),
                |i| {
                    !taken[i]
                        && close(&actual[i].source, &e.source, tolerance)
                        && close(&actual[i].target, &e.target, tolerance)
                },
            )
        });
        match found {
            Some(i) => taken[i] = true,
            None => missing.push(k),
        }
    }
    // 2. The same spans, shifted: paired in order among the links of the
    // same documents whose spans have the same lengths.
    let length = |s: &SpanEntry| s.end.saturating_sub(s.start);
    let shape = |l: &LinkEntry| {
        (
            l.directed,
            l.source.doc.clone(),
            l.target.doc.clone(),
            length(&l.source),
            length(&l.target),
        )
    };
    let mut unmatched_actual = index_by(actual, shape, |a| a.source.start);
    for group in unmatched_actual.values_mut() {
        group.retain(|&i| !taken[i]);
        group.reverse();
    }
    let mut left = Vec::new();
    missing.sort_by_key(|&k| (expected[k].source.start, expected[k].target.start, k));
    for k in missing {
        let e = &expected[k];
        match unmatched_actual.get_mut(&shape(e)).and_then(Vec::pop) {
            Some(i) => {
                taken[i] = true;
                shifts.note(&e.source, &actual[i].source, tolerance, true);
                shifts.note(&e.target, &actual[i].target, tolerance, true);
            }
            None => left.push(k),
        }
    }
    // Reported in the golden map's order.
    left.sort_unstable();
    // 3. Overlapping spans: moved, or the direction changed.
    let pair_of = |a: &SpanEntry, b: &SpanEntry| (a.doc.clone(), b.doc.clone());
    let overlapping = index_by(
        actual,
        |a| pair_of(&a.source, &a.target),
        |a| a.source.start,
    );
    // A span starting before `source` overlaps it only if it is long enough:
    // the longest source span of each group bounds the search back.
    let longest: std::collections::BTreeMap<_, u32> = overlapping
        .iter()
        .map(|(key, group)| {
            let most = group.iter().map(|&i| length(&actual[i].source)).max();
            (key, most.unwrap_or(0))
        })
        .collect();
    let find = |taken: &[bool], source: &SpanEntry, target: &SpanEntry| {
        let key = pair_of(source, target);
        overlapping.get(&key).and_then(|group| {
            first_fit(
                group,
                |i| actual[i].source.start,
                source
                    .start
                    .saturating_sub(longest.get(&key).copied().unwrap_or(0)),
                source.end,
                |i| {
                    !taken[i]
                        && overlaps(&actual[i].source, source)
                        && overlaps(&actual[i].target, target)
                },
            )
        })
    };
    for e in left.into_iter().map(|k| &expected[k]) {
        let moved = find(&taken, &e.source, &e.target);
        let reversed = find(&taken, &e.target, &e.source);
        if let Some(i) = moved {
            taken[i] = true;
            out.push(format!(
                "~ link moved: expected {}, found {}",
                link_text(e),
                link_text(&actual[i])
            ));
        } else if let Some(i) = reversed {
            taken[i] = true;
            out.push(format!(
                "~ link direction changed: expected {}, found {}",
                link_text(e),
                link_text(&actual[i])
            ));
        } else {
            out.push(format!("- missing link {}", link_text(e)));
        }
    }
    for (i, a) in actual.iter().enumerate() {
        if !taken[i] {
            out.push(format!("+ new link {}", link_text(a)));
        }
    }
}

fn same_copies(e: &PassageEntry, a: &PassageEntry, tolerance: u32) -> bool {
    e.copies.len() == a.copies.len()
        && e.copies
            .iter()
            .zip(&a.copies)
            .all(|(x, y)| close(x, y, tolerance))
}

/// The documents of a passage's copies, in order.
fn documents(p: &PassageEntry) -> Vec<String> {
    p.copies.iter().map(|c| c.doc.clone()).collect()
}

fn compare_passages(
    expected: &[PassageEntry],
    actual: &[PassageEntry],
    tolerance: u32,
    shifts: &mut Shifts,
    out: &mut Vec<String>,
) {
    let mut taken = vec![false; actual.len()];
    let describe = |p: &PassageEntry| {
        let copies: Vec<String> = p.copies.iter().map(show).collect();
        copies.join(", ")
    };
    let first_start = |p: &PassageEntry| p.copies.first().map_or(0, |c| c.start);
    let source_changed = |e: &PassageEntry, a: &PassageEntry, out: &mut Vec<String>| {
        if a.source != e.source {
            out.push(format!(
                "~ source changed for passage {}: expected {:?}, found {:?}",
                describe(e),
                e.source,
                a.source
            ));
        }
    };
    // 1. The same copies, within the tolerance.
    let by_documents = index_by(actual, documents, first_start);
    let mut missing = Vec::new();
    for (k, e) in expected.iter().enumerate() {
        let found = by_documents.get(&documents(e)).and_then(|group| {
            first_fit(
                group,
                |i| first_start(&actual[i]),
                first_start(e).saturating_sub(tolerance),
                first_start(e).saturating_add(tolerance),
                |i| !taken[i] && same_copies(e, &actual[i], tolerance),
            )
        });
        match found {
            Some(i) => {
                taken[i] = true;
                source_changed(e, &actual[i], out);
            }
            None => missing.push(k),
        }
    }
    // 2. The same copies shifted, paired in order by documents and lengths.
    let shape = |p: &PassageEntry| -> Vec<(String, u32)> {
        p.copies
            .iter()
            .map(|c| (c.doc.clone(), c.end.saturating_sub(c.start)))
            .collect()
    };
    let mut unmatched = index_by(actual, shape, first_start);
    for group in unmatched.values_mut() {
        group.retain(|&i| !taken[i]);
        group.reverse();
    }
    let mut by_start = missing.clone();
    by_start.sort_by_key(|&k| (first_start(&expected[k]), k));
    let mut left = vec![false; expected.len()];
    for k in by_start {
        let e = &expected[k];
        match unmatched.get_mut(&shape(e)).and_then(Vec::pop) {
            Some(i) => {
                taken[i] = true;
                for (x, y) in e.copies.iter().zip(&actual[i].copies) {
                    shifts.note(x, y, tolerance, false);
                }
                source_changed(e, &actual[i], out);
            }
            None => left[k] = true,
        }
    }
    for k in missing {
        if left[k] {
            out.push(format!("- missing passage {}", describe(&expected[k])));
        }
    }
    for (i, a) in actual.iter().enumerate() {
        if !taken[i] {
            out.push(format!("+ new passage {}", describe(a)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(doc: &str, start: u32, end: u32) -> SpanEntry {
        SpanEntry {
            doc: doc.to_string(),
            start,
            end,
        }
    }

    fn link(source: SpanEntry, target: SpanEntry) -> LinkEntry {
        LinkEntry {
            passage: "p1".to_string(),
            source,
            target,
            directed: true,
            similarity: 1.0,
            words: 10,
            edits: 0,
            coverage: 1.0,
        }
    }

    #[test]
    fn tolerance_moves_and_reversals() {
        let golden = [link(span("a", 0, 100), span("b", 50, 150))];
        let mut out = Vec::new();
        compare_links(
            &golden,
            &[link(span("a", 10, 100), span("b", 50, 160))],
            16,
            &mut Shifts::default(),
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        compare_links(
            &golden,
            &[link(span("a", 40, 100), span("b", 50, 150))],
            16,
            &mut Shifts::default(),
            &mut out,
        );
        assert!(out[0].starts_with("~ link moved"), "{out:?}");
        out.clear();
        compare_links(
            &golden,
            &[link(span("b", 50, 150), span("a", 0, 100))],
            16,
            &mut Shifts::default(),
            &mut out,
        );
        assert!(out[0].starts_with("~ link direction changed"), "{out:?}");
        out.clear();
        compare_links(&golden, &[], 16, &mut Shifts::default(), &mut out);
        assert!(out[0].starts_with("- missing link"), "{out:?}");
        out.clear();
        compare_links(&[], &golden, 16, &mut Shifts::default(), &mut out);
        assert!(out[0].starts_with("+ new link"), "{out:?}");
    }

    /// Every span of document "a" moved by the same insertion: one line,
    /// not a missing and a new link per span; other documents still match.
    #[test]
    fn a_shifted_document_is_one_difference() {
        let golden: Vec<LinkEntry> = (0..1000)
            .map(|i| {
                link(
                    span("a", i * 200, i * 200 + 100),
                    span("b", i * 300, i * 300 + 90),
                )
            })
            .collect();
        let shifted: Vec<LinkEntry> = golden
            .iter()
            .map(|l| {
                let mut l = l.clone();
                l.source.start += 57;
                l.source.end += 57;
                l
            })
            .collect();
        let mut shifts = Shifts::default();
        let mut out = Vec::new();
        compare_links(&golden, &shifted, 16, &mut shifts, &mut out);
        shifts.report(&mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].contains("a: spans of 1000 link(s)"), "{out:?}");
        assert!(out[0].contains("+57 bytes"), "{out:?}");
    }
}
