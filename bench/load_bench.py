"""A class on one server: many browser sessions at once, and one real browser for what a learner feels meanwhile.

    python3 bench/load_bench.py [--sessions 30] [--steps 60000] [--rounds 2]

The sessions are websocket clients (bench/streamlit_client.py) that do what the live view's
browser module does: load a link, press Run to through the "actions" state value, and ask for
payloads with "tick" triggers while the run goes on; they never draw, so the server's two cores
are measured with the server alone on them, apart from one headless Chromium: the learner who
opens the app meanwhile and clicks Step. The server is started here on a free loopback port and
stopped afterwards. Scenarios:

- class: every session loads the 3-4-1 net (its own seed) and presses Run to within one second;
  each must end with the engine's exact outputs for its seed (engine.presets.build_trainer,
  trained alone), and the time from its click to its final payload is recorded;
- learner: meanwhile, Chromium loads the Train page (until every chart has drawn) and clicks Step
  (until every chart shows the new step), and does the same on the idle server in the same round;
- mixed: the same with every preset and a seed each; every payload a session receives must hold
  its own table, and every frame its own network's weights and outputs at that step;
- idle: sessions open and doing nothing, against the server with none;
- closed: sessions running, then every tab closed at once: how long training goes on.

Rounds alternate whether the idle or the busy learner goes first. The engine's bare time for the
same work (every network of the class stacked in one engine call, as the scheduler would at best)
is measured in each round, so finishing times are also printed as multiples of it. Medians and 90th
percentiles are printed with the machine's load averages: other work on it shows in every time.
"""

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from procstats import ServerProcesses, load_average, server_options  # noqa: E402
from streamlit_client import LiveClient, newest_step, outputs, running  # noqa: E402

from engine import Trainer  # noqa: E402
from engine.presets import PRESETS, build_trainer, preset_table  # noqa: E402
from ui.payloads import clean  # noqa: E402
from ui.scheduler import WORKER_NICENESS  # noqa: E402

CLASS_PRESET = "trask-3-layer"
MIXED_PRESETS = tuple(PRESETS)
CLICK_SPREAD = 1.0  # everyone presses within this many seconds
OPEN_AT_ONCE = 6  # links opened concurrently while the class sits down (not timed)
LEARNER_CLICKS = 10
FINISH_TIMEOUT = 180.0
IDLE_WINDOW = 5.0
CLOSE_QUIET = 0.3  # the workers count as stopped once their CPU time has not grown for this long


def query(key, seed):
    return f"preset={key}&seed={seed}&steps=0"


def percentile(values, q):
    """The q-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


# -- what the engine says -------------------------------------------------------------------------


def one_click(key, steps):
    """The step a Run to `steps` click reaches on preset `key`: the server grants one click's work at most."""
    from ui import limits
    from ui.state import Playground

    return min(steps, limits.steps_within_budget(Playground.from_preset(key).trainer, steps))


def stacked_seconds(people, steps):
    """CPU seconds the engine alone needs for everyone's networks, each preset's networks stacked in one call."""
    groups = {}
    for key, seed in people:
        groups.setdefault(key, []).append(seed)
    started = time.process_time()
    for key, seeds in groups.items():
        trainer, _ = build_trainer(PRESETS[key])
        Trainer(trainer.config, trainer.X, trainer.Y, seeds=seeds).run(steps)
    return time.process_time() - started


def stacked_seconds_niced(people, steps):
    """Wall seconds of the same in a process at the workers' priority, as the app trains: on a busy machine
    a niced process gets less of a core, which is no fault of the scheduler's."""
    code = (f"import os, sys, time; sys.path.insert(0, {str(ROOT)!r}); os.nice({WORKER_NICENESS}); "
            "from bench.load_bench import stacked_seconds; started = time.perf_counter(); "
            f"stacked_seconds({json.dumps(people)}, {steps}); print(time.perf_counter() - started)")
    return float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout)


