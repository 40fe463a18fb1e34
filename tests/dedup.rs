//! `lifted dedup` (issue 16): the real binary writes the corpus back without
//! near-duplicate documents or paragraphs.

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::Read;

use common::{assert_no_output, read_json, write_jsonl, Dir, Lcg};

/// `n` pseudo-random lowercase words (a vocabulary of 3000) from `seed`.
fn words(seed: u64, n: usize) -> Vec<String> {
    let mut lcg = Lcg(seed);
    (0..n)
        .map(|_| format!("w{}", (lcg.next() >> 33) % 3000))
        .collect()
}

/// Exact Jaccard similarity of the word 5-gram sets, as lifted measures
/// plain lowercase words.
fn jaccard(a: &str, b: &str) -> f64 {
    let grams = |t: &str| -> HashSet<String> {
        let w: Vec<&str> = t.split_whitespace().collect();
        w.windows(5).map(|g| g.join(" ")).collect()
    };
    let (a, b) = (grams(a), grams(b));
    let shared = a.intersection(&b).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// `text` with every `step`-th word replaced.
fn edited(text: &[String], step: usize) -> String {
    text.iter()
        .enumerate()
        .map(|(i, w)| {
            if i % step == step / 2 {
                format!("x{w}")
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Write `c.jsonl` in `dir`: one record per (id, text) of `list`, in order.
fn corpus(dir: &Dir, list: &[(&str, &str)]) {
    let records = list
        .iter()
        .map(|(id, text)| (id.to_string(), text.to_string()));
    write_jsonl(&dir.join("c.jsonl"), records);
}

/// A new folder whose `c.jsonl` holds `one` and `two`, the same text of 100
/// words (from `seed`), and that text.
fn two_copies(seed: u64) -> (Dir, String) {
    let dir = Dir::new("dedup");
    let text = words(seed, 100).join(" ");
    corpus(&dir, &[("one", &text), ("two", &text)]);
    (dir, text)
}

/// `lifted dedup c.jsonl <args> --output out.jsonl --summary summary.json`,
/// which must succeed: the ids kept and the summary.
fn deduplicated(dir: &Dir, args: &[&str]) -> (Vec<String>, serde_json::Value) {
    let run = dir
        .command()
        .args(["dedup", "c.jsonl"])
        .args(args)
        .args(["--output", "out.jsonl", "--summary", "summary.json"])
        .run();
    run.assert_success();
    (
        ids(&dir.join("out.jsonl")),
        read_json(&dir.join("summary.json")),
    )
}

/// The ids of a JSONL output, in order.
fn ids(path: &std::path::Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let value: serde_json::Value = serde_json::from_str(l).unwrap();
            value["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn exact_duplicates_go_and_the_first_in_input_order_stays() {
    let dir = Dir::new("dedup");
    let text = words(1, 120).join(" ");
    let other = words(2, 120).join(" ");
    // The copy's id sorts first; input order decides.
    corpus(
        &dir,
        &[
            ("z-original", &text),
            ("m-other", &other),
            ("a-copy", &text),
        ],
    );
    let run = dir.lifted(["dedup", "--quiet", "c.jsonl", "--output", "out.jsonl"]);
    run.assert_success();
    let expected = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "z-original", "text": text}),
        serde_json::json!({"id": "m-other", "text": other})
    );
    assert_eq!(fs::read_to_string(dir.join("out.jsonl")).unwrap(), expected);
    let stderr = run.stderr_str();
    assert!(
        stderr.contains("removed 1 of 3 document(s)") && stderr.contains("by input order"),
        "{run}"
    );
}

#[test]
fn near_duplicates_at_the_threshold_go_and_below_it_stay() {
    let dir = Dir::new("dedup");
    let base = words(3, 300);
    let original = base.join(" ");
    let copy = edited(&base, 12);
    let similarity = jaccard(&original, &copy);
    assert!(similarity > 0.4 && similarity < 0.9, "{similarity}");
    corpus(&dir, &[("first", &original), ("second", &copy)]);
    let at = format!("{similarity:?}");
    let run = dir.lifted([
        "dedup",
        "c.jsonl",
        "--output",
        "at.jsonl",
        "--threshold",
        &at,
    ]);
    run.assert_success();
    assert_eq!(ids(&dir.join("at.jsonl")), ["first"], "{run}");
    let above = format!("{:?}", similarity + 0.01);
    let run = dir.lifted([
        "dedup",
        "c.jsonl",
        "-o",
        "above.jsonl",
        "--threshold",
        &above,
    ]);
    run.assert_success();
    assert_eq!(ids(&dir.join("above.jsonl")), ["first", "second"], "{run}");
}

#[test]
fn the_earliest_by_manifest_date_stays() {
    let dir = Dir::new("dedup");
    let text = words(4, 150).join(" ");
    corpus(
        &dir,
        &[("reprint", &text), ("undated", &text), ("original", &text)],
    );
    dir.create(
        "manifest.csv",
        "id,date\nreprint,2021-05-01\noriginal,2020-01-01\n",
    );
    let (kept, summary) = deduplicated(&dir, &["--manifest", "manifest.csv"]);
    assert_eq!(kept, ["original"]);
    assert_eq!(summary["documents_removed"], 2);
    assert_eq!(summary["bytes_removed"], 2 * text.len());
    for removed in summary["removed"].as_array().unwrap() {
        assert_eq!(removed["kept"], "original", "{summary}");
        assert_eq!(removed["jaccard"], 1.0);
    }
}

#[test]
fn paragraph_level_cuts_the_later_copy_only() {
    let dir = Dir::new("dedup");
    let shared = words(5, 40).join(" ");
    let (a1, b1, b2) = (
        words(6, 40).join(" "),
        words(7, 40).join(" "),
        words(8, 40).join(" "),
    );
    let first = format!("{a1}\n\n{shared}");
    let second = format!("{b1}\n\n{shared}\n\n{b2}");
    corpus(&dir, &[("first", &first), ("second", &second)]);
    let run = dir.lifted(["dedup", "c.jsonl", "--level", "paragraph", "--dry-run"]);
    run.assert_success();
    let start = b1.len() + 2;
    let kept_start = a1.len() + 2;
    let expected = serde_json::json!({
        "id": "second", "start": start, "end": start + shared.len(),
        "kept": "first", "kept_start": kept_start, "kept_end": kept_start + shared.len(),
        "jaccard": 1.0, "bytes": shared.len() + 2,
    });
    assert_eq!(run.stdout_str().lines().count(), 1, "{run}");
    assert_eq!(run.json(), expected);
    assert!(
        run.stderr_str()
            .contains("would remove 1 paragraph(s) from 1 document(s)"),
        "{run}"
    );
    // A third document that is only the shared paragraph is left empty: it goes.
    corpus(
        &dir,
        &[("first", &first), ("second", &second), ("third", &shared)],
    );
    let run = dir.lifted([
        "dedup",
        "c.jsonl",
        "--level",
        "paragraph",
        "-o",
        "out.jsonl",
    ]);
    run.assert_success();
    let expected = format!(
        "{}\n{}\n",
        serde_json::json!({"id": "first", "text": first}),
        serde_json::json!({"id": "second", "text": format!("{b1}\n\n{b2}")})
    );
    assert_eq!(fs::read_to_string(dir.join("out.jsonl")).unwrap(), expected);
    let message = "removed 2 paragraph(s) from 2 document(s) (1 left empty and removed)";
    assert!(run.stderr_str().contains(message), "{run}");
}

#[test]
fn dry_run_writes_nothing_and_lists_what_would_go() {
    let (dir, text) = two_copies(9);
    let run = dir.lifted(["dedup", "c.jsonl", "--output", "out.jsonl", "--dry-run"]);
    run.assert_success();
    assert_no_output(&dir.join("out.jsonl"));
    let listed: serde_json::Value = serde_json::from_str(run.stdout_str().trim()).unwrap();
    assert_eq!(listed["id"], "two");
    assert_eq!(listed["kept"], "one");
    assert_eq!(listed["bytes"], text.len());
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let (dir, _) = two_copies(10);
    let before = fs::read(dir.join("c.jsonl")).unwrap();
    dir.lifted(["dedup", "c.jsonl", "--output", "c.jsonl"])
        .assert_error(&["c.jsonl"]);
    assert_eq!(fs::read(dir.join("c.jsonl")).unwrap(), before);
    // Nor may the summary land on the deduplicated corpus.
    dir.lifted([
        "dedup",
        "c.jsonl",
        "-o",
        "out.jsonl",
        "--summary",
        "out.jsonl",
    ])
    .assert_error(&["out.jsonl"]);
    assert_no_output(&dir.join("out.jsonl"));
    // Without --output or --dry-run there is nowhere to write.
    dir.lifted(["dedup", "c.jsonl"]).assert_error(&["--output"]);
}

#[test]
fn text_files_come_back_as_jsonl() {
    let dir = Dir::new("dedup");
    let text = words(11, 100).join(" ");
    dir.create_dir("docs");
    dir.create("docs/a.txt", &text);
    dir.create("docs/b.txt", format!("{text}\n"));
    dir.create("docs/c.txt", words(12, 100).join(" "));
    let run = dir.lifted(["dedup", "docs", "-o", "out.jsonl"]);
    run.assert_success();
    assert_eq!(ids(&dir.join("out.jsonl")), ["a.txt", "c.txt"]);
}

/// Many documents, some of them edited copies of others, and shared paragraphs.
fn generated(dir: &Dir) {
    let mut lcg = Lcg(99);
    let paragraphs: Vec<String> = (0..60).map(|p| words(100 + p, 50).join(" ")).collect();
    let mut list = Vec::new();
    for d in 0..300u64 {
        let text = if d % 7 == 3 {
            let base = words(1000 + d / 14, 200);
            edited(&base, 25 + (d % 5) as usize * 3)
        } else {
            let picks: Vec<&str> = (0..4)
                .map(|_| paragraphs[((lcg.next() >> 33) % 60) as usize].as_str())
                .collect();
            format!(
                "{}\n\n{}",
                words(5000 + d, 60).join(" "),
                picks.join("\n\n")
            )
        };
        list.push((format!("d{:03}", (d * 37) % 300), text));
    }
    write_jsonl(&dir.join("c.jsonl"), list);
}

#[test]
fn the_bytes_do_not_depend_on_the_thread_count() {
    let dir = Dir::new("dedup");
    generated(&dir);
    for level in ["document", "paragraph"] {
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let out = format!("{level}-{threads}.jsonl");
            let summary = format!("{level}-{threads}.json");
            let run = dir.lifted([
                "dedup",
                "c.jsonl",
                "--level",
                level,
                "--threads",
                threads,
                "-o",
                &out,
                "--summary",
                &summary,
            ]);
            run.assert_success();
            outputs.push((
                fs::read(dir.join(&out)).unwrap(),
                fs::read(dir.join(&summary)).unwrap(),
            ));
        }
        let summary: serde_json::Value = serde_json::from_slice(&outputs[0].1).unwrap();
        let removed = summary["removed"].as_array().unwrap().len();
        assert!(removed > 5, "{level}: {removed} removals");
        assert!(outputs[0] == outputs[1], "{level}: 1 and 2 threads differ");
    }
}

#[test]
fn jsonl_records_keep_their_fields() {
    let dir = Dir::new("dedup");
    let shared = words(13, 40).join(" ");
    let own = words(14, 40).join(" ");
    let first = format!(
        r#"{{"url": "https://a.example/1", "doc_id": 7, "body": "{shared}", "meta": {{"lang": "fr"}}}}"#
    );
    let copy = format!(r#"{{"doc_id": 8, "body": "{shared}", "url": "https://b.example/2"}}"#);
    let later =
        format!(r#"{{"url": "https://c.example/3", "doc_id": 9, "body": "{own}\n\n{shared}"}}"#);
    dir.create("c.jsonl", format!("{first}\n{copy}\r\n{later}\n"));
    let fields = ["--id-field", "doc_id", "--text-field", "body"];
    let run = dir
        .command()
        .args(["dedup", "c.jsonl", "-o", "docs.jsonl"])
        .args(fields)
        .run();
    run.assert_success();
    // Whole records, byte for byte (the line ending aside).
    assert_eq!(
        fs::read_to_string(dir.join("docs.jsonl")).unwrap(),
        format!("{first}\n{later}\n")
    );
    let run = dir
        .command()
        .args([
            "dedup",
            "c.jsonl",
            "--level",
            "paragraph",
            "-o",
            "paras.jsonl",
        ])
        .args(fields)
        .run();
    run.assert_success();
    // The copy is left empty and goes; the later record keeps its fields.
    let cut = serde_json::json!({"url": "https://c.example/3", "doc_id": 9, "body": own});
    assert_eq!(
        fs::read_to_string(dir.join("paras.jsonl")).unwrap(),
        format!("{first}\n{cut}\n")
    );
}

#[test]
fn bad_settings_fail_before_anything_is_written() {
    let (dir, _) = two_copies(15);
    dir.lifted(["dedup", "c.jsonl", "-o", "out.jsonl", "--threshold", "0"])
        .assert_error(&["threshold"]);
    dir.lifted(["dedup", "c.jsonl", "-o", "out.jsonl", "--level", "sentence"])
        .assert_error(&["sentence"]);
    dir.create("manifest.csv", "id,date\nthree,2020-01-01\n");
    dir.lifted([
        "dedup",
        "c.jsonl",
        "-o",
        "out.jsonl",
        "--manifest",
        "manifest.csv",
    ])
    .assert_error(&["manifest.csv"]);
    assert_no_output(&dir.join("out.jsonl"));
}

/// Dates in the records (`--date-field`) choose what stays as a manifest's
/// would, and the summary says the order was by date.
#[test]
fn the_earliest_by_record_date_stays_and_the_reason_says_so() {
    let dir = Dir::new("dedup");
    let text = words(4, 150).join(" ");
    let line = |id: &str, date: &str| {
        serde_json::json!({"id": id, "text": text, "date": date}).to_string() + "\n"
    };
    dir.create(
        "c.jsonl",
        line("reprint", "2021-05-01") + &line("original", "2020-01-01"),
    );
    let (kept, summary) = deduplicated(&dir, &["--date-field", "date"]);
    assert_eq!(kept, ["original"]);
    let reason = summary["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("date"), "{summary}");
}

#[test]
fn zstd_records_keep_their_fields_and_standard_input_says_it_cannot() {
    // A `.jsonl.zst` record came back as `{"id", "text"}`, its other fields
    // dropped without a word; records from standard input still must, and
    // now a warning says so.
    let dir = Dir::new("dedup");
    let text = words(16, 60).join(" ");
    let first = format!(r#"{{"id": "a", "text": "{text}", "url": "https://a.example/"}}"#);
    let copy = format!(r#"{{"id": "b", "text": "{text}", "url": "https://b.example/"}}"#);
    let lines = format!("{first}\n{copy}\n");
    let packed = zstd::encode_all(lines.as_bytes(), 3).unwrap();
    dir.create("c.jsonl.zst", packed);
    let run = dir.lifted(["dedup", "c.jsonl.zst", "-o", "out.jsonl"]);
    run.assert_success();
    assert_eq!(
        fs::read_to_string(dir.join("out.jsonl")).unwrap(),
        format!("{first}\n")
    );
    assert!(run.warnings().is_empty(), "{run}");
    let run = dir
        .command()
        .args(["dedup", "-", "--jsonl", "-o", "piped.jsonl"])
        .stdin(lines)
        .run();
    run.assert_success();
    run.warning_with(&[
        "1 JSONL record(s) could not be read again",
        "standard input",
    ]);
    assert_eq!(ids(&dir.join("piped.jsonl")), ["a"]);
}

#[test]
fn a_gz_or_zst_output_is_compressed_and_a_parquet_one_refused() {
    // `--output deduped.jsonl.gz` wrote plain JSONL under that name, which
    // `lifted scan deduped.jsonl.gz` then refused as corrupt gzip.
    let (dir, _) = two_copies(17);
    dir.lifted(["dedup", "c.jsonl", "-o", "plain.jsonl"])
        .assert_success();
    let plain = fs::read(dir.join("plain.jsonl")).unwrap();
    for name in ["out.jsonl.gz", "out.jsonl.zst"] {
        dir.lifted(["dedup", "c.jsonl", "-o", name])
            .assert_success();
        let packed = fs::File::open(dir.join(name)).unwrap();
        let mut unpacked = Vec::new();
        if name.ends_with(".gz") {
            flate2::read::GzDecoder::new(packed)
                .read_to_end(&mut unpacked)
                .unwrap();
        } else {
            unpacked = zstd::decode_all(packed).unwrap();
        }
        assert_eq!(unpacked, plain, "{name}");
        // And it reads back as the corpus it is.
        dir.lifted(["dedup", name, "-o", "again.jsonl"])
            .assert_success();
        assert_eq!(ids(&dir.join("again.jsonl")), ["one"]);
    }
    let run = dir.lifted(["dedup", "c.jsonl", "-o", "out.parquet"]);
    run.assert_error(&["out.parquet", "dedup writes JSONL", ".jsonl.gz"]);
    assert_no_output(&dir.join("out.parquet"));
}

#[test]
fn a_summary_named_for_a_compressed_format_is_refused() {
    // `--summary removed.json.gz` wrote plain JSON under that name.
    let (dir, _) = two_copies(17);
    for name in ["removed.json.gz", "removed.JSON.ZST", "removed.parquet"] {
        let run = dir.lifted(["dedup", "c.jsonl", "-o", "out.jsonl", "--summary", name]);
        run.assert_error(&[name, "the summary is plain JSON", "ending .json"]);
        assert_no_output(&dir.join(name));
        assert_no_output(&dir.join("out.jsonl"));
    }
    dir.lifted([
        "dedup",
        "c.jsonl",
        "-o",
        "out.jsonl",
        "--summary",
        "removed.json",
    ])
    .assert_success();
    let summary: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("removed.json")).unwrap()).unwrap();
    assert!(summary.is_object());
}
