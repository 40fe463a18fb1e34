//! A seeded generator of synthetic corpora with planted reuse, and the ground
//! truth of what was planted: the input of the benchmarks (`benches/`) and of
//! tests that measure recall.
//!
//! Real corpora with a known map of reused text are rare and small, so the
//! benchmarks make their own. [`generate`] writes a JSONL corpus (one
//! `{"id", "text"}` document per line, paragraphs separated by `\n`) of
//! synthetic prose, in one of four [`Shape`]s:
//!
//! - `paragraphs` (the default, [`paragraphs`]): words made of French-like or
//!   English-like syllables, drawn from a Zipf-distributed vocabulary of
//!   50,000 words per language, in capitalised, punctuated sentences of 6 to
//!   22 words, paragraphs of 30 to 90 words (about 400 bytes) and documents
//!   of 3 to 12 paragraphs. About `copy_rate` of the paragraphs are copies of
//!   a recent original paragraph (half verbatim, half lightly edited), a
//!   further `copy_rate / 4` embed one or two sentences of one, and eight
//!   boilerplate footers are each appended to 0.5% of the documents.
//! - `versions` ([`versions`], issue 14): the shape of Bible translations,
//!   editions of books or reprinted wire stories. Works of 8 to 20 books
//!   (documents of 20 to 60 KB, with stock phrases repeated throughout),
//!   each work in 5 to 7 versions; each version
//!   of a book is revised from an earlier version (5 to 20% of the words
//!   respelled, replaced or dropped, a few sentences inserted or deleted),
//!   all versions of a work dated in input order (`manifest.csv`), plus
//!   commentaries that quote passages of earlier books.
//! - `independent` ([`independent`]): not tuned to `lifted`: one language of
//!   short random-letter words from a 50,000-word Zipf vocabulary, paragraphs
//!   of 60 to 100 words, `copy_rate` of them copies of an earlier paragraph,
//!   half of those edited (10% of the words).
//! - `rewritten` ([`rewritten`], issue 12): copies that are rewritten, not
//!   only edited, each planted paragraph one of five kinds: verbatim, edited,
//!   rewritten (synonyms from the generator's own lexicon, word swaps,
//!   clauses reordered), summary (a third of the sentences kept) and noisy
//!   (character noise at `noise`: OCR confusions rn/m, e/c, l/1, old
//!   spellings, words hyphenated at line ends).
//!
//! # The truth (`truth.jsonl`)
//!
//! One JSON object per line, one line per planted copy:
//! `{"kind", "group", "source": {"doc", "para", "start", "end"}, "target":
//! {...}}`. `doc` is the document id, `para` the 0-based index of the
//! paragraph where the span starts (the document's text split on `\n`),
//! `start..end` the half-open byte range of the copied passage in that text
//! (UTF-8 bytes, as the corpus's text). `group` numbers the copies of one
//! original: every line of a group has the same original text behind it.
//! Kinds by shape: `verbatim`, `edited` (with `"jaccard"`, word 5-gram
//! Jaccard to the source), `embedded`, `boilerplate` (paragraphs);
//! `verbatim` and `revised` (one line per paragraph of a revised book, with
//! `"work"`, `"book"`, `"version"` and `"from_version"`, the version it was
//! revised from, and `"changed"`, the share of its words changed), and
//! `quoted` (versions); `verbatim` and `edited` (independent); `verbatim`,
//! `edited`, `rewritten`, `summary` and `noisy` (rewritten). A source always
//! lies in a document earlier in the corpus than its target.
//!
//! Generation streams: it keeps one document (one work for `versions`), the
//! vocabulary and a ring of recent paragraphs, so memory does not grow with
//! the corpus. The same configuration always writes the same bytes; the
//! pseudo-random generator is xoshiro256** seeded by splitmix64, defined here
//! so that the output does not depend on a crate's version.

mod independent;
mod paragraphs;
mod rewritten;
mod rng;
mod versions;
mod words;

