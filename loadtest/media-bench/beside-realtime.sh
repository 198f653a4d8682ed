#!/usr/bin/env bash
# Realtime fan-out latency with and without a media job on the same node, and with the
# job's threads at nice 0 or at MEDIA_THREAD_NICE's default (docs/decisions.md, "Media:
# jobs beside the shards"). Per condition, a fresh embedded node (release build) serves
# `loadgen fanout` (SUBSCRIBERS sockets, RATE msg/s for DURATION s); with a job, the 60 s
# 1080p benchmark source is POSTed to /api/v1/media 2 s before the load starts, and the
# job's end (its master playlist served) is timed. The load generator shares the cores and
# runs at nice 0 in every condition.
#
# Usage: loadtest/media-bench/beside-realtime.sh [WORK_DIR]
# Environment: SUBSCRIBERS (5000), RATE (20), DURATION (30), NICE (10), SOURCE (the
#   1080p source run.sh generates), CARGO_TARGET_DIR (target-media-bench), SKIP_BUILD=1.
# About 4 minutes plus the build; port 4000 must be free.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-media-bench}"
WORK="${1:-$CARGO_TARGET_DIR/beside-realtime-$(date -u +%Y%m%dT%H%M%SZ)}"
SUBSCRIBERS="${SUBSCRIBERS:-5000}"
RATE="${RATE:-20}"
DURATION="${DURATION:-30}"
NICE="${NICE:-10}"
SOURCE="${SOURCE:-$CARGO_TARGET_DIR/media-bench-sources/src-1080p-60s.mp4}"
BIN="$CARGO_TARGET_DIR/release"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -s "$SOURCE" ]] || die "$SOURCE is missing: run loadtest/media-bench/run.sh once (it generates it)"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building armoricore and loadgen (release)"
  (cd "$ROOT" && cargo build --release --locked -p armoricore -p armoricore-loadgen)
fi
curl -sf -o /dev/null http://127.0.0.1:4000/health && die "port 4000 is in use"
mkdir -p "$WORK"

# run LABEL NICE WITH_JOB
run() {
  local label="$1" nice="$2" job="$3" dir="$WORK/$1" node waiter="" id t0
  mkdir -p "$dir/data"
  ARMORICORE_DATA_DIR="$dir/data" PORT=4000 RUST_LOG=warn MEDIA_THREAD_NICE="$nice" \
    "$BIN/armoricore" node >"$dir/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 150); do curl -sf -o /dev/null http://127.0.0.1:4000/health && break; sleep 0.2; done
  curl -sf -o /dev/null http://127.0.0.1:4000/health || die "$label: the node did not start ($dir/node.log)"
  local token
  token="$(ARMORICORE_DATA_DIR="$dir/data" "$BIN/armoricore" token --user bench --ttl 7200)"
  sleep 3
  if [[ "$job" == 1 ]]; then
    t0=$(date +%s.%N)
    id="$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: video/mp4' \
      --data-binary @"$SOURCE" http://127.0.0.1:4000/api/v1/media \
      | python3 -c 'import sys, json; print(json.load(sys.stdin)["media_id"])')"
    (
      until curl -sf -o /dev/null "http://127.0.0.1:4000/media/$id/master.m3u8"; do sleep 0.5; done
      echo "job: $(python3 -c "import time; print(f'{time.time() - $t0:.1f}')") s from upload to master playlist" >"$dir/job.txt"
    ) &
    waiter=$!
    sleep 2
  fi
  LOADGEN_TOKEN="$token" "$BIN/loadgen" fanout --subscribers "$SUBSCRIBERS" --rate "$RATE" \
    --duration "$DURATION" --max-p99-ms 0 --server-pid "$node" --json "$dir/fanout.json" \
    >"$dir/loadgen.log" 2>&1 || die "$label: loadgen failed ($dir/loadgen.log)"
  [[ -n "$waiter" ]] && wait "$waiter"
  kill "$node"; wait "$node" 2>/dev/null || true
  printf '%-28s %s %s\n' "$label" "$(grep -E '^step' "$dir/loadgen.log" | sed -E 's/^step +[0-9]+: +//')" \
    "$(cat "$dir/job.txt" 2>/dev/null || true)" | tee -a "$WORK/summary.txt"
}

log "work dir $WORK; $SUBSCRIBERS subscribers, $RATE msg/s for $DURATION s"
run no-job "$NICE" 0
run "job-nice-0" 0 1
run "job-nice-$NICE" "$NICE" 1
log "summary in $WORK/summary.txt"
