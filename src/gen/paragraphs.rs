//! The `paragraphs` shape, the default: news-like documents of short
//! paragraphs, some copied whole (verbatim or edited) or in part (embedded)
//! from recent originals, plus boilerplate footers. See the documentation of
//! [`super`] for the corpus and its truth.

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::atomic::AtomicBool;

use super::rng::Rng;
use super::words::{
    document_language, ends_sentence, lexicons, paragraph, punct, render, sentence, with_punct,
    Lexicon, Token, CAP, ID_MASK, LANG_SHIFT, PUNCT_MASK,
};
use super::{check_cancel, GenConfig, Language, Output, Pool};

/// Boilerplate footers.
const FOOTERS: usize = 8;
/// Share of documents that carry a given footer.
const FOOTER_RATE: f64 = 0.005;
/// The most recent original paragraphs, possible sources of copies.
const POOL: usize = 4096;

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

struct Generator<'o, 'w> {
    rng: Rng,
    lexicons: Vec<Lexicon>,
    copy_rate: f64,
    language: Language,
    pool: Pool<Original>,
    footers: Vec<(Vec<Token>, Option<Site>)>,
    out: &'o mut Output<'w>,
    id_width: usize,
}

impl Generator<'_, '_> {
    /// A new sentence of `len` words in language `lang`.
    fn sentence(&mut self, lang: u32, len: usize, out: &mut Vec<Token>) {
        sentence(&self.lexicons, &mut self.rng, lang, len, out);
    }

    /// New sentences of `words` words in all; returns where each sentence
    /// starts and where the last one ends.
    fn paragraph(&mut self, lang: u32, words: usize, out: &mut Vec<Token>) -> Vec<usize> {
        paragraph(&self.lexicons, &mut self.rng, lang, words, out)
    }

    fn render(&self, tokens: &[Token], out: &mut String) {
        render(&self.lexicons, tokens, out);
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

    /// Sentences of a pool paragraph totalling 15 to 40 words, as a token range.
    fn passage(&mut self, pool: usize) -> Option<(usize, usize)> {
        let tokens = &self.pool.get(pool).tokens;
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
        self.out.truth.write_all(line.as_bytes())?;
        self.out.stats.planted += 1;
        Ok(())
    }

    /// Writes one document.
    fn document(&mut self, doc: u64, text: &mut String) -> io::Result<()> {
        let lang = document_language(self.language, &mut self.rng);
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
                    let group = self.pool.group(pool);
                    tokens.extend_from_slice(&self.pool.get(pool).tokens);
                    let jaccard = if edited {
                        // Edits can cancel out (a word replaced by itself): retry.
                        while tokens == self.pool.get(pool).tokens {
                            self.edit(&mut tokens);
                        }
                        Some(jaccard5(&self.pool.get(pool).tokens, &tokens))
                    } else {
                        None
                    };
                    self.render(&tokens, text);
                    let source = self.pool.get(pool).site;
                    let kind = if edited { "edited" } else { "verbatim" };
                    self.truth_line(kind, group, &source, &here(text.len()), jaccard)?;
                }
                Plan::Embed { pool, from, to } => {
                    let group = self.pool.group(pool);
                    let src = &self.pool.get(pool);
                    let src_tokens = src.tokens.clone();
                    let mut src_text = String::new();
                    self.render(&src_tokens[..from], &mut src_text);
                    let src_start = src.site.start + src_text.len() + usize::from(from > 0);
                    src_text.clear();
                    self.render(&src_tokens[from..to], &mut src_text);
                    let source = Site {
                        start: src_start,
                        end: src_start + src_text.len(),
                        ..self.pool.get(pool).site
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
            self.pool.offer(Original { tokens, site });
        }

        let id = format!("d{doc:0w$}", w = self.id_width);
        self.out.document(&id, text, plans.len())
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

/// The `paragraphs` shape (see the module documentation of [`super`]).
pub(super) fn generate(cfg: &GenConfig, out: &mut Output, cancel: &AtomicBool) -> io::Result<()> {
    let mut rng = Rng::new(cfg.seed);
    let lexicons = lexicons(&mut rng);
    // Documents average about 3 kB: ids wide enough for all of them.
    let id_width = (cfg.size_bytes / 1000).max(1).to_string().len().max(7);
    let mut g = Generator {
        rng,
        lexicons,
        copy_rate: cfg.copy_rate,
        language: cfg.language,
        pool: Pool::new(POOL, FOOTERS as u64),
        footers: Vec::new(),
        out,
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

    let mut text = String::new();
    let mut doc = 1;
    while g.out.stats.bytes < cfg.size_bytes {
        check_cancel(cancel)?;
        g.document(doc, &mut text)?;
        doc += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{generate, generate_until, GenStats};
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
