"""Render every notebook to HTML with nbconvert (a check that each one converts; badges and install cells are checked by
tools/check_nbs.py). Exits non-zero naming each notebook that fails."""
import sys, tempfile
from pathlib import Path
from nbconvert import HTMLExporter

root = Path(__file__).resolve().parent.parent
problems = []
out = Path(tempfile.mkdtemp(prefix='mnist_html_'))
for nb in sorted(q for q in (root/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in q.parts):
    try:
        html, _ = HTMLExporter().from_filename(str(nb))
        (out/f'{nb.stem}.html').write_text(html)
    except Exception as e: problems.append(f'{nb.name}: nbconvert failed: {e}')
print(f'rendered {len(list(out.glob("*.html")))} notebooks to HTML in {out}')
if problems: sys.exit('\n'.join(problems))
