"""The shared sidebar: each *_ui() draws widgets and returns plain values; sidebar_ui() applies them.

Every widget's key carries the playground's settings_version: when settings change from
anywhere but these widgets, the version grows and the widgets are drawn afresh with the
settings in use (a stale widget would otherwise write its old value back).
"""

import secrets
from dataclasses import replace
from types import MappingProxyType

import streamlit as st

from engine import ACTIVATIONS, INITIALIZERS, LOSSES
from engine.presets import PRESETS
from ui import limits, links, readouts
from ui.generalisation import regularization_ui
from ui.sharebox import share_link


def sidebar_ui(pg):
    """The app's name, the preset, the settings and the share box; changes go to pg through its methods."""
    st.markdown("### Backprop Playground")
    if not pg.shows("settings"):
        st.caption("This exercise fixes the network and its settings.")
        share_ui(pg)
        return
    version = pg.settings_version
    preset_ui(pg, version)
    wanted = settings_ui(pg, version)
    if wanted != pg.settings:
        pg.apply_settings(wanted, from_sidebar=True)
        if pg.settings_version != version:  # refused: draw the widgets again with the settings in use
            st.rerun()
    share_ui(pg)


def share_ui(pg):
    # Opening a link is one interaction: it replays as far as one click's work, like a Run to.
    replayed = limits.steps_within_budget(pg.trainer, pg.steps)
    carries_table = pg.link_carries_table()
    with st.popover("Share this run", width="stretch"):
        if replayed == pg.steps and carries_table:
            st.caption("Anyone opening this link gets the same table, settings, seed and steps, "
                       "so the same weights.")
        else:
            st.caption("This link carries the run's settings, seed and steps.")
        hidden = st.multiselect("Hide for whoever opens it (a focused exercise)", list(links.HIDEABLE),
                                default=list(pg.hidden), format_func=links.HIDEABLE.get, key="share_hide")
        share_link(hidden)
        if not carries_table:
            st.warning("This table is too large to fit in a link: the link uses the preset's table. "
                       "Share the CSV from the Data page alongside it.")
        if replayed < pg.steps:
            later_rates = any(step > replayed for step, _ in pg.learning_rate_changes)
            st.warning(f"The link opens at step {replayed:,}, not {pg.steps:,}: replaying more of this network "
                       "would take more than one click's work (about two seconds of the shared server). It opens "
                       f"with this run's weights at step {replayed:,}; Run to {pg.steps:,} there, one click's work "
                       "at a time, " + ("with the learning-rate changes this run made later, " if later_rates else "")
                       + "reaches these weights exactly.")

BATCH_MODES = MappingProxyType({"full": "Full batch (all rows)", "mini": "Mini-batch", "row": "One row at a time"})


def preset_ui(pg, version):
    """The preset box: choosing one loads its table and settings."""
    keys = list(PRESETS)
    key = f"sb_preset_{version}"
    def load():
        # A box drawn before the settings changed elsewhere can report its value once more: only another
        # preset than the one in use is loaded, or that report would throw away a generated table.
        if st.session_state[key] != pg.settings.preset:
            pg.load_preset(st.session_state[key])

    st.selectbox(
        "Preset", keys, index=keys.index(pg.settings.preset) if pg.settings.preset in keys else 0,
        format_func=lambda k: PRESETS[k].title, key=key, on_change=load,
        help="Load a classic tutorial's table and network. Your edits are replaced.",
    )
    if note := readouts.own_table_note(pg):
        st.caption(note)
        st.button("Reload the preset", key=f"sb_reload_{version}", width="stretch", on_click=pg.load_preset,
                  args=(pg.settings.preset,), help="Brings back the preset's own table and settings; your table is "
                                                   "replaced (the Data page can download it first).")


