//! A seeded generator of synthetic corpora with planted reuse, and the ground
//! truth of what was planted: the input of the benchmarks (`benches/`).
//!
//! Real corpora with a known map of reused text are rare and small, so the
//! benchmarks make their own. [`generate`] writes a JSONL corpus (one
//! `{"id", "text"}` document per line, paragraphs separated by `\n`) of
//! synthetic prose: words are made of French-like or English-like syllables,
//! drawn from a Zipf-distributed vocabulary of 50,000 words per language, in
//! capitalised, punctuated sentences of 6 to 22 words, paragraphs of 30 to 90
//! words (about 400 bytes) and documents of 3 to 12 paragraphs.
//!
//! Among the paragraphs, about `copy_rate` are planted copies of a paragraph
//! of an earlier document (half verbatim, half lightly edited: a few words
//! replaced, inserted or deleted, so that the word 5-gram Jaccard similarity
//! to the original stays mostly above 0.5), and a further `copy_rate / 4` are
//! new paragraphs with a passage of one or two sentences (15 to 40 words)
//! from an earlier paragraph embedded in them. Eight boilerplate footers are
//! each appended to 0.5% of the documents.
//!
//! The truth is JSONL too, one line per planted copy:
//! `{"kind": "verbatim"|"edited"|"embedded"|"boilerplate", "group": N,
//! "source": {"doc", "para", "start", "end"}, "target": {...}}`, where `para`
//! is the 0-based index of the paragraph in the document's text (split on
//! `\n`) and `start..end` the half-open byte range of the copied passage in
//! that text: the whole paragraph for verbatim, edited and boilerplate copies,
//! the sentences for embedded ones. Edited lines also carry `"jaccard"`, the
//! word 5-gram Jaccard similarity of the copy to its source.
//!
//! Groups: copies are only ever taken from original paragraphs (never from a
//! copy), so a group is one original paragraph and all its copies, whole or
//! embedded, share its number; the source of every line of a group is that
//! original. Each footer is a group too, whose source is its first occurrence.
//! Groups 0 to 7 are the footers.
//!
//! Generation streams: it keeps one document, the vocabulary and a ring of
//! the most recent original paragraphs (where copies come from), so memory
//! does not grow with the corpus. Copies come from recent paragraphs, as news
//! is copied while it is fresh: a paragraph gets the same number of copies on
//! average at every corpus size, so planted pairs grow linearly with the
//! corpus. (An earlier version drew sources from a reservoir sample of all
//! earlier paragraphs; its copy groups grew with the corpus and true pairs
//! quadratically, 44 k at 100 MB but 1.96 M at 1 GB, so a 1 GB run measured
//! the generator more than the tool.) The same configuration always
//! writes the same bytes; the pseudo-random generator is xoshiro256** seeded
//! by splitmix64, defined here so that the output does not depend on a crate's
//! version.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// What to generate.
#[derive(Debug, Clone)]
pub struct GenConfig {
    /// Seed of the pseudo-random generator: the same seed gives the same corpus.
    pub seed: u64,
    /// Size of the corpus file to write, in bytes (generation stops after the
    /// first document that reaches it).
    pub size_bytes: u64,
    /// Share of paragraphs that are whole copies (verbatim or edited) of an
    /// earlier paragraph; embedded passages add a quarter of this again.
    pub copy_rate: f64,
    /// Shape of the words.
    pub language: Language,
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
}

/// Words per language.
const VOCAB: usize = 50_000;
/// Boilerplate footers.
const FOOTERS: usize = 8;
/// Share of documents that carry a given footer.
const FOOTER_RATE: f64 = 0.005;
/// The most recent original paragraphs, possible sources of copies.
const POOL: usize = 4096;

