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

def test_nbexec_polls_a_second_at_a_time():
    "nbexec's wait on a kernel socket: one poll of at most a second after another, until a message comes or the deadline passes"
    import asyncio, time
    from queue import Empty
    import nbexec
    class Socket:
        def __init__(self, ready_at): self.calls, self.ready_at = [], ready_at
        async def poll(self, ms): self.calls.append(ms); return len(self.calls) >= self.ready_at
    class Channel:
        get_msg = nbexec.get_msg
        def __init__(self, socket): self.socket = socket
        async def _recv(self): return {'msg_type': 'execute_reply'}
    ch = Channel(Socket(ready_at=4))
    assert asyncio.run(ch.get_msg(timeout=600)) == {'msg_type': 'execute_reply'}
    assert ch.socket.calls == [1000.] * 4           # not one poll of 600 s, which nbclient#312 can sleep through
    ch = Channel(Socket(ready_at=10**9)); start = time.monotonic()
    with pytest.raises(Empty): asyncio.run(ch.get_msg(timeout=0.2))
    assert 0.2 <= time.monotonic() - start < 2 and max(ch.socket.calls) <= 200

def test_nbexec_runs_a_notebook_on_colab(colab, tmp_path):
    "The patch applies to Colab's jupyter_client (its assert) and the notebook runs as under nbconvert"
    import json, shutil, subprocess
    cells = ["x = 6 * 7", "print(x)"]
    nb = dict(nbformat=4, nbformat_minor=5, metadata=dict(kernelspec=dict(name='python3', display_name='Python 3', language='python')),
              cells=[dict(cell_type='code', id=f'c{i}', metadata={}, outputs=[], execution_count=None, source=s) for i, s in enumerate(cells)])
    (tmp_path/'t.ipynb').write_text(json.dumps(nb)); shutil.copy(rehearse.root/'tools'/'nbexec.py', tmp_path)
    subprocess.run([colab, 'nbexec.py', '--to', 'notebook', '--execute', '--output', 'out.ipynb', 't.ipynb'], cwd=tmp_path, check=True, capture_output=True)
    assert json.loads((tmp_path/'out.ipynb').read_text())['cells'][1]['outputs'][0]['text'] in ('42\n', ['42\n'])
