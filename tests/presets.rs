//! `--preset fast|thorough` through the real binary: fast is the default
//! pipeline byte for byte; thorough finds a rewritten passage that fast
//! misses, and its reports do not depend on the thread count.

mod common;

use common::Dir;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lemonde");
const MANIFEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lemonde/manifest.csv");

fn scan(dir: &Dir, extra: &[&str]) -> String {
    let run = dir
        .command()
        .args(["scan", FIXTURE, "--manifest", MANIFEST, "--format", "json"])
        .args(extra)
        .run();
    run.assert_success();
    run.stdout_str()
}

#[test]
fn fast_is_the_default_pipeline() {
    let dir = Dir::new("preset-fast");
    let default = scan(&dir, &[]);
    assert!(default.contains("\"links\""));
    assert!(
        default == scan(&dir, &["--preset", "fast"]),
        "--preset fast changed the map"
    );
}

#[test]
fn thorough_reports_do_not_depend_on_threads() {
    let dir = Dir::new("preset-threads");
    let one = scan(&dir, &["--preset", "thorough", "--threads", "1"]);
    let two = scan(&dir, &["--preset", "thorough", "--threads", "2"]);
    assert!(one == two, "thorough: 1 and 2 threads differ");
    // Shingles of at most 3 words with thorough, as --help says.
    let report: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(report["parameters"]["ngram"], 3);
}

/// An agency paragraph and its rewritten copy: words replaced, inserted and
/// swapped; the longest run in common is 5 words, fewer than --min-words.
const ORIGINAL: &str = "Hewlett Packard today unveiled a new compact notebook designed for \
    mobile professionals who require serious computing power in a small and simple package \
    that travels easily between meetings, airports and hotel rooms across several countries";
const REWRITTEN: &str = "Hewlett Packard today introduced a compact new notebook designed for \
    busy mobile professionals that require computing power in a small simple package which \
    travels easily between offices, airports and hotel rooms across many countries";

#[test]
fn thorough_finds_a_rewritten_passage_that_fast_misses() {
    let dir = Dir::new("preset-rewritten");
    dir.create(
        "agency.txt",
        format!("Weather reports mention heavy rainfall across northern valleys tonight.\n\n{ORIGINAL}.\n\nFarmers worry about harvest delays and rising fuel costs.\n"),
    );
    dir.create(
        "paper.txt",
        format!("Museum curators unveiled restored paintings yesterday after months of work.\n\n{REWRITTEN}.\n\nThe exhibition opens to the public next week.\n"),
    );
    let links = |preset: &str| {
        let run = dir.lifted([
            "scan",
            "agency.txt",
            "paper.txt",
            "--format",
            "json",
            "--preset",
            preset,
        ]);
        run.assert_success();
        run.json()["links"].as_array().unwrap().clone()
    };
    assert!(links("fast").is_empty(), "{:?}", links("fast"));
    let found = links("thorough");
    assert_eq!(found.len(), 1, "{found:?}");
    let agency = std::fs::read_to_string(dir.join("agency.txt")).unwrap();
    let span = found[0]
        .as_object()
        .unwrap()
        .values()
        .find(|end| end["doc"] == "agency.txt")
        .expect("a link end in agency.txt");
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    let text = &agency[start..end];
    assert!(text.starts_with("Hewlett Packard today"), "{text}");
    // The two sentences are similar (sentence seeds): the span runs to the
    // end of the rewritten sentence, not just to its last shared words.
    assert!(text.ends_with("across several countries"), "{text}");
}
