"""Rehearse a learner's runtime: each lesson alone, on that runtime's versions, installed by the lesson's own install cell.

Colab and Kaggle open one notebook file with their own libraries preinstalled. So each lesson is copied into an empty folder
(no repository around it) and executed top to bottom with nbconvert (through `tools/nbexec.py`), in a fresh virtual environment that sees the runtime's
packages (as preinstalled ones), where `nbdev` cannot be imported and `mnist_lessons` is not installed until the lesson's install
cell runs. `COLAB_RELEASE_TAG` is set, so that cell runs pip with `$MNIST_LESSONS_PIP`, pointed here at a wheel built from this
checkout *with* its dependencies, as the cell does with GitHub's copy. Before any lesson runs, `pip install --dry-run --report`
of that wheel must install `mnist_lessons` and nothing else: an install cell that upgrades or adds a package the runtime has
already imported makes Colab ask for a restart.

    python tools/rehearse.py [--runtime colab | --python PY] [--numerics] [--jobs 2] [lesson-stem-or-glob ...]

`--runtime colab` (the default) uses Colab's versions (`.ci/colab-constraints.txt`, Python 3.13), in a venv cached under
`~/.cache/mnist_lessons/runtimes/` by the constraints' hash; `--python PY` uses the packages of another interpreter instead.
`--numerics` runs everything with other float arithmetic (`ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 OMP_NUM_THREADS=1`).
With `--jobs` above 1, each lesson gets its share of the cores (`OMP_NUM_THREADS`) unless that is set.
Without names it rehearses every lesson, the longest first (so that two jobs finish together). `--prepare` only builds (or finds)
the runtime's venv and exits: the test command starts it beside the set-up, whose pip leaves one core idle; a rehearsal started
meanwhile waits for that build (a lock beside the venv) instead of starting a second one.
Exits 1 if the install would change the runtime or any lesson raised; prints one line per lesson with its time."""
import argparse, concurrent.futures as cf, fcntl, glob, hashlib, json, os, shutil, subprocess, sys, tempfile, time
from datetime import datetime, timezone
from pathlib import Path

root = Path(__file__).resolve().parent.parent
NUMERICS = {'ATEN_CPU_CAPABILITY': 'avx2', 'ONEDNN_MAX_CPU_ISA': 'AVX2', 'OMP_NUM_THREADS': '1'}
RUNTIMES = {'colab': dict(constraints=root/'.ci'/'colab-constraints.txt', python='3.13')}

def lessons(patterns):
    nbs = sorted((root/'nbs').glob('[0-9][0-9]*.ipynb'))      # the lessons: nbs/internals/ is the machinery
    if not patterns: return nbs
    return [p for p in nbs if any(p.match(f'{pat}*') or p.stem == pat for pat in patterns)]

# roughly how long each lesson takes alone here, in seconds (the rest: under a minute): the longest start first
LIMIT = 1500   # seconds for one lesson alone, kernel start and shutdown included: beyond it, something hangs
LONG = {'05_deeper': 300, '10_speedrun': 240, '07_all_digits': 240}

def find_python(minor:str)->str:
    "An interpreter of Python `minor` (3.13): on PATH, or installed through pyenv"
    pyenv = Path(os.environ.get('PYENV_ROOT') or Path.home()/'.pyenv')
    found = next(iter(sorted(glob.glob(f'{pyenv}/versions/{minor}.*/bin/python{minor}'), reverse=True)), None)
    found = found or next((p for d in os.environ.get('PATH', '').split(os.pathsep) if '/shims' not in d   # pyenv's shim needs a selection
                           and os.access(p := os.path.join(d, f'python{minor}'), os.X_OK)), None)
    if not found: sys.exit(f"no Python {minor} found (on PATH or under {pyenv}/versions): install it, e.g. `pyenv install {minor}`")
    return found

def runtime_dir(name:str)->Path:
    "Where runtime `name`'s venv is cached: named by the hash of its constraints, so a new list builds a new venv"
    key = hashlib.sha256(RUNTIMES[name]['constraints'].read_bytes()).hexdigest()[:12]
    return Path(os.environ.get('XDG_CACHE_HOME') or Path.home()/'.cache')/'mnist_lessons'/'runtimes'/f'{name}-{key}'

def cached_runtime(name:str)->str|None:
    venv = runtime_dir(name)
    return str(venv/'bin'/'python') if (venv/'.complete').exists() else None

def runtime_python(name:str)->str:
    "Python of a cached venv holding runtime `name`'s versions, built on first use (a few minutes: torch is a large download)"
    if found := cached_runtime(name): return found
    lock = runtime_dir(name).parent/f'.{name}.lock'; lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open('w') as f:
        try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"waiting for the {name} runtime's venv that another process is building", flush=True)
            fcntl.flock(f, fcntl.LOCK_EX)
        return cached_runtime(name) or build_runtime(name)

