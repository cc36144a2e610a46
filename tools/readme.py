"""Write README.md from nbs/index.ipynb (Quarto's `nbdev-readme` cannot run offline), or --check that they agree."""
import json, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    "README text: markdown cells as they are, code cells as fenced Python, hidden cells left out"
    parts = ["<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->"]
    for c in json.loads(nb_path.read_text())['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        parts.append(src if c['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

if __name__ == '__main__':
    readme, text = root/'README.md', render()
    if '--check' in sys.argv:
        if not readme.exists() or readme.read_text() != text:
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`")
        print("README.md matches nbs/index.ipynb")
    else:
        readme.write_text(text); print("wrote README.md")
