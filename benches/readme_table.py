#!/usr/bin/env python3
"""README.md's performance table, generated from BENCHMARKS.md.

    python3 benches/readme_table.py --write   # rewrite the block in README.md
    python3 benches/readme_table.py --check   # exit 1 if README.md's block is stale

benches/compare.sh writes BENCHMARKS.md, then runs this with --write: the
block between `<!-- bench:begin -->` and `<!-- bench:end -->` in README.md is
never typed by hand. --check (run by tests/bench_scripts.rs) renders the
block again from BENCHMARKS.md and fails when README.md holds anything else.

One row per table of BENCHMARKS.md (one corpus): lifted's default scan at the
run's thread count, its scaling against one thread, peak RSS and recall, then
gaoya's, and the ratio of their wall times; rensa, datasketch and text-dedup
as wall times.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"
PEERS = ("gaoya", "rensa", "datasketch", "text-dedup")


class StaleError(Exception):
    pass


def parse(markdown: str):
    """(header lines by key, [table]) where a table is a dict with its title,
    bytes, scaling line and rows (dicts keyed by the column names)."""
    header, tables, table, columns = {}, [], None, None
    for line in markdown.splitlines():
        if line.startswith("## "):
            if line == "## Dedup":
                break
            table = {"title": line[3:].strip(), "rows": [], "bytes": None, "scaling": None}
            tables.append(table)
            columns = None
            continue
        if table is None:
            m = re.match(r"- ([A-Z][^:]*?): (.*)", line)
            if m:
                header[m.group(1)] = m.group(2)
            continue
        m = re.match(r"`[^`]*corpus\.jsonl`: (\d+) bytes", line)
        if m:
            table["bytes"] = int(m.group(1))
        m = re.match(r"- Whole scan, \d+ threads against 1: ([\d.]+x)", line)
        if m:
            table["scaling"] = m.group(1)
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if columns is None:
                columns = cells
            elif not set(line) <= set("|-: "):
                table["rows"].append(dict(zip(columns, cells)))
    return header, tables


def corpus_label(table) -> str:
    title = table["title"]
    mb = f"{table['bytes'] / 1e6:.1f} MB" if table["bytes"] else "?"
    m = re.match(r"(\d+) MB corpus, shape (\w+)", title)
    if m:
        return f"generated, `--shape {m.group(2)}`, {mb}"
    if title.endswith("real text in versions"):
        return f"PAN 2013's real text in versions (`benches/real_versions.py`), {mb}"
    if title.startswith("PAN 2013"):
        return f"PAN 2013 training (real text), {mb}"
    return f"generated, `--shape paragraphs`, {mb}"


def seconds(row) -> float | None:
    try:
        return float(row["wall s"])
    except (KeyError, ValueError):
        return None


def cpu(row) -> tuple[float, str] | None:
    """A row's CPU seconds (user + system) and share of a core, when the table has them."""
    m = re.match(r"([\d.]+) \((\d+%)\)", (row or {}).get("CPU s (share)", ""))
    return (float(m.group(1)), m.group(2)) if m else None


def wall(row) -> str:
    """A row's wall time, or why it has none (failed, timed out)."""
    if row is None:
        return "-"
    s = seconds(row)
    return f"{s:.2f} s" if s is not None else row.get("wall s", "?").split(" (")[0]


