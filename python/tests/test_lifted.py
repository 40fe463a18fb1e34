"""Tests of the Python package `lifted` (run by .ci/run after `pip install .`).

They run from any folder: paths are relative to the repository root, found
from this file. The command-line comparisons run the binary that `cargo
test` built (target/debug/lifted, or $LIFTED_BIN); a missing binary fails.
"""

import csv
import datetime
import json
import os
import pathlib
import signal
import subprocess
import threading
import time

import pytest

import lifted

ROOT = pathlib.Path(__file__).resolve().parents[2]
LEMONDE = "fixtures/lemonde"
MANIFEST = "fixtures/lemonde/manifest.csv"


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Paths in the map are as given: run where the CLI's goldens were made."""
    monkeypatch.chdir(ROOT)


def cli(*args):
    """The map `lifted scan ARGS --format json` writes, parsed."""
    binary = os.environ.get("LIFTED_BIN") or str(ROOT / "target" / "debug" / "lifted")
    assert os.path.isfile(binary), f"{binary} missing: run `cargo build` first (or set LIFTED_BIN)"
    out = subprocess.run(
        [binary, "scan", *args, "--format", "json", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def lemonde_texts():
    """The fixture's texts, their ids (file names) and manifest dates."""
    files = sorted((ROOT / LEMONDE).glob("0*.txt"))
    with open(ROOT / MANIFEST, newline="", encoding="utf-8") as f:
        dates = {row["id"]: row["date"] for row in csv.DictReader(f)}
    ids = [f.name for f in files]
    return [f.read_text(encoding="utf-8") for f in files], ids, [dates[i] for i in ids]


def test_scan_files_equals_the_cli_json_and_the_golden():
    python = lifted.scan_files([LEMONDE], manifest=MANIFEST)
    assert python == cli(LEMONDE, "--manifest", MANIFEST)
    with open(ROOT / LEMONDE / "expected.json", encoding="utf-8") as f:
        assert python == json.load(f)
    assert python["parameters"]["chronology"] == "manifest"
    assert len(python["links"]) > 0 and all(link["directed"] for link in python["links"])


def test_scan_files_with_options_equals_the_cli():
    python = lifted.scan_files(LEMONDE, order="given", min_words=12, fold_accents=True, threads=1)
    assert python == cli(LEMONDE, "--order", "given", "--min-words", "12", "--fold-accents")
    assert python["parameters"]["min_words"] == 12


def test_scan_in_memory_equals_the_cli_but_for_the_paths():
    texts, ids, dates = lemonde_texts()
    python = lifted.scan(texts, ids=ids, dates=dates)
    expected = cli(LEMONDE, "--manifest", MANIFEST)
    assert [d.pop("path") for d in python["documents"]] == [f"texts[{ids.index(d['id'])}]" for d in expected["documents"]]
    for d in expected["documents"]:
        del d["path"]
        # The manifest's titles: a scan in memory is given dates, not a manifest.
        d.pop("title", None)
        d.pop("url", None)
    assert python == expected


def test_records_and_dates_as_date_objects():
    texts, ids, dates = lemonde_texts()
    records = [
        {"id": i, "text": t, "date": datetime.date.fromisoformat(d)} for i, t, d in zip(ids, texts, dates)
    ]
    from_records = lifted.scan(records)
    assert from_records == lifted.scan(texts, ids=ids, dates=dates)
    assert [d["date"] for d in from_records["documents"]] == sorted(dates, key=lambda d: ids[dates.index(d)])
    # Le Monde (002, the oldest) is the source of every link into 000.
    into_000 = [l for l in from_records["links"] if l["target"]["doc"].startswith("000_")]
    assert into_000 and all(l["source"]["doc"].startswith("002_") for l in into_000)


def test_dates_direct_links_and_a_time_is_taken():
    passage = "Les origines de Kiwi Farms remontent à 2007 sur 4Chan, rappelait le magazine dans son article."
    texts = [f"Plus tard. {passage}", f"{passage} Plus tôt."]
    undirected = lifted.scan(texts)
    assert [l["directed"] for l in undirected["links"]] == [False]
    later = datetime.datetime(2022, 9, 4, 10, 30, tzinfo=datetime.timezone.utc)
    dated = lifted.scan(texts, dates=[later, "2022-09-01"])
    [link] = dated["links"]
    assert link["directed"] and (link["source"]["doc"], link["target"]["doc"]) == ("1", "0")
    assert [d["date"] for d in dated["documents"]] == ["2022-09-04T10:30:00+00:00", "2022-09-01"]
    # order="given": input order is chronological, the first is the source.
    [given] = lifted.scan(texts, order="given")["links"]
    assert given["directed"] and given["source"]["doc"] == "0"


def test_scan_files_dates_by_id():
    _, ids, dates = lemonde_texts()
    by_id = lifted.scan_files(LEMONDE, dates=dict(zip(ids, dates)))
    manifest = lifted.scan_files(LEMONDE, manifest=MANIFEST)
    # The same but for the manifest's titles, which dates do not give.
    assert any("title" in d for d in manifest["documents"])
    for d in manifest["documents"]:
        d.pop("title", None)
        d.pop("url", None)
    assert by_id == manifest


@pytest.mark.parametrize(
    "options, message",
    [
        ({"threshold": 2}, "invalid threshold: 2 is outside the allowed range (0, 1]"),
        ({"ngram": -1}, "invalid ngram: -1 is not a count"),
        ({"preset": "slow"}, 'invalid preset: "slow": use "fast" or "thorough"'),
        ({"order": "oldest"}, 'invalid order: "oldest": use "none" or "given"'),
        ({"threads": 100000}, "invalid threads: 100000 is outside"),
        ({"max_bucket": 1}, "invalid max_bucket"),
    ],
)
def test_a_bad_option_value_raises_value_error_with_the_message(options, message):
    with pytest.raises(ValueError) as raised:
        lifted.scan(["some text"], **options)
    assert str(raised.value).startswith(message), str(raised.value)
    with pytest.raises(ValueError) as raised:
        lifted.scan_files(LEMONDE, **options)
    assert str(raised.value).startswith(message)


def test_the_cli_refuses_what_python_refuses():
    """The ValueError's message is the CLI's, but for the dashes."""
    binary = os.environ.get("LIFTED_BIN") or str(ROOT / "target" / "debug" / "lifted")
    out = subprocess.run([binary, "scan", LEMONDE, "--threshold", "2"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 2
    with pytest.raises(ValueError) as raised:
        lifted.scan_files(LEMONDE, threshold=2)
    flag = str(raised.value).replace("invalid ", "invalid --", 1).replace("_", "-")
    assert flag in out.stderr, (flag, out.stderr)


def test_unknown_options_and_wrong_types_raise_type_error():
    with pytest.raises(TypeError, match='unexpected keyword argument "thresold"'):
        lifted.scan(["text"], thresold=0.5)
    with pytest.raises(TypeError, match='unexpected keyword argument "jsonl"'):
        lifted.scan(["text"], jsonl=True)  # a scan_files option
    with pytest.raises(TypeError, match="option min_words takes an int"):
        lifted.scan(["text"], min_words="8")
    with pytest.raises(TypeError, match="option fold_accents takes a bool"):
        lifted.scan(["text"], fold_accents="yes")
    with pytest.raises(TypeError):
        lifted.scan("one text, not a list")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        lifted.scan(["text", 42])


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError, match=r'duplicate document id "a" \(texts\[0\] and texts\[1\]\)'):
        lifted.scan(["one", "two"], ids=["a", "a"])
    with pytest.raises(ValueError, match=r'dates\[1\] \("1"\)'):
        lifted.scan(["one", "two"], dates=["2022-09-01", "2022-13-45"])
    with pytest.raises(ValueError, match="2 dates for 3 texts"):
        lifted.scan(["a", "b", "c"], dates=["2022-09-01", None])
    with pytest.raises(ValueError, match="cannot be used together"):
        lifted.scan(["a", "b"], dates=["2022-09-01", None], order="given")
    with pytest.raises(ValueError, match="no documents"):
        lifted.scan([])
    with pytest.raises(ValueError, match=r"texts\[0\]: no 'body' field"):
        lifted.scan([{"text": "a"}], text_field="body")
    with pytest.raises(ValueError, match='invalid dates: no document has the id "nope"'):
        lifted.scan_files(LEMONDE, dates={"nope": "2022-09-01"})
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        lifted.scan_files("fixtures/no-such-folder")
    with pytest.raises(ValueError, match="expected.csv:1: the header row must start with id,date"):
        lifted.scan_files(LEMONDE, manifest="fixtures/lemonde/expected.csv")


def test_warnings_are_in_the_map_and_issued(tmp_path):
    (tmp_path / "a.txt").write_text("Un texte assez long pour être lu, dans un fichier texte.", encoding="utf-8")
    (tmp_path / "b.bin").write_bytes(b"\x00\x01\x02binary\x00" * 10)
    with pytest.warns(lifted.LiftedWarning, match="b.bin"):
        report = lifted.scan_files(tmp_path)
    assert [w["path"] for w in report["warnings"]] == [str(tmp_path / "b.bin")]


def test_tables_as_pandas_and_pyarrow():
    report = lifted.scan_files(LEMONDE, manifest=MANIFEST)
    frames = lifted.tables(report, kind="pandas")
    assert set(frames) == {"documents", "pairs", "passages", "copies", "links"}
    assert len(frames["documents"]) == 5 and len(frames["links"]) == len(report["links"])
    assert len(frames["copies"]) == sum(len(p["copies"]) for p in report["passages"])
    first = report["links"][0]
    row = frames["links"].iloc[0]
    assert (row["source_doc"], row["source_start"], row["target_end"]) == (
        first["source"]["doc"],
        first["source"]["start"],
        first["target"]["end"],
    )
    arrow = lifted.tables(report, kind="pyarrow")
    assert arrow["links"].num_rows == len(report["links"])
    assert arrow["documents"].column("date").to_pylist() == [d["date"] for d in report["documents"]]
    assert set(lifted.tables(report)) == set(frames)  # auto: pandas here
    with pytest.raises(ValueError, match="invalid kind"):
        lifted.tables(report, kind="excel")


def slow_corpus():
    """Enough copies of the fixture's texts for a scan of many seconds."""
    texts, _, _ = lemonde_texts()
    return texts * 80


def test_the_gil_is_released_during_a_scan():
    texts = slow_corpus()[:150]
    done = threading.Event()
    ticks = 0

    def work():
        lifted.scan(texts, max_bucket=10000)
        done.set()

    worker = threading.Thread(target=work)
    started = time.monotonic()
    worker.start()
    while not done.is_set():
        ticks += 1
        time.sleep(0.001)
    worker.join()
    took = time.monotonic() - started
    assert took > 0.2, "the scan was too short to tell"
    # The main thread ran all along (about one tick a millisecond when free).
    assert ticks > 50 * took, (ticks, took)


def test_ctrl_c_interrupts_a_long_scan():
    texts = slow_corpus()
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT))
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            lifted.scan(texts, max_bucket=10000)
    finally:
        timer.cancel()
    took = time.monotonic() - started
    # Uninterrupted, this scan takes tens of seconds.
    assert took < 4.0, f"the scan stopped {took:.1f} s after it started"
    # And the next scan runs as usual.
    assert lifted.scan(["text"])["documents"][0]["id"] == "0"


def stub_options(function):
    """The keyword-only options and defaults that __init__.pyi gives `function`."""
    import ast

    stub = pathlib.Path(lifted.__file__).with_name("__init__.pyi")
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    [node] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function]
    return {a.arg: ast.literal_eval(d) for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults)}


