#!/usr/bin/env bash
# Compare lifted with MinHash-LSH peers (gaoya, rensa, datasketch, text-dedup)
# on generated corpora with planted reuse (and PAN 2013's real text); writes
# BENCHMARKS.md and the table of README.md's "Performance" section.
#
#   bash benches/compare.sh [--sizes "10 100"] [--threads 2] [--tools "lifted gaoya ..."]
#                           [--shapes "paragraphs versions independent rewritten pan13 pan13-versions"]
#                           [--pan13 DIR] [--runs 3] [--lifted-runs 5] [--timeout SECONDS]
#                           [--output FILE] [--report-only]
#
# See benches/README.md for what each column means.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SIZES="10 100"
SHAPES="paragraphs"
THREADS=2
TOOLS="lifted gaoya rensa datasketch text-dedup"
TIMEOUT=3600
RUNS=3
LIFTED_RUNS=5
OUTPUT="$ROOT/BENCHMARKS.md"
PAN13="$ROOT/../shared/pan13-train"
REPORT_ONLY=0
COMMAND="bash benches/compare.sh"
for arg in "$@"; do
  case "$arg" in *" "*) COMMAND+=" \"$arg\"" ;; *) COMMAND+=" $arg" ;; esac
done

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "compare.sh: $*" >&2; exit 2; }
# A bad command line: the reason, then the usage, on stderr; exit 2.
bad_usage() { echo "compare.sh: $*" >&2; usage >&2; exit 2; }
say() { echo "compare.sh: $*" >&2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) [ $# -ge 2 ] || bad_usage "--sizes needs a value, e.g. --sizes \"10 100\""; SIZES="$2"; shift 2 ;;
    --threads) [ $# -ge 2 ] || bad_usage "--threads needs a value"; THREADS="$2"; shift 2 ;;
    --tools) [ $# -ge 2 ] || bad_usage "--tools needs a value"; TOOLS="$2"; shift 2 ;;
    --shapes) [ $# -ge 2 ] || bad_usage "--shapes needs a value, e.g. --shapes \"paragraphs versions\""; SHAPES="$2"; shift 2 ;;
    --timeout) [ $# -ge 2 ] || bad_usage "--timeout needs a value"; TIMEOUT="$2"; shift 2 ;;
    --runs) [ $# -ge 2 ] || bad_usage "--runs needs a value"; RUNS="$2"; shift 2 ;;
    --lifted-runs) [ $# -ge 2 ] || bad_usage "--lifted-runs needs a value"; LIFTED_RUNS="$2"; shift 2 ;;
    --output) [ $# -ge 2 ] || bad_usage "--output needs a value"; OUTPUT="$2"; shift 2 ;;
    --pan13) [ $# -ge 2 ] || bad_usage "--pan13 needs a folder"; PAN13="$2"; shift 2 ;;
    --report-only) REPORT_ONLY=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) bad_usage "unknown argument: $1" ;;
  esac
done
for s in $SIZES; do [[ "$s" =~ ^[0-9]+$ ]] && [ "$s" -gt 0 ] || bad_usage "size '$s' is not a whole number of MB"; done
[[ "$THREADS" =~ ^[0-9]+$ ]] && [ "$THREADS" -gt 0 ] || bad_usage "--threads must be a positive whole number"
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -gt 0 ] || bad_usage "--runs must be a positive whole number"
[[ "$LIFTED_RUNS" =~ ^[0-9]+$ ]] && [ "$LIFTED_RUNS" -gt 0 ] || bad_usage "--lifted-runs must be a positive whole number"
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] && [ "$TIMEOUT" -gt 0 ] || bad_usage "--timeout must be a positive whole number of seconds"
for t in $TOOLS; do
  case "$t" in lifted|gaoya|rensa|datasketch|text-dedup) ;; *) bad_usage "unknown tool '$t'" ;; esac
