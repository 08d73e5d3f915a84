"""What a careless or hostile visitor can send, as another visitor's browser shows it."""

import json
from urllib.parse import urlencode

import pytest

from engine.presets import PRESETS, build_trainer
from engine.serialize import to_json
from tests.browser.conftest import PAGE_PATHS, open_app, wait_settled

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