class Isolation:
    """What sessions were shown, checked against their own table now and their own network afterwards.

    Called with every payload: the outputs table's fixed columns must be the session's own table.
    Every frame (step, first weight matrix as drawn, outputs table when the frame has one) is kept
    per (preset, seed), across rounds, for replay() to compare with that network trained alone.
    """

    def __init__(self):
        self.people = {}  # LiveClient -> (preset key, seed)
        self.frames = {}  # (preset key, seed) -> {step: [(w0 as drawn, outputs or None), ...]}
        self.problems = []

    def watch(self, client, key, seed):
        self.people[client] = (key, seed)
        self.frames.setdefault((key, seed), {})
        client.on_payload = self

    def __call__(self, client, data):
        key, seed = self.people[client]
        preset = PRESETS[key]
        X, Y = preset_table(preset)
        own = {**{name: X[:, j].tolist() for j, name in enumerate(preset.inputs)},
               **{f"{name} (target)": Y[:, j].tolist() for j, name in enumerate(preset.outputs)}}
        table = next((c for c in data["charts"] if c["id"] == "outputs"), None)
        if table is None or table["fixed"] != own:
            self.problems.append(f"{key} seed {seed}: a payload with another table")
        seen = self.frames[key, seed]
        for frame in data.get("frames", []):
            charts = frame.get("charts", {})
            if "w0" in charts:
                seen.setdefault(frame["step"], []).append((charts["w0"]["z"], charts.get("outputs")))

    def replay(self, steps, workers=2):
        """Compare every frame kept with the engine; ({(key, seed): outputs after `steps`}, frames compared)."""
        from concurrent.futures import ProcessPoolExecutor

        jobs = [(key, seed, one_click(key, steps), frames) for (key, seed), frames in self.frames.items()]
        finals, checked = {}, 0
        with ProcessPoolExecutor(workers) as pool:
            for (key, seed, _, _), (final, count, problems) in zip(jobs, pool.map(replay_one, *zip(*jobs))):
                finals[key, seed] = final
                checked += count
                self.problems += problems
        return finals, checked


def replay_one(key, seed, steps, frames):
    """Train one network alone up to `steps`, comparing the frames shown of it on the way.

    Returns ({"<output> (output)": values} after `steps`, frames compared, problems).
    """
    preset = PRESETS[key]
    trainer, scaler = build_trainer(preset, seed=seed)
    names = [f"{name} (output)" for name in preset.outputs]

    def outputs_now():
        raw = scaler.outputs_back(trainer.predict(trainer.X))
        return {name: raw[:, j].tolist() for j, name in enumerate(names)}

    problems, count = [], 0
    for step in sorted(s for s in frames if s <= steps):
        trainer.run(step - trainer.steps)
        W, b = trainer.weights()[0], trainer.biases()
        drawn_now = clean(np.vstack([W, b[0][None]]) if b else W)
        for drawn, table in frames[step]:
            count += 1
            if drawn != drawn_now:
                problems.append(f"{key} seed {seed}: step {step} drawn with other weights")
            if table is not None and table["columns"] != outputs_now():
                problems.append(f"{key} seed {seed}: step {step} shows other outputs")
    trainer.run(steps - trainer.steps)
    return outputs_now(), count, problems


# -- the sessions --------------------------------------------------------------------------------


class Loop:
    """An asyncio loop on a thread of its own: Playwright's sync API owns the main thread's loop."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def submit(self, coroutine):
        """A concurrent.futures.Future of the coroutine's result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def run(self, coroutine):
        return self.submit(coroutine).result()

    def close(self):
        """Cancel whatever is still waiting (a session that never finished), then stop the loop."""
        async def cancel_the_rest():
            rest = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        self.run(cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


async def open_all(clients):
    """Open every client's link, a few at a time, as a class arriving."""
    gate = asyncio.Semaphore(OPEN_AT_ONCE)

    async def one(client):
        async with gate:
            await client.open(FINISH_TIMEOUT)

    await asyncio.gather(*(one(client) for client in clients))


async def run_to_together(clients, steps, seed=0, reached=None):
    """Everyone presses Run to `steps` within CLICK_SPREAD seconds; seconds from each click to its final payload.

    reached: per client, the step its click reaches (one click's work may stop short of `steps`); default `steps`.
    """
    order = random.Random(seed).sample(range(len(clients)), len(clients))
    reached = reached or [steps] * len(clients)

    async def one(rank, client):
        await asyncio.sleep(CLICK_SPREAD * rank / len(clients))
        clicked = time.perf_counter()
        await client.act("run_to", steps)
        end = reached[clients.index(client)]
        done = await client.follow(lambda d: newest_step(d) == end and not running(d), FINISH_TIMEOUT)
        return time.perf_counter() - clicked if done else float("inf")

    return await asyncio.gather(*(one(rank, clients[i]) for rank, i in enumerate(order)))


async def close_all(clients):
    await asyncio.gather(*(client.close() for client in clients))


class MemoryPeak:
    """Samples the server's memory on a thread until stopped; keeps the largest total (PSS) seen."""

    def __init__(self, processes, every=0.5):
        self.processes, self.every = processes, every
        self.peak = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self):
        while not self._stop.is_set():
            memory = self.processes.memory_mib()
            total = memory["streamlit"][1] + memory["workers"][1]
            if self.peak is None or total > self.peak[0]:
                self.peak = (total, memory)
            self._stop.wait(self.every)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.peak


