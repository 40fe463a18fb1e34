//! HTML writer: self-contained pages (inline CSS, no script, no external
//! assets, a Content-Security-Policy that forbids any fetch) for a
//! fact-checker: a summary table of the documents (with their manifest titles
//! and addresses), a legend of colors by source document, then each
//! document's text with its lifted spans highlighted and, beside it, a
//! numbered list of those spans with their sources (document, lines, bytes,
//! similarity, words, edits, excerpt) linked to the source document's text,
//! where the source span is itself marked.
//!
//! Two layouts ([`Site`]): one page holding everything (`--output map.html`),
//! or a folder (`--output DIR/`) with `index.html` (summary and legend) and
//! one page per document that has lifted or reused text (`doc-{n}.html`, `n`
//! its position in the report's documents), so that a map of 100,000 links
//! opens page by page instead of as one page of hundreds of MB (issue 14).
//! The summary and notes are in [`index`], the marked text in [`page`].
//!
//! Every end of every link is one element with an id: `t{i}` for the target
//! end of link `i` (in `report.links` order), `s{i}` for its source end. In a
//! document's text:
//!
//! - `<mark class="lifted">`: the target of a directed link (lifted from the
//!   document named in its `title`), background in the source's color;
//! - `<mark class="lifted shared">`: either end of an undirected link (shared
//!   with another document, direction unknown), striped;
//! - `<mark class="source">`: the source end of a directed link (this text was
//!   reused elsewhere), underlined in this document's color.
//!
//! Spans may overlap or cross. The writer keeps its tags properly nested: a
//! span still open when an inner one must close is closed and reopened as a
//! continuation piece (`mark.more-lifted`, `mark.more-shared`,
//! `mark.more-source`: no id, no `lifted` class, no other attribute: the
//! markup of a span is written once), so `mark.lifted` counts the lifted span
//! ends exactly. Nesting is capped at [`MAX_DEPTH`] so the work
//! stays linear however many spans pile up on the same text; a span that
//! starts deeper is written as an empty marker (still with its id and note
//! number). Offsets are clamped to the text and moved off UTF-8 continuation
//! bytes, so no span can split a character, and invalid UTF-8 reads as U+FFFD.
//!
//! Output is deterministic: everything is sorted, nothing depends on time,
//! hashing or thread count.

mod index;
mod page;
#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::for_terminal;
use super::text::Texts;
use super::{Report, SpanEntry};
use crate::ingest::Corpus;

/// Deepest nesting of highlight elements; deeper spans become empty markers.
pub const MAX_DEPTH: usize = 12;

/// Most sources (or reusers) named per document in the summary table.
const MAIN: usize = 3;

/// Characters of an excerpt's head and tail when it is shortened.
const HEAD: usize = 140;
const TAIL: usize = 60;

/// Escape text for HTML content and attributes. Control characters and
/// noncharacters (parse errors in HTML5, even as character references) are
/// replaced: C0 controls by their Control Pictures symbol (U+2400 + code),
/// DEL by U+2421, the others by U+FFFD. Tab, line feed, form feed and
/// carriage return are kept.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape_into(&mut out, text);
    out
}

/// [`escape`], appending to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find(needs_escape) {
        out.push_str(&rest[..i]);
        let c = rest[i..].chars().next().unwrap_or('\u{FFFD}');
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\u{0}'..='\u{1F}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}')),
            '\u{7F}' => out.push('\u{2421}'),
            _ => out.push('\u{FFFD}'),
        }
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
}

fn needs_escape(c: char) -> bool {
    match c {
        '&' | '<' | '>' | '"' | '\'' | '\u{7F}'..='\u{9F}' => true,
        '\t' | '\n' | '\u{C}' | '\r' => false,
        '\u{0}'..='\u{1F}' => true,
        '\u{FDD0}'..='\u{FDEF}' => true,
        _ => (c as u32) & 0xFFFE == 0xFFFE,
    }
}

/// A name (document id, path, date) as page content: control and bidirectional
/// formatting characters shown as visible escapes (`\u{202e}`, as in the text
/// report), so that a file name cannot pass for another, and the whole in a
/// `<bdi>` element, so that a right-to-left name cannot reorder the text
/// around it (issue 13).
fn name_into(page: &mut String, name: &str) {
    page.push_str("<bdi>");
    escape_into(page, &for_terminal(name));
    page.push_str("</bdi>");
}