use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Seed of the pseudo-random generator: the same seed gives the same corpus.
    pub seed: u64,
    /// Size of the corpus file to write, in bytes (generation stops after the
    /// first document that reaches it; `versions` sizes its last work to end
    /// within a few percent of it).
    pub size_bytes: u64,
    /// Share of paragraphs that are whole copies (verbatim or edited) of an
    /// earlier paragraph; embedded passages add a quarter of this again.
    pub copy_rate: f64,
    /// Shape of the words.
    pub language: Language,
    /// Shape of the corpus.
    pub shape: Shape,
    /// Share of characters changed in `noisy` copies (the `rewritten` shape), 0 to 0.5.
    pub noise: f64,
}

/// Shape of the corpus (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// News-like documents of short paragraphs, copies verbatim, edited or embedded.
    Paragraphs,
    /// Long documents in several versions, each revised from an earlier one.
    Versions,
    /// Paragraphs of random-letter words, 10% copies (half edited).
    Independent,
    /// Copies rewritten, summarised or garbled by character noise.
    Rewritten,
}

/// Shape of the synthetic words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// French-like syllables, with accented vowels.
    French,
    /// English-like syllables.
    English,
    /// Each document is French-like or English-like, half and half.
    Mixed,
}

impl Default for GenConfig {
    fn default() -> Self {
        GenConfig {
            seed: 42,
            size_bytes: 10 * 1024 * 1024,
            copy_rate: 0.10,
            language: Language::Mixed,
            shape: Shape::Paragraphs,
            noise: 0.05,
        }
    }
}

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenStats {
    /// Documents (corpus lines).
    pub documents: u64,
    /// Paragraphs, over all documents.
    pub paragraphs: u64,
    /// Bytes written to the corpus.
    pub bytes: u64,
    /// Planted copies (truth lines).
    pub planted: u64,
    /// Each document's id and ISO date, in corpus order, for shapes whose
    /// documents have dates (`versions`); empty otherwise.
    pub dates: Vec<(String, String)>,
}

/// Writes a corpus of about `cfg.size_bytes` bytes to `corpus` (JSONL, one
/// `{"id", "text"}` document per line, ids that sort in generation order)
/// and the planted copies to `truth` (JSONL, see the module documentation).
/// Both writers are buffered here and flushed before returning.
pub fn generate(
    cfg: &GenConfig,
    corpus: &mut dyn Write,
    truth: &mut dyn Write,
) -> io::Result<GenStats> {
    generate_until(cfg, corpus, truth, &AtomicBool::new(false))
}

/// [`generate`], stopping before the next document once `cancel` is set,
/// with an error of kind [`io::ErrorKind::Interrupted`] (the writers then
/// hold part of the corpus).
pub fn generate_until(
    cfg: &GenConfig,
    corpus: &mut dyn Write,
    truth: &mut dyn Write,
    cancel: &AtomicBool,
) -> io::Result<GenStats> {
    if !(0.0..=0.8).contains(&cfg.copy_rate) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("copy rate {} is not in [0, 0.8]", cfg.copy_rate),
        ));
    }
    if !(0.0..=0.5).contains(&cfg.noise) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("noise {} is not in [0, 0.5]", cfg.noise),
        ));
    }
    let generate = match cfg.shape {
        Shape::Paragraphs => paragraphs::generate,
        Shape::Versions => versions::generate,
        Shape::Independent => independent::generate,
        Shape::Rewritten => return rewritten::generate(cfg, corpus, truth, cancel),
    };
    let mut out = Output::new(corpus, truth);
    generate(cfg, &mut out, cancel)?;
    out.finish()
}

/// What a shape writes to: the corpus and the truth, buffered, and the
/// counts of what it wrote.
struct Output<'w> {
    corpus: BufWriter<&'w mut dyn Write>,
    truth: BufWriter<&'w mut dyn Write>,
    stats: GenStats,
}

impl<'w> Output<'w> {
    fn new(corpus: &'w mut dyn Write, truth: &'w mut dyn Write) -> Self {
        Output {
            corpus: BufWriter::with_capacity(1 << 20, corpus),
            truth: BufWriter::with_capacity(1 << 16, truth),
            stats: GenStats::default(),
        }
    }

    /// Writes one document of `paragraphs` paragraphs (see [`write_document`]).
    fn document(&mut self, id: &str, text: &str, paragraphs: usize) -> io::Result<()> {
        self.stats.bytes += write_document(&mut self.corpus, id, text)?;
        self.stats.documents += 1;
        self.stats.paragraphs += paragraphs as u64;
        Ok(())
    }

