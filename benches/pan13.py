#!/usr/bin/env python3
"""Evaluate lifted on the PAN 2013 text alignment training corpus (plagdet).

Usage: python3 benches/pan13.py [--corpus ../shared/pan13-train] [--lifted target/release/lifted]
                                [--kinds 01,02,03,04,05] [--limit N] [--jobs 2] [-- extra lifted flags]

For each (suspicious, source) pair, runs `lifted scan SUSP SRC --format json`, turns every
link into a detection (suspicious range, source range) in code points, and computes PAN's
plagdet (Potthast et al. 2010) per obfuscation kind and overall, micro-averaged over cases:
recall and precision on characters of both sides, granularity, F1 / log2(1 + granularity).
The corpus is research data: it is read from ../shared, never copied into the repository.
"""
import argparse, json, math, os, subprocess, sys, xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

KINDS = {"01": "01-no-plagiarism", "02": "02-no-obfuscation", "03": "03-random-obfuscation",
         "04": "04-translation-obfuscation", "05": "05-summary-obfuscation"}


def char_offsets(path):
    """Byte offset -> code point offset, for every byte offset of the file."""
    data = open(path, "rb").read()
    table = [0] * (len(data) + 1)
    chars = 0
    for i, b in enumerate(data):
        table[i] = chars
        if b & 0xC0 != 0x80:
            chars += 1
    table[len(data)] = chars
    # A byte offset inside a character maps to the next character.
    return table


def run_pair(args, susp, src):
    sp, rp = os.path.join(args.corpus, "susp", susp), os.path.join(args.corpus, "src", src)
    out = subprocess.run([args.lifted, "scan", sp, rp, "--format", "json", "--quiet", *args.extra],
                         capture_output=True, check=True).stdout
    report = json.loads(out)
    ts, tr = char_offsets(sp), char_offsets(rp)
    dets = []
    for link in report["links"]:
        ends = {link["source"]["doc"]: link["source"], link["target"]["doc"]: link["target"]}
        if sp in ends and rp in ends:
            s, r = ends[sp], ends[rp]
            dets.append(((ts[s["start"]], ts[s["end"]]), (tr[r["start"]], tr[r["end"]])))
    return dets


def cases_of(args, folder, susp, src):
    xml = os.path.join(args.corpus, folder, f"{susp[:-4]}-{src[:-4]}.xml")
    if not os.path.exists(xml):
        return []
    out = []
    for f in ET.parse(xml).getroot():
        if f.get("name") != "plagiarism":
            continue
        so, sl = int(f.get("this_offset")), int(f.get("this_length"))
        ro, rl = int(f.get("source_offset")), int(f.get("source_length"))
        out.append(((so, so + sl), (ro, ro + rl)))
    return out


def overlap(a, b):
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def union_len(ranges):
    total, cur = 0, None
    for s, e in sorted(ranges):
        if cur and s <= cur[1]:
            cur[1] = max(cur[1], e)
        else:
            if cur:
                total += cur[1] - cur[0]
            cur = [s, e]
    return total + (cur[1] - cur[0] if cur else 0)


def detects(x, y):
    return overlap(x[0], y[0]) > 0 and overlap(x[1], y[1]) > 0


def covered(x, ys):
    """Characters of x (both sides) covered by the ys that detect it."""
    hits = [y for y in ys if detects(x, y)]
    side = lambda k: union_len([(max(x[k][0], y[k][0]), min(x[k][1], y[k][1])) for y in hits])
    return side(0) + side(1), len(hits)


def plagdet(pairs):
    """pairs: list of (cases, detections) per document pair."""
    rec, prec, ncases, ndets, grans = 0.0, 0.0, 0, 0, []
    for cases, dets in pairs:
        for c in cases:
            size = (c[0][1] - c[0][0]) + (c[1][1] - c[1][0])
            got, hits = covered(c, dets)
            rec += got / size if size else 0
            ncases += 1
            if hits:
                grans.append(hits)
        for d in dets:
            size = (d[0][1] - d[0][0]) + (d[1][1] - d[1][0])
            got, _ = covered(d, cases)
            prec += got / size if size else 0
            ndets += 1
    recall = rec / ncases if ncases else 1.0
    precision = prec / ndets if ndets else 1.0
    gran = sum(grans) / len(grans) if grans else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return dict(recall=recall, precision=precision, granularity=gran, plagdet=f1 / math.log2(1 + gran),
                cases=ncases, detections=ndets)


def self_test():
    case = ((0, 100), (0, 100))
    assert abs(plagdet([([case], [case])])["plagdet"] - 1.0) < 1e-9
    halves = [((0, 50), (0, 50)), ((50, 100), (50, 100))]
    r = plagdet([([case], halves)])
    assert abs(r["recall"] - 1.0) < 1e-9 and r["granularity"] == 2 and abs(r["plagdet"] - 1 / math.log2(3)) < 1e-9
    r = plagdet([([case], [((0, 50), (0, 50)), ((500, 600), (500, 600))])])
    assert abs(r["recall"] - 0.5) < 1e-9 and abs(r["precision"] - 0.5) < 1e-9
    r = plagdet([([], [((0, 10), (0, 10))])])
    assert r["precision"] == 0.0
    print("self-test ok")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "pan13-train"))
    ap.add_argument("--lifted", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "lifted"))
    ap.add_argument("--kinds", default="01,02,03,04,05")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("extra", nargs="*")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not os.path.isdir(args.corpus):
        sys.exit(f"pan13: no corpus at {args.corpus}; it is expected at ../shared/pan13-train")
    results, everything = {}, []
    for kind in args.kinds.split(","):
        folder = KINDS[kind]
        pairs = [l.split() for l in open(os.path.join(args.corpus, folder, "pairs")) if l.strip()]
        if args.limit:
            pairs = pairs[: args.limit]
        with ThreadPoolExecutor(args.jobs) as pool:
            dets = list(pool.map(lambda p: run_pair(args, *p), pairs))
        scored = [(cases_of(args, folder, s, r), d) for (s, r), d in zip(pairs, dets)]
        results[folder] = plagdet(scored)
        everything += scored
        print(folder, json.dumps(results[folder]), file=sys.stderr)
    results["overall"] = plagdet(everything)
    print("| kind | cases | detections | recall | precision | granularity | plagdet |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for k, r in results.items():
        print(f"| {k} | {r['cases']} | {r['detections']} | {r['recall']:.3f} | {r['precision']:.3f} | {r['granularity']:.3f} | {r['plagdet']:.3f} |")


if __name__ == "__main__":
    main()
