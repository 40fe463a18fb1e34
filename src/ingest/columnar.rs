//! Parquet and Arrow IPC inputs: one document per row, the id, text and
//! (optional) date in the columns named by `--id-field`, `--text-field` and
//! `--date-field`.
//!
//! A `.parquet` file is read a batch of rows at a time, only the columns
//! needed decoded, so memory is bounded by a batch, not by the file; a folder
//! of Parquet shards (a Hugging Face dataset export) is walked like any
//! folder. Arrow IPC files (`.arrow`, `.ipc`, `.feather`; the file format or
//! the stream format that Hugging Face `datasets` writes) are read a record
//! batch at a time.
//!
//! Texts are the UTF-8 bytes of the text column (`string`, `large_string`
//! or `string_view`): offsets are into them, as for JSONL. Ids are strings or
//! integers. Dates are strings read as the manifest's dates are (ISO 8601),
//! or Arrow `date32`/`date64`/`timestamp` values, written as ISO 8601 first.

use std::fs;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};

use super::{Document, IngestOptions, Reader};
use crate::error::{size, Error, Result, Warning};
use crate::manifest::Date;

/// Rows decoded at a time from a Parquet file.
const BATCH_ROWS: usize = 1024;

/// What a column holds, checked once per file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Id,
    Text,
    Date,
}

impl Role {
    fn flag(self) -> &'static str {
        match self {
            Role::Id => "--id-field",
            Role::Text => "--text-field",
            Role::Date => "--date-field",
        }
    }

    fn wants(self) -> &'static str {
        match self {
            Role::Id => "a string or integer",
            Role::Text => "a string",
            Role::Date => "an ISO 8601 date string, a date or a timestamp",
        }
    }

    fn accepts(self, kind: &DataType) -> bool {
        if let DataType::Dictionary(_, values) = kind {
            // pandas categoricals, polars enums: the values decide.
            return self.accepts(values);
        }
        let text = matches!(
            kind,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        );
        match self {
            Role::Text => text,
            Role::Id => text || kind.is_integer(),
            Role::Date => {
                text || matches!(
                    kind,
                    DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _)
                )
            }
        }
    }
}

/// The columns to read, by name, and the role of each.
fn columns(options: &IngestOptions) -> Vec<(&str, Role)> {
    let mut columns = vec![
        (options.id_field.as_str(), Role::Id),
        (options.text_field.as_str(), Role::Text),
    ];
    if let Some(date) = &options.date_field {
        columns.push((date.as_str(), Role::Date));
    }
    columns
}

/// Check that `schema` has each column with a usable type; the indices of
/// the columns, sorted and without repeats (for a projection).
fn check_schema(path: &Path, schema: &Schema, columns: &[(&str, Role)]) -> Result<Vec<usize>> {
    let mut indices = Vec::new();
    for &(name, role) in columns {
        let Ok(index) = schema.index_of(name) else {
            let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
            return Err(Error::Columnar {
                path: path.to_path_buf(),
                reason: format!(
                    "no column {name:?} (it has: {}); name the right column with {}",
                    names.join(", "),
                    role.flag()
                ),
            });
        };
        let kind = schema.field(index).data_type();
        if !role.accepts(kind) {
            return Err(Error::Columnar {
                path: path.to_path_buf(),
                reason: format!(
                    "column {name:?} is {kind}, not {}; name the right column with {}",
                    role.wants(),
                    role.flag()
                ),
            });
        }
        indices.push(index);
    }
    indices.sort_unstable();
    indices.dedup();
    Ok(indices)
}

fn corrupt(path: &Path, what: &str, error: impl std::fmt::Display) -> Error {
    Error::Columnar {
        path: path.to_path_buf(),
        reason: format!("not a readable {what} file ({error}); check that it is complete"),
    }
}

