//! Ctrl-C during a run leaves no partial output: the run stops at the next
//! check, exits 130, and neither the output file nor its temporary file exists.

#![cfg(unix)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn interrupt_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&corpus).unwrap());
    let mut state = 7u64;
    for doc in 0..4000 {
        let mut text = String::new();
        for word in 0..600 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            text.push_str(&format!("w{}", (state >> 40) % 5000));
            text.push(if word % 60 == 59 { '\n' } else { ' ' });
        }
        writeln!(
            file,
            "{}",
            serde_json::json!({"id": format!("d{doc}"), "text": text})
        )
        .unwrap();
    }
    drop(file);
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
