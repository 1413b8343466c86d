# What scripts/local-llm.sh and scripts/local-stt.sh share: run one server on 127.0.0.1, keep its
# pid, wait until /health answers, and stop it. Source it after setting: port, pidfile, log, and
# a say() function.

# python3 rather than curl: it is on every machine casecoach builds on.
healthy() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' \
    "http://127.0.0.1:$port/health" >/dev/null 2>&1
}

stop() {
  if [ -f "$pidfile" ]; then
    local pid
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    # Wait for it to exit: a new server cannot bind the port before.
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pidfile"
  fi
}

# serve SECONDS COMMAND...: start COMMAND in the background and print the base URL once healthy.
serve() {
  local wait=$1
  shift
  stop
  if healthy; then
    say "something else already answers on port $port; choose another port"
    exit 1
  fi
  nohup "$@" >"$log" 2>&1 &
  echo $! >"$pidfile"
  # A server may answer 503 on /health while it loads.
  for _ in $(seq 1 $((wait * 4))); do
    if healthy; then
      echo "http://127.0.0.1:$port/v1"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { say "the server exited; see $log"; tail -n 20 "$log" >&2; exit 1; }
    sleep 0.25
  done
  say "the server did not become healthy in $wait s; see $log"
  exit 1
}
