"""Backprop Playground: watch a small neural network learn, one weight update at a time."""

import streamlit as st

from ui import routing, scheduler, session, sidebar

st.set_page_config(page_title="Backprop Playground", page_icon=":material/hub:", layout="wide")

pg = session.playground()
# A classroom link may hide pages, or the whole page list, for a focused exercise.
page, entry = routing.navigation(pg)

for warning in st.session_state.pop("link_warnings", []):
    st.warning(warning, icon=":material/link:")

# The page is drawn under the playground's lock, so one run reads one state of it; the live
# training thread waits between its slices (ui.live), and every change takes the lock itself.
with pg.lock:
    with st.sidebar:
        sidebar.sidebar_ui(pg)
    if notice := pg.take_notice():
        st.warning(notice, icon=":material/warning:")
    if pg.message and not entry.live:  # a live page shows it in its live view, which updates on its own
        st.warning(pg.message, icon=":material/warning:")
    if not entry.live:  # training goes on only while a page that shows it is open
        scheduler.shared().release(pg)
    if not entry.trains:  # an opened link still replaying: a page that does not show training shows its end
        pg.finish_replay()
    try:
        page.run()
    finally:  # also when a page stops or reruns early: the address bar always holds the run
        session.publish_link(pg)
