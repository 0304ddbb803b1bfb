"""The skip-and-feedback page's new sections in Chromium: skips as sound plays three clips that load and last as long
as their WAVs, nothing autoplays, and each architecture tab draws its diagram; screenshots at 1400 px and 390 px
of each section land in ./screenshots/skips (look at them)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from nnviz.topics.skip_and_feedback import waveshaper as ws
from nnviz.ui import skips
from tests.browser_utils import CHART, error_texts, wait_until_idle
from tests.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = (1400, 390)


def _open(browser, app_url, width: int, query: str):
    page = browser.new_page(viewport={"width": width, "height": 900 if width > 1000 else 844})
    page.goto(f"{app_url}/skip_and_feedback?{query}", wait_until="domcontentloaded")
    wait_until_idle(page)
    return page


def _shoot(page, name: str, text: str) -> None:
    """A screenshot of the expander whose label holds ``text``: the viewport grown to the whole page (Streamlit
    scrolls inside its main container, so an element screenshot alone comes out shifted), then clipped to it."""
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": page.viewport_size["width"], "height": min(16_000, int(height) + 50)})
    page.wait_for_timeout(1500)  # plotly relayouts at the new size
    box = page.locator('[data-testid="stExpander"]').filter(has_text=text).first.bounding_box()
    (SCREENSHOTS / "skips").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "skips" / f"{name}.png"), full_page=True, clip=box)


@pytest.mark.parametrize("width", WIDTHS)
def test_skips_as_sound_plays_three_clips_of_the_right_length(browser, app_url, width):
    page = _open(browser, app_url, width, "sk_ws_open=true")
    try:
        assert error_texts(page) == []
        page.wait_for_function("() => document.querySelectorAll('audio').length === 3", timeout=60_000)
        page.wait_for_function("() => Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)",
                               timeout=60_000)
        durations = page.evaluate("() => Array.from(document.querySelectorAll('audio')).map(a => a.duration)")
        assert durations == pytest.approx([ws.SECONDS] * 3, abs=1e-3)
        assert not page.evaluate("() => Array.from(document.querySelectorAll('audio')).some(a => a.autoplay)")
        box = page.locator('[data-testid="stExpander"]').filter(has_text="Hear skips").first
        assert box.locator(CHART).count() == 2
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 2, f"the page scrolls sideways by {overflow} px"
        _shoot(page, f"skips_as_sound_{width}", "Hear skips")
    finally:
        page.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("tab", skips.ARCH_TABS)
def test_each_architecture_tab_draws_its_diagram(browser, app_url, tab, width):
    page = _open(browser, app_url, width, f"sk_arch_open=true&sk_arch_tab={quote(tab)}")
    try:
        assert error_texts(page) == []
        box = page.locator('[data-testid="stExpander"]').filter(has_text="Open the diagrams").first
        page.wait_for_function(
            "() => Array.from(document.querySelectorAll('[data-testid=\"stExpander\"] "
            "[data-testid=\"stGraphVizChart\"] svg')).length >= 1", timeout=60_000)
        assert box.locator('[data-testid="stGraphVizChart"] svg').count() == 1
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 2, f"the page scrolls sideways by {overflow} px"
        _shoot(page, f"arch_{tab.split()[0].lower()}_{width}", "Open the diagrams")
    finally:
        page.close()