@pytest.mark.parametrize("function", ["scan", "scan_files", "dedup"])
def test_the_stubs_name_every_option_with_its_default(function):
    options = stub_options(function)
    call = getattr(lifted, function)
    first = ["Un texte."] if function in ("scan", "dedup") else LEMONDE
    # Every default in the stub is the default: passing them all changes nothing.
    assert call(first, **options) == call(first)
    # And the stub names every option the function takes (the error lists them).
    with pytest.raises(TypeError) as raised:
        call(first, no_such_option=1)
    listed = str(raised.value).split("the options are: ")[1].split(", ")
    records = {"id_field", "text_field", "date_field"}
    python_only = {"scan": records, "dedup": records, "scan_files": {"manifest", "dates"}}
    assert set(listed) == set(options) - python_only[function]


def test_a_dataframe_or_an_arrow_table_is_read_by_rows():
    import pandas
    import pyarrow

    texts, ids, dates = lemonde_texts()
    expected = lifted.scan(texts, ids=ids, dates=dates)
    frame = pandas.DataFrame({"id": ids, "text": texts, "date": pandas.to_datetime(dates)})
    from_frame = lifted.scan(frame)
    # pandas' dates are times (midnight): the same order, written as times.
    assert [d["date"] for d in from_frame["documents"]] == [d["date"] + "T00:00:00" for d in expected["documents"]]
    assert from_frame["links"] == expected["links"]
    table = pyarrow.table({"id": ids, "body": texts, "date": dates})
    assert lifted.scan(table, text_field="body") == expected
    # A missing date (NaT) is unknown, as None is.
    frame.loc[0, "date"] = pandas.NaT
    assert lifted.scan(frame)["documents"][0].get("date") is None


