#!/usr/bin/env python3
"""Long documents of real text in revised versions, for benches/compare.sh
(shape `pan13-versions`): the shape of issue 14's Bible case (one file per
book, several versions of each, dated), but with real English instead of the
generated vocabulary of `lifted gen --shape versions`.

    python3 benches/real_versions.py --pan DIR --out OUT [--size-mb 25] [--seed 42]
    python3 benches/real_versions.py --self-test

DIR is the PAN 2013 training corpus (../shared/pan13-train); only its src/
folder is read: 3,230 web and news documents, 21 MB of real English, one
paragraph per line. OUT gets corpus.jsonl, truth.jsonl and manifest.csv in
the formats of `lifted gen --shape versions`:

- Works of 8 to 20 books. A book is consecutive PAN documents' paragraphs
  (lines) up to 20 to 60 KB. Version 0 is that text as it is.
- 5 to 7 versions of each work. Each later version of a book is revised from
  an earlier version of the same book (the previous one 70% of the time,
  else any earlier one): 4 to 16% of its words respelled (British and
  American or older and newer spellings: colour/color, realise/realize,
  centre/center, travelled/traveled, shew/show...), replaced by another word
  of the work or dropped; 2% of its paragraphs dropped and as many new ones
  inserted, from text kept out of the books.
- Commentaries, a quarter as many as the work's books (at least two): text
  kept out of the books, where a third of the paragraphs quote a sentence of
  eight words or more from one of the work's books.
- Dates: version by version, commentaries last (manifest.csv), in the order
  the documents are written.

truth.jsonl has a line for every paragraph of a later version (of eight words
or more in both versions, words as lifted counts them: real text has one-word
lines and lines of "-" or "*"), from the same
paragraph in the version it was revised from ("revised", or "verbatim" when no
word changed), and a "quoted" line per quotation; "group" is the paragraph's
lineage. Byte offsets are into each document's text (UTF-8), "para" its line.

The corpus is research data: it is read from DIR and written under target/
(or OUT), never into the repository. Deterministic for a given seed and DIR.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import re
import sys
import tempfile

# Spelling pairs, both ways: British and American, older and newer.
SPELLINGS = [
    ("our", "or"),  # colour / color (word endings only, see respell)
    ("ise", "ize"),
    ("ised", "ized"),
    ("ising", "izing"),
    ("isation", "ization"),
    ("yse", "yze"),
    ("tre", "ter"),
    ("elled", "eled"),
    ("elling", "eling"),
    ("ogue", "og"),
    ("ence", "ense"),
]
WORDS = {
    "show": "shew", "shown": "shewn", "among": "amongst", "while": "whilst",
    "grey": "gray", "mould": "mold", "plough": "plow", "cheque": "check",
    "connexion": "connection", "gaol": "jail", "tyre": "tire", "draught": "draft",
    "any one": "anyone", "to-day": "today", "every one": "everyone",
}
WORDS.update({v: k for k, v in list(WORDS.items())})


def respell(word: str) -> str | None:
    """An older or newer, British or American spelling of `word`, or None."""
    core = word.rstrip(".,;:!?\"')")
    tail = word[len(core):]
    lower = core.lower()
    if lower in WORDS:
        new = WORDS[lower]
    else:
        new = None
        for a, b in SPELLINGS:
            for x, y in ((a, b), (b, a)):
                if len(lower) > len(x) + 2 and lower.endswith(x):
                    new = lower[: -len(x)] + y
                    break
            if new:
                break
    if not new or new == lower:
        return None
    if core[:1].isupper():
        new = new[:1].upper() + new[1:]
    return new + tail


def read_paragraphs(pan: str) -> list[list[str]]:
    """Each PAN source document's non-empty lines, documents in name order."""
    folder = os.path.join(pan, "src")
    names = sorted(n for n in os.listdir(folder) if n.endswith(".txt"))
    if not names:
        raise SystemExit(f"real_versions.py: {folder} has no .txt files (the PAN 2013 corpus's src/)")
    docs = []
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8", errors="replace", newline="") as f:
            lines = [" ".join(line.split()) for line in f.read().splitlines()]
        docs.append([line for line in lines if line])
    return docs


