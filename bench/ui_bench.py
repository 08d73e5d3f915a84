"""How responsive the app feels in a real browser, next to the engine's bare time for the same work.

Run from the repository root: python3 bench/ui_bench.py [--runs 5]
It starts its own streamlit server and Debian's Chromium (like tests/browser), prints medians, and
compares them with the targets: a 60,000-step run within 2x the engine's time, >= 5 chart updates/s
while running, a Step click redrawn within 300 ms, < 40 MB of server memory per extra session.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.presets import PRESETS, build_trainer  # noqa: E402
from tests.browser.conftest import (  # noqa: E402
    ARTIFACTS,
    VIEWPORT,
    AppServer,
    button,
    launch_chromium,
    metric,
    set_number,
    wait_metric,
    wait_settled,
)

PRESET = "trask-3-layer"
LONG_RUN = 60_000

COUNT_CURVE_RENDERS = """() => {
    window.curveRenders = 0;
    let shown = null;
    // Count the frames a person sees: each redraw puts a new step count in the error curve's title.
    // (Counting DOM mutation batches overcounts: Plotly touches a chart in several batches per draw.)
    new MutationObserver(() => {
        const title = document.querySelector('[data-testid="stPlotlyChart"] .gtitle');
        const text = title ? title.textContent : null;
        if (text !== null && text !== shown) { shown = text; window.curveRenders += 1; }
    }).observe(document.querySelector('[data-testid="stMain"]'),
               {childList: true, subtree: true, attributes: true, characterData: true});
}"""


def engine_seconds(steps, repeats=5):
    """Median wall time to build the preset's trainer, run `steps` updates and predict, in-process."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer, scaler = build_trainer(PRESETS[PRESET])
        trainer.run(steps)
        scaler.outputs_back(trainer.predict(trainer.X))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def engine_step_seconds(repeats=200):
    """Median wall time of one more update and a prediction on an already built trainer."""
    trainer, scaler = build_trainer(PRESETS[PRESET])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.run(1)
        scaler.outputs_back(trainer.predict(trainer.X))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_kib(pid):
    """Resident memory of a process and all its descendants, from /proc (KiB)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total


def open_train(browser, url):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(120_000)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    first_chart = time.perf_counter() - start
    wait_settled(page)
    return context, page, first_chart


def steps_shown(page):
    return int(metric(page, "Step").replace(",", ""))


def step_click_seconds(page):
    """Step click until the Step metric shows the new count and the curve holds one more point."""
    before = steps_shown(page)
    start = time.perf_counter()
    button(page, "Step").click()
    wait_metric(page, "Step", f"{before + 1:,}")
    page.wait_for_function(
        """(n) => { const p = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
                    return p && p._fullData && p._fullData.some(t => t.y && t.y.length === n); }""",
        arg=before + 1, polling=10)
    return time.perf_counter() - start


def long_run(page):
    """(seconds from the Run-to click to the final chart, curve updates per second meanwhile)."""
    set_number(page, "Run to step", LONG_RUN)
    page.evaluate(COUNT_CURVE_RENDERS)
    start = time.perf_counter()
    button(page, "Run to").click()
    wait_metric(page, "Step", f"{LONG_RUN:,}", timeout=300_000)
    wait_metric(page, "State", "paused")
    page.wait_for_selector('[data-testid="stPlotlyChart"] .main-svg')
    seconds = time.perf_counter() - start
    return seconds, page.evaluate("() => window.curveRenders") / seconds


def line(name, value, unit, engine=None, target=""):
    """One result; `engine` is the engine's bare seconds for the same work, when it has one."""
    ratio = f"  {value / engine:10.1f}x engine ({engine * 1000:.3f} ms)" if engine else ""
    print(f"{name:<40} {value:10.3f} {unit:<8}{ratio}  {target}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="repeats of each timing (medians are printed)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    bare_load = engine_seconds(0)
    bare_step = engine_step_seconds()
    bare_run = engine_seconds(LONG_RUN)
    with AppServer(ARTIFACTS / "ui-bench-server.log") as server, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        url = f"{server.url}/?preset={PRESET}&seed=1&steps=0"
        loads, clicks, runs, rates = [], [], [], []
        for _ in range(args.runs):
            context, page, first_chart = open_train(browser, url)
            loads.append(first_chart)
            clicks += [step_click_seconds(page) for _ in range(5)]
            button(page, "Reset").click()
            wait_metric(page, "Step", "0")
            seconds, rate = long_run(page)
            runs.append(seconds)
            rates.append(rate)
            context.close()

        contexts = [open_train(browser, url)[:2] for _ in range(1)]
        time.sleep(2)
        one = rss_kib(server.process.pid)
        contexts += [open_train(browser, url)[:2] for _ in range(9)]
        time.sleep(2)
        ten = rss_kib(server.process.pid)
        for context, _ in contexts:
            context.close()
        browser.close()

    print(f"median of {args.runs} runs ({len(clicks)} Step clicks); engine times measured in this process")
    line("cold load to first drawn chart", statistics.median(loads), "s", bare_load)
    line("Step click to redrawn chart", statistics.median(clicks), "s", bare_step, "target < 0.3 s")
    line(f"{LONG_RUN:,} steps, Run to click to final chart", statistics.median(runs), "s", bare_run,
         "target < 2x engine")
    line("error-curve updates while running", statistics.median(rates), "per s", None, "target >= 5 /s")
    line("server memory, 1 session", one / 1024, "MB")
    line("server memory, 10 sessions", ten / 1024, "MB")
    line("server memory per extra session", (ten - one) / 9 / 1024, "MB", None, "target < 40 MB")


if __name__ == "__main__":
    main()
