//! Golden-file tests: run the real binary on the bundled Le Monde fixture and
//! compare its reports byte for byte with the committed ones.
//!
//! Re-bless after an intended change with `LIFTED_BLESS=1 cargo test --test golden`,
//! then review the diff of `fixtures/lemonde/expected.*` before committing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn lifted(args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the lifted binary runs");
    assert!(
        output.status.code() != Some(101)
            && !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "lifted {args:?} panicked:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn success(args: &[&str]) -> String {
    let output = lifted(args);
    assert!(
        output.status.success(),
        "lifted {args:?} failed with {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Compare with a golden file, or rewrite it when LIFTED_BLESS is set.
fn golden(actual: &str, path: &Path) {
    if std::env::var_os("LIFTED_BLESS").is_some() {
        std::fs::write(path, actual).expect("write golden file");
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "{} differs from the output ({} vs {} lines); first differences:\n{}\nre-bless with LIFTED_BLESS=1 if intended",
            path.display(),
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

const SCAN: &[&str] = &[
    "scan",
    "fixtures/lemonde",
    "--manifest",
    "fixtures/lemonde/manifest.csv",
    "--quiet",
];

fn scan(format: &str) -> String {
    let mut args = SCAN.to_vec();
    args.extend(["--format", format]);
    success(&args)
}

#[test]
fn json_report_matches_golden() {
    golden(
        &scan("json"),
        &root().join("fixtures/lemonde/expected.json"),
    );
}

#[test]
fn text_report_matches_golden() {
    golden(&scan("text"), &root().join("fixtures/lemonde/expected.txt"));
}

#[test]
fn csv_report_matches_golden() {
    golden(&scan("csv"), &root().join("fixtures/lemonde/expected.csv"));
}

fn report() -> serde_json::Value {
    serde_json::from_str(&scan("json")).expect("valid JSON")
}

fn docs_of(pair: &serde_json::Value, a: &str, b: &str) -> bool {
    let (x, y) = (
        pair["a"]["doc"].as_str().unwrap_or(""),
        pair["b"]["doc"].as_str().unwrap_or(""),
    );
    (x.starts_with(a) && y.starts_with(b)) || (x.starts_with(b) && y.starts_with(a))
}

/// Issue 2's acceptance: the long Le Monde paragraphs are found as
/// near-duplicate segments between 002 and 000, 002 and 003 (inside 003's
/// single long line) and 000 and 003; 004 is paired with none of them.
#[test]
fn near_duplicate_segments_between_the_right_files() {
    let report = report();
    let pairs = report["pairs"].as_array().expect("pairs");
    for (a, b) in [("000", "002"), ("002", "003"), ("000", "003")] {
        let found: Vec<&serde_json::Value> = pairs.iter().filter(|p| docs_of(p, a, b)).collect();
        assert!(
            !found.is_empty(),
            "no near-duplicate segment between {a} and {b}"
        );
        assert!(found
            .iter()
            .all(|p| p["jaccard"].as_f64().unwrap_or(0.0) >= 0.5));
    }
    let into_003 = pairs.iter().filter(|p| docs_of(p, "002", "003")).count();
    assert!(
        into_003 >= 1,
        "the Le Monde passages inside 003's long line are found"
    );
    assert!(
        !pairs.iter().any(|p| docs_of(p, "004", "002")),
        "004 shares no Le Monde paragraph"
    );
}

/// `check` agrees with the golden map, and finds a regression when the golden
/// map has a link the scan does not produce (exit 1, readable diff).
#[test]
fn check_passes_on_golden_and_fails_on_a_regression() {
    let mut args = vec!["check", "--expected", "fixtures/lemonde/expected.json"];
    args.extend(&SCAN[1..]);
    let ok = lifted(&args);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );

    let mut golden: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/lemonde/expected.json")).unwrap(),
    )
    .unwrap();
    let links = golden["links"].as_array_mut().expect("links");
    let moved = links[0].clone();
    links[0]["target"]["start"] =
        serde_json::json!(moved["target"]["start"].as_u64().unwrap() + 100);
    links.push(serde_json::json!({
        "passage": "p99", "source": {"doc": "002_b631dd9451d16cf5.txt", "start": 0, "end": 60},
        "target": {"doc": "004_3f101b4808fdf290.txt", "start": 0, "end": 60},
        "directed": true, "similarity": 1.0, "words": 10, "edits": 0, "coverage": 1.0
    }));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("golden.json");
    std::fs::write(&path, serde_json::to_string_pretty(&golden).unwrap()).unwrap();
    let path = path.to_str().unwrap();
    let mut args = vec!["check", "--expected", path];
    args.extend(&SCAN[1..]);
    let bad = lifted(&args);
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("~ link moved"), "{stdout}");
    assert!(
        stdout.contains(
            "- missing link 002_b631dd9451d16cf5.txt[0..60] -> 004_3f101b4808fdf290.txt[0..60]"
        ),
        "{stdout}"
    );
}

#[test]
fn check_refuses_a_file_that_is_not_a_map() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let path = path.to_str().unwrap();
    let mut args = vec!["check", "--expected", path];
    args.extend(&SCAN[1..]);
    let out = lifted(&args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("bad.json: not a lifted JSON report"),
        "{stderr}"
    );
}

