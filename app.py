"""Backprop Playground: watch a small neural network learn, one weight update at a time."""

import streamlit as st

from ui import session, sidebar

st.set_page_config(page_title="Backprop Playground", page_icon="🧮", layout="wide")

PAGES = [
    st.Page("pages/train.py", title="Train", icon="🏋️", default=True),
    st.Page("pages/data.py", title="Data", icon="📋"),
    st.Page("pages/s_curve.py", title="S-curve", icon="〰️"),
    st.Page("pages/predict.py", title="Predict", icon="🔮"),
    st.Page("pages/math.py", title="Math", icon="✏️"),
    st.Page("pages/code.py", title="Code", icon="🐍"),
    st.Page("pages/seeds.py", title="Seeds", icon="🎲"),
]
page = st.navigation(PAGES)

pg = session.playground()
for warning in st.session_state.pop("link_warnings", []):
    st.warning(warning, icon="🔗")

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

if pg.message:
    st.warning(pg.message, icon="⚠️")
page.run()
session.publish_link(pg)
