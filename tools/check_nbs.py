"""Check (or with --fix, rewrite) what every notebook must carry, from one setting: `[tool.nbdev] user`/`repo` in pyproject.toml.

- each lesson's Colab/Kaggle badges and its guarded install cell point at https://github.com/{user}/{repo}
  (the install cell's source can be overridden with $MNIST_LESSONS_PIP, which the lone-lesson rehearsal uses);
- `[project.urls]` point at the same home;
- no code cell mixes imports with other code (nbdev's docs build runs every cell that holds an import, on its own);
- in a lesson, every check cell (tests, asserts, hidden set-up: no output) and every exported cell of `check_*` guards is folded (`jupyter.source_hidden`), so the beginner's
  path reads as ideas and results; the cell still runs with the rest, and one click opens it.
Exits 1 naming each problem."""
import ast, json, re, sys, tomllib
from pathlib import Path

root = Path(__file__).resolve().parent.parent
cfg = tomllib.loads((root/'pyproject.toml').read_text())
user, repo = cfg['tool']['nbdev']['user'], cfg['tool']['nbdev']['repo']
home = f'https://github.com/{user}/{repo}'
INSTALL = ("# On Colab or Kaggle, install the course package once (it keeps every library the runtime has); elsewhere this does nothing.\n"
           "import os, sys, glob, subprocess, importlib.util\n"
           "if (os.environ.get('COLAB_RELEASE_TAG') or os.environ.get('KAGGLE_KERNEL_RUN_TYPE')) and not importlib.util.find_spec('mnist_lessons'):\n"
           "    wheel = glob.glob('/kaggle/input/**/mnist_lessons-*.whl', recursive=True)  # Kaggle offline: the wheel attached as a dataset\n"
           f"    src = os.environ.get('MNIST_LESSONS_PIP') or (wheel[-1] if wheel else 'git+{home}.git')\n"
           "    r = subprocess.run([sys.executable, '-m', 'pip', 'install', '-q', src], capture_output=True, text=True)\n"
           "    why = [l.strip() for l in r.stderr.splitlines() if l.strip().startswith(('ERROR', 'fatal'))] or r.stderr.splitlines()[-1:]\n"
           "    if r.returncode: sys.exit(f\"pip could not install mnist_lessons ({why[0] if why else r.returncode}). \" + (\n"
           "        'On Kaggle: turn on Internet (Settings > Internet), or attach a dataset holding the mnist_lessons wheel, and run this cell again.'\n"
           "        if os.environ.get('KAGGLE_KERNEL_RUN_TYPE') else 'Check that the runtime is online and run this cell again.'))")

RUNTIMES = ("On Colab, *Runtime → Change runtime type → T4 GPU* speeds up the training lessons (5, 7, 10); each new session "
            "installs the course package again (the next cell: a few seconds from a wheel, longer from GitHub) and downloads "
            "the data again (fastai's MNIST_SAMPLE is 3 MB, full MNIST 16 MB). On Kaggle, turn on *Internet* in the notebook's "
            "settings, or attach an MNIST dataset and a dataset holding the course's wheel.")

FOLDED = ("Cells folded to a thin bar are the lesson's checks, set-up and engineering helpers: they run with the others (Run All runs "
          "them) and prove that the outputs above them are what the code says; click the bar to read one. The checks use fastcore's "
          "`test_eq(a, b)` (a equals b), `test_close(a, b)` (equal up to float rounding) and `test_fail(f, contains=msg)` (calling f "
          "raises an error whose message contains msg). A cell that starts with `#| slow` trains for a while: the course's quick test run "
          "skips it, Run All runs it.")

def is_check(c):
    "A code cell a beginner need not read: `#| hide` set-up, or mostly tests and asserts, with no output"
    if c['cell_type'] != 'code' or c.get('outputs'): return False
    src = ''.join(c['source'])
    if src.startswith('#| hide'): return 'nbdev_export' not in src
    if src.startswith('#|') and not src.startswith(('#| slow', '#| notest')): return False   # a test flag is no reason to show a check
    try: body = ast.parse(src).body
    except SyntaxError:
        top = [l for l in src.splitlines() if l.strip() and not l[0].isspace() and not l.startswith('#')]
        return bool(top) and sum(l.startswith(('test_', 'assert')) for l in top) >= len(top) / 2
    return bool(body) and sum(map(checks_only, body)) >= len(body) / 2

