#!/usr/bin/env bash
# Runs the socket comparison of docs/benchmarks.md end to end: builds the release binaries,
# then for armoricore, the tokio peer and the Node peer in turn (each a separate process,
# started fresh for each scenario and stopped after it):
#   1. idle:   15,000 sockets joined and held 75 s with heartbeats; server RSS delta/socket;
#   2. sweep:  10,000 subscribers, 25 publishers; the rate steps ×1.5 from 2 msg/s for
#              10 s each until a step delivers < 95 % of what was offered (throughput rule
#              alone: with 10,000 subscribers every server's p99 is over 100 ms from the
#              first step on this machine, see docs/benchmarks.md; p99 is reported per step);
#   3. half:   10,000 subscribers at half of armoricore's peak rate for 20 s (the same
#              offered load for every server, so latencies compare at equal load);
#   4. k6:     idle.js (500 sockets, 35 s) and fanout.js (500 subscribers, 20 msg/s, 20 s).
# Then prints the markdown tables (loadgen report + k6 summary).
#
# Takes about 20 minutes on the 2-core machine (builds excluded; add ~5 min for a cold
# release build). Every step is bounded: each loadgen/k6 run is under `timeout`.
#
# Usage: loadtest/run-benchmarks.sh [OUT_DIR]
# Environment: PORT (4000), SERVERS ("armoricore tokio-peer node-peer"), SKIP_K6=1,
#              SKIP_BUILD=1, CARGO_TARGET_DIR (target-load), K6 (path to k6;
#              default .services/k6/bin/k6, see loadtest/README.md).
# Only 127.0.0.1 is used.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-load}"
BIN="$CARGO_TARGET_DIR/release"
PORT="${PORT:-4000}"
SERVERS="${SERVERS:-armoricore tokio-peer node-peer}"
OUT="${1:-$CARGO_TARGET_DIR/bench-$(date -u +%Y%m%dT%H%M%SZ)}"
K6="${K6:-$ROOT/.services/k6/bin/k6}"
mkdir -p "$OUT"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building release binaries"
  (cd "$ROOT" && cargo build --release --locked -p armoricore -p armoricore-loadgen)
fi
if [[ ! -d "$ROOT/loadtest/peers/node/node_modules/ws" ]]; then
  (cd "$ROOT/loadtest/peers/node" && npm ci --no-audit --no-fund --silent)
fi

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  lscpu | grep -E '^(Model name|CPU\(s\)|Thread|Core|L2|L3)' || true
  echo "kernel: $(uname -r)"
  echo "rustc: $(rustc --version)"
  echo "node: $(node --version)"
} > "$OUT/machine.txt"

# Waits (at most QUIET_WAIT s, default 30) until the CPUs are ≥ 90 % idle over 5 s; logs
# what it saw (the machine is shared: the log says how quiet each run really was).
wait_quiet() {
  local deadline=$((SECONDS + ${QUIET_WAIT:-30})) idle=0
  while ((SECONDS < deadline)); do
    read -r _ u n s i w q sq st _ < /proc/stat
    local busy1=$((u + n + s + q + sq + st)) total1=$((u + n + s + i + w + q + sq + st))
    sleep 5
    read -r _ u n s i w q sq st _ < /proc/stat
    local busy2=$((u + n + s + q + sq + st)) total2=$((u + n + s + i + w + q + sq + st))
    idle=$((100 - 100 * (busy2 - busy1) / (total2 - total1)))
    ((idle >= 90)) && break
  done
  log "machine idle ${idle}% before the run (load $(cut -d' ' -f1-3 /proc/loadavg))"
}

PID=""
TOKEN=""
start_server() {
  local name=$1
  case "$name" in
    armoricore)
      local data
      data="$(mktemp -d)"
      ARMORICORE_DATA_DIR="$data" PORT="$PORT" RUST_LOG=warn "$BIN/armoricore" node \
        >> "$OUT/$name.log" 2>&1 &
      PID=$!
      ;;
    tokio-peer)
      "$BIN/tokio-peer" --addr "127.0.0.1:$PORT" >> "$OUT/$name.log" 2>&1 &
      PID=$!
      ;;
    node-peer)
      PORT="$PORT" node "$ROOT/loadtest/peers/node/server.mjs" >> "$OUT/$name.log" 2>&1 &
      PID=$!
      ;;
  esac
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$PORT/health" > /dev/null && break
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$PORT/health" > /dev/null || { log "$name did not start"; exit 1; }
  TOKEN=""
  if [[ "$name" == armoricore ]]; then
    TOKEN="$(ARMORICORE_DATA_DIR="$data" "$BIN/armoricore" token --user bench --ttl 7200)"
  fi
  sleep 2 # let the server settle before its RSS is read
}

