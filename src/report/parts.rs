//! The map made a range of entries at a time: [`Report::build_from`] makes
//! every list whole; the staged route's report stage (issue 15) writes the
//! JSON map from a [`MapParts`] a group of entries at a time
//! ([`super::json::write_parts`]), so that it never holds the whole map of
//! a corpus larger than its memory. One construction for both, so the
//! bytes are the same.
//!
//! The JSON writer needs no entries at all for the pairs, passages and
//! links: `MapParts::write_pair`, `write_passage` and `write_link` write
//! the bytes [`PairEntry`], [`PassageEntry`] and [`LinkEntry`] serialize
//! to, field for field, reading the findings as they are written (through
//! the formatter itself: [`super::json`]'s `Writer`; document ids quoted
//! and escaped once per document, passage ids formatted in place), where
//! making the entries cloned an id string per span end (over a million on
//! 100 MB of generated versions) and freed them all again, and serde
//! escaped every key of every entry.

use std::ops::Range;

use rayon::prelude::*;

use super::json::Writer;
use super::{
    limit_warnings, round4, DocumentEntry, Label, LinkEntry, MainSource, PairEntry, Parameters,
    PassageEntry, Report, ReportOptions, SpanEntry, TextFacts, Tool, SCHEMA_VERSION,
};
use crate::align::Span;
use crate::ingest::Documents;
use crate::provenance::Chronology;
use crate::scan::{Findings, Params};

/// What the entries of a map are made from, and the small decisions taken
/// once for the whole map (which passages are shown, their ids, the dates).
pub struct MapParts<'a> {
    corpus: &'a dyn Documents,
    texts: &'a dyn TextFacts,
    params: &'a Params,
    chronology: &'a Chronology,
    findings: &'a Findings,
    shown: &'a ReportOptions,
    /// Passages shown (boilerplate hidden unless kept), in order: passage
    /// `kept[n]` is `p{n + 1}`.
    kept: Vec<u32>,
    /// Each document's id as a JSON string, quoted and escaped once: the
    /// JSON writer writes one for every span (over a million on 100 MB of
    /// generated versions). Made on the JSON writer's first call of
    /// [`MapParts::quote_ids`]: the other reports never read them.
    quoted_ids: std::sync::OnceLock<Vec<Box<[u8]>>>,
}