/// splitmix64: seeds the main generator.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256**.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Self {
        let mut sm = seed;
        Rng([
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [0, n), n > 0 (multiply-shift; the bias is negligible here).
    fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() as u128 * n as u128) >> 64) as usize
    }

    /// Uniform in [lo, hi].
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// One language's vocabulary and its Zipf distribution.
struct Lexicon {
    words: Vec<String>,
    /// Cumulative Zipf-Mandelbrot weights, last = 1.
    cdf: Vec<f64>,
}

impl Lexicon {
    fn build(rng: &mut Rng, lang: Language, taken: &mut HashSet<String>) -> Lexicon {
        let (onsets, nuclei, codas): (&[&str], &[&str], &[&str]) = match lang {
            Language::French => (
                &[
                    "", "", "b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v",
                    "ch", "br", "cr", "dr", "fr", "gr", "pr", "tr", "bl", "cl", "pl", "qu",
                ],
                &[
                    "a", "e", "i", "o", "u", "é", "è", "ê", "ou", "ai", "au", "eau", "eu", "oi",
                    "an", "en", "on", "in", "a", "e", "é", "i",
                ],
                &[
                    "", "", "", "", "", "s", "t", "r", "l", "n", "x", "nt", "que", "re", "ment",
                    "ne", "se",
                ],
            ),
            _ => (
                &[
                    "", "", "b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t",
                    "w", "y", "th", "sh", "ch", "st", "str", "bl", "br", "cr", "gr", "pl", "tr",
                    "wh",
                ],
                &[
                    "a", "e", "i", "o", "u", "ee", "oo", "ea", "ai", "ou", "ow", "y", "a", "e",
                    "i", "o",
                ],
                &[
                    "", "", "", "", "t", "d", "n", "s", "ng", "ck", "th", "st", "nd", "rt", "ll",
                    "ght", "r", "m",
                ],
            ),
        };
        let mut words = Vec::with_capacity(VOCAB);
        while words.len() < VOCAB {
            let rank = words.len();
            // Frequent words are short, as in natural languages.
            let (syllables, max_len) = match rank {
                0..=49 => (1, 4),
                50..=999 => (rng.range(1, 2), 7),
                1000..=9999 => (rng.range(2, 3), 10),
                _ => (rng.range(2, 4), 12),
            };
            let mut word = String::new();
            for s in 0..syllables {
                word.push_str(onsets[rng.below(onsets.len())]);
                word.push_str(nuclei[rng.below(nuclei.len())]);
                if (s + 1 == syllables && rank >= 50) || rng.chance(0.1) {
                    word.push_str(codas[rng.below(codas.len())]);
                }
            }
            let len = word.chars().count();
            if (2..=max_len).contains(&len) && taken.insert(word.clone()) {
                words.push(word);
            }
        }
        let mut cdf = Vec::with_capacity(VOCAB);
        let mut total = 0.0;
        for rank in 0..VOCAB {
            total += 1.0 / (rank as f64 + 2.7).powf(1.05);
            cdf.push(total);
        }
        for c in &mut cdf {
            *c /= total;
        }
        Lexicon { words, cdf }
    }

    fn sample(&self, rng: &mut Rng) -> u32 {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(VOCAB - 1) as u32
    }
}

/// A word in a paragraph, packed: bits 0-19 word id, 20 language (0 French,
/// 1 English), 21-23 trailing punctuation, 24 capitalised.
type Token = u32;

const ID_MASK: u32 = (1 << 20) - 1;
const LANG_SHIFT: u32 = 20;
const PUNCT_SHIFT: u32 = 21;
const PUNCT_MASK: u32 = 0b111 << PUNCT_SHIFT;
const CAP: u32 = 1 << 24;
const COMMA: u32 = 1;
const PERIOD: u32 = 2;
const QUESTION: u32 = 3;
const BANG: u32 = 4;

fn punct(t: Token) -> u32 {
    (t & PUNCT_MASK) >> PUNCT_SHIFT
}

fn ends_sentence(t: Token) -> bool {
    punct(t) >= PERIOD
}

fn with_punct(t: Token, p: u32) -> Token {
    (t & !PUNCT_MASK) | (p << PUNCT_SHIFT)
}