impl Reader<'_> {
    /// Read a Parquet file: its row groups in parallel, each a batch of
    /// rows at a time, only the columns needed decoded.
    pub(super) fn read_parquet(&mut self, path: &Path, origin: &str, file: fs::File) -> Result<()> {
        guarded(path, "Parquet", || {
            self.read_parquet_file(path, origin, file)
        })
    }

    fn read_parquet_file(&mut self, path: &Path, origin: &str, file: fs::File) -> Result<()> {
        use parquet::arrow::arrow_reader::{
            ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
        };
        use parquet::arrow::ProjectionMask;
        use rayon::prelude::*;

        let file = Positional(Arc::new(file));
        let metadata = ArrowReaderMetadata::load(&file, ArrowReaderOptions::new())
            .map_err(|e| corrupt(path, "Parquet", e))?;
        let columns = columns(self.options);
        let indices = check_schema(path, metadata.schema(), &columns)?;
        let mask = ProjectionMask::roots(metadata.parquet_schema(), indices);
        let groups = metadata.metadata().row_groups();
        // Each row group's first row (0-based) in the file.
        let firsts: Vec<u64> = groups
            .iter()
            .scan(0u64, |next, group| {
                let first = *next;
                *next += u64::try_from(group.num_rows()).unwrap_or(0);
                Some(first)
            })
            .collect();
        let options = self.options;
        let decoded: Vec<Result<Vec<Record>>> = (0..groups.len())
            .into_par_iter()
            .map(|group| {
                let batches = ParquetRecordBatchReaderBuilder::new_with_metadata(
                    file.clone(),
                    metadata.clone(),
                )
                .with_row_groups(vec![group])
                .with_projection(mask.clone())
                .with_batch_size(BATCH_ROWS)
                .build()
                .map_err(|e| corrupt(path, "Parquet", e))?;
                let mut records = Vec::new();
                for batch in batches {
                    let batch = batch.map_err(|e| corrupt(path, "Parquet", e))?;
                    let batch = batch_records(path, options, &batch, &columns)?;
                    // A bad row stops the file (unless --skip-bad-lines):
                    // decode no further.
                    let bad = !options.skip_bad_lines && batch.iter().any(|r| r.is_err());
                    records.extend(batch);
                    if bad {
                        break;
                    }
                }
                Ok(records)
            })
            .collect();
        let mut rows = Rows::default();
        for (group, records) in decoded.into_iter().enumerate() {
            rows.number = firsts[group];
            self.add_records(path, origin, records?, &mut rows)?;
        }
        self.finish_rows(origin, rows);
        Ok(())
    }

    /// Read an Arrow IPC file (file or stream format), a record batch at a time.
    pub(super) fn read_arrow(&mut self, path: &Path, origin: &str, file: fs::File) -> Result<()> {
        guarded(path, "Arrow", || self.read_arrow_file(path, origin, file))
    }

    fn read_arrow_file(&mut self, path: &Path, origin: &str, file: fs::File) -> Result<()> {
        use arrow_ipc::reader::{FileReader, StreamReader};

        let read_error = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut input = BufReader::new(file);
        let mut magic = [0u8; 6];
        let n = input.read(&mut magic).map_err(read_error)?;
        input.seek(SeekFrom::Start(0)).map_err(read_error)?;
        let columns = columns(self.options);
        let mut rows = Rows::default();
        if n == 6 && &magic == b"ARROW1" {
            check_footer(path, &mut input)?;
            let reader = FileReader::try_new(input, None).map_err(|e| corrupt(path, "Arrow", e))?;
            check_schema(path, &reader.schema(), &columns)?;
            for batch in reader {
                let batch = batch.map_err(|e| corrupt(path, "Arrow", e))?;
                let records = batch_records(path, self.options, &batch, &columns);
                self.add_records(path, origin, records?, &mut rows)?;
            }
        } else {
            let reader =
                StreamReader::try_new(input, None).map_err(|e| corrupt(path, "Arrow", e))?;
            check_schema(path, &reader.schema(), &columns)?;
            for batch in reader {
                let batch = batch.map_err(|e| corrupt(path, "Arrow", e))?;
                let records = batch_records(path, self.options, &batch, &columns);
                self.add_records(path, origin, records?, &mut rows)?;
            }
        }
        self.finish_rows(origin, rows);
        Ok(())
    }

    /// Add the records of consecutive rows, the first after `rows.number`,
    /// as documents.
    fn add_records(
        &mut self,
        path: &Path,
        origin: &str,
        records: Vec<Record>,
        rows: &mut Rows,
    ) -> Result<()> {
        for record in records {
            rows.number += 1;
            match record {
                Ok((id, text, date)) => {
                    let order = self.next_order();
                    self.push(Document {
                        id,
                        origin: format!("{origin} row {}", rows.number),
                        order,
                        text,
                        date,
                    });
                }
                Err(reason) if self.options.skip_bad_lines => {
                    rows.bad += 1;
                    rows.first_bad.get_or_insert((rows.number, reason));
                }
                Err(reason) => {
                    return Err(Error::BadRow {
                        path: path.to_path_buf(),
                        row: rows.number,
                        reason: format!("{reason}; fix the row or pass --skip-bad-lines"),
                    })
                }
            }
        }
        Ok(())
    }

    /// The warning for rows skipped with `--skip-bad-lines`.
    fn finish_rows(&mut self, origin: &str, rows: Rows) {
        if let Some((row, reason)) = rows.first_bad {
            self.corpus.warnings.push(Warning::file(
                origin,
                format!(
                    "{} bad row(s) skipped; first: row {row}: {reason}",
                    rows.bad
                ),
            ));
        }
    }
}

