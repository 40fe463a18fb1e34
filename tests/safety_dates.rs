//! Issue 13, items 5 and 6 and two of its messages: the manifest of dates.
//! Dates are parsed (offsets to UTC, a date alone is the whole day, a time
//! without offset is UTC), never compared as strings; a bad date or an id
//! given twice is one error line naming the file and line; a JSON manifest is
//! recognised whatever the case of its extension, and a byte order mark is
//! skipped.

mod common;

use common::Dir;
use serde_json::Value;

/// A passage of 40 words that both documents share.
const SHARED: &str = "Les origines du forum remontent à l'année deux mille sept, \
quand un groupe d'utilisateurs anonymes a commencé à documenter la vie privée \
de personnes connues en ligne, avant de harceler méthodiquement leurs proches, \
leurs employeurs et leurs hébergeurs pendant des années entières sans relâche.";

/// A folder `c/` with `a.txt` and `b.txt` sharing [`SHARED`].
fn corpus(dir: &Dir) {
    dir.create(
        "c/a.txt",
        format!("Premier article, écrit à Paris le matin même.\n\n{SHARED}\n\nFin du premier article, rien d'autre ici.\n"),
    );
    dir.create(
        "c/b.txt",
        format!("Second article, publié par un autre site.\n\n{SHARED}\n\nLe second article continue sur un tout autre sujet.\n"),
    );
}

/// Scan `c` with a manifest named `name` holding `contents`; the JSON report.
fn scan(dir: &Dir, name: &str, contents: &str) -> Value {
    corpus(dir);
    dir.create(name, contents);
    let run = dir.lifted([
        "scan",
        "c",
        "--manifest",
        name,
        "--format",
        "json",
        "--quiet",
    ]);
    run.assert_success();
    run.json()
}

/// (source doc, target doc, directed) of the only link.
fn only_link(report: &Value) -> (String, String, bool) {
    let links = report["links"].as_array().expect("links");
    assert_eq!(links.len(), 1, "{report:#}");
    let link = &links[0];
    (
        link["source"]["doc"].as_str().unwrap().to_string(),
        link["target"]["doc"].as_str().unwrap().to_string(),
        link["directed"].as_bool().unwrap(),
    )
}

fn link(source: &str, target: &str, directed: bool) -> (String, String, bool) {
    (source.to_string(), target.to_string(), directed)
}

#[test]
fn offsets_are_normalised_to_utc_before_comparing() {
    // 10:00 in Paris is 08:00 UTC, half an hour before b's 09:30 UTC. As
    // strings, "10:00" sorted after "09:30" and b was taken as the source.
    let dir = Dir::new("offset");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-04T10:00:00+02:00\nb.txt,2022-09-04T09:30:00Z\n",
    );
    assert_eq!(only_link(&report), link("a.txt", "b.txt", true));
    assert_eq!(report["passages"][0]["source"], "a.txt");

    let dir = Dir::new("offset-reversed");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-04T10:00:00+02:00\nb.txt,2022-09-04T07:59:59Z\n",
    );
    assert_eq!(only_link(&report), link("b.txt", "a.txt", true));
}

#[test]
fn a_space_or_a_t_before_the_time_compare_as_the_same() {
    // As strings ' ' < 'T', so 23:00 came "before" 01:00 on the same day.
    let dir = Dir::new("space");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-04 23:00\nb.txt,2022-09-04T01:00\n",
    );
    assert_eq!(only_link(&report), link("b.txt", "a.txt", true));
    assert_eq!(report["passages"][0]["source"], "b.txt");
}

#[test]
fn a_date_alone_is_the_whole_day() {
    // A day and a time on that day overlap: no direction is invented.
    let dir = Dir::new("day-overlap");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-04T12:00:00Z\nb.txt,2022-09-04\n",
    );
    assert!(!only_link(&report).2, "{report:#}");
    // A time in UTC on the next day, even written with an offset that puts
    // it on the 4th locally (01:00+02:00 on the 5th is 23:00 UTC on the 4th).
    let dir = Dir::new("day-offset");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-05T01:00+02:00\nb.txt,2022-09-04\n",
    );
    assert!(!only_link(&report).2, "{report:#}");
    // The day before: ordered.
    let dir = Dir::new("day-before");
    let report = scan(
        &dir,
        "m.csv",
        "id,date\na.txt,2022-09-05T00:00Z\nb.txt,2022-09-04\n",
    );
    assert_eq!(only_link(&report), link("b.txt", "a.txt", true));
}