def checks_only(n)->bool:
    "A statement that only checks: an assert, a `test_*(...)` call, or a loop or `if` of such checks (and assignments between them)"
    if isinstance(n, ast.Assert): return True
    if isinstance(n, ast.Expr) and isinstance(n.value, ast.Call):
        f = n.value.func
        return (f.id if isinstance(f, ast.Name) else getattr(f, 'attr', '')).startswith('test_')
    if isinstance(n, (ast.For, ast.If, ast.With)):     # a loop of checks may name what it checks (`a, b = ...`) on the way
        inner = n.body + getattr(n, 'orelse', [])
        return any(map(checks_only, inner)) and all(checks_only(m) or isinstance(m, ast.Assign) for m in inner)
    return False

def is_guard(c):
    """Set-up and engineering, folded whatever later cells use: the install cell, nbdev's `#| default_exp`, a `#| hide` cell of
    imports or of the final export, an exported cell of imports only (its names come back where they are used) or of input checks only (`check_*` functions: the prose says what they refuse)"""
    src = ''.join(c['source'])
    if c['cell_type'] != 'code' or c.get('outputs'): return False
    if src == INSTALL or src.startswith('#| default_exp'): return True
    if src.startswith('#| hide') and (imports_only(src) or 'nbdev_export()' in src): return True   # the lesson's imports, the export at its end
    if not src.startswith('#| export'): return False
    if imports_only(src): return True
    try: body = ast.parse(src).body
    except SyntaxError: return False
    return bool(body) and all(isinstance(n, ast.FunctionDef) and n.name.startswith('check_') for n in body)

def imports_only(src)->bool:
    "True if a cell's code is nothing but imports (an exported import cell: the names come back in the cells that use them)"
    try: body = ast.parse(src).body
    except SyntaxError: return False
    return bool(body) and all(isinstance(n, (ast.Import, ast.ImportFrom)) for n in body)

def defined(src)->set:
    "Names a cell binds at its top level (assignments, loops, functions, classes, imports)"
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('!', '%'))))
    except SyntaxError: return set()
    out = set()
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.ClassDef)): out.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)): out |= {(a.asname or a.name).split('.')[0] for a in n.names}
        else:
            for t in getattr(n, 'targets', []) + [getattr(n, 'target', None)]:
                if t is not None: out |= bound_names(t)
    return out

def bound_names(t)->set:
    "The names an assignment target binds: `x` and `a, *b` do, `x.attr = ...` and `x[i] = ...` change an object and bind nothing"
    if isinstance(t, ast.Name): return {t.id}
    if isinstance(t, (ast.Tuple, ast.List)): return set().union(set(), *map(bound_names, t.elts))
    if isinstance(t, ast.Starred): return bound_names(t.value)
    return set()

def free(src)->set:
    "Names a cell reads but never binds itself (a parameter, a loop variable or an assignment anywhere in it binds a name)"
    try: tree = ast.parse('\n'.join(l for l in src.splitlines() if not l.lstrip().startswith(('!', '%'))))
    except SyntaxError: return set(re.findall(r'\b\w+\b', src))     # unreadable: count every word as used
    read, bound = set(), set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name): (read if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, ast.arg): bound.add(n.arg)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): bound.add(n.name)
        elif isinstance(n, (ast.Import, ast.ImportFrom)): bound.update((a.asname or a.name).split('.')[0] for a in n.names)
    return read - bound

