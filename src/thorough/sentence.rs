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

/// A document's sentences: token ranges and terms, with the document's
/// vocabulary and postings, made once for all its partners (see
/// [`similar`]).
#[derive(Debug, Clone, Default)]
pub struct Sentences {
    /// First token and one past the last of each sentence.
    pub spans: Vec<(u32, u32)>,
    /// The document's distinct terms, sorted, with the number of its
    /// sentences that hold each.
    vocab: Vec<(u64, u32)>,
    /// Where each sentence's terms start in `terms` (one more entry than
    /// there are sentences).
    term_starts: Vec<u32>,
    /// Each sentence's distinct terms (indices into `vocab`, ascending)
    /// with their counts in the sentence.
    terms: Vec<(u32, u32)>,
    /// Where each vocabulary term's postings start in `postings` (one more
    /// entry than the vocabulary).
    posting_starts: Vec<u32>,
    /// Per vocabulary term, the sentences that hold it (ascending) with
    /// its count there.
    postings: Vec<(u32, u32)>,
}

impl Sentences {
    fn len(&self) -> usize {
        self.term_starts.len().saturating_sub(1)
    }

    /// The terms of sentence `i`.
    fn terms_of(&self, i: usize) -> &[(u32, u32)] {
        &self.terms[self.term_starts[i] as usize..self.term_starts[i + 1] as usize]
    }

    /// The postings of vocabulary term `v`.
    fn postings_of(&self, v: usize) -> &[(u32, u32)] {
        &self.postings[self.posting_starts[v] as usize..self.posting_starts[v + 1] as usize]
    }
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
    let Some(&last) = word.as_bytes().last() else {
        return word;
    };
    // Only the suffixes that end in the word's last byte can match.
    for suffix in SUFFIXES
        .iter()
        .filter(|s| s.as_bytes().last() == Some(&last))
    {
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

/// A word of at most [`STOP_WORD_BYTES`] bytes as one number (its bytes
/// and its length), so that looking it up compares numbers, not strings.
fn packed(word: &str) -> u64 {
    word.bytes()
        .enumerate()
        .fold((word.len() as u64) << 56, |x, (i, b)| {
            x | (b as u64) << (8 * i)
        })
}

/// [`STOP_WORDS`] packed ([`packed`]), sorted.
fn stop_words() -> &'static [u64] {
    static PACKED: std::sync::OnceLock<Vec<u64>> = std::sync::OnceLock::new();
    PACKED.get_or_init(|| {
        let mut packed: Vec<u64> = STOP_WORDS.iter().map(|w| packed(w)).collect();
        packed.sort_unstable();
        packed
    })
}

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
    if word.is_empty()
        || (word.len() <= STOP_WORD_BYTES && stop_words().binary_search(&packed(word)).is_ok())
    {
        return None;
    }
    Some(xxhash_rust::xxh3::xxh3_64(stem(word).as_bytes()))
}

/// Split `stream` (the tokens of `text`) into sentences.
pub fn sentences(stream: &TokenStream, text: &[u8]) -> Sentences {
    let tokens = &stream.tokens;
    let mut out = Sentences::default();
    // Each sentence's distinct terms with their counts, sorted by term.
    let mut counted_terms: Vec<(u64, u32)> = Vec::new();
    out.term_starts.push(0);
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
            let from = counted_terms.len();
            for &t in &terms {
                match counted_terms[from..].last_mut() {
                    Some(last) if last.0 == t => last.1 += 1,
                    _ => counted_terms.push((t, 1)),
                }
            }
            out.spans.push((first as u32, i as u32 + 1));
            out.term_starts.push(counted_terms.len() as u32);
            terms.clear();
            first = i + 1;
        }
    }
    // The vocabulary: each distinct term and how many sentences hold it.
    let mut all: Vec<u64> = counted_terms.iter().map(|x| x.0).collect();
    all.sort_unstable();
    for t in all {
        match out.vocab.last_mut() {
            Some(last) if last.0 == t => last.1 += 1,
            _ => out.vocab.push((t, 1)),
        }
    }
    out.terms = counted_terms
        .iter()
        .map(|&(t, tf)| {
            let v = out
                .vocab
                .binary_search_by_key(&t, |x| x.0)
                .expect("every term is in the vocabulary");
            (v as u32, tf)
        })
        .collect();
    // Postings, sentences ascending within each term.
    out.posting_starts = Vec::with_capacity(out.vocab.len() + 1);
    let mut start = 0u32;
    for &(_, n) in &out.vocab {
        out.posting_starts.push(start);
        start += n;
    }
    out.posting_starts.push(start);
    let mut next: Vec<u32> = out.posting_starts[..out.vocab.len()].to_vec();
    out.postings = vec![(0, 0); start as usize];
    for j in 0..out.len() {
        for k in out.term_starts[j] as usize..out.term_starts[j + 1] as usize {
            let (v, tf) = out.terms[k];
            out.postings[next[v as usize] as usize] = (j as u32, tf);
            next[v as usize] += 1;
        }
    }
    out
}

