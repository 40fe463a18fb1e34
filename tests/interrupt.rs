//! Ctrl-C during a run leaves no partial output: the run stops at the next
//! check, exits 130, and neither the output file nor its temporary file exists.

#![cfg(unix)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;

#[test]
fn interrupt_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let mut random = common::Lcg(7);
    common::write_jsonl(
        &corpus,
        (0..4000).map(|doc| {
            let mut text = String::new();
            for word in 0..600 {
                text.push_str(&format!("w{}", (random.next() >> 40) % 5000));
                text.push(if word % 60 == 59 { '\n' } else { ' ' });
            }
            (format!("d{doc}"), text)
        }),
    );
    let output = dir.path().join("map.json");
    let child = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(["scan", "--quiet", "--output"])
        .arg(&output)
        .arg(&corpus)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let started = Instant::now();
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    if result.status.code() == Some(0) {
        // The run finished before the signal arrived: nothing to check.
        eprintln!("the scan finished before Ctrl-C; the interrupt path was not exercised");
        return;
    }
    assert_eq!(result.status.code(), Some(130), "{stderr}");
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "stopping took too long"
    );
    assert!(!output.exists(), "a partial output file was left");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
