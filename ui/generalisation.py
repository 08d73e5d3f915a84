"""Controls of the generalisation lesson: generated data, the test split, derived inputs, weight penalties,
the discretised map and weights typed in by hand.

Each *_ui() draws its widgets and hands the choice to the playground through its methods, so a
link and the exported script record it; bad input is refused there with a message, never a traceback.
Widget keys carry the playground's settings_version, so they show the settings in use after a
change made elsewhere (a preset, a link, a refused value).
"""

import secrets
from dataclasses import replace

import streamlit as st

from engine import REGULARIZERS
from engine.datasets import DATASETS, MAX_NOISE
from engine.features import FEATURES, feature_problems
from engine.split import held_out_count
from ui import limits, readouts

# The rates the popular browser playground offers; any other rate can be typed into a link.
PENALTY_RATES = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)


def data_set_ui(pg):
    """Draw a generated data set into the table: which set, how many points, how much noise, from which seed."""
    s, version = pg.settings, pg.settings_version
    names = list(DATASETS)
    cols = st.columns([2, 1, 1, 1], vertical_alignment="bottom")
    name = cols[0].selectbox("Data set", names, names.index(s.dataset) if s.dataset else names.index("spiral"),
                             format_func=lambda n: DATASETS[n].label, key=f"gen_set_{version}")
    points = cols[1].number_input("Points", limits.MIN_POINTS, limits.MAX_ROWS, int(s.points), step=10,
                                  key=f"gen_points_{version}", help=f"{limits.MIN_POINTS} to {limits.MAX_ROWS}.")
    noise = cols[2].number_input("Noise", 0.0, MAX_NOISE, float(s.noise), step=0.01, format="%g",
                                 key=f"gen_noise_{version}",
                                 help="How far each point is moved at random from where its class was decided: a "
                                      "standard deviation, as a share of the set's radius of 5. With noise the "
                                      "classes overlap.")
    seed = cols[3].number_input("Data seed", 0, 2**32 - 1, int(s.data_seed), key=f"gen_seed_{version}",
                                help="np.random.RandomState(data seed) draws the points: the same seed, the same "
                                     "points.")
    st.caption(DATASETS[name].story)
    buttons = st.columns([2, 2, 3])  # room for whole labels in a narrow window
    if buttons[0].button("Generate", key="gen_generate", type="primary", width="stretch",
                         help="Replace the table with these points; the network starts again."):
        pg.generate_data(name, points, noise, seed)
        st.rerun()
    if buttons[1].button("Regenerate", key="gen_regenerate", width="stretch",
                         help="The same set with a new data seed: other points from the same recipe."):
        pg.generate_data(name, points, noise, secrets.randbelow(100_000))
        st.rerun()
    if s.dataset:
        buttons[2].caption(f"The table is {DATASETS[s.dataset].label.lower()}: {s.points} points, noise {s.noise:g}, "
                           f"data seed {s.data_seed}. A link carries these four numbers, not the rows.")


def split_ui(pg):
    """How many rows are held out for testing, and the seed that picks them."""
    s, version = pg.settings, pg.settings_version
    cols = st.columns([3, 1], vertical_alignment="bottom")
    share = cols[0].slider("Share of rows held out for testing", 0.0, limits.MAX_TEST_SHARE, float(s.test_share),
                           step=0.05, key=f"split_share_{version}",
                           help="These rows are never trained on: their error shows how the network does on "
                                "rows it has not seen.")
    seed = cols[1].number_input("Split seed", 0, 2**32 - 1, int(s.split_seed), key=f"split_seed_{version}",
                                help="np.random.RandomState(split seed).permutation picks the test rows.")
    n_rows = pg.table.n_rows
    held = held_out_count(n_rows, share)
    st.caption(f"{held} of {n_rows} rows held out for testing, {n_rows - held} to train on. The scaling is fitted "
               "on the training rows alone." if held else "Every row trains the network.")
    if (share, seed) != (s.test_share, s.split_seed):  # the widgets already show it: they stay, and keep focus
        pg.apply_settings(replace(s, test_share=float(share), split_seed=int(seed)), from_sidebar=True)
        st.rerun()


