"""The playground's state rules and its link form, without Streamlit."""

from dataclasses import replace

import numpy as np
import pytest

from engine.presets import PRESETS, build_trainer
from ui import limits
from ui.state import Playground, Settings
from ui.table import Table, table_from_preset


def weights_equal(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.trainer.weights(), b.trainer.weights(), strict=True))


@pytest.mark.parametrize("key", list(PRESETS))
def test_each_preset_trains_like_the_engine(key):
    pg = Playground.from_preset(key)
    pg.train(300)
    trainer, scaler = build_trainer(PRESETS[key])
    trainer.run(300)
    assert all(np.array_equal(a, b) for a, b in zip(pg.trainer.weights(), trainer.weights(), strict=True))
    assert np.array_equal(pg.outputs(), scaler.outputs_back(trainer.predict(trainer.X)))


def test_link_round_trip_reproduces_weights_after_the_same_steps():
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, hidden=(5, 3), seed=7, batch_size=5, learning_rate=0.3))
    pg.train(150)
    pg.set_learning_rate(0.1)
    pg.train(50)
    query = pg.to_query()
    assert query["steps"] == "200" and query["seed"] == "7" and "lrs" in query
    again, warnings = Playground.from_query(query)
    assert warnings == []
    assert again.settings == pg.settings and again.table == pg.table
    assert again.steps == 200 and weights_equal(again, pg)
    assert again.learning_rate_changes == pg.learning_rate_changes


def test_link_with_an_edited_table_carries_the_table():
    pg = Playground.from_preset("trask-3-layer")
    rows = list(pg.table.rows)
    rows[0] = (0.0, 0.0, 1.0, 1.0)
    pg.set_table(replace(pg.table, rows=tuple(rows)))
    pg.train(20)
    again, warnings = Playground.from_query(pg.to_query())
    assert warnings == [] and again.table == pg.table and weights_equal(again, pg)


def test_a_table_too_large_for_a_link_is_left_out_and_the_share_box_can_say_so():
    pg = Playground.from_preset("curved")
    assert pg.link_carries_table() and "table" not in pg.to_query()  # the preset's table needs no copy
    # The link compresses its table: only many full-precision random numbers overflow it.
    columns = tuple(f"x{j}" for j in range(limits.MAX_COLUMNS - 1)) + ("inside",)
    rows = tuple(tuple(float(v) for v in row) for row in np.random.default_rng(0).random((limits.MAX_ROWS, 12)))
    pg.set_table(Table(columns=columns, rows=rows, inputs=columns[:-1], outputs=columns[-1:]))
    query = pg.to_query()
    assert "table" not in query and not pg.link_carries_table()
    assert len("&".join(f"{k}={v}" for k, v in query.items())) <= limits.MAX_QUERY_CHARS
    pg.set_table(replace(pg.table, rows=rows[:10]))  # small enough again
    assert pg.link_carries_table() and "table" in pg.to_query()


def test_changing_the_learning_rate_keeps_the_weights_and_architecture_reinitialises():
    pg = Playground.from_preset("trask-3-layer")
    pg.train(100)
    before = pg.trainer.weights()
    assert pg.apply_settings(replace(pg.settings, learning_rate=0.5))
    assert pg.steps == 100 and all(np.array_equal(a, b) for a, b in zip(before, pg.trainer.weights()))
    assert pg.apply_settings(replace(pg.settings, hidden=(5,)))
    assert pg.steps == 0 and pg.trainer.weights()[0].shape == (3, 5)


def test_reset_returns_the_starting_weights():
    pg = Playground.from_preset("xor-bias")
    start = pg.trainer.weights()
    pg.train(500)
    assert not np.array_equal(start[0], pg.trainer.weights()[0])
    pg.reset()
    assert pg.steps == 0 and all(np.array_equal(a, b) for a, b in zip(start, pg.trainer.weights()))


def test_refused_settings_keep_the_old_ones_with_a_message():
    pg = Playground.from_preset("trask-3-layer")
    pg.train(10)
    old = pg.settings
    assert not pg.apply_settings(replace(old, loss="bce", output_activation="linear"))
    assert pg.settings == old and pg.steps == 10 and "sigmoid" in pg.message
    assert not pg.apply_settings(replace(old, hidden=(4,) * (limits.MAX_HIDDEN_LAYERS + 1)))
    assert pg.settings == old


