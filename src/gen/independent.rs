//! The `independent` shape (issue 14): a corpus built the way an outsider
//! would build one, not tuned to `lifted`: a single vocabulary of 50,000
//! random-letter words (lengths 1 to 9, the frequent ones short) drawn with
//! Zipf's law (exponent 1), lowercase paragraphs of 60 to 100 words ending in
//! a period, documents of 1 to 8 paragraphs. `copy_rate` of the paragraphs
//! are copies of an earlier paragraph (from the 65,536 most recent
//! originals), half of them verbatim and half edited (each word replaced,
//! dropped or preceded by a new word with probability 0.1). Truth: `verbatim`
//! and `edited` lines, whole paragraphs, `group` the original's number.

use std::collections::HashSet;
use std::io;
use std::sync::atomic::AtomicBool;

use super::rng::Rng;
use super::{check_cancel, GenConfig, Output, Pool, Span};

const VOCAB: usize = 50_000;
const POOL: usize = 65_536;

struct Original {
    words: Vec<u32>,
    span: Span,
}

fn vocabulary(rng: &mut Rng) -> (Vec<String>, Vec<f64>) {
    let mut taken = HashSet::new();
    let mut words = Vec::with_capacity(VOCAB);
    while words.len() < VOCAB {
        let len = match words.len() {
            0..=99 => rng.range(1, 3),
            100..=1999 => rng.range(2, 5),
            _ => rng.range(3, 9),
        };
        let word: String = (0..len)
            .map(|_| (b'a' + rng.below(26) as u8) as char)
            .collect();
        if taken.insert(word.clone()) {
            words.push(word);
        }
    }
    let mut cdf = Vec::with_capacity(VOCAB);
    let mut total = 0.0;
    for rank in 0..VOCAB {
        total += 1.0 / (rank as f64 + 1.0);
        cdf.push(total);
    }
    for c in &mut cdf {
        *c /= total;
    }
    (words, cdf)
}

fn sample(rng: &mut Rng, cdf: &[f64]) -> u32 {
    let u = rng.unit();
    cdf.partition_point(|&c| c < u).min(VOCAB - 1) as u32
}

fn render(vocab: &[String], words: &[u32], out: &mut String) {
    for (i, &w) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&vocab[w as usize]);
    }
    out.push('.');
}

/// See the module documentation.
pub(super) fn generate(cfg: &GenConfig, out: &mut Output, cancel: &AtomicBool) -> io::Result<()> {
    let mut rng = Rng::new(cfg.seed);
    let (vocab, cdf) = vocabulary(&mut rng);
    let mut pool: Pool<Original> = Pool::new(POOL, 0);
    let mut doc = 0u64;
    while out.stats.bytes < cfg.size_bytes {
        check_cancel(cancel)?;
        doc += 1;
        let id = format!("p{doc:08}");
        let mut text = String::new();
        let mut originals = Vec::new();
        let paragraphs = rng.range(1, 8);
        for p in 0..paragraphs {
            if p > 0 {
                text.push('\n');
            }
            let start = text.len();
            let r = rng.unit();
            if pool.is_empty() || r >= cfg.copy_rate {
                let words: Vec<u32> = (0..rng.range(60, 100))
                    .map(|_| sample(&mut rng, &cdf))
                    .collect();
                render(&vocab, &words, &mut text);
                originals.push((words, start, text.len()));
                continue;
            }
            let i = rng.below(pool.len());
            let edited = r >= cfg.copy_rate / 2.0;
            let mut words = pool.get(i).words.clone();
            if edited {
                let mut revised = Vec::with_capacity(words.len() + 8);
                for &w in &words {
                    if !rng.chance(0.1) {
                        revised.push(w);
                        continue;
                    }
                    match rng.below(3) {
                        0 => revised.push(sample(&mut rng, &cdf)),
                        1 => {}
                        _ => {
                            revised.push(sample(&mut rng, &cdf));
                            revised.push(w);
                        }
                    }
                }
                // Edits can cancel out (a word replaced by itself): one more.
                if revised == words {
                    revised[0] = (revised[0] + 1) % VOCAB as u32;
                }
                words = revised;
            }
            render(&vocab, &words, &mut text);
            let group = pool.group(i);
            let target = Span::of(&id, &text, start, text.len());
            let kind = if edited { "edited" } else { "verbatim" };
            out.planted(kind, group, &pool.get(i).span, &target, "")?;
        }
        for (words, start, end) in originals {
            let span = Span::of(&id, &text, start, end);
            pool.offer(Original { words, span });
        }
        out.document(&id, &text, paragraphs)?;
    }
    Ok(())
}
