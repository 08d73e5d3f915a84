"""The live view: charts mounted once per page visit, then moved in place while the network trains.

One Streamlit component (st.components.v2, mounted in the page itself) draws every live chart
on canvas with static/liveview.js, loaded once from the app's static folder. Each rerun of the
view's fragment applies the clicks its controls sent (ui.actions), keeps the scheduler
training while the page is open, and sends the payload of ui.payloads. While a run goes on,
the browser asks for the next payload when it has played the last one, so an idle or closed
tab costs the server nothing.
"""

import hashlib
import threading
import time
from pathlib import Path
from types import MappingProxyType

import streamlit as st

from engine.presets import PRESETS
from ui import actions, limits, live, payloads, scheduler, session

SCRIPT = Path(__file__).resolve().parents[1] / "static" / "liveview.js"
VERSION = hashlib.blake2b(SCRIPT.read_bytes(), digest_size=6).hexdigest() if SCRIPT.exists() else "missing"

# Small on purpose: this text travels with every rerun; the module itself is fetched once per page.
_LOADER = """
export default function (component) {
  const url = new URL("app/static/liveview.js?v=VERSION", document.baseURI).href;
  const loaded = window.__backpropLive;
  if (loaded && loaded.url === url) return loaded.module.render(component);
  import(url).then((module) => { window.__backpropLive = {url, module}; module.render(component); });
}
""".replace("VERSION", VERSION)

_component = st.components.v2.component("backprop_live", html="<div></div>", js=_LOADER)

# How often a running view's browser asks for the next payload. Each payload costs the page-serving
# interpreter some milliseconds (measured below); together they may take LIVE_SHARE of it, so that page
# loads and clicks still find it free. Beyond MAX_TICK_MS the browser's playback would stall between payloads.
MIN_TICK_MS, MAX_TICK_MS = 100, 600
LIVE_SHARE = 0.4


class _PayloadCost:
    """A smoothed measure of the CPU seconds one live-view run takes (all views, all sessions)."""

    def __init__(self, seconds=0.01):
        self.seconds = seconds
        self._lock = threading.Lock()

    def add(self, seconds):
        with self._lock:
            self.seconds = 0.9 * self.seconds + 0.1 * seconds


payload_cost = _PayloadCost()


def tick_ms(watched, seconds_per_payload):
    """Milliseconds between one browser's requests when `watched` runs are shown at once."""
    wanted = 1000 * watched * seconds_per_payload / LIVE_SHARE
    return int(min(MAX_TICK_MS, max(MIN_TICK_MS, wanted)))

BUILDERS = MappingProxyType({"train": payloads.train_view, "scurve": payloads.scurve_view,
                             "predict": payloads.predict_view, "seeds": payloads.seeds_view})
CONTROLS = MappingProxyType({"train": "train", "scurve": "compact", "predict": "compact", "seeds": "sweep"})


def _ignore():
    """Component state changes rerun the fragment; the fragment reads the state itself."""


def controls(pg, kind, acked, note):
    """The controls strip's state as the browser shows it."""
    if kind == "sweep":
        running = pg.sweep is not None and pg.sweep.running
        can_run = pg.sweep is not None and pg.sweep.trainer.steps < pg.sweep.target_steps
    else:
        running = pg.running
        can_run = pg.trainer.diverged_at[0] < 0 and pg.steps < limits.MAX_TOTAL_STEPS
    preset = PRESETS.get(pg.settings.preset)
    # With many runs watched at once, browsers ask for the next payload less often: each still plays
    # its frames back smoothly, and the server's page-serving core is not spent on redraws.
    every = tick_ms(scheduler.shared().watched(), payload_cost.seconds)
    return {"kind": kind, "running": running, "can_run": bool(can_run),
            "run_to": preset.steps if preset else 10_000, "speed": pg.live.speed, "speeds": list(live.SPEEDS),
            "acked": dict(acked), "note": note, "tick_ms": every}


def live_view(pg, view):
    """Mount the live view `view` ("train", "scurve", "predict" or "seeds") in its own fragment."""
    key = f"live_{view}"
    kind = CONTROLS[view]

    def body():
        started = time.thread_time()
        acked = st.session_state.setdefault(f"{key}_acked", {})
        state = st.session_state.get(key) or {}
        note = actions.apply_actions(pg, state.get("actions"), acked, sweep=view == "seeds")
        job = "sweep" if view == "seeds" else "train"
        running = pg.sweep.running if view == "seeds" else pg.running
        if running:
            scheduler.shared().keep_alive(pg, job, session.session_id())
        with pg.lock:  # one consistent state per payload; the scheduler applies whole slices between
            data = BUILDERS[view](pg, controls(pg, kind, acked, note))
        serial = st.session_state[f"{key}_serial"] = st.session_state.get(f"{key}_serial", 0) + 1
        data["serial"] = serial
        _component(key=key, data=data, default={"actions": None}, on_actions_change=_ignore,
                   on_tick_change=_ignore)
        if running:
            payload_cost.add(time.thread_time() - started)
        was_running = st.session_state.get(f"{key}_was_running", False)
        st.session_state[f"{key}_was_running"] = running
        if was_running and not running:  # the run ended: the rest of the page and the address catch up
            st.rerun()
        session.publish_link(pg)

    st.fragment(body)()
