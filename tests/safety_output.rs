//! Where the report is written and how a run ends (issue 13, items 1 to 4 and
//! 18, and the messages about output paths and usage): the real binary, exit
//! codes asserted, files compared byte for byte where data loss is the risk.

#![cfg(unix)]

mod common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use common::{assert_no_output, two_documents_sharing, Dir, Run};

const PASSAGE: &str = "the committee agreed that the harbour bridge would be rebuilt \
     before the winter storms arrived and that every ferry would run twice as often";

/// Two documents sharing a passage, `a.txt` and `b.txt`.
fn two_documents(dir: &Dir) {
    two_documents_sharing(dir, PASSAGE);
}

/// The arguments of the JSON report of `a.txt b.txt`.
const JSON_SCAN: [&str; 6] = ["scan", "--quiet", "--format", "json", "a.txt", "b.txt"];

/// The JSON report of `a.txt b.txt` on standard output.
fn report_on_stdout(dir: &Dir) -> Vec<u8> {
    let run = dir.lifted(JSON_SCAN);
    run.assert_success();
    assert!(!run.stdout.is_empty(), "{run}");
    run.stdout
}

/// A new folder `name` with the two documents, and their JSON report as
/// written to standard output, to compare other destinations with.
fn two_documents_and_report(name: &str) -> (Dir, Vec<u8>) {
    let dir = Dir::new(name);
    two_documents(&dir);
    let expected = report_on_stdout(&dir);
    (dir, expected)
}

/// `lifted scan --quiet a.txt b.txt --output <output>`.
fn scan_to(dir: &Dir, output: &str) -> Run {
    dir.lifted(["scan", "--quiet", "a.txt", "b.txt", "--output", output])
}

/// `lifted <args>` in `dir` with standard output appended to `file`.
fn run_appending_to(dir: &Dir, args: &[&str], file: &Path) -> Output {
    let appending = fs::OpenOptions::new().append(true).open(file).unwrap();
    Command::new(env!("CARGO_BIN_EXE_lifted"))
        .current_dir(dir.path())
        .args(args)
        .stdout(appending)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

/// Make the device node `path` (`kind` `c` or `b`), as root.
fn mknod(path: &Path, kind: &str, major: &str, minor: &str) {
    let made = Command::new("mknod")
        .arg(path)
        .args([kind, major, minor])
        .status()
        .expect("mknod");
    assert!(made.success(), "mknod needs root");
}

/// The `.lifted-*.tmp` files in `folder`.
fn leftovers(folder: &Path) -> Vec<String> {
    fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".lifted-") && n.ends_with(".tmp"))
        .collect()
}

/// `lifted <args>` started in `dir`, standard output and error piped.
fn spawn(dir: &Dir, args: &[&str], stdin: Stdio) -> Child {
    Command::new(env!("CARGO_BIN_EXE_lifted"))
        .current_dir(dir.path())
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lifted")
}

/// [`finish`], asserting the exit code; returns standard error.
fn finish_with(child: Child, limit: Duration, code: i32) -> String {
    let (status, stderr) = finish(child, limit);
    assert_eq!(status.code(), Some(code), "{stderr}");
    stderr
}