done
for sh in $SHAPES; do
  case "$sh" in
    paragraphs|versions|independent|rewritten) ;;
    pan13) [ -d "$PAN13/src" ] && [ -d "$PAN13/susp" ] || die "--shapes pan13: $PAN13 has no src/ and susp/ (the PAN 2013 training corpus; --pan13 DIR names it)" ;;
    pan13-versions) [ -d "$PAN13/src" ] || die "--shapes pan13-versions: $PAN13 has no src/ (the PAN 2013 training corpus; --pan13 DIR names it)" ;;
    *) bad_usage "unknown shape '$sh' (paragraphs, versions, independent, rewritten, pan13 or pan13-versions)" ;;
  esac
done
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing: apt-get install time"
command -v python3 >/dev/null || die "python3 is missing"

# What the machine is doing before anything runs: other builds share it.
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED="$(date -u '+%H:%M UTC')"
COMMIT="$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)"
DIRTY="$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null | wc -l)"

# 1. lifted, release build, in cargo's target folder (CARGO_TARGET_DIR if set,
# relative to the repository like cargo's).
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
LIFTED="$TARGET_DIR/release/lifted"
if [ "$REPORT_ONLY" = 0 ]; then
  say "building lifted (cargo build --release, into $TARGET_DIR)"
  cargo build --release --quiet || die "cargo build --release failed"
fi
[ -x "$LIFTED" ] || die "$LIFTED is missing (cargo build --release)"

# 2. The peers' venv, installed from the pinned requirements (again when they change).
VENV="$ROOT/.bench-venv"
REQ="$ROOT/benches/peers/requirements.txt"
PY="$VENV/bin/python"
needs_peers=0
for t in $TOOLS; do [ "$t" != lifted ] && needs_peers=1; done
if [ "$needs_peers" = 1 ]; then
  if [ ! -x "$PY" ]; then
    say "creating $VENV"
    python3 -m venv "$VENV" || die "python3 -m venv failed (apt-get install python3-venv?)"
  fi
  stamp="$VENV/.requirements.sha256"
  want="$(sha256sum "$REQ" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
    say "installing the pinned peers into $VENV (pip install -r $REQ)"
    "$PY" -m pip install --quiet --upgrade pip || die "pip upgrade failed"
    "$PY" -m pip install --quiet -r "$REQ" || die "pip install -r $REQ failed"
    echo "$want" > "$stamp"
  fi
fi

BENCH="$TARGET_DIR/bench"
mkdir -p "$BENCH"

# --report-only: the tables again from the last run's logs, scored and laid
# out by this script (a new column, a new scoring rule), without running
# anything; the run's own facts (command, commit, load averages) come from
# the run.env and runs/load files it left.
if [ "$REPORT_ONLY" = 1 ]; then
  [ -s "$BENCH/run.env" ] || die "--report-only: $BENCH/run.env is missing: run the benchmark first"
  # shellcheck disable=SC1091
  . "$BENCH/run.env"
  REBUILT="$(date -u '+%Y-%m-%d %H:%M UTC')"
fi

# Wall seconds and peak RSS (KiB) from a run's log: GNU time -v's, to which
# timed() appends the wall time from a nanosecond clock (GNU time's own has
# 10 ms steps, coarse for a 0.1 s run).
wall_of() { awk -F': ' '/^Wall seconds \(ns clock\)/ {print $2}' "$1"; }
rss_of() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }
# CPU seconds (user + system) and the share of a core the command got (200%
# = both of 2 cores), from GNU time: on a shared machine they tell a run that
# waited for the CPU from one that worked.
cpu_of() {
  awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} /Percent of CPU/ {p = $2}
    END {printf "%.2f (%s)", u + s, p}' "$1"
}

# The median-wall run of $n (time logs $tlog.1 ... $tlog.$n) copied to $tlog.
pick_median() { # n timelog
  local n="$1" tlog="$2" r walls=""
  for r in $(seq "$n"); do walls+="$(wall_of "$tlog.$r") $r"$'\n'; done
  r="$(printf '%s' "$walls" | sort -n | awk -v m=$(( (n + 1) / 2 )) 'NR == m {print $2}')"
  cp "$tlog.$r" "$tlog"
}

