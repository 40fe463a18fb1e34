//! `lifted dedup`: read the corpus, find near-duplicates with
//! [`lifted::dedup`], and write the corpus back without them (JSONL in input
//! order: JSONL records as read, other documents as `{"id", "text"}`), or
//! with `--dry-run` list what would go. A summary goes to standard error, and with
//! `--summary FILE` as JSON.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use crate::app::{extension_of, PACKED_KINDS};
use lifted::dedup::{cut, dedup_documents, dedup_segments, earliness, RemovedSegment};
use lifted::ingest::{read_inputs, Corpus};
use lifted::provenance::Chronology;
use lifted::scan::{scan, NoProgress, Params};

use crate::cli::{DedupArgs, Level};
use crate::output::Target;
use crate::signals::CANCEL;

/// One removal, as `--dry-run` lists it and the summary file holds it.
#[derive(Serialize)]
struct Removal<'a> {
    /// The document removed, or the one a paragraph is cut from.
    id: &'a str,
    /// Byte range cut (paragraph level only).
    #[serde(skip_serializing_if = "Option::is_none")]
    start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end: Option<u32>,
    /// The kept near-duplicate: its document...
    kept: &'a str,
    /// ...and, at paragraph level, its byte range.
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_start: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kept_end: Option<u32>,
    /// Document level: the document it was verified against with the highest
    /// similarity (the kept one, or another member of its cluster).
    #[serde(skip_serializing_if = "Option::is_none")]
    matched: Option<&'a str>,
    /// Exact Jaccard similarity of the shingle sets (with `matched` at
    /// document level).
    jaccard: f64,
    /// Bytes this removal takes out of the corpus.
    bytes: u64,
}

/// The `--summary` file.
#[derive(Serialize)]
struct Summary<'a> {
    level: &'static str,
    threshold: f64,
    documents: usize,
    bytes: u64,
    documents_removed: usize,
    paragraphs_removed: usize,
    bytes_removed: u64,
    documents_written: usize,
    bytes_written: u64,
    /// Why: "near-duplicate of an earlier document" (by date or input order).
    reason: String,
    removed: Vec<Removal<'a>>,
}