/// A name in an attribute value: visible escapes, then HTML escaping (quotes
/// and `<` included).
fn attribute_into(page: &mut String, name: &str) {
    escape_into(page, &for_terminal(name));
}

/// Escape raw bytes (invalid UTF-8 reads as U+FFFD).
fn escape_bytes(out: &mut String, bytes: &[u8]) {
    escape_into(out, &String::from_utf8_lossy(bytes));
}

/// Hue of a document's color, spread around the circle.
fn hue(index: usize) -> usize {
    (index * 137) % 360
}

/// Whether a byte is a UTF-8 continuation byte (never the start of a character).
fn continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// `offset` clamped to the text and moved back to the start of its character.
/// At most three bytes back: a longer run of continuation bytes is invalid
/// UTF-8 anyway (each reads as U+FFFD), and this keeps the work bounded.
fn floor_boundary(text: &[u8], offset: u32) -> usize {
    let mut i = (offset as usize).min(text.len());
    let mut steps = 0;
    while i > 0 && i < text.len() && continuation(text[i]) && steps < 3 {
        i -= 1;
        steps += 1;
    }
    i
}

/// `offset` clamped to the text and moved forward past the character it is in.
fn ceil_boundary(text: &[u8], offset: u32) -> usize {
    let mut i = (offset as usize).min(text.len());
    let mut steps = 0;
    while i < text.len() && continuation(text[i]) && steps < 3 {
        i += 1;
        steps += 1;
    }
    i
}

/// What one end of a link is, seen from its own document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// Target of a directed link: lifted from the other end.
    Lifted,
    /// Either end of an undirected link.
    Shared,
    /// Source of a directed link: reused at the other end.
    Source,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Lifted => "lifted",
            Kind::Shared => "lifted shared",
            Kind::Source => "source",
        }
    }

    fn more(self) -> &'static str {
        match self {
            Kind::Lifted => "more-lifted",
            Kind::Shared => "more-shared",
            Kind::Source => "more-source",
        }
    }
}

/// One end of a link, in its document.
struct End<'r> {
    link: usize,
    kind: Kind,
    /// Whether this is the link's target end (id `t{link}`) or source end (`s{link}`).
    target: bool,
    /// The span here and the span at the other end.
    here: &'r SpanEntry,
    there: &'r SpanEntry,
    /// Index of the other end's document in `report.documents`.
    other: Option<usize>,
    /// Clamped byte range, on character boundaries.
    start: usize,
    end: usize,
    /// Note number in the document (1-based, in text order).
    number: usize,
}

impl End<'_> {
    fn id(&self) -> String {
        format!("{}{}", if self.target { 't' } else { 's' }, self.link)
    }

    fn other_id(&self) -> String {
        format!("{}{}", if self.target { 's' } else { 't' }, self.link)
    }

    fn note_id(&self) -> String {
        format!("n{}", self.id())
    }

    /// Index of the color: the other document for lifted and shared text,
    /// this document for text reused elsewhere.
    fn color(&self, this: usize) -> Option<usize> {
        match self.kind {
            Kind::Source => Some(this),
            _ => self.other,
        }
    }
}

fn color_class(color: Option<usize>) -> String {
    color.map(|c| format!(" c{c}")).unwrap_or_default()
}

fn percent(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1}%", x * 100.0)
    } else {
        "?".to_string()
    }
}

/// A shortened excerpt of a span of a text, whitespace collapsed: the head
/// and, for long spans, the tail. Reads a bounded number of bytes.
fn excerpt(text: &[u8], start: u32, end: u32) -> String {
    let start = floor_boundary(text, start);
    let end = ceil_boundary(text, end).max(start);
    let collapse = |bytes: &[u8]| -> String {
        String::from_utf8_lossy(bytes)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let budget = 4 * (HEAD + TAIL) + 8;
    if end - start <= budget {
        let all = collapse(&text[start..end]);
        let count = all.chars().count();
        if count <= HEAD + TAIL + 5 {
            return all;
        }
        let head: String = all.chars().take(HEAD).collect();
        let tail: String = all.chars().skip(count - TAIL).collect();
        return format!("{head} … {tail}");
    }
    let head_end = floor_boundary(text, (start + 4 * HEAD) as u32).max(start);
    let tail_start = ceil_boundary(text, (end - 4 * TAIL) as u32).clamp(head_end, end);
    let head: String = collapse(&text[start..head_end])
        .chars()
        .take(HEAD)
        .collect();
    let tail = collapse(&text[tail_start..end]);
    let skip = tail.chars().count().saturating_sub(TAIL);
    let tail: String = tail.chars().skip(skip).collect();
    format!("{head} … {tail}")
}

fn lines(texts: &Texts, span: &SpanEntry) -> String {
    let first = texts.line(&span.doc, span.start);
    let last = texts.line(&span.doc, span.end.saturating_sub(1).max(span.start));
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}–{last}")
    }
}

