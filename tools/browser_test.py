"""End-to-end check in a real browser: start JupyterLab (`mnist-lessons lab`) on a loopback port; check that it opens on the course
map with a file browser that lists the lessons and not nbdev's generated files, and asks no "Jupyter news" question; then open the
SGD lesson in headless Chromium, run all cells, move the `a` slider of the fit-by-hand widget, and check that the plot and the
printed loss change; open lesson 7b, draw a 1 and a 0 with real mouse strokes on its pad and check what the model reads and that
Clear empties it. Saves three screenshots (default: browser_test.png, browser_test_landing.png, browser_test_draw.png). Needs Debian's chromium and
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
    page.goto(f'http://127.0.0.1:{port}/', timeout=120_000)     # the server's default page: the course map
    page.wait_for_selector('.jp-DirListing-item', timeout=120_000)
    page.wait_for_selector('.lm-TabBar-tab:has-text("index.ipynb")', timeout=120_000)
    time.sleep(5)                     # the news question, when asked, comes a moment after the page
    names = page.locator('.jp-DirListing-itemName').all_inner_texts()
    page.screenshot(path=str(shot.with_name(shot.stem + '_landing.png')))
    return [n.strip() for n in names], page.locator('text=official Jupyter news').count()

def run_all(page, name):
    "Open notebook `name` and run all its cells, retrying if the first Run All Cells is ignored"
    page.goto(f'http://127.0.0.1:{port}/lab/tree/{name}?reset', timeout=120_000)   # ?reset: a fresh workspace, this notebook alone
    page.wait_for_selector('.jp-Notebook:visible', timeout=120_000)          # the course map may be open in another tab
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]:visible', timeout=120_000)
    for attempt in range(3):     # in a fresh environment the first "Run All Cells" was once ignored: check it started, else again
        try:
            page.locator('.jp-Notebook:visible').first.click(timeout=30_000); page.keyboard.press('Escape')
            page.click('.lm-MenuBar-itemLabel:text-is("Run")', timeout=30_000)    # the Run menu
            page.click('.lm-Menu-itemLabel:text-is("Run All Cells")', timeout=30_000)
            page.wait_for_function("() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt')].some(p => /\\[(\\*|\\d+)\\]/.test(p.innerText))",
                                   timeout=30_000)
            return
        except Exception:
            print(f'run all cells: nothing started after attempt {attempt + 1}', flush=True)

def stroke(page, box, points):
    "Draw through `points` (0-1 fractions of the pad) with real mouse events"
    x0, y0, w, h = box['x'], box['y'], box['width'], box['height']
    page.mouse.move(x0 + points[0][0] * w, y0 + points[0][1] * h); page.mouse.down()
    for x, y in points[1:]: page.mouse.move(x0 + x * w, y0 + y * h, steps=4)
    page.mouse.up()

def draw(page):
    "Lesson 7b in the browser: draw a 1, then clear, then a 0, on the real pad; read what the model says each time"
    run_all(page, '07b_draw_a_digit.ipynb')
    pad = page.locator('.mnist-pad').first
    pad.wait_for(timeout=240_000); pad.scroll_into_view_if_needed()
    seen = lambda: page.evaluate("() => document.querySelector('.mnist-seen').toDataURL()")
    answer = lambda: page.locator('.mnist-answer').first.inner_text()
    blank = seen(); box = pad.bounding_box()
    stroke(page, box, [(0.5, 0.12), (0.5, 0.5), (0.5, 0.88)])                           # a 1
    page.wait_for_function("() => /reads/.test(document.querySelector('.mnist-answer').innerText)", timeout=60_000)
    time.sleep(1)
    one, one_seen = answer(), seen()
    page.locator('.mnist-draw').first.screenshot(path=str(shot.with_name(shot.stem + '_draw.png')))
    page.click('.mnist-clear')
    page.wait_for_function("() => document.querySelector('.mnist-answer').innerText === 'draw a digit'", timeout=30_000)
    cleared = answer()
    import math
    ring = [(0.5 + 0.22 * math.sin(2 * math.pi * k / 24), 0.5 - 0.34 * math.cos(2 * math.pi * k / 24)) for k in range(26)]
    stroke(page, box, ring)                                                             # a 0
    page.wait_for_function("() => /reads/.test(document.querySelector('.mnist-answer').innerText)", timeout=60_000)
    time.sleep(1)
    return one, one_seen != blank, cleared, answer()

def drive(page):
    run_all(page, '02_sgd.ipynb')
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
            drawn = draw(page)
        except Exception:
            page.screenshot(path=str(shot)); print(f'failed; screenshot of the page in {shot}'); raise
        browser.close()
    print(f'landing page: file browser lists {names}; news question shown: {bool(news)}')
    lessons = sorted(p.name for p in (root/'nbs').glob('[0-9][0-9]_*.ipynb'))
    assert set(lessons) <= set(names) and 'internals' in names, f'the file browser should list every lesson: {names}'
    assert not {'_quarto.yml', 'nbdev.yml', 'sidebar.yml'} & set(names), f'generated files are listed: {names}'
    assert not news, 'JupyterLab asked the "Jupyter news" question'
    print(f'drawing pad: a drawn 1 {drawn[0]!r} (28x28 panel changed: {drawn[1]}), after Clear {drawn[2]!r}, a drawn 0 {drawn[3]!r}')
    assert drawn[0].startswith('reads 1') and drawn[1] and drawn[2] == 'draw a digit' and drawn[3].startswith('reads 0'), drawn
    loss0, loss1 = (float(re.search(r'loss \(MSE\) = ([\d.]+)', t).group(1)) for t in (text0, text1))
    print(f'slider a moved to {value}: loss {loss0} -> {loss1}; plot image changed: {img0 != img1}; screenshot {shot}')
    assert loss0 != loss1 and img0 != img1, 'the widget did not redraw'
    print("browser test passed")
finally:
    lab.terminate(); lab.wait(timeout=30)
