#!/usr/bin/env bash
# Issue #5's benchmark end to end: our GStreamer pipeline (`media-bench ours`) against the
# single-process ffmpeg ladder, same sources, same ladder, same machine, same run.
#   1. checks the tools (ffmpeg, ffprobe, gst-launch-1.0 and the GStreamer elements a job
#      uses, GNU time) and builds media-bench in release;
#   2. generates the sources once into WORK/sources (never into the repository): 60 s of
#      1920x1080 and of 1280x720, 30 fps, H.264 High + stereo AAC 48 kHz in MP4 with the
#      index first; moving test pattern with temporal noise so x264 has real work;
#   3. runs `media-bench compare`: RUNS runs of each contender per source, alternating,
#      each under /usr/bin/time (CPU s, peak RSS) with the output directory polled every
#      5 ms for the first complete segment; then checks that x264 got the same options in
#      both (the SEI of each rung's first segment);
#   4. prints the Markdown tables (also in WORK/summary.md; every run in
#      WORK/results.jsonl, logs in WORK/logs, the machine in WORK/machine.txt).
#
# Usage: loadtest/media-bench/run.sh [WORK_DIR]
# Environment: RUNS (3), SOURCES ("1080p 720p"), DURATION (60 s), AUDIO (group |
#   per-variant, see `media-bench compare --help`), SKIP_BUILD=1, CARGO_TARGET_DIR
#   (target-media-bench), and EXTRA_ARGS for media-bench compare (e.g. "--ladder 720:2800").
# About 2 × RUNS × (1 to 2 min) per source on the 2-core machine, plus ~4 min to generate
# the sources the first time and ~5 min for a cold release build.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target-media-bench}"
WORK="${1:-$CARGO_TARGET_DIR/media-bench-$(date -u +%Y%m%dT%H%M%SZ)}"
RUNS="${RUNS:-3}"
SOURCES="${SOURCES:-1080p 720p}"
DURATION="${DURATION:-60}"
AUDIO="${AUDIO:-group}"
SRC_DIR="${SRC_DIR:-$CARGO_TARGET_DIR/media-bench-sources}"
mkdir -p "$WORK" "$SRC_DIR"

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

for tool in ffmpeg ffprobe gst-launch-1.0 gst-inspect-1.0; do
  command -v "$tool" >/dev/null || die "$tool is missing: deploy/bootstrap.sh test-deps"
done
for element in appsrc decodebin x264enc avenc_aac mpegtsmux videoscale; do
  gst-inspect-1.0 --exists "$element" || die "GStreamer element $element is missing: deploy/bootstrap.sh test-deps"
done
[[ -x /usr/bin/time ]] || die "GNU time is missing: apt-get install time"
[[ "$(ffmpeg -hide_banner -encoders 2>/dev/null)" == *libx264* ]] || die "this ffmpeg has no libx264"

if [[ -z "${SKIP_BUILD:-}" ]]; then
  log "building media-bench (release)"
  (cd "$ROOT" && cargo build --release --locked -p media-bench)
fi
BIN="$CARGO_TARGET_DIR/release/media-bench"
[[ -x "$BIN" ]] || die "$BIN is missing (unset SKIP_BUILD)"

# One source per label; regenerated only when missing or of another duration.
generate() {
  local label="$1" size bitrate
  case "$label" in
    1080p) size=1920x1080; bitrate=10M ;;
    720p) size=1280x720; bitrate=5M ;;
    *) die "unknown source $label (1080p or 720p)" ;;
  esac
  local file="$SRC_DIR/src-$label-${DURATION}s.mp4"
  if [[ ! -s "$file" ]]; then
    log "generating $file"
    ffmpeg -hide_banner -loglevel error -nostdin -y \
      -f lavfi -i "testsrc2=s=$size:r=30,noise=alls=8:allf=t" \
      -f lavfi -i "sine=f=440:r=48000" -f lavfi -i "sine=f=660:r=48000" \
      -filter_complex "[1:a][2:a]amerge=inputs=2[a]" -map 0:v -map "[a]" -t "$DURATION" \
      -c:v libx264 -preset veryfast -profile:v high -pix_fmt yuv420p -b:v "$bitrate" \
      -maxrate "$bitrate" -bufsize "$bitrate" -g 60 \
      -c:a aac -b:a 192k -ac 2 -movflags +faststart "$file.part.mp4"
    mv "$file.part.mp4" "$file"
  fi
  printf '%s=%s' "$label" "$file"
}

args=()
for s in $SOURCES; do
  src="$(generate "$s")"
  args+=(--source "$src")
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  lscpu | grep -E '^(Architecture|CPU\(s\)|Model name|Thread|Core|Socket|Hypervisor|L1d|L2|L3)' || true
  free -m | head -2
  echo "kernel: $(uname -r)"
  echo "ffmpeg: $(ffmpeg -hide_banner -version | head -1)"
  echo "gstreamer: $(gst-launch-1.0 --version | sed -n 2p)"
  echo "x264: $(dpkg-query -W -f '${Package} ${Version}' 'libx264-*' 2>/dev/null | head -1)"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs: $RUNS per contender per source, audio mode: $AUDIO, extra: ${EXTRA_ARGS:-none}"
} > "$WORK/machine.txt"
cat "$WORK/machine.txt" >&2

log "comparing (work dir $WORK)"
# shellcheck disable=SC2086 # EXTRA_ARGS is a list of flags
"$BIN" compare --work "$WORK" --runs "$RUNS" --audio "$AUDIO" "${args[@]}" ${EXTRA_ARGS:-}
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$WORK/machine.txt"
