//! What the report stage reads from the work folder, the last step of the
//! data flow: the catalog of every document (through [`super::catalog`]),
//! every rank's warnings put back in `scan`'s order, every shard's results
//! and the stages' counters; and, for the formats that show texts, the
//! whole corpus. What the map needs of the texts is [`super::texts`]'s.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::catalog::{check_corpus_ids, read_catalog, read_corpus};
use super::{PlacedWarning, Work};
use crate::error::{Error, Result, Warning};
use crate::ingest::{Catalog, Corpus};
use crate::stage::columns;
use crate::stage::report::Gathering;
use crate::stage::table::read_parquet;
use crate::stage::StageStats;

/// What the report stage reads.
#[derive(Debug)]
pub struct ReportInputs {
    /// The whole corpus without its texts, sorted by id, with the reader's
    /// warnings (for its texts, [`report_corpus`] or [`text_facts`](super::text_facts)).
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
            Some(&work.settings),
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
