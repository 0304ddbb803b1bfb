"""The architecture diagrams of the skip-and-feedback page in Chromium at a phone's width: each drawing is no wider
than its narrow budget, so its text is drawn large enough to read."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser]

TABS = ("U-Net", "Diffusion denoiser", "LSTM cell", "GRU cell")
MIN_TEXT_PX = 9.0


@pytest.mark.parametrize("width", [390, 1400])
def test_architecture_diagrams_read_at_phone_and_desktop_width(browser, app_url, width):
    from nnviz.figures import architectures as A
    from tests.browser_utils import error_texts, wait_until_idle
    from tests.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 1400})
    try:
        for tab in TABS:
            page.goto(f"{app_url}/skip_and_feedback?sk_arch_open=true&sk_arch_tab={tab.replace(' ', '+')}",
                      wait_until="domcontentloaded")
            wait_until_idle(page, 150_000)
            chart = page.locator('[data-testid="stExpander"] [data-testid="stGraphVizChart"]').last
            chart.wait_for(timeout=60_000)
            chart.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            got = chart.evaluate("""e => {
              const svg = e.querySelector('svg'), vb = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
              const sizes = Array.from(svg.querySelectorAll('text'))
                .map(t => parseFloat(getComputedStyle(t).fontSize) * r.width / vb.width);
              return {vb: vb.width, px: r.width, smallest: Math.min(...sizes)};
            }""")
            assert got["vb"] <= A.NARROW_PT, (tab, got)
            assert got["smallest"] >= MIN_TEXT_PX, (tab, got)  # text as drawn on screen, in CSS px
            chart.screenshot(path=str(SCREENSHOTS / f"architecture_{tab.split()[0]}_{width}.png"))
        assert error_texts(page) == []
    finally:
        page.close()


@pytest.mark.parametrize("width", [390, 1400])
def test_the_three_wirings_read_at_phone_and_desktop_width(browser, app_url, width):
    """The page's first diagrams (plain chain, residual block, the recurrent cell rolled and unrolled): their text
    is drawn at least MIN_TEXT_PX on screen, so a phone does not shrink them into unreadable strips."""
    from tests.browser_utils import wait_until_idle

    page = browser.new_page(viewport={"width": width, "height": 1400})
    try:
        page.goto(f"{app_url}/skip_and_feedback", wait_until="domcontentloaded")
        wait_until_idle(page, 150_000)
        charts = page.locator('[data-testid="stGraphVizChart"]')
        charts.nth(3).wait_for(timeout=60_000)
        smallest = []
        for i in range(4):
            smallest.append(charts.nth(i).evaluate("""e => {
              const svg = e.querySelector('svg'), vb = svg.viewBox.baseVal, r = svg.getBoundingClientRect();
              return Math.min(...Array.from(svg.querySelectorAll('text'))
                .map(t => parseFloat(getComputedStyle(t).fontSize) * r.width / vb.width));
            }"""))
        assert min(smallest) >= MIN_TEXT_PX, smallest
    finally:
        page.close()
