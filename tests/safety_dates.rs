//! Issue 13, items 5, 6 and 9 and two of its messages: the manifest of dates
//! and the footer rule of provenance. Dates are parsed (offsets to UTC, a date alone is the whole day, a time
//! without offset is UTC), never compared as strings; a bad date or an id
//! given twice is one error line naming the file and line; a JSON manifest is
//! recognised whatever the case of its extension, and a byte order mark is
//! skipped. A footer is a closing line under many otherwise unrelated
//! documents, not the last verses that versions of one text share.

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

// ---------------------------------------------------------------------------
// The footer rule (item 9)
// ---------------------------------------------------------------------------

/// `n` pseudo-random words.
fn words(random: &mut common::Lcg, n: usize) -> String {
    (0..n)
        .map(|_| format!("m{}", (random.next() >> 33) % 50_000))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `versions` versions of one text of 20 verses: each version rewords a few
/// verses its own way and has its own second-to-last verse, and all end with
/// the same last verse of 18 words.
fn versions(dir: &Dir, versions: usize) -> String {
    let mut random = common::Lcg(7);
    let verses: Vec<String> = (0..19).map(|_| words(&mut random, 18)).collect();
    let last = words(&mut random, 18);
    for v in 0..versions {
        let mut text = String::new();
        for (i, verse) in verses.iter().enumerate() {
            let verse = if i == 18 {
                words(&mut random, 16)
            } else if (i + v) % 4 == 0 {
                // Reworded: three words of this version's own.
                let mut w: Vec<String> = verse.split(' ').map(str::to_string).collect();
                for k in [2, 8, 14] {
                    w[k] = format!("v{v}x{i}x{k}");
                }
                w.join(" ")
            } else {
                verse.clone()
            };
            text.push_str(&format!("{}:{} {verse}\n", i / 10 + 1, i % 10 + 1));
        }
        text.push_str(&format!("2:10 {last}\n"));
        dir.create(format!("c/version{v}.txt"), text);
    }
    last
}

/// The passage whose copies are all the last line of their document.
fn closing_passage<'r>(report: &'r Value, last: &str, lengths: &[usize]) -> Option<&'r Value> {
    report["passages"].as_array().unwrap().iter().find(|p| {
        let copies = p["copies"].as_array().unwrap();
        copies.len() == lengths.len()
            && copies.iter().all(|c| {
                let end = c["end"].as_u64().unwrap() as usize;
                let doc: usize = c["doc"].as_str().unwrap()[7..8].parse().unwrap();
                end + 1 == lengths[doc]
                    && c["end"].as_u64().unwrap() - c["start"].as_u64().unwrap()
                        >= last.len() as u64 - 4
            })
    })
}

#[test]
fn versions_of_one_text_keep_their_shared_last_verses() {
    // Before: a short passage at the end of 3+ documents was a footer, and
    // the last verses of four translations were dropped as boilerplate.
    for n in [4, 6] {
        let dir = Dir::new("versions");
        let last = versions(&dir, n);
        let lengths: Vec<usize> = (0..n)
            .map(|v| {
                std::fs::metadata(dir.join(format!("c/version{v}.txt")))
                    .unwrap()
                    .len() as usize
            })
            .collect();
        let run = dir.lifted(["scan", "c", "--format", "json", "--quiet"]);
        run.assert_success();
        let report = run.json();
        assert_eq!(
            report["stats"]["boilerplate_passages"], 0,
            "{n} versions: {report:#}"
        );
        let passage = closing_passage(&report, &last, &lengths)
            .unwrap_or_else(|| panic!("{n} versions: no passage for the last verse:\n{report:#}"));
        let id = passage["id"].as_str().unwrap();
        let links = report["links"].as_array().unwrap();
        assert_eq!(
            links.iter().filter(|l| l["passage"] == id).count(),
            n - 1,
            "{n} versions: the last verse is linked in every version:\n{report:#}"
        );
    }
}

