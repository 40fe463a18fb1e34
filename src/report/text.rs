//! Text writer: per document, how much of it was lifted and from where, with
//! excerpts; then the near-duplicate segment pairs. Meant for a terminal: every
//! id, date, excerpt and warning goes through [`for_terminal`], so a document
//! or a file name cannot send control sequences to it. With `--pairs-only`
//! there is no provenance: a summary line, then the pairs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape::for_terminal;
use super::{union_length, LinkEntry, Report, SpanEntry};
use crate::ingest::Corpus;

/// Links into one document, grouped by (other document, directed): each with
/// the span here and the span there.
type Incoming<'r> = BTreeMap<(&'r str, bool), Vec<(&'r LinkEntry, &'r SpanEntry, &'r SpanEntry)>>;

/// Longest excerpt, in characters.
const EXCERPT: usize = 110;

/// Line numbers and excerpts of the documents, looked up by id.
pub struct Texts<'a> {
    corpus: &'a Corpus,
    lines: Vec<Vec<u32>>,
}

impl<'a> Texts<'a> {
    /// Index the corpus's line starts.
    pub fn new(corpus: &'a Corpus) -> Texts<'a> {
        let lines = corpus
            .documents
            .iter()
            .map(|d| {
                std::iter::once(0)
                    .chain(memchr::memchr_iter(b'\n', &d.text).map(|i| i as u32 + 1))
                    .collect()
            })
            .collect();
        Texts { corpus, lines }
    }

    fn index(&self, id: &str) -> Option<usize> {
        self.corpus
            .documents
            .binary_search_by(|d| d.id.as_str().cmp(id))
            .ok()
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, id: &str, offset: u32) -> usize {
        self.index(id)
            .map(|i| self.lines[i].partition_point(|&start| start <= offset))
            .unwrap_or(0)
    }

    /// The span's text, whitespace collapsed, shortened with an ellipsis.
    pub fn excerpt(&self, span: &SpanEntry) -> String {
        let Some(i) = self.index(&span.doc) else {
            return String::new();
        };
        let text = &self.corpus.documents[i].text;
        let end = (span.end as usize).min(text.len());
        let start = (span.start as usize).min(end);
        let raw = String::from_utf8_lossy(&text[start..end]);
        let collapsed: Vec<&str> = raw.split_whitespace().collect();
        let collapsed = collapsed.join(" ");
        if collapsed.chars().count() <= EXCERPT {
            collapsed
        } else {
            let short: String = collapsed.chars().take(EXCERPT).collect();
            format!("{short}…")
        }
    }

    fn place(&self, span: &SpanEntry) -> String {
        let (first, last) = (
            self.line(&span.doc, span.start),
            self.line(&span.doc, span.end.saturating_sub(1)),
        );
        let lines = if first == last {
            format!("line {first}")
        } else {
            format!("lines {first}-{last}")
        };
        format!("{lines}, bytes {}-{}", span.start, span.end)
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Write the text report.
pub fn write(report: &Report, corpus: &Corpus, out: &mut dyn Write) -> io::Result<()> {
    let texts = Texts::new(corpus);
    let s = &report.stats;
    if report.parameters.pairs_only {
        writeln!(
            out,
            "lifted --pairs-only: {} documents, {} segments; {} near-duplicate segment pairs in {} documents (no span alignment, no provenance)",
            report.documents.len(),
            s.segments,
            report.pairs.len(),
            documents_in_pairs(report)
        )?;
    } else {
        writeln!(
            out,
            "lifted: {} documents, {} segments; {} passages, {} links (dates: {}); {} near-duplicate segment pairs",
            report.documents.len(),
            s.segments,
            report.passages.len(),
            report.links.len(),
            report.parameters.chronology,
            report.pairs.len()
        )?;
    }
    for warning in &report.warnings {
        writeln!(out, "warning: {warning}")?;
    }
    if !report.parameters.pairs_only {
        for document in &report.documents {
            write_document(report, &texts, document, out)?;
        }
    }
    if !report.pairs.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "near-duplicate segments (Jaccard >= {}):",
            report.parameters.threshold
        )?;
        for pair in &report.pairs {
            writeln!(
                out,
                "  {} {}  ~  {} {}  jaccard {:.3}, containment {:.3}",
                for_terminal(&pair.a.doc),
                texts.place(&pair.a),
                for_terminal(&pair.b.doc),
                texts.place(&pair.b),
                pair.jaccard,
                pair.containment
            )?;
            writeln!(out, "      \"{}\"", for_terminal(&texts.excerpt(&pair.a)))?;
            writeln!(out, "      \"{}\"", for_terminal(&texts.excerpt(&pair.b)))?;
        }
    } else if report.parameters.pairs_only {
        writeln!(out)?;
        writeln!(
            out,
            "no near-duplicate segments (Jaccard >= {})",
            report.parameters.threshold
        )?;
    }
    Ok(())
}

/// Documents with at least one near-duplicate segment.
fn documents_in_pairs(report: &Report) -> usize {
    let mut ids: Vec<&str> = report
        .pairs
        .iter()
        .flat_map(|p| [p.a.doc.as_str(), p.b.doc.as_str()])
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.len()
}

/// One document: its share lifted, then its links grouped by origin.
fn write_document(
    report: &Report,
    texts: &Texts,
    document: &super::DocumentEntry,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Incoming links: those whose target is this document, plus undirected ones touching it.
    let mut by_origin: Incoming = BTreeMap::new();
    for link in &report.links {
        if link.target.doc == document.id {
            by_origin
                .entry((&link.source.doc, link.directed))
                .or_default()
                .push((link, &link.target, &link.source));
        } else if !link.directed && link.source.doc == document.id {
            by_origin
                .entry((&link.target.doc, false))
                .or_default()
                .push((link, &link.source, &link.target));
        }
    }
    writeln!(out)?;
    let date = document
        .date
        .as_deref()
        .map(|d| format!("  {}", for_terminal(d)))
        .unwrap_or_default();
    writeln!(
        out,
        "{}{}  {} bytes  {} lifted ({} bytes)",
        for_terminal(&document.id),
        date,
        document.bytes,
        percent(document.lifted_share),
        document.lifted_bytes
    )?;
    if by_origin.is_empty() {
        writeln!(out, "  nothing lifted from the other documents")?;
    }
    for ((origin, directed), mut links) in by_origin {
        let here = union_length(links.iter().map(|(_, h, _)| (h.start, h.end)).collect());
        let there = union_length(links.iter().map(|(_, _, t)| (t.start, t.end)).collect());
        let verb = if directed {
            "from"
        } else {
            "shared with (direction unknown)"
        };
        let origin = for_terminal(origin);
        writeln!(
            out,
            "  {verb} {origin}: {here} bytes ({} of this document) in {} span(s), from {there} bytes of {origin}",
            percent(here as f64 / document.bytes.max(1) as f64),
            links.len()
        )?;
        links.sort_by_key(|(_, here, _)| (here.start, here.end));
        for (link, here, there) in links {
            writeln!(
                out,
                "    {}  <-  {} {}  ({} words, {} similar, {} edits)",
                texts.place(here),
                origin,
                texts.place(there),
                link.words,
                percent(link.similarity),
                link.edits
            )?;
            writeln!(out, "      \"{}\"", for_terminal(&texts.excerpt(here)))?;
        }
    }
    Ok(())
}
