#!/usr/bin/env bash
# The test command: set up (tools/setup.sh), then pytest runs the phases in order (tests/test_course.py: notebooks and library agree,
# every notebook, the docs build's first step, the browser, reproduce, each lesson alone on Colab's versions under other numerics),
# then the unit tests beside them. pytest's summary line is the result.
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .cache
# Colab's versions for the last phase, built beside the set-up (pip uses one core of two); that phase waits for it if need be.
python3 tools/rehearse.py --runtime colab --prepare > .cache/colab_runtime.log 2>&1 &
bash tools/setup.sh || { echo "setup failed (tools/setup.sh): nothing was tested"; exit 1; }
exec .venv/bin/python -m pytest -s -v -p no:cacheprovider --durations=0 tests/test_course.py tests/test_registry.py tests/test_install_cell.py tests/test_rehearse.py "$@"
