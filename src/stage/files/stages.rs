//! The stages each rank runs on its own part of the work folder, in the
//! order data flows: ingest (this rank's share of the inputs -> its
//! documents table), sign (documents -> sign rows, sent to their owners),
//! candidates (the sign rows owned -> edges, sent to their owners) and
//! align (the edges owned, joined with their documents' texts -> results).
//! The documents tables are read back through [`super::catalog`]; the
//! report stage reads the results through [`super::report_inputs`].

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use super::catalog::{keys_in_id_order, read_corpus};
use super::{all_documents, key_collision, write_stats, PlacedWarning, Shard, Work};
use crate::error::{Error, Result, Warning};
use crate::ingest::{read_share, IngestOptions};
use crate::scan::{NoProgress, Params};
use crate::stage::table::{
    parquet_rows, publish, read_parquet, read_parquet_in, write_error, Sink, DOCUMENT_ROWS, ROWS,
};
use crate::stage::{
    align, candidates, columns, pair_owner, sign, DocumentTable, Edges, Fault, Keys, StageStats,
};

/// The ingest stage: read this shard's part of the inputs
/// ([`crate::ingest::Share`]: a byte range of each plain JSONL file, every
/// N-th other file) and write its documents, sorted by id, with their
/// positions in the whole input order, and its warnings. Ids met twice
/// inside the share are refused here; across shares, by the stages that
/// read every id ([`candidates`] and the report).
pub fn ingest(
    work: &Work,
    paths: &[PathBuf],
    options: &IngestOptions,
    keys: Keys,
) -> Result<Vec<Warning>> {
    let Shard { rank, world } = work.shard;
    let share = crate::ingest::Share { rank, world };
    let shared = read_share(paths, options, share)?;
    let corpus = shared.corpus;
    let path = work.documents(rank);
    // Two ids with one key would be one document to every later stage.
    let mut by_key: Vec<(u64, usize)> = corpus
        .documents
        .iter()
        .enumerate()
        .map(|(i, d)| (keys.of(&d.id), i))
        .collect();
    by_key.sort_unstable();
    if let Some(pair) = by_key.windows(2).find(|w| w[0].0 == w[1].0) {
        let (a, b) = (&corpus.documents[pair[0].1], &corpus.documents[pair[1].1]);
        return Err(key_collision(
            path,
            (&a.id, &a.origin),
            (&b.id, &b.origin),
            pair[0].0,
        ));
    }
    drop(by_key);
    let mut sink = Sink::with_groups(path, columns::documents_schema(), DOCUMENT_ROWS, None)?;
    for chunk in corpus.documents.chunks(DOCUMENT_ROWS) {
        let table = DocumentTable {
            doc: chunk.iter().map(|d| keys.of(&d.id)).collect(),
            id: chunk.iter().map(|d| d.id.clone()).collect(),
            origin: chunk.iter().map(|d| d.origin.clone()).collect(),
            order: chunk
                .iter()
                .map(|d| shared.positions[d.order as usize])
                .collect(),
            date: chunk
                .iter()
                .map(|d| d.date.as_ref().map(|d| d.as_given().to_string()))
                .collect(),
            text: chunk.iter().map(|d| d.text.clone()).collect(),
        };
        sink.write(&columns::documents_batch(&table))?;
    }
    sink.close()?;
    let path = work.warnings(rank);
    let placed: Vec<PlacedWarning> = corpus
        .warnings
        .iter()
        .zip(&shared.warning_places)
        .map(|(warning, &(place, walk))| PlacedWarning {
            place,
            walk,
            warning: warning.clone(),
        })
        .collect();
    let text = serde_json::to_vec_pretty(&placed)
        .map_err(io::Error::other)
        .map_err(write_error(&path))?;
    publish(&path, |file| file.write_all(&text))?;
    Ok(corpus.warnings)
}

