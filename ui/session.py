"""Where the Playground lives: one per browser session, restored from the link on first load."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ui.state import Playground

KEY = "playground"


def playground():
    """This session's Playground, created once (from the URL if it carries one)."""
    if PagesManager.uses_pages_directory:
        # The server's first visitor came straight to a page's address: with a folder named pages/ beside app.py,
        # Streamlit then runs that page on its own, without app.py's navigation and sidebar, for every session until
        # app.py calls st.navigation. Switch that mode off and run again, through app.py.
        PagesManager.uses_pages_directory = False
        st.rerun()
    if KEY not in st.session_state:
        query = st.query_params.to_dict()
        if query:
            pg, warnings = Playground.from_query(query)
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
