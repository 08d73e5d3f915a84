"""Random query strings never break the playground: a usable state, and a message for each fallback."""

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, SCALINGS
from engine.presets import PRESETS
from ui import limits
from ui.state import Playground

NAMES = ["preset", "hidden", "act", "out", "bias", "init", "loss", "lr", "batch", "seed", "xscale", "yscale",
         "xdiv", "ydiv", "lrs", "table", "unknown"]
WORDS = [*PRESETS, *ACTIVATIONS, *INITIALIZERS, *LOSSES, *SCALINGS, "0", "1", "-1", "2,3", "4,4,4", "0.5", "1e4",
         "1e-7", "nan", "inf", "", " ", "abc", "0:1.0,5:0.5", "1.", "\x00", "é"]
values = st.one_of(st.sampled_from(WORDS), st.text(max_size=40))
# Step counts stay small here: replaying the largest allowed links is covered by the unit tests.
steps = st.sampled_from(["0", "3", "17", "", "x", "-5", "2.5"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(NAMES), values, max_size=8), steps)
def test_any_link_gives_a_usable_playground(query, step_text):
    query = {**query, "steps": step_text}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no NumPy warning, whatever the link says
        pg, messages = Playground.from_query(query)
    assert all(isinstance(m, str) and m for m in messages)
    assert pg.settings.problems() == []
    assert 0 <= pg.steps <= limits.steps_within_budget(pg.trainer, limits.MAX_TOTAL_STEPS)
    assert all(np.isfinite(W).all() for W in pg.trainer.weights())
    again, second = Playground.from_query(pg.to_query())  # what the app writes back is always a clean link
    assert second == [] or any("Training stopped" in m for m in second)
    assert again.settings == pg.settings and again.table == pg.table
