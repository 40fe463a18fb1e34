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
.meta{color:#666;font-size:.85em}\
table.summary{border-collapse:collapse}table.summary td:nth-child(2){white-space:nowrap}table.summary td,table.summary th{border-bottom:1px solid #ddd;padding:.2em .8em;text-align:left}\
.chip{padding:0 .3em;border-radius:.2em;color:#222;text-decoration:none}";

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
    write_summary(out, report)?;
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
        write_text(out, report, index, &document.id, &source.text, &incoming)?;
        writeln!(out, "</div><div class=\"side\">")?;
        for (n, link) in incoming.iter().enumerate() {
            let origin = there(link, &document.id);
            let colour = color(report.document_index(&origin.doc).unwrap_or(0));
            let direction = if link.directed { "from" } else { "shared with" };
            writeln!(
                out,
                "<div class=\"src\" data-for=\"d{index}-l{n}\" style=\"border-color:{colour}\"><b>{direction} <a href=\"#doc-{}\">{}</a></b> (line {}, bytes {}-{}; {} words, {:.0}% similar)<br>{}</div>",
                report.document_index(&origin.doc).unwrap_or(0),
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

/// A table of the documents (date, share lifted, sources with their color),
/// each linking to its section.
fn write_summary(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(out, "<table class=\"summary\"><thead><tr><th>document</th><th>date</th><th>lifted</th><th>from</th></tr></thead><tbody>")?;
    for (index, document) in report.documents.iter().enumerate() {
        let mut sources: Vec<&str> = report
            .links
            .iter()
            .filter(|l| l.target.doc == document.id)
            .map(|l| l.source.doc.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        let cells: Vec<String> = sources
            .iter()
            .map(|s| {
                let i = report.document_index(s).unwrap_or(0);
                format!(
                    "<a href=\"#doc-{i}\" class=\"chip\" style=\"background:{}\">{}</a>",
                    color(i),
                    escape(s)
                )
            })
            .collect();
        writeln!(
            out,
            "<tr><td><a href=\"#doc-{index}\">{}</a></td><td>{}</td><td>{:.1}%</td><td>{}</td></tr>",
            escape(&document.id),
            escape(document.date.as_deref().unwrap_or("")),
            document.lifted_share * 100.0,
            cells.join(" ")
        )?;
    }
    writeln!(out, "</tbody></table>")
}

/// The document's text with every lifted span highlighted. Spans may overlap
/// (a passage inside a longer one), so the text is cut at every span boundary
/// and each piece is one `mark` listing, in `data-span`, every span covering
/// it; the innermost (latest-starting) span gives the color. Tags therefore
/// never overlap, and every span has at least one piece.
fn write_text(
    out: &mut dyn Write,
    report: &Report,
    index: usize,
    id: &str,
    text: &[u8],
    incoming: &[&LinkEntry],
) -> io::Result<()> {
    let clamp = |x: u32| (x as usize).min(text.len());
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for link in incoming {
        let span = here(link, id);
        cuts.push(clamp(span.start));
        cuts.push(clamp(span.end));
    }
    cuts.sort_unstable();
    cuts.dedup();
    for piece in cuts.windows(2) {
        let (start, end) = (piece[0], piece[1]);
        let content = escape(&String::from_utf8_lossy(&text[start..end]));
        let covering: Vec<usize> = (0..incoming.len())
            .filter(|&n| {
                let span = here(incoming[n], id);
                clamp(span.start) <= start && end <= clamp(span.end)
            })
            .collect();
        let Some(&inner) = covering
            .iter()
            .max_by_key(|&&n| (here(incoming[n], id).start, n))
        else {
            write!(out, "{content}")?;
            continue;
        };
        let link = incoming[inner];
        let origin = there(link, id);
        let colour = color(report.document_index(&origin.doc).unwrap_or(0));
        let spans: Vec<String> = covering.iter().map(|n| format!("d{index}-l{n}")).collect();
        write!(
            out,
            "<mark class=\"lifted\" data-span=\"{}\" data-passage=\"{}\" data-source=\"{}\" style=\"background:{colour}\" title=\"from {}\">{content}</mark>",
            spans.join(" "),
            escape(&link.passage),
            escape(&origin.doc),
            escape(&origin.doc),
        )?;
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(
            escape("<a href=\"x\">l'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; co&lt;/a&gt;"
        );
    }
}
