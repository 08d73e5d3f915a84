"""What the live view is sent for the generalisation lesson, checked against the engine."""

from dataclasses import replace

import numpy as np
import pytest

from tests.test_generalisation import lesson
from tests.test_payloads import as_json, status
from ui import actions, payloads, readouts
from ui.state import Playground
from ui.table import Table

CONTROLS = {"kind": "train"}


def test_the_curve_draws_training_and_test_error_from_the_engines_history():
    pg = lesson()
    pg.step(50)
    data = as_json(payloads.train_view(pg, CONTROLS))
    curve = next(c for c in data["charts"] if c["id"] == "curve")
    assert [s["name"] for s in curve["series"]] == ["mean |error|", "loss", "test mean |error|", "test loss"]
    assert [s["dash"] for s in curve["series"]] == [False, False, True, True]
    series = data["curves"]["curve"]["series"]
    assert data["curves"]["curve"]["x"] == list(range(51))
    np.testing.assert_allclose(series[2][:50], pg.trainer.test_mean_abs_error[0], rtol=1e-6)
    np.testing.assert_allclose(series[3][:50], pg.trainer.test_loss_history[0], rtol=1e-6)  # bce: a mean
    error = np.mean(np.abs(pg.trainer.Y_test - pg.trainer.predict(pg.trainer.X_test)))
    assert np.isclose(series[2][50], error, rtol=1e-6) and status(data)["Test mean |error|"] == f"{error:.6g}"


def test_a_loss_that_sums_over_rows_is_drawn_per_training_batch_for_the_test_rows():
    pg = lesson(loss="tutorial", learning_rate=0.05, test_share=0.25)
    pg.step(5)
    data = as_json(payloads.train_view(pg, CONTROLS))
    names = [s["name"] for s in next(c for c in data["charts"] if c["id"] == "curve")["series"]]
    assert names[3] == "test loss (per 90 rows)"
    np.testing.assert_allclose(data["curves"]["curve"]["series"][3][:5],
                               pg.trainer.test_loss_history[0] * 90 / 30, rtol=1e-6)


def test_the_outputs_table_shows_every_row_in_the_tables_order_with_its_part():
    pg = lesson()
    pg.step(20)
    data = as_json(payloads.train_view(pg, CONTROLS))
    table = next(c for c in data["charts"] if c["id"] == "outputs")
    assert table["columns"][0] == "set"
    assert table["fixed"]["set"] == ["test" if i in set(pg.test_rows) else "train" for i in range(120)]
    shown = data["frames"][-1]["charts"]["outputs"]["columns"]["y (output)"]
    assert shown == pg.outputs_all()[:, 0].tolist()  # exact, digit for digit
    assert "set" not in next(c for c in payloads.train_view(lesson(test_share=0.0), CONTROLS)["charts"]
                              if c["id"] == "outputs")["columns"]


def test_every_hidden_and_output_neuron_has_a_map_of_the_input_plane():
    pg = lesson(features=("x1_x2",))
    pg.step(30)
    data = as_json(payloads.train_view(pg, CONTROLS))
    spec = next(c for c in data["charts"] if c["id"] == "neurons")
    assert [len(layer["labels"]) for layer in spec["layers"]] == [8, 8, 1] and spec["equal_axes"] is True
    maps = data["frames"][-1]["charts"]["neurons"]
    grid_x, grid_y, mesh = readouts.plane(pg, payloads.NEURON_MAP_POINTS)
    _, outs = pg.trainer.forward(pg.scaled_inputs(mesh))
    for l, layer in enumerate(maps["maps"]):
        for j, z in enumerate(layer):
            np.testing.assert_allclose(z, outs[l + 1][:, j], rtol=5e-3, atol=1e-3)
    assert maps["ranges"] == [[-1.0, 1.0], [-1.0, 1.0], [0.0, 1.0]]  # tanh, tanh, sigmoid
    one_input = Playground.from_preset("single-neuron")
    assert not any(c["kind"] == "neurons" for c in payloads.train_view(one_input, CONTROLS)["charts"])


def test_heatmaps_say_which_layer_a_click_types_into_and_the_click_is_applied_once():
    pg = lesson()
    data = payloads.train_view(pg, CONTROLS)
    assert [c["editable"] for c in data["charts"] if c["kind"] == "heatmap"] == [0, 1, 2]
    acked = {}
    log = [[1, "set_weight", [1, 8, 3, 0.75]]]
    assert actions.apply_actions(pg, {"mount": "a", "log": log}, acked) == ""
    actions.apply_actions(pg, {"mount": "a", "log": log}, acked)
    assert pg.weight_edits == ((0, 1, 8, 3, 0.75),) and pg.trainer.b[1][0, 0, 3] == 0.75
    note = actions.apply_actions(pg, {"mount": "a", "log": [[2, "set_weight", [0, 9, 0, 1.0]]]}, acked)
    assert "no weight" in note and len(pg.weight_edits) == 1