# -- one scenario ---------------------------------------------------------------------------------


def class_round(loop, server, processes, people, steps, isolation, learner=None, round_=0):
    """One class pressing Run to `steps`; the learner (if any) measures meanwhile and on the idle server."""
    clients = [LiveClient(server.url, query(key, seed)) for key, seed in people]
    for client, (key, seed) in zip(clients, people):
        isolation.watch(client, key, seed)
    loop.run(open_all(clients))
    opened = processes.memory_mib()
    first = round_ % 2 == 0  # who goes first alternates: the references or the class
    idle_feel = learner.feel() if learner is not None and first else None
    bare, niced = (stacked_seconds(people, steps), stacked_seconds_niced(people, steps)) if first else (None, None)
    peak = MemoryPeak(processes)
    cpu_before, waits_before, started = processes.cpu(), processes.waiting(), time.perf_counter()
    reached = [one_click(key, steps) for key, _ in people]
    future = loop.submit(run_to_together(clients, steps, seed=round_, reached=reached))
    busy_feel = learner.feel() if learner is not None else None
    finish = future.result()
    wall = time.perf_counter() - started
    cpu_after, waits_after = processes.cpu(), processes.waiting()
    memory_peak = peak.stop()
    if learner is not None and idle_feel is None:
        idle_feel = learner.feel()
    if bare is None:
        bare, niced = stacked_seconds(people, steps), stacked_seconds_niced(people, steps)
    shown = [(key, seed, outputs(client.data)) for client, (key, seed) in zip(clients, people)]
    exceptions = sum(len(client.exceptions) for client in clients)
    loop.run(close_all(clients))
    return {"finish": finish, "bare": bare, "niced": niced, "wall": wall, "shown": shown, "exceptions": exceptions,
            "waits": [(after - before) / wall for before, after in zip(waits_before, waits_after)],
            "opened": opened, "peak": memory_peak, "idle_feel": idle_feel, "busy_feel": busy_feel,
            "streamlit_cpu": cpu_after[0] - cpu_before[0], "workers_cpu": cpu_after[1] - cpu_before[1],
            "ticks": sum(client.ticks for client in clients), "payloads": sum(client.payloads for client in clients)}


def exact_count(rounds, finals):
    """How many sessions of these rounds ended showing exactly the outputs of their network trained alone."""
    return sum(shown == finals[key, seed] for r in rounds for key, seed, shown in r["shown"])


def idle_cost(loop, server, processes, n):
    """CPU seconds per second of the server with no session, then with n sessions open and idle."""
    def window():
        before, started = processes.cpu(), time.perf_counter()
        time.sleep(IDLE_WINDOW)
        after = processes.cpu()
        return sum(after) - sum(before), time.perf_counter() - started

    alone, seconds = window()
    clients = [LiveClient(server.url, query(CLASS_PRESET, i + 1)) for i in range(n)]
    loop.run(open_all(clients))
    time.sleep(1.0)  # the last first-runs settle
    busy, seconds_open = window()
    loop.run(close_all(clients))
    return alone / seconds, busy / seconds_open


