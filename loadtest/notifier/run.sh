#!/usr/bin/env bash
# The notifier's push benchmark (figures in docs/benchmarks/notifier.md): builds
# controlplane/notifier/examples/push_bench.rs in release, starts the local FCM and APNs
# servers in one process and sends from another, through the notifier's real clients.
#
#   loadtest/notifier/run.sh                 # every run below
#   SECONDS_PER_RUN=20 loadtest/notifier/run.sh
#
# Runs: FCM and APNs with rate limits off (sends/s, p50/p99/max latency) at 16, 64 and
# CONCURRENCY sends in flight, then the limiter at RATE (configured vs measured rate) with
# bursts of 1, 2 ms, 5 ms and 1 s of the rate (the last is the node's default, burst =
# rate) on FCM, 1 s on APNs, and at 100/s and 1,000/s bursts of 1 and of 5 ms (at least 2). Each run
# prints one JSON line; the load average of the machine is in each line, since it may be
# shared.
#
# Environment: CARGO_TARGET_DIR (cargo's default otherwise), SECONDS_PER_RUN (10),
# CONCURRENCY (256), RATE (5000), SERVER_THREADS (1), SENDER_THREADS (1), TASKSET (1:
# pin the server to CPU 1 and the sender to CPU 0 when the machine has two or more).
set -euo pipefail

cd "$(dirname "$0")/../.."
seconds=${SECONDS_PER_RUN:-10}
concurrency=${CONCURRENCY:-256}
rate=${RATE:-5000}
server_threads=${SERVER_THREADS:-1}
sender_threads=${SENDER_THREADS:-1}

cargo build --release --locked -p notifier --example push_bench
target_dir=${CARGO_TARGET_DIR:-$PWD/target}
bin=$target_dir/release/examples/push_bench

pin_server=()
pin_sender=()
if [[ ${TASKSET:-1} == 1 ]] && command -v taskset >/dev/null && (($(nproc) >= 2)); then
    pin_server=(taskset -c 1)
    pin_sender=(taskset -c 0)
fi

work=$(mktemp -d)
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

"${pin_server[@]}" "$bin" --threads "$server_threads" serve --out "$work/servers.json" &
server_pid=$!
for _ in $(seq 1 200); do
    [[ -f $work/servers.json ]] && break
    sleep 0.05
done
[[ -f $work/servers.json ]] || { echo "the local servers did not start" >&2; exit 1; }

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
send() {
    "${pin_sender[@]}" "$bin" --threads "$sender_threads" send --servers "$work/servers.json" \
        --seconds "$seconds" --concurrency "$concurrency" "$@"
}
for provider in fcm apns; do
    for c in 16 64 "$concurrency"; do
        send --provider "$provider" --concurrency "$c"
    done
done
for burst in 1 $((rate / 500)) $((rate / 200)) "$rate"; do
    send --provider fcm --rate "$rate" --burst "$((burst > 0 ? burst : 1))"
done
send --provider apns --rate "$rate" --burst "$rate"
# Slower rates, with burst 1 (no room in the bucket) and with the burst the worker
# recommends (limits::accurate_burst: 5 ms of the rate, at least 2).
for slow in 100:1 100:2 1000:1 1000:5; do
    send --provider fcm --rate "${slow%:*}" --burst "${slow#*:}"
done
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
