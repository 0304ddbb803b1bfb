"""Every page in real Chromium: it renders, shows no exception or error box, and leaves a screenshot.

Screenshots land in ./screenshots (or $NNVIZ_SCREENSHOTS); open them and look.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nnviz.catalog import PAGES
from tests.browser_utils import CHART, error_texts, record_toasts, screenshot, toasts_shown, wait_until_idle
from tests.conftest import SCREENSHOTS, streamlit_server

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.url_path)
def test_page_renders_without_errors(browser, app_url, spec):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        path = "" if spec.file == "home.py" else spec.url_path
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert page.locator("h1").count() >= 1, "the page has a title"
        assert error_texts(page) == []
        charts = page.locator(CHART).count()
        if spec.file != "home.py":
            assert charts >= 1, "an explainer page shows at least one figure"
        screenshot(page, SCREENSHOTS, spec.url_path)
    finally:
        page.close()


def test_a_shared_deep_link_on_a_fresh_server_goes_through_the_router(browser):
    """The first visitor of a fresh server arrives by a link to a page, with settings in the URL."""
    with streamlit_server() as url:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        try:
            page.goto(f"{url}/single_neuron?sn_b=0.7", wait_until="domcontentloaded")
            wait_until_idle(page)  # waits for the router's sidebar toggle
            assert page.get_by_role("link", name="Network playground").count() + page.get_by_role(
                "link", name="Home").count() >= 1, "the app's own navigation is shown"
            # the neuron diagram itself (its key), given time to draw: on a loaded machine the page's later charts
            # were once drawn while it was not yet, and the first chart on the page was another one
            expect(page.locator(f".st-key-sn_diagram {CHART}")).to_contain_text(
                "b = +0.7", timeout=60_000)
            assert error_texts(page) == []
        finally:
            page.close()


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "projector"])
@pytest.mark.parametrize("spec", PAGES, ids=lambda s: s.url_path)
def test_page_fits_phone_and_projector_widths(browser, app_url, spec, width):
    """No sideways scrolling of the whole page at a phone's 390 px or a projector's 1280x720."""
    page = browser.new_page(viewport={"width": width, "height": 720 if width > 1000 else 844})
    try:
        path = "" if spec.file == "home.py" else spec.url_path
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert error_texts(page) == []
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 2, f"the page scrolls sideways by {overflow} px"
        screenshot(page, SCREENSHOTS / f"w{width}", spec.url_path)
    finally:
        page.close()


def test_a_link_reproduces_settings_and_explains_what_it_could_not(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        record_toasts(page)  # notices show for a few seconds as the page arrives: each is recorded as it shows
        page.goto(f"{app_url}/single_neuron?sn_n=3&sn_b=999&sn_phi=tanh&bogus=1", wait_until="domcontentloaded")
        toasts_shown(page, "bogus")
        toasts = [t["text"] for t in toasts_shown(page, "999")]  # both notices, each waited for
        wait_until_idle(page)
        assert error_texts(page) == []
        assert page.get_by_role("slider", name="weight w3").count() == 1, "sn_n=3 from the link was applied"
        assert any("bias b" in t and "999" in t for t in toasts), toasts  # out of range: adjusted, with a notice
        assert any("bogus" in t for t in toasts), toasts  # not a setting: ignored, with a notice
        assert "bogus" not in page.url
        assert "sn_n=3" in page.url
    finally:
        page.close()


def test_a_change_inside_a_section_reaches_the_address_bar(browser, app_url):
    """A widget drawn by a section (ui.section) reruns that section only; its value must still reach the URL, so
    a link copied afterwards reproduces the view."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(f"{app_url}/single_neuron", wait_until="domcontentloaded")
        wait_until_idle(page)
        slider = page.get_by_role("slider", name="steepness k in σ(k·z)")
        slider.focus()
        page.keyboard.press("ArrowRight")  # one step: k = 1.0 -> 1.5
        page.wait_for_function("() => new URLSearchParams(location.search).get('sn_k') === '1.5'", timeout=60_000)
        expect(page.get_by_text("k·σ′(0) = k/4 = 0.375")).to_be_visible(timeout=60_000)  # the section reran
        page.reload(wait_until="domcontentloaded")  # the address bar now reproduces it
        wait_until_idle(page)
        expect(page.get_by_text("k·σ′(0) = k/4 = 0.375")).to_be_visible(timeout=60_000)
    finally:
        page.close()


def test_a_forged_link_opens_cleanly_and_its_notice_is_plain_text(browser, app_url):
    forged = "%5BSession%20expired%5D(https%3A%2F%2Fevil.example%2Flogin)"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        record_toasts(page)
        page.goto(f"{app_url}/playground?pg_seed=inf&pg_dseed=1e999&{forged}=1", wait_until="domcontentloaded")
        toasts_shown(page, "Session expired")
        toasts = toasts_shown(page, "Weight seed")  # both notices (each waited for: either may come first)
        assert not any('href="https://evil' in t["html"] or "<img" in t["html"] for t in toasts), toasts
        wait_until_idle(page)
        assert error_texts(page) == []
    finally:
        page.close()


@pytest.mark.parametrize("width", [390, 1024, 1280])
def test_home_card_titles_are_never_cut(browser, app_url, width):
    """Each learning-path card shows its page's whole title (it wraps rather than ending in "connectior")."""
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(app_url, wait_until="domcontentloaded")
        wait_until_idle(page)
        cut = page.evaluate("""() => Array.from(document.querySelectorAll(
            '[class*="st-key-keep_card"] [data-testid="stPageLink"] :is(a, span, p)'))
            .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)""")
        assert page.locator('[class*="st-key-keep_card"] [data-testid="stPageLink"]').count() == len(PAGES) - 1
        assert cut == [], f"card titles cut at {width} px: {cut}"
    finally:
        page.close()


def test_a_page_of_flat_charts_loads_the_cartesian_bundle_and_its_charts_go_full_screen(browser, app_url):
    """Issue 18: a page whose figures are all 2-D loads plotly.js's 1.5 MB cartesian bundle, never st.plotly_chart's
    4.7 MB chunk; every chart is a figure named by its text alternative; the toolbar's full-screen button fills the
    screen with the chart (for a projector) and leaving full screen gives it its own height back."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url))
    try:
        page.goto(f"{app_url}/activations", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert any("/app/static/plotly-cartesian-" in u for u in fetched)
        assert not any("/PlotlyChart." in u for u in fetched), "the full plotly.js chunk was loaded"
        figures = page.locator(".nnviz-chart[role=figure]")
        assert figures.count() == page.locator(CHART).count() >= 2
        assert all(figures.nth(i).get_attribute("aria-label").startswith("Chart") for i in range(figures.count()))
        first = figures.first
        height = first.bounding_box()["height"]
        first.hover()
        first.locator('.modebar-btn[data-title="Full screen"]').click()
        page.wait_for_function("() => document.fullscreenElement?.classList.contains('nnviz-chart')")
        page.wait_for_function("() => document.fullscreenElement.querySelector('.main-svg').clientHeight > 800")
        page.evaluate("() => document.exitFullscreen()")
        page.wait_for_function("(h) => !document.fullscreenElement && Math.abs("
                               "document.querySelector('.nnviz-chart').getBoundingClientRect().height - h) < 2",
                               arg=height)
        assert error_texts(page) == []
    finally:
        page.close()
