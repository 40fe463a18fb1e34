//! Parquet files of the stages: written whole (a temporary name, renamed
//! when closed) and read a batch at a time with only the columns asked for;
//! a corrupt file is an error naming it, never a panic.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::KeyValue;
use parquet::file::properties::WriterProperties;

use super::columns::Problem;
use super::settings::{Settings, KEY};
use crate::error::{Error, Result};

pub(super) fn write_error(path: &Path) -> impl Fn(io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Write `bytes` to `path` whole: a temporary file beside it, renamed.
pub(super) fn publish(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(folder).map_err(write_error(folder))?;
    let temporary = folder.join(format!(
        ".{}.partial",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
    ));
    let result = fs::File::create(&temporary)
        .and_then(|mut file| {
            write(&mut file)?;
            file.sync_all()
        })
        .and_then(|()| fs::rename(&temporary, path));
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result.map_err(write_error(path))
}

/// Rows per Parquet row group and per record batch written.
pub(super) const ROWS: usize = 64 * 1024;
/// Documents per record batch of the ingest tables (their text is large).
pub(super) const DOCUMENT_ROWS: usize = 1024;

/// A Parquet file being written (to a temporary name until [`Sink::close`];
/// dropped unclosed, as when a stage fails or is interrupted, the temporary
/// file is removed).
pub(super) struct Sink {
    path: PathBuf,
    temporary: PathBuf,
    /// `None` once closed.
    writer: Option<ArrowWriter<fs::File>>,
}

impl Drop for Sink {
    fn drop(&mut self) {
        if self.writer.is_some() {
            let _ = fs::remove_file(&self.temporary);
        }
    }
}

impl Sink {
    /// A sink for a table made with `settings` (kept in the footer, see
    /// [`super::settings`]; `None` for the ingest tables).
    pub(super) fn create(
        path: PathBuf,
        schema: SchemaRef,
        settings: Option<&Settings>,
    ) -> Result<Sink> {
        Sink::with_groups(path, schema, ROWS, settings)
    }

    /// A sink whose row groups hold `rows` rows: a reader holds one row
    /// group's column chunks at once, so tables of texts take small ones.
    pub(super) fn with_groups(
        path: PathBuf,
        schema: SchemaRef,
        rows: usize,
        settings: Option<&Settings>,
    ) -> Result<Sink> {
        let folder = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        fs::create_dir_all(&folder).map_err(write_error(&folder))?;
        let temporary = folder.join(format!(
            ".{}.partial",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("out")
        ));
        let file = fs::File::create(&temporary).map_err(write_error(&path))?;
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(ZstdLevel::try_new(1).unwrap_or_default()))
            .set_max_row_group_row_count(Some(rows))
            .set_created_by(format!("lifted {}", env!("CARGO_PKG_VERSION")))
            .set_key_value_metadata(
                settings.map(|s| vec![KeyValue::new(KEY.to_string(), s.encode())]),
            )
            .build();
        let writer = ArrowWriter::try_new(file, schema, Some(properties))
            .map_err(|e| write_error(&path)(io::Error::other(e)))?;
        Ok(Sink {
            path,
            temporary,
            writer: Some(writer),
        })
    }

    pub(super) fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        let failed = |e| write_error(&self.path)(io::Error::other(e));
        match self.writer.as_mut() {
            Some(writer) => writer.write(batch).map_err(failed),
            None => Ok(()),
        }
    }

    pub(super) fn close(mut self) -> Result<()> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let failed = write_error(&self.path);
        let written = writer
            .into_inner()
            .map_err(|e| failed(io::Error::other(e)))
            .and_then(|file| file.sync_all().map_err(&failed))
            .and_then(|()| fs::rename(&self.temporary, &self.path).map_err(&failed));
        if written.is_err() {
            let _ = fs::remove_file(&self.temporary);
        }
        written
    }
}

/// Read the Parquet file at `path` (only `names` decoded), a batch at a
/// time; a corrupt file or a wrong column is an error naming it, and so is a
/// file made with other settings than `expect` (see [`super::settings`]).
pub(super) fn read_parquet(
    path: &Path,
    names: &[&str],
    expect: Option<&Settings>,
    each: impl FnMut(RecordBatch) -> std::result::Result<(), Problem>,
) -> Result<()> {
    read_parquet_in(path, names, ROWS, expect, each)
}

/// [`read_parquet`] `rows` rows at a time.
pub(super) fn read_parquet_in(
    path: &Path,
    names: &[&str],
    rows: usize,
    expect: Option<&Settings>,
    mut each: impl FnMut(RecordBatch) -> std::result::Result<(), Problem>,
) -> Result<()> {
    let bad = |reason: String| Error::Stage {
        path: path.to_path_buf(),
        reason,
    };
    let corrupt = |e: &dyn std::fmt::Display| {
        bad(format!(
            "not a readable Parquet file ({e}); run the stage that writes it again"
        ))
    };
    let file = fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    crate::ingest::guarded(path, "Parquet", || {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| corrupt(&e))?;
        if let Some(expect) = expect {
            let stored = builder
                .metadata()
                .file_metadata()
                .key_value_metadata()
                .and_then(|pairs| pairs.iter().find(|kv| kv.key == KEY))
                .and_then(|kv| kv.value.as_deref());
            expect.check(path, stored)?;
        }
        let mask = ProjectionMask::columns(builder.parquet_schema(), names.iter().copied());
        let reader = builder
            .with_projection(mask)
            .with_batch_size(rows)
            .build()
            .map_err(|e| corrupt(&e))?;
        for batch in reader {
            let batch = batch.map_err(|e| corrupt(&e))?;
            each(batch).map_err(bad)?;
        }
        Ok(())
    })
}

/// Rows in the Parquet file at `path`, from its footer.
pub(super) fn parquet_rows(path: &Path) -> Result<usize> {
    let file = fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut rows = 0;
    crate::ingest::guarded(path, "Parquet", || {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| Error::Stage {
            path: path.to_path_buf(),
            reason: format!(
                "not a readable Parquet file ({e}); run the stage that writes it again"
            ),
        })?;
        rows = builder.metadata().file_metadata().num_rows() as usize;
        Ok(())
    })?;
    Ok(rows)
}
