//! The work folder of a staged run and the stages that read and write it,
//! plus the Arrow IPC streams of `lifted worker`.
//!
//! Layout (`R`: this rank, `S`/`T`: the owning rank, `N`: the world size):
//!
//! ```text
//! WORK/ingest/documents-R-of-N.parquet     doc, id, origin, order, date, text (sorted by id)
//! WORK/ingest/warnings-R-of-N.json          the reader's warnings (each rank's)
//! WORK/sign/signs-R-to-S-of-N.parquet       band, key, doc, segment (rows S owns)
//! WORK/candidates/edges-S-to-T-of-N.parquet a, a_segment, b, b_segment (pairs T owns)
//! WORK/align/results-T-of-N.parquet         the results (any *.parquet here is read)
//! WORK/stats/STAGE-R-of-N.json              counters (every *.json here is summed)
//! ```
//!
//! A missing file, or one written with another world size, is an error
//! naming it. Every file is written to a temporary name and renamed when
//! whole, so a stage that stops leaves no partial file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::columns;
use super::report::Gathering;
use super::table::{
    parquet_rows, publish, read_parquet, read_parquet_in, write_error, Sink, DOCUMENT_ROWS, ROWS,
};
use super::{align, candidates, pair_owner, sign, DocumentTable, Edges, Fault, Keys, StageStats};
use crate::align::Span;
use crate::error::{config, Error, Result, Warning};
use crate::ingest::{read_share, Catalog, Corpus, Document, Documents, IngestOptions};
use crate::manifest::Date;
use crate::report::{spans_shown, TextFacts};
use crate::scan::{Findings, NoProgress, Params};
use std::collections::HashMap;

/// One process of a staged run: rank `rank` of `world`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// This process's rank, below `world`.
    pub rank: usize,
    /// How many processes run each stage.
    pub world: usize,
}

/// Most processes per stage: each writes a file per other rank.
pub const MAX_WORLD: usize = 4096;

impl Shard {
    /// Rank `rank` of `world`, checked.
    pub fn new(rank: usize, world: usize) -> Result<Shard> {
        if world == 0 || world > MAX_WORLD {
            return Err(config(
                "world-size",
                format!("{world} is outside 1..={MAX_WORLD}"),
            ));
        }
        if rank >= world {
            return Err(config(
                "rank",
                format!(
                    "{rank} is outside 0..={}: ranks count from 0 to --world-size - 1",
                    world - 1
                ),
            ));
        }
        Ok(Shard { rank, world })
    }
}

/// A work folder seen by one shard.
#[derive(Debug, Clone)]
pub struct Work {
    /// The folder.
    pub root: PathBuf,
    /// This process.
    pub shard: Shard,
}

impl Work {
    fn of(&self) -> String {
        format!("of-{}", self.shard.world)
    }

    /// `WORK/ingest/documents-R-of-N.parquet`.
    pub fn documents(&self, rank: usize) -> PathBuf {
        self.root
            .join("ingest")
            .join(format!("documents-{rank}-{}.parquet", self.of()))
    }

    /// `WORK/ingest/warnings-R-of-N.json`.
    pub fn warnings(&self, rank: usize) -> PathBuf {
        self.root
            .join("ingest")
            .join(format!("warnings-{rank}-{}.json", self.of()))
    }

    /// `WORK/sign/signs-R-to-S-of-N.parquet`.
    pub fn signs(&self, from: usize, to: usize) -> PathBuf {
        self.root
            .join("sign")
            .join(format!("signs-{from}-to-{to}-{}.parquet", self.of()))
    }

    /// `WORK/candidates/edges-S-to-T-of-N.parquet`.
    pub fn edges(&self, from: usize, to: usize) -> PathBuf {
        self.root
            .join("candidates")
            .join(format!("edges-{from}-to-{to}-{}.parquet", self.of()))
    }

    /// `WORK/align/results-T-of-N.parquet`.
    pub fn results(&self, rank: usize) -> PathBuf {
        self.root
            .join("align")
            .join(format!("results-{rank}-{}.parquet", self.of()))
    }

    /// `WORK/stats/STAGE-R-of-N.json`.
    pub fn stats(&self, stage: &str) -> PathBuf {
        self.root
            .join("stats")
            .join(format!("{stage}-{}-{}.json", self.shard.rank, self.of()))
    }

