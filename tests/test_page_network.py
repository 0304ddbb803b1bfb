"""The network page through AppTest: a default smoke run, then (slow) every tab, descent, digits training and
extremes; and (browser) painting a digit in Chromium."""

from __future__ import annotations

import sys

import pytest

from nnviz.ui.live import live_run
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_until, sweep_extremes

PAGE = "network.py"


def _latex(at) -> list[str]:
    return [e.value.strip("$\n") for e in at.latex]


def _widget(group, key):
    return next(w for w in group if w.key == key)


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers to a closed tab or a button")


def _block_torch(monkeypatch) -> None:
    """Make any `import torch` fail (None in sys.modules): torch costs 1.5-2 s of CPU to import on a cold server."""
    import torch  # noqa: F401  (loaded first, so a warm-up thread of an earlier test can finish)

    monkeypatch.setitem(sys.modules, "torch", None)


def test_default_view_opens_the_first_tab_only(monkeypatch):
    from nnviz.views import network as views

    _block_torch(monkeypatch)
    for name in ("stack_view", "functions_view", "bowl_view", "logistic_view", "diabetes_view", "digits_data",
                 "digits_default"):
        monkeypatch.setattr(views, name, _deferred)
    at = open_page(PAGE)
    assert_clean(at)
    assert not errors(at)
    assert len(charts(at)) == 1  # the layer diagram: the other tabs' figures are not built
    assert any(r"\mathbb{R}^{4\times3}" in t for t in _latex(at))  # the layer's product with its shape
    assert not any(r"\frac{2}{\lambda_{\max}}" in t for t in _latex(at))


TABS = {  # tab -> (figures it shows at its defaults, a text only it shows)
    "A layer": (1, "the whole layer is one matrix product"),
    "Stacking": (2, "Each one is a number training has to choose"),
    "A set of functions": (1, "training picks one member"),
    "Training": (4, r"\frac{2}{\lambda_{\max}}"),
    "Regression vs classification": (2, "The third head"),
    "Digits": (5, "test digits correctly"),
}


@pytest.mark.slow
@pytest.mark.parametrize("tab", list(TABS))
def test_each_tab_opens_from_a_link_with_its_figures(tab):
    at = open_page(PAGE, {"nw_tab": tab})
    assert_clean(at)
    assert not errors(at)
    n_charts, text = TABS[tab]
    assert len(charts(at)) == n_charts
    shown = " ".join(m.value for m in [*at.markdown, *at.caption])
    assert text in shown or any(text in t for t in _latex(at)), text


@pytest.mark.slow
def test_a_link_sets_the_layer_and_the_formula_follows():
    at = open_page(PAGE, {"nw_m": "2", "nw_i": "5"})
    assert_clean(at)
    assert any("only 2 neurons" in c.value for c in at.caption)
    at = open_page(PAGE, {"nw_tab": "Stacking", "nw_depth": "5"})
    # one formula with all 5 layers (written on two lines, h_3 named, so it fits a phone)
    assert any(t.count(r"\varphi(") == 5 and r"\hat y &=" in t and r"h_3 &=" in t for t in _latex(at))


@pytest.mark.slow
def test_the_digits_tab_opens_its_lazy_parts_on_request():
    at = open_page(PAGE, {"nw_tab": "Digits", "nw_dweights_open": "true", "nw_dwrong_open": "true"})
    assert_clean(at)
    assert len(charts(at)) == TABS["Digits"][0] + 2
    assert any("most confident mistakes first" in m.value for m in at.markdown)


@pytest.mark.slow
def test_descent_runs_its_fixed_steps_and_names_the_regime():
    at = open_page(PAGE, {"nw_tab": "Training", "nw_eta": "0.7"})  # above 2/lambda_max = 0.585 at the default centre
    _widget(at.button, "nw_gd_start").click()
    at.run()
    run_until(at, lambda a: any("diverges" in e.value for e in a.error) or live_run("nw_gd", a.session_state).done)
    assert_clean(at)
    assert any("diverges" in e.value for e in at.error)