def architecture_ui(settings, version):
    """(hidden layer sizes, hidden activation, output activation, bias)."""
    n_layers = st.number_input(
        "Hidden layers", 0, limits.MAX_HIDDEN_LAYERS, len(settings.hidden), key=f"sb_layers_{version}",
        help="0 hidden layers is the single neuron and Trask's 2-layer net; add layers to go deeper.",
    )
    hidden = []
    if n_layers:
        columns = st.columns(3)
        for i in range(int(n_layers)):
            previous = settings.hidden or (4,)
            default = previous[i] if i < len(previous) else previous[-1]
            with columns[i % 3]:
                hidden.append(int(st.number_input(
                    f"Layer {i + 1}", 1, limits.MAX_NEURONS, int(default), key=f"sb_neurons_{i}_{version}",
                )))
    names = list(ACTIVATIONS)
    hidden_act = st.selectbox(
        "Hidden activation", names, names.index(settings.hidden_activation),
        format_func=lambda n: ACTIVATIONS[n].label, key=f"sb_act_{version}", disabled=not hidden,
    )
    output_act = st.selectbox(
        "Output activation", names, names.index(settings.output_activation),
        format_func=lambda n: ACTIVATIONS[n].label, key=f"sb_out_{version}",
    )
    bias = st.toggle(
        "Bias", settings.bias, key=f"sb_bias_{version}",
        help="A bias is a weight on a constant input of 1. The tutorials have none: their third "
             "input column, always 1, plays that part.",
    )
    return tuple(hidden), hidden_act, output_act, bias


def training_ui(pg, version):
    """(init, seed, learning rate, loss, batch size)."""
    settings = pg.settings
    inits = list(INITIALIZERS)
    init = st.selectbox(
        "Initialisation", inits, inits.index(settings.init), format_func=lambda n: INITIALIZERS[n].label,
        key=f"sb_init_{version}",
        help="How the seed draws the starting weights. Trask's tutorials draw uniformly from [-1, 1); the "
             "test-score article draws from a standard normal; Xavier/Glorot narrows the uniform range for "
             "wider layers.",
    )
    # Half and half: at 2:3 the button is too narrow for its label in the sidebar's 300 px.
    seed_col, button_col = st.columns(2, vertical_alignment="bottom")
    seed = seed_col.number_input(
        "Seed", 0, 2**32 - 1, int(settings.seed), key=f"sb_seed_{version}",
        help="np.random.RandomState(seed) draws the starting weights: the same seed gives the same network.",
    )
    button_col.button("New seed", key=f"sb_newseed_{version}", help="Draw another random seed.",
                      on_click=lambda: pg.apply_settings(replace(pg.settings, seed=secrets.randbelow(100_000))))
    rate = st.number_input(
        "Learning rate", limits.MIN_LEARNING_RATE, limits.MAX_LEARNING_RATE, float(settings.learning_rate),
        format="%g", key=f"sb_lr_{version}",
        help="How far each update moves the weights. The tutorials use 1 (no rate written at all). "
             "Changing it keeps the weights. Too large a rate throws sigmoid neurons onto the flat ends of their "
             "curve, where learning stalls; with a linear or ReLU output the numbers can overflow, and training "
             "stops with a message.",
    )
    losses = list(LOSSES)
    loss = st.selectbox(
        "Loss", losses, losses.index(settings.loss), format_func=lambda n: LOSSES[n].label,
        key=f"sb_loss_{version}",
        help="The number training makes smaller. The tutorials' rule, half the sum of squared errors, has no "
             "1/N, so a table with more rows takes larger steps; mean squared error and cross-entropy average "
             "over the rows. The Math page writes out the one in use.",
    )
    mode = "full" if settings.batch_size == 0 else ("row" if settings.batch_size == 1 else "mini")
    mode = st.radio("Rows per update", list(BATCH_MODES), list(BATCH_MODES).index(mode),
                    format_func=BATCH_MODES.get, key=f"sb_batchmode_{version}")
    batch = {"full": 0, "row": 1}.get(mode)
    if batch is None:
        batch = int(st.number_input("Batch size", 2, limits.MAX_ROWS, max(2, settings.batch_size),
                                    key=f"sb_batch_{version}"))
    return init, int(seed), float(rate), loss, batch


def settings_ui(pg, version):
    """Settings as the sidebar shows them now (may equal pg.settings)."""
    settings = pg.settings
    with st.expander("Network", expanded=True):
        hidden, hidden_act, output_act, bias = architecture_ui(settings, version)
    with st.expander("Training", expanded=True):
        init, seed, rate, loss, batch = training_ui(pg, version)
        penalty, penalty_rate = regularization_ui(settings, version)
    return replace(
        settings, hidden=hidden, hidden_activation=hidden_act, output_activation=output_act, bias=bias,
        init=init, seed=seed, learning_rate=rate, loss=loss, batch_size=batch, regularization=penalty,
        regularization_rate=penalty_rate,
    )
