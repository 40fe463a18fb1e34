//! Bad JSONL input: malformed lines, missing or wrong fields, duplicate ids,
//! line endings and BOMs, compressed files and 100 MB lines (a module of
//! `bad_input`, which holds the shared helpers).

use super::*;

fn record(id: &str, text: &str) -> String {
    serde_json::json!({"id": id, "text": text}).to_string()
}

#[test]
fn jsonl_malformed_line() {
    let dir = Dir::new("jsonl-bad");
    let lines = [
        record("a", &format!("Opening.\n{PASSAGE}.")),
        "{\"id\": \"x\", \"text\": }".to_string(),
        record("b", &format!("Preface.\n{PASSAGE}.")),
        "not json at all".to_string(),
    ];
    dir.create("c.jsonl", lines.join("\n") + "\n");
    let line = fails(
        &dir,
        &["c.jsonl"],
        &["c.jsonl:2: not valid JSON at column", "--skip-bad-lines"],
    );
    assert!(!line.contains("line 1 column"), "{line}");
    let (run, report) = succeeds(&dir, &["--skip-bad-lines", "c.jsonl"]);
    run.warning_with(&["c.jsonl:2:", "2 malformed line(s) skipped"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert!(!report["links"].as_array().unwrap().is_empty());
}

#[test]
fn jsonl_missing_or_wrong_fields() {
    let dir = Dir::new("jsonl-fields");
    let good = record("a", PASSAGE);
    let cases = [
        ("{\"text\": \"hello there\"}", "missing field \"id\""),
        ("{\"id\": \"x\"}", "missing field \"text\""),
        (
            "{\"id\": \"x\", \"text\": 42}",
            "field \"text\" must be a string",
        ),
        (
            "{\"id\": \"x\", \"text\": null}",
            "field \"text\" must be a string",
        ),
        (
            "{\"id\": [1], \"text\": \"t\"}",
            "field \"id\" must be a string or a number",
        ),
        ("[1, 2]", "must be a JSON object"),
    ];
    for (bad, reason) in cases {
        dir.create("c.jsonl", format!("{good}\n\n{bad}\n"));
        fails(
            &dir,
            &["c.jsonl"],
            &["c.jsonl:3:", reason, "--skip-bad-lines"],
        );
    }
}

#[test]
fn jsonl_text_field_option_is_honoured_in_errors() {
    let dir = Dir::new("jsonl-text-field");
    dir.create("c.jsonl", format!("{}\n", record("a", PASSAGE)));
    fails(
        &dir,
        &["--text-field", "body", "c.jsonl"],
        &["c.jsonl:1:", "missing field \"body\"", "--text-field"],
    );
}

#[test]
fn jsonl_duplicate_ids_name_both_places() {
    let dir = Dir::new("jsonl-dup");
    let lines = [
        record("same", PASSAGE),
        record("other", OTHER),
        "{\"id\": \"same\", \"text\": \"again\"}".to_string(),
    ];
    dir.create("d.jsonl", lines.join("\n"));
    fails(
        &dir,
        &["d.jsonl"],
        &[
            "duplicate document id \"same\"",
            "d.jsonl:1",
            "d.jsonl:3",
            "ids must be unique",
        ],
    );
    // A number and a string with the same digits are the same id, across files.
    dir.create("e.jsonl", "{\"id\": 7, \"text\": \"one\"}\n");
    dir.create("f.jsonl", "{\"id\": \"7\", \"text\": \"two\"}\n");
    fails(
        &dir,
        &["e.jsonl", "f.jsonl"],
        &["duplicate document id \"7\"", "e.jsonl:1", "f.jsonl:1"],
    );
}

#[test]
fn jsonl_without_final_newline_crlf_and_bom() {
    let dir = Dir::new("jsonl-edges");
    let body = [
        record("a", &format!("Opening.\n{PASSAGE}.")),
        record("b", &format!("Preface.\n{PASSAGE}.")),
    ];
    dir.create("c.jsonl", body.join("\n"));
    let (_, report) = succeeds(&dir, &["c.jsonl"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert_eq!(report["documents"][1]["path"], "c.jsonl:2");
    dir.create("c.jsonl", format!("\u{FEFF}{}\r\n", body.join("\r\n")));
    let (_, report) = succeeds(&dir, &["c.jsonl"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert!(!report["links"].as_array().unwrap().is_empty());
}

#[test]
fn jsonl_gz() {
    let dir = Dir::new("jsonl-gz");
    let body = format!(
        "{}\n{}\n",
        record("a", &format!("Opening.\n{PASSAGE}.")),
        record("b", &format!("Preface.\n{PASSAGE}."))
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.as_bytes()).unwrap();
    let compressed = gz.finish().unwrap();
    dir.create("c.jsonl.gz", &compressed);
    let (_, report) = succeeds(&dir, &["c.jsonl.gz"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert_eq!(report["documents"][0]["path"], "c.jsonl.gz:1");
    assert!(!report["links"].as_array().unwrap().is_empty());
    // A truncated or fake .jsonl.gz is an error naming the file.
    dir.create("cut.jsonl.gz", &compressed[..compressed.len() / 2]);
    fails(&dir, &["cut.jsonl.gz"], &["cut.jsonl.gz", "cannot read"]);
    dir.create("fake.jsonl.gz", body.as_bytes());
    fails(&dir, &["fake.jsonl.gz"], &["fake.jsonl.gz", "cannot read"]);
}

/// A 100 MB line whose bulk is a field the tool ignores: the JSONL reader must
/// take it in bounded time and memory.
#[test]
fn jsonl_100_mb_line() {
    let dir = Dir::new("jsonl-huge");
    let path = dir.join("big.jsonl");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    write!(file, "{{\"id\": \"big\", \"padding\": \"").unwrap();
    let chunk = "x".repeat(1 << 20);
    for _ in 0..100 {
        file.write_all(chunk.as_bytes()).unwrap();
    }
    writeln!(
        file,
        "\", \"text\": {}}}",
        serde_json::json!(format!("Opening.\n{PASSAGE}."))
    )
    .unwrap();
    writeln!(
        file,
        "{}",
        record("small", &format!("Preface.\n{PASSAGE}."))
    )
    .unwrap();
    drop(file);
    assert!(fs::metadata(&path).unwrap().len() > 100 << 20);
    let (run, report) = succeeds(&dir, &["big.jsonl"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert!(!report["links"].as_array().unwrap().is_empty());
    assert!(run.elapsed < Duration::from_secs(60), "{run}");
}

/// A 100 MB line that is all text: slow in debug builds (the whole pipeline
/// runs over ~17 million words), so ignored by default. Run it with
/// `cargo test --release --test bad_input -- --ignored`.
#[test]
#[ignore = "slow: 100 MB of text through the whole pipeline; run with --release -- --ignored"]
fn jsonl_100_mb_text_line() {
    let dir = Dir::new("jsonl-huge-text");
    let path = dir.join("big.jsonl");
    let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    write!(file, "{{\"id\": \"big\", \"text\": \"{PASSAGE}. ").unwrap();
    let mut state = 7u64;
    let mut written = 0usize;
    while written < 100 << 20 {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let word = format!("w{} ", (state >> 40) % 50_000);
        written += word.len();
        file.write_all(word.as_bytes()).unwrap();
    }
    writeln!(file, "\"}}").unwrap();
    writeln!(
        file,
        "{}",
        record("small", &format!("Preface.\n{PASSAGE}."))
    )
    .unwrap();
    drop(file);
    let (_, report) = succeeds(&dir, &["big.jsonl"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
}
