"""static/liveview.js in Debian's Chromium, driven by a fake Streamlit component (no Streamlit server).

A small page imports the module from a local http.server and calls render() with data built here;
setStateValue / setTriggerValue calls are recorded in window.calls. What a person sees is read from
canvas pixels and from the DOM; screenshots go to test-artifacts/liveview-*.png.
"""

import contextlib
import functools
import http.server
import math
import threading
from pathlib import Path

import pytest

from .conftest import ARTIFACTS

pytestmark = pytest.mark.browser

STATIC = Path(__file__).resolve().parents[2] / "static"
BLUE, RED, HIGHLIGHT = "#2166ac", "#b2182b", "#e66101"
SPEEDS = [0, 1, 2, 5, 10, 30, 100, 1000, 10000]
# (CSS width, CSS height, device scale): an 800 px window, 1024x768 at 150% zoom, 1280x720 at 125%,
# a 1024x768 screen with 1.5 device pixels per CSS pixel, and an 800 px window with the app's sidebar
# open, which leaves the view 468 px.
SIZES = {"800px": (800, 900, 1), "1024x768-zoom150": (683, 512, 1.5), "1280x720-zoom125": (1024, 576, 1.25),
         "1024x768-dpr1.5": (1024, 768, 1.5), "800px-sidebar-open": (516, 700, 1)}