impl<'a> MapParts<'a> {
    /// The parts of the map of `findings` over the documents `corpus`
    /// (whose texts are read through `texts`).
    pub fn new(
        corpus: &'a dyn Documents,
        texts: &'a dyn TextFacts,
        params: &'a Params,
        chronology: &'a Chronology,
        findings: &'a Findings,
        shown: &'a ReportOptions,
    ) -> MapParts<'a> {
        let options = &params.options;
        let provenance = &findings.provenance;
        let kept: Vec<u32> = (0..findings.passages.len())
            .filter(|&i| {
                options.boilerplate.keep || !provenance.boilerplate.get(i).copied().unwrap_or(false)
            })
            .map(|i| i as u32)
            .collect();
        MapParts {
            corpus,
            texts,
            params,
            chronology,
            findings,
            shown,
            kept,
            quoted_ids: std::sync::OnceLock::new(),
        }
    }

    /// The id (`p1`, `p2`, ...) of passage `i` if shown (links and
    /// passages shown name only passages shown).
    fn passage_id(&self, i: usize) -> String {
        self.kept
            .binary_search(&(i as u32))
            .map_or(String::new(), |n| format!("p{}", n + 1))
    }

    /// Document `i`'s date as given.
    fn date(&self, i: usize) -> Option<String> {
        match self.chronology {
            Chronology::Dates(dates) => dates[i].as_ref().map(|d| d.as_given().to_string()),
            _ => None,
        }
    }

    /// How many documents, pairs, passages and links the map lists.
    pub fn lengths(&self) -> [usize; 4] {
        [
            self.corpus.count(),
            self.findings.pairs.len(),
            self.kept.len(),
            self.findings.provenance.links.len(),
        ]
    }

    fn id(&self, doc: u32) -> String {
        self.corpus.id(doc as usize).to_string()
    }

    fn entry(&self, span: &Span) -> SpanEntry {
        SpanEntry {
            doc: self.id(span.doc),
            start: span.start,
            end: span.end,
            start_char: self.texts.char_offset(span.doc as usize, span.start),
            end_char: self.texts.char_offset(span.doc as usize, span.end),
        }
    }

    fn excerpt(&self, span: &Span) -> Option<String> {
        let limit = self.shown.excerpt;
        (limit > 0).then(|| self.texts.excerpt(span, limit))
    }

    /// The map without its four lists (documents, pairs, passages, links).
    pub fn head(&self) -> Report {
        let options = &self.params.options;
        let mut warnings = self.corpus.warnings().to_vec();
        warnings.sort();
        // Caps that change what is compared are said here, not only counted
        // in `stats` (house rule: no silent limits). After the files' own
        // warnings, so their order stays sorted by file.
        warnings.extend(limit_warnings(
            &self.findings.stats,
            self.params.options.max_bucket,
        ));
        Report {
            schema: SCHEMA_VERSION,
            tool: Tool {
                name: "lifted".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
            },
            parameters: Parameters {
                ngram: options.ngram,
                permutations: options.permutations,
                bands: self.params.lsh.bands,
                rows: self.params.lsh.rows,
                threshold: options.threshold,
                window: options.window,
                min_words: options.min_words,
                max_gap: options.max_gap,
                fold_accents: options.normalize.fold_accents,
                within_doc: options.within_doc,
                chronology: match self.chronology {
                    Chronology::Dates(_) => "manifest",
                    Chronology::Given(_) => "given",
                    Chronology::Unknown => "none",
                }
                .to_string(),
                pairs_only: !options.align,
            },
            stats: self.findings.stats.clone(),
            documents: Vec::new(),
            pairs: Vec::new(),
            passages: Vec::new(),
            links: Vec::new(),
            warnings,
        }
    }

    /// The documents `range` (in id order). Each list is built in parallel
    /// (collecting in order): millions of id strings are cloned here.
    pub fn documents(&self, range: Range<usize>) -> Vec<DocumentEntry> {
        let provenance = &self.findings.provenance;
        // Counted by provenance when it credited the bytes (nothing with --pairs-only).
        let lifted = |i: usize| provenance.lifted_bytes.get(i).copied().unwrap_or(0);
        // Decided by provenance, from the same links (one rule, one place).
        let main = |i: usize| provenance.main_sources.get(i).copied().flatten();
        let no_label = Label::default();
        range
            .into_par_iter()
            .map(|i| {
                let label = self.shown.labels.get(i).unwrap_or(&no_label);
                let bytes = self.texts.len(i);
                DocumentEntry {
                    id: self.corpus.id(i).to_string(),
                    path: self.corpus.origin(i),
                    bytes: bytes as u64,
                    date: self.date(i),
                    title: label.title.clone(),
                    url: label.url.clone(),
                    lifted_bytes: lifted(i),
                    lifted_share: round4(lifted(i) as f64 / (bytes.max(1)) as f64),
                    main_source: main(i).map(|m| MainSource {
                        doc: self.id(m.doc),
                        bytes: m.bytes,
                        share: round4(m.share),
                    }),
                }
            })
            .collect()
    }

    /// The pairs `range`.
    pub fn pairs(&self, range: Range<usize>) -> Vec<PairEntry> {
        self.findings.pairs[range]
            .par_iter()
            .map(|p| PairEntry {
                a: self.entry(&p.a),
                b: self.entry(&p.b),
                jaccard: round4(p.jaccard),
                containment: round4(p.containment),
            })
            .collect()
    }

    /// The passages shown `range` (boilerplate left out unless kept).
    pub fn passages(&self, range: Range<usize>) -> Vec<PassageEntry> {
        let provenance = &self.findings.provenance;
        self.kept[range]
            .par_iter()
            .map(|&i| {
                let i = i as usize;
                let passage = &self.findings.passages[i];
                PassageEntry {
                    id: self.passage_id(i),
                    copies: passage.copies.iter().map(|s| self.entry(s)).collect(),
                    source: provenance.sources[i].map(|d| self.id(d)),
                    words: passage.words,
                    boilerplate: provenance.boilerplate[i],
                    excerpt: passage.copies.first().and_then(|s| self.excerpt(s)),
                }
            })
            .collect()
    }

    /// The links `range`.
    pub fn links(&self, range: Range<usize>) -> Vec<LinkEntry> {
        self.findings.provenance.links[range]
            .par_iter()
            .map(|link| LinkEntry {
                passage: self.passage_id(link.passage),
                source: self.entry(&link.source),
                target: self.entry(&link.target),
                directed: link.directed,
                similarity: round4(link.similarity),
                words: link.words,
                edits: link.edits,
                coverage: round4(link.coverage),
                excerpt: self.excerpt(&link.target),
            })
            .collect()
    }
}

