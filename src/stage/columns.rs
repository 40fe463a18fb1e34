//! The stage tables as Arrow record batches: one schema per table, signed
//! types only (Spark refuses unsigned Arrow types, so 64-bit keys travel as
//! `int64` bit patterns). Reading checks each column's name and type and
//! says which one is wrong; columns not named are ignored, so a Spark
//! DataFrame may carry more.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int32Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BinaryArray, Float64Array, Int32Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema, SchemaRef};

use super::{DocumentTable, Edges, Results, SignRows};

/// A column that is missing or of the wrong type: what is wrong.
pub type Problem = String;

fn schema(fields: &[(&str, DataType, bool)]) -> SchemaRef {
    Arc::new(Schema::new(
        fields
            .iter()
            .map(|(name, kind, nullable)| Field::new(*name, kind.clone(), *nullable))
            .collect::<Vec<_>>(),
    ))
}

/// Schema of the ingest tables ([`DocumentTable`]).
pub fn documents_schema() -> SchemaRef {
    schema(&[
        ("doc", DataType::Int64, false),
        ("id", DataType::Utf8, false),
        ("origin", DataType::Utf8, false),
        ("order", DataType::Int64, false),
        ("date", DataType::Utf8, true),
        ("text", DataType::Binary, false),
    ])
}

/// Schema of the sign rows ([`SignRows`]).
pub fn signs_schema() -> SchemaRef {
    schema(&[
        ("band", DataType::Int32, false),
        ("key", DataType::Int64, false),
        ("doc", DataType::Int64, false),
        ("segment", DataType::Int32, false),
    ])
}

/// Schema of the edges ([`Edges`]).
pub fn edges_schema() -> SchemaRef {
    schema(&[
        ("a", DataType::Int64, false),
        ("a_segment", DataType::Int32, false),
        ("b", DataType::Int64, false),
        ("b_segment", DataType::Int32, false),
    ])
}

/// The columns of [`Results`], in order, with their types.
const RESULT_COLUMNS: [(&str, DataType); 16] = [
    ("kind", DataType::Int32),
    ("a", DataType::Int64),
    ("b", DataType::Int64),
    ("a_segment", DataType::Int32),
    ("b_segment", DataType::Int32),
    ("sequence", DataType::Int32),
    ("a_start", DataType::Int64),
    ("a_end", DataType::Int64),
    ("b_start", DataType::Int64),
    ("b_end", DataType::Int64),
    ("jaccard", DataType::Float64),
    ("containment", DataType::Float64),
    ("words", DataType::Int64),
    ("edits", DataType::Int64),
    ("a_words", DataType::Int64),
    ("b_words", DataType::Int64),
];

/// Schema of the align stage's results ([`Results`]).
pub fn results_schema() -> SchemaRef {
    let fields: Vec<(&str, DataType, bool)> = RESULT_COLUMNS
        .iter()
        .map(|(name, kind)| (*name, kind.clone(), false))
        .collect();
    schema(&fields)
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    RecordBatch::try_new(schema, columns).expect("columns match their schema")
}

fn i64s(values: &[i64]) -> ArrayRef {
    Arc::new(Int64Array::from(values.to_vec()))
}

fn i32s(values: &[i32]) -> ArrayRef {
    Arc::new(Int32Array::from(values.to_vec()))
}

fn f64s(values: &[f64]) -> ArrayRef {
    Arc::new(Float64Array::from(values.to_vec()))
}

/// The documents as a record batch.
pub fn documents_batch(table: &DocumentTable) -> RecordBatch {
    let keys: Vec<i64> = table.doc.iter().map(|&k| k as i64).collect();
    let orders: Vec<i64> = table.order.iter().map(|&o| o as i64).collect();
    batch(
        documents_schema(),
        vec![
            i64s(&keys),
            Arc::new(StringArray::from_iter_values(&table.id)),
            Arc::new(StringArray::from_iter_values(&table.origin)),
            i64s(&orders),
            Arc::new(
                table
                    .date
                    .iter()
                    .map(|d| d.as_deref())
                    .collect::<StringArray>(),
            ),
            Arc::new(BinaryArray::from_iter_values(&table.text)),
        ],
    )
}

/// Sign rows as a record batch.
pub fn signs_batch(rows: &SignRows) -> RecordBatch {
    batch(
        signs_schema(),
        vec![
            i32s(&rows.band),
            i64s(&rows.key),
            i64s(&rows.doc),
            i32s(&rows.segment),
        ],
    )
}

