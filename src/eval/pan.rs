//! The PAN text alignment corpus format (PAN 2012-2015 at CLEF) and a scan
//! of it scored with [`plagdet`](super::plagdet).
//!
//! A corpus folder holds `susp/` (suspicious documents), `src/` (source
//! documents) and one folder per kind of reuse, each with a `pairs` file
//! (`<susp> <src>` per line) and, for each pair with reuse, an XML file
//! `<susp stem>-<src stem>.xml` whose `<feature name="plagiarism" .../>`
//! elements give the cases in characters (Unicode code points). A folder
//! named `all` that repeats every kind's pairs is skipped; a corpus with no
//! kind folders is read as one kind from its own `pairs` file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use super::plagdet::{score, Outcome, Range, Reuse, Scores};
use crate::error::{Error, Result};
use crate::ingest::{Corpus, Document};
use crate::provenance::{Chronology, Link};
use crate::scan::{scan, NoProgress, Params};

/// One document pair to align, with its cases (none for a negative pair).
#[derive(Debug, Clone, PartialEq)]
pub struct PanPair {
    /// File name of the suspicious document, in `susp/`.
    pub susp: String,
    /// File name of the source document, in `src/`.
    pub src: String,
    /// The reuse cases (suspicious range, source range), in characters.
    pub cases: Vec<Reuse>,
}

/// The pairs of one kind of reuse (one folder).
#[derive(Debug, Clone, PartialEq)]
pub struct PanKind {
    /// The folder's name, such as `02-no-obfuscation`.
    pub name: String,
    /// Its pairs, in the order of its `pairs` file.
    pub pairs: Vec<PanPair>,
}

/// A PAN corpus: where its documents are and its kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct PanCorpus {
    /// The corpus folder.
    pub root: PathBuf,
    /// Kinds, by folder name.
    pub kinds: Vec<PanKind>,
}

fn bad(path: &Path, line: Option<u64>, reason: impl Into<String>) -> Error {
    Error::Benchmark {
        path: path.to_path_buf(),
        line,
        reason: reason.into(),
    }
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|_| bad(path, None, "not UTF-8 text"))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound {
                path: path.to_path_buf(),
            }
        } else {
            Error::Read {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}

/// Read a PAN corpus folder: its kinds, pairs and cases (not the documents).
pub fn read(root: &Path) -> Result<PanCorpus> {
    if !root.is_dir() {
        return Err(if root.exists() {
            bad(
                root,
                None,
                "not a folder; pass a PAN corpus folder (with susp/, src/ and pairs)",
            )
        } else {
            Error::NotFound {
                path: root.to_path_buf(),
            }
        });
    }
    for side in ["susp", "src"] {
        if !root.join(side).is_dir() {
            return Err(bad(
                root,
                None,
                format!("no {side}/ folder; a PAN corpus folder holds susp/, src/ and a pairs file per kind"),
            ));
        }
    }
    let entries = std::fs::read_dir(root).map_err(|source| Error::Read {
        path: root.to_path_buf(),
        source,
    })?;
    let mut folders = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: root.to_path_buf(),
            source,
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        if name != "all" && !name.starts_with('.') && path.join("pairs").is_file() {
            folders.push((name, path));
        }
    }
    folders.sort();
    if folders.is_empty() {
        if !root.join("pairs").is_file() {
            return Err(bad(
                root,
                None,
                "no pairs file, here or in a kind folder; a PAN corpus folder lists `<susp> <src>` pairs in `pairs`",
            ));
        }
        let name = root
            .file_name()
            .map_or_else(|| "all".to_string(), |n| n.to_string_lossy().into_owned());
        folders.push((name, root.to_path_buf()));
    }
    let kinds = folders
        .into_iter()
        .map(|(name, folder)| {
            Ok(PanKind {
                name,
                pairs: read_pairs(&folder)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(PanCorpus {
        root: root.to_path_buf(),
        kinds,
    })
}

/// A kind folder's pairs and their cases.
fn read_pairs(folder: &Path) -> Result<Vec<PanPair>> {
    let list = folder.join("pairs");
    let text = read_text(&list)?;
    let mut pairs = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields[..] {
            [] => continue,
            [susp, src] => {
                let stem = |name: &str| name.strip_suffix(".txt").unwrap_or(name).to_string();
                let xml = folder.join(format!("{}-{}.xml", stem(susp), stem(src)));
                let cases = if xml.is_file() {
                    read_cases(&xml, src)?
                } else {
                    Vec::new()
                };
                pairs.push(PanPair {
                    susp: susp.to_string(),
                    src: src.to_string(),
                    cases,
                });
            }
            _ => {
                return Err(bad(
                    &list,
                    Some(number as u64 + 1),
                    "expected two file names, `<susp> <src>`",
                ))
            }
        }
    }
    Ok(pairs)
}

/// The `plagiarism` features of a PAN XML file whose source is `src`.
fn read_cases(path: &Path, src: &str) -> Result<Vec<Reuse>> {
    let text = read_text(path)?;
    let mut cases = Vec::new();
    let mut rest = text.as_str();
    while let Some(at) = rest.find("<feature") {
        let line = text[..text.len() - rest.len() + at].matches('\n').count() as u64 + 1;
        let element = &rest[at + "<feature".len()..];
        let end = element
            .find('>')
            .ok_or_else(|| bad(path, Some(line), "a <feature element is not closed"))?;
        let attributes = parse_attributes(&element[..end])
            .ok_or_else(|| bad(path, Some(line), "malformed attributes in <feature>"))?;
        rest = &element[end..];
        let get = |name: &str| attributes.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
        if get("name") != Some("plagiarism") {
            continue;
        }
        if get("source_reference").is_some_and(|r| r != src) {
            continue;
        }
        let number = |name: &str| -> Result<u64> {
            get(name)
                .ok_or_else(|| {
                    bad(
                        path,
                        Some(line),
                        format!("a plagiarism feature has no {name}"),
                    )
                })?
                .parse()
                .map_err(|_| bad(path, Some(line), format!("{name} is not a whole number")))
        };
        let (susp_at, susp_len) = (number("this_offset")?, number("this_length")?);
        let (src_at, src_len) = (number("source_offset")?, number("source_length")?);
        cases.push(Reuse::new(
            (susp_at, susp_at + susp_len),
            (src_at, src_at + src_len),
        ));
    }
    Ok(cases)
}

/// `name="value"` pairs (single or double quotes), or `None` if malformed.
fn parse_attributes(text: &str) -> Option<Vec<(&str, &str)>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start().trim_end_matches('/').trim_end();
    while !rest.is_empty() {
        let equals = rest.find('=')?;
        let name = rest[..equals].trim();
        let value = rest[equals + 1..].trim_start();
        let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
        let close = value[1..].find(quote)? + 1;
        out.push((name, &value[1..close]));
        rest = value[close + 1..].trim_start();
    }
    Some(out)
}

/// What to scan at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Each pair alone, as a two-document corpus (the PAN task).
    Pairs,
    /// All documents of one kind as one corpus; a pair's detections are the
    /// links between its two documents.
    Kind,
}

/// Scores of one kind (or of all of them).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KindScores {
    /// The kind's folder name (`overall` for all kinds).
    pub name: String,
    /// Document pairs.
    pub pairs: usize,
    /// Pairs with at least one case.
    pub positive_pairs: usize,
    /// Positive pairs the scan handed to the aligner (candidate generation).
    pub candidate_pairs: usize,
    /// Positive pairs with at least one detection.
    pub linked_pairs: usize,
    /// Pairs without a case.
    pub negative_pairs: usize,
    /// Negative pairs with at least one detection.
    pub false_positive_pairs: usize,
    /// Plagdet and its parts.
    pub scores: Scores,
}

