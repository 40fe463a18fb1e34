//! Reports at 100,000 links and offsets every consumer can use (issue 14,
//! items 3 and 4), through the real binary: the text summary and its
//! details, colour, `--compact` and `--format jsonl`, code-point offsets and
//! excerpts, the CSV's new columns, the HTML folder (`--output DIR/`) loaded
//! in headless Chromium, and byte-identical reports at 1 and 2 threads.
//!
//! Re-bless `fixtures/lemonde/expected.details.txt` after an intended change
//! with `LIFTED_BLESS=1 cargo test --test reports_scale`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::Dir;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `lifted scan` of the Le Monde fixture with its manifest, then `extra`.
fn lemonde(extra: &[&str]) -> common::Run {
    let dir = Dir::new("lemonde");
    let fixtures = root().join("fixtures/lemonde");
    let manifest = fixtures.join("manifest.csv");
    let run = dir
        .command()
        .arg("scan")
        .arg(&fixtures)
        .arg("--manifest")
        .arg(&manifest)
        .arg("--quiet")
        .args(extra)
        .run();
    run.assert_success();
    run
}

fn json(extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    lemonde(&args).json()
}

fn text_of(doc: &str) -> String {
    std::fs::read_to_string(root().join("fixtures/lemonde").join(doc)).expect("fixture text")
}

/// A `lifted gen` corpus of `mb` megabytes in `dir`, returned as its path.
fn generated(dir: &Dir, mb: &str) -> PathBuf {
    dir.lifted(["gen", "--out", "g", "--size-mb", mb])
        .assert_success();
    dir.join("g/corpus.jsonl")
}

#[test]
fn text_report_is_a_summary_by_share_lifted_with_main_sources() {
    let map = json(&[]);
    let text = lemonde(&["--format", "text"]).stdout_str();
    // One summary line per document that lifted anything, in decreasing share.
    let mut lifted: Vec<&serde_json::Value> = map["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["lifted_bytes"].as_u64() > Some(0))
        .collect();
    lifted.sort_by(|a, b| {
        let share = |d: &serde_json::Value| d["lifted_share"].as_f64().unwrap();
        share(b).total_cmp(&share(a))
    });
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("  ") && l.contains("main source "))
        .collect();
    assert_eq!(lines.len(), lifted.len(), "{text}");
    for (line, doc) in lines.iter().zip(&lifted) {
        let id = doc["id"].as_str().unwrap();
        let main = doc["main_source"]["doc"].as_str().unwrap();
        let share = format!(
            "{:.1}%",
            doc["main_source"]["share"].as_f64().unwrap() * 100.0
        );
        assert!(line.contains(id), "{line} for {id}");
        assert!(
            line.contains(&format!("main source {main} ({share})")),
            "{line}"
        );
        // The manifest's date and title are on the line.
        assert!(line.contains(doc["title"].as_str().unwrap()), "{line}");
        assert!(line.contains(doc["date"].as_str().unwrap()), "{line}");
    }
    // No spans without --details or --doc.
    assert!(!text.contains(" <- "), "{text}");
    assert!(text.contains("--details"), "{text}");
}

