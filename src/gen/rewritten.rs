//! The `rewritten` shape (issue 12): news-like documents as in the
//! `paragraphs` shape (3 to 12 paragraphs of 30 to 90 words, one language per
//! document), where `copy_rate` of the paragraphs are planted copies of a
//! recent original paragraph, each of one of five kinds, in turn:
//!
//! - `verbatim`: the paragraph as it was;
//! - `edited`: a few words replaced, inserted or dropped (one per 15 words);
//! - `rewritten`: 30% of the content words replaced by their synonym from the
//!   generator's own lexicon, 8% of neighbouring words swapped, the clauses of
//!   every sentence with a comma put in the other order, and two neighbouring
//!   sentences exchanged half of the time;
//! - `summary`: a third of the sentences kept (at least one), in order;
//! - `noisy`: the paragraph with character noise on `noise` of its characters:
//!   OCR confusions (m -> rn, rn -> m, e <-> c, l -> 1, o -> 0), old spellings
//!   (i -> y, u -> v, an `e` after a final consonant), words hyphenated at a
//!   line end (`-\n` inside a word, so the target span may hold a `\n`).
//!
//! Truth: one line per copy, the whole source paragraph and the whole target
//! paragraph; noisy lines carry `"noise"`, the share of characters changed.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::sync::atomic::AtomicBool;

use super::rng::Rng;
use super::words::{
    ends_sentence, is_content, paragraph, punct, render, synonym, with_punct, Lexicon, Token, CAP,
    LANG_SHIFT, PUNCT_MASK,
};
use super::{check_cancel, truth_line, write_document, GenConfig, GenStats, Language, Span};

const POOL: usize = 4096;
const COMMA: u32 = 1;
const KINDS: [&str; 5] = ["verbatim", "edited", "rewritten", "summary", "noisy"];

struct Original {
    tokens: Vec<Token>,
    span: Span,
    group: Option<u64>,
}

