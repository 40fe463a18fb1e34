//! The staged route (issue 15): `lifted stage NAME --rank R --world-size N`
//! run as separate processes of the real binary, and `contrib/jobarray/local.sh`,
//! must write the map `lifted scan` writes, byte for byte; `lifted worker`
//! must give over Arrow IPC what the stages write; bad shards are one error
//! line naming the file, exit 2.

mod common;

use std::fs;
use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{Array, BinaryArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use common::Dir;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

const STAGES: [&str; 4] = ["ingest", "sign", "candidates", "align"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Run every stage with `world` ranks, each rank its own process, then the
/// report; `flags` are scan's flags and paths. Returns the report stage's run.
fn staged(dir: &Dir, work: &str, world: usize, flags: &[String]) -> common::Run {
    for stage in STAGES {
        for rank in 0..world {
            let (rank, world) = (rank.to_string(), world.to_string());
            let head = [
                "stage",
                stage,
                "--rank",
                &rank,
                "--world-size",
                &world,
                "--work",
                work,
            ];
            dir.command().args(head).args(flags).run().assert_success();
        }
    }
    let world = world.to_string();
    let head = [
        "stage",
        "report",
        "--rank",
        "0",
        "--world-size",
        &world,
        "--work",
        work,
    ];
    dir.command().args(head).args(flags).run()
}

/// `lifted scan FLAGS --output scan.EXT` and the staged route with
/// `--output staged.EXT` write the same bytes (and the same warnings).
fn assert_same_as_scan(dir: &Dir, world: usize, flags: &[String], extension: &str) {
    let scan_out = format!("scan.{extension}");
    let staged_out = format!("staged.{extension}");
    let scan = dir
        .command()
        .arg("scan")
        .args(flags)
        .args(["--output", &scan_out])
        .run();
    scan.assert_success();
    let work = format!("work-{world}-{}", flags.join("_").replace(['/', ' '], "_"));
    let mut with_output = flags.to_vec();
    with_output.extend(strings(&["--output", &staged_out]));
    let report = staged(dir, &work, world, &with_output);
    report.assert_success();
    assert_eq!(report.stderr_str(), scan.stderr_str(), "warnings differ");
    let (a, b) = (
        fs::read(dir.join(&scan_out)).unwrap(),
        fs::read(dir.join(&staged_out)).unwrap(),
    );
    assert!(!a.is_empty());
    assert!(
        a == b,
        "{flags:?} --output .{extension}: the staged map differs from scan's ({} vs {} bytes)",
        a.len(),
        b.len()
    );
}

fn lemonde_flags() -> Vec<String> {
    let lemonde = repo().join("fixtures/lemonde");
    vec![
        lemonde.display().to_string(),
        "--manifest".into(),
        lemonde.join("manifest.csv").display().to_string(),
    ]
}

/// A small generated corpus with planted copies, in `dir/gen`.
fn generated(dir: &Dir) -> String {
    dir.lifted(["gen", "--size-mb", "1", "--out", "gen", "--seed", "7"])
        .assert_success();
    "gen/corpus.jsonl".to_string()
}

#[test]
fn three_shards_equal_scan_on_lemonde_with_its_manifest() {
    let dir = Dir::new("stages-lemonde");
    assert_same_as_scan(&dir, 3, &lemonde_flags(), "json");
    let mut text = lemonde_flags();
    text.extend(strings(&["--format", "text", "--details"]));
    assert_same_as_scan(&dir, 3, &text, "txt");
    // The map is not empty: the fixture's known reuse is there.
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("staged.json")).unwrap()).unwrap();
    assert!(!map["links"].as_array().unwrap().is_empty());
}

#[test]
fn three_shards_equal_scan_on_a_generated_corpus() {
    let dir = Dir::new("stages-gen");
    let corpus = generated(&dir);
    for extra in [
        &[][..],
        &["--within-doc"][..],
        &["--pairs-only"][..],
        &["--preset", "thorough"][..],
        // Small buckets: stars and common fingerprints, counted the same.
        &["--max-bucket", "2"][..],
        &["--order", "given", "--format", "csv"][..],
    ] {
        let mut flags = vec![corpus.clone()];
        flags.extend(strings(extra));
        assert_same_as_scan(&dir, 3, &flags, "json");
    }
    // One rank and four give the same map too.
    for world in [1, 4] {
        assert_same_as_scan(&dir, world, std::slice::from_ref(&corpus), "json");
    }
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("scan.json")).unwrap()).unwrap();
    assert!(!map["pairs"].as_array().unwrap().is_empty());
    assert!(!map["links"].as_array().unwrap().is_empty());
}