#[test]
fn a_closing_line_under_many_unrelated_documents_is_a_footer() {
    let dir = Dir::new("site-footer");
    let mut random = common::Lcg(3);
    let footer = "Laisser un commentaire : votre adresse e-mail ne sera pas publiée, les champs obligatoires sont indiqués";
    for d in 0..6 {
        dir.create(
            format!("c/article{d}.txt"),
            format!(
                "{}\n\n{}\n\n{footer}\n",
                words(&mut random, 120),
                words(&mut random, 80)
            ),
        );
    }
    let run = dir.lifted(["scan", "c", "--format", "json", "--quiet"]);
    run.assert_success();
    let report = run.json();
    assert_eq!(report["stats"]["boilerplate_passages"], 1, "{report:#}");
    assert_eq!(report["links"].as_array().unwrap().len(), 0, "{report:#}");
    // The same line under only three: too few to call it a site's footer.
    let dir = Dir::new("few-footer");
    for d in 0..3 {
        dir.create(
            format!("c/article{d}.txt"),
            format!("{}\n\n{footer}\n", words(&mut random, 120)),
        );
    }
    let run = dir.lifted(["scan", "c", "--format", "json", "--quiet"]);
    run.assert_success();
    let report = run.json();
    assert_eq!(report["stats"]["boilerplate_passages"], 0, "{report:#}");
    assert_eq!(report["links"].as_array().unwrap().len(), 2, "{report:#}");
}

#[test]
fn generated_site_footers_are_still_boilerplate() {
    // `lifted gen` plants eight footers, each under 0.5% of the documents
    // (6 to 15 of the 2,001 documents of 6 MB), at the end of articles that
    // are otherwise unrelated.
    let dir = Dir::new("gen-footers");
    dir.lifted(["gen", "--size-mb", "6", "--out", "g"])
        .assert_success();
    let run = dir.lifted([
        "scan",
        "g/corpus.jsonl",
        "--format",
        "json",
        "--keep-boilerplate",
        "--quiet",
    ]);
    run.assert_success();
    let report = run.json();
    // Each footer's copies: (doc, start, end), from the truth.
    let mut footers: std::collections::BTreeMap<u64, Vec<(String, u64, u64)>> = Default::default();
    let truth = std::fs::read_to_string(dir.join("g/truth.jsonl")).unwrap();
    for line in truth.lines() {
        let t: Value = serde_json::from_str(line).unwrap();
        if t["kind"] == "boilerplate" {
            for side in ["source", "target"] {
                let s = &t[side];
                footers
                    .entry(t["group"].as_u64().unwrap())
                    .or_default()
                    .push((
                        s["doc"].as_str().unwrap().to_string(),
                        s["start"].as_u64().unwrap(),
                        s["end"].as_u64().unwrap(),
                    ));
            }
        }
    }
    let overlaps = |copy: &Value, (doc, start, end): &(String, u64, u64)| {
        copy["doc"] == doc.as_str()
            && copy["start"].as_u64().unwrap() < *end
            && *start < copy["end"].as_u64().unwrap()
    };
    let passages = report["passages"].as_array().unwrap();
    let mut checked = 0;
    for (group, sites) in &footers {
        let mut docs: Vec<&str> = sites.iter().map(|s| s.0.as_str()).collect();
        docs.sort_unstable();
        docs.dedup();
        let found: Vec<&Value> = passages
            .iter()
            .filter(|p| {
                p["copies"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|c| sites.iter().any(|s| overlaps(c, s)))
            })
            .collect();
        assert!(!found.is_empty(), "footer {group} not found");
        if docs.len() >= 5 {
            checked += 1;
            for p in &found {
                assert_eq!(
                    p["boilerplate"],
                    true,
                    "footer {group} in {} documents: {p}",
                    docs.len()
                );
            }
        }
    }
    assert_eq!(
        checked, 8,
        "every footer recurs in 5 or more documents at 6 MB"
    );
    // No other passage is boilerplate.
    let marked = passages.iter().filter(|p| p["boilerplate"] == true).count();
    assert_eq!(marked, 8, "one passage per footer, nothing else");
}
