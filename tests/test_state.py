"""The playground's state rules and its link form, without Streamlit."""

from dataclasses import replace

import numpy as np
import pytest

from engine.presets import PRESETS, build_trainer
from ui import limits
from ui.settings import Settings
from ui.state import Playground
from ui.table import Table, table_from_preset


def weights_equal(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a.trainer.weights(), b.trainer.weights(), strict=True))


@pytest.mark.parametrize("key", list(PRESETS))
def test_each_preset_trains_like_the_engine(key):
    pg = Playground.from_preset(key)
    pg.step(300)
    trainer, scaler = build_trainer(PRESETS[key])
    trainer.run(300)
    assert all(np.array_equal(a, b) for a, b in zip(pg.trainer.weights(), trainer.weights(), strict=True))
    assert np.array_equal(pg.outputs(), scaler.outputs_back(trainer.predict(trainer.X)))


def test_link_round_trip_reproduces_weights_after_the_same_steps():
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, hidden=(5, 3), seed=7, batch_size=5, learning_rate=0.3))
    pg.step(150)
    pg.set_learning_rate(0.1)
    pg.step(50)
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
    pg.step(20)
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
    pg.step(100)
    before = pg.trainer.weights()
    assert pg.apply_settings(replace(pg.settings, learning_rate=0.5))
    assert pg.steps == 100 and all(np.array_equal(a, b) for a, b in zip(before, pg.trainer.weights()))
    assert pg.apply_settings(replace(pg.settings, hidden=(5,)))
    assert pg.steps == 0 and pg.trainer.weights()[0].shape == (3, 5)


def test_reset_returns_the_starting_weights():
    pg = Playground.from_preset("xor-bias")
    start = pg.trainer.weights()
    pg.step(500)
    assert not np.array_equal(start[0], pg.trainer.weights()[0])
    pg.reset()
    assert pg.steps == 0 and all(np.array_equal(a, b) for a, b in zip(start, pg.trainer.weights()))


def test_refused_settings_keep_the_old_ones_with_a_message():
    pg = Playground.from_preset("trask-3-layer")
    pg.step(10)
    old = pg.settings
    assert not pg.apply_settings(replace(old, loss="bce", output_activation="linear"))
    assert pg.settings == old and pg.steps == 10 and "sigmoid" in pg.take_notice()
    assert pg.take_notice() == ""  # said once
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
    assert pg.steps <= limits.steps_within_budget(pg.trainer, limits.MAX_TOTAL_STEPS)


def test_huge_step_requests_are_capped():
    pg, warnings = Playground.from_query({"preset": "single-neuron", "steps": str(10**9)})
    budget = limits.steps_within_budget(pg.trainer, 10**9)
    assert pg.steps == budget and len(warnings) == 2  # out of range, then more than one click's work
    note = pg.run(pg.steps + 10**9)
    assert "at most" in note and pg.run_until == 2 * budget


def test_divergence_stops_with_a_message_and_reset_recovers():
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, output_activation="linear", hidden_activation="relu", learning_rate=1000.0))
    pg.step(5000)
    assert "Training stopped" in pg.message and pg.steps < 5000
    assert all(np.isfinite(W).all() for W in pg.trainer.weights())
    pg.reset()
    assert pg.steps == 0 and pg.message == ""


def test_run_to_n_stops_exactly_at_n():
    pg = Playground.from_preset("trask-3-layer")
    pg.run(1234)
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
    first.step(50)
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
    pg = Playground.from_preset("single-neuron")  # so cheap that memory, not work, binds first
    note = pg.start_sweep(256, 60_000, 0.05)
    assert pg.sweep.target_steps == limits.MAX_SWEEP_NETWORK_STEPS // 256 and "network-steps" in note
    assert pg.start_sweep(16, 10_000, 0.05) == "" and pg.sweep.target_steps == 10_000


def test_a_sweep_summary_before_its_first_step():
    pg = Playground.from_preset("xor-bias")
    pg.start_sweep(4, 100, 0.05)
    summary = pg.sweep.summary()
    assert np.isnan(summary["final_error"]).all() and (summary["steps_to_target"] == -1).all()


