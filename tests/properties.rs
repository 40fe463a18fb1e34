//! Property tests on whole scans: every reported span maps back to the
//! original bytes, planted copies are found, and the report does not depend on
//! the thread count or on the order in which inputs are given.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use lifted::ingest::{read_inputs, IngestOptions};
use lifted::provenance::Chronology;
use lifted::report::{json, Report};
use lifted::scan::{scan, NoProgress, Params, ScanOptions};
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "le",
    "la",
    "les",
    "de",
    "du",
    "des",
    "et",
    "à",
    "un",
    "une",
    "forum",
    "site",
    "campagne",
    "harcèlement",
    "streameuse",
    "Cloudflare",
    "l’entreprise",
    "d'avoir",
    "réseau",
    "menace",
    "vie",
    "humaine",
    "police",
    "Keffals",
    "août",
    "2022",
    "œuvre",
    "Éditions",
    "naïve",
    "«",
    "»",
    "–",
    "(vidéo",
    "ci-dessus)",
    ",",
    ".",
];

/// A document of random words from a seeded stream, with newlines now and then.
fn words(seed: u64, count: usize) -> String {
    let mut state = seed;
    let mut out = String::new();
    for i in 0..count {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = WORDS[(state >> 33) as usize % WORDS.len()];
        out.push_str(word);
        out.push(if (state >> 20).is_multiple_of(17) && i + 1 < count {
            '\n'
        } else {
            ' '
        });
    }
    out
}

fn write_corpus(dir: &std::path::Path, texts: &[String]) -> Vec<PathBuf> {
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let path = dir.join(format!("doc{i:02}.txt"));
            std::fs::write(&path, text).unwrap();
            path
        })
        .collect()
}

fn report_of(paths: &[PathBuf], threads: usize) -> (String, Report, Vec<Vec<u8>>) {
    let corpus = read_inputs(paths, &IngestOptions::default()).unwrap();
    let params = Params::new(ScanOptions::default()).unwrap();
    let chronology = Chronology::Unknown;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    let findings = pool.install(|| {
        scan(
            &corpus,
            &params,
            &chronology,
            &NoProgress,
            &AtomicBool::new(false),
        )
        .unwrap()
    });
    let report = Report::build(&corpus, &params, &chronology, &findings);
    let mut bytes = Vec::new();
    json::write(&report, &mut bytes).unwrap();
    let texts = corpus.documents.iter().map(|d| d.text.clone()).collect();
    (String::from_utf8(bytes).unwrap(), report, texts)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    #[test]
    fn spans_map_back_and_copies_are_found(
        seeds in proptest::collection::vec(any::<u64>(), 3..6),
        passage_seed in any::<u64>(),
        passage_words in 12usize..60,
        insert_at in 0usize..40,
    ) {
        let passage = words(passage_seed, passage_words).replace('\n', " ");
        let mut texts: Vec<String> = seeds.iter().map(|&s| words(s, 80)).collect();
        // Plant the passage in the first two documents, at a word boundary.
        for text in texts.iter_mut().take(2) {
            let cut = text.match_indices(' ').nth(insert_at.min(70)).map(|(i, _)| i + 1).unwrap_or(0);
            text.insert_str(cut, &format!("{passage} "));
        }
        let dir = tempfile::tempdir().unwrap();
        let paths = write_corpus(dir.path(), &texts);
        let (_, report, originals) = report_of(&paths, 2);
        for link in &report.links {
            for span in [&link.source, &link.target] {
                let index = report.document_index(&span.doc).unwrap();
                let text = std::str::from_utf8(&originals[index]).unwrap();
                prop_assert!(span.start < span.end && span.end as usize <= text.len());
                prop_assert!(text.is_char_boundary(span.start as usize) && text.is_char_boundary(span.end as usize));
                let slice = &text[span.start as usize..span.end as usize];
                prop_assert!(slice.chars().next().is_some_and(char::is_alphanumeric), "span starts on a word: {:?}", slice);
                prop_assert!(slice.chars().last().is_some_and(char::is_alphanumeric), "span ends on a word: {:?}", slice);
            }
        }
        // The planted passage is covered in both documents by links between them.
        let planted = |doc: &str| doc.ends_with("doc00.txt") || doc.ends_with("doc01.txt");
        let found = report.links.iter().any(|l| planted(&l.source.doc) && planted(&l.target.doc));
        let passage_tokens = passage.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count();
        if passage_tokens >= 8 {
            prop_assert!(found, "planted passage of {} words not linked: {:?}", passage_tokens, passage);
        }
    }

    #[test]
    fn report_is_the_same_whatever_threads_and_argument_order(seeds in proptest::collection::vec(any::<u64>(), 2..6)) {
        let mut texts: Vec<String> = seeds.iter().map(|&s| words(s, 150)).collect();
        let shared = words(7, 40);
        for text in texts.iter_mut() {
            text.push('\n');
            text.push_str(&shared);
        }
        let dir = tempfile::tempdir().unwrap();
        let paths = write_corpus(dir.path(), &texts);
        let (one, _, _) = report_of(&paths, 1);
        let (two, _, _) = report_of(&paths, 2);
        prop_assert_eq!(&one, &two);
        let mut reversed = paths.clone();
        reversed.reverse();
        let (backwards, _, _) = report_of(&reversed, 2);
        prop_assert_eq!(&one, &backwards);
    }
}
