//! A passage repeated in thousands of documents stays linear: LSH buckets over
//! `--max-bucket` are linked as stars and counted, fingerprints held by too many
//! documents are ignored, and the passage is reported as boilerplate.

use std::process::Command;

mod common;

#[test]
fn a_passage_in_every_document_does_not_explode() {
    let documents = 3000;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corpus.jsonl");
    let footer = "Votre adresse e-mail ne sera pas publiée et les champs obligatoires sont indiqués avec une astérisque";
    let mut random = common::Lcg(11);
    common::write_jsonl(
        &path,
        (0..documents).map(|doc| {
            let mut text = String::new();
            for _ in 0..60 {
                text.push_str(&format!("m{} ", (random.next() >> 33) % 100_000));
            }
            text.push('\n');
            text.push_str(footer);
            (format!("d{doc:05}"), text)
        }),
    );
    let output = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(["scan", "--format", "json", "--quiet"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let stats = &report["stats"];
    // All-pairs would be 4.5 million; a star is one pair per document.
    assert!(
        stats["candidate_pairs"].as_u64().unwrap() < 3 * documents as u64,
        "{stats}"
    );
    assert!(stats["oversized_buckets"].as_u64().unwrap() > 0, "{stats}");
    assert!(
        report["pairs"].as_array().unwrap().len() < 3 * documents,
        "pairs stay linear"
    );
    assert!(
        stats["boilerplate_passages"].as_u64().unwrap() >= 1,
        "{stats}"
    );
    assert!(
        report["links"].as_array().unwrap().is_empty(),
        "boilerplate is left out of the map"
    );
}
