//! Ctrl-C during a run leaves no partial output: the run stops at the next
//! check, exits 130, and neither the output file nor its temporary file exists.
//!
//! The signal must reach the scan while it runs: the corpus (`lifted gen`) is
//! large enough for the scan to take seconds in the profile the tests are built
//! in, and the test fails, rather than passing unchecked, when the process had
//! already exited at signal time.

#![cfg(target_os = "linux")]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

/// Corpus size: a single-threaded scan of it takes several seconds in either
/// profile: debug about 0.3 s a megabyte on one thread (measured here),
/// release 1.5 s for 100 MB on one thread (README's --timings figures).
const CORPUS_MB: &str = if cfg!(debug_assertions) { "8" } else { "100" };

/// How long the scan runs before the signal.
const BEFORE_SIGNAL: Duration = Duration::from_millis(300);

#[test]
fn interrupt_leaves_no_output() {
    let dir = common::Dir::new("interrupt");
    dir.command()
        .args(["gen", "--out", "gen", "--size-mb", CORPUS_MB])
        .timeout(Duration::from_secs(300))
        .run()
        .assert_success();
    let corpus = dir.join("gen/corpus.jsonl");
    assert!(corpus.is_file(), "lifted gen wrote no corpus");
    let output = dir.join("map.json");
    let mut child = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(["scan", "--quiet", "--threads", "1", "--output"])
        .arg(&output)
        .arg(&corpus)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(BEFORE_SIGNAL);
    // The signal must arrive mid-run: a scan that already ended tests nothing.
    let early = child.try_wait().expect("poll the scan");
    if let Some(status) = early {
        let output = child.wait_with_output().unwrap();
        panic!(
            "the scan ended ({status}) within {BEFORE_SIGNAL:?}, before Ctrl-C could be sent: \
             the corpus is too small to test the interrupt path\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let started = Instant::now();
    // SAFETY: kill(2) with the id of our own child, which has not been
    // waited for, so the id is still its.
    let sent = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(sent, 0, "kill(SIGINT): {}", std::io::Error::last_os_error());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(
        result.status.code(),
        Some(130),
        "Ctrl-C mid-run must exit 130 (exit 0 means the signal was ignored)\nstderr:\n{stderr}"
    );
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "stopping took {:?}",
        started.elapsed()
    );
    common::assert_no_output(&output);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
