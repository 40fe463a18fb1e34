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
        .contains("[--shapes \"paragraphs versions independent rewritten pan13\"]"));
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
