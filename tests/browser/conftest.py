"""A real streamlit server and Debian's Chromium, shared by the browser tests (and by bench/ui_bench.py)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.site import PAGES

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 2200}  # tall: Streamlit scrolls an inner element, which full_page misses
HEALTH_TIMEOUT = 30.0
APP_TIMEOUT_MS = 30_000
GRID_ROW_HEIGHT = 35  # st.data_editor rows and header, in CSS pixels
GRID_ROW_MARKER = 33  # width of the row-marker column a dynamic editor draws on the left

PAGE_PATHS = {p.title: p.url_path for p in PAGES}


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """`streamlit run app.py` on a free loopback port in its own process group; a context manager."""

    def __init__(self, log_path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = Path(log_path)
        self.process = None

    def __enter__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 - the child owns it until stop()
        command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                   "--server.port", str(self.port), "--server.address", "127.0.0.1",
                   "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
        try:
            self.process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def healthy(self):
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                return response.read().decode().strip() == "ok"
        except OSError:
            return False

    def _wait_healthy(self):
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"streamlit exited with code {self.process.returncode}; see {self.log_path}")
            if self.healthy():
                return
            time.sleep(0.2)
        raise RuntimeError(f"streamlit was not healthy after {HEALTH_TIMEOUT:.0f} s; see {self.log_path}")

    def stop(self):
        """SIGTERM the whole process group, SIGKILL it if still alive after 5 s."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def launch_chromium(playwright):
    """Debian's Chromium through Playwright; never a downloaded browser."""
    if not os.access(CHROMIUM, os.X_OK):
        raise RuntimeError(f"{CHROMIUM} is missing: install Debian's chromium package "
                           "(scripts/test.sh does: apt-get install -y chromium).")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


# -- pytest fixtures ---------------------------------------------------------------


@pytest.fixture(scope="session")
def app_server():
    with AppServer(ARTIFACTS / "streamlit-server.log") as server:
        yield server
    # Exceptions the app raised show in the log even when no page showed them.
    assert "Traceback" not in server.log_text(), f"the server logged an exception; see {server.log_path}"


@pytest.fixture(scope="session")
def app_url(app_server):
    return app_server.url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (see scripts/test.sh).", pytrace=False)
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, request):
    """Factory for pages in fresh browser contexts (fresh Streamlit sessions); each is screenshotted at the end."""
    contexts = []

    def make(viewport=VIEWPORT, timeout_ms=APP_TIMEOUT_MS, **options):
        context = browser.new_context(viewport=viewport, **options)
        context.set_default_timeout(timeout_ms)
        contexts.append(context)
        return context.new_page()

    yield make
    name = safe_name(request.node.name)
    for i, context in enumerate(contexts):
        for page in context.pages:
            screenshot(page, name if i == 0 else f"{name}-context{i}")
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


# -- helpers the tests share -----------------------------------------------------------


def safe_name(text):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{safe_name(name)}.png"
    try:
        page.screenshot(path=str(path), timeout=10_000)
    except Exception as error:  # a screenshot must never hide the test's own result
        print(f"screenshot {path} failed: {error}")
    return path


def open_app(page, base_url, path="", query=""):
    """Go to a page of the app and wait until it has drawn and settled."""
    url = f"{base_url}/{path}" + (f"?{query}" if query else "")
    page.goto(url)
    page.get_by_test_id("stSidebarNav").wait_for()
    wait_settled(page)


def wait_settled(page, timeout=APP_TIMEOUT_MS):
    """Wait until the script has finished its run, the page title is drawn and any live view has settled.

    Streamlit applies a rerun's changes as they arrive and the live view plays frames back over a
    fraction of a second, so a page read too early can mix two states: settled means the script
    is idle, no element still shows the grey placeholder Streamlit draws while its code loads (on
    a busy machine that takes seconds after the run), and every live chart and status value reads
    the same twice in a row, 150 ms apart, and nothing is running. Fails at once on an exception box.
    """
    page.wait_for_function(
        """() => document.querySelector('[data-testid="stException"]') || (
            document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]')
            && document.querySelector('[data-testid="stMain"] h1')
            && !document.querySelector('[data-testid="stSkeleton"]'))""",
        timeout=timeout)
    assert_no_exception(page)
    page.evaluate("() => { window.__settledLast = null; }")
    page.wait_for_function(
        DEEP + """() => {
            const now = liveState();
            const same = window.__settledLast === now;
            window.__settledLast = now;
            return same && !now.includes('running');
        }""", timeout=timeout, polling=150)


# Queries that look inside shadow roots, where the live view draws.
DEEP = """
const deepAll = (selector) => {
    const found = [], walk = (root) => {
        root.querySelectorAll(selector).forEach((e) => found.push(e));
        root.querySelectorAll('*').forEach((e) => { if (e.shadowRoot) walk(e.shadowRoot); });
    };
    walk(document);
    return found;
};
const liveState = () => {
    const values = deepAll('[data-label] [data-role="value"]').map((e) => e.textContent).join('|');
    const charts = deepAll('[data-chart-id][data-step]').map((e) => e.dataset.step).join(',');
    return `${values};${charts}`;
};
"""


def assert_no_exception(page):
    boxes = page.get_by_test_id("stException")
    assert boxes.count() == 0, f"exception box on the page: {boxes.first.inner_text()[:2000]}"


