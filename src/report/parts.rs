//! The map made a range of entries at a time: [`Report::build_from`] makes
//! every list whole; the staged route's report stage (issue 15) writes the
//! JSON map from a [`MapParts`] a group of entries at a time
//! ([`super::json::write_parts`]), so that it never holds the whole map of
//! a corpus larger than its memory. One construction for both, so the
//! bytes are the same.
//!
//! The JSON writer needs no entries at all for the pairs, passages and
//! links: [`MapParts::pair`], [`MapParts::passage`] and [`MapParts::link`]
//! serialize as [`PairEntry`], [`PassageEntry`] and [`LinkEntry`] do, field
//! for field, reading the findings as they are written (document ids
//! borrowed, passage ids formatted in place), where making the entries
//! cloned an id string per span end (over a million on 100 MB of
//! generated versions) and freed them all again.

use std::ops::Range;

use rayon::prelude::*;
use serde::ser::{Serialize, SerializeSeq, SerializeStruct, Serializer};

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

impl<'a> MapParts<'a> {
    /// Pair `i`, serialized as its [`PairEntry`].
    pub fn pair(&self, i: usize) -> impl Serialize + '_ {
        PairView { parts: self, i }
    }

    /// The `n`th passage shown, serialized as its [`PassageEntry`].
    pub fn passage(&self, n: usize) -> impl Serialize + '_ {
        PassageView { parts: self, n }
    }

    /// Link `i`, serialized as its [`LinkEntry`].
    pub fn link(&self, i: usize) -> impl Serialize + '_ {
        LinkView { parts: self, i }
    }

    fn span(&self, span: &'a Span) -> SpanView<'_, 'a> {
        SpanView { parts: self, span }
    }
}

/// A span as its [`SpanEntry`] serializes.
struct SpanView<'p, 'a> {
    parts: &'p MapParts<'a>,
    span: &'a Span,
}

impl Serialize for SpanView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (span, texts) = (self.span, self.parts.texts);
        let doc = span.doc as usize;
        let mut s = serializer.serialize_struct("SpanEntry", 5)?;
        s.serialize_field("doc", self.parts.corpus.id(doc))?;
        s.serialize_field("start", &span.start)?;
        s.serialize_field("end", &span.end)?;
        s.serialize_field("start_char", &texts.char_offset(doc, span.start))?;
        s.serialize_field("end_char", &texts.char_offset(doc, span.end))?;
        s.end()
    }
}

/// A passage id as [`MapParts::passage_id`] makes it: `p{n}`, or empty
/// for a passage not shown.
struct PassageId(Option<usize>);

impl PassageId {
    fn of(parts: &MapParts, i: usize) -> PassageId {
        PassageId(parts.kept.binary_search(&(i as u32)).ok().map(|n| n + 1))
    }
}

impl Serialize for PassageId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Some(n) => serializer.collect_str(&format_args!("p{n}")),
            None => serializer.serialize_str(""),
        }
    }
}

struct PairView<'p, 'a> {
    parts: &'p MapParts<'a>,
    i: usize,
}

impl Serialize for PairView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let pair = &self.parts.findings.pairs[self.i];
        let mut s = serializer.serialize_struct("PairEntry", 4)?;
        s.serialize_field("a", &self.parts.span(&pair.a))?;
        s.serialize_field("b", &self.parts.span(&pair.b))?;
        s.serialize_field("jaccard", &round4(pair.jaccard))?;
        s.serialize_field("containment", &round4(pair.containment))?;
        s.end()
    }
}

struct PassageView<'p, 'a> {
    parts: &'p MapParts<'a>,
    n: usize,
}

/// A passage's copies, as its list of [`SpanEntry`].
struct CopiesView<'p, 'a> {
    parts: &'p MapParts<'a>,
    copies: &'a [Span],
}

impl Serialize for CopiesView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_seq(Some(self.copies.len()))?;
        for span in self.copies {
            s.serialize_element(&self.parts.span(span))?;
        }
        s.end()
    }
}

impl Serialize for PassageView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.parts;
        let i = parts.kept[self.n] as usize;
        let passage = &parts.findings.passages[i];
        let provenance = &parts.findings.provenance;
        let boilerplate = provenance.boilerplate[i];
        let excerpt = passage.copies.first().and_then(|s| parts.excerpt(s));
        let fields = 4 + usize::from(boilerplate) + usize::from(excerpt.is_some());
        let mut s = serializer.serialize_struct("PassageEntry", fields)?;
        s.serialize_field("id", &PassageId(Some(self.n + 1)))?;
        let copies = CopiesView {
            parts,
            copies: &passage.copies,
        };
        s.serialize_field("copies", &copies)?;
        s.serialize_field(
            "source",
            &provenance.sources[i].map(|d| parts.corpus.id(d as usize)),
        )?;
        s.serialize_field("words", &passage.words)?;
        if boilerplate {
            s.serialize_field("boilerplate", &true)?;
        } else {
            s.skip_field("boilerplate")?;
        }
        match &excerpt {
            Some(excerpt) => s.serialize_field("excerpt", excerpt)?,
            None => s.skip_field("excerpt")?,
        }
        s.end()
    }
}

struct LinkView<'p, 'a> {
    parts: &'p MapParts<'a>,
    i: usize,
}

impl Serialize for LinkView<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let parts = self.parts;
        let link = &parts.findings.provenance.links[self.i];
        let excerpt = parts.excerpt(&link.target);
        let fields = 8 + usize::from(excerpt.is_some());
        let mut s = serializer.serialize_struct("LinkEntry", fields)?;
        s.serialize_field("passage", &PassageId::of(parts, link.passage))?;
        s.serialize_field("source", &parts.span(&link.source))?;
        s.serialize_field("target", &parts.span(&link.target))?;
        s.serialize_field("directed", &link.directed)?;
        s.serialize_field("similarity", &round4(link.similarity))?;
        s.serialize_field("words", &link.words)?;
        s.serialize_field("edits", &link.edits)?;
        s.serialize_field("coverage", &round4(link.coverage))?;
        match &excerpt {
            Some(excerpt) => s.serialize_field("excerpt", excerpt)?,
            None => s.skip_field("excerpt")?,
        }
        s.end()
    }
}
