"""Every page at projector and small-window sizes in the real app, sidebar included: nothing cut, nothing
sticking out of its column, formulas wrapped, and the training controls on screen with what they change.

Zoom is played by the viewport: Chromium at 150% zoom on a 1024x768 screen lays a page out in 1024 / 1.5
= 683 by 512 CSS pixels with a device pixel ratio of 1.5, which is exactly what a 683x512 viewport with
deviceScaleFactor 1.5 gives (media queries, layout and canvas resolution alike). The height is the whole
screen, as in a presentation (full-screen) window; a browser's toolbar takes about 80 px of it otherwise.

The three sizes run side by side, one browser context (one app session) each, so their waits overlap.
Screenshots: test-artifacts/layout-<page>-<size>.png (the whole page, one image pixel per CSS pixel),
layout-sidebar-<size>.png (the screen with the sidebar open) and layout-train-1440x900.png (the Train page's
first screen on a 1440x900 desktop, where Step and the weight heatmaps must both show).
"""

import pytest

from engine import ACTIVATIONS, INITIALIZERS, LOSSES, SCALINGS
from engine.presets import PRESETS

from .conftest import (
    ARTIFACTS,
    DEEP,
    assert_no_exception,
    button,
    set_number,
    wait_charts_drawn,
    wait_metric,
    wait_settled,
)

pytestmark = pytest.mark.browser

SIZES = {"1024x768-zoom150": ({"width": 683, "height": 512}, 1.5),
         "1280x720-zoom125": ({"width": 1024, "height": 576}, 1.25),
         "800px": ({"width": 800, "height": 600}, 1)}
DESKTOP = ({"width": 1440, "height": 900}, 1)  # where the Train page's heatmaps must share the screen with Step
# The first pages open with the tutorial preset (its printout is the Train page's widest table); Predict and
# Seeds with a two-input preset, so that Predict draws its map, with tanh, a bias and six hidden neurons.
TUTORIAL = "preset=trask-3-layer&seed=1&steps=2000"
TWO_INPUTS = "preset=curved&seed=1&steps=300"
SWEEP_STEPS = PRESETS["curved"].steps  # the Seeds page's default
CHARTS = {"Train": 5, "S-curve": 1, "Predict": 1, "Seeds": 2}  # live charts each page draws here
MIN_PICTURE_PX = 120  # of the first live chart, on screen with the controls that change it

PROBLEMS = DEEP + """() => {
    const name = (e) => `<${e.tagName.toLowerCase()} ${e.getAttribute('data-testid') || e.className}>`;
    const bad = [], text = (e) => ((e.innerText || e.value || '').trim() || name(e)).replace(/\\s+/g, ' ').slice(0, 60);
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const hidden = sidebar && sidebar.dataset.collapsed === 'true' ? sidebar : null;
    const shown = (e) => { const r = e.getBoundingClientRect();
        return r.width > 1 && r.height > 1 && !(hidden && hidden.contains(e)); };
    const cut = (e) => e.scrollWidth > e.clientWidth + 1;
    for (const e of deepAll('*')) {
        if (!shown(e)) continue;
        const style = getComputedStyle(e);
        if (style.textOverflow === 'ellipsis' && cut(e)) bad.push(`cut with an ellipsis: "${text(e)}"`);
    }
    deepAll('button').filter(shown).filter(cut).forEach((e) => bad.push(`button label cut: "${text(e)}"`));
    document.querySelectorAll('[data-testid="stSelectbox"] input').forEach((e) => {
        if (shown(e) && cut(e)) bad.push(`select box text cut: "${text(e)}"`); });
    deepAll('[data-role="value"], .lv-stat-label, .lv-title, .lv-heading').filter(shown).filter(cut)
        .forEach((e) => bad.push(`live view text cut: "${text(e)}"`));
    const main = document.querySelector('[data-testid="stMain"]');
    if (cut(main)) bad.push(`the page scrolls sideways (${main.scrollWidth} > ${main.clientWidth} px)`);
    const block = document.querySelector('[data-testid="stMainBlockContainer"]');
    const edge = block.getBoundingClientRect().right - parseFloat(getComputedStyle(block).paddingRight) + 1;
    block.querySelectorAll('[data-testid="stElementContainer"]').forEach((e) => {
        if (shown(e) && e.getBoundingClientRect().right > edge) bad.push(`sticks out of the page: "${text(e)}"`); });
    deepAll('.lv').forEach((view) => {
        const right = view.getBoundingClientRect().right + 1;
        view.querySelectorAll('.lv-chart, canvas, .lv-table-box').forEach((e) => {
            const id = e.closest('[data-chart-id]')?.dataset.chartId;
            if (e.getBoundingClientRect().right > right) bad.push(`live chart past its view: ${id}`); });
        view.querySelectorAll('.lv-table-box').forEach((e) => { if (cut(e)) bad.push('live table scrolls sideways'); });
    });
    document.querySelectorAll('[data-testid="stDataFrame"] .dvn-scroller').forEach((e) => {
        if (shown(e) && cut(e)) bad.push('a data grid hides columns sideways'); });
    document.querySelectorAll('[data-testid="stTable"], [data-testid="stCode"] pre').forEach((e) => {
        if (shown(e) && cut(e)) bad.push(`scrolls sideways: "${text(e)}"`); });
    document.querySelectorAll('.katex-display').forEach((e) => bad.push(`display formula (cannot wrap): "${text(e)}"`));
    document.querySelectorAll('[data-testid="stMarkdownContainer"] .katex').forEach((k) => {
        const box = k.closest('[data-testid="stMarkdownContainer"]').getBoundingClientRect();
        if (k.getBoundingClientRect().right > box.right + 1) bad.push(`formula cut: "${text(k)}"`); });
    return bad;
}"""

