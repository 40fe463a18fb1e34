#!/usr/bin/env bash
# Run lifted's sharded stages as N separate local processes, as a Slurm or
# Kubernetes job array would, and write the same map as `lifted scan`.
#
#   bash contrib/jobarray/local.sh N [lifted scan flags] PATH... --output MAP.json
#
# Each stage runs N processes at once (`lifted stage NAME --rank R
# --world-size N --work WORK`), waits for all of them, and stops at the first
# that fails (its exit code is this script's). The report runs once.
# Environment: LIFTED (the binary, default `lifted` on PATH), WORK (the work
# folder, default a temporary folder removed at the end; a WORK you give is
# kept), TIME (a command prefix such as `/usr/bin/time -v`, for measuring).
set -euo pipefail

if [ $# -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
    echo "usage: local.sh N [lifted scan flags] PATH... --output MAP.json (N >= 1 processes)" >&2
    exit 2
fi
world=$1
shift
lifted=${LIFTED:-lifted}
if [ -n "${WORK:-}" ]; then
    work=$WORK
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/lifted-stages.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
# Leftovers of an earlier run with the same WORK would mix with this one.
rm -rf "$work/ingest" "$work/sign" "$work/candidates" "$work/align" "$work/stats"

for stage in ingest sign candidates align; do
    pids=()
    for ((rank = 0; rank < world; rank++)); do
        ${TIME:-} "$lifted" stage "$stage" --rank "$rank" --world-size "$world" --work "$work" "$@" &
        pids+=($!)
    done
    status=0
    for pid in "${pids[@]}"; do
        wait "$pid" || { code=$?; [ "$status" -ne 0 ] || status=$code; }
    done
    if [ "$status" -ne 0 ]; then
        echo "local.sh: stage $stage failed (exit $status)" >&2
        exit "$status"
    fi
done
${TIME:-} "$lifted" stage report --rank 0 --world-size "$world" --work "$work" "$@"