#[test]
fn details_match_the_golden_file() {
    let text = lemonde(&["--format", "text", "--details"]).stdout_str();
    let path = root().join("fixtures/lemonde/expected.details.txt");
    if std::env::var_os("LIFTED_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path).expect("the golden details file");
    assert!(
        text == golden,
        "{} differs; re-bless with LIFTED_BLESS=1 if intended:\n{text}",
        path.display()
    );
}

#[test]
fn doc_shows_the_spans_of_the_named_documents_only() {
    let one = "003_71975c52c19c53cb.txt";
    let text = lemonde(&["--format", "text", "--doc", one]).stdout_str();
    let sections: Vec<&str> = text
        .lines()
        .filter(|l| l.ends_with(" lifted") || l.contains(" lifted ("))
        .filter(|l| !l.starts_with(' '))
        .collect();
    assert_eq!(sections.len(), 1, "{text}");
    assert!(sections[0].starts_with(one), "{text}");
    assert!(text.contains("  <-  000_cf972bab3fd887c6.txt"), "{text}");
    // Repeatable; the pairs shown are those of the named documents.
    let two = lemonde(&[
        "--format",
        "text",
        "--doc",
        one,
        "--doc",
        "001_1583b74f8ac40a36.txt",
    ])
    .stdout_str();
    assert!(
        two.contains("\n001_1583b74f8ac40a36.txt  2022-09-05"),
        "{two}"
    );
    assert!(two.contains(&format!("\n{one}  2022-09-06")), "{two}");
    for line in two.lines().filter(|l| l.contains("  ~  ")) {
        assert!(
            line.contains(one) || line.contains("001_1583b74f8ac40a36.txt"),
            "{line}"
        );
    }
}

#[test]
fn an_unknown_doc_is_one_error_line() {
    let dir = Dir::new("unknown-doc");
    dir.create(
        "c/a.txt",
        "one two three four five six seven eight nine ten",
    );
    let run = dir.lifted(["scan", "c", "--format", "text", "--doc", "nope.txt"]);
    run.assert_error(&["--doc nope.txt", "no document has this id", "a.txt"]);
}

#[test]
fn colour_follows_color_and_no_color() {
    let escape = "\u{1b}[";
    let always = lemonde(&["--format", "text", "--color", "always"]).stdout_str();
    assert!(always.contains(escape), "{always}");
    assert!(
        always.contains("\u{1b}[1m000_cf972bab3fd887c6.txt\u{1b}[0m"),
        "{always}"
    );
    // Without the colours it is the plain report.
    let plain = lemonde(&["--format", "text"]).stdout_str();
    let stripped = always
        .split(escape)
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                &part[part.find('m').unwrap() + 1..]
            }
        })
        .collect::<String>();
    assert_eq!(stripped, plain);
    let never = lemonde(&["--format", "text", "--color", "never"]).stdout_str();
    assert!(!never.contains(escape));
}