/// Wait for `child` at most `limit`; kill it and fail if it runs longer.
fn finish(mut child: Child, limit: Duration) -> (ExitStatus, String) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            return (status, stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lifted still running after {limit:?}: killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

/// Send `signal` (a name for kill(1): INT, TERM, ...) to a running `child`,
/// failing if it has already ended (the signal must arrive mid-run).
fn signal(child: &mut Child, signal: &str) {
    assert!(
        child.try_wait().unwrap().is_none(),
        "lifted ended before the signal could be sent"
    );
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -{signal} failed");
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().mode() & 0o777
}

// ------------------------------------------------ 1. the output is an input

/// `lifted scan <inputs> --output <output>` is refused (exit 2, one line with
/// `parts`) and `precious` is unchanged, byte for byte.
fn refused_and_kept(dir: &Dir, args: &[&str], precious: &Path, parts: &[&str]) {
    let before = fs::read(precious).unwrap();
    let run = dir.command().args(["scan", "--quiet"]).args(args).run();
    run.assert_error(parts);
    assert_eq!(
        fs::read(precious).unwrap(),
        before,
        "{} changed",
        precious.display()
    );
    assert!(leftovers(precious.parent().unwrap()).is_empty());
}

#[test]
fn output_onto_the_jsonl_input_is_refused() {
    let dir = Dir::new("out-jsonl");
    let corpus = dir.create(
        "corpus.jsonl",
        format!(
            "{{\"id\":\"a\",\"text\":\"{PASSAGE}\"}}\n{{\"id\":\"b\",\"text\":\"{PASSAGE}\"}}\n"
        ),
    );
    refused_and_kept(
        &dir,
        &["corpus.jsonl", "--output", "corpus.jsonl"],
        &corpus,
        &["corpus.jsonl", "also an input", "choose another --output"],
    );
    // Another name for the same file: ./ prefix, a hard link.
    refused_and_kept(
        &dir,
        &["corpus.jsonl", "--output", "./corpus.jsonl"],
        &corpus,
        &["also an input"],
    );
    fs::hard_link(&corpus, dir.join("alias.jsonl")).unwrap();
    refused_and_kept(
        &dir,
        &["corpus.jsonl", "--output", "alias.jsonl"],
        &corpus,
        &["alias.jsonl", "also an input (corpus.jsonl)"],
    );
}

#[test]
fn output_onto_the_manifest_is_refused() {
    let dir = Dir::new("out-manifest");
    two_documents(&dir);
    let manifest = dir.create("m.csv", "id,date\na.txt,2020-01-01\nb.txt,2021-01-01\n");
    refused_and_kept(
        &dir,
        &["a.txt", "b.txt", "--manifest", "m.csv", "--output", "m.csv"],
        &manifest,
        &["m.csv", "also an input"],
    );
}

#[test]
fn output_inside_a_scanned_folder_is_refused() {
    let dir = Dir::new("out-folder");
    let a = dir.create("c/a.txt", format!("Opening.\n{PASSAGE}.\n"));
    dir.create("c/deep/er/b.txt", format!("Preface.\n{PASSAGE}.\n"));
    // An existing document of the folder.
    refused_and_kept(
        &dir,
        &["c", "--output", "c/a.txt"],
        &a,
        &[
            "c/a.txt",
            "inside the scanned folder c",
            "write it elsewhere",
        ],
    );
    // New names, at the top and deep down, also through `..`.
    for output in [
        "c/report.json",
        "c/deep/er/new.html",
        "c/deep/../deep/x.csv",
    ] {
        let run = dir.lifted(["scan", "--quiet", "c", "--output", output]);
        run.assert_error(&[output, "inside the scanned folder c"]);
        assert_no_output(&dir.join(output));
    }
    assert_eq!(
        fs::read(&a).unwrap(),
        format!("Opening.\n{PASSAGE}.\n").as_bytes()
    );
    // The folder named by another path.
    let run = dir.lifted([
        "scan",
        "--quiet",
        "./c/deep",
        "--output",
        "c/deep/er/r.json",
    ]);
    run.assert_error(&["inside the scanned folder ./c/deep"]);
    // Beside the folder is fine.
    dir.lifted(["scan", "--quiet", "c", "--output", "report.json"])
        .assert_success();
    assert!(dir.join("report.json").is_file());
}

#[test]
fn output_onto_redirected_standard_input_is_refused() {
    let dir = Dir::new("out-stdin");
    let input = dir.create("in.txt", format!("One.\n{PASSAGE}.\n\nTwo.\n{PASSAGE}.\n"));
    let child = spawn(
        &dir,
        &["scan", "--quiet", "-", "--output", "in.txt"],
        Stdio::from(fs::File::open(&input).unwrap()),
    );
    let stderr = finish_with(child, Duration::from_secs(60), 2);
    assert!(stderr.contains("also an input (-)"), "{stderr}");
    assert_eq!(
        fs::read(&input).unwrap(),
        format!("One.\n{PASSAGE}.\n\nTwo.\n{PASSAGE}.\n").as_bytes()
    );
}

/// `lifted scan a.txt b.txt >> a.txt`: standard output is an input.
#[test]
fn standard_output_onto_an_input_is_refused() {
    let dir = Dir::new("out-stdout");
    two_documents(&dir);
    let a = dir.join("a.txt");
    let before = fs::read(&a).unwrap();
    let status = run_appending_to(&dir, &["scan", "--quiet", "b.txt", "a.txt"], &a);
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert_eq!(status.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr.trim(),
        "lifted: standard output: the output is also an input (a.txt); writing the report \
         there would destroy it: choose another --output"
    );
    assert_eq!(fs::read(&a).unwrap(), before);
}

/// A bad --output fails before anything is read: here standard input stays
/// open and is never written, so a check after reading would wait forever.
#[test]
fn output_errors_come_before_reading() {
    let dir = Dir::new("out-first");
    dir.create_dir("folder");
    for (output, part) in [
        ("missing/report.json", "cannot write"),
        ("folder", "cannot write a report to a folder"),
    ] {
        let child = spawn(
            &dir,
            &["scan", "--quiet", "-", "--output", output],
            Stdio::piped(),
        );
        let stderr = finish_with(child, Duration::from_secs(20), 2);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(output) && stderr.contains(part), "{stderr}");
    }
    assert!(!dir.join("missing").exists());
}

