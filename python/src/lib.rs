//! `lifted._lifted`: the native half of the `lifted` Python package.
//!
//! Two functions, each returning the map as the JSON text that `lifted scan
//! --format json` writes (the Python half, `lifted/__init__.py`, turns it
//! into Python objects with `json.loads`): the map is built and written by
//! the library itself, so the Python result is the CLI's by construction.
//! A third, `dedup_texts`, runs `lifted dedup`'s steps ([`lifted::dedup`])
//! and returns its `--summary` as a dict, built field by field as
//! `src/dedup_cmd.rs` builds it, with the documents that stay.
//!
//! The GIL is released while the scan runs, on a rayon pool of its own; the
//! calling thread wakes every 50 ms to let Python look at its signals, and a
//! Ctrl-C (`KeyboardInterrupt`, or any exception a signal handler raises)
//! sets the library's cancel flag, waits for the scan to stop, and is raised.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::exceptions::{
    PyFileNotFoundError, PyKeyboardInterrupt, PyOSError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use lifted::dedup::{cut, dedup_documents, dedup_segments, earliness};
use lifted::ingest::{read_inputs, Corpus, Document, IngestOptions, MAX_DOC_BYTES_CEILING};
use lifted::manifest::Date;
use lifted::normalize::NormalizeOptions;
use lifted::provenance::Chronology;
use lifted::report::{self, Label, Report, ReportOptions};
use lifted::scan::{scan, NoProgress, Params, ScanOptions};
use lifted::thorough::Preset;
use lifted::Error;

/// How often the waiting thread looks at Python's signals.
const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// The options every scan takes, as `lifted scan` names them (with `_`).
const MATCH_OPTIONS: &[&str] = &[
    "ngram",
    "permutations",
    "threshold",
    "bands",
    "rows",
    "window",
    "min_words",
    "max_gap",
    "fold_accents",
    "within_doc",
    "max_bucket",
    "pairs_only",
    "max_docs_frac",
    "keep_boilerplate",
    "preset",
    "order",
    "threads",
];

/// The options of `scan_files` only: how files are read.
const INGEST_OPTIONS: &[&str] = &[
    "jsonl",
    "id_field",
    "text_field",
    "skip_bad_lines",
    "strict",
    "follow",
    "max_doc_bytes",
    "max_line_bytes",
];

/// Matching options, checked.
struct Matching {
    params: Params,
    /// `order="given"`: input order is chronological.
    given: bool,
    threads: usize,
}

fn invalid(name: &str, reason: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("invalid {name}: {reason}"))
}

/// A whole number option, at least 0 (a negative one is a ValueError, not an overflow).
fn count(value: &Bound<'_, PyAny>, name: &str) -> PyResult<usize> {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "option {name} takes an int, not a bool"
        )));
    }
    let n: i128 = value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("option {name} takes an int")))?;
    usize::try_from(n).map_err(|_| invalid(name, format!("{n} is not a count (0 or more)")))
}

fn float(value: &Bound<'_, PyAny>, name: &str) -> PyResult<f64> {
    if value.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(format!(
            "option {name} takes a float, not a bool"
        )));
    }
    value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("option {name} takes a float")))
}

fn flag(value: &Bound<'_, PyAny>, name: &str) -> PyResult<bool> {
    value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("option {name} takes a bool")))
}

fn text(value: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    value
        .extract()
        .map_err(|_| PyTypeError::new_err(format!("option {name} takes a str")))
}

