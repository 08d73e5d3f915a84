"""AppTest as the real server runs our app: app.py routes every run through st.navigation.

AppTest resets PagesManager.uses_pages_directory before each run, and because a
folder named pages/ exists it then replays the last page on its own, old-style,
skipping app.py (no sidebar, no link sync). The server clears that flag for good
the first time st.navigation runs; `navigation_like_the_server` does the same.
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