/// Run `lifted dedup`.
pub fn run(args: DedupArgs) -> Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.input.paths.iter().map(|p| p.as_path()).collect();
    inputs.extend(args.matching.manifest.as_deref());
    // Outputs are checked before anything is read; the summary may not land
    // on the deduplicated corpus either.
    let target = match (&args.output, args.dry_run) {
        (Some(output), false) => Some(Target::prepare(Some(output), &inputs)?),
        _ => None,
    };
    let packing = match (&args.output, args.dry_run) {
        (Some(output), false) => Packing::of(output)?,
        _ => Packing::Plain,
    };
    if let (Some(output), Some(summary)) = (&args.output, &args.summary) {
        // A new file is not caught by the check of existing inputs below.
        if std::path::absolute(output).ok() == std::path::absolute(summary).ok() {
            anyhow::bail!(
                "--summary {} is also the --output file; give the summary another name",
                summary.display()
            );
        }
    }
    if let Some(summary) = &args.summary {
        // The summary is plain JSON: a name that promises a compressed or
        // binary file would hold JSON without a word.
        if let Some(kind) = extension_of(summary).filter(|k| PACKED_KINDS.contains(&k.as_str())) {
            anyhow::bail!(
                "--summary {}: the summary is plain JSON, not .{kind}: give it a name ending .json",
                summary.display()
            );
        }
    }
    let mut summary_inputs = inputs.clone();
    summary_inputs.extend(args.output.as_deref());
    let summary_target = match &args.summary {
        Some(path) => Some(Target::prepare(Some(path), &summary_inputs)?),
        None => None,
    };
    let params: Params = args.matching.params()?;
    let corpus = read_inputs(&args.input.paths, &args.input.options())?;
    for warning in &corpus.warnings {
        eprintln!("lifted: warning: {warning}");
    }
    let (chronology, _) = crate::app::chronology(&corpus, &args.matching)?;
    let rank = match &chronology {
        Chronology::Dates(dates) => earliness(&corpus, Some(dates)),
        _ => earliness(&corpus, None),
    };
    // Dates come from a manifest or from the records (--date-field).
    let by = if matches!(chronology, Chronology::Dates(_)) {
        "date (undated documents last), then input order"
    } else {
        "input order"
    };
    let documents = &corpus.documents;
    let id = |d: u32| documents[d as usize].id.as_str();
    // What each document becomes: None when removed.
    let mut texts: Vec<Option<std::borrow::Cow<[u8]>>> = documents
        .iter()
        .map(|d| Some(std::borrow::Cow::Borrowed(&d.text[..])))
        .collect();
    let mut removals = Vec::new();
    let (level, reason) = match args.level {
        Level::Document => {
            let found = dedup_documents(&corpus, &params, &rank, &CANCEL)?;
            if found.oversized_buckets > 0 {
                eprintln!(
                    "lifted: warning: {} LSH bucket(s) held more than --max-bucket {} documents: their members were compared with the bucket's first document only (raise --max-bucket to compare them all)",
                    found.oversized_buckets, args.matching.max_bucket
                );
            }
            for removed in &found.removed {
                let bytes = documents[removed.doc as usize].text.len() as u64;
                texts[removed.doc as usize] = None;
                removals.push(Removal {
                    id: id(removed.doc),
                    start: None,
                    end: None,
                    kept: id(removed.kept),
                    kept_start: None,
                    kept_end: None,
                    matched: Some(id(removed.matched)),
                    jaccard: removed.jaccard,
                    bytes,
                });
            }
            ("document", format!("near-duplicate (exact Jaccard of {}-word shingles >= {}) of an earlier document, by {by}", params.options.ngram, params.options.threshold))
        }
        Level::Paragraph => {
            let mut params = params.clone();
            params.options.align = false;
            params.options.within_doc = false;
            let findings = scan(&corpus, &params, &chronology, &NoProgress, &CANCEL)?;
            if findings.stats.oversized_buckets > 0 {
                eprintln!(
                    "lifted: warning: {} LSH bucket(s) held more than --max-bucket {} paragraphs: their members were compared with the bucket's first paragraph only (raise --max-bucket to compare them all)",
                    findings.stats.oversized_buckets, args.matching.max_bucket
                );
            }
            let removed = dedup_segments(&findings.pairs, &rank);
            for group in removed.chunk_by(|x, y| x.span.doc == y.span.doc) {
                let doc = group[0].span.doc as usize;
                let ranges: Vec<(u32, u32)> =
                    group.iter().map(|r| (r.span.start, r.span.end)).collect();
                let (text, _) = cut(&documents[doc].text, &ranges);
                for r in group {
                    removals.push(segment_removal(r, documents, &ranges));
                }
                // A document cut to nothing but white space goes whole.
                texts[doc] = (!text.iter().all(u8::is_ascii_whitespace))
                    .then_some(std::borrow::Cow::Owned(text));
            }
            ("paragraph", format!("near-duplicate (exact Jaccard of {}-word shingles >= {}) of a paragraph of an earlier document, by {by}", params.options.ngram, params.options.threshold))
        }
    };
    // Input order for the output.
    let mut written: Vec<usize> = (0..documents.len())
        .filter(|&d| texts[d].is_some())
        .collect();
    written.sort_by_key(|&d| documents[d].order);
    let bytes: u64 = corpus.bytes();
    let bytes_written: u64 = written
        .iter()
        .filter_map(|&d| texts[d].as_ref())
        .map(|t| t.len() as u64)
        .sum();
    let summary = Summary {
        level,
        threshold: params.options.threshold,
        documents: documents.len(),
        bytes,
        documents_removed: documents.len() - written.len(),
        paragraphs_removed: if level == "paragraph" {
            removals.len()
        } else {
            0
        },
        bytes_removed: bytes - bytes_written,
        documents_written: written.len(),
        bytes_written,
        reason,
        removed: removals,
    };
    if args.dry_run {
        let stdout = io::stdout();
        let mut out = io::BufWriter::new(stdout.lock());
        let listed = summary.removed.iter().try_for_each(|r| {
            serde_json::to_writer(&mut out, r)?;
            out.write_all(b"\n")
        });
        match listed.and_then(|()| out.flush()) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                return Err(anyhow::Error::new(e).context("writing to standard output"))
            }
            _ => {}
        }
    } else if let Some(target) = target {
        let field = &args.input.text_field;
        let records = original_records(&corpus, &written, field);
        let lost = written
            .iter()
            .filter(|d| !records.contains_key(d) && jsonl_line(&corpus.documents[**d]).is_some())
            .count();
        if lost > 0 {
            eprintln!(
                "lifted: warning: {lost} JSONL record(s) could not be read again (standard input, or a file changed since it was read): written as {{\"id\", \"text\"}}, their other fields dropped; pass the JSONL as a file to keep them"
            );
        }
        target.write(|out| {
            let write =
                |out: &mut dyn Write| write_corpus(&corpus, &written, &texts, &records, field, out);
            match packing {
                Packing::Plain => write(out),
                Packing::Gzip => {
                    let mut packed =
                        flate2::write::GzEncoder::new(out, flate2::Compression::default());
                    write(&mut packed)?;
                    packed.finish().map(drop)
                }
                Packing::Zstd => {
                    let mut packed = zstd::stream::write::Encoder::new(out, 3)?;
                    write(&mut packed)?;
                    packed.finish().map(drop)
                }
            }
        })?;
    }
    if let Some(target) = summary_target {
        target.write(|out| {
            serde_json::to_writer_pretty(&mut *out, &summary)?;
            out.write_all(b"\n")
        })?;
    }
    eprintln!("{}", summary_line(&summary, args.dry_run));
    std::mem::forget(corpus);
    Ok(ExitCode::SUCCESS)
}

