//! Bad input: every case runs the real binary and checks a clear one-line
//! message naming the file (and line, for JSONL) and what to do, the documented
//! exit code (2 for usage and input errors, 0 when a file is skipped with a
//! warning), no panic, and no partial output file when a run with `--output`
//! fails.

mod common;
#[path = "bad_input/jsonl.rs"]
mod jsonl;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::{assert_no_output, two_documents_sharing, Dir, Run};

/// A passage long enough to be found (more than `--min-words` 8).
const PASSAGE: &str = "the origins of the forum go back to 2007 on a message board where its founder first posted under another name";
/// A second, unrelated passage.
const OTHER: &str = "ministers met again on tuesday to discuss a budget that several regions say leaves their hospitals without enough nurses";

/// Write two documents sharing `PASSAGE` with different surroundings.
fn two_documents(dir: &Dir) {
    two_documents_sharing(dir, PASSAGE);
}

/// `lifted scan --quiet --format json <args>`.
fn scan(dir: &Dir, args: &[&str]) -> Run {
    dir.command()
        .args(["scan", "--quiet", "--format", "json"])
        .args(args)
        .run()
}

/// `lifted scan <args> --output <dir>/out/report.json` must fail with exit 2 and
/// one error line containing `parts`, and leave no output behind.
fn fails(dir: &Dir, args: &[&str], parts: &[&str]) -> String {
    let folder = dir.create_dir("out");
    let output = folder.join("report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet"])
        .args(args)
        .arg("--output")
        .arg(&output)
        .run();
    let line = run.assert_error(parts);
    assert_no_output(&output);
    line
}

/// `lifted scan <args> --output <dir>/out/report.json` succeeds and writes the
/// report atomically (no temporary file left); returns the run and the report.
fn succeeds(dir: &Dir, args: &[&str]) -> (Run, serde_json::Value) {
    let folder = dir.create_dir("out");
    let output = folder.join("report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json"])
        .args(args)
        .arg("--output")
        .arg(&output)
        .run();
    run.assert_success();
    let bytes = fs::read(&output).unwrap_or_else(|e| panic!("no report ({e}):\n{run}"));
    fs::remove_file(&output).unwrap();
    assert_no_output(&output);
    let report = serde_json::from_slice(&bytes).expect("the report is JSON");
    (run, report)
}

/// Every link's source and target span, as (document id, start, end).
fn link_spans(report: &serde_json::Value) -> Vec<(String, usize, usize)> {
    let mut spans = Vec::new();
    for link in report["links"].as_array().expect("links") {
        for side in ["source", "target"] {
            let span = &link[side];
            spans.push((
                span["doc"].as_str().unwrap().to_string(),
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            ));
        }
    }
    spans
}

/// The bytes of `doc` (a file in `dir`) that `span` covers.
fn slice(dir: &Dir, doc: &str, start: usize, end: usize) -> Vec<u8> {
    let bytes = fs::read(dir.join(doc)).unwrap();
    assert!(
        start <= end && end <= bytes.len(),
        "span {start}..{end} outside {doc} ({} bytes)",
        bytes.len()
    );
    bytes[start..end].to_vec()
}

