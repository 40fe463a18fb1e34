"""A throwaway Spark standalone cluster on 127.0.0.1: one master and N workers
started from the pyspark wheel's own ``bin/spark-class``, for tests and
benchmarks of ``lifted_spark.py`` (issue 15).

Every process runs in a process group of its own (the executors and Python
workers that a worker starts join its group), so ``stop()`` ends them all,
and checks that they are gone, even when a test failed half way.

    with StandaloneCluster(workers=2) as cluster:
        run(["python", "lifted_spark.py", "--master", cluster.master_url, ...])

As a script it starts a cluster, prints its master URL and the seconds it took
to come up, and stops it again (``--hold SECONDS`` keeps it up that long).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

MASTER_CLASS = "org.apache.spark.deploy.master.Master"
WORKER_CLASS = "org.apache.spark.deploy.worker.Worker"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_home() -> Path:
    """The Spark distribution inside the installed pyspark wheel."""
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def spark_env(base: dict | None = None) -> dict:
    """The environment Spark's processes need here: loopback only, the
    venv's Python for Python workers, the wheel as SPARK_HOME."""
    env = dict(os.environ if base is None else base)
    env["SPARK_HOME"] = str(spark_home())
    env["SPARK_LOCAL_IP"] = "127.0.0.1"
    env["SPARK_LOCAL_HOSTNAME"] = "localhost"
    env.setdefault("PYSPARK_PYTHON", sys.executable)
    env.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return env


class ClusterError(RuntimeError):
    """The cluster did not come up (the message carries the logs' tails)."""


class StandaloneCluster:
    def __init__(self, workers: int = 2, cores: int = 1, memory: str = "1g",
                 timeout: float = 180.0):
        self.workers = workers
        self.cores = cores
        self.memory = memory
        self.timeout = timeout
        self.root = Path(tempfile.mkdtemp(prefix="lifted-spark-cluster-"))
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.master_port = free_port()
        self.webui_port = free_port()
        self.master_url = f"spark://127.0.0.1:{self.master_port}"
        self.startup_seconds: float | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> "StandaloneCluster":
        started = time.monotonic()
        env = spark_env()
        conf = self.root / "conf"
        conf.mkdir()
        env["SPARK_CONF_DIR"] = str(conf)  # no stray spark-defaults.conf
        env["SPARK_WORKER_DIR"] = str(self.root / "work")
        try:
            self._spawn("master", [MASTER_CLASS, "--host", "127.0.0.1",
                                   "--port", str(self.master_port),
                                   "--webui-port", str(self.webui_port)], env)
            self._wait(lambda state: state.get("status") == "ALIVE", "the master")
            for n in range(self.workers):
                work = self.root / f"work-{n}"
                work.mkdir()
                self._spawn(f"worker-{n}", [
                    WORKER_CLASS, "--host", "127.0.0.1", "--port", str(free_port()),
                    "--webui-port", str(free_port()), "--cores", str(self.cores),
                    "--memory", self.memory, "--work-dir", str(work), self.master_url], env)
            self._wait(lambda state: len(self.alive_workers(state)) == self.workers,
                       f"{self.workers} workers")
        except BaseException:
            self.stop()
            raise
        self.startup_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        """SIGTERM every process group (workers first), SIGKILL what is left
        after 15 s, and wait until no process of any group remains."""
        for _, proc in reversed(self.procs):
            _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for _, proc in reversed(self.procs):
            _signal_group(proc.pid, signal.SIGKILL)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 20
        while any(group_alive(proc.pid) for _, proc in self.procs):
            if time.monotonic() > deadline:
                raise ClusterError(f"processes of the Spark cluster in {self.root} outlived SIGKILL")
            for _, proc in self.procs:
                _signal_group(proc.pid, signal.SIGKILL)
            time.sleep(0.2)
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> "StandaloneCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- state ---------------------------------------------------------------
    def state(self) -> dict:
        """The master's web UI JSON (status, workers, applications)."""
        url = f"http://127.0.0.1:{self.webui_port}/json/"
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)

    @staticmethod
    def alive_workers(state: dict) -> list:
        return [w for w in state.get("workers", []) if w.get("state") == "ALIVE"]

    def process_groups(self) -> list[int]:
        return [proc.pid for _, proc in self.procs]

    def logs(self, lines: int = 20) -> str:
        out = []
        for name, _ in self.procs:
            text = (self.root / f"{name}.log").read_text(errors="replace").splitlines()
            out.append(f"--- {name}.log (last {lines} lines)\n" + "\n".join(text[-lines:]))
        return "\n".join(out)

    # -- helpers -------------------------------------------------------------
    def _spawn(self, name: str, args: list[str], env: dict) -> None:
        spark_class = spark_home() / "bin" / "spark-class"
        log = open(self.root / f"{name}.log", "wb")
        proc = subprocess.Popen([str(spark_class), *args], env=env, stdin=subprocess.DEVNULL,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append((name, proc))

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            for name, proc in self.procs:
                if proc.poll() is not None:
                    raise ClusterError(f"the Spark {name} exited with {proc.returncode} "
                                       f"while waiting for {what}\n{self.logs()}")
            try:
                if ready(self.state()):
                    return
            except OSError:
                pass  # the web UI is not up yet
            time.sleep(0.25)
        raise ClusterError(f"{what} not up after {self.timeout:.0f} s\n{self.logs()}")


def group_alive(pgid: int) -> bool:
    """Whether any process of group `pgid` is still running (zombies aside)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # killpg(0) succeeds for zombies too: look for a live member in /proc.
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1)
    parser.add_argument("--memory", default="1g")
    parser.add_argument("--hold", type=float, default=0.0,
                        help="seconds to keep the cluster up before stopping it")
    args = parser.parse_args(argv)
    with StandaloneCluster(args.workers, args.cores, args.memory) as cluster:
        print(f"{cluster.master_url} up in {cluster.startup_seconds:.1f} s", flush=True)
        time.sleep(args.hold)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