HARNESS = """<!doctype html>
<html><head><meta charset="utf-8"><title>live view</title>
<style>body { margin: 0; font-family: "Source Sans Pro", "Source Sans 3", sans-serif; background: #ffffff; }
#host { padding: 16px 24px; }</style></head>
<body><div id="host"></div>
<script type="module">
import * as live from "/liveview.js";
const shadow = document.getElementById("host").attachShadow({mode: "open"});
window.calls = [];
const record = (type) => (name, value) => calls.push({type, name, value: structuredClone(value), t: performance.now()});
const base = {parentElement: shadow, setStateValue: record("state"), setTriggerValue: record("trigger")};
window.feed = (data) => live.render({...base, data});
window.live = live;
window.shadow = shadow;
window.chartEl = (id) => shadow.querySelector(`[data-chart-id="${id}"]`);
window.canvasOf = (id) => chartEl(id).querySelector("canvas");
// RGB at CSS pixel (x, y) of a chart's canvas.
window.pixel = (id, x, y) => {
  const c = canvasOf(id), r = c.width / c.clientWidth;
  return Array.from(c.getContext("2d").getImageData(Math.round(x * r), Math.round(y * r), 1, 1).data.slice(0, 3));
};
// How many pixels in a CSS-pixel rectangle are not (nearly) white or transparent.
window.inked = (id, x, y, w, h) => {
  const c = canvasOf(id), r = c.width / c.clientWidth;
  const d = c.getContext("2d").getImageData(Math.round(x * r), Math.round(y * r), Math.max(1, Math.round(w * r)),
                                            Math.max(1, Math.round(h * r))).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 235 || d[i + 1] < 235 || d[i + 2] < 235)) n++;
  return n;
};
window.nextFrames = (n) => new Promise((done) => {
  const step = () => (n-- <= 0 ? done() : requestAnimationFrame(step));
  requestAnimationFrame(step);
});
window.ready = true;
</script></body></html>
"""


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Files of static/, and the harness page at /harness.html."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.path == "/favicon.ico":
            self.send_response(204)
            self.end_headers()
            return
        if self.path.split("?")[0] == "/harness.html":
            body = HARNESS.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve_static():
    """static/ and the harness page on a free loopback port, in a thread; yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(STATIC)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def static_url():
    with serve_static() as url:
        yield url


def harness_page(browser, static_url, width=1400, height=1600, scale=1):
    """A page in a fresh context at (width, height, scale) with the harness loaded; page.errors collects
    its page errors and console errors."""
    context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.errors = errors
    page.goto(f"{static_url}/harness.html")
    page.wait_for_function("window.ready === true")
    return page


@pytest.fixture
def open_view(browser, static_url):
    """Factory: a fresh page at (width, height, scale) with the harness loaded; pages closed at the end."""
    contexts = []

    def make(width=1400, height=1600, scale=1):
        page = harness_page(browser, static_url, width, height, scale)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        for page in context.pages:
            assert not page.errors, f"errors in the page: {page.errors}"
        context.close()


# -- payloads like the server's ------------------------------------------------------------------

INPUTS = [[0, 0, 1], [0, 1, 1], [1, 0, 1], [1, 1, 1]]
TARGETS = [0, 1, 1, 0]
LAYERS = [["x1", "x2", "x3"], ["h1", "h2", "h3", "h4"], ["y"]]


def weights(step, shape, seed=0):
    """Deterministic weights that grow and turn with the step: (rows, cols) row-major."""
    rows, cols = shape
    grow = 1 + 4 * (1 - math.exp(-step / 3000))
    return [round(grow * math.sin(1.7 * i + 2.3 * j + seed + step / 5000), 6) for i in range(rows) for j in range(cols)]


def mae(step):
    return 0.5 * math.exp(-step / 4000) + 0.003


def train_frame(step, layers=LAYERS):
    ws = [weights(step, (len(a), len(b)), seed=l) for l, (a, b) in enumerate(zip(layers, layers[1:]))]
    out = [abs(math.sin(step / 900 + k)) for k in range(4)]
    charts = {f"w{l}": {"z": w} for l, w in enumerate(ws)}
    charts["net"] = {"weights": ws, "biases": None}
    charts["outputs"] = {"columns": {"y (output)": out}}
    return {"step": step, "status": {"Step": f"{step:,}", "Mean |error|": f"{mae(step):.6g}"}, "charts": charts}


def history(step, stride=1):
    x = list(range(1, step + 1, stride))
    if x and x[-1] != step:
        x.append(step)
    return {"x": x, "series": [[mae(s) for s in x], [mae(s) ** 2 for s in x]]}


def controls(kind="train", running=False, acked=None, can_run=True, note=""):
    return {"kind": kind, "running": running, "can_run": can_run, "run_to": 60000, "speed": 0, "speeds": SPEEDS,
            "acked": acked or {}, "note": note}


def train_payload(serial, steps, running=False, key="train-3-4-1", acked=None, layers=LAYERS, title=None,
                  message=None, ctl="train"):
    """The Train page: curve and outputs table, one heatmap per weight matrix, the network diagram."""
    steps = [steps] if isinstance(steps, int) else list(steps)
    charts = [
        {"id": "curve", "kind": "curve", "title": "Error during training", "x_title": "step",
         "y_title": "mean |error| and loss", "log_y": True, "height": 360,
         "series": [{"name": "mean |error|", "color": BLUE, "dash": False},
                    {"name": "loss", "color": RED, "dash": False}]},
        {"id": "outputs", "kind": "table", "title": "Outputs and targets",
         "columns": ["x1", "x2", "x3", "y (target)", "y (output)"],
         "fixed": {"x1": [r[0] for r in INPUTS], "x2": [r[1] for r in INPUTS], "x3": [r[2] for r in INPUTS],
                   "y (target)": TARGETS},
         "formats": {"y (output)": "fixed8"}, "max_rows": 30},
    ]
    for l, (a, b) in enumerate(zip(layers, layers[1:])):
        charts.append({"id": f"w{l}", "kind": "heatmap", "title": f"syn{l}: {len(a)} inputs × {len(b)} neurons",
                       "rows": a, "cols": b, "x_title": "neuron of this layer", "y_title": "input to this layer",
                       "colorbar": "weight", "height": 380})
    names = ["input"] + [f"hidden {i}" for i in range(1, len(layers) - 1)] + ["output"]
    charts.append({"id": "net", "kind": "network", "layers": layers, "layer_names": names, "height": 420,
                   "title": "Network: links coloured by sign, thicker for larger |weight|"})
    last = steps[-1]
    return {
        "serial": serial, "key": key, "title": title, "controls": controls(ctl, running, acked) if ctl else None,
        "status": [{"label": "Step", "value": f"{last:,}"},
                   {"label": "Mean |error|", "value": f"{mae(last):.6g}", "help": "Mean of |target - output|."},
                   {"label": "Loss", "value": f"{mae(last) ** 2:.6g}"},
                   {"label": "State", "value": "running" if running else "paused"}],
        "message": message, "charts": charts,
        "curves": {"curve": history(last, stride=max(1, last // 1500))},
        "frames": [train_frame(s, layers) for s in steps],
    }


def sigmoid(z):
    return 1 / (1 + math.exp(-z))


def scurve_payload(serial=1, step=1000):
    grid = [-8 + 16 * i / 200 for i in range(201)]
    a = [sigmoid(z) for z in grid]
    zs = [[math.sin(3 * k + r) * (2 + step / 500) for r in range(4)] for k in range(4)]
    points = [{"layer": 0, "z": [z for row in zs for z in row], "a": [sigmoid(z) for row in zs for z in row],
               "labels": [f"neuron {k}, row {r}" for k in range(4) for r in range(4)]},
              {"layer": 1, "z": [1.5, -2.5, 3, -0.5], "a": [sigmoid(z) for z in (1.5, -2.5, 3, -0.5)],
               "labels": [f"neuron 0, row {r}" for r in range(4)]}]
    frame = {"step": step, "status": {"Step": f"{step:,}"},
             "charts": {"s": {"x_range": [-8, 8], "curves": [{"layer": 0, "z": grid, "a": a,
                                                               "slope": [v * (1 - v) for v in a]}],
                              "points": points}}}
    return {"serial": serial, "key": "scurve", "title": None, "controls": controls("compact"),
            "status": [{"label": "Step", "value": f"{step:,}"}], "message": None,
            "charts": [{"id": "s", "kind": "scurve", "title": "Where each neuron sits on its activation curve",
                        "x_title": "z (weighted input)", "y_title": "a = f(z)  and slope f'(z)", "height": 420,
                        "layers": [{"name": "hidden 1 (sigmoid)", "color": "#1b9e77"},
                                   {"name": "output (sigmoid)", "color": "#7570b3"}]}],
            "curves": {}, "frames": [frame]}


def map_payload(serial=1, step=500, n=41):
    xs = [-1.5 + 3 * i / (n - 1) for i in range(n)]
    z = [sigmoid(4 * (1 - x * x - y * y) + step / 1000) for y in xs for x in xs]
    pts = [(math.cos(t) * r, math.sin(t) * r) for t, r in ((0.3 * k, 0.5 if k % 2 else 1.25) for k in range(20))]
    frame = {"step": step, "status": {"Step": f"{step:,}"}, "charts": {"m": {"z": z, "value_range": [0, 1]}}}
    return {"serial": serial, "key": "map", "title": None, "controls": controls("compact"),
            "status": [{"label": "Step", "value": f"{step:,}"}], "message": None,
            "charts": [{"id": "m", "kind": "map", "title": "Network output y over the input plane",
                        "x_title": "x1", "y_title": "x2", "x": xs, "y": xs, "colorbar": "y (output)",
                        "equal_axes": True,
                        "points": {"x": [p[0] for p in pts], "y": [p[1] for p in pts],
                                   "value": [1 if k % 2 else 0 for k in range(20)],
                                   "test": [k >= 17 for k in range(20)]},
                        "value_range": [0, 1], "height": 420}],
            "curves": {}, "frames": [frame]}


def seeds_payload(serial=1, networks=64, steps=2000, running=True):
    x = list(range(1, steps + 1, 20))
    lines = []
    for k in range(networks):
        rate = 0.3 + 1.7 * ((k * 0.618) % 1)
        stuck = k % 7 == 3
        lines.append([(0.5 if stuck else 0.5 * math.exp(-rate * s / 1000) + 0.002) for s in x])
    median = [sorted(col)[len(col) // 2] for col in zip(*lines)]
    finals = [line[-1] for line in lines]
    finals[5] = None  # diverged
    frame = {"step": steps, "status": {"Networks": str(networks)},
             "charts": {"lines": {"x": x, "lines": lines, "median": median},
                        "strip": {"values": finals, "reached": [f is not None and f <= 0.01 for f in finals]}}}
    labels = [f"seed {k}" for k in range(networks)]
    return {"serial": serial, "key": f"seeds-{networks}", "title": None, "controls": controls("sweep", running),
            "status": [{"label": "Networks", "value": str(networks)}, {"label": "Step", "value": f"{steps:,}"}],
            "message": None,
            "charts": [{"id": "lines", "kind": "lines", "title": f"Error of {networks} networks", "x_title": "step",
                        "y_title": "mean |error|", "log_y": True, "labels": labels, "highlight": 3, "height": 400},
                       {"id": "strip", "kind": "strip", "title": f"Final mean |error| of {networks} networks",
                        "x_title": "final mean |error| (log scale)", "log_x": True, "labels": labels,
                        "highlight": 3, "target": 0.01, "height": 320}],
            "curves": {}, "frames": [frame]}


# -- helpers ----------------------------------------------------------------------------------------


def feed(page, data):
    page.evaluate("(d) => feed(d)", data)


def settle(page, frames=3):
    page.evaluate("(n) => nextFrames(n)", frames)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"liveview-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def stats(page):
    return page.evaluate("() => shadow.querySelector('.lv').liveStats")


def data_step(page, chart_id):
    return page.evaluate("(id) => chartEl(id).dataset.step", chart_id)


def calls(page, kind):
    return page.evaluate("(kind) => calls.filter(c => c.type === kind)", kind)


def count_colour(page, chart_id, hex_colour, tolerance=24):
    """Pixels of a chart's canvas within `tolerance` (per channel) of a colour."""
    return page.evaluate(
        """([id, rgb, tol]) => {
            const c = canvasOf(id), d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
                if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) <= tol && Math.abs(d[i + 1] - rgb[1]) <= tol
                    && Math.abs(d[i + 2] - rgb[2]) <= tol) n++;
            }
            return n;
        }""",
        [chart_id, rgb(hex_colour), tolerance])