@pytest.mark.parametrize("query, fragment", [
    ({"preset": "nope"}, "Unknown preset"),
    ({"preset": "trask-3-layer", "act": "swish"}, "unknown value"),
    ({"preset": "trask-3-layer", "hidden": "1000"}, "outside"),
    ({"preset": "trask-3-layer", "hidden": "4,4,4,4,4,4,4"}, "at most"),
    ({"preset": "trask-3-layer", "lr": "abc"}, "not a number"),
    ({"preset": "trask-3-layer", "lr": "nan"}, "not a finite number"),
    ({"preset": "trask-3-layer", "lr": ""}, "not a number"),
    ({"preset": "trask-3-layer", "seed": "-4"}, "outside"),
    ({"preset": "trask-3-layer", "seed": "4.5"}, "not a whole number"),
    ({"preset": "trask-3-layer", "bias": "yes"}, "not 0 or 1"),
    ({"preset": "trask-3-layer", "steps": "1000000000"}, "outside"),
    ({"preset": "trask-3-layer", "table": "garbage"}, "table can't be read"),
    ({"preset": "trask-3-layer", "lrs": "5:1.0"}, "step 0"),
    ({"preset": "trask-3-layer", "loss": "bce", "out": "linear"}, "can't be used"),
    ({"preset": "trask-3-layer", "x": "y" * 100_000}, "too long"),
])
def test_bad_links_fall_back_with_a_warning(query, fragment):
    pg, warnings = Playground.from_query(query)
    assert any(fragment in w for w in warnings), warnings
    assert pg.trainer is not None and np.isfinite(pg.trainer.weights()[0]).all()
    assert pg.steps <= limits.MAX_LINK_STEPS


def test_huge_step_requests_are_capped():
    pg, warnings = Playground.from_query({"preset": "single-neuron", "steps": str(10**9)})
    assert pg.steps == limits.MAX_LINK_STEPS and warnings
    note = pg.start_run(pg.steps + 10**9)
    assert "at most" in note and pg.run_until == pg.steps + limits.MAX_STEPS_PER_CLICK


def test_divergence_stops_with_a_message_and_reset_recovers():
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, output_activation="linear", hidden_activation="relu", learning_rate=1000.0))
    pg.train(5000)
    assert "Training stopped" in pg.message and pg.steps < 5000
    assert all(np.isfinite(W).all() for W in pg.trainer.weights())
    pg.reset()
    assert pg.steps == 0 and pg.message == ""


def test_run_to_n_stops_exactly_at_n():
    pg = Playground.from_preset("trask-3-layer")
    pg.start_run(1234)
    while pg.running:
        pg.advance_live(seconds=0.01)
    assert pg.steps == 1234


def test_sweep_seed_opens_with_identical_weights_and_its_link_replays_them():
    pg = Playground.from_preset("xor-bias")
    pg.start_sweep(8, 400, 0.05)
    while pg.sweep.running:
        pg.advance_sweep(seconds=0.01)
    sweep_weights = pg.sweep.trainer.weights(3)
    pg.open_seed(int(pg.sweep.trainer.seeds[3]))
    assert pg.settings.seed == 4 and pg.steps == 400
    assert all(np.array_equal(a, b) for a, b in zip(sweep_weights, pg.trainer.weights()))
    again, _ = Playground.from_query(pg.to_query())
    assert weights_equal(again, pg)


def test_sessions_never_share_state():
    first, second = Playground.from_preset("trask-3-layer"), Playground.from_preset("trask-3-layer")
    first.train(50)
    first.set_table(table_from_preset(PRESETS["trask-2-layer"]))
    assert second.steps == 0 and second.table == table_from_preset(PRESETS["trask-3-layer"])


def test_settings_from_every_preset_are_valid():
    for key in PRESETS:
        assert Settings.from_preset(key).problems() == []


def test_targets_outside_the_sigmoid_are_named_and_fixed_by_scaling():
    pg = Playground.from_preset("test-score")
    assert pg.targets_warning() is None
    assert pg.apply_settings(replace(pg.settings, output_scaling="none"))
    assert "92" in pg.targets_warning()
    assert pg.fit_targets() and pg.settings.output_scaling == "max"
    assert pg.targets_warning() is None


def test_a_sweep_is_capped_by_network_steps_with_a_note():
    pg = Playground.from_preset("trask-3-layer")
    note = pg.start_sweep(256, 60_000, 0.05)
    assert pg.sweep.target_steps == limits.MAX_SWEEP_NETWORK_STEPS // 256 and "at most" in note
    assert pg.start_sweep(16, 60_000, 0.05) == "" and pg.sweep.target_steps == 60_000


def test_a_sweep_summary_before_its_first_step():
    pg = Playground.from_preset("xor-bias")
    pg.start_sweep(4, 100, 0.05)
    summary = pg.sweep.summary()
    assert np.isnan(summary["final_error"]).all() and (summary["steps_to_target"] == -1).all()
