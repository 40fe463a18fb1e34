#!/usr/bin/env python3
"""Document-level deduplication benchmark: plant near-duplicate documents in
a `lifted gen` corpus, and score what a tool removed.

    python benches/dedup_corpus.py plant --gen corpus.jsonl --out DIR [--seed 7]
        -> DIR/corpus.jsonl (the gen corpus with planted documents inserted)
           DIR/truth.jsonl  (one {"id", "kind", "of", "edit"} line per planted document)
    python benches/dedup_corpus.py kept-by-text-dedup --corpus DIR/corpus.jsonl \
        --dataset TEXT_DEDUP_OUTPUT --removed removed.txt
    python benches/dedup_corpus.py score --truth DIR/truth.jsonl --removed FILE

Planted documents (deterministic for a seed):
- "copy": for 12% of the documents, one or two copies, each with a share of
  its words replaced by other words (0, 1, 2, 4, 6 or 8%, uniformly) and
  inserted at a random later position. These should be removed.
- "partial": for 4% of the documents, a new document of the same length
  made of its first 55% (in words and spaces) followed by the start of
  another document (exact Jaccard about 0.38 with the first, less with the
  other: below a 0.5 threshold, but close enough for LSH to propose).
  These should stay: removing one is a false positive, as is removing any
  original document.

`score` reads removed ids from a text file (one id a line) or from a
`lifted dedup --summary` JSON file, and prints recall (planted copies
removed / planted copies), precision (planted copies removed / documents
removed), copies found by edit rate, and the same recall and precision
order-free ("any_member_"): a group of an original and its copies counts as
deduplicated when exactly one of its members stays, whichever it is.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys

WORD = re.compile(r"\w+|\W+")


def edit(text: str, rate: float, rng: random.Random, vocabulary: list[str]) -> str:
    if rate == 0:
        return text
    parts = WORD.findall(text)
    for i, part in enumerate(parts):
        if part[0].isalnum() and rng.random() < rate:
            parts[i] = rng.choice(vocabulary)
    return "".join(parts)


def plant(args) -> None:
    rng = random.Random(args.seed)
    docs = [json.loads(line) for line in open(args.gen, encoding="utf-8") if line.strip()]
    vocabulary = sorted({w for d in docs[:200] for w in re.findall(r"\w+", d["text"])})
    # inserts[i]: documents placed after original position i.
    inserts: dict[int, list[dict]] = {}
    truth = []
    rates = [0.0, 0.01, 0.02, 0.04, 0.06, 0.08]
    n = len(docs)
    for i, doc in enumerate(docs):
        r = rng.random()
        if r < 0.12:
            for k in range(rng.choice([1, 2])):
                rate = rng.choice(rates)
                copy = {"id": f"{doc['id']}-copy{k}", "text": edit(doc["text"], rate, rng, vocabulary)}
                at = rng.randrange(i, n)
                inserts.setdefault(at, []).append(copy)
                truth.append({"id": copy["id"], "kind": "copy", "of": doc["id"], "edit": rate})
        elif r < 0.16:
            other = docs[rng.randrange(n)]
            mine = WORD.findall(doc["text"])
            theirs = WORD.findall(other["text"])
            keep = int(len(mine) * 0.55)
            text = "".join(mine[:keep]) + " " + "".join(theirs[: len(mine) - keep])
            new = {"id": f"{doc['id']}-partial", "text": text}
            inserts.setdefault(rng.randrange(i, n), []).append(new)
            truth.append({"id": new["id"], "kind": "partial", "of": doc["id"], "other": other["id"]})
    with open(f"{args.out}/corpus.jsonl", "w", encoding="utf-8") as out:
        for i, doc in enumerate(docs):
            out.write(json.dumps({"id": doc["id"], "text": doc["text"]}, ensure_ascii=False) + "\n")
            for new in inserts.get(i, []):
                out.write(json.dumps(new, ensure_ascii=False) + "\n")
    with open(f"{args.out}/truth.jsonl", "w", encoding="utf-8") as out:
        for t in truth:
            out.write(json.dumps(t) + "\n")
    copies = sum(t["kind"] == "copy" for t in truth)
    print(f"plant: {n + len(truth)} documents ({n} generated, {copies} copies, {len(truth) - copies} partial)", file=sys.stderr)


def kept_by_text_dedup(args) -> None:
    from datasets import load_from_disk

    kept = set(str(x) for x in load_from_disk(args.dataset)["id"])
    with open(args.removed, "w", encoding="utf-8") as out:
        for line in open(args.corpus, encoding="utf-8"):
            doc_id = str(json.loads(line)["id"])
            if doc_id not in kept:
                out.write(doc_id + "\n")


def read_removed(path: str) -> set[str]:
    if path.endswith(".json"):
        return {r["id"] for r in json.load(open(path, encoding="utf-8"))["removed"]}
    return {line.strip() for line in open(path, encoding="utf-8") if line.strip()}


def score(args) -> None:
    truth = [json.loads(line) for line in open(args.truth, encoding="utf-8")]
    copies = {t["id"]: t for t in truth if t["kind"] == "copy"}
    removed = read_removed(args.removed)
    found = removed & copies.keys()
    recall = len(found) / len(copies)
    precision = len(found) / len(removed) if removed else 1.0
    by_rate = {}
    for t in copies.values():
        hit, total = by_rate.get(t["edit"], (0, 0))
        by_rate[t["edit"]] = (hit + (t["id"] in found), total + 1)
    rates = ", ".join(f"{r:.0%}: {h}/{n}" for r, (h, n) in sorted(by_rate.items()))
    # Order-free: a planted group (an original and its copies) is right when
    # exactly one member stays, whichever it is (text-dedup keeps an
    # arbitrary member of a cluster, not the first).
    groups: dict[str, set[str]] = {}
    for t in copies.values():
        groups.setdefault(t["of"], {t["of"]}).add(t["id"])
    grouped = set().union(*groups.values()) if groups else set()
    hits = extra = 0
    for members in groups.values():
        r = len(members & removed)
        hits += min(r, len(members) - 1)
        extra += max(0, r - (len(members) - 1))
    false = extra + len(removed - grouped)
    print(json.dumps({
        "removed": len(removed), "copies": len(copies), "copies_removed": len(found),
        "false_positives": len(removed - found), "recall": round(recall, 4),
        "precision": round(precision, 4),
        "any_member_recall": round(hits / len(copies), 4),
        "any_member_precision": round(hits / (hits + false), 4) if removed else 1.0,
        "by_edit_rate": rates,
    }))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("plant")
    p.add_argument("--gen", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=7)
    p = sub.add_parser("kept-by-text-dedup")
    p.add_argument("--corpus", required=True)
    p.add_argument("--dataset", required=True)
    p.add_argument("--removed", required=True)
    p = sub.add_parser("score")
    p.add_argument("--truth", required=True)
    p.add_argument("--removed", required=True)
    args = ap.parse_args()
    {"plant": plant, "kept-by-text-dedup": kept_by_text_dedup, "score": score}[args.cmd](args)


if __name__ == "__main__":
    main()
