#!/usr/bin/env python3
"""Turn the PAN 2013 text alignment training corpus into one JSONL corpus with
a truth.jsonl in the format of `lifted gen`, for benches/compare.sh.

    python3 benches/pan13_corpus.py --pan DIR --out OUT

DIR is the PAN corpus (../shared/pan13-train: src/, susp/ and one folder of
XML annotations per obfuscation kind). OUT gets:

- corpus.jsonl: one {"id": "src/NAME" or "susp/NAME", "text": ...} line per
  file of src/ and susp/, in that order (file names sorted);
- truth.jsonl: one line per plagiarism case of the XML files, in the format
  of `lifted gen`'s truth: {"kind", "group", "source": {"doc", "para",
  "start", "end", "paras"}, "target": {...}}, source in src/, target in
  susp/, byte offsets into the text (PAN counts code points), "para" the
  paragraph (line) holding the start and "paras" every line the case
  overlaps. "kind" is PAN's obfuscation: none, random, translation or
  summary. Each case is its own group.

The corpus is research data: it is read from DIR and written under target/,
never into the repository.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import sys
import xml.etree.ElementTree as ET

FOLDERS = {
    "02-no-obfuscation": "none",
    "03-random-obfuscation": "random",
    "04-translation-obfuscation": "translation",
    "05-summary-obfuscation": "summary",
}


def read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="strict", newline="") as f:
        return f.read()


class Doc:
    """A document's text with code point -> byte offsets and line starts."""

    def __init__(self, text: str):
        self.text = text
        self.bytes_before = [0] * (len(text) + 1)
        total = 0
        for i, ch in enumerate(text):
            self.bytes_before[i] = total
            total += len(ch.encode("utf-8"))
        self.bytes_before[len(text)] = total
        data = text.encode("utf-8")
        self.line_starts = [0] + [i + 1 for i, b in enumerate(data) if b == 0x0A]

    def side(self, doc_id: str, offset: int, length: int) -> dict:
        start = self.bytes_before[min(offset, len(self.text))]
        end = self.bytes_before[min(offset + length, len(self.text))]
        first = bisect.bisect_right(self.line_starts, start) - 1
        last = bisect.bisect_right(self.line_starts, max(start, end - 1)) - 1
        return {"doc": doc_id, "para": first, "start": start, "end": end, "paras": list(range(first, last + 1))}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pan", required=True, help="the PAN 2013 training corpus folder")
    ap.add_argument("--out", required=True, help="folder for corpus.jsonl and truth.jsonl")
    args = ap.parse_args()
    for sub in ("src", "susp", *FOLDERS):
        if not os.path.isdir(os.path.join(args.pan, sub)):
            sys.exit(f"pan13_corpus: {os.path.join(args.pan, sub)} is missing: --pan must name the PAN 2013 training corpus")
    os.makedirs(args.out, exist_ok=True)
    docs: dict[str, Doc] = {}
    corpus_tmp = os.path.join(args.out, "corpus.jsonl.tmp")
    with open(corpus_tmp, "w", encoding="utf-8") as out:
        for sub in ("src", "susp"):
            for name in sorted(os.listdir(os.path.join(args.pan, sub))):
                text = read_text(os.path.join(args.pan, sub, name))
                doc_id = f"{sub}/{name}"
                docs[doc_id] = Doc(text)
                out.write(json.dumps({"id": doc_id, "text": text}, ensure_ascii=False) + "\n")
    cases = 0
    truth_tmp = os.path.join(args.out, "truth.jsonl.tmp")
    with open(truth_tmp, "w", encoding="utf-8") as out:
        for folder, kind in FOLDERS.items():
            for name in sorted(os.listdir(os.path.join(args.pan, folder))):
                if not name.endswith(".xml"):
                    continue
                root = ET.parse(os.path.join(args.pan, folder, name)).getroot()
                susp = "susp/" + root.get("reference")
                for f in root:
                    if f.get("name") != "plagiarism":
                        continue
                    src = "src/" + f.get("source_reference")
                    source = docs[src].side(src, int(f.get("source_offset")), int(f.get("source_length")))
                    target = docs[susp].side(susp, int(f.get("this_offset")), int(f.get("this_length")))
                    line = {"kind": kind, "group": cases, "source": source, "target": target}
                    out.write(json.dumps(line) + "\n")
                    cases += 1
    os.replace(corpus_tmp, os.path.join(args.out, "corpus.jsonl"))
    os.replace(truth_tmp, os.path.join(args.out, "truth.jsonl"))
    print(f"pan13_corpus: {len(docs)} documents, {cases} plagiarism cases -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
