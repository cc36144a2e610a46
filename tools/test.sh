#!/usr/bin/env bash
# Set up (tools/setup.sh), check that notebooks and library agree, then execute every cell of every notebook.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || { echo "0 passed, 1 failed (setup)"; exit 1; }
start=$SECONDS; last=$SECONDS
phase() { echo "== [$(( SECONDS - last ))s] $1 done (total $(( SECONDS - start ))s)"; last=$SECONDS; }

.venv/bin/nbdev-export && .venv/bin/nbdev-clean
if [ -n "$(git status --porcelain -- nbs mnist_lessons)" ]; then
  echo "nbdev-export / nbdev-clean changed files: run them and commit the result"; git status --short -- nbs mnist_lessons; git diff --stat
  echo "0 passed, 1 failed (notebooks and library out of sync)"; exit 1
fi
.venv/bin/python tools/readme.py --check || { echo "0 passed, 1 failed (README.md differs from nbs/index.ipynb)"; exit 1; }
.venv/bin/python tools/render_html.py || { echo "0 passed, 1 failed (notebook HTML render / badges)"; exit 1; }
phase "nbdev-clean/nbdev-export leave git clean, README matches index, notebooks render to HTML"

n=$(ls nbs/*.ipynb | wc -l)
out=$(mktemp)
# every flag in [tool.nbdev] tst_flags except notest, so every cell of every notebook runs
.venv/bin/nbdev-test --flags "slow" --n-workers "${NBDEV_WORKERS:-2}" --timing 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
failed=$(awk '/Tests Failed On The Following Notebooks/{f=1;next} f&&/ipynb/{c++} END{print c+0}' "$out")
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
phase "nbdev-test --flags slow ($n notebooks)"

# The slider lesson in a real browser: JupyterLab + headless Chromium (Debian's package) driven by Playwright.
if ! command -v chromium >/dev/null; then
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1 || echo "could not install chromium"
fi
mkdir -p .cache
if timeout 600 .venv/bin/python tools/browser_test.py .cache/browser_test.png; then n=$((n+1)); else n=$((n+1)); failed=$((failed+1)); rc=1; fi
phase "browser test (screenshot in .cache/browser_test.png)"

# The README's main job: every headline figure of the course, reproduced from the exported helpers.
if .venv/bin/mnist-lessons reproduce --device cpu --quiet --json .cache/reproduce.json; then n=$((n+1)); else n=$((n+1)); failed=$((failed+1)); rc=1; fi
phase "mnist-lessons reproduce (results in .cache/reproduce.json)"
echo "$(( n - failed )) passed, $failed failed"
exit $rc