def closing(loop, server, processes, n):
    """Seconds from closing n running tabs at once until the workers' CPU time stops growing."""
    clients = [LiveClient(server.url, query(CLASS_PRESET, i + 1)) for i in range(n)]
    loop.run(open_all(clients))

    async def start():
        for client in clients:
            await client.act("run")
        stop = asyncio.Event()
        followers = [asyncio.create_task(client.follow(lambda _: stop.is_set(), FINISH_TIMEOUT)) for client in clients]
        await asyncio.sleep(3.0)
        stop.set()
        await asyncio.gather(*followers)
        return [newest_step(client.data) for client in clients]

    steps = loop.run(start())
    closed = time.perf_counter()
    loop.run(close_all(clients))
    last_change, workers = closed, processes.cpu()[1]
    while time.perf_counter() - last_change < CLOSE_QUIET and time.perf_counter() - closed < 30:
        time.sleep(0.01)
        now = processes.cpu()[1]
        if now != workers:
            workers, last_change = now, time.perf_counter()
    return last_change - closed, sum(1 for s in steps if s)


# -- the learner ---------------------------------------------------------------------------------


class Learner:
    """One real Chromium: a learner who opens the Train page and clicks Step (see bench/ui_bench.py)."""

    def __init__(self, browser, url):
        self.browser, self.url = browser, url

    def feel(self, clicks=LEARNER_CLICKS):
        """(seconds to load the page until every chart has drawn, [ms from each Step click to redrawn charts])."""
        from ui_bench import open_train, step_click_ms

        context, page, load = open_train(self.browser, self.url)
        try:
            clicks = [step_click_ms(page) for _ in range(clicks)]
        finally:
            context.close()
        return load, clicks


# -- report ---------------------------------------------------------------------------------------


def row(name, values, unit, target="", scale=1.0):
    values = [v * scale for v in values]
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        print(f"  {name:<52} {'none finished':>30}  {target}")
        return
    print(f"  {name:<52} {statistics.median(values):9.3f} {percentile(values, 90):9.3f} {max(values):9.3f} "
          f"{unit:<6}{target}")