#[test]
fn dates_are_shown_as_the_manifest_gives_them() {
    let dir = Dir::new("shown");
    corpus(&dir);
    dir.create(
        "m.csv",
        "id,date\na.txt,2022-09-04T10:00:00+02:00\nb.txt,2022-09-04\n",
    );
    let run = dir.lifted(["scan", "c", "--manifest", "m.csv", "--format", "text"]);
    run.assert_success();
    let text = run.stdout_str();
    assert!(
        text.contains("a.txt  2022-09-04T10:00:00+02:00  ") && text.contains("b.txt  2022-09-04  "),
        "{run}"
    );
}

#[test]
fn invalid_dates_are_an_error_naming_file_and_line() {
    for bad in [
        "2022-09-04T99:99",
        "2022-09-04Tgarbage",
        "+022-09-04",
        "2022-02-30",
        "2022-09-04T10:00+25:00",
        "04/09/2022",
    ] {
        let dir = Dir::new("bad-date");
        corpus(&dir);
        dir.create("m.csv", format!("id,date\na.txt,2022-09-04\nb.txt,{bad}\n"));
        let run = dir.lifted(["scan", "c", "--manifest", "m.csv", "--format", "json"]);
        run.assert_error(&["m.csv:3:", bad, "\"b.txt\"", "not an ISO 8601 date"]);
        assert!(run.stdout.is_empty(), "{run}");
    }
    let dir = Dir::new("bad-date-json");
    corpus(&dir);
    dir.create(
        "m.json",
        "[\n  {\"id\": \"a.txt\", \"date\": \"2022-09-04\"},\n  {\"id\": \"b.txt\", \"date\": \"2022-09-04T25:00\"}\n]\n",
    );
    dir.lifted(["scan", "c", "--manifest", "m.json"])
        .assert_error(&["m.json:3:", "2022-09-04T25:00", "not an ISO 8601 date"]);
}

#[test]
fn an_id_given_twice_is_an_error_naming_both_lines() {
    // Before: the last date won silently.
    let dir = Dir::new("dup-csv");
    corpus(&dir);
    dir.create(
        "m.csv",
        "id,date\na.txt,2022-09-04\nb.txt,2022-09-05\na.txt,2022-09-06\n",
    );
    dir.lifted(["scan", "c", "--manifest", "m.csv"])
        .assert_error(&["m.csv:4:", "\"a.txt\"", "given twice", "lines 2 and 4"]);
    let dir = Dir::new("dup-json");
    corpus(&dir);
    dir.create(
        "m.json",
        "[{\"id\": \"b.txt\", \"date\": \"2022-09-04\"},\n{\"id\": \"a.txt\", \"date\": \"2022-09-05\"},\n\n{\"id\": \"b.txt\", \"date\": \"2022-09-04\"}]",
    );
    dir.lifted(["scan", "c", "--manifest", "m.json"])
        .assert_error(&["m.json:4:", "\"b.txt\"", "lines 1 and 4"]);
}

#[test]
fn json_manifests_by_any_case_of_extension_or_by_content_with_or_without_bom() {
    let json = "[{\"id\": \"a.txt\", \"date\": \"2022-09-03\"}, {\"id\": \"b.txt\", \"date\": \"2022-09-04\"}]";
    for (name, contents) in [
        ("M.JSON", json.to_string()),
        ("dates.list", format!("\n  {json}")),
        ("bom.json", format!("\u{feff}{json}")),
        (
            "bom.csv",
            "\u{feff}id,date\na.txt,2022-09-03\nb.txt,2022-09-04\n".to_string(),
        ),
    ] {
        let dir = Dir::new("json-kind");
        let report = scan(&dir, name, &contents);
        assert_eq!(only_link(&report), link("a.txt", "b.txt", true), "{name}");
        assert_eq!(report["documents"][0]["date"], "2022-09-03", "{name}");
    }
}