/// Edges as a record batch.
pub fn edges_batch(edges: &Edges) -> RecordBatch {
    batch(
        edges_schema(),
        vec![
            i64s(&edges.a),
            i32s(&edges.a_segment),
            i64s(&edges.b),
            i32s(&edges.b_segment),
        ],
    )
}

/// Results as a record batch.
pub fn results_batch(results: &Results) -> RecordBatch {
    let r = results;
    batch(
        results_schema(),
        vec![
            i32s(&r.kind),
            i64s(&r.a),
            i64s(&r.b),
            i32s(&r.a_segment),
            i32s(&r.b_segment),
            i32s(&r.sequence),
            i64s(&r.a_start),
            i64s(&r.a_end),
            i64s(&r.b_start),
            i64s(&r.b_end),
            f64s(&r.jaccard),
            f64s(&r.containment),
            i64s(&r.words),
            i64s(&r.edits),
            i64s(&r.a_words),
            i64s(&r.b_words),
        ],
    )
}

/// The column `name` of `batch`, checked: present, of type `kind`, no nulls.
fn column<'b>(
    batch: &'b RecordBatch,
    name: &str,
    kind: &DataType,
) -> Result<&'b ArrayRef, Problem> {
    let Some(column) = batch.column_by_name(name) else {
        let have: Vec<&str> = batch
            .schema_ref()
            .fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect();
        return Err(format!("no column {name:?} (columns: {})", have.join(", ")));
    };
    if column.data_type() != kind {
        return Err(format!(
            "column {name:?} is {}, not {kind}",
            column.data_type()
        ));
    }
    if column.null_count() > 0 {
        return Err(format!("column {name:?} has nulls"));
    }
    Ok(column)
}

/// An `int64` column's values.
pub fn int64s(batch: &RecordBatch, name: &str) -> Result<Vec<i64>, Problem> {
    Ok(column(batch, name, &DataType::Int64)?
        .as_primitive::<Int64Type>()
        .values()
        .to_vec())
}

/// An `int32` column's values.
pub fn int32s(batch: &RecordBatch, name: &str) -> Result<Vec<i32>, Problem> {
    Ok(column(batch, name, &DataType::Int32)?
        .as_primitive::<Int32Type>()
        .values()
        .to_vec())
}

fn float64s(batch: &RecordBatch, name: &str) -> Result<Vec<f64>, Problem> {
    Ok(column(batch, name, &DataType::Float64)?
        .as_primitive::<Float64Type>()
        .values()
        .to_vec())
}

/// A string column (`utf8` or `large_utf8`), nulls refused.
pub fn strings(batch: &RecordBatch, name: &str) -> Result<Vec<String>, Problem> {
    Ok(optional_strings(batch, name, false)?
        .into_iter()
        .map(Option::unwrap_or_default)
        .collect())
}

fn optional_strings(
    batch: &RecordBatch,
    name: &str,
    nullable: bool,
) -> Result<Vec<Option<String>>, Problem> {
    let Some(column) = batch.column_by_name(name) else {
        return Err(format!("no column {name:?}"));
    };
    if !nullable && column.null_count() > 0 {
        return Err(format!("column {name:?} has nulls"));
    }
    let values: Vec<Option<String>> = match column.data_type() {
        DataType::Utf8 => column
            .as_string::<i32>()
            .iter()
            .map(|v| v.map(String::from))
            .collect(),
        DataType::LargeUtf8 => column
            .as_string::<i64>()
            .iter()
            .map(|v| v.map(String::from))
            .collect(),
        other => return Err(format!("column {name:?} is {other}, not utf8")),
    };
    Ok(values)
}

/// A text column: `binary`, `large_binary`, `utf8` or `large_utf8` (Spark
/// gives strings), nulls refused.
pub fn texts(batch: &RecordBatch, name: &str) -> Result<Vec<Vec<u8>>, Problem> {
    let Some(column) = batch.column_by_name(name) else {
        return Err(format!("no column {name:?}"));
    };
    if column.null_count() > 0 {
        return Err(format!("column {name:?} has nulls"));
    }
    Ok(match column.data_type() {
        DataType::Binary => column
            .as_binary::<i32>()
            .iter()
            .map(|v| v.unwrap_or_default().to_vec())
            .collect(),
        DataType::LargeBinary => column
            .as_binary::<i64>()
            .iter()
            .map(|v| v.unwrap_or_default().to_vec())
            .collect(),
        DataType::Utf8 => column
            .as_string::<i32>()
            .iter()
            .map(|v| v.unwrap_or_default().as_bytes().to_vec())
            .collect(),
        DataType::LargeUtf8 => column
            .as_string::<i64>()
            .iter()
            .map(|v| v.unwrap_or_default().as_bytes().to_vec())
            .collect(),
        other => return Err(format!("column {name:?} is {other}, not binary or utf8")),
    })
}

