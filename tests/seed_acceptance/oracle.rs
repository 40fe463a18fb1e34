//! The independent oracle of the seed acceptance test: its own word
//! tokenizer and every maximal common word sequence of each pair of files
//! (see the acceptance test's module documentation). It does not use the
//! `lifted` library.

use std::collections::{BTreeMap, HashMap};

use crate::{DIR, MIN_WORDS};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Word {
    pub norm: String,
    pub start: usize,
    pub end: usize,
}

pub fn is_apostrophe(c: char) -> bool {
    matches!(c, '\u{2019}' | '\'' | '\u{2018}' | '\u{02BC}')
}

/// Words of `text` with their byte ranges in `text`.
pub fn tokenize(text: &str) -> Vec<Word> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].1.is_alphanumeric() {
            i += 1;
            continue;
        }
        let start = chars[i].0;
        let mut norm = String::new();
        loop {
            let c = chars[i].1;
            if c.is_alphanumeric() {
                norm.extend(c.to_lowercase());
                i += 1;
            } else if is_apostrophe(c) && i + 1 < chars.len() && chars[i + 1].1.is_alphanumeric() {
                // The previous char is alphanumeric (we are inside a word).
                norm.push('\'');
                i += 1;
            } else {
                break;
            }
            if i >= chars.len() {
                break;
            }
        }
        let end = if i < chars.len() {
            chars[i].0
        } else {
            text.len()
        };
        words.push(Word { norm, start, end });
    }
    words
}

pub struct Doc {
    pub name: String,
    pub text: String,
    pub words: Vec<Word>,
    pub ids: Vec<u32>,
}

/// One maximal common word sequence: word index in X, in Y, length in words.
#[derive(Debug, Clone, Copy)]
pub struct Match {
    pub x: usize,
    pub y: usize,
    pub len: usize,
}