/// An input error after the output was prepared leaves no temporary file.
#[test]
fn failed_scan_leaves_no_temporary_file() {
    let dir = Dir::new("out-failed");
    two_documents(&dir);
    let out = dir.create_dir("out");
    let run = dir.lifted([
        "scan",
        "--quiet",
        "a.txt",
        "missing.txt",
        "--output",
        "out/report.json",
    ]);
    run.assert_error(&["missing.txt"]);
    assert_no_output(&out.join("report.json"));
}

// ------------------------------------ 2. devices, FIFOs, `-` and symbolic links

#[test]
fn output_dash_is_standard_output() {
    let (dir, expected) = two_documents_and_report("out-dash");
    let run = dir.lifted([&JSON_SCAN[..], &["--output", "-"]].concat());
    run.assert_success();
    assert_eq!(run.stdout, expected);
    assert!(!dir.join("-").exists());
}

/// `--output /dev/null` as root must not turn the device into a file. The
/// test uses a null device of its own (as root, which CI is), so that a
/// regression cannot break the machine's `/dev/null`.
#[test]
fn output_to_a_null_device_keeps_the_device() {
    let dir = Dir::new("out-null");
    two_documents(&dir);
    let null = dir.join("null");
    mknod(&null, "c", "1", "3");
    let before = fs::metadata(&null).unwrap();
    assert!(before.file_type().is_char_device());
    scan_to(&dir, "null").assert_success();
    let after = fs::metadata(&null).unwrap();
    assert!(
        after.file_type().is_char_device(),
        "the device was replaced"
    );
    assert_eq!((after.ino(), after.rdev()), (before.ino(), before.rdev()));
    assert!(leftovers(dir.path()).is_empty());
}

