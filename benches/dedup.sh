#!/usr/bin/env bash
# Document-level dedup: `lifted dedup` against text-dedup's MinHash on a
# `lifted gen` corpus with planted near-duplicate documents
# (benches/dedup_corpus.py). Prints the "Dedup" section of BENCHMARKS.md.
#
#   bash benches/dedup.sh [--size-mb 20] [--threads 2] [--venv .bench-venv]
#
# The venv must hold the pinned peers of benches/peers/requirements.txt
# (benches/compare.sh creates .bench-venv). Runs stay in target/bench/dedup/.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE=20
THREADS=2
VENV="$ROOT/.bench-venv"
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --venv) VENV="$2"; shift 2 ;;
    *) echo "dedup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
PY="$VENV/bin/python"
LIFTED="$ROOT/target/release/lifted"
WORK="$ROOT/target/bench/dedup"
SCORE="$ROOT/benches/dedup_corpus.py"
(cd "$ROOT" && cargo build --release --quiet)
mkdir -p "$WORK/gen"
"$LIFTED" gen --out "$WORK/gen" --size-mb "$SIZE" --seed 42 2> /dev/null
python3 "$SCORE" plant --gen "$WORK/gen/corpus.jsonl" --out "$WORK" 2> "$WORK/plant.log"
corpus="$WORK/corpus.jsonl"
truth="$WORK/truth.jsonl"

# wall seconds and peak RSS (MB) from a /usr/bin/time -v log
measure() {
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = (n == 3) ? t[1] * 3600 + t[2] * 60 + t[3] : t[1] * 60 + t[2]}
              /Maximum resident/ {m = $2 / 1024}
              END {printf "%.2f | %.0f", s, m}' "$1"
}
row() { # tool settings timelog removed-file
  local s
  s="$(python3 "$SCORE" score --truth "$truth" --removed "$4")"
  python3 - "$1" "$2" "$(measure "$3")" "$s" <<'EOF'
import json, sys
tool, settings, measured, s = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
pct = lambda x: f"{100 * x:.1f}%"
print(f"| {tool} | {settings} | {measured} | {s['removed']} | {pct(s['any_member_recall'])} | {pct(s['any_member_precision'])} "
      f"| {pct(s['recall'])} | {pct(s['precision'])} | {s['by_edit_rate']} |")
EOF
}

ROWS=""
for t in 0.5 0.45 0.4; do
  /usr/bin/time -v "$LIFTED" dedup "$corpus" --threads "$THREADS" --quiet --threshold "$t" \
    --output "$WORK/lifted-$t.jsonl" --summary "$WORK/lifted-$t.json" 2> "$WORK/lifted-$t.time"
  ROWS+="$(row lifted "\`lifted dedup --threshold $t\` (128 perms, exact Jaccard verified)" "$WORK/lifted-$t.time" "$WORK/lifted-$t.json")"$'\n'
done
export HF_DATASETS_OFFLINE=1 HF_HUB_OFFLINE=1 HF_DATASETS_DISABLE_PROGRESS_BARS=1 TQDM_DISABLE=1
for t in 0.5 0.4; do
  rm -rf "$WORK/td-$t" "$WORK/td-cache"
  /usr/bin/time -v "$PY" -m text_dedup.minhash --path json --data_files "$corpus" --split train \
    --cache_dir "$WORK/td-cache" --output "$WORK/td-$t" --column text --batch_size 10000 \
    --ngram 5 --min_length 1 --num_perm 128 --threshold "$t" --seed 42 --hash_func xxh3 \
    --num_proc "$THREADS" --clean_cache > "$WORK/td-$t.log" 2> "$WORK/td-$t.time"
  "$PY" "$SCORE" kept-by-text-dedup --corpus "$corpus" --dataset "$WORK/td-$t" --removed "$WORK/td-$t.removed"
  ROWS+="$(row text-dedup "\`python -m text_dedup.minhash --threshold $t\` (128 perms, its own bands x rows, LSH clusters)" "$WORK/td-$t.time" "$WORK/td-$t.removed")"$'\n'
done

cat <<EOF
## Dedup

\`bash benches/dedup.sh --size-mb $SIZE --threads $THREADS\`: $(cat "$WORK/plant.log" | sed 's/^plant: //'), $(stat -c %s "$corpus") bytes
(\`lifted gen --size-mb $SIZE --seed 42\`, then \`benches/dedup_corpus.py plant\`: copies with 0 to 8% of their words replaced,
and "partial" documents, 55% of one document then another, that must stay). Word 5-grams, 128 permutations, $THREADS threads;
wall time and peak RSS of the whole command from \`/usr/bin/time -v\` (one run each on a shared machine).
"Any member" counts a planted group (an original and its copies) as deduplicated when exactly one member stays, whichever:
text-dedup keeps an arbitrary member of a cluster, lifted the earliest, so "earliest kept" scores only lifted fairly.

| tool | settings | wall s | peak RSS MB | removed | recall (any member) | precision (any member) | recall (earliest kept) | precision (earliest kept) | copies removed by edit rate (earliest kept) |
|---|---|---:|---:|---:|---:|---:|---:|---:|---|
$ROWS
EOF