def rgb(hex_colour):
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


def close_to(actual, expected, tolerance=6):
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def geometry(page, chart_id):
    return page.evaluate("(id) => chartEl(id).liveGeom", chart_id)


def heatmap_payload(serial, z, rows, cols, key="heat", count=1):
    frame = {"step": 1, "status": {}, "charts": {f"h{k}": {"z": z} for k in range(count)}}
    charts = [{"id": f"h{k}", "kind": "heatmap", "title": f"syn{k}", "rows": rows, "cols": cols,
               "x_title": "neuron of this layer", "y_title": "input to this layer", "colorbar": "weight",
               "height": 380} for k in range(count)]
    return {"serial": serial, "key": key, "title": None, "controls": None, "status": [], "message": None,
            "charts": charts, "curves": {}, "frames": [frame]}


PAYLOADS = {"train": lambda: train_payload(1, 4000, title="Trask's 3-layer network, seed 1",
                                           message={"kind": "info", "text": "Run to step 60,000 reproduces the "
                                                    "tutorial's printed errors."}),
            "scurve": scurve_payload, "map": map_payload, "seeds": seeds_payload}
# Colours each chart must show once drawn: the marks that carry its meaning.
EXPECTED_COLOURS = {"curve": [BLUE, RED], "w0": [BLUE, RED], "w1": [BLUE, RED], "net": [BLUE, RED],
                    "s": ["#1b9e77", "#7570b3"], "m": ["#440154", "#fde725"], "lines": ["#111111", HIGHLIGHT],
                    "strip": [HIGHLIGHT, "#787878"]}


