"""Seeds: train the same network from many starting points at once and see how much the start matters."""

import numpy as np
import pandas as pd
import streamlit as st

from engine.presets import PRESETS
from ui import figures, limits, session
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
    with pg.lock:
        st.session_state["seeds_note"] = pg.start_sweep(
        int(st.session_state["seeds_count"]), int(st.session_state["seeds_steps"]),
        float(st.session_state["seeds_target"]))


def toggle():
    with pg.lock:
        pg.sweep.running = not pg.sweep.running


if sweep is not None and sweep.trainer.steps < sweep.target_steps:
    cols[3].button("⏸ Pause" if sweep.running else "▶ Continue", on_click=toggle, key="seeds_toggle",
                   width="stretch")
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
    final = summary["final_error"]
    finite = final[np.isfinite(final)]
    reached = int((summary["steps_to_target"] > 0).sum())
    n = len(seeds)
    if trainer.steps and len(finite):
        st.markdown(
            f"After {trainer.steps:,} steps, **{reached} of {n}** seeds reached a mean |error| of "
            f"{sweep.target_error:g}. Final errors run from {finite.min():.3g} to {finite.max():.3g} "
            f"(median {np.median(finite):.3g})"
            + (f"; {int(summary['diverged'].sum())} diverged" if summary["diverged"].any() else "")
            + ". "
            + ("The starting weights decide whether this network learns at all: the unlucky seeds settle "
               "where the error stops falling. More hidden neurons usually shrink that group."
               if reached < n else "Here every seed got there: for this network the start changes the "
                                   "speed, not the outcome.")
        )
    frame = pd.DataFrame({
        "seed": seeds, "final mean |error|": final,
        "steps to target": np.where(summary["steps_to_target"] > 0, summary["steps_to_target"], np.nan),
        "diverged": summary["diverged"],
    })
    st.dataframe(frame, hide_index=True, width="stretch", height=260)


if sweep is not None:
    live(pg, draw, is_running=lambda: sweep.running, work=pg.advance_sweep, name="sweep")
    pick_cols = st.columns([2, 1], vertical_alignment="bottom")
    chosen = pick_cols[0].selectbox("Open a seed on the Train page", list(sweep.trainer.seeds), key="seeds_pick",
                                    help="Its exact weights at this step become the Train page's network.")
    if pick_cols[1].button("Open on Train page", key="seeds_open", width="stretch"):
        pg.open_seed(int(chosen))
        session.settings_changed_elsewhere()
        st.switch_page("pages/train.py")
