#!/usr/bin/env python3
"""Score reported near-duplicate pairs against the truth of a generated corpus.

    python score.py --truth truth.jsonl --corpus corpus.jsonl --pairs FILE [--lifted]
    python score.py --self-test

FILE is either JSONL from run_peer.py (one {"a": [doc, para], "b": [doc, para]}
per line) or, with --lifted, lifted's JSON report: its "pairs"
({"a": {"doc", "start", "end"}, "b": {...}}) and its "links"
({"source": {"doc", "start", "end"}, "target": {...}}), byte offsets into the
document's text. A side of a lifted pair or link is mapped to the paragraph
that holds most of its bytes: the one that holds its start when the span lies
inside one paragraph (a window of a long paragraph), and the right one when an
alignment starts with the last word of the previous paragraph.

Prints one JSON object:
- recall: share of the planted copies (boilerplate left out) found, i.e. whose
  source and target paragraphs are a reported pair (either order); for lifted,
  a link whose two spans overlap the truth's source and target spans (either
  orientation) finds it too;
- recall_verbatim, recall_edited, recall_embedded: the same per kind (and
  recall_KIND for any other kind in the truth: revised, quoted, rewritten...);
- precision: share of the reported paragraph pairs whose two paragraphs belong
  to one group (an original and any of its copies, whole or embedded, or two
  copies of one boilerplate footer);
- reported: distinct paragraph pairs reported (for lifted: from pairs and links);
- truth: planted copies counted for recall.
"""

from __future__ import annotations

import argparse
import bisect
import json
import sys
import tempfile
import os

KINDS = ("verbatim", "edited", "embedded")


