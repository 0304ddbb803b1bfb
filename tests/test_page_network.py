"""The network page through AppTest: a default smoke run, then (slow) descent, digits training and extremes."""

from __future__ import annotations

import pytest

from tests.apptest_utils import assert_clean, errors, open_page, sweep_extremes

PAGE = "network.py"


def _latex(at) -> list[str]:
    return [e.value.strip("$\n") for e in at.latex]


def _widget(group, key):
    return next(w for w in group if w.key == key)


def test_default_view_shows_every_section_without_errors():
    at = open_page(PAGE)
    assert_clean(at)
    assert not errors(at)
    assert len(at.get("plotly_chart")) >= 15
    latex = _latex(at)
    assert any(r"\mathbb{R}^{4\times3}" in t for t in latex)  # the layer's product with its shape
    assert any(t.count(r"\varphi(") == 3 and t.startswith(r"\hat y") for t in latex)  # the nested formula, L = 3
    assert any(r"\frac{2}{\lambda_{\max}}" in t for t in latex)
    text = " ".join(m.value for m in at.markdown)
    assert "test digits correctly" in text and "The network reads" in text


@pytest.mark.slow
def test_a_link_sets_the_layer_and_the_formula_follows():
    at = open_page(PAGE, {"nw_depth": "5", "nw_m": "2", "nw_i": "5"})
    assert_clean(at)
    assert any(t.count(r"\varphi(") == 5 and t.startswith(r"\hat y") for t in _latex(at))
    assert any("only 2 neurons" in c.value for c in at.caption)


@pytest.mark.slow
def test_descent_runs_its_fixed_steps_and_names_the_regime():
    at = open_page(PAGE, {"nw_eta": "0.7"})  # above 2/lambda_max = 0.585 at the default centre
    _widget(at.button, "nw_gd_start").click()
    at.run()
    for _ in range(60):
        at.run()
        if any("diverges" in e.value for e in at.error):
            break
    assert_clean(at)
    assert any("diverges" in e.value for e in at.error)


@pytest.mark.slow
def test_training_digits_with_other_settings_finishes_and_is_used():
    at = open_page(PAGE, {"nw_dwidth": "16", "nw_depochs": "5"})
    assert any("Press **Train**" in i.value for i in at.info)
    _widget(at.button, "nw_digits_start").click()
    at.run()
    for _ in range(80):
        at.run()
        if any("the network you just trained" in c.value for c in at.caption):
            break
    assert_clean(at)
    assert any("the network you just trained" in c.value for c in at.caption)
    assert any("After 5 epochs" in m.value for m in at.markdown)


@pytest.mark.slow
def test_every_widget_at_its_extremes():
    at = open_page(PAGE)
    runs = sweep_extremes(at)
    assert runs > 20
    assert not errors(at)
