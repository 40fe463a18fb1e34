//! Long documents that share most of their text (issue 14): two long versions
//! full of a repeated stock phrase align as one span, and the report of a
//! small generated `versions` corpus does not depend on the thread count
//! (pairs are aligned in parallel, one task a pair, and gathered in order).

mod common;

use std::fs;

use serde_json::Value;

use common::{Dir, Lcg};

/// A long text of words from a 2,000-word vocabulary, one sentence in three
/// opening with the same stock phrase (as "And it came to pass" does in
/// scripture), so that its n-grams repeat hundreds of times.
fn long_text(rng: &mut Lcg, sentences: usize) -> Vec<String> {
    let mut words = Vec::new();
    for s in 0..sentences {
        if s % 3 == 0 {
            words.extend(
                "and it came to pass in those days that"
                    .split(' ')
                    .map(String::from),
            );
        }
        for _ in 0..12 {
            words.push(format!("w{}", (rng.next() >> 33) % 2000));
        }
    }
    words
}

fn report(dir: &Dir, corpus: &str, out: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "scan", corpus, "--quiet", "--format", "json", "--output", out,
    ];
    args.extend_from_slice(extra);
    dir.lifted(args).assert_success();
    serde_json::from_slice(&fs::read(dir.join(out)).expect("read the report")).expect("JSON")
}

/// A 12,000-word document and a revision of it with one word in 200 changed:
/// the revision is lifted whole, one link covering both documents from first
/// to last word, although the stock phrase occurs 267 times in each.
#[test]
fn two_long_versions_with_repeated_phrases_align_whole() {
    let dir = Dir::new("long-versions");
    let mut rng = Lcg(14);
    let original = long_text(&mut rng, 800);
    let mut revised = original.clone();
    for i in (100..revised.len()).step_by(200) {
        revised[i] = format!("changed{i}");
    }
    let (a, b) = (original.join(" "), revised.join(" "));
    common::write_jsonl(
        &dir.join("corpus.jsonl"),
        [
            ("original".to_string(), a.clone()),
            ("revised".to_string(), b.clone()),
        ],
    );
    let map = report(&dir, "corpus.jsonl", "map.json", &[]);
    let links = map["links"].as_array().expect("links");
    let whole = |l: &&Value| {
        ["source", "target"].iter().all(|side| {
            let span = &l[side];
            let len = if span["doc"] == "original" {
                a.len()
            } else {
                b.len()
            };
            span["start"] == 0 && span["end"].as_u64() == Some(len as u64)
        })
    };
    let covering: Vec<&Value> = links
        .iter()
        .filter(|l| l["source"]["doc"] != l["target"]["doc"])
        .filter(whole)
        .collect();
    assert_eq!(covering.len(), 1, "one link over both whole documents");
    // Each changed word is one edit, and the stock phrase is not also paired
    // with its other occurrences (pairing its k-th occurrences, before
    // anchors placed them, gave 1,368 edits and 249 more links here).
    let changed = (100..revised.len()).step_by(200).count() as u64;
    assert_eq!(
        covering[0]["edits"].as_u64(),
        Some(changed),
        "{}",
        covering[0]
    );
    let between = links
        .iter()
        .filter(|l| l["source"]["doc"] != l["target"]["doc"])
        .count();
    assert_eq!(between, 1, "no other link between the two");
}

/// `lifted scan` of a generated `versions` corpus (its manifest's dates
/// direct the links) writes byte-identical reports at 1, 2 and 3 threads,
/// and finds links.
#[test]
fn versions_corpus_reports_do_not_depend_on_threads() {
    let dir = Dir::new("long-threads");
    dir.lifted([
        "gen",
        "--shape",
        "versions",
        "--size-mb",
        "1",
        "--seed",
        "3",
        "--out",
        "v",
    ])
    .assert_success();
    let mut reports = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = format!("map{threads}.json");
        let map = report(
            &dir,
            "v/corpus.jsonl",
            &out,
            &["--manifest", "v/manifest.csv", "--threads", threads],
        );
        assert!(
            map["links"].as_array().expect("links").len() > 100,
            "a versions corpus is mostly lifted"
        );
        reports.push(fs::read(dir.join(&out)).expect("read the report"));
    }
    assert!(reports[0] == reports[1], "1 and 2 threads differ");
    assert!(reports[0] == reports[2], "1 and 3 threads differ");
}
