"""The candidates step of lifted_spark.py (the one shuffle) against a plain
Python reading of the bucket rules of the stages spec (issue 15): every pair
of a bucket of at most --max-bucket segments, a star from the first member
(smallest document id as UTF-8 bytes, then segment) of a larger one, pairs
inside one document dropped unless --within-doc; fingerprints grouped by
key >> doc_bits into document pairs, groups over --max-bucket counted; the
documents' count rows summed into the segments."""

from __future__ import annotations

import itertools
import os
import random

import pytest

import lifted_spark
from standalone import spark_env


@pytest.fixture(scope="module")
def spark():
    os.environ.update({k: v for k, v in spark_env().items()
                       if k.startswith(("SPARK_", "PYSPARK_"))})
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("lifted-candidates-test")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.ui.enabled", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


# Ids whose UTF-8 byte order differs from Java's UTF-16 order: U+FFFF sorts
# before U+10000 as bytes (EF BF BF < F0 90 80 80), after it in UTF-16.
IDS = ["b", "a", "\uffff", "\U00010000", "é", "z", "a0", "A"]


def make_signs(rng: random.Random):
    docs = {1000 + n: ident for n, ident in enumerate(IDS)}
    rows = []
    for band in range(3):
        for key in range(6):
            size = rng.choice([1, 2, 3, 5, 7])
            members = rng.sample([(d, s) for d in docs for s in range(3)], size)
            rows += [(band, key, d, s) for d, s in members]
    for key in range(12):
        group_docs = rng.sample(sorted(docs), rng.choice([1, 2, 3, 6]))
        # Low bits (the document bits) vary inside a group, as in scan's packing.
        rows += [(-1, (key << 3) | (i % 8), d, -1) for i, d in enumerate(group_docs)]
        rows += [(-1, (key << 3) | 7, group_docs[0], -1)]  # a repeat in one document
    # Count rows (band -2): each document's segments, in `key`; they are in
    # no bucket and no fingerprint group, whatever their key.
    rows += [(-2, n % 4, d, -1) for n, d in enumerate(docs)]
    return docs, rows


def expected(docs, rows, max_bucket, within_doc):
    buckets: dict = {}
    for band, key, d, s in rows:
        if band >= 0:
            buckets.setdefault((band, key), []).append((d, s))
    pairs, oversized = set(), 0
    for members in buckets.values():
        members.sort(key=lambda m: (docs[m[0]].encode(), m[1]))
        if len(members) > max_bucket:
            oversized += 1
            linked = [(members[0], m) for m in members[1:]]
        else:
            linked = list(itertools.combinations(members, 2))
        for x, y in linked:
            if x[0] != y[0] or within_doc:
                pairs.add(tuple(sorted([x, y])))
    bits = lifted_spark.doc_bits(len(docs))
    groups: dict = {}
    for band, key, d, _ in rows:
        if band == -1:
            groups.setdefault(key >> bits, set()).add(d)
    doc_pairs, common = set(), 0
    for members in groups.values():
        if len(members) > max_bucket:
            common += 1
        elif len(members) >= 2:
            doc_pairs |= set(itertools.combinations(sorted(members), 2))
    return pairs, oversized, doc_pairs, common


@pytest.mark.parametrize("seed,max_bucket,within_doc",
                         [(1, 2, False), (2, 3, True), (3, 64, False)])
def test_candidates_follow_the_bucket_rules(spark, seed, max_bucket, within_doc):
    docs, rows = make_signs(random.Random(seed))
    signs = spark.createDataFrame(rows, lifted_spark.SIGNS_DDL)
    ids = spark.createDataFrame(list(docs.items()), "doc long, id string")
    segment_edges, document_edges, counts = lifted_spark.candidates(
        signs, ids, max_bucket, within_doc, len(docs))
    got_pairs = {((r.a, r.a_segment), (r.b, r.b_segment)) for r in segment_edges.collect()}
    got_docs = {(r.a, r.b) for r in document_edges.collect()}
    want_pairs, oversized, want_docs, common = expected(docs, rows, max_bucket, within_doc)
    assert got_pairs == want_pairs
    assert counts["candidate_pairs"] == len(want_pairs)
    assert counts["oversized_buckets"] == oversized
    assert got_docs == want_docs
    assert counts["common_fingerprints"] == common
    assert oversized > 0 or max_bucket == 64
    assert lifted_spark.segment_count(signs) == sum(n % 4 for n in range(len(docs)))