def test_the_package_version_is_the_tool_version_the_map_names():
    assert lifted.__version__ == lifted.scan(["Un texte."])["tool"]["version"]
    from importlib.metadata import version

    assert version("lifted") == lifted.__version__


# lifted.dedup: the summary `lifted dedup --summary` writes, `removed` as
# `--dry-run` lists it, and the kept documents as `--output` writes them.


def cli_dedup(tmp_path, *args):
    """`lifted dedup ARGS --dry-run --summary FILE`: the lines listed and the
    summary; then `--output FILE`: the records written."""
    binary = os.environ.get("LIFTED_BIN") or str(ROOT / "target" / "debug" / "lifted")
    assert os.path.isfile(binary), f"{binary} missing: run `cargo build` first (or set LIFTED_BIN)"
    summary = tmp_path / "summary.json"
    out = subprocess.run(
        [binary, "dedup", *args, "--dry-run", "--summary", str(summary)],
        cwd=ROOT, capture_output=True, check=True,
    )
    listed = [json.loads(line) for line in out.stdout.splitlines()]
    written = tmp_path / "out.jsonl"
    subprocess.run([binary, "dedup", *args, "--output", str(written)], cwd=ROOT, capture_output=True, check=True)
    with open(written, encoding="utf-8") as f:
        kept = [json.loads(line) for line in f]
    return listed, json.loads(summary.read_text(encoding="utf-8")), kept