def test_settings_version_grows_only_for_changes_the_sidebar_did_not_make():
    pg = Playground.from_preset("trask-3-layer")
    version = pg.settings_version
    assert pg.apply_settings(replace(pg.settings, seed=5), from_sidebar=True)
    assert pg.settings_version == version  # the sidebar already shows it
    assert not pg.apply_settings(replace(pg.settings, hidden=(99,)), from_sidebar=True)
    assert pg.settings_version == version + 1  # refused: the sidebar must show the settings in use
    assert pg.apply_settings(replace(pg.settings, seed=6))  # e.g. the New seed button
    assert pg.settings_version == version + 2
    pg.load_preset("xor-bias")
    assert pg.settings_version == version + 3
    pg.start_sweep(2, 10, 0.05)
    pg.open_seed(2)
    assert pg.settings_version == version + 4 and pg.settings.seed == 2


def test_run_pause_and_sweep_controls_are_idempotent():
    pg = Playground.from_preset("trask-3-layer")
    pg.run()
    until = pg.run_until
    assert pg.running and until > 0
    assert pg.run() == "" and pg.running and pg.run_until == until  # a click delivered twice changes nothing
    pg.pause()
    pg.pause()
    assert not pg.running
    pg.start_sweep(4, 20, 0.05)
    pg.pause_sweep()
    pg.pause_sweep()
    assert not pg.sweep.running
    pg.continue_sweep()
    pg.continue_sweep()
    assert pg.sweep.running


def test_every_change_waits_for_the_lock():
    """A thread holding the lock (as live training does) keeps every change out until it lets go."""
    import threading

    pg = Playground.from_preset("trask-3-layer")
    changes = [lambda: pg.step(1), pg.run, pg.pause, pg.reset, lambda: pg.load_preset("xor-bias"),
               lambda: pg.apply_settings(replace(pg.settings, seed=3)), lambda: pg.start_sweep(2, 5, 0.1),
               pg.pause_sweep, pg.continue_sweep, lambda: pg.set_learning_rate(0.5)]
    for change in changes:
        done = threading.Event()
        with pg.lock:
            worker = threading.Thread(target=lambda change=change, done=done: (change(), done.set()))
            worker.start()
            assert not done.wait(0.05), change
        assert done.wait(5), change
        worker.join()


def test_a_saved_network_outside_the_limits_is_refused_before_anything_is_allocated():
    import json

    from engine.serialize import to_json

    pg = Playground.from_preset("trask-3-layer")
    pg.step(10)
    good = json.loads(to_json(pg.trainer, pg.scaler))
    for change, words in [
        (lambda t: t["config"].update(layer_sizes=[3, 17, 1]), "1 to 16 neurons"),
        (lambda t: t["config"].update(layer_sizes=[3, *[2] * 7, 1]), "at most 6 hidden layers"),
        (lambda t: t["config"].update(learning_rate=1e300), "learning rate"),
        (lambda t: t["config"].update(learning_rate=1e-300), "learning rate"),
        (lambda t: t["config"].update(batch_size=10**9), "rows per update"),
        (lambda t: t.update(steps=10**12), "the limit is"),
        (lambda t: t.update(steps=10**7), "the limit is"),
    ]:
        document = json.loads(json.dumps(good))
        change(document["trainer"])
        before = (pg.settings, pg.steps)
        with pytest.raises(ValueError, match=words):
            pg.load_network(json.dumps(document))
        assert (pg.settings, pg.steps) == before
    pg.reset()
    pg.load_network(json.dumps(good))
    assert pg.steps == 10


