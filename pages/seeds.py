"""Seeds: train the same network from many starting points at once and see how much the start matters."""

import streamlit as st

from engine.presets import PRESETS
from ui import kept, limits, readouts, session, site
from ui.liveview import live_view


def sweep_settings_ui(pg):
    """How many seeds, how far, and the error that counts as learned; the button starts the sweep."""
    preset = PRESETS.get(pg.settings.preset)
    cols = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
    # each value is kept (ui.kept), so it is still there after a visit to another page
    kept.keep("seeds_count", cols[0].number_input("Seeds", 1, limits.MAX_SEEDS, kept.value("seeds_count", 64),
                                                  key="seeds_count", help=f"1 to {limits.MAX_SEEDS} networks."))
    steps = min(preset.steps if preset else 5_000, limits.MAX_SWEEP_STEPS)
    kept.keep("seeds_steps", cols[1].number_input("Steps", 1, limits.MAX_SWEEP_STEPS, kept.value("seeds_steps", steps),
                                                  key="seeds_steps"))
    kept.keep("seeds_target", cols[2].number_input("Target mean |error|", 1e-6, 1.0, kept.value("seeds_target", 0.05),
                                                   format="%g", key="seeds_target"))

    def start():
        st.session_state["seeds_note"] = pg.start_sweep(
            int(st.session_state["seeds_count"]), int(st.session_state["seeds_steps"]),
            float(st.session_state["seeds_target"]))

    cols[3].button("Run all seeds", on_click=start, key="seeds_run", type="primary", width="stretch")
    if note := st.session_state.pop("seeds_note", ""):
        st.info(note)


def results_ui(pg, sweep):
    """What the sweep found so far, and any seed opened on the Train page with exactly its weights."""
    with pg.lock:
        summary = sweep.summary()
        steps = sweep.trainer.steps
    if story := readouts.sweep_story(summary, steps, sweep.target_error):
        st.markdown(story)
    order = "seed"
    if "final_test" in summary:
        order = kept.keep("seeds_order", st.radio("Order the seeds by", readouts.SWEEP_ORDERS, horizontal=True,
                                                  index=kept.index("seeds_order", readouts.SWEEP_ORDERS, 1),
                                                  key="seeds_order"))
    st.dataframe(readouts.sweep_table(summary, order), hide_index=True, width="stretch", height=260)
    pick_cols = st.columns([2, 1], vertical_alignment="bottom")
    seeds = list(sweep.trainer.seeds)
    chosen = kept.keep("seeds_pick", pick_cols[0].selectbox(
        "Open a seed on the Train page", seeds, index=kept.index("seeds_pick", seeds), key="seeds_pick",
        help="Its exact weights at this step become the Train page's network."))
    if pick_cols[1].button("Open on Train page", key="seeds_open", width="stretch"):
        pg.open_seed(int(chosen))
        st.switch_page(site.page("Train").script)


pg = session.playground()
st.title("Seeds")
st.caption("Every tutorial fixes np.random.seed(1). Here the same network, table and settings train from "
           "many seeds side by side (the seed, seed + 1, …), stacked into one NumPy computation.")
sweep_settings_ui(pg)
sweep = pg.sweep
if sweep is None:
    st.info("Press **Run all seeds** to train them.")
else:
    if sweep.made_from != pg.sweep_key():
        st.warning("The settings or the table changed since this sweep ran; run it again to compare.")
    live_view(pg, "seeds")
    results_ui(pg, sweep)
