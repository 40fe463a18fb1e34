//! JSON Lines writer (`--format jsonl`): the same map as the JSON report, one
//! record per line, so that a map of a gigabyte can be read line by line
//! (`jq -c 'select(.type == "link")'`, `pandas.read_json(lines=True)`)
//! without holding it in memory.
//!
//! Every record is a compact JSON object whose first field is `"type"`:
//!
//! - `header`, first: `schema`, `tool`, `parameters`, `stats`;
//! - one `document`, `pair`, `passage`, `link` and `warning` record per element
//!   of the JSON report's lists, with the same fields, in that order;
//! - `end`, last: how many records of each type came before it, so a reader
//!   can tell a whole file from a cut one.
//!
//! Records are serialized in parallel, a group of chunks at a time, and
//! written in order: the bytes do not depend on the thread count.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use super::{Parameters, Report, Tool};
use crate::scan::Stats;

/// Records serialized by one task.
const CHUNK: usize = 1024;

/// Chunks serialized per group (written before the next is serialized).
const CHUNKS_PER_GROUP: usize = 32;

/// The first record.
#[derive(Serialize)]
struct Header<'r> {
    r#type: &'static str,
    schema: u32,
    tool: &'r Tool,
    parameters: &'r Parameters,
    stats: &'r Stats,
}

/// The last record: the count of each type of record before it.
#[derive(Serialize)]
struct End {
    r#type: &'static str,
    documents: usize,
    pairs: usize,
    passages: usize,
    links: usize,
    warnings: usize,
}

/// Write `report` as JSON Lines.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    let header = Header {
        r#type: "header",
        schema: report.schema,
        tool: &report.tool,
        parameters: &report.parameters,
        stats: &report.stats,
    };
    serde_json::to_writer(&mut out, &header).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    records(&mut out, "document", &report.documents)?;
    records(&mut out, "pair", &report.pairs)?;
    records(&mut out, "passage", &report.passages)?;
    records(&mut out, "link", &report.links)?;
    records(&mut out, "warning", &report.warnings)?;
    let end = End {
        r#type: "end",
        documents: report.documents.len(),
        pairs: report.pairs.len(),
        passages: report.passages.len(),
        links: report.links.len(),
        warnings: report.warnings.len(),
    };
    serde_json::to_writer(&mut out, &end).map_err(io::Error::from)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// One line per item, `{"type":"<kind>",` followed by the item's own fields.
fn records<T: Serialize + Sync>(out: &mut impl Write, kind: &str, items: &[T]) -> io::Result<()> {
    let prefix = format!("{{\"type\":\"{kind}\",");
    for group in items.chunks(CHUNK * CHUNKS_PER_GROUP) {
        let chunks: Vec<Vec<u8>> = group
            .par_chunks(CHUNK)
            .map(|chunk| serialize_chunk(&prefix, chunk))
            .collect::<io::Result<_>>()?;
        for bytes in chunks {
            out.write_all(&bytes)?;
        }
    }
    Ok(())
}

fn serialize_chunk<T: Serialize>(prefix: &str, items: &[T]) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(items.len() * 256);
    let mut item = Vec::with_capacity(512);
    for value in items {
        item.clear();
        serde_json::to_writer(&mut item, value).map_err(io::Error::from)?;
        // Every record is a non-empty object: its own `{` is replaced by the prefix.
        bytes.extend_from_slice(prefix.as_bytes());
        bytes.extend_from_slice(&item[1..]);
        bytes.push(b'\n');
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Report {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/lemonde/expected.json"
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Each line parses alone, starts with its type, and the lines give back
    /// the JSON report's lists in order.
    #[test]
    fn every_line_is_a_record_and_the_lists_come_back() {
        let report = fixture();
        let mut bytes = Vec::new();
        write(&report, &mut bytes).unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let mut links = Vec::new();
        let mut types = Vec::new();
        for line in text.lines() {
            assert!(line.starts_with("{\"type\":\""), "{line}");
            let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
            let kind = value["type"].as_str().unwrap().to_string();
            value.as_object_mut().unwrap().remove("type");
            if kind == "link" {
                links.push(serde_json::from_value::<super::super::LinkEntry>(value).unwrap());
            } else if kind == "header" {
                assert_eq!(value["schema"], report.schema);
            }
            if types.last() != Some(&kind) {
                types.push(kind);
            }
        }
        assert_eq!(links, report.links);
        assert_eq!(types.first().map(String::as_str), Some("header"));
        assert_eq!(types.last().map(String::as_str), Some("end"));
        let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        assert_eq!(last["links"], report.links.len());
        assert_eq!(last["documents"], report.documents.len());
    }
}
