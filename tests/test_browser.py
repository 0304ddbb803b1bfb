"""Every page in real Chromium: it renders, shows no exception or error box, and leaves a screenshot.

Screenshots land in ./screenshots (or $NNVIZ_SCREENSHOTS); open them and look.
"""

from __future__ import annotations

import pytest

from nnviz.catalog import available_pages
from tests.browser_utils import error_texts, screenshot, wait_until_idle
from tests.conftest import SCREENSHOTS

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("spec", available_pages(), ids=lambda s: s.url_path)
def test_page_renders_without_errors(browser, app_url, spec):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        path = "" if spec.file == "home.py" else spec.url_path
        page.goto(f"{app_url}/{path}", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert page.locator("h1").count() >= 1, "the page has a title"
        assert error_texts(page) == []
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        if spec.file != "home.py":
            assert charts >= 1, "an explainer page shows at least one figure"
        screenshot(page, SCREENSHOTS, spec.url_path)
    finally:
        page.close()