def test_readouts_match_the_engine():
    from ui import readouts

    pg = Playground.from_preset("test-score")
    pg.step(50)
    frame = readouts.predictions(pg, np.array([[4.0, 8.0]]))
    assert frame["studied scaled"][0] == 4 / 3 and frame["slept scaled"][0] == 8 / 9
    assert frame["score (prediction)"][0] == pg.predict_raw(np.array([[4.0, 8.0]]))[0, 0]
    assert readouts.scaling_words(pg) == "studied / 3, slept / 9"
    grid_x, grid_y, out = readouts.output_grid(pg, n=7)
    assert out.shape == (7, 7) and grid_x[0] < 1 < 3 < grid_x[-1] and grid_y[0] < 5 < 9 < grid_y[-1]
    assert out[3, 2] == pg.predict_raw(np.array([[grid_x[2], grid_y[3]]]))[0, 0]
    zs, activations = pg.trainer.forward(pg.trainer.X)
    flat = readouts.flattest_sigmoid(pg, zs, activations)
    slopes = [a * (1 - a) for a in activations[1:]]
    assert flat["slope"] == min(s.min() for s in slopes)
    summary = readouts.slope_summary(pg, activations)
    assert len(summary) == 3 + 1 and summary["smallest slope"].min() == flat["slope"]
    table = readouts.outputs_table(pg)
    assert np.array_equal(table["score (output)"], pg.outputs()[:, 0])
    pg.set_table(replace(pg.table, columns=("[a](http://e)", *pg.table.columns[1:]),
                         inputs=("[a](http://e)", *pg.table.inputs[1:])))
    assert readouts.scaling_words(pg).startswith("\\[a\\]\\(http\\:\u2060//e\\) / 3")  # shown as typed


def test_sweep_story_counts_seeds_that_reached_the_target():
    from ui import readouts

    summary = {"seed": np.arange(3), "final_error": np.array([0.01, 0.2, np.nan]),
               "steps_to_target": np.array([40, -1, -1]), "diverged": np.array([False, False, True])}
    story = readouts.sweep_story(summary, 100, 0.05)
    assert "**1 of 3**" in story and "1 diverged" in story and "0.01 to 0.2" in story
    assert readouts.sweep_story(summary, 0, 0.05) == ""
    assert readouts.sweep_table(summary)["steps to target"].isna().tolist() == [False, True, True]


def test_saturation_is_explained_with_its_cause():
    from ui import readouts
    from ui.table import Table

    pg = Playground.from_preset("test-score")
    t = pg.table
    pg.set_table(Table(t.columns, tuple((a * 100, b * 100, c) for a, b, c in t.rows), t.inputs, t.outputs))
    pg.apply_settings(replace(pg.settings, input_scaling="none"))
    pg.step(100)
    assert len(set(pg.outputs().ravel())) == 1 and "inputs as large as 900" in readouts.saturation_hint(pg)
    pg.apply_settings(replace(pg.settings, input_scaling="max"))
    pg.step(100)
    assert readouts.saturation_hint(pg) == ""
    pg = Playground.from_preset("trask-3-layer")
    pg.apply_settings(replace(pg.settings, learning_rate=1000.0))
    pg.step(500)
    assert "smaller learning rate" in readouts.saturation_hint(pg)


def test_the_tutorials_printout_lines_up_with_this_run():
    from ui import readouts

    pg = Playground.from_preset("trask-2-layer")
    pg.step(9_999)  # Trask prints l1 after the loop: the pass before the last update
    row = readouts.tutorial_printout(pg).iloc[0]
    printed = "[0.00966449 0.00786506 0.99358898 0.99211957]"
    assert row["step"] == 9_999 and row["here"] == row["the tutorial printed"] == printed
    pg.step(1)
    assert readouts.tutorial_printout(pg).iloc[0]["here"] == ""  # not at that step any more
    pg = Playground.from_preset("trask-3-layer")
    pg.step(20_001)
    printout = readouts.tutorial_printout(pg)
    reached = printout[printout["here"] != ""]
    assert list(reached["step"]) == [0, 10_000, 20_000]
    assert all(abs(float(a) - float(b)) < 1e-15 for a, b in zip(reached["here"], reached["the tutorial printed"]))
    pg.apply_settings(replace(pg.settings, hidden=(5,)))
    assert readouts.tutorial_printout(pg).empty and "no longer apply" in readouts.preset_story(pg)


