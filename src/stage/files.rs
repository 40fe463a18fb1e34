//! The work folder of a staged run and the stages that read and write it,
//! plus the Arrow IPC streams of `lifted worker`.
//!
//! Layout (`R`: this rank, `S`/`T`: the owning rank, `N`: the world size):
//!
//! ```text
//! WORK/ingest/documents-R-of-N.parquet     doc, id, origin, order, date, text (sorted by id)
//! WORK/ingest/warnings.json                 the reader's warnings (rank 0)
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
use super::table::{
    parquet_rows, publish, read_parquet, read_parquet_in, write_error, Sink, DOCUMENT_ROWS, ROWS,
};
use super::{
    align, candidates, pair_owner, sign, DocumentTable, Edges, Fault, Keys, Results, StageStats,
};
use crate::error::{config, Error, Result, Warning};
use crate::ingest::{read_documents_where, Corpus, Document, IngestOptions};
use crate::manifest::Date;
use crate::scan::{NoProgress, Params};

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

    /// `WORK/ingest/warnings.json`.
    pub fn warnings(&self) -> PathBuf {
        self.root.join("ingest").join("warnings.json")
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

/// The ingest stage: read every input, keep this shard's documents (by
/// [`Keys::of`] their id, modulo the world size) and write them. Returns the
/// reader's warnings (rank 0 writes them for the report).
pub fn ingest(
    work: &Work,
    paths: &[PathBuf],
    options: &IngestOptions,
    keys: Keys,
) -> Result<Vec<Warning>> {
    let Shard { rank, world } = work.shard;
    let keep = |id: &str| (keys.of(id) % world as u64) as usize == rank;
    let corpus = read_documents_where(paths, options, &keep)?;
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
        return Err(Error::Stage {
            path,
            reason: format!(
                "documents {:?} ({}) and {:?} ({}) have the same 64-bit key {}: the staged route cannot tell them apart; rename one (or use lifted scan)",
                a.id, a.origin, b.id, b.origin, pair[0].0 as i64
            ),
        });
    }
    let mut sink = Sink::with_groups(path, columns::documents_schema(), DOCUMENT_ROWS)?;
    for chunk in corpus.documents.chunks(DOCUMENT_ROWS) {
        let table = DocumentTable {
            doc: chunk.iter().map(|d| keys.of(&d.id)).collect(),
            id: chunk.iter().map(|d| d.id.clone()).collect(),
            origin: chunk.iter().map(|d| d.origin.clone()).collect(),
            order: chunk.iter().map(|d| d.order).collect(),
            date: chunk
                .iter()
                .map(|d| d.date.as_ref().map(|d| d.as_given().to_string()))
                .collect(),
            text: chunk.iter().map(|d| d.text.clone()).collect(),
        };
        sink.write(&columns::documents_batch(&table))?;
    }
    sink.close()?;
    if rank == 0 {
        let path = work.warnings();
        let text = serde_json::to_vec_pretty(&corpus.warnings)
            .map_err(io::Error::other)
            .map_err(write_error(&path))?;
        publish(&path, |file| file.write_all(&text))?;
    }
    Ok(corpus.warnings)
}

/// Every ingest table's path, checked to exist.
fn all_documents(work: &Work) -> Result<Vec<PathBuf>> {
    (0..work.shard.world)
        .map(|rank| work.input(work.documents(rank), "ingest"))
        .collect()
}

/// Every document's key, in id order (read from every ingest table).
fn keys_in_id_order(work: &Work) -> Result<Vec<u64>> {
    let mut ids: Vec<(String, u64)> = Vec::new();
    for path in all_documents(work)? {
        read_parquet(&path, &["doc", "id"], |batch| {
            let keys = columns::int64s(&batch, "doc")?;
            let names = columns::strings(&batch, "id")?;
            ids.extend(names.into_iter().zip(keys.into_iter().map(|k| k as u64)));
            Ok(())
        })?;
    }
    ids.sort_unstable();
    Ok(ids.into_iter().map(|(_, key)| key).collect())
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
/// a corpus sorted by id (texts only when `text`), with the keys.
fn read_corpus(
    work: &Work,
    text: bool,
    wanted: &dyn Fn(u64) -> bool,
) -> Result<(Corpus, Vec<u64>)> {
    let mut documents: Vec<(u64, Document)> = Vec::new();
    let names: &[&str] = if text {
        &["doc", "id", "origin", "order", "date", "text"]
    } else {
        &["doc", "id", "origin", "order", "date"]
    };
    for path in all_documents(work)? {
        let mut bad_date = None;
        read_parquet_in(&path, names, DOCUMENT_ROWS, |batch| {
            let table = columns::documents_from(&batch, text)?;
            for (i, text) in table.text.into_iter().enumerate() {
                let key = table.doc[i];
                if !wanted(key) {
                    continue;
                }
                let date = match &table.date[i] {
                    Some(given) => match Date::parse(given) {
                        Ok(date) => Some(date),
                        Err(reason) => {
                            bad_date.get_or_insert(format!(
                                "document {:?}: date {given:?}: {reason}",
                                table.id[i]
                            ));
                            None
                        }
                    },
                    None => None,
                };
                documents.push((
                    key,
                    Document {
                        id: table.id[i].clone(),
                        origin: table.origin[i].clone(),
                        order: table.order[i],
                        text,
                        date,
                    },
                ));
            }
            Ok(())
        })?;
        if let Some(reason) = bad_date {
            return Err(Error::Stage { path, reason });
        }
    }
    documents.sort_unstable_by(|a, b| a.1.id.cmp(&b.1.id));
    let keys = documents.iter().map(|d| d.0).collect();
    let corpus = Corpus {
        documents: documents.into_iter().map(|d| d.1).collect(),
        warnings: Vec::new(),
    };
    Ok((corpus, keys))
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
    let (corpus, keys) = read_corpus(work, true, &wanted)?;
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

/// What the report stage reads: the whole corpus (sorted by id, with the
/// reader's warnings), its keys, every shard's results and the counters.
pub fn report_inputs(work: &Work) -> Result<(Corpus, Vec<u64>, Results, StageStats)> {
    let (mut corpus, keys) = read_corpus(work, true, &|_| true)?;
    let warnings_path = work.input(work.warnings(), "ingest")?;
    let text = fs::read(&warnings_path).map_err(|source| Error::Read {
        path: warnings_path.clone(),
        source,
    })?;
    corpus.warnings = serde_json::from_slice(&text).map_err(|e| Error::Stage {
        path: warnings_path.clone(),
        reason: format!("not the warnings of the ingest stage ({e}); run it again"),
    })?;
    let mut results = Results::default();
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
                results.append(columns::results_from(&batch)?);
                Ok(())
            },
        )?;
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
    Ok((corpus, keys, results, stats))
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