/// `--output` writes the same bytes as standard output, through a temporary
/// file that does not survive, over any file already there.
#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("map.json");
    // An older, longer file at the path is replaced whole, not overwritten
    // in place.
    std::fs::write(&path, "x".repeat(3 << 20)).unwrap();
    let mut args = SCAN.to_vec();
    args.extend(["--output", path.to_str().unwrap()]);
    success(&args);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), scan("json"));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name() != "map.json")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Without dates, links are undirected, in input order, and no passage has a source.
#[test]
fn without_a_manifest_nothing_is_directed() {
    let report: serde_json::Value =
        serde_json::from_str(&success(&["scan", "fixtures/lemonde", "--format", "json"])).unwrap();
    let links = report["links"].as_array().unwrap();
    assert!(!links.is_empty());
    assert!(links.iter().all(|l| l["directed"] == false));
    assert!(report["passages"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["source"].is_null()));
}

/// `--order given`: the order of the arguments is the chronology.
#[test]
fn order_given_directs_links_by_argument_order() {
    let files = [
        "002_b631dd9451d16cf5.txt",
        "004_3f101b4808fdf290.txt",
        "000_cf972bab3fd887c6.txt",
        "001_1583b74f8ac40a36.txt",
        "003_71975c52c19c53cb.txt",
    ];
    let paths: Vec<String> = files
        .iter()
        .map(|f| format!("fixtures/lemonde/{f}"))
        .collect();
    let mut args = vec!["scan", "--order", "given", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    let report: serde_json::Value = serde_json::from_str(&success(&args)).unwrap();
    let links = report["links"].as_array().unwrap();
    assert!(!links.is_empty());
    let rank = |doc: &str| paths.iter().position(|p| p == doc).unwrap();
    for link in links {
        assert_eq!(link["directed"], true);
        let (s, t) = (
            link["source"]["doc"].as_str().unwrap(),
            link["target"]["doc"].as_str().unwrap(),
        );
        assert!(rank(s) < rank(t), "{s} -> {t} goes back in time");
    }
    let with_manifest: serde_json::Value = report_with_manifest();
    assert_eq!(
        links.len(),
        with_manifest["links"].as_array().unwrap().len(),
        "same chronology as the manifest, same links"
    );
}

fn report_with_manifest() -> serde_json::Value {
    report()
}

/// `-` reads one document from standard input, with the id `-`.
#[test]
fn standard_input_is_a_document() {
    let text = std::fs::read(root().join("fixtures/lemonde/002_b631dd9451d16cf5.txt")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args([
            "scan",
            "-",
            "fixtures/lemonde/000_cf972bab3fd887c6.txt",
            "--format",
            "json",
        ])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(&text).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["-", "fixtures/lemonde/000_cf972bab3fd887c6.txt"]);
    assert!(report["links"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["source"]["doc"] == "-"));
}

/// `--timings` reports every stage on standard error and changes nothing else.
#[test]
fn timings_go_to_stderr_and_leave_the_report_alone() {
    let mut args = SCAN.to_vec();
    args.extend(["--format", "json", "--timings"]);
    let output = lifted(&args);
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stdout), scan("json"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let line = stderr
        .lines()
        .find(|l| l.starts_with("lifted: timings:"))
        .unwrap_or_else(|| panic!("no timings line in {stderr:?}"));
    for stage in [
        "reading",
        "signing",
        "banding",
        "verifying",
        "joining",
        "aligning",
        "tracing",
        "reporting",
        "writing",
        "total",
    ] {
        assert!(
            line.contains(&format!(" {stage} ")),
            "{stage} missing: {line}"
        );
    }
}