# Every choice a select box offers, not only the one shown: each must fit the box when chosen.
OPTIONS = {"Preset": [p.title for p in PRESETS.values()], "Initialisation": [i.label for i in INITIALIZERS.values()],
           "Hidden activation": [a.label for a in ACTIVATIONS.values()],
           "Output activation": [a.label for a in ACTIVATIONS.values()], "Loss": [lo.label for lo in LOSSES.values()],
           "Input scaling": list(SCALINGS.values()), "Output scaling": list(SCALINGS.values())}
OPTIONS_CUT = """(options) => {
    const bad = [], ctx = document.createElement('canvas').getContext('2d');
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    const hidden = sidebar && sidebar.dataset.collapsed === 'true' ? sidebar : null;
    document.querySelectorAll('[data-testid="stSelectbox"]').forEach((box) => {
        if (hidden && hidden.contains(box)) return;
        const label = box.querySelector('[data-testid="stWidgetLabel"]')?.innerText.trim();
        const input = box.querySelector('input');
        if (!(label in options) || !input || !input.getBoundingClientRect().width) return;
        const style = getComputedStyle(input);
        ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
        options[label].forEach((text) => {
            if (ctx.measureText(text).width > room) bad.push(`"${label}" box cuts "${text}" (${room} px)`); });
    });
    return bad;
}"""

# Where each weight heatmap's cells are on screen, top and bottom.
HEATMAP_CELLS = DEEP + """() => deepAll('[data-kind="heatmap"]').map((chart) => {
    const canvas = chart.querySelector('canvas').getBoundingClientRect(), box = chart.liveGeom.box;
    return [canvas.top + box.y, canvas.top + box.y + box.h];
})"""

# How much room the controls strip and the top MIN_PICTURE_PX of the first live chart need on screen together,
# and how much there is below the app's header: the page can be scrolled to show both when it fits.
TOGETHER = DEEP + """(picture) => {
    const controls = deepAll('.lv-controls')[0], canvas = deepAll('[data-chart-id] canvas')[0];
    const header = document.querySelector('[data-testid="stHeader"]').getBoundingClientRect().bottom;
    return [canvas.getBoundingClientRect().top + picture - controls.getBoundingClientRect().top, innerHeight - header];
}"""


