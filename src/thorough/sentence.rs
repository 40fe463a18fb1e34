//! Sentence seeds for the thorough aligner: pairs of sentences that say the
//! same thing in other words (Sanchez-Perez, Sidorov and Gelbukh, "A winning
//! approach to text alignment for text reuse detection at PAN 2014").
//!
//! A sentence ends at `.`, `!` or `?` between two words, or at a paragraph
//! break; a sentence of fewer than [`MIN_TERMS`] terms joins the next one
//! ("U.S." does not make two sentences). Its terms are its words less the
//! stop words, lowercased and lightly stemmed ([`stem`]), so that "unveiled"
//! meets "unveil" and "the" meets nothing. Two sentences seed when the
//! cosine of their tf-isf vectors (term frequency times the log of the
//! inverse share of the two documents' sentences that hold the term) and the
//! Dice coefficient of their term sets are both at least
//! [`SentenceOptions::cosine`] and [`SentenceOptions::dice`]: reordered,
//! replaced and translated words keep most of a sentence's content words, in
//! any order, while they break most runs of two words.

use std::collections::HashMap;

use crate::normalize::TokenStream;

/// Fewest terms in a sentence; a shorter one joins the next.
pub const MIN_TERMS: usize = 3;

/// Most words in a sentence: a longer run without a full stop (a list, a
/// table) is cut into pieces of this many words, so that one seed never
/// stands for a whole page.
pub const MAX_WORDS: u32 = 60;

/// When two sentences are similar enough to seed.
#[derive(Debug, Clone, Copy)]
pub struct SentenceOptions {
    /// Least cosine of the two sentences' tf-isf vectors.
    pub cosine: f64,
    /// Least Dice coefficient of their term sets.
    pub dice: f64,
}

impl Default for SentenceOptions {
    fn default() -> Self {
        // Sanchez-Perez et al. 2014's values.
        SentenceOptions {
            cosine: 0.33,
            dice: 0.33,
        }
    }
}

/// A document's sentences: token ranges and terms.
#[derive(Debug, Clone, Default)]
pub struct Sentences {
    /// First token and one past the last of each sentence.
    pub spans: Vec<(u32, u32)>,
    /// Each sentence's distinct terms with their counts, sorted by term.
    pub terms: Vec<Vec<(u64, u32)>>,
}

/// English and French words too common to say what a sentence is about.
const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "au", "aux",
    "avec", "be", "been", "but", "by", "can", "ce", "ces", "could", "dans", "de", "des", "did",
    "do", "does", "du", "elle", "en", "est", "et", "for", "from", "had", "has", "have", "he",
    "her", "his", "how", "i", "if", "il", "ils", "in", "into", "is", "it", "its", "la", "le",
    "les", "leur", "mais", "may", "more", "most", "my", "ne", "no", "not", "nous", "of", "on",
    "one", "or", "other", "ou", "our", "out", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
    "ses", "she", "so", "some", "son", "such", "sur", "than", "that", "the", "their", "them",
    "then", "there", "these", "they", "this", "those", "to", "un", "une", "up", "very", "was",
    "we", "were", "what", "when", "which", "who", "will", "with", "would", "y", "you", "your",
];

/// A light suffix stripper (English plurals, tenses and adverbs, French
/// plurals): both sides are stemmed alike, so it needs to be consistent
/// more than correct. `word` is lowercase.
pub fn stem(word: &str) -> &str {
    const SUFFIXES: &[&str] = &[
        "ations", "ation", "ments", "ment", "ingly", "edly", "ings", "ing", "ies", "ied", "ers",
        "ed", "es", "er", "ly", "s", "e", "y",
    ];
    for suffix in SUFFIXES {
        if let Some(base) = word.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return base;
            }
        }
    }
    word
}

/// Bytes in the longest stop word: a longer word is none.
const STOP_WORD_BYTES: usize = 5;

/// The term of one word, or `None` for a stop word.
fn term(word: &[u8], scratch: &mut String) -> Option<u64> {
    scratch.clear();
    if word.is_ascii() {
        // The common case without decoding: the same lowercase string.
        scratch.extend(word.iter().map(|b| b.to_ascii_lowercase() as char));
    } else {
        scratch.extend(
            String::from_utf8_lossy(word)
                .chars()
                .flat_map(char::to_lowercase),
        );
    }
    let word = scratch.trim_matches(|c: char| !c.is_alphanumeric());
    let word = word.strip_suffix("'s").unwrap_or(word);
    if word.is_empty() || (word.len() <= STOP_WORD_BYTES && STOP_WORDS.binary_search(&word).is_ok())
    {
        return None;
    }
    Some(xxhash_rust::xxh3::xxh3_64(stem(word).as_bytes()))
}

/// A hasher for keys that are hashes already (terms): their own value.
#[derive(Default)]
struct TermHasher(u64);

impl std::hash::Hasher for TermHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ b as u64;
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type TermMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<TermHasher>>;

