"""Where the Playground lives: one per browser session, restored from the link on first load."""

import streamlit as st

from ui import routing
from ui.state import Playground

KEY = "playground"


def playground():
    """This session's Playground, created once (from the URL if it carries one).

    Pages call this before drawing anything: a run that app.py did not route (a fresh server's
    first request for a page) is handed to app.py first, and this call does not return.
    """
    if routing.started_without_app():
        routing.hand_to_app()
    if KEY not in st.session_state:
        query = st.query_params.to_dict()
        if query:
            pg, warnings = Playground.from_query(query, background=True)
        else:
            pg, warnings = Playground.from_preset(), []
        st.session_state[KEY] = pg
        st.session_state["link_warnings"] = warnings
    return st.session_state[KEY]


def session_id():
    """This browser session's id (None outside a script run)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    context = get_script_run_ctx(suppress_warning=True)
    return context.session_id if context is not None else None


def publish_link(pg):
    """Keep the address bar equal to the playground, so copying it shares the run."""
    query = pg.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
