"""What a learner sees in a real browser, next to the engine's bare time for the same work, measured in one run.

    python3 bench/ui_bench.py [--rounds 3] [--sessions 10]

It starts its own server (a free loopback port, stopped afterwards) and Debian's Chromium, as the
browser tests do, and measures on the Train page of Trask's 3-4-1 net:

- page load: from goto until every live chart has drawn;
- Step click: from the click (a document listener's timestamp) until every chart root shows the
  new step (data-step), read from the live view's own draw log (window.__backpropLiveStats);
- Run to 60,000: from the click until every chart shows step 60,000, and meanwhile the frames each
  chart drew per second (new steps drawn; the error curve draws one each time its revealed step
  moves, the others one per played frame);
- server CPU with N sessions running at once (websocket clients that ask for payloads as the
  browser does, bench/streamlit_client.py): the Streamlit process and the worker processes apart;
- server memory with 1 and N sessions open.

Rounds alternate whether the engine or the browser goes first; a ratio is the median over rounds of
each round's own ratio, so a busy machine slows both sides alike. The load averages are printed:
other work on the machine still shows in the absolute times. A strip of 6 screenshots 0.2 s apart
during a run is saved as test-artifacts/run-strip-1.png ... run-strip-6.png.
"""

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from procstats import ServerProcesses, cpu_seconds, load_average, server_options  # noqa: E402
from streamlit_client import LiveClient, newest_step  # noqa: E402

from engine.presets import PRESETS, build_trainer  # noqa: E402
from tests.browser.conftest import ARTIFACTS, VIEWPORT, AppServer, button, launch_chromium  # noqa: E402
from tests.browser.conftest import DEEP as TEST_DEEP  # noqa: E402
from ui.scheduler import WORKER_NICENESS  # noqa: E402

PRESET = "trask-3-layer"
LONG_RUN = 60_000
STEP_CLICKS = 5
STRIP_SHOTS, STRIP_GAP = 6, 0.2
CPU_WARMUP, CPU_WINDOW = 2.0, 6.0
QUERY = f"preset={PRESET}&seed=1&steps=0"

# In the page: deep queries into the live view's shadow root (the tests' own), and a timestamp for every click.
DEEP = TEST_DEEP + """
const chartIds = () => deepAll('[data-chart-id]').map((c) => c.dataset.chartId);
"""
INSTALL_CLICK_CLOCK = """() => {
    window.__clickTimes = [];
    // capture phase on the document: it sees clicks inside the live view's shadow root too
    document.addEventListener('click', () => window.__clickTimes.push(performance.now()), true);
}"""
ALL_CHARTS_AT = DEEP + """(step) => {
    const charts = deepAll('[data-chart-id]');
    return charts.length >= 5 && charts.every((c) => c.dataset.step === String(step));
}"""
# Milliseconds from the last click until every chart had drawn `step` (from the view's draw log).
REDRAWN_AFTER_CLICK = DEEP + """(step) => {
    const clickAt = window.__clickTimes[window.__clickTimes.length - 1];
    const log = window.__backpropLiveStats.log;
    let last = clickAt;
    for (const id of chartIds()) {
        const entry = log.find(([t, i, s]) => i === id && s === step && t >= clickAt);
        if (!entry) return null;
        last = Math.max(last, entry[0]);
    }
    return last - clickAt;
}"""
STATS = DEEP + """() => ({now: performance.now(), steps: {...window.__backpropLiveStats.steps},
    draws: {...window.__backpropLiveStats.draws}, ms: {...window.__backpropLiveStats.ms},
    ticks: window.__backpropLiveStats.ticks, rebuilds: window.__backpropLiveStats.rebuilds,
    clickAt: window.__clickTimes[window.__clickTimes.length - 1], ids: chartIds()})"""
OUTPUTS_DRAWN = DEEP + """() => deepAll('[data-chart-id="outputs"]')[0].liveData.columns"""
CURVE_STEP = DEEP + """() => +deepAll('[data-chart-id="curve"]')[0].dataset.step"""


# -- the engine alone ------------------------------------------------------------------------------