def features_ui(pg):
    """Toggles for inputs computed from the first two input columns."""
    s, version = pg.settings, pg.settings_version
    x1, x2 = (list(pg.table.inputs) + ["x2"])[:2]
    cols = st.columns(len(FEATURES))
    chosen = []
    for col, (name, feature) in zip(cols, FEATURES.items()):
        usable = not feature_problems([name], len(pg.table.inputs))
        if col.toggle(feature.label.format(x1=x1, x2=x2), name in s.features, key=f"feat_{name}_{version}",
                      disabled=not usable and name not in s.features,
                      help=None if usable else f"Needs {feature.needs} input columns."):
            chosen.append(name)
    if tuple(chosen) != s.features:
        pg.apply_settings(replace(s, features=tuple(chosen)), from_sidebar=True)
        st.rerun()
    derived = readouts.derived_columns(pg)
    if derived is not None:
        st.caption("Derived inputs, computed from the table (not editable): the network sees them as more input "
                   "columns, scaled like the others.")
        st.dataframe(derived, hide_index=True, width="stretch", height=min(250, 40 + 35 * pg.table.n_rows))


def regularization_ui(settings, version):
    """(penalty, rate) for the sidebar: a penalty on the weights in every update."""
    names = list(REGULARIZERS)
    name = st.selectbox("Regularization", names, names.index(settings.regularization),
                        format_func=lambda n: REGULARIZERS[n].label, key=f"sb_reg_{version}",
                        help="A penalty on large weights, added to every update: W += lr · (aᵀδ − λ·∂R/∂W). The "
                             "biases are not penalised. Changing it starts again from the seed's weights.")
    rates = sorted({*PENALTY_RATES, float(settings.regularization_rate)})
    rate = st.select_slider("Regularization rate λ", rates, float(settings.regularization_rate),
                            format_func=lambda r: f"{r:g}", key=f"sb_regrate_{version}",
                            disabled=name == "none")
    return name, float(rate)


def discretize_ui(pg):
    """The output map in two colours, split at the middle of the targets' range."""
    s = pg.settings
    on = st.toggle("Discretise the output", s.discretize, key=f"predict_discrete_{pg.settings_version}",
                   help="Colour the map by which side of the middle of the targets the output falls on.")
    if on != s.discretize:
        pg.apply_settings(replace(s, discretize=on), from_sidebar=True)
        st.rerun()


def weight_ui(pg):
    """Type a new value into one weight: the same recorded event as clicking a cell of a weight heatmap."""
    choices = readouts.weight_choices(pg)
    # Two rows, so a narrow window (a projector, a sidebar left open) still shows every label whole.
    cols = [*st.columns(2, vertical_alignment="bottom"), *st.columns([3, 1], vertical_alignment="bottom")]
    layer = cols[0].selectbox("Matrix", range(len(choices)), format_func=lambda l: choices[l]["title"],
                              key="weight_layer")
    matrix = choices[layer]
    cell = cols[1].selectbox("Weight", matrix["cells"], format_func=lambda c: c[2], key=f"weight_cell_{layer}")
    now = min(max(float(matrix["values"][cell[0]][cell[1]]), -limits.MAX_WEIGHT_VALUE), limits.MAX_WEIGHT_VALUE)
    value = cols[2].number_input("New value", -limits.MAX_WEIGHT_VALUE, limits.MAX_WEIGHT_VALUE, now, format="%g",
                                 key=f"weight_value_{layer}_{cell[0]}_{cell[1]}_{pg.generation}")
    if cols[3].button("Set", key="weight_set", width="stretch"):
        if problem := pg.set_weight(layer, cell[0], cell[1], value):
            st.error(problem)
        else:
            st.rerun()
    if pg.weight_edits:
        st.caption(f"{len(pg.weight_edits)} weight(s) typed in by hand in this run; the link and the Code page's "
                   "script replay them at their steps. Reset clears them.")
