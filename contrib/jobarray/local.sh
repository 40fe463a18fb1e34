#!/usr/bin/env bash
# Run lifted's sharded stages as separate local processes, as a Slurm or
# Kubernetes job array would, and write the same map as `lifted scan`.
#
#   bash contrib/jobarray/local.sh N [lifted scan flags] PATH... --output MAP.json
#
# N is how many processes run at once. The stages run as W tasks (ranks,
# `lifted stage NAME --rank R --world-size W --work WORK`), W >= N, so that
# each task's share of the corpus, and so its memory, stays bounded however
# large the corpus is (Slurm's `--array=0-(W-1)%N`, datatrove's tasks over
# workers): W = max(N, ceil(input bytes / SHARE_MB MiB)). Input bytes: the
# sizes of the arguments that are existing files or folders (not the one
# after --output/-o). Each stage runs its W tasks N at a time, waits for all
# of them, and stops at the first that fails (its exit code is this
# script's). The report runs once.
# Environment: LIFTED (the binary, default `lifted` on PATH), WORK (the work
# folder, default a temporary folder removed at the end; a WORK you give is
# kept), SHARE_MB (default 256: input MiB per task; lower it for compressed
# inputs, which hold several times their size of text), WORLD (the number
# of tasks W, instead of the rule above), TIME (a command prefix such as
# `/usr/bin/time -v`, for measuring).
set -euo pipefail

if [ $# -lt 2 ] || ! [[ "$1" =~ ^[0-9]+$ ]] || [ "$1" -lt 1 ]; then
    echo "usage: local.sh N [lifted scan flags] PATH... --output MAP.json (N >= 1 processes)" >&2
    exit 2
fi
procs=$1
shift
lifted=${LIFTED:-lifted}
share_mb=${SHARE_MB:-256}
if ! [[ "$share_mb" =~ ^[0-9]+$ ]] || [ "$share_mb" -lt 1 ]; then
    echo "local.sh: SHARE_MB=$share_mb is not a number of MiB >= 1" >&2
    exit 2
fi

if [ -n "${WORLD:-}" ]; then
    if ! [[ "$WORLD" =~ ^[0-9]+$ ]] || [ "$WORLD" -lt 1 ]; then
        echo "local.sh: WORLD=$WORLD is not a number of tasks >= 1" >&2
        exit 2
    fi
    world=$WORLD
else
    bytes=0
    skip=0
    for arg in "$@"; do
        if [ "$skip" -eq 1 ]; then
            skip=0
            continue
        fi
        case "$arg" in
        --output | -o) skip=1 ;;
        *)
            if [ -e "$arg" ]; then
                size=$(du -sbL -- "$arg" | cut -f1)
                bytes=$((bytes + size))
            fi
            ;;
        esac
    done
    share=$((share_mb * 1024 * 1024))
    world=$(((bytes + share - 1) / share))
    [ "$world" -ge "$procs" ] || world=$procs
fi

if [ -n "${WORK:-}" ]; then
    work=$WORK
    mkdir -p "$work"
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/lifted-stages.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi
# Leftovers of an earlier run with the same WORK would mix with this one.
rm -rf "$work/ingest" "$work/sign" "$work/candidates" "$work/align" "$work/stats"

# Run the W tasks of one stage, at most `procs` at a time.
run_stage() {
    local stage=$1 rank running=0 status=0 code
    shift
    for ((rank = 0; rank < world; rank++)); do
        if [ "$running" -ge "$procs" ]; then
            wait -n || { code=$?; [ "$status" -ne 0 ] || status=$code; }
            running=$((running - 1))
        fi
        # After a failure, start no more tasks of this stage.
        [ "$status" -eq 0 ] || break
        ${TIME:-} "$lifted" stage "$stage" --rank "$rank" --world-size "$world" --work "$work" "$@" &
        running=$((running + 1))
    done
    while [ "$running" -gt 0 ]; do
        wait -n || { code=$?; [ "$status" -ne 0 ] || status=$code; }
        running=$((running - 1))
    done
    if [ "$status" -ne 0 ]; then
        echo "local.sh: stage $stage failed (exit $status)" >&2
        exit "$status"
    fi
}

for stage in ingest sign candidates align; do
    run_stage "$stage" "$@"
done
${TIME:-} "$lifted" stage report --rank 0 --world-size "$world" --work "$work" "$@"
