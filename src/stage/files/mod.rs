//! The work folder of a staged run and the stages that read and write it
//! (the Arrow IPC streams of `lifted worker` are [`super::worker`]'s).
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
//!
//! This module holds the folder and its file names, and what every stage
//! shares (the counters, the warnings' file, the key check); the stages
//! live in its children, in the order data flows:
//! `stages` (ingest, sign, candidates, align: each rank's own work),
//! `catalog` (the ingest tables read back, by the later stages),
//! `report_inputs` and `texts` (what the report stage reads).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::table::{publish, write_error};
use super::StageStats;
use crate::error::{config, Error, Result, Warning};

mod catalog;
mod report_inputs;
mod stages;
mod texts;

pub use report_inputs::{report_corpus, report_inputs, ReportInputs};
pub use stages::{align_stage, candidates, ingest, sign};
pub use texts::{text_facts, StreamedTexts};

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
    /// The matching settings of this run, written into the tables it makes
    /// and checked in those it reads ([`crate::stage::settings`]).
    pub settings: crate::stage::settings::Settings,
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
