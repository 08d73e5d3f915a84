"""The generalisation lesson's chart kinds in static/liveview.js, through the same fake component as
test_liveview_js.py: every neuron's map, the output along one input, training against test error, the
discretised map, and a weight typed into a heatmap cell."""

import math

import pytest

from . import test_liveview_js as harness
from .test_liveview_js import (
    BLUE,
    HIGHLIGHT,
    RED,
    calls,
    count_colour,
    feed,
    geometry,
    hover,
    map_payload,
    settle,
    shot,
)
from .test_liveview_js import controls as controls_of

static_url, open_view = harness.static_url, harness.open_view  # the fixtures: the harness page in Chromium
pytestmark = pytest.mark.browser


def payload(charts, data, key, controls=None, serial=1, step=100):
    return {"serial": serial, "key": key, "title": None, "controls": controls, "status": [], "message": None,
            "charts": charts, "curves": {}, "frames": [{"step": step, "status": {}, "charts": data}]}


def neurons_payload(n=24, layers=((4, "hidden"), (1, "outputs"))):
    xs = [-5 + 10 * i / (n - 1) for i in range(n)]
    maps = [[[math.tanh(math.cos(k) * x + math.sin(k) * y) for y in xs for x in xs] for k in range(count)]
            for count, _ in layers]
    spec = {"id": "neurons", "kind": "neurons", "title": "What each neuron computes over the input plane", "x": xs,
            "y": xs, "x_title": "x1", "y_title": "x2", "equal_axes": True, "height": 420,
            "layers": [{"name": name, "labels": [f"{name}[{k}]" for k in range(count)]} for count, name in layers]}
    net = {"id": "net", "kind": "network", "title": "Network", "layers": [["x1", "x2"], ["h0", "h1", "h2", "h3"],
                                                                          ["y"]],
           "layer_names": ["inputs", "hidden", "outputs"], "height": 420}
    weights = {"weights": [[0.5, -1, 2, -0.3, 1, 1, -1, 0.2], [1, -2, 0.5, 0.7]], "biases": None}
    return payload([net, spec], {"net": weights, "neurons": {"maps": maps, "ranges": [[-1, 1]] * len(layers)}},
                   "neurons")


def test_every_neuron_gets_its_small_map_beside_the_diagram(open_view):
    page = open_view(1400, 900)
    feed(page, neurons_payload())
    settle(page)
    assert geometry(page, "neurons")["maps"] == 5 and geometry(page, "neurons")["drawn"] == 5
    assert count_colour(page, "neurons", BLUE) > 200 and count_colour(page, "neurons", RED) > 200
    net, maps = (page.locator(f'[data-chart-id="{i}"]').bounding_box() for i in ("net", "neurons"))
    assert abs(net["y"] - maps["y"]) < 2 and maps["x"] > net["x"] + net["width"] - 1  # side by side
    size = geometry(page, "neurons")["size"]
    text = hover(page, "neurons", maps["width"] - 4 * size, 2 + size / 2)
    assert text and text.startswith("hidden[") and " at x1=" in text
    shot(page, "neurons")


def test_many_neurons_wrap_into_rows_and_stay_readable(open_view):
    page = open_view(1400, 900)
    feed(page, neurons_payload(layers=((16, "hidden 1"), (16, "hidden 2"), (1, "outputs"))))
    settle(page)
    g = geometry(page, "neurons")
    assert g["maps"] == g["drawn"] == 33 and g["size"] >= 30


def fit_payload(n=120):
    xs = [-1 + 2 * i / (n - 1) for i in range(n)]
    points = [-1 + 0.1 * k for k in range(21)]
    spec = {"id": "fit", "kind": "fit", "title": "Network output y against x", "x_title": "x", "y_title": "y",
            "x": xs, "points": {"x": points, "y": [p * p for p in points], "test": [k % 4 == 0 for k in range(21)]},
            "height": 420}
    return payload([spec], {"fit": {"y": [x * x * 0.9 for x in xs]}}, "fit")


def test_a_one_input_table_draws_its_output_along_the_input(open_view):
    page = open_view(1000, 700)
    feed(page, fit_payload())
    settle(page)
    assert count_colour(page, "fit", RED) > 200 and count_colour(page, "fit", BLUE) > 100
    width = page.evaluate("() => canvasOf('fit').clientWidth")
    text = hover(page, "fit", width / 2, 200)
    assert text and ("output" in text or "row" in text)
    shot(page, "fit")