/// How the deduplicated JSONL is written, by the --output extension (in any
/// case): `.gz` and `.zst` compressed, as `scan` reads them. It used to be
/// plain JSONL under any name, so `deduped.jsonl.gz` was not gzip.
#[derive(Clone, Copy)]
enum Packing {
    Plain,
    Gzip,
    Zstd,
}

impl Packing {
    fn of(output: &Path) -> Result<Packing> {
        Ok(match extension_of(output).as_deref() {
            Some("gz") => Packing::Gzip,
            Some("zst") => Packing::Zstd,
            Some(kind) if PACKED_KINDS.contains(&kind) => {
                anyhow::bail!(
                    "{}: dedup writes JSONL (plain, .gz or .zst), not .{kind}; name the output .jsonl, .jsonl.gz or .jsonl.zst",
                    output.display()
                )
            }
            _ => Packing::Plain,
        })
    }
}

/// A cut segment as listed; its bytes are those it takes beyond the cuts
/// before it in its document (overlapping windows are not counted twice).
fn segment_removal<'a>(
    removed: &RemovedSegment,
    documents: &'a [lifted::ingest::Document],
    ranges: &[(u32, u32)],
) -> Removal<'a> {
    let text = &documents[removed.span.doc as usize].text;
    let before: Vec<(u32, u32)> = ranges
        .iter()
        .copied()
        .take_while(|&r| r != (removed.span.start, removed.span.end))
        .collect();
    let mut with = before.clone();
    with.push((removed.span.start, removed.span.end));
    let bytes = cut(text, &with).1 - cut(text, &before).1;
    Removal {
        id: &documents[removed.span.doc as usize].id,
        start: Some(removed.span.start),
        end: Some(removed.span.end),
        kept: &documents[removed.kept.doc as usize].id,
        kept_start: Some(removed.kept.start),
        kept_end: Some(removed.kept.end),
        matched: None,
        jaccard: removed.jaccard,
        bytes,
    }
}

