"""Fixtures of the Spark tests: Java, the lifted binary, a generated corpus
and a standalone cluster of two workers on 127.0.0.1 (see ../standalone.py).

Spark needs Java 17: without it these tests skip with a message, except
under CI=true, where a missing Java fails them (.ci/run installs it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
SPARK_DIR = HERE.parent
REPO = SPARK_DIR.parent.parent
sys.path.insert(0, str(SPARK_DIR))

from standalone import StandaloneCluster, spark_env  # noqa: E402


def find_java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home:
        java = Path(home) / "bin" / "java"
        return str(java) if os.access(java, os.X_OK) else None
    return shutil.which("java")


@pytest.fixture(scope="session", autouse=True)
def java() -> str:
    found = find_java()
    if found is None:
        message = ("Java 17 is needed for the Spark tests and none was found (JAVA_HOME or java "
                   "on PATH); install it (Debian: apt-get install openjdk-17-jre-headless)")
        if os.environ.get("CI") == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def lifted() -> str:
    """The binary under test: $LIFTED_BIN, else target/release/lifted."""
    path = Path(os.environ.get("LIFTED_BIN", REPO / "target" / "release" / "lifted"))
    if not path.is_file():
        pytest.fail(f"{path} is missing: build it first (cargo build --release), or set LIFTED_BIN",
                    pytrace=False)
    return str(path.resolve())


@pytest.fixture(scope="session")
def env() -> dict:
    """Loopback only, and this venv's Python on the executors."""
    return spark_env()


@pytest.fixture(scope="session")
def generated(lifted, tmp_path_factory) -> Path:
    """A 2 MB corpus of news-like documents with planted copies (lifted gen)."""
    out = tmp_path_factory.mktemp("generated")
    subprocess.run([lifted, "gen", "--size-mb", "2", "--seed", "7", "--out", str(out)],
                   check=True, capture_output=True)
    return out / "corpus.jsonl"


@pytest.fixture(scope="session")
def cluster(java):
    """A standalone master and two 1-core workers for the whole session."""
    with StandaloneCluster(workers=2, cores=1, memory="1g") as running:
        print(f"\nstandalone cluster {running.master_url} up in {running.startup_seconds:.1f} s",
              file=sys.stderr)
        yield running
