//! Synthetic words: a Zipf-distributed vocabulary per language, words packed
//! as [`Token`]s (id, language, punctuation, capital), sentences and their
//! rendering, plus the spelling variants and synonyms that the `versions` and
//! `rewritten` shapes use to revise text.

use std::collections::HashSet;

use super::rng::Rng;
use super::Language;

/// Words per language.
pub(super) const VOCAB: usize = 50_000;

/// One language's vocabulary and its Zipf distribution.
pub(super) struct Lexicon {
    pub(super) words: Vec<String>,
    /// Spelling variants, `variants[i]` of `words[i]` (empty until
    /// [`Lexicon::with_variants`]).
    pub(super) variants: Vec<String>,
    /// Cumulative Zipf-Mandelbrot weights, last = 1.
    cdf: Vec<f64>,
}

/// The lexicons of the two languages, French (0) then English (1), with no
/// word in both.
pub(super) fn lexicons(rng: &mut Rng) -> Vec<Lexicon> {
    let mut taken = HashSet::new();
    vec![
        Lexicon::build(rng, Language::French, &mut taken),
        Lexicon::build(rng, Language::English, &mut taken),
    ]
}

/// The language of a new document (0 French, 1 English): `Mixed` draws one.
pub(super) fn document_language(language: Language, rng: &mut Rng) -> u32 {
    match language {
        Language::French => 0,
        Language::English => 1,
        Language::Mixed => rng.below(2) as u32,
    }
}

impl Lexicon {
    pub(super) fn build(rng: &mut Rng, lang: Language, taken: &mut HashSet<String>) -> Lexicon {
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
        Lexicon {
            words,
            variants: Vec::new(),
            cdf,
        }
    }

    pub(super) fn sample(&self, rng: &mut Rng) -> u32 {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(VOCAB - 1) as u32
    }
}

/// A word in a paragraph, packed: bits 0-19 word id, 20 language (0 French,
/// 1 English), 21-23 trailing punctuation, 24 capitalised.
pub(super) type Token = u32;

pub(super) const ID_MASK: u32 = (1 << 20) - 1;
pub(super) const LANG_SHIFT: u32 = 20;
pub(super) const PUNCT_SHIFT: u32 = 21;
pub(super) const PUNCT_MASK: u32 = 0b111 << PUNCT_SHIFT;
pub(super) const CAP: u32 = 1 << 24;
pub(super) const COMMA: u32 = 1;
pub(super) const PERIOD: u32 = 2;
pub(super) const QUESTION: u32 = 3;
pub(super) const BANG: u32 = 4;

pub(super) fn punct(t: Token) -> u32 {
    (t & PUNCT_MASK) >> PUNCT_SHIFT
}

pub(super) fn ends_sentence(t: Token) -> bool {
    punct(t) >= PERIOD
}

pub(super) fn with_punct(t: Token, p: u32) -> Token {
    (t & !PUNCT_MASK) | (p << PUNCT_SHIFT)
}
/// A new sentence of `len` words in language `lang`: capitalised, ending in
/// `.` (88%), `?` or `!`, with a comma after 7% of its inner words.
pub(super) fn sentence(
    lexicons: &[Lexicon],
    rng: &mut Rng,
    lang: u32,
    len: usize,
    out: &mut Vec<Token>,
) {
    let lex = &lexicons[lang as usize];
    for i in 0..len {
        let mut t = lex.sample(rng) | (lang << LANG_SHIFT);
        if i == 0 {
            t |= CAP;
        }
        if i + 1 == len {
            let r = rng.unit();
            let p = if r < 0.88 {
                PERIOD
            } else if r < 0.96 {
                QUESTION
            } else {
                BANG
            };
            t = with_punct(t, p);
        } else if i >= 2 && i + 2 < len && rng.chance(0.07) {
            t = with_punct(t, COMMA);
        }
        out.push(t);
    }
}

