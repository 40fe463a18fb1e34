//! The HTML report in a real browser: run the binary on the Le Monde fixture
//! with `--format html`, check the page fetches nothing from the network, then
//! load it in headless Chromium and check the DOM it parsed (`--dump-dom`):
//! one `mark.lifted` per lifted span end of the JSON report of the same scan,
//! and a known lifted passage inside a highlighted element of the documents
//! that copied it.
//!
//! Without Chromium the test fails under `CI=true` (`.ci/run` installs it);
//! elsewhere the browser part is skipped with a message.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// How long Chromium may take before it is killed and the test fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

/// A passage of Le Monde's article (002) that 000 and 003 lifted.
const KNOWN_PASSAGE: &str = "Les origines de Kiwi Farms remontent à 2007";

/// The documents that lifted it.
const LIFTERS: &[&str] = &["000_cf972bab3fd887c6.txt", "003_71975c52c19c53cb.txt"];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run `lifted scan fixtures/lemonde` with the manifest and `extra` arguments.
fn scan(extra: &[&str]) -> Vec<u8> {
    let mut args = vec![
        "scan",
        "fixtures/lemonde",
        "--manifest",
        "fixtures/lemonde/manifest.csv",
    ];
    args.extend_from_slice(extra);
    let output = Command::new(env!("CARGO_BIN_EXE_lifted"))
        .args(&args)
        .current_dir(root())
        .output()
        .expect("the lifted binary runs");
    assert!(
        output.status.success(),
        "lifted {args:?} failed with {:?}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// A tag of serialized HTML: name (lowercase), whether it closes, attributes.
struct Tag<'a> {
    name: &'a str,
    closing: bool,
    attributes: Vec<(&'a str, &'a str)>,
}

impl Tag<'_> {
    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    fn has_class(&self, class: &str) -> bool {
        self.attribute("class")
            .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == class))
    }
}

/// One piece of serialized HTML: a tag or a run of text.
enum Piece<'a> {
    Tag(Tag<'a>),
    Text(&'a str),
}

/// Split serialized HTML (as browsers write it: attribute values in double
/// quotes, `<` and `"` escaped inside them) into tags and text.
fn pieces(html: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            out.push(Piece::Text(rest));
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        rest = &rest[open + 1..];
        if let Some(comment) = rest.strip_prefix("!--") {
            let end = comment.find("-->").map_or(comment.len(), |e| e + 3);
            rest = &comment[end..];
            continue;
        }
        // The end of the tag: the first '>' outside a quoted value.
        let mut quoted = false;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let body = &rest[..end];
        rest = &rest[(end + 1).min(rest.len())..];
        let closing = body.starts_with('/');
        let body = body.trim_start_matches('/');
        let name_end = body
            .find(|c: char| c.is_ascii_whitespace() || c == '/')
            .unwrap_or(body.len());
        let name = &body[..name_end];
        let mut attributes = Vec::new();
        let mut attrs = &body[name_end..];
        loop {
            attrs = attrs.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
            if attrs.is_empty() {
                break;
            }
            let key_end = attrs
                .find(|c: char| c == '=' || c.is_ascii_whitespace())
                .unwrap_or(attrs.len());
            let key = &attrs[..key_end];
            attrs = &attrs[key_end..];
            if let Some(value) = attrs.strip_prefix("=\"") {
                let close = value.find('"').unwrap_or(value.len());
                attributes.push((key, &value[..close]));
                attrs = &value[(close + 1).min(value.len())..];
            } else {
                attributes.push((key, ""));
            }
        }
        // Raw text elements: skip their content.
        if !closing && (name.eq_ignore_ascii_case("style") || name.eq_ignore_ascii_case("script")) {
            let close = format!("</{name}>");
            let end = rest.find(&close).unwrap_or(rest.len());
            rest = &rest[end..];
        }
        out.push(Piece::Tag(Tag {
            name,
            closing,
            attributes,
        }));
    }
    out
}

fn decode(text: &str) -> String {
    text.replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Attribute values that would make the browser fetch something.
fn network_references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in pieces(html) {
        if let Piece::Tag(tag) = piece {
            for (name, value) in &tag.attributes {
                let value = value.trim().to_ascii_lowercase();
                let remote = value.starts_with("http://")
                    || value.starts_with("https://")
                    || value.starts_with("//");
                if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "src" | "href" | "srcset" | "poster" | "data" | "action" | "background"
                ) && remote
                {
                    found.push(format!("<{} {name}=\"{value}\">", tag.name));
                }
            }
        }
    }
    let lower = html.to_ascii_lowercase();
    for pattern in ["url(http", "url(//", "url('http", "url(\"http", "@import"] {
        if lower.contains(pattern) {
            found.push(pattern.to_string());
        }
    }
    found
}