def engine_run_seconds(steps):
    """Wall time to build the preset's trainer, run `steps` updates and compute its outputs, in this process."""
    start = time.perf_counter()
    trainer, scaler = build_trainer(PRESETS[PRESET])
    trainer.run(steps)
    scaler.outputs_back(trainer.predict(trainer.X))
    return time.perf_counter() - start


def engine_run_seconds_niced(steps, niceness=WORKER_NICENESS):
    """The same in a process at the workers' priority (ui.scheduler.WORKER_NICENESS): on a busy machine
    a niced process gets less of a core, and the app's training runs in such processes."""
    code = (f"import os, sys, time; sys.path.insert(0, {str(ROOT)!r}); os.nice({niceness}); "
            "from bench.ui_bench import engine_run_seconds; "
            f"print(engine_run_seconds({steps}))")
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


def engine_step_seconds(repeats=200):
    """Median wall time of one more update and its outputs on a built trainer."""
    trainer, scaler = build_trainer(PRESETS[PRESET])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        trainer.run(1)
        scaler.outputs_back(trainer.predict(trainer.X))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def engine_outputs(steps):
    trainer, scaler = build_trainer(PRESETS[PRESET])
    trainer.run(steps)
    return scaler.outputs_back(trainer.predict(trainer.X))[:, 0].tolist()


def engine_stacked_rate(networks, steps=3_000):
    """Network-steps per second of `networks` 3-4-1 nets trained in one engine call (what a stacked slice does)."""
    trainer, _ = build_trainer(PRESETS[PRESET])
    from engine import Trainer

    stacked = Trainer(trainer.config, trainer.X, trainer.Y, seeds=list(range(1, networks + 1)))
    start = time.process_time()
    stacked.run(steps)
    return networks * steps / (time.process_time() - start)


# -- the browser ----------------------------------------------------------------------------------


