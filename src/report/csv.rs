//! CSV writer: one row per link, for spreadsheets and quick joins; with
//! `--pairs-only`, one row per near-duplicate segment pair instead. The
//! columns added by schema 2 (dates, manifest titles, code-point offsets,
//! excerpt) come after the first twelve, so a reader by position still works.
//!
//! Document ids come from file names and JSONL ids, which anyone can choose:
//! a cell that a spreadsheet would run as a formula (starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return) gets a leading `'`, as OWASP
//! recommends ([`for_spreadsheet`]; issue 13).

use std::io::{self, Write};

use super::escape::for_spreadsheet;
use super::Report;

/// Column names, in order.
pub const HEADER: [&str; 21] = [
    "passage",
    "source_doc",
    "source_start",
    "source_end",
    "target_doc",
    "target_start",
    "target_end",
    "directed",
    "similarity",
    "words",
    "edits",
    "coverage",
    "source_date",
    "source_title",
    "target_date",
    "target_title",
    "source_start_char",
    "source_end_char",
    "target_start_char",
    "target_end_char",
    "excerpt",
];

/// Column names of the `--pairs-only` rows, in order.
pub const PAIRS_HEADER: [&str; 8] = [
    "a_doc",
    "a_start",
    "a_end",
    "b_doc",
    "b_start",
    "b_end",
    "jaccard",
    "containment",
];

/// Write one row per link (one per segment pair with `--pairs-only`), with
/// a header row.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    if report.parameters.pairs_only {
        writer.write_record(PAIRS_HEADER).map_err(io::Error::from)?;
        for pair in &report.pairs {
            writer
                .write_record([
                    for_spreadsheet(&pair.a.doc).into_owned(),
                    pair.a.start.to_string(),
                    pair.a.end.to_string(),
                    for_spreadsheet(&pair.b.doc).into_owned(),
                    pair.b.start.to_string(),
                    pair.b.end.to_string(),
                    pair.jaccard.to_string(),
                    pair.containment.to_string(),
                ])
                .map_err(io::Error::from)?;
        }
        return writer.flush();
    }
    writer.write_record(HEADER).map_err(io::Error::from)?;
    let cell = |text: Option<&String>| for_spreadsheet(text.map_or("", |t| t)).into_owned();
    let label = |doc: &str| {
        let entry = report.document_index(doc).map(|i| &report.documents[i]);
        (
            cell(entry.and_then(|d| d.date.as_ref())),
            cell(entry.and_then(|d| d.title.as_ref())),
        )
    };
    for link in &report.links {
        let (source_date, source_title) = label(&link.source.doc);
        let (target_date, target_title) = label(&link.target.doc);
        writer
            .write_record([
                for_spreadsheet(&link.passage).into_owned(),
                for_spreadsheet(&link.source.doc).into_owned(),
                link.source.start.to_string(),
                link.source.end.to_string(),
                for_spreadsheet(&link.target.doc).into_owned(),
                link.target.start.to_string(),
                link.target.end.to_string(),
                link.directed.to_string(),
                link.similarity.to_string(),
                link.words.to_string(),
                link.edits.to_string(),
                link.coverage.to_string(),
                source_date,
                source_title,
                target_date,
                target_title,
                link.source.start_char.to_string(),
                link.source.end_char.to_string(),
                link.target.start_char.to_string(),
                link.target.end_char.to_string(),
                cell(link.excerpt.as_ref()),
            ])
            .map_err(io::Error::from)?;
    }
    writer.flush()
}
