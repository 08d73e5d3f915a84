"""The pages' logic through Streamlit's AppTest: real scripts, real session state, no browser."""

import itertools
import json
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from engine import LOSSES
from engine.presets import PRESETS, build_trainer
from tests.apptest_support import navigation_like_the_server
from ui import limits, mathpage, readouts, site
from ui.state import Playground

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [p.script for p in site.PAGES]


@pytest.fixture(autouse=True)
def routed_by_app():
    with navigation_like_the_server():
        yield


def start(query=None):
    at = AppTest.from_file(APP, default_timeout=60)
    if query:
        at.query_params.update(query)
    return at.run()


def playground(at) -> Playground:
    return at.session_state["playground"]


def no_exceptions(at):
    assert not at.exception, [e.value for e in at.exception]


_CLICKS = itertools.count(1)
LIVE_BUTTONS = {"Step": ("step", 1), "Step ×10": ("step", 10), "Step ×100": ("step", 100), "▶ Run": ("run", None),
                "⏸ Pause": ("pause", None), "Reset": ("reset", None)}


def live_data(at, view="train"):
    """The payload the live view `view` was sent in the latest run."""
    element = next(e for e in at.get("bidi_component") if e.proto.id and f"live_{view}" in e.proto.id)
    return json.loads(element.proto.json)


def click(at, label, argument=None, view="train"):
    """A click on the live view's control `label`, sent as the browser sends it (a numbered action), then a run."""
    kind, default = LIVE_BUTTONS.get(label, (label, None))
    at.session_state[f"live_{view}"] = {"actions": {"mount": "test", "log": [[next(_CLICKS), kind,
                                                                              argument or default]]}}
    return at.run()


def keep_open_until(at, done, timeout=60.0):
    """Rerun the page, as an open browser tab asks for updates, until done() (training goes on meanwhile)."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "training did not get there in time"
        time.sleep(0.05)
        at.run()


def button(at, label):
    return next(b for b in at.button if b.label == label)


def latex(at):
    """Every formula on the page (Markdown that is one inline formula, as ui.mathtext.wrapping writes it)."""
    return [e.value[2:-2] for e in at.markdown if e.value.startswith("$$") and e.value.endswith("$$")]


def select_preset(at, key):
    box = next(s for s in at.sidebar.selectbox if s.label == "Preset")
    box.set_value(key).run()


@pytest.mark.parametrize("key", list(PRESETS))
def test_every_page_renders_after_loading_each_preset(key):
    at = start()
    select_preset(at, key)
    assert playground(at).settings.preset == key
    n_layers = len(PRESETS[key].config.layer_sizes) - 1
    # Train: error curve, outputs table, one heatmap per weight matrix, the network diagram, and for two
    # inputs the neurons' maps of the input plane.
    two_inputs = len(PRESETS[key].inputs) == 2
    expected_charts = {"train": n_layers + 3 + two_inputs, "scurve": 1, "predict": 1 if two_inputs else 0}
    views = {"pages/train.py": "train", "pages/s_curve.py": "scurve", "pages/predict.py": "predict"}
    for page in PAGES:
        at.switch_page(page).run()
        no_exceptions(at)
        if page in views and expected_charts[views[page]]:
            assert len(live_data(at, views[page])["charts"]) == expected_charts[views[page]], page


def test_cold_start_on_every_page():
    for page in PAGES:
        at = AppTest.from_file(APP, default_timeout=60)
        at.switch_page(page).run()
        no_exceptions(at)


def test_stepping_changes_counter_weights_and_curve():
    at = start()
    before = playground(at).trainer.weights()
    click(at, "Step ×100")
    no_exceptions(at)
    pg = playground(at)
    assert pg.steps == 100
    data = live_data(at)
    assert {s["label"]: s["value"] for s in data["status"]}["Step"] == "100"
    assert not np.array_equal(before[0], pg.trainer.weights()[0])
    curve = data["curves"]["curve"]
    assert curve["x"] == list(range(101))  # the pass before each update, and the pass after the last
    assert np.allclose(np.asarray(curve["series"][0][:100], dtype=float), pg.trainer.mean_abs_error[0], rtol=1e-6)


def test_run_to_n_matches_the_engine_bit_for_bit():
    at = start()
    click(at, "run_to", 2500)
    keep_open_until(at, lambda: not playground(at).running)
    no_exceptions(at)
    pg = playground(at)
    assert pg.steps == 2500
    trainer, _ = build_trainer(PRESETS["trask-3-layer"])
    trainer.run(2500)
    assert all(np.array_equal(a, b) for a, b in zip(pg.trainer.weights(), trainer.weights(), strict=True))
    assert np.array_equal(pg.trainer.mean_abs_error, trainer.mean_abs_error)


def test_run_then_pause():
    at = start()
    click(at, "▶ Run")
    assert playground(at).running
    keep_open_until(at, lambda: playground(at).steps > 0)
    assert playground(at).steps > 0
    click(at, "⏸ Pause")
    assert not playground(at).running
    steps = playground(at).steps
    at.run()
    time.sleep(0.3)  # a slice already in flight would land within this
    assert playground(at).steps == steps


def test_the_train_page_lists_every_weight_as_a_number():
    """Heatmaps print numbers only where they fit; the page's tables hold them all, bias row included."""
    at = start({"preset": "curved", "hidden": "16", "steps": "3"})
    keep_open_until(at, lambda: not playground(at).running)  # the link's steps, replayed
    at.run()
    no_exceptions(at)
    pg = playground(at)
    tables = [t.value for t in at.table]
    assert len(tables) == 2 and pg.trainer.biases()
    for frame, W, b in zip(tables, pg.trainer.weights(), pg.trainer.biases(), strict=True):
        assert frame.shape == (W.shape[0] + 1, W.shape[1]) and list(frame.index)[-1] == "bias"
        assert np.array_equal(frame.to_numpy(dtype=float), np.vstack([W, b]))


