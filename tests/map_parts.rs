//! The JSON map written from its parts (`report::json::write_parts`, what
//! `lifted scan --format json` and the staged route's report stage write)
//! is byte for byte the map written from the whole `Report`
//! (`report::json::write_as` of `Report::build_with`), in every layout:
//! the parts serialize pairs, passages and links straight from the
//! findings, field by field, and must say exactly what the entries say.

use std::sync::atomic::AtomicBool;

use lifted::gen::{generate, GenConfig, Shape};
use lifted::ingest::{read_inputs, Corpus, Document, IngestOptions};
use lifted::provenance::Chronology;
use lifted::report::json::{write_as, write_parts, Layout};
use lifted::report::{CorpusTexts, Label, MapParts, Report, ReportOptions};
use lifted::scan::{scan, NoProgress, Params, ScanOptions};

/// Ids that need escaping in JSON, put before generated ids (keeping their
/// order, as the corpus is sorted by id).
const PREFIX: &str = "q\"uote\\ \n\t\u{1} été 😀/";

/// A generated corpus of `bytes` bytes of `shape`, ids prefixed with [`PREFIX`].
fn generated(shape: Shape, bytes: u64) -> Corpus {
    let mut jsonl = Vec::new();
    let config = GenConfig {
        size_bytes: bytes,
        shape,
        ..GenConfig::default()
    };
    generate(&config, &mut jsonl, &mut Vec::new()).expect("generate");
    let mut documents: Vec<Document> = jsonl
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let value: serde_json::Value = serde_json::from_slice(line).expect("JSONL");
            Document {
                id: format!("{PREFIX}{}", value["id"].as_str().expect("id")),
                origin: format!("corpus.jsonl:{}", i + 1),
                order: i as u32,
                text: value["text"].as_str().expect("text").as_bytes().to_vec(),
                date: None,
            }
        })
        .collect();
    documents.sort_by(|x, y| x.id.cmp(&y.id));
    Corpus {
        documents,
        warnings: vec![],
    }
}

fn lemonde() -> Corpus {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/lemonde");
    read_inputs(&[folder.into()], &IngestOptions::default()).expect("fixture")
}

/// Both ways of writing agree on the map of `corpus` with `options`, dated
/// by input order or undated, excerpts of 80 characters or none, with
/// titles or not, in every layout. Returns how many links, passages and
/// boilerplate passages the maps had (for the callers to check the case is
/// not empty).
fn check(corpus: &Corpus, options: ScanOptions) -> (usize, usize, usize) {
    let params = Params::new(options).expect("params");
    let given = Chronology::Given(corpus.documents.iter().map(|d| d.order).collect());
    let mut seen = (0, 0, 0);
    for chronology in [given, Chronology::Unknown] {
        let findings = scan(
            corpus,
            &params,
            &chronology,
            &NoProgress,
            &AtomicBool::new(false),
        )
        .expect("scan");
        seen.0 += findings.provenance.links.len();
        seen.1 += findings.passages.len();
        seen.2 += findings
            .provenance
            .boilerplate
            .iter()
            .filter(|&&b| b)
            .count();
        let titled: Vec<Label> = (0..corpus.documents.len())
            .map(|i| Label {
                title: (i % 2 == 0).then(|| format!("Title \"{i}\"")),
                url: (i % 3 == 0).then(|| format!("https://example.org/{i}")),
            })
            .collect();
        for (excerpt, labels) in [(80, vec![]), (0, titled)] {
            let shown = ReportOptions { excerpt, labels };
            let report = Report::build_with(corpus, &params, &chronology, &findings, &shown);
            let texts = CorpusTexts::new(corpus, &findings);
            let parts = MapParts::new(corpus, &texts, &params, &chronology, &findings, &shown);
            for layout in [Layout::Lines, Layout::Pretty, Layout::Compact] {
                let mut whole = Vec::new();
                write_as(&report, &mut whole, layout).expect("write");
                let mut streamed = Vec::new();
                write_parts(&parts, &mut streamed, layout).expect("write");
                assert!(
                    whole == streamed,
                    "{layout:?}, excerpt {excerpt}: the maps differ at byte {}",
                    whole
                        .iter()
                        .zip(&streamed)
                        .take_while(|(a, b)| a == b)
                        .count()
                );
            }
        }
    }
    seen
}

#[test]
fn generated_versions_are_written_the_same_from_parts() {
    let corpus = generated(Shape::Versions, 400_000);
    let (links, passages, _) = check(&corpus, ScanOptions::default());
    assert!(
        links > 100 && passages > 100,
        "{links} links, {passages} passages"
    );
}

#[test]
fn boilerplate_kept_and_reuse_within_documents_are_written_the_same() {
    // Passages in three documents or more are boilerplate here: kept and
    // marked, and hidden (leaving gaps in the passage ids).
    let corpus = generated(Shape::Paragraphs, 600_000);
    let mut options = ScanOptions::default();
    options.boilerplate.max_docs_frac = 2.5 / corpus.documents.len() as f64;
    check(&corpus, options.clone());
    options.boilerplate.keep = true;
    options.within_doc = true;
    let (links, passages, boilerplate) = check(&corpus, options);
    assert!(
        links > 0 && passages > boilerplate && boilerplate > 0,
        "{links} links, {passages} passages, {boilerplate} boilerplate"
    );
}

#[test]
fn lemonde_is_written_the_same_from_parts() {
    // Real French text: accents, typographic quotes, character offsets that
    // differ from byte offsets.
    let corpus = lemonde();
    let (links, _, _) = check(&corpus, ScanOptions::default());
    assert!(links > 0);
}
