"""Write README.md from nbs/index.ipynb (Quarto's `nbdev-readme` cannot run offline), or --check that they agree.

The table of experiments between the two EXPERIMENTS markers is generated from the registry (`mnist_lessons.experiments`): writing
refreshes it in the notebook and the README; --check fails when either lags behind the registry."""
import json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent
BEGIN, END = '<!-- EXPERIMENTS: written by tools/readme.py from mnist_lessons.experiments; do not edit -->', '<!-- /EXPERIMENTS -->'

def fill(text:str) -> str:
    "`text` with the registry's table between the markers"
    if BEGIN not in text: return text
    from mnist_lessons.experiments import experiments_table
    return re.sub(re.escape(BEGIN) + r'.*?' + re.escape(END), lambda m: f'{BEGIN}\n{experiments_table()}\n{END}', text, flags=re.S)

def render(nb_path=root/'nbs'/'index.ipynb') -> str:
    "README text: markdown cells as they are (the experiments table refreshed), code cells as fenced Python, hidden cells left out"
    parts = ["<!-- Generated from nbs/index.ipynb by tools/readme.py: edit the notebook, not this file. -->"]
    for c in json.loads(nb_path.read_text())['cells']:
        src = ''.join(c['source']).strip()
        if not src or src.startswith('#| hide'): continue
        parts.append(fill(src) if c['cell_type'] == 'markdown' else f"```python\n{src}\n```")
    return '\n\n'.join(parts) + '\n'

def refresh_notebook(nb_path=root/'nbs'/'index.ipynb') -> bool:
    "Refresh the experiments table in the notebook itself; True if it changed"
    text = nb_path.read_text(); nb = json.loads(text)
    for c in nb['cells']:
        if c['cell_type'] == 'markdown': c['source'] = fill(''.join(c['source'])).splitlines(True)
    new = json.dumps(nb, indent=1, ensure_ascii=False) + '\n'
    if new != text: nb_path.write_text(new)
    return new != text

if __name__ == '__main__':
    readme, nb_path = root/'README.md', root/'nbs'/'index.ipynb'
    if '--check' in sys.argv:
        nb_text = ''.join(''.join(c['source']) for c in json.loads(nb_path.read_text())['cells'] if c['cell_type'] == 'markdown')
        if fill(nb_text) != nb_text: sys.exit("nbs/index.ipynb's table of experiments lags behind mnist_lessons.experiments: run `python tools/readme.py`")
        if not readme.exists() or readme.read_text() != render():
            sys.exit("README.md is out of date with nbs/index.ipynb: run `python tools/readme.py`")
        print("README.md matches nbs/index.ipynb, and both list the registry's experiments")
    else:
        if refresh_notebook(nb_path): print("refreshed the experiments table in nbs/index.ipynb")
        readme.write_text(render()); print("wrote README.md")
