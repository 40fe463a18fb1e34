"""lifted_spark.py against `lifted scan`: the same provenance map, byte for
byte, in local[2] and on a standalone cluster of two workers; and its
errors: one line, exit 2, no output file."""

from __future__ import annotations

import difflib
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import REPO, SPARK_DIR
from standalone import StandaloneCluster, group_alive

DRIVER = SPARK_DIR / "lifted_spark.py"
LEMONDE = REPO / "fixtures" / "lemonde"


def run_driver(lifted, env, master, *args, tmpdir=None, timeout=900):
    """The driver as a user runs it; TMPDIR (its default work folder and
    Spark log) in `tmpdir` when given, to check what it leaves there."""
    cmd = [sys.executable, str(DRIVER), "--master", master, "--lifted", lifted, *map(str, args)]
    if tmpdir is not None:
        tmpdir.mkdir(exist_ok=True)
        env = {**env, "TMPDIR": str(tmpdir)}
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def run_scan(lifted, *args):
    cmd = [lifted, "scan", *map(str, args)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, f"{cmd}\n{done.stderr}"
    return done


def assert_same_map(expected: Path, got: Path, driver) -> None:
    want = expected.read_bytes()
    have = got.read_bytes()
    if want != have:
        diff = "".join(difflib.unified_diff(
            want.decode().splitlines(True), have.decode().splitlines(True),
            "lifted scan", "lifted_spark.py", n=2))
        pytest.fail(f"the maps differ ({len(want)} vs {len(have)} bytes)\n"
                    f"driver stderr:\n{driver.stderr}\n{diff[:6000]}", pytrace=False)


def master_url(request, master: str) -> str:
    if master == "standalone":
        return request.getfixturevalue("cluster").master_url
    return master


def scan_and_drive(request, lifted, env, tmp_path, master, flags, paths):
    expected = tmp_path / "scan.json"
    got = tmp_path / "spark.json"
    scanned = run_scan(lifted, *flags, *paths, "--format", "json", "--output", expected)
    tmpdir = tmp_path / "tmp"
    driver = run_driver(lifted, env, master_url(request, master), *flags, *paths,
                        "--format", "json", "--output", got, tmpdir=tmpdir)
    assert driver.returncode == 0, f"exit {driver.returncode}\n{driver.stderr}"
    # Without --timings the driver prints what scan prints: its warnings (the
    # --max-bucket caps, say), nothing of Spark's.
    assert driver.stderr == scanned.stderr, "the driver's standard error is scan's warnings"
    assert_same_map(expected, got, driver)
    assert not list(tmpdir.iterdir()), "the work folder or Spark's log was left behind"
    return driver


@pytest.mark.parametrize("master", ["local[2]", "standalone"])
def test_lemonde_with_manifest_gives_the_scan_map(request, lifted, env, tmp_path, master):
    scan_and_drive(request, lifted, env, tmp_path, master,
                   ["--manifest", LEMONDE / "manifest.csv"], [LEMONDE])


@pytest.mark.parametrize("master", ["local[2]", "standalone"])
def test_generated_corpus_gives_the_scan_map(request, lifted, env, tmp_path, generated, master):
    scan_and_drive(request, lifted, env, tmp_path, master, [], [generated])


def test_oversized_buckets_are_stars_as_in_scan(request, lifted, env, tmp_path, generated):
    """--max-bucket 2 makes many LSH buckets oversized: Spark must link them
    as the same stars as scan and report the same count."""
    driver = scan_and_drive(request, lifted, env, tmp_path, "local[2]",
                            ["--max-bucket", "2", "--order", "given"], [generated])
    stats = json.loads((tmp_path / "spark.json").read_text())["stats"]
    assert stats["oversized_buckets"] > 0 and stats["common_fingerprints"] > 0, stats
    assert "LSH bucket(s) held more than --max-bucket 2" in driver.stderr, driver.stderr


def test_within_doc_and_thorough_give_the_scan_map(request, lifted, env, tmp_path):
    scan_and_drive(request, lifted, env, tmp_path, "local[2]",
                   ["--within-doc", "--preset", "thorough", "--manifest",
                    LEMONDE / "manifest.csv"], [LEMONDE])


def test_pairs_only_gives_the_scan_map(request, lifted, env, tmp_path, generated):
    scan_and_drive(request, lifted, env, tmp_path, "local[2]", ["--pairs-only"], [generated])


# -- errors --------------------------------------------------------------------

def assert_one_line_error(done, *needles):
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, f"exit {done.returncode}\n{done.stderr}"
    assert len(lines) == 1, f"expected one line on standard error, got:\n{done.stderr}"
    for needle in needles:
        assert needle in lines[0], f"{needle!r} not in {lines[0]!r}"


def test_missing_input_is_one_line_and_no_output(lifted, env, tmp_path):
    out = tmp_path / "map.json"
    done = run_driver(lifted, env, "local[2]", tmp_path / "nope.txt", "--output", out)
    assert_one_line_error(done, "nope.txt")
    assert not out.exists()


def test_bad_flag_value_is_lifteds_own_message(lifted, env, tmp_path):
    out = tmp_path / "map.json"
    done = run_driver(lifted, env, "local[2]", "--threshold", "2", LEMONDE, "--output", out)
    assert_one_line_error(done, "threshold")
    assert not out.exists()


def test_missing_binary_is_one_line(env, tmp_path):
    done = run_driver(str(tmp_path / "no-lifted"), env, "local[2]", LEMONDE,
                      "--output", tmp_path / "map.json")
    assert_one_line_error(done, "no-lifted", "no such file")


def test_failing_worker_is_one_line_and_leaves_the_old_output(lifted, env, tmp_path):
    """A `lifted worker` that fails on the executors: the job stops with the
    worker's own message on one line, exit 2, the old output untouched."""
    fake = tmp_path / "lifted"
    fake.write_text(textwrap.dedent(f"""\
        #!/bin/sh
        if [ "$1" = worker ]; then
          echo "lifted: error: planted failure of worker $2" >&2
          exit 2
        fi
        exec {lifted} "$@"
        """))
    fake.chmod(0o755)
    out = tmp_path / "map.json"
    out.write_text("old map\n")
    tmpdir = tmp_path / "tmp"
    done = run_driver(str(fake), env, "local[2]", LEMONDE, "--output", out, tmpdir=tmpdir)
    assert_one_line_error(done, "lifted worker sign failed (exit 2): lifted: error: planted failure "
                                "of worker sign", "Spark's log: ")
    log = Path(re.search(r"Spark's log: (\S+)\)$", done.stderr.strip()).group(1))
    assert "planted failure" in log.read_text()
    assert list(tmpdir.iterdir()) == [log], "the work folder was left behind"
    assert out.read_text() == "old map\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lifted", "map.json", "tmp"]