const STYLE: &str = "\
:root{color-scheme:light}\
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:96em;padding:0 1.5em;color:#222;background:#fff}\
h1{font-size:1.4em}h2{font-size:1.15em;margin:0;padding:.4em 0}\
a{color:#1a4f9c}\
.meta,.params{color:#555;font-size:.85em}\
table.summary{border-collapse:collapse;font-size:.9em;width:100%}\
.summary th,.summary td{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}\
.summary td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.bar{display:inline-block;width:5em;height:.6em;background:#eee;margin-left:.4em;vertical-align:middle}\
.bar span{display:block;height:100%;background:#c33}\
.legend{display:flex;flex-wrap:wrap;gap:.4em 1.2em;font-size:.85em;padding:0;list-style:none}\
.swatch{display:inline-block;width:1em;height:1em;border-radius:.2em;vertical-align:-.15em;margin-right:.3em;background:var(--c)}\
.key{padding:0 .3em}.c-key{--c:#ffd27a;--d:#a06a00}\
section.document{border-top:2px solid #bbb;margin-top:2em}\
.doc{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5em}\
.text{white-space:pre-wrap;overflow-wrap:anywhere;line-height:1.55;font-family:Georgia,serif}\
mark{color:inherit;background:none;border-radius:.15em}\
mark.lifted,mark.more-lifted,.key-lifted{background:var(--c)}\
mark.shared,mark.more-shared,.key-shared{background:repeating-linear-gradient(-45deg,var(--c) 0 .45em,#fff .45em .6em);outline:1px dashed #777}\
mark.source,mark.more-source,.key-source{background:none;border-bottom:.2em solid var(--d)}\
mark:target{outline:2px solid #d00;outline-offset:1px}\
a.ref{font:bold .7em system-ui,sans-serif;vertical-align:super;text-decoration:none;user-select:none}\
a.ref::after{content:'[' attr(data-n) ']'}\
.side{font-size:.85em;position:sticky;top:0;align-self:start;max-height:100vh;overflow-y:auto}\
ol.notes{list-style:none;padding:0;margin:0}\
.note{border-left:.45em solid var(--c);padding:.3em .6em;margin:.5em 0;background:#fafafa;overflow-wrap:anywhere}\
.note.source{border-left-style:dotted;border-left-color:var(--d)}\
.note.shared{border-left-style:dashed}\
.note:target{background:#fff6cc}\
.note .n{font-weight:bold;margin-right:.3em}\
.note blockquote{margin:.3em 0 0;font-family:Georgia,serif;color:#333}\
.note .figures{color:#555}\
.none{color:#777;font-style:italic}\
@media print{.doc{display:block}.side{position:static;max-height:none}}";

/// Whether everything is on one page or each document has its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One page: links are fragments (`#doc-3`, `#t5`).
    Single,
    /// A folder: `index.html` and `doc-{n}.html` pages.
    Folder,
}

/// A page of a folder report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// `index.html`: the summary and the legend.
    Index,
    /// `doc-{n}.html`: the text of the `n`th document of the report.
    Document(usize),
}

impl Page {
    /// The page's file name in the folder.
    pub fn file_name(self) -> String {
        match self {
            Page::Index => "index.html".to_string(),
            Page::Document(n) => format!("doc-{n}.html"),
        }
    }
}

/// Everything the pages are drawn from, prepared once: the documents' texts
/// and line starts, and every link end grouped by its document.
pub struct Site<'a> {
    report: &'a Report,
    texts: Texts<'a>,
    text_of: Vec<Option<&'a [u8]>>,
    ends: Vec<Vec<End<'a>>>,
    /// Documents that color a span or a note, or are named in one.
    colored: Vec<bool>,
    layout: Layout,
}

/// Write the report as one HTML page.
pub fn write(report: &Report, corpus: &Corpus, out: &mut dyn Write) -> io::Result<()> {
    Site::new(report, corpus, false).write_single(out)
}