def report(title, rounds, people, steps, isolation, finals, checked):
    n = len(people)
    short = sorted({(key, one_click(key, steps)) for key, _ in people if one_click(key, steps) < steps})
    print(f"\n{title}: {n} sessions, Run to {steps:,} within {CLICK_SPREAD:g} s, {len(rounds)} round(s)"
          + "".join(f"; {key} stops at {end:,} (one click's work)" for key, end in short))
    print(f"  {'':<52} {'median':>9} {'p90':>9} {'max':>9}")
    row("click to final payload, each session", [f for r in rounds for f in r["finish"]], "s",
        "target: all within 15 s")
    row("engine alone, every network of the class stacked", [r["bare"] for r in rounds], "s CPU")
    row("  the same at the workers' priority (nice 10)", [r["niced"] for r in rounds], "s")
    row("click to final payload / engine alone at nice 10", [f / r["niced"] for r in rounds for f in r["finish"]],
        "x")
    print(f"  exact engine outputs at the end: {exact_count(rounds, finals)} of {n * len(rounds)}; "
          f"{checked:,} frames compared with each network trained alone, {len(isolation.problems)} problems"
          + (f" ({isolation.problems[:3]})" if isolation.problems else ""))
    print(f"  exception boxes: {sum(r['exceptions'] for r in rounds)}; ticks {sum(r['ticks'] for r in rounds)}, "
          f"payloads {sum(r['payloads'] for r in rounds)}")
    for r in rounds:
        streamlit, workers = r["streamlit_cpu"] / r["wall"], r["workers_cpu"] / r["wall"]
        print(f"  CPU over {r['wall']:.1f} s: Streamlit process {streamlit * 100:.0f} % of a core "
              f"({streamlit * 100 / n:.1f} % per session), workers {workers * 100:.0f} %; waiting, runnable, "
              f"for a CPU: Streamlit threads {r['waits'][0] * 100:.0f} %, workers {r['waits'][1] * 100:.0f} %")
    for r in rounds:
        total, memory = r["peak"]
        opened = r["opened"]
        print(f"  memory with {n} sessions open: PSS {opened['streamlit'][1] + opened['workers'][1]:.0f} MB "
              f"(Streamlit RSS {opened['streamlit'][0]:.0f} MB); peak while running: PSS {total:.0f} MB "
              f"(Streamlit RSS {memory['streamlit'][0]:.0f} MB, workers RSS {memory['workers'][0]:.0f} MB)"
              "   target < 400 MB")
    feels = [(r["idle_feel"], r["busy_feel"]) for r in rounds if r["busy_feel"] is not None]
    if feels:
        print("  the learner in Chromium, on the server with the class idle, and with the class running:")
        row("page load until every chart has drawn, class idle", [idle[0] for idle, _ in feels], "s")
        row("page load until every chart has drawn, class running", [busy[0] for _, busy in feels], "s",
            "target < 3 s")
        row("  running / idle, paired by round", [busy[0] / idle[0] for idle, busy in feels], "x")
        row("Step click to every chart redrawn, class idle", [c for idle, _ in feels for c in idle[1]], "ms")
        row("Step click to every chart redrawn, class running", [c for _, busy in feels for c in busy[1]], "ms",
            "target p90 < 300 ms")
        row("  running / idle medians, paired by round",
            [statistics.median(busy[1]) / statistics.median(idle[1]) for idle, busy in feels], "x")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--steps", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each class scenario")
    parser.add_argument("--no-browser", action="store_true", help="skip the learner in Chromium")
    parser.add_argument("--server-option", action="append", default=[], metavar="NAME=VALUE",
                        help="a Streamlit config option for the server, e.g. runner.postScriptGC=false (repeatable)")
    args = parser.parse_args()
    os.environ.update(server_options(args.server_option))
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARTIFACTS, AppServer, launch_chromium

    n = args.sessions
    same = [(CLASS_PRESET, seed) for seed in range(1, n + 1)]
    mixed = [(MIXED_PRESETS[i % len(MIXED_PRESETS)], 100 + i) for i in range(n)]
    loads = [load_average()]
    loop = Loop()
    with AppServer(ARTIFACTS / "load-bench-server.log") as server, sync_playwright() as playwright:
        processes = ServerProcesses(server.process.pid)
        browser = None if args.no_browser else launch_chromium(playwright)
        url = f"{server.url}/?{query(CLASS_PRESET, 1)}"
        learner = None if browser is None else Learner(browser, url)
        # the server's first run imports everything and its first Run starts the worker pool: not timed
        loop.run(run_warm(server))
        idle = idle_cost(loop, server, processes, n)
        same_seen, mixed_seen = Isolation(), Isolation()
        same_rounds = [class_round(loop, server, processes, same, args.steps, same_seen, learner, r)
                       for r in range(args.rounds)]
        loads.append(load_average())
        mixed_rounds = [class_round(loop, server, processes, mixed, args.steps, mixed_seen, None, r)
                        for r in range(args.rounds)]
        close_seconds, were_running = closing(loop, server, processes, n)
        loads.append(load_average())
        if browser is not None:
            browser.close()
    loop.close()
    # the server is gone: now every network is trained again alone, two at a time
    same_finals, same_checked = same_seen.replay(args.steps)
    mixed_finals, mixed_checked = mixed_seen.replay(args.steps)

    options = f"; server options {' '.join(args.server_option)}" if args.server_option else ""
    print(f"load averages (1 min) during the run: {', '.join(f'{l[0]:.1f}' for l in loads)} on "
          f"{os.cpu_count()} cores{options}")
    report("Same preset (3-4-1 net, a seed each)", same_rounds, same, args.steps, same_seen, same_finals,
           same_checked)
    report("Mixed presets and seeds", mixed_rounds, mixed, args.steps, mixed_seen, mixed_finals, mixed_checked)
    print(f"\nidle: server CPU {idle[0] * 100:.2f} % of a core with no session, {idle[1] * 100:.2f} % with {n} "
          "sessions open and idle   target: no CPU for idle sessions")
    print(f"closed tabs: {were_running} running sessions closed at once; the workers stopped "
          f"{close_seconds:.2f} s later   target < 1 s")


async def run_warm(server):
    client = LiveClient(server.url, query(CLASS_PRESET, 1))
    await client.open(FINISH_TIMEOUT)
    await client.act("run_to", 100)
    await client.follow(lambda d: newest_step(d) == 100 and not running(d), FINISH_TIMEOUT)
    await client.close()


if __name__ == "__main__":
    main()