/// `--output /dev/stdout >> log` appends to the log: the file behind
/// standard output is written through it, not replaced.
#[test]
fn output_to_dev_stdout_appends_to_its_file() {
    let (dir, expected) = two_documents_and_report("out-devstdout");
    let log = dir.create("log.txt", "earlier lines\n");
    let args = [&JSON_SCAN[..], &["--output", "/dev/stdout"]].concat();
    let run = run_appending_to(&dir, &args, &log);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut wanted = b"earlier lines\n".to_vec();
    wanted.extend(&expected);
    assert_eq!(fs::read(&log).unwrap(), wanted);
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn output_to_a_fifo_streams_into_it() {
    let (dir, expected) = two_documents_and_report("out-fifo");
    let fifo = dir.join("pipe");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        thread::spawn(move || fs::read(fifo).unwrap())
    };
    dir.lifted([&JSON_SCAN[..], &["--output", "pipe"]].concat())
        .assert_success();
    assert_eq!(reader.join().unwrap(), expected);
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn output_through_a_symlink_replaces_its_target() {
    let (dir, expected) = two_documents_and_report("out-link");
    let target = dir.create("real/old.json", "old report");
    let link = dir.create_dir("links").join("map.json");
    std::os::unix::fs::symlink("../real/old.json", &link).unwrap();
    scan_to(&dir, "links/map.json").assert_success();
    assert!(
        fs::symlink_metadata(&link).unwrap().is_symlink(),
        "the link was replaced"
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("../real/old.json"));
    assert_eq!(fs::read(&target).unwrap(), expected);
    // A dangling link: its target is created.
    std::os::unix::fs::symlink("../real/new.json", dir.join("links/new.json")).unwrap();
    scan_to(&dir, "links/new.json").assert_success();
    assert_eq!(fs::read(dir.join("real/new.json")).unwrap(), expected);
    assert!(fs::symlink_metadata(dir.join("links/new.json"))
        .unwrap()
        .is_symlink());
    assert!(leftovers(&dir.join("real")).is_empty());
    assert!(leftovers(&dir.join("links")).is_empty());
}

#[test]
fn output_to_a_folder_socket_or_block_device_is_refused() {
    let dir = Dir::new("out-kinds");
    two_documents(&dir);
    dir.create("folder/inside.txt", "kept");
    let socket = dir.join("sock");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    // CI runs as root, which may make device nodes (loop device 0's numbers).
    mknod(&dir.join("block"), "b", "7", "0");
    for (output, kind) in [
        ("folder", "folder"),
        ("sock", "socket"),
        ("block", "block device"),
    ] {
        scan_to(&dir, output)
            .assert_error(&[output, &format!("cannot write a report to a {kind}")]);
    }
    assert_eq!(fs::read(dir.join("folder/inside.txt")).unwrap(), b"kept");
    assert!(fs::metadata(&socket).unwrap().file_type().is_socket());
    assert!(fs::metadata(dir.join("block"))
        .unwrap()
        .file_type()
        .is_block_device());
    assert!(leftovers(dir.path()).is_empty());
}

// ------------------------------------------------------------ 3. permissions

#[test]
fn replaced_report_keeps_its_mode() {
    let dir = Dir::new("out-mode");
    two_documents(&dir);
    for wanted in [0o600, 0o640, 0o666] {
        let path = dir.create("report.json", "old");
        fs::set_permissions(&path, fs::Permissions::from_mode(wanted)).unwrap();
        scan_to(&dir, "report.json").assert_success();
        assert_ne!(fs::read(&path).unwrap(), b"old");
        assert_eq!(
            mode(&path),
            wanted,
            "mode {:o} became {:o}",
            wanted,
            mode(&path)
        );
    }
}

#[test]
fn new_report_honours_the_umask() {
    let dir = Dir::new("out-umask");
    two_documents(&dir);
    for (umask, wanted) in [("027", 0o640), ("077", 0o600), ("002", 0o664)] {
        let name = format!("report-{umask}.json");
        let status = Command::new("sh")
            .current_dir(dir.path())
            .arg("-c")
            .arg(format!(
                "umask {umask} && exec \"$0\" scan --quiet a.txt b.txt --output {name}"
            ))
            .arg(env!("CARGO_BIN_EXE_lifted"))
            .status()
            .unwrap();
        assert!(status.success());
        let got = mode(&dir.join(&name));
        assert_eq!(got, wanted, "umask {umask}: mode {got:o}");
    }
}

// ------------------------------------------------------- 4 and 18. signals

/// A generated corpus of `mb` megabytes, `g/corpus.jsonl`.
fn generated(dir: &Dir, mb: &str) -> PathBuf {
    dir.lifted(["gen", "--out", "g", "--size-mb", mb])
        .assert_success();
    dir.join("g/corpus.jsonl")
}

/// Poll `folder` until a `.lifted-*.tmp` file there has data (the write has
/// begun) or `child` ends; true in the first case.
fn writing_started(child: &mut Child, folder: &Path) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        for name in leftovers(folder) {
            if fs::metadata(folder.join(name)).is_ok_and(|m| m.len() > 0) {
                return true;
            }
        }
        thread::sleep(Duration::from_millis(2));
    }
    false
}

