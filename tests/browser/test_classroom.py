"""A classroom: twenty people open their own links and train at the same moment on one server.

Nineteen of them are the load benchmark's websocket sessions (bench/streamlit_client.py), which ask
the live view for its payloads as the browser does but draw nothing, so the server keeps the
machine's cores as it would in a real class, where every learner has a computer of their own. The
twentieth is a real Chromium, whose page must show what its own network alone would.
"""

import math

import pytest

from bench.load_bench import Isolation, LiveClient, Loop, close_all, open_all, query, run_to_together
from engine.presets import PRESETS

from .conftest import assert_no_exception, button, engine_outputs, metric, table_column, wait_metric, wait_settled

pytestmark = [pytest.mark.browser, pytest.mark.classroom]

SESSIONS = 20
TARGET = 4_000
# Presets with different tables, column counts and scalings, so a leak between sessions would show.
PRESET_CYCLE = ["trask-3-layer", "xor-bias", "test-score", "trask-2-layer", "single-neuron", "video-blog", "curved"]
FINISH_MS = 180_000


def classroom():
    """(preset key, seed) for each person."""
    return [(PRESET_CYCLE[i % len(PRESET_CYCLE)], 100 + i) for i in range(SESSIONS)]


def test_twenty_sessions_train_at_once_without_seeing_each_other(new_page, app_server):
    (browser_key, browser_seed), *people = classroom()
    page = new_page(timeout_ms=FINISH_MS)
    page.goto(f"{app_server.url}/?{query(browser_key, browser_seed)}")
    wait_settled(page)
    page.get_by_label("Run to step", exact=True).fill(str(TARGET))

    loop, isolation = Loop(), Isolation()
    try:
        clients = [LiveClient(app_server.url, query(key, seed)) for key, seed in people]
        for client, (key, seed) in zip(clients, people):
            isolation.watch(client, key, seed)
        loop.run(open_all(clients))
        # Everyone presses Run to within a second: the sessions on their own schedule, the browser meanwhile.
        together = loop.submit(run_to_together(clients, TARGET))
        button(page, "Run to").click()
        finished = together.result(timeout=FINISH_MS / 1000)
        wait_metric(page, "Step", f"{TARGET:,}", timeout=FINISH_MS)
        wait_metric(page, "State", "paused", timeout=FINISH_MS)
        assert all(math.isfinite(seconds) for seconds in finished), finished
        assert not any(client.exceptions for client in clients)
        assert all(client.data["controls"]["acked"] == {client.mount: 1} for client in clients)  # each click, once
        shown = {(key, seed): client.data for client, (key, seed) in zip(clients, people)}
        loop.run(close_all(clients))
    finally:
        loop.close()

    wait_settled(page, timeout=FINISH_MS)  # read only once every chart and table shows the same step
    preset = PRESETS[browser_key]
    targets = [[f"{row[preset.columns.index(name)]:g}" for row in preset.rows] for name in preset.outputs]
    assert table_column(page, "target") == targets
    assert table_column(page, "output") == engine_outputs(browser_key, TARGET, seed=browser_seed)
    assert metric(page, "Step") == f"{TARGET:,}"
    assert_no_exception(page)

    # Every frame any session was shown is its own network's at that step, and each ends where it would alone.
    finals, checked = isolation.replay(TARGET, workers=1)
    assert isolation.problems == []
    assert checked >= 2 * len(people)
    for (key, seed), data in shown.items():
        frame = data["frames"][-1]
        assert frame["step"] == TARGET
        assert frame["charts"]["outputs"]["columns"] == finals[key, seed], (key, seed)
    assert app_server.healthy()
    assert app_server.process.poll() is None
