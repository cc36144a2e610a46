"The Colab rehearsal's install check must be able to fail: a wheel that asks for more than Colab has is caught."
import sys, zipfile
from pathlib import Path
import pytest
sys.path.insert(0, str(Path(__file__).resolve().parent.parent/'tools'))
import rehearse

def fake_wheel(d:Path, requires:list)->Path:
    "A minimal wheel of `mnist_lessons` 0.0.1 whose only content is its metadata"
    w = d/'mnist_lessons-0.0.1-py3-none-any.whl'; info = 'mnist_lessons-0.0.1.dist-info'
    meta = 'Metadata-Version: 2.1\nName: mnist_lessons\nVersion: 0.0.1\n' + ''.join(f'Requires-Dist: {r}\n' for r in requires)
    with zipfile.ZipFile(w, 'w') as z:
        z.writestr(f'{info}/METADATA', meta)
        z.writestr(f'{info}/WHEEL', 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n')
        z.writestr(f'{info}/RECORD', '')
    return w

@pytest.fixture(scope='module')
def colab():
    py = rehearse.cached_runtime('colab')
    if py is None: pytest.skip("Colab's venv is not built yet (tools/rehearse.py builds it; the test command runs that first)")
    return py

def test_upgrade_is_caught(colab, tmp_path):
    changes = rehearse.install_changes(colab, fake_wheel(tmp_path, ['ipywidgets>=8']), tmp_path)
    assert any(c.startswith('ipywidgets 7.7.1 -> 8.') for c in changes), changes

def test_bounds_colab_meets_install_nothing_else(colab, tmp_path):
    assert rehearse.install_changes(colab, fake_wheel(tmp_path, ['ipywidgets>=7.7', 'fastai>=2.7.14', 'torch>=2.5']), tmp_path) == []