# A word as lifted counts them: letters and digits, apostrophes joining two
# runs ("-", "*" or "[]" between spaces are no words).
WORD = re.compile(r"[^\W_]+(?:['\u2019`][^\W_]+)*")


def word_count(text: str) -> int:
    """The words of `text` as lifted's tokenizer finds them (near enough)."""
    return len(WORD.findall(text))


def sentences(paragraph: str) -> list[str]:
    """Sentences of eight words or more between spaces (the truth keeps only
    those of eight words as lifted counts them)."""
    parts = re.split(r"(?<=[.!?])\s+", paragraph)
    return [p for p in parts if len(p.split()) >= 8]


class Builder:
    def __init__(self, docs: list[list[str]], rng: random.Random, size: int):
        self.rng = rng
        self.size = size
        # Paragraphs in order; a sixth of the documents (every sixth) is kept
        # out of the books for insertions and commentaries.
        self.book_text = [p for i, d in enumerate(docs) if i % 6 for p in d]
        self.spare = [p for i, d in enumerate(docs) if i % 6 == 0 for p in d]
        self.next_book = 0
        self.next_spare = 0
        self.records: list[tuple[str, str]] = []  # (id, text), in writing order
        self.dates: list[tuple[str, str]] = []
        self.truth: list[dict] = []
        self.written = 0
        self.lineage = 0
        self.day = 0  # days after 1800-01-01

    def take_spare(self) -> str:
        p = self.spare[self.next_spare % len(self.spare)]
        self.next_spare += 1
        return p

    def new_lineage(self) -> int:
        self.lineage += 1
        return self.lineage - 1

    def book(self, target: int) -> list[tuple[str, int]] | None:
        """Version 0 of a book: (paragraph, lineage) up to `target` bytes."""
        out, total = [], 0
        while total < target:
            if self.next_book >= len(self.book_text):
                return out or None
            p = self.book_text[self.next_book]
            self.next_book += 1
            out.append((p, self.new_lineage()))
            total += len(p.encode()) + 1
        return out

    def revise(self, book, vocabulary: list[str], rate: float):
        """A revised version: [(paragraph, lineage, from_index or None, changed)]."""
        rng = self.rng
        out = []
        for index, (p, lineage) in enumerate(book):
            roll = rng.random()
            if roll < 0.02:
                continue  # dropped
            if roll < 0.04:
                out.append((self.take_spare(), self.new_lineage(), None, 1.0))
            words = p.split(" ")
            new, changed = [], 0
            for w in words:
                if rng.random() >= rate:
                    new.append(w)
                    continue
                op = rng.random()
                if op < 0.4 and (r := respell(w)) is not None:
                    new.append(r)
                elif op < 0.8:
                    r = rng.choice(vocabulary)
                    new.append(r.capitalize() if w[:1].isupper() else r)
                # else dropped
                changed += 1
            if not new:
                new = words[:1]
            out.append((" ".join(new), lineage, index, changed / max(1, len(words))))
        return out

    def write(self, doc_id: str, paragraphs: list[str]) -> list[tuple[int, int]]:
        """Record a document; the byte span of each paragraph."""
        spans, at = [], 0
        for p in paragraphs:
            n = len(p.encode())
            spans.append((at, at + n))
            at += n + 1
        text = "\n".join(paragraphs)
        self.records.append((doc_id, text))
        self.written += len(text.encode())
        return spans

    def date(self, doc_id: str, day: int):
        when = datetime.date(1800, 1, 1) + datetime.timedelta(days=self.day + day)
        self.dates.append((doc_id, when.isoformat()))

    def work(self, number: int) -> bool:
        rng = self.rng
        books = rng.randint(8, 20)
        versions = rng.randint(5, 7)
        scale = min(1.0, self.size / (books * versions * 40_000 * 4))
        base = []
        for _ in range(books):
            b = self.book(int(rng.randint(20_000, 60_000) * max(scale, 0.05)))
            if b is None:
                break
            base.append(b)
        if not base:
            return False
        vocabulary = sorted({w.strip(".,;:!?\"'()").lower() for b in base for p, _ in b for w in p.split()} - {""})
        # Every version of every book: (paragraphs with lineage, spans).
        history: list[list[tuple[list, list]]] = [[] for _ in base]
        for v in range(versions):
            self.day += rng.randint(60, 400)
            for b, original in enumerate(base):
                doc_id = f"w{number:03d}-v{v}-b{b:02d}"
                if v == 0:
                    paragraphs = [(p, lineage, None, 0.0) for p, lineage in original]
                    parent = None
                else:
                    parent = v - 1 if rng.random() < 0.7 else rng.randrange(v)
                    source = [(p, lineage) for p, lineage, _, _ in history[b][parent][0]]
                    paragraphs = self.revise(source, vocabulary, rng.uniform(0.04, 0.16))
                spans = self.write(doc_id, [p for p, _, _, _ in paragraphs])
                self.date(doc_id, b)
                history[b].append((paragraphs, spans))
                if parent is None:
                    continue
                parent_paragraphs, parent_spans = history[b][parent]
                parent_id = f"w{number:03d}-v{parent}-b{b:02d}"
                for para, ((_, lineage, index, changed), span) in enumerate(zip(paragraphs, spans)):
                    # Lines under eight words (a title, "Carpool.") are below
                    # --min-words: no truth for them, for any tool.
                    if index is None or min(word_count(paragraphs[para][0]),
                                            word_count(parent_paragraphs[index][0])) < 8:
                        continue
                    s = parent_spans[index]
                    self.truth.append({
                        "kind": "verbatim" if changed == 0 else "revised",
                        "group": lineage,
                        "source": {"doc": parent_id, "para": index, "start": s[0], "end": s[1]},
                        "target": {"doc": doc_id, "para": para, "start": span[0], "end": span[1]},
                        "work": number, "book": b, "version": v, "from_version": parent,
                        "changed": round(changed, 3),
                    })
        # Commentaries quoting the books.
        self.day += rng.randint(60, 400)
        for c in range(max(2, len(base) // 4)):
            doc_id = f"w{number:03d}-zc-{c:02d}"
            paragraphs, quotes = [], []
            for _ in range(rng.randint(10, 30)):
                p = self.take_spare()
                if rng.random() < 1 / 3:
                    b = rng.randrange(len(base))
                    v = rng.randrange(versions)
                    source_paragraphs, source_spans = history[b][v]
                    index = rng.randrange(len(source_paragraphs))
                    text = source_paragraphs[index][0]
                    found = sentences(text)
                    if found:
                        quote = rng.choice(found)
                        offset = len(text[: text.index(quote)].encode())
                        start = source_spans[index][0] + offset
                        lead = p + " " if rng.random() < 0.5 else ""
                        quotes.append((len(paragraphs), len(lead.encode()), len(quote.encode()),
                                       f"w{number:03d}-v{v}-b{b:02d}", index, start,
                                       source_paragraphs[index][1]))
                        p = lead + quote
                paragraphs.append(p)
            spans = self.write(doc_id, paragraphs)
            self.date(doc_id, c)
            for para, at, n, source_id, index, start, lineage in quotes:
                quote = paragraphs[para].encode()[at:at + n].decode()
                if word_count(quote) < 8:
                    continue  # below --min-words, as above
                self.truth.append({
                    "kind": "quoted",
                    "group": lineage,
                    "source": {"doc": source_id, "para": index, "start": start, "end": start + n},
                    "target": {"doc": doc_id, "para": para, "start": spans[para][0] + at,
                               "end": spans[para][0] + at + n},
                    "work": number,
                })
        return True

    def build(self):
        number = 1
        while self.written < self.size and self.work(number):
            number += 1
        if self.written < self.size:
            raise SystemExit(
                f"real_versions.py: the source text ran out at {self.written / 1e6:.1f} MB "
                f"(asked for {self.size / 1e6:.1f} MB); ask for less (--size-mb 70 fits PAN 2013's src/)")


def write(out: str, builder: Builder):
    os.makedirs(out, exist_ok=True)
    for name, lines in (
        ("corpus.jsonl", (json.dumps({"id": i, "text": t}, ensure_ascii=False) for i, t in builder.records)),
        ("truth.jsonl", (json.dumps(t) for t in builder.truth)),
        ("manifest.csv", ["id,date"] + [f"{i},{d}" for i, d in builder.dates]),
    ):
        path = os.path.join(out, name)
        with open(path + ".tmp", "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line + "\n")
        os.replace(path + ".tmp", path)


def check(builder: Builder) -> list[str]:
    """What is wrong with a built corpus's truth (empty when all is right)."""
    texts = {i: t.encode() for i, t in builder.records}
    problems = []
    for t in builder.truth:
        s, g = t["source"], t["target"]
        a = texts[s["doc"]][s["start"]:s["end"]]
        b = texts[g["doc"]][g["start"]:g["end"]]
        if t["kind"] in ("verbatim", "quoted") and a != b:
            problems.append(f"{t['kind']} copy differs: {s} {g}")
        if t["kind"] == "revised":
            wa, wb = set(a.split()), set(b.split())
            # Edits are random: a short line can lose most of its words.
            kept = 1 - t["changed"]
            if len(wa & wb) < kept * 0.5 * min(len(wa), len(wb)):
                problems.append(f"revised copy shares too few words: {s} {g}")
        for side, text in ((s, a), (g, b)):
            if b"\n" in text or not text:
                problems.append(f"span crosses a line or is empty: {side}")
            if word_count(text.decode()) < 8:
                problems.append(f"span under eight words (below --min-words): {side}")
    ids = [i for i, _ in builder.records]
    if len(set(ids)) != len(ids):
        problems.append("duplicate ids")
    if [d for _, d in builder.dates] != sorted(d for _, d in builder.dates):
        problems.append("dates are not in writing order")
    return problems


def self_test() -> int:
    rng = random.Random(7)
    words = "the colour of the centre was realised and travelled among grey hills while".split()
    with tempfile.TemporaryDirectory() as pan:
        os.makedirs(os.path.join(pan, "src"))
        for n in range(60):
            lines = [" ".join(rng.choice(words) for _ in range(rng.randint(9, 30))) + "." for _ in range(12)]
            # Lines of seven words and two tokens that are no words.
            lines += ["- " + " ".join(rng.choice(words) for _ in range(7)) + " *" for _ in range(4)]
            with open(os.path.join(pan, "src", f"source-document{n:05d}.txt"), "w") as f:
                f.write("\n".join(lines) + "\n")
        builder = Builder(read_paragraphs(pan), random.Random(42), 200_000)
        builder.build()
        problems = check(builder)
        kinds = {t["kind"] for t in builder.truth}
        if not {"verbatim", "revised", "quoted"} <= kinds:
            problems.append(f"kinds missing: {kinds}")
        if respell("colour,") != "color," or respell("Realize") != "Realise" or respell("cat") is not None:
            problems.append("respell")
    for p in problems:
        print(p, file=sys.stderr)
    print(f"real_versions.py self-test: {'failed' if problems else 'passed'}")
    return 1 if problems else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pan")
    ap.add_argument("--out")
    ap.add_argument("--size-mb", type=float, default=25)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    if not (args.pan and args.out):
        ap.error("--pan and --out are required (or --self-test)")
    if args.size_mb <= 0:
        ap.error("--size-mb must be positive")
    builder = Builder(read_paragraphs(args.pan), random.Random(args.seed), int(args.size_mb * 1e6))
    builder.build()
    problems = check(builder)
    if problems:
        for p in problems[:10]:
            print(f"real_versions.py: {p}", file=sys.stderr)
        return 1
    write(args.out, builder)
    print(f"real_versions.py: {len(builder.records)} documents, {builder.written / 1e6:.1f} MB, "
          f"{len(builder.truth)} truth lines in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