# One row of the table, given the tool label, settings, and the run's files.
ROWS_FILE=""
row() { # label settings status timelog scorejson bytes
  local label="$1" settings="$2" status="$3" tlog="$4" sjson="$5" bytes="$6"
  if [ "$status" != ok ]; then
    local blanks k
    blanks="| | | | | |"; for k in $KINDS; do blanks+=" |"; done
    printf '| %s | %s | %s %s\n' "$label" "$settings" "$status" "$blanks" >> "$ROWS_FILE"
    return
  fi
  local wall rss cpu
  wall="$(wall_of "$tlog")"; rss="$(rss_of "$tlog")"; cpu="$(cpu_of "$tlog")"
  python3 - "$label" "$settings" "$wall" "$rss" "$bytes" "$sjson" "$KINDS" "$cpu" >> "$ROWS_FILE" <<'PYEOF'
import json, sys
label, settings, wall, rss, size, sjson, kinds, cpu = sys.argv[1:]
wall, rss, size = float(wall), int(rss), int(size)
s = json.load(open(sjson))
pct = lambda v: "n/a" if v is None else f"{100 * v:.1f}%"
mbps = size / 1e6 / wall if wall > 0 else float("inf")
per_kind = " | ".join(pct(s.get(f"recall_{k}")) for k in kinds.split())
print(f"| {label} | {settings} | {wall:.2f} | {mbps:.1f} | {rss / 1024:.0f} | {cpu} | {pct(s['recall'])} | "
      f"{per_kind} | {pct(s['precision'])} | {s['reported']} |")
PYEOF
}

# Runs "$@" under GNU time with a timeout; prints ok, "timed out" or "failed (exit N)".
# The previous run's output file is deleted first, outside the measurement:
# every run writes a new file, as the first one does. (Replacing a file
# written a second before makes ext4 wait for that file's writeback to end,
# 0 to 70 ms on this kind of machine for lifted's 32 MB report at 100 MB:
# noise that says nothing about the tool.)
timed() { # timelog errlog outfile cmd...
  local tlog="$1" elog="$2" out="$3"; shift 3
  local rc=0
  if [ "$REPORT_ONLY" = 1 ]; then
    if [ -s "$tlog" ] && [ -n "$(wall_of "$tlog")" ]; then echo ok; else echo "not run (no ${tlog#"$ROOT"/})"; fi
    return
  fi
  rm -f "$out"
  local start end
  start="$(date +%s%N)"
  /usr/bin/time -v -o "$tlog" timeout "$TIMEOUT" "$@" > "$elog.out" 2> "$elog" || rc=$?
  end="$(date +%s%N)"
  awk -v ns="$(( end - start ))" 'BEGIN { printf "Wall seconds (ns clock): %.4f\n", ns / 1e9 }' >> "$tlog"
  if [ "$rc" = 0 ]; then echo ok
  elif [ "$rc" = 124 ]; then echo "timed out (${TIMEOUT}s)"
  else echo "failed (exit $rc, see ${elog#"$ROOT"/})"
  fi
}

# Runs "$@" $n times (see timed); the GNU time log of the run with the median
# wall time is left in timelog. Prints the first status that is not ok, or ok.
timed_runs() { # n timelog errlog outfile cmd...
  local n="$1" tlog="$2" elog="$3" out="$4"; shift 4
  local r status
  for r in $(seq "$n"); do
    status="$(timed "$tlog.$r" "$elog" "$out" "$@")"
    [ "$status" = ok ] || { echo "$status"; return; }
  done
  pick_median "$n" "$tlog"
  echo ok
}