/// `lifted scan` on a pseudo-terminal (util-linux `script`), for `--color auto`.
fn on_terminal(dir: &Dir, no_color: Option<&str>) -> String {
    let binary = env!("CARGO_BIN_EXE_lifted");
    let command = format!("{binary} scan c --format text --quiet");
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    if let Some(value) = no_color {
        cmd.env("NO_COLOR", value);
    }
    let out = cmd
        .output()
        .expect("util-linux `script` runs (it gives the binary a terminal)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn colour_by_default_on_a_terminal_unless_no_color() {
    let dir = Dir::new("tty");
    let shared = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan et les membres de ce forum ont pour spécialité de se moquer";
    dir.create("c/a.txt", format!("Un article.\n\n{shared}\n"));
    dir.create("c/b.txt", format!("Un autre.\n\n{shared}\n"));
    let coloured = on_terminal(&dir, None);
    assert!(coloured.contains("\u{1b}[1ma.txt"), "{coloured:?}");
    let plain = on_terminal(&dir, Some("1"));
    assert!(plain.contains("a.txt"), "{plain:?}");
    assert!(!plain.contains('\u{1b}'), "{plain:?}");
    // Piped: no colour.
    let piped = dir.lifted(["scan", "c", "--format", "text"]).stdout_str();
    assert!(!piped.contains('\u{1b}'), "{piped:?}");
}

#[test]
fn offsets_in_code_points_slice_the_same_text_as_bytes() {
    let map = json(&[]);
    let mut checked = 0;
    let spans = map["links"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|l| [&l["source"], &l["target"]])
        .chain(
            map["passages"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| p["copies"].as_array().unwrap()),
        )
        .chain(
            map["pairs"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|p| [&p["a"], &p["b"]]),
        );
    for span in spans {
        let text = text_of(span["doc"].as_str().unwrap());
        let n = |k: &str| span[k].as_u64().unwrap() as usize;
        let by_bytes = &text[n("start")..n("end")];
        let by_chars: String = text
            .chars()
            .skip(n("start_char"))
            .take(n("end_char") - n("start_char"))
            .collect();
        assert_eq!(by_bytes, by_chars, "{span}");
        checked += 1;
    }
    assert!(checked > 50, "{checked} spans");
    // The fixture is French: the two offsets differ.
    let link = &map["links"][0]["target"];
    assert_ne!(link["start"], link["start_char"], "{link}");
}

#[test]
fn excerpts_follow_excerpt_and_drop_with_zero() {
    let map = json(&[]);
    for link in map["links"].as_array().unwrap() {
        let target = &link["target"];
        let text = text_of(target["doc"].as_str().unwrap());
        let span = &text
            [target["start"].as_u64().unwrap() as usize..target["end"].as_u64().unwrap() as usize];
        let collapsed = span.split_whitespace().collect::<Vec<_>>().join(" ");
        let excerpt = link["excerpt"].as_str().expect("an excerpt");
        let head = excerpt.strip_suffix('…').unwrap_or(excerpt);
        assert!(collapsed.starts_with(head), "{excerpt} / {collapsed}");
        assert!(head.chars().count() <= 80, "{excerpt}");
        assert_eq!(
            excerpt.ends_with('…'),
            collapsed.chars().count() > 80,
            "{excerpt}"
        );
    }
    for passage in map["passages"].as_array().unwrap() {
        assert!(passage["excerpt"].is_string(), "{passage}");
    }
    let short = json(&["--excerpt", "12"]);
    for link in short["links"].as_array().unwrap() {
        let excerpt = link["excerpt"].as_str().unwrap();
        assert!(
            excerpt.trim_end_matches('…').chars().count() <= 12,
            "{excerpt}"
        );
    }
    let none = json(&["--excerpt", "0"]);
    for link in none["links"].as_array().unwrap() {
        assert!(link.get("excerpt").is_none(), "{link}");
    }
    assert!(none["passages"][0].get("excerpt").is_none());
}

#[test]
fn manifest_titles_and_urls_reach_every_report() {
    let dir = Dir::new("titles");
    let shared = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan et les membres de ce forum ont pour spécialité de se moquer";
    dir.create("c/a.txt", format!("Un article.\n\n{shared}\n"));
    dir.create("c/b.txt", format!("Un autre.\n\n{shared}\n"));
    dir.create(
        "m.csv",
        "id,date,title,url\na.txt,2022-01-01,Premier titre,https://example.org/a\nb.txt,2022-02-01,=Second titre,https://example.org/b\n",
    );
    let scan = |format: &str| {
        let run = dir.lifted(["scan", "c", "--manifest", "m.csv", "--format", format]);
        run.assert_success();
        run.stdout_str()
    };
    let map: serde_json::Value = serde_json::from_str(&scan("json")).unwrap();
    assert_eq!(map["documents"][0]["title"], "Premier titre");
    assert_eq!(map["documents"][1]["url"], "https://example.org/b");
    let text = scan("text");
    assert!(
        text.contains("\"=Second titre\"") && text.contains("<https://example.org/b>"),
        "{text}"
    );
    let html = scan("html");
    assert!(html.contains("Premier titre") && html.contains("https://example.org/a"));
    assert!(
        !html.contains("href=\"https://"),
        "addresses are shown, not linked"
    );
    let jsonl = scan("jsonl");
    assert!(jsonl.contains("\"title\":\"Premier titre\""), "{jsonl}");
    // CSV: the dates, the titles (a formula-like one quoted) and the excerpt.
    let csv = scan("csv");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv}");
    let cell = |name: &str| rows[0][header.iter().position(|h| h == name).unwrap()].to_string();
    assert_eq!(&header[..3], ["passage", "source_doc", "source_start"]);
    assert_eq!(cell("source_date"), "2022-01-01");
    assert_eq!(cell("source_title"), "Premier titre");
    assert_eq!(cell("target_date"), "2022-02-01");
    assert_eq!(cell("target_title"), "'=Second titre");
    assert!(cell("excerpt").starts_with("Les origines de Kiwi"), "{csv}");
    assert_eq!(cell("target_start_char"), "11");
    assert_eq!(cell("target_start"), "11");
}

#[test]
fn compact_json_is_one_line_with_the_same_map() {
    let pretty = lemonde(&["--format", "json"]);
    let compact = lemonde(&["--format", "json", "--compact"]);
    let bytes = &compact.stdout;
    assert_eq!(bytes.iter().filter(|&&b| b == b'\n').count(), 1);
    assert!(bytes.ends_with(b"}\n"));
    assert_eq!(compact.json(), pretty.json());
    assert!(bytes.len() < pretty.stdout.len(), "compact is smaller");
}

