"""The generalisation lesson's state: generated data, the split, features, penalties and weights typed in by hand.

Each is a setting or a recorded event of the Playground, so a link replays it to the same bits and the
exported script prints the same numbers.
"""

import ast
import contextlib
import io
from dataclasses import replace

import numpy as np
import pytest

from engine.datasets import make_dataset
from ui import limits, links, readouts
from ui.state import Playground

LESSON = dict(hidden=(8, 8), hidden_activation="tanh", bias=True, init="xavier", loss="bce", learning_rate=0.5,
              test_share=0.5, split_seed=4, regularization="l2", regularization_rate=0.003)


def lesson(**changes):
    """The overfitting lesson's playground: a noisy spiral, half the rows held out, a big tanh network."""
    pg = Playground.from_preset("curved")
    assert pg.generate_data("spiral", 120, 0.2, 7)
    assert pg.apply_settings(replace(pg.settings, **{**LESSON, **changes}))
    return pg


def same_weights(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.trainer.W + a.trainer.b, b.trainer.W + b.trainer.b,
                                                    strict=True))


def test_a_generated_set_becomes_the_table_and_its_link_carries_the_recipe_not_the_rows():
    pg = lesson()
    X, Y = make_dataset("spiral", 120, 0.2, 7)
    assert pg.table.columns == ("x1", "x2", "y") and np.array_equal(pg.table.X, X) and np.array_equal(pg.table.Y, Y)
    pg.step(60)
    query = pg.to_query()
    assert "table" not in query
    assert {k: query[k] for k in ("data", "points", "noise", "dataseed", "test", "splitseed", "reg", "regrate")} == {
        "data": "spiral", "points": "120", "noise": "0.2", "dataseed": "7", "test": "0.5", "splitseed": "4",
        "reg": "l2", "regrate": "0.003"}
    again, warnings = Playground.from_query(query)
    assert warnings == [] and again.table == pg.table and again.settings == pg.settings
    assert again.steps == 60 and same_weights(again, pg)
    assert np.array_equal(again.trainer.test_loss_history, pg.trainer.test_loss_history)


def test_regenerating_draws_new_points_and_an_edited_set_becomes_the_visitors_own_table():
    pg = lesson()
    first = pg.table
    version = pg.settings_version
    assert pg.generate_data("spiral", 120, 0.2, 8)
    assert pg.table != first and pg.settings.data_seed == 8 and pg.steps == 0 and pg.settings_version > version
    rows = list(pg.table.rows)
    rows[3] = (0.5, 0.5, 1.0)
    pg.set_table(replace(pg.table, rows=tuple(rows)))
    assert pg.settings.dataset == "" and pg.settings.test_share == 0.5  # the split stays, the recipe goes
    query = pg.to_query()
    assert "table" in query and "data" not in query
    again, warnings = Playground.from_query(query)
    assert warnings == [] and again.table == pg.table


def test_test_rows_are_held_out_and_shown_in_the_tables_order():
    pg = lesson()
    assert pg.has_test and len(pg.train_rows) == len(pg.test_rows) == 60
    assert len(pg.trainer.X) == 60 and np.array_equal(pg.trainer.X_test, pg.scaled_inputs(pg.table.X[pg.test_rows]))
    pg.step(30)
    everything = pg.outputs_all()
    assert np.array_equal(everything[pg.train_rows], pg.outputs())
    assert np.array_equal(everything[pg.test_rows], pg.trainer.predict(pg.trainer.X_test))
    assert pg.trainer.test_mean_abs_error.shape == (1, 30)
    again = lesson(test_share=0.0)
    assert not again.has_test and pg.trainer.W[0].shape == again.trainer.W[0].shape


def test_features_are_inputs_the_network_sees_and_new_rows_get_them_too():
    pg = lesson(features=("sin_x2", "x1_squared"), test_share=0.0)
    assert pg.settings.features == ("x1_squared", "sin_x2")  # the registry's order
    assert pg.trainer.config.layer_sizes[0] == 4 and pg.input_names() == ["x1", "x2", "x1²", "sin x2"]
    row = np.array([[0.3, -0.7]])
    expected = np.array([[0.3, -0.7, 0.09, np.sin(-0.7)]])
    np.testing.assert_allclose(pg.scaled_inputs(row), expected)
    assert np.array_equal(pg.predict_raw(row), pg.trainer.predict(pg.scaled_inputs(row)))
    assert readouts.neuron_labels(pg)[0] == ["x1", "x2", "x1²", "sin x2"]
    assert list(readouts.predictions(pg, row).columns)[2:6] == ["x1 scaled", "x2 scaled", "x1² scaled",
                                                                "sin x2 scaled"]


def test_a_feature_the_table_cannot_give_is_refused_with_a_notice():
    pg = Playground.from_preset("curved")
    pg.set_table(replace(pg.table, columns=("x", "y", "inside"), inputs=("x",)))
    assert not pg.apply_settings(replace(pg.settings, features=("x1_x2",)))
    assert "needs 2 input columns" in pg.take_notice() and pg.settings.features == ()