pub struct Oracle {
    pub docs: Vec<Doc>,
    /// Key (i, j) with i < j (indices into `docs`): maximal matches, x in
    /// docs[i], y in docs[j].
    pub matches: BTreeMap<(usize, usize), Vec<Match>>,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn maximal_matches(a: &[u32], b: &[u32], min_words: usize) -> Vec<Match> {
    let m = b.len();
    let mut prev = vec![0usize; m + 1];
    let mut cur = vec![0usize; m + 1];
    let mut out = Vec::new();
    for i in 0..a.len() {
        for j in 0..m {
            cur[j + 1] = if a[i] == b[j] { prev[j] + 1 } else { 0 };
            let len = cur[j + 1];
            if len >= min_words {
                let right_maximal = i + 1 >= a.len() || j + 1 >= m || a[i + 1] != b[j + 1];
                if right_maximal {
                    out.push(Match {
                        x: i + 1 - len,
                        y: j + 1 - len,
                        len,
                    });
                }
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    out.sort_by_key(|k| (k.x, k.y));
    out
}

impl Oracle {
    pub fn build() -> Oracle {
        Oracle::build_with(MIN_WORDS)
    }

    /// The oracle with passages of at least `min_words` words.
    pub fn build_with(min_words: usize) -> Oracle {
        let dir = root().join(DIR);
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .expect("fixture folder")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".txt") && !n.starts_with("expected"))
            .collect();
        names.sort();
        let mut vocab: HashMap<String, u32> = HashMap::new();
        let docs: Vec<Doc> = names
            .into_iter()
            .map(|name| {
                let text = std::fs::read_to_string(dir.join(&name)).expect("UTF-8 fixture");
                let words = tokenize(&text);
                let ids = words
                    .iter()
                    .map(|w| {
                        let n = vocab.len() as u32;
                        *vocab.entry(w.norm.clone()).or_insert(n)
                    })
                    .collect();
                Doc {
                    name,
                    text,
                    words,
                    ids,
                }
            })
            .collect();
        let mut matches = BTreeMap::new();
        for i in 0..docs.len() {
            for j in i + 1..docs.len() {
                matches.insert(
                    (i, j),
                    maximal_matches(&docs[i].ids, &docs[j].ids, min_words),
                );
            }
        }
        Oracle { docs, matches }
    }

    pub fn idx(&self, name: &str) -> usize {
        self.docs
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("no document {name} in the fixture"))
    }

    /// Shared passages of docs[x] w.r.t. docs[y], as word ranges in docs[x]
    /// (one per occurrence; may overlap).
    pub fn passages_words(&self, x: usize, y: usize) -> Vec<(usize, usize)> {
        if x < y {
            self.matches[&(x, y)]
                .iter()
                .map(|m| (m.x, m.x + m.len))
                .collect()
        } else {
            self.matches[&(y, x)]
                .iter()
                .map(|m| (m.y, m.y + m.len))
                .collect()
        }
    }

    /// Byte ranges of the shared passages of docs[x] w.r.t. docs[y].
    pub fn passages_bytes(&self, x: usize, y: usize) -> Vec<(usize, usize)> {
        let w = &self.docs[x].words;
        self.passages_words(x, y)
            .into_iter()
            .map(|(s, e)| (w[s].start, w[e - 1].end))
            .collect()
    }

    /// Per-byte mask of docs[x]: true for bytes of words that are shared with docs[y].
    pub fn shared_mask(&self, x: usize, y: usize) -> Vec<bool> {
        let d = &self.docs[x];
        let mut mask = vec![false; d.text.len()];
        for (s, e) in self.passages_words(x, y) {
            for w in &d.words[s..e] {
                mask[w.start..w.end].iter_mut().for_each(|b| *b = true);
            }
        }
        mask
    }

    pub fn word_mask(&self, x: usize) -> Vec<bool> {
        let d = &self.docs[x];
        let mut mask = vec![false; d.text.len()];
        for w in &d.words {
            mask[w.start..w.end].iter_mut().for_each(|b| *b = true);
        }
        mask
    }

    /// Word-level occurrences (word index ranges) of `phrase` in docs[x].
    pub fn find_phrase(&self, x: usize, phrase: &str) -> Vec<(usize, usize)> {
        let p: Vec<String> = tokenize(phrase).into_iter().map(|w| w.norm).collect();
        let d = &self.docs[x];
        (0..d.words.len().saturating_sub(p.len() - 1))
            .filter(|&s| (0..p.len()).all(|k| d.words[s + k].norm == p[k]))
            .map(|s| (s, s + p.len()))
            .collect()
    }

    pub fn phrase_bytes(&self, x: usize, phrase: &str) -> Vec<(usize, usize)> {
        let w = &self.docs[x].words;
        self.find_phrase(x, phrase)
            .into_iter()
            .map(|(s, e)| (w[s].start, w[e - 1].end))
            .collect()
    }

    pub fn excerpt(&self, x: usize, s: usize, n: usize) -> String {
        let d = &self.docs[x];
        let e = (s + n).min(d.words.len());
        let mut out = d.text[d.words[s].start..d.words[e - 1].end].replace('\n', " ⏎ ");
        if e - s < n {
            return out;
        }
        out.push_str(" …");
        out
    }

    /// The passage list of the README: one line per maximal match.
    pub fn passage_list(&self) -> String {
        let mut out = String::new();
        for (&(i, j), ms) in &self.matches {
            for m in ms {
                let (a, b) = (&self.docs[i], &self.docs[j]);
                out.push_str(&format!(
                    "| {} – {} | {} | {}-{} | {}-{} | {} |\n",
                    &a.name[..3],
                    &b.name[..3],
                    m.len,
                    a.words[m.x].start,
                    a.words[m.x + m.len - 1].end,
                    b.words[m.y].start,
                    b.words[m.y + m.len - 1].end,
                    self.excerpt(i, m.x, 8),
                ));
            }
        }
        out
    }
}

pub fn count(mask: &[bool]) -> usize {
    mask.iter().filter(|b| **b).count()
}

pub fn count_and(a: &[bool], b: &[bool]) -> usize {
    a.iter().zip(b).filter(|(x, y)| **x && **y).count()
}

pub fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

pub fn pct(n: usize, d: usize) -> f64 {
    if d == 0 {
        100.0
    } else {
        100.0 * n as f64 / d as f64
    }
}
