//! Parquet, Arrow IPC and compressed JSONL inputs, and dates in the records
//! (`--date-field`), issue 16: every case runs the real binary. The Parquet
//! and Arrow files are written here with the `parquet` and `arrow` crates.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, Int64Array, RecordBatch, StringArray};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use common::{Dir, Run};

/// The Le Monde fixture: (id, text, date) of its dated articles, in the
/// manifest's order, which is not the order of the ids.
fn lemonde() -> Vec<(String, String, String)> {
    let folder = Path::new("fixtures/lemonde");
    let manifest = fs::read_to_string(folder.join("manifest.csv")).expect("manifest");
    let mut records = Vec::new();
    for line in manifest.lines().skip(1) {
        let mut fields = line.split(',');
        let id = fields.next().expect("id").to_string();
        let date = fields.next().expect("date").to_string();
        let text = fs::read_to_string(folder.join(&id)).expect("article");
        records.push((id, text, date));
    }
    assert!(records.len() >= 4, "the fixture has its articles");
    records
}

/// Write `records` as JSONL with an `id`, a `text` and (when `dated`) a `date`.
fn jsonl(records: &[(String, String, String)], dated: bool) -> Vec<u8> {
    let mut out = Vec::new();
    for (id, text, date) in records {
        let line = if dated {
            serde_json::json!({"id": id, "text": text, "date": date})
        } else {
            serde_json::json!({"id": id, "text": text})
        };
        writeln!(out, "{line}").expect("write");
    }
    out
}

fn strings<'a>(values: impl IntoIterator<Item = &'a str>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

/// The columns `id`, `text` and `date` of `records`.
fn batch(records: &[(String, String, String)]) -> RecordBatch {
    RecordBatch::try_from_iter([
        ("id", strings(records.iter().map(|r| r.0.as_str()))),
        ("text", strings(records.iter().map(|r| r.1.as_str()))),
        ("date", strings(records.iter().map(|r| r.2.as_str()))),
    ])
    .expect("batch")
}

/// Write `batch` as Parquet at `path`, `rows` rows per row group, zstd-compressed.
fn write_parquet(path: &Path, batch: &RecordBatch, rows: usize) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).expect("folder");
    }
    let properties = WriterProperties::builder()
        .set_max_row_group_row_count(Some(rows))
        .set_compression(Compression::ZSTD(ZstdLevel::default()))
        .build();
    let file = fs::File::create(path).expect("create");
    let mut writer = ArrowWriter::try_new(file, batch.schema(), Some(properties)).expect("writer");
    writer.write(batch).expect("write");
    writer.close().expect("close");
}

/// `lifted scan --quiet --format json <args>` in `dir`.
fn scan(dir: &Dir, args: &[&str]) -> Run {
    dir.command()
        .args(["scan", "--quiet", "--format", "json"])
        .args(args)
        .run()
}

/// The scan succeeded and found links: the report, its documents' paths
/// (where each was read: `file:line` for JSONL, `file row N` for Parquet and
/// Arrow) written as if read from `renamed` (`path`, `row`) JSONL lines, so
/// that reports of one corpus in two files compare byte for byte.
fn report(run: &Run, renamed: Option<(&str, &str)>) -> String {
    run.assert_success();
    let links = run.json()["links"].as_array().expect("links").len();
    assert!(links > 0, "the corpus has lifted passages:\n{run}");
    let mut out = run.stdout_str();
    if let Some((from, to)) = renamed {
        let before = out.matches(&format!("\"path\": \"{from}")).count();
        assert!(before > 0, "no path {from} in the report:\n{run}");
        out = out.replace(&format!("\"path\": \"{from}"), &format!("\"path\": \"{to}"));
    }
    out
}

/// The report without its documents' paths (for a corpus split in shards).
fn without_paths(run: &Run) -> serde_json::Value {
    run.assert_success();
    let mut map = run.json();
    for document in map["documents"].as_array_mut().expect("documents") {
        document.as_object_mut().expect("document").remove("path");
    }
    map
}