#[test]
fn jsonl_gives_one_typed_record_per_line_and_the_same_map() {
    let map = json(&[]);
    let out = lemonde(&["--format", "jsonl"]).stdout_str();
    let mut lists: serde_json::Map<String, serde_json::Value> = serde_json::Map::new();
    let mut order: Vec<String> = Vec::new();
    let lines: Vec<&str> = out.lines().collect();
    for line in &lines {
        let mut record: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let kind = record["type"].as_str().expect("a type").to_string();
        record.as_object_mut().unwrap().remove("type");
        if order.last() != Some(&kind) {
            order.push(kind.clone());
        }
        match kind.as_str() {
            "header" => {
                for key in ["schema", "tool", "parameters", "stats"] {
                    assert_eq!(record[key], map[key], "{key}");
                }
            }
            "end" => {
                for list in ["documents", "pairs", "passages", "links", "warnings"] {
                    assert_eq!(record[list], map[list].as_array().unwrap().len(), "{list}");
                }
            }
            _ => lists
                .entry(format!("{kind}s"))
                .or_insert_with(|| serde_json::json!([]))
                .as_array_mut()
                .unwrap()
                .push(record),
        }
    }
    assert_eq!(
        order,
        ["header", "document", "pair", "passage", "link", "end"]
    );
    for list in ["documents", "pairs", "passages", "links"] {
        assert_eq!(lists[list], map[list], "{list}");
    }
}

#[test]
fn reports_are_byte_identical_at_one_and_two_threads() {
    let dir = Dir::new("threads");
    let corpus = generated(&dir, "2");
    let corpus = corpus.to_str().unwrap();
    for format in [
        &["--format", "json"][..],
        &["--format", "json", "--compact"],
        &["--format", "jsonl"],
        &["--format", "csv"],
        &["--format", "text", "--details"],
        &["--format", "html"],
    ] {
        let mut outputs = Vec::new();
        for threads in ["1", "2"] {
            let run = dir
                .command()
                .args(["scan", corpus, "--quiet", "--threads", threads])
                .args(format)
                .run();
            run.assert_success();
            outputs.push(run.stdout);
        }
        assert!(outputs[0].len() > 1000, "{format:?}");
        assert!(
            outputs[0] == outputs[1],
            "{format:?} differs between 1 and 2 threads"
        );
    }
}

/// Chromium, at /usr/bin/chromium or on PATH. Under CI=true it must be there.
fn chromium() -> Option<PathBuf> {
    let found = common::find_chromium();
    if found.is_none() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is not installed, and CI=true: the HTML folder must be checked in a browser"
        );
        eprintln!("chromium not installed; the browser part is skipped (CI=true makes this fail)");
    }
    found
}

/// Load `page` in headless Chromium; the DOM it dumps and how long it took.
fn dump_dom(chromium: &Path, page: &Path) -> (String, Duration) {
    common::chromium_dump_dom(chromium, page, Duration::from_secs(90))
}