/// Run `read`, turning a panic into an error naming the file: the arrow
/// and parquet readers panic on some corrupt files (a buffer that a
/// message says is longer than its block), which must be one error line,
/// not a crash. The panic message is not printed (the hook is silenced
/// while `read` runs) but given in the error.
pub(crate) fn guarded(path: &Path, what: &str, read: impl FnOnce() -> Result<()>) -> Result<()> {
    use std::panic;
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(panic::AssertUnwindSafe(read));
    panic::set_hook(hook);
    result.unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|m| m.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(corrupt(
            path,
            what,
            format!("the {what} reader failed: {message}"),
        ))
    })
}

/// Check that every block the footer of an Arrow IPC file names lies inside
/// the file: the arrow-ipc reader panics on a negative length (a corrupt or
/// crafted file) and allocates whatever length it is given.
fn check_footer(path: &Path, input: &mut BufReader<fs::File>) -> Result<()> {
    let bad = |why: &str| corrupt(path, "Arrow", why);
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let len = input.get_ref().metadata().map_err(read_error)?.len();
    if len < 16 {
        return Err(bad("too short"));
    }
    let mut tail = [0u8; 10];
    input.seek(SeekFrom::End(-10)).map_err(read_error)?;
    input.read_exact(&mut tail).map_err(read_error)?;
    let footer_len = i32::from_le_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if &tail[4..] != b"ARROW1" || footer_len < 0 || footer_len as u64 > len - 10 {
        return Err(bad("no valid footer: the file may be truncated"));
    }
    let mut footer = vec![0; footer_len as usize];
    input
        .seek(SeekFrom::End(-10 - i64::from(footer_len)))
        .map_err(read_error)?;
    input.read_exact(&mut footer).map_err(read_error)?;
    input.seek(SeekFrom::Start(0)).map_err(read_error)?;
    let footer = arrow_ipc::root_as_footer(&footer).map_err(|e| bad(&e.to_string()))?;
    let blocks = footer.recordBatches().into_iter().flatten();
    for block in blocks.chain(footer.dictionaries().into_iter().flatten()) {
        let end = u64::try_from(block.offset())
            .ok()
            .zip(u64::try_from(block.metaDataLength()).ok())
            .zip(u64::try_from(block.bodyLength()).ok())
            .and_then(|((offset, meta), body)| offset.checked_add(meta)?.checked_add(body));
        if end.is_none_or(|end| end > len) {
            return Err(bad("a record batch lies outside the file"));
        }
    }
    Ok(())
}