def test_work_folder_not_empty_is_refused(lifted, env, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "old.parquet").write_text("x")
    done = run_driver(lifted, env, "local[2]", "--work", work, LEMONDE,
                      "--output", tmp_path / "map.json")
    assert_one_line_error(done, str(work), "not empty")
    assert not (tmp_path / "map.json").exists()
    assert [p.name for p in work.iterdir()] == ["old.parquet"]


def test_every_scan_flag_is_accepted(lifted):
    """The driver's flag table lists exactly the long flags of lifted scan."""
    sys.path.insert(0, str(SPARK_DIR))
    import lifted_spark

    help_text = subprocess.run([lifted, "scan", "--help"], capture_output=True, text=True,
                               check=True).stdout
    scan = set(re.findall(r"^\s+(?:-\w, )?(--[a-z][a-z-]*)", help_text, re.M)) - {"--help",
                                                                                  "--version"}
    driver = {name for name, _, _ in lifted_spark.SCAN_FLAGS}
    assert driver == scan


# -- the harness itself ----------------------------------------------------------

IDENTITY_JOB = """
import sys
from pyspark.sql import SparkSession
spark = SparkSession.builder.master(sys.argv[1]).getOrCreate()
df = spark.range(1000, numPartitions=4).mapInArrow(lambda batches: batches, "id long")
print(df.groupBy().sum("id").collect()[0][0])
spark.stop()
"""


def test_standalone_cluster_runs_a_job_and_leaves_no_process(env, java):
    """Two workers register on 127.0.0.1, run Python tasks through Arrow,
    and every process is gone after a failure inside the `with`."""
    groups = []
    with pytest.raises(RuntimeError, match="planted"):
        with StandaloneCluster(workers=2) as cluster:
            groups = cluster.process_groups()
            assert len(StandaloneCluster.alive_workers(cluster.state())) == 2
            done = subprocess.run([sys.executable, "-c", IDENTITY_JOB, cluster.master_url],
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            assert done.stdout.split()[-1] == str(sum(range(1000)))
            apps = cluster.state()["completedapps"]
            assert len(apps) == 1 and apps[0]["cores"] == 2, apps
            raise RuntimeError("planted failure")
    assert len(groups) == 3
    assert not [g for g in groups if group_alive(g)]
    assert not Path(cluster.root).exists()
