//! Per-stage throughput (MB/s of input text), on a corpus from `lifted::gen`.
//!
//! Every benchmark checks its result against a value derived from its input
//! (a count of the input, a reference computation done once outside the timed
//! loop, or the copies `lifted::gen` planted), so `cargo test --all-targets`
//! and `cargo bench -- --test` (which run each one once) also check
//! correctness. Run with `cargo bench --bench stages`.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::AtomicBool;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use lifted::align::{align_indexed, align_prepared, shared_runs, AlignOptions, Prepared};
use lifted::gen::{generate, GenConfig};
use lifted::ingest::{Corpus, Document};
use lifted::lsh::{band_hashes, candidate_pairs, LshParams};
use lifted::minhash::MinHasher;
use lifted::normalize::{tokenize, NormalizeOptions};
use lifted::provenance::Chronology;
use lifted::scan::{scan, NoProgress, Params, ScanOptions};
use lifted::shingle::{shingle_set, shingles_into};
use lifted::verify::similarity;

/// A copy `lifted::gen` planted: (source document, start, end) and (target
/// document, start, end), documents as indices into the corpus.
type Planted = ((u32, u32, u32), (u32, u32, u32));

/// The documents of generated JSONL, in input order.
fn documents(jsonl: &[u8]) -> Vec<Document> {
    jsonl
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
        .collect()
}

/// A generated corpus of about `bytes` bytes, as documents, and the copies
/// planted in it (boilerplate footers left out, as benches/peers/score.py does).
fn corpus(bytes: u64) -> (Corpus, Vec<Planted>) {
    let mut jsonl = Vec::new();
    let mut truth = Vec::new();
    let config = GenConfig {
        size_bytes: bytes,
        ..GenConfig::default()
    };
    generate(&config, &mut jsonl, &mut truth).expect("generate");
    let documents = documents(&jsonl);
    let corpus = Corpus {
        documents,
        warnings: vec![],
    };
    let index: HashMap<&str, u32> = corpus
        .documents
        .iter()
        .map(|d| (d.id.as_str(), d.order))
        .collect();
    let side = |v: &serde_json::Value| {
        let doc = index[v["doc"].as_str().expect("doc")];
        let offset = |k: &str| v[k].as_u64().expect("offset") as u32;
        (doc, offset("start"), offset("end"))
    };
    let planted = truth
        .split(|&b| b == b'\n')
        .filter(|line| !line.is_empty())
        .map(|line| serde_json::from_slice::<serde_json::Value>(line).expect("truth JSONL"))
        .filter(|t| t["kind"] != "boilerplate")
        .map(|t| (side(&t["source"]), side(&t["target"])))
        .collect();
    (corpus, planted)
}

/// Bytes of `range` covered by the union of `parts`.
fn covered(range: (u32, u32), mut parts: Vec<(u32, u32)>) -> u32 {
    parts.sort_unstable();
    let (mut total, mut reach) = (0, range.0);
    for (start, end) in parts {
        let (start, end) = (start.max(reach), end.min(range.1));
        if end > start {
            total += end - start;
            reach = end;
        }
    }
    total
}

/// The planted copies that links find by the rule of benches/peers/score.py:
/// the links joining the copy's two documents and overlapping both its
/// sides cover at least half of each side's bytes.
fn planted_found(
    planted: &[Planted],
    links: &[(lifted::align::Span, lifted::align::Span)],
) -> usize {
    // Byte ranges (start, end) on each side, by (document, document).
    type Ranges = Vec<((u32, u32), (u32, u32))>;
    let mut by_docs: HashMap<(u32, u32), Ranges> = HashMap::new();
    for (s, t) in links {
        by_docs
            .entry((s.doc, t.doc))
            .or_default()
            .push(((s.start, s.end), (t.start, t.end)));
        by_docs
            .entry((t.doc, s.doc))
            .or_default()
            .push(((t.start, t.end), (s.start, s.end)));
    }
    let overlaps = |x: (u32, u32), y: (u32, u32)| x.0 < y.1 && y.0 < x.1;
    planted
        .iter()
        .filter(|((sd, ss, se), (td, ts, te))| {
            let joined: Vec<_> = by_docs
                .get(&(*sd, *td))
                .into_iter()
                .flatten()
                .filter(|(a, b)| overlaps(*a, (*ss, *se)) && overlaps(*b, (*ts, *te)))
                .collect();
            let on_source = covered((*ss, *se), joined.iter().map(|(a, _)| *a).collect());
            let on_target = covered((*ts, *te), joined.iter().map(|(_, b)| *b).collect());
            2 * on_source >= se - ss && 2 * on_target >= te - ts
        })
        .count()
}

