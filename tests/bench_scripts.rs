//! The benchmark scripts' own checks (issue 14, "Benchmarks people can
//! trust"): `benches/compare.sh` refuses a bad command line with its usage
//! and exit code 2 before building anything, README.md's performance table
//! is the one `benches/readme_table.py` renders from BENCHMARKS.md, and the
//! scorer every tool shares passes its hand-made cases.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

mod common;
use common::Dir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot start {program} (needed by this test): {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// compare.sh with `args`: exit code 2, nothing on stdout, the reason and
/// the usage on stderr.
fn assert_usage_error(args: &[&str], reason: &str) {
    let mut all = vec!["benches/compare.sh"];
    all.extend_from_slice(args);
    let out = run("bash", &all);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "compare.sh {args:?}: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "compare.sh {args:?} printed on stdout"
    );
    assert!(
        stderr.starts_with(&format!("compare.sh: {reason}")),
        "compare.sh {args:?}: {stderr}"
    );
    assert!(
        stderr.contains("bash benches/compare.sh [--sizes \"10 100\"]"),
        "no usage after the reason: {stderr}"
    );
    assert!(
        !stderr.contains("building lifted"),
        "compare.sh {args:?} went on to build: {stderr}"
    );
}

#[test]
fn compare_sh_refuses_an_unknown_flag_with_its_usage() {
    assert_usage_error(&["--no-such-flag"], "unknown argument: --no-such-flag");
}

#[test]
fn compare_sh_refuses_a_flag_without_its_value() {
    assert_usage_error(&["--sizes"], "--sizes needs a value");
    assert_usage_error(&["--tools", "lifted", "--output"], "--output needs a value");
}

#[test]
fn compare_sh_refuses_bad_values() {
    assert_usage_error(
        &["--sizes", "ten"],
        "size 'ten' is not a whole number of MB",
    );
    assert_usage_error(&["--tools", "lifted grep"], "unknown tool 'grep'");
    assert_usage_error(&["--shapes", "poems"], "unknown shape 'poems'");
    assert_usage_error(&["--threads", "0"], "--threads must be a positive");
    assert_usage_error(&["--timeout", "soon"], "--timeout must be a positive");
}

#[test]
fn compare_sh_help_prints_the_usage_and_succeeds() {
    let out = run("bash", &["benches/compare.sh", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout)
        .contains("[--shapes \"paragraphs versions independent rewritten pan13 pan13-versions\"]"));
    assert!(out.stderr.is_empty(), "{}", text(&out.stderr));
}

#[test]
fn readme_performance_table_is_generated_from_benchmarks_md() {
    let out = run("python3", &["benches/readme_table.py", "--check"]);
    assert!(
        out.status.success(),
        "README.md's table is stale: {}",
        text(&out.stderr)
    );
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let block = &readme[readme.find("<!-- bench:begin -->").unwrap()..];
    assert!(
        block.contains("| corpus | lifted, "),
        "no table in the block"
    );
}

#[test]
fn readme_table_check_fails_on_a_hand_edited_number() {
    let dir = Dir::new("readme-table-stale");
    let readme = fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let begin = readme.find("<!-- bench:begin -->").expect("a bench block");
    // Change one figure of the generated table: the first " s |" cell.
    let cell = begin
        + readme[begin..]
            .find(" s | ")
            .expect("a wall time in the table");
    let edited = format!("{}9{}", &readme[..cell], &readme[cell..]);
    let copy = dir.create("README.md", edited);
    let benchmarks = Path::new(ROOT).join("BENCHMARKS.md");
    let out = run(
        "python3",
        &[
            "benches/readme_table.py",
            "--check",
            "--readme",
            copy.to_str().unwrap(),
            "--benchmarks",
            benchmarks.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("does not match"),
        "{}",
        text(&out.stderr)
    );
    // --write puts the generated table back.
    let out = run(
        "python3",
        &[
            "benches/readme_table.py",
            "--write",
            "--readme",
            copy.to_str().unwrap(),
            "--benchmarks",
            benchmarks.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fs::read_to_string(&copy).unwrap(), readme);
}

#[test]
fn score_py_passes_its_self_test() {
    let out = run("python3", &["benches/peers/score.py", "--self-test"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "score.py self-test: 5 passed, 0 failed"
    );
}

#[test]
fn real_versions_py_passes_its_self_test() {
    let out = run("python3", &["benches/real_versions.py", "--self-test"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout).trim(),
        "real_versions.py self-test: passed"
    );
}

/// `--shapes pan13-versions`: PAN 2013's real text in dated versions, which
/// lifted scans with its manifest and finds most of (scored by the rule
/// every tool shares). Needs `../shared/pan13-train` (always in CI).
#[test]
fn real_versions_py_builds_real_text_in_versions_that_lifted_finds() {
    let Some(pan) = common::pan13_train("src") else {
        return;
    };
    let dir = Dir::new("real-versions");
    let out_dir = dir.path().join("c");
    let out = run(
        "python3",
        &[
            "benches/real_versions.py",
            "--pan",
            pan.to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--size-mb",
            "1",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let corpus = fs::read_to_string(out_dir.join("corpus.jsonl")).unwrap();
    let manifest = fs::read_to_string(out_dir.join("manifest.csv")).unwrap();
    let truth = fs::read_to_string(out_dir.join("truth.jsonl")).unwrap();
    // The manifest dates every document, in the order they are written.
    let ids: Vec<String> = corpus
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let dated: Vec<(&str, &str)> = manifest
        .lines()
        .skip(1)
        .map(|l| l.split_once(',').unwrap())
        .collect();
    assert_eq!(dated.iter().map(|d| d.0).collect::<Vec<_>>(), ids);
    assert!(
        dated.windows(2).all(|w| w[0].1 <= w[1].1),
        "dates out of order"
    );
    for kind in ["\"revised\"", "\"verbatim\"", "\"quoted\""] {
        assert!(truth.contains(kind), "no {kind} copy in the truth");
    }
    let map = dir.path().join("map.json");
    let scan = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(["scan", "--quiet", "--format", "json", "--output"])
        .arg(&map)
        .arg("--manifest")
        .arg(out_dir.join("manifest.csv"))
        .arg(out_dir.join("corpus.jsonl"))
        .output()
        .unwrap();
    assert!(scan.status.success(), "{}", text(&scan.stderr));
    let scored = run(
        "python3",
        &[
            "benches/peers/score.py",
            "--truth",
            out_dir.join("truth.jsonl").to_str().unwrap(),
            "--corpus",
            out_dir.join("corpus.jsonl").to_str().unwrap(),
            "--pairs",
            map.to_str().unwrap(),
            "--lifted",
        ],
    );
    assert!(scored.status.success(), "{}", text(&scored.stderr));
    let score: serde_json::Value = serde_json::from_slice(&scored.stdout).unwrap();
    let recall = score["recall"].as_f64().unwrap();
    assert!(
        recall >= 0.85,
        "recall {recall} on real text in versions: {score}"
    );
}