/// Documents from a record batch (columns named as [`documents_schema`]);
/// with `text: false` the texts are left empty (not decoded).
pub fn documents_from(batch: &RecordBatch, text: bool) -> Result<DocumentTable, Problem> {
    let orders = int64s(batch, "order")?;
    let order = orders
        .iter()
        .map(|&o| {
            u64::try_from(o).map_err(|_| format!("column \"order\": {o} is not an input position"))
        })
        .collect::<Result<Vec<u64>, Problem>>()?;
    Ok(DocumentTable {
        doc: int64s(batch, "doc")?
            .into_iter()
            .map(|k| k as u64)
            .collect(),
        id: strings(batch, "id")?,
        origin: strings(batch, "origin")?,
        order,
        date: optional_strings(batch, "date", true)?,
        text: if text {
            texts(batch, "text")?
        } else {
            vec![Vec::new(); batch.num_rows()]
        },
    })
}

/// Sign rows from a record batch.
pub fn signs_from(batch: &RecordBatch) -> Result<SignRows, Problem> {
    Ok(SignRows {
        band: int32s(batch, "band")?,
        key: int64s(batch, "key")?,
        doc: int64s(batch, "doc")?,
        segment: int32s(batch, "segment")?,
    })
}

/// Edges from a record batch.
pub fn edges_from(batch: &RecordBatch) -> Result<Edges, Problem> {
    Ok(Edges {
        a: int64s(batch, "a")?,
        a_segment: int32s(batch, "a_segment")?,
        b: int64s(batch, "b")?,
        b_segment: int32s(batch, "b_segment")?,
    })
}

/// Results from a record batch.
pub fn results_from(batch: &RecordBatch) -> Result<Results, Problem> {
    Ok(Results {
        kind: int32s(batch, "kind")?,
        a: int64s(batch, "a")?,
        b: int64s(batch, "b")?,
        a_segment: int32s(batch, "a_segment")?,
        b_segment: int32s(batch, "b_segment")?,
        sequence: int32s(batch, "sequence")?,
        a_start: int64s(batch, "a_start")?,
        a_end: int64s(batch, "a_end")?,
        b_start: int64s(batch, "b_start")?,
        b_end: int64s(batch, "b_end")?,
        jaccard: float64s(batch, "jaccard")?,
        containment: float64s(batch, "containment")?,
        words: int64s(batch, "words")?,
        edits: int64s(batch, "edits")?,
        a_words: int64s(batch, "a_words")?,
        b_words: int64s(batch, "b_words")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_survive_a_record_batch() {
        let documents = DocumentTable {
            doc: vec![u64::MAX, 3],
            id: vec!["a".into(), "b".into()],
            origin: vec!["f:1".into(), "f:2".into()],
            order: vec![1, 0],
            date: vec![Some("2020-01-02".into()), None],
            text: vec![b"x y".to_vec(), vec![0xFF]],
        };
        assert_eq!(
            documents_from(&documents_batch(&documents), true).unwrap(),
            documents
        );
        let mut rows = SignRows::default();
        rows.push(-1, i64::MIN, -5, -1);
        rows.push(3, u32::MAX as i64, 7, 2);
        assert_eq!(signs_from(&signs_batch(&rows)).unwrap(), rows);
        let mut edges = Edges::default();
        edges.push(1, -1, 2, -1);
        assert_eq!(edges_from(&edges_batch(&edges)).unwrap(), edges);
    }

    #[test]
    fn a_wrong_column_is_named() {
        let rows = SignRows::default();
        let batch = signs_batch(&rows);
        assert!(edges_from(&batch).unwrap_err().contains("no column \"a\""));
        let bad = RecordBatch::try_new(
            schema(&[("band", DataType::Int64, false)]),
            vec![i64s(&[1])],
        )
        .unwrap();
        assert_eq!(
            signs_from(&bad).unwrap_err(),
            "column \"band\" is Int64, not Int32"
        );
    }
}
