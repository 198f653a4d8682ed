#!/usr/bin/env bash
# RFC 6455 conformance: runs the Autobahn|TestSuite fuzzing client (cases 1-7, 9 and 10)
# against a node's echo endpoint (/ws/echo, switched on with ARMORICORE_WS_ECHO=1) and
# fails unless every case ends OK, NON-STRICT or INFORMATIONAL.
#
#   loadtest/autobahn/run.sh           install wstest if needed, start a node, run, summarise
#   loadtest/autobahn/run.sh install   only install wstest (deploy/bootstrap.sh test-deps)
#
# wstest needs Python 2.7 (pyenv's $(pyenv root)/versions/2.7.*, or python2.7 on PATH, or
# AUTOBAHN_PYTHON); without one the run is skipped with `autobahn: SKIPPED (no Python 2.7)`
# and exit 0. It lives in a virtualenv under .services/autobahn-venv, pinned by
# requirements-py27.txt beside this script, and is installed again only when that file
# changes. Environment:
#   ARMORICORE_BIN   node binary (default: <target dir>/debug/armoricore, built if missing
#                    or stale with `cargo build -p armoricore --locked`)
#   PORT             port for the node (default: a free one)
#   AUTOBAHN_TIMEOUT seconds the whole wstest run may take (default 600)
#   AUTOBAHN_CASES   space-separated case patterns (default: the issue's list, below)
#   AUTOBAHN_RUNS    runs against the same node, stopping at the first that fails
#                    (default 1). A stress loop: AUTOBAHN_CASES='9.5.* 9.6.*' AUTOBAHN_RUNS=60
#                    is how a shard that slept with a woken socket task showed (docs/decisions.md,
#                    "glommio").
# Output: the HTML/JSON report in .services/autobahn-report/ (index.html), the node's log
# and wstest's log beside it; on stdout one line per behaviour count, the failing case ids,
# and `autobahn: N passed, M failed`.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="$ROOT/.services"
VENV="$STATE/autobahn-venv"
TOOLS="$STATE/autobahn-virtualenv"   # virtualenv 16 itself, outside any interpreter
REPORT="$STATE/autobahn-report"
REQUIREMENTS="$HERE/requirements-py27.txt"
CASES="${AUTOBAHN_CASES:-1.* 2.* 3.* 4.* 5.* 6.* 7.* 9.* 10.*}"
RUNS="${AUTOBAHN_RUNS:-1}"

say() { printf 'autobahn: %s\n' "$*"; }

find_python27() {
  local candidates=()
  [ -n "${AUTOBAHN_PYTHON:-}" ] && candidates+=("$AUTOBAHN_PYTHON")
  local pyenv_root="${PYENV_ROOT:-}"
  if [ -z "$pyenv_root" ] && command -v pyenv >/dev/null 2>&1; then
    pyenv_root="$(pyenv root 2>/dev/null || true)"
  fi
  [ -z "$pyenv_root" ] && [ -d "$HOME/.pyenv" ] && pyenv_root="$HOME/.pyenv"
  if [ -n "$pyenv_root" ]; then
    local p
    for p in "$pyenv_root"/versions/2.7.*/bin/python; do
      [ -x "$p" ] && candidates+=("$p")
    done
  fi
  command -v python2.7 >/dev/null 2>&1 && candidates+=("$(command -v python2.7)")
  local c
  for c in "${candidates[@]}"; do
    # A pyenv shim exists even when no 2.7 is installed: ask the interpreter itself.
    if "$c" -c 'import sys; sys.exit(sys.version_info[:2] != (2, 7))' >/dev/null 2>&1; then
      printf '%s\n' "$c"
      return 0
    fi
  done
  return 1
}

install_wstest() {
  local py="$1" stamp="$VENV/.requirements"
  if [ -x "$VENV/bin/wstest" ] && cmp -s "$REQUIREMENTS" "$stamp"; then
    return 0
  fi
  say "installing wstest into .services/autobahn-venv (Python $("$py" -c 'import platform; print(platform.python_version())'))" >&2
  mkdir -p "$STATE"
  rm -rf "$VENV" "$TOOLS"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONWARNINGS=ignore
  "$py" -m pip install -q --target "$TOOLS" 'virtualenv==16.7.12'
  PYTHONPATH="$TOOLS" "$py" -m virtualenv -q "$VENV" >/dev/null
  "$VENV/bin/pip" install -q -r "$REQUIREMENTS"
  cp "$REQUIREMENTS" "$stamp"
}

PY27="$(find_python27 || true)"
if [ -z "$PY27" ]; then
  if [ "${1:-}" = install ]; then
    say "no Python 2.7: wstest not installed (runs will be skipped)" >&2
  else
    say "SKIPPED (no Python 2.7)"
  fi
  exit 0
fi
install_wstest "$PY27"
if [ "${1:-}" = install ]; then
  exit 0
fi