def scatter_payload():
    train = [0.02 * (1 + k % 5) for k in range(12)]
    test = [t * (1.1 + (k % 3)) for k, t in enumerate(train)]
    spec = {"id": "gap", "kind": "scatter", "title": "Training against test error", "x_title": "final mean |error|",
            "y_title": "final test mean |error|", "log": True, "labels": [f"seed {k}" for k in range(12)],
            "highlight": 4, "flag_label": "overfits", "plain_label": "does not", "height": 420}
    return payload([spec], {"gap": {"x": train, "y": test, "flagged": [k % 3 == 2 for k in range(12)]}}, "gap")


def test_seeds_are_set_training_against_test_error_with_the_diagonal(open_view):
    page = open_view(1000, 700)
    feed(page, scatter_payload())
    settle(page)
    assert count_colour(page, "gap", RED) > 40 and count_colour(page, "gap", BLUE) > 40
    assert count_colour(page, "gap", HIGHLIGHT) > 40  # the highlighted seed's diamond
    assert count_colour(page, "gap", "#333333", tolerance=10) > 30  # the dashed diagonal
    shot(page, "scatter")


def test_a_discretised_map_uses_only_the_two_ends_of_the_scale(open_view):
    page = open_view(1000, 700)
    smooth = map_payload()
    feed(page, smooth)
    settle(page)
    middle = count_colour(page, "m", "#21918c", tolerance=30)  # viridis' green middle: the smooth edge
    split = map_payload(serial=2)
    split["charts"][0]["threshold"] = 0.5
    feed(page, split)
    settle(page)
    assert middle > 400 and count_colour(page, "m", "#21918c", tolerance=30) < middle / 4
    shot(page, "map-discretised")


def editable_payload():
    spec = {"id": "w1", "kind": "heatmap", "title": "syn1", "rows": ["a", "b", "bias"], "cols": ["p", "q", "r"],
            "x_title": "neuron of this layer", "y_title": "input to this layer", "colorbar": "weight",
            "height": 380, "editable": 1}
    return payload([spec], {"w1": {"z": [-2, 0, 2, -1, 0.5, 1, 0.1, 0.2, 0.3]}}, "edit", controls_of("train"))


def click_cell(page, i, j):
    g = geometry(page, "w1")
    box = g["box"]
    x, y = box["x"] + (j + 0.5) * box["w"] / g["cols"], box["y"] + (i + 0.5) * box["h"] / g["rows"]
    page.mouse.click(*page.evaluate(
        "([x, y]) => { const r = canvasOf('w1').getBoundingClientRect(); return [r.left + x, r.top + y]; }", [x, y]))


def weight_actions(page):
    return [entry for c in calls(page, "state") if c["name"] == "actions" for entry in c["value"]["log"]
            if entry[1] == "set_weight"]


def test_a_clicked_weight_takes_a_typed_value_as_one_action(open_view):
    page = open_view(1000, 700)
    feed(page, editable_payload())
    settle(page)
    click_cell(page, 1, 2)
    box = page.locator('[data-chart-id="w1"] .lv-edit')
    assert box.input_value() == "1" and box.get_attribute("aria-label") == "New value of the weight from b to r"
    shot(page, "heatmap-edit")
    box.fill("nonsense")
    box.press("Enter")
    assert box.get_attribute("aria-invalid") == "true" and weight_actions(page) == []
    box.fill("0.75")
    box.press("Enter")
    assert box.count() == 0
    assert [entry[2] for entry in weight_actions(page)][-1] == [1, 1, 2, 0.75]
    click_cell(page, 2, 0)  # the bias row
    box.fill("-3")
    box.press("Escape")
    assert box.count() == 0 and len({entry[0] for entry in weight_actions(page)}) == 1


def test_a_heatmap_without_training_controls_is_not_editable(open_view):
    page = open_view(1000, 700)
    data = editable_payload()
    data["controls"] = None
    feed(page, data)
    settle(page)
    click_cell(page, 0, 0)
    assert page.locator('[data-chart-id="w1"] .lv-edit').count() == 0
