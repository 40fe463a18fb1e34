#!/usr/bin/env python3
"""Run one MinHash-LSH near-duplicate tool on a lifted benchmark corpus.

    python run_peer.py --tool {gaoya,rensa,datasketch,text-dedup} \
        --corpus corpus.jsonl --out pairs.jsonl [--threads 2]

The units are paragraphs: each document's "text" is split on "\\n" and a
paragraph is keyed by (doc id, paragraph index). Every tool gets the same
settings: word 5-gram shingles after lowercasing and splitting on non-word
characters, 128 permutations (125 for rensa, whose LSH needs the permutations
to be a multiple of the bands: the bands use 125 values in every tool), LSH
with 25 bands of 5 rows (threshold about 0.5).

To give every tool the same shingles, the runner lowercases each paragraph
and keeps its words (regex \\w+) joined by single spaces; each tool then
tokenizes that with its own fastest documented path:

- gaoya: MinHashStringIndex with the Rust word analyzer (ngram_range (5, 5)),
  par_bulk_insert_docs then par_bulk_query, both multi-threaded (rayon).
  Its query keeps candidates whose estimated Jaccard reaches the threshold.
- rensa: RMinHash.from_token_sets (batch, in Rust) on the 5-gram strings,
  RMinHashLSH insert_many / query_all, candidates kept when the estimated
  Jaccard reaches the threshold, as its deduplicator does. (The "rho" batch
  pipeline is not used: it samples token positions, which is not the
  full-set MinHash the other tools compute.)
- datasketch: MinHash.generator (update_batch, numpy) with the default hash,
  MinHashLSH(params=(25, 5)) filled through an insertion_session, then query
  for every paragraph: the LSH candidates, as documented (no verification).
  Pure Python + numpy: one thread whatever --threads says.
- text-dedup: its MinHash script (python -m text_dedup.minhash, xxh3 hashes,
  --num_proc threads) on the paragraphs written as a JSONL dataset. It only
  clusters (union-find over shared LSH buckets, no verification), so the
  pairs are all pairs inside each cluster of up to 50 paragraphs, and a star
  (every member paired with the cluster's first paragraph) for larger ones.

Paragraphs of fewer than 5 words (no word 5-gram) are left out for every
tool. Pairs of two paragraphs of one document are dropped (the truth and lifted's
default only count reuse across documents). Output: one JSON line per pair,
{"a": [doc, para], "b": [doc, para]}, a before b in corpus order.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time

WORD = re.compile(r"\w+")
NGRAM = 5
NUM_PERM = 128
BANDS = 25
ROWS = 5
THRESHOLD = 0.5
SEED = 42
CLUSTER_CAP = 50


def log(msg: str) -> None:
    print(f"run_peer: {msg}", file=sys.stderr, flush=True)


def load_units(path: str):
    """(keys, words) where keys[i] = (doc, para) and words[i] = normalized text."""
    keys, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            rec = json.loads(line)
            doc = str(rec["id"])
            for i, para in enumerate(rec["text"].split("\n")):
                words = WORD.findall(para.lower())
                # No 5-gram: every tool would give it one and the same
                # signature (of the empty set, or of its few words), so all
                # such lines (empty ones, headings, dates in real text)
                # would be reported as near-duplicates of each other.
                if len(words) < NGRAM:
                    continue
                keys.append((doc, i))
                texts.append(" ".join(words))
    return keys, texts


def shingles(text: str) -> list[str]:
    words = text.split(" ")
    if len(words) < NGRAM:
        return [text] if text else []
    return [" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)]


def run_gaoya(texts, threads):
    from gaoya.minhash import MinHashStringIndex

    index = MinHashStringIndex(
        hash_size=32,
        jaccard_threshold=THRESHOLD,
        num_bands=BANDS,
        band_size=ROWS,
        analyzer="word",
        lowercase=False,  # already lowercased
        ngram_range=(NGRAM, NGRAM),
        id_container="vec",
    )
    ids = list(range(len(texts)))
    index.par_bulk_insert_docs(ids, texts)
    results = index.par_bulk_query(texts)
    for i, found in enumerate(results):
        for j in found:
            if j != i:
                yield (i, j)


def run_rensa(texts, threads):
    from rensa import RMinHash, RMinHashLSH

    num_perm = BANDS * ROWS  # RMinHashLSH needs num_perm divisible by num_bands
    minhashes = RMinHash.from_token_sets((shingles(t) for t in texts), num_perm, SEED)
    lsh = RMinHashLSH(THRESHOLD, num_perm, BANDS)
    lsh.insert_many(minhashes)
    for i, found in enumerate(lsh.query_all(minhashes)):
        mi = minhashes[i]
        for j in found:
            if j != i and mi.jaccard(minhashes[j]) >= THRESHOLD:
                yield (i, j)


def run_datasketch(texts, threads):
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=(BANDS, ROWS))
    minhashes = list(
        MinHash.generator(
            ([s.encode("utf-8") for s in shingles(t)] for t in texts),
            num_perm=NUM_PERM,
            seed=SEED,
        )
    )
    with lsh.insertion_session() as session:
        for i, m in enumerate(minhashes):
            session.insert(i, m, check_duplication=False)
    for i, m in enumerate(minhashes):
        for j in lsh.query(m):
            if j != i:
                yield (i, j)


def run_text_dedup(texts, threads):
    work = tempfile.mkdtemp(prefix="text-dedup-")
    try:
        data = os.path.join(work, "paragraphs.jsonl")
        with open(data, "w", encoding="utf-8") as f:
            for t in texts:
                f.write(json.dumps({"text": t}) + "\n")
        out = os.path.join(work, "out")
        cmd = [
            sys.executable, "-m", "text_dedup.minhash",
            "--path", "json", "--data_files", data, "--split", "train",
            "--cache_dir", os.path.join(work, "cache"), "--output", out,
            "--column", "text", "--batch_size", "10000",
            "--ngram", str(NGRAM), "--min_length", "1",
            "--num_perm", str(NUM_PERM), "--threshold", str(THRESHOLD),
            "--b", str(BANDS), "--r", str(ROWS), "--seed", str(SEED),
            "--hash_func", "xxh3", "--num_proc", str(threads),
            "--debug", "--clean_cache",
        ]  # fmt: skip
        env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1",
                   HF_DATASETS_DISABLE_PROGRESS_BARS="1", TQDM_DISABLE="1")  # fmt: skip
        log("text-dedup: " + " ".join(cmd[1:]))
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if proc.returncode != 0:
            sys.stderr.write(proc.stdout[-4000:])
            raise SystemExit(f"run_peer: text-dedup exited with {proc.returncode}")
        with open(os.path.join(out, "uf.pkl"), "rb") as f:
            uf = pickle.load(f)  # noqa: S301 (our own file, just written)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    clusters: dict[int, list[int]] = {}
    for x in list(uf.parent):
        clusters.setdefault(uf.find(x), []).append(x)
    big = 0
    for members in clusters.values():
        if len(members) < 2:
            continue
        members.sort()
        if len(members) <= CLUSTER_CAP:
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    yield (members[a], members[b])
        else:
            big += 1
            for b in members[1:]:
                yield (members[0], b)
    if big:
        log(f"text-dedup: {big} clusters of more than {CLUSTER_CAP} paragraphs reported as stars")


TOOLS = {
    "gaoya": run_gaoya,
    "rensa": run_rensa,
    "datasketch": run_datasketch,
    "text-dedup": run_text_dedup,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tool", required=True, choices=sorted(TOOLS))
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    # Rust tools (gaoya, rensa) use rayon: bound its pool before importing them.
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)

    t0 = time.perf_counter()
    keys, texts = load_units(args.corpus)
    t1 = time.perf_counter()
    log(f"{args.tool}: {len(keys)} paragraphs read in {t1 - t0:.1f}s")
    pairs = set()
    for i, j in TOOLS[args.tool](texts, args.threads):
        if keys[i][0] == keys[j][0]:
            continue
        pairs.add((i, j) if i < j else (j, i))
    t2 = time.perf_counter()
    with open(args.out, "w", encoding="utf-8") as f:
        for i, j in sorted(pairs):
            f.write(json.dumps({"a": list(keys[i]), "b": list(keys[j])}) + "\n")
    log(f"{args.tool}: {len(pairs)} pairs in {t2 - t1:.1f}s, written to {args.out}")


if __name__ == "__main__":
    main()