def build_runtime(name:str)->str:
    rt, venv = RUNTIMES[name], runtime_dir(name)
    cache, key = venv.parent, venv.name.split('-')[-1]
    tmp = cache/f'.{name}-{key}.building-{os.getpid()}'
    shutil.rmtree(tmp, ignore_errors=True); tmp.parent.mkdir(parents=True, exist_ok=True)
    print(f"building the {name} runtime's venv ({rt['constraints'].relative_to(root)}) in {venv}", flush=True)
    start = time.perf_counter()
    subprocess.check_call([find_python(rt['python']), '-m', 'venv', str(tmp)])
    r = subprocess.run([str(tmp/'bin'/'python'), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', str(rt['constraints'])],
                       capture_output=True, text=True)
    if r.returncode: sys.exit(f"could not build the {name} runtime's venv:\n" + '\n'.join(
        l for l in (r.stdout + r.stderr).splitlines() if not l.startswith('WARNING: Location')))   # this machine's pip.conf find-links
    (tmp/'.complete').write_text(f'built in {time.perf_counter() - start:.0f}s\n')
    shutil.rmtree(venv, ignore_errors=True); tmp.rename(venv)       # `python -m` works wherever the venv lies
    print(f"built in {time.perf_counter() - start:.0f}s", flush=True)
    return str(venv/'bin'/'python')

def make_env(python, d:Path)->Path:
    "A venv in `d` that sees `python`'s packages (as a runtime's preinstalled ones) but neither mnist_lessons nor nbdev"
    deps = subprocess.check_output([python, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip()
    subprocess.check_call([python, '-m', 'venv', '--without-pip', str(d/'venv')])
    vpy = d/'venv'/'bin'/'python'
    site = Path(subprocess.check_output([str(vpy), '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], text=True).strip())
    (site/'_runtime_packages.pth').write_text(deps + '\n')      # a plain path line: the .pth files in there are not run
    block = d/'blocked'/'nbdev'; block.mkdir(parents=True)
    (block/'__init__.py').write_text("raise ImportError('nbdev is not installed here (lesson rehearsal: as on Colab)')\n")
    return vpy

def build_wheel(work):
    out = work/'wheel'
    subprocess.check_call([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', str(out), str(root)], stdout=subprocess.DEVNULL)
    return next(out.glob('mnist_lessons-*.whl'))

def install_changes(python, wheel, work)->list:
    "What installing `wheel` with its dependencies would add, upgrade or downgrade beside mnist_lessons itself"
    d = Path(tempfile.mkdtemp(prefix='install_check_', dir=work)); vpy = make_env(python, d)
    report = d/'report.json'
    subprocess.check_call([str(vpy), '-m', 'pip', 'install', '-q', '--disable-pip-version-check', '--dry-run', '--report', str(report), str(wheel)])
    have = dict(l.split('==', 1) for l in subprocess.check_output([python, '-m', 'pip', 'freeze', '--all'], text=True).splitlines() if '==' in l)
    have = {k.lower().replace('_', '-'): v for k, v in have.items()}
    todo = [(i['metadata']['name'], i['metadata']['version']) for i in json.loads(report.read_text())['install']]
    return [f"{n} {have.get(n.lower().replace('_', '-'), 'absent')} -> {v}" for n, v in todo if n.replace('-', '_') != 'mnist_lessons']

def run_one(nb, python, wheel, work, numerics, jobs=1):
    d = Path(tempfile.mkdtemp(prefix=f'lesson_{nb.stem}_', dir=work))
    vpy = make_env(python, d)
    shutil.copy(nb, d/nb.name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(('PYTHON', 'VIRTUAL_ENV', 'JUPYTER'))}
    env.update(COLAB_RELEASE_TAG='rehearsal', MNIST_LESSONS_PIP=str(wheel), PYTHONPATH=str(d/'blocked'),
               PATH=f"{vpy.parent}:{env.get('PATH', '')}", JUPYTER_RUNTIME_DIR=str(d/'.runtime'), PIP_DISABLE_PIP_VERSION_CHECK='1',
               **(NUMERICS if numerics else {}))
    if jobs > 1 and 'OMP_NUM_THREADS' not in env:     # lessons side by side, each with all the cores, slow each other down many times
        env['OMP_NUM_THREADS'] = str(max(1, (os.cpu_count() or 1) // jobs))
    env.setdefault('MNIST_IDX', str(Path(os.environ.get('XDG_CACHE_HOME') or Path.home()/'.cache')/'mnist_lessons'/'idx'))
    start, began = time.perf_counter(), datetime.now(timezone.utc)
    shutil.copy(root/'tools'/'nbexec.py', d/'nbexec.py')      # nbconvert, but without nbclient's ten-minute stall (its docstring)
    cmd = [str(vpy), 'nbexec.py', '--to', 'notebook', '--execute', '--output', 'executed.ipynb', '--ExecutePreprocessor.timeout=600', str(d/nb.name)]
    with subprocess.Popen(cmd, cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True) as p:
        try: _, err = p.communicate(timeout=LIMIT)
        except subprocess.TimeoutExpired:          # nbconvert and its kernel together
            os.killpg(p.pid, 9); p.communicate()
            return nb.stem, 124, time.perf_counter() - start, f'stopped after {LIMIT}s (no lesson takes that long alone): ' + where_time_went(d/nb.name, began, datetime.now(timezone.utc))
    return nb.stem, p.returncode, time.perf_counter() - start, err[-3000:] + where_time_went(d/'executed.ipynb', began, datetime.now(timezone.utc))

def where_time_went(path, began, ended)->str:
    """The longest cell of an executed notebook and the longest wait outside the cells (the kernel's start before the first,
    a gap between two, the shutdown after the last), from the timestamps nbconvert records"""
    if not path.exists(): return ''
    def ts(s): return datetime.fromisoformat(s.rstrip('Z')).replace(tzinfo=timezone.utc)
    spans = [(ts(m['iopub.execute_input']), ts(m['shell.execute_reply']), i) for i, c in enumerate(json.loads(path.read_text())['cells'])
             if (m := c.get('metadata', {}).get('execution', {})).get('shell.execute_reply') and m.get('iopub.execute_input')]
    if not spans: return ''
    cell = max(((b - a).total_seconds(), i) for a, b, i in spans)
    waits = [((spans[0][0] - began).total_seconds(), 'before the first cell (kernel start)'),
             ((ended - spans[-1][1]).total_seconds(), 'after the last cell (kernel shutdown)')]
    waits += [((a2 - b1).total_seconds(), f'between cells {i1} and {i2}') for (_, b1, i1), (a2, _, i2) in zip(spans, spans[1:])]
    wait = max(waits)
    return f'slowest cell: {cell[1]} ({cell[0]:.0f}s); longest wait outside cells: {wait[0]:.0f}s {wait[1]}'

def versions(python)->str:
    code = ("import sys, torch, fastai, ipywidgets; print(f'Python {sys.version.split()[0]}, torch {torch.__version__}, "
            "fastai {fastai.__version__}, ipywidgets {ipywidgets.__version__}')")
    return subprocess.check_output([python, '-c', code], text=True).strip()

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--runtime', choices=sorted(RUNTIMES), default='colab')
    p.add_argument('--python', help="interpreter whose packages play the runtime's preinstalled ones (instead of --runtime)")
    p.add_argument('--jobs', type=int, default=2); p.add_argument('--numerics', action='store_true'); p.add_argument('--keep', action='store_true')
    p.add_argument('--prepare', action='store_true', help="only build (or find) the runtime's venv")
    p.add_argument('lessons', nargs='*')
    a = p.parse_args()
    python = a.python or runtime_python(a.runtime)
    if a.prepare: print(f"{a.runtime} runtime ready: {python}"); sys.exit(0)
    work = Path(tempfile.mkdtemp(prefix='rehearse_'))
    try:
        wheel = build_wheel(work)
        where = f'--python {a.python}' if a.python else f'{a.runtime} ({versions(python)})'
        if changes := install_changes(python, wheel, work):
            sys.exit(f"FAIL the install cell would change the runtime {where}: {'; '.join(changes)}. Lower the bounds in pyproject.toml.")
        print(f"install cell on {where}: installs mnist_lessons and nothing else", flush=True)
        todo = sorted(lessons(a.lessons), key=lambda p: -LONG.get(p.stem, 0))
        print(f"rehearsing {len(todo)} lessons alone in {work} ({'numerics: ' + ' '.join(f'{k}={v}' for k, v in NUMERICS.items()) if a.numerics else 'this machine as it is'})", flush=True)
        failed = []
        with cf.ThreadPoolExecutor(a.jobs) as ex:
            for stem, rc, secs, err in ex.map(lambda nb: run_one(nb, python, wheel, work, a.numerics, a.jobs), todo):
                print(f"{'ok  ' if rc == 0 else 'FAIL'} {stem} alone in {secs:.0f}s; {err.splitlines()[-1] if rc == 0 and err else ''}", flush=True)
                if rc: failed.append(stem); print(err)
        print(f"{len(todo) - len(failed)} of {len(todo)} lessons ran alone on {where} without an exception" + (f"; failed: {', '.join(failed)}" if failed else ''))
        sys.exit(1 if failed else 0)
    finally:
        if not a.keep: shutil.rmtree(work, ignore_errors=True)