    /// Writes the truth line of one planted copy (see [`truth_line`]).
    fn planted(
        &mut self,
        kind: &str,
        group: u64,
        source: &Span,
        target: &Span,
        extra: &str,
    ) -> io::Result<()> {
        truth_line(&mut self.truth, kind, group, source, target, extra)?;
        self.stats.planted += 1;
        Ok(())
    }

    /// Flushes both writers; returns the counts.
    fn finish(mut self) -> io::Result<GenStats> {
        self.corpus.flush()?;
        self.truth.flush()?;
        Ok(self.stats)
    }
}

/// The most recent original paragraphs, possible sources of copies: at most
/// `capacity` of them, the oldest replaced first. Each original gets a group
/// number the first time it is copied, counting from `next_group`.
struct Pool<T> {
    originals: Vec<(T, Option<u64>)>,
    capacity: usize,
    /// Originals offered so far.
    offered: u64,
    next_group: u64,
}

impl<T> Pool<T> {
    fn new(capacity: usize, first_group: u64) -> Self {
        Pool {
            originals: Vec::new(),
            capacity,
            offered: 0,
            next_group: first_group,
        }
    }

    fn len(&self) -> usize {
        self.originals.len()
    }

    fn is_empty(&self) -> bool {
        self.originals.is_empty()
    }

    /// The original at `index` (below [`Pool::len`]).
    fn get(&self, index: usize) -> &T {
        &self.originals[index].0
    }

    /// The group of the original at `index`, numbered now if it has none.
    fn group(&mut self, index: usize) -> u64 {
        *self.originals[index].1.get_or_insert_with(|| {
            self.next_group += 1;
            self.next_group - 1
        })
    }

    /// Adds an original, in place of the oldest once the pool is full.
    fn offer(&mut self, original: T) {
        if self.originals.len() < self.capacity {
            self.originals.push((original, None));
        } else {
            self.originals[(self.offered % self.capacity as u64) as usize] = (original, None);
        }
        self.offered += 1;
    }
}

/// The error of a cancelled generation.
fn check_cancel(cancel: &AtomicBool) -> io::Result<()> {
    if cancel.load(Ordering::Relaxed) {
        Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "generation interrupted",
        ))
    } else {
        Ok(())
    }
}

/// Writes one corpus line, `{"id": ID, "text": TEXT}`; returns its length.
fn write_document(corpus: &mut dyn Write, id: &str, text: &str) -> io::Result<u64> {
    let mut line = Vec::with_capacity(text.len() + id.len() + 32);
    line.extend_from_slice(b"{\"id\": ");
    serde_json::to_writer(&mut line, id)?;
    line.extend_from_slice(b", \"text\": ");
    serde_json::to_writer(&mut line, text)?;
    line.extend_from_slice(b"}\n");
    corpus.write_all(&line)?;
    Ok(line.len() as u64)
}

/// A span of a document's text, for a truth line.
#[derive(Debug, Clone)]
struct Span {
    doc: String,
    para: usize,
    start: usize,
    end: usize,
}

impl Span {
    /// The span `start..end` of `text`, its paragraph counted from the text.
    fn of(doc: &str, text: &str, start: usize, end: usize) -> Span {
        Span {
            doc: doc.to_string(),
            para: memchr::memchr_iter(b'\n', &text.as_bytes()[..start]).count(),
            start,
            end,
        }
    }

    fn json(&self) -> String {
        format!(
            "{{\"doc\": \"{}\", \"para\": {}, \"start\": {}, \"end\": {}}}",
            self.doc, self.para, self.start, self.end
        )
    }
}

/// One truth line: `kind`, `group`, `source`, `target`, then `extra` (JSON
/// members, each starting with `, `).
fn truth_line(
    truth: &mut dyn Write,
    kind: &str,
    group: u64,
    source: &Span,
    target: &Span,
    extra: &str,
) -> io::Result<()> {
    writeln!(
        truth,
        "{{\"kind\": \"{kind}\", \"group\": {group}, \"source\": {}, \"target\": {}{extra}}}",
        source.json(),
        target.json()
    )
}