def open_train(browser, url, viewport=VIEWPORT):
    """(context, page, seconds from goto until every live chart has drawn)."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(300_000)
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ALL_CHARTS_AT, arg=0, polling="raf")
    seconds = time.perf_counter() - start
    page.evaluate(INSTALL_CLICK_CLOCK)
    return context, page, seconds


def step_click_ms(page):
    """Milliseconds from a Step click until every chart shows the new step."""
    step = page.evaluate(CURVE_STEP) + 1
    button(page, "Step").click()
    page.wait_for_function(ALL_CHARTS_AT, arg=step, polling="raf")
    return page.evaluate(REDRAWN_AFTER_CLICK, step)


def long_run(page):
    """(seconds from the Run to click to the final picture, {chart id: frames drawn per second}, outputs drawn)."""
    page.get_by_label("Run to step", exact=True).fill(str(LONG_RUN))
    before = page.evaluate(STATS)
    button(page, "Run to").click()
    page.wait_for_function(ALL_CHARTS_AT, arg=LONG_RUN, polling="raf")
    seconds = page.evaluate(REDRAWN_AFTER_CLICK, LONG_RUN) / 1000
    after = page.evaluate(STATS)
    rates = {i: (after["steps"].get(i, 0) - before["steps"].get(i, 0)) / seconds for i in after["ids"]}
    return seconds, rates, page.evaluate(OUTPUTS_DRAWN)


def screenshot_strip(browser, url):
    """Six screenshots 0.2 s apart during a run at 10,000 steps a second.

    Returns [(seconds after the click, curve step shown, path)].
    """
    context, page, _ = open_train(browser, url, viewport={"width": 1440, "height": 900})
    # 10,000 steps a second: the run lasts six seconds, longer than the strip, and Pause is still there after it
    page.get_by_role("combobox", name="Speed").select_option(label="10,000 steps/s")
    page.get_by_label("Run to step", exact=True).fill(str(LONG_RUN))
    button(page, "Run to").click()
    page.wait_for_function(DEEP + "() => +deepAll('[data-chart-id=\"curve\"]')[0].dataset.step > 0",
                           polling="raf")
    shots, start = [], time.perf_counter()
    for i in range(STRIP_SHOTS):
        time.sleep(max(0.0, start + i * STRIP_GAP - time.perf_counter()))
        path = ARTIFACTS / f"run-strip-{i + 1}.png"
        at = time.perf_counter() - start
        page.screenshot(path=str(path))
        shots.append((at, page.evaluate(CURVE_STEP), path))
    button(page, "⏸ Pause").click()
    context.close()
    return shots


# -- sessions without a browser -----------------------------------------------------------------


def in_thread(coroutine):
    """Run a coroutine to its end on an event loop of its own thread (Playwright owns this thread's loop)."""
    result = {}

    def main():
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error

    thread = threading.Thread(target=main)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


async def sessions_cpu_and_memory(server, processes, n):
    """Memory with 1 and n sessions open, then CPU while all n run at once."""
    clients = [LiveClient(server.url, QUERY) for _ in range(n)]
    await clients[0].open(300)
    await asyncio.sleep(1.0)
    memory = {1: processes.memory_mib()}
    await asyncio.gather(*(client.open(300) for client in clients[1:]))
    await asyncio.sleep(1.0)
    memory[n] = processes.memory_mib()

    for client in clients:
        await client.act("run")
    stop = asyncio.Event()
    followers = [asyncio.create_task(client.follow(lambda _: stop.is_set(), 600)) for client in clients]
    await asyncio.sleep(CPU_WARMUP)
    steps_before = [newest_step(client.data) or 0 for client in clients]
    (streamlit_before, workers_before), waits_before = processes.cpu(), processes.waiting()
    own_before, started = cpu_seconds("self"), time.perf_counter()
    await asyncio.sleep(CPU_WINDOW)
    (streamlit_after, workers_after), waits_after = processes.cpu(), processes.waiting()
    own_after, window = cpu_seconds("self"), time.perf_counter() - started
    steps_after = [newest_step(client.data) or 0 for client in clients]
    payloads = sum(client.payloads for client in clients)
    stop.set()
    await asyncio.gather(*followers)
    for client in clients:
        await client.act("pause")
    await asyncio.sleep(0.5)
    await asyncio.gather(*(client.close() for client in clients))
    return {"memory": memory, "window": window,
            "streamlit": (streamlit_after - streamlit_before) / window,
            "workers": (workers_after - workers_before) / window,
            "client": (own_after - own_before) / window,
            "waits": [(after - before) / window for before, after in zip(waits_before, waits_after)],
            "steps_per_second": (sum(steps_after) - sum(steps_before)) / window,
            "payloads": payloads, "exceptions": sum(len(c.exceptions) for c in clients)}


# -- report ---------------------------------------------------------------------------------------


def spread(values, scale=1.0):
    values = sorted(v * scale for v in values)
    return f"{statistics.median(values):9.3f}  [{values[0]:.3f} .. {values[-1]:.3f}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (medians are printed)")
    parser.add_argument("--sessions", type=int, default=10, help="sessions running at once for the CPU figure")
    parser.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    os.environ.update(server_options(args.server_option))

    loads_before = load_average()
    expected = engine_outputs(LONG_RUN)
    bare_step = engine_step_seconds()
    bare_load = statistics.median(engine_run_seconds(0) for _ in range(5))
    rows = {"load": [], "click": [], "run": [], "bare": [], "ratio": [], "niced": [], "niced_ratio": [], "rates": []}
    with AppServer(ARTIFACTS / "ui-bench-server.log") as server, sync_playwright() as playwright:
        processes = ServerProcesses(server.process.pid)
        browser = launch_chromium(playwright)
        url = f"{server.url}/?{QUERY}"
        open_train(browser, url)[0].close()  # the server's first run imports everything: not a learner's load
        for round_ in range(args.rounds):
            bare = niced = None
            if round_ % 2 == 0:
                bare, niced = engine_run_seconds(LONG_RUN), engine_run_seconds_niced(LONG_RUN)
            context, page, load = open_train(browser, url)
            rows["load"].append(load)
            rows["click"] += [step_click_ms(page) for _ in range(STEP_CLICKS)]
            button(page, "Reset").click()
            page.wait_for_function(ALL_CHARTS_AT, arg=0, polling="raf")
            seconds, rates, drawn = long_run(page)
            assert drawn["y (output)"] == expected, (drawn, expected)  # the picture is the engine's, exactly
            context.close()
            if bare is None:
                bare, niced = engine_run_seconds(LONG_RUN), engine_run_seconds_niced(LONG_RUN)
            rows["run"].append(seconds)
            rows["bare"].append(bare)
            rows["ratio"].append(seconds / bare)
            rows["niced"].append(niced)
            rows["niced_ratio"].append(seconds / niced)
            rows["rates"].append(rates)
        strip = screenshot_strip(browser, url)
        browser.close()
        cpu = in_thread(sessions_cpu_and_memory(server, processes, args.sessions))
        stacked_rate = engine_stacked_rate(args.sessions)
    loads_after = load_average()

    options = f"; server options {' '.join(args.server_option)}" if args.server_option else ""
    print(f"Train page, {PRESET}; {args.rounds} alternating rounds, {len(rows['click'])} Step clicks; "
          f"load average {loads_before[0]:.1f} before, {loads_after[0]:.1f} after ({os.cpu_count()} cores){options}")
    print(f"{'measure':<46}{'median  [min .. max]':>36}   {'engine alone':>14}   target")
    print(f"{'page load to every chart drawn (s)':<46}{spread(rows['load']):>36}   "
          f"{bare_load * 1000:11.2f} ms")
    print(f"{'Step click to every chart redrawn (ms)':<46}{spread(rows['click']):>36}   "
          f"{bare_step * 1000:11.2f} ms   <= 200 ms")
    print(f"{f'{LONG_RUN:,} steps, Run to click to final picture (s)':<46}{spread(rows['run']):>36}   "
          f"{statistics.median(rows['bare']):11.3f} s")
    print(f"{'  the same, as a multiple of the engine alone':<46}{spread(rows['ratio']):>36}   "
          f"{'(paired)':>14}   <= 1.3x")
    print(f"{'  against the engine at the workers priority':<46}{spread(rows['niced_ratio']):>36}   "
          f"{statistics.median(rows['niced']):11.3f} s   (nice {WORKER_NICENESS})")
    for chart in rows["rates"][0]:
        target = ">= 20 /s" if chart == "curve" else ">= 10 /s"
        print(f"{f'frames drawn per second while running: {chart}':<46}"
              f"{spread([r.get(chart, 0) for r in rows['rates']]):>36}   {'':>14}   {target}")
    n = args.sessions
    print(f"\n{n} sessions running at once ({cpu['window']:.1f} s window, websocket clients asking like the browser):")
    print(f"  Streamlit process (pages, fragment reruns, payloads, scheduler thread): "
          f"{cpu['streamlit'] * 100:5.1f} % of a core, {cpu['streamlit'] * 100 / n:5.1f} % per session"
          "   target <= 15 % per session")
    print(f"  worker processes (training slices, nice 10):                            "
          f"{cpu['workers'] * 100:5.1f} % of a core, {cpu['workers'] * 100 / n:5.1f} % per session")
    print(f"  this benchmark's clients:                                               {cpu['client'] * 100:5.1f} %")
    print(f"  waiting, runnable, for a CPU (other load): Streamlit threads {cpu['waits'][0] * 100:.0f} %, "
          f"workers {cpu['waits'][1] * 100:.0f} % of the window")
    print(f"  training: {cpu['steps_per_second']:,.0f} network-steps/s in all; the engine alone, {n} nets stacked: "
          f"{stacked_rate:,.0f} per CPU second; {cpu['payloads']} payloads, {cpu['exceptions']} exceptions")
    for count, memory in cpu["memory"].items():
        own, workers = memory["streamlit"], memory["workers"]
        print(f"server memory, {count:>2} session(s) open: Streamlit RSS {own[0]:6.1f} MB, "
              f"workers RSS {workers[0]:6.1f} MB, all together PSS {own[1] + workers[1]:6.1f} MB")
    print("\nscreenshot strip during a run:")
    for at, step, path in strip:
        print(f"  {at:5.2f} s  curve at step {step:>6,}  {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
