"""Training buttons and the live, self-refreshing area shared by the pages that watch training."""

import streamlit as st

from engine.presets import PRESETS
from ui import limits, scheduler


def training_controls(pg, prefix, compact=False):
    """Step / Run / Pause / Run to / Reset buttons; they change pg before the page draws."""

    # Callbacks run before the script; each Playground method takes the lock itself. Run and Pause
    # are separate and idempotent: a click that reaches the server twice must not undo itself.
    def run_to():
        st.session_state[f"{prefix}_note"] = pg.run(int(st.session_state[f"{prefix}_target"]))

    def run():
        st.session_state[f"{prefix}_note"] = pg.run()

    widths = [1, 1, 1.2, 1] if compact else [1, 1, 1, 1.2, 1.6, 1.2, 1]
    cols = iter(st.columns(widths, vertical_alignment="bottom"))
    next(cols).button("Step", on_click=pg.step, args=(1,), width="stretch", key=f"{prefix}_step",
                      help="One weight update.")
    if not compact:
        next(cols).button("Step ×10", on_click=pg.step, args=(10,), width="stretch", key=f"{prefix}_step10")
    next(cols).button("Step ×100", on_click=pg.step, args=(100,), width="stretch", key=f"{prefix}_step100")
    if pg.running:
        next(cols).button("⏸ Pause", on_click=pg.pause, width="stretch", type="primary", key=f"{prefix}_pause")
    else:
        next(cols).button("▶ Run", on_click=run, width="stretch", type="primary", key=f"{prefix}_run")
    if not compact:
        preset = PRESETS.get(pg.settings.preset)
        next(cols).number_input("Run to step", 1, limits.MAX_TOTAL_STEPS, value=preset.steps if preset else 10_000,
                                key=f"{prefix}_target", help="Filled in with the preset's tutorial step count.")
        next(cols).button("Run to", on_click=run_to, width="stretch", key=f"{prefix}_run_to")
    next(cols).button("Reset", on_click=pg.reset, width="stretch", key=f"{prefix}_reset",
                      help="Back to the same starting weights (same seed) at step 0.")
    if note := st.session_state.pop(f"{prefix}_note", ""):
        st.info(note)


def live(pg, draw, is_running=None, name="train"):
    """Draw `draw()` in a fragment that redraws several times a second while training runs.

    The training itself goes on in the server's scheduler (ui.scheduler); each redraw keeps it
    going a little longer, so a closed tab stops training within a second.
    """
    is_running = is_running or (lambda: pg.running)
    ticking = is_running()

    def body():
        if ticking:
            if not is_running():  # finished or stopped: a full rerun turns the timer off and relabels Run
                st.rerun()
            scheduler.shared().keep_alive(pg, name)
        with pg.lock:  # one consistent state per drawing; the scheduler applies whole slices in between
            draw()

    st.fragment(body, run_every=limits.REDRAW_INTERVAL_SECONDS if ticking else None)()