/// The pairs of similar sentences of `a` and `b`, as (sentence of `a`,
/// sentence of `b`), in order.
pub fn similar(a: &Sentences, b: &Sentences, options: &SentenceOptions) -> Vec<(usize, usize)> {
    let count = (a.len() + b.len()) as f64;
    // Each term's inverse sentence frequency over both documents, its
    // logarithm taken once; the vocabularies merged (both sorted), and each
    // term of `a` that `b` holds matched with its place in `b`'s vocabulary.
    const NONE: u32 = u32::MAX;
    let mut isf_a = vec![0.0f64; a.vocab.len()];
    let mut isf_b = vec![0.0f64; b.vocab.len()];
    let mut in_b = vec![NONE; a.vocab.len()];
    // A term is in at most `count` sentences: each logarithm, ln(count / n),
    // is taken once per number of sentences n (most terms are in one or two)
    // rather than once per term; the same expression, so the same values.
    let mut logs = vec![f64::NAN; a.len() + b.len() + 1];
    let mut isf_of = |n: u32| {
        let log = &mut logs[n as usize];
        if log.is_nan() {
            *log = (count / n as f64).ln();
        }
        *log
    };
    let (mut i, mut j) = (0, 0);
    while i < a.vocab.len() || j < b.vocab.len() {
        let ta = a.vocab.get(i).map_or(u64::MAX, |x| x.0);
        let tb = b.vocab.get(j).map_or(u64::MAX, |x| x.0);
        if j == b.vocab.len() || (i < a.vocab.len() && ta < tb) {
            isf_a[i] = isf_of(a.vocab[i].1);
            i += 1;
        } else if i == a.vocab.len() || tb < ta {
            isf_b[j] = isf_of(b.vocab[j].1);
            j += 1;
        } else {
            let isf = isf_of(a.vocab[i].1 + b.vocab[j].1);
            isf_a[i] = isf;
            isf_b[j] = isf;
            in_b[i] = j as u32;
            i += 1;
            j += 1;
        }
    }
    let norm = |terms: &[(u32, u32)], isf: &[f64]| {
        terms
            .iter()
            .map(|&(v, tf)| (tf as f64 * isf[v as usize]).powi(2))
            .sum::<f64>()
            .sqrt()
    };
    // Norms are taken when first needed: most sentences of two documents
    // share no term (on 5 MB of real-text versions most pairs of documents
    // are a few chance matches).
    let mut b_norms = vec![f64::NAN; b.len()];
    let mut dot = vec![0.0f64; b.len()];
    let mut shared = vec![0u32; b.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    for i in 0..a.len() {
        let terms = a.terms_of(i);
        for &(v, tf) in terms {
            let vb = in_b[v as usize];
            if vb == NONE {
                continue;
            }
            let wa = tf as f64 * isf_a[v as usize];
            let isf = isf_b[vb as usize];
            for &(j, tf_b) in b.postings_of(vb as usize) {
                if shared[j as usize] == 0 {
                    touched.push(j);
                }
                shared[j as usize] += 1;
                dot[j as usize] += wa * (tf_b as f64 * isf);
            }
        }
        if touched.is_empty() {
            continue;
        }
        touched.sort_unstable();
        let a_norm = norm(terms, &isf_a);
        for &j in &touched {
            let j = j as usize;
            let dice = 2.0 * shared[j] as f64 / (terms.len() + b.terms_of(j).len()) as f64;
            if b_norms[j].is_nan() {
                b_norms[j] = norm(b.terms_of(j), &isf_b);
            }
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
    fn stop_words_are_found_packed_and_other_words_are_not() {
        for w in STOP_WORDS {
            assert!(stop_words().binary_search(&packed(w)).is_ok(), "{w}");
        }
        for w in ["", "ab", "then_", "thee", "andy", "x"] {
            assert!(stop_words().binary_search(&packed(w)).is_err(), "{w}");
        }
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