/// A planted copy's side.
#[derive(Clone, Copy)]
struct Site {
    doc: u64,
    para: usize,
    start: usize,
    end: usize,
}

/// An original paragraph kept as a possible source.
struct Original {
    tokens: Vec<Token>,
    site: Site,
    group: Option<u64>,
}

/// What a paragraph of the document being written is.
enum Plan {
    New,
    Copy {
        pool: usize,
        edited: bool,
    },
    /// Tokens `from..to` of the pool paragraph, embedded in a new paragraph.
    Embed {
        pool: usize,
        from: usize,
        to: usize,
    },
    Footer(usize),
}

struct Generator<'a> {
    rng: Rng,
    lexicons: Vec<Lexicon>,
    copy_rate: f64,
    language: Language,
    pool: Vec<Original>,
    /// Original paragraphs offered to the pool so far.
    offered: u64,
    next_group: u64,
    footers: Vec<(Vec<Token>, Option<Site>)>,
    truth: BufWriter<&'a mut dyn Write>,
    stats: GenStats,
    id_width: usize,
}

impl Generator<'_> {
    /// A new sentence of `len` words in language `lang`.
    fn sentence(&mut self, lang: u32, len: usize, out: &mut Vec<Token>) {
        let lex = &self.lexicons[lang as usize];
        for i in 0..len {
            let mut t = lex.sample(&mut self.rng) | (lang << LANG_SHIFT);
            if i == 0 {
                t |= CAP;
            }
            if i + 1 == len {
                let r = self.rng.unit();
                let p = if r < 0.88 {
                    PERIOD
                } else if r < 0.96 {
                    QUESTION
                } else {
                    BANG
                };
                t = with_punct(t, p);
            } else if i >= 2 && i + 2 < len && self.rng.chance(0.07) {
                t = with_punct(t, COMMA);
            }
            out.push(t);
        }
    }

    /// New sentences of `words` words in all; returns where each sentence
    /// starts and where the last one ends.
    fn paragraph(&mut self, lang: u32, words: usize, out: &mut Vec<Token>) -> Vec<usize> {
        let mut breaks = vec![out.len()];
        let mut remaining = words;
        while remaining > 0 {
            let mut len = self.rng.range(6, 22).min(remaining);
            if remaining - len < 6 {
                len = remaining;
            }
            self.sentence(lang, len, out);
            breaks.push(out.len());
            remaining -= len;
        }
        breaks
    }

    fn render(&self, tokens: &[Token], out: &mut String) {
        for (i, &t) in tokens.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let word =
                &self.lexicons[((t >> LANG_SHIFT) & 1) as usize].words[(t & ID_MASK) as usize];
            if t & CAP != 0 {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.extend(first.to_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(word);
            }
            out.push_str(match punct(t) {
                COMMA => ",",
                PERIOD => ".",
                QUESTION => "?",
                BANG => "!",
                _ => "",
            });
        }
    }

    /// A few replaced, inserted or deleted words.
    fn edit(&mut self, tokens: &mut Vec<Token>) {
        let edits = 1 + self.rng.below((tokens.len() / 15).max(1));
        for _ in 0..edits {
            let lang = (tokens[0] >> LANG_SHIFT) & 1;
            let word = self.lexicons[lang as usize].sample(&mut self.rng) | (lang << LANG_SHIFT);
            let at = self.rng.range(1, tokens.len() - 2);
            match self.rng.below(3) {
                0 => {
                    let old = tokens[at];
                    tokens[at] = word | (old & (PUNCT_MASK | CAP));
                }
                1 => {
                    let cap = if ends_sentence(tokens[at - 1]) {
                        CAP
                    } else {
                        0
                    };
                    if cap != 0 {
                        tokens[at] &= !CAP;
                    }
                    tokens.insert(at, word | cap);
                }
                _ => {
                    let old = tokens.remove(at);
                    if old & CAP != 0 {
                        tokens[at] |= CAP;
                    }
                    if punct(old) != 0 && punct(tokens[at - 1]) == 0 {
                        tokens[at - 1] = with_punct(tokens[at - 1], punct(old));
                    }
                }
            }
        }
    }

    fn group_of(&mut self, pool: usize) -> u64 {
        match self.pool[pool].group {
            Some(g) => g,
            None => {
                let g = self.next_group;
                self.next_group += 1;
                self.pool[pool].group = Some(g);
                g
            }
        }
    }

    /// Sentences of a pool paragraph totalling 15 to 40 words, as a token range.
    fn passage(&mut self, pool: usize) -> Option<(usize, usize)> {
        let tokens = &self.pool[pool].tokens;
        let mut starts = vec![0];
        for (i, &t) in tokens.iter().enumerate() {
            if ends_sentence(t) && i + 1 < tokens.len() {
                starts.push(i + 1);
            }
        }
        let first = self.rng.below(starts.len());
        let from = starts[first];
        let mut to = from;
        for &next in starts[first + 1..]
            .iter()
            .chain(std::iter::once(&tokens.len()))
        {
            if next - from > 40 {
                break;
            }
            to = next;
            if to - from >= 15 {
                break;
            }
        }
        (to - from >= 15 && to - from <= 40).then_some((from, to))
    }

    fn site_json(&self, s: &Site) -> String {
        format!(
            "{{\"doc\": \"d{:0w$}\", \"para\": {}, \"start\": {}, \"end\": {}}}",
            s.doc,
            s.para,
            s.start,
            s.end,
            w = self.id_width
        )
    }

    fn truth_line(
        &mut self,
        kind: &str,
        group: u64,
        source: &Site,
        target: &Site,
        jaccard: Option<f64>,
    ) -> io::Result<()> {
        let extra = jaccard.map_or(String::new(), |j| format!(", \"jaccard\": {j:.4}"));
        let line = format!(
            "{{\"kind\": \"{kind}\", \"group\": {group}, \"source\": {}, \"target\": {}{extra}}}\n",
            self.site_json(source),
            self.site_json(target)
        );
        self.truth.write_all(line.as_bytes())?;
        self.stats.planted += 1;
        Ok(())
    }

    /// Writes one document; returns its corpus line's length.
    fn document(
        &mut self,
        doc: u64,
        text: &mut String,
        line: &mut Vec<u8>,
        corpus: &mut dyn Write,
    ) -> io::Result<u64> {
        let lang: u32 = match self.language {
            Language::French => 0,
            Language::English => 1,
            Language::Mixed => self.rng.below(2) as u32,
        };
        let mut plans = Vec::new();
        for _ in 0..self.rng.range(3, 12) {
            let r = self.rng.unit();
            let plan = if self.pool.is_empty() || r >= self.copy_rate * 1.25 {
                Plan::New
            } else if r < self.copy_rate {
                Plan::Copy {
                    pool: self.rng.below(self.pool.len()),
                    edited: r >= self.copy_rate / 2.0,
                }
            } else {
                // Embedded passage: a few tries to find a source whose
                // sentences make 15 to 40 words.
                let mut plan = Plan::New;
                for _ in 0..4 {
                    let pool = self.rng.below(self.pool.len());
                    if let Some((from, to)) = self.passage(pool) {
                        plan = Plan::Embed { pool, from, to };
                        break;
                    }
                }
                plan
            };
            plans.push(plan);
        }
        for f in 0..FOOTERS {
            if self.rng.chance(FOOTER_RATE) {
                plans.push(Plan::Footer(f));
            }
        }

        text.clear();
        let mut originals = Vec::new();
        let mut tokens = Vec::new();
        for (para, plan) in plans.iter().enumerate() {
            if para > 0 {
                text.push('\n');
            }
            let start = text.len();
            let here = |end: usize| Site {
                doc,
                para,
                start,
                end,
            };
            tokens.clear();
            match *plan {
                Plan::New => {
                    let words = self.rng.range(30, 90);
                    self.paragraph(lang, words, &mut tokens);
                    self.render(&tokens, text);
                    originals.push((tokens.clone(), here(text.len())));
                }
                Plan::Copy { pool, edited } => {
                    let group = self.group_of(pool);
                    tokens.extend_from_slice(&self.pool[pool].tokens);
                    let jaccard = if edited {
                        // Edits can cancel out (a word replaced by itself): retry.
                        while tokens == self.pool[pool].tokens {
                            self.edit(&mut tokens);
                        }
                        Some(jaccard5(&self.pool[pool].tokens, &tokens))
                    } else {
                        None
                    };
                    self.render(&tokens, text);
                    let source = self.pool[pool].site;
                    let kind = if edited { "edited" } else { "verbatim" };
                    self.truth_line(kind, group, &source, &here(text.len()), jaccard)?;
                }
                Plan::Embed { pool, from, to } => {
                    let group = self.group_of(pool);
                    let src = &self.pool[pool];
                    let src_tokens = src.tokens.clone();
                    let mut src_text = String::new();
                    self.render(&src_tokens[..from], &mut src_text);
                    let src_start = src.site.start + src_text.len() + usize::from(from > 0);
                    src_text.clear();
                    self.render(&src_tokens[from..to], &mut src_text);
                    let source = Site {
                        start: src_start,
                        end: src_start + src_text.len(),
                        ..self.pool[pool].site
                    };
                    // The host: a new paragraph of 20 to 60 words in the
                    // passage's language, the passage after one of its sentences.
                    let host_lang = (src_tokens[0] >> LANG_SHIFT) & 1;
                    let mut host = Vec::new();
                    let words = self.rng.range(20, 60);
                    let breaks = self.paragraph(host_lang, words, &mut host);
                    let at = breaks[self.rng.below(breaks.len())];
                    self.render(&host[..at], text);
                    if at > 0 {
                        text.push(' ');
                    }
                    let t_start = text.len();
                    self.render(&src_tokens[from..to], text);
                    let t_end = text.len();
                    if at < host.len() {
                        text.push(' ');
                        self.render(&host[at..], text);
                    }
                    let target = Site {
                        start: t_start,
                        end: t_end,
                        ..here(t_end)
                    };
                    self.truth_line("embedded", group, &source, &target, None)?;
                }
                Plan::Footer(f) => {
                    let footer = std::mem::take(&mut self.footers[f].0);
                    self.render(&footer, text);
                    let site = here(text.len());
                    self.footers[f].0 = footer;
                    match self.footers[f].1 {
                        None => self.footers[f].1 = Some(site),
                        Some(first) => {
                            self.truth_line("boilerplate", f as u64, &first, &site, None)?
                        }
                    }
                }
            }
        }

        // The document's originals become possible sources, replacing the
        // oldest ones.
        for (tokens, site) in originals {
            let original = Original {
                tokens,
                site,
                group: None,
            };
            if self.pool.len() < POOL {
                self.pool.push(original);
            } else {
                self.pool[(self.offered % POOL as u64) as usize] = original;
            }
            self.offered += 1;
        }

        line.clear();
        write!(
            line,
            "{{\"id\": \"d{doc:0w$}\", \"text\": ",
            w = self.id_width
        )?;
        serde_json::to_writer(&mut *line, text.as_str())?;
        line.extend_from_slice(b"}\n");
        corpus.write_all(line)?;
        self.stats.documents += 1;
        self.stats.paragraphs += plans.len() as u64;
        Ok(line.len() as u64)
    }
}

