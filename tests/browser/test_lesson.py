"""The overfitting lesson, start to end, in a real browser: a noisy spiral, most rows held out, a big network;
then an L2 penalty, and the test loss that stops rising. Screenshots of each stage go to test-artifacts/."""

import pytest

from .conftest import (
    DEEP,
    button,
    live_charts,
    metric,
    open_app,
    run_to,
    screenshot,
    set_number,
    wait_charts_drawn,
    wait_settled,
)

pytestmark = pytest.mark.browser
STEPS = 3000  # the test loss has passed its lowest point by then; a teacher would run 6,000


def choose(page, scope, label, option):
    """Pick `option` in the selectbox labelled `label` inside `scope`."""
    scope.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_settled(page)


def go_to(page, title):
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.get_by_test_id("stMain").locator("h1").get_by_text(title, exact=True).wait_for()
    wait_settled(page)


def wait_text(page, text):
    page.get_by_test_id("stMain").get_by_text(text).first.wait_for()
    wait_settled(page)


def chart(page, chart_id):
    return next(c for c in live_charts(page) if c["id"] == chart_id)


def test_the_overfitting_lesson_start_to_end(page, app_url):
    open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")
    choose(page, sidebar, "Preset", "Inside or outside a circle")  # tanh, bias, Xavier, learning rate 0.5

    # Data: a noisy spiral of 500 points, 60 % of them held out for testing
    go_to(page, "Data")
    page.get_by_test_id("stMain").get_by_text("Generate a data set").click()
    choose(page, page.get_by_test_id("stMain"), "Data set", "Spiral")
    set_number(page, "Points", 500)
    set_number(page, "Noise", 0.08)
    button(page, "Generate").click()
    wait_text(page, "The table is spiral: 500 points, noise 0.08")
    slider = page.get_by_test_id("stSlider").filter(has_text="Share of rows held out").get_by_role("slider")
    slider.focus()
    for _ in range(12):  # 0.05 a press
        page.keyboard.press("ArrowRight")
    wait_text(page, "300 of 500 rows held out for testing, 200 to train on")
    screenshot(page, "lesson-1-data")

    # a big network, and a loss that averages over the rows
    set_number(page, "Hidden layers", 2)
    set_number(page, "Layer 1", 16)
    set_number(page, "Layer 2", 16)
    choose(page, sidebar, "Loss", "Binary cross-entropy")

    go_to(page, "Train")
    wait_charts_drawn(page, 7)  # curve, outputs, three heatmaps, the diagram, the neurons' maps
    run_to(page, STEPS, timeout=240_000)
    curve = chart(page, "curve")
    assert curve["step"] == STEPS
    geometry = page.evaluate(DEEP + "() => deepAll('[data-chart-id=\"neurons\"]')[0].liveGeom")
    assert geometry["maps"] == geometry["drawn"] == 33  # 16 + 16 hidden neurons and the output
    overfit = {label: float(metric(page, label)) for label in ("Loss", "Test loss")}
    screenshot(page, "lesson-2-overfit")
    assert overfit["Loss"] < 0.2 < overfit["Test loss"]

    # the same run from the seed's weights, with an L2 penalty
    choose(page, sidebar, "Regularization", "L2 (half the sum of w²)")
    sidebar.get_by_test_id("stSlider").get_by_role("slider").focus()
    for _ in range(3):  # 0 → 0.0001 → 0.0003 → 0.001
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('regrate=0.001')")
    wait_settled(page)
    run_to(page, STEPS, timeout=240_000)
    penalised = {label: float(metric(page, label)) for label in ("Loss", "Test loss")}
    screenshot(page, "lesson-3-l2")
    assert penalised["Test loss"] < overfit["Test loss"] and penalised["Loss"] > overfit["Loss"]

    go_to(page, "Predict")
    wait_charts_drawn(page, 1)
    drawn = chart(page, "map")
    assert drawn["step"] == STEPS and len(drawn["data"]["z"]) == 48 * 48
    screenshot(page, "lesson-4-predict")
    assert all(part in page.url for part in ("data=spiral", "points=500", "test=0.6", "reg=l2", "regrate=0.001"))