# -- every kind draws ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_every_chart_kind_draws_its_marks(open_view, name):
    page = open_view()
    data = PAYLOADS[name]()
    feed(page, data)
    settle(page)
    for spec in data["charts"]:
        root = page.locator(f'[data-chart-id="{spec["id"]}"]')
        assert root.get_attribute("data-kind") == spec["kind"]
        assert root.get_attribute("data-step") == str(data["frames"][-1]["step"])
        assert root.locator(".lv-title").inner_text() == spec["title"]
        if spec["kind"] == "table":
            continue
        for colour in EXPECTED_COLOURS[spec["id"]]:
            assert count_colour(page, spec["id"], colour) > 20, (spec["id"], colour)
    shot(page, f"kind-{name}")


def test_outputs_table_shows_python_formatted_numbers_and_keeps_its_cells(open_view):
    page = open_view()
    feed(page, train_payload(1, 100))
    table = page.locator('[data-chart-id="outputs"] table')
    header = table.locator("th").all_inner_texts()
    assert header == ["x1", "x2", "x3", "y (target)", "y (output)"]
    page.evaluate("() => { window.firstCell = chartEl('outputs').querySelector('td'); }")
    for i, step in enumerate(range(200, 1200, 100)):
        feed(page, train_payload(2 + i, step))
    settle(page)
    rows = table.locator("tbody tr").evaluate_all("rows => rows.map(r => [...r.cells].map(c => c.textContent))")
    outputs = train_frame(1100)["charts"]["outputs"]["columns"]["y (output)"]
    assert [row[4] for row in rows] == [f"{v:.8f}" for v in outputs]
    assert [row[:4] for row in rows] == [[f"{v:g}" for v in r] + [f"{t:g}"] for r, t in zip(INPUTS, TARGETS)]
    assert page.evaluate("() => chartEl('outputs').querySelector('td') === firstCell")
    align = table.locator("td").first.evaluate("td => getComputedStyle(td).textAlign")
    assert align == "right"


# -- heatmaps --------------------------------------------------------------------------------------


def test_heatmap_colours_follow_one_symmetric_blue_white_red_scale(open_view):
    page = open_view(1000, 800)
    feed(page, heatmap_payload(1, [-2, 0, 2, -1, 0.5, 1], ["a", "b"], ["p", "q", "r"]))
    settle(page)
    g = geometry(page, "h0")
    box, cw, ch = g["box"], g["box"]["w"] / 3, g["box"]["h"] / 2

    def corner(i, j):  # a few px inside the cell's corner, away from the printed number
        return page.evaluate("([x, y]) => pixel('h0', x, y)", [box["x"] + j * cw + 5, box["y"] + i * ch + 5])

    assert close_to(corner(0, 0), rgb(BLUE))
    assert close_to(corner(0, 1), [255, 255, 255])
    assert close_to(corner(0, 2), rgb(RED))
    half_blue = corner(1, 0)  # -1 of a +-2 scale: halfway between blue and white
    assert close_to(half_blue, [(33 + 255) / 2, (102 + 255) / 2, (172 + 255) / 2], 4)
    assert close_to(corner(1, 2), [(178 + 255) / 2, (24 + 255) / 2, (43 + 255) / 2], 4)  # +1: halfway to red
    assert close_to(corner(1, 1), [255 - 77 / 4, 255 - 231 / 4, 255 - 212 / 4], 4)  # +0.5: a quarter of the way


def test_heatmap_prints_numbers_only_where_they_fit(open_view):
    page = open_view(1400, 900)
    feed(page, heatmap_payload(1, [-2, 0, 2, -1, 0.5, 1], ["a", "b"], ["p", "q", "r"]))
    settle(page)
    g = geometry(page, "h0")
    assert g["cellText"] == 6 and g["fontSize"] >= 13
    box, cw, ch = g["box"], g["box"]["w"] / 3, g["box"]["h"] / 2
    centre = [box["x"] + 1.5 * cw - 10, box["y"] + 0.5 * ch - 10, 20, 20]  # the white cell holding "0"
    assert page.evaluate("([x, y, w, h]) => inked('h0', x, y, w, h)", centre) > 5
    # 16 x 16 weights in three charts side by side: the numbers would be unreadable, so none are drawn
    labels = [f"neuron {k}" for k in range(16)]
    z = [0.0 if k == 0 else math.sin(k) for k in range(256)]
    feed(page, heatmap_payload(2, z, labels, labels, key="big", count=3))
    settle(page)
    g = geometry(page, "h0")
    assert g["cellText"] == 0 and g["fontSize"] == 0
    cw, ch = g["box"]["w"] / 16, g["box"]["h"] / 16
    assert page.evaluate("([x, y, w, h]) => inked('h0', x, y, w, h)",
                         [g["box"]["x"] + 2, g["box"]["y"] + 2, cw - 4, ch - 4]) == 0
    page.mouse.move(*page.evaluate(
        "([x, y]) => { const r = canvasOf('h0').getBoundingClientRect(); return [r.left + x, r.top + y]; }",
        [g["box"]["x"] + 1.5 * cw, g["box"]["y"] + 0.5 * ch]))
    tip = page.locator('[data-chart-id="h0"] .lv-tip')
    tip.wait_for()
    assert tip.inner_text() == f"from neuron 0 to neuron 1: {float(f'{math.sin(1):.4g}')}"
    shot(page, "heatmaps-16x16")


