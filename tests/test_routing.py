"""A run that Streamlit starts on a page file alone (its old pages/ layout) is handed to app.py.

A fresh server follows the pages/ folder layout until st.navigation first runs, and AppTest
does so on every run: without tests.apptest_support's patch, these runs are such first loads.
"""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui import site

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.mark.parametrize("page", site.PAGES, ids=lambda p: p.title)
def test_a_page_run_on_its_own_is_run_through_app_py_with_its_query(page):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"preset": "xor-bias", "seed": "abc"})
    at.switch_page(page.script).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [page.title]
    assert "Preset" in [s.label for s in at.sidebar.selectbox]  # app.py's sidebar
    assert any("Link parameter 'seed'" in w.value for w in at.warning)  # app.py's link warnings
    assert at.session_state["playground"].settings.preset == "xor-bias"
    assert at.query_params["seed"] in (["1"], "1")  # app.py wrote the run back to the address
