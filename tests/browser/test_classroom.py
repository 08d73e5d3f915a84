"""A classroom: twenty people open their own links and train at the same moment on one server."""

import pytest

from engine.presets import PRESETS

from .conftest import (
    assert_no_exception,
    button,
    engine_outputs,
    metric,
    table_column,
    wait_metric,
    wait_settled,
)

pytestmark = [pytest.mark.browser, pytest.mark.classroom]

SESSIONS = 20
TARGET = 4_000
# Presets with different tables, column counts and scalings, so a leak between sessions would show.
PRESET_CYCLE = ["trask-3-layer", "xor-bias", "test-score", "trask-2-layer", "single-neuron", "video-blog"]
FINISH_MS = 300_000  # twenty renderers on two cores: most of the time goes to drawing


def classroom():
    """(preset key, seed) for each person."""
    return [(PRESET_CYCLE[i % len(PRESET_CYCLE)], 100 + i) for i in range(SESSIONS)]


def test_twenty_sessions_train_at_once_without_seeing_each_other(new_page, app_url, app_server):
    people = classroom()
    # A laptop-sized window: twenty renderers share two cores with the server. In a real class each
    # learner has a machine of their own; here the renderers ask for reduced motion (each payload's
    # newest state, no playback in between), so they leave the server the cores it would have.
    pages = [new_page(viewport={"width": 1280, "height": 1400}, timeout_ms=FINISH_MS, reduced_motion="reduce")
             for _ in people]
    # Everyone opens their link first (one after the other: the pages are idle once drawn) ...
    for page, (key, seed) in zip(pages, people):
        page.goto(f"{app_url}/?preset={key}&seed={seed}&steps=0")
        page.get_by_test_id("stSidebarNav").wait_for()
        wait_settled(page)
        page.get_by_label("Run to step", exact=True).fill(str(TARGET))
    # ... then all press Run to within a second or so, and train at the same time.
    for page in pages:
        button(page, "Run to").click()

    for page, (key, seed) in zip(pages, people):
        wait_metric(page, "Step", f"{TARGET:,}", timeout=FINISH_MS)
        wait_metric(page, "State", "paused", timeout=FINISH_MS)
        wait_settled(page, timeout=FINISH_MS)  # read only once every chart and table shows the same step
        preset = PRESETS[key]
        targets = [[f"{row[preset.columns.index(name)]:g}" for row in preset.rows] for name in preset.outputs]
        assert table_column(page, "target") == targets, (key, seed)
        assert table_column(page, "output") == engine_outputs(key, TARGET, seed=seed), (key, seed)
        assert metric(page, "Step") == f"{TARGET:,}"
        assert_no_exception(page)

    assert app_server.healthy()
    assert app_server.process.poll() is None
