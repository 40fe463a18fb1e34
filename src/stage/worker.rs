//! Workers: one stage for one partition, Arrow IPC stream in and out
//! (`lifted worker sign|align`, for Spark's `DataFrame.mapInArrow`). They
//! call the functions the local stages call ([`sign::sign_documents`],
//! [`align::align_edges`]), so a Spark run gives the same rows.

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use arrow_array::RecordBatch;
use arrow_schema::SchemaRef;

use super::columns::{self, Problem};
use super::{align, sign, Edges};
use crate::error::{Error, Result};
use crate::ingest::{Corpus, Document};
use crate::scan::{NoProgress, Params};

/// Read an Arrow IPC stream (`lifted worker`'s standard input) whole.
pub fn read_stream(input: impl Read) -> Result<Vec<RecordBatch>> {
    let path = PathBuf::from("-");
    let bad = |e: &dyn std::fmt::Display| {
        Error::Stage {
        path: PathBuf::from("-"),
        reason: format!("standard input is not an Arrow IPC stream ({e}); send record batches as Spark's mapInArrow does"),
    }
    };
    let mut batches = Vec::new();
    crate::ingest::guarded(&path, "Arrow IPC", || {
        let reader = arrow_ipc::reader::StreamReader::try_new(io::BufReader::new(input), None)
            .map_err(|e| bad(&e))?;
        for batch in reader {
            batches.push(batch.map_err(|e| bad(&e))?);
        }
        Ok(())
    })?;
    Ok(batches)
}

/// Write `batches` as an Arrow IPC stream of `schema` to `output`.
pub fn write_stream(
    output: impl Write,
    schema: SchemaRef,
    batches: &[RecordBatch],
) -> io::Result<()> {
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(output, &schema).map_err(io::Error::other)?;
    for batch in batches {
        writer.write(batch).map_err(io::Error::other)?;
    }
    writer.finish().map_err(io::Error::other)
}

/// `lifted worker sign`: document rows (`doc`, `text`) -> sign rows.
pub fn worker_sign(batches: &[RecordBatch], params: &Params) -> Result<Vec<RecordBatch>> {
    let bad = |reason: Problem| Error::Stage {
        path: PathBuf::from("-"),
        reason,
    };
    let mut out = Vec::new();
    for batch in batches {
        let keys = columns::int64s(batch, "doc").map_err(bad)?;
        let texts = columns::texts(batch, "text").map_err(bad)?;
        let documents: Vec<(u64, &[u8])> = keys
            .iter()
            .zip(&texts)
            .map(|(&k, t)| (k as u64, t.as_slice()))
            .collect();
        let rows = sign::sign_documents(&documents, params);
        out.push(columns::signs_batch(&rows));
    }
    Ok(out)
}

/// `lifted worker align`: edge rows with both documents' ids and texts ->
/// results. Every row of one document pair must be in this call.
pub fn worker_align(
    batches: &[RecordBatch],
    params: &Params,
    cancel: &AtomicBool,
) -> Result<Vec<RecordBatch>> {
    let path = PathBuf::from("-");
    let bad = |reason: Problem| Error::Stage {
        path: path.clone(),
        reason,
    };
    let mut edges = Edges::default();
    let mut documents: Vec<(String, u64, Vec<u8>)> = Vec::new();
    for batch in batches {
        edges.a.extend(columns::int64s(batch, "a").map_err(bad)?);
        edges
            .a_segment
            .extend(columns::int32s(batch, "a_segment").map_err(bad)?);
        edges.b.extend(columns::int64s(batch, "b").map_err(bad)?);
        edges
            .b_segment
            .extend(columns::int32s(batch, "b_segment").map_err(bad)?);
        for side in ["a", "b"] {
            let keys = columns::int64s(batch, side).map_err(bad)?;
            let ids = columns::strings(batch, &format!("{side}_id")).map_err(bad)?;
            let texts = columns::texts(batch, &format!("{side}_text")).map_err(bad)?;
            for ((key, id), text) in keys.into_iter().zip(ids).zip(texts) {
                documents.push((id, key as u64, text));
            }
        }
        // A document in many edges comes many times: keep it once.
        documents.sort_unstable_by(|x, y| (&x.0, x.1).cmp(&(&y.0, y.1)));
        documents.dedup_by(|x, y| x.0 == y.0 && x.1 == y.1);
    }
    let mut seen = std::collections::HashMap::new();
    for (i, document) in documents.iter().enumerate() {
        let same_id = i > 0 && documents[i - 1].0 == document.0;
        if same_id || seen.insert(document.1, i).is_some() {
            return Err(bad(format!(
                "document {:?} comes with two keys, or its key with another id: every row must carry the ingest stage's doc keys",
                document.0
            )));
        }
    }
    let keys: Vec<u64> = documents.iter().map(|d| d.1).collect();
    let corpus = Corpus {
        documents: documents
            .into_iter()
            .enumerate()
            .map(|(i, (id, _, text))| Document {
                origin: id.clone(),
                id,
                order: i as u32,
                text,
                date: None,
            })
            .collect(),
        warnings: Vec::new(),
    };
    // Pairs (d, d) are --within-doc requests: they come as document pairs.
    let mut within = Vec::new();
    for i in 0..edges.len() {
        if edges.a[i] == edges.b[i] && edges.a_segment[i] < 0 {
            if let Some(&d) = seen.get(&(edges.a[i] as u64)) {
                within.push(d as u32);
            }
        }
    }
    within.sort_unstable();
    within.dedup();
    if !params.options.within_doc {
        within.clear();
    }
    let (results, _) =
        align::align_edges(&corpus, &keys, &edges, &within, params, &NoProgress, cancel)
            .map_err(|fault| fault.at(&path))?;
    Ok(vec![columns::results_batch(&results)])
}