/// A row's id, text and date, or why it cannot be used.
type Record = std::result::Result<(String, Vec<u8>, Option<Date>), String>;

/// The records of the rows of `batch`.
fn batch_records(
    path: &Path,
    options: &IngestOptions,
    batch: &RecordBatch,
    columns: &[(&str, Role)],
) -> Result<Vec<Record>> {
    let column = |name: &str| -> Result<ArrayRef> {
        // Checked against the schema already: only a file whose batches
        // disagree with its own schema gets here.
        let array = batch.column_by_name(name).ok_or_else(|| Error::Columnar {
            path: path.to_path_buf(),
            reason: format!("column {name:?} missing from a batch; the file is inconsistent"),
        })?;
        // A dictionary-encoded column is read as its values, row by row.
        match array.as_any_dictionary_opt() {
            Some(dictionary) => {
                arrow_select::take::take(dictionary.values().as_ref(), dictionary.keys(), None)
                    .map_err(|e| corrupt(path, "columnar", e))
            }
            None => Ok(Arc::clone(array)),
        }
    };
    let ids = column(columns[0].0)?;
    let texts = column(columns[1].0)?;
    let dates = match columns.get(2) {
        Some((name, _)) => Some(column(name)?),
        None => None,
    };
    Ok((0..batch.num_rows())
        .map(|i| record(options, &ids, &texts, dates.as_ref(), i))
        .collect())
}

/// The id, text and date of row `i`, or why it cannot be used.
fn record(
    options: &IngestOptions,
    ids: &ArrayRef,
    texts: &ArrayRef,
    dates: Option<&ArrayRef>,
    i: usize,
) -> Record {
    let id = match value_text(ids, i) {
        Some(id) => id,
        None => return Err(format!("id column {:?} is null", options.id_field)),
    };
    let text = match string_at(texts, i) {
        Some(text) => text.as_bytes().to_vec(),
        None => return Err(format!("text column {:?} is null", options.text_field)),
    };
    if text.len() as u64 > options.max_doc_bytes {
        return Err(format!(
            "text of {} is larger than the {} limit for one document (--max-doc-bytes)",
            size(text.len() as u64),
            size(options.max_doc_bytes)
        ));
    }
    let date = match (dates, &options.date_field) {
        (Some(dates), Some(field)) => match value_text(dates, i) {
            Some(given) => Some(
                Date::parse(&given)
                    .map_err(|reason| format!("column {field:?} (--date-field): {reason}"))?,
            ),
            None => None,
        },
        _ => None,
    };
    Ok((id, text, date))
}

/// A file read at given offsets (`pread`), so that row groups can be read
/// in parallel: the parquet crate's reader of a `File` seeks a shared
/// cursor, which threads would race on.
#[derive(Clone)]
struct Positional(Arc<fs::File>);

/// A reader of [`Positional`] from an offset on.
struct At {
    file: Arc<fs::File>,
    offset: u64,
}

#[cfg(unix)]
fn read_at(file: &fs::File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buffer, offset)
}

#[cfg(windows)]
fn read_at(file: &fs::File, buffer: &mut [u8], offset: u64) -> io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buffer, offset)
}