/// The records of the kept documents that were read from JSONL files, by
/// document: the original line (no newline, no byte-order mark). A
/// document's origin is `FILE:LINE` for these (see `ingest`); the file is
/// read again, plain or gzip-compressed, and only lines whose text field
/// still holds the document's text are used (a line that changed since, or a
/// text file whose name ends in `:N`, is not).
fn original_records(
    corpus: &Corpus,
    written: &[usize],
    text_field: &str,
) -> HashMap<usize, Vec<u8>> {
    let mut wanted: BTreeMap<&str, Vec<(u64, usize)>> = BTreeMap::new();
    for &d in written {
        if let Some((file, line)) = jsonl_line(&corpus.documents[d]) {
            wanted.entry(file).or_default().push((line, d));
        }
    }
    let mut found = Vec::new();
    for (file, mut lines) in wanted {
        let Ok(opened) = fs::File::open(file) else {
            continue;
        };
        if !opened.metadata().is_ok_and(|m| m.is_file()) {
            continue;
        }
        let name = file.to_ascii_lowercase();
        let input: Box<dyn Read> = if name.ends_with(".gz") {
            Box::new(flate2::read::MultiGzDecoder::new(opened))
        } else if name.ends_with(".zst") {
            // `.jsonl.zst` records used to come back as `{"id", "text"}`,
            // their other fields dropped without a word.
            match zstd::stream::read::Decoder::new(opened) {
                Ok(decoder) => Box::new(decoder),
                Err(_) => continue,
            }
        } else {
            Box::new(opened)
        };
        let mut input = BufReader::new(input);
        lines.sort_unstable();
        let mut next = lines.iter().peekable();
        let (mut number, mut buffer) = (0u64, Vec::new());
        while next.peek().is_some() {
            buffer.clear();
            match input.read_until(b'\n', &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(_) => number += 1,
            }
            while let Some(&&(line, d)) = next.peek() {
                if line > number {
                    break;
                }
                next.next();
                if line < number {
                    continue;
                }
                let bytes = buffer.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buffer);
                let end = bytes.trim_ascii_end().len();
                found.push((d, bytes[..end].to_vec()));
            }
        }
    }
    // Checked in parallel, reading only the text field's value.
    let same = |d: usize, line: &[u8]| -> bool {
        type Fields<'a> = HashMap<String, &'a serde_json::value::RawValue>;
        let Ok(fields) = serde_json::from_slice::<Fields>(line) else {
            return false;
        };
        fields
            .get(text_field)
            .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
            .is_some_and(|text| text.as_bytes() == corpus.documents[d].text)
    };
    let records: HashMap<usize, Vec<u8>> = found
        .into_par_iter()
        .filter(|(d, line)| same(*d, line))
        .collect();
    records
}

/// The file and line of a document read from JSONL (its origin `FILE:LINE`).
fn jsonl_line(document: &lifted::ingest::Document) -> Option<(&str, u64)> {
    let (file, line) = document.origin.rsplit_once(':')?;
    Some((file, line.parse().ok()?))
}

/// The kept documents as JSONL, in input order: a record read from a JSONL
/// file as it was read, byte for byte, or when paragraphs were cut from it,
/// with all its fields (in key order) and the text left in its text field;
/// any other document as `{"id", "text"}`.
fn write_corpus(
    corpus: &Corpus,
    written: &[usize],
    texts: &[Option<std::borrow::Cow<[u8]>>],
    records: &HashMap<usize, Vec<u8>>,
    text_field: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Record<'a> {
        id: &'a str,
        text: &'a str,
    }
    for &d in written {
        let Some(text) = &texts[d] else { continue };
        let text = String::from_utf8_lossy(text);
        let cut = text.len() != corpus.documents[d].text.len();
        let record = records.get(&d);
        match record {
            Some(line) if !cut => out.write_all(line)?,
            Some(line) => {
                let mut record: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_slice(line)?;
                record.insert(
                    text_field.to_string(),
                    serde_json::Value::String(text.into_owned()),
                );
                serde_json::to_writer(&mut *out, &record)?;
            }
            None => serde_json::to_writer(
                &mut *out,
                &Record {
                    id: &corpus.documents[d].id,
                    text: &text,
                },
            )?,
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

fn summary_line(summary: &Summary, dry_run: bool) -> String {
    let verb = if dry_run { "would remove" } else { "removed" };
    let what = if summary.level == "paragraph" {
        let emptied = match summary.documents_removed {
            0 => String::new(),
            n => format!(" ({n} left empty and removed)"),
        };
        format!(
            "{} paragraph(s) from {} document(s){emptied}",
            summary.paragraphs_removed,
            summary
                .removed
                .iter()
                .map(|r| r.id)
                .collect::<std::collections::BTreeSet<_>>()
                .len()
        )
    } else {
        format!(
            "{} of {} document(s)",
            summary.documents_removed, summary.documents
        )
    };
    format!(
        "lifted dedup: {verb} {what}, {} of {} bytes: {}",
        summary.bytes_removed, summary.bytes, summary.reason
    )
}