impl MapParts<'_> {
    /// Write pair `i` as its [`PairEntry`] serializes.
    pub(super) fn write_pair(&self, w: &mut Writer, i: usize) {
        let pair = &self.findings.pairs[i];
        let mut o = w.object();
        self.write_span(o.key(b"\"a\""), &pair.a);
        o.done();
        self.write_span(o.key(b"\"b\""), &pair.b);
        o.done();
        o.f64(b"\"jaccard\"", round4(pair.jaccard));
        o.f64(b"\"containment\"", round4(pair.containment));
        o.end();
    }

    /// Write the `n`th passage shown as its [`PassageEntry`] serializes.
    pub(super) fn write_passage(&self, w: &mut Writer, n: usize) {
        let i = self.kept[n] as usize;
        let passage = &self.findings.passages[i];
        let provenance = &self.findings.provenance;
        let mut o = w.object();
        write_passage_id(o.key(b"\"id\""), Some(n + 1));
        o.done();
        let copies = o.key(b"\"copies\"");
        let mut list = copies.array(passage.copies.len());
        for span in &passage.copies {
            self.write_span(list.element(), span);
            list.done();
        }
        list.end();
        o.done();
        match provenance.sources[i] {
            Some(d) => o.raw(b"\"source\"", self.quoted_id(d as usize)),
            None => {
                o.key(b"\"source\"").null();
                o.done();
            }
        }
        o.u64(b"\"words\"", u64::from(passage.words));
        if provenance.boilerplate[i] {
            o.bool(b"\"boilerplate\"", true);
        }
        if let Some(excerpt) = passage.copies.first().and_then(|s| self.excerpt(s)) {
            o.str(b"\"excerpt\"", &excerpt);
        }
        o.end();
    }

    /// Write link `i` as its [`LinkEntry`] serializes.
    pub(super) fn write_link(&self, w: &mut Writer, i: usize) {
        let link = &self.findings.provenance.links[i];
        let mut o = w.object();
        let shown = self.kept.binary_search(&(link.passage as u32)).ok();
        write_passage_id(o.key(b"\"passage\""), shown.map(|n| n + 1));
        o.done();
        self.write_span(o.key(b"\"source\""), &link.source);
        o.done();
        self.write_span(o.key(b"\"target\""), &link.target);
        o.done();
        o.bool(b"\"directed\"", link.directed);
        o.f64(b"\"similarity\"", round4(link.similarity));
        o.u64(b"\"words\"", u64::from(link.words));
        o.u64(b"\"edits\"", u64::from(link.edits));
        o.f64(b"\"coverage\"", round4(link.coverage));
        if let Some(excerpt) = self.excerpt(&link.target) {
            o.str(b"\"excerpt\"", &excerpt);
        }
        o.end();
    }

    /// Write `span` as its [`SpanEntry`] serializes.
    fn write_span(&self, w: &mut Writer, span: &Span) {
        let doc = span.doc as usize;
        let mut o = w.object();
        o.raw(b"\"doc\"", self.quoted_id(doc));
        o.u64(b"\"start\"", u64::from(span.start));
        o.u64(b"\"end\"", u64::from(span.end));
        let start_char = self.texts.char_offset(doc, span.start);
        o.u64(b"\"start_char\"", u64::from(start_char));
        let end_char = self.texts.char_offset(doc, span.end);
        o.u64(b"\"end_char\"", u64::from(end_char));
        o.end();
    }

    /// Every document's id as a JSON string, made (in parallel) on the
    /// first call: [`super::json::write_parts`] calls it before its worker
    /// threads read them.
    pub(crate) fn quote_ids(&self) -> &[Box<[u8]>] {
        self.quoted_ids.get_or_init(|| {
            (0..self.corpus.count())
                .into_par_iter()
                .map(|i| {
                    serde_json::to_vec(self.corpus.id(i))
                        .expect("a string serializes")
                        .into_boxed_slice()
                })
                .collect()
        })
    }

    /// Document `doc`'s id as a JSON string (quoted and escaped).
    fn quoted_id(&self, doc: usize) -> &[u8] {
        &self.quote_ids()[doc]
    }
}

/// A passage id as [`MapParts::passage_id`] makes it: `"p{n}"`, or `""`
/// for a passage not shown.
fn write_passage_id(w: &mut Writer, n: Option<usize>) {
    match n {
        Some(n) => {
            w.raw(b"\"p");
            w.u64(n as u64);
            w.raw(b"\"");
        }
        None => w.raw(b"\"\""),
    }
}