/// The result of [`evaluate`].
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// How the documents were scanned.
    pub scope: Scope,
    /// Per kind, in folder order.
    pub kinds: Vec<KindScores>,
    /// All kinds pooled.
    pub overall: KindScores,
}

/// A pair's detections and whether it reached the aligner.
struct PairResult {
    outcome: Outcome,
    candidate: bool,
}

/// Code points before byte `offset` of `text` (an offset inside a character
/// counts that character as before it).
fn chars_before(text: &[u8], offset: u32) -> u64 {
    let offset = (offset as usize).min(text.len());
    text[..offset]
        .iter()
        .filter(|&&b| (b as i8) >= -0x40)
        .count() as u64
}

fn range_of(text: &[u8], start: u32, end: u32) -> Range {
    Range::new(chars_before(text, start), chars_before(text, end))
}

/// Scan every pair of `corpus` with `params` and score the links against the
/// cases. `progress` is told of each pair done (from worker threads);
/// `cancel` is polled between pairs.
pub fn evaluate(
    corpus: &PanCorpus,
    params: &Params,
    scope: Scope,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Evaluation> {
    let mut kinds = Vec::new();
    let mut all: Vec<(PairResult, bool)> = Vec::new();
    for kind in &corpus.kinds {
        let results = match scope {
            Scope::Pairs => kind
                .pairs
                .par_iter()
                .map(|pair| {
                    if cancel.load(Ordering::Relaxed) {
                        return Err(Error::Interrupted);
                    }
                    let result = scan_pairs(corpus, std::slice::from_ref(pair), params, cancel)?;
                    progress(1);
                    Ok(result.into_iter().next().expect("one pair in, one out"))
                })
                .collect::<Result<Vec<_>>>()?,
            Scope::Kind => {
                let results = scan_pairs(corpus, &kind.pairs, params, cancel)?;
                progress(kind.pairs.len() as u64);
                results
            }
        };
        let results: Vec<(PairResult, bool)> = results
            .into_iter()
            .zip(&kind.pairs)
            .map(|(mut result, pair)| {
                result.outcome.cases = pair.cases.clone();
                let positive = !pair.cases.is_empty();
                (result, positive)
            })
            .collect();
        kinds.push(summarize(&kind.name, &results));
        all.extend(results);
    }
    Ok(Evaluation {
        scope,
        overall: summarize("overall", &all),
        kinds,
    })
}

fn summarize(name: &str, results: &[(PairResult, bool)]) -> KindScores {
    let count = |keep: &dyn Fn(&PairResult, bool) -> bool| {
        results
            .iter()
            .filter(|(r, positive)| keep(r, *positive))
            .count()
    };
    KindScores {
        name: name.to_string(),
        pairs: results.len(),
        positive_pairs: count(&|_, positive| positive),
        candidate_pairs: count(&|r, positive| positive && r.candidate),
        linked_pairs: count(&|r, positive| positive && !r.outcome.detections.is_empty()),
        negative_pairs: count(&|_, positive| !positive),
        false_positive_pairs: count(&|r, positive| !positive && !r.outcome.detections.is_empty()),
        scores: score(results.iter().map(|(r, _)| &r.outcome)),
    }
}

/// Scan the documents of `pairs` as one corpus and read, per pair, the links
/// between its two documents (cases left empty).
fn scan_pairs(
    pan: &PanCorpus,
    pairs: &[PanPair],
    params: &Params,
    cancel: &AtomicBool,
) -> Result<Vec<PairResult>> {
    let mut names: Vec<String> = pairs
        .iter()
        .flat_map(|p| [format!("susp/{}", p.susp), format!("src/{}", p.src)])
        .collect();
    names.sort_unstable();
    names.dedup();
    let documents = names
        .iter()
        .enumerate()
        .map(|(order, id)| {
            let path = pan.root.join(id);
            let text = read_bytes(&path)?;
            if text.len() >= u32::MAX as usize {
                return Err(Error::TooLarge {
                    id: id.clone(),
                    bytes: text.len(),
                });
            }
            Ok(Document {
                id: id.clone(),
                origin: path.display().to_string(),
                order: order as u32,
                text,
                date: None,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let corpus = Corpus {
        documents,
        warnings: Vec::new(),
    };
    let findings = scan(&corpus, params, &Chronology::Unknown, &NoProgress, cancel)?;
    let index = |name: String| {
        names
            .binary_search(&name)
            .expect("every pair's document was read") as u32
    };
    let key = |a: u32, b: u32| (a.min(b), a.max(b));
    let mut links: HashMap<(u32, u32), Vec<&Link>> = HashMap::new();
    for link in &findings.provenance.links {
        links
            .entry(key(link.source.doc, link.target.doc))
            .or_default()
            .push(link);
    }
    let mut candidates: Vec<(u32, u32)> = findings
        .document_pairs
        .iter()
        .map(|&(a, b)| key(a, b))
        .collect();
    candidates.sort_unstable();
    Ok(pairs
        .iter()
        .map(|pair| {
            let (susp, src) = (
                index(format!("susp/{}", pair.susp)),
                index(format!("src/{}", pair.src)),
            );
            let (susp_text, src_text) = (
                &corpus.documents[susp as usize].text,
                &corpus.documents[src as usize].text,
            );
            let mut detections: Vec<Reuse> = links
                .get(&key(susp, src))
                .into_iter()
                .flatten()
                .map(|link| {
                    let (s, r) = if link.source.doc == susp {
                        (link.source, link.target)
                    } else {
                        (link.target, link.source)
                    };
                    Reuse {
                        susp: range_of(susp_text, s.start, s.end),
                        src: range_of(src_text, r.start, r.end),
                    }
                })
                .collect();
            detections.sort_unstable();
            PairResult {
                outcome: Outcome {
                    cases: Vec::new(),
                    detections,
                },
                candidate: candidates.binary_search(&key(susp, src)).is_ok(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_are_parsed_with_either_quote() {
        assert_eq!(
            parse_attributes(r#" name="plagiarism" this_offset='12' /"#),
            Some(vec![("name", "plagiarism"), ("this_offset", "12")])
        );
        assert_eq!(parse_attributes(r#" name="unclosed "#), None);
    }

    #[test]
    fn byte_offsets_become_code_points() {
        let text = "né à Paris".as_bytes();
        // "n" 1 byte, "é" 2, " " 1, "à" 2: byte 7 is the space after "à".
        assert_eq!(chars_before(text, 0), 0);
        assert_eq!(chars_before(text, 3), 2);
        assert_eq!(chars_before(text, 7), 5);
        assert_eq!(range_of(text, 7, text.len() as u32), Range::new(5, 10));
        // Inside "é": counted as before.
        assert_eq!(chars_before(text, 2), 2);
    }
}
