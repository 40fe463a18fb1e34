//! Parquet tables of the map (`--format parquet`), for pandas, polars,
//! Spark and DuckDB: `documents`, `passages` (one row per copy), `links` and
//! `pairs`, each one file with typed columns (offsets `uint32`, counts
//! `uint64`, scores `double`, flags `boolean`, a missing date or source
//! null). The columns are the JSON report's fields, flattened.

use std::io;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt32Array, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::{Report, SpanEntry};

/// The tables, in the order they are written; each is `NAME.parquet`.
pub const TABLES: [&str; 4] = ["documents", "passages", "links", "pairs"];

/// The Parquet file of the table `name` (one of [`TABLES`]).
pub fn table(report: &Report, name: &str) -> io::Result<Vec<u8>> {
    let (fields, columns) = match name {
        "documents" => documents(report),
        "passages" => passages(report),
        "links" => links(report),
        "pairs" => pairs(report),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("no table {name:?}"),
            ))
        }
    };
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new(Arc::clone(&schema), columns).map_err(io::Error::other)?;
    let properties = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .set_created_by(format!("lifted {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut out = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut out, schema, Some(properties)).map_err(io::Error::other)?;
    writer.write(&batch).map_err(io::Error::other)?;
    writer.close().map_err(io::Error::other)?;
    Ok(out)
}

type Columns = (Vec<Field>, Vec<ArrayRef>);

fn text<'a>(values: impl IntoIterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

fn u32s(values: impl IntoIterator<Item = u32>) -> ArrayRef {
    Arc::new(UInt32Array::from_iter_values(values))
}

fn u64s(values: impl IntoIterator<Item = u64>) -> ArrayRef {
    Arc::new(UInt64Array::from_iter_values(values))
}

fn f64s(values: impl IntoIterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(values))
}

fn flags(values: impl IntoIterator<Item = bool>) -> ArrayRef {
    Arc::new(values.into_iter().map(Some).collect::<BooleanArray>())
}

fn field(name: &str, kind: DataType) -> Field {
    Field::new(name, kind, false)
}

/// The three columns of a span, `{prefix}_doc`, `_start`, `_end`.
fn span_columns<'a>(prefix: &str, spans: impl Iterator<Item = &'a SpanEntry> + Clone) -> Columns {
    (
        vec![
            field(&format!("{prefix}_doc"), DataType::Utf8),
            field(&format!("{prefix}_start"), DataType::UInt32),
            field(&format!("{prefix}_end"), DataType::UInt32),
        ],
        vec![
            text(spans.clone().map(|s| s.doc.as_str())),
            u32s(spans.clone().map(|s| s.start)),
            u32s(spans.map(|s| s.end)),
        ],
    )
}

fn documents(report: &Report) -> Columns {
    let documents = &report.documents;
    (
        vec![
            field("id", DataType::Utf8),
            field("path", DataType::Utf8),
            field("bytes", DataType::UInt64),
            Field::new("date", DataType::Utf8, true),
            field("lifted_bytes", DataType::UInt64),
            field("lifted_share", DataType::Float64),
        ],
        vec![
            text(documents.iter().map(|d| d.id.as_str())),
            text(documents.iter().map(|d| d.path.as_str())),
            u64s(documents.iter().map(|d| d.bytes)),
            Arc::new(
                documents
                    .iter()
                    .map(|d| d.date.as_deref())
                    .collect::<StringArray>(),
            ),
            u64s(documents.iter().map(|d| d.lifted_bytes)),
            f64s(documents.iter().map(|d| d.lifted_share)),
        ],
    )
}

/// One row per copy of a passage: its id, the copy's number (0-based, in
/// the JSON report's order) and span, the source document, words and flag.
fn passages(report: &Report) -> Columns {
    let copies: Vec<(&super::PassageEntry, u32, &SpanEntry)> = report
        .passages
        .iter()
        .flat_map(|p| (0u32..).zip(&p.copies).map(move |(n, copy)| (p, n, copy)))
        .collect();
    let (span_fields, span_arrays) = span_columns("copy", copies.iter().map(|c| c.2));
    let mut fields = vec![
        field("passage", DataType::Utf8),
        field("copy", DataType::UInt32),
    ];
    fields.extend(span_fields);
    fields.extend([
        Field::new("source", DataType::Utf8, true),
        field("words", DataType::UInt32),
        field("boilerplate", DataType::Boolean),
    ]);
    let mut columns = vec![
        text(copies.iter().map(|c| c.0.id.as_str())),
        u32s(copies.iter().map(|c| c.1)),
    ];
    columns.extend(span_arrays);
    columns.extend([
        Arc::new(
            copies
                .iter()
                .map(|c| c.0.source.as_deref())
                .collect::<StringArray>(),
        ) as ArrayRef,
        u32s(copies.iter().map(|c| c.0.words)),
        flags(copies.iter().map(|c| c.0.boilerplate)),
    ]);
    (fields, columns)
}

/// One row per link, the columns of the CSV report.
fn links(report: &Report) -> Columns {
    let links = &report.links;
    let (source_fields, source) = span_columns("source", links.iter().map(|l| &l.source));
    let (target_fields, target) = span_columns("target", links.iter().map(|l| &l.target));
    let mut fields = vec![field("passage", DataType::Utf8)];
    fields.extend(source_fields);
    fields.extend(target_fields);
    fields.extend([
        field("directed", DataType::Boolean),
        field("similarity", DataType::Float64),
        field("words", DataType::UInt32),
        field("edits", DataType::UInt32),
        field("coverage", DataType::Float64),
    ]);
    let mut columns = vec![text(links.iter().map(|l| l.passage.as_str()))];
    columns.extend(source);
    columns.extend(target);
    columns.extend([
        flags(links.iter().map(|l| l.directed)),
        f64s(links.iter().map(|l| l.similarity)),
        u32s(links.iter().map(|l| l.words)),
        u32s(links.iter().map(|l| l.edits)),
        f64s(links.iter().map(|l| l.coverage)),
    ]);
    (fields, columns)
}

/// One row per near-duplicate segment pair.
fn pairs(report: &Report) -> Columns {
    let pairs = &report.pairs;
    let (mut fields, mut columns) = span_columns("a", pairs.iter().map(|p| &p.a));
    let (b_fields, b) = span_columns("b", pairs.iter().map(|p| &p.b));
    fields.extend(b_fields);
    columns.extend(b);
    fields.extend([
        field("jaccard", DataType::Float64),
        field("containment", DataType::Float64),
    ]);
    columns.extend([
        f64s(pairs.iter().map(|p| p.jaccard)),
        f64s(pairs.iter().map(|p| p.containment)),
    ]);
    (fields, columns)
}
