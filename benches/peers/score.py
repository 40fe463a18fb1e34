#!/usr/bin/env python3
"""Score reported near-duplicate passages against the truth of a generated corpus.

    python score.py --truth truth.jsonl --corpus corpus.jsonl --pairs FILE [--lifted]
    python score.py --self-test

FILE is either JSONL from run_peer.py (one {"a": [doc, para], "b": [doc, para]}
per line) or, with --lifted, lifted's JSON report: its "pairs"
({"a": {"doc", "start", "end"}, "b": {...}}) and its "links"
({"source": {"doc", "start", "end"}, "target": {...}}), byte offsets into the
document's text.

One rule for every tool (issue 14). First every reported item becomes a pair
of byte spans: a peer's paragraph is the bytes of that paragraph (its line of
the document's text, without the newline); a lifted pair or link is its two
spans as reported. Then:

- a planted copy is found when the reported span pairs that join its two
  documents and overlap both its source span and its target span (in either
  orientation) cover, together, at least half of the source span's bytes and
  at least half of the target span's bytes. A peer that reports the copy's
  two paragraphs as a pair covers all of both; a span pair that merely
  touches the copy does not count;
- a reported item counts once for precision, as the pair of paragraphs that
  hold most of its two spans' bytes (for a peer: its own pair).

Prints one JSON object:
- recall: share of the planted copies (boilerplate left out) found;
- recall_verbatim, recall_edited, recall_embedded: the same per kind (and
  recall_KIND for any other kind in the truth: revised, quoted, rewritten...);
- precision: share of the reported paragraph pairs whose two paragraphs belong
  to one group (an original and any of its copies, whole or embedded, or two
  copies of one boilerplate footer);
- reported: distinct paragraph pairs reported;
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


def paragraph_starts(corpus_path: str) -> tuple[dict[str, list[int]], dict[str, int]]:
    """For each document, the byte offset where each paragraph starts, and its length in bytes."""
    starts, lengths = {}, {}
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
            lengths[str(rec["id"])] = len(text)
    return starts, lengths


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


def paragraph_span(starts, lengths, doc: str, para: int) -> tuple[str, int, int]:
    """The bytes of a paragraph: its line of the text, without the newline."""
    offs = starts[doc]
    end = offs[para + 1] - 1 if para + 1 < len(offs) else lengths[doc]
    return (doc, offs[para], end)


def load_truth(path: str):
    copies = []  # (kind, src_span, tgt_span)
    groups: dict[tuple[str, int], set[int]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            t = json.loads(line)
            s, g = t["source"], t["target"]
            # "paras": every paragraph a case spans (PAN's cases cross lines).
            for side in (s, g):
                for para in side.get("paras", [side["para"]]):
                    groups.setdefault((side["doc"], para), set()).add(t["group"])
            if t["kind"] != "boilerplate":
                copies.append((t["kind"], (s["doc"], s["start"], s["end"]), (g["doc"], g["start"], g["end"])))
    return copies, groups


def ordered(a, b):
    return (a, b) if a <= b else (b, a)


def load_peer_pairs(path: str, starts, lengths):
    """A peer's pairs of paragraphs: (span pairs, paragraph pairs)."""
    items, pairs = [], set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            p = json.loads(line)
            a, b = (str(p["a"][0]), int(p["a"][1])), (str(p["b"][0]), int(p["b"][1]))
            if ordered(a, b) in pairs:
                continue
            pairs.add(ordered(a, b))
            items.append((paragraph_span(starts, lengths, *a), paragraph_span(starts, lengths, *b)))
    return items, pairs


def load_lifted(path: str, starts):
    """lifted's pairs and links: (span pairs, paragraph pairs)."""
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    sides = [(p["a"], p["b"]) for p in report.get("pairs", [])]
    sides += [(link["source"], link["target"]) for link in report.get("links", [])]
    items, pairs = [], set()
    for s, t in sides:
        pairs.add(ordered(para_of_span(starts, s), para_of_span(starts, t)))
        items.append(((s["doc"], s["start"], s["end"]), (t["doc"], t["start"], t["end"])))
    return items, pairs


def union_length(intervals) -> int:
    total, reach = 0, None
    for lo, hi in sorted(intervals):
        if reach is None or lo > reach:
            total += hi - lo
            reach = hi
        elif hi > reach:
            total += hi - reach
            reach = hi
    return total


class SpanIndex:
    """The reported span pairs by (document, document), both orientations,
    sorted by the first side's start, to find those that overlap a span."""

    def __init__(self, items):
        by_docs: dict[tuple[str, str], list] = {}
        for x, y in items:
            by_docs.setdefault((x[0], y[0]), []).append((x[1], x[2], y[1], y[2]))
            if x[0] != y[0] or (x[1], x[2]) != (y[1], y[2]):
                by_docs.setdefault((y[0], x[0]), []).append((y[1], y[2], x[1], x[2]))
        self.by_docs = {}
        for key, spans in by_docs.items():
            spans.sort()
            longest = max(e - s for s, e, _, _ in spans)
            self.by_docs[key] = ([s for s, _, _, _ in spans], spans, longest)

    def found(self, src, tgt) -> bool:
        """The rule: the span pairs overlapping both sides cover half of each."""
        entry = self.by_docs.get((src[0], tgt[0]))
        if entry is None:
            return False
        firsts, spans, longest = entry
        lo = bisect.bisect_left(firsts, src[1] - longest)
        hi = bisect.bisect_left(firsts, src[2])
        on_src, on_tgt = [], []
        for a_start, a_end, b_start, b_end in spans[lo:hi]:
            if a_end > src[1] and b_start < tgt[2] and b_end > tgt[1]:
                on_src.append((max(a_start, src[1]), min(a_end, src[2])))
                on_tgt.append((max(b_start, tgt[1]), min(b_end, tgt[2])))
        if not on_src:
            return False
        return (
            2 * union_length(on_src) >= src[2] - src[1]
            and 2 * union_length(on_tgt) >= tgt[2] - tgt[1]
        )