/// At least one link, and every linked span slices its original file to
/// exactly one of `expected`.
fn assert_links_slice_to(dir: &Dir, report: &serde_json::Value, expected: &[&str]) {
    let spans = link_spans(report);
    assert!(!spans.is_empty(), "no links found: {report:#}");
    for (doc, start, end) in spans {
        let text = slice(dir, &doc, start, end);
        assert!(
            expected.iter().any(|e| e.as_bytes() == text),
            "{doc} {start}..{end} slices to {:?}, not one of {expected:?}",
            String::from_utf8_lossy(&text)
        );
    }
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

#[cfg(unix)]
fn chmod(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

// ---------------------------------------------------------------- paths

#[test]
fn missing_path() {
    let dir = Dir::new("missing");
    two_documents(&dir);
    fails(
        &dir,
        &["a.txt", "missing.txt"],
        &["missing.txt", "no such file or folder", "check the path"],
    );
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    let Some(dir) = Dir::where_permissions_bite("unreadable") else {
        return;
    };
    two_documents(&dir);
    let locked = dir.create("docs/locked.txt", format!("{PASSAGE} again"));
    dir.create("docs/c.txt", format!("Third document.\n{PASSAGE}.\n"));
    chmod(&locked, 0o000);
    // Named directly: an error.
    fails(
        &dir,
        &["docs/locked.txt", "a.txt"],
        &["docs/locked.txt", "cannot read", "permissions"],
    );
    // Inside a folder: skipped with a warning.
    let (run, _) = succeeds(&dir, &["docs", "a.txt"]);
    run.warning_with(&["docs/locked.txt", "cannot read", "skipped"]);
    // --strict refuses it.
    fails(&dir, &["--strict", "docs", "a.txt"], &["docs/locked.txt"]);
    chmod(&locked, 0o644);
}

#[cfg(unix)]
#[test]
fn unreadable_subfolder_is_skipped() {
    let Some(dir) = Dir::where_permissions_bite("unreadable-dir") else {
        return;
    };
    two_documents(&dir);
    let locked = dir.create_dir("docs/locked");
    dir.create("docs/locked/x.txt", PASSAGE);
    dir.create("docs/c.txt", format!("Third document.\n{PASSAGE}.\n"));
    chmod(&locked, 0o000);
    let (run, _) = succeeds(&dir, &["docs", "a.txt"]);
    run.warning_with(&["docs/locked", "cannot read", "skipped"]);
    chmod(&locked, 0o755);
}

#[test]
fn folder_without_text_files() {
    let dir = Dir::new("no-text");
    dir.create("docs/empty.txt", "");
    dir.create("docs/image.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    dir.create("docs/data.bin", b"\x01\x02\0\x03");
    dir.create("docs/.hidden.txt", PASSAGE);
    let folder = dir.create_dir("out");
    let output = folder.join("report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet", "docs", "--output"])
        .arg(&output)
        .run();
    // The run stops before warnings are printed: the error says why each
    // input was skipped.
    run.assert_error(&[
        "no text documents found in docs: 3 input(s) skipped",
        "[docs/data.bin: binary file (NUL byte at offset 2)",
        "[docs/empty.txt: empty file",
        "[docs/image.png: a PNG image",
        "pass text files",
    ]);
    assert_no_output(&output);
}

#[cfg(unix)]
#[test]
fn symlink_loop_named_directly() {
    let dir = Dir::new("loop-named");
    two_documents(&dir);
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    fails(
        &dir,
        &["a.txt", "loop"],
        &[
            "loop: cannot read",
            "symlink loop",
            "fix or remove the link",
        ],
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_folder_are_skipped() {
    let dir = Dir::new("loop-folder");
    dir.create(
        "docs/a.txt",
        format!("Opening remarks.\n{PASSAGE}.\nClosing.\n"),
    );
    dir.create(
        "docs/sub/b.txt",
        format!("Different preface.\n{PASSAGE}.\nEnd.\n"),
    );
    std::os::unix::fs::symlink("..", dir.join("docs/sub/up")).unwrap();
    std::os::unix::fs::symlink("self", dir.join("docs/self")).unwrap();
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "docs"])
        .timeout(Duration::from_secs(30))
        .run();
    run.assert_success();
    run.warning_with(&["docs/sub/up", "symlink loop"]);
    run.warning_with(&["docs/self", "skipped"]);
    let report = run.json();
    assert_eq!(report["documents"].as_array().unwrap().len(), 2, "{run}");
}

#[cfg(unix)]
#[test]
fn fifo_named_directly_does_not_hang() {
    let dir = Dir::new("fifo-named");
    two_documents(&dir);
    mkfifo(&dir.join("pipe"));
    let output = dir.create_dir("out").join("report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet", "a.txt", "pipe", "--output"])
        .arg(&output)
        .timeout(Duration::from_secs(20))
        .run();
    run.assert_error(&["pipe", "FIFO", "lifted scan -"]);
    assert_no_output(&output);
}

#[cfg(unix)]
#[test]
fn fifo_inside_a_folder_is_skipped() {
    let dir = Dir::new("fifo-folder");
    dir.create("docs/a.txt", format!("Opening.\n{PASSAGE}.\n"));
    dir.create("docs/b.txt", format!("Preface.\n{PASSAGE}.\n"));
    mkfifo(&dir.join("docs/pipe.txt"));
    let run = dir
        .command()
        .args(["scan", "--quiet", "--format", "json", "docs"])
        .timeout(Duration::from_secs(20))
        .run();
    run.assert_success();
    run.warning_with(&["docs/pipe.txt", "FIFO", "skipped"]);
    // --strict refuses it, still without blocking.
    let strict = dir
        .command()
        .args(["scan", "--quiet", "--strict", "docs"])
        .timeout(Duration::from_secs(20))
        .run();
    strict.assert_error(&["docs/pipe.txt", "FIFO", "--strict"]);
}

// ---------------------------------------------------------------- content

#[test]
fn binary_files() {
    let dir = Dir::new("binary");
    two_documents(&dir);
    dir.create("nul.txt", b"some text\0more text");
    dir.create("image.txt", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(PASSAGE.as_bytes()).unwrap();
    dir.create("notes.txt", gz.finish().unwrap());
    // Named directly: refused.
    fails(
        &dir,
        &["a.txt", "nul.txt"],
        &["nul.txt", "NUL byte at offset 9", "text files"],
    );
    fails(&dir, &["a.txt", "image.txt"], &["image.txt", "PNG image"]);
    fails(
        &dir,
        &["a.txt", "notes.txt"],
        &["notes.txt", "gzip", "decompress"],
    );
    // Inside a folder: skipped with warnings, exit 0.
    for name in ["nul.txt", "image.txt", "notes.txt"] {
        fs::rename(
            dir.join(name),
            dir.join("a.txt").with_file_name(format!("x-{name}")),
        )
        .unwrap();
    }
    fs::create_dir(dir.join("docs")).unwrap();
    for name in ["a.txt", "b.txt", "x-nul.txt", "x-image.txt", "x-notes.txt"] {
        fs::rename(dir.join(name), dir.join("docs").join(name)).unwrap();
    }
    let (run, report) = succeeds(&dir, &["docs"]);
    run.warning_with(&["docs/x-nul.txt", "NUL byte at offset 9"]);
    run.warning_with(&["docs/x-image.txt", "PNG"]);
    run.warning_with(&["docs/x-notes.txt", "gzip"]);
    assert_eq!(report["documents"].as_array().unwrap().len(), 2);
    assert_eq!(
        report["warnings"].as_array().unwrap().len(),
        3,
        "{report:#}"
    );
    // --strict refuses the folder.
    fails(&dir, &["--strict", "docs"], &["docs/x-", "--strict"]);
}

#[test]
fn invalid_utf8_keeps_byte_offsets() {
    let dir = Dir::new("invalid-utf8");
    let mut a = b"Caf\xe9 cr\xe8me au lait.\n".to_vec();
    a.extend_from_slice(PASSAGE.as_bytes());
    a.extend_from_slice(b".\nFin \xff\xfe du texte.\n");
    dir.create("a.txt", &a);
    dir.create("b.txt", format!("Some other opening.\n{PASSAGE}.\nEnd.\n"));
    let (run, report) = succeeds(&dir, &["a.txt", "b.txt"]);
    run.warning_with(&["a.txt", "invalid UTF-8 at byte 3", "offsets unchanged"]);
    assert_links_slice_to(&dir, &report, &[PASSAGE]);
    // The span in a.txt starts where the passage starts in the original bytes.
    let start = a
        .windows(PASSAGE.len())
        .position(|w| w == PASSAGE.as_bytes())
        .unwrap();
    assert!(
        link_spans(&report)
            .iter()
            .any(|(doc, s, _)| doc == "a.txt" && *s == start),
        "{report:#}"
    );
    fails(
        &dir,
        &["--strict", "a.txt", "b.txt"],
        &[
            "a.txt",
            "invalid UTF-8 at byte 3",
            "convert the file to UTF-8",
        ],
    );
}

#[test]
fn utf8_bom_is_not_part_of_any_span() {
    let dir = Dir::new("bom");
    dir.create(
        "a.txt",
        format!("\u{FEFF}{PASSAGE}.\nThen something else.\n"),
    );
    dir.create("b.txt", format!("\u{FEFF}Another opening.\n{PASSAGE}.\n"));
    let (run, report) = succeeds(&dir, &["a.txt", "b.txt"]);
    assert!(run.warnings().is_empty(), "{run}");
    assert_links_slice_to(&dir, &report, &[PASSAGE]);
    let spans = link_spans(&report);
    assert!(spans.iter().all(|(_, start, _)| *start >= 3), "{spans:?}");
    assert!(
        spans
            .iter()
            .any(|(doc, start, _)| doc == "a.txt" && *start == 3),
        "{spans:?}"
    );
    for pair in report["pairs"].as_array().unwrap() {
        for side in ["a", "b"] {
            assert!(pair[side]["start"].as_u64().unwrap() >= 3, "{pair}");
        }
    }
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian { b"\xfe\xff" } else { b"\xff\xfe" });
    }
    for unit in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        });
    }
    out
}