# lifted's variants: the extra arguments, thread count, settings column and
# the run's files.
LIFTED_VARIANTS="default default-1thread 25x5 pairs-only pairs-only-1thread"
variant_setup() { # variant; sets extra, threads, settings, out, tlog, elog
  out="$runs/lifted-$1.json"; tlog="$runs/lifted-$1.time"; elog="$runs/lifted-$1.err"
  extra=(); threads="$THREADS"; settings="defaults (threshold 0.5: 128 perms, bands x rows chosen for 99% recall at 0.5)"
  case "$1" in
    default-1thread) threads=1; settings="defaults, --threads 1 (scaling)" ;;
    25x5) extra=(--bands 25 --rows 5); settings="--bands 25 --rows 5 (like-for-like)" ;;
    pairs-only) extra=(--pairs-only); settings="--pairs-only (dedup only: no span alignment, like the peers)" ;;
    pairs-only-1thread) extra=(--pairs-only); threads=1; settings="--pairs-only --threads 1" ;;
  esac
}

# Median over rounds of wall(slow, round) / wall(fast, round): both variants
# ran in every round, one after the other, so a slow minute on the host
# weighs on both sides of each ratio.
paired_ratio() { # n slow-timelog fast-timelog
  local n="$1" slow="$2" fast="$3" r
  for r in $(seq "$n"); do
    echo "$(wall_of "$slow.$r") $(wall_of "$fast.$r")"
  done | python3 -c '
import statistics, sys
r = [float(a) / float(b) for a, b in (l.split() for l in sys.stdin) if float(b) > 0]
print("%.2fx (rounds: %s)" % (statistics.median(r), ", ".join("%.2f" % x for x in r)))'
}

TABLES=""
for shape in $SHAPES; do
# The kinds of planted copies with a recall column, per shape.
case "$shape" in
  versions|pan13-versions) KINDS="revised verbatim quoted" ;;
  rewritten) KINDS="verbatim edited rewritten summary noisy" ;;
  independent) KINDS="verbatim edited" ;;
  pan13) KINDS="none random translation summary" ;;
  *) KINDS="verbatim edited embedded" ;;
esac
# PAN 2013 is one corpus whatever --sizes says.
shape_sizes="$SIZES"; [ "$shape" = pan13 ] && shape_sizes=0
# PAN 2013's src/ text runs out at about 75 MB of versions: larger sizes
# become 70 MB (once).
if [ "$shape" = pan13-versions ]; then
  shape_sizes="$(for s in $SIZES; do [ "$s" -gt 70 ] && echo 70 || echo "$s"; done | sort -un | tr '\n' ' ')"
