"""Seeds: train the same network from many starting points at once and see how much the start matters."""

import streamlit as st

from engine.presets import PRESETS
from ui import figures, limits, readouts, session, site
from ui.controls import live

pg = session.playground()

st.title("Seeds")
st.caption("Every tutorial fixes np.random.seed(1). Here the same network, table and settings train from "
           "many seeds side by side (the seed, seed + 1, …), stacked into one NumPy computation.")

preset = PRESETS.get(pg.settings.preset)
cols = st.columns([1, 1, 1, 1], vertical_alignment="bottom")
n_seeds = cols[0].number_input("Seeds", 1, limits.MAX_SEEDS, 64, key="seeds_count",
                               help=f"1 to {limits.MAX_SEEDS} networks.")
steps = cols[1].number_input("Steps", 1, limits.MAX_SWEEP_STEPS, min(preset.steps if preset else 5_000,
                                                                     limits.MAX_SWEEP_STEPS), key="seeds_steps")
target = cols[2].number_input("Target mean |error|", 1e-6, 1.0, 0.05, format="%g", key="seeds_target")
sweep = pg.sweep


def start():
    st.session_state["seeds_note"] = pg.start_sweep(
        int(st.session_state["seeds_count"]), int(st.session_state["seeds_steps"]),
        float(st.session_state["seeds_target"]))


# Pause and Continue are separate, idempotent buttons: a click delivered twice must not undo itself.
if sweep is not None and sweep.trainer.steps < sweep.target_steps:
    if sweep.running:
        cols[3].button("⏸ Pause", on_click=pg.pause_sweep, key="seeds_pause", width="stretch")
    else:
        cols[3].button("▶ Continue", on_click=pg.continue_sweep, key="seeds_continue", width="stretch")
cols[3].button("Run all seeds", on_click=start, key="seeds_run", type="primary", width="stretch")

if note := st.session_state.pop("seeds_note", ""):
    st.info(note)
if sweep is None:
    st.info("Press **Run all seeds** to train them.")
elif sweep.made_from != pg.sweep_key():
    st.warning("The settings or the table changed since this sweep ran; run it again to compare.")


def draw():
    trainer = sweep.trainer
    summary = sweep.summary()
    seeds = summary["seed"]
    current = pg.settings.seed if pg.settings.seed in seeds else None
    plural = "" if trainer.n_networks == 1 else "s"
    st.caption(f"Step {trainer.steps:,} of {sweep.target_steps:,} · {trainer.n_networks} network{plural}")
    left, right = st.columns([3, 2])
    with left:
        # While it runs, every stride-th step keeps each redraw cheap; the final drawing uses them all.
        stride = max(1, trainer.steps // 2_000) if sweep.running else 1
        st.plotly_chart(figures.sweep_curves(trainer.mean_abs_error[:, ::stride], seeds, highlight=current,
                                             step_stride=stride),
                        key="seeds_curves", width="stretch", theme=None)
    with right:
        st.plotly_chart(figures.final_error_strip(summary["final_error"], seeds, target=sweep.target_error,
                                                  highlight=current), key="seeds_strip", width="stretch", theme=None)
    if story := readouts.sweep_story(summary, trainer.steps, sweep.target_error):
        st.markdown(story)
    frame = readouts.sweep_table(summary)
    st.dataframe(frame, hide_index=True, width="stretch", height=260)


if sweep is not None:
    live(pg, draw, is_running=lambda: sweep.running, name="sweep")
    pick_cols = st.columns([2, 1], vertical_alignment="bottom")
    chosen = pick_cols[0].selectbox("Open a seed on the Train page", list(sweep.trainer.seeds), key="seeds_pick",
                                    help="Its exact weights at this step become the Train page's network.")
    if pick_cols[1].button("Open on Train page", key="seeds_open", width="stretch"):
        pg.open_seed(int(chosen))
        st.switch_page(site.page("Train").script)