/// Short lines (under `--min-words`) that 70 documents share, as real text
/// has ("Share this:"), are neither banded nor verified: no bucket of them
/// outgrows `--max-bucket 64` into a star, no pair of them is a candidate,
/// and the staged route, which leaves their band rows out at signing,
/// agrees with scan byte for byte. Each document's long paragraph is its own.
#[test]
fn short_lines_shared_by_many_documents_are_not_banded() {
    let dir = Dir::new("stages-short-lines");
    common::write_jsonl(
        &dir.join("short.jsonl"),
        (0..70).map(|d| {
            let words: Vec<String> = (0..40).map(|w| format!("w{d}x{w}")).collect();
            let text = format!("Share this:\n{}\nAdvertisement", words.join(" "));
            (format!("d{d:02}"), text)
        }),
    );
    let flags = strings(&["short.jsonl"]);
    assert_same_as_scan(&dir, 2, &flags, "json");
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("scan.json")).unwrap()).unwrap();
    assert_eq!(map["stats"]["segments"], 210, "{}", map["stats"]);
    assert_eq!(map["stats"]["candidate_pairs"], 0, "{}", map["stats"]);
    assert_eq!(map["stats"]["oversized_buckets"], 0, "{}", map["stats"]);
}

/// A bucket that short segments had pushed over `--max-bucket` is no
/// longer a star: its long members are compared pair by pair, and can pair
/// where the star (from a short first member) paired none. Documents `a`
/// and `b` hold 7 words, `c` and `d` the same 5-gram set in 8 words (text
/// of period 3): one bucket of four in every band, over `--max-bucket 3`.
/// Before short segments were left out of banding (575d0b4) it was a star
/// from `a`, whose pairs all failed `--min-words 8`: no pair, no passage.
#[test]
fn a_star_made_by_short_segments_no_longer_hides_a_pair() {
    let dir = Dir::new("stages-short-star");
    let (short, long) = ("x y z x y z x", "x y z x y z x y");
    common::write_jsonl(
        &dir.join("star.jsonl"),
        [("a", short), ("b", short), ("c", long), ("d", long)]
            .map(|(id, text)| (id.to_string(), text.to_string())),
    );
    let flags = strings(&[
        "star.jsonl",
        "--max-bucket",
        "3",
        "--ngram",
        "5",
        "--min-words",
        "8",
    ]);
    assert_same_as_scan(&dir, 2, &flags, "json");
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("scan.json")).unwrap()).unwrap();
    let pairs: Vec<(&str, &str)> = (map["pairs"].as_array().unwrap().iter())
        .map(|p| {
            (
                p["a"]["doc"].as_str().unwrap(),
                p["b"]["doc"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(pairs, vec![("c", "d")], "{}", map["stats"]);
    assert_eq!(map["stats"]["oversized_buckets"], 0, "{}", map["stats"]);
    assert_eq!(map["passages"].as_array().unwrap().len(), 1);
}

#[test]
fn record_dates_travel_through_the_stages() {
    let dir = Dir::new("stages-dates");
    let records = (0..6).map(|i| {
        let shared = "the committee said on tuesday that the new rules would apply to every member state from next year onwards";
        // Two documents share the passage: not boilerplate.
        let text = if i < 2 { shared } else { "nothing in common with any other" };
        serde_json::json!({"id": format!("d{i}"), "text": format!("document {i}. {text}"), "day": format!("2020-01-0{}", 6 - i)})
    });
    let text: String = records.map(|r| format!("{r}\n")).collect();
    dir.create("dated.jsonl", text);
    let flags = strings(&["dated.jsonl", "--date-field", "day"]);
    assert_same_as_scan(&dir, 3, &flags, "json");
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("staged.json")).unwrap()).unwrap();
    assert!(!map["links"].as_array().unwrap().is_empty());
}

#[test]
fn local_sh_writes_scans_map() {
    let dir = Dir::new("stages-local-sh");
    let corpus = generated(&dir);
    let scan = dir.lifted(["scan", &corpus, "--output", "scan.json"]);
    scan.assert_success();
    let script = repo().join("contrib/jobarray/local.sh");
    let run = |world: &str, output: &str| {
        let output = std::process::Command::new("bash")
            .arg(&script)
            .args([world, &corpus, "--output", output])
            .env("LIFTED", env!("CARGO_BIN_EXE_lifted"))
            .current_dir(dir.path())
            .output()
            .expect("bash runs");
        assert!(
            output.status.success(),
            "local.sh failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    run("3", "staged.json");
    assert_eq!(
        fs::read(dir.join("scan.json")).unwrap(),
        fs::read(dir.join("staged.json")).unwrap()
    );
    // Its temporary work folder is gone.
    let leftovers: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 3, "{leftovers:?}");
}

#[test]
fn the_map_does_not_depend_on_threads() {
    let dir = Dir::new("stages-threads");
    let corpus = generated(&dir);
    let mut maps = Vec::new();
    for threads in ["1", "2", "4"] {
        let output = format!("map-{threads}.json");
        let flags = strings(&[&corpus, "--threads", threads, "--output", &output]);
        staged(&dir, &format!("work-{threads}"), 3, &flags).assert_success();
        maps.push(fs::read(dir.join(&output)).unwrap());
    }
    assert!(maps.windows(2).all(|w| w[0] == w[1]));
}

/// Every row of the Parquet files `paths`, as one record batch per file.
fn read_parquet(paths: &[PathBuf]) -> Vec<RecordBatch> {
    let mut out = Vec::new();
    for path in paths {
        let file = fs::File::open(path).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        for batch in reader {
            out.push(batch.unwrap());
        }
    }
    out
}

fn ipc(batches: &[RecordBatch]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut writer =
        arrow_ipc::writer::StreamWriter::try_new(&mut out, &batches[0].schema()).unwrap();
    for batch in batches {
        writer.write(batch).unwrap();
    }
    writer.finish().unwrap();
    drop(writer);
    out
}

fn from_ipc(bytes: &[u8]) -> Vec<RecordBatch> {
    arrow_ipc::reader::StreamReader::try_new(bytes, None)
        .unwrap()
        .map(|b| b.unwrap())
        .collect()
}

/// The rows of `batches` as sorted lines of text (every column).
fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut rows = Vec::new();
    for batch in batches {
        for i in 0..batch.num_rows() {
            let cells: Vec<String> = batch
                .columns()
                .iter()
                .map(|c| format!("{:?}", c.slice(i, 1)))
                .collect();
            rows.push(cells.join("|"));
        }
    }
    rows.sort();
    rows
}

fn i64_column(batch: &RecordBatch, name: &str) -> Vec<i64> {
    let column = batch.column_by_name(name).unwrap();
    column
        .as_any()
        .downcast_ref::<Int64Array>()
        .unwrap()
        .values()
        .to_vec()
}

#[test]
fn workers_over_arrow_ipc_equal_the_stages() {
    let dir = Dir::new("stages-worker");
    let corpus = generated(&dir);
    staged(
        &dir,
        "work",
        1,
        &strings(&[&corpus, "--output", "map.json"]),
    )
    .assert_success();
    let work = dir.join("work");
    // sign: the documents table in, the sign rows of the stage out.
    let documents = read_parquet(&[work.join("ingest/documents-0-of-1.parquet")]);
    let signed = dir
        .command()
        .args(["worker", "sign"])
        .stdin(ipc(&documents))
        .run();
    signed.assert_success();
    let out = from_ipc(signed.stdout.as_slice());
    assert_eq!(
        out[0].schema().field(0),
        &Field::new("band", DataType::Int32, false)
    );
    let stage = read_parquet(&[work.join("sign/signs-0-to-0-of-1.parquet")]);
    let expected = rows(&stage);
    assert!(expected.len() > 1000);
    assert_eq!(rows(&out), expected);
    // align: every edge with both documents' ids and texts.
    let mut texts = std::collections::HashMap::new();
    for batch in &documents {
        let keys = i64_column(batch, "doc");
        let ids = batch.column_by_name("id").unwrap();
        let ids = ids.as_any().downcast_ref::<StringArray>().unwrap();
        let bodies = batch.column_by_name("text").unwrap();
        let bodies = bodies.as_any().downcast_ref::<BinaryArray>().unwrap();
        for (i, &key) in keys.iter().enumerate() {
            texts.insert(key, (ids.value(i).to_string(), bodies.value(i).to_vec()));
        }
    }
    let edges = read_parquet(&[work.join("candidates/edges-0-to-0-of-1.parquet")]);
    let mut joined = Vec::new();
    for batch in &edges {
        let (a, b) = (i64_column(batch, "a"), i64_column(batch, "b"));
        let side = |keys: &[i64]| -> (StringArray, BinaryArray) {
            (
                keys.iter().map(|k| Some(texts[k].0.clone())).collect(),
                keys.iter().map(|k| Some(texts[k].1.clone())).collect(),
            )
        };
        let ((a_id, a_text), (b_id, b_text)) = (side(&a), side(&b));
        let schema = Schema::new(vec![
            Field::new("a", DataType::Int64, false),
            Field::new("a_segment", DataType::Int32, false),
            Field::new("b", DataType::Int64, false),
            Field::new("b_segment", DataType::Int32, false),
            Field::new("a_id", DataType::Utf8, false),
            Field::new("a_text", DataType::Binary, false),
            Field::new("b_id", DataType::Utf8, false),
            Field::new("b_text", DataType::Binary, false),
        ]);
        let segment = |name| Arc::clone(batch.column_by_name(name).unwrap());
        joined.push(
            RecordBatch::try_new(
                Arc::new(schema),
                vec![
                    Arc::new(Int64Array::from(a)),
                    segment("a_segment"),
                    Arc::new(Int64Array::from(b)),
                    segment("b_segment"),
                    Arc::new(a_id),
                    Arc::new(a_text),
                    Arc::new(b_id),
                    Arc::new(b_text),
                ],
            )
            .unwrap(),
        );
    }
    let aligned = dir
        .command()
        .args(["worker", "align"])
        .stdin(ipc(&joined))
        .run();
    aligned.assert_success();
    let out = from_ipc(aligned.stdout.as_slice());
    let stage = read_parquet(&[work.join("align/results-0-of-1.parquet")]);
    let expected = rows(&stage);
    assert!(expected.len() > 100);
    assert_eq!(rows(&out), expected);
}

#[test]
fn a_worker_refuses_what_is_not_an_arrow_stream() {
    let dir = Dir::new("stages-worker-bad");
    let run = dir
        .command()
        .args(["worker", "sign"])
        .stdin(&b"not arrow at all"[..])
        .run();
    run.assert_error(&["-: standard input is not an Arrow IPC stream"]);
    // A stream without the columns the worker needs names the column.
    let schema = Schema::new(vec![Field::new("doc", DataType::Int64, false)]);
    let batch = RecordBatch::try_new(
        Arc::new(schema),
        vec![Arc::new(Int64Array::from(vec![1i64]))],
    )
    .unwrap();
    let run = dir
        .command()
        .args(["worker", "sign"])
        .stdin(ipc(&[batch]))
        .run();
    run.assert_error(&["no column \"text\""]);
}

/// The stages up to `last` (inclusive) with 3 ranks over the generated corpus.
fn stages_until(dir: &Dir, corpus: &str, last: &str) {
    for stage in STAGES {
        for rank in ["0", "1", "2"] {
            self::stage(dir, stage, rank, "3", corpus).assert_success();
        }
        if stage == last {
            return;
        }
    }
}

fn stage(dir: &Dir, name: &str, rank: &str, world: &str, corpus: &str) -> common::Run {
    stage_with(dir, name, rank, world, &[], corpus)
}

/// `lifted stage NAME` for one rank, with `flags` before the corpus.
fn stage_with(
    dir: &Dir,
    name: &str,
    rank: &str,
    world: &str,
    flags: &[&str],
    corpus: &str,
) -> common::Run {
    dir.command()
        .args([
            "stage",
            name,
            "--rank",
            rank,
            "--world-size",
            world,
            "--work",
            "work",
        ])
        .args(flags)
        .arg(corpus)
        .run()
}

#[test]
fn a_missing_shard_file_is_named() {
    let dir = Dir::new("stages-missing");
    let corpus = generated(&dir);
    stages_until(&dir, &corpus, "sign");
    fs::remove_file(dir.join("work/sign/signs-1-to-0-of-3.parquet")).unwrap();
    stage(&dir, "candidates", "0", "3", &corpus)
        .assert_error(&["signs-1-to-0-of-3.parquet: missing: run `lifted stage sign`"]);
    // Before any stage ran: the ingest tables are missing.
    let fresh = Dir::new("stages-nothing");
    let corpus = generated(&fresh);
    stage(&fresh, "sign", "0", "2", &corpus).assert_error(&["documents-0-of-2.parquet: missing"]);
    stage(&fresh, "report", "0", "2", &corpus).assert_error(&["documents-0-of-2.parquet: missing"]);
}

#[test]
fn a_corrupt_shard_file_is_named() {
    let dir = Dir::new("stages-corrupt");
    let corpus = generated(&dir);
    stages_until(&dir, &corpus, "ingest");
    let table = dir.join("work/ingest/documents-1-of-3.parquet");
    let bytes = fs::read(&table).unwrap();
    fs::write(&table, &bytes[..bytes.len() / 2]).unwrap();
    stage(&dir, "sign", "1", "3", &corpus)
        .assert_error(&["documents-1-of-3.parquet: not a readable Parquet file"]);
    fs::write(&table, b"PAR1 garbage PAR1").unwrap();
    stage(&dir, "sign", "0", "3", &corpus).assert_error(&["documents-1-of-3.parquet"]);
    // The failed stage left no file behind, whole or partial.
    let sign = dir.join("work/sign");
    let left: Vec<_> = fs::read_dir(&sign)
        .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_mismatched_world_size_is_named() {
    let dir = Dir::new("stages-world");
    let corpus = generated(&dir);
    stages_until(&dir, &corpus, "ingest");
    let run = stage(&dir, "sign", "0", "4", &corpus);
    let line = run.assert_error(&["-of-3.parquet: written with another --world-size than 4"]);
    assert!(line.contains("documents-"), "{line}");
}

/// A stage run with other matching flags than the stage before it is
/// refused, naming the file and the flag, instead of mixing two runs into
/// one map; re-running the stage with the same flags goes on.
#[test]
fn a_stage_with_other_flags_is_named() {
    let dir = Dir::new("stages-flags");
    let corpus = generated(&dir);
    stages_until(&dir, &corpus, "sign");
    let with =
        |name: &str, rank: &str, flags: &[&str]| stage_with(&dir, name, rank, "3", flags, &corpus);
    // Rank 1 signs again with 4-word shingles: its signs disagree.
    with("sign", "1", &["--ngram", "4"]).assert_success();
    with("candidates", "0", &[]).assert_error(&[
        "signs-1-to-0-of-3.parquet: written with --ngram 4, this stage runs with --ngram 5",
        "run every stage with the same matching flags",
    ]);
    with("sign", "1", &[]).assert_success();
    for rank in ["0", "1", "2"] {
        with("candidates", rank, &[]).assert_success();
    }
    with("align", "2", &["--threshold", "0.7"]).assert_error(&[
        "-to-2-of-3.parquet: written with --threshold 0.5, this stage runs with --threshold 0.7",
    ]);
    for rank in ["0", "1", "2"] {
        with("align", rank, &[]).assert_success();
    }
    with("report", "0", &["--pairs-only"]).assert_error(&[
        "results-0-of-3.parquet: written with no --pairs-only, this stage runs with --pairs-only",
    ]);
    with("report", "0", &["--output", "map.json"]).assert_success();
}

#[test]
fn a_rank_outside_the_world_is_refused() {
    let dir = Dir::new("stages-rank");
    let corpus = generated(&dir);
    stage(&dir, "ingest", "3", "3", &corpus).assert_error(&["invalid --rank: 3 is outside 0..=2"]);
    stage(&dir, "ingest", "0", "0", &corpus).assert_error(&["invalid --world-size: 0"]);
    stage(&dir, "report", "1", "3", &corpus)
        .assert_error(&["the report stage is one process; run it with --rank 0"]);
    assert!(!dir.join("work").exists());
}

#[test]
fn a_document_key_collision_is_an_error() {
    let dir = Dir::new("stages-collision");
    dir.create("a.txt", "one text");
    dir.create("b.txt", "another text");
    dir.create("c.txt", "a third text");
    // One bit of key: three documents cannot all have their own.
    let run = dir.lifted([
        "stage",
        "ingest",
        "--rank",
        "0",
        "--world-size",
        "1",
        "--work",
        "work",
        "--key-bits",
        "1",
        "a.txt",
        "b.txt",
        "c.txt",
    ]);
    let line = run.assert_error(&[
        "documents-0-of-1.parquet: documents",
        "have the same 64-bit key",
    ]);
    assert!(line.contains("rename one"), "{line}");
    assert!(!dir.join("work/ingest/documents-0-of-1.parquet").exists());
}

#[test]
fn stage_files_are_checked_by_the_report() {
    let dir = Dir::new("stages-report-bad");
    let corpus = generated(&dir);
    stages_until(&dir, &corpus, "align");
    // A counters file that is not one.
    fs::write(dir.join("work/stats/extra.json"), b"{\"segmentz\": 1}").unwrap();
    stage(&dir, "report", "0", "3", &corpus).assert_error(&["extra.json: not a stage's counters"]);
    fs::remove_file(dir.join("work/stats/extra.json")).unwrap();
    // A results file copied twice: the pairs would count twice.
    fs::copy(
        dir.join("work/align/results-0-of-3.parquet"),
        dir.join("work/align/copy.parquet"),
    )
    .unwrap();
    stage(&dir, "report", "0", "3", &corpus).assert_error(&["a pair is in two results files"]);
}

#[test]
fn every_format_equals_scan() {
    // JSON is written by the report stage a group of entries at a time,
    // without the texts; JSON Lines, CSV and Parquet from a map built
    // without the texts; text and HTML with them: all as `scan` writes.
    let dir = Dir::new("stages-formats");
    let corpus = generated(&dir);
    for (extra, extension) in [
        (&["--compact"][..], "json"),
        (&["--excerpt", "0"][..], "json"),
        (&["--excerpt", "200", "--within-doc"][..], "json"),
        (&["--format", "jsonl"][..], "jsonl"),
        (&["--format", "csv"][..], "csv"),
        (&["--format", "html"][..], "html"),
        (&["--format", "text", "--details"][..], "txt"),
        (&["--doc", "d0000002"][..], "json"),
    ] {
        let mut flags = vec![corpus.clone()];
        flags.extend(strings(extra));
        assert_same_as_scan(&dir, 3, &flags, extension);
    }
    // Parquet: a folder of tables, each the same file.
    let flags = strings(&[&corpus, "--format", "parquet"]);
    dir.command()
        .arg("scan")
        .args(&flags)
        .args(["--output", "scan-tables"])
        .run()
        .assert_success();
    let mut staged_flags = flags.clone();
    staged_flags.extend(strings(&["--output", "staged-tables"]));
    staged(&dir, "work-parquet", 3, &staged_flags).assert_success();
    let mut names: Vec<_> = fs::read_dir(dir.join("scan-tables"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    for name in names {
        assert_eq!(
            fs::read(dir.join("scan-tables").join(&name)).unwrap(),
            fs::read(dir.join("staged-tables").join(&name)).unwrap(),
            "{name:?}"
        );
    }
}

/// `n` JSONL records of distinct texts (planted copies between neighbours,
/// so that the map has links), one per line.
fn records(n: usize) -> String {
    let shared = "the committee said on tuesday that the new rules would apply to every member state from next year onwards";
    (0..n)
        .map(|i| {
            let own: String = (0..30).map(|w| format!("w{i}x{w} ")).collect();
            let text = if i % 4 < 2 {
                format!("{own}{shared} {i}")
            } else {
                own
            };
            format!(
                "{}\n",
                serde_json::json!({"id": format!("r{i:03}"), "text": text})
            )
        })
        .collect()
}

#[test]
fn each_ingest_rank_reads_its_share_of_the_inputs() {
    let dir = Dir::new("stages-shares");
    dir.create("big.jsonl", records(60));
    dir.create_dir("texts");
    for i in 0..5 {
        dir.create(
            format!("texts/t{i}.txt"),
            format!("text file {i} {}", "word ".repeat(20)),
        );
    }
    let flags = strings(&["big.jsonl", "texts"]);
    assert_same_as_scan(&dir, 3, &flags, "json");
    // Every document is in exactly one rank's table, and every rank has
    // some: the JSONL file was cut into three ranges, the text files dealt.
    let mut ids = Vec::new();
    for rank in 0..3 {
        let path = dir.join(format!(
            "work-3-big.jsonl_texts/ingest/documents-{rank}-of-3.parquet"
        ));
        let batches = read_parquet(&[path]);
        let mut mine = Vec::new();
        for batch in &batches {
            let column = batch.column_by_name("id").unwrap();
            let column = column.as_any().downcast_ref::<StringArray>().unwrap();
            mine.extend(column.iter().map(|v| v.unwrap().to_string()));
        }
        assert!(
            mine.iter().filter(|id| id.starts_with('r')).count() >= 15,
            "{rank}: {mine:?}"
        );
        ids.extend(mine);
    }
    ids.sort();
    assert_eq!(ids.len(), 65);
    ids.dedup();
    assert_eq!(ids.len(), 65);
}

#[test]
fn warnings_of_shares_are_scans() {
    let dir = Dir::new("stages-share-warnings");
    // Malformed lines in every third of the file: each range counts its
    // own; the report gives scan's one warning per file.
    let mut text = String::new();
    for (i, line) in records(60).lines().enumerate() {
        text.push_str(if i % 9 == 4 { "{not json\n" } else { line });
        if i % 9 != 4 {
            text.push('\n');
        }
    }
    dir.create("bad.jsonl", text);
    dir.create_dir("texts");
    dir.create("texts/a.txt", "a text of some words that are here");
    dir.create("texts/b.bin", b"\x00\x01\x02binary".as_slice());
    // A file named twice and a binary file: walk and file warnings, once.
    let flags = strings(&["bad.jsonl", "--skip-bad-lines", "texts", "texts/a.txt"]);
    assert_same_as_scan(&dir, 3, &flags, "json");
    let map: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.join("staged.json")).unwrap()).unwrap();
    let warnings = map["warnings"].as_array().unwrap();
    let bad: Vec<_> = warnings
        .iter()
        .filter(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("malformed line(s) skipped")
        })
        .collect();
    assert_eq!(bad.len(), 1, "{warnings:?}");
    assert!(
        bad[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("7 malformed"),
        "{bad:?}"
    );
    assert_eq!(bad[0]["line"], 5);
}

#[test]
fn an_id_in_two_shares_is_scans_error() {
    let dir = Dir::new("stages-duplicate");
    let mut text = records(30);
    // Line 31 repeats the id of line 2: in another rank's range.
    text.push_str(&format!(
        "{}\n",
        serde_json::json!({"id": "r001", "text": "again"})
    ));
    dir.create("dup.jsonl", text);
    let scan = dir.lifted(["scan", "dup.jsonl", "--output", "scan.json"]);
    let expected = scan.assert_error(&[
        "duplicate document id \"r001\"",
        "dup.jsonl:2 and dup.jsonl:31",
    ]);
    for rank in ["0", "1", "2"] {
        stage(&dir, "ingest", rank, "3", "dup.jsonl").assert_success();
    }
    for rank in ["0", "1", "2"] {
        stage(&dir, "sign", rank, "3", "dup.jsonl").assert_success();
    }
    let line = stage(&dir, "candidates", "0", "3", "dup.jsonl").assert_error(&[]);
    assert_eq!(line, expected);
    let line = stage(&dir, "report", "0", "3", "dup.jsonl").assert_error(&[]);
    assert_eq!(line, expected);
}

#[test]
fn local_sh_runs_more_tasks_than_processes() {
    let dir = Dir::new("stages-local-sh-tasks");
    dir.lifted(["gen", "--size-mb", "3", "--out", "gen", "--seed", "5"])
        .assert_success();
    let corpus = "gen/corpus.jsonl";
    dir.lifted(["scan", corpus, "--output", "scan.json"])
        .assert_success();
    let script = repo().join("contrib/jobarray/local.sh");
    // 2 processes at a time; W from the input's size (3 MB / 1 MiB: 3
    // tasks), or as given.
    for (env, work, world) in [("SHARE_MB", "work-share", 3), ("WORLD", "work-world", 5)] {
        let value = if env == "WORLD" { "5" } else { "1" };
        let output = format!("{work}.json");
        let run = std::process::Command::new("bash")
            .arg(&script)
            .args(["2", corpus, "--output", &output])
            .env("LIFTED", env!("CARGO_BIN_EXE_lifted"))
            .env("WORK", work)
            .env(env, value)
            .current_dir(dir.path())
            .output()
            .expect("bash runs");
        assert!(
            run.status.success(),
            "local.sh failed: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let last = dir.join(format!(
            "{work}/ingest/documents-{}-of-{world}.parquet",
            world - 1
        ));
        assert!(last.is_file(), "{}", last.display());
        assert_eq!(
            fs::read(dir.join("scan.json")).unwrap(),
            fs::read(dir.join(&output)).unwrap()
        );
    }
}