def folds(cells)->list:
    "Which cells to fold: check cells, unless a later cell a reader sees uses a name they define (it must not come from nowhere), and guard cells"
    fold = [is_check(c) for c in cells]
    for i in reversed(range(len(cells))):
        if not fold[i]: continue
        later = [''.join(c['source']) for j, c in enumerate(cells) if j > i and c['cell_type'] == 'code' and not fold[j]]
        if defined(''.join(cells[i]['source'])) & set().union(*map(free, later)): fold[i] = False
    return [f or is_guard(c) for f, c in zip(fold, cells)]   # a check's name in later code is no surprise: the prose says what it refuses

def may_fold(c)->bool:
    "An exported cell without output, which the lesson's author folded because the prose says what it does and its use shows it"
    return c['cell_type'] == 'code' and not c.get('outputs') and ''.join(c['source']).startswith('#| export')

def badges(name):
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/{user}/{repo}/blob/main/nbs/{name}) "
            f"[![Open In Kaggle](https://kaggle.com/static/images/open-in-kaggle.svg)](https://kaggle.com/kernels/welcome?src={home}/blob/main/nbs/{name})"
            f"\n\n{RUNTIMES}\n\n{FOLDED}")

def is_lesson(p): return p.parent == root/'nbs' and p.stem[:2].isdigit()   # nbs/internals/ holds the machinery

def mixed_imports(src):
    "True if a cell holds a top-level import and other top-level code (what nbdev's docs build warns about)"
    lines = [l for l in src.splitlines() if not l.lstrip().startswith(('!', '%'))]
    try: tree = ast.parse('\n'.join(lines))
    except SyntaxError: return False
    kinds = [isinstance(n, (ast.Import, ast.ImportFrom)) for n in tree.body]
    return any(kinds) and any(isinstance(n, (ast.Expr, ast.Assign)) for n in tree.body)

def check(fix=False):
    problems = []
    urls = cfg['project'].get('urls', {})
    if urls.get('Repository') != home: problems.append(f"pyproject.toml: [project.urls] Repository should be {home}")
    if urls.get('Documentation') != f'https://{user}.github.io/{repo}':
        problems.append(f"pyproject.toml: [project.urls] Documentation should be https://{user}.github.io/{repo}")
    for p in sorted(q for q in (root/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in q.parts):
        nb = json.loads(p.read_text()); cells = nb['cells']; changed = False
        for i, c in enumerate(cells):
            src = ''.join(c['source'])
            if c['cell_type'] == 'code' and 'nbdev_export()' not in src and mixed_imports(src):
                problems.append(f"{p.relative_to(root/'nbs')} cell {i}: imports mixed with other code; put the imports in a cell of their own")
        if not is_lesson(p): continue
        for i, (c, fold) in enumerate(zip(cells, folds(cells))):
            hidden = bool(c['metadata'].get('jupyter', {}).get('source_hidden'))
            if hidden == fold or (hidden and may_fold(c)): continue
            if fix:
                if fold: c['metadata'].setdefault('jupyter', {})['source_hidden'] = True
                else: c['metadata'].pop('jupyter', None)
                changed = True
            else: problems.append(f"{p.name} cell {i}: " + ('a check cell that is not folded' if fold else 'folded, but not a check cell, or a later '
                                  'cell uses what it defines') + "; run `python tools/check_nbs.py --fix`")
        for kind, want, key in [('markdown', badges(p.name), 'colab-badge.svg'), ('code', INSTALL, 'COLAB_RELEASE_TAG')]:
            found = [c for c in cells if c['cell_type'] == kind and key in ''.join(c['source'])]
            if len(found) == 1 and ''.join(found[0]['source']) == want: continue
            if fix and len(found) == 1: found[0]['source'] = want.splitlines(True); changed = True
            else: problems.append(f"{p.name}: {'badges' if kind == 'markdown' else 'install cell'} missing or not generated from "
                                  f"[tool.nbdev] user/repo ({user}/{repo}); run `python tools/check_nbs.py --fix`")
        if changed: p.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + '\n')
    return problems

if __name__ == '__main__':
    problems = check('--fix' in sys.argv)
    if problems: sys.exit('\n'.join(problems))
    print(f'notebooks OK: badges and install cells point at {home}; no cell mixes imports with other code')