def test_a_link_carries_what_it_hides():
    pg, warnings = Playground.from_query({"preset": "curved", "hide": "nav, settings ,seeds"})
    assert warnings == [] and pg.hidden == ("settings", "nav", "seeds") and not pg.shows("nav")
    assert pg.to_query()["hide"] == "settings,nav,seeds"
    assert "hide" not in pg.to_query(hidden=())  # the teacher's own link without the hiding
    again, _ = Playground.from_query(pg.to_query())
    assert again.hidden == pg.hidden


# -- one interaction, one budget of work ---------------------------------------------------------


def largest_playground():
    """Six hidden layers of 16 on a 500-row, 12-column table: the most work one step can be."""
    columns = tuple(f"x{j}" for j in range(limits.MAX_COLUMNS - 1)) + ("y",)
    rows = tuple(tuple(float(v) for v in row)
                 for row in np.random.default_rng(0).integers(0, 2, (limits.MAX_ROWS, limits.MAX_COLUMNS)))
    pg = Playground.from_preset("curved")
    pg.set_table(Table(columns=columns, rows=rows, inputs=columns[:-1], outputs=columns[-1:]))
    assert pg.apply_settings(replace(pg.settings, hidden=(limits.MAX_NEURONS,) * limits.MAX_HIDDEN_LAYERS))
    return pg


def test_every_click_that_trains_is_bounded_by_work():
    pg = largest_playground()
    budget = limits.steps_within_budget(pg.trainer, 10**9)
    assert budget < 5_000
    pg.step(10**6)
    assert pg.steps == budget
    note = pg.run(pg.steps + 100_000)
    assert pg.run_until == 2 * budget and f"{2 * budget:,}" in note and "click" in note
    pg.pause()
    note = pg.run()
    assert pg.run_until == pg.steps + budget and f"{pg.steps + budget:,}" in note and "Run again" in note


def test_a_tutorial_runs_its_steps_in_one_click_without_a_note():
    pg = Playground.from_preset("trask-3-layer")
    assert pg.run(60_000) == "" and pg.run_until == 60_000


def test_a_link_replays_as_far_as_one_click_of_work_and_says_so():
    big = largest_playground()
    query = {**big.to_query(), "steps": "100000"}
    budget = limits.steps_within_budget(big.trainer, 10**9)
    pg, warnings = Playground.from_query(query)
    assert pg.steps == budget
    [warning] = warnings
    assert f"step {budget:,}" in warning and "100,000" in warning and "two seconds" in warning
    again, _ = Playground.from_query(query)
    assert weights_equal(again, pg)  # the same link, the same step, the same weights
    small, warnings = Playground.from_query({"preset": "trask-3-layer", "steps": "60000"})
    assert small.steps == 60_000 and warnings == []


def test_a_sweep_is_bounded_by_the_work_of_all_its_networks():
    pg = largest_playground()
    note = pg.start_sweep(limits.MAX_SEEDS, 60_000, 0.05)
    assert pg.sweep.target_steps == limits.steps_within_budget(pg.sweep.trainer, 10**9) < 10
    assert f"{pg.sweep.target_steps:,} steps" in note and "two seconds" in note


def held_out_half(pg):
    assert pg.apply_settings(replace(pg.settings, test_share=0.5)) and pg.trainer.has_test
    return pg