# -- in place, frames, playback -------------------------------------------------------------------


def test_charts_are_updated_in_place_and_rebuilt_only_when_the_key_changes(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    page.evaluate("() => { window.firstNodes = [...shadow.querySelectorAll('canvas, td')]; }")
    before = stats(page)["draws"]["w0"]
    for i in range(50):
        feed(page, train_payload(2 + i, [100 * i + 50, 100 * i + 100], running=i < 49))
        page.wait_for_timeout(20)
    page.wait_for_function("() => chartEl('w0').dataset.step === '5000' && chartEl('curve').dataset.step === '5000'")
    assert page.evaluate("""() => { const now = [...shadow.querySelectorAll('canvas, td')];
        return now.length === firstNodes.length && now.every((n, i) => n === firstNodes[i]); }""")
    after = stats(page)
    assert after["rebuilds"] == 1 and after["draws"]["w0"] - before >= 20 and after["steps"]["w0"] >= 20
    wider = [["x1", "x2", "x3"], [f"h{k}" for k in range(8)], ["y"]]
    feed(page, train_payload(60, 10, key="train-3-8-1", layers=wider))
    assert page.evaluate("() => firstNodes.filter(n => n.isConnected).length") == 0
    assert stats(page)["rebuilds"] == 2
    assert page.locator('[data-chart-id="w0"]').get_attribute("data-step") == "10"


def test_frames_that_are_not_newer_are_dropped(open_view):
    page = open_view()
    feed(page, train_payload(1, 1))
    feed(page, train_payload(2, [1, 2, 3]))
    page.wait_for_function("() => chartEl('w0').dataset.step === '3'")
    settle(page)
    seen = stats(page)["steps"]["w0"]
    feed(page, train_payload(3, [2, 3]))  # resent frames, nothing new
    settle(page, 5)
    assert data_step(page, "w0") == "3" and stats(page)["steps"]["w0"] == seen
    feed(page, train_payload(4, [3, 4]))
    page.wait_for_function("() => chartEl('w0').dataset.step === '4'")
    after = stats(page)
    assert after["steps"]["w0"] == seen + 1
    assert [entry[2] for entry in after["log"] if entry[1] == "w0"] == [1, 2, 3, 4]
    assert page.locator('[data-label="Step"] [data-role="value"]').inner_text() == "4"


def test_a_step_going_down_is_shown_at_once_and_clears_the_queue(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    feed(page, train_payload(2, range(100, 2100, 100), running=True))  # 20 frames queued for playback
    before = len(stats(page)["log"])  # however many of them a busy machine has played by now
    feed(page, train_payload(3, 0))  # Reset: back to step 0 at once
    assert data_step(page, "w0") == "0" and data_step(page, "curve") == "0"
    page.wait_for_timeout(700)
    assert data_step(page, "w0") == "0"
    drawn = [entry[2] for entry in stats(page)["log"][before:] if entry[1] == "w0"]
    assert drawn[drawn.index(0):] == [0]  # the queue was emptied: no older frame is played after the reset
    assert page.locator('[data-label="Step"] [data-role="value"]').inner_text() == "0"


def test_a_step_click_is_drawn_at_once(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    assert count_colour(page, "curve", BLUE) == 0  # empty history: the hint, no curve
    centre = page.evaluate("() => [canvasOf('curve').clientWidth / 2 - 100, canvasOf('curve').clientHeight / 2 - 20]")
    assert page.evaluate("([x, y]) => inked('curve', x, y, 200, 30)", centre) > 50
    feed(page, train_payload(2, 1))  # drawn inside render(), without waiting for an animation frame
    assert data_step(page, "w0") == "1" and data_step(page, "curve") == "1"
    assert count_colour(page, "curve", BLUE) > 10  # a single point is drawn as a marker


PLAYBACK_PAYLOADS, PLAYBACK_FRAMES, PLAYBACK_GAP_MS = 13, 5, 250


def playback_payloads():
    """A running Train view's payloads after step 0: 13 of them, 5 frames each, up to step 1300."""
    return [train_payload(2 + i, [100 * i + 20 * (k + 1) for k in range(PLAYBACK_FRAMES)], running=True)
            for i in range(PLAYBACK_PAYLOADS)]


def test_playback_draws_every_payload_and_the_frames_between(open_view):
    """Payloads every 250 ms with 5 frames each: each payload's newest frame is drawn, the frames between
    payloads are played back, and the view ends at the last step.

    The page runs on Playwright's fake clock, so a busy machine cannot stall an animation frame long
    enough for due frames to be skipped; the rates and lags in real time are bench/draw_bench.py's.
    """
    page = open_view()
    page.clock.install()
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)
    feed(page, train_payload(1, 0))
    arrivals = []
    for payload in playback_payloads():
        feed(page, payload)
        arrivals.append(payload["frames"][-1]["step"])
        page.clock.run_for(PLAYBACK_GAP_MS)
    page.clock.run_for(1000)
    log = stats(page)["log"]
    drawn = {cid: {s for _, i, s in log if i == cid} for cid in ("curve", "w0")}
    assert [s for s in arrivals if s not in drawn["w0"]] == []  # every payload's newest frame
    for cid, steps in drawn.items():  # more steps drawn than payloads came: the frames between them too
        assert len(steps - {0}) > len(arrivals), (cid, sorted(steps))
    assert data_step(page, "curve") == "1300" and data_step(page, "w0") == "1300" and data_step(page, "net") == "1300"
    assert page.locator('[data-label="Step"] [data-role="value"]').inner_text() == "1,300"


def deep_network():
    """8 layers of 16 neurons: the largest network the sidebar allows."""
    return [[f"x{k + 1}" for k in range(16)]] + [[f"h{l}.{k}" for k in range(16)] for l in range(6)] + \
        [[f"y{k + 1}" for k in range(16)]]


def test_a_network_of_8_layers_of_16_draws_every_chart(open_view):
    """The largest network: its seven heatmaps and the diagram draw both signs, without a page error."""
    page = open_view()
    layers = deep_network()
    feed(page, train_payload(1, 100, layers=layers, key="deep"))
    feed(page, train_payload(2, 101, layers=layers, key="deep"))
    settle(page)
    charts = page.evaluate("() => [...shadow.querySelectorAll('[data-chart-id]')].map(c => [c.dataset.chartId, "
                           "c.dataset.step])")
    assert charts == [[cid, "101"] for cid in ["curve", "outputs"] + [f"w{l}" for l in range(7)] + ["net"]]
    for cid in [f"w{l}" for l in range(7)] + ["net"]:
        assert count_colour(page, cid, BLUE) > 20 and count_colour(page, cid, RED) > 20, cid
    assert geometry(page, "w3")["rows"] == geometry(page, "w3")["cols"] == 16
    shot(page, "network-8x16")


# -- controls and actions --------------------------------------------------------------------------


def state_logs(page):
    return [c["value"] for c in calls(page, "state") if c["name"] == "actions"]


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def test_every_click_is_one_action_even_in_a_burst(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    for _ in range(15):
        button(page, "Step").click()
    mount = state_logs(page)[-1]["mount"]
    feed(page, train_payload(2, 10, acked={mount: 10}))  # the server has applied the first 10
    for k in range(15):
        button(page, "Step ×10" if k % 2 else "Step ×100").click()
    logs = state_logs(page)
    assert {log["mount"] for log in logs} == {mount}
    entries = {}
    for log in logs:
        assert len(log["log"]) <= 64
        for n, kind, arg in log["log"]:
            assert entries.setdefault(n, (kind, arg)) == (kind, arg)  # one number, one action
    assert sorted(entries) == list(range(1, 31))
    assert [entries[n] for n in range(1, 16)] == [("step", 1)] * 15
    assert [entries[n] for n in range(16, 31)] == [("step", 100 if k % 2 == 0 else 10) for k in range(15)]
    assert [e[0] for e in logs[-1]["log"]] == list(range(11, 31))  # acknowledged ones are not sent again
    assert all(e[0] > 10 for log in logs[15:] for e in log["log"])
    # keyboard: a focused button answers Enter and Space
    button(page, "Reset").focus()
    page.keyboard.press("Enter")
    button(page, "Step ×100").focus()
    page.keyboard.press(" ")
    assert [e[1:] for e in state_logs(page)[-1]["log"][-2:]] == [["reset", None], ["step", 100]]


def test_run_and_pause_answer_at_once_then_follow_the_server(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    button(page, "▶ Run").click()
    button(page, "⏸ Pause").wait_for(timeout=1000)
    mount, n = state_logs(page)[-1]["mount"], state_logs(page)[-1]["log"][-1][0]
    assert state_logs(page)[-1]["log"][-1] == [n, "run", None]
    feed(page, train_payload(2, 0, running=False, acked={mount: n - 1}))  # a rerun from before the click
    assert button(page, "⏸ Pause").count() == 1
    feed(page, train_payload(3, 10, running=True, acked={mount: n}))
    button(page, "⏸ Pause").click()
    assert button(page, "▶ Run").count() == 1
    feed(page, train_payload(4, 20, running=True, acked={mount: n}))
    assert button(page, "▶ Run").count() == 1
    feed(page, train_payload(5, 30, running=True, acked={mount: n + 1}))  # the server decided: still running
    assert button(page, "⏸ Pause").count() == 1
    data = train_payload(6, 40, acked={mount: n + 1})
    data["controls"]["can_run"] = False
    feed(page, data)
    assert button(page, "▶ Run").is_disabled() and button(page, "Run to").is_disabled()
    assert not button(page, "Step").is_disabled()


def test_run_to_speed_and_the_sweep_strip(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    box = page.get_by_role("spinbutton", name="Run to step")
    assert box.input_value() == "60000"
    box.fill("500")
    button(page, "Run to").click()
    box.fill("0")
    box.press("Enter")  # not a step count: refused, nothing sent
    assert box.get_attribute("aria-invalid") == "true"
    speed = page.get_by_role("combobox", name="Speed")
    assert speed.locator("option").all_inner_texts() == [
        "As fast as possible", "1 step/s", "2 steps/s", "5 steps/s", "10 steps/s", "30 steps/s", "100 steps/s",
        "1,000 steps/s", "10,000 steps/s"]
    speed.select_option(label="10 steps/s")
    log = state_logs(page)[-1]["log"]
    assert [e[1:] for e in log] == [["run_to", 500], ["speed", 10]]
    feed(page, train_payload(2, 0))  # not yet applied: the choice stays
    assert speed.input_value() == "10"
    data = train_payload(3, 0, acked={state_logs(page)[-1]["mount"]: log[-1][0]})
    data["controls"]["run_to"] = 1000  # another preset: its own step count refills the box
    box.blur()
    feed(page, data)
    assert speed.input_value() == "0" and box.input_value() == "1000"
    feed(page, seeds_payload(4, running=True))
    assert button(page, "⏸ Pause").count() == 1 and button(page, "Step").count() == 0
    feed(page, seeds_payload(5, running=False))
    button(page, "▶ Continue").click()
    assert state_logs(page)[-1]["log"][-1][1:] == ["continue", None]


def tick_times(page):
    return [c["t"] for c in calls(page, "trigger") if c["name"] == "tick"]


def test_ticks_only_while_running_one_at_a_time(open_view):
    page = open_view()
    feed(page, train_payload(1, 0))
    page.wait_for_timeout(400)
    assert tick_times(page) == []  # idle: nothing asked of the server
    feed(page, train_payload(2, 10, running=True))
    page.wait_for_timeout(800)
    assert len(tick_times(page)) == 1  # no answer yet: no second request
    page.wait_for_function("() => calls.filter(c => c.name === 'tick').length === 2", timeout=3000)
    first, second = tick_times(page)
    assert second - first >= 1900  # retried after the 2 s safety
    feed(page, train_payload(3, 20, running=True))
    page.wait_for_function("() => calls.filter(c => c.name === 'tick').length === 3", timeout=2000)
    page.wait_for_timeout(400)
    assert len(tick_times(page)) == 3
    times = tick_times(page)
    assert all(b - a >= 99 for a, b in zip(times, times[1:]))
    values = [c["value"] for c in calls(page, "trigger")]
    assert values == sorted(set(values))  # each request is a new value, so it is never merged with the last
    feed(page, train_payload(4, 30, running=False))
    page.wait_for_timeout(900)  # the queue drains, then nothing more is asked
    assert len(tick_times(page)) <= 4
    count = len(tick_times(page))
    page.wait_for_timeout(600)
    assert len(tick_times(page)) == count
    # a hidden tab asks for nothing, and a view taken out of the page stops for good
    page.evaluate("() => Object.defineProperty(document, 'visibilityState', {get: () => 'hidden', configurable: true})")
    feed(page, train_payload(5, 40, running=True))
    page.wait_for_timeout(500)
    assert len(tick_times(page)) == count
    page.evaluate("() => { delete document.visibilityState; document.getElementById('host').remove(); }")
    page.wait_for_timeout(500)
    assert len(tick_times(page)) == count


# -- numbers and axes ------------------------------------------------------------------------------


def internals(page, expression, *args):
    return page.evaluate(f"(args) => {{ const t = live._internals; return {expression}; }}", list(args))


def test_log_axis_ticks(open_view):
    page = open_view()
    labels = "t.logTicks(args[0], args[1]).map(t.fmtTick)"
    assert internals(page, labels, 0.001, 1) == ["0.001", "0.01", "0.1", "1"]
    many = internals(page, labels, 1e-9, 10)
    assert 3 <= len(many) <= 6 and "1" in many
    assert internals(page, labels, 0.02, 0.5) == ["0.02", "0.05", "0.1", "0.2", "0.5"]  # short: 1, 2, 5
    assert internals(page, labels, 0.003, 0.5) == ["0.005", "0.01", "0.05", "0.1", "0.5"]  # at most ~6
    assert internals(page, labels, 0.3, 0.45) == ["0.3", "0.35", "0.4", "0.45"]  # inside one 1-2-5 step
    nice = internals(page, "t.ticksFor(args[0], args[1], true, 5)", 0.0031, 0.49)
    assert (nice["lo"], nice["hi"]) == (0.002, 0.5)


def test_number_formats_match_python(open_view):
    page = open_view()
    values = [0.00966449, 1 / 512, 3 / 512, -3 / 512, 0.5, 1e-9, -1e-10, 123.456789012345, 0.999999999, 2.5e-5, 0.0]
    assert internals(page, "args[0].map(v => t.pyFixed(v, 8))", values) == [f"{v:.8f}" for v in values]
    general = [0.0, 1.0, 0.5, 1e-5, 123456.0, 1234567.0, -2.5, 0.0001, 100000.4, 3.14159265, 1e22]
    assert internals(page, "args[0].map(t.pyG)", general) == [f"{v:g}" for v in general]
    assert internals(page, "[t.fmtTick(12000), t.fmtTick(-0.5), t.fmtTick(1e-7), t.fmtTick(0.30000000000000004)]") \
        == ["12,000", "\u22120.5", "1e-7", "0.3"]
    assert internals(page, "[t.fmtG(-0), t.fmtG(null), t.fmtG(0.000123456, 3), t.fmtG(98765.4, 3)]") \
        == ["0", "–", "0.000123", "9.88e+4"]


# -- layout at classroom sizes -------------------------------------------------------------------------

OVERFLOWS = """() => {
    const root = shadow.querySelector('.lv'), right = root.getBoundingClientRect().right + 0.5, bad = [];
    const check = (el, what) => {
        const r = el.getBoundingClientRect();
        if (el.scrollWidth > el.clientWidth + 1) bad.push(`${what} cut: ${el.textContent}`);
        if (r.right > right) bad.push(`${what} past the edge: ${el.textContent}`);
    };
    shadow.querySelectorAll('button').forEach(b => check(b, 'button'));
    shadow.querySelectorAll('.lv-field').forEach(f => check(f, 'field'));
    shadow.querySelectorAll('[data-role="value"]').forEach(v => check(v, 'status value'));
    shadow.querySelectorAll('.lv-stat-label').forEach(v => check(v, 'status label'));
    shadow.querySelectorAll('.lv-title, .lv-heading, .lv-message').forEach(t => check(t, 'title'));
    shadow.querySelectorAll('.lv-chart').forEach(c => {
        if (c.scrollWidth > c.clientWidth + 1) bad.push(`chart overflows: ${c.dataset.chartId}`);
        if (c.getBoundingClientRect().right > right) bad.push(`chart past the edge: ${c.dataset.chartId}`);
    });
    const boxes = [...shadow.querySelectorAll('button, .lv-field')].map(b => b.getBoundingClientRect());
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
            bad.push('controls overlap');
    }));
    if (document.documentElement.scrollWidth > innerWidth) bad.push('the page scrolls sideways');
    return bad;
}"""


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAYLOADS))
def test_nothing_is_cut_or_overlaps_at_classroom_sizes(open_view, name, size):
    width, height, scale = SIZES[size]
    page = open_view(width, height, scale)
    data = PAYLOADS[name]()
    if name == "train":
        data["controls"]["note"] = "Stopped at step 60,000, the preset's tutorial step count."
        data["status"][1]["value"] = "0.00351012"
    feed(page, data)
    settle(page)
    assert page.evaluate(OVERFLOWS) == []
    shot(page, f"{name}-{size}")


def test_a_wide_table_scrolls_inside_its_own_box(open_view):
    page = open_view(683, 600, 1.5)
    data = train_payload(1, 100)
    names = [f"input column {k}" for k in range(8)]
    table = data["charts"][1]
    table["columns"] = names + ["y (output)"]
    table["fixed"] = {name: [k * 1000.5 for k in range(4)] for name in names}
    feed(page, data)
    settle(page)
    sizes = page.evaluate("""() => { const b = chartEl('outputs').querySelector('.lv-table-box');
        return [b.scrollWidth, b.clientWidth, getComputedStyle(b).overflowX]; }""")
    assert sizes[0] > sizes[1] and sizes[2] == "auto"
    assert page.evaluate(OVERFLOWS) == []


def hover(page, chart_id, x, y):
    """Move the pointer to (x, y) CSS px of a chart's canvas; the tooltip text, or None."""
    page.mouse.move(*page.evaluate(
        "([id, x, y]) => { const r = canvasOf(id).getBoundingClientRect(); return [r.left + x, r.top + y]; }",
        [chart_id, x, y]))
    tip = page.locator(f'[data-chart-id="{chart_id}"] .lv-tip')
    settle(page, 1)
    return tip.inner_text() if tip.is_visible() else None


def test_hover_names_what_is_under_the_pointer(open_view):
    page = open_view(1400, 1000)
    feed(page, train_payload(1, 4000))
    settle(page)
    width, height = page.evaluate("() => [canvasOf('curve').clientWidth, canvasOf('curve').clientHeight]")
    text = hover(page, "curve", width * 0.6, height * 0.5)
    assert text.startswith("step ") and ": mean |error| " in text and ": loss " in text
    assert hover(page, "curve", 2, 2) is None  # outside the plot
    feed(page, map_payload(2))
    settle(page)
    text = hover(page, "m", 120, 60)  # top left of the image, away from every point
    assert text.startswith("x1=") and ": y (output)=" in text
    assert page.evaluate("() => chartEl('m').querySelector('.lv-tip').getBoundingClientRect().right") <= 1400
