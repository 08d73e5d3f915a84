"""What the live view is sent, checked against the engine: every number the browser draws, and every click."""

import json
from dataclasses import replace

import numpy as np
import pytest

from engine.presets import PRESETS
from ui import actions, payloads
from ui.state import Playground

CONTROLS = {"kind": "train"}


def as_json(payload):
    """The payload as the browser receives it: strict JSON, no NaN."""
    return json.loads(json.dumps(payload, allow_nan=False))


def status(payload):
    return {s["label"]: s["value"] for s in payload["status"]}


@pytest.mark.parametrize("key", list(PRESETS))
def test_train_payload_holds_the_engines_numbers(key):
    pg = Playground.from_preset(key)
    pg.step(37)
    data = as_json(payloads.train_view(pg, CONTROLS))
    frame = data["frames"][-1]
    assert frame["step"] == 37 and status(data)["Step"] == "37" and status(data)["State"] == "paused"
    outputs = pg.outputs()
    shown = frame["charts"]["outputs"]["columns"]
    assert [shown[f"{n} (output)"] for n in pg.table.outputs] == outputs.T.tolist()  # exact, digit for digit
    error = np.mean(np.abs(pg.trainer.Y - pg.trainer.predict(pg.trainer.X)))
    assert status(data)["Mean |error|"] == f"{error:.6g}"
    for l, W in enumerate(pg.trainer.weights()):
        drawn = np.array(frame["charts"][f"w{l}"]["z"], dtype=float)
        expected = np.vstack([W, pg.trainer.biases()[l][None]]) if pg.trainer.b else W
        assert np.allclose(drawn, expected.reshape(-1), rtol=1e-6, atol=0)
        assert np.allclose(frame["charts"]["net"]["weights"][l], W.reshape(-1), rtol=1e-6, atol=0)
    curve = data["curves"]["curve"]
    assert curve["x"] == list(range(38))
    assert np.allclose(curve["series"][0][:37], pg.trainer.mean_abs_error[0], rtol=1e-6)
    assert np.isclose(curve["series"][0][37], error, rtol=1e-6)  # the pass after the last update


def test_the_forward_pass_matches_the_engine_bit_for_bit():
    pg = Playground.from_preset("curved")
    pg.step(200)
    zs, outs = payloads.forward(payloads.current_frame(pg), pg.trainer.X, pg.config.activations)
    engine_zs, engine_outs = pg.trainer.forward(pg.trainer.X)
    assert all(np.array_equal(a, b) for a, b in zip(zs + outs, engine_zs + engine_outs, strict=True))


def test_structure_key_changes_with_the_network_not_with_training():
    pg = Playground.from_preset("trask-3-layer")
    before = payloads.train_view(pg, CONTROLS)["key"]
    pg.step(100)
    assert payloads.train_view(pg, CONTROLS)["key"] == before
    pg.apply_settings(replace(pg.settings, hidden=(5,)))
    assert payloads.train_view(pg, CONTROLS)["key"] != before


def test_recent_frames_come_in_order_and_a_reset_starts_them_again():
    pg = Playground.from_preset("trask-3-layer")
    pg.run(900)
    while pg.running:
        pg.advance_live(0.05)
    steps = [f["step"] for f in payloads.train_view(pg, CONTROLS)["frames"]]
    assert steps == sorted(set(steps)) and steps[-1] == 900 and len(steps) > 2
    pg.reset()
    assert [f["step"] for f in payloads.train_view(pg, CONTROLS)["frames"]] == [0]


@pytest.mark.parametrize("n_rows", [40, payloads.PER_FRAME_NUMBERS + 1])
def test_big_tables_send_their_outputs_with_the_newest_frame_only(n_rows):
    from ui.table import Table

    pg = Playground.from_preset("curved")
    rows = np.random.RandomState(0).uniform(-1, 1, (n_rows, 3)).round(3)
    rows[:, 2] = rows[:, 0] ** 2 + rows[:, 1] ** 2 < 0.45
    pg.set_table(Table(pg.table.columns, tuple(map(tuple, rows.tolist())), pg.table.inputs, pg.table.outputs))
    pg.run(300)
    while pg.running:
        pg.advance_live(0.05)
    frames = payloads.train_view(pg, CONTROLS)["frames"]
    assert len(frames) > 1 and "outputs" in frames[-1]["charts"]
    with_outputs = ["outputs" in f["charts"] for f in frames[:-1]]
    assert all(with_outputs) if n_rows <= payloads.PER_FRAME_NUMBERS else not any(with_outputs)