def wait_charts_drawn(page, minimum=1, timeout=APP_TIMEOUT_MS):
    """Wait until at least `minimum` live charts exist and each has drawn a step; their count."""
    return page.wait_for_function(
        DEEP + """(minimum) => {
            const charts = deepAll('[data-chart-id]');
            return charts.length >= minimum && charts.every((c) => c.dataset.step !== undefined) && charts.length;
        }""", arg=minimum, timeout=timeout).json_value()


def live_charts(page):
    """Every live chart on the page: {id, kind, step, data}, data being the numbers it draws now."""
    return page.evaluate(DEEP + """() => deepAll('[data-chart-id]').map((c) => ({
        id: c.dataset.chartId, kind: c.dataset.kind, step: c.dataset.step === undefined ? null : +c.dataset.step,
        data: c.liveData ?? null}))""")


def metric(page, label):
    """Text of the live view's status value labelled exactly `label`."""
    return page.locator(f'[data-label="{label}"] [data-role="value"]').first.inner_text().strip()


def wait_metric(page, label, value, timeout=APP_TIMEOUT_MS):
    """Wait until the status value `label` reads exactly `value`."""
    page.wait_for_function(
        DEEP + """([label, value]) => deepAll(`[data-label="${label}"] [data-role="value"]`)
            .some((e) => e.textContent.trim() === value)""",
        arg=[label, value], timeout=timeout, polling=100)


def read_table(page):
    """The live view's outputs table, or else the page's first st.table, as (header, rows of cell texts)."""
    live = page.locator('[data-chart-id="outputs"] table')
    table = live.first if live.count() else page.get_by_test_id("stTable").locator("table").first
    table.wait_for()
    data = table.evaluate(
        """t => ({
            header: [...t.querySelectorAll('thead tr:last-child th')].map(c => c.innerText.trim()),
            rows: [...t.querySelectorAll('tbody tr')].map(r => [...r.querySelectorAll('th, td')]
                  .map(c => c.innerText.trim())),
        })""")
    return data["header"], data["rows"]


def table_column(page, word):
    """Cells of every table column whose header contains `word` (case-insensitive), as lists per column."""
    header, rows = read_table(page)
    picked = [i for i, name in enumerate(header) if word.lower() in name.lower()]
    assert picked, f"no column with {word!r} in its header: {header}"
    # a hidden index leaves the header and the rows the same width; a shown one adds a leading th
    shift = len(rows[0]) - len(header) if rows else 0
    return [[row[i + shift] for row in rows] for i in picked]


def engine_outputs(preset_key, steps, seed=None):
    """The engine's own outputs for a preset after `steps` updates, in table units, formatted like the app."""
    from engine.presets import PRESETS, build_trainer

    trainer, scaler = build_trainer(PRESETS[preset_key], seed=seed)
    trainer.run(steps)
    outputs = scaler.outputs_back(trainer.predict(trainer.X))
    return [[f"{value:.8f}" for value in column] for column in outputs.T]


def number_input(page, label):
    """The input box of the st.number_input labelled `label`."""
    return page.locator(f'input[aria-label="{label}"]')


def set_number(page, label, value):
    """Type a number into the number_input labelled `label` and let the app take it."""
    box = number_input(page, label)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_function(
        """([label, value]) => [...document.querySelectorAll('input')].some(i =>
            i.getAttribute('aria-label') === label && i.value.replace(/,/g, '') === value)""",
        arg=[label, str(value)])
    wait_settled(page)


def button(page, name):
    """The button whose accessible name is exactly `name`."""
    return page.get_by_role("button", name=name, exact=True)


def edit_cell(page, row, column, text):
    """Type `text` into data-editor cell (row, column), both counted from 0 among the data cells.

    The grid is a canvas: click the row's first cell, walk right with the arrow keys, open the
    cell's editor with Enter, type and commit with Enter.
    """
    grid = page.get_by_test_id("stDataFrame").first
    grid.wait_for()
    grid.click(position={"x": GRID_ROW_MARKER + 20, "y": GRID_ROW_HEIGHT * (row + 1) + GRID_ROW_HEIGHT / 2})
    for _ in range(column):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.locator(".gdg-input")
    editor.wait_for()
    editor.fill(text)
    editor.press("Enter")
    editor.wait_for(state="detached")


def run_to(page, target, timeout=APP_TIMEOUT_MS):
    """Type `target` into the live view's Run to box, press Run to, and wait until it is there and paused."""
    box = page.get_by_label("Run to step", exact=True)
    box.fill(str(target))
    button(page, "Run to").click()
    wait_metric(page, "Step", f"{target:,}", timeout=timeout)
    wait_metric(page, "State", "paused", timeout=timeout)
    wait_settled(page, timeout=timeout)


def steps_shown(page):
    return int(metric(page, "Step").replace(",", ""))


def wait_steps_above(page, start, timeout=APP_TIMEOUT_MS):
    """Wait until the Step value is above `start`."""
    page.wait_for_function(
        DEEP + """(start) => deepAll('[data-label="Step"] [data-role="value"]')
            .some((e) => +e.textContent.replace(/,/g, '') > start)""", arg=start, timeout=timeout, polling=50)


def heatmaps_drawn(page):
    """The values every weight heatmap draws now, chart by chart (rows of the matrix, bias row last)."""
    return [chart["data"]["z"] for chart in live_charts(page) if chart["kind"] == "heatmap"]


def click_once(page, locator):
    """One real mouse click at the element's centre.

    Locator.click retries when the element is re-rendered under it, and a live fragment
    re-renders the page several times a second: a retried click on Pause can land twice,
    pausing and then starting the run again. A person clicks once, so this does too.
    """
    locator.wait_for()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
