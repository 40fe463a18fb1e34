//! CSV writer: one row per link, for spreadsheets and quick joins.

use std::io::{self, Write};

use super::Report;

/// Column names, in order.
pub const HEADER: [&str; 12] = [
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
];

/// Write one row per link, with a header row.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HEADER).map_err(io::Error::from)?;
    for link in &report.links {
        writer
            .write_record([
                link.passage.clone(),
                link.source.doc.clone(),
                link.source.start.to_string(),
                link.source.end.to_string(),
                link.target.doc.clone(),
                link.target.start.to_string(),
                link.target.end.to_string(),
                link.directed.to_string(),
                link.similarity.to_string(),
                link.words.to_string(),
                link.edits.to_string(),
                link.coverage.to_string(),
            ])
            .map_err(io::Error::from)?;
    }
    writer.flush()
}