@pytest.mark.parametrize("bad", [[0, 0, 0], [0, 0, 0, "1"], [0, -1, 0, 1.0], [True, 0, 0, 1.0], "0,0,0,1", None])
def test_a_malformed_weight_action_changes_nothing(bad):
    pg = lesson()
    actions.apply_actions(pg, {"mount": "a", "log": [[1, "set_weight", bad]]}, {})
    assert pg.weight_edits == ()


def test_the_map_marks_test_rows_keeps_a_circle_round_and_can_be_discretised():
    pg = lesson()
    data = as_json(payloads.predict_view(pg, {"kind": "compact"}))
    spec = data["charts"][0]
    assert spec["equal_axes"] is True and spec["threshold"] is None
    assert sum(spec["points"]["test"]) == 60 and [i for i, t in enumerate(spec["points"]["test"]) if t] == \
        pg.test_rows.tolist()
    assert "Test loss" in status(data)
    pg.apply_settings(replace(pg.settings, discretize=True))
    spec = as_json(payloads.predict_view(pg, {"kind": "compact"}))["charts"][0]
    assert spec["threshold"] == 0.5 and spec["title"].endswith("split at 0.5")
    wide = Playground.from_preset("test-score")
    wide.set_table(replace(wide.table, rows=((2, 90, 92), (1, 50, 86), (3, 60, 89))))  # 2 against 40: not one scale
    assert as_json(payloads.predict_view(wide, {"kind": "compact"}))["charts"][0]["equal_axes"] is False


def test_a_one_input_table_gets_its_output_drawn_along_the_input():
    pg = Playground.from_preset("curved")
    rows = tuple((x, x * x) for x in np.linspace(-1, 1, 21).round(2).tolist())
    pg.set_table(Table(("x", "y"), rows, ("x",), ("y",)))
    pg.apply_settings(replace(pg.settings, test_share=0.2))
    pg.step(50)
    data = as_json(payloads.predict_view(pg, {"kind": "compact"}))
    [spec] = data["charts"]
    assert spec["kind"] == "fit" and len(spec["x"]) == payloads.FIT_POINTS and sum(spec["points"]["test"]) == 4
    grid, outputs = readouts.output_curve(pg, payloads.FIT_POINTS)
    np.testing.assert_allclose(data["frames"][-1]["charts"]["fit"]["y"], outputs, rtol=1e-4)
    np.testing.assert_allclose(outputs, pg.predict_raw(grid[:, None])[:, 0])


def test_the_seeds_page_sets_test_error_against_training_error_and_names_the_seeds_that_overfit():
    pg = lesson(regularization="none", hidden=(16, 16))
    pg.start_sweep(6, 400, 0.05)
    while pg.sweep.running:
        pg.advance_sweep(0.05)
    data = as_json(payloads.seeds_view(pg, {"kind": "sweep"}))
    summary = pg.sweep.summary()
    assert [c["id"] for c in data["charts"]] == ["lines", "strip", "gap"]
    gap = data["frames"][-1]["charts"]["gap"]
    np.testing.assert_allclose(gap["x"], summary["final_error"], rtol=1e-6)
    np.testing.assert_allclose(gap["y"], summary["final_test"], rtol=1e-6)
    tests = pg.sweep.trainer.test_mean_abs_error
    assert gap["flagged"] == (tests[:, -1] >= 1.1 * tests.min(axis=1)).tolist()
    assert status(data)["Overfit"] == f"{sum(gap['flagged'])} of 6"
    lines = data["frames"][-1]["charts"]["lines"]
    np.testing.assert_allclose(lines["lines"][2], tests[2, lines["x"]], rtol=1e-3)
    ranked = readouts.sweep_table(summary, "final test error")
    assert list(ranked["final test mean |error|"]) == sorted(summary["final_test"])
    assert "rows held out for testing" in readouts.sweep_story(summary, 400, 0.05)


def test_the_s_curve_names_the_training_rows_by_their_place_in_the_table():
    pg = lesson(hidden=(2,))
    data = as_json(payloads.scurve_view(pg, {"kind": "compact"}))
    labels = data["frames"][-1]["charts"]["scurve"]["points"][0]["labels"]
    assert labels[:4] == [f"l1[{j}], row {r + 1}" for r in pg.train_rows[:2] for j in range(2)]
    assert len(labels) == 2 * len(pg.train_rows)
