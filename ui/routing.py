"""Every run goes through app.py, even a fresh server's first request for a page other than the root.

A folder named pages/ next to app.py is also Streamlit's old multipage layout, and a server
follows it until st.navigation first runs: until then a request for /seeds runs
pages/seeds.py on its own, without app.py's menu, sidebar, link warnings or address bar.
session.playground(), which every page calls before drawing, looks at the call stack: a page
script running without app.py above it is such a run, and hand_to_app() registers the app's
navigation (which ends the old layout for the whole server) and switches to the same page
with the same query, now through app.py.
"""

import functools
import inspect
import os
from pathlib import Path
from types import MappingProxyType

import streamlit as st

from ui import site

ROOT = Path(__file__).resolve().parents[1]
APP = os.path.realpath(ROOT / "app.py")


def navigation(pg=None):
    """app.py's st.navigation over site.PAGES less what pg's link hides: (the st.Page to run, its PageEntry)."""
    shown = [p for p in site.PAGES if pg is None or p.default or pg.shows(p.url_path)]
    pages = {p.script: st.Page(p.script, title=p.title, icon=p.icon, default=p.default,
                               **({} if p.default else {"url_path": p.url_path})) for p in shown}
    page = st.navigation(list(pages.values()), position="sidebar" if pg is None or pg.shows("nav") else "hidden")
    return page, next(p for p in shown if pages[p.script] is page)


@functools.lru_cache(maxsize=64)
def _real(filename):
    return os.path.realpath(filename)


_PAGES = MappingProxyType({_real(ROOT / p.script): p for p in site.PAGES})


def _modules_running():
    """Real paths of the scripts whose top level is on the stack, innermost first (fragment reruns have none)."""
    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == "<module>":
            yield _real(frame.f_code.co_filename)
        frame = frame.f_back


def started_without_app():
    """True in a run Streamlit started on a page file alone, skipping app.py (its old pages/ layout)."""
    modules = list(_modules_running())
    return APP not in modules and any(f in _PAGES for f in modules)


def hand_to_app():
    """Rerun the page being run alone as the same page of the app, with the same query (raises to rerun)."""
    entry = next(_PAGES[f] for f in _modules_running() if f in _PAGES)
    navigation()  # every page of the app, and the end of the old layout for the whole server
    st.switch_page(entry.script, query_params=st.query_params.to_dict())
