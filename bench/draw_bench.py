"""What static/liveview.js costs to draw in Chromium, and whether its playback keeps up, measured in one run.

    python3 bench/draw_bench.py [--rounds 5]

No Streamlit server: it serves static/ with the harness page of tests/browser/test_liveview_js.py (a fake
component that calls render() with payloads built like the server's) and drives Debian's Chromium
(/usr/bin/chromium) headless through Playwright, as the browser tests do. Each round opens fresh pages and
measures:

- draw cost: the cases the browser tests draw (Train of the 3-4-1 net, a network of 8 layers of 16, the
  S-curve, the output map, 256 seeds' error lines over 8,000 steps), 25 payloads each with a new step, and the
  mean ms per redraw of every chart from the view's own counters (liveStats.ms / liveStats.draws); targets
  50 ms, 150 ms for the 256 translucent lines of the seeds chart;
- playback: the Train page's payloads arriving every 250 ms with 5 frames each (fed from inside the page,
  as a running server sends them), the new steps each chart draws per second in the steady part (from
  the third payload to the last; the error curve draws one each time its revealed step moves), targets 20
  a second for the curve and 10 for the others; and the ms from each payload's arrival until w0 draws its
  newest step, from the view's draw log, target 650 ms for the worst of them.

Medians over rounds are printed with [min .. max]; nothing is asserted. The load averages are printed too:
on a shared machine other work shows in every figure here. The medians go to
test-artifacts/liveview-draw-cost.json and test-artifacts/liveview-playback.json.
"""

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from procstats import load_average  # noqa: E402

from tests.browser.conftest import ARTIFACTS, launch_chromium  # noqa: E402
from tests.browser.test_liveview_js import (  # noqa: E402
    PLAYBACK_FRAMES,
    PLAYBACK_GAP_MS,
    PLAYBACK_PAYLOADS,
    deep_network,
    feed,
    harness_page,
    map_payload,
    playback_payloads,
    scurve_payload,
    seeds_payload,
    serve_static,
    settle,
    stats,
    train_payload,
)

REDRAWS = 25
# name: (payload for serial and step, whether its content changes with the step; if not it is sent once
# and copied in the page, which spares moving 2 MB of seeds' lines 25 times through the driver)
CASES = {
    "train": (lambda serial, step: train_payload(serial, step), True),
    "deep": (lambda serial, step: train_payload(serial, step, layers=deep_network(), key="deep"), True),
    "scurve": (scurve_payload, True),
    "map": (map_payload, True),
    "seeds": (lambda serial, step: seeds_payload(serial, networks=256, steps=8000, running=False), False),
}
PLAYBACK_CHARTS = ("curve", "w0", "w1", "net", "outputs")
COST_TARGET_MS, LINES_TARGET_MS = 50, 150
RATE_TARGET = {"curve": 20}  # new steps drawn a second; 10 for the others
OTHER_RATE_TARGET = 10
LAG_TARGET_MS = 650

# Feeds `n` payloads in a row: copies of list[i % len], each with its own serial and newest step.
FEED_ALL = """([list, n, serial0, step0]) => {
    for (let i = 0; i < n; i++) {
        const d = structuredClone(list[i % list.length]);
        d.serial = serial0 + i;
        d.frames.at(-1).step = step0 + i;
        feed(d);
    }
}"""


def draw_cost(browser, url):
    """Mean ms per redraw of every chart of every case, on one page as the cases follow each other."""
    page = harness_page(browser, url)
    cost = {}
    for n, (name, (make, changes)) in enumerate(CASES.items()):
        before = stats(page) if n else {"draws": {}, "ms": {}}  # no view before the first payload
        payloads = [make(1 + i, 100 + i) for i in range(REDRAWS if changes else 1)]
        page.evaluate(FEED_ALL, [payloads, REDRAWS, 1000 * (n + 1), 100])
        settle(page)
        after = stats(page)
        for spec in payloads[0]["charts"]:
            cid = spec["id"]
            draws = after["draws"][cid] - before["draws"].get(cid, 0)
            ms = after["ms"][cid] - before["ms"].get(cid, 0)
            cost[f"{name}/{spec['kind']}/{cid}"] = ms / max(1, draws)
    errors = page.errors
    page.context.close()
    return cost, errors


# Feeds the payloads `gap` ms apart from inside the page, so the gaps are a server's and not the driver's;
# [arrival time, newest step] per payload, in the page's performance.now() clock.
PLAY = """([list, gap]) => new Promise((done) => {
    const arrivals = [];
    const next = (i) => {
        feed(list[i]);
        arrivals.push([performance.now(), list[i].frames.at(-1).step]);
        if (i + 1 < list.length) setTimeout(() => next(i + 1), gap); else done(arrivals);
    };
    next(0);
})"""


