#!/usr/bin/env python3
"""Run `lifted scan` on Apache Spark: the same provenance map, computed by
the Rust stages of `lifted` called per partition (issue 15).

    contrib/spark/.venv/bin/python contrib/spark/lifted_spark.py \\
        --master spark://HOST:7077 [every flag of lifted scan] PATH... --output MAP.json

writes what `lifted scan [the same flags] PATH... --output MAP.json` writes.

The route (the stage list and schemas are in the stages spec, issue 15):
1. ingest, on the driver: `lifted stage ingest --world-size 1` reads the
   inputs once and writes the documents as Parquet into the work folder;
2. sign: the documents as a DataFrame, `mapInArrow` through
   `lifted worker sign` -> rows (band, key, doc, segment): band rows
   (band >= 0) of the segments of --min-words words or more, fingerprint
   rows (band -1) and one count row per document (band -2, key = its
   segments, all of them), whose sum is the map's stats.segments;
3. candidates, the one big shuffle, in Spark SQL: LSH buckets grouped by
   (band, key), every pair of a bucket of at most --max-bucket segments, a
   star from its first member (smallest document id, then segment) for a
   larger one, counted as oversized; fingerprints grouped by key >> doc_bits
   into document pairs (groups over --max-bucket counted, dropped);
4. align: the deduplicated edges joined with both texts, repartitioned by
   document pair, `mapInArrow` through `lifted worker align`, written as
   Parquet into the work folder;
5. report, on the driver: `lifted stage report` clusters, traces provenance
   and writes the map exactly as `lifted scan` does (temporary file, then
   rename: no partial output).

The `lifted` binary is shipped to the executors with `SparkContext.addFile`.
The work folder must be visible at the same path to the driver and every
executor (one machine, or a shared file system), as in a Slurm job array.

Exit codes: 0 ok; 2 usage or input error, or a failed Spark job, with one
line on standard error; 130 on Ctrl-C. The work folder is removed unless
--work is given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROG = "lifted_spark"

# Every flag of `lifted scan`: (name, takes a value, repeatable). A test
# compares this list with `lifted scan --help`, so a new scan flag is not
# forgotten here.
SCAN_FLAGS = [
    ("--jsonl", False, False),
    ("--id-field", True, False),
    ("--text-field", True, False),
    ("--date-field", True, False),
    ("--skip-bad-lines", False, False),
    ("--strict", False, False),
    ("--follow", False, False),
    ("--max-doc-bytes", True, False),
    ("--max-line-bytes", True, False),
    ("--ngram", True, False),
    ("--permutations", True, False),
    ("--threshold", True, False),
    ("--bands", True, False),
    ("--rows", True, False),
    ("--window", True, False),
    ("--min-words", True, False),
    ("--max-gap", True, False),
    ("--fold-accents", False, False),
    ("--within-doc", False, False),
    ("--max-bucket", True, False),
    ("--pairs-only", False, False),
    ("--manifest", True, False),
    ("--order", True, False),
    ("--max-docs-frac", True, False),
    ("--keep-boilerplate", False, False),
    ("--threads", True, False),
    ("--quiet", False, False),
    ("--preset", True, False),
    ("--timings", False, False),
    ("--format", True, False),
    ("--compact", False, False),
    ("--pretty", False, False),
    ("--excerpt", True, False),
    ("--details", False, False),
    ("--doc", True, True),
    ("--color", True, False),
    ("--output", True, False),
]
SHORT = {"--quiet": "-q", "--output": "-o"}
# The flags `lifted worker` takes (scan's matching parameters); the others
# are read by the driver-side stages (ingest, report) only. --threads is
# set to 1 for the workers: one task, one core.
WORKER_FLAGS = {"--ngram", "--permutations", "--threshold", "--bands", "--rows", "--window",
                "--min-words", "--max-gap", "--fold-accents", "--within-doc", "--max-bucket",
                "--pairs-only", "--preset"}

SIGNS_DDL = "band int, key long, doc long, segment int"
# The band of a sign row that holds a document's count of segments in `key`
# (lifted's sign::COUNT_BAND); -1 is a fingerprint row.
COUNT_BAND = -2
FINGERPRINT_BAND = -1
RESULTS_DDL = ("kind int, a long, b long, a_segment int, b_segment int, sequence int, "
               "a_start long, a_end long, b_start long, b_end long, jaccard double, "
               "containment double, words long, edits long, a_words long, b_words long")


class UsageError(Exception):
    """Bad flags or input: one line on standard error, exit 2."""


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lifted_spark.py",
        description="Scan documents for lifted passages on Apache Spark: the same provenance "
                    "map as `lifted scan` with the same flags.",
        epilog="Every flag of `lifted scan` is accepted and means the same (see lifted scan --help).")
    parser.add_argument("--master", default="local[*]",
                        help="Spark master URL: local[N], spark://HOST:PORT, yarn, ... (default local[*])")
    parser.add_argument("--lifted", default=str(REPO / "target" / "release" / "lifted"),
                        help="the lifted binary to run and ship to the executors "
                             "(default: target/release/lifted of this repository)")
    parser.add_argument("--work", help="work folder for the stages' Parquet files, visible at "
                                       "this path to every executor (default: a temporary "
                                       "folder, removed at the end)")
    parser.add_argument("--partitions", type=int, default=0,
                        help="partitions of the sign and align steps and of the shuffles "
                             "(default: 2 per core of the cluster)")
    parser.add_argument("--metrics", metavar="FILE",
                        help="write Spark's per-step metrics (shuffle bytes and records, "
                             "run time) to FILE as JSON")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting (repeatable), as spark-submit --conf")
    for name, value, repeat in SCAN_FLAGS:
        names = [SHORT[name], name] if name in SHORT else [name]
        if repeat:
            parser.add_argument(*names, action="append", default=[], metavar="VALUE")
        elif value:
            parser.add_argument(*names, metavar="VALUE")
        else:
            parser.add_argument(*names, action="store_true")
    parser.add_argument("paths", nargs="+", metavar="PATH")

    # argparse prints its usage and one error line and exits 2 on bad flags.
    args = parser.parse_intermixed_args(argv)
    if args.partitions < 0:
        parser.error("--partitions must be 0 (automatic) or more")
    for item in args.conf:
        if "=" not in item:
            parser.error(f"--conf {item}: expected KEY=VALUE")
    return args


def scan_flags(args: argparse.Namespace, keep=lambda name: True) -> list[str]:
    """The scan flags given, as a `lifted` argument list."""
    out: list[str] = []
    for name, value, repeat in SCAN_FLAGS:
        if not keep(name):
            continue
        got = getattr(args, name[2:].replace("-", "_"))
        if repeat:
            for item in got:
                out += [name, item]
        elif value:
            if got is not None:
                out += [name, got]
        elif got:
            out.append(name)
    return out


def log(args: argparse.Namespace, message: str) -> None:
    """Progress, as lifted draws its bars: only on a terminal, not with -q."""
    if not args.quiet and sys.stderr.isatty():
        print(f"{PROG}: {message}", file=sys.stderr, flush=True)


class Timings:
    """Wall time of each step, printed at the end with --timings."""

    def __init__(self):
        self.steps: list[tuple[str, float]] = []
        self.last = time.monotonic()

    def lap(self, step: str) -> None:
        now = time.monotonic()
        self.steps.append((step, now - self.last))
        self.last = now

    def line(self) -> str:
        total = sum(seconds for _, seconds in self.steps)
        parts = ", ".join(f"{step} {seconds:.2f} s" for step, seconds in self.steps)
        return f"{PROG}: {parts}; total {total:.2f} s"


def run_stage(lifted: str, stage: str, work: Path, flags: list[str], paths: list[str]) -> None:
    """`lifted stage STAGE --rank 0 --world-size 1` on the driver; its own
    one-line error goes to standard error as it is."""
    cmd = [lifted, "stage", stage, "--rank", "0", "--world-size", "1", "--work", str(work),
           *flags, "--", *paths]
    code = subprocess.run(cmd).returncode
    if code != 0:
        raise StageFailed(code)


class StageFailed(Exception):
    def __init__(self, code: int):
        super().__init__(code)
        self.code = code


# -- the executor side --------------------------------------------------------

def worker_function(stage: str, flags: list[str], binary: str, ddl_schema):
    """A mapInArrow function that pipes a partition's record batches through
    `lifted worker STAGE` (Arrow IPC stream on its standard input and output).

    One process per partition: a thread writes the input batches, another
    drains standard error, and the batches read back are cast to the
    declared schema (a no-op when the worker wrote exactly those types)."""

    def run(batches):
        import pyarrow as pa
        import pyarrow.ipc as ipc
        from pyspark import SparkFiles

        batches = iter(batches)
        first = next(batches, None)
        if first is None:
            return  # an empty partition: nothing to sign or align
        path = SparkFiles.get(binary)
        if not os.access(path, os.X_OK):
            os.chmod(path, 0o755)
        proc = subprocess.Popen([path, "worker", stage, *flags], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        failure: list[BaseException] = []
        stderr: list[bytes] = []

        def feed():
            try:
                with ipc.new_stream(proc.stdin, first.schema) as writer:
                    writer.write_batch(first)
                    for batch in batches:
                        writer.write_batch(batch)
            except BrokenPipeError:
                pass  # the worker stopped reading: its exit code tells why
            except BaseException as err:  # noqa: BLE001 - re-raised below
                failure.append(err)
            finally:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass

        feeder = threading.Thread(target=feed, daemon=True)
        drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True)
        feeder.start()
        drain.start()
        finished = False
        try:
            reader = ipc.open_stream(proc.stdout)
            schema = pa.schema([(f.name, f.type) for f in ddl_schema])
            for batch in reader:
                yield batch.cast(schema) if batch.schema != schema else batch
            finished = True
        except pa.ArrowInvalid as err:
            finished = True  # a failed worker's exit code says why; else this does
            failure.append(RuntimeError(f"lifted worker {stage} failed: its output is not "
                                        f"an Arrow IPC stream ({err})"))
        finally:
            if not finished:
                proc.kill()  # the task was cancelled: do not wait on full pipes
            feeder.join()
            proc.stdout.close()
            code = proc.wait()
            drain.join()
        message = b"".join(stderr).decode(errors="replace").strip()
        if code != 0:
            raise RuntimeError(f"lifted worker {stage} failed (exit {code}): {message}")
        if failure:
            raise failure[0]

    return run


def arrow_fields(ddl: str):
    """The pyarrow fields of a Spark DDL schema of int, long and double columns."""
    import pyarrow as pa

    types = {"int": pa.int32(), "long": pa.int64(), "double": pa.float64()}
    fields = []
    for column in ddl.split(","):
        name, kind = column.split()
        fields.append(pa.field(name, types[kind]))
    return fields


# -- the driver ----------------------------------------------------------------

def spark_session(args: argparse.Namespace, partitions: int):
    """A session quiet on standard error (log4j2.properties: errors only)."""
    from pyspark.sql import SparkSession

    # The executors run this Python unless told otherwise: it has pyarrow.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("SPARK_HOME", str(Path(__import__("pyspark").__file__).parent))
    builder = (SparkSession.builder.master(args.master).appName("lifted")
               .config("spark.sql.shuffle.partitions", str(partitions or 8))
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.ui.enabled", "true" if args.metrics else "false")
               .config("spark.driver.extraJavaOptions",
                       f"-Dlog4j2.configurationFile=file:{HERE / 'log4j2.properties'}")
               .config("spark.executor.extraJavaOptions",
                       f"-Dlog4j2.configurationFile=file:{HERE / 'log4j2.properties'}"))
    for item in args.conf:
        key, value = item.split("=", 1)
        builder = builder.config(key, value)
    return builder.getOrCreate()


def parquet_rows(path: Path) -> int:
    """Rows of a Parquet file, from its footer (no Spark job)."""
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).metadata.num_rows


def doc_bits(documents: int) -> int:
    """Bits of the document number packed into a fingerprint key (as `scan`)."""
    return max(1, (max(documents - 1, 0)).bit_length())


def pairs_sql(array: str, max_bucket: int) -> str:
    """SQL for the pairs of a sorted member array: every pair (i < j) when it
    has at most max_bucket members, else the star from its first member."""
    every = (f"flatten(transform(sequence(0, size({array}) - 2), i -> "
             f"transform(slice({array}, i + 2, size({array}) - i - 1), "
             f"y -> named_struct('x', {array}[i], 'y', y))))")
    star = f"transform(slice({array}, 2, size({array}) - 1), y -> named_struct('x', {array}[0], 'y', y))"
    return f"CASE WHEN size({array}) <= {max_bucket} THEN {every} ELSE {star} END"


def segment_count(signs) -> int:
    """The segments of the documents signed (the map's stats.segments): the
    sum of their count rows. Segments under --min-words have no band rows,
    so the band rows cannot count them."""
    from pyspark.sql import functions as F

    return signs.where(F.col("band") == COUNT_BAND).agg(F.sum("key")).first()[0] or 0


def candidates(signs, ids, max_bucket: int, within_doc: bool, documents: int):
    """The shuffle: LSH buckets and fingerprint groups -> segment and document
    edges (a, a_segment, b, b_segment), with the counts the report needs.

    Every band row is shuffled once, by (band, key), into member lists; only
    the members of buckets of two or more (a small share) are joined with
    their document ids and grouped again, sorted by (id, segment), to pick a
    star's first member as `scan` does. Fingerprints: one shuffle by group,
    with the documents deduplicated on the map side."""
    from pyspark.sql import functions as F

    shared = (signs.where(F.col("band") >= 0)
              .groupBy("band", "key").agg(F.collect_list(F.struct("doc", "segment")).alias("m"))
              .where(F.size("m") >= 2)
              .select("band", "key", F.explode("m").alias("x"))
              .select("band", "key", "x.doc", "x.segment"))
    buckets = (shared.join(ids, "doc")
               .groupBy("band", "key")
               .agg(F.sort_array(F.collect_list(F.struct("id", "segment", "doc"))).alias("m"))
               .persist())
    oversized = buckets.where(F.size("m") > max_bucket).count()
    pairs = (buckets.select(F.explode(F.expr(pairs_sql("m", max_bucket))).alias("p"))
             .select(F.col("p.x.doc").alias("a"), F.col("p.x.segment").alias("a_segment"),
                     F.col("p.y.doc").alias("b"), F.col("p.y.segment").alias("b_segment")))
    if not within_doc:
        pairs = pairs.where(F.col("a") != F.col("b"))
    # One orientation per unordered pair, then distinct: what `scan` counts.
    swap = (F.col("a") > F.col("b")) | ((F.col("a") == F.col("b"))
                                        & (F.col("a_segment") > F.col("b_segment")))
    segment_edges = pairs.select(
        F.when(swap, F.col("b")).otherwise(F.col("a")).alias("a"),
        F.when(swap, F.col("b_segment")).otherwise(F.col("a_segment")).alias("a_segment"),
        F.when(swap, F.col("a")).otherwise(F.col("b")).alias("b"),
        F.when(swap, F.col("a_segment")).otherwise(F.col("b_segment")).alias("b_segment"),
    ).distinct().persist()
    candidate_pairs = segment_edges.count()
    buckets.unpersist()

    groups = (signs.where(F.col("band") == FINGERPRINT_BAND)
              .select("doc", F.shiftright(F.col("key"), doc_bits(documents)).alias("group"))
              .groupBy("group").agg(F.array_sort(F.collect_set("doc")).alias("d"))
              .where(F.size("d") >= 2)
              .persist())
    common = groups.where(F.size("d") > max_bucket).count()
    document_edges = (groups.where(F.size("d") <= max_bucket)
                      .select(F.explode(F.expr(pairs_sql("d", max_bucket))).alias("p"))
                      .select(F.col("p.x").alias("a"), F.lit(-1).alias("a_segment"),
                              F.col("p.y").alias("b"), F.lit(-1).alias("b_segment"))
                      .distinct())
    counts = {"candidate_pairs": candidate_pairs, "oversized_buckets": oversized,
              "common_fingerprints": common}
    return segment_edges, document_edges, counts


def run_spark(args, lifted: str, work: Path, timings: Timings) -> dict:
    """Sign, candidates and align on Spark; returns the counts for the report."""
    from pyspark.sql import functions as F
    from pyspark.storagelevel import StorageLevel

    spark = spark_session(args, args.partitions)
    try:
        sc = spark.sparkContext
        sc.setLogLevel("ERROR")
        sc.addFile(lifted)
        binary = os.path.basename(lifted)
        parts = args.partitions or max(2, 2 * sc.defaultParallelism)
        spark.conf.set("spark.sql.shuffle.partitions", str(parts))
        worker_flags = scan_flags(args, lambda name: name in WORKER_FLAGS)
        worker_flags += ["--threads", "1"]  # one task, one core
        timings.lap("spark start")

        sc.setJobGroup("sign", "lifted worker sign")
        documents_file = work / "ingest" / "documents-0-of-1.parquet"
        docs = spark.read.parquet(str(documents_file))
        documents = parquet_rows(documents_file)
        signs = (docs.select("doc", "text").repartition(parts)
                 .mapInArrow(worker_function("sign", worker_flags, binary,
                                             arrow_fields(SIGNS_DDL)), SIGNS_DDL)
                 .persist(StorageLevel.MEMORY_AND_DISK))
        segments = segment_count(signs)
        log(args, f"{documents} documents, {segments} segments signed")
        timings.lap("sign")

        sc.setJobGroup("candidates", "buckets and fingerprints -> edges")
        ids = docs.select("doc", "id")
        segment_edges, document_edges, counts = candidates(
            signs, ids, int(args.max_bucket or 64), args.within_doc, documents)
        counts["segments"] = segments
        log(args, f"{counts['candidate_pairs']} candidate segment pairs, "
                  f"{counts['oversized_buckets']} LSH buckets over --max-bucket linked as stars, "
                  f"{counts['common_fingerprints']} fingerprint groups over --max-bucket ignored")
        timings.lap("candidates")

        sc.setJobGroup("align", "lifted worker align")
        edges = segment_edges
        if not args.pairs_only:
            edges = edges.unionByName(document_edges)
            if args.within_doc:
                edges = edges.unionByName(docs.select(
                    F.col("doc").alias("a"), F.lit(-1).alias("a_segment"),
                    F.col("doc").alias("b"), F.lit(-1).alias("b_segment")))
        texts_a = docs.select(F.col("doc").alias("a"), F.col("id").alias("a_id"),
                              F.col("text").alias("a_text"))
        texts_b = docs.select(F.col("doc").alias("b"), F.col("id").alias("b_id"),
                              F.col("text").alias("b_text"))
        rows = (edges.join(texts_a, "a").join(texts_b, "b")
                .select("a", "a_segment", "b", "b_segment", "a_id", "a_text", "b_id", "b_text")
                .repartition(parts, F.least("a", "b"), F.greatest("a", "b")))
        results = rows.mapInArrow(worker_function("align", worker_flags, binary,
                                                  arrow_fields(RESULTS_DDL)), RESULTS_DDL)
        results.write.mode("overwrite").parquet(str(work / "align"))
        timings.lap("align")
        if args.metrics:
            write_metrics(sc, args.metrics, documents, segments, counts)
        return counts
    finally:
        spark.stop()


def write_metrics(sc, path: str, documents: int, segments: int, counts: dict) -> None:
    """Spark's own per-stage metrics (shuffle bytes and records, run time)
    from the driver's REST API, grouped by step, as JSON (for README figures)."""
    import urllib.request

    base = f"{sc.uiWebUrl}/api/v1/applications/{sc.applicationId}"
    with urllib.request.urlopen(f"{base}/jobs", timeout=30) as response:
        jobs = json.load(response)
    step_of_stage = {}
    for job in jobs:
        for stage in job.get("stageIds", []):
            step_of_stage[stage] = job.get("jobGroup") or "other"
    with urllib.request.urlopen(f"{base}/stages?status=complete", timeout=30) as response:
        stages = json.load(response)
    keys = ["shuffleWriteBytes", "shuffleWriteRecords", "shuffleReadBytes", "inputBytes",
            "outputBytes", "executorRunTime", "memoryBytesSpilled", "diskBytesSpilled"]
    steps: dict[str, dict] = {}
    for stage in stages:
        step = steps.setdefault(step_of_stage.get(stage["stageId"], "other"),
                                dict.fromkeys(keys, 0))
        for key in keys:
            step[key] += stage.get(key, 0)
    total = dict.fromkeys(keys, 0)
    for step in steps.values():
        for key in keys:
            total[key] += step[key]
    report = {"documents": documents, "segments": segments, **counts, "steps": steps,
              "total": total,
              "shuffle_write_bytes_per_segment": total["shuffleWriteBytes"] / max(segments, 1)}
    with open(path, "w") as out:
        json.dump(report, out, indent=2)


def write_stats(work: Path, counts: dict) -> None:
    stats = work / "stats"
    stats.mkdir(parents=True, exist_ok=True)
    with open(stats / "spark.json", "w") as out:
        json.dump(counts, out)


def check_binary(path: str) -> str:
    resolved = Path(path).resolve()
    if not resolved.is_file():
        hint = " (build it: cargo build --release)" if path.endswith("target/release/lifted") else ""
        raise UsageError(f"--lifted {path}: no such file{hint}")
    if not os.access(resolved, os.X_OK):
        raise UsageError(f"--lifted {path}: not executable")
    return str(resolved)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    timings = Timings()
    created = args.work is None
    work = Path(args.work or tempfile.mkdtemp(prefix="lifted-spark-"))
    spark_log = None
    try:
        lifted = check_binary(args.lifted)
        if not created:
            work.mkdir(parents=True, exist_ok=True)
            if any(work.iterdir()):
                raise UsageError(f"--work {work}: not empty; give a new or empty folder")
        run_stage(lifted, "ingest", work, scan_flags(args), args.paths)
        timings.lap("ingest")
        spark_log = SparkLog()
        with spark_log:
            counts = run_spark(args, lifted, work, timings)
        write_stats(work, counts)
        run_stage(lifted, "report", work, scan_flags(args), args.paths)
        timings.lap("report")
        if args.timings:
            print(timings.line(), file=sys.stderr)
        spark_log.remove()
        return 0
    except UsageError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 2
    except StageFailed as err:
        if spark_log:
            spark_log.remove()
        return err.code
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # noqa: BLE001 - a Spark failure, summarised on one line
        where = f" (Spark's log: {spark_log.path})" if spark_log else ""
        print(f"{PROG}: error: the Spark job failed: {first_line(err)}{where}", file=sys.stderr)
        return 2
    finally:
        if created:
            shutil.rmtree(work, ignore_errors=True)


def first_line(err: BaseException) -> str:
    """The most telling line of a (Py4J-wrapped) Spark error: the failing
    `lifted worker`'s own message, else the last Python exception line."""
    lines = [line.strip() for line in str(err).splitlines() if line.strip()]
    for line in lines:
        found = re.search(r"RuntimeError: (lifted worker \w+ failed\b.*)", line)
        if found:
            return found.group(1)
    raised = [line for line in lines if re.match(r"^[A-Za-z_.]+(Error|Exception): ", line)]
    if raised:
        return raised[-1][:500]
    return lines[0][:500] if lines else type(err).__name__


class SparkLog:
    """Spark's JVM and its Python workers write to the driver's standard
    error: while Spark runs, file descriptor 2 points at a log file instead,
    so that a run prints lifted's lines only. The log is removed after a
    success and named in the error line after a failure."""

    def __init__(self):
        fd, self.path = tempfile.mkstemp(prefix="lifted-spark-", suffix=".log")
        self.fd = fd
        self.saved = None

    def __enter__(self):
        sys.stderr.flush()
        self.saved = os.dup(2)
        os.dup2(self.fd, 2)
        return self

    def __exit__(self, *exc):
        sys.stderr.flush()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        return False

    def remove(self):
        os.close(self.fd)
        os.unlink(self.path)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(sys.argv[1:]))
