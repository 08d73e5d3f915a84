"""What a careless or hostile visitor can send, as another visitor's browser shows it."""

import json
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from engine.presets import PRESETS, build_trainer
from engine.serialize import to_json
from tests.browser.conftest import ARTIFACTS, PAGE_PATHS, AppServer, open_app, wait_settled
from ui.site import PAGES

pytestmark = pytest.mark.browser

LINK_TEXT = "[Log in again](http://ev.il)"


def alerts_text_and_markup(page):
    """(text of every alert on the page, links and bold elements inside alerts)."""
    return page.evaluate(
        """() => {
            const alerts = [...document.querySelectorAll('[data-testid="stAlert"]')];
            return [alerts.map(a => a.innerText.replaceAll('\\u2060', '')).join('\\n'),  // word joiners show as nothing
                    alerts.flatMap(a => [...a.querySelectorAll('a, strong, b')]).map(e => e.outerHTML)];
        }""")


def go_to(page, title):
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    page.wait_for_url(f"**/{PAGE_PATHS[title]}?**")
    wait_settled(page)


def upload(page, name, data, mime):
    page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}])


def test_visitor_text_in_alerts_is_shown_as_typed(page, app_url):
    open_app(page, app_url, query=urlencode({"act": LINK_TEXT, "seed": "**FREE PRIZE**"}))
    text, markup = alerts_text_and_markup(page)
    assert LINK_TEXT in text and "**FREE PRIZE**" in text and markup == []

    go_to(page, "Data")
    upload(page, "evil.csv", b"[Log in](http://ev.il),y\nabc,1\n", "text/csv")
    page.get_by_text("is not a number").wait_for()
    text, markup = alerts_text_and_markup(page)
    assert "column '[Log in](http://ev.i…': 'abc' is not a number" in text and markup == []

    go_to(page, "Code")
    trainer, scaler = build_trainer(PRESETS["trask-3-layer"])
    network = json.loads(to_json(trainer, scaler))
    network["trainer"]["config"]["hidden_activation"] = LINK_TEXT
    upload(page, "evil.json", json.dumps(network).encode(), "application/json")
    page.get_by_text("can't be loaded").wait_for()
    text, markup = alerts_text_and_markup(page)
    assert "can't be loaded" in text and markup == []


# A share link carries its page; a hosted app that slept starts a fresh server for whoever opens one.
FIRST_REQUESTS = [("Seeds", {"preset": "xor-bias", "seed": "abc"}, "Link parameter 'seed'"),
                  ("Data", {"preset": "test-score", "steps": "20"}, None),
                  ("Predict", {"preset": "curved", "hidden": "99"}, "Link parameter 'hidden'"),
                  ("Code", {}, None)]


@pytest.mark.parametrize("title, query, warning", FIRST_REQUESTS, ids=[case[0] for case in FIRST_REQUESTS])
def test_a_fresh_servers_first_request_to_a_page_opens_the_whole_app(new_page, title, query, warning):
    with AppServer(ARTIFACTS / f"first-request-{title}.log") as server:
        page = new_page()
        open_app(page, server.url, PAGE_PATHS[title], urlencode(query))
        assert page.locator('[data-testid="stMain"] h1').first.inner_text().strip() == title
        icons = {p.icon.removeprefix(":material/").removesuffix(":") for p in PAGES}  # drawn from ligatures
        menu = [line.strip() for line in page.get_by_test_id("stSidebarNav").inner_text().split("\n")]
        assert [line for line in menu if line and line not in icons] == [p.title for p in PAGES]
        page.get_by_test_id("stSidebar").get_by_text("Preset", exact=True).wait_for()  # the app's own sidebar
        if warning:
            assert page.get_by_test_id("stAlert").get_by_text(warning).count() == 1
        page.wait_for_url(lambda url: "seed=" in url)  # the address bar holds the whole run
        address = urlparse(page.url)
        shown = parse_qs(address.query)
        assert address.path == f"/{PAGE_PATHS[title]}" and shown["preset"] == [query.get("preset", "trask-3-layer")]
        assert server.healthy()
    assert "Traceback" not in server.log_text()
