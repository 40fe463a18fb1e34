//! HTML writer: one self-contained page (inline CSS, no script, no external
//! assets, a Content-Security-Policy that forbids any fetch) for a
//! fact-checker: a summary table of the documents, a legend of colors by
//! source document, then each document's text with its lifted spans
//! highlighted and, beside it, a numbered list of those spans with their
//! sources (document, lines, bytes, similarity, words, edits, excerpt) linked
//! to the source document's section, where the source span is itself marked.
//!
//! Every end of every link is one element with an id: `t{i}` for the target
//! end of link `i` (in `report.links` order), `s{i}` for its source end. In a
//! document's text:
//!
//! - `<mark class="lifted">`: the target of a directed link (lifted from the
//!   document named in `data-from`), background in the source's color;
//! - `<mark class="lifted shared">`: either end of an undirected link (shared
//!   with another document, direction unknown), striped;
//! - `<mark class="source">`: the source end of a directed link (this text was
//!   reused elsewhere), underlined in this document's color.
//!
//! Spans may overlap or cross. The writer keeps its tags properly nested: a
//! span still open when an inner one must close is closed and reopened as a
//! continuation piece (`mark.more-lifted`, `mark.more-shared`,
//! `mark.more-source`: no id, no `lifted` class), so `mark.lifted` counts the
//! lifted span ends exactly. Nesting is capped at [`MAX_DEPTH`] so the work
//! stays linear however many spans pile up on the same text; a span that
//! starts deeper is written as an empty marker (still with its id and note
//! number). Offsets are clamped to the text and moved off UTF-8 continuation
//! bytes, so no span can split a character, and invalid UTF-8 reads as U+FFFD.
//!
//! Output is deterministic: everything is sorted, nothing depends on time,
//! hashing or thread count.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::escape::for_terminal;
use super::text::Texts;
use super::{union_length, LinkEntry, Report, SpanEntry};
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

/// Write the HTML page.
pub fn write(report: &Report, corpus: &Corpus, out: &mut dyn Write) -> io::Result<()> {
    let texts = Texts::new(corpus);
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

    // Colors: every document that colors a span or a note, or is named in one.
    let mut colored = vec![false; documents.len()];
    for (doc, list) in ends.iter().enumerate() {
        for end in list {
            for c in [end.color(doc), end.other].into_iter().flatten() {
                colored[c] = true;
            }
        }
    }

    let mut page = String::new();
    head(&mut page, report, &colored);
    summary(&mut page, report, &ends);
    legend(&mut page, report, &colored);
    out.write_all(page.as_bytes())?;

    for (index, list) in ends.iter().enumerate() {
        page.clear();
        section(&mut page, report, &texts, &text_of, index, list);
        out.write_all(page.as_bytes())?;
    }
    out.write_all(b"</main>\n</body>\n</html>\n")
}

fn head(page: &mut String, report: &Report, colored: &[bool]) {
    page.push_str("<!DOCTYPE html>\n<html lang=\"und\">\n<head>\n<meta charset=\"utf-8\">\n");
    page.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
    page.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    page.push_str("<meta name=\"generator\" content=\"");
    escape_into(
        page,
        &format!("{} {}", report.tool.name, report.tool.version),
    );
    page.push_str("\">\n<title>lifted: provenance map</title>\n<style>\n");
    page.push_str(STYLE);
    page.push('\n');
    for (index, &used) in colored.iter().enumerate() {
        if used {
            let h = hue(index);
            let _ = writeln!(
                page,
                ".c{index}{{--c:hsl({h},80%,82%);--d:hsl({h},65%,38%)}}"
            );
        }
    }
    page.push_str("</style>\n</head>\n<body>\n<header>\n");
    let _ = writeln!(
        page,
        "<h1>lifted: {} documents, {} passages, {} links</h1>",
        report.documents.len(),
        report.passages.len(),
        report.links.len()
    );
    let p = &report.parameters;
    let chronology = match p.chronology.as_str() {
        "manifest" => "dates from the manifest: each link goes from the older copy to the newer",
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
            report.pairs.len()
        );
    }
    if !report.warnings.is_empty() {
        page.push_str("<details class=\"warnings\" open><summary>");
        let _ = write!(page, "{} warning(s)", report.warnings.len());
        page.push_str("</summary><ul>\n");
        for warning in &report.warnings {
            page.push_str("<li>");
            // Display escapes control and bidi characters already.
            escape_into(page, &warning.to_string());
            page.push_str("</li>\n");
        }
        page.push_str("</ul></details>\n");
    }
    page.push_str("</header>\n");
}

