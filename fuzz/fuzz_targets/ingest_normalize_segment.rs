//! Arbitrary bytes through `normalize::tokenize` and `segment::segments` (and,
//! for a sample of inputs, `ingest::read_inputs` on a temporary file), checking
//! the invariants the rest of the pipeline relies on:
//!
//! - every token range is inside the input, non-empty, ascending and
//!   non-overlapping, and starts and ends at char boundaries of the lossily
//!   decoded view (invalid bytes never split, offsets are original bytes);
//! - a token re-tokenized alone is one token with the same hash;
//! - paragraph breaks are strictly ascending token indices, and a break sits
//!   exactly where a line break separates two tokens;
//! - segments cover every token, never cross a paragraph break, hold at most
//!   `window` words and carry the byte offsets of their first and last tokens;
//! - ingest keeps the original bytes of a document.

#![no_main]

use std::collections::HashSet;
use std::io::Write;

use libfuzzer_sys::fuzz_target;
use lifted::ingest::{read_inputs, IngestOptions};
use lifted::normalize::{tokenize, NormalizeOptions};
use lifted::segment::segments;

/// Byte offsets where a char (or one U+FFFD of the lossy view) starts, plus the end.
fn boundaries(text: &[u8]) -> HashSet<usize> {
    let mut out = HashSet::new();
    let mut at = 0;
    for chunk in text.utf8_chunks() {
        for (i, _) in chunk.valid().char_indices() {
            out.insert(at + i);
        }
        at += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            out.insert(at);
            at += chunk.invalid().len();
        }
    }
    out.insert(at);
    assert_eq!(at, text.len());
    out
}

fn has_line_break(between: &[u8]) -> bool {
    String::from_utf8_lossy(between)
        .chars()
        .any(|c| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}'))
}

fn check(text: &[u8], options: NormalizeOptions) {
    let stream = tokenize(text, options);
    let tokens = &stream.tokens;
    let bounds = boundaries(text);
    let mut previous_end = 0usize;
    for token in tokens {
        let (start, end) = (token.start as usize, token.end as usize);
        assert!(start >= previous_end, "tokens overlap or go backwards");
        assert!(
            start < end && end <= text.len(),
            "token {start}..{end} outside input"
        );
        assert!(
            bounds.contains(&start) && bounds.contains(&end),
            "token {start}..{end} splits a char"
        );
        let again = tokenize(&text[start..end], options);
        assert_eq!(
            again.tokens.len(),
            1,
            "token {start}..{end} re-tokenizes to {:?}",
            again.tokens
        );
        assert_eq!(
            again.tokens[0].hash, token.hash,
            "token {start}..{end} hash differs alone"
        );
        previous_end = end;
    }
    let mut previous = 0u32;
    for &b in &stream.breaks {
        assert!(
            b > previous && (b as usize) < tokens.len(),
            "bad break {b} (previous {previous}, {} tokens)",
            tokens.len()
        );
        previous = b;
    }
    let breaks: HashSet<u32> = stream.breaks.iter().copied().collect();
    for i in 1..tokens.len() {
        let gap = &text[tokens[i - 1].end as usize..tokens[i].start as usize];
        assert_eq!(
            breaks.contains(&(i as u32)),
            has_line_break(gap),
            "break before token {i} disagrees with the text {gap:?}"
        );
    }
    for window in [1usize, 2, 3, 7, 100] {
        let segs = segments(3, &stream, window);
        let mut covered = vec![false; tokens.len()];
        let mut previous_first = 0u32;
        for seg in &segs {
            assert_eq!(seg.doc, 3);
            assert!(seg.first < seg.last && seg.last as usize <= tokens.len());
            assert!(
                seg.words() <= window,
                "segment of {} words, window {window}",
                seg.words()
            );
            assert!(seg.first >= previous_first, "segments out of order");
            previous_first = seg.first;
            assert!(
                !stream.breaks.iter().any(|&b| seg.first < b && b < seg.last),
                "segment crosses a paragraph"
            );
            assert_eq!(seg.start, tokens[seg.first as usize].start);
            assert_eq!(seg.end, tokens[seg.last as usize - 1].end);
            for c in &mut covered[seg.first as usize..seg.last as usize] {
                *c = true;
            }
        }
        assert!(
            covered.iter().all(|&c| c),
            "window {window}: a token is in no segment"
        );
    }
}

fn ingest(data: &[u8]) {
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("doc.txt");
    if std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(data))
        .is_err()
    {
        return;
    }
    // Named directly: either refused with an error or kept byte for byte.
    if let Ok(corpus) = read_inputs(std::slice::from_ref(&path), &IngestOptions::default()) {
        assert_eq!(corpus.documents.len(), 1);
        assert_eq!(corpus.documents[0].text, data, "ingest changed the bytes");
    }
    // Inside a folder: never an error for content alone, only skipped.
    match read_inputs(&[dir.path().to_path_buf()], &IngestOptions::default()) {
        Ok(corpus) => assert_eq!(corpus.documents[0].text, data),
        Err(lifted::Error::NoDocuments { .. }) => {}
        Err(other) => panic!("folder read failed: {other}"),
    }
    // The same bytes as JSONL, bad lines skipped: no panic, ids unique or an error.
    let jsonl = dir.path().join("doc.jsonl");
    if std::fs::write(&jsonl, data).is_ok() {
        let options = IngestOptions {
            skip_bad_lines: true,
            ..IngestOptions::default()
        };
        let _ = read_inputs(&[jsonl], &options);
    }
}

fuzz_target!(|data: &[u8]| {
    check(data, NormalizeOptions::default());
    check(data, NormalizeOptions { fold_accents: true });
    // Files are slow: ingest a sample of the inputs.
    if data.first().is_some_and(|b| b % 8 == 0) {
        ingest(data);
    }
});
