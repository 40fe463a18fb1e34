//! The index of an HTML report: the summary table of the documents (date,
//! manifest title and address, share lifted, main sources, reusers) and the
//! legend of colors. On one page it sits above the texts; in a folder it is
//! `index.html`, linking to each document's page.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{color_class, name_into, percent, End, Kind, Site, MAIN};
use crate::report::union_length;

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

impl Site<'_> {
    /// A document's name, linked to its text when it is shown.
    pub(super) fn doc_link(&self, page: &mut String, doc: Option<usize>, fallback: &str) {
        let report = self.report;
        match doc {
            Some(i) => match self.doc_href(i) {
                Some(href) => {
                    let _ = write!(page, "<a href=\"{href}\">");
                    name_into(page, &report.documents[i].id);
                    page.push_str("</a>");
                }
                None => name_into(page, &report.documents[i].id),
            },
            None => name_into(page, fallback),
        }
    }

    fn partner_list(&self, page: &mut String, list: &[(Option<usize>, Kind, usize)], bytes: u64) {
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
            self.doc_link(page, other, "(unknown document)");
            let _ = write!(page, " ({})", percent(covered as f64 / bytes.max(1) as f64));
        }
        if list.len() > MAIN {
            let _ = write!(page, "; +{} more", list.len() - MAIN);
        }
    }

    /// The summary table, opening `<main>`.
    pub(super) fn summary(&self, page: &mut String) {
        let (report, ends) = (self.report, &self.ends);
        page.push_str("<main>\n<h2 id=\"summary\">Documents</h2>\n");
        page.push_str("<table class=\"summary\">\n<thead><tr><th>Document</th><th>Date</th><th>Bytes</th><th>Lifted</th><th>Main sources (share of this document)</th><th>Reused by (share of this document)</th><th>Spans</th></tr></thead>\n<tbody>\n");
        for (index, document) in report.documents.iter().enumerate() {
            let _ = write!(page, "<tr id=\"row-{index}\"><td>");
            self.doc_link(page, Some(index), "");
            if let Some(title) = &document.title {
                page.push_str("<br><span class=\"title\">");
                name_into(page, title);
                page.push_str("</span>");
            }
            if let Some(url) = &document.url {
                // Shown, not linked: the page links to nothing outside itself.
                page.push_str("<br><span class=\"url\">");
                name_into(page, url);
                page.push_str("</span>");
            }
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
            self.partner_list(page, &partners(&ends[index], false), document.bytes);
            page.push_str("</td><td>");
            self.partner_list(page, &partners(&ends[index], true), document.bytes);
            let lifted = ends[index]
                .iter()
                .filter(|e| e.kind != Kind::Source)
                .count();
            let _ = writeln!(page, "</td><td class=\"num\">{lifted}</td></tr>");
        }
        page.push_str("</tbody>\n</table>\n");
    }

    /// The legend: what the marks mean, and the color of each document.
    pub(super) fn legend(&self, page: &mut String) {
        let (report, colored) = (self.report, &self.colored);
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
                self.doc_link(page, Some(index), "");
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
}