def score(copies, groups, items, pairs) -> dict:
    index = SpanIndex(items)
    # The kinds of the paragraphs shape first, then any other shape's (versions: revised, quoted).
    kinds = list(KINDS) + sorted({c[0] for c in copies} - set(KINDS))
    found = {k: 0 for k in kinds}
    total = {k: 0 for k in kinds}
    for kind, src, tgt in copies:
        total[kind] += 1
        found[kind] += index.found(src, tgt)
    true = sum(1 for a, b in pairs if groups.get(a, set()) & groups.get(b, set()))

    def ratio(n, d):
        return round(n / d, 4) if d else None

    return {
        "recall": ratio(sum(found.values()), sum(total.values())),
        **{f"recall_{k}": ratio(found[k], total[k]) for k in kinds},
        "precision": ratio(true, len(pairs)),
        "reported": len(pairs),
        "truth": sum(total.values()),
    }


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
        starts, lengths = paragraph_starts(cp)
        assert starts["d2"] == [0, 18, 25] and lengths["d2"] == 57, starts["d2"]
        assert para_of(starts, "d2", 30) == ("d2", 2)
        assert para_of_span(starts, {"doc": "d2", "start": 14, "end": 24}) == ("d2", 1)
        assert para_of_span(starts, {"doc": "d2", "start": 20, "end": 60}) == ("d2", 2)
        assert paragraph_span(starts, lengths, "d2", 1) == ("d2", 18, 24)
        assert paragraph_span(starts, lengths, "d2", 2) == ("d2", 25, 57)
        copies, groups = load_truth(tp)
        assert len(copies) == 3 and groups[("d4", 1)] == {0}

        def write(name, lines):
            path = os.path.join(tmp, name)
            with open(path, "w") as f:
                f.writelines(json.dumps(x) + "\n" for x in lines)
            return path

        # Peer pairs: the verbatim copy (reversed order), a copy-to-copy pair
        # (true: same group), a boilerplate pair (true) and a false pair.
        pp = write("p.jsonl", [{"a": list(a), "b": list(b)} for a, b in [
            (("d2", 0), ("d1", 0)), (("d2", 0), ("d3", 0)), (("d3", 1), ("d4", 1)), (("d1", 1), ("d4", 0))]])  # fmt: skip
        r = score(copies, groups, *load_peer_pairs(pp, starts, lengths))
        assert r["recall_verbatim"] == 1.0 and r["recall_edited"] == 0.0, r
        assert r["recall_embedded"] == 0.0 and r["recall"] == round(1 / 3, 4), r
        assert r["precision"] == 0.75 and r["reported"] == 4, r
        # A peer's pair of the two paragraphs around an embedded passage covers it whole.
        pp = write("p2.jsonl", [{"a": ["d2", 2], "b": ["d1", 1]}])
        r = score(copies, groups, *load_peer_pairs(pp, starts, lengths))
        assert r["recall_embedded"] == 1.0 and r["recall"] == round(1 / 3, 4), r

        def side(doc, start, end):
            return {"doc": doc, "start": start, "end": end}

        # lifted: a pair covering 12 and 9 of the edited copy's 17 bytes
        # (found), a link covering the embedded span (reversed orientation:
        # found), a link that only touches the verbatim copy (3 and 2 of 17
        # bytes: not found, though it maps to the copy's paragraphs for
        # precision), a false link.
        lp = os.path.join(tmp, "l.json")
        with open(lp, "w") as f:
            json.dump({
                "pairs": [{"a": side("d1", 0, 12), "b": side("d3", 0, 9), "jaccard": 0.6, "containment": 0.7}],
                "links": [{"source": side("d2", 40, 50), "target": side("d1", 20, 30)},
                          {"source": side("d1", 15, 20), "target": side("d2", 15, 20)},
                          {"source": side("d1", 0, 5), "target": side("d4", 0, 5)}],
            }, f)  # fmt: skip
        r = score(copies, groups, *load_lifted(lp, starts))
        assert r["recall_edited"] == 1.0 and r["recall_embedded"] == 1.0, r
        assert r["recall_verbatim"] == 0.0, r
        assert r["reported"] == 4 and r["precision"] == 0.75, r
        # Two links, each covering half the verbatim copy, find it together.
        with open(lp, "w") as f:
            json.dump({"links": [{"source": side("d1", 0, 9), "target": side("d2", 0, 9)},
                                 {"source": side("d2", 9, 17), "target": side("d1", 9, 17)}]}, f)  # fmt: skip
        r = score(copies, groups, *load_lifted(lp, starts))
        assert r["recall_verbatim"] == 1.0 and r["recall_edited"] == 0.0, r
        assert r["reported"] == 1 and r["precision"] == 1.0, r
        assert union_length([(5, 9), (0, 3), (2, 4), (8, 10)]) == 9
    print("score.py self-test: 5 passed, 0 failed")


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
    starts, lengths = paragraph_starts(args.corpus)
    if args.lifted:
        items, pairs = load_lifted(args.pairs, starts)
    else:
        items, pairs = load_peer_pairs(args.pairs, starts, lengths)
    json.dump(score(copies, groups, items, pairs), sys.stdout)
    print()


if __name__ == "__main__":
    main()
