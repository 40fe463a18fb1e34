//! HTML writer: one self-contained page (inline CSS, no script from the
//! network, no external assets) that shows each document with its lifted spans
//! highlighted, colored by source document, and beside each span the source
//! passage it came from.

use std::io::{self, Write};

use super::text::Texts;
use super::{LinkEntry, Report};
use crate::ingest::Corpus;

/// Escape text for HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A color per source document, spread around the hue circle.
fn color(index: usize) -> String {
    let hue = (index * 137) % 360;
    format!("hsl({hue}, 85%, 82%)")
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:2em;max-width:90em;color:#222}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em;border-bottom:1px solid #ccc}\
.doc{display:grid;grid-template-columns:3fr 2fr;gap:1.5em}\
.text{white-space:pre-wrap;line-height:1.5;font-family:Georgia,serif}\
mark.lifted{padding:0 .1em;border-radius:.2em}\
.side{font-size:.85em}.side .src{border-left:.4em solid;padding:.3em .6em;margin:.6em 0;background:#fafafa}\
.meta{color:#666;font-size:.85em}";

/// Write the HTML page.
pub fn write(report: &Report, corpus: &Corpus, out: &mut dyn Write) -> io::Result<()> {
    let texts = Texts::new(corpus);
    writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"und\"><head><meta charset=\"utf-8\">"
    )?;
    writeln!(
        out,
        "<title>lifted: provenance map</title><style>{STYLE}</style></head><body>"
    )?;
    writeln!(
        out,
        "<h1>lifted: {} documents, {} passages, {} links</h1>",
        report.documents.len(),
        report.passages.len(),
        report.links.len()
    )?;
    for (index, document) in report.documents.iter().enumerate() {
        let Some(source) = corpus.documents.get(index) else {
            continue;
        };
        let mut incoming: Vec<&LinkEntry> = report
            .links
            .iter()
            .filter(|l| l.target.doc == document.id || (!l.directed && l.source.doc == document.id))
            .collect();
        incoming.sort_by_key(|l| (here(l, &document.id).start, here(l, &document.id).end));
        writeln!(
            out,
            "<h2 id=\"doc-{index}\">{}</h2><p class=\"meta\">{} bytes{}; {:.1}% lifted</p>",
            escape(&document.id),
            document.bytes,
            document
                .date
                .as_deref()
                .map(|d| format!(", {}", escape(d)))
                .unwrap_or_default(),
            document.lifted_share * 100.0
        )?;
        writeln!(out, "<div class=\"doc\"><div class=\"text\">")?;
        let text = &source.text;
        let mut at = 0usize;
        for (n, link) in incoming.iter().enumerate() {
            let span = here(link, &document.id);
            let (start, end) = (
                (span.start as usize).max(at),
                (span.end as usize).min(text.len()),
            );
            if start >= end {
                continue;
            }
            write!(
                out,
                "{}",
                escape(&String::from_utf8_lossy(&text[at..start]))
            )?;
            let origin = there(link, &document.id);
            let colour = color(report.document_index(&origin.doc).unwrap_or(0));
            write!(
                out,
                "<mark class=\"lifted\" id=\"d{index}-l{n}\" data-passage=\"{}\" data-source=\"{}\" style=\"background:{colour}\" title=\"from {}\">{}</mark>",
                escape(&link.passage),
                escape(&origin.doc),
                escape(&origin.doc),
                escape(&String::from_utf8_lossy(&text[start..end]))
            )?;
            at = end;
        }
        write!(
            out,
            "{}",
            escape(&String::from_utf8_lossy(&text[at.min(text.len())..]))
        )?;
        writeln!(out, "</div><div class=\"side\">")?;
        for (n, link) in incoming.iter().enumerate() {
            let origin = there(link, &document.id);
            let colour = color(report.document_index(&origin.doc).unwrap_or(0));
            let direction = if link.directed { "from" } else { "shared with" };
            writeln!(
                out,
                "<div class=\"src\" data-for=\"d{index}-l{n}\" style=\"border-color:{colour}\"><b>{direction} {}</b> (line {}, bytes {}-{}; {} words, {:.0}% similar)<br>{}</div>",
                escape(&origin.doc),
                texts.line(&origin.doc, origin.start),
                origin.start,
                origin.end,
                link.words,
                link.similarity * 100.0,
                escape(&texts.excerpt(origin))
            )?;
        }
        writeln!(out, "</div></div>")?;
    }
    writeln!(out, "</body></html>")
}

fn here<'a>(link: &'a LinkEntry, doc: &str) -> &'a super::SpanEntry {
    if link.target.doc == doc {
        &link.target
    } else {
        &link.source
    }
}

fn there<'a>(link: &'a LinkEntry, doc: &str) -> &'a super::SpanEntry {
    if link.target.doc == doc {
        &link.source
    } else {
        &link.target
    }
}
