#!/usr/bin/env bash
# Installs what Armoricore needs on a Debian 12 machine and starts the services its tests use.
# Every step is idempotent: it checks before it installs or starts anything.
#
#   deploy/bootstrap.sh build-deps     packages needed to build the binary
#   deploy/bootstrap.sh test-deps      + the real services the tests run against
#   deploy/bootstrap.sh services       start PostgreSQL and moto S3 for the tests (env in .services/env)
#   deploy/bootstrap.sh stop-services  stop what `services` started
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.services"
PG_VERSION=15
PG_PORT="${ARMORICORE_TEST_PG_PORT:-5432}"
S3_PORT="${ARMORICORE_TEST_S3_PORT:-5000}"

log() { printf '[bootstrap] %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$APT_UPDATED" = 0 ]; then
    log "apt-get update"
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pip_install() {
  # $1: module to import, rest: pip requirement specs
  local module="$1"; shift
  python3 -c "import $module" 2>/dev/null && return 0
  log "pip installing $*"
  python3 -m pip install -q "$@"
}

# --- media processor (issue 5): GStreamer 1.22 from Debian, gstreamer-rs 0.24 (`v1_22`).
# build-deps: the headers and .pc files the `media` crate links against (GStreamer, and
# libx264, libavcodec and libswscale for our own encoder, decoder and scaler elements).
# test-deps: the elements a job uses at run time (appsrc/typefind/decodebin/videoconvert
# in -base, jpegenc/videoflip in -good, hlssink2/mpegtsmux in -bad, x264enc in -ugly,
# avenc_aac and the decoders in -libav), gst-launch/gst-inspect for debugging, and
# ffmpeg for ffprobe, which the media tests check every output with. A node that runs
# the media-processor role needs the same plugin packages.
# The plugins are installed with the build deps too: `make run` starts a node whose media
# role needs them.
MEDIA_BUILD_PKGS=(libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev libx264-dev
  libavcodec-dev libavutil-dev libswscale-dev
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav)
MEDIA_TEST_PKGS=(gstreamer1.0-tools ffmpeg time)
media_build_deps() { apt_install "${MEDIA_BUILD_PKGS[@]}"; }
media_test_deps() { apt_install "${MEDIA_TEST_PKGS[@]}"; }
# --- end of the media processor block ---

build_deps() {
  command -v cargo >/dev/null || { log "cargo not found: install the Rust toolchain (rustup) first"; exit 1; }
  apt_install build-essential pkg-config ca-certificates
  media_build_deps  # media processor block above
}

test_deps() {
  build_deps
  apt_install nats-server "postgresql-$PG_VERSION" postgresql-client
  media_test_deps  # media processor block above
  pip_install moto 'moto[server]>=5'
  python3 -c "import flask, flask_cors" 2>/dev/null || python3 -m pip install -q 'moto[server]>=5'
  command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest
  command -v node >/dev/null || apt_install nodejs npm
  if [ ! -d "$ROOT/loadtest/phoenix-client/node_modules/phoenix" ]; then
    log "npm ci in loadtest/phoenix-client (the official phoenix JS client)"
    (cd "$ROOT/loadtest/phoenix-client" && npm ci --no-audit --no-fund --silent)
  fi
  # --- notification worker (issue 6): aiosmtpd, the real SMTP server the notifier's tests
  # send to, in its own venv so it never touches the system Python. Tests look for
  # .services/smtp-venv/bin/python (or ARMORICORE_TEST_SMTP_PYTHON).
  if ! "$STATE/smtp-venv/bin/python" -c "import aiosmtpd" 2>/dev/null; then
    python3 -c "import venv, ensurepip" 2>/dev/null || apt_install python3-venv
    log "creating .services/smtp-venv with aiosmtpd"
    mkdir -p "$STATE"
    python3 -m venv "$STATE/smtp-venv"
    "$STATE/smtp-venv/bin/python" -m pip install -q 'aiosmtpd>=1.4,<2'
  fi
  # --- end of the notification worker block ---
  # --- RFC 6455 conformance: Autobahn's wstest in a Python 2.7 virtualenv
  # (.services/autobahn-venv, pinned by loadtest/autobahn/requirements-py27.txt). Its one C
  # extension (wsaccel) builds with gcc from build-essential above; cryptography and cffi
  # come as wheels. Without a Python 2.7 the script says it skips and installs nothing.
  "$ROOT/loadtest/autobahn/run.sh" install
}

wait_port() {
  # $1 port, $2 what
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && { exec 3>&- 3<&-; return 0; }
    sleep 0.1
  done
  log "$2 did not open port $1"; return 1
}

start_postgres() {
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$PG_VERSION main"; then
    log "creating PostgreSQL cluster $PG_VERSION/main"
    as_root pg_createcluster "$PG_VERSION" main -p "$PG_PORT" >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $PG_VERSION"
    as_root pg_ctlcluster "$PG_VERSION" main start
  fi
  local port
  port=$(pg_lsclusters -h | awk -v v="$PG_VERSION" '$1==v && $2=="main" {print $3}')
  PG_PORT="$port"
  wait_port "$PG_PORT" PostgreSQL
  as_root su postgres -c "psql -p $PG_PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='armoricore'\"" | grep -q 1 ||
    as_root su postgres -c "psql -p $PG_PORT -qc \"CREATE ROLE armoricore LOGIN PASSWORD 'armoricore' CREATEDB\""
  as_root su postgres -c "psql -p $PG_PORT -qtAc \"SELECT 1 FROM pg_database WHERE datname='armoricore_test'\"" | grep -q 1 ||
    as_root su postgres -c "psql -p $PG_PORT -qc \"CREATE DATABASE armoricore_test OWNER armoricore\""
}

start_moto() {
  mkdir -p "$STATE"
  if [ -f "$STATE/moto.pid" ] && kill -0 "$(cat "$STATE/moto.pid")" 2>/dev/null; then
    return 0
  fi
  log "starting moto S3 on 127.0.0.1:$S3_PORT"
  nohup moto_server -H 127.0.0.1 -p "$S3_PORT" >"$STATE/moto.log" 2>&1 &
  echo $! >"$STATE/moto.pid"
  wait_port "$S3_PORT" "moto S3"
}

services() {
  start_postgres
  start_moto
  mkdir -p "$STATE"
  cat >"$STATE/env" <<ENV
export ARMORICORE_TEST_DATABASE_URL=postgres://armoricore:armoricore@127.0.0.1:$PG_PORT/armoricore_test
export ARMORICORE_TEST_S3_ENDPOINT=http://127.0.0.1:$S3_PORT
export ARMORICORE_REQUIRE_SERVICES=1
ENV
  log "services up; environment in .services/env"
}

stop_services() {
  if [ -f "$STATE/moto.pid" ]; then
    kill "$(cat "$STATE/moto.pid")" 2>/dev/null || true
    rm -f "$STATE/moto.pid"
  fi
}

case "${1:-}" in
  build-deps) build_deps ;;
  test-deps) test_deps ;;
  services) services ;;
  stop-services) stop_services ;;
  *) echo "usage: $0 build-deps|test-deps|services|stop-services" >&2; exit 2 ;;
esac