/// Split `stream` (the tokens of `text`) into sentences.
pub fn sentences(stream: &TokenStream, text: &[u8]) -> Sentences {
    let tokens = &stream.tokens;
    let mut out = Sentences::default();
    let mut scratch = String::new();
    let mut first = 0usize;
    let mut terms: Vec<u64> = Vec::new();
    let mut next_break = stream.breaks.iter().peekable();
    for (i, token) in tokens.iter().enumerate() {
        if let Some(t) = term(
            &text[token.start as usize..token.end as usize],
            &mut scratch,
        ) {
            terms.push(t);
        }
        let last = i + 1 == tokens.len();
        let ends = last || {
            let gap = &text[token.end as usize..tokens[i + 1].start as usize];
            while next_break.peek().is_some_and(|&&b| (b as usize) < i + 1) {
                next_break.next();
            }
            gap.iter().any(|&c| matches!(c, b'.' | b'!' | b'?'))
                || next_break.peek().is_some_and(|&&b| b as usize == i + 1)
        };
        let long = (i + 1 - first) as u32 >= MAX_WORDS;
        if (ends && terms.len() >= MIN_TERMS) || long || last {
            terms.sort_unstable();
            let mut counted: Vec<(u64, u32)> = Vec::with_capacity(terms.len());
            for &t in &terms {
                match counted.last_mut() {
                    Some(last) if last.0 == t => last.1 += 1,
                    _ => counted.push((t, 1)),
                }
            }
            out.spans.push((first as u32, i as u32 + 1));
            out.terms.push(counted);
            terms.clear();
            first = i + 1;
        }
    }
    out
}

/// The pairs of similar sentences of `a` and `b`, as (sentence of `a`,
/// sentence of `b`), in order.
pub fn similar(a: &Sentences, b: &Sentences, options: &SentenceOptions) -> Vec<(usize, usize)> {
    let count = (a.terms.len() + b.terms.len()) as f64;
    let mut frequency: TermMap<u32> = TermMap::default();
    for terms in a.terms.iter().chain(&b.terms) {
        for &(t, _) in terms {
            *frequency.entry(t).or_default() += 1;
        }
    }
    // Each term's inverse sentence frequency, its logarithm taken once.
    let isf: TermMap<f64> = frequency
        .into_iter()
        .map(|(t, f)| (t, (count / f as f64).ln()))
        .collect();
    let weight = |t: u64, tf: u32| tf as f64 * isf[&t];
    let norm = |terms: &[(u64, u32)]| {
        terms
            .iter()
            .map(|&(t, tf)| weight(t, tf).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    let b_norms: Vec<f64> = b.terms.iter().map(|t| norm(t)).collect();
    let mut postings: TermMap<Vec<(u32, u32)>> = TermMap::default();
    for (j, terms) in b.terms.iter().enumerate() {
        for &(t, tf) in terms {
            postings.entry(t).or_default().push((j as u32, tf));
        }
    }
    let mut dot = vec![0.0f64; b.terms.len()];
    let mut shared = vec![0u32; b.terms.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for (i, terms) in a.terms.iter().enumerate() {
        let a_norm = norm(terms);
        for &(t, tf) in terms {
            let Some(list) = postings.get(&t) else {
                continue;
            };
            let wa = weight(t, tf);
            for &(j, tf_b) in list {
                if shared[j as usize] == 0 {
                    touched.push(j);
                }
                shared[j as usize] += 1;
                dot[j as usize] += wa * weight(t, tf_b);
            }
        }
        touched.sort_unstable();
        for &j in &touched {
            let j = j as usize;
            let dice = 2.0 * shared[j] as f64 / (terms.len() + b.terms[j].len()) as f64;
            let denominator = a_norm * b_norms[j];
            let cosine = if denominator > 0.0 {
                dot[j] / denominator
            } else {
                0.0
            };
            if dice >= options.dice && cosine >= options.cosine {
                out.push((i, j));
            }
            dot[j] = 0.0;
            shared[j] = 0;
        }
        touched.clear();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, NormalizeOptions};

    fn split(text: &str) -> Vec<String> {
        let stream = tokenize(text.as_bytes(), NormalizeOptions::default());
        sentences(&stream, text.as_bytes())
            .spans
            .iter()
            .map(|&(f, l)| {
                text[stream.tokens[f as usize].start as usize
                    ..stream.tokens[l as usize - 1].end as usize]
                    .to_string()
            })
            .collect()
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= STOP_WORD_BYTES));
    }

    #[test]
    fn sentences_end_at_full_stops_and_short_ones_join_the_next() {
        assert_eq!(
            split("The U.S. economy grew fast this year. Prices rose! Wages did not follow the prices at all?"),
            vec![
                "The U.S. economy grew fast this year",
                "Prices rose! Wages did not follow the prices at all",
            ]
        );
    }

    #[test]
    fn stems_meet_across_inflections() {
        for (x, y) in [
            ("unveiled", "unveil"),
            ("computers", "computer"),
            ("studies", "study"),
        ] {
            assert_eq!(stem(x), stem(y), "{x} {y}");
        }
    }

    #[test]
    fn a_reworded_sentence_is_similar_and_an_unrelated_one_is_not() {
        let doc = |t: &str| {
            let stream = tokenize(t.as_bytes(), NormalizeOptions::default());
            sentences(&stream, t.as_bytes())
        };
        let a = doc("Hewlett Packard unveiled a compact notebook for mobile professionals. Farmers worry about harvest delays and rising fuel costs.");
        let b = doc("Museum curators restored old paintings after months of cleaning. For professionals on the move, Hewlett Packard unveils a notebook that is compact.");
        assert_eq!(similar(&a, &b, &SentenceOptions::default()), vec![(0, 1)]);
    }
}
