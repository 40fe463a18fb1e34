//! The HTML report in a real browser: it is self-contained (no network
//! assets), headless Chromium parses it, and the highlighted spans it shows are
//! exactly the lifted spans of the JSON map of the same scan.
//!
//! Skips with a message when Chromium is not installed (`.ci/run` installs
//! Debian's `chromium`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chromium() -> Option<PathBuf> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

fn scan(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args([
            "scan",
            "fixtures/lemonde",
            "--manifest",
            "fixtures/lemonde/manifest.csv",
            "--quiet",
        ])
        .args(args)
        .current_dir(root())
        .output()
        .expect("lifted runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Run headless Chromium on `page` and return the DOM it built.
fn dump_dom(browser: &Path, page: &Path, profile: &Path) -> String {
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("chromium did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("chromium output");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn html_report_loads_in_chromium_with_every_lifted_span_highlighted() {
    let html = scan(&["--format", "html"]);
    for reference in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "@import",
        "url(http",
    ] {
        assert!(
            !html.contains(reference),
            "the page references the network: {reference}"
        );
    }
    let Some(browser) = chromium() else {
        eprintln!(
            "chromium not installed; skipping the browser check (CI installs it via .ci/run)"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("map.html");
    std::fs::write(&page, &html).unwrap();
    let dom = dump_dom(&browser, &page, &dir.path().join("profile"));
    assert!(
        dom.contains("<body"),
        "chromium returned no DOM: {dom:.200}"
    );

    // Every target span of the map (and both ends of undirected links) is one
    // highlighted element in the parsed page.
    let report: serde_json::Value = serde_json::from_str(&scan(&["--format", "json"])).unwrap();
    let mut spans: Vec<(String, u64, u64)> = Vec::new();
    for link in report["links"].as_array().unwrap() {
        let mut ends = vec![&link["target"]];
        if link["directed"] == false {
            ends.push(&link["source"]);
        }
        for end in ends {
            spans.push((
                end["doc"].as_str().unwrap().to_string(),
                end["start"].as_u64().unwrap(),
                end["end"].as_u64().unwrap(),
            ));
        }
    }
    spans.sort();
    spans.dedup();
    let mut shown: Vec<String> = dom
        .split("data-span=\"")
        .skip(1)
        .flat_map(|rest| {
            rest.split('"')
                .next()
                .unwrap_or("")
                .split(' ')
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    shown.sort();
    shown.dedup();
    assert_eq!(
        shown.len(),
        spans.len(),
        "highlighted spans in the DOM vs lifted spans in the map"
    );

    // A known lifted passage is inside a highlighted element.
    let passage = "Les origines de Kiwi Farms remontent à 2007";
    let highlighted = dom.split("<mark class=\"lifted\"").skip(1).any(|piece| {
        piece
            .split("</mark>")
            .next()
            .unwrap_or("")
            .contains(passage)
    });
    assert!(highlighted, "\"{passage}\" is not highlighted");
}