# --- the node ---------------------------------------------------------------------------
if [ -n "${ARMORICORE_BIN:-}" ]; then
  BIN="$ARMORICORE_BIN"
else
  TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
  case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
  BIN="$TARGET/debug/armoricore"
  # A no-op when `make test` just built it; otherwise builds or relinks what changed.
  (cd "$ROOT" && "${CARGO:-cargo}" build -q -p armoricore --locked)
fi
[ -x "$BIN" ] || { say "no node binary at $BIN"; exit 1; }

if [ -z "${PORT:-}" ]; then
  PORT="$("$PY27" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
fi

rm -rf "$REPORT"
mkdir -p "$REPORT"
DATA="$(mktemp -d "$STATE/autobahn-data.XXXXXX")"   # gitignored, removed on exit
NODE_PID=""
cleanup() {
  if [ -n "$NODE_PID" ] && kill -0 "$NODE_PID" 2>/dev/null; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Embedded mode whatever the caller's environment says: no external bus, store or objects.
env -u MESSAGE_BUS_URL -u DATABASE_URL -u OBJECT_STORE_URL \
  PORT="$PORT" ARMORICORE_BIND=127.0.0.1 ARMORICORE_DATA_DIR="$DATA" ARMORICORE_WS_ECHO=1 \
  "$BIN" node >"$REPORT/node.log" 2>&1 &
NODE_PID=$!

healthy=0
for _ in $(seq 1 300); do
  kill -0 "$NODE_PID" 2>/dev/null || break
  if "$PY27" -c 'import sys, urllib2; urllib2.urlopen(sys.argv[1], timeout=1)' \
    "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.1
done
if [ "$healthy" != 1 ]; then
  say "the node did not answer /health on port $PORT; its log:"
  tail -n 20 "$REPORT/node.log"
  exit 1
fi

# --- the runs -----------------------------------------------------------------------------
# The fuzzingclient configuration's "cases": the patterns as a JSON list.
# (set -f: the patterns are not file globs.)
cases_json="$(set -f; printf '"%s", ' $CASES | sed 's/, $//')"
cases_json="[$cases_json]"
sed -e "s|@PORT@|$PORT|g" -e "s|@REPORT_DIR@|$REPORT|g" -e "s|@CASES@|$cases_json|" \
  "$HERE/fuzzingclient.json" >"$REPORT/fuzzingclient.json"

# One wstest run and its verdict; exit status 0 when every case passed.
run_once() {
  local started=$SECONDS status=0 elapsed
  rm -f "$REPORT/index.json"
  (cd "$REPORT" && PYTHONWARNINGS=ignore timeout "${AUTOBAHN_TIMEOUT:-600}" \
    "$VENV/bin/wstest" -m fuzzingclient -s "$REPORT/fuzzingclient.json") >"$REPORT/wstest.log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  if [ "$status" != 0 ] || [ ! -f "$REPORT/index.json" ]; then
    say "wstest failed (exit $status) after ${elapsed}s; its log:"
    tail -n 20 "$REPORT/wstest.log"
    say "0 passed, 1 failed"
    return 1
  fi
  verdict "$elapsed"
}

# --- the verdict --------------------------------------------------------------------------
verdict() {
"$VENV/bin/python" - "$REPORT/index.json" "$1" <<'PYTHON'
import json, sys

ACCEPTED = ("OK", "NON-STRICT", "INFORMATIONAL")

def case_key(case_id):
    return [int(part) for part in case_id.split(".")]

with open(sys.argv[1]) as f:
    index = json.load(f)
results = {}
for agent in index.values():
    results.update(agent)
behavior, close, failed = {}, {}, []
for case_id in sorted(results, key=case_key):
    r = results[case_id]
    behavior[r["behavior"]] = behavior.get(r["behavior"], 0) + 1
    close[r["behaviorClose"]] = close.get(r["behaviorClose"], 0) + 1
    if r["behavior"] not in ACCEPTED or r["behaviorClose"] not in ACCEPTED:
        failed.append("%s (%s, close %s)" % (case_id, r["behavior"], r["behaviorClose"]))
for name, counts in (("behavior", behavior), ("behaviorClose", close)):
    for outcome in sorted(counts, key=lambda o: (o not in ACCEPTED, o)):
        print("autobahn: %s %s: %d" % (name, outcome, counts[outcome]))
for case in failed:
    print("autobahn: FAILED %s" % case)
print("autobahn: report .services/autobahn-report/index.html (%ss)" % sys.argv[2])
print("autobahn: %d passed, %d failed" % (len(results) - len(failed), len(failed)))
sys.exit(1 if failed or not results else 0)
PYTHON
}

say "cases $CASES against ws://127.0.0.1:$PORT/ws/echo"
for run in $(seq 1 "$RUNS"); do
  [ "$RUNS" -gt 1 ] && say "run $run of $RUNS"
  run_once || exit 1
done