/// The other document of a link end (when in the report), and the end's kind.
type Partner = (Option<usize>, Kind);

/// Per document, the other documents its ends point to, with the bytes of
/// this document they cover, largest first: (other, kind, bytes).
fn partners(ends: &[End], reused: bool) -> Vec<(Option<usize>, Kind, usize)> {
    let mut by_other: BTreeMap<Partner, Vec<(usize, usize)>> = BTreeMap::new();
    for end in ends {
        if (end.kind == Kind::Source) == reused {
            by_other
                .entry((end.other, end.kind))
                .or_default()
                .push((end.start, end.end));
        }
    }
    let mut list: Vec<(Option<usize>, Kind, usize)> = by_other
        .into_iter()
        .map(|((other, kind), ranges)| {
            let ranges = ranges
                .into_iter()
                .map(|(a, b)| (a as u32, b as u32))
                .collect();
            (other, kind, union_length(ranges) as usize)
        })
        .collect();
    list.sort_by(|a, b| b.2.cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    list
}

fn doc_link(page: &mut String, report: &Report, doc: Option<usize>, fallback: &str) {
    match doc {
        Some(i) => {
            let _ = write!(page, "<a href=\"#doc-{i}\">");
            name_into(page, &report.documents[i].id);
            page.push_str("</a>");
        }
        None => name_into(page, fallback),
    }
}

fn partner_list(
    page: &mut String,
    report: &Report,
    list: &[(Option<usize>, Kind, usize)],
    bytes: u64,
) {
    if list.is_empty() {
        page.push_str("<span class=\"none\">none</span>");
        return;
    }
    for (n, &(other, kind, covered)) in list.iter().take(MAIN).enumerate() {
        if n > 0 {
            page.push_str("; ");
        }
        let _ = write!(page, "<span class=\"swatch{}\"></span>", color_class(other));
        if kind == Kind::Shared {
            page.push_str("<i>shared with</i> ");
        }
        doc_link(page, report, other, "(unknown document)");
        let _ = write!(page, " ({})", percent(covered as f64 / bytes.max(1) as f64));
    }
    if list.len() > MAIN {
        let _ = write!(page, "; +{} more", list.len() - MAIN);
    }
}

fn summary(page: &mut String, report: &Report, ends: &[Vec<End>]) {
    page.push_str("<main>\n<h2 id=\"summary\">Documents</h2>\n");
    page.push_str("<table class=\"summary\">\n<thead><tr><th>Document</th><th>Date</th><th>Bytes</th><th>Lifted</th><th>Main sources (share of this document)</th><th>Reused by (share of this document)</th><th>Spans</th></tr></thead>\n<tbody>\n");
    for (index, document) in report.documents.iter().enumerate() {
        page.push_str("<tr><td>");
        doc_link(page, report, Some(index), "");
        page.push_str("</td><td>");
        if let Some(date) = &document.date {
            name_into(page, date);
        }
        let share = document.lifted_share.clamp(0.0, 1.0);
        let _ = write!(
            page,
            "</td><td class=\"num\">{}</td><td class=\"num\">{}<span class=\"bar\"><span style=\"width:{:.1}%\"></span></span></td><td>",
            document.bytes,
            percent(document.lifted_share),
            if share.is_finite() { share * 100.0 } else { 0.0 }
        );
        partner_list(page, report, &partners(&ends[index], false), document.bytes);
        page.push_str("</td><td>");
        partner_list(page, report, &partners(&ends[index], true), document.bytes);
        let lifted = ends[index]
            .iter()
            .filter(|e| e.kind != Kind::Source)
            .count();
        let _ = writeln!(page, "</td><td class=\"num\">{lifted}</td></tr>");
    }
    page.push_str("</tbody>\n</table>\n");
}

fn legend(page: &mut String, report: &Report, colored: &[bool]) {
    page.push_str("<h2 id=\"legend\">Legend</h2>\n<ul class=\"legend\">\n");
    page.push_str("<li><span class=\"key key-lifted c-key\">lifted from</span> a source (background: the source's color)</li>\n");
    page.push_str("<li><span class=\"key key-shared c-key\">shared with</span> another document, direction unknown (striped)</li>\n");
    page.push_str("<li><span class=\"key key-source c-key\">reused</span> by a later document (underline: this document's color)</li>\n");
    page.push_str("</ul>\n<ul class=\"legend\">\n");
    for (index, &used) in colored.iter().enumerate() {
        if used {
            let _ = write!(
                page,
                "<li class=\"c{index}\"><span class=\"swatch\"></span>"
            );
            doc_link(page, report, Some(index), "");
            if let Some(date) = &report.documents[index].date {
                page.push_str(" (");
                name_into(page, date);
                page.push(')');
            }
            page.push_str("</li>\n");
        }
    }
    if !colored.iter().any(|&c| c) {
        page.push_str("<li class=\"none\">nothing lifted</li>\n");
    }
    page.push_str("</ul>\n");
}

/// Attributes shared by the first piece and the continuations of a span.
fn mark_attributes(page: &mut String, report: &Report, end: &End) {
    let _ = write!(page, " data-link=\"{}\"", end.link);
    let other = end
        .other
        .map(|o| report.documents[o].id.as_str())
        .unwrap_or(end.there.doc.as_str());
    let (attribute, verb) = match end.kind {
        Kind::Lifted => ("data-from", "from"),
        Kind::Shared => ("data-shared", "shared with (direction unknown)"),
        Kind::Source => ("data-to", "reused in"),
    };
    let _ = write!(page, " {attribute}=\"");
    attribute_into(page, other);
    page.push_str("\" title=\"");
    attribute_into(page, &format!("[{}] {verb} {other}", end.number));
    page.push('"');
}

fn open(page: &mut String, report: &Report, doc: usize, end: &End, first: bool) {
    let color = color_class(end.color(doc));
    // The first piece of a span carries its id and note; the others point to it.
    let (class, link) = if first {
        (end.kind.class(), "id")
    } else {
        (end.kind.more(), "data-of")
    };
    let _ = write!(
        page,
        "<mark class=\"{class}{color}\" {link}=\"{}\"",
        end.id()
    );
    mark_attributes(page, report, end);
    if first {
        let _ = write!(
            page,
            "><a class=\"ref\" href=\"#{}\" data-n=\"{}\" aria-label=\"note {}\"></a>",
            end.note_id(),
            end.number,
            end.number
        );
    } else {
        page.push('>');
    }
}

/// Write a document's text with its spans marked, tags properly nested.
fn marked_text(page: &mut String, report: &Report, doc: usize, text: &[u8], ends: &[End]) {
    // Every boundary, in order (`ends` is sorted by start).
    let mut bounds: Vec<usize> = Vec::with_capacity(2 * ends.len() + 1);
    for end in ends {
        bounds.push(end.start);
        bounds.push(end.end);
    }
    bounds.push(text.len());
    bounds.sort_unstable();
    bounds.dedup();

    let mut stack: Vec<usize> = Vec::with_capacity(MAX_DEPTH);
    let mut next = 0; // next end to open
    let mut at = 0; // bytes written so far
    for p in bounds {
        escape_bytes(page, &text[at..p]);
        at = p;
        // Close what ends here: everything above the lowest such span is
        // closed too, then the ones still running are reopened.
        if let Some(low) = stack.iter().position(|&e| ends[e].end <= p) {
            for _ in low..stack.len() {
                page.push_str("</mark>");
            }
            let above: Vec<usize> = stack.drain(low..).collect();
            for e in above {
                if ends[e].end > p {
                    open(page, report, doc, &ends[e], false);
                    stack.push(e);
                }
            }
        }
        // Open what starts here, longest first so that they nest.
        while next < ends.len() && ends[next].start == p {
            let end = &ends[next];
            open(page, report, doc, end, true);
            if end.end > p && stack.len() < MAX_DEPTH {
                stack.push(next);
            } else {
                page.push_str("</mark>");
            }
            next += 1;
        }
    }
    for _ in &stack {
        page.push_str("</mark>");
    }
    // Spans past the text (impossible once clamped, but never lose an id).
    for end in &ends[next..] {
        open(page, report, doc, end, true);
        page.push_str("</mark>");
    }
}

fn note(
    page: &mut String,
    report: &Report,
    texts: &Texts,
    text_of: &[Option<&[u8]>],
    doc: usize,
    end: &End,
    link: &LinkEntry,
) {
    let color = color_class(end.color(doc));
    let kind = match end.kind {
        Kind::Lifted => "lifted",
        Kind::Shared => "shared",
        Kind::Source => "source",
    };
    let _ = write!(
        page,
        "<li class=\"note {kind}{color}\" id=\"{}\"><a class=\"n\" href=\"#{}\" title=\"show in the text\">[{}]</a>",
        end.note_id(),
        end.id(),
        end.number
    );
    let verb = match end.kind {
        Kind::Lifted => "from",
        Kind::Shared => "shared with",
        Kind::Source => "reused in",
    };
    let _ = write!(page, "<b>{verb} ");
    doc_link(page, report, end.other, &end.there.doc);
    page.push_str("</b>");
    if let Some(date) = end.other.and_then(|o| report.documents[o].date.as_ref()) {
        page.push_str(" (");
        name_into(page, date);
        page.push(')');
    }
    if end.kind == Kind::Shared {
        page.push_str(", <i>direction unknown</i>");
    }
    let _ = write!(
        page,
        "<br>here: {}, bytes {}–{}<br>there: ",
        lines(texts, end.here),
        end.here.start,
        end.here.end
    );
    let place = format!(
        "{}, bytes {}–{}",
        lines(texts, end.there),
        end.there.start,
        end.there.end
    );
    if end.other.is_some() {
        let _ = write!(page, "<a href=\"#{}\">", end.other_id());
        escape_into(page, &place);
        page.push_str("</a>");
    } else {
        escape_into(page, &place);
    }
    let _ = write!(
        page,
        "<br><span class=\"figures\">{} similar, {} words in common, {} edits, {} of the target covered, passage ",
        percent(link.similarity),
        link.words,
        link.edits,
        percent(link.coverage)
    );
    name_into(page, &link.passage);
    page.push_str("</span>");
    if let Some(text) = end.other.and_then(|o| text_of[o]) {
        // A block: bidi controls in the excerpt cannot reach the text around it.
        page.push_str("<blockquote>");
        escape_into(page, &excerpt(text, end.there.start, end.there.end));
        page.push_str("</blockquote>");
    }
    page.push_str("</li>\n");
}

fn section(
    page: &mut String,
    report: &Report,
    texts: &Texts,
    text_of: &[Option<&[u8]>],
    index: usize,
    ends: &[End],
) {
    let document = &report.documents[index];
    let _ = write!(
        page,
        "<section class=\"document\" id=\"doc-{index}\" data-doc=\""
    );
    attribute_into(page, &document.id);
    page.push_str("\">\n<h2>");
    name_into(page, &document.id);
    page.push_str("</h2>\n<p class=\"meta\">");
    if let Some(date) = &document.date {
        name_into(page, date);
        page.push_str(" · ");
    }
    let lifted = ends.iter().filter(|e| e.kind != Kind::Source).count();
    let reused = ends.len() - lifted;
    let _ = write!(
        page,
        "{} bytes · {} lifted or shared ({} bytes) in {lifted} span(s) · {reused} span(s) reused elsewhere · ",
        document.bytes,
        percent(document.lifted_share),
        document.lifted_bytes
    );
    name_into(page, &document.path);
    page.push_str(" · <a href=\"#summary\">back to the summary</a></p>\n");
    page.push_str("<div class=\"doc\">\n<div class=\"text\">");
    match text_of[index] {
        Some(text) => marked_text(page, report, index, text, ends),
        None => {
            page.push_str("<span class=\"none\">(text not available)</span>");
            marked_text(page, report, index, &[], ends);
        }
    }
    page.push_str("</div>\n<aside class=\"side\">\n");
    if ends.is_empty() {
        page.push_str(
            "<p class=\"none\">nothing lifted from or reused in the other documents</p>\n",
        );
    } else {
        page.push_str("<ol class=\"notes\">\n");
        for end in ends {
            note(
                page,
                report,
                texts,
                text_of,
                index,
                end,
                &report.links[end.link],
            );
        }
        page.push_str("</ol>\n");
    }
    page.push_str("</aside>\n</div>\n</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;
    use crate::report::{DocumentEntry, Parameters, Tool};

    fn span(doc: &str, start: u32, end: u32) -> SpanEntry {
        SpanEntry {
            doc: doc.to_string(),
            start,
            end,
        }
    }

    fn link(source: SpanEntry, target: SpanEntry, directed: bool) -> LinkEntry {
        LinkEntry {
            passage: "p1".to_string(),
            source,
            target,
            directed,
            similarity: 0.9,
            words: 12,
            edits: 1,
            coverage: 0.95,
        }
    }

    /// A report and corpus over `docs` (id, text), sorted by id.
    fn fixture(docs: &[(&str, &[u8])], links: Vec<LinkEntry>) -> (Report, Corpus) {
        let mut docs = docs.to_vec();
        docs.sort();
        let corpus = Corpus {
            documents: docs
                .iter()
                .enumerate()
                .map(|(i, (id, text))| Document {
                    id: id.to_string(),
                    origin: id.to_string(),
                    order: i as u32,
                    text: text.to_vec(),
                    date: None,
                })
                .collect(),
            warnings: Vec::new(),
        };
        let report = Report {
            schema: crate::report::SCHEMA_VERSION,
            tool: Tool {
                name: "lifted".to_string(),
                version: "test".to_string(),
            },
            parameters: Parameters {
                ngram: 5,
                permutations: 128,
                bands: 32,
                rows: 4,
                threshold: 0.5,
                window: 100,
                min_words: 8,
                max_gap: 8,
                fold_accents: false,
                within_doc: false,
                chronology: "manifest".to_string(),
                pairs_only: false,
            },
            stats: Default::default(),
            documents: docs
                .iter()
                .map(|(id, text)| DocumentEntry {
                    id: id.to_string(),
                    path: id.to_string(),
                    bytes: text.len() as u64,
                    date: Some("2022-09-04".to_string()),
                    lifted_bytes: 0,
                    lifted_share: 0.0,
                })
                .collect(),
            pairs: Vec::new(),
            passages: Vec::new(),
            links,
            warnings: Vec::new(),
        };
        (report, corpus)
    }

    fn render(report: &Report, corpus: &Corpus) -> String {
        let mut out = Vec::new();
        write(report, corpus, &mut out).expect("write to a Vec");
        String::from_utf8(out).expect("the page is UTF-8")
    }

    /// Check that every tag is closed in order (void elements aside), and
    /// return the element names seen.
    fn assert_balanced(html: &str) {
        const VOID: &[&str] = &["meta", "br", "!DOCTYPE"];
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            let close = rest.find('>').expect("a tag is closed by >");
            let tag = &rest[..close];
            rest = &rest[close + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack
                    .pop()
                    .unwrap_or_else(|| panic!("</{name}> closes nothing"));
                assert_eq!(open, name, "</{name}> closes <{open}>");
            } else {
                let name = tag.split([' ', '\n']).next().unwrap_or("");
                if name == "style" {
                    let end = rest.find("</style>").expect("style is closed");
                    rest = &rest[end + "</style>".len()..];
                } else if !VOID.contains(&name) {
                    stack.push(name);
                }
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    /// The text content of a document's text column, tags stripped and
    /// entities decoded.
    fn text_column(html: &str, doc: usize) -> String {
        let start = html
            .find(&format!("id=\"doc-{doc}\""))
            .expect("the section exists");
        let from = start + html[start..].find("<div class=\"text\">").unwrap() + 18;
        let to = from + html[from..].find("</div>").unwrap();
        let mut text = String::new();
        let mut inside = false;
        for c in html[from..to].chars() {
            match c {
                '<' => inside = true,
                '>' => inside = false,
                _ if !inside => text.push(c),
                _ => {}
            }
        }
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn escapes_text_ids_and_attributes() {
        assert_eq!(
            escape("<a href=\"x\">&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(
            escape("a\u{0}b\u{7}\tc\u{7f}\u{85}\u{FFFF}"),
            "a\u{2400}b\u{2407}\tc\u{2421}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(escape("déjà vu ✓"), "déjà vu ✓");
        let evil = "<script>alert(1)</script>\"'&.txt";
        let text = b"one <b>two</b> & three \"four\" five six seven";
        let (report, corpus) = fixture(
            &[(evil, text), ("z.txt", text)],
            vec![link(span(evil, 4, 16), span("z.txt", 4, 16), true)],
        );
        let html = render(&report, &corpus);
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<b>two</b>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;.txt"));
        assert_balanced(&html);
        assert_eq!(text_column(&html, 1), String::from_utf8_lossy(text));
        assert_eq!(text_column(&html, 0), String::from_utf8_lossy(text));
    }

    #[test]
    fn overlapping_spans_nest_and_every_end_has_one_mark() {
        let text: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let s = |a, b| span("a.txt", a, b);
        let t = |a, b| span("b.txt", a, b);
        let links = vec![
            link(s(0, 10), t(2, 12), true),    // crosses the next
            link(s(10, 20), t(8, 20), true),   // crosses the previous
            link(s(0, 30), t(0, 30), true),    // contains both
            link(s(0, 30), t(0, 30), true),    // identical to the previous
            link(s(20, 25), t(14, 16), false), // undirected, inside
            link(s(5, 6), t(5, 5), true),      // empty
        ];
        let (report, corpus) = fixture(&[("a.txt", text), ("b.txt", text)], links);
        let html = render(&report, &corpus);
        assert_balanced(&html);
        // Directed targets and both ends of the undirected link.
        assert_eq!(html.matches("<mark class=\"lifted").count(), 5 + 2);
        assert_eq!(html.matches("<mark class=\"lifted shared").count(), 2);
        assert_eq!(html.matches("<mark class=\"source").count(), 5);
        for i in 0..6 {
            assert_eq!(html.matches(&format!(" id=\"t{i}\"")).count(), 1);
            assert_eq!(html.matches(&format!(" id=\"s{i}\"")).count(), 1);
            assert!(html.contains(&format!("href=\"#s{i}\"")));
            assert!(html.contains(&format!("href=\"#t{i}\"")));
        }
        assert!(html.contains("more-lifted"), "crossing spans are continued");
        assert!(html.contains("direction unknown"));
        assert_eq!(text_column(&html, 0), String::from_utf8_lossy(text));
        assert_eq!(text_column(&html, 1), String::from_utf8_lossy(text));
    }

    #[test]
    fn spans_inside_characters_or_past_the_end_clamp_safely() {
        // "é" is 2 bytes, "€" 3, "😀" 4; offsets land inside each of them.
        let text = "aé€😀 zé".as_bytes();
        let mut links = Vec::new();
        for start in 0..=text.len() as u32 + 2 {
            for end in [start.saturating_sub(1), start, start + 1, start + 2, 999] {
                links.push(link(
                    span("a.txt", start, end),
                    span("b.txt", end, start),
                    true,
                ));
            }
        }
        links.push(link(
            span("a.txt", u32::MAX, u32::MAX),
            span("b.txt", 2, u32::MAX),
            false,
        ));
        links.push(link(span("gone.txt", 0, 3), span("b.txt", 1, 2), true));
        let n = links.len();
        let invalid: &[u8] = b"ab\xE2\x82 \xff\x80\x80\x80\x80cd";
        let (report, corpus) = fixture(&[("a.txt", text), ("b.txt", invalid)], links);
        let html = render(&report, &corpus);
        assert_balanced(&html);
        assert_eq!(text_column(&html, 0), "aé€😀 zé");
        assert_eq!(text_column(&html, 1), String::from_utf8_lossy(invalid));
        // Every target end in b.txt is marked, even past the end or under the depth cap.
        for i in 0..n {
            assert_eq!(html.matches(&format!(" id=\"t{i}\"")).count(), 1, "t{i}");
        }
    }

    #[test]
    fn deep_piles_of_crossing_spans_stay_linear() {
        let text = "word ".repeat(2000);
        let n = 1000u32;
        let links: Vec<LinkEntry> = (0..n)
            .map(|i| {
                link(
                    span("a.txt", i, i + n),
                    span("b.txt", i * 3, i * 3 + 3 * n),
                    true,
                )
            })
            .collect();
        let (report, corpus) = fixture(
            &[("a.txt", text.as_bytes()), ("b.txt", text.as_bytes())],
            links,
        );
        let html = render(&report, &corpus);
        assert_balanced(&html);
        assert_eq!(html.matches("<mark class=\"lifted").count(), n as usize);
        let pieces = html.matches("<mark").count();
        assert!(pieces < 2 * n as usize * (MAX_DEPTH + 2), "{pieces} pieces");
        assert_eq!(text_column(&html, 1), text);
    }

    #[test]
    fn output_is_deterministic() {
        let text: &[u8] = b"the quick brown fox jumps over the lazy dog again and again";
        let links = vec![
            link(span("a.txt", 4, 30), span("b.txt", 0, 26), true),
            link(span("b.txt", 10, 40), span("c.txt", 10, 40), false),
            link(span("a.txt", 20, 50), span("c.txt", 0, 30), true),
        ];
        let (report, corpus) = fixture(&[("c.txt", text), ("a.txt", text), ("b.txt", text)], links);
        let first = render(&report, &corpus);
        for _ in 0..5 {
            assert_eq!(render(&report, &corpus), first);
        }
        assert!(first.starts_with("<!DOCTYPE html>\n"));
        assert!(!first.contains("http://") && !first.contains("https://"));
        assert_balanced(&first);
    }
}
