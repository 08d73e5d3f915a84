"""Every page opens in a real browser without an exception box, and its charts draw."""

from urllib.parse import parse_qs, urlsplit

import pytest

from engine.presets import PRESETS
from ui.site import PAGES

from .conftest import (
    ARTIFACTS,
    DEEP,
    PAGE_PATHS,
    AppServer,
    assert_no_exception,
    button,
    live_charts,
    open_app,
    read_table,
    set_number,
    wait_charts_drawn,
    wait_metric,
    wait_settled,
)

pytestmark = pytest.mark.browser

# Live charts each page draws for the default preset (3 inputs, one hidden layer), before any button is
# pressed. Train: error curve, outputs table, two heatmaps, network diagram.
CHARTS_ON_OPEN = {"Train": 5, "Data": 0, "S-curve": 1, "Predict": 0, "Math": 0, "Code": 0, "Seeds": 0}


@pytest.mark.parametrize("title", list(PAGE_PATHS))
def test_page_opens_by_its_address(page, app_url, title):
    open_app(page, app_url, PAGE_PATHS[title])
    assert page.get_by_test_id("stMain").locator("h1").first.inner_text().strip() == title
    expected = CHARTS_ON_OPEN[title]
    if expected:
        assert wait_charts_drawn(page, expected) == expected
    else:
        assert live_charts(page) == []
    assert_no_exception(page)


def test_a_servers_first_visit_straight_to_a_page_gets_the_whole_app(browser):
    """A class opens a link to the Predict page on a server that has just started (a deployed app wakes up).

    With a folder named pages/ beside app.py, Streamlit runs a page on its own for such a first visit, without
    app.py's navigation, sidebar or link; the app switches that off and runs the page through app.py.
    """
    with AppServer(ARTIFACTS / "streamlit-server-first-visit.log") as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = context.new_page()
            open_app(page, server.url, "predict", "preset=curved&seed=4&steps=30")
            assert page.get_by_test_id("stMain").locator("h1").first.inner_text().strip() == "Predict"
            nav = page.get_by_test_id("stSidebarNav").inner_text()
            assert all(p.title in nav for p in PAGES) and "app" not in nav.split()
            assert page.get_by_test_id("stSidebar").get_by_text("Backprop Playground").count() == 1
            assert wait_charts_drawn(page, 1) == 1
            assert parse_qs(urlsplit(page.url).query) == {"preset": ["curved"], "seed": ["4"], "steps": ["30"]}
        finally:
            context.close()
        assert "Traceback" not in server.log_text()


SHARED_QUERY = "preset=trask-3-layer&seed=3&steps=7"


def test_sidebar_navigation_keeps_the_session_and_the_address(page, app_url):
    """Clicking through the pages in one session: each keeps the run in the address bar, and Train its steps."""
    open_app(page, app_url, query=SHARED_QUERY)
    button(page, "Step ×10").click()
    wait_metric(page, "Step", "17")
    nav = page.get_by_test_id("stSidebarNav")
    for title in [*(t for t in PAGE_PATHS if t != "Seeds"), "Train"]:
        nav.get_by_text(title, exact=True).click()
        page.get_by_test_id("stMain").locator("h1").get_by_text(title, exact=True).wait_for()
        wait_settled(page)
        address = urlsplit(page.url)
        assert address.path == f"/{PAGE_PATHS[title]}"
        assert parse_qs(address.query) == {"preset": ["trask-3-layer"], "seed": ["3"], "steps": ["17"]}
    wait_metric(page, "Step", "17")
    assert wait_charts_drawn(page, 5) == 5


def test_seeds_page_keeps_the_run_in_the_address_bar(page, app_url):
    open_app(page, app_url, query=SHARED_QUERY)
    page.get_by_test_id("stSidebarNav").get_by_text("Seeds", exact=True).click()
    page.get_by_test_id("stMain").locator("h1").get_by_text("Seeds", exact=True).wait_for()
    wait_settled(page)
    assert parse_qs(urlsplit(page.url).query) == parse_qs(SHARED_QUERY)


def test_train_page_charts_match_the_network(page, app_url):
    """Error curve, one heatmap per weight matrix with its shape, and the network diagram."""
    open_app(page, app_url, query="preset=trask-3-layer&seed=1&steps=25")
    assert wait_charts_drawn(page, 5) == 5
    curve, table, *heatmaps, diagram = live_charts(page)
    assert curve["kind"] == "curve" and curve["step"] == 25, "the error curve should reach the step shown"
    sizes = PRESETS["trask-3-layer"].config.layer_sizes
    assert len(heatmaps) == len(sizes) - 1
    for chart, n_in, n_out in zip(heatmaps, sizes[:-1], sizes[1:]):
        assert chart["kind"] == "heatmap" and len(chart["data"]["z"]) == n_in * n_out
    assert [len(W) for W in diagram["data"]["weights"]] == [n * m for n, m in zip(sizes[:-1], sizes[1:])]
    header, rows = read_table(page)
    assert len(rows) == len(PRESETS["trask-3-layer"].rows)
    assert_no_exception(page)


def test_predict_page_draws_the_output_map_for_two_inputs(page, app_url):
    open_app(page, app_url, "predict", "preset=xor-bias&seed=1&steps=0")
    assert wait_charts_drawn(page, 1) == 1
    [chart] = live_charts(page)
    assert chart["kind"] == "map" and len(chart["data"]["z"]) > 100, "the output map should be a surface of outputs"
    assert_no_exception(page)


def test_seeds_page_draws_its_charts_after_a_sweep(page, app_url):
    open_app(page, app_url, "seeds")
    set_number(page, "Seeds", 8)
    set_number(page, "Steps", 500)
    button(page, "Run all seeds").click()
    wait_metric(page, "Step", "500 of 500")
    assert wait_charts_drawn(page, 2) == 2
    lines = next(c for c in live_charts(page) if c["kind"] == "lines")
    assert len(lines["data"]["lines"]) == 8
    assert_no_exception(page)


def test_charts_are_updated_in_place_while_training_runs(page, app_url):
    """A run of 50 and more frames moves every chart without rebuilding one: the same DOM nodes throughout."""
    open_app(page, app_url, query="preset=trask-3-layer")
    assert wait_charts_drawn(page, 5) == 5
    page.evaluate(DEEP + """() => deepAll('[data-chart-id]').forEach((c, i) => { c.firstMark = i;
        c.querySelectorAll('canvas, table').forEach((n) => { n.firstMark = i; }); })""")
    # At 1,000 steps a second the run outlasts its 50 frames by far (one click trains 68,352 steps), so
    # Pause is still there to click however fast the machine is.
    page.get_by_role("combobox", name="Speed").select_option(label="1,000 steps/s")
    button(page, "▶ Run").click()
    page.wait_for_function("() => (window.__backpropLiveStats?.steps?.curve || 0) >= 50", timeout=60_000)
    button(page, "⏸ Pause").click()
    wait_settled(page)
    kept = page.evaluate(DEEP + """() => deepAll('[data-chart-id]').map((c) => [c.firstMark,
        [...c.querySelectorAll('canvas, table')].map((n) => n.firstMark)])""")
    assert [mark for mark, _ in kept] == list(range(5)) and all(marks and None not in marks for _, marks in kept)
    stats = page.evaluate("() => window.__backpropLiveStats")
    assert stats["rebuilds"] <= 1 and min(stats["steps"][k] for k in ("w0", "w1", "net")) >= 10
