"""contrib/spark/setup.sh: idempotent, and clear about a missing Java."""

from __future__ import annotations

import os
import subprocess

from conftest import SPARK_DIR

SETUP = SPARK_DIR / "setup.sh"


def run_setup(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SETUP)], env=env, capture_output=True, text=True,
                          timeout=900, stdin=subprocess.DEVNULL)


def test_a_second_run_says_up_to_date():
    run_setup(dict(os.environ))  # whatever the state, this one makes it current
    done = run_setup(dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert "is up to date (pyspark==4.0.5 " in done.stdout, done.stdout


def test_java_home_without_java_is_one_clear_line(tmp_path):
    done = run_setup({**os.environ, "JAVA_HOME": str(tmp_path)})
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"JAVA_HOME={tmp_path} has no bin/java" in lines[0], done.stderr


def test_java_of_another_version_is_refused(tmp_path):
    """A JAVA_HOME whose java says it is Java 11: Spark 4.0 would not run."""
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text('#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n')
    java.chmod(0o755)
    done = run_setup({**os.environ, "JAVA_HOME": str(tmp_path)})
    assert done.returncode == 2
    assert "is Java 11" in done.stderr and "needs Java 17 or 21" in done.stderr, done.stderr
