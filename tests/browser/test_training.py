"""Training as people see it: the numbers in the browser are the engine's, edits reach the network, links replay."""

import time
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from engine import NetworkConfig, Trainer
from engine.presets import PRESETS
from ui import limits

from .conftest import (
    assert_no_exception,
    button,
    click_once,
    edit_cell,
    engine_outputs,
    heatmaps_drawn,
    metric,
    open_app,
    run_to,
    set_number,
    steps_shown,
    table_column,
    wait_charts_drawn,
    wait_metric,
    wait_settled,
    wait_steps_above,
)

pytestmark = pytest.mark.browser

LONG_RUN_MS = 90_000  # a 60,000-step run takes a few seconds alone, longer on a busy machine


def decimals(number):
    return len(repr(float(number)).split(".")[1])


@pytest.mark.parametrize("preset_key", ["trask-3-layer", "video-blog"])
def test_run_to_the_tutorial_step_count_gives_the_engine_outputs(page, app_url, preset_key):
    preset = PRESETS[preset_key]
    open_app(page, app_url, query=f"preset={preset_key}")
    assert page.get_by_label("Run to step", exact=True).input_value() == str(preset.steps)
    run_to(page, preset.steps, timeout=LONG_RUN_MS)
    shown = table_column(page, "output")
    assert shown == engine_outputs(preset_key, preset.steps)
    if "outputs" in preset.published:  # the blog post printed them after training
        for cell, (printed,) in zip(shown[0], preset.published["outputs"]):
            assert round(float(cell), decimals(printed)) == printed
    assert wait_charts_drawn(page, 5) == 5
    assert_no_exception(page)


def test_an_edited_cell_reaches_the_network(page, app_url):
    """Row 1's target set to 1 on the Data page: Train shows it, and 100 steps match the engine on that table."""
    open_app(page, app_url, "data")
    edit_cell(page, 0, 3, "1")
    page.wait_for_url("**table=*")  # the link now carries the edited table
    wait_settled(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Train", exact=True).click()
    page.get_by_test_id("stMain").locator("h1").get_by_text("Train", exact=True).wait_for()
    wait_settled(page)
    assert table_column(page, "target") == [["1", "1", "1", "0"]]

    button(page, "Step ×100").click()
    wait_metric(page, "Step", "100")
    wait_settled(page)
    preset = PRESETS["trask-3-layer"]
    X = np.array([row[:3] for row in preset.rows], dtype=np.float64)
    Y = np.array([[1.0], [1.0], [1.0], [0.0]])
    trainer = Trainer(NetworkConfig(layer_sizes=(3, 4, 1), seed=1), X, Y)
    trainer.run(100)
    expected = [[f"{value:.8f}" for value in trainer.predict(X)[:, 0]]]
    assert table_column(page, "output") == expected
    assert expected != engine_outputs("trask-3-layer", 100), "the edit should change what the network learns"
    assert_no_exception(page)


def test_pause_stops_the_step_counter(page, app_url):
    """Run, then Pause, three times over: each time the counter holds still within a second."""
    open_app(page, app_url)
    for _ in range(3):
        start = steps_shown(page)
        button(page, "▶ Run").click()
        pause = button(page, "⏸ Pause")
        pause.wait_for()
        wait_steps_above(page, start)
        click_once(page, pause)
        button(page, "▶ Run").wait_for()
        wait_settled(page)
        time.sleep(1)
        first = steps_shown(page)
        time.sleep(1)
        second = steps_shown(page)
        assert first == second
        assert start < second < limits.MAX_TOTAL_STEPS
        assert metric(page, "State") == "paused"
    assert_no_exception(page)


def test_a_shared_link_replays_the_same_run(page, new_page, app_url):
    open_app(page, app_url)
    set_number(page, "Seed", 7)
    page.wait_for_url("**seed=7*")
    button(page, "Step ×100").click()
    wait_metric(page, "Step", "100")
    button(page, "Step ×10").click()
    wait_metric(page, "Step", "110")
    page.wait_for_url("**steps=110*")
    wait_settled(page)
    link = page.url
    assert parse_qs(urlsplit(link).query)["seed"] == ["7"]

    page.get_by_role("button", name="Share this run").click()
    shared = page.locator('[data-role="share-link"]').inner_text().strip()
    assert parse_qs(urlsplit(shared).query) == parse_qs(urlsplit(link).query)
    page.keyboard.press("Escape")

    assert wait_charts_drawn(page, 5) == 5
    outputs, weights = table_column(page, "output"), heatmaps_drawn(page)
    assert outputs == engine_outputs("trask-3-layer", 110, seed=7)

    other = new_page()
    other.goto(link)
    other.get_by_test_id("stSidebarNav").wait_for()
    wait_settled(other)
    wait_metric(other, "Step", "110")
    assert wait_charts_drawn(other, 5) == 5
    wait_settled(other)
    assert table_column(other, "output") == outputs
    assert heatmaps_drawn(other) == weights
    assert_no_exception(other)


def test_a_bad_cell_is_named_and_the_last_good_table_stays(page, app_url):
    open_app(page, app_url, "data")
    edit_cell(page, 1, 0, "abc")
    error = page.get_by_test_id("stAlertContentError")
    error.wait_for()
    text = error.inner_text()
    assert "Row 2" in text and "x1" in text and "abc" in text, text
    assert_no_exception(page)

    page.get_by_test_id("stSidebarNav").get_by_text("Train", exact=True).click()
    page.get_by_test_id("stMain").locator("h1").get_by_text("Train", exact=True).wait_for()
    wait_settled(page)
    assert wait_charts_drawn(page, 5) == 5
    assert table_column(page, "output") == engine_outputs("trask-3-layer", 0)
    assert_no_exception(page)