class Window:
    """One browser window at one size: its page, and whether its sidebar lies over the page (closed after use)."""

    def __init__(self, browser, size):
        viewport, scale = SIZES.get(size, DESKTOP)
        self.size, self.context = size, browser.new_context(viewport=viewport, device_scale_factor=scale)
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.overlay = None  # known once the app has drawn: a narrow window starts with the sidebar closed

    def open(self, url):
        self.page.goto(url)

    def opened(self, title):
        self.page.get_by_test_id("stSidebarNav").wait_for(state="attached")
        if self.overlay is None:
            self.overlay = self.sidebar_closed()
        self.settle(title)

    def sidebar_closed(self):
        return self.page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "true"

    def sidebar(self, open_):
        if self.sidebar_closed() != open_:
            return
        if open_:
            self.page.get_by_test_id("stExpandSidebarButton").click()
        else:
            self.page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        self.page.wait_for_function(
            "(open) => (document.querySelector('[data-testid=stSidebar]').dataset.collapsed === 'true') !== open",
            arg=open_)
        self.page.wait_for_timeout(400)  # it slides in or out

    def click_page(self, title):
        self.sidebar(True)
        self.page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()

    def settle(self, title, charts=True):
        """Wait until the page and its live charts are drawn and settled, close an overlaying sidebar, go to the top."""
        page = self.page
        page.get_by_test_id("stMain").locator("h1").get_by_text(title, exact=True).wait_for()
        wait_settled(page)
        if charts and CHARTS.get(title):
            assert wait_charts_drawn(page, CHARTS[title]) == CHARTS[title]
            wait_settled(page)
        if self.overlay:
            self.sidebar(False)
        page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 0)")

    def problems(self, title):
        assert_no_exception(self.page)
        found = [f"{title} at {self.size}: {p}" for p in self.page.evaluate(PROBLEMS) + self.page.evaluate(
            OPTIONS_CUT, OPTIONS)]
        if title in CHARTS:
            needed, room = self.page.evaluate(TOGETHER, MIN_PICTURE_PX)
            if needed > room:
                found.append(f"{title} at {self.size}: the controls and their chart need {needed:.0f} px, "
                             f"the screen has {room:.0f}")
        return found

    def shoot(self, name):
        """The whole page in one picture: the viewport made as tall as the page for a moment."""
        page = self.page
        ARTIFACTS.mkdir(exist_ok=True)
        size = page.viewport_size
        height = page.evaluate("() => { document.querySelector('[data-testid=stMain]').scrollTo(0, 0); return "
                               "Math.ceil(document.querySelector('[data-testid=stMainBlockContainer]')"
                               ".getBoundingClientRect().bottom); }")
        page.set_viewport_size({"width": size["width"], "height": min(max(height, size["height"]), 6000)})
        page.wait_for_timeout(300)
        page.screenshot(path=str(ARTIFACTS / f"layout-{name}-{self.size}.png"), scale="css")
        page.set_viewport_size(size)


def check(windows, title):
    """Problems of page `title` in every window; each is photographed."""
    found = []
    for window in windows:
        found += window.problems(title)
        window.shoot(title.lower().replace("-", ""))
    return found


def test_every_page_fits_projector_and_small_window_sizes(browser, app_url):
    windows = [Window(browser, size) for size in SIZES]
    desktop = Window(browser, "1440x900")
    found = []
    try:
        for window in [*windows, desktop]:
            window.open(f"{app_url}/?{TUTORIAL}")
        for window in [*windows, desktop]:
            window.opened("Train")
        step = button(desktop.page, "Step").bounding_box()
        cells = desktop.page.evaluate(HEATMAP_CELLS)
        on_screen = [(step["y"], step["y"] + step["height"]), *cells]
        if len(cells) != 2 or not all(0 <= top and bottom <= DESKTOP[0]["height"] for top, bottom in on_screen):
            found.append(f"Train at 1440x900: Step and the heatmap cells span {on_screen} (top, bottom)")
        desktop.page.screenshot(path=str(ARTIFACTS / "layout-train-1440x900.png"))
        desktop.context.close()
        for window in windows:  # the sidebar, open (over the page in the narrowest window): every label whole
            window.sidebar(True)
            found += [f"sidebar at {window.size}: {p}" for p in window.page.evaluate(PROBLEMS)
                      + window.page.evaluate(OPTIONS_CUT, OPTIONS)]
            window.page.screenshot(path=str(ARTIFACTS / f"layout-sidebar-{window.size}.png"))
            window.settle("Train")
        found += check(windows, "Train")
        for title in ("Data", "S-curve", "Math", "Code"):
            for window in windows:  # all click first: the three sessions load side by side
                window.click_page(title)
            for window in windows:
                window.settle(title)
            found += check(windows, title)
        for window in windows:
            window.open(f"{app_url}/predict?{TWO_INPUTS}")
        for window in windows:
            window.opened("Predict")
        found += check(windows, "Predict")
        for window in windows:
            window.click_page("Seeds")
        for window in windows:
            window.settle("Seeds", charts=False)  # none before the sweep
            set_number(window.page, "Seeds", 8)  # a quick sweep: the page's default steps, eight seeds
            button(window.page, "Run all seeds").click()
        for window in windows:
            wait_metric(window.page, "Step", f"{SWEEP_STEPS:,} of {SWEEP_STEPS:,}")
            window.settle("Seeds")
        found += check(windows, "Seeds")
    finally:
        for window in windows:
            window.context.close()
    assert found == [], "\n".join(found)
