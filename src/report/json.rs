//! JSON writer: the provenance map as one pretty-printed object.

use std::io::{self, Write};

use super::Report;

/// Write `report` as JSON, followed by a newline.
pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // A buffer of a concrete type: serde_json's many small writes are
    // inlined instead of each going through `dyn Write`.
    let mut buffered = io::BufWriter::with_capacity(1 << 20, out);
    serde_json::to_writer_pretty(&mut buffered, report).map_err(io::Error::from)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}