#[test]
fn parquet_arrow_and_jsonl_give_byte_identical_reports() {
    let dir = Dir::new("columnar-same");
    let records = lemonde();
    dir.create("corpus.jsonl", jsonl(&records, false));
    // Row groups of two rows, so a document's row is in a later row group.
    write_parquet(&dir.join("corpus.parquet"), &batch(&records), 2);
    // A Hugging Face export: shards in a folder.
    let (first, second) = records.split_at(records.len() / 2);
    write_parquet(
        &dir.join("hf/data/train-00000-of-00002.parquet"),
        &batch(first),
        1,
    );
    write_parquet(
        &dir.join("hf/data/train-00001-of-00002.parquet"),
        &batch(second),
        8,
    );
    // Arrow IPC, in the file and in the stream format.
    let whole = batch(&records);
    let mut file = arrow_ipc::writer::FileWriter::try_new(
        fs::File::create(dir.join("corpus.arrow")).expect("create"),
        &whole.schema(),
    )
    .expect("writer");
    file.write(&batch(first)).expect("write");
    file.write(&batch(second)).expect("write");
    file.finish().expect("finish");
    let mut stream = arrow_ipc::writer::StreamWriter::try_new(
        fs::File::create(dir.join("stream.arrow")).expect("create"),
        &whole.schema(),
    )
    .expect("writer");
    stream.write(&whole).expect("write");
    stream.finish().expect("finish");

    let jsonl = scan(&dir, &["corpus.jsonl"]);
    let expected = report(&jsonl, None);
    for input in ["corpus.parquet", "corpus.arrow", "stream.arrow"] {
        let run = scan(&dir, &[input]);
        let rows = format!("{input} row ");
        assert!(
            report(&run, Some((&rows, "corpus.jsonl:"))) == expected,
            "{input} gives another report than the JSONL:\n{run}"
        );
    }
    // At another thread count too.
    let run = scan(&dir, &["corpus.parquet", "--threads", "1"]);
    assert!(report(&run, Some(("corpus.parquet row ", "corpus.jsonl:"))) == expected);
    // The shards: the same report but for the paths, which name each shard.
    let run = scan(&dir, &["hf"]);
    assert_eq!(without_paths(&run), without_paths(&jsonl), "{run}");
    assert!(
        run.stdout_str()
            .contains("\"path\": \"hf/data/train-00001-of-00002.parquet row 1\""),
        "{run}"
    );
}

#[test]
fn dates_in_records_give_the_provenance_of_the_manifest() {
    let dir = Dir::new("columnar-dates");
    let records = lemonde();
    dir.create("plain.jsonl", jsonl(&records, false));
    dir.create("dated.jsonl", jsonl(&records, true));
    write_parquet(&dir.join("dated.parquet"), &batch(&records), 3);
    let manifest = fs::read(Path::new("fixtures/lemonde/manifest.csv")).expect("manifest");
    dir.create("manifest.csv", manifest);

    let provenance = |run: &Run| {
        run.assert_success();
        let map = run.json();
        let dates: Vec<_> = map["documents"]
            .as_array()
            .expect("documents")
            .iter()
            .map(|d| (d["id"].clone(), d["date"].clone()))
            .collect();
        (map["links"].clone(), map["pairs"].clone(), dates)
    };
    let by_manifest = provenance(&scan(&dir, &["plain.jsonl", "--manifest", "manifest.csv"]));
    assert!(
        by_manifest.0.as_array().is_some_and(|l| !l.is_empty()),
        "links"
    );
    for input in ["dated.jsonl", "dated.parquet"] {
        let run = scan(&dir, &[input, "--date-field", "date"]);
        assert_eq!(provenance(&run), by_manifest, "{input}:\n{run}");
    }
    // Without --date-field the dates are not read: the order of input is used.
    let undated = provenance(&scan(&dir, &["dated.jsonl", "--order", "given"]));
    assert_ne!(undated.2, by_manifest.2);
}