/// Word 5-gram Jaccard similarity of two token sequences (case and
/// punctuation ignored, as a tokenizer splitting on non-word characters would).
fn jaccard5(a: &[Token], b: &[Token]) -> f64 {
    fn grams(t: &[Token]) -> HashSet<[u32; 5]> {
        let ids: Vec<u32> = t
            .iter()
            .map(|&t| t & (ID_MASK | (1 << LANG_SHIFT)))
            .collect();
        ids.windows(5)
            .map(|w| [w[0], w[1], w[2], w[3], w[4]])
            .collect()
    }
    let (ga, gb) = (grams(a), grams(b));
    let inter = ga.intersection(&gb).count();
    let union = ga.len() + gb.len() - inter;
    if union == 0 {
        1.0
    } else {
        inter as f64 / union as f64
    }
}

/// Writes a corpus of about `cfg.size_bytes` bytes to `corpus` (JSONL, one
/// `{"id", "text"}` document per line, ids `d0000001`, `d0000002`, ... that
/// sort in generation order) and the planted copies to `truth` (JSONL, see
/// the module documentation). Both writers are buffered here and flushed
/// before returning.
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
    let mut rng = Rng::new(cfg.seed);
    let mut taken = HashSet::new();
    let lexicons = vec![
        Lexicon::build(&mut rng, Language::French, &mut taken),
        Lexicon::build(&mut rng, Language::English, &mut taken),
    ];
    // Documents average about 3 kB: ids wide enough for all of them.
    let id_width = (cfg.size_bytes / 1000).max(1).to_string().len().max(7);
    let mut g = Generator {
        rng,
        lexicons,
        copy_rate: cfg.copy_rate,
        language: cfg.language,
        pool: Vec::with_capacity(POOL),
        offered: 0,
        next_group: FOOTERS as u64,
        footers: Vec::new(),
        truth: BufWriter::with_capacity(1 << 16, truth),
        stats: GenStats::default(),
        id_width,
    };
    for f in 0..FOOTERS {
        let lang = match cfg.language {
            Language::French => 0,
            Language::English => 1,
            Language::Mixed => (f % 2) as u32,
        };
        let mut footer = Vec::new();
        let len = g.rng.range(14, 24);
        g.sentence(lang, len, &mut footer);
        g.footers.push((footer, None));
    }

    let mut corpus = BufWriter::with_capacity(1 << 20, corpus);
    let (mut text, mut line) = (String::new(), Vec::new());
    let mut doc = 1;
    while g.stats.bytes < cfg.size_bytes {
        if cancel.load(Ordering::Relaxed) {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "generation interrupted",
            ));
        }
        g.stats.bytes += g.document(doc, &mut text, &mut line, &mut corpus)?;
        doc += 1;
    }
    corpus.flush()?;
    g.truth.flush()?;
    Ok(g.stats)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::HashMap;

    fn run(cfg: &GenConfig) -> (Vec<u8>, Vec<u8>, GenStats) {
        let (mut corpus, mut truth) = (Vec::new(), Vec::new());
        let stats = generate(cfg, &mut corpus, &mut truth).unwrap();
        (corpus, truth, stats)
    }

    fn small(seed: u64, size: u64, language: Language) -> GenConfig {
        GenConfig {
            seed,
            size_bytes: size,
            language,
            ..GenConfig::default()
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        let cfg = small(7, 300_000, Language::Mixed);
        let (c1, t1, s1) = run(&cfg);
        let (c2, t2, s2) = run(&cfg);
        assert_eq!(s1, s2);
        assert!(c1 == c2 && t1 == t2);
        let (c3, _, _) = run(&small(8, 300_000, Language::Mixed));
        assert_ne!(c1, c3);
    }

    #[test]
    fn size_is_respected() {
        for size in [200_000, 2_000_000] {
            let (corpus, truth, stats) = run(&small(42, size, Language::Mixed));
            assert_eq!(stats.bytes, corpus.len() as u64);
            let off = (stats.bytes as f64 - size as f64) / size as f64;
            assert!((0.0..0.03).contains(&off), "{size}: {off}");
            assert_eq!(
                stats.planted as usize,
                truth.split(|&b| b == b'\n').count() - 1
            );
            let per_para = stats.bytes as f64 / stats.paragraphs as f64;
            assert!(
                (330.0..480.0).contains(&per_para),
                "{per_para} bytes per paragraph"
            );
        }
    }

    #[test]
    fn truth_slices_the_text() {
        for language in [Language::French, Language::English, Language::Mixed] {
            let (corpus, truth, stats) = run(&small(3, 3_000_000, language));
            let docs: HashMap<String, String> = corpus
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| {
                    let v: Value = serde_json::from_slice(l).unwrap();
                    (
                        v["id"].as_str().unwrap().to_string(),
                        v["text"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(docs.len() as u64, stats.documents);
            let ids: Vec<&String> = docs.keys().collect();
            assert!(ids.iter().all(|id| id.len() == 8));
            let mut kinds: HashMap<String, usize> = HashMap::new();
            let mut low_jaccard = 0;
            for line in truth.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                let v: Value = serde_json::from_slice(line).unwrap();
                let kind = v["kind"].as_str().unwrap().to_string();
                let mut spans = Vec::new();
                for side in ["source", "target"] {
                    let s = &v[side];
                    let text = &docs[s["doc"].as_str().unwrap()];
                    let (start, end) = (
                        s["start"].as_u64().unwrap() as usize,
                        s["end"].as_u64().unwrap() as usize,
                    );
                    assert!(start < end && end <= text.len());
                    assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
                    let para = s["para"].as_u64().unwrap() as usize;
                    let p_start = text[..start].matches('\n').count();
                    assert_eq!(p_start, para, "{kind}: span starts in paragraph {p_start}");
                    assert!(!text[start..end].contains('\n'));
                    let paragraph = text.split('\n').nth(para).unwrap();
                    if kind != "embedded" {
                        assert_eq!(
                            &text[start..end],
                            paragraph,
                            "{kind}: not a whole paragraph"
                        );
                    }
                    spans.push(text[start..end].to_string());
                }
                assert!(v["source"]["doc"].as_str() < v["target"]["doc"].as_str());
                match kind.as_str() {
                    "verbatim" | "embedded" | "boilerplate" => {
                        assert_eq!(spans[0], spans[1], "{kind}")
                    }
                    "edited" => {
                        assert_ne!(spans[0], spans[1]);
                        if v["jaccard"].as_f64().unwrap() < 0.5 {
                            low_jaccard += 1;
                        }
                    }
                    other => panic!("unknown kind {other}"),
                }
                if kind == "embedded" {
                    let words = spans[0].split(' ').count();
                    assert!((15..=40).contains(&words), "{words} words embedded");
                }
                *kinds.entry(kind).or_default() += 1;
            }
            let rate = (kinds["verbatim"] + kinds["edited"]) as f64 / stats.paragraphs as f64;
            assert!((0.08..0.12).contains(&rate), "copy rate {rate}");
            assert!(kinds["embedded"] > 0 && kinds["boilerplate"] > 0);
            assert!(
                low_jaccard * 5 < kinds["edited"],
                "{low_jaccard} of {} edited below 0.5",
                kinds["edited"]
            );
        }
    }

    /// A set flag stops generation before the next document.
    #[test]
    fn cancel_stops_generation() {
        let cfg = small(3, 1_000_000, Language::English);
        let (mut corpus, mut truth) = (Vec::new(), Vec::new());
        let error = generate_until(&cfg, &mut corpus, &mut truth, &AtomicBool::new(true))
            .expect_err("cancelled");
        assert_eq!(error.kind(), io::ErrorKind::Interrupted);
        assert!(corpus.is_empty(), "{} bytes written", corpus.len());
    }

    #[test]
    fn bad_copy_rate_is_refused() {
        let cfg = GenConfig {
            copy_rate: 1.5,
            ..small(1, 1000, Language::English)
        };
        assert!(generate(&cfg, &mut Vec::new(), &mut Vec::new()).is_err());
    }
}