/// New sentences of 6 to 22 words, `words` words in all; returns where each
/// sentence starts and where the last one ends.
pub(super) fn paragraph(
    lexicons: &[Lexicon],
    rng: &mut Rng,
    lang: u32,
    words: usize,
    out: &mut Vec<Token>,
) -> Vec<usize> {
    let mut breaks = vec![out.len()];
    let mut remaining = words;
    while remaining > 0 {
        let mut len = rng.range(6, 22).min(remaining);
        if remaining - len < 6 {
            len = remaining;
        }
        sentence(lexicons, rng, lang, len, out);
        breaks.push(out.len());
        remaining -= len;
    }
    breaks
}

/// The text of `tokens`, words separated by single spaces. Ids from
/// [`VOCAB`] up are the spelling variants of the words below them.
pub(super) fn render(lexicons: &[Lexicon], tokens: &[Token], out: &mut String) {
    for (i, &t) in tokens.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let lex = &lexicons[((t >> LANG_SHIFT) & 1) as usize];
        let id = (t & ID_MASK) as usize;
        let word = if id < VOCAB {
            &lex.words[id]
        } else {
            &lex.variants[id - VOCAB]
        };
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

impl Lexicon {
    /// Fill in each word's spelling variant (an older or newer spelling, as
    /// "sayd"/"said" or "worde"/"word"), derived from the word alone so that
    /// the random sequence of the `paragraphs` shape is unchanged.
    pub(super) fn with_variants(mut self) -> Lexicon {
        self.variants = self.words.iter().map(|w| variant(w)).collect();
        self
    }
}

/// A word's other spelling: the first inner `i` as `y`, else a final `e`
/// added after a consonant or dropped after a vowel-consonant pair.
fn variant(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    if let Some(at) = chars.iter().skip(1).position(|&c| c == 'i') {
        let mut out = chars.clone();
        out[at + 1] = 'y';
        return out.into_iter().collect();
    }
    let last = *chars.last().unwrap_or(&'e');
    if last == 'e' && chars.len() > 2 {
        return chars[..chars.len() - 1].iter().collect();
    }
    if "aeiouéèêy".contains(last) {
        format!("{word}h")
    } else {
        format!("{word}e")
    }
}

/// The same word in its other spelling (and back).
pub(super) fn respell(t: Token) -> Token {
    let id = (t & ID_MASK) as usize;
    let other = if id < VOCAB { id + VOCAB } else { id - VOCAB };
    (t & !ID_MASK) | other as u32
}

/// A synonym from the lexicon: words of rank 50 and up come in pairs of
/// neighbouring ranks (so of about the same frequency); the 50 most frequent
/// words, the grammatical ones, have none and stay.
pub(super) fn synonym(t: Token) -> Token {
    let id = (t & ID_MASK) as usize % VOCAB;
    if id < 50 {
        t
    } else {
        (t & !ID_MASK) | (id ^ 1) as u32
    }
}

/// Whether a token is a content word (not among the 50 most frequent).
pub(super) fn is_content(t: Token) -> bool {
    (t & ID_MASK) as usize % VOCAB >= 50
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_and_synonyms() {
        for (word, other) in [
            ("said", "sayd"),
            ("word", "worde"),
            ("the", "th"),
            ("go", "goh"),
            ("be", "beh"),
        ] {
            assert_eq!(variant(word), other);
        }
        let t: Token = 1234 | CAP | (PERIOD << PUNCT_SHIFT);
        assert_eq!(respell(respell(t)), t);
        assert_eq!(respell(t) & ID_MASK, 1234 + VOCAB as u32);
        assert_eq!(respell(t) & !ID_MASK, t & !ID_MASK);
        assert_eq!(synonym(synonym(t)), t);
        assert_ne!(synonym(t), t);
        assert_eq!(synonym(7), 7);
        assert!(!is_content(7) && is_content(t));
    }
}
