"""The generalisation lesson through AppTest: the Data page's generator, split and features, the sidebar's
penalty, the discretised map, weights typed in, the Seeds page's ranking, with no exception on any page."""

import numpy as np
import pytest

from engine.datasets import make_dataset
from tests.test_app import (
    PAGES,
    click,
    keep_open_until,
    live_data,
    no_exceptions,
    playground,
    routed_by_app,  # noqa: F401  (the fixture that routes every run through app.py)
    start,
)
from ui.table import Table


def widget(at, kind, label):
    return next(w for w in getattr(at, kind) if w.label == label)


def data_page_with_a_spiral(noise=0.25, points=160, seed=3):
    at = start()
    at.switch_page("pages/data.py").run()
    widget(at, "selectbox", "Data set").set_value("spiral")
    widget(at, "number_input", "Points").set_value(points)
    widget(at, "number_input", "Noise").set_value(noise)
    widget(at, "number_input", "Data seed").set_value(seed)
    widget(at, "button", "Generate").click().run()
    no_exceptions(at)
    return at


def test_the_data_page_generates_a_set_regenerates_it_and_the_link_names_it():
    at = data_page_with_a_spiral()
    pg = playground(at)
    X, Y = make_dataset("spiral", 160, 0.25, 3)
    assert np.array_equal(pg.table.X, X) and np.array_equal(pg.table.Y, Y) and pg.steps == 0
    query = pg.to_query()
    assert query["data"] == "spiral" and "table" not in query
    first = pg.table
    widget(at, "button", "Regenerate").click().run()
    no_exceptions(at)
    assert playground(at).settings.data_seed != 3 and playground(at).table != first


def test_the_split_and_the_features_are_set_on_the_data_page():
    at = data_page_with_a_spiral()
    widget(at, "slider", "Share of rows held out for testing").set_value(0.5).run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.settings.test_share == 0.5 and len(pg.test_rows) == 80
    assert any("80 of 160 rows held out" in c.value for c in at.caption)
    widget(at, "toggle", "x1²").set_value(True).run()
    widget(at, "toggle", "x2²").set_value(True).run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.settings.features == ("x1_squared", "x2_squared") and pg.trainer.config.layer_sizes[0] == 4
    derived = next(d.value for d in at.dataframe if list(d.value.columns) == ["x1²", "x2²"])
    assert np.allclose(derived["x1²"], pg.table.X[:, 0] ** 2)


def test_a_one_input_table_offers_only_the_features_of_x1():
    at = start()
    pg = playground(at)
    pg.set_table(Table(("x", "y"), ((0.0, 0.0), (0.5, 0.25), (1.0, 1.0)), ("x",), ("y",)))
    at.switch_page("pages/data.py").run()
    no_exceptions(at)
    assert not widget(at, "toggle", "x²").disabled and not widget(at, "toggle", "sin x").disabled
    assert all(widget(at, "toggle", label).disabled for label in ("x2²", "x·x2", "sin x2"))


def test_the_penalty_is_a_sidebar_setting_and_the_map_can_be_discretised():
    at = data_page_with_a_spiral()
    widget(at.sidebar, "selectbox", "Regularization").set_value("l2").run()
    widget(at.sidebar, "select_slider", "Regularization rate λ").set_value(0.01).run()
    no_exceptions(at)
    assert playground(at).config.regularization == "l2" and playground(at).config.regularization_rate == 0.01
    at.switch_page("pages/predict.py").run()
    widget(at, "toggle", "Discretise the output").set_value(True).run()
    no_exceptions(at)
    spec = live_data(at, "predict")["charts"][0]
    assert playground(at).settings.discretize and spec["threshold"] == 0.5 and spec["equal_axes"] is True


def test_weights_are_typed_in_on_the_train_page_by_form_and_by_click():
    at = data_page_with_a_spiral()
    at.switch_page("pages/train.py").run()
    click(at, "Step ×10")
    widget(at, "number_input", "New value").set_value(1.5)
    widget(at, "button", "Set").click().run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.weight_edits == ((10, 0, 0, 0, 1.5),) and pg.trainer.W[0][0, 0, 0] == 1.5
    click(at, "set_weight", [1, 2, 0, -0.5])
    assert playground(at).weight_edits[-1] == (10, 1, 2, 0, -0.5)
    assert playground(at).to_query()["edits"] == "10:0:0:0:1.5,10:1:2:0:-0.5"


def test_the_seeds_page_ranks_seeds_by_test_error():
    at = data_page_with_a_spiral(points=60)
    widget(at, "slider", "Share of rows held out for testing").set_value(0.5).run()
    at.switch_page("pages/seeds.py").run()
    widget(at, "number_input", "Seeds").set_value(4)
    widget(at, "number_input", "Steps").set_value(200)
    widget(at, "button", "Run all seeds").click().run()
    pg = playground(at)
    while pg.sweep.running:
        pg.advance_sweep(0.1)
    at.run()
    no_exceptions(at)
    table = next(d.value for d in at.dataframe if "final test mean |error|" in d.value.columns)
    assert list(table["final test mean |error|"]) == sorted(table["final test mean |error|"])
    assert [c["id"] for c in live_data(at, "seeds")["charts"]] == ["lines", "strip", "gap"]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_lesson_with_a_split_features_and_a_penalty(page):
    query = {"preset": "curved", "data": "circle", "points": "80", "noise": "0.1", "dataseed": "2", "test": "0.3",
             "features": "x1_squared,x2_squared", "reg": "l1", "regrate": "0.001", "steps": "25",
             "edits": "20:0:1:0:0.5"}
    at = start(query)
    keep_open_until(at, lambda: not playground(at).running)  # the link's steps, replayed on the Train page
    at.switch_page(page).run()
    no_exceptions(at)
    assert playground(at).steps == 25 and playground(at).weight_edits == ((20, 0, 1, 0, 0.5),)


def test_a_link_with_bad_lesson_parameters_warns_and_still_shows_every_page():
    at = start({"preset": "curved", "data": "moons", "test": "2", "edits": "x", "features": "cos"})
    no_exceptions(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "'data'" in warnings and "'test'" in warnings and "'edits'" in warnings and "'features'" in warnings
