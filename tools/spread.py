"""Measure how far the course's trained figures move with the seed and with the numerics, and write SPREAD.md.

    python tools/spread.py run CONFIG [--python PY] [--seeds 42 1 2 3 4] [--only NAME ...]
    python tools/spread.py table

`run` executes the registry `mnist_lessons.experiments.EXPERIMENTS` (the lessons' own recipes) on the CPU, each trained one for every seed, the others
for seed 42, in a child process whose environment selects the numerics of CONFIG (see CONFIGS), and appends one JSON line per figure to
tools/spread/CONFIG.jsonl. It is resumable: figures already recorded for an (experiment, seed) are skipped. `--python` runs the child
under another interpreter (e.g. a venv with torch 2.5.1, with this checkout on PYTHONPATH). `table` summarises every file into SPREAD.md.
"""
import argparse, json, math, os, statistics, subprocess, sys, time
from pathlib import Path

root = Path(__file__).resolve().parent.parent
data_dir = root/'tools'/'spread'
SEEDS = [42, 1, 2, 3, 4]
# What changes the order of float sums without changing the code: SIMD level of ATen's kernels and of oneDNN, MKL's code path, threads.
CONFIGS = {
    'native':  ({}, 'this CPU as it is'),
    'avx2':    ({'ATEN_CPU_CAPABILITY': 'avx2', 'ONEDNN_MAX_CPU_ISA': 'AVX2'}, 'ATen and oneDNN capped at AVX2'),
    'default': ({'ATEN_CPU_CAPABILITY': 'default'}, "ATen's kernels without SIMD"),
    'sse':     ({'ATEN_CPU_CAPABILITY': 'default', 'ONEDNN_MAX_CPU_ISA': 'SSE41', 'MKL_ENABLE_INSTRUCTIONS': 'SSE4_2'},
                'no AVX anywhere: ATen without SIMD, oneDNN at SSE4.1, MKL at SSE4.2'),
    '1thread': ({'OMP_NUM_THREADS': '1'}, 'one thread'),
    'torch2.5.1': ({}, 'torch 2.5.1 + torchvision 0.20.1 (the lowest claimed), run with --python'),
}

def worker(config, seeds, only):
    import torch
    from mnist_lessons.experiments import EXPERIMENTS
    from mnist_lessons.reproduce import prepare_data
    from mnist_lessons.runs import machine_info
    info = machine_info('cpu')
    out = data_dir/f'{config}.jsonl'
    done = set()
    if out.exists():
        for line in out.read_text().splitlines(): r = json.loads(line); done.add((r['experiment'], r['seed']))
    names = [n for n in EXPERIMENTS if not only or n in only]
    prepare_data(names, download=False)
    for seed in seeds:
        for name in names:
            if (not EXPERIMENTS[name].seeded and seed != 42) or (name, seed) in done: continue
            start = time.perf_counter()
            checks = EXPERIMENTS[name].run(torch.device('cpu'), seed)
            secs = time.perf_counter() - start
            with out.open('a') as f:
                for c in checks:
                    f.write(json.dumps(dict(config=config, experiment=name, metric=c.metric, seed=seed, value=c.ours, lo=c.lo, hi=c.hi,
                                            seconds=round(secs, 2), torch=info['torch'], capability=info['cpu_capability'],
                                            threads=info['torch_threads'], cpu=info['cpu'])) + '\n')
            print(f'{config} seed {seed} {name}: ' + ', '.join(f'{c.metric} {c.ours:.4f}' for c in checks) + f' ({secs:.1f}s)', flush=True)

def run(config, python, seeds, only):
    env = dict(os.environ, **CONFIGS[config][0], PYTHONPATH=str(root), PYTHONWARNINGS='ignore')
    cmd = [python or sys.executable, __file__, '_worker', config, '--seeds', *map(str, seeds)] + (['--only', *only] if only else [])
    return subprocess.call(cmd, env=env)

def rule(v, lo, hi):
    "The bound the measurements suggest: accuracies min - max(0.002, spread/2), rounded down to 0.001; losses max + max(1, spread/2), rounded up"
    if lo is not None and hi is not None: return 'exact'
    if hi is None: return f'≥ {math.floor((min(v) - max(0.002, (max(v) - min(v)) / 2)) * 1000) / 1000:g}'
    return f'≤ {math.ceil(max(v) + max(1., (max(v) - min(v)) / 2)):g}'

def code_bounds():
    "The bounds the code asserts now, from the registry: {(experiment, metric): (lo, hi)}"
    from mnist_lessons.experiments import EXPERIMENTS
    return {(e.name, f.metric): f.bounds() for e in EXPERIMENTS.values() for f in e.figures}

