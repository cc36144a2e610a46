"""Rehearse Colab/Kaggle: run each lesson alone, as a learner's runtime opens it.

Each lesson is copied into an empty temporary folder (no repository around it) and executed top to bottom with nbconvert, in a
fresh virtual environment where `nbdev` cannot be imported and `mnist_lessons` is not installed until the lesson's own install
cell runs: `COLAB_RELEASE_TAG` is set, so that cell runs `pip install` with `$MNIST_LESSONS_PIP`, pointed here at a wheel built
from this checkout (learners get the GitHub URL). The other libraries (torch, fastai, ...) come from the environment of `--python`,
as Colab's preinstalled ones do. Data comes through `MNIST_IDX`.

    python tools/rehearse.py [--python PY] [--jobs 2] [--numerics] [lesson-stem-or-glob ...]

With `--jobs` above 1, each lesson gets its share of the cores (`OMP_NUM_THREADS`) unless that is set.
`--numerics` runs everything with other float arithmetic (`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1`).
Without names it rehearses lessons 1-9; name `10_speedrun` to rehearse lesson 10 (minutes of timed training).
Exits 1 if any lesson raised; prints one line per lesson with its time."""
import argparse, concurrent.futures as cf, json, os, shutil, subprocess, sys, tempfile, time
from datetime import datetime
from pathlib import Path

root = Path(__file__).resolve().parent.parent
NUMERICS = {'ATEN_CPU_CAPABILITY': 'avx2', 'ONEDNN_MAX_CPU_ISA': 'AVX2', 'OMP_NUM_THREADS': '1'}

def lessons(patterns):
    nbs = sorted(p for p in (root/'nbs').glob('[0-9][0-9]_*.ipynb') if 1 <= int(p.stem[:2]) < 70)
    # by default lessons 1-9; lesson 10 (minutes of timed runs, far more under other numerics) only when named
    if not patterns: return [p for p in nbs if int(p.stem[:2]) <= 9]
    return [p for p in nbs if any(p.match(f'{pat}*') or p.stem == pat for pat in patterns)]

def make_env(python, work):
    "A venv that sees `python`'s packages (as a runtime's preinstalled ones) but neither mnist_lessons nor nbdev"
    deps = subprocess.check_output([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip()
    subprocess.check_call([python, '-m', 'venv', '--without-pip', str(work/'venv')])
    vpy = work/'venv'/'bin'/'python'
    site = Path(subprocess.check_output([str(vpy), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip())
    (site/'_runtime_packages.pth').write_text(deps + '\n')      # a plain path line: the .pth files in there are not run
    (work/'venv'/'bin'/'pip').write_text(f'#!/bin/sh\nexec "{vpy}" -m pip "$@"\n'); (work/'venv'/'bin'/'pip').chmod(0o755)
    block = work/'blocked'/'nbdev'; block.mkdir(parents=True)
    (block/'__init__.py').write_text("raise ImportError('nbdev is not installed here (lesson rehearsal: as on Colab)')\n")
    return vpy

def build_wheel(python, work):
    out = work/'wheel'
    subprocess.check_call([python, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', str(out), str(root)], stdout=subprocess.DEVNULL)
    return next(out.glob('mnist_lessons-*.whl'))

def run_one(nb, vpy, wheel, work, numerics, jobs=1):
    d = Path(tempfile.mkdtemp(prefix=f'lesson_{nb.stem}_', dir=work))
    shutil.copy(nb, d/nb.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTHON', 'VIRTUAL_ENV', 'JUPYTER'))}
    env.update(COLAB_RELEASE_TAG='rehearsal', MNIST_LESSONS_PIP=f'--no-deps --force-reinstall {wheel}', PYTHONPATH=str(work/'blocked'),
               PATH=f"{vpy.parent}:{env.get('PATH', '')}", JUPYTER_RUNTIME_DIR=str(d/'.runtime'), PIP_DISABLE_PIP_VERSION_CHECK='1',
               **(NUMERICS if numerics else {}))
    if jobs > 1 and 'OMP_NUM_THREADS' not in env:     # lessons side by side, each with all the cores, slow each other down many times
        env['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1) // jobs))
    env.setdefault('MNIST_IDX', str(Path(os.environ.get('XDG_CACHE_HOME') or Path.home()/'.cache')/'mnist_lessons'/'idx'))
    start = time.perf_counter()
    r = subprocess.run([str(vpy), '-m', 'nbconvert', '--to', 'notebook', '--execute', '--output', 'executed.ipynb',
                        '--ExecutePreprocessor.timeout=600', str(d/nb.name)], cwd=d, env=env, capture_output=True, text=True)
    return nb.stem, r.returncode, time.perf_counter() - start, r.stderr[-3000:] + slowest_cell(d/'executed.ipynb')

def slowest_cell(path)->str:
    "The longest-running cell of an executed notebook, from the timestamps nbconvert records"
    if not path.exists(): return ''
    def ts(s): return datetime.fromisoformat(s.rstrip('Z'))
    times = [((ts(m['shell.execute_reply']) - ts(m['iopub.execute_input'])).total_seconds(), i) for i, c in enumerate(json.loads(path.read_text())['cells'])
             if (m := c.get('metadata', {}).get('execution', {})).get('shell.execute_reply') and m.get('iopub.execute_input')]
    return f'slowest cell: {max(times)[1]} ({max(times)[0]:.0f}s)' if times else ''

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--python', default=sys.executable, help="interpreter whose packages play the runtime's preinstalled ones")
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--numerics', action='store_true'); p.add_argument('--keep', action='store_true')
    p.add_argument('lessons', nargs='*')
    a = p.parse_args()
    work = Path(tempfile.mkdtemp(prefix='rehearse_'))
    try:
        vpy, wheel = make_env(a.python, work), build_wheel(a.python, work)
        todo = lessons(a.lessons)
        print(f"rehearsing {len(todo)} lessons alone in {work} ({'numerics: ' + ' '.join(f'{k}={v}' for k, v in NUMERICS.items()) if a.numerics else 'this machine as it is'})", flush=True)
        failed = []
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            for stem, rc, secs, err in ex.map(lambda nb: run_one(nb, vpy, wheel, work, a.numerics, a.jobs), todo):
                print(f"{'ok  ' if rc == 0 else 'FAIL'} {stem} alone in {secs:.0f}s; {err.splitlines()[-1] if rc == 0 and err else ''}", flush=True)
                if rc: failed.append(stem); print(err)
        print(f"{len(todo) - len(failed)} of {len(todo)} lessons ran alone without an exception" + (f"; failed: {', '.join(failed)}" if failed else ''))
        sys.exit(1 if failed else 0)
    finally:
        if not a.keep: shutil.rmtree(work, ignore_errors=True)
