//! Unit tests of the HTML writer.

use super::*;
use crate::ingest::Document;
use crate::report::{DocumentEntry, LinkEntry, Parameters, Tool};

fn span(doc: &str, start: u32, end: u32) -> SpanEntry {
    SpanEntry {
        doc: doc.to_string(),
        start,
        end,
        start_char: start,
        end_char: end,
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
        excerpt: None,
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
                title: None,
                url: None,
                lifted_bytes: 0,
                lifted_share: 0.0,
                main_source: None,
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
