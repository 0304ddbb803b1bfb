"""Classroom mode: a link with ?classroom=true hides prose but keeps titles, formulas and figures."""

from __future__ import annotations

import pytest

from tests.apptest_utils import assert_clean, open_page
from tests.browser_utils import CHART, wait_until_idle


def _toggle(at):
    return next(t for t in at.get("toggle") if t.key == "classroom")


def test_classroom_flag_in_link_turns_the_mode_on():
    at = open_page("home.py", query={"classroom": "true"})
    assert_clean(at)
    assert _toggle(at).value is True
    assert any("katex-display" in h.proto.body for h in at.get("html")), "the classroom style is injected"


def test_classroom_mode_is_off_by_default():
    at = open_page("home.py")
    assert _toggle(at).value is False
    assert not any("katex-display" in h.proto.body for h in at.get("html")), "no classroom style when it is off"


@pytest.mark.browser
def test_classroom_mode_hides_prose_and_keeps_formulas(browser, app_url):
    page = browser.new_page(viewport={"width": 1280, "height": 720})
    try:
        page.goto(f"{app_url}/single_neuron", wait_until="domcontentloaded")
        wait_until_idle(page)
        prose = page.get_by_text("An artificial neuron multiplies each input")
        assert prose.is_visible()
        page.goto(f"{app_url}/single_neuron?classroom=true", wait_until="domcontentloaded")
        wait_until_idle(page)
        assert not prose.is_visible()
        assert page.locator(".katex-display").first.is_visible(), "formulas stay in classroom mode"
        assert page.locator(CHART).first.is_visible()
        # the sidebar starts collapsed for projection; the flag survives a page switch through the navigation
        page.locator('[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
                     ).first.click()
        page.get_by_role("link", name="Home").click()
        wait_until_idle(page)
        assert "classroom=true" in page.url
    finally:
        page.close()


def test_classroom_text_raises_every_font_a_figure_sets_and_keeps_larger_ones():
    from nnviz.ui.common import enlarged_text

    spec = {"data": [{"type": "scatter", "x": [0, 1], "textfont": {"size": 8},
                      "marker": {"size": 6, "colorbar": {"tickfont": {"size": 10}}}}],
            "layout": {"font": {"size": 12}, "title": {"text": "t", "font": {"size": 24}},
                       "xaxis": {"tickfont": {"size": 10}, "title": {"font": {"size": 11}}},
                       "legend": {"font": {"size": 11}}, "annotations": [{"text": "a", "font": {"size": 9}}]}}
    big = enlarged_text(spec, 18)
    layout, trace = big["layout"], big["data"][0]
    assert layout["font"]["size"] == 18 and layout["title"]["font"]["size"] == 24  # larger sizes stay
    assert layout["xaxis"]["tickfont"]["size"] == 18 and layout["xaxis"]["title"]["font"]["size"] == 18
    assert layout["legend"]["font"]["size"] == 18 and layout["annotations"][0]["font"]["size"] == 18
    assert trace["textfont"]["size"] == 18 and trace["marker"]["colorbar"]["tickfont"]["size"] == 18
    assert trace["marker"]["size"] == 6, "a marker's size is not a font"
    assert layout["yaxis"]["tickfont"]["size"] == 18 and layout["yaxis"]["title"]["font"]["size"] == 18, \
        "axes the figure leaves to the theme get the size explicitly (Streamlit's theme would shrink them)"
    assert spec["layout"]["xaxis"]["tickfont"]["size"] == 10, "the cached figure itself is not edited"