def table():
    from mnist_lessons.experiments import EXPERIMENTS as registry
    now = code_bounds()
    rows = [json.loads(l) for f in sorted(data_dir.glob('*.jsonl')) for l in f.read_text().splitlines()]
    by = {}
    for r in rows: by.setdefault((r['experiment'], r['metric']), []).append(r)
    configs = [c for c in CONFIGS if any(r['config'] == c for r in rows)]
    out = ['<!-- Written by `python tools/spread.py table` from tools/spread/*.jsonl: rerun it, do not edit. -->', '',
           '# How far each trained figure moves with the seed and the numerics', '',
           "Every figure that a lesson or `mnist-lessons reproduce` asserts, from the lessons' own recipes "
           '(the registry `mnist_lessons.experiments.EXPERIMENTS`), run on the CPU ' + ('with seeds ' + ', '.join(map(str, SEEDS))) +
           ' (figures with no training in them, and the rollercoaster, whose seed picks its starting point, only with seed 42) '
           'under each of these numerics:', '']
    for c in configs:
        env, what = CONFIGS[c]
        r0 = next(r for r in rows if r['config'] == c)
        out.append(f"- **{c}**: {what} (`{' '.join(f'{k}={v}' for k, v in env.items()) or 'no variables'}`): torch {r0['torch']}, "
                   f"capability {' or '.join(caps := sorted({r['capability'] for r in rows if r['config'] == c}))}"
                   f"{' (machines differ)' if len(caps) > 1 else ''}, "
                   f"{r0['threads']} threads, {r0['cpu']}")
    out += ['', 'A bound must hold for every run. For an accuracy it is the lowest figure measured, less a margin of half the spread '
            '(at least 0.002), rounded down to 0.001; for a loss, the highest plus half the spread (at least 1), rounded up. Figures with '
            'no training in them must match to the fourth decimal. Each bound is written beside its recipe in the lesson '
            '(`train_linear_min`, `fit_simple_net_min`, ...); where it is looser than the rule, the lesson says why.', '',
            '| experiment | figure | runs | min | median | max | spread | bound from the rule | bound in the code | lowest / highest run | runs by numerics |',
            '|---|---|---|---|---|---|---|---|---|---|---|']
    for (exp, metric), rs in by.items():
        v = [r['value'] for r in rs]
        lo, hi = now[(exp, metric)]
        bound = ' to '.join(f'{b:g}' for b in (lo, hi) if b is not None)
        bound = (f'≥ {lo:g}' if hi is None else f'≤ {hi:g}' if lo is None else bound)
        ok = all((lo is None or x >= lo) and (hi is None or x <= hi) for x in v)
        f = (lambda x: f'{x:.4f}') if max(abs(x) for x in v) < 10 else (lambda x: f'{x:.1f}')
        lo_r, hi_r = min(rs, key=lambda r: r['value']), max(rs, key=lambda r: r['value'])
        out.append(f"| {exp} | {metric} | {len(v)} | {f(min(v))} | {f(statistics.median(v))} | {f(max(v))} | {f(max(v) - min(v))} | "
                   f"{rule(v, lo, hi)} | {bound}{'' if ok else ' ✗ VIOLATED'} | "
                   + ('all equal' if min(v) == max(v) else f"{lo_r['config']} s{lo_r['seed']} / {hi_r['config']} s{hi_r['seed']}") + ' | '
                   + ', '.join(f"{c} {sum(r['config'] == c for r in rs)}" for c in configs if any(r['config'] == c for r in rs)) + ' |')
    per = {}
    for r in rows:
        if not registry[r['experiment']].seeded: continue
        per.setdefault((r['experiment'], r['metric'], r['seed']), {})[r['config']] = r['value']
    multi = {k: d for k, d in per.items() if len(d) > 1}
    differ = {k: d for k, d in multi.items() if len(set(d.values())) > 1}
    gap = max(((max(d.values()) - min(d.values()), k) for d in differ.values() for k in [next(k for k, v in multi.items() if v is d)]), default=(0, None))
    out += ['', f"Same seed, other numerics: of the {len(multi)} (experiment, seed) pairs measured under more than one kind of numerics, "
            f"{len(differ)} gave different figures; the largest gap within one seed was {gap[0]:.4f}"
            + (f" ({gap[1][0]}, seed {gap[1][2]})." if gap[1] else ".")]
    for c in configs:
        if c == 'native': continue
        same = [k for k, d in multi.items() if c in d and 'native' in d and d[c] == d['native']]
        both = [k for k, d in multi.items() if c in d and 'native' in d]
        if both: out.append(f"- {c} against native: {len(same)} of {len(both)} runs gave exactly the same figure.")
    (root/'SPREAD.md').write_text('\n'.join(out) + '\n')
    print('\n'.join(out))

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('cmd', choices=['run', 'table', '_worker'])
    p.add_argument('config', nargs='?', choices=list(CONFIGS))
    p.add_argument('--python'); p.add_argument('--seeds', nargs='+', type=int, default=SEEDS); p.add_argument('--only', nargs='+')
    a = p.parse_args()
    if a.cmd == 'table': table()
    elif not a.config: p.error('run needs a CONFIG')
    elif a.cmd == 'run': sys.exit(run(a.config, a.python, a.seeds, a.only))
    else: worker(a.config, a.seeds, a.only)
