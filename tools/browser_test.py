"""End-to-end check in a real browser: start JupyterLab (`mnist-lessons lab`) on a loopback port; check that it opens on the course
map with a file browser that lists the lessons and not nbdev's generated files, and asks no "Jupyter news" question; then open the
SGD lesson in headless Chromium, run all cells, move the `a` slider of the fit-by-hand widget, and check that the plot and the
printed loss change. Saves two screenshots (default: browser_test.png and browser_test_landing.png). Needs Debian's chromium and
the `playwright` Python package."""
import os, shutil, socket, subprocess, sys, tempfile, time, re
from pathlib import Path
from playwright.sync_api import sync_playwright

root = Path(__file__).resolve().parent.parent
shot = Path(sys.argv[1] if len(sys.argv) > 1 else root/'browser_test.png')
chromium = os.environ.get('CHROMIUM', '/usr/bin/chromium')

def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def landing(page):
    "What a learner sees first: the course map, the lessons listed, no generated files, no news question"
    page.goto(f'http://127.0.0.1:{port}/lab', timeout=120_000)
    page.wait_for_selector('.jp-DirListing-item', timeout=120_000)
    page.wait_for_selector('.lm-TabBar-tab:has-text("index.ipynb")', timeout=120_000)
    time.sleep(5)                     # the news question, when asked, comes a moment after the page
    names = page.locator('.jp-DirListing-itemName').all_inner_texts()
    page.screenshot(path=str(shot.with_name(shot.stem + '_landing.png')))
    return [n.strip() for n in names], page.locator('text=official Jupyter news').count()

def drive(page):
    page.goto(f'http://127.0.0.1:{port}/lab/tree/02_sgd.ipynb', timeout=120_000)
    page.wait_for_selector('.jp-Notebook', timeout=120_000)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=120_000)
    for attempt in range(3):     # in a fresh environment the first "Run All Cells" was once ignored: check it started, else again
        page.click('.jp-Notebook'); page.keyboard.press('Escape')
        page.click('text=Run', timeout=30_000)                   # the Run menu
        page.click('text=Run All Cells', timeout=30_000)
        try:
            page.wait_for_function("() => [...document.querySelectorAll('.jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))",
                                   timeout=30_000)
            break
        except Exception:
            print(f'run all cells: nothing started after attempt {attempt + 1}', flush=True)
    out = page.locator('.widget-interact .widget-output').first
    out.wait_for(timeout=90_000)
    page.wait_for_function("() => { const o = document.querySelector('.widget-interact .widget-output');"
                           " return o && o.querySelector('img') && /loss \\(MSE\\)/.test(o.innerText); }", timeout=90_000)
    out.scroll_into_view_if_needed()
    def state():
        return out.inner_text(), out.locator('img').first.get_attribute('src')
    text0, img0 = state()
    handle = page.locator('.widget-interact .widget-slider .noUi-handle').first
    handle.focus()
    for _ in range(10): page.keyboard.press('ArrowRight')
    page.wait_for_function("t => { const o = document.querySelector('.widget-interact .widget-output');"
                           " return o && o.querySelector('img') && o.innerText !== t && /loss \\(MSE\\)/.test(o.innerText); }",
                           arg=text0, timeout=60_000)
    time.sleep(1)
    text1, img1 = state()
    value = page.locator('.widget-interact .widget-readout').first.inner_text()
    page.screenshot(path=str(shot), full_page=False)
    return text0, img0, text1, img1, value

port, home = free_port(), tempfile.mkdtemp(prefix='lab_home_')
env = {**os.environ, 'JUPYTER_CONFIG_DIR': f'{home}/config', 'JUPYTER_RUNTIME_DIR': f'{home}/runtime'}
# The course's own JupyterLab settings (what `mnist-lessons lab` uses), plus one for the test: JupyterLab 4 only renders the cells in
# view, so render them all, for the widget to be found wherever it is
sys.path.insert(0, str(root))
from mnist_lessons.cli import lab_settings
settings = Path(home)/'settings'
shutil.copytree(lab_settings(root/'nbs'), settings)
(settings/'@jupyterlab'/'notebook-extension').mkdir(parents=True)
(settings/'@jupyterlab'/'notebook-extension'/'tracker.jupyterlab-settings').write_text('{"windowingMode": "none"}')
lab = subprocess.Popen([str(root/'.venv'/'bin'/'mnist-lessons'), 'lab', '--no-browser', f'--port={port}', '--ip=127.0.0.1',
                        '--ServerApp.token=', '--ServerApp.password=', f'--LabApp.user_settings_dir={settings}'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, env=env)
try:
    for _ in range(120):
        try: socket.create_connection(('127.0.0.1', port), timeout=1).close(); break
        except OSError: time.sleep(0.5)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
            '--disable-background-networking', '--disable-component-update', '--disable-sync'])
        page = browser.new_page(viewport={'width': 1400, 'height': 1000})
        try:
            names, news = landing(page)
            text0, img0, text1, img1, value = drive(page)
        except Exception:
            page.screenshot(path=str(shot)); print(f'failed; screenshot of the page in {shot}'); raise
        browser.close()
    print(f'landing page: file browser lists {names}; news question shown: {bool(news)}')
    lessons = sorted(p.name for p in (root/'nbs').glob('[0-9][0-9]_*.ipynb'))
    assert set(lessons) <= set(names) and 'internals' in names, f'the file browser should list every lesson: {names}'
    assert not {'_quarto.yml', 'nbdev.yml', 'sidebar.yml'} & set(names), f'generated files are listed: {names}'
    assert not news, 'JupyterLab asked the "Jupyter news" question'
    loss0, loss1 = (float(re.search(r'loss \(MSE\) = ([\d.]+)', t).group(1)) for t in (text0, text1))
    print(f'slider a moved to {value}: loss {loss0} -> {loss1}; plot image changed: {img0 != img1}; screenshot {shot}')
    assert loss0 != loss1 and img0 != img1, 'the widget did not redraw'
    print("browser test passed")
finally:
    lab.terminate(); lab.wait(timeout=30)