def test_scurve_payload_places_every_neuron_on_every_row():
    pg = Playground.from_preset("trask-3-layer")
    pg.step(10)
    data = as_json(payloads.scurve_view(pg, CONTROLS))
    scurve = data["frames"][-1]["charts"]["scurve"]
    zs, outs = pg.trainer.forward(pg.trainer.X)
    for layer in scurve["points"]:
        l = layer["layer"]
        assert np.allclose(layer["z"], zs[l].reshape(-1), rtol=1e-6)
        assert np.allclose(layer["a"], outs[l + 1].reshape(-1), rtol=1e-6)
        assert len(layer["labels"]) == zs[l].size
    assert [c["layer"] for c in scurve["curves"]] == [0]  # one curve per activation, not per layer


def test_predict_payload_maps_the_output_over_the_plane():
    from ui import readouts

    pg = Playground.from_preset("xor-bias")
    pg.step(300)
    data = as_json(payloads.predict_view(pg, {"kind": "compact"}))
    grid_x, grid_y, grid_out = readouts.output_grid(pg, payloads.MAP_POINTS)
    assert np.allclose(data["frames"][-1]["charts"]["map"]["z"], grid_out.reshape(-1), rtol=1e-4)
    assert data["charts"][0]["points"]["value"] == pg.table.Y[:, 0].tolist()


def test_seeds_payload_draws_every_network_and_the_median():
    pg = Playground.from_preset("xor-bias")
    pg.start_sweep(6, 250, 0.05)
    while pg.sweep.running:
        pg.advance_sweep(0.05)
    data = as_json(payloads.seeds_view(pg, {"kind": "sweep"}))
    lines = data["frames"][-1]["charts"]["lines"]
    assert len(lines["lines"]) == 6 and lines["x"][0] == 0 and lines["x"][-1] == 249
    errors = pg.sweep.trainer.mean_abs_error
    assert np.allclose(lines["median"], np.median(errors[:, lines["x"]], axis=0), rtol=1e-3)
    assert status(data)["Step"] == "250 of 250"


def test_a_diverged_network_still_makes_a_strict_json_payload():
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, output_activation="linear", hidden_activation="relu", learning_rate=1000.0))
    pg.step(3000)
    for view in (payloads.train_view, payloads.scurve_view, payloads.predict_view):
        data = as_json(view(pg, CONTROLS))
        assert data["message"]["kind"] == "warning" and "Training stopped" in data["message"]["text"]
    assert payloads.clean([1.0, np.nan, np.inf, -np.inf]) == [1.0, None, None, None]


def test_every_click_is_applied_exactly_once_in_order():
    pg = Playground.from_preset("trask-3-layer")
    acked = {}
    log = [[1, "step", 10], [2, "step", 1]]
    actions.apply_actions(pg, {"mount": "a", "log": log}, acked)
    assert pg.steps == 11 and acked == {"a": 2}
    actions.apply_actions(pg, {"mount": "a", "log": log}, acked)  # the same log again: nothing new
    assert pg.steps == 11
    actions.apply_actions(pg, {"mount": "a", "log": [*log, [3, "step", 100], [4, "reset"], [5, "step", 1]]}, acked)
    assert pg.steps == 1
    actions.apply_actions(pg, {"mount": "b", "log": [[1, "run"], [2, "speed", 5]]}, acked)  # a new visit counts anew
    assert pg.running and pg.live.speed == 5 and acked == {"a": 5, "b": 2}
    actions.apply_actions(pg, {"mount": "b", "log": [[3, "pause"]]}, acked)
    assert not pg.running


@pytest.mark.parametrize("bad", [None, "x", {"mount": "a"}, {"mount": "a", "log": "x"},
                                 {"mount": "a", "log": [[1, "step", 7], ["2", "step", 1], [3, "nope"], [4, "step"],
                                                        [5, "run_to", -4], [6, "speed", True], 7]}])
def test_malformed_actions_change_nothing(bad):
    pg = Playground.from_preset("trask-3-layer")
    actions.apply_actions(pg, bad, {})
    assert pg.steps == 0 and not pg.running and pg.live.speed == 0


def test_run_to_and_the_sweep_controls():
    pg = Playground.from_preset("xor-bias")
    acked = {}
    assert actions.apply_actions(pg, {"mount": "a", "log": [[1, "run_to", 10**8]]}, acked).startswith("One click")
    pg.start_sweep(4, 100, 0.05)
    actions.apply_actions(pg, {"mount": "s", "log": [[1, "pause"]]}, acked, sweep=True)
    assert not pg.sweep.running
    actions.apply_actions(pg, {"mount": "s", "log": [[2, "continue"]]}, acked, sweep=True)
    assert pg.sweep.running
    actions.apply_actions(pg, {"mount": "s", "log": [[3, "step", 1]]}, acked, sweep=True)  # not a sweep control
    assert pg.steps == 0
    for n in range(20):
        actions.apply_actions(pg, {"mount": f"m{n}", "log": [[1, "pause"]]}, acked)
    assert len(acked) == actions.MAX_MOUNTS