stop_server() {
  [[ -n "$PID" ]] || return 0
  kill -TERM "$PID" 2> /dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$PID" 2> /dev/null || break
    sleep 0.2
  done
  kill -KILL "$PID" 2> /dev/null || true
  wait "$PID" 2> /dev/null || true
  PID=""
  sleep 2 # sockets of the last run leave TIME_WAIT behind; give the port a moment
}
trap stop_server EXIT

loadgen() {
  local name=$1
  shift
  timeout 900 "$BIN/loadgen" "$@" --server "$name" --port "$PORT" --server-pid "$PID" \
    ${TOKEN:+--token "$TOKEN"} 2>&1 | tee -a "$OUT/run.log" >&2 || log "loadgen $1 failed"
}

HALF_RATE=""
for name in $SERVERS; do
  log "=== $name: idle"
  wait_quiet
  start_server "$name"
  loadgen "$name" idle --sockets 15000 --hold 75 --json "$OUT/idle-$name.json"
  stop_server

  log "=== $name: fan-out sweep"
  wait_quiet
  start_server "$name"
  loadgen "$name" fanout --subscribers 10000 --publishers 25 --start-rate 2 --factor 1.5 \
    --max-p99-ms 0 --duration 10 --grace 3 --json "$OUT/sweep-$name.json"
  stop_server

  if [[ -z "$HALF_RATE" ]]; then
    peak=$(jq -r '.peak_rate // empty' "$OUT/sweep-$name.json")
    # No passing step: use the first step's rate, so the half run still says something.
    [[ -n "$peak" ]] || peak=$(jq -r '.steps[0].rate' "$OUT/sweep-$name.json")
    HALF_RATE=$(jq -n "$peak / 2")
    log "half-peak rate for every server: $HALF_RATE msg/s (from $name)"
  fi
  log "=== $name: fan-out at $HALF_RATE msg/s"
  wait_quiet
  start_server "$name"
  loadgen "$name" fanout --subscribers 10000 --publishers 25 --rate "$HALF_RATE" \
    --duration 20 --grace 3 --json "$OUT/half-$name.json"
  stop_server

  if [[ -z "${SKIP_K6:-}" ]]; then
    url="ws://127.0.0.1:$PORT/socket/websocket?vsn=2.0.0"
    log "=== $name: k6 idle + fan-out (500 sockets)"
    start_server "$name"
    timeout 300 "$K6" run -q --summary-export "$OUT/k6-idle-$name.json" \
      -e URL="$url" -e TOKEN="$TOKEN" -e SOCKETS=500 -e HOLD=35 \
      "$ROOT/loadtest/k6/idle.js" >> "$OUT/k6.log" 2>&1 || log "k6 idle: thresholds failed"
    timeout 300 "$K6" run -q --summary-export "$OUT/k6-fanout-$name.json" \
      -e URL="$url" -e TOKEN="$TOKEN" -e SUBSCRIBERS=500 -e RATE=20 -e DURATION=20 \
      "$ROOT/loadtest/k6/fanout.js" >> "$OUT/k6.log" 2>&1 || log "k6 fanout: thresholds failed"
    stop_server
  fi
done

log "results in $OUT"
cat "$OUT/machine.txt"
echo
"$BIN/loadgen" report "$OUT"
if [[ -z "${SKIP_K6:-}" ]]; then
  echo
  echo "| k6, 500 sockets | joined (idle) | closed early | deliveries (fan-out) | latency p50 / p95 / max (ms) |"
  echo "|---|---:|---:|---:|---:|"
  for name in $SERVERS; do
    i="$OUT/k6-idle-$name.json"
    f="$OUT/k6-fanout-$name.json"
    [[ -f "$i" && -f "$f" ]] || continue
    echo "| $name | $(jq '.metrics.sockets_joined.count // 0' "$i") | $(jq '.metrics.sockets_closed_early.count // 0' "$i") | $(jq '.metrics.deliveries.count // 0' "$f") | $(jq -r '.metrics.delivery_latency | "\(.med) / \(."p(95)") / \(.max)"' "$f") |"
  done
fi
