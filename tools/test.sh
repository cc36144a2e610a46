#!/usr/bin/env bash
# Set up (tools/setup.sh), check that notebooks and library agree, then execute every cell of every notebook.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh || { echo "0 passed, 1 failed (setup)"; exit 1; }
start=$SECONDS; last=$SECONDS; mkdir -p .cache
phase() { echo "== [$(( SECONDS - last ))s] $1 done (total $(( SECONDS - start ))s)"; last=$SECONDS; }

.venv/bin/nbdev-export && .venv/bin/nbdev-clean
if [ -n "$(git status --porcelain -- nbs mnist_lessons)" ]; then
  echo "nbdev-export / nbdev-clean changed files: run them and commit the result"; git status --short -- nbs mnist_lessons; git diff --stat
  echo "0 passed, 1 failed (notebooks and library out of sync)"; exit 1
fi
.venv/bin/python tools/readme.py --check || { echo "0 passed, 1 failed (README.md differs from nbs/index.ipynb)"; exit 1; }
.venv/bin/python tools/check_nbs.py || { echo "0 passed, 1 failed (badges, install cells or import cells; see above)"; exit 1; }
.venv/bin/python tools/render_html.py || { echo "0 passed, 1 failed (notebook HTML render)"; exit 1; }
phase "nbdev-clean/nbdev-export leave git clean, README matches index, notebooks render to HTML, badges and import cells checked"

n=$(find nbs -name "*.ipynb" -not -path "*/.ipynb_checkpoints/*" | wc -l)
out=$(mktemp)
# every flag in [tool.nbdev] tst_flags except notest, so every cell runs but lesson 10's timed staircase (minutes of training; no test checks a time)
# Lesson 10 runs alone afterwards: its timed training beside another notebook's torch threads oversubscribes the 2 cores, and
# then every small parallel region waits for a scheduler slot (three 5-second runs took over 600 s and hit the cell timeout).
.venv/bin/nbdev-test --flags "slow" --n-workers "${NBDEV_WORKERS:-2}" --timing --skip-file-re '^([_.]|10_speedrun)' 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
.venv/bin/nbdev-test nbs/10_speedrun.ipynb --flags "slow" --timing 2>&1 | tee -a "$out"
rc10=${PIPESTATUS[0]}; [ "$rc10" -ne 0 ] && rc=$rc10
failed=$(awk '/Tests Failed On The Following Notebooks/{f=1;next} f&&/ipynb/{c++} END{print c+0}' "$out")
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
phase "nbdev-test --flags slow ($n notebooks)"

# The docs build's first step (Quarto, needed for the rest, cannot be installed offline): it runs every export and import cell of
# every notebook on its own, as the docs workflow will.
n=$((n+1))
.venv/bin/nbdev-proc-nbs --force > .cache/proc_nbs.log 2>&1 || { tail -20 .cache/proc_nbs.log; echo "nbdev-proc-nbs failed"; failed=$((failed+1)); rc=1; }
phase "nbdev-proc-nbs (the docs build without Quarto)"

# The slider lesson in a real browser: JupyterLab + headless Chromium (Debian's package) driven by Playwright.
# Chromium comes from Debian's package, which needs root to install: only with MNIST_LESSONS_BROWSER=1 (CI sets it).
if ! command -v chromium >/dev/null && [ "${MNIST_LESSONS_BROWSER:-0}" = 1 ]; then
  echo "installing Debian's chromium with apt-get (MNIST_LESSONS_BROWSER=1)"
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } > .cache/apt.log 2>&1 || { tail -5 .cache/apt.log; echo "could not install chromium"; }
fi
if ! command -v chromium >/dev/null; then
  echo "browser test skipped: no chromium (set MNIST_LESSONS_BROWSER=1 to install it with apt-get, as root)"
elif timeout 600 .venv/bin/python tools/browser_test.py .cache/browser_test.png; then n=$((n+1)); else n=$((n+1)); failed=$((failed+1)); rc=1; fi
phase "browser test (screenshot in .cache/browser_test.png)"

# The README's main job: every headline figure of the course, reproduced from the exported helpers.
# Every row but resnet18 and speedrun: lessons 5 and 10 have just run those recipes with the same seed and numerics (resnet18 takes
# about 80 s on a slow CPU), and the whole .ci/run must stay under 15 minutes on 2 cores. `mnist-lessons reproduce` without --only runs it too.
if .venv/bin/mnist-lessons reproduce --device cpu --quiet --json .cache/reproduce.json \
     --only pixel rollercoaster linear nn_linear linear_learner simple_net mnist_baseline mnist_linear mnist_mlp mnist_cnn wide_mlp deep_mlp; then
  n=$((n+1)); else n=$((n+1)); failed=$((failed+1)); rc=1; fi
phase "mnist-lessons reproduce (results in .cache/reproduce.json)"
# Each lesson alone, as Colab/Kaggle open it, on Colab's own versions (.ci/colab-constraints.txt, Python 3.13; the venv is cached
# under ~/.cache/mnist_lessons/runtimes): an empty folder, no nbdev, the package installed by the lesson's own install cell from a
# wheel of this checkout *with* its dependencies (which must add nothing but mnist_lessons), and other float arithmetic (ATen and
# oneDNN at AVX2, one thread). One pass catches a lesson that needs the repository, an install cell that would upgrade what Colab
# has imported, a lesson that fails on Colab's versions, and a bound that holds only with this machine's numerics.
NUMERICS="ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1"
n=$((n+1))
.venv/bin/python tools/rehearse.py --runtime colab --numerics --jobs 2 2>&1 | grep --line-buffered -v "^WARNING: Location"
[ "${PIPESTATUS[0]}" -eq 0 ] || { failed=$((failed+1)); rc=1; }
phase "lessons 01-09 alone on Colab's versions (install cell checked) under $NUMERICS"
# Everything that is not a notebook: the install cell on Colab/Kaggle without a network, the rehearsal's install check.
n=$((n+1))
.venv/bin/python -m pytest -q --durations=5 tests || { failed=$((failed+1)); rc=1; }
phase "pytest tests/"
# The lessons above ran every recipe under these numerics; reproduce checks its own rows again, except the three longest
# (resnet18, mnist_cnn and the depth comparison, which lessons 5 and 7 just ran under the same numerics), and adds lesson 10's
# speedrun, whose lesson is not rehearsed (its timed staircase would take many minutes under these numerics).
if env $NUMERICS .venv/bin/mnist-lessons reproduce --device cpu --quiet --json .cache/reproduce_numerics.json \
     --only pixel rollercoaster linear nn_linear linear_learner simple_net mnist_baseline mnist_linear mnist_mlp speedrun; then n=$((n+1)); else n=$((n+1)); failed=$((failed+1)); rc=1; fi
phase "mnist-lessons reproduce under $NUMERICS"
echo "$(( n - failed )) passed, $failed failed"
exit $rc