/// A signal while the report is being written (its temporary file holds
/// data) ends the run with 128 + the signal, removes the temporary file and
/// leaves an existing report as it was.
fn scan_signalled_mid_write(name: &str, code: i32) {
    let dir = Dir::new(&format!("out-sig-{name}"));
    generated(&dir, "6");
    let out = dir.create_dir("out");
    let old = dir.create("out/map.html", "the previous report");
    let mut child = spawn(
        &dir,
        &[
            "scan",
            "--quiet",
            "g/corpus.jsonl",
            "--format",
            "html",
            "--output",
            "out/map.html",
        ],
        Stdio::null(),
    );
    assert!(
        writing_started(&mut child, &out),
        "the run ended before writing: {:?}",
        finish(child, Duration::from_secs(10))
    );
    signal(&mut child, name);
    let stderr = finish_with(child, Duration::from_secs(20), code);
    assert!(stderr.contains("interrupted by"), "{stderr}");
    assert!(stderr.contains("no output was written"), "{stderr}");
    assert_eq!(leftovers(&out), Vec::<String>::new());
    assert_eq!(fs::read(&old).unwrap(), b"the previous report");
}

#[test]
fn sigterm_mid_write_cleans_up() {
    scan_signalled_mid_write("TERM", 143);
}

#[test]
fn sighup_mid_write_cleans_up() {
    scan_signalled_mid_write("HUP", 129);
}

#[test]
fn ctrl_c_mid_write_cleans_up() {
    scan_signalled_mid_write("INT", 130);
}

/// `lifted gen` stops at once on a signal, with no file and no temporary file.
fn gen_signalled(name: &str, code: i32) {
    let dir = Dir::new(&format!("gen-sig-{name}"));
    // 100 GB: the run would take hours; it must stop within seconds.
    let mut child = spawn(
        &dir,
        &["gen", "--out", "g", "--size-mb", "100000"],
        Stdio::null(),
    );
    let folder = dir.join("g");
    let started = Instant::now();
    while !folder.exists() {
        assert!(child.try_wait().unwrap().is_none(), "gen ended early");
        assert!(started.elapsed() < Duration::from_secs(60), "no folder g");
        thread::sleep(Duration::from_millis(2));
    }
    assert!(writing_started(&mut child, &folder), "gen ended early");
    signal(&mut child, name);
    let stderr = finish_with(child, Duration::from_secs(10), code);
    assert!(stderr.contains("interrupted by"), "{stderr}");
    assert_eq!(leftovers(&folder), Vec::<String>::new());
    assert!(!folder.join("corpus.jsonl").exists());
    assert!(!folder.join("truth.jsonl").exists());
}

#[test]
fn ctrl_c_stops_gen_at_once() {
    gen_signalled("INT", 130);
}

#[test]
fn sigterm_stops_gen_at_once() {
    gen_signalled("TERM", 143);
}

#[test]
fn sigquit_stops_gen_at_once() {
    gen_signalled("QUIT", 131);
}

/// `sleep 30 | lifted scan -`: Ctrl-C while standard input is open and
/// silent ends the run at once.
#[test]
fn ctrl_c_while_reading_standard_input() {
    let dir = Dir::new("out-stdin-int");
    let mut child = spawn(&dir, &["scan", "--quiet", "-"], Stdio::piped());
    let _open = child.stdin.take();
    thread::sleep(Duration::from_millis(300));
    signal(&mut child, "INT");
    let stderr = finish_with(child, Duration::from_secs(5), 130);
    assert_eq!(
        stderr.trim(),
        "lifted: interrupted by Ctrl-C (SIGINT); no output was written"
    );
}

/// A FIFO that no one reads: the run waits to open it, and SIGTERM ends it.
#[test]
fn sigterm_while_waiting_on_an_unread_fifo() {
    let dir = Dir::new("out-fifo-term");
    two_documents(&dir);
    mkfifo(&dir.join("pipe"));
    let mut child = spawn(
        &dir,
        &["scan", "--quiet", "a.txt", "b.txt", "--output", "pipe"],
        Stdio::null(),
    );
    thread::sleep(Duration::from_millis(500));
    signal(&mut child, "TERM");
    let stderr = finish_with(child, Duration::from_secs(5), 143);
    assert_eq!(
        stderr.trim(),
        "lifted: interrupted by SIGTERM; no output was written"
    );
    assert!(leftovers(dir.path()).is_empty());
}