def lemonde_with_copies():
    """The fixture's texts, an exact copy of the first and a lightly edited
    copy of the second, as records (the copies last in input order)."""
    texts, ids, dates = lemonde_texts()
    edited = texts[1].replace("le ", "la ", 3)
    assert edited != texts[1]
    records = [{"id": i, "text": t} for i, t in zip(ids, texts)]
    records += [{"id": "copy", "text": texts[0]}, {"id": "edited", "text": edited}]
    return records, dates + ["2022-01-01", "2030-01-01"]


def test_dedup_removes_exact_duplicates_and_keeps_the_first():
    result = lifted.dedup(["one two three four five six", "other words here, many of them", "one two three four five six"])
    assert result["removed"] == [{"id": "2", "kept": "0", "matched": "0", "jaccard": 1.0, "bytes": 27}]
    assert result["kept"] == [
        {"id": "0", "text": "one two three four five six"},
        {"id": "1", "text": "other words here, many of them"},
    ]
    assert (result["documents"], result["documents_removed"], result["documents_written"]) == (3, 1, 2)
    assert result["bytes_removed"] == 27
    assert result["reason"].endswith("by input order")


def test_dedup_keeps_the_earliest_by_date_and_undated_last():
    text = "the same words in the same order, twice over"
    result = lifted.dedup([text, text, text], ids=["late", "early", "undated"],
                          dates=["2022-09-02", datetime.date(2022, 9, 1), None])
    assert [(r["id"], r["kept"]) for r in result["removed"]] == [("late", "early"), ("undated", "early")]
    assert result["kept"] == [{"id": "early", "text": text}]
    assert "by date" in result["reason"]
    # Records carry their dates too.
    records = [{"id": "a", "text": text, "date": "2023-01-01"}, {"id": "b", "text": text, "date": "2021-01-01"}]
    assert [r["id"] for r in lifted.dedup(records)["removed"]] == ["a"]


