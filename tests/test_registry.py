"""An experiment added to the registry as one entry (and one recipe) appears everywhere experiments are listed, with no other edit:
`reproduce`, the command line's choices, the test command's passes, `tools/spread.py` and the README's table."""
import json, subprocess, sys
from pathlib import Path
import pytest
from mnist_lessons.experiments import EXPERIMENTS, Experiment, Figure, registered, select

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'tools'))

def toy_recipe(device, seed=42): return [0.25 + seed / 1000, 3.]   # a recipe: one value per figure

TOY = Experiment('toy', '00_get_the_data', 'a toy added by tests/test_registry.py', f'{__name__}:toy_recipe',
                 (Figure('score', lo=.2), Figure('loss', hi=2.)), data=(), seconds=0.)

def test_registry_is_torch_free():
    code = 'import sys, mnist_lessons.experiments as e; assert e.EXPERIMENTS and e.BENCHES; print("torch" in sys.modules)'
    assert subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, check=True).stdout.strip() == 'False'

def test_toy_everywhere(tmp_path, capsys):
    from mnist_lessons.reproduce import reproduce
    from mnist_lessons.cli import main
    import readme, spread
    assert 'toy' not in EXPERIMENTS
    with registered(TOY):
        rows = reproduce(['toy'], device='cpu', show=False)                        # reproduce runs it, and checks each figure
        assert [(r.metric, r.ours, r.passed) for r in rows] == [('score', .292, True), ('loss', 3., False)]
        out = tmp_path/'r.json'
        assert main(['reproduce', '--only', 'toy', '--device', 'cpu', '--quiet', '--json', str(out)]) == 1   # the CLI offers it
        assert json.loads(out.read_text())['rows'][1]['metric'] == 'loss'
        assert [e.name for e in select(ci='native')][-1] == 'toy'                   # the test command's pass that reruns it
        assert spread.code_bounds()[('toy', 'loss')] == (None, 2.)                  # spread's bounds
        assert '| `toy` | 00_get_the_data | a toy added by tests/test_registry.py | score |' in readme.render()   # the README
    assert 'toy' not in EXPERIMENTS and '`toy`' not in readme.render()

def test_readme_lists_every_experiment():
    text = (root/'README.md').read_text()
    assert all(f'| `{n}` |' in text for n in EXPERIMENTS)