// ----------------------------------------------------------------- messages

#[test]
fn gen_refuses_a_bad_copy_rate_and_size() {
    let dir = Dir::new("gen-args");
    for (args, parts) in [
        (
            ["--copy-rate", "1.5"],
            ["'1.5'", "--copy-rate", "from 0 to 0.8"],
        ),
        (["--copy-rate", "x"], ["'x'", "--copy-rate", "a number"]),
        (["--size-mb", "0"], ["'0'", "--size-mb", "1..=1000000"]),
    ] {
        let run = dir.command().args(["gen", "--out", "g"]).args(args).run();
        let line = run.assert_error(&parts);
        assert!(line.ends_with("see `lifted gen --help`"), "{line}");
        assert!(!dir.join("g").exists());
    }
}

#[test]
fn usage_errors_take_one_line() {
    let dir = Dir::new("usage");
    two_documents(&dir);
    let run = dir.lifted(["scan", "a.txt", "--outptu", "x.json"]);
    let line = run.assert_error(&[
        "unexpected argument '--outptu'",
        "a similar argument exists: '--output'",
        "see `lifted scan --help`",
    ]);
    assert!(!line.contains("Usage"), "{line}");
    dir.lifted(["gen"])
        .assert_error(&["--out <DIR>", "not provided"]);
    dir.lifted(["frobnicate"]).assert_error(&[
        "unrecognized subcommand 'frobnicate'",
        "see `lifted --help`",
    ]);
    let help = dir.lifted(["scan", "--help"]);
    help.assert_success();
    assert!(help.stdout_str().contains("--output <FILE>"));
    dir.lifted(["--version"]).assert_success();
}

#[test]
fn output_extension_in_any_case() {
    let dir = Dir::new("out-case");
    two_documents(&dir);
    scan_to(&dir, "map.HTML").assert_success();
    let page = fs::read_to_string(dir.join("map.HTML")).unwrap();
    assert!(
        page.to_ascii_lowercase().starts_with("<!doctype html"),
        "{}",
        &page[..80.min(page.len())]
    );
    scan_to(&dir, "links.Csv").assert_success();
    let csv = fs::read_to_string(dir.join("links.Csv")).unwrap();
    assert!(!csv.trim_start().starts_with('{'), "{csv}");
}

#[test]
fn an_output_named_for_a_format_lifted_does_not_write_there_is_refused() {
    // `--output map.parquet` (or `map.json.gz`) without --format wrote
    // uncompressed JSON under that name, exit 0.
    let (dir, report) = two_documents_and_report("binary-names");
    for name in ["map.parquet", "map.json.gz", "map.ZST", "map.feather"] {
        let run = dir.lifted(["scan", "a.txt", "b.txt", "--output", name]);
        run.assert_error(&[name, "would be JSON", "--format json"]);
        assert_no_output(&dir.join(name));
    }
    // Asked for by name, JSON is written there.
    let run = dir.lifted([
        "scan",
        "a.txt",
        "b.txt",
        "--format",
        "json",
        "-o",
        "map.json.gz",
    ]);
    run.assert_success();
    assert_eq!(fs::read(dir.join("map.json.gz")).unwrap(), report);
}

#[test]
fn a_file_where_a_folder_is_wanted_is_named() {
    // `--output a.txt/`, `gen --out FILE` and `man --output FILE` said
    // "cannot write: File exists; check that the folder exists".
    let dir = Dir::new("file-for-folder");
    two_documents(&dir);
    let before = fs::read(dir.join("a.txt")).unwrap();
    let run = dir.lifted(["scan", "a.txt", "b.txt", "--output", "a.txt/"]);
    run.assert_error(&["a.txt/: a file, not a folder", "--output DIR/"]);
    let run = dir.lifted(["gen", "--out", "a.txt", "--size-mb", "1"]);
    run.assert_error(&["a.txt: a file, not a folder", "--out"]);
    let run = dir.lifted(["man", "--output", "a.txt"]);
    run.assert_error(&["a.txt: a file, not a folder", "--output"]);
    assert_eq!(fs::read(dir.join("a.txt")).unwrap(), before);
}