impl<'a> Site<'a> {
    /// Prepare the pages of `report`: one page, or a folder of pages.
    pub fn new(report: &'a Report, corpus: &'a Corpus, folder: bool) -> Site<'a> {
        let documents = &report.documents;
        let empty: &[u8] = &[];
        // The text of each document of the report, looked up by id.
        let text_of: Vec<Option<&[u8]>> = documents
            .iter()
            .map(|d| {
                corpus
                    .documents
                    .binary_search_by(|c| c.id.as_str().cmp(&d.id))
                    .ok()
                    .map(|i| corpus.documents[i].text.as_slice())
            })
            .collect();

        // Every link end, grouped by its document: one pass over the links.
        let mut ends: Vec<Vec<End>> = (0..documents.len()).map(|_| Vec::new()).collect();
        for (i, link) in report.links.iter().enumerate() {
            let t = report.document_index(&link.target.doc);
            let s = report.document_index(&link.source.doc);
            let (target_kind, source_kind) = if link.directed {
                (Kind::Lifted, Kind::Source)
            } else {
                (Kind::Shared, Kind::Shared)
            };
            for (doc, other, target, kind, here, there) in [
                (t, s, true, target_kind, &link.target, &link.source),
                (s, t, false, source_kind, &link.source, &link.target),
            ] {
                let Some(doc) = doc else { continue };
                let text = text_of[doc].unwrap_or(empty);
                let start = floor_boundary(text, here.start);
                let end = ceil_boundary(text, here.end).max(start);
                ends[doc].push(End {
                    link: i,
                    kind,
                    target,
                    here,
                    there,
                    other,
                    start,
                    end,
                    number: 0,
                });
            }
        }
        for list in &mut ends {
            list.sort_by(|a, b| {
                (a.start, std::cmp::Reverse(a.end), a.kind, a.link, !a.target).cmp(&(
                    b.start,
                    std::cmp::Reverse(b.end),
                    b.kind,
                    b.link,
                    !b.target,
                ))
            });
            for (n, end) in list.iter_mut().enumerate() {
                end.number = n + 1;
            }
        }
        let mut colored = vec![false; documents.len()];
        for (doc, list) in ends.iter().enumerate() {
            for end in list {
                for c in [end.color(doc), end.other].into_iter().flatten() {
                    colored[c] = true;
                }
            }
        }
        Site {
            report,
            texts: Texts::new(corpus),
            text_of,
            ends,
            colored,
            layout: if folder {
                Layout::Folder
            } else {
                Layout::Single
            },
        }
    }

    /// The pages of a folder report: the index, then one per document that
    /// has lifted or reused text, in the report's order.
    pub fn pages(&self) -> Vec<Page> {
        std::iter::once(Page::Index)
            .chain(
                (0..self.ends.len())
                    .filter(|&i| self.has_page(i))
                    .map(Page::Document),
            )
            .collect()
    }

    /// Whether document `doc` is shown: always on one page; in a folder only
    /// when it has lifted or reused text (the others are rows of the index).
    fn has_page(&self, doc: usize) -> bool {
        self.layout == Layout::Single || !self.ends[doc].is_empty()
    }

    /// The address of document `doc`'s text, if it is shown.
    fn doc_href(&self, doc: usize) -> Option<String> {
        match self.layout {
            Layout::Single => Some(format!("#doc-{doc}")),
            Layout::Folder => self.has_page(doc).then(|| Page::Document(doc).file_name()),
        }
    }

    /// The address of the element `id` in document `doc`'s text, seen from
    /// the page of document `from`.
    fn end_href(&self, doc: usize, id: &str, from: usize) -> String {
        match self.layout {
            Layout::Folder if doc != from => format!("{}#{id}", Page::Document(doc).file_name()),
            _ => format!("#{id}"),
        }
    }

    /// The address of the summary.
    fn summary_href(&self) -> &'static str {
        match self.layout {
            Layout::Single => "#summary",
            Layout::Folder => "index.html#summary",
        }
    }

    /// Write everything as one page.
    pub fn write_single(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut page = String::new();
        self.front(&mut page);
        out.write_all(page.as_bytes())?;
        for index in 0..self.ends.len() {
            page.clear();
            self.section(&mut page, index);
            out.write_all(page.as_bytes())?;
        }
        out.write_all(b"</main>\n</body>\n</html>\n")
    }

    /// Write one page of a folder report.
    pub fn write_page(&self, which: Page, out: &mut dyn Write) -> io::Result<()> {
        let mut page = String::new();
        match which {
            Page::Index => return self.write_index(out),
            Page::Document(index) => {
                // Only the colors this document's spans and notes use.
                let mut colors: Vec<usize> = self.ends[index]
                    .iter()
                    .flat_map(|e| [e.color(index), e.other])
                    .flatten()
                    .collect();
                colors.sort_unstable();
                colors.dedup();
                let mut title = String::from("lifted: ");
                title.push_str(&for_terminal(&self.report.documents[index].id));
                self.head(&mut page, &title, &colors);
                let _ = writeln!(
                    page,
                    "<p class=\"params\"><a href=\"index.html\">lifted: {} documents, {} passages, {} links</a></p>\n</header>\n<main>",
                    self.report.documents.len(),
                    self.report.passages.len(),
                    self.report.links.len()
                );
                self.section(&mut page, index);
                page.push_str("</main>\n</body>\n</html>\n");
            }
        }
        out.write_all(page.as_bytes())
    }

    /// The head of the one page and of the index (every color the map uses),
    /// then the introduction, the summary and the legend.
    fn front(&self, page: &mut String) {
        let colors: Vec<usize> = (0..self.colored.len())
            .filter(|&i| self.colored[i])
            .collect();
        self.head(page, "lifted: provenance map", &colors);
        self.intro(page);
        self.summary(page);
        self.legend(page);
    }

    /// The index page: the summary and the legend, linking to the pages.
    fn write_index(&self, out: &mut dyn Write) -> io::Result<()> {
        let mut page = String::new();
        self.front(&mut page);
        page.push_str("</main>\n</body>\n</html>\n");
        out.write_all(page.as_bytes())
    }

    /// From `<!DOCTYPE html>` to the opening `<header>`: the style sheet
    /// with the colors of the documents in `colors`.
    fn head(&self, page: &mut String, title: &str, colors: &[usize]) {
        let report = self.report;
        page.push_str("<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n");
        page.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
        page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        page.push_str("<meta name=\"generator\" content=\"");
        escape_into(
            page,
            &format!("{} {}", report.tool.name, report.tool.version),
        );
        page.push_str("\">\n<title>");
        escape_into(page, title);
        page.push_str("</title>\n<style>\n");
        page.push_str(STYLE);
        page.push('\n');
        for &index in colors {
            let h = hue(index);
            let _ = writeln!(
                page,
                ".c{index}{{--c:hsl({h},80%,82%);--d:hsl({h},65%,38%)}}"
            );
        }
        page.push_str("</style>\n</head>\n<body>\n<header>\n");
    }
    /// The page's heading, parameters and warnings, closing the `<header>`.
    fn intro(&self, page: &mut String) {
        let _ = writeln!(
            page,
            "<h1>lifted: {} documents, {} passages, {} links</h1>",
            self.report.documents.len(),
            self.report.passages.len(),
            self.report.links.len()
        );
        let p = &self.report.parameters;
        let chronology = match p.chronology.as_str() {
            "manifest" => {
                "dates from the manifest: each link goes from the older copy to the newer"
            }
            "given" => "order as given: each link goes from the earlier document to the later",
            _ => "no dates: links are undirected (shared, direction unknown)",
        };
        page.push_str("<p class=\"params\">");
        escape_into(page, chronology);
        let _ = write!(
            page,
            ". Parameters: {}-word shingles, Jaccard ≥ {}, windows of {} words, at least {} words per span, gaps up to {} words",
            p.ngram, p.threshold, p.window, p.min_words, p.max_gap
        );
        if p.fold_accents {
            page.push_str(", accents folded");
        }
        if p.within_doc {
            page.push_str(", reuse inside a document reported");
        }
        page.push_str(".</p>\n");
        if p.pairs_only {
            let _ = writeln!(
                page,
                "<p class=\"params\"><b>--pairs-only</b>: only near-duplicate segments were looked for ({} pairs), not lifted spans, so nothing is highlighted below; the JSON and CSV reports list the pairs.</p>",
                self.report.pairs.len()
            );
        }
        if !self.report.warnings.is_empty() {
            page.push_str("<details class=\"warnings\" open><summary>");
            let _ = write!(page, "{} warning(s)", self.report.warnings.len());
            page.push_str("</summary><ul>\n");
            for warning in &self.report.warnings {
                page.push_str("<li>");
                // Display escapes control and bidi characters already.
                escape_into(page, &warning.to_string());
                page.push_str("</li>\n");
            }
            page.push_str("</ul></details>\n");
        }
        page.push_str("</header>\n");
    }
}