@pytest.mark.slow
@pytest.mark.parametrize("tab", ["Regression vs classification", "Digits"])
def test_opening_a_tab_shows_the_shipped_training_and_trains_nothing(tab, monkeypatch):
    """Issue 18: the heads and the default digits network are shipped; opening their tab must not train them."""
    from nnviz.topics.network import digits, heads
    from nnviz.views import network as views

    def no_training(*args, **kwargs):
        raise AssertionError("trained on opening the tab")

    views.diabetes_view.clear()  # a cached result from another test would hide a call
    views.digits_default.clear()
    monkeypatch.setattr(heads, "train_head", no_training)
    monkeypatch.setattr(digits, "train", no_training)
    monkeypatch.setattr(digits.DigitsTraining, "_step", no_training)
    _block_torch(monkeypatch)  # the live panel's untrained run builds its network on the first step only
    at = open_page(PAGE, {"nw_tab": tab})
    assert_clean(at)
    assert len(charts(at)) >= 2


@pytest.mark.slow
def test_training_digits_with_other_settings_finishes_and_is_used():
    at = open_page(PAGE, {"nw_tab": "Digits", "nw_dwidth": "16", "nw_depochs": "5"})
    assert any("Press **Train**" in i.value for i in at.info)
    _widget(at.button, "nw_digits_start").click()
    at.run()
    run_until(at, lambda a: any("the network you just trained" in c.value for c in a.caption))
    assert_clean(at)
    assert any("the network you just trained" in c.value for c in at.caption)
    assert any("After 5 epochs" in m.value for m in at.markdown)


@pytest.mark.slow
@pytest.mark.parametrize("tab", [t for t in TABS if t != "Regression vs classification"])  # that one has none
def test_every_widget_of_a_tab_at_its_extremes(tab):
    at = open_page(PAGE, {"nw_tab": tab})
    runs = sweep_extremes(at)
    assert runs >= 6
    assert not errors(at)


# --- real Chromium: painting a digit --------------------------------------------------------------------------

ONE = [[3, 4]] * 8
ZERO = [[3, 4], [2, 5], [1, 6], [1, 6], [1, 6], [1, 6], [2, 5], [3, 4]]


def _paint(page, now: list[list[int]], target: list[list[int]]) -> None:
    """Click the cells that differ between the painted grid ``now`` and ``target`` (columns per row)."""
    for r, (have, want) in enumerate(zip(now, target, strict=True)):
        row = page.locator(f'[role="toolbar"][aria-label="row {r + 1}"] button')
        for c in sorted(set(have) ^ set(want)):
            row.nth(c).click(timeout=90_000)  # a loaded 2-core machine can stall the renderer for a while
            page.wait_for_timeout(150)


def _reading(page) -> str:
    return page.get_by_text("The network reads").last.inner_text()


@pytest.mark.browser
@pytest.mark.slow
def test_painting_a_digit_in_the_browser_changes_what_the_network_reads(browser, app_url):
    from tests.browser_utils import error_texts, screenshot, wait_until_idle
    from tests.conftest import SCREENSHOTS

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{app_url}/network?nw_tab=Digits", wait_until="domcontentloaded")
        wait_until_idle(page)
        page.get_by_text("The grid is empty").wait_for(timeout=60_000)
        wait_until_idle(page)
        blank = [[] for _ in range(8)]
        _paint(page, blank, ONE)
        page.get_by_text("The network reads 1").wait_for(timeout=60_000)
        pressed = page.locator('[role="toolbar"][aria-label="row 5"] button[aria-pressed="true"]')
        assert pressed.count() == 2, "the painted cells stay painted"
        _paint(page, ONE, ZERO)
        page.get_by_text("The network reads 0").wait_for(timeout=60_000)
        wait_until_idle(page)
        assert "reads 0" in _reading(page)
        assert error_texts(page) == []
        screenshot(page, SCREENSHOTS, "network_drawn_zero")
    finally:
        page.close()
