"""Docs check without Quarto: render every notebook to HTML with nbconvert, and check each lesson carries its Colab/Kaggle badges
and guarded install cell. Exits non-zero on the first problem, naming the notebook."""
import sys, tempfile, json
from pathlib import Path
from nbconvert import HTMLExporter

root = Path(__file__).resolve().parent.parent
problems = []
out = Path(tempfile.mkdtemp(prefix='mnist_html_'))
for nb in sorted((root/'nbs').glob('*.ipynb')):
    try:
        html, _ = HTMLExporter().from_filename(str(nb))
        (out/f'{nb.stem}.html').write_text(html)
    except Exception as e: problems.append(f'{nb.name}: nbconvert failed: {e}')
    lesson = nb.stem[:2].isdigit() and nb.stem not in ('00_data', '90_cli') and int(nb.stem[:2]) < 90
    if lesson:
        src = [''.join(c['source']) for c in json.loads(nb.read_text())['cells']]
        if not any('colab-badge.svg' in s and 'open-in-kaggle.svg' in s and f'nbs/{nb.name}' in s for s in src):
            problems.append(f'{nb.name}: no Colab/Kaggle badges pointing at nbs/{nb.name}')
        if not any("COLAB_RELEASE_TAG" in s and 'KAGGLE_KERNEL_RUN_TYPE' in s and 'pip install' in s for s in src):
            problems.append(f'{nb.name}: no guarded install cell')
print(f'rendered {len(list(out.glob("*.html")))} notebooks to HTML in {out}')
if problems: sys.exit('\n'.join(problems))
