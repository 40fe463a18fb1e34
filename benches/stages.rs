//! Per-stage throughput (MB/s of input text), on a corpus from `lifted::gen`.
//!
//! Every benchmark checks its result, so `cargo test --benches` (which runs
//! each one once) also checks correctness. Run with `cargo bench --bench stages`.

use std::sync::atomic::AtomicBool;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use lifted::align::{align_prepared, AlignOptions, Prepared};
use lifted::gen::{generate, GenConfig};
use lifted::ingest::{Corpus, Document};
use lifted::lsh::{band_hashes, candidate_pairs, LshParams};
use lifted::minhash::MinHasher;
use lifted::normalize::{tokenize, NormalizeOptions};
use lifted::provenance::Chronology;
use lifted::scan::{scan, NoProgress, Params, ScanOptions};
use lifted::shingle::{shingle_set, shingles_into};
use lifted::verify::similarity;

/// A generated corpus of about `bytes` bytes, as documents.
fn corpus(bytes: u64) -> Corpus {
    let mut jsonl = Vec::new();
    let config = GenConfig {
        size_bytes: bytes,
        ..GenConfig::default()
    };
    generate(&config, &mut jsonl, &mut std::io::sink()).expect("generate");
    let documents = jsonl
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .enumerate()
        .map(|(i, line)| {
            let value: serde_json::Value = serde_json::from_slice(line).expect("JSONL");
            Document {
                id: value["id"].as_str().expect("id").to_string(),
                origin: "bench".to_string(),
                order: i as u32,
                text: value["text"].as_str().expect("text").as_bytes().to_vec(),
                date: None,
            }
        })
        .collect();
    Corpus {
        documents,
        warnings: vec![],
    }
}

fn text_of(corpus: &Corpus) -> Vec<u8> {
    corpus
        .documents
        .iter()
        .flat_map(|d| d.text.iter().copied().chain([b'\n']))
        .collect()
}

fn stages(c: &mut Criterion) {
    let corpus = corpus(1_000_000);
    let text = text_of(&corpus);
    let bytes = text.len() as u64;
    let options = NormalizeOptions::default();
    let tokens = tokenize(&text, options).tokens;
    let expected_words = text
        .split(|b| b.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count();

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);

    group.bench_function("normalize", |b| {
        b.iter(|| {
            let stream = tokenize(black_box(&text), options);
            // Words split on whitespace and tokens agree within punctuation-only words.
            assert!(stream.tokens.len() * 10 >= expected_words * 9);
        })
    });

    let mut shingles = Vec::new();
    group.bench_function("shingle", |b| {
        b.iter(|| {
            shingles.clear();
            shingles_into(black_box(&tokens), 5, &mut shingles);
            assert_eq!(shingles.len(), tokens.len() - 4);
        })
    });
    shingles.clear();
    shingles_into(&tokens, 5, &mut shingles);

    let hasher = MinHasher::new(128, 7);
    let mut signature = vec![0u32; 128];
    // For ns per shingle: the time per iteration over this count.
    eprintln!("sign: {} shingles per iteration", shingles.len());
    group.bench_function("sign", |b| {
        b.iter(|| {
            for chunk in shingles.chunks(80) {
                hasher.sign(black_box(chunk), &mut signature);
            }
            assert!(signature.iter().all(|&v| v != u32::MAX));
        })
    });

    let params = LshParams::for_threshold(0.5, 128);
    let chunks: Vec<&[u64]> = shingles.chunks(80).collect();
    let mut bands = Vec::new();
    for chunk in &chunks {
        hasher.sign(chunk, &mut signature);
        band_hashes(&signature, params, &mut bands);
    }
    // Plant one duplicate so banding must find exactly that pair among distinct chunks.
    let mut planted = bands.clone();
    planted.extend_from_slice(&bands[..params.bands]);
    let docs: Vec<u32> = (0..planted.len() as u32 / params.bands as u32).collect();
    // candidate_pairs reads one vector per band.
    let planted: Vec<Vec<u32>> = (0..params.bands)
        .map(|band| {
            (0..docs.len())
                .map(|s| planted[s * params.bands + band])
                .collect()
        })
        .collect();
    group.bench_function("band", |b| {
        b.iter(|| {
            let found = candidate_pairs(black_box(&planted), &docs, false, 64);
            assert!(found.pairs.contains(&(0, chunks.len() as u32)));
        })
    });

    let half = tokens.len() / 2;
    let (left, right) = (
        shingle_set(&tokens[..half], 5),
        shingle_set(&tokens[half / 2..], 5),
    );
    group.bench_function("verify", |b| {
        b.iter(|| {
            let s = similarity(black_box(&left), black_box(&right));
            assert!(s.jaccard > 0.2 && s.jaccard < 0.5, "{}", s.jaccard);
        })
    });

    // Align the corpus's text with itself shifted: everything is shared.
    let align_options = AlignOptions::default();
    let first = Prepared::new(tokenize(&text[..text.len() / 2], options), &align_options);
    group.bench_function("align", |b| {
        b.iter(|| {
            let second = Prepared::new(tokenize(&text[text.len() / 4..], options), &align_options);
            let found = align_prepared(&first, &second, &align_options);
            assert!(!found.is_empty());
        })
    });
    group.finish();

    // Two versions of one long document (48,000 words, the second with one
    // word in 200 changed), a stock phrase opening one sentence in three: the
    // shape of Bible translations or editions of a law (issue 14). The whole
    // revision aligns as one span with one edit per changed word.
    let mut long = c.benchmark_group("align long versions");
    let mut state = 14u64;
    let mut original: Vec<String> = Vec::new();
    for s in 0..3200 {
        if s % 3 == 0 {
            original.extend(
                [
                    "and", "it", "came", "to", "pass", "in", "those", "days", "that",
                ]
                .map(String::from),
            );
        }
        for _ in 0..12 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            original.push(format!("w{}", (state >> 33) % 2000));
        }
    }
    let mut revised = original.clone();
    let changed: Vec<usize> = (100..revised.len()).step_by(200).collect();
    for &i in &changed {
        revised[i] = format!("changed{i}");
    }
    let (a_text, b_text) = (original.join(" "), revised.join(" "));
    long.throughput(Throughput::Bytes((a_text.len() + b_text.len()) as u64));
    let a = Prepared::new(tokenize(a_text.as_bytes(), options), &align_options);
    let b = Prepared::new(tokenize(b_text.as_bytes(), options), &align_options);
    long.bench_function("align", |bench| {
        bench.iter(|| {
            let found = align_prepared(black_box(&a), black_box(&b), &align_options);
            assert_eq!(found.len(), 1, "one span: {found:?}");
            let whole = found[0];
            assert_eq!((whole.a_first, whole.b_first), (0, 0));
            assert_eq!(whole.a_last as usize, original.len());
            assert_eq!(whole.b_last as usize, revised.len());
            assert_eq!(whole.edits as usize, changed.len());
        })
    });
    long.finish();

    let mut whole = c.benchmark_group("scan");
    whole.throughput(Throughput::Bytes(bytes));
    whole.sample_size(10);
    let params = Params::new(ScanOptions::default()).expect("params");
    whole.bench_function("whole scan, 1 MB generated corpus", |b| {
        b.iter(|| {
            let findings = scan(
                &corpus,
                &params,
                &Chronology::Unknown,
                &NoProgress,
                &AtomicBool::new(false),
            )
            .expect("scan");
            // The generator plants copies in about 10% of paragraphs.
            assert!(findings.pairs.len() > 50, "{}", findings.pairs.len());
            assert!(!findings.provenance.links.is_empty());
        })
    });
    whole.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