def test_weights_typed_in_by_hand_are_events_a_link_replays_bit_for_bit():
    pg = lesson()
    pg.step(20)
    assert pg.set_weight(0, 1, 3, 2.5) == ""
    assert pg.set_weight(2, 8, 0, -1.0) == ""  # layer 2 has 8 inputs: row 8 is its bias
    pg.step(15)
    assert pg.set_weight(1, 0, 0, 0.25) == ""
    assert pg.weight_edits == ((20, 0, 1, 3, 2.5), (20, 2, 8, 0, -1.0), (35, 1, 0, 0, 0.25))
    query = pg.to_query()
    assert query["edits"] == "20:0:1:3:2.5,20:2:8:0:-1.0,35:1:0:0:0.25"
    again, warnings = Playground.from_query(query)
    assert warnings == [] and again.weight_edits == pg.weight_edits and same_weights(again, pg)
    pg.reset()
    assert pg.weight_edits == () and "edits" not in pg.to_query()


@pytest.mark.parametrize("edit, words", [((2, 0, 0, 1.0), "no weight"), ((0, 5, 0, 1.0), "no weight"),
                                         ((0, 0, 0, "abc"), "not a number"), ((0, 0, 0, 1e9), "between")])
def test_a_weight_that_cannot_be_typed_in_is_refused_with_a_reason(edit, words):
    pg = Playground.from_preset("trask-3-layer")
    before = pg.trainer.weights()
    assert words in pg.set_weight(*edit)
    assert pg.weight_edits == () and all(np.array_equal(a, b) for a, b in zip(before, pg.trainer.weights()))


def test_the_number_of_edits_is_bounded():
    pg = Playground.from_preset("trask-3-layer")
    for k in range(limits.MAX_WEIGHT_EDITS):
        assert pg.set_weight(0, 0, 0, k / 100) == ""
    assert "At most" in pg.set_weight(0, 0, 0, 1.0)


@pytest.mark.parametrize("query, words", [
    ({"edits": "5:0:0"}, "not step:layer:row:column:value"), ({"edits": "5:0:9:0:1.0"}, "can't be used"),
    ({"edits": "9:0:0:0:1.0,3:0:0:0:1.0"}, "must not go down"), ({"data": "moons"}, "unknown data set"),
    ({"features": "cos_x1"}, "unknown feature"), ({"test": "0.95"}, "outside"), ({"regrate": "-1"}, "outside"),
    ({"reg": "l3"}, "unknown value"), ({"points": "2"}, "outside"), ({"noise": "nan"}, "not a finite number"),
])
def test_bad_lesson_parameters_in_a_link_fall_back_with_a_warning(query, words):
    pg, warnings = Playground.from_query({"preset": "trask-3-layer", "steps": "10", **query})
    assert any(words in w for w in warnings), warnings
    assert pg.steps == 10


def test_the_exported_script_prints_what_the_playground_shows(monkeypatch):
    pg = lesson(features=("x1_x2",))
    pg.step(40)
    pg.set_weight(0, 2, 1, -0.5)
    pg.set_learning_rate(0.25)
    pg.step(25)
    source = readouts.script(pg)
    assert "X, y = spiral(np.random.RandomState(7), 120, 0.2)" in source
    printed = io.StringIO()
    with np.errstate(all="ignore"), contextlib.redirect_stdout(printed):
        exec(compile(source, "<exported>", "exec"), {"__name__": "__main__"})
    lines = printed.getvalue().splitlines()
    start = lines.index("Output after training:")
    outputs = [ast.literal_eval(line) for line in lines[start + 1:] if line.startswith("[")]
    assert outputs == pg.outputs().tolist()
    test_error = float(lines[-1].removeprefix("Test error: "))
    assert test_error == float(np.mean(np.abs(pg.trainer.Y_test - pg.trainer.predict(pg.trainer.X_test))))


def test_the_seeds_page_trains_every_seed_with_the_same_test_rows():
    pg = lesson()
    pg.start_sweep(5, 80, 0.05)
    while pg.sweep.running:
        pg.advance_sweep(0.05)
    sweep = pg.sweep.trainer
    assert sweep.has_test and sweep.test_mean_abs_error.shape == (5, 80)
    pg.open_seed(int(sweep.seeds[3]))
    assert pg.trainer.has_test and np.array_equal(pg.trainer.test_mean_abs_error[0], sweep.test_mean_abs_error[3])


def test_the_discretised_map_is_a_view_choice_that_keeps_the_network():
    pg = lesson()
    pg.step(10)
    assert pg.apply_settings(replace(pg.settings, discretize=True))
    assert pg.steps == 10 and pg.to_query()["discrete"] == "1"


def test_live_training_with_test_rows_matches_a_direct_run():
    pg = lesson()
    pg.run(300)
    while pg.running:
        pg.advance_live(0.05)
    direct = lesson()
    direct.step(300)
    assert pg.steps == 300 and same_weights(pg, direct)
    assert np.array_equal(pg.trainer.test_loss_history, direct.trainer.test_loss_history)
    assert links.table_is_named(pg.settings, pg.table)
