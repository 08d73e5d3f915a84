"""Every page opens in a real browser without an exception box, and its charts draw."""

from urllib.parse import parse_qs, urlsplit

import pytest

from engine.presets import PRESETS

from .conftest import (
    PAGE_PATHS,
    assert_no_exception,
    button,
    chart_traces,
    open_app,
    read_table,
    set_number,
    wait_charts_drawn,
    wait_metric,
    wait_settled,
)

pytestmark = pytest.mark.browser

# Charts each page draws for the default preset (3 inputs, one hidden layer), before any button is pressed.
CHARTS_ON_OPEN = {"Train": 4, "Data": 0, "S-curve": 1, "Predict": 0, "Math": 0, "Code": 0, "Seeds": 0}


@pytest.mark.parametrize("title", list(PAGE_PATHS))
def test_page_opens_by_its_address(page, app_url, title):
    open_app(page, app_url, PAGE_PATHS[title])
    assert page.get_by_test_id("stMain").locator("h1").first.inner_text().strip() == title
    expected = CHARTS_ON_OPEN[title]
    if expected:
        assert wait_charts_drawn(page, expected) == expected
    else:
        assert page.get_by_test_id("stPlotlyChart").count() == 0
    assert_no_exception(page)


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
    assert wait_charts_drawn(page, 4) == 4


def test_seeds_page_keeps_the_run_in_the_address_bar(page, app_url):
    open_app(page, app_url, query=SHARED_QUERY)
    page.get_by_test_id("stSidebarNav").get_by_text("Seeds", exact=True).click()
    page.get_by_test_id("stMain").locator("h1").get_by_text("Seeds", exact=True).wait_for()
    wait_settled(page)
    assert parse_qs(urlsplit(page.url).query) == parse_qs(SHARED_QUERY)


def test_train_page_charts_match_the_network(page, app_url):
    """Error curve, one heatmap per weight matrix with its shape, and the network diagram."""
    open_app(page, app_url, query="preset=trask-3-layer&seed=1&steps=25")
    assert wait_charts_drawn(page, 4) == 4
    curve, *heatmaps, diagram = chart_traces(page)
    assert any(len(t["y"] or []) == 25 for t in curve), "the error curve should hold one point per step"
    sizes = PRESETS["trask-3-layer"].config.layer_sizes
    assert len(heatmaps) == len(sizes) - 1
    for traces, n_in, n_out in zip(heatmaps, sizes[:-1], sizes[1:]):
        z = [t["z"] for t in traces if t["type"] == "heatmap"][0]
        assert (len(z), len(z[0])) == (n_in, n_out)
    assert len(diagram) >= 2  # links and neurons
    header, rows = read_table(page)
    assert len(rows) == len(PRESETS["trask-3-layer"].rows)
    assert_no_exception(page)


def test_predict_page_draws_the_output_map_for_two_inputs(page, app_url):
    open_app(page, app_url, "predict", "preset=xor-bias&seed=1&steps=0")
    assert wait_charts_drawn(page, 1) == 1
    assert any(t["z"] for t in chart_traces(page)[0]), "the output map should be a surface of outputs"
    assert_no_exception(page)


def test_seeds_page_draws_its_charts_after_a_sweep(page, app_url):
    open_app(page, app_url, "seeds")
    set_number(page, "Seeds", 8)
    set_number(page, "Steps", 500)
    button(page, "Run all seeds").click()
    page.get_by_text("Step 500 of 500", exact=False).wait_for()
    assert wait_charts_drawn(page, 2) == 2
    assert_no_exception(page)


PLOT_MARGINS = """() => Array.from(document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot'))
    .map(plot => { const l = plot._fullLayout;
                   return {title: l.title.text, asked: [l.margin.l, l.margin.r, l.margin.t, l.margin.b],
                           drawn: [l._size.l, l._size.r, l._size.t, l._size.b]}; })"""


@pytest.mark.parametrize("preset", ["trask-3-layer", "test-score", "curved"])
def test_chart_margins_fit_their_labels(page, app_url, preset):
    """Margins that already fit: Plotly's automargin widening one means a second draw on every live update."""
    for path, charts in (("", 4), ("s_curve", 1), ("predict", 1 if len(PRESETS[preset].inputs) == 2 else 0)):
        if not charts:
            continue
        open_app(page, app_url, path, query=f"preset={preset}&steps=50")
        assert wait_charts_drawn(page, charts) == charts
        for plot in page.evaluate(PLOT_MARGINS):
            assert plot["drawn"] == plot["asked"], plot["title"]