/// The sentences of a paragraph, as token ranges.
fn sentences(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, &t) in tokens.iter().enumerate() {
        if ends_sentence(t) || i + 1 == tokens.len() {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    out
}

/// A few replaced, inserted or dropped words.
fn edit(lexicons: &[Lexicon], rng: &mut Rng, tokens: &[Token]) -> Vec<Token> {
    let mut out = tokens.to_vec();
    let lang = (tokens[0] >> LANG_SHIFT) & 1;
    for _ in 0..1 + out.len() / 15 {
        let at = rng.range(1, out.len() - 2);
        let word = lexicons[lang as usize].sample(rng) | (lang << LANG_SHIFT);
        match rng.below(3) {
            0 => out[at] = word | (out[at] & (PUNCT_MASK | CAP)),
            1 if out[at] & CAP == 0 => out.insert(at, word),
            _ if out[at] & CAP == 0 && punct(out[at]) == 0 => {
                out.remove(at);
            }
            _ => out[at] = word | (out[at] & (PUNCT_MASK | CAP)),
        }
    }
    if out == tokens {
        out[1] = synonym(out[1]) | (out[1] & (PUNCT_MASK | CAP));
        if out == tokens {
            out.insert(
                1,
                lexicons[lang as usize].sample(rng) | (lang << LANG_SHIFT),
            );
        }
    }
    out
}

/// Synonyms, swapped neighbours, clauses and sentences reordered.
fn rewrite(rng: &mut Rng, tokens: &[Token]) -> Vec<Token> {
    let mut words: Vec<Token> = tokens
        .iter()
        .map(|&t| {
            if is_content(t) && rng.chance(0.3) {
                synonym(t)
            } else {
                t
            }
        })
        .collect();
    for i in 0..words.len().saturating_sub(1) {
        let (a, b) = (words[i], words[i + 1]);
        let plain = |t: Token| t & CAP == 0 && punct(t) == 0;
        if plain(a) && plain(b) && rng.chance(0.08) {
            words.swap(i, i + 1);
        }
    }
    let mut out: Vec<Vec<Token>> = Vec::new();
    for (s, e) in sentences(&words) {
        let sentence = &words[s..e];
        let comma = sentence[..sentence.len() - 1]
            .iter()
            .position(|&t| punct(t) == COMMA);
        match comma {
            Some(c) => {
                // "A, B." -> "B, a."
                let end = punct(sentence[sentence.len() - 1]);
                let mut b = sentence[c + 1..].to_vec();
                let mut a = sentence[..=c].to_vec();
                b[0] |= CAP;
                let last = b.len() - 1;
                b[last] = with_punct(b[last], COMMA);
                a[0] &= !CAP;
                let last = a.len() - 1;
                a[last] = with_punct(a[last], end);
                b.extend(a);
                out.push(b);
            }
            None => out.push(sentence.to_vec()),
        }
    }
    if out.len() >= 2 && rng.chance(0.5) {
        let i = rng.below(out.len() - 1);
        out.swap(i, i + 1);
    }
    out.concat()
}

/// A third of the sentences, at least one, in order.
fn summarise(rng: &mut Rng, tokens: &[Token]) -> Vec<Token> {
    let all = sentences(tokens);
    let keep = all.len().div_ceil(3);
    let mut chosen: Vec<usize> = (0..all.len()).collect();
    while chosen.len() > keep {
        chosen.remove(rng.below(chosen.len()));
    }
    chosen
        .into_iter()
        .flat_map(|i| tokens[all[i].0..all[i].1].iter().copied())
        .collect()
}

/// `text` with about `rate` of its characters changed; returns it and the
/// characters changed.
fn noise(rng: &mut Rng, text: &str, rate: f64) -> (String, usize) {
    let chars: Vec<char> = text.chars().collect();
    let letter = |j: usize| chars.get(j).is_some_and(|c| c.is_alphabetic());
    // Where a change applies: a confusable letter, a word's last letter
    // (after at least two), or a letter inside a word (hyphenation).
    let confusable = |j: usize| {
        matches!(chars[j], 'm' | 'e' | 'c' | 'l' | 'o' | 'i' | 'u')
            || (chars[j] == 'r' && chars.get(j + 1) == Some(&'n'))
    };
    let last = |j: usize| j >= 2 && letter(j - 1) && !letter(j + 1);
    let inner = |j: usize| j >= 2 && letter(j - 1) && letter(j + 1) && letter(j + 2);
    let applies = |j: usize| letter(j) && (confusable(j) || last(j) || inner(j));
    let eligible = (0..chars.len()).filter(|&j| applies(j)).count().max(1);
    let p = (rate * chars.len() as f64 / eligible as f64).min(1.0);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut changed = 0;
    let mut j = 0;
    while j < chars.len() {
        let c = chars[j];
        if !applies(j) || !rng.chance(p) {
            out.push(c);
            j += 1;
            continue;
        }
        changed += 1;
        if confusable(j) {
            match c {
                'm' => out.push_str("rn"),
                'r' => {
                    out.push('m');
                    j += 1;
                }
                'e' => out.push('c'),
                'c' => out.push('e'),
                'l' => out.push('1'),
                'o' => out.push('0'),
                'i' => out.push('y'),
                _ => out.push('v'),
            }
        } else if last(j) {
            out.push(c);
            out.push('e');
        } else {
            out.push_str("-\n");
            out.push(c);
        }
        j += 1;
    }
    (out, changed)
}

/// See the module documentation.
pub(super) fn generate(
    cfg: &GenConfig,
    corpus: &mut dyn Write,
    truth: &mut dyn Write,
    cancel: &AtomicBool,
) -> io::Result<GenStats> {
    let mut rng = Rng::new(cfg.seed);
    let mut taken = HashSet::new();
    let lexicons = vec![
        Lexicon::build(&mut rng, Language::French, &mut taken),
        Lexicon::build(&mut rng, Language::English, &mut taken),
    ];
    let mut corpus = BufWriter::with_capacity(1 << 20, corpus);
    let mut truth = BufWriter::with_capacity(1 << 16, truth);
    let mut stats = GenStats::default();
    let mut pool: Vec<Original> = Vec::new();
    let (mut offered, mut next_group, mut next_kind) = (0u64, 0u64, 0usize);
    let mut doc = 0u64;
    while stats.bytes < cfg.size_bytes {
        check_cancel(cancel)?;
        doc += 1;
        let id = format!("r{doc:08}");
        let lang = match cfg.language {
            Language::French => 0,
            Language::English => 1,
            Language::Mixed => rng.below(2) as u32,
        };
        let mut text = String::new();
        let mut originals = Vec::new();
        let paragraphs = rng.range(3, 12);
        for p in 0..paragraphs {
            if p > 0 {
                text.push('\n');
            }
            let start = text.len();
            if pool.is_empty() || !rng.chance(cfg.copy_rate) {
                let mut tokens = Vec::new();
                let words = rng.range(30, 90);
                paragraph(&lexicons, &mut rng, lang, words, &mut tokens);
                render(&lexicons, &tokens, &mut text);
                originals.push((tokens, start, text.len()));
                continue;
            }
            let i = rng.below(pool.len());
            let kind = KINDS[next_kind % KINDS.len()];
            next_kind += 1;
            let source = &pool[i].tokens;
            let mut extra = String::new();
            match kind {
                "edited" => render(&lexicons, &edit(&lexicons, &mut rng, source), &mut text),
                "rewritten" => render(&lexicons, &rewrite(&mut rng, source), &mut text),
                "summary" => render(&lexicons, &summarise(&mut rng, source), &mut text),
                "noisy" => {
                    let mut clean = String::new();
                    render(&lexicons, source, &mut clean);
                    let (noisy, changed) = noise(&mut rng, &clean, cfg.noise);
                    let share = changed as f64 / clean.chars().count() as f64;
                    extra = format!(", \"noise\": {share:.4}");
                    text.push_str(&noisy);
                }
                _ => render(&lexicons, source, &mut text),
            }
            let group = *pool[i].group.get_or_insert_with(|| {
                next_group += 1;
                next_group - 1
            });
            let target = Span::of(&id, &text, start, text.len());
            truth_line(&mut truth, kind, group, &pool[i].span, &target, &extra)?;
            stats.planted += 1;
        }
        for (tokens, start, end) in originals {
            let original = Original {
                tokens,
                span: Span::of(&id, &text, start, end),
                group: None,
            };
            if pool.len() < POOL {
                pool.push(original);
            } else {
                pool[(offered % POOL as u64) as usize] = original;
            }
            offered += 1;
        }
        stats.bytes += write_document(&mut corpus, &id, &text)?;
        stats.documents += 1;
        stats.paragraphs += paragraphs as u64;
    }
    corpus.flush()?;
    truth.flush()?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_changes_about_the_rate() {
        let text = "the committee agreed that the harbour bridge would be rebuilt \
                    before the winter storms arrived and that every ferry would run";
        let mut rng = Rng::new(3);
        let (mut changed, mut total) = (0, 0);
        for _ in 0..200 {
            let (noisy, n) = noise(&mut rng, text, 0.05);
            assert_eq!(
                noisy.replace("-\n", "").split(' ').count(),
                text.split(' ').count()
            );
            changed += n;
            total += text.len();
        }
        let rate = changed as f64 / total as f64;
        assert!((0.04..0.06).contains(&rate), "{rate}");
        assert_eq!(noise(&mut rng, text, 0.0), (text.to_string(), 0));
        assert_eq!(noise(&mut rng, "rn", 1.0).0, "m");
        assert_eq!(noise(&mut rng, "mo", 1.0).0, "rn0");
    }
}