fi
for size in $shape_sizes; do
  # Noise on shared machines is large next to a one-second run: below 1 GB
  # every tool runs $RUNS times and the median counts. At 1 GB and above a
  # peer's run takes minutes: one run.
  n="$RUNS"; [ "$size" -ge 1000 ] && n=1
  # lifted's runs take seconds: more rounds, and three at 1 GB.
  ln="$LIFTED_RUNS"; [ "$size" -ge 1000 ] && [ "$ln" -gt 3 ] && ln=3
  SCALING=""
  # The default shape keeps its folder (target/bench/N); others get their own.
  if [ "$shape" = paragraphs ]; then dir="$BENCH/$size"
  elif [ "$shape" = pan13 ]; then dir="$BENCH/pan13"
  else dir="$BENCH/$shape-$size"; fi
  corpus="$dir/corpus.jsonl"; truth="$dir/truth.jsonl"
  # versions corpora come with their dates: lifted scans them with the manifest.
  scan_extra=(); case "$shape" in versions|pan13-versions) scan_extra=(--manifest "$dir/manifest.csv") ;; esac
  if [ -s "$corpus" ] && [ -s "$truth" ]; then
    say "$shape $size: using $corpus"
  elif [ "$shape" = pan13 ]; then
    say "PAN 2013: building $corpus from $PAN13"
    python3 "$ROOT/benches/pan13_corpus.py" --pan "$PAN13" --out "$dir" || die "benches/pan13_corpus.py failed"
  elif [ "$shape" = pan13-versions ]; then
    say "$size MB (pan13-versions): building $corpus from $PAN13/src"
    python3 "$ROOT/benches/real_versions.py" --pan "$PAN13" --out "$dir" --size-mb "$size" --seed 42 || die "benches/real_versions.py failed"
  else
    say "$size MB ($shape): generating $corpus"
    "$LIFTED" gen --out "$dir" --size-mb "$size" --seed 42 --shape "$shape" || die "lifted gen failed"
  fi
  runs="$dir/runs"; mkdir -p "$runs"
  if [ "$REPORT_ONLY" = 1 ]; then load="$(cat "$runs/load" 2>/dev/null || echo unknown)"
  else load="$(cut -d' ' -f1-3 /proc/loadavg)"; echo "$load" > "$runs/load"; fi
  label="$shape $size MB"; [ "$shape" = pan13 ] && label="PAN 2013"
  bytes="$(stat -c %s "$corpus")"
  paragraphs="$(python3 -c 'import json,sys; print(sum(len(json.loads(l)["text"].split("\n")) for l in open(sys.argv[1]) if l.strip()))' "$corpus")"
  docs="$(grep -c . "$corpus")"
  planted="$(grep -c . "$truth")"
  ROWS_FILE="$runs/rows.md"; : > "$ROWS_FILE"

  for tool in $TOOLS; do
    if [ "$tool" = lifted ]; then
      # The variants run in rounds (each variant once per round) rather than
      # each N times in a row: ratios between them (2 threads against 1) then
      # compare runs minutes apart at most, under the same host load.
      declare -A status_of=()
      for r in $(seq "$ln"); do
        for variant in $LIFTED_VARIANTS; do
          [ "${status_of[$variant]:-ok}" = ok ] || continue
          variant_setup "$variant"
          say "$label: lifted ($variant), round $r of $ln"
          status_of[$variant]="$(timed "$tlog.$r" "$elog" "$out" "$LIFTED" scan --format json --output "$out" --quiet --threads "$threads" "${extra[@]}" "${scan_extra[@]}" "$corpus")"
        done
      done
      for variant in $LIFTED_VARIANTS; do
        variant_setup "$variant"
        status="${status_of[$variant]}"
        if [ "$status" = ok ]; then
          pick_median "$ln" "$tlog"
          if ! python3 "$ROOT/benches/peers/score.py" --truth "$truth" --corpus "$corpus" --pairs "$out" --lifted > "$runs/lifted-$variant.score" 2>> "$elog"; then
            status="scoring failed (see ${elog#"$ROOT"/})"
          fi
        fi
        if [ "$variant" = default ] && [ -s "$out" ]; then
          b="$(python3 -c 'import json,sys; p=json.load(open(sys.argv[1]))["parameters"]; print("%s bands x %s rows" % (p["bands"], p["rows"]))' "$out" 2>/dev/null || echo '?')"
          settings="defaults: $b, 128 perms, threshold 0.5"
        fi
        say "$label: lifted ($variant): $status"
        row "lifted" "$settings" "$status" "$tlog" "$runs/lifted-$variant.score" "$bytes"
      done
      if [ "${status_of[default]}" = ok ] && [ "${status_of[default-1thread]}" = ok ]; then
        SCALING+="- Whole scan, $THREADS threads against 1: $(paired_ratio "$ln" "$runs/lifted-default-1thread.time" "$runs/lifted-default.time") faster"$'\n'
      fi
      if [ "${status_of[pairs-only]}" = ok ] && [ "${status_of[pairs-only-1thread]}" = ok ]; then
        SCALING+="- \`--pairs-only\`, $THREADS threads against 1: $(paired_ratio "$ln" "$runs/lifted-pairs-only-1thread.time" "$runs/lifted-pairs-only.time") faster"$'\n'
      fi
      unset status_of
    else
      out="$runs/$tool.pairs.jsonl"; tlog="$runs/$tool.time"; elog="$runs/$tool.err"
      say "$label: $tool"
      # Python peers get a 20 GiB address-space cap so that one that would not
      # fit fails alone instead of calling the OOM killer on the machine.
      status="$(timed_runs "$n" "$tlog" "$elog" "$out" prlimit --as=$((20 * 1024 * 1024 * 1024)) \
        "$PY" "$ROOT/benches/peers/run_peer.py" --tool "$tool" --corpus "$corpus" --out "$out" --threads "$THREADS")"
      if [ "$status" = ok ]; then
        if ! python3 "$ROOT/benches/peers/score.py" --truth "$truth" --corpus "$corpus" --pairs "$out" > "$runs/$tool.score" 2>> "$elog"; then
          status="scoring failed (see ${elog#"$ROOT"/})"
        fi
      fi
      case "$tool" in
        rensa) settings="125 perms, 25 x 5 (LSH needs perms divisible by bands), estimated J >= 0.5" ;;
        gaoya) settings="128 perms, 25 x 5, estimated J >= 0.5" ;;
        datasketch) settings="128 perms, 25 x 5, LSH candidates (1 thread)" ;;
        text-dedup) settings="128 perms, 25 x 5, pairs within clusters" ;;
      esac
      say "$label: $tool: $status"
      row "$tool" "$settings" "$status" "$tlog" "$runs/$tool.score" "$bytes"
    fi
  done

  if [ "$shape" = pan13-versions ]; then
    origin="revised and quoted paragraphs (\`benches/real_versions.py --size-mb $size --seed 42\`: the real English of PAN 2013's \`src/\` as books in 5 to 7 revised versions and commentaries; lifted scans it with its manifest.csv)"
  elif [ "$shape" = pan13 ]; then
    origin="plagiarism cases (\`benches/pan13_corpus.py\`: \`src/\` and \`susp/\` of the PAN 2013 text alignment training corpus as one JSONL corpus, the cases of its XML files as the truth; no manifest)"
  else
    origin="planted copies (\`lifted gen --size-mb $size --seed 42 --shape $shape\`$( [ "$shape" = versions ] && echo "; lifted scans it with its manifest.csv" || true))"
  fi
  title="${size} MB corpus"; [ "$shape" = paragraphs ] || title="${size} MB corpus, shape $shape"
  [ "$shape" = pan13 ] && title="PAN 2013 training corpus, real text"
  [ "$shape" = pan13-versions ] && title="${size} MB corpus, real text in versions"
  kind_header="$(echo $KINDS | sed 's/ / | /g')"
  kind_align="$(for k in $KINDS; do printf -- '---:|'; done)"
  TABLES+="
