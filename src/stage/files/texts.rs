//! What the report stage's map needs of the texts ([`TextFacts`]),
//! gathered in one pass over the ingest tables after the findings are made
//! ([`super::report_inputs`] gives what it needs first), so that the
//! report stage never holds the corpus's text.

use std::collections::HashMap;

use super::{all_documents, Work};
use crate::align::Span;
use crate::error::Result;
use crate::ingest::Documents;
use crate::report::{spans_shown, TextFacts};
use crate::scan::Findings;
use crate::stage::columns;
use crate::stage::table::{read_parquet_in, DOCUMENT_ROWS};

/// What the map needs of the texts ([`TextFacts`]), gathered in one pass
/// over the ingest tables, a batch of documents at a time, so that the
/// report stage never holds the corpus's text: lengths, the character
/// offsets of the spans the map shows and the excerpts, each kept in a few
/// flat arrays (millions of small vectors and strings would cost as much
/// again in allocation overhead). An offset shown by several spans is kept
/// once, and so is an excerpt shown for several spans (the copies of a
/// passage often read the same).
#[derive(Debug)]
pub struct StreamedTexts {
    lengths: Vec<u32>,
    /// Document `d`'s byte offsets shown are `bytes[starts[d]..starts[d + 1]]`
    /// (sorted, unique, clamped to its text), with the characters before
    /// each in `chars` at the same places.
    starts: Vec<usize>,
    bytes: Vec<u32>,
    chars: Vec<u32>,
    /// The spans excerpted (sorted, unique), and the number of each one's
    /// excerpt in `ends`.
    excerpted: Vec<Span>,
    excerpt_of: Vec<usize>,
    /// The distinct excerpts end to end in `text`: excerpt `i` ends at
    /// `ends[i]` and starts where excerpt `i - 1` ends.
    ends: Vec<usize>,
    text: String,
}

impl TextFacts for StreamedTexts {
    fn len(&self, doc: usize) -> usize {
        self.lengths[doc] as usize
    }

    fn char_offset(&self, doc: usize, offset: u32) -> u32 {
        let offset = offset.min(self.lengths[doc]);
        let range = self.starts[doc]..self.starts[doc + 1];
        // Every offset shown was counted ([`spans_shown`]).
        self.bytes[range.clone()]
            .binary_search(&offset)
            .map_or(0, |i| self.chars[range.start + i])
    }

    fn excerpt(&self, span: &Span, _limit: usize) -> String {
        match self.excerpted.binary_search(span) {
            Ok(i) => self.excerpt_text(self.excerpt_of[i]).to_string(),
            Err(_) => String::new(),
        }
    }
}

impl StreamedTexts {
    /// Distinct excerpt `i`.
    fn excerpt_text(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

/// [`StreamedTexts`] for `findings` over `documents` (id order) of
/// `lengths` bytes, excerpts of `excerpt` characters.
pub fn text_facts(
    work: &Work,
    documents: &dyn Documents,
    lengths: Vec<u32>,
    findings: &Findings,
    excerpt: usize,
) -> Result<StreamedTexts> {
    let count = documents.count();
    // The offsets shown, grouped by document (counted, then placed), then
    // clamped to the text, sorted and made unique document by document.
    let mut starts = vec![0usize; count + 1];
    for span in spans_shown(findings) {
        starts[span.doc as usize + 1] += 2;
    }
    for d in 0..count {
        starts[d + 1] += starts[d];
    }
    let mut bytes = vec![0u32; starts[count]];
    let mut filled = starts.clone();
    for span in spans_shown(findings) {
        let at = &mut filled[span.doc as usize];
        bytes[*at] = span.start;
        bytes[*at + 1] = span.end;
        *at += 2;
    }
    drop(filled);
    let mut kept = 0;
    for d in 0..count {
        let (start, end) = (starts[d], starts[d + 1]);
        starts[d] = kept;
        let shown = &mut bytes[start..end];
        for b in shown.iter_mut() {
            *b = (*b).min(lengths[d]);
        }
        shown.sort_unstable();
        for i in start..end {
            if i == start || bytes[i] != bytes[i - 1] {
                bytes[kept] = bytes[i];
                kept += 1;
            }
        }
    }
    starts[count] = kept;
    bytes.truncate(kept);
    bytes.shrink_to_fit();
    let mut chars = vec![0u32; bytes.len()];
    let mut excerpted: Vec<Span> = Vec::new();
    if excerpt > 0 {
        let firsts = findings.passages.iter().filter_map(|p| p.copies.first());
        let targets = findings.provenance.links.iter().map(|l| &l.target);
        excerpted.extend(firsts.chain(targets));
        excerpted.sort_unstable();
        excerpted.dedup();
    }
    let mut excerpt_of = vec![0usize; excerpted.len()];
    let mut ends: Vec<usize> = Vec::new();
    let mut text = String::new();
    // The first excerpt with each hash (others with it are compared, and
    // kept apart if they differ).
    let mut seen: HashMap<u64, usize> = HashMap::new();
    for path in all_documents(work)? {
        read_parquet_in(&path, &["id", "text"], DOCUMENT_ROWS, None, |batch| {
            let ids = columns::strings(&batch, "id")?;
            let texts = columns::texts(&batch, "text")?;
            for (id, document) in ids.iter().zip(&texts) {
                let Some(doc) = documents.position(id) else {
                    continue;
                };
                let range = starts[doc]..starts[doc + 1];
                let (mut at, mut total) = (0usize, 0u32);
                for i in range {
                    let b = (bytes[i] as usize).min(document.len());
                    total += crate::report::offsets::chars(&document[at.min(b)..b]);
                    at = b;
                    chars[i] = total;
                }
                let doc = doc as u32;
                let first = excerpted.partition_point(|s| s.doc < doc);
                let last = excerpted.partition_point(|s| s.doc <= doc);
                for i in first..last {
                    let span = excerpted[i];
                    let end = (span.end as usize).min(document.len());
                    let start = (span.start as usize).min(end);
                    let shown = crate::report::offsets::excerpt(&document[start..end], excerpt);
                    let hash = xxhash_rust::xxh3::xxh3_64(shown.as_bytes());
                    let number = match seen.get(&hash) {
                        Some(&j)
                            if {
                                let from = if j == 0 { 0 } else { ends[j - 1] };
                                text[from..ends[j]] == shown
                            } =>
                        {
                            j
                        }
                        known => {
                            text.push_str(&shown);
                            ends.push(text.len());
                            if known.is_none() {
                                seen.insert(hash, ends.len() - 1);
                            }
                            ends.len() - 1
                        }
                    };
                    excerpt_of[i] = number;
                }
            }
            Ok(())
        })?;
    }
    drop(seen);
    text.shrink_to_fit();
    ends.shrink_to_fit();
    Ok(StreamedTexts {
        lengths,
        starts,
        bytes,
        chars,
        excerpted,
        excerpt_of,
        ends,
        text,
    })
}
