"""Pack what `tools/gpu_check.sh` needs on a GPU machine that has torch but no network: wheels + the four IDX files, in `.gpu/`.

    python tools/gpu_pack.py [--python PYTHON3.12] [--present tools/gpu_present.txt]

The lent machine (one H200; Python 3.12, torch 2.11, no fastai, no nbdev, no network) already holds the packages listed in
`tools/gpu_present.txt` (its image's list). This resolves the course's wheel and nbdev for Python 3.12 (torch pinned at the
machine's 2.11.0), keeps what the machine lacks, downloads those wheels for Python 3.12 on x86-64 Linux, adds the four IDX
files gzipped, and checks that the folder stays under the 64 MiB that may travel with a device run. `.gpu/` is ignored by git."""
import argparse, gzip, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
OUT, LIMIT = root/'.gpu', 64 * 2**20
PLATFORMS = ['manylinux_2_28_x86_64', 'manylinux_2_27_x86_64', 'manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux1_x86_64']
NEEDS = ['nbdev==3.3.26']                       # beside the course's own wheel: what runs the lessons as tests
PINS = ['torch==2.11.0', 'torchvision==0.26.0']  # the machine's versions, so that nothing asks for another torch
# fastai needs spaCy only for text models, which the course never imports: spaCy and what only it needs stay behind (50 MiB)
UNUSED = {'spacy', 'spacy-legacy', 'spacy-loggers', 'thinc', 'blis', 'srsly', 'preshed', 'cymem', 'murmurhash', 'wasabi', 'weasel',
          'catalogue', 'confection', 'cloudpathlib', 'smart-open'}

def canon(n): return re.sub(r'[-_.]+', '-', n).lower()

def resolve(python, wheel, work)->list:
    "(name, version) of everything the course's wheel and NEEDS install into an empty Python 3.12 environment"
    c = work/'pins.txt'; c.write_text('\n'.join(PINS) + '\n'); r = work/'r.json'
    subprocess.run([python, '-m', 'pip', 'install', '-q', '--dry-run', '--ignore-installed', '--report', str(r), '-c', str(c),
                    str(wheel), *NEEDS], check=True, stderr=subprocess.DEVNULL)
    return [(i['metadata']['name'], i['metadata']['version']) for i in json.loads(r.read_text())['install']]

if __name__ == '__main__':
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--python', default=sys.executable, help='a Python 3.12 (the machine\'s) to resolve with')
    p.add_argument('--present', type=Path, default=root/'tools'/'gpu_present.txt')
    a = p.parse_args()
    present = {canon(l.strip()) for l in a.present.read_text().splitlines() if l.strip() and not l.startswith('#')}
    shutil.rmtree(OUT, ignore_errors=True); (OUT/'whl').mkdir(parents=True); (OUT/'idx').mkdir()
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        subprocess.check_call([sys.executable, '-m', 'pip', 'wheel', '-q', '--no-deps', '-w', str(OUT/'whl'), str(root)], stdout=subprocess.DEVNULL)
        wheel = next((OUT/'whl').glob('mnist_lessons-*.whl'))
        needed = resolve(a.python, wheel, work)
        missing = [(n, v) for n, v in needed if canon(n) not in present | UNUSED | {'mnist-lessons'}]
        # what the machine is expected to have: a CPU stand-in for it is built from this list (see tools/gpu_check.sh)
        (OUT/'present.txt').write_text(''.join(f'{n}=={v}\n' for n, v in needed if canon(n) in present))
        plat = [x for pl in PLATFORMS for x in ('--platform', pl)]
        subprocess.check_call([sys.executable, '-m', 'pip', 'download', '-q', '--no-deps', '--only-binary=:all:', '--python-version', '3.12',
                               '--implementation', 'cp', *plat, '-d', str(OUT/'whl'), *(f'{n}=={v}' for n, v in missing)],
                              stderr=subprocess.DEVNULL)
    sys.path.insert(0, str(root))
    from mnist_lessons.data import find_idx, verify_idx
    for n, b in verify_idx(find_idx()).items(): (OUT/'idx'/f'{n}.gz').write_bytes(gzip.compress(b, 6))
    size = sum(f.stat().st_size for f in OUT.rglob('*') if f.is_file())
    print(f"{OUT.relative_to(root)}: {len(list((OUT/'whl').glob('*.whl')))} wheels ({', '.join(f'{n} {v}' for n, v in missing)}, "
          f"mnist_lessons) and the 4 IDX files: {size / 2**20:.1f} MiB of the {LIMIT // 2**20} MiB that may travel")
    if size > LIMIT: sys.exit(f"{OUT} is over {LIMIT // 2**20} MiB: drop wheels the machine has (add them to {a.present})")
