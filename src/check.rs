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
pub fn compare(expected: &Report, actual: &Report, tolerance: u32) -> Vec<String> {
    let mut out = Vec::new();
    if expected.parameters != actual.parameters {
        out.push("note: the golden map was made with other parameters".to_string());
    }
    compare_links(&expected.links, &actual.links, tolerance, &mut out);
    compare_passages(&expected.passages, &actual.passages, tolerance, &mut out);
    if out.len() == 1 && out[0].starts_with("note:") {
        out.clear();
    }
    out
}

fn compare_links(
    expected: &[LinkEntry],
    actual: &[LinkEntry],
    tolerance: u32,
    out: &mut Vec<String>,
) {
    let mut taken = vec![false; actual.len()];
    let mut missing = Vec::new();
    for e in expected {
        let found = (0..actual.len()).find(|&i| {
            let a = &actual[i];
            !taken[i]
                && a.directed == e.directed
                && close(&a.source, &e.source, tolerance)
                && close(&a.target, &e.target, tolerance)
        });
        match found {
            Some(i) => taken[i] = true,
            None => missing.push(e),
        }
    }
    for e in missing {
        let moved = (0..actual.len()).find(|&i| {
            let a = &actual[i];
            !taken[i] && overlaps(&a.source, &e.source) && overlaps(&a.target, &e.target)
        });
        let reversed = (0..actual.len()).find(|&i| {
            let a = &actual[i];
            !taken[i] && overlaps(&a.source, &e.target) && overlaps(&a.target, &e.source)
        });
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

fn compare_passages(
    expected: &[PassageEntry],
    actual: &[PassageEntry],
    tolerance: u32,
    out: &mut Vec<String>,
) {
    let mut taken = vec![false; actual.len()];
    let describe = |p: &PassageEntry| {
        let copies: Vec<String> = p.copies.iter().map(show).collect();
        copies.join(", ")
    };
    for e in expected {
        match (0..actual.len()).find(|&i| !taken[i] && same_copies(e, &actual[i], tolerance)) {
            Some(i) => {
                taken[i] = true;
                if actual[i].source != e.source {
                    out.push(format!(
                        "~ source changed for passage {}: expected {:?}, found {:?}",
                        describe(e),
                        e.source,
                        actual[i].source
                    ));
                }
            }
            None => out.push(format!("- missing passage {}", describe(e))),
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
            start_char: start,
            end_char: end,
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
            excerpt: None,
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
            &mut out,
        );
        assert!(out.is_empty(), "{out:?}");
        compare_links(
            &golden,
            &[link(span("a", 40, 100), span("b", 50, 150))],
            16,
            &mut out,
        );
        assert!(out[0].starts_with("~ link moved"), "{out:?}");
        out.clear();
        compare_links(
            &golden,
            &[link(span("b", 50, 150), span("a", 0, 100))],
            16,
            &mut out,
        );
        assert!(out[0].starts_with("~ link direction changed"), "{out:?}");
        out.clear();
        compare_links(&golden, &[], 16, &mut out);
        assert!(out[0].starts_with("- missing link"), "{out:?}");
        out.clear();
        compare_links(&[], &golden, 16, &mut out);
        assert!(out[0].starts_with("+ new link"), "{out:?}");
    }
}
