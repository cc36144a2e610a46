#!/usr/bin/env bash
# The course on a GPU machine with torch but no network: install the carried wheels, build the data from the carried IDX files,
# then run `reproduce`, lessons 5, 7 and 10 as tests, and the speedrun/resnet18 benchmark, each step timed, results in OUT.
#   python tools/gpu_pack.py                            # here, once: fills .gpu/ (wheels + IDX files, under 64 MiB)
#   bash tools/gpu_check.sh [--device cuda|cpu] [OUT]   # there (device tool: carry .gpu); --device cpu proves the rest on a CPU
# Python is $PYTHON (default python3: on the lent H200, the one that holds torch). Exits 1 if any step failed.
# A CPU stand-in for the machine (Python 3.12 with only what its image has):
#   python3.12 -m venv /tmp/h200 && /tmp/h200/bin/pip install -r .gpu/present.txt
#   PYTHON=/tmp/h200/bin/python bash tools/gpu_check.sh --device cpu
set -uo pipefail
cd "$(dirname "$0")/.."
DEV=cuda; if [ "${1:-}" = --device ]; then DEV=$2; shift 2; fi
OUT=${1:-${OUT:-.cache/gpu_check}}; mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
PY=${PYTHON:-python3}
[ -d .gpu/whl ] || { echo "no .gpu/ folder here: run \`python tools/gpu_pack.py\` first (and carry .gpu)"; exit 2; }
WORK=$(mktemp -d); LOG="$OUT/gpu_check.md"; failed=0
export PYTHONPATH="$WORK/site" PATH="$WORK/site/bin:$PATH" MNIST_IDX="$PWD/.gpu/idx" FASTAI_HOME="$WORK/fastai" PYTHONUNBUFFERED=1
step() {  # step NAME COMMAND...: run it, time it, keep its output, record pass/fail
  local name=$1; shift; local t=$SECONDS
  echo "== $name: $*"
  "$@" > "$OUT/$name.log" 2>&1; local rc=$?
  tail -25 "$OUT/$name.log"
  printf '| %s | %s | %ss |\n' "$name" "$([ $rc -eq 0 ] && echo pass || echo "FAIL ($rc)")" "$(( SECONDS - t ))" >> "$LOG"
  [ $rc -eq 0 ] || failed=$((failed+1))
}
{ echo "# tools/gpu_check.sh --device $DEV, $(date -u +%Y-%m-%dT%H:%MZ)"; echo
  "$PY" -c "import sys, torch; print(f'Python {sys.version.split()[0]}, torch {torch.__version__}, ' + (torch.cuda.get_device_name() if torch.cuda.is_available() else 'no CUDA device'))"
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null; echo
  echo '| step | result | time |'; echo '|---|---|---|'; } > "$LOG"
step install "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$WORK/site" .gpu/whl/*.whl
step data mnist-lessons data --full --no-download
step reproduce mnist-lessons reproduce --device "$DEV" --quiet --json "$OUT/reproduce.json"
step lessons nbdev-test --flags slow --n-workers 1 --timing --file-re '^(05_deeper|07_all_digits|10_speedrun)\.ipynb$'
step bench mnist-lessons bench --device "$DEV" --only speedrun resnet18 --json "$OUT/bench.json"
cat "$LOG"; rm -rf "$WORK"
[ $failed -eq 0 ] || { echo "$failed step(s) failed: see $OUT/*.log"; exit 1; }