#[test]
fn a_manifest_date_wins_over_the_record_date() {
    let dir = Dir::new("columnar-manifest-wins");
    let mut records = lemonde();
    // Wrong dates in the records, the manifest's in the manifest.
    let manifest = fs::read(Path::new("fixtures/lemonde/manifest.csv")).expect("manifest");
    for record in &mut records {
        record.2 = "1999-01-01".to_string();
    }
    dir.create("dated.jsonl", jsonl(&records, true));
    dir.create("plain.jsonl", jsonl(&records, false));
    dir.create("manifest.csv", manifest);
    let both = scan(
        &dir,
        &[
            "dated.jsonl",
            "--date-field",
            "date",
            "--manifest",
            "manifest.csv",
        ],
    );
    let manifest_only = scan(&dir, &["plain.jsonl", "--manifest", "manifest.csv"]);
    assert!(
        report(&both, Some(("dated.jsonl", "plain.jsonl"))) == report(&manifest_only, None),
        "{both}"
    );
    assert!(!both.stdout_str().contains("1999-01-01"), "{both}");
}

#[test]
fn compressed_jsonl_is_read_like_jsonl() {
    let dir = Dir::new("columnar-compressed");
    let records = lemonde();
    let plain = jsonl(&records, false);
    dir.create("corpus.jsonl", &plain);
    // Two zstd frames, as concatenated shards are.
    let (head, tail) = plain.split_at(plain.len() / 2);
    let mut zst = zstd::encode_all(head, 3).expect("zstd");
    zst.extend(zstd::encode_all(tail, 19).expect("zstd"));
    dir.create("corpus.jsonl.zst", zst);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).expect("gzip");
    dir.create("corpus.json.gz", gz.finish().expect("gzip"));

    let expected = report(&scan(&dir, &["corpus.jsonl"]), None);
    for input in ["corpus.jsonl.zst", "corpus.json.gz"] {
        let run = scan(&dir, &[input]);
        let renamed = report(&run, Some((&format!("{input}:"), "corpus.jsonl:")));
        assert!(renamed == expected, "{input}:\n{run}");
    }
    // Inside a folder too.
    dir.create_dir("zst");
    fs::copy(
        dir.join("corpus.jsonl.zst"),
        dir.join("zst/corpus.jsonl.zst"),
    )
    .expect("copy");
    let run = scan(&dir, &["zst"]);
    let renamed = report(&run, Some(("zst/corpus.jsonl.zst:", "corpus.jsonl:")));
    assert!(renamed == expected, "{run}");
}

#[test]
fn a_zstd_bomb_is_refused_at_the_line_limit() {
    let dir = Dir::new("columnar-zstd-bomb");
    // 256 MiB of one line, a few kilobytes compressed.
    let mut encoder = zstd::Encoder::new(Vec::new(), 19).expect("zstd");
    encoder
        .write_all(b"{\"id\": \"x\", \"text\": \"")
        .expect("write");
    let chunk = vec![b'a'; 1 << 20];
    for _ in 0..256 {
        encoder.write_all(&chunk).expect("write");
    }
    let bomb = encoder.finish().expect("zstd");
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    dir.create("bomb.jsonl.zst", bomb);
    let run = scan(&dir, &["bomb.jsonl.zst", "--max-line-bytes", "1M"]);
    run.assert_error(&["bomb.jsonl.zst:1:", "1 MiB", "--max-line-bytes"]);
    // A zstd file not named .zst stays refused as compressed.
    fs::copy(dir.join("bomb.jsonl.zst"), dir.join("bomb.jsonl")).expect("copy");
    scan(&dir, &["bomb.jsonl"]).assert_error(&["bomb.jsonl", "zstd-compressed"]);
}