#[test]
fn utf16_is_refused_clearly() {
    let dir = Dir::new("utf16");
    two_documents(&dir);
    dir.create("le.txt", utf16(PASSAGE, false, true));
    dir.create("be.txt", utf16(PASSAGE, true, true));
    dir.create("nobom.txt", utf16(PASSAGE, false, false));
    fails(&dir, &["a.txt", "le.txt"], &["le.txt", "UTF-16", "iconv"]);
    fails(&dir, &["a.txt", "be.txt"], &["be.txt", "UTF-16", "iconv"]);
    fails(
        &dir,
        &["a.txt", "nobom.txt"],
        &["nobom.txt", "UTF-16LE", "iconv"],
    );
    // In a folder: skipped with a warning.
    fs::create_dir(dir.join("docs")).unwrap();
    for name in ["a.txt", "b.txt", "le.txt", "be.txt"] {
        fs::rename(dir.join(name), dir.join("docs").join(name)).unwrap();
    }
    let (run, _) = succeeds(&dir, &["docs"]);
    run.warning_with(&["docs/le.txt", "UTF-16", "skipped"]);
    run.warning_with(&["docs/be.txt", "UTF-16", "skipped"]);
}

#[test]
fn crlf_and_lone_cr_split_paragraphs() {
    let dir = Dir::new("crlf");
    dir.create("a.txt", format!("{PASSAGE}\r\n{OTHER}\r\n"));
    dir.create(
        "b.txt",
        format!("{OTHER}\rwords that sit alone in the middle of this file\r{PASSAGE}\r"),
    );
    let (_, report) = succeeds(&dir, &["a.txt", "b.txt"]);
    assert_links_slice_to(&dir, &report, &[PASSAGE, OTHER]);
    // Segments are paragraphs: every pair slices to exactly one paragraph.
    let pairs = report["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 2, "{report:#}");
    for pair in pairs {
        for side in ["a", "b"] {
            let span = &pair[side];
            let text = slice(
                &dir,
                span["doc"].as_str().unwrap(),
                span["start"].as_u64().unwrap() as usize,
                span["end"].as_u64().unwrap() as usize,
            );
            assert!(
                text == PASSAGE.as_bytes() || text == OTHER.as_bytes(),
                "pair segment {:?}",
                String::from_utf8_lossy(&text)
            );
        }
    }
}

#[test]
fn nul_after_the_first_8_kib_is_a_separator() {
    let dir = Dir::new("late-nul");
    let mut a = String::new();
    let mut i = 0;
    while a.len() < 9000 {
        a.push_str(&format!("filler{i} "));
        i += 1;
    }
    a.push('\0');
    a.push_str(PASSAGE);
    a.push('\0');
    a.push_str("tail words after the nul\n");
    dir.create("a.txt", &a);
    dir.create("b.txt", format!("Other opening.\n{PASSAGE}.\n"));
    let (run, report) = succeeds(&dir, &["a.txt", "b.txt"]);
    assert!(run.warnings().is_empty(), "{run}");
    assert_links_slice_to(&dir, &report, &[PASSAGE]);
}

// ---------------------------------------------------------------- tiny documents

#[test]
fn empty_file() {
    let dir = Dir::new("empty");
    two_documents(&dir);
    dir.create("empty.txt", "");
    let output = dir.create_dir("out").join("report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet", "empty.txt", "--output"])
        .arg(&output)
        .run();
    run.assert_error(&[
        "no text documents found in empty.txt: 1 input(s) skipped [empty.txt: empty file",
    ]);
    assert_no_output(&output);
    let (run, _) = succeeds(&dir, &["empty.txt", "a.txt", "b.txt"]);
    run.warning_with(&["empty.txt", "empty file, skipped"]);
}

#[test]
fn whitespace_punctuation_and_tiny_documents() {
    let dir = Dir::new("tiny");
    two_documents(&dir);
    dir.create("spaces.txt", " \n\t\r\n   \u{2028} ");
    dir.create("punct.txt", "!!! ... ,,, -- « » “ ” ' ’");
    dir.create("one.txt", "word");
    dir.create("short.txt", "three short words");
    dir.create("short-copy.txt", "three short words");
    let tiny = ["spaces.txt", "punct.txt", "one.txt", "short.txt"];
    for name in tiny {
        let (_, report) = succeeds(&dir, &[name]);
        assert_eq!(report["documents"].as_array().unwrap().len(), 1);
    }
    let mut all = vec!["a.txt", "b.txt", "short-copy.txt"];
    all.extend(tiny);
    for args in [
        vec![],
        vec!["--within-doc"],
        vec!["--pairs-only"],
        vec!["--ngram", "8", "--min-words", "1"],
        vec!["--min-words", "1", "--window", "1"],
    ] {
        let mut args = args.clone();
        args.extend(&all);
        let (_, report) = succeeds(&dir, &args);
        assert_eq!(report["documents"].as_array().unwrap().len(), 7);
    }
}

// ---------------------------------------------------------------- flags

#[test]
fn threshold_outside_zero_one() {
    let dir = Dir::new("threshold");
    two_documents(&dir);
    for value in ["0", "1.5", "NaN", "-0.5"] {
        let flag = format!("--threshold={value}");
        fails(
            &dir,
            &[&flag, "a.txt", "b.txt"],
            &["--threshold", value, "(0, 1]"],
        );
    }
    // `--threshold -1` (a separate negative value): clap's usage error, exit 2.
    let output = dir.create_dir("out").join("report.json");
    let run = dir
        .command()
        .args(["scan", "--threshold", "-1", "a.txt", "b.txt", "--output"])
        .arg(&output)
        .run();
    run.assert_code(2);
    let first = run.stderr_str().lines().next().unwrap_or("").to_string();
    assert!(first.contains("-1"), "{run}");
    assert_no_output(&output);
    // 1 itself is allowed.
    succeeds(&dir, &["--threshold", "1", "a.txt", "b.txt"]);
}

#[test]
fn ngram_and_permutations_zero() {
    let dir = Dir::new("zero");
    two_documents(&dir);
    fails(
        &dir,
        &["--ngram", "0", "a.txt", "b.txt"],
        &["--ngram", "0 is outside 1..="],
    );
    fails(
        &dir,
        &["--permutations", "0", "a.txt", "b.txt"],
        &["--permutations", "at least 1"],
    );
}

#[test]
fn bands_and_rows_that_do_not_fit() {
    let dir = Dir::new("bands");
    two_documents(&dir);
    fails(
        &dir,
        &["--permutations", "100", "--bands", "3", "a.txt", "b.txt"],
        &[
            "--bands",
            "100 permutations are not divisible by 3 bands",
            "--rows",
        ],
    );
    fails(
        &dir,
        &["--bands", "30", "--rows", "5", "a.txt", "b.txt"],
        &["--bands", "30 bands x 5 rows need 150 permutations", "128"],
    );
}

#[test]
fn output_in_a_missing_folder() {
    let dir = Dir::new("output-missing");
    two_documents(&dir);
    let output = dir.join("nowhere/report.json");
    let run = dir
        .command()
        .args(["scan", "--quiet", "a.txt", "b.txt", "--output"])
        .arg(&output)
        .run();
    run.assert_error(&["nowhere/report.json", "cannot write", "folder exists"]);
    assert!(!dir.join("nowhere").exists());
}

#[cfg(unix)]
#[test]
fn output_in_a_read_only_folder() {
    let Some(dir) = Dir::where_permissions_bite("output-readonly") else {
        return;
    };
    two_documents(&dir);
    let folder = dir.create_dir("locked");
    let output = folder.join("report.json");
    chmod(&folder, 0o555);
    let run = dir
        .command()
        .args(["scan", "--quiet", "a.txt", "b.txt", "--output"])
        .arg(&output)
        .run();
    chmod(&folder, 0o755);
    run.assert_error(&["locked/report.json", "cannot write", "writable"]);
    assert_no_output(&output);
}

#[test]
fn manifest_with_a_bad_date() {
    let dir = Dir::new("manifest-date");
    two_documents(&dir);
    dir.create(
        "manifest.csv",
        "id,date\na.txt,2024-01-02\nb.txt,2024-02-30\n",
    );
    fails(
        &dir,
        &["--manifest", "manifest.csv", "a.txt", "b.txt"],
        &["manifest.csv:3", "\"2024-02-30\"", "YYYY-MM-DD"],
    );
    dir.create("manifest.json", r#"[{"id": "a.txt", "date": "yesterday"}]"#);
    fails(
        &dir,
        &["--manifest", "manifest.json", "a.txt", "b.txt"],
        &["manifest.json", "\"yesterday\"", "YYYY-MM-DD"],
    );
}

#[test]
fn manifest_with_an_unknown_id() {
    let dir = Dir::new("manifest-id");
    two_documents(&dir);
    dir.create(
        "manifest.csv",
        "id,date\na.txt,2024-01-02\nc.txt,2024-01-03\n",
    );
    fails(
        &dir,
        &["--manifest", "manifest.csv", "a.txt", "b.txt"],
        &[
            "manifest.csv:3",
            "\"c.txt\" is not in the corpus",
            "fix the id or remove the row",
        ],
    );
}

#[test]
fn missing_manifest() {
    let dir = Dir::new("manifest-missing");
    two_documents(&dir);
    fails(
        &dir,
        &["--manifest", "nope.csv", "a.txt", "b.txt"],
        &["nope.csv", "cannot read"],
    );
}

// ---------------------------------------------------------------- fuzz

/// Tokenizer edge cases (a lone combining mark, an apostrophe before a combining
/// mark, a truncated UTF-8 sequence, mixed line breaks) run through the binary.
/// The fuzz target (fuzz/README.md) found no crash so far; add its crashing
/// inputs here when it does.
#[test]
fn fuzz_edge_inputs() {
    let dir = Dir::new("fuzz");
    let inputs: &[&[u8]] = &[
        b"\xcc\x81",
        b"a\xe2\x80\x99\xcc\x81",
        b"\xf0\x9f",
        b"x'\xcc\x81y\r\r\n\xe2\x80\xa8z",
    ];
    for (i, input) in inputs.iter().enumerate() {
        let name = format!("f{i}.txt");
        dir.create(&name, input);
        let run = scan(&dir, &["--within-doc", "--min-words", "1", &name]);
        run.assert_success();
    }
}

/// The OS reason of a read error is printed once (`lifted::Error::Read` and
/// `Write` hold their `io::Error` as both text and `source()`; `main` prints
/// each cause once).
#[cfg(unix)]
#[test]
fn read_error_reason_is_not_repeated() {
    let dir = Dir::new("repeat");
    two_documents(&dir);
    std::os::unix::fs::symlink("loop", dir.join("loop")).unwrap();
    let line = fails(&dir, &["a.txt", "loop"], &["loop: cannot read"]);
    assert_eq!(line.matches("(os error").count(), 1, "{line}");
}