#[test]
fn html_folder_has_an_index_and_a_page_per_document_that_load_in_chromium() {
    let dir = Dir::new("html-folder");
    let corpus = generated(&dir, "1");
    let corpus = corpus.to_str().unwrap();
    let map = dir
        .command()
        .args(["scan", corpus, "--quiet", "--format", "json"])
        .run()
        .json();
    // A stale page of an earlier report is removed; other files are kept.
    dir.create("site/doc-999999.html", "old");
    dir.create("site/notes.txt", "mine");
    dir.lifted(["scan", corpus, "--quiet", "--output", "site/"])
        .assert_success();
    let site = dir.join("site");
    assert!(!site.join("doc-999999.html").exists());
    assert!(site.join("notes.txt").exists());

    // One page per document with a link end, named by its position.
    let documents: Vec<&str> = map["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    let links = map["links"].as_array().unwrap();
    assert!(links.len() > 100, "{} links", links.len());
    let position = |id: &str| documents.binary_search(&id).expect("a document");
    let mut touched: Vec<usize> = links
        .iter()
        .flat_map(|l| [&l["source"]["doc"], &l["target"]["doc"]])
        .map(|d| position(d.as_str().unwrap()))
        .collect();
    touched.sort_unstable();
    touched.dedup();
    let mut pages: Vec<String> = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("doc-"))
        .collect();
    pages.sort();
    let mut expected: Vec<String> = touched.iter().map(|i| format!("doc-{i}.html")).collect();
    expected.sort();
    assert_eq!(pages, expected);
    assert!(
        touched.len() < documents.len(),
        "some documents have no page"
    );

    // Each link's target end is marked in its target's page, and every
    // cross-page address points to an element of that page.
    let read = |name: &str| std::fs::read_to_string(site.join(name)).unwrap();
    for (i, link) in links.iter().enumerate().step_by(7) {
        let page = read(&format!(
            "doc-{}.html",
            position(link["target"]["doc"].as_str().unwrap())
        ));
        assert!(page.contains("<mark class=\"lifted"), "link {i}");
        assert!(page.contains(&format!(" id=\"t{i}\"")), "link {i}");
    }
    let index = read("index.html");
    for name in &expected[..expected.len().min(20)] {
        let page = read(name);
        for piece in page.split("href=\"doc-").skip(1) {
            let (file, rest) = piece.split_once(".html").unwrap();
            if let Some(id) = rest.strip_prefix('#') {
                let id = &id[..id.find('"').unwrap()];
                let other = read(&format!("doc-{file}.html"));
                assert!(
                    other.contains(&format!(" id=\"{id}\"")),
                    "doc-{file}.html#{id}"
                );
            }
        }
        assert!(index.contains(&format!("href=\"{name}\"")), "{name}");
    }
    let total: u64 = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    let input = std::fs::metadata(corpus).unwrap().len();
    eprintln!(
        "folder: {} pages, {total} bytes for {input} bytes of input; index {} bytes",
        pages.len() + 1,
        index.len()
    );

    let Some(chromium) = chromium() else { return };
    let (dom, took) = dump_dom(&chromium, &site.join("index.html"));
    let rows = dom.matches("<tr id=\"row-").count();
    assert_eq!(rows, documents.len(), "one summary row per document");
    eprintln!("chromium: index.html ({} bytes) in {took:?}", index.len());
    let busiest = touched
        .iter()
        .max_by_key(|&&d| {
            links
                .iter()
                .filter(|l| {
                    l["target"]["doc"] == documents[d] || l["source"]["doc"] == documents[d]
                })
                .count()
        })
        .copied()
        .unwrap();
    let (dom, took) = dump_dom(&chromium, &site.join(format!("doc-{busiest}.html")));
    let targets = links
        .iter()
        .filter(|l| l["target"]["doc"] == documents[busiest])
        .count();
    let undirected_sources = links
        .iter()
        .filter(|l| l["source"]["doc"] == documents[busiest] && l["directed"] == false)
        .count();
    let lifted = dom.matches("<mark class=\"lifted").count();
    assert_eq!(
        lifted,
        targets + undirected_sources,
        "mark.lifted in doc-{busiest}.html"
    );
    eprintln!("chromium: doc-{busiest}.html ({lifted} lifted marks) in {took:?}");
}

#[test]
fn html_folder_is_refused_for_other_formats_and_inside_a_scanned_folder() {
    let dir = Dir::new("html-folder-refused");
    let shared = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan et les membres de ce forum ont pour spécialité";
    dir.create("c/a.txt", format!("Un article.\n\n{shared}\n"));
    dir.create("c/b.txt", format!("Un autre.\n\n{shared}\n"));
    let run = dir.lifted(["scan", "c", "--format", "json", "--output", "out/"]);
    run.assert_error(&["out/", "a folder takes --format html"]);
    assert!(!dir.join("out").exists());
    let run = dir.lifted(["scan", "c", "--format", "html", "--output", "c/site/"]);
    run.assert_error(&["inside the scanned folder"]);
    assert!(
        !dir.join("c/site").exists(),
        "the folder created for the check is removed"
    );
    // A folder named without the slash is refused, as any folder is; with
    // it, the pages go there beside what it holds.
    dir.create("there/mine.txt", "kept");
    let run = dir.lifted(["scan", "c", "--format", "html", "--output", "there"]);
    run.assert_error(&["there", "cannot write a report to a folder"]);
    assert!(!dir.join("there/index.html").exists());
    dir.lifted(["scan", "c", "--output", "there/"])
        .assert_success();
    assert!(dir.join("there/index.html").is_file());
    assert_eq!(std::fs::read(dir.join("there/mine.txt")).unwrap(), b"kept");
}