#[test]
fn html_report_renders_in_chromium() {
    let scratch = tempfile::Builder::new()
        .prefix("lifted-test-html-browser-")
        .tempdir()
        .expect("create a temporary folder");
    let page = scratch.path().join("map.html");
    let page_arg = page.to_str().expect("UTF-8 temporary path");
    scan(&["--format", "html", "--output", page_arg]);
    let html = std::fs::read_to_string(&page).expect("the HTML report is UTF-8");

    // Self-contained: nothing fetched from the network, no external assets.
    let remote = network_references(&html);
    assert!(
        remote.is_empty(),
        "the page refers to the network: {remote:?}"
    );
    for tag in ["<script", "<link", "<img", "<iframe", "<object", "<embed"] {
        assert!(!html.contains(tag), "the page has a {tag} element");
    }
    // Deterministic: the same scan writes the same bytes.
    let again = scratch.path().join("again.html");
    scan(&["--format", "html", "--output", again.to_str().unwrap()]);
    assert!(
        std::fs::read(&again).unwrap() == html.as_bytes(),
        "two runs wrote different HTML"
    );

    // The same scan as JSON: how many spans should be highlighted.
    let json: serde_json::Value =
        serde_json::from_slice(&scan(&["--format", "json"])).expect("the JSON report parses");
    let links = json["links"].as_array().expect("links is an array");
    assert!(!links.is_empty(), "the fixture has lifted passages");
    let targets = links.len();
    let undirected = links
        .iter()
        .filter(|l| l["directed"].as_bool() == Some(false))
        .count();
    // Directed: the target is highlighted; undirected: both ends are.
    let expected_marks = targets + undirected;
    let documents = json["documents"].as_array().expect("documents is an array");

    let Some(chromium) = common::find_chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "chromium is not installed, and CI=true: .ci/run installs it (apt-get install chromium)"
        );
        eprintln!(
            "chromium not installed; skipping the browser check (it fails under CI=true, where \
             .ci/run installs it)"
        );
        return;
    };
    let (dom, _) = common::chromium_dump_dom(&chromium, &page, BROWSER_TIMEOUT);
    assert!(
        dom.contains("<section"),
        "Chromium dumped no report:\n{}",
        &dom[..dom.len().min(2000)]
    );

    // Walk the parsed DOM: sections, highlighted marks, and the text inside them.
    let mut sections: Vec<String> = Vec::new();
    let mut section: Option<String> = None;
    let mut lifted_marks = 0;
    let mut lifted_ids: Vec<String> = Vec::new();
    let mut marks: Vec<bool> = Vec::new(); // open marks: highlighted or not
    let mut highlighted = 0; // open highlighted marks
    let mut run = String::new(); // text of the current highlighted run
    let mut runs: Vec<(String, String)> = Vec::new(); // (section's document, text)
    for piece in pieces(&dom) {
        match piece {
            Piece::Tag(tag) if tag.name == "section" && !tag.closing => {
                if let Some(doc) = tag.attribute("data-doc") {
                    let doc = decode(doc);
                    sections.push(doc.clone());
                    section = Some(doc);
                }
            }
            Piece::Tag(tag) if tag.name == "section" => section = None,
            Piece::Tag(tag) if tag.name == "mark" && !tag.closing => {
                if tag.has_class("lifted") {
                    lifted_marks += 1;
                    lifted_ids.push(tag.attribute("id").unwrap_or("").to_string());
                }
                let lit = ["lifted", "more-lifted", "more-shared"]
                    .iter()
                    .any(|c| tag.has_class(c));
                marks.push(lit);
                highlighted += lit as usize;
            }
            Piece::Tag(tag) if tag.name == "mark" => {
                let lit = marks.pop().expect("the DOM closes only open marks");
                highlighted -= lit as usize;
                if highlighted == 0 && !run.is_empty() {
                    runs.push((
                        section.clone().unwrap_or_default(),
                        std::mem::take(&mut run),
                    ));
                }
            }
            Piece::Text(text) if highlighted > 0 => run.push_str(&decode(text)),
            _ => {}
        }
    }
    assert!(marks.is_empty(), "unclosed marks in the DOM");

    let ids: Vec<&str> = documents.iter().filter_map(|d| d["id"].as_str()).collect();
    assert_eq!(sections, ids, "one section per document, in order");
    assert_eq!(
        lifted_marks, expected_marks,
        "mark.lifted elements in the DOM vs lifted span ends in the JSON report \
         ({targets} links, {undirected} undirected)"
    );
    for (i, link) in links.iter().enumerate() {
        let id = format!("t{i}");
        assert!(
            lifted_ids.contains(&id),
            "no mark.lifted with id {id} for link {link}"
        );
    }
    let found: Vec<&str> = runs
        .iter()
        .filter(|(doc, text)| LIFTERS.contains(&doc.as_str()) && text.contains(KNOWN_PASSAGE))
        .map(|(doc, _)| doc.as_str())
        .collect();
    assert!(
        !found.is_empty(),
        "\"{KNOWN_PASSAGE}\" is not inside a highlighted element of {LIFTERS:?}; highlighted runs: {:?}",
        runs.iter()
            .map(|(d, t)| format!("{d}: {}", t.chars().take(60).collect::<String>()))
            .collect::<Vec<_>>()
    );
    eprintln!(
        "chromium {}: {lifted_marks} mark.lifted for {targets} links; \"{KNOWN_PASSAGE}\" highlighted in {found:?}",
        chromium.display()
    );
}
