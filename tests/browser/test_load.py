"""The load benchmark's client (bench/streamlit_client.py) against the real server, kept honest on a small class.

Three websocket sessions open links with different presets and seeds, press Run to within a second, and
must each end with exactly the outputs of their own network trained alone, every frame they were shown
being their own network's at that step. The learner in Chromium loads the page and clicks Step first.
"""

import math

import pytest

from bench.load_bench import Isolation, Learner, LiveClient, Loop, close_all, open_all, query, run_to_together

pytestmark = pytest.mark.browser

PEOPLE = [("trask-3-layer", 5), ("xor-bias", 6), ("curved", 7)]
TARGET = 1_000


def test_three_sessions_of_the_load_client_finish_with_their_own_networks_numbers(app_server, browser):
    loop, isolation = Loop(), Isolation()
    try:
        clients = [LiveClient(app_server.url, query(key, seed)) for key, seed in PEOPLE]
        for client, (key, seed) in zip(clients, PEOPLE):
            isolation.watch(client, key, seed)
        loop.run(open_all(clients))
        assert all(client.data["controls"]["running"] is False for client in clients)
        # the learner's measurement runs once, on the quiet server: here it only has to work
        load, clicks = Learner(browser, f"{app_server.url}/?{query('trask-3-layer', 1)}").feel(clicks=2)
        finished = loop.run(run_to_together(clients, TARGET))
        assert all(math.isfinite(seconds) for seconds in finished), finished
        assert not any(client.exceptions for client in clients)
        assert all(client.data["controls"]["acked"] == {client.mount: 1} for client in clients)  # the click, once
        shown = {(key, seed): client.data for client, (key, seed) in zip(clients, PEOPLE)}
        loop.run(close_all(clients))
    finally:
        loop.close()

    finals, checked = isolation.replay(TARGET, workers=1)
    assert isolation.problems == []
    assert checked >= 2 * len(PEOPLE)  # several frames of each session, not only its last
    for (key, seed), data in shown.items():
        frame = data["frames"][-1]
        assert frame["step"] == TARGET
        assert frame["charts"]["outputs"]["columns"] == finals[key, seed], (key, seed)
    assert load > 0 and len(clicks) == 2 and all(ms > 0 for ms in clicks)