def test_reset_returns_the_starting_weights():
    at = start()
    start_weights = playground(at).trainer.weights()
    click(at, "Step ×100")
    click(at, "Reset")
    pg = playground(at)
    assert pg.steps == 0
    assert all(np.array_equal(a, b) for a, b in zip(start_weights, pg.trainer.weights(), strict=True))


def test_editing_a_cell_changes_the_table_the_engine_trains_on():
    at = start()
    at.switch_page("pages/data.py").run()
    editor_key = f"data_editor_{at.session_state['data_version']}"
    at.session_state[editor_key] = {"edited_rows": {0: {"y": 1}}, "added_rows": [], "deleted_rows": []}
    at.run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.table.rows[0][-1] == 1.0
    assert pg.trainer.Y[0, 0] == 1.0


def test_invalid_cells_show_a_message_and_keep_the_table():
    at = start()
    click(at, "Step ×10")
    at.switch_page("pages/data.py").run()
    table_before = playground(at).table
    editor_key = f"data_editor_{at.session_state['data_version']}"
    at.session_state[editor_key] = {"edited_rows": {1: {"x2": "abc"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    no_exceptions(at)
    errors = " ".join(e.value for e in at.error)
    assert "Row 2" in errors and "x2" in errors and "abc" in errors
    pg = playground(at)
    assert pg.table == table_before and pg.steps == 10


def test_link_round_trip_in_the_app():
    at = start()
    click(at, "Step ×100")
    query = playground(at).to_query()
    again = start(query)
    no_exceptions(again)
    # The page is drawn at once, and the link's steps are replayed as a live run meanwhile.
    assert playground(again).running and playground(again).run_until == 100
    assert again.query_params["steps"] == ["100"] or again.query_params["steps"] == "100"
    keep_open_until(again, lambda: not playground(again).running)
    assert playground(again).steps == 100
    assert all(np.array_equal(a, b) for a, b in
               zip(playground(at).trainer.weights(), playground(again).trainer.weights(), strict=True))
    assert again.query_params["steps"] == ["100"] or again.query_params["steps"] == "100"


def test_malformed_link_warns_and_falls_back():
    at = start({"preset": "no-such", "lr": "fast", "hidden": "99"})
    no_exceptions(at)
    warnings = " ".join(w.value for w in at.warning)
    assert "Unknown preset" in warnings and "'lr'" in warnings and "'hidden'" in warnings
    assert playground(at).settings.preset == "trask-3-layer"


def test_learning_rate_change_keeps_weights_and_architecture_change_resets():
    at = start()
    click(at, "Step ×100")
    rate = next(n for n in at.sidebar.number_input if n.label == "Learning rate")
    rate.set_value(0.5).run()
    assert playground(at).steps == 100 and playground(at).settings.learning_rate == 0.5
    neurons = next(n for n in at.sidebar.number_input if n.label == "Layer 1")
    neurons.set_value(6).run()
    no_exceptions(at)
    assert playground(at).steps == 0 and playground(at).trainer.weights()[0].shape == (3, 6)


def test_divergence_is_reported_and_weights_stay_finite():
    at = start()
    rate = next(n for n in at.sidebar.number_input if n.label == "Learning rate")
    rate.set_value(10_000.0).run()
    out = next(s for s in at.sidebar.selectbox if s.label == "Output activation")
    out.set_value("linear").run()
    click(at, "Step ×100")
    no_exceptions(at)
    assert "Training stopped" in live_data(at)["message"]["text"]
    assert all(np.isfinite(W).all() for W in playground(at).trainer.weights())


def test_predict_scales_new_rows_with_the_training_maxima():
    at = start()
    select_preset(at, "test-score")
    at.switch_page("pages/predict.py").run()
    no_exceptions(at)
    shown = at.table[0].value
    assert shown.iloc[0]["studied scaled"] == pytest.approx(4 / 3)
    assert shown.iloc[0]["slept scaled"] == pytest.approx(8 / 9)
    pg = playground(at)
    assert shown.iloc[0]["score (prediction)"] == pytest.approx(pg.predict_raw(np.array([[4.0, 8.0]]))[0, 0])


def test_predict_writes_the_forward_pass_with_the_real_activations_and_bias():
    at = start()
    select_preset(at, "curved")
    at.switch_page("pages/predict.py").run()
    no_exceptions(at)
    line = "`output = sigmoid(np.dot(np.tanh(np.dot(row, syn0) + bias0), syn1) + bias1)`"
    assert any(line in caption.value for caption in at.caption)


def test_math_page_shows_the_real_numbers():
    at = start()
    at.switch_page("pages/math.py").run()
    no_exceptions(at)
    pg = playground(at)
    z = pg.trainer.forward(pg.trainer.X[:1])[0][0][0, 0]
    assert any(f"{z:.4g}" in line for line in latex(at))
    assert not at.latex  # display math cannot wrap: every formula is inline, so a narrow window wraps it


@pytest.mark.parametrize("loss", list(LOSSES))
def test_math_page_writes_each_losss_own_step(loss):
    at = start()
    next(s for s in at.sidebar.selectbox if s.label == "Loss").set_value(loss).run()
    click(at, "Step ×10")
    at.switch_page("pages/math.py").run()
    at.selectbox(key="math_row").set_value(2).run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.settings.loss == loss and pg.steps == 10
    wanted = mathpage.training_step(pg.trainer, 2, readouts.neuron_labels(pg), readouts.layer_names(pg))
    assert latex(at) == [b.text for b in wanted if b.kind == "latex"]
    assert [e.value for e in at.main.code] == [b.text for b in wanted if b.kind == "code"]
    symbol, scale = LOSSES[loss].scale_latex(), LOSSES[loss].scale_latex(4)
    [delta] = [line for line in latex(at) if line.startswith("\\delta_{\\text{y}}")]
    assert delta.startswith("\\delta_{\\text{y}} = " + (symbol + "\\," if symbol else "") + "(y - a)")
    assert (f"= {scale} \\times " in delta) == bool(scale) and ("a\\,(1 - a)" in delta) == LOSSES[loss].uses_slope
    assert not any("article" in e.value for e in at.markdown)


def test_math_page_shows_the_test_score_articles_worked_example():
    at = start()
    select_preset(at, "test-score")
    at.switch_page("pages/math.py").run()
    no_exceptions(at)
    assert "o = S(1.788528703) = 0.8567467964" in latex(at)
    assert any(line.endswith("= {2 \\cdot 0.6} + {9 \\cdot 0.3} = 3.9") for line in latex(at))
    markdown = "\n".join(e.value for e in at.markdown)
    assert "| output | 0.8579443067 | 0.8567467964 |" in markdown and "Why they differ" in markdown


def test_code_page_exports_a_script_for_the_current_run():
    at = start()
    click(at, "Step ×100")
    at.switch_page("pages/code.py").run()
    no_exceptions(at)
    script = at.code[0].value
    assert "np.random.RandomState(1)" in script and "range(100)" in script


def test_seeds_page_runs_and_opens_a_seed_with_identical_weights():
    at = start()
    select_preset(at, "xor-bias")
    at.switch_page("pages/seeds.py").run()
    at.number_input(key="seeds_count").set_value(8)
    at.number_input(key="seeds_steps").set_value(300)
    button(at, "Run all seeds").click().run()
    keep_open_until(at, lambda: not playground(at).sweep.running)
    no_exceptions(at)
    sweep = playground(at).sweep
    assert sweep.trainer.steps == 300 and len(live_data(at, "seeds")["charts"]) == 2
    wanted = sweep.trainer.weights(2)
    at.selectbox(key="seeds_pick").set_value(int(sweep.trainer.seeds[2]))
    button(at, "Open on Train page").click().run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.settings.seed == int(sweep.trainer.seeds[2]) and pg.steps == 300
    assert all(np.array_equal(a, b) for a, b in zip(wanted, pg.trainer.weights(), strict=True))


def test_two_sessions_do_not_share_anything():
    first, second = start(), start()
    click(first, "Step ×100")
    second.run()
    assert playground(second).steps == 0 and playground(first).steps == 100
    assert playground(first) is not playground(second)


def test_csv_upload_replaces_the_table_and_a_bad_file_keeps_it():
    at = start()
    at.switch_page("pages/data.py").run()
    at.file_uploader(key="data_upload").set_value(("png.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "text/csv")).run()
    no_exceptions(at)
    assert at.error and playground(at).table.columns == ("x1", "x2", "x3", "y")
    csv = b"a,b,target\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n"
    at.file_uploader(key="data_upload").set_value(("xor.csv", csv, "text/csv")).run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.table.inputs == ("a", "b") and pg.table.outputs == ("target",) and pg.steps == 0
    assert pg.trainer.weights()[0].shape == (2, 4)


def test_after_an_upload_the_sidebar_says_the_table_is_the_learners_own_and_reloads_the_preset():
    from ui.table import table_from_preset

    at = start()
    assert not [c for c in at.sidebar.caption if "your own table" in c.value]
    at.switch_page("pages/data.py").run()
    csv = b"a,b,target\n0,1,1\n1,0,1\n1,1,0\n0,0,0\n"
    at.file_uploader(key="data_upload").set_value(("xor.csv", csv, "text/csv")).run()
    no_exceptions(at)
    [note] = [c.value for c in at.sidebar.caption if "your own table" in c.value]
    assert "4 rows" in note and "not this preset's" in note
    next(b for b in at.sidebar.button if b.label == "Reload the preset").click().run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.table == table_from_preset(PRESETS["trask-3-layer"]) and pg.trainer.weights()[0].shape == (3, 4)
    assert not [c for c in at.sidebar.caption if "your own table" in c.value]


def test_saved_network_loads_back_exactly_and_a_broken_one_is_refused():
    from engine.serialize import to_json

    at = start()
    click(at, "Step ×100")
    saved = to_json(playground(at).trainer, playground(at).scaler)
    wanted = playground(at).trainer.weights()
    click(at, "Reset")
    at.switch_page("pages/code.py").run()
    at.file_uploader(key="code_upload_json").set_value(("bad.json", b'{"format": 1, "weights": "x"}',
                                                        "application/json")).run()
    no_exceptions(at)
    assert any("can't be loaded" in e.value for e in at.error) and playground(at).steps == 0
    at.file_uploader(key="code_upload_json").set_value(("net.json", saved.encode(), "application/json")).run()
    button(at, "Use it").click().run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.steps == 100
    assert all(np.array_equal(a, b) for a, b in zip(wanted, pg.trainer.weights(), strict=True))


def test_new_seed_and_a_preset_show_at_once_in_the_sidebar():
    at = start()
    button(at, "New seed").click().run()
    no_exceptions(at)
    seed = playground(at).settings.seed
    assert next(n for n in at.sidebar.number_input if n.label == "Seed").value == seed
    select_preset(at, "test-score")
    assert next(n for n in at.sidebar.number_input if n.label == "Seed").value == 2
    assert next(s for s in at.sidebar.selectbox if s.label == "Initialisation").value == "normal"


def test_refused_sidebar_settings_are_shown_as_they_stay():
    at = start()
    out = next(s for s in at.sidebar.selectbox if s.label == "Loss")
    out.set_value("bce").run()
    out = next(s for s in at.sidebar.selectbox if s.label == "Output activation")
    out.set_value("linear").run()
    no_exceptions(at)
    assert any("Settings not applied" in w.value for w in at.warning)
    assert next(s for s in at.sidebar.selectbox if s.label == "Output activation").value == "sigmoid"


def test_a_classroom_link_hides_what_the_teacher_chose_and_keeps_hiding_it():
    at = start({"preset": "xor-bias", "hide": "settings,editor,math"})
    no_exceptions(at)
    assert not [s for s in at.sidebar.selectbox if s.label == "Preset"]
    assert at.query_params["hide"] in (["settings,editor,math"], "settings,editor,math")  # a reload keeps it
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/math.py")  # not among the app's pages any more
    at.switch_page("pages/data.py").run()
    no_exceptions(at)
    assert "This exercise fixes the table." in [c.value for c in at.caption]
    assert not at.get("file_uploader") and not [b for b in at.button if b.label == "Add column"]
    again = start({"preset": "xor-bias", "hide": "math,nonsense"})
    assert any("'hide'" in w.value for w in again.warning) and playground(again).hidden == ()


def test_the_math_page_steps_and_shows_the_next_steps_numbers():
    at = start()
    at.switch_page("pages/math.py").run()
    before = latex(at)
    button(at, "Step").click().run()
    no_exceptions(at)
    assert playground(at).steps == 1 and latex(at) != before
    assert "Current weights at step 1;" in " ".join(c.value for c in at.caption)


def test_the_share_box_says_when_its_link_opens_short_of_this_step(monkeypatch):
    at = click(start(), "Step ×100")
    pg = playground(at)
    shared = " ".join(w.value for w in at.sidebar.warning)
    assert "opens at step" not in shared
    monkeypatch.setattr(limits, "CLICK_SECONDS", 200.5 * limits.step_seconds(pg.config.layer_sizes, 4))
    pg.step(300)
    pg.step(300)  # two clicks of 200 steps: beyond what the link replays
    assert pg.steps == 500
    at.run()
    no_exceptions(at)
    shared = " ".join(w.value for w in at.sidebar.warning)
    assert "opens at step 200, not 500" in shared and "Run to 500" in shared
    assert not any("so the same weights" in c.value for c in at.sidebar.caption)


# -- visitor text is shown as typed, never as Markdown ----------------------------------------------

LINK_TEXT = "[Log in again](http://ev.il)"


def shown(elements):
    """The Markdown of the elements, without the invisible word joiners that keep bare addresses from linking."""
    return " ".join(e.value for e in elements).replace("\u2060", "")


def test_link_text_in_a_warning_is_escaped_markdown():
    at = start({"act": LINK_TEXT, "seed": "**FREE PRIZE**"})
    no_exceptions(at)
    warnings = shown(at.warning)
    assert r"'\[Log in again\]\(http\://ev\.il\)'" in warnings and r"'\*\*FREE PRIZE\*\*'" in warnings
    assert "](" not in warnings and "**" not in warnings


def test_a_column_name_in_a_data_error_is_escaped_markdown():
    at = start()
    at.switch_page("pages/data.py").run()
    data = b"[Log in](http://ev.il),y\nabc,1\n"
    at.file_uploader(key="data_upload").set_value(("evil.csv", data, "text/csv")).run()
    no_exceptions(at)
    errors = shown(at.error)
    assert r"column '\[Log in\]\(http\://ev\.i…': 'abc' is not a number" in errors and "](" not in errors


def test_a_saved_networks_text_in_an_error_is_escaped_markdown():
    from engine.serialize import to_json

    at = start()
    document = json.loads(to_json(playground(at).trainer, playground(at).scaler))
    document["trainer"]["config"]["hidden_activation"] = LINK_TEXT
    at.switch_page("pages/code.py").run()
    at.file_uploader(key="code_upload_json").set_value(("evil.json", json.dumps(document).encode(),
                                                        "application/json")).run()
    no_exceptions(at)
    errors = shown(at.error)
    assert "can't be loaded" in errors and r"\[Log in again\]\(http\://ev\.il\)" in errors and "](" not in errors


# -- the Data page's draft ------------------------------------------------------------------------


def edit(at, edited_rows):
    """An edit in the Data page's grid, as the browser sends it, then a run."""
    at.session_state[f"data_editor_{at.session_state['data_version']}"] = {
        "edited_rows": edited_rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def test_a_draft_with_a_bad_cell_is_kept_across_pages_and_used_once_it_is_sound():
    at = start()
    at.switch_page("pages/data.py").run()
    in_use = playground(at).table
    edit(at, {0: {"y": 1}, 1: {"x2": "abc"}})  # a good edit and a bad one
    assert playground(at).table == in_use
    said = shown(at.error)
    assert "draft" in said and "not in use" in said and "abc" in said and "4 rows" in said
    at.switch_page("pages/train.py").run()
    at.switch_page("pages/data.py").run()
    no_exceptions(at)
    said = shown(at.error)
    assert "draft" in said and "abc" in said  # still there, and still said to be unused
    edit(at, {1: {"x2": "0"}})  # only the bad cell is fixed; the good edit from before leaving is kept
    no_exceptions(at)
    pg = playground(at)
    assert pg.table.rows[0][-1] == 1.0 and pg.table.rows[1][1] == 0.0 and pg.trainer.Y[0, 0] == 1.0
    assert not at.error


def test_a_draft_is_set_aside_with_a_message_when_the_table_changes_elsewhere():
    at = start()
    at.switch_page("pages/data.py").run()
    edit(at, {1: {"x2": "abc"}})
    select_preset(at, "xor-bias")
    no_exceptions(at)
    assert "set aside" in shown(at.info) and not at.error
    assert playground(at).table.columns == ("a", "b", "a xor b")


def test_a_draft_can_be_discarded_for_the_table_in_use():
    at = start()
    at.switch_page("pages/data.py").run()
    in_use, version = playground(at).table, at.session_state["data_version"]
    edit(at, {1: {"x2": "abc"}})
    button(at, "Discard the draft").click().run()
    no_exceptions(at)
    assert not at.error and playground(at).table == in_use and at.session_state["data_version"] == version + 1


# -- what is typed on Predict and Seeds outlives a visit to another page ----------------------------------


def predict_editor_key(at):
    pg = playground(at)
    return next(k for k in at.session_state if str(k).startswith("predict_rows_")
                and str(k).endswith(f"{pg.settings_version}_{hash(pg.table.inputs)}"))


def type_new_rows(at, edited_rows, added_rows=()):
    """An edit in the Predict page's grid of new rows, as the browser sends it, then a run."""
    at.session_state[predict_editor_key(at)] = {"edited_rows": edited_rows, "added_rows": list(added_rows),
                                                "deleted_rows": []}
    return at.run()


def visit_train_and_return(at, page):
    at.switch_page("pages/train.py").run()
    return at.switch_page(page).run()


def test_new_rows_typed_on_predict_are_there_on_return():
    at = start()
    select_preset(at, "test-score")
    at.switch_page("pages/predict.py").run()
    type_new_rows(at, {0: {"studied": 5.0}}, [{"studied": 1.0, "slept": 2.0}])
    typed = at.table[0].value
    assert list(typed["studied"]) == [5.0, 1.0] and list(typed["slept"]) == [8.0, 2.0]
    visit_train_and_return(at, "pages/predict.py")
    no_exceptions(at)
    assert at.table[0].value.equals(typed)
    type_new_rows(at, {1: {"slept": 3.0}})  # typing goes on from the rows that were kept
    no_exceptions(at)
    assert list(at.table[0].value["studied"]) == [5.0, 1.0] and list(at.table[0].value["slept"]) == [8.0, 3.0]
    select_preset(at, "trask-3-layer")
    select_preset(at, "test-score")  # a preset chosen again starts from its own rows
    assert list(at.table[0].value["studied"]) == [4.0]


def test_the_seeds_page_inputs_are_there_on_return():
    at = start()
    select_preset(at, "xor-bias")
    pg = playground(at)
    assert pg.apply_settings(replace(pg.settings, test_share=0.25)) and pg.has_test  # so seeds can be ordered
    at.switch_page("pages/seeds.py").run()
    at.number_input(key="seeds_count").set_value(3)
    at.number_input(key="seeds_steps").set_value(20)
    at.number_input(key="seeds_target").set_value(0.2).run()
    visit_train_and_return(at, "pages/seeds.py")
    no_exceptions(at)
    assert [at.number_input(key=k).value for k in ("seeds_count", "seeds_steps", "seeds_target")] == [3, 20, 0.2]
    button(at, "Run all seeds").click().run()
    keep_open_until(at, lambda: not playground(at).sweep.running)
    sweep = playground(at).sweep
    assert sweep.trainer.n_networks == 3 and sweep.target_steps == 20 and sweep.target_error == 0.2
    order = at.radio(key="seeds_order")
    chosen = next(o for o in order.options if o != order.value)
    order.set_value(chosen)
    at.selectbox(key="seeds_pick").set_value(int(sweep.trainer.seeds[2])).run()
    visit_train_and_return(at, "pages/seeds.py")
    no_exceptions(at)
    assert at.radio(key="seeds_order").value == chosen
    assert at.selectbox(key="seeds_pick").value == int(sweep.trainer.seeds[2])
    assert at.number_input(key="seeds_count").value == 3


# -- saved networks through the Code page ------------------------------------------------------------


def saved_network(steps=0, **config):
    """A saved network (JSON text) for the default table, with config changed as given."""
    from engine import Trainer
    from engine.serialize import to_json

    pg = Playground.from_preset("trask-3-layer")
    trainer = Trainer(pg.trainer.config.replace(**config), pg.trainer.X, pg.trainer.Y)
    trainer.run(steps)
    return to_json(trainer, pg.scaler)


def upload_network(at, text, name="net.json"):
    at.switch_page("pages/code.py").run()
    at.file_uploader(key="code_upload_json").set_value((name, text.encode(), "application/json")).run()
    return at


@pytest.mark.parametrize("change, words", [
    (dict(layer_sizes=(3, 17, 1)), "1 to 16 neurons"),
    (dict(layer_sizes=(3, *[2] * 7, 1)), "at most 6 hidden layers"),
    (dict(learning_rate=1e300), "learning rate"),
    (dict(learning_rate=1e-300), "learning rate"),
    (dict(batch_size=10**9), "rows per update"),
    (dict(steps=10**12), "the limit is"),
    (dict(steps=10**7), "the limit is"),
])
def test_a_saved_network_outside_the_limits_is_refused_on_the_code_page(change, words):
    document = json.loads(saved_network())
    steps = change.pop("steps", None)
    document["trainer"]["config"].update({k: list(v) if isinstance(v, tuple) else v for k, v in change.items()})
    if steps is not None:
        document["trainer"]["steps"] = steps
    at = upload_network(start(), json.dumps(document))
    no_exceptions(at)
    assert words in shown(at.error) and not any(b.label == "Use it" for b in at.button)
    assert playground(at).steps == 0 and playground(at).settings.hidden == (4,)


@pytest.mark.parametrize("config", [
    dict(layer_sizes=(3, *[16] * 6, 1), learning_rate=1e4, batch_size=500, seed=2**32 - 1, bias=True,
         hidden_activation="relu", init="xavier", loss="bce"),
    dict(layer_sizes=(3, 1), learning_rate=1e-6, batch_size=1, seed=0, init="normal", loss="mse"),
], ids=["largest", "smallest"])
def test_a_saved_network_at_the_limits_is_used_and_every_page_and_sidebar_widget_takes_it(config):
    at = upload_network(start(), saved_network(steps=3, **config))
    button(at, "Use it").click().run()
    no_exceptions(at)
    pg = playground(at)
    assert pg.steps == 3 and pg.config.layer_sizes == config["layer_sizes"] and pg.settings.seed == config["seed"]
    for page in PAGES:
        at.switch_page(page).run()
        no_exceptions(at)
    shown_settings = {w.label: w.value for w in [*at.sidebar.number_input, *at.sidebar.selectbox]}
    assert shown_settings["Learning rate"] == config["learning_rate"] and shown_settings["Seed"] == config["seed"]
