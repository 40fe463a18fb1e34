//! A document's text with its lifted and reused spans marked, and the notes
//! beside it: one `<section>` of the single page, or the body of a document's
//! own page in a folder report.
//!
//! The markup of a span is written once: its first piece carries the id, the
//! title (the note number and the other document) and the note reference; a
//! continuation piece (after a crossing span closed it) has only its classes.

use std::fmt::Write as _;

use super::{
    attribute_into, color_class, escape_bytes, escape_into, excerpt, lines, name_into, percent,
    End, Kind, Site, MAX_DEPTH,
};

impl Site<'_> {
    /// Open the mark of `end` in document `doc`: its first piece, or a continuation.
    fn open(&self, page: &mut String, doc: usize, end: &End, first: bool) {
        let color = color_class(end.color(doc));
        if !first {
            let _ = write!(page, "<mark class=\"{}{color}\">", end.kind.more());
            return;
        }
        let _ = write!(
            page,
            "<mark class=\"{}{color}\" id=\"{}\" title=\"",
            end.kind.class(),
            end.id()
        );
        let other = end
            .other
            .map(|o| self.report.documents[o].id.as_str())
            .unwrap_or(end.there.doc.as_str());
        let verb = match end.kind {
            Kind::Lifted => "from",
            Kind::Shared => "shared with (direction unknown)",
            Kind::Source => "reused in",
        };
        attribute_into(page, &format!("[{}] {verb} {other}", end.number));
        let _ = write!(
            page,
            "\"><a class=\"ref\" href=\"#{}\" data-n=\"{}\" aria-label=\"note {}\"></a>",
            end.note_id(),
            end.number,
            end.number
        );
    }

    /// Write a document's text with its spans marked, tags properly nested.
    fn marked_text(&self, page: &mut String, doc: usize, text: &[u8]) {
        let ends = &self.ends[doc];
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
                        self.open(page, doc, &ends[e], false);
                        stack.push(e);
                    }
                }
            }
            // Open what starts here, longest first so that they nest.
            while next < ends.len() && ends[next].start == p {
                let end = &ends[next];
                self.open(page, doc, end, true);
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
            self.open(page, doc, end, true);
            page.push_str("</mark>");
        }
    }

    /// The note of one span end of document `doc`.
    fn note(&self, page: &mut String, doc: usize, end: &End) {
        let report = self.report;
        let link = &report.links[end.link];
        let color = color_class(end.color(doc));
        let kind = match end.kind {
            Kind::Lifted => "lifted",
            Kind::Shared => "shared",
            Kind::Source => "source",
        };
        let _ = write!(
            page,
            "<li class=\"note {kind}{color}\" id=\"{}\"><a class=\"n\" href=\"#{}\">[{}]</a>",
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
        self.doc_link(page, end.other, &end.there.doc);
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
            lines(&self.texts, end.here),
            end.here.start,
            end.here.end
        );
        let place = format!(
            "{}, bytes {}–{}",
            lines(&self.texts, end.there),
            end.there.start,
            end.there.end
        );
        match end.other {
            Some(other) if self.has_page(other) => {
                let href = self.end_href(other, &end.other_id(), doc);
                let _ = write!(page, "<a href=\"{href}\">");
                escape_into(page, &place);
                page.push_str("</a>");
            }
            _ => escape_into(page, &place),
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
        if let Some(text) = end.other.and_then(|o| self.text_of[o]) {
            // A block: bidi controls in the excerpt cannot reach the text around it.
            page.push_str("<blockquote>");
            escape_into(page, &excerpt(text, end.there.start, end.there.end));
            page.push_str("</blockquote>");
        }
        page.push_str("</li>\n");
    }

    /// Document `index`: its heading, its marked text and its notes.
    pub(super) fn section(&self, page: &mut String, index: usize) {
        let document = &self.report.documents[index];
        let ends = &self.ends[index];
        let _ = write!(
            page,
            "<section class=\"document\" id=\"doc-{index}\" data-doc=\""
        );
        attribute_into(page, &document.id);
        page.push_str("\">\n<h2>");
        name_into(page, &document.id);
        page.push_str("</h2>\n");
        if let Some(title) = &document.title {
            page.push_str("<p class=\"title\">");
            name_into(page, title);
            page.push_str("</p>\n");
        }
        page.push_str("<p class=\"meta\">");
        if let Some(date) = &document.date {
            name_into(page, date);
            page.push_str(" · ");
        }
        if let Some(url) = &document.url {
            // Shown, not linked: the page links to nothing outside itself.
            page.push_str("<span class=\"url\">");
            name_into(page, url);
            page.push_str("</span> · ");
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
        if let Some(main) = &document.main_source {
            page.push_str("main source ");
            match self.report.document_index(&main.doc) {
                Some(i) => self.doc_link(page, Some(i), &main.doc),
                None => name_into(page, &main.doc),
            }
            let _ = write!(page, " ({} of the lifted bytes) · ", percent(main.share));
        }
        name_into(page, &document.path);
        let _ = writeln!(
            page,
            " · <a href=\"{}\">back to the summary</a></p>",
            self.summary_href()
        );
        page.push_str("<div class=\"doc\">\n<div class=\"text\">");
        match self.text_of[index] {
            Some(text) => self.marked_text(page, index, text),
            None => {
                page.push_str("<span class=\"none\">(text not available)</span>");
                self.marked_text(page, index, &[]);
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
                self.note(page, index, end);
            }
            page.push_str("</ol>\n");
        }
        page.push_str("</aside>\n</div>\n</section>\n");
    }
}