/// Refuse option names that neither list knows, naming the allowed ones.
fn check_names(options: &Bound<'_, PyDict>, function: &str, lists: &[&[&str]]) -> PyResult<()> {
    for key in options.keys() {
        let key: String = key.extract()?;
        if !lists.iter().any(|list| list.contains(&key.as_str())) {
            let known: Vec<&str> = lists.iter().flat_map(|l| l.iter().copied()).collect();
            return Err(PyTypeError::new_err(format!(
                "{function}() got an unexpected keyword argument {key:?}; the options are: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// The matching options from keyword arguments, validated as `lifted scan` does.
fn matching(options: &Bound<'_, PyDict>) -> PyResult<Matching> {
    let mut scan = ScanOptions::default();
    let mut given = false;
    let mut threads = 0;
    for (key, value) in options.iter() {
        let key: String = key.extract()?;
        let name = key.as_str();
        match name {
            "ngram" => scan.ngram = count(&value, name)?,
            "permutations" => scan.permutations = count(&value, name)?,
            "threshold" => scan.threshold = float(&value, name)?,
            "bands" if value.is_none() => scan.bands = None,
            "bands" => scan.bands = Some(count(&value, name)?),
            "rows" if value.is_none() => scan.rows = None,
            "rows" => scan.rows = Some(count(&value, name)?),
            "window" => scan.window = count(&value, name)?,
            "min_words" => scan.min_words = count(&value, name)?,
            "max_gap" => scan.max_gap = count(&value, name)?,
            "fold_accents" => {
                scan.normalize = NormalizeOptions {
                    fold_accents: flag(&value, name)?,
                }
            }
            "within_doc" => scan.within_doc = flag(&value, name)?,
            "max_bucket" => scan.max_bucket = count(&value, name)?,
            "pairs_only" => scan.align = !flag(&value, name)?,
            "max_docs_frac" => scan.boilerplate.max_docs_frac = float(&value, name)?,
            "keep_boilerplate" => scan.boilerplate.keep = flag(&value, name)?,
            "preset" => {
                scan.preset = match text(&value, name)?.as_str() {
                    "fast" => Preset::Fast,
                    "thorough" => Preset::Thorough,
                    other => {
                        return Err(invalid(
                            name,
                            format!("{other:?}: use \"fast\" or \"thorough\""),
                        ))
                    }
                }
            }
            "order" => {
                given = match text(&value, name)?.as_str() {
                    "none" => false,
                    "given" => true,
                    other => {
                        return Err(invalid(
                            name,
                            format!("{other:?}: use \"none\" or \"given\""),
                        ))
                    }
                }
            }
            "threads" => threads = count(&value, name)?,
            _ => {}
        }
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    lifted::scan::check_threads(threads, cores).map_err(error)?;
    let params = Params::new(scan).map_err(error)?;
    Ok(Matching {
        params,
        given,
        threads,
    })
}

/// How files are read, from keyword arguments.
fn ingest(options: &Bound<'_, PyDict>) -> PyResult<IngestOptions> {
    let mut ingest = IngestOptions::default();
    for (key, value) in options.iter() {
        let key: String = key.extract()?;
        let name = key.as_str();
        match name {
            "jsonl" => ingest.jsonl = flag(&value, name)?,
            "id_field" => ingest.id_field = text(&value, name)?,
            "text_field" => ingest.text_field = text(&value, name)?,
            "skip_bad_lines" => ingest.skip_bad_lines = flag(&value, name)?,
            "strict" => ingest.strict = flag(&value, name)?,
            "follow" => ingest.follow = flag(&value, name)?,
            "max_doc_bytes" => {
                let bytes = count(&value, name)? as u64;
                if bytes == 0 || bytes > MAX_DOC_BYTES_CEILING {
                    return Err(invalid(
                        name,
                        format!("{bytes} is outside 1..={MAX_DOC_BYTES_CEILING} (4 GiB)"),
                    ));
                }
                ingest.max_doc_bytes = bytes;
            }
            "max_line_bytes" => {
                let bytes = count(&value, name)? as u64;
                if bytes == 0 {
                    return Err(invalid(name, "0 bytes: give 1 or more"));
                }
                ingest.max_line_bytes = bytes;
            }
            _ => {}
        }
    }
    Ok(ingest)
}

/// A library error as the Python exception a Python user expects.
fn error(e: Error) -> PyErr {
    let message = e.to_string();
    match e {
        Error::Interrupted => PyKeyboardInterrupt::new_err(message),
        Error::NotFound { .. } => PyFileNotFoundError::new_err(message),
        Error::Read { .. } | Error::Write { .. } => PyOSError::new_err(message),
        // `invalid --max-bucket: ...`: the Python option is `max_bucket`.
        Error::Config { parameter, reason } => {
            PyValueError::new_err(format!("invalid {}: {reason}", parameter.replace('-', "_")))
        }
        _ => PyValueError::new_err(message),
    }
}

/// Parse one date as the manifest does; `what` says where it came from.
fn date(text: &str, what: &str) -> PyResult<Date> {
    Date::parse(text).map_err(|reason| PyValueError::new_err(format!("{what}: {reason}")))
}

/// Run `work` on a pool of `threads` threads (0: one per core) with the GIL
/// released; a signal handler's exception (Ctrl-C) cancels it and is raised.
fn run<T: Send>(
    py: Python<'_>,
    threads: usize,
    work: impl FnOnce(&AtomicBool) -> lifted::Result<T> + Send,
) -> PyResult<T> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| PyOSError::new_err(format!("cannot start the worker threads: {e}")))?;
    let cancel = AtomicBool::new(false);
    let mut raised: Option<PyErr> = None;
    let result = py.allow_threads(|| {
        std::thread::scope(|scope| {
            let (done, finished) = mpsc::channel::<()>();
            let cancel = &cancel;
            let pool = &pool;
            let worker = scope.spawn(move || {
                let result = pool.install(|| work(cancel));
                let _ = done.send(());
                result
            });
            loop {
                match finished.recv_timeout(SIGNAL_POLL) {
                    Err(mpsc::RecvTimeoutError::Timeout) if raised.is_none() => {
                        if let Err(e) = Python::with_gil(|py| py.check_signals()) {
                            raised = Some(e);
                            cancel.store(true, Ordering::Relaxed);
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {}
                    _ => break,
                }
            }
            worker
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    });
    if let Some(e) = raised {
        return Err(e);
    }
    result.map_err(error)
}

/// Scan, build the map and write it as JSON, as `lifted scan --format json` does.
fn map_json(
    corpus: &Corpus,
    params: &Params,
    chronology: &Chronology,
    labels: Vec<Label>,
    cancel: &AtomicBool,
) -> lifted::Result<String> {
    let findings = scan(corpus, params, chronology, &NoProgress, cancel)?;
    let shown = ReportOptions {
        excerpt: report::EXCERPT,
        labels,
    };
    let report = Report::build_with(corpus, params, chronology, &findings, &shown);
    let mut json = Vec::new();
    report::json::write(&report, &mut json).map_err(|source| Error::Write {
        path: PathBuf::from("<memory>"),
        source,
    })?;
    // The writer writes UTF-8 JSON (serde_json).
    String::from_utf8(json).map_err(|e| Error::Write {
        path: PathBuf::from("<memory>"),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

/// The corpus and chronology of texts held in memory, as `read_inputs` and
/// `--manifest` would give them: documents sorted by id, ids unique.
fn in_memory(
    ids: Vec<String>,
    texts: &[Bound<'_, PyString>],
    origins: Vec<String>,
    dates: Option<Vec<Option<String>>>,
    given: bool,
) -> PyResult<(Corpus, Chronology)> {
    if ids.len() != texts.len() || origins.len() != texts.len() {
        return Err(PyValueError::new_err(format!(
            "{} ids for {} texts: give one id per text",
            ids.len(),
            texts.len()
        )));
    }
    if texts.is_empty() {
        return Err(PyValueError::new_err(
            "no documents: give at least one text",
        ));
    }
    let mut dated: Option<Vec<Option<Date>>> = None;
    if let Some(dates) = &dates {
        if dates.len() != texts.len() {
            return Err(PyValueError::new_err(format!(
                "{} dates for {} texts: give one date (or None) per text",
                dates.len(),
                texts.len()
            )));
        }
        if given {
            return Err(PyValueError::new_err(
                "dates and order=\"given\" cannot be used together: dates give the chronology",
            ));
        }
        let mut parsed = Vec::with_capacity(dates.len());
        for (i, d) in dates.iter().enumerate() {
            parsed.push(match d {
                Some(d) => Some(date(d, &format!("dates[{i}] ({:?})", ids[i]))?),
                None => None,
            });
        }
        dated = Some(parsed);
    }
    let mut documents = Vec::with_capacity(texts.len());
    for (order, ((id, text), origin)) in ids.into_iter().zip(texts).zip(origins).enumerate() {
        let text = text.to_cow().map_err(|_| {
            PyValueError::new_err(format!(
                "{origin}: the text is not valid Unicode (a lone surrogate); encode and decode it with errors=\"replace\""
            ))
        })?;
        if text.len() > u32::MAX as usize {
            return Err(error(Error::TooLarge {
                id,
                bytes: text.len(),
            }));
        }
        documents.push((
            Document {
                id,
                origin,
                order: u32::try_from(order)
                    .map_err(|_| PyValueError::new_err("more than 4 billion documents"))?,
                text: text.as_bytes().to_vec(),
                date: None,
            },
            dated.as_mut().and_then(|d| d[order].take()),
        ));
    }
    // As `read_inputs` does: documents sorted by id, ids unique.
    documents.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    for pair in documents.windows(2) {
        if pair[0].0.id == pair[1].0.id {
            return Err(error(Error::DuplicateId {
                id: pair[0].0.id.clone(),
                first: pair[0].0.origin.clone(),
                second: pair[1].0.origin.clone(),
            }));
        }
    }
    let (documents, dates): (Vec<Document>, Vec<Option<Date>>) = documents.into_iter().unzip();
    let chronology = if dated.is_some() {
        Chronology::Dates(dates)
    } else if given {
        Chronology::Given(documents.iter().map(|d| d.order).collect())
    } else {
        Chronology::Unknown
    };
    let corpus = Corpus {
        documents,
        warnings: Vec::new(),
    };
    Ok((corpus, chronology))
}

/// Scan texts held in memory; returns the map as JSON text.
///
/// `ids`, `texts` and `origins` have one entry per document, in input
/// order; `dates` (one ISO date or None per document) gives the chronology.
#[pyfunction]
#[pyo3(signature = (ids, texts, origins, dates, options))]
fn scan_texts(
    py: Python<'_>,
    ids: Vec<String>,
    texts: Vec<Bound<'_, PyString>>,
    origins: Vec<String>,
    dates: Option<Vec<Option<String>>>,
    options: &Bound<'_, PyDict>,
) -> PyResult<String> {
    check_names(options, "scan", &[MATCH_OPTIONS])?;
    let matching = matching(options)?;
    let (corpus, chronology) = in_memory(ids, &texts, origins, dates, matching.given)?;
    let params = matching.params;
    run(py, matching.threads, |cancel| {
        map_json(&corpus, &params, &chronology, Vec::new(), cancel)
    })
}

/// One removal, as `lifted dedup --dry-run` lists it (the fields it leaves
/// out at a level are left out here too).
fn removal<'py>(
    py: Python<'py>,
    corpus: &Corpus,
    removed: (u32, Option<(u32, u32)>),
    kept: (u32, Option<(u32, u32)>),
    matched: Option<u32>,
    jaccard: f64,
    bytes: u64,
) -> PyResult<Bound<'py, PyDict>> {
    let id = |d: u32| corpus.documents[d as usize].id.as_str();
    let entry = PyDict::new(py);
    entry.set_item("id", id(removed.0))?;
    if let Some((start, end)) = removed.1 {
        entry.set_item("start", start)?;
        entry.set_item("end", end)?;
    }
    entry.set_item("kept", id(kept.0))?;
    if let Some((start, end)) = kept.1 {
        entry.set_item("kept_start", start)?;
        entry.set_item("kept_end", end)?;
    }
    if let Some(matched) = matched {
        entry.set_item("matched", id(matched))?;
    }
    entry.set_item("jaccard", jaccard)?;
    entry.set_item("bytes", bytes)?;
    Ok(entry)
}

/// Deduplicate texts held in memory, as `lifted dedup` does; returns the
/// summary `lifted dedup --summary` writes (as a dict, `removed` listing
/// what `--dry-run` lists), the kept documents as (id, text) in input order,
/// and the number of oversized LSH buckets.
#[pyfunction]
#[pyo3(signature = (ids, texts, origins, dates, level, options))]
#[allow(clippy::type_complexity)]
fn dedup_texts<'py>(
    py: Python<'py>,
    ids: Vec<String>,
    texts: Vec<Bound<'py, PyString>>,
    origins: Vec<String>,
    dates: Option<Vec<Option<String>>>,
    level: &str,
    options: &Bound<'py, PyDict>,
) -> PyResult<(Bound<'py, PyDict>, Vec<(String, String)>, u64)> {
    check_names(options, "dedup", &[MATCH_OPTIONS])?;
    let paragraph = match level {
        "document" => false,
        "paragraph" => true,
        other => {
            return Err(invalid(
                "level",
                format!("{other:?}: use \"document\" or \"paragraph\""),
            ))
        }
    };
    let matching = matching(options)?;
    let dated = dates.is_some();
    let (corpus, chronology) = in_memory(ids, &texts, origins, dates, matching.given)?;
    drop(texts);
    let mut params = matching.params;
    let rank = match &chronology {
        Chronology::Dates(dates) => earliness(&corpus, Some(dates)),
        _ => earliness(&corpus, None),
    };
    let by = if dated {
        "date (undated documents last), then input order"
    } else {
        "input order"
    };
    let documents = &corpus.documents;
    // What each document becomes: None when removed.
    let mut kept: Vec<Option<Vec<u8>>> = documents.iter().map(|_| None).collect();
    let mut cut_docs = vec![false; documents.len()];
    let mut removed_docs = vec![false; documents.len()];
    let removals = pyo3::types::PyList::empty(py);
    let (reason, oversized, paragraphs) = if paragraph {
        params.options.align = false;
        params.options.within_doc = false;
        let (findings, removed) = run(py, matching.threads, |cancel| {
            let findings = scan(&corpus, &params, &chronology, &NoProgress, cancel)?;
            let removed = dedup_segments(&findings.pairs, &rank);
            Ok((findings, removed))
        })?;
        for group in removed.chunk_by(|x, y| x.span.doc == y.span.doc) {
            let doc = group[0].span.doc as usize;
            let ranges: Vec<(u32, u32)> =
                group.iter().map(|r| (r.span.start, r.span.end)).collect();
            let text = &documents[doc].text;
            for (i, r) in group.iter().enumerate() {
                // The bytes it takes beyond the cuts before it (overlapping
                // windows are not counted twice), as the CLI counts them.
                let before = &ranges[..i];
                let bytes = cut(text, &ranges[..=i]).1 - cut(text, before).1;
                removals.append(removal(
                    py,
                    &corpus,
                    (r.span.doc, Some((r.span.start, r.span.end))),
                    (r.kept.doc, Some((r.kept.start, r.kept.end))),
                    None,
                    r.jaccard,
                    bytes,
                )?)?;
            }
            let (left, _) = cut(text, &ranges);
            cut_docs[doc] = true;
            // A document cut to nothing but white space goes whole.
            if left.iter().all(u8::is_ascii_whitespace) {
                removed_docs[doc] = true;
            } else {
                kept[doc] = Some(left);
            }
        }
        (
            format!("near-duplicate (exact Jaccard of {}-word shingles >= {}) of a paragraph of an earlier document, by {by}", params.options.ngram, params.options.threshold),
            findings.stats.oversized_buckets,
            removed.len(),
        )
    } else {
        let found = run(py, matching.threads, |cancel| {
            dedup_documents(&corpus, &params, &rank, cancel)
        })?;
        for r in &found.removed {
            removed_docs[r.doc as usize] = true;
            removals.append(removal(
                py,
                &corpus,
                (r.doc, None),
                (r.kept, None),
                Some(r.matched),
                r.jaccard,
                documents[r.doc as usize].text.len() as u64,
            )?)?;
        }
        (
            format!("near-duplicate (exact Jaccard of {}-word shingles >= {}) of an earlier document, by {by}", params.options.ngram, params.options.threshold),
            found.oversized_buckets,
            0,
        )
    };
    // The kept documents, in input order.
    let mut written: Vec<usize> = (0..documents.len()).filter(|&d| !removed_docs[d]).collect();
    written.sort_by_key(|&d| documents[d].order);
    let mut out = Vec::with_capacity(written.len());
    let mut bytes_written = 0u64;
    for d in written {
        let text = match kept[d].take() {
            Some(left) if cut_docs[d] => left,
            _ => documents[d].text.clone(),
        };
        bytes_written += text.len() as u64;
        out.push((
            documents[d].id.clone(),
            String::from_utf8_lossy(&text).into_owned(),
        ));
    }
    let bytes = corpus.bytes();
    let summary = PyDict::new(py);
    summary.set_item("level", level)?;
    summary.set_item("threshold", params.options.threshold)?;
    summary.set_item("documents", documents.len())?;
    summary.set_item("bytes", bytes)?;
    summary.set_item("documents_removed", documents.len() - out.len())?;
    summary.set_item("paragraphs_removed", paragraphs)?;
    summary.set_item("bytes_removed", bytes - bytes_written)?;
    summary.set_item("documents_written", out.len())?;
    summary.set_item("bytes_written", bytes_written)?;
    summary.set_item("reason", reason)?;
    summary.set_item("removed", removals)?;
    Ok((summary, out, oversized))
}

/// Read files, folders or JSONL and scan them, as `lifted scan` does;
/// returns the map as JSON text.
///
/// `manifest` is a manifest file; `dates` pairs of (id, ISO date).
#[pyfunction]
#[pyo3(signature = (paths, manifest, dates, options))]
fn scan_files(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    manifest: Option<PathBuf>,
    dates: Option<Vec<(String, String)>>,
    options: &Bound<'_, PyDict>,
) -> PyResult<String> {
    check_names(options, "scan_files", &[MATCH_OPTIONS, INGEST_OPTIONS])?;
    let matching = matching(options)?;
    let ingest = ingest(options)?;
    if paths.is_empty() {
        return Err(PyValueError::new_err(
            "no paths: give at least one file or folder",
        ));
    }
    if manifest.is_some() && dates.is_some() {
        return Err(PyValueError::new_err(
            "manifest and dates cannot be used together: give the dates in one of them",
        ));
    }
    if (manifest.is_some() || dates.is_some()) && matching.given {
        return Err(PyValueError::new_err(
            "order=\"given\" cannot be used with a manifest or dates: they give the chronology",
        ));
    }
    let mut parsed = Vec::new();
    for (id, d) in dates.iter().flatten() {
        parsed.push((id.clone(), date(d, &format!("dates[{id:?}]"))?));
    }
    let params = matching.params;
    let given = matching.given;
    run(py, matching.threads, move |cancel| {
        let corpus = read_inputs(&paths, &ingest)?;
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        if dates.is_none() {
            // Records' dates, the manifest's (with its titles and URLs) or
            // the input order, decided as `lifted scan` decides them.
            let (chronology, labels) =
                lifted::provenance::chronology(&corpus, manifest.as_deref(), given)?;
            return map_json(&corpus, &params, &chronology, labels, cancel);
        }
        let ids: Vec<&str> = corpus.documents.iter().map(|d| d.id.as_str()).collect();
        let mut dated = vec![None; ids.len()];
        for (id, date) in parsed {
            match ids.binary_search(&id.as_str()) {
                Ok(i) => dated[i] = Some(date),
                Err(_) => {
                    return Err(Error::Config {
                        parameter: "dates",
                        reason: format!("no document has the id {id:?}"),
                    })
                }
            }
        }
        let (chronology, labels) = (Chronology::Dates(dated), Vec::new());
        map_json(&corpus, &params, &chronology, labels, cancel)
    })
}

/// The native module.
#[pymodule]
fn _lifted(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(scan_texts, m)?)?;
    m.add_function(wrap_pyfunction!(scan_files, m)?)?;
    m.add_function(wrap_pyfunction!(dedup_texts, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