    /// The input `path` of this stage, which stage `before` writes: it must
    /// exist, and no file of another world size may sit beside it.
    fn input(&self, path: PathBuf, before: &str) -> Result<PathBuf> {
        if path.is_file() {
            return Ok(path);
        }
        if let Some(other) = other_world(&path, self.shard.world) {
            return Err(Error::Stage {
                path: other,
                reason: format!(
                    "written with another --world-size than {}: run every stage with the same --world-size, or start again in an empty --work folder",
                    self.shard.world
                ),
            });
        }
        Err(Error::Stage {
            path,
            reason: format!(
                "missing: run `lifted stage {before}` for every rank (same --world-size and --work) first"
            ),
        })
    }
}

/// A file of the same table as `path` (the name's first word) but of
/// another world size (`-of-M`, `M` not `world`).
fn other_world(path: &Path, world: usize) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    let kind = name.split('-').next()?;
    let suffix = name.rsplit('.').next()?;
    let ours = format!("-of-{world}.{suffix}");
    fs::read_dir(path.parent()?)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.starts_with(&format!("{kind}-")) && n.contains("-of-") && !n.ends_with(&ours)
            })
        })
        .min()
}

fn write_stats(work: &Work, stage: &str, stats: StageStats) -> Result<()> {
    let path = work.stats(stage);
    let text = serde_json::to_vec(&stats)
        .map_err(io::Error::other)
        .map_err(write_error(&path))?;
    publish(&path, |file| file.write_all(&text))
}

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
    let mut sink = Sink::with_groups(path, columns::documents_schema(), DOCUMENT_ROWS)?;
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

/// A warning of the ingest stage and where it was met
/// ([`crate::ingest::SharedCorpus::warning_places`]).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct PlacedWarning {
    place: u64,
    walk: bool,
    #[serde(flatten)]
    warning: Warning,
}

/// Two documents, `(id, origin)`, with one key.
fn key_collision(path: PathBuf, a: (&str, &str), b: (&str, &str), key: u64) -> Error {
    Error::Stage {
        path,
        reason: format!(
            "documents {:?} ({}) and {:?} ({}) have the same 64-bit key {}: the staged route cannot tell them apart; rename one (or use lifted scan)",
            a.0, a.1, b.0, b.1, key as i64
        ),
    }
}

/// Every ingest table's path, checked to exist.
fn all_documents(work: &Work) -> Result<Vec<PathBuf>> {
    (0..work.shard.world)
        .map(|rank| work.input(work.documents(rank), "ingest"))
        .collect()
}

/// Every document's key, in id order (read from every ingest table),
/// checked across the tables: an id in two of them ([`Error::DuplicateId`],
/// as `scan` says it), or two ids with one key, is an error.
fn keys_in_id_order(work: &Work) -> Result<Vec<u64>> {
    let mut ids: Vec<(String, u64, u64)> = Vec::new();
    for path in all_documents(work)? {
        read_parquet(&path, &["doc", "id", "order"], |batch| {
            let keys = columns::int64s(&batch, "doc")?;
            let names = columns::strings(&batch, "id")?;
            let orders = columns::int64s(&batch, "order")?;
            ids.extend(
                names
                    .into_iter()
                    .zip(keys)
                    .zip(orders)
                    .map(|((id, key), order)| (id, order as u64, key as u64)),
            );
            Ok(())
        })?;
    }
    ids.sort_unstable();
    check_ids(work, &ids)?;
    Ok(ids.into_iter().map(|(_, _, key)| key).collect())
}

/// The checks of [`keys_in_id_order`] on `(id, input position, key)`
/// sorted by id then position.
fn check_ids(work: &Work, ids: &[(String, u64, u64)]) -> Result<()> {
    if let Some(pair) = ids.windows(2).find(|w| w[0].0 == w[1].0) {
        let first = origin_of(work, &pair[0].0, pair[0].1)?;
        let second = origin_of(work, &pair[1].0, pair[1].1)?;
        return Err(Error::DuplicateId {
            id: pair[0].0.clone(),
            first,
            second,
        });
    }
    let mut keys: Vec<(u64, usize)> = ids.iter().enumerate().map(|(i, d)| (d.2, i)).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|w| w[0].0 == w[1].0) {
        let (a, b) = (&ids[pair[0].1], &ids[pair[1].1]);
        let (first, second) = (origin_of(work, &a.0, a.1)?, origin_of(work, &b.0, b.1)?);
        return Err(key_collision(
            work.root.join("ingest"),
            (&a.0, &first),
            (&b.0, &second),
            pair[0].0,
        ));
    }
    Ok(())
}

