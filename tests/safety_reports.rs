//! Issue 13, items 10, 12 and 13: reports that do not attack their reader.
//! Control and bidirectional formatting characters from texts and file names
//! are escaped visibly in the text report, in warnings and in the error line
//! (never sent raw to a terminal); the HTML page keeps names with quotes, `<`
//! and bidi overrides inert; CSV cells that a spreadsheet would run as a
//! formula get a leading `'`; `--pairs-only` has its own CSV rows and text
//! summary.

mod common;

use common::Dir;

/// A paragraph of 40 words shared by the documents of a test.
const SHARED: &str = "Les origines du forum remontent à l'année deux mille sept, \
quand un groupe d'utilisateurs anonymes a commencé à documenter la vie privée \
de personnes connues en ligne, avant de harceler méthodiquement leurs proches, \
leurs employeurs et leurs hébergeurs pendant des années entières sans relâche.";

/// Terminal attacks: an OSC 52 clipboard write, a screen clear, a CSI in its
/// one-byte C1 form, and a right-to-left override.
const ATTACK: &str = "\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}[2J\u{9b}31m\u{202e}";

/// Whether `text` holds a character a terminal would act on.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
        })
        .collect()
}

#[test]
fn the_text_report_escapes_controls_from_texts_and_file_names() {
    let dir = Dir::new("text-escape");
    let evil = format!("evil{ATTACK}gnp.txt");
    // The attack inside the shared paragraph, within the excerpt's length.
    let shared = SHARED.replacen("forum", &format!("forum {ATTACK}"), 1);
    dir.create(
        format!("c/{evil}"),
        format!("Premier article {ATTACK} avec une séquence.\n\n{shared}\n"),
    );
    dir.create("c/b.txt", format!("Un autre article.\n\n{shared}\n"));
    let run = dir.lifted(["scan", "c", "--format", "text"]);
    run.assert_success();
    let text = std::str::from_utf8(&run.stdout).expect("UTF-8 report");
    assert_eq!(raw_controls(text), [] as [char; 0], "{run}");
    // The name and the excerpt are there, escaped visibly.
    let escaped = "\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}";
    assert!(text.contains(&format!("evil{escaped}gnp.txt")), "{run}");
    assert!(
        text.contains(&format!("\"Les origines du forum {escaped} remontent")),
        "{run}"
    );
    // And the near-duplicate pairs section too.
    assert!(text.contains("near-duplicate segments"), "{run}");
}

#[test]
fn warnings_and_errors_on_standard_error_escape_controls() {
    let dir = Dir::new("stderr-escape");
    dir.create("c/a.txt", format!("Un article.\n\n{SHARED}\n"));
    // A binary file inside a folder is skipped with a warning naming it.
    dir.create(
        format!("c/x{ATTACK}.txt"),
        b"\x00\x01\x02binary\x00\x00\x00\x00",
    );
    let run = dir.lifted(["scan", "c", "--format", "json", "--quiet"]);
    run.assert_success();
    let stderr = std::str::from_utf8(&run.stderr).expect("UTF-8 stderr");
    assert!(!run.warnings().is_empty(), "{run}");
    assert_eq!(raw_controls(stderr), [] as [char; 0], "{run}");
    run.warning_with(&["x\\u{1b}]52;c;", "\\u{202e}.txt"]);
    // The JSON report keeps the exact name: it is data, not a terminal.
    let report = run.json();
    let path = report["warnings"][0]["path"].as_str().unwrap();
    assert!(path.contains(ATTACK), "{report:#}");

    // The error line, here naming a path that does not exist.
    let run = dir.lifted(["scan", &format!("missing{ATTACK}")]);
    let line = run.assert_error(&["missing\\u{1b}]52;c;", "\\u{202e}", "no such file"]);
    assert_eq!(raw_controls(&line), [] as [char; 0], "{run}");
}