#[test]
fn bad_columns_name_the_file_and_the_column() {
    let dir = Dir::new("columnar-columns");
    let records = lemonde();
    write_parquet(&dir.join("corpus.parquet"), &batch(&records), 2);
    scan(&dir, &["corpus.parquet", "--text-field", "body"]).assert_error(&[
        "corpus.parquet",
        "no column \"body\"",
        "id, text, date",
        "--text-field",
    ]);
    scan(&dir, &["corpus.parquet", "--date-field", "published"]).assert_error(&[
        "corpus.parquet",
        "\"published\"",
        "--date-field",
    ]);

    // A text column that is not text; an integer id is fine.
    let numbers: ArrayRef = Arc::new(Int64Array::from_iter_values(0..records.len() as i64));
    let typed = RecordBatch::try_from_iter([
        ("id", numbers.clone()),
        ("text", strings(records.iter().map(|r| r.1.as_str()))),
        ("n", numbers),
    ])
    .expect("batch");
    write_parquet(&dir.join("typed.parquet"), &typed, 4);
    scan(&dir, &["typed.parquet", "--text-field", "n"]).assert_error(&[
        "typed.parquet",
        "column \"n\" is Int64, not a string",
        "--text-field",
    ]);
    let run = scan(&dir, &["typed.parquet"]);
    run.assert_success();
    let ids: Vec<_> = run.json()["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(ids, ["0", "1", "2", "3", "4"][..records.len()], "{run}");

    // A truncated file, and one that is not Parquet at all.
    let whole = fs::read(dir.join("corpus.parquet")).expect("read");
    dir.create("cut.parquet", &whole[..whole.len() / 2]);
    dir.create("text.parquet", "id,text\n1,hello\n");
    for name in ["cut.parquet", "text.parquet"] {
        scan(&dir, &[name]).assert_error(&[name, "not a readable Parquet file"]);
    }
    dir.create("cut.arrow", &whole[..100]);
    scan(&dir, &["cut.arrow"]).assert_error(&["cut.arrow", "not a readable Arrow file"]);
}

#[test]
fn bad_dates_name_the_file_and_the_line_or_row() {
    let dir = Dir::new("columnar-bad-dates");
    let mut records = lemonde();
    records[2].2 = "2022-02-30".to_string();
    dir.create("dated.jsonl", jsonl(&records, true));
    write_parquet(&dir.join("dated.parquet"), &batch(&records), 2);
    scan(&dir, &["dated.jsonl", "--date-field", "date"]).assert_error(&[
        "dated.jsonl:3:",
        "\"date\"",
        "--date-field",
    ]);
    scan(&dir, &["dated.parquet", "--date-field", "date"]).assert_error(&[
        "dated.parquet: row 3:",
        "\"date\"",
        "--date-field",
    ]);
    // A date that is not a string in JSONL.
    dir.create(
        "number.jsonl",
        "{\"id\": \"a\", \"text\": \"some words\", \"date\": 2022}\n",
    );
    scan(&dir, &["number.jsonl", "--date-field", "date"])
        .assert_error(&["number.jsonl:1:", "must be an ISO 8601 date string"]);
}

#[test]
fn duplicate_ids_in_parquet_name_both_rows() {
    let dir = Dir::new("columnar-duplicates");
    let mut records = lemonde();
    records[3].0 = records[1].0.clone();
    write_parquet(&dir.join("corpus.parquet"), &batch(&records), 2);
    let id = records[1].0.as_str();
    scan(&dir, &["corpus.parquet"]).assert_error(&[
        "duplicate document id",
        id,
        "corpus.parquet row 2",
        "corpus.parquet row 4",
    ]);
}

#[test]
fn bad_rows_stop_the_scan_or_are_skipped_and_counted() {
    let dir = Dir::new("columnar-bad-rows");
    let records = lemonde();
    let mut texts: Vec<Option<&str>> = records.iter().map(|r| Some(r.1.as_str())).collect();
    texts[1] = None;
    let mut dates: Vec<&str> = records.iter().map(|r| r.2.as_str()).collect();
    dates[3] = "yesterday";
    let with_nulls = RecordBatch::try_from_iter([
        ("id", strings(records.iter().map(|r| r.0.as_str()))),
        ("text", Arc::new(StringArray::from(texts)) as ArrayRef),
        ("date", strings(dates)),
    ])
    .expect("batch");
    write_parquet(&dir.join("holes.parquet"), &with_nulls, 2);
    scan(&dir, &["holes.parquet"]).assert_error(&[
        "holes.parquet: row 2:",
        "text column \"text\" is null",
        "--skip-bad-lines",
    ]);
    let run = scan(
        &dir,
        &["holes.parquet", "--skip-bad-lines", "--date-field", "date"],
    );
    run.assert_success();
    run.warning_with(&["holes.parquet", "2 bad row(s) skipped", "first: row 2"]);
    let documents = run.json()["documents"].as_array().expect("documents").len();
    assert_eq!(documents, records.len() - 2, "{run}");
}

#[test]
fn a_date_field_no_record_has_is_a_warning() {
    let dir = Dir::new("columnar-no-dates");
    dir.create("dated.jsonl", jsonl(&lemonde(), true));
    let run = scan(&dir, &["dated.jsonl", "--date-field", "published"]);
    run.assert_success();
    run.warning_with(&["--date-field", "no record has a date in \"published\""]);
}

#[test]
fn a_corrupt_arrow_footer_is_one_error_not_a_crash() {
    let dir = Dir::new("columnar-arrow-footer");
    let whole = batch(&lemonde());
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(Vec::new(), &whole.schema()).expect("writer");
    writer.write(&whole).expect("write");
    writer.finish().expect("finish");
    let bytes = writer.into_inner().expect("bytes");
    // The footer (before its 4-byte length and the closing magic) and the
    // record batch's block in it: offset (i64), metadata length (i32, then
    // 4 bytes of padding), body length (i64).
    let footer_len =
        i32::from_le_bytes(bytes[bytes.len() - 10..bytes.len() - 6].try_into().unwrap()) as usize;
    let footer_start = bytes.len() - 10 - footer_len;
    let footer = arrow_ipc::root_as_footer(&bytes[footer_start..bytes.len() - 10]).expect("footer");
    let block = footer.recordBatches().expect("batches").get(0);
    let mut pattern = block.offset().to_le_bytes().to_vec();
    pattern.extend(block.metaDataLength().to_le_bytes());
    pattern.extend([0; 4]);
    pattern.extend(block.bodyLength().to_le_bytes());
    let at = bytes[footer_start..]
        .windows(pattern.len())
        .position(|w| w == pattern)
        .expect("the block in the footer")
        + footer_start
        + 16;
    for (length, message) in [
        (-1i64, "a record batch lies outside the file"),
        (1 << 40, "a record batch lies outside the file"),
        // Inside the file, but shorter than the buffers its message names:
        // the arrow reader panics on this one.
        (8, "not a readable Arrow file"),
    ] {
        let mut corrupt = bytes.clone();
        corrupt[at..at + 8].copy_from_slice(&length.to_le_bytes());
        dir.create("corrupt.arrow", corrupt);
        let run = scan(&dir, &["corrupt.arrow"]);
        run.assert_error(&["corrupt.arrow", message]);
        assert!(!run.stderr_str().contains("panicked"), "{run}");
    }
}

#[test]
fn large_and_view_strings_integer_ids_and_timestamps_are_read() {
    use arrow_array::{LargeStringArray, StringViewArray, TimestampMillisecondArray, UInt32Array};
    let dir = Dir::new("columnar-types");
    let records = lemonde();
    dir.create("corpus.jsonl", jsonl(&records, false));
    let expected = report(&scan(&dir, &["corpus.jsonl"]), None);
    // polars writes large_string (older) or string_view (newer) columns.
    let large = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(LargeStringArray::from_iter_values(
                records.iter().map(|r| &r.0),
            )) as ArrayRef,
        ),
        (
            "text",
            Arc::new(LargeStringArray::from_iter_values(
                records.iter().map(|r| &r.1),
            )) as ArrayRef,
        ),
    ])
    .expect("batch");
    write_parquet(&dir.join("large.parquet"), &large, 2);
    let view = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(StringViewArray::from_iter_values(
                records.iter().map(|r| &r.0),
            )) as ArrayRef,
        ),
        (
            "text",
            Arc::new(StringViewArray::from_iter_values(
                records.iter().map(|r| &r.1),
            )) as ArrayRef,
        ),
    ])
    .expect("batch");
    write_parquet(&dir.join("view.parquet"), &view, 2);
    // pandas categoricals: dictionary-encoded columns.
    type Categorical = arrow_array::DictionaryArray<arrow_array::types::Int32Type>;
    let categorical = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(
                records
                    .iter()
                    .map(|r| r.0.as_str())
                    .collect::<Categorical>(),
            ) as ArrayRef,
        ),
        (
            "text",
            Arc::new(
                records
                    .iter()
                    .map(|r| r.1.as_str())
                    .collect::<Categorical>(),
            ) as ArrayRef,
        ),
    ])
    .expect("batch");
    write_parquet(&dir.join("categorical.parquet"), &categorical, 2);
    for input in ["large.parquet", "view.parquet", "categorical.parquet"] {
        let run = scan(&dir, &[input]);
        let rows = format!("{input} row ");
        assert!(
            report(&run, Some((&rows, "corpus.jsonl:"))) == expected,
            "{run}"
        );
    }

    // Unsigned ids and a timestamp column (milliseconds, UTC): the dates are
    // written ISO 8601 and compare as the manifest's do.
    let stamps: Vec<i64> = records
        .iter()
        .map(|r| {
            let noon = lifted::manifest::Date::parse(&format!("{}T12:00:00Z", r.2));
            let utc = jiff::tz::Offset::UTC.to_timestamp(noon.expect("date").first());
            utc.expect("in range").as_millisecond()
        })
        .collect();
    let typed = RecordBatch::try_from_iter([
        (
            "id",
            Arc::new(UInt32Array::from_iter_values(0..records.len() as u32)) as ArrayRef,
        ),
        ("text", strings(records.iter().map(|r| r.1.as_str()))),
        (
            "published",
            Arc::new(TimestampMillisecondArray::from(stamps).with_timezone("UTC")) as ArrayRef,
        ),
    ])
    .expect("batch");
    write_parquet(&dir.join("typed.parquet"), &typed, 2);
    let run = scan(&dir, &["typed.parquet", "--date-field", "published"]);
    run.assert_success();
    let map = run.json();
    let first = &map["documents"][0];
    assert_eq!(first["id"], "0", "{run}");
    let date = format!("{}T12:00:00Z", records[0].2);
    assert_eq!(first["date"], date.as_str(), "{run}");
    assert!(!map["links"].as_array().expect("links").is_empty(), "{run}");
    assert!(
        map["links"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["directed"] == true),
        "every link has a direction from the dates:\n{run}"
    );
}