impl Read for At {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let n = read_at(&self.file, buffer, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl parquet::file::reader::Length for Positional {
    fn len(&self) -> u64 {
        self.0.metadata().map(|m| m.len()).unwrap_or(0)
    }
}

impl parquet::file::reader::ChunkReader for Positional {
    type T = BufReader<At>;

    fn get_read(&self, start: u64) -> parquet::errors::Result<BufReader<At>> {
        let file = Arc::clone(&self.0);
        Ok(BufReader::new(At {
            file,
            offset: start,
        }))
    }

    fn get_bytes(&self, start: u64, length: usize) -> parquet::errors::Result<bytes::Bytes> {
        use parquet::file::reader::Length;
        // A corrupt file's metadata can name any length: no allocation past
        // the end of the file.
        let end = start.checked_add(length as u64);
        if end.is_none_or(|end| end > self.len()) {
            return Err(parquet::errors::ParquetError::EOF(format!(
                "{length} bytes at offset {start} are past the end of the file"
            )));
        }
        let mut buffer = vec![0; length];
        let mut done = 0;
        while done < length {
            match read_at(&self.0, &mut buffer[done..], start + done as u64) {
                Ok(0) => {
                    return Err(parquet::errors::ParquetError::EOF(
                        "the file ended early".to_string(),
                    ))
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(buffer.into())
    }
}

/// Rows of one file read so far.
#[derive(Default)]
struct Rows {
    /// 1-based number of the last row read.
    number: u64,
    /// Rows skipped with `--skip-bad-lines`.
    bad: u64,
    /// The first of them, and why.
    first_bad: Option<(u64, String)>,
}

/// The string at row `i` of a string column (`None`: null).
fn string_at(array: &ArrayRef, i: usize) -> Option<&str> {
    if array.is_null(i) {
        return None;
    }
    Some(match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(i),
        DataType::LargeUtf8 => array.as_string::<i64>().value(i),
        DataType::Utf8View => array.as_string_view().value(i),
        _ => return None,
    })
}

/// Row `i` of an id or date column as text (`None`: null): strings as they
/// are, integers in decimal, dates and timestamps in ISO 8601 (UTC for a
/// timestamp, as its time zone says nothing about the instant).
fn value_text(array: &ArrayRef, i: usize) -> Option<String> {
    if array.is_null(i) {
        return None;
    }
    macro_rules! integer {
        ($kind:ty) => {
            array.as_primitive::<$kind>().value(i).to_string()
        };
    }
    let timestamp = |value: i64, unit: &TimeUnit| -> String {
        let nanos = match unit {
            TimeUnit::Second => i128::from(value) * 1_000_000_000,
            TimeUnit::Millisecond => i128::from(value) * 1_000_000,
            TimeUnit::Microsecond => i128::from(value) * 1_000,
            TimeUnit::Nanosecond => i128::from(value),
        };
        match jiff::Timestamp::from_nanosecond(nanos) {
            Ok(instant) => instant.to_string(),
            Err(_) => format!("{value} (out of range)"),
        }
    };
    Some(match array.data_type() {
        DataType::Int8 => integer!(Int8Type),
        DataType::Int16 => integer!(Int16Type),
        DataType::Int32 => integer!(Int32Type),
        DataType::Int64 => integer!(Int64Type),
        DataType::UInt8 => integer!(UInt8Type),
        DataType::UInt16 => integer!(UInt16Type),
        DataType::UInt32 => integer!(UInt32Type),
        DataType::UInt64 => integer!(UInt64Type),
        DataType::Date32 => {
            let days = array
                .as_primitive::<arrow_array::types::Date32Type>()
                .value(i);
            let epoch = jiff::civil::date(1970, 1, 1);
            match epoch.checked_add(jiff::Span::new().days(i64::from(days))) {
                Ok(day) => day.to_string(),
                Err(_) => format!("{days} days (out of range)"),
            }
        }
        DataType::Date64 => {
            let millis = array.as_primitive::<Date64Type>().value(i);
            let day = timestamp(millis, &TimeUnit::Millisecond);
            day.get(..10).unwrap_or(&day).to_string()
        }
        DataType::Timestamp(unit, _) => {
            let value = match unit {
                TimeUnit::Second => array.as_primitive::<TimestampSecondType>().value(i),
                TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().value(i),
                TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().value(i),
                TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().value(i),
            };
            timestamp(value, unit)
        }
        _ => string_at(array, i)?.to_string(),
    })
}