/// Where the document `id` at input position `order` was read (for an
/// error message: the tables are read again).
fn origin_of(work: &Work, id: &str, order: u64) -> Result<String> {
    let mut found = None;
    for path in all_documents(work)? {
        read_parquet(&path, &["id", "origin", "order"], |batch| {
            let names = columns::strings(&batch, "id")?;
            let origins = columns::strings(&batch, "origin")?;
            let orders = columns::int64s(&batch, "order")?;
            for i in 0..names.len() {
                if names[i] == id && orders[i] as u64 == order {
                    found.get_or_insert(origins[i].clone());
                }
            }
            Ok(())
        })?;
    }
    Ok(found.unwrap_or_else(|| id.to_string()))
}

/// The sign stage: this shard's documents -> sign rows, each written to the
/// shard that owns its bucket.
pub fn sign(work: &Work, params: &Params, cancel: &AtomicBool) -> Result<()> {
    let Shard { rank, world } = work.shard;
    let mut documents = 0;
    for path in all_documents(work)? {
        documents += parquet_rows(&path)?;
    }
    let bits = super::doc_bits(documents);
    let path = work.documents(rank);
    let mut sinks = (0..world)
        .map(|to| Sink::create(work.signs(rank, to), columns::signs_schema()))
        .collect::<Result<Vec<Sink>>>()?;
    let mut stats = StageStats::default();
    let mut failure = None;
    // A batch of documents at a time: their sign rows are some 40 times
    // the rows of text (one per band of every segment).
    read_parquet_in(&path, &["doc", "text"], DOCUMENT_ROWS, |batch| {
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
        let (rows, segments) = sign::sign_documents(&documents, params);
        stats.segments += segments;
        stats.fingerprints += rows.band.iter().filter(|&&b| b < 0).count() as u64;
        let mut parts = vec![super::SignRows::default(); world];
        for i in 0..rows.len() {
            let to = if rows.band[i] < 0 {
                super::fingerprint_owner(rows.key[i], bits, world)
            } else {
                super::band_owner(rows.band[i], rows.key[i], world)
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
        read_parquet(&path, &["band", "key", "doc", "segment"], |batch| {
            let rows = columns::signs_from(&batch)?;
            buckets.add(&rows).map_err(|f| match f {
                Fault::Bad(reason) => reason,
                Fault::Interrupted => {
                    fault = Some(Error::Interrupted);
                    String::new()
                }
            })
        })?;
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
        let mut sink = Sink::create(work.edges(rank, to), columns::edges_schema())?;
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

/// Read the documents whose keys `wanted` accepts from every ingest table:
/// a corpus sorted by id (texts only when `keep_text`: else empty, read a
/// batch at a time for their lengths), with the keys and the lengths.
fn read_corpus(
    work: &Work,
    keep_text: bool,
    wanted: &dyn Fn(u64) -> bool,
) -> Result<(Corpus, Vec<u64>, Vec<u32>)> {
    let mut documents: Vec<(u64, Document, u32)> = Vec::new();
    let mut raw_orders: Vec<u64> = Vec::new();
    for path in all_documents(work)? {
        let mut bad_date = None;
        read_parquet_in(&path, &DOCUMENT_COLUMNS, DOCUMENT_ROWS, |batch| {
            let mut table = columns::documents_from(&batch, true)?;
            let texts = std::mem::take(&mut table.text);
            for (i, text) in texts.into_iter().enumerate() {
                let key = table.doc[i];
                if !wanted(key) {
                    continue;
                }
                let date = record_date(&table, i, &mut bad_date);
                raw_orders.push(table.order[i]);
                let length = text.len() as u32;
                documents.push((
                    key,
                    Document {
                        id: table.id[i].clone(),
                        origin: table.origin[i].clone(),
                        order: (raw_orders.len() - 1) as u32,
                        text: if keep_text { text } else { Vec::new() },
                        date,
                    },
                    length,
                ));
            }
            Ok(())
        })?;
        if let Some(reason) = bad_date {
            return Err(Error::Stage { path, reason });
        }
    }
    let ranks = input_ranks(&raw_orders);
    for (_, document, _) in &mut documents {
        document.order = ranks[document.order as usize];
    }
    documents.sort_unstable_by(|a, b| a.1.id.cmp(&b.1.id));
    let keys = documents.iter().map(|d| d.0).collect();
    let lengths = documents.iter().map(|d| d.2).collect();
    let corpus = Corpus {
        documents: documents.into_iter().map(|d| d.1).collect(),
        warnings: Vec::new(),
    };
    Ok((corpus, keys, lengths))
}

/// Input positions (sortable keys, one per document read) as ranks: the
/// input order of the documents read, which is the corpus's when all are.
fn input_ranks(positions: &[u64]) -> Vec<u32> {
    let mut sorted = positions.to_vec();
    sorted.sort_unstable();
    positions
        .iter()
        .map(|&p| sorted.partition_point(|&q| q < p) as u32)
        .collect()
}

/// The columns of an ingest table that [`read_corpus`] and [`read_catalog`] read.
const DOCUMENT_COLUMNS: [&str; 6] = ["doc", "id", "origin", "order", "date", "text"];

/// Row `i`'s date, parsed; an unreadable date is kept in `bad` (the first
/// of a file) and read as none.
fn record_date(table: &DocumentTable, i: usize, bad: &mut Option<String>) -> Option<Date> {
    let given = table.date[i].as_ref()?;
    match Date::parse(given) {
        Ok(date) => Some(date),
        Err(reason) => {
            bad.get_or_insert(format!(
                "document {:?}: date {given:?}: {reason}",
                table.id[i]
            ));
            None
        }
    }
}

/// Every document of every ingest table without its text, as the report
/// stage holds them: a [`Catalog`] sorted by id (with input positions as
/// [`read_corpus`] gives them), with the keys and the lengths in the same
/// order. The texts are read a batch at a time, for their lengths only.
fn read_catalog(work: &Work) -> Result<(Catalog, Vec<u64>, Vec<u32>)> {
    let mut catalog = Catalog::default();
    let mut keys: Vec<u64> = Vec::new();
    let mut lengths: Vec<u32> = Vec::new();
    let mut raw_orders: Vec<u64> = Vec::new();
    for path in all_documents(work)? {
        let mut bad_date = None;
        read_parquet_in(&path, &DOCUMENT_COLUMNS, DOCUMENT_ROWS, |batch| {
            let table = columns::documents_from(&batch, true)?;
            for (i, text) in table.text.iter().enumerate() {
                let date = record_date(&table, i, &mut bad_date);
                catalog.push(&table.id[i], &table.origin[i], 0, date);
                keys.push(table.doc[i]);
                lengths.push(text.len() as u32);
                raw_orders.push(table.order[i]);
            }
            Ok(())
        })?;
        if let Some(reason) = bad_date {
            return Err(Error::Stage { path, reason });
        }
    }
    for (doc, rank) in input_ranks(&raw_orders).into_iter().enumerate() {
        catalog.set_order(doc, rank);
    }
    drop(raw_orders);
    let placed = catalog.sort_by_id();
    catalog.shrink_to_fit();
    let keys = placed.iter().map(|&i| keys[i as usize]).collect();
    let lengths = placed.iter().map(|&i| lengths[i as usize]).collect();
    Ok((catalog, keys, lengths))
}

/// The align stage: the edges this shard owns, joined with their documents'
/// text, verified and aligned.
pub fn align_stage(work: &Work, params: &Params, cancel: &AtomicBool) -> Result<()> {
    let Shard { rank, world } = work.shard;
    let mut edges = Edges::default();
    let mut paths = Vec::new();
    for from in 0..world {
        let path = work.input(work.edges(from, rank), "candidates")?;
        read_parquet(&path, &["a", "a_segment", "b", "b_segment"], |batch| {
            let part = columns::edges_from(&batch)?;
            edges.a.extend(part.a);
            edges.a_segment.extend(part.a_segment);
            edges.b.extend(part.b);
            edges.b_segment.extend(part.b_segment);
            Ok(())
        })?;
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
    let mut sink = Sink::create(work.results(rank), columns::results_schema())?;
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

/// What the report stage reads.
#[derive(Debug)]
pub struct ReportInputs {
    /// The whole corpus without its texts, sorted by id, with the reader's
    /// warnings (for its texts, [`report_corpus`] or [`text_facts`]).
    pub catalog: Catalog,
    /// The documents' keys, in id order.
    pub keys: Vec<u64>,
    /// The documents' lengths in bytes, in id order.
    pub lengths: Vec<u32>,
    /// Every shard's results, gathered into pairs and spans a batch at a time.
    pub results: Gathering,
    /// The stages' counters, summed.
    pub stats: StageStats,
}

/// What the report stage reads: the whole corpus without its texts, its
/// keys, every shard's results and the counters.
pub fn report_inputs(work: &Work) -> Result<ReportInputs> {
    let (mut catalog, keys, lengths) = read_catalog(work)?;
    check_corpus_ids(work, &catalog, &keys)?;
    let mut placed = Vec::new();
    for rank in 0..work.shard.world {
        let path = work.input(work.warnings(rank), "ingest")?;
        let text = fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let warnings: Vec<PlacedWarning> =
            serde_json::from_slice(&text).map_err(|e| Error::Stage {
                path: path.clone(),
                reason: format!("not the warnings of the ingest stage ({e}); run it again"),
            })?;
        placed.extend(
            warnings
                .into_iter()
                .enumerate()
                .map(|(i, w)| ((w.place, w.walk, rank, i), w.warning)),
        );
    }
    // In `scan`'s order: by file met, a file's own warnings before those of
    // the walk that follow it, shares of one file in rank order.
    placed.sort_by_key(|p| p.0);
    catalog.warnings = merge_bad_lines(placed.into_iter().map(|p| p.1).collect());
    let mut results = Gathering::new(&keys);
    let folder = work.root.join("align");
    let mut files = parquet_files(&folder)?;
    files.sort();
    if files.is_empty() {
        return Err(Error::Stage {
            path: folder,
            reason: "no results (*.parquet): run `lifted stage align` for every rank first".into(),
        });
    }
    for path in files {
        let mut fault = None;
        read_parquet(
            &path,
            &[
                "kind",
                "a",
                "b",
                "a_segment",
                "b_segment",
                "sequence",
                "a_start",
                "a_end",
                "b_start",
                "b_end",
                "jaccard",
                "containment",
                "words",
                "edits",
                "a_words",
                "b_words",
            ],
            |batch| {
                let rows = columns::results_from(&batch)?;
                if fault.is_none() {
                    if let Err(f) = results.add(&rows, &lengths) {
                        fault = Some(f);
                    }
                }
                Ok(())
            },
        )?;
        if let Some(fault) = fault {
            return Err(fault.at(&path));
        }
    }
    let mut stats = StageStats::default();
    let folder = work.root.join("stats");
    let entries = fs::read_dir(&folder).map_err(|source| Error::Read {
        path: folder.clone(),
        source,
    })?;
    let mut names: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    for path in names {
        let text = fs::read(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let counted: StageStats = serde_json::from_slice(&text).map_err(|e| Error::Stage {
            path: path.clone(),
            reason: format!("not a stage's counters ({e}); run that stage again"),
        })?;
        stats += counted;
    }
    Ok(ReportInputs {
        catalog,
        keys,
        lengths,
        results,
        stats,
    })
}

/// What the map needs of the texts ([`TextFacts`]), gathered in one pass
/// over the ingest tables, a batch of documents at a time, so that the
/// report stage never holds the corpus's text: lengths, the character
/// offsets of the spans the map shows and the excerpts, each kept in a few
/// flat arrays (millions of small vectors and strings would cost as much
/// again in allocation overhead). An offset shown by several spans is kept
/// once, and so is an excerpt shown for several spans (the copies of a
/// passage often read the same).
#[derive(Debug)]
pub struct StreamedTexts {
    lengths: Vec<u32>,
    /// Document `d`'s byte offsets shown are `bytes[starts[d]..starts[d + 1]]`
    /// (sorted, unique, clamped to its text), with the characters before
    /// each in `chars` at the same places.
    starts: Vec<usize>,
    bytes: Vec<u32>,
    chars: Vec<u32>,
    /// The spans excerpted (sorted, unique), and the number of each one's
    /// excerpt in `ends`.
    excerpted: Vec<Span>,
    excerpt_of: Vec<usize>,
    /// The distinct excerpts end to end in `text`: excerpt `i` ends at
    /// `ends[i]` and starts where excerpt `i - 1` ends.
    ends: Vec<usize>,
    text: String,
}

impl TextFacts for StreamedTexts {
    fn len(&self, doc: usize) -> usize {
        self.lengths[doc] as usize
    }

    fn char_offset(&self, doc: usize, offset: u32) -> u32 {
        let offset = offset.min(self.lengths[doc]);
        let range = self.starts[doc]..self.starts[doc + 1];
        // Every offset shown was counted ([`spans_shown`]).
        self.bytes[range.clone()]
            .binary_search(&offset)
            .map_or(0, |i| self.chars[range.start + i])
    }

    fn excerpt(&self, span: &Span, _limit: usize) -> String {
        match self.excerpted.binary_search(span) {
            Ok(i) => self.excerpt_text(self.excerpt_of[i]).to_string(),
            Err(_) => String::new(),
        }
    }
}

impl StreamedTexts {
    /// Distinct excerpt `i`.
    fn excerpt_text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// [`StreamedTexts`] for `findings` over `documents` (id order) of
/// `lengths` bytes, excerpts of `excerpt` characters.
pub fn text_facts(
    work: &Work,
    documents: &dyn Documents,
    lengths: Vec<u32>,
    findings: &Findings,
    excerpt: usize,
) -> Result<StreamedTexts> {
    let count = documents.count();
    // The offsets shown, grouped by document (counted, then placed), then
    // clamped to the text, sorted and made unique document by document.
    let mut starts = vec![0usize; count + 1];
    for span in spans_shown(findings) {
        starts[span.doc as usize + 1] += 2;
    }
    for d in 0..count {
        starts[d + 1] += starts[d];
    }
    let mut bytes = vec![0u32; starts[count]];
    let mut filled = starts.clone();
    for span in spans_shown(findings) {
        let at = &mut filled[span.doc as usize];
        bytes[*at] = span.start;
        bytes[*at + 1] = span.end;
        *at += 2;
    }
    drop(filled);
    let mut kept = 0;
    for d in 0..count {
        let (start, end) = (starts[d], starts[d + 1]);
        starts[d] = kept;
        let shown = &mut bytes[start..end];
        for b in shown.iter_mut() {
            *b = (*b).min(lengths[d]);
        }
        shown.sort_unstable();
        for i in start..end {
            if i == start || bytes[i] != bytes[i - 1] {
                bytes[kept] = bytes[i];
                kept += 1;
            }
        }
    }
    starts[count] = kept;
    bytes.truncate(kept);
    bytes.shrink_to_fit();
    let mut chars = vec![0u32; bytes.len()];
    let mut excerpted: Vec<Span> = Vec::new();
    if excerpt > 0 {
        let firsts = findings.passages.iter().filter_map(|p| p.copies.first());
        let targets = findings.provenance.links.iter().map(|l| &l.target);
        excerpted.extend(firsts.chain(targets));
        excerpted.sort_unstable();
        excerpted.dedup();
    }
    let mut excerpt_of = vec![0usize; excerpted.len()];
    let mut ends: Vec<usize> = Vec::new();
    let mut text = String::new();
    // The first excerpt with each hash (others with it are compared, and
    // kept apart if they differ).
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for path in all_documents(work)? {
        read_parquet_in(&path, &["id", "text"], DOCUMENT_ROWS, |batch| {
            let ids = columns::strings(&batch, "id")?;
            let texts = columns::texts(&batch, "text")?;
            for (id, document) in ids.iter().zip(&texts) {
                let Some(doc) = documents.position(id) else {
                    continue;
                };
                let range = starts[doc]..starts[doc + 1];
                let (mut at, mut total) = (0usize, 0u32);
                for i in range {
                    let b = (bytes[i] as usize).min(document.len());
                    total += crate::report::offsets::chars(&document[at.min(b)..b]);
                    at = b;
                    chars[i] = total;
                }
                let doc = doc as u32;
                let first = excerpted.partition_point(|s| s.doc < doc);
                let last = excerpted.partition_point(|s| s.doc <= doc);
                for i in first..last {
                    let span = excerpted[i];
                    let end = (span.end as usize).min(document.len());
                    let start = (span.start as usize).min(end);
                    let shown = crate::report::offsets::excerpt(&document[start..end], excerpt);
                    let hash = xxhash_rust::xxh3::xxh3_64(shown.as_bytes());
                    let number = match seen.get(&hash) {
                        Some(&j)
                            if {
                                let from = if j == 0 { 0 } else { ends[j - 1] };
                                text[from..ends[j]] == shown
                            } =>
                        {
                            j
                        }
                        known => {
                            text.push_str(&shown);
                            ends.push(text.len());
                            if known.is_none() {
                                seen.insert(hash, ends.len() - 1);
                            }
                            ends.len() - 1
                        }
                    };
                    excerpt_of[i] = number;
                }
            }
            Ok(())
        })?;
    }
    drop(seen);
    text.shrink_to_fit();
    ends.shrink_to_fit();
    Ok(StreamedTexts {
        lengths,
        starts,
        bytes,
        chars,
        excerpted,
        excerpt_of,
        ends,
        text,
    })
}

/// The checks of [`keys_in_id_order`] on the whole corpus (sorted by id).
fn check_corpus_ids(work: &Work, documents: &dyn Documents, keys: &[u64]) -> Result<()> {
    let count = documents.count();
    if let Some(i) = (1..count).find(|&i| documents.id(i - 1) == documents.id(i)) {
        let (mut a, mut b) = (i - 1, i);
        if documents.order(b) < documents.order(a) {
            std::mem::swap(&mut a, &mut b);
        }
        return Err(Error::DuplicateId {
            id: documents.id(a).to_string(),
            first: documents.origin(a),
            second: documents.origin(b),
        });
    }
    let mut by_key: Vec<(u64, u32)> = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    by_key.sort_unstable();
    if let Some(pair) = by_key.windows(2).find(|w| w[0].0 == w[1].0) {
        let (a, b) = (pair[0].1 as usize, pair[1].1 as usize);
        return Err(key_collision(
            work.root.join("ingest"),
            (documents.id(a), &documents.origin(a)),
            (documents.id(b), &documents.origin(b)),
            pair[0].0,
        ));
    }
    Ok(())
}

/// The whole corpus with its texts, sorted by id, for the report formats
/// that show them (text and HTML): the documents of `catalog` (from
/// [`report_inputs`]), with its warnings.
pub fn report_corpus(work: &Work, catalog: &Catalog) -> Result<Corpus> {
    let (mut corpus, _, _) = read_corpus(work, true, &|_| true)?;
    corpus.warnings = catalog.warnings.clone();
    Ok(corpus)
}

/// The shares of one JSONL file each count their malformed lines
/// (`--skip-bad-lines`): one warning per file, as `scan` gives, with the
/// counts summed and the first line's reason.
fn merge_bad_lines(warnings: Vec<Warning>) -> Vec<Warning> {
    const SKIPPED: &str = " malformed line(s) skipped; first: ";
    let count = |w: &Warning| -> Option<u64> {
        let (number, _) = w.message.split_once(SKIPPED)?;
        w.line.and(number.parse().ok())
    };
    let mut merged: Vec<Warning> = Vec::with_capacity(warnings.len());
    let mut totals: std::collections::HashMap<String, (usize, u64)> = Default::default();
    for warning in warnings {
        let Some(n) = count(&warning) else {
            merged.push(warning);
            continue;
        };
        match totals.get_mut(&warning.path) {
            None => {
                totals.insert(warning.path.clone(), (merged.len(), n));
                merged.push(warning);
            }
            Some((at, total)) => {
                *total += n;
                if warning.line < merged[*at].line {
                    merged[*at] = warning;
                }
            }
        }
    }
    for (at, total) in totals.into_values() {
        let warning = &mut merged[at];
        if let Some((_, reason)) = warning.message.split_once(SKIPPED) {
            warning.message = format!("{total}{SKIPPED}{reason}");
        }
    }
    merged
}

/// The `*.parquet` files directly in `folder` (Spark's part files too).
fn parquet_files(folder: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(folder).map_err(|source| match source.kind() {
        io::ErrorKind::NotFound => Error::Stage {
            path: folder.to_path_buf(),
            reason: "missing: run `lifted stage align` for every rank first".into(),
        },
        _ => Error::Read {
            path: folder.to_path_buf(),
            source,
        },
    })?;
    Ok(entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "parquet")
                && !p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with('.'))
        })
        .collect())
}
