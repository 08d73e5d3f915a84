"""AppTest as the real server runs our app once it has started: every run goes through st.navigation.

AppTest resets PagesManager.uses_pages_directory before each run, and because a folder
named pages/ exists it then runs the page file on its own, as a fresh server does on its
first request; the app hands such a run over to app.py (ui/routing.py, tests/test_routing.py),
which costs a second run. The server clears that flag for good the first time st.navigation
runs; `navigation_like_the_server` does the same, so each test runs its page once.
"""

import contextlib

from streamlit.runtime.pages_manager import PagesManager


@contextlib.contextmanager
def navigation_like_the_server():
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    PagesManager.__init__ = init
    try:
        yield
    finally:
        PagesManager.__init__ = original