/// The sign stage: this shard's documents -> sign rows, each written to the
/// shard that owns its bucket.
pub fn sign(work: &Work, params: &Params, cancel: &AtomicBool) -> Result<()> {
    let Shard { rank, world } = work.shard;
    let mut documents = 0;
    for path in all_documents(work)? {
        documents += parquet_rows(&path)?;
    }
    let bits = crate::stage::doc_bits(documents);
    let path = work.documents(rank);
    let mut sinks = (0..world)
        .map(|to| {
            Sink::create(
                work.signs(rank, to),
                columns::signs_schema(),
                Some(&work.settings),
            )
        })
        .collect::<Result<Vec<Sink>>>()?;
    let mut stats = StageStats::default();
    let mut failure = None;
    // A batch of documents at a time: their sign rows are some 40 times
    // the rows of text (one per band of every segment).
    read_parquet_in(&path, &["doc", "text"], DOCUMENT_ROWS, None, |batch| {
        if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            failure = Some(Error::Interrupted);
            return Ok(());
        }
        let keys = columns::int64s(&batch, "doc")?;
        let texts = columns::texts(&batch, "text")?;
        let documents: Vec<(u64, &[u8])> = keys
            .iter()
            .zip(&texts)
            .map(|(&k, t)| (k as u64, t.as_slice()))
            .collect();
        let rows = sign::sign_documents(&documents, params);
        stats.fingerprints += (rows.band.iter())
            .filter(|&&b| b == sign::FINGERPRINT_BAND)
            .count() as u64;
        let mut parts = vec![crate::stage::SignRows::default(); world];
        for i in 0..rows.len() {
            // A count row goes to its document's owner: the candidates
            // stage sums them into the segments counted.
            let to = match rows.band[i] {
                sign::FINGERPRINT_BAND => crate::stage::fingerprint_owner(rows.key[i], bits, world),
                sign::COUNT_BAND => crate::stage::owner(rows.doc[i] as u64, world),
                band => crate::stage::band_owner(band, rows.key[i], world),
            };
            parts[to].push(rows.band[i], rows.key[i], rows.doc[i], rows.segment[i]);
        }
        for (sink, part) in sinks.iter_mut().zip(&parts) {
            if let Err(e) = sink.write(&columns::signs_batch(part)) {
                failure = Some(e);
            }
        }
        Ok(())
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    for sink in sinks {
        sink.close()?;
    }
    write_stats(work, "sign", stats)
}

/// The candidates stage: the sign rows this shard owns -> edges, each
/// written to the shard that owns its document pair.
pub fn candidates(work: &Work, params: &Params) -> Result<()> {
    let Shard { rank, world } = work.shard;
    let keys = keys_in_id_order(work)?;
    let mut buckets = candidates::Buckets::new(&keys, params.lsh.bands);
    for from in 0..world {
        let path = work.input(work.signs(from, rank), "sign")?;
        let mut fault = None;
        read_parquet(
            &path,
            &["band", "key", "doc", "segment"],
            Some(&work.settings),
            |batch| {
                let rows = columns::signs_from(&batch)?;
                buckets.add(&rows).map_err(|f| match f {
                    Fault::Bad(reason) => reason,
                    Fault::Interrupted => {
                        fault = Some(Error::Interrupted);
                        String::new()
                    }
                })
            },
        )?;
        if let Some(e) = fault {
            return Err(e);
        }
    }
    let (edges, stats) = buckets.finish(params);
    let mut parts = vec![Edges::default(); world];
    for i in 0..edges.len() {
        let to = pair_owner(edges.a[i] as u64, edges.b[i] as u64, world);
        parts[to].push(
            edges.a[i],
            edges.a_segment[i],
            edges.b[i],
            edges.b_segment[i],
        );
    }
    drop(edges);
    for (to, part) in parts.iter().enumerate() {
        let mut sink = Sink::create(
            work.edges(rank, to),
            columns::edges_schema(),
            Some(&work.settings),
        )?;
        for start in (0..part.len()).step_by(ROWS) {
            let end = (start + ROWS).min(part.len());
            let slice = Edges {
                a: part.a[start..end].to_vec(),
                a_segment: part.a_segment[start..end].to_vec(),
                b: part.b[start..end].to_vec(),
                b_segment: part.b_segment[start..end].to_vec(),
            };
            sink.write(&columns::edges_batch(&slice))?;
        }
        sink.close()?;
    }
    write_stats(work, "candidates", stats)
}

/// The align stage: the edges this shard owns, joined with their documents'
/// text, verified and aligned.
pub fn align_stage(work: &Work, params: &Params, cancel: &AtomicBool) -> Result<()> {
    let Shard { rank, world } = work.shard;
    let mut edges = Edges::default();
    let mut paths = Vec::new();
    for from in 0..world {
        let path = work.input(work.edges(from, rank), "candidates")?;
        read_parquet(
            &path,
            &["a", "a_segment", "b", "b_segment"],
            Some(&work.settings),
            |batch| {
                let part = columns::edges_from(&batch)?;
                edges.a.extend(part.a);
                edges.a_segment.extend(part.a_segment);
                edges.b.extend(part.b);
                edges.b_segment.extend(part.b_segment);
                Ok(())
            },
        )?;
        paths.push(path);
    }
    let mut needed: Vec<u64> = edges.a.iter().chain(&edges.b).map(|&k| k as u64).collect();
    needed.sort_unstable();
    needed.dedup();
    let within_doc = params.options.within_doc && params.options.align;
    let owned = |key: u64| pair_owner(key, key, world) == rank;
    let wanted = |key: u64| needed.binary_search(&key).is_ok() || (within_doc && owned(key));
    let (corpus, keys, _) = read_corpus(work, true, &wanted)?;
    let within: Vec<u32> = if within_doc {
        (0..keys.len() as u32)
            .filter(|&d| owned(keys[d as usize]))
            .collect()
    } else {
        Vec::new()
    };
    let (results, candidate_pairs) =
        align::align_edges(&corpus, &keys, &edges, &within, params, &NoProgress, cancel)
            .map_err(|fault| fault.at(&paths[0]))?;
    drop(corpus);
    let mut sink = Sink::create(
        work.results(rank),
        columns::results_schema(),
        Some(&work.settings),
    )?;
    sink.write(&columns::results_batch(&results))?;
    sink.close()?;
    write_stats(
        work,
        "align",
        StageStats {
            candidate_pairs,
            ..StageStats::default()
        },
    )
}
