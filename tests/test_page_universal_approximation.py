"""The universal-approximation page through the real router: outputs follow inputs, bad input gets words."""

from __future__ import annotations

import pytest

from tests.apptest_utils import assert_clean, errors, open_page

PAGE = "universal_approximation.py"


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE)


def _metric(at, label: str, index: int = 0) -> str:
    return [m.value for m in at.metric if m.label == label][index]


def _latex(at) -> list[str]:
    return [x.value for x in at.latex]


def test_defaults_show_every_section_without_errors(at):
    assert_clean(at)
    assert not errors(at)
    headers = [h.value for h in at.header]
    for name in ("1 · Construct it", "2 · Solve it", "3 · Train it", "How width buys accuracy",
                 "Nielsen's challenge", "Two inputs: towers", "Download the weights"):
        assert name in headers
    assert len(at.get("plotly_chart")) == 7
    assert any("M = 32" in x for x in _latex(at))  # N = 64 neurons make 32 bumps, numbers in the formula


def test_target_and_width_change_the_outputs():
    at = open_page(PAGE)
    before = _metric(at, "max error")
    formulas = _latex(at)
    at.selectbox(key="uat_target").set_value("square").run()
    assert_clean(at)
    assert _metric(at, "max error") != before
    at.slider(key="uat_width").set_value(256).run()
    assert_clean(at)
    assert any("M = 128" in x for x in _latex(at)) and _latex(at) != formulas
    at.radio(key="uat_construction").set_value("relu").run()
    assert_clean(at)
    assert any(r"\mathrm{ReLU}" in x for x in _latex(at))


def test_one_neuron_cannot_make_a_bump_and_says_so():
    at = open_page(PAGE, {"uat_width": "1"})
    assert_clean(at)
    assert any("two neurons" in w.value for w in at.warning)
    assert not errors(at)


@pytest.mark.parametrize("formula", [
    "__import__('os').system('ls')", "x.__class__", "[x for x in (1, 2)]", "9**9**9", "x**1000",
    "(" * 40 + "x" + ")" * 40, "x" * 290 + "+", "2x", "foo(x)", "",
])
def test_bad_formulas_get_a_clear_message(formula):
    at = open_page(PAGE, {"uat_target": "your formula…"})  # the URL holds the label shown
    assert at.selectbox(key="uat_target").value == "formula"
    at.text_input(key="uat_formula").input(formula).run()
    assert_clean(at)
    msgs = errors(at)
    assert msgs and "formula" in msgs[0].lower()
    assert "Nielsen's challenge" in [h.value for h in at.header]  # the rest of the page still works


def test_formula_not_finite_on_the_interval_is_reported_in_words():
    at = open_page(PAGE)
    at.selectbox(key="uat_target").set_value("formula").run()
    at.text_input(key="uat_formula").input("log(x)").run()
    assert_clean(at)
    assert any("not a finite number" in m for m in errors(at))
    at.text_input(key="uat_formula").input("exp(-x**2) * cos(4*x)").run()
    assert_clean(at)
    assert not errors(at)
    assert len(at.get("plotly_chart")) == 7


def test_lm_refuses_wide_networks_in_words():
    at = open_page(PAGE, {"uat_width": "600"})
    at.radio(key="uat_optimiser").set_value("lm").run()
    assert_clean(at)
    assert any("limited" in w.value for w in at.warning)


def test_live_training_trains_when_clicked_and_keeps_going():
    at = open_page(PAGE, {"uat_width": "16"})
    at.radio(key="uat_optimiser").set_value("lm").run()
    at.selectbox(key="uat_steps").set_value(500).run()
    assert_clean(at)
    def methods():
        return [m for df in at.dataframe if "method" in df.value.columns for m in df.value["method"]]

    assert methods() == ["constructed", "least squares"]
    at.button(key="uat_live_start").click().run()
    assert_clean(at)
    at.run()
    assert_clean(at)
    assert at.session_state["uat_live"]["stepper"].steps > 0
    assert any(m == "trained (LM)" for m in methods())
    keys = [c.key for c in at.get("plotly_chart")]
    assert "uat_fig_loss" in keys and "uat_fig_errors" not in keys  # while running: the loss curve, no error plot
    at.button(key="uat_live_pause").click().run()
    assert_clean(at)
    assert not at.session_state["uat_live"]["running"]
    keys = [c.key for c in at.get("plotly_chart")]
    assert "uat_fig_loss" in keys and "uat_fig_errors" in keys  # paused: the final figures


def test_challenge_scores_hand_set_heights_and_celebrates_the_best():
    from nnviz import approximation as ua

    at = open_page(PAGE)
    assert not any("You did it" in s.value for s in at.success)
    best = ua.challenge((0.5,) * 5).best_heights
    for j, h in enumerate(best):
        at.slider(key=f"uat_h{j + 1}").set_value(round(float(h), 2))
    at.run()
    assert_clean(at)
    assert any("You did it" in s.value for s in at.success)


def test_towers_views_and_download():
    at = open_page(PAGE)
    before = _latex(at)[-1]
    at.slider(key="uat_t2_k").set_value(16).run()
    assert_clean(at)
    assert _latex(at)[-1] != before and "256" in _latex(at)[-1]
    at.radio(key="uat_t2_view").set_value("tower").run()
    assert_clean(at)
    assert len(at.get("download_button")) == 1


def _sweep_spec(at) -> str:
    return next(c.proto.spec for c in at.get("plotly_chart") if "fig_sweep" in str(c.proto.id))


def test_width_sweep_is_about_the_target_not_the_noise():
    """The sweep (seconds on a cache miss) is of f itself: noise and n change the fits above, not the sweep."""
    at = open_page(PAGE)
    sweep = _sweep_spec(at)
    least_squares = _metric(at, "max error", 1)
    at.slider(key="uat_noise").set_value(0.3).run()
    at.slider(key="uat_samples").set_value(64).run()
    assert_clean(at)
    assert _metric(at, "max error", 1) != least_squares  # the solve above sees the noisy samples
    assert _sweep_spec(at) == sweep
