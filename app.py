"""Backprop Playground: watch a small neural network learn, one weight update at a time."""

import streamlit as st

from ui import session, sidebar

st.set_page_config(page_title="Backprop Playground", page_icon=":material/hub:", layout="wide")

PAGES = [
    st.Page("pages/train.py", title="Train", icon=":material/fitness_center:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/table:"),
    st.Page("pages/s_curve.py", title="S-curve", icon=":material/show_chart:"),
    st.Page("pages/predict.py", title="Predict", icon=":material/online_prediction:"),
    st.Page("pages/math.py", title="Math", icon=":material/functions:"),
    st.Page("pages/code.py", title="Code", icon=":material/code:"),
    st.Page("pages/seeds.py", title="Seeds", icon=":material/casino:"),
]
page = st.navigation(PAGES)

pg = session.playground()
for warning in st.session_state.pop("link_warnings", []):
    st.warning(warning, icon=":material/link:")

# Live training runs in a thread (ui.live): this run changes the playground only under its lock.
with pg.lock:
    with st.sidebar:
        version = session.widget_version()
        preset = sidebar.preset_ui(pg.settings.preset, version)
        if preset != pg.settings.preset:
            pg.load_preset(preset)
            session.settings_changed_elsewhere()
            st.rerun()
        wanted = sidebar.settings_ui(pg.settings, version)
        if wanted != pg.settings:
            pg.apply_settings(wanted)
            refresh = st.session_state.pop("sidebar_needs_refresh", False)
            if pg.settings != wanted or refresh:  # refused, or changed by a button: show the settings in use
                session.settings_changed_elsewhere()
                st.rerun()
        with st.popover("Share this run", width="stretch"):
            st.caption("Anyone opening this link gets the same table, settings, seed and steps, "
                       "so the same weights. Click the copy icon.")
            st.code(session.share_url(pg), language=None, wrap_lines=True)
            if not pg.link_carries_table():
                st.warning("This table is too large to fit in a link: the link uses the preset's table. "
                           "Share the CSV from the Data page alongside it.")

    if pg.message:
        st.warning(pg.message, icon=":material/warning:")
    try:
        page.run()
    finally:  # also when a page stops or reruns early: the address bar always holds the run
        session.publish_link(pg)