/// The rows of a Parquet file written by `lifted scan --format parquet`.
fn read_table(path: &Path) -> Vec<RecordBatch> {
    let file = fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file)
        .expect("a Parquet file")
        .build()
        .expect("reader")
        .collect::<Result<Vec<_>, _>>()
        .expect("batches")
}

#[test]
fn format_parquet_writes_the_four_tables() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Float64Type, UInt32Type, UInt64Type};
    let dir = Dir::new("columnar-output");
    let records = lemonde();
    dir.create("corpus.jsonl", jsonl(&records, true));
    let json = scan(&dir, &["corpus.jsonl", "--date-field", "date"]);
    json.assert_success();
    let map = json.json();
    let run = dir.lifted([
        "scan",
        "--quiet",
        "corpus.jsonl",
        "--date-field",
        "date",
        "--format",
        "parquet",
        "-o",
        "tables",
    ]);
    run.assert_success();
    let mut names: Vec<String> = fs::read_dir(dir.join("tables"))
        .expect("the folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "documents.parquet",
            "links.parquet",
            "pairs.parquet",
            "passages.parquet"
        ]
    );

    let documents = read_table(&dir.join("tables/documents.parquet"));
    let documents = &documents[0];
    assert_eq!(
        documents.num_rows(),
        map["documents"].as_array().unwrap().len()
    );
    let ids = documents.column_by_name("id").unwrap().as_string::<i32>();
    let bytes = documents
        .column_by_name("bytes")
        .unwrap()
        .as_primitive::<UInt64Type>();
    let dates = documents.column_by_name("date").unwrap().as_string::<i32>();
    for (i, document) in map["documents"].as_array().unwrap().iter().enumerate() {
        assert_eq!(ids.value(i), document["id"]);
        assert_eq!(bytes.value(i), document["bytes"].as_u64().unwrap());
        assert_eq!(dates.value(i), document["date"]);
    }

    let links = read_table(&dir.join("tables/links.parquet"));
    let rows: usize = links.iter().map(|b| b.num_rows()).sum();
    let expected = map["links"].as_array().unwrap();
    assert!(!expected.is_empty());
    assert_eq!(rows, expected.len());
    let links = &links[0];
    let source = links
        .column_by_name("source_doc")
        .unwrap()
        .as_string::<i32>();
    let start = links
        .column_by_name("target_start")
        .unwrap()
        .as_primitive::<UInt32Type>();
    let similarity = links
        .column_by_name("similarity")
        .unwrap()
        .as_primitive::<Float64Type>();
    let directed = links.column_by_name("directed").unwrap().as_boolean();
    for (i, link) in expected.iter().enumerate() {
        assert_eq!(source.value(i), link["source"]["doc"]);
        assert_eq!(
            u64::from(start.value(i)),
            link["target"]["start"].as_u64().unwrap()
        );
        assert_eq!(similarity.value(i), link["similarity"].as_f64().unwrap());
        assert_eq!(directed.value(i), link["directed"].as_bool().unwrap());
    }

    let copies: usize = map["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["copies"].as_array().unwrap().len())
        .sum();
    let passages = read_table(&dir.join("tables/passages.parquet"));
    assert_eq!(passages.iter().map(|b| b.num_rows()).sum::<usize>(), copies);
    let pairs = read_table(&dir.join("tables/pairs.parquet"));
    assert_eq!(
        pairs.iter().map(|b| b.num_rows()).sum::<usize>(),
        map["pairs"].as_array().unwrap().len()
    );
}

#[test]
fn format_parquet_needs_a_folder_and_leaves_nothing_on_failure() {
    let dir = Dir::new("columnar-output-bad");
    dir.create("corpus.jsonl", jsonl(&lemonde(), false));
    dir.lifted(["scan", "--quiet", "corpus.jsonl", "--format", "parquet"])
        .assert_error(&["--format parquet", "--output"]);
    dir.create("file", "not a folder");
    dir.lifted([
        "scan",
        "--quiet",
        "corpus.jsonl",
        "--format",
        "parquet",
        "-o",
        "file",
    ])
    .assert_error(&["file", "not a folder"]);
    // A failed scan creates no folder.
    dir.lifted([
        "scan",
        "--quiet",
        "missing.jsonl",
        "--format",
        "parquet",
        "-o",
        "tables",
    ])
    .assert_error(&["missing.jsonl"]);
    assert!(!dir.join("tables").exists());
}