@pytest.mark.parametrize("make", [
    lambda: Playground.from_preset("single-neuron"),  # the most steps: history at the network-step limit
    largest_playground,  # the largest work buffers, were they made: 306 MB for 256 seeds, never trained here
    lambda: held_out_half(Playground.from_preset("single-neuron")),  # four histories a network
], ids=["most steps", "largest network", "test rows"])
def test_a_sweep_holds_no_more_memory_than_its_limit(make):
    """Measured, not computed: everything a sweep keeps once its slices' results are all in."""
    import gc
    import tracemalloc

    from engine.stack import SliceResult

    pg = make()
    gc.collect()
    tracemalloc.start()
    try:
        pg.start_sweep(limits.MAX_SEEDS, limits.MAX_SWEEP_STEPS, 0.05)
        target = pg.sweep.target_steps
        for steps in (2 * target // 3, target - 2 * target // 3):  # slices as the scheduler brings them back
            job = pg.job("sweep")
            pg.absorb("sweep", job.generation, [SliceResult(state, steps, np.zeros(steps), np.zeros(steps), -1, [])
                                                 for state in job.states])
        del job
        gc.collect()
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert pg.sweep.trainer.steps == target and not pg.sweep.running
    assert held <= limits.MAX_SWEEP_BYTES, f"{held / 1e6:.1f} MB"


def a_link_with_events():
    """A run with a rate change and two weights typed in, as a link's query."""
    pg = Playground.from_preset("curved")
    pg.apply_settings(replace(pg.settings, hidden=(5, 3), seed=7, batch_size=5, learning_rate=0.3))
    pg.step(150)
    pg.set_learning_rate(0.1)
    pg.step(20)
    assert pg.set_weight(0, 1, 2, 0.75) == ""
    pg.step(30)
    assert pg.set_weight(1, 0, 0, -0.5) == ""
    return pg, pg.to_query()


def replayed_in_the_background(query):
    """(Playground, warnings, the address while replaying) once the scheduler's slices have been run here."""
    pg, warnings = Playground.from_query(query, background=True)
    address = pg.to_query()
    while pg.running:
        pg.advance_live()
    return pg, warnings, address


def test_a_link_replayed_in_the_background_ends_bit_for_bit_where_it_does_at_once():
    original, query = a_link_with_events()
    at_once, warnings = Playground.from_query(query)
    background, background_warnings, address = replayed_in_the_background(query)
    assert warnings == background_warnings == []
    assert address == query  # the address bar keeps the link while it replays
    for pg in (at_once, background):
        assert pg.steps == original.steps == 200 and not pg.running
        assert weights_equal(pg, original) and pg.settings == original.settings
        assert pg.learning_rate_changes == original.learning_rate_changes
        assert pg.weight_edits == original.weight_edits
        assert np.array_equal(pg.trainer.mean_abs_error, original.trainer.mean_abs_error)
        assert pg.to_query() == query


def test_a_link_opened_in_the_background_starts_at_step_zero_and_trains_as_a_live_run():
    _, query = a_link_with_events()
    pg, _ = Playground.from_query(query, background=True)
    assert pg.steps == 0 and pg.running and pg.run_until == 200
    job = pg.job()
    assert job.steps <= 150  # slices stop where the link changes the learning rate


def test_pausing_a_replay_keeps_what_has_happened_and_the_address_follows():
    _, query = a_link_with_events()
    pg, _ = Playground.from_query(query, background=True)
    from engine.stack import run_slice

    while pg.steps < 180:  # the scheduler's slices, ten steps at a time
        job = pg.job()
        pg.absorb("train", job.generation, run_slice(job.config, job.X, job.Y, job.states, min(job.steps, 10)))
    pg.pause()
    assert 170 <= pg.steps < 200 and not pg.running
    assert pg.learning_rate_changes == ((0, 0.3), (150, 0.1)) and pg.weight_edits == ((170, 0, 1, 2, 0.75),)
    address = pg.to_query()
    assert address["steps"] == str(pg.steps) and address["edits"] == "170:0:1:2:0.75"
    again, _ = Playground.from_query(address)
    assert weights_equal(again, pg)
    pg.run(200)  # Run to the link's target goes on, and the edit at 200 is the visitor's to make now
    while pg.running:
        pg.advance_live()
    assert pg.steps == 200 and pg.weight_edits == ((170, 0, 1, 2, 0.75),)


def test_a_page_that_does_not_show_training_finishes_the_replay_at_once():
    original, query = a_link_with_events()
    pg, _ = Playground.from_query(query, background=True)
    job = pg.job()  # a slice in flight when the visitor opens the Math page
    pg.finish_replay()
    assert pg.steps == 200 and not pg.running and weights_equal(pg, original)
    assert pg.weight_edits == original.weight_edits and pg.to_query() == query
    from engine.stack import run_slice

    pg.absorb("train", job.generation, run_slice(job.config, job.X, job.Y, job.states, job.steps))
    assert pg.steps == 200 and weights_equal(pg, original)  # the late slice is dropped