def playback_measures(log, arrivals):
    """New steps drawn per second by each chart from the third arrival to the last (the steady part), and
    the ms from each payload's arrival until w0 drew its newest step (None if it never did)."""
    t0, t1 = arrivals[2][0], arrivals[-1][0]
    rate = {cid: sum(1 for t, i, _ in log if i == cid and t0 <= t <= t1) / ((t1 - t0) / 1000)
            for cid in PLAYBACK_CHARTS}
    shown = {s: t for t, i, s in log if i == "w0"}
    lags = [round(shown[s] - t) if s in shown else None for t, s in arrivals]
    return rate, lags


def playback(browser, url):
    """New steps drawn per second per chart, and ms from each payload's arrival to w0 drawing its newest step."""
    page = harness_page(browser, url)
    feed(page, train_payload(1, 0))
    arrivals = page.evaluate(PLAY, [playback_payloads(), PLAYBACK_GAP_MS])
    last = arrivals[-1][1]
    page.wait_for_function("(s) => chartEl('w0').dataset.step === s && chartEl('curve').dataset.step === s",
                           arg=str(last))
    settle(page)
    rate, lags = playback_measures(stats(page)["log"], arrivals)
    errors = page.errors
    page.context.close()
    return rate, lags, errors


def row(name, values, target="", digits=2):
    """A line: name, median, target, then [min .. max] over rounds."""
    values = sorted(values)
    return (f"{name:<30}{statistics.median(values):9.{digits}f}   {target:<10}"
            f"[{values[0]:.{digits}f} .. {values[-1]:.{digits}f}]")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each on fresh pages (medians are printed)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    loads_before = load_average()
    costs, rates, lags, errors = [], [], [], []
    with serve_static() as url, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for _ in range(args.rounds):
            cost, cost_errors = draw_cost(browser, url)
            rate, round_lags, play_errors = playback(browser, url)
            costs.append(cost)
            rates.append(rate)
            lags.append(round_lags)
            errors += cost_errors + play_errors
        browser.close()
    loads_after = load_average()

    print(f"static/liveview.js in headless Chromium; {args.rounds} round(s); load average {loads_before[0]:.1f} "
          f"before, {loads_after[0]:.1f} after ({os.cpu_count()} cores)")
    print(f"\ndraw cost: mean ms per redraw, {REDRAWS} payloads a case")
    print(f"{'case/kind/chart':<30}{'median':>9}   {'target':<10}[min .. max]")
    medians = {}
    for name in costs[0]:
        values = [cost[name] for cost in costs]
        medians[name] = round(statistics.median(values), 2)
        target = LINES_TARGET_MS if "/lines/" in name else COST_TARGET_MS
        print(row(name, values, f"< {target}"))

    print(f"\nplayback: {PLAYBACK_PAYLOADS} payloads {PLAYBACK_GAP_MS} ms apart, {PLAYBACK_FRAMES} frames each")
    print(f"{'new steps drawn a second':<30}{'median':>9}   {'target':<10}[min .. max]")
    rate_medians = {}
    for cid in PLAYBACK_CHARTS:
        values = [rate[cid] for rate in rates]
        rate_medians[cid] = round(statistics.median(values), 2)
        print(row(cid, values, f">= {RATE_TARGET.get(cid, OTHER_RATE_TARGET)}", 1))
    drawn = [[lag for lag in round_lags if lag is not None] for round_lags in lags]
    missed = sum(len(round_lags) - len(seen) for round_lags, seen in zip(lags, drawn))
    print("arrival to newest drawn, ms")
    print(row("  worst payload of a round", [max(seen, default=0) for seen in drawn], f"<= {LAG_TARGET_MS}", 0))
    print(row("  median payload of a round", [statistics.median(seen or [0]) for seen in drawn], "", 0))
    print(f"{'  newest frames never drawn':<30}{missed:>9} of {sum(len(round_lags) for round_lags in lags)}")
    if errors:
        print(f"\nerrors in the pages: {errors}")

    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "liveview-draw-cost.json").write_text(json.dumps(medians, indent=1))
    (ARTIFACTS / "liveview-playback.json").write_text(json.dumps(
        {"rate": rate_medians, "lags_ms": [statistics.median(column) if None not in column else None
                                           for column in zip(*lags)]}, indent=1))


if __name__ == "__main__":
    main()