def paragraph_starts(corpus_path: str) -> dict[str, list[int]]:
    """For each document, the byte offset where each paragraph starts."""
    starts = {}
    with open(corpus_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            text = rec["text"].encode("utf-8")
            offs = [0]
            pos = text.find(b"\n")
            while pos != -1:
                offs.append(pos + 1)
                pos = text.find(b"\n", pos + 1)
            starts[str(rec["id"])] = offs
    return starts


def para_of(starts: dict[str, list[int]], doc: str, offset: int) -> tuple[str, int]:
    return (doc, bisect.bisect_right(starts[doc], offset) - 1)


def para_of_span(starts: dict[str, list[int]], side: dict) -> tuple[str, int]:
    """The paragraph holding most of a span's bytes (the one holding its start
    for a span inside one paragraph, such as a window of a long paragraph)."""
    doc, start, end = side["doc"], side["start"], side["end"]
    offs = starts[doc]
    first = para_of(starts, doc, start)[1]
    last = para_of(starts, doc, max(start, end - 1))[1]
    best, best_len = first, -1
    for i in range(first, last + 1):
        lo = max(start, offs[i])
        hi = min(end, offs[i + 1] if i + 1 < len(offs) else end)
        if hi - lo > best_len:
            best, best_len = i, hi - lo
    return (doc, best)


def load_truth(path: str):
    copies = []  # (kind, src_key, tgt_key, src_span, tgt_span)
    groups: dict[tuple[str, int], set[int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            s, g = t["source"], t["target"]
            sk, gk = (s["doc"], s["para"]), (g["doc"], g["para"])
            groups.setdefault(sk, set()).add(t["group"])
            groups.setdefault(gk, set()).add(t["group"])
            if t["kind"] != "boilerplate":
                copies.append(
                    (t["kind"], sk, gk, (s["doc"], s["start"], s["end"]), (g["doc"], g["start"], g["end"]))
                )
    return copies, groups


def load_peer_pairs(path: str):
    pairs = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            a, b = (str(p["a"][0]), int(p["a"][1])), (str(p["b"][0]), int(p["b"][1]))
            pairs.add((a, b) if a <= b else (b, a))
    return pairs, []


def load_lifted(path: str, starts):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    pairs = set()
    spans = []  # ((doc, start, end), (doc, start, end)) of every link
    for p in report.get("pairs", []):
        a, b = para_of_span(starts, p["a"]), para_of_span(starts, p["b"])
        pairs.add((a, b) if a <= b else (b, a))
    for link in report.get("links", []):
        s, t = link["source"], link["target"]
        a, b = para_of_span(starts, s), para_of_span(starts, t)
        pairs.add((a, b) if a <= b else (b, a))
        spans.append(((s["doc"], s["start"], s["end"]), (t["doc"], t["start"], t["end"])))
    return pairs, spans


def overlaps(x, y) -> bool:
    return x[0] == y[0] and x[1] < y[2] and y[1] < x[2]


def score(copies, groups, pairs, links) -> dict:
    # Links indexed by the documents they join, for the span test.
    by_docs: dict[tuple[str, str], list] = {}
    for s, t in links:
        by_docs.setdefault((s[0], t[0]), []).append((s, t))
        by_docs.setdefault((t[0], s[0]), []).append((t, s))
    # The kinds of the paragraphs shape first, then any other shape's (versions: revised, quoted).
    kinds = list(KINDS) + sorted({c[0] for c in copies} - set(KINDS))
    found = {k: 0 for k in kinds}
    total = {k: 0 for k in kinds}
    for kind, sk, gk, ss, gs in copies:
        total[kind] += 1
        hit = ((sk, gk) if sk <= gk else (gk, sk)) in pairs
        if not hit:
            hit = any(overlaps(ss, a) and overlaps(gs, b) for a, b in by_docs.get((ss[0], gs[0]), ()))
        found[kind] += hit
    true = sum(1 for a, b in pairs if groups.get(a, set()) & groups.get(b, set()))

    def ratio(n, d):
        return round(n / d, 4) if d else None

    out = {
        "recall": ratio(sum(found.values()), sum(total.values())),
        **{f"recall_{k}": ratio(found[k], total[k]) for k in kinds},
        "precision": ratio(true, len(pairs)),
        "reported": len(pairs),
        "truth": sum(total.values()),
    }
    return out


def self_test() -> None:
    corpus = [
        {"id": "d1", "text": "alpha beta gamma.\nsecond para here."},
        {"id": "d2", "text": "alpha beta gamma.\nnoise.\nnew words second para here. more"},
        {"id": "d3", "text": "alpha beta gamma!\nfoot."},
        {"id": "d4", "text": "other.\nfoot."},
    ]
    truth = [
        {"kind": "verbatim", "group": 9, "source": {"doc": "d1", "para": 0, "start": 0, "end": 17},
         "target": {"doc": "d2", "para": 0, "start": 0, "end": 17}},
        {"kind": "edited", "group": 9, "source": {"doc": "d1", "para": 0, "start": 0, "end": 17},
         "target": {"doc": "d3", "para": 0, "start": 0, "end": 17}},
        {"kind": "embedded", "group": 10, "source": {"doc": "d1", "para": 1, "start": 18, "end": 35},
         "target": {"doc": "d2", "para": 2, "start": 35, "end": 52}},
        {"kind": "boilerplate", "group": 0, "source": {"doc": "d3", "para": 1, "start": 18, "end": 23},
         "target": {"doc": "d4", "para": 1, "start": 7, "end": 12}},
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        cp, tp = os.path.join(tmp, "c.jsonl"), os.path.join(tmp, "t.jsonl")
        with open(cp, "w") as f:
            f.writelines(json.dumps(d) + "\n" for d in corpus)
        with open(tp, "w") as f:
            f.writelines(json.dumps(t) + "\n" for t in truth)
        starts = paragraph_starts(cp)
        assert starts["d2"] == [0, 18, 25], starts["d2"]
        assert para_of(starts, "d2", 30) == ("d2", 2)
        assert para_of_span(starts, {"doc": "d2", "start": 14, "end": 24}) == ("d2", 1)
        assert para_of_span(starts, {"doc": "d2", "start": 20, "end": 60}) == ("d2", 2)
        copies, groups = load_truth(tp)
        assert len(copies) == 3 and groups[("d4", 1)] == {0}

        # Peer pairs: the verbatim copy (reversed order), a copy-to-copy pair
        # (true: same group), a boilerplate pair (true) and a false pair.
        pp = os.path.join(tmp, "p.jsonl")
        with open(pp, "w") as f:
            for a, b in [(("d2", 0), ("d1", 0)), (("d2", 0), ("d3", 0)), (("d3", 1), ("d4", 1)),
                         (("d1", 1), ("d4", 0))]:  # fmt: skip
                f.write(json.dumps({"a": list(a), "b": list(b)}) + "\n")
        r = score(copies, groups, *load_peer_pairs(pp))
        assert r["recall_verbatim"] == 1.0 and r["recall_edited"] == 0.0, r
        assert r["recall_embedded"] == 0.0 and r["recall"] == round(1 / 3, 4), r
        assert r["precision"] == 0.75 and r["reported"] == 4, r

        # lifted: a pair between windows (mapped by start), a link covering the
        # embedded span (reversed orientation), a false link.
        lp = os.path.join(tmp, "l.json")
        with open(lp, "w") as f:
            json.dump({
                "pairs": [{"a": {"doc": "d1", "start": 2, "end": 10}, "b": {"doc": "d3", "start": 0, "end": 9},
                           "jaccard": 0.6, "containment": 0.7}],
                "links": [{"source": {"doc": "d2", "start": 40, "end": 50}, "target": {"doc": "d1", "start": 20, "end": 30}},
                          {"source": {"doc": "d1", "start": 0, "end": 5}, "target": {"doc": "d4", "start": 0, "end": 5}}],
            }, f)  # fmt: skip
        r = score(copies, groups, *load_lifted(lp, starts))
        assert r["recall_edited"] == 1.0 and r["recall_embedded"] == 1.0, r
        assert r["recall_verbatim"] == 0.0, r
        assert r["reported"] == 3 and r["precision"] == round(2 / 3, 4), r
    print("score.py self-test: 3 passed, 0 failed")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--truth")
    ap.add_argument("--corpus")
    ap.add_argument("--pairs")
    ap.add_argument("--lifted", action="store_true", help="FILE is lifted's JSON report")
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        self_test()
        return
    if not (args.truth and args.corpus and args.pairs):
        ap.error("--truth, --corpus and --pairs are required (or --self-test)")
    copies, groups = load_truth(args.truth)
    if args.lifted:
        pairs, links = load_lifted(args.pairs, paragraph_starts(args.corpus))
    else:
        pairs, links = load_peer_pairs(args.pairs)
    json.dump(score(copies, groups, pairs, links), sys.stdout)
    print()


if __name__ == "__main__":
    main()
