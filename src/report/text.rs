//! Text writer: a summary first, one line per document that lifted anything,
//! by share lifted, with its main source (the document credited with most of
//! its lifted bytes) and that share; then, with `--details` or for the
//! documents named with `--doc`, each one's lifted spans with excerpts, and
//! the near-duplicate segment pairs. A corpus with 100,000 links still gives
//! a summary one screen per few dozen documents (issue 14).
//!
//! Meant for a terminal: every id, date, title, excerpt and warning goes
//! through [`for_terminal`], so a document or a file name cannot send control
//! sequences to it; the only escape sequences written are the report's own
//! colours ([`TextOptions::color`]). With `--pairs-only` there is no
//! provenance: a summary line, then the pairs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::escape::for_terminal;
use super::{union_length, DocumentEntry, LinkEntry, Report, SpanEntry};
use crate::ingest::Corpus;

/// Links into one document, grouped by (other document, directed): each with
/// the span here and the span there.
type Incoming<'r> = BTreeMap<(&'r str, bool), Vec<(&'r LinkEntry, &'r SpanEntry, &'r SpanEntry)>>;

/// Documents named one by one in the summary's line of documents with
/// nothing lifted; beyond, they are only counted.
const QUIET_NAMED: usize = 10;

/// What the text report shows.
#[derive(Debug, Clone, Default)]
pub struct TextOptions {
    /// Every document's spans (`--details`).
    pub details: bool,
    /// The spans of these documents (`--doc`).
    pub docs: Vec<String>,
    /// ANSI colours (`--color`).
    pub color: bool,
    /// Characters per excerpt (`--excerpt`; 0: none).
    pub excerpt: usize,
}

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

    /// The first `limit` characters of the span's text, whitespace
    /// collapsed, with an ellipsis when it goes on.
    pub fn excerpt(&self, span: &SpanEntry, limit: usize) -> String {
        let Some(i) = self.index(&span.doc) else {
            return String::new();
        };
        let text = &self.corpus.documents[i].text;
        let end = (span.end as usize).min(text.len());
        let start = (span.start as usize).min(end);
        super::offsets::excerpt(&text[start..end], limit)
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

/// ANSI colours, or none.
#[derive(Clone, Copy)]
struct Paint(bool);

impl Paint {
    fn paint(self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn bold(self, text: &str) -> String {
        self.paint("1", text)
    }

    fn dim(self, text: &str) -> String {
        self.paint("2", text)
    }

    /// A share lifted: red from a half, yellow from a tenth.
    fn share(self, share: f64) -> String {
        let code = if share >= 0.5 {
            "1;31"
        } else if share >= 0.1 {
            "33"
        } else {
            "32"
        };
        self.paint(code, &format!("{:>6}", percent(share)))
    }
}

fn percent(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// Write the text report with the default options (summary only, no colour,
/// excerpts of [`super::EXCERPT`] characters).
pub fn write(report: &Report, corpus: &Corpus, out: &mut dyn Write) -> io::Result<()> {
    let options = TextOptions {
        excerpt: super::EXCERPT,
        ..TextOptions::default()
    };
    write_with(report, corpus, &options, out)
}

/// Write the text report.
pub fn write_with(
    report: &Report,
    corpus: &Corpus,
    options: &TextOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let texts = Texts::new(corpus);
    let paint = Paint(options.color);
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
        writeln!(out, "{} {warning}", paint.paint("33", "warning:"))?;
    }
    if report.parameters.pairs_only {
        return pairs(report, &texts, options, paint, |_| true, out);
    }
    summary(report, paint, out)?;
    let shown = |id: &str| options.details || options.docs.iter().any(|d| d == id);
    // The links touching each document, found once: going through every
    // link for every document took time quadratic in the corpus.
    let mut touching: Vec<Vec<usize>> = vec![Vec::new(); report.documents.len()];
    for (i, link) in report.links.iter().enumerate() {
        if let Some(t) = report.document_index(&link.target.doc) {
            touching[t].push(i);
        }
        if link.source.doc != link.target.doc {
            if let Some(s) = report.document_index(&link.source.doc) {
                touching[s].push(i);
            }
        }
    }
    let mut hidden = 0;
    for (index, document) in report.documents.iter().enumerate() {
        if shown(&document.id) {
            let links = touching[index].iter().map(|&i| &report.links[i]);
            write_document(&texts, options, paint, document, links, out)?;
        } else if document.lifted_bytes > 0 {
            hidden += 1;
        }
    }
    if options.details || !options.docs.is_empty() {
        let named = |pair: &super::PairEntry| shown(&pair.a.doc) || shown(&pair.b.doc);
        pairs(report, &texts, options, paint, named, out)?;
    } else if hidden > 0 || !report.pairs.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            paint.dim(&format!(
                "spans and excerpts: --details (every document) or --doc ID; {} near-duplicate segment pairs: --details, or the JSON or CSV report",
                report.pairs.len()
            ))
        )?;
    }
    Ok(())
}

/// Documents that lifted anything, by share lifted (then id), each with its
/// main source; then those with nothing lifted.
fn summary(report: &Report, paint: Paint, out: &mut dyn Write) -> io::Result<()> {
    let mut lifted: Vec<&DocumentEntry> = report
        .documents
        .iter()
        .filter(|d| d.lifted_bytes > 0)
        .collect();
    lifted.sort_by(|a, b| {
        b.lifted_share
            .total_cmp(&a.lifted_share)
            .then_with(|| a.id.cmp(&b.id))
    });
    writeln!(out)?;
    if lifted.is_empty() {
        writeln!(out, "nothing lifted between the documents")?;
    } else {
        writeln!(
            out,
            "documents by share lifted, with their main source (share of the lifted bytes credited to it):"
        )?;
    }
    for document in &lifted {
        let main = document
            .main_source
            .as_ref()
            .map(|m| {
                format!(
                    "  main source {} ({})",
                    paint.paint("36", &for_terminal(&m.doc)),
                    percent(m.share)
                )
            })
            .unwrap_or_default();
        writeln!(
            out,
            "  {}  {}{}  {} of {} bytes{main}{}",
            paint.share(document.lifted_share),
            paint.bold(&for_terminal(&document.id)),
            dated(document),
            document.lifted_bytes,
            document.bytes,
            address(document)
        )?;
    }
    let quiet: Vec<&DocumentEntry> = report
        .documents
        .iter()
        .filter(|d| d.lifted_bytes == 0)
        .collect();
    if !quiet.is_empty() && !lifted.is_empty() {
        let names = if quiet.len() <= QUIET_NAMED {
            let ids: Vec<String> = quiet
                .iter()
                .map(|d| for_terminal(&d.id).into_owned())
                .collect();
            format!(": {}", ids.join(", "))
        } else {
            String::new()
        };
        writeln!(
            out,
            "  {} {} with nothing lifted{names}",
            quiet.len(),
            if quiet.len() == 1 {
                "document"
            } else {
                "documents"
            }
        )?;
    }
    Ok(())
}

/// A document's date and manifest title, each after two spaces.
fn dated(document: &DocumentEntry) -> String {
    let mut label = String::new();
    if let Some(date) = &document.date {
        label.push_str(&format!("  {}", for_terminal(date)));
    }
    if let Some(title) = &document.title {
        label.push_str(&format!("  \"{}\"", for_terminal(title)));
    }
    label
}

/// A document's manifest address, after two spaces.
fn address(document: &DocumentEntry) -> String {
    document
        .url
        .as_ref()
        .map(|url| format!("  <{}>", for_terminal(url)))
        .unwrap_or_default()
}

/// The near-duplicate segment pairs that `keep` accepts.
fn pairs(
    report: &Report,
    texts: &Texts,
    options: &TextOptions,
    paint: Paint,
    keep: impl Fn(&super::PairEntry) -> bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let kept: Vec<&super::PairEntry> = report.pairs.iter().filter(|p| keep(p)).collect();
    if kept.is_empty() {
        if report.parameters.pairs_only {
            writeln!(out)?;
            writeln!(
                out,
                "no near-duplicate segments (Jaccard >= {})",
                report.parameters.threshold
            )?;
        }
        return Ok(());
    }
    writeln!(out)?;
    writeln!(
        out,
        "near-duplicate segments (Jaccard >= {}):",
        report.parameters.threshold
    )?;
    for pair in kept {
        writeln!(
            out,
            "  {} {}  ~  {} {}  jaccard {:.3}, containment {:.3}",
            paint.bold(&for_terminal(&pair.a.doc)),
            texts.place(&pair.a),
            paint.bold(&for_terminal(&pair.b.doc)),
            texts.place(&pair.b),
            pair.jaccard,
            pair.containment
        )?;
        if options.excerpt > 0 {
            for span in [&pair.a, &pair.b] {
                let excerpt = texts.excerpt(span, options.excerpt);
                writeln!(
                    out,
                    "      {}",
                    paint.dim(&format!("\"{}\"", for_terminal(&excerpt)))
                )?;
            }
        }
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

/// One document: its share lifted, then its links (`touching`: those with
/// an end in it) grouped by origin.
fn write_document<'r>(
    texts: &Texts,
    options: &TextOptions,
    paint: Paint,
    document: &DocumentEntry,
    touching: impl Iterator<Item = &'r LinkEntry>,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Incoming links: those whose target is this document, plus undirected ones touching it.
    let mut by_origin: Incoming = BTreeMap::new();
    for link in touching {
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
    writeln!(
        out,
        "{}{}  {} bytes  {} lifted ({} bytes){}",
        paint.bold(&for_terminal(&document.id)),
        dated(document),
        document.bytes,
        percent(document.lifted_share),
        document.lifted_bytes,
        address(document)
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
            "  {verb} {}: {here} bytes ({} of this document) in {} span(s), from {there} bytes of {origin}",
            paint.paint("36", &origin),
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
            if options.excerpt > 0 {
                let excerpt = texts.excerpt(here, options.excerpt);
                writeln!(
                    out,
                    "      {}",
                    paint.dim(&format!("\"{}\"", for_terminal(&excerpt)))
                )?;
            }
        }
    }
    Ok(())
}
