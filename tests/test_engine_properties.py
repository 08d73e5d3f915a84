"""Properties of the engine on random shapes, tables and settings (hypothesis)."""

import ast
import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, NetworkConfig, Trainer
from engine.regularizers import REGULARIZERS

ENGINE = Path(__file__).resolve().parents[1] / "engine"
UI_LIBRARIES = {"streamlit", "plotly", "pandas"}
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

finite_values = st.one_of(
    st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, -1.0, 1e6, -1e6, 1e-300]),
)


@st.composite
def training_runs(draw):
    """(config, X, Y, seeds, learning_rates, steps) for a random small network and table (or one each)."""
    depth = draw(st.integers(0, 3))
    sizes = (draw(st.integers(1, 6)), *draw(st.lists(st.integers(1, 6), min_size=depth, max_size=depth)),
             draw(st.integers(1, 3)))
    loss = draw(st.sampled_from(sorted(LOSSES)))
    output = LOSSES[loss].needs_output or draw(st.sampled_from(sorted(ACTIVATIONS)))
    n_rows = draw(st.integers(1, 10))
    config = NetworkConfig(
        layer_sizes=sizes, hidden_activation=draw(st.sampled_from(sorted(ACTIVATIONS))), output_activation=output,
        bias=draw(st.booleans()), init=draw(st.sampled_from(sorted(INITIALIZERS))), loss=loss,
        learning_rate=draw(st.floats(1e-6, 1e4)), batch_size=draw(st.integers(0, n_rows + 2)),
        seed=draw(st.integers(0, 2**32 - 1)), regularization=draw(st.sampled_from(sorted(REGULARIZERS))),
        regularization_rate=draw(st.sampled_from([0.0, 1e-3, 0.1, 10.0])),
    )
    X = draw(arrays(np.float64, (n_rows, sizes[0]), elements=finite_values))
    Y = draw(arrays(np.float64, (n_rows, sizes[-1]), elements=finite_values))
    n_networks = draw(st.integers(1, 3))
    seeds = draw(st.lists(st.integers(0, 2**32 - 1), min_size=n_networks, max_size=n_networks))
    rates = draw(st.lists(st.floats(1e-6, 1e4), min_size=n_networks, max_size=n_networks))
    steps = draw(st.integers(1, 40))
    if draw(st.booleans()):  # one table per network: the same rows, each network's in another order
        X = np.stack([np.roll(X, k, axis=0) for k in range(n_networks)])
        Y = np.stack([np.roll(Y, k, axis=0) for k in range(n_networks)])
    return config, X, Y, seeds, rates, steps


def strictly(action):
    """Run action with overflow, division by zero, invalid results and any warning turned into errors."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        warnings.simplefilter("error")
        return action()


def state_of(trainer):
    return ([W.copy() for W in trainer.W + trainer.b], trainer.mean_abs_error.copy(), trainer.loss_history.copy(),
            trainer.diverged_at.copy(), trainer.steps)


def assert_same_state(a, b):
    for x, y in zip(a[0], b[0]):
        assert np.array_equal(x, y)
    assert np.array_equal(a[1], b[1], equal_nan=True)
    assert np.array_equal(a[2], b[2], equal_nan=True)
    assert np.array_equal(a[3], b[3])
    assert a[4] == b[4]


@PROPERTY_SETTINGS
@given(training_runs(), st.data())
def test_training_never_warns_and_is_reproducible(run, data):
    config, X, Y, seeds, rates, steps = run
    trainer = strictly(lambda: Trainer(config, X, Y, seeds=seeds, learning_rates=rates))
    report = strictly(lambda: trainer.run(steps))
    strictly(lambda: trainer.predict_all(X))

    for W in trainer.W + trainer.b:
        assert np.isfinite(W).all()
    if trainer.n_networks == 1:
        if report.diverged:
            # the update that overflowed is reported and undone
            assert trainer.diverged_at[0] >= 1 and trainer.steps == trainer.diverged_at[0] - 1
            assert report.message
        else:
            assert trainer.steps == steps and trainer.diverged_at[0] == -1
        assert np.isfinite(trainer.mean_abs_error).all()
    else:
        # a sweep goes on while any network is healthy, and stops with the last one
        all_stopped = (trainer.diverged_at >= 0).all()
        assert trainer.steps == (trainer.diverged_at.max() if all_stopped else steps)
        for k, stopped in enumerate(trainer.diverged_at):
            if stopped >= 0:
                assert np.isnan(trainer.mean_abs_error[k, stopped:]).all()
            else:
                assert np.isfinite(trainer.mean_abs_error[k]).all()

    again = Trainer(config, X, Y, seeds=seeds, learning_rates=rates)
    again.run(steps)
    assert_same_state(state_of(again), state_of(trainer))

    cuts = sorted(data.draw(st.lists(st.integers(0, steps), max_size=4), label="cuts"))
    pieces = Trainer(config, X, Y, seeds=seeds, learning_rates=rates, chunk=data.draw(st.integers(1, 9), label="chunk"))
    for n in np.diff([0, *cuts, steps]):
        strictly(lambda n=n: pieces.run(n))
    assert_same_state(state_of(pieces), state_of(trainer))


@PROPERTY_SETTINGS
@given(st.sampled_from(sorted(ACTIVATIONS)),
       arrays(np.float64, st.integers(0, 20), elements=st.floats(-1e4, 1e4)))
def test_activation_never_warns(name, z):
    activation = ACTIVATIONS[name]
    a = strictly(lambda: activation(z))
    assert a.shape == z.shape
    low, high = activation.output_range
    assert ((a >= low) & (a <= high)).all()
    strictly(lambda: activation.slope(z))


def imported_modules(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_engine_sources_import_no_ui_library():
    sources = sorted(ENGINE.glob("*.py"))
    assert len(sources) >= 7
    for path in sources:
        assert not UI_LIBRARIES & set(imported_modules(path)), path.name


def test_importing_the_engine_loads_no_ui_library():
    modules = [f"engine.{p.stem}" for p in sorted(ENGINE.glob("*.py")) if p.stem not in ("__init__", "__main__")]
    code = (f"import sys, json, importlib\nfor m in {modules!r}: importlib.import_module(m)\n"
            "print(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ENGINE.parent, capture_output=True, text=True,
                          timeout=60, check=True)
    loaded = {name.split(".")[0] for name in json.loads(done.stdout)}
    assert "engine" in loaded and "numpy" in loaded
    assert not UI_LIBRARIES & loaded