@pytest.mark.parametrize("level", ["document", "paragraph"])
def test_dedup_equals_the_cli_dry_run_summary_and_output(tmp_path, level):
    records, _ = lemonde_with_copies()
    corpus = tmp_path / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    listed, summary, written = cli_dedup(tmp_path, str(corpus), "--level", level)
    result = lifted.dedup(records, level=level)
    kept = result.pop("kept")
    assert result["removed"] == listed
    assert result == summary
    assert kept == written
    # Something was found: the copies (documents) or the lifted paragraphs.
    if level == "document":
        assert [(r["id"], r["kept"]) for r in listed] == [("copy", records[0]["id"]), ("edited", records[1]["id"])]
        assert listed[1]["jaccard"] < 1.0
    else:
        assert summary["paragraphs_removed"] > 10 and summary["bytes_removed"] > 0
        assert all("start" in r and "kept_start" in r for r in listed)


def test_dedup_with_dates_equals_the_cli_with_a_manifest(tmp_path):
    records, dates = lemonde_with_copies()
    corpus = tmp_path / "corpus.jsonl"
    manifest = tmp_path / "manifest.csv"
    with open(corpus, "w", encoding="utf-8") as f, open(manifest, "w", encoding="utf-8") as m:
        m.write("id,date\n")
        for record, date in zip(records, dates):
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            m.write(f"{record['id']},{date}\n")
    listed, summary, written = cli_dedup(tmp_path, str(corpus), "--manifest", str(manifest), "--threshold", "0.6")
    result = lifted.dedup(records, dates=dates, threshold=0.6)
    kept = result.pop("kept")
    assert result == summary and result["removed"] == listed and kept == written
    # The copy is dated before the fixture's first text: it is the one kept.
    assert ("copy" not in [r["id"] for r in listed]) and records[0]["id"] in [r["id"] for r in listed]


@pytest.mark.parametrize(
    "options, message",
    [
        ({"level": "sentence"}, 'invalid level: "sentence": use "document" or "paragraph"'),
        ({"threshold": 2}, "invalid threshold: 2 is outside the allowed range (0, 1]"),
        ({"ngram": -1}, "invalid ngram: -1 is not a count"),
        ({"max_bucket": 1}, "invalid max_bucket"),
    ],
)
def test_dedup_bad_option_value_raises_value_error(options, message):
    with pytest.raises(ValueError) as raised:
        lifted.dedup(["some text", "some text"], **options)
    assert str(raised.value).startswith(message), str(raised.value)


def test_dedup_unknown_option_and_bad_input_raise():
    with pytest.raises(TypeError, match='dedup\\(\\) got an unexpected keyword argument "thresold"'):
        lifted.dedup(["text"], thresold=0.5)
    with pytest.raises(TypeError, match="dedup\\(\\) takes a sequence"):
        lifted.dedup("one text")
    with pytest.raises(ValueError, match="no documents"):
        lifted.dedup([])
    with pytest.raises(ValueError, match='duplicate document id "a"'):
        lifted.dedup(["one", "two"], ids=["a", "a"])