fn text_of(corpus: &Corpus) -> Vec<u8> {
    corpus
        .documents
        .iter()
        .flat_map(|d| d.text.iter().copied().chain([b'\n']))
        .collect()
}

fn stages(c: &mut Criterion) {
    let (corpus, planted) = corpus(1_000_000);
    let text = text_of(&corpus);
    let bytes = text.len() as u64;
    let options = NormalizeOptions::default();
    let tokens = tokenize(&text, options).tokens;
    // Reference: the generated prose's words are its runs of alphanumeric characters.
    let expected_words: Vec<(u32, u32)> = word_runs(std::str::from_utf8(&text).expect("UTF-8"));

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(bytes));
    group.sample_size(10);

    group.bench_function("normalize", |b| {
        b.iter(|| {
            let stream = tokenize(black_box(&text), options);
            assert_eq!(stream.tokens.len(), expected_words.len());
            let first_last = |t: &[lifted::normalize::Token]| {
                [
                    (t[0].start, t[0].end),
                    (t[t.len() - 1].start, t[t.len() - 1].end),
                ]
            };
            assert_eq!(
                first_last(&stream.tokens),
                [expected_words[0], expected_words[expected_words.len() - 1]]
            );
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
    // Reference: MinHash is a minimum over the set, so the signature of all
    // the shingles is the position-wise minimum of the chunks' signatures.
    let mut whole = vec![0u32; 128];
    hasher.sign(&shingles, &mut whole);
    let mut folded = vec![u32::MAX; 128];
    // For ns per shingle: the time per iteration over this count.
    eprintln!("sign: {} shingles per iteration", shingles.len());
    group.bench_function("sign", |b| {
        b.iter(|| {
            folded.fill(u32::MAX);
            for chunk in shingles.chunks(80) {
                hasher.sign(black_box(chunk), &mut signature);
                for (f, s) in folded.iter_mut().zip(&signature) {
                    *f = (*f).min(*s);
                }
            }
            assert_eq!(folded, whole);
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
    let mut banded = bands.clone();
    banded.extend_from_slice(&bands[..params.bands]);
    let docs: Vec<u32> = (0..banded.len() as u32 / params.bands as u32).collect();
    // candidate_pairs reads one vector per band.
    let banded: Vec<Vec<u32>> = (0..params.bands)
        .map(|band| {
            (0..docs.len())
                .map(|s| banded[s * params.bands + band])
                .collect()
        })
        .collect();
    // Reference: the pairs of segments that share a band's hash, from a map per band.
    let mut expected = BTreeSet::new();
    for band in &banded {
        let mut buckets: HashMap<u32, Vec<u32>> = HashMap::new();
        for (s, &h) in band.iter().enumerate() {
            buckets.entry(h).or_default().push(s as u32);
        }
        for members in buckets.values() {
            assert!(
                members.len() <= 64,
                "a bucket over the cap: the reference would differ"
            );
            for (i, &x) in members.iter().enumerate() {
                expected.extend(members[i + 1..].iter().map(|&y| (x, y)));
            }
        }
    }
    assert!(expected.contains(&(0, chunks.len() as u32)));
    let expected: Vec<(u32, u32)> = expected.into_iter().collect();
    group.bench_function("band", |b| {
        b.iter(|| {
            let found = candidate_pairs(black_box(&banded), &docs, false, 64);
            assert_eq!(found.pairs, expected);
            assert_eq!(found.oversized_buckets, 0);
        })
    });

    let half = tokens.len() / 2;
    let (left, right) = (
        shingle_set(&tokens[..half], 5),
        shingle_set(&tokens[half / 2..], 5),
    );
    // Reference: the two sets' Jaccard and containment from BTreeSets.
    let (l, r): (BTreeSet<u64>, BTreeSet<u64>) = (
        left.iter().copied().collect(),
        right.iter().copied().collect(),
    );
    let common = l.intersection(&r).count() as f64;
    let (jaccard, containment) = (
        common / l.union(&r).count() as f64,
        common / l.len().min(r.len()) as f64,
    );
    assert!(jaccard > 0.2 && jaccard < 0.5, "{jaccard}");
    group.bench_function("verify", |b| {
        b.iter(|| {
            let s = similarity(black_box(&left), black_box(&right));
            assert!(
                (s.jaccard - jaccard).abs() < 1e-12,
                "{} against {jaccard}",
                s.jaccard
            );
            assert!((s.containment - containment).abs() < 1e-12);
        })
    });

    // Align the corpus's text with itself shifted: everything is shared.
    let align_options = AlignOptions::default();
    // The first text ends, and the second starts, where a word starts.
    let word_start_from = |at: usize| {
        tokens
            .iter()
            .map(|t| t.start as usize)
            .find(|&s| s >= at)
            .expect("words")
    };
    let (quarter, half) = (
        word_start_from(text.len() / 4),
        word_start_from(text.len() / 2),
    );
    let first_tokens = tokenize(&text[..half], options);
    let shared_first = first_tokens
        .tokens
        .iter()
        .position(|t| t.start as usize == quarter)
        .expect("a word at the quarter") as u32;
    let first_words = first_tokens.tokens.len() as u32;
    let first = Prepared::new(first_tokens, &align_options);
    group.bench_function("align", |b| {
        b.iter(|| {
            let second = Prepared::new(tokenize(&text[quarter..], options), &align_options);
            let found = align_prepared(&first, &second, &align_options);
            // The shared quarter of the text aligns as one span, at the
            // same place in both (the second starts where it starts).
            assert!(
                found.iter().any(|s| s.b_first == 0
                    && s.a_first == shared_first
                    && s.a_last == first_words
                    && s.b_last == first_words - shared_first
                    && s.edits == 0),
                "no span for the shared quarter: {shared_first}..{first_words}"
            );
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

    // Two long documents (6,000 words each) that share one 12-word quotation
    // and nothing else: the pair the fingerprint join links most often in
    // a corpus of versions and commentaries (issue 14). Their whole n-gram
    // lists are merged, so this measures the cost of a pair that shares little.
    let mut quoted = c.benchmark_group("align long documents sharing a quotation");
    let mut state = 15u64;
    let mut words = |count: usize| -> Vec<String> {
        (0..count)
            .map(|_| {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                format!("w{}", (state >> 33) % 50_000)
            })
            .collect()
    };
    let quote: Vec<String> = (0..12).map(|i| format!("quoted{i}")).collect();
    let (mut first, mut second) = (words(4000), words(1000));
    first.extend(quote.iter().cloned());
    first.extend(words(1988));
    second.extend(quote.iter().cloned());
    second.extend(words(4988));
    let (a_text, b_text) = (first.join(" "), second.join(" "));
    quoted.throughput(Throughput::Bytes((a_text.len() + b_text.len()) as u64));
    let a = Prepared::new(tokenize(a_text.as_bytes(), options), &align_options);
    let b = Prepared::new(tokenize(b_text.as_bytes(), options), &align_options);
    quoted.bench_function("align", |bench| {
        bench.iter(|| {
            let found = align_prepared(black_box(&a), black_box(&b), &align_options);
            assert_eq!(found.len(), 1, "the quotation only: {found:?}");
            let span = found[0];
            assert_eq!((span.a_first, span.a_last), (4000, 4012));
            assert_eq!((span.b_first, span.b_last), (1000, 1012));
            assert_eq!((span.words, span.edits), (12, 0));
        })
    });
    quoted.finish();

    // One long document paired with 40 others, each sharing one 12-word
    // quotation with it and nothing else (a book and the commentaries that
    // quote it): each pair probed on its own, against one index of the
    // batch finding every pair's shared n-grams at once (issue 14).
    let mut many = c.benchmark_group("align one long document with 40 partners");
    let partners = 40;
    let mut book = words(6000);
    let quotes: Vec<Vec<String>> = (0..partners)
        .map(|k| (0..12).map(|i| format!("quote{k}x{i}")).collect())
        .collect();
    for (k, quote) in quotes.iter().enumerate() {
        let at = 100 + k * 140;
        book.splice(at..at + 12, quote.iter().cloned());
    }
    let mut texts = vec![book.join(" ")];
    for quote in &quotes {
        let mut other = words(3000);
        other.splice(1500..1512, quote.iter().cloned());
        texts.push(other.join(" "));
    }
    many.throughput(Throughput::Bytes(
        texts.iter().map(|t| t.len() as u64).sum(),
    ));
    let docs: Vec<Prepared> = texts
        .iter()
        .map(|t| Prepared::new(tokenize(t.as_bytes(), options), &align_options))
        .collect();
    let held: Vec<&Prepared> = docs.iter().collect();
    let pairs: Vec<(u32, u32)> = (1..=partners as u32).map(|k| (0, k)).collect();
    // Each pair: the quotation only, where it was put.
    let check = |k: usize, found: &[lifted::align::Alignment]| {
        assert_eq!(found.len(), 1, "pair {k}: {found:?}");
        let at = 100 + k as u32 * 140;
        assert_eq!((found[0].a_first, found[0].a_last), (at, at + 12));
        assert_eq!((found[0].b_first, found[0].b_last), (1500, 1512));
    };
    many.bench_function("probe each pair", |bench| {
        bench.iter(|| {
            for (k, &(x, y)) in pairs.iter().enumerate() {
                let found = align_prepared(&docs[x as usize], &docs[y as usize], &align_options);
                check(k, &found);
            }
        })
    });
    many.bench_function("one index of the batch", |bench| {
        bench.iter(|| {
            let shared = shared_runs(black_box(&held), &pairs);
            for (k, &(x, y)) in pairs.iter().enumerate() {
                let found = align_indexed(
                    &docs[x as usize],
                    &docs[y as usize],
                    shared.runs(k),
                    &align_options,
                );
                check(k, &found);
            }
        })
    });
    many.finish();

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
            // Every copy the generator planted is found by the pairs and
            // links of the report (the rule of benches/peers/score.py; 100%
            // at this size and seed).
            let links: Vec<_> = findings
                .pairs
                .iter()
                .map(|p| (p.a, p.b))
                .chain(
                    findings
                        .provenance
                        .links
                        .iter()
                        .map(|l| (l.source, l.target)),
                )
                .collect();
            assert_eq!(planted_found(&planted, &links), planted.len());
        })
    });
    whole.finish();
}

/// The map stages on a corpus of versions (`lifted gen --shape versions`,
/// 2 MB, dated by input order): clustering and tracing the aligned pairs
/// into passages and links, then building and writing the JSON map. Each
/// checks its result against the scan's own (computed once, outside the
/// timed loop) and the JSON against serde_json's value of the report.
fn map_stages(c: &mut Criterion) {
    use lifted::gen::Shape;
    use lifted::report::{json, Report};

    let mut jsonl = Vec::new();
    let config = GenConfig {
        size_bytes: 2_000_000,
        shape: Shape::Versions,
        ..GenConfig::default()
    };
    generate(&config, &mut jsonl, &mut Vec::new()).expect("generate");
    let documents = documents(&jsonl);
    let mut corpus = Corpus {
        documents,
        warnings: vec![],
    };
    corpus.documents.sort_by(|x, y| x.id.cmp(&y.id));
    let chronology = Chronology::Given(corpus.documents.iter().map(|d| d.order).collect());
    let params = Params::new(ScanOptions::default()).expect("params");
    let scanned = scan(
        &corpus,
        &params,
        &chronology,
        &NoProgress,
        &AtomicBool::new(false),
    )
    .expect("scan");
    assert!(scanned.passages.len() > 100 && !scanned.provenance.links.is_empty());
    let lengths: Vec<u32> = corpus
        .documents
        .iter()
        .map(|d| d.text.len() as u32)
        .collect();
    let mut group = c.benchmark_group("map stages, 2 MB of versions");
    group.throughput(Throughput::Bytes(corpus.bytes()));
    group.sample_size(10);
    group.bench_function("cluster and trace", |b| {
        b.iter(|| {
            let mut findings = lifted::scan::Findings {
                aligned: scanned.aligned.clone(),
                stats: scanned.stats.clone(),
                ..Default::default()
            };
            let mut stats = scanned.stats.clone();
            lifted::stage::report::trace(
                &mut findings,
                &mut stats,
                &lengths,
                &chronology,
                &params.options,
            );
            assert_eq!(findings.passages, scanned.passages);
            assert_eq!(findings.provenance.links, scanned.provenance.links);
            assert_eq!(stats, scanned.stats);
        })
    });
    // The default layout (one list element per line) holds the same value
    // as serde_json's own serialization; each iteration must give its bytes.
    let report = Report::build(&corpus, &params, &chronology, &scanned);
    let mut expected = Vec::new();
    json::write(&report, &mut expected).expect("write");
    let parsed: serde_json::Value = serde_json::from_slice(&expected).expect("the map parses");
    assert_eq!(
        parsed,
        serde_json::to_value(&report).expect("JSON"),
        "the map's JSON differs from serde_json's"
    );
    group.bench_function("build and write the JSON map", |b| {
        b.iter(|| {
            let built = Report::build(&corpus, &params, &chronology, &scanned);
            let mut bytes = Vec::with_capacity(expected.len());
            json::write(&built, &mut bytes).expect("write");
            assert!(bytes == expected, "the map's JSON changed from run to run");
        })
    });
    group.finish();
}

criterion_group!(benches, stages, map_stages);
criterion_main!(benches);

/// Byte ranges of the runs of alphanumeric characters of `text`.
fn word_runs(text: &str) -> Vec<(u32, u32)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s as u32, i as u32));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s as u32, text.len() as u32));
    }
    runs
}