## $title

\`${dir#"$ROOT"/}/corpus.jsonl\`: $bytes bytes, $docs documents, $paragraphs paragraphs, $planted $origin. Load average (1, 5, 15 min) before this corpus's runs: $load. Wall time and peak RSS: the run with the median wall time of $ln rounds of lifted's variants (each variant once a round), and $( [ "$n" = 1 ] && echo "of one run of each peer" || echo "of $n consecutive runs of each peer").

$( [ -z "$SCALING" ] || printf 'Scaling (median of the ratios within each round):\n\n%s' "$SCALING")

| tool | settings | wall s | MB/s | peak RSS MB | CPU s (share) | recall | $kind_header | precision | pairs reported |
|---|---|---:|---:|---:|---:|---:|$kind_align---:|---:|
$(cat "$ROWS_FILE")
"
done
done

if [ "$REPORT_ONLY" = 0 ]; then
  LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
  FINISHED="$(date -u '+%Y-%m-%d %H:%M UTC')"
  # What --report-only needs to write this run's header again.
  for v in COMMAND STARTED FINISHED COMMIT DIRTY LOAD_BEFORE LOAD_AFTER THREADS; do
    printf '%s=%q\n' "$v" "${!v}"
  done > "$BENCH/run.env"
fi
cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
# The instruction sets lifted's kernels pick at run time (src/minhash.rs,
# src/normalize.rs): present or absent on this CPU, as /proc/cpuinfo says.
cpu_flags="$(awk -F': ' '/^flags/ {print " " $2 " "; exit}' /proc/cpuinfo)"
flags_line=""
for f in avx512f avx512dq avx512vl avx2 bmi2 sse4_2; do
  case "$cpu_flags" in *" $f "*) flags_line+="$f yes, " ;; *) flags_line+="$f no, " ;; esac
done
flags_line="${flags_line%, }"
mem="$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)"
rustc_v="$(rustc --version 2>/dev/null || echo unknown)"
profile="$(awk '/^\[profile\.release\]/ {f = 1; next} /^\[/ {f = 0} f && NF {printf "%s%s", sep, $0; sep = ", "}' "$ROOT/Cargo.toml")"
codegen="RUSTFLAGS ${RUSTFLAGS:+\"$RUSTFLAGS\"}${RUSTFLAGS:-unset}"
if [ -f "$ROOT/.cargo/config.toml" ] && grep -q target-cpu "$ROOT/.cargo/config.toml"; then
  codegen+=", .cargo/config.toml: $(grep -o 'target-cpu=[^" ]*' "$ROOT/.cargo/config.toml" | head -1)"
fi
case "${RUSTFLAGS:-}" in *target-cpu*) ;; *) grep -qs target-cpu "$ROOT/.cargo/config.toml" ||
  codegen+=", no target-cpu: generic x86-64 code whose SIMD kernels are chosen at run time (is_x86_feature_detected)" ;; esac
dirty_note="clean"; [ "$DIRTY" = 0 ] || dirty_note="dirty: $DIRTY tracked files modified"
# Versions of the Python peers, only when some ran.
peers_line=""
if [ "$needs_peers" = 1 ]; then
  peers_line="; $("$PY" --version 2>&1); peers: $("$PY" -m pip freeze 2>/dev/null | grep -iE '^(gaoya|rensa|datasketch|text-dedup)==' | tr '\n' ' ' || true)"
fi
# The "Dedup" section (benches/dedup.sh) is not measured here: keep it.
DEDUP_SECTION="$(sed -n '/^## Dedup$/,$p' "$OUTPUT" 2>/dev/null || true)"
{
  echo "# Benchmarks: lifted and MinHash-LSH peers"
  echo
  echo "Written by \`benches/compare.sh\`; how to run it and what each column means: [benches/README.md](benches/README.md)."
  echo
  echo "- Command: \`$COMMAND\` (threads: $THREADS)"
  echo "- Date: $FINISHED (started $STARTED)${REBUILT:+; tables rebuilt from its logs by --report-only on $REBUILT}"
  echo "- Commit: $COMMIT (working tree $dirty_note when the run started)"
  echo "- CPU: $cpu; $flags_line; $(nproc) cores online"
  echo "- Memory: $mem; $(uname -sr)"
  echo "- Load average (1, 5, 15 min): $LOAD_BEFORE before the run, $LOAD_AFTER after it. The machine is shared with other builds: absolute times are noisy, ratios within one table less so"
  echo "- lifted $("$LIFTED" --version | awk '{print $2}'): $rustc_v, \`cargo build --release\` ([profile.release] $profile), $codegen${peers_line}"
  echo "- Units: paragraphs; peers use word 5-gram shingles (lowercased, split on non-word characters) and LSH 25 bands x 5 rows."
  echo "  Wall time and peak RSS are those of the whole command (reading the corpus and writing the result included): wall time from a nanosecond clock read around it, peak RSS from \`/usr/bin/time -v\`."
  echo "- Scoring: one rule for every tool (benches/README.md, \"Columns\"): a planted copy is found when the reported passage pairs joining its two documents cover at least half of its source and half of its target bytes."
  echo "$TABLES"
  [ -z "$DEDUP_SECTION" ] || printf '%s\n' "$DEDUP_SECTION"
} > "$OUTPUT"
say "wrote $OUTPUT"
# README.md's table is generated from BENCHMARKS.md, never typed.
if [ "$OUTPUT" = "$ROOT/BENCHMARKS.md" ]; then
  python3 "$ROOT/benches/readme_table.py" --write || die "benches/readme_table.py --write failed"
  say "updated the table of README.md's Performance section"
fi