#[test]
fn html_names_with_quotes_angle_brackets_and_bidi_overrides_stay_inert() {
    let dir = Dir::new("html-names");
    let evil = "q\"'><script>alert(1)</script>\u{202e}gnp.txt";
    dir.create(format!("c/{evil}"), format!("Un article.\n\n{SHARED}\n"));
    dir.create("c/b.txt", format!("Un autre article.\n\n{SHARED}\n"));
    let run = dir.lifted(["scan", "c", "--format", "html"]);
    run.assert_success();
    let html = run.stdout_str();
    assert!(!html.contains("<script>"), "{run}");
    assert!(
        !html.contains('\u{202e}'),
        "the override reached the page:\n{run}"
    );
    let escaped = "q&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\\u{202e}gnp.txt";
    // In attributes: quoted and escaped.
    assert!(html.contains(&format!("data-doc=\"{escaped}\"")), "{run}");
    // As content: isolated, so a right-to-left name cannot reorder its neighbours.
    assert!(
        html.contains(&format!("<h2><bdi>{escaped}</bdi></h2>")),
        "{run}"
    );
    assert!(html.contains(&format!("<bdi>{escaped}</bdi></a>")), "{run}");
}

/// The cells of a CSV report.
fn cells(csv: &[u8]) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(csv);
    reader
        .records()
        .map(|r| {
            r.expect("a CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect()
}

#[test]
fn csv_cells_that_would_be_formulas_get_a_quote() {
    let dir = Dir::new("csv-formula");
    let names = [
        "=HYPERLINK(\"evil\",\"y\").txt",
        "+1.txt",
        "-2.txt",
        "@SUM(A1).txt",
    ];
    for name in names {
        dir.create(
            format!("c/{name}"),
            format!("Article {name}.\n\n{SHARED}\n"),
        );
    }
    dir.create("c/plain.txt", format!("Sans danger.\n\n{SHARED}\n"));
    let run = dir.lifted(["scan", "c", "--format", "csv"]);
    run.assert_success();
    let rows = cells(&run.stdout);
    assert_eq!(rows[0][1], "source_doc");
    let mut docs: Vec<&str> = rows[1..]
        .iter()
        .flat_map(|r| [r[1].as_str(), r[4].as_str()])
        .collect();
    docs.sort_unstable();
    docs.dedup();
    let mut expected: Vec<String> = names.iter().map(|n| format!("'{n}")).collect();
    expected.push("plain.txt".to_string());
    expected.sort_unstable();
    assert_eq!(docs, expected, "{run}");

    // The same in --pairs-only rows.
    let run = dir.lifted(["scan", "c", "--format", "csv", "--pairs-only"]);
    run.assert_success();
    let rows = cells(&run.stdout);
    assert!(rows.len() > 1, "{run}");
    for row in &rows[1..] {
        for doc in [&row[0], &row[3]] {
            assert!(
                doc == "plain.txt" || doc.starts_with('\''),
                "{doc:?} unprotected:\n{run}"
            );
        }
    }
}

#[test]
fn pairs_only_csv_has_one_row_per_pair() {
    let dir = Dir::new("pairs-csv");
    dir.create("c/a.txt", format!("Premier article.\n\n{SHARED}\n"));
    dir.create("c/b.txt", format!("Second article.\n\n{SHARED}\n"));
    dir.create(
        "c/z.txt",
        "Rien à voir avec les autres textes de ce dossier.\n",
    );
    let json = dir.lifted(["scan", "c", "--format", "json", "--pairs-only"]);
    json.assert_success();
    let report = json.json();
    assert_eq!(report["parameters"]["pairs_only"], true);
    let pairs = report["pairs"].as_array().unwrap();
    assert!(!pairs.is_empty(), "{json}");

    let run = dir.lifted(["scan", "c", "--format", "csv", "--pairs-only"]);
    run.assert_success();
    let rows = cells(&run.stdout);
    assert_eq!(
        rows[0],
        [
            "a_doc",
            "a_start",
            "a_end",
            "b_doc",
            "b_start",
            "b_end",
            "jaccard",
            "containment"
        ]
    );
    assert_eq!(rows.len() - 1, pairs.len(), "{run}");
    for (row, pair) in rows[1..].iter().zip(pairs) {
        let expected = [
            pair["a"]["doc"].as_str().unwrap().to_string(),
            pair["a"]["start"].to_string(),
            pair["a"]["end"].to_string(),
            pair["b"]["doc"].as_str().unwrap().to_string(),
            pair["b"]["start"].to_string(),
            pair["b"]["end"].to_string(),
        ];
        assert_eq!(row[..6], expected[..], "{run}");
        for (cell, field) in row[6..].iter().zip(["jaccard", "containment"]) {
            let number: f64 = cell.parse().unwrap_or_else(|_| panic!("{cell:?}:\n{run}"));
            assert_eq!(number, pair[field].as_f64().unwrap(), "{field}:\n{run}");
        }
    }
    assert_eq!(
        (rows[1][0].as_str(), rows[1][3].as_str()),
        ("a.txt", "b.txt")
    );
    // The HTML page says why nothing is highlighted.
    let html = dir.lifted(["scan", "c", "--format", "html", "--pairs-only"]);
    html.assert_success();
    assert!(
        html.stdout_str().contains(
            "<b>--pairs-only</b>: only near-duplicate segments were looked for (1 pairs)"
        ),
        "{html}"
    );
    // Without --pairs-only the JSON says nothing of it (goldens unchanged).
    let full = dir.lifted(["scan", "c", "--format", "json"]);
    assert!(
        full.json()["parameters"].get("pairs_only").is_none(),
        "{full}"
    );
}

#[test]
fn pairs_only_text_has_its_own_summary_and_no_empty_provenance() {
    let dir = Dir::new("pairs-text");
    dir.create("c/a.txt", format!("Premier article.\n\n{SHARED}\n"));
    dir.create("c/b.txt", format!("Second article.\n\n{SHARED}\n"));
    dir.create(
        "c/z.txt",
        "Rien à voir avec les autres textes de ce dossier.\n",
    );
    let run = dir.lifted(["scan", "c", "--format", "text", "--pairs-only"]);
    run.assert_success();
    let text = run.stdout_str();
    let first = text.lines().next().unwrap();
    assert!(
        first.starts_with("lifted --pairs-only: 3 documents,")
            && first.contains("1 near-duplicate segment pairs in 2 documents"),
        "{run}"
    );
    assert!(!text.contains("lifted ("), "per-document shares:\n{run}");
    assert!(!text.contains("nothing lifted"), "{run}");
    assert!(text.contains("\n  a.txt line 3, bytes"), "{run}");

    // No pair at all: said once.
    let dir = Dir::new("pairs-none");
    dir.create(
        "c/a.txt",
        "Un texte qui ne ressemble à aucun autre du dossier.\n",
    );
    dir.create(
        "c/b.txt",
        "Une tout autre histoire, sans rapport avec la première.\n",
    );
    let run = dir.lifted(["scan", "c", "--format", "text", "--pairs-only"]);
    run.assert_success();
    let text = run.stdout_str();
    assert!(
        text.contains("0 near-duplicate segment pairs in 0 documents"),
        "{run}"
    );
    assert!(
        text.contains("no near-duplicate segments (Jaccard >= "),
        "{run}"
    );
    assert!(!text.contains("nothing lifted"), "{run}");
}

/// `lifted check` prints the ids of the links that differ, and clap repeats
/// an unknown argument as given: neither reaches the terminal raw.
#[test]
fn check_differences_and_usage_errors_escape_controls() {
    let dir = Dir::new("check-escape");
    dir.create(
        format!("c/x{ATTACK}.txt"),
        format!("Un article.\n\n{SHARED}\n"),
    );
    dir.create("c/b.txt", format!("Autre chose.\n\n{SHARED}\n"));
    let golden = dir.join("golden.json");
    let run = dir
        .command()
        .args(["scan", "c", "--format", "json", "--quiet", "--output"])
        .arg(&golden)
        .run();
    run.assert_success();
    // The golden map loses its links: check reports each one as missing,
    // naming the documents, whose ids hold the attack.
    let mut map: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&golden).unwrap()).unwrap();
    let links = map["links"].as_array().map_or(0, Vec::len);
    assert!(links > 0, "the fixture must have links: {map:#}");
    map["links"] = serde_json::json!([]);
    std::fs::write(&golden, serde_json::to_vec(&map).unwrap()).unwrap();
    let run = dir
        .command()
        .args(["check", "c", "--quiet", "--expected"])
        .arg(&golden)
        .run();
    run.assert_code(1);
    let stdout = run.stdout_str();
    assert!(stdout.contains("x\\u{1b}]52;c;"), "{run}");
    assert_eq!(raw_controls(&stdout), [] as [char; 0], "{run}");

    let run = dir.lifted(["scan", "c", "--format", &format!("json{ATTACK}")]);
    run.assert_code(2);
    let stderr = run.stderr_str();
    // (clap drops the ANSI sequences itself; the C1 CSI and the override stay.)
    assert!(stderr.contains("\\u{9b}31m\\u{202e}"), "{run}");
    assert_eq!(raw_controls(&stderr), [] as [char; 0], "{run}");
}