def render(markdown: str) -> str:
    header, tables = parse(markdown)
    threads = re.search(r"\(threads: (\d+)\)", header.get("Command", ""))
    threads = threads.group(1) if threads else "?"
    command = re.match(r"`([^`]*)`", header.get("Command", "")) or None
    cpu_model = header.get("CPU", "?")
    lines = [
        BEGIN,
        "<!-- Generated from BENCHMARKS.md by benches/readme_table.py (benches/compare.sh runs it): do not edit by hand. -->",
        "",
        f"`{command.group(1) if command else '?'}`, {header.get('Date', '?')}, commit {header.get('Commit', '?')};",
        f"CPU {cpu_model}; load average {header.get('Load average (1, 5, 15 min)', '?').split('. ')[0]}.",
        "Wall time of the whole command (median run), peak RSS, and recall by the one rule of",
        "[benches/README.md](benches/README.md) for every tool; all variants, precision and per-kind",
        "recall in [BENCHMARKS.md](BENCHMARKS.md).",
        "",
        f"| corpus | lifted, {threads} threads | MB/s | {threads} threads vs 1 | peak RSS | recall "
        "| gaoya | peak RSS | recall | gaoya / lifted | rensa | datasketch | text-dedup |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for table in tables:
        rows = table["rows"]
        lifted = next((r for r in rows if r["tool"] == "lifted" and r["settings"].startswith("defaults:")), None)
        peer = {p: next((r for r in rows if r["tool"] == p), None) for p in PEERS}
        gaoya = peer["gaoya"]
        ratio = "-"
        if lifted and gaoya and seconds(lifted) and seconds(gaoya):
            ratio = f"{seconds(gaoya) / seconds(lifted):.1f}x"
            if cpu(lifted) and cpu(gaoya) and cpu(lifted)[0] > 0:
                ratio += f" (CPU s: {cpu(gaoya)[0] / cpu(lifted)[0]:.1f}x)"
        cells = [
            corpus_label(table),
            wall(lifted),
            lifted["MB/s"] if lifted and seconds(lifted) else "-",
            table["scaling"] or "-",
            f"{lifted['peak RSS MB']} MB" if lifted and seconds(lifted) else "-",
            lifted["recall"] if lifted and seconds(lifted) else "-",
            wall(gaoya),
            f"{gaoya['peak RSS MB']} MB" if gaoya and seconds(gaoya) else "-",
            gaoya["recall"] if gaoya and seconds(gaoya) else "-",
            ratio,
            wall(peer["rensa"]),
            wall(peer["datasketch"]),
            wall(peer["text-dedup"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    lines += targets(tables)
    lines.append(END)
    return "\n".join(lines)


def targets(tables) -> list[str]:
    """Issue 14's targets, met or missed by how much, from the tables that measure them."""
    out = []

    def find(title):
        return next((t for t in tables if t["title"] == title), None)

    def lifted_default(table):
        return next((r for r in table["rows"] if r["tool"] == "lifted" and r["settings"].startswith("defaults:")), None)

    versions = find("25 MB corpus, shape versions")
    if versions and lifted_default(versions) and seconds(lifted_default(versions)):
        wall_s = seconds(lifted_default(versions))
        verdict = "met" if wall_s < 3 else f"missed by {wall_s - 3:.2f} s"
        line = f"- 25 MB `--shape versions` under 3 s: {wall_s:.2f} s, {verdict}"
        if cpu(lifted_default(versions)):
            line += f" (the run got {cpu(lifted_default(versions))[1]} of a core)"
        if versions["scaling"]:
            x = float(versions["scaling"].rstrip("x"))
            verdict = "met" if x >= 1.7 else f"missed by {1.7 - x:.2f}x"
            line += f"; 2 threads at least 1.7x faster than 1: {versions['scaling']}, {verdict}"
        out.append(line + ".")
    for table in tables:
        m = re.match(r"(\d+) MB corpus(?:, shape (\w+))?$", table["title"])
        if not m or int(m.group(1)) < 100:
            continue
        lifted = lifted_default(table)
        gaoya = next((r for r in table["rows"] if r["tool"] == "gaoya"), None)
        if not (lifted and gaoya and seconds(lifted) and seconds(gaoya)):
            continue
        x = seconds(gaoya) / seconds(lifted)
        verdict = "met" if x >= 10 else f"missed by {10 - x:.1f}x"
        line = f"- {m.group(1)} MB `--shape {m.group(2) or 'paragraphs'}` at least 10x faster than gaoya: {x:.1f}x, {verdict}"
        if cpu(lifted) and cpu(gaoya) and cpu(lifted)[0] > 0:
            line += (
                f" (in CPU seconds {cpu(gaoya)[0] / cpu(lifted)[0]:.1f}x; lifted's run got {cpu(lifted)[1]}"
                f" of a core, gaoya's {cpu(gaoya)[1]})"
            )
        out.append(line + ".")
    if out:
        out = ["", "Issue 14's targets in this run (on the shared machine, at the load average above):", ""] + out
    return out


def splice(readme: str, block: str) -> str:
    start, end = readme.find(BEGIN), readme.find(END)
    if start == -1 or end == -1 or end < start:
        raise StaleError(f"README.md has no {BEGIN} ... {END} block: put one in its Performance section")
    return readme[:start] + block + readme[end + len(END) :]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="rewrite README.md's block")
    mode.add_argument("--check", action="store_true", help="exit 1 if README.md's block is stale")
    ap.add_argument("--benchmarks", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--readme", default=os.path.join(ROOT, "README.md"))
    args = ap.parse_args()
    with open(args.benchmarks, encoding="utf-8") as f:
        block = render(f.read())
    with open(args.readme, encoding="utf-8") as f:
        readme = f.read()
    try:
        updated = splice(readme, block)
    except StaleError as e:
        print(f"readme_table: {e}", file=sys.stderr)
        return 1
    if args.check:
        if updated != readme:
            print(
                f"readme_table: {args.readme}'s performance table does not match {args.benchmarks}: "
                "run `python3 benches/readme_table.py --write` (benches/compare.sh does) and commit both",
                file=sys.stderr,
            )
            return 1
        return 0
    if updated != readme:
        tmp = args.readme + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(updated)
        os.replace(tmp, args.readme)
    return 0


if __name__ == "__main__":
    sys.exit(main())
