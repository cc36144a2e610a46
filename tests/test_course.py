"""The test command's phases, in order: each is one command a maintainer could run alone, wrapped as a test so that pytest times it and
sums them up. `tools/test.sh` runs this file first, then the unit tests beside it."""
import os, shutil, subprocess, sys
from pathlib import Path
import pytest

root = Path(__file__).resolve().parent.parent
venv = root/'.venv'/'bin'

def run(*cmd, env=None, **kw):
    "Run `cmd` in the repository root, its output going straight to the log; fail with its exit status"
    print('\n$', ' '.join(map(str, cmd)), flush=True)
    r = subprocess.run([str(c) for c in cmd], cwd=root, env={**os.environ, **(env or {})}, **kw)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} exited with status {r.returncode}"
    return r

def test_notebooks_and_library_agree():
    "nbdev-export and nbdev-clean leave git clean, README.md is nbs/index.ipynb, badges/install/import cells, HTML render"
    run(venv/'nbdev-export'); run(venv/'nbdev-clean')
    changed = subprocess.run(['git', 'status', '--porcelain', '--', 'nbs', 'mnist_lessons'], cwd=root, capture_output=True, text=True).stdout
    assert not changed, f"nbdev-export / nbdev-clean changed files: run them and commit the result\n{changed}"
    run(venv/'python', 'tools/readme.py', '--check')
    run(venv/'python', 'tools/check_nbs.py')
    run(venv/'python', 'tools/render_html.py')

def test_every_notebook_runs():
    """Every cell of every notebook (the `slow` ones too; not lesson 10's `notest` staircase), two at a time, each with its share of
    the cores (`OMP_NUM_THREADS`: lessons 5, 6 and 7 with two torch threads each took 255-290 s here, with one thread each 135 s);
    then lesson 10 alone, with all the cores: its timed training beside another notebook oversubscribes them."""
    workers = int(os.environ.get('NBDEV_WORKERS', '2'))
    share = {} if 'OMP_NUM_THREADS' in os.environ else {'OMP_NUM_THREADS': str(max(1, (os.cpu_count() or 1) // workers))}
    run(venv/'nbdev-test', '--flags', 'slow', '--n-workers', workers, '--timing', '--skip-file-re', '^([_.]|10_speedrun)', env=share)
    run(venv/'nbdev-test', 'nbs/10_speedrun.ipynb', '--flags', 'slow', '--timing')

def test_docs_build_first_step():
    "nbdev-proc-nbs, the docs build without Quarto (which cannot be installed offline): every export and import cell on its own"
    log = root/'.cache'/'proc_nbs.log'; log.parent.mkdir(exist_ok=True)
    with log.open('w') as f: r = subprocess.run([str(venv/'nbdev-proc-nbs'), '--force'], cwd=root, stdout=f, stderr=subprocess.STDOUT)
    assert r.returncode == 0, log.read_text()[-3000:]

def test_browser():
    """JupyterLab + headless Chromium (Debian's package, driven by Playwright): the course map, the slider lesson, the drawing pad.
    Chromium needs root to install: only with MNIST_LESSONS_BROWSER=1 (CI sets it); otherwise skipped when it is missing."""
    wanted = os.environ.get('MNIST_LESSONS_BROWSER') == '1'
    if not shutil.which('chromium') and wanted:
        log = root/'.cache'/'apt.log'
        with log.open('w') as f:
            for cmd in (['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', 'chromium']):
                subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env={**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'})
    if not shutil.which('chromium'):
        if wanted: pytest.fail(f"MNIST_LESSONS_BROWSER=1 but chromium could not be installed (see {root/'.cache'/'apt.log'})")
        pytest.skip('no chromium (set MNIST_LESSONS_BROWSER=1 to install it with apt-get, as root)')
    run('timeout', '600', venv/'python', 'tools/browser_test.py', '.cache/browser_test.png')

def test_reproduce():
    "The README's main job through the command itself: the quick headline figures again (registry: `ci`); the lessons ran them all"
    run(venv/'mnist-lessons', 'reproduce', '--device', 'cpu', '--quiet', '--json', '.cache/reproduce.json', '--ci', 'native')

def test_lessons_alone_on_colab_versions_other_numerics():
    """Each lesson alone, as Colab/Kaggle open it, on Colab's own versions (.ci/colab-constraints.txt, Python 3.13, venv cached under
    ~/.cache/mnist_lessons/runtimes): an empty folder, no nbdev, the package installed by the lesson's own install cell from a wheel
    of this checkout *with* its dependencies (which must add nothing but mnist_lessons), under other float arithmetic."""
    p = subprocess.Popen([str(venv/'python'), 'tools/rehearse.py', '--runtime', 'colab', '--numerics', '--jobs', '2'], cwd=root,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        if not line.startswith('WARNING: Location'): print(line, end='', flush=True)   # pip.conf's find-links noise
    assert p.wait() == 0, 'a lesson failed alone on Colab\'s versions (see above)'
