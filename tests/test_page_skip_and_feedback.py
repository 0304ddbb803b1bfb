"""The skip-and-feedback page under AppTest: defaults, outputs that follow inputs, live runs that train."""

from __future__ import annotations

import pytest

from tests.apptest_utils import assert_clean, errors, open_page

PAGE = "skip_and_feedback.py"


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE)


def _latex(at) -> list[str]:
    return [e.value for e in at.latex]


def _markdown(at) -> str:
    return "\n".join(e.value for e in at.markdown)


def _charts(at) -> int:
    return len(at.get("plotly_chart"))


def test_defaults_show_every_figure_and_no_error(at):
    assert_clean(at)
    assert errors(at) == []
    assert at.title[0].value == "Skip and feedback connections"
    # diagrams (4), gradient flow, degradation (precomputed), shattered (3), landscape (precomputed),
    # trajectories, time gradients, adding (precomputed), joint chart
    assert _charts(at) == 14
    captions = " ".join(c.value for c in at.caption)
    assert captions.count("precomputed") == 3


def test_gradient_flow_formula_follows_depth_and_activation(at):
    before = [t for t in _latex(at) if "plain" in t and "residual" in t][0]
    assert r"\times 10^{-" in before  # the plain sigmoid stack's ratio is tiny at depth 50
    assert any(r"\alpha = 0.141" in t for t in _latex(at))  # 1/sqrt(50)
    at.slider(key="sk_gf_depth").set_value(8).run()
    after = [t for t in _latex(at) if "plain" in t and "residual" in t][0]
    assert after != before and r"\text{layer }8" in after
    assert any(r"\alpha = 0.354" in t for t in _latex(at))
    at.selectbox(key="sk_gf_branch").set_value("one").run()
    assert any(r"\alpha = 1" in t for t in _latex(at))
    at.selectbox(key="sk_gf_phi").set_value("relu").run()
    assert "ReLU" in " ".join(c.value for c in at.caption)
    assert_clean(at)


def test_time_gradient_verdict_and_clipping(at):
    at.slider(key="sk_vg_radius").set_value(0.7).run()
    assert "below 1: the gradient must vanish" in _markdown(at)
    at.slider(key="sk_vg_radius").set_value(1.5).run()
    at.selectbox(key="sk_vg_phi").set_value("linear").run()
    text = _markdown(at)
    assert "at least 1" in text and "clipped" not in text
    at.checkbox(key="sk_vg_clip").check().run()
    assert "clipped to 1" in _markdown(at)
    assert_clean(at)


def test_shattered_batch_norm_toggle_explains_itself(at):
    r1_before = [m.value for m in at.markdown if "Neighbouring inputs, r(1)" in m.value][0]
    at.checkbox(key="sk_sh_bn").uncheck().run()
    assert any("Without batch normalisation" in i.value for i in at.info)
    assert [m.value for m in at.markdown if "Neighbouring inputs, r(1)" in m.value][0] != r1_before


def test_rnn_diagram_follows_T(at):
    at.slider(key="sk_T").set_value(12).run()
    assert "crosses 12 Jacobians" in _markdown(at)


def test_changed_settings_wait_for_train():
    at = open_page(PAGE, {"sk_add_T": "10", "sk_add_hidden": "8"})
    assert_clean(at)
    assert any("Press **Train** to train the three cells" in i.value for i in at.info)


def _click(at, key: str) -> None:
    at.button(key=key).click().run()


def test_adding_problem_trains_when_train_is_clicked():
    at = open_page(PAGE, {"sk_add_T": "10", "sk_add_hidden": "8", "sk_add_seed": "3"})
    n0 = _charts(at)
    _click(at, "sk_add_live_start")
    at.run()
    stepper = at.session_state["sk_add_live"]["stepper"]
    assert stepper.step > 0 and stepper.run.curves["lstm"]
    assert _charts(at) == n0 + 1  # the live curves replace the "press Train" note
    assert_clean(at)
    _click(at, "sk_add_live_reset")
    assert at.session_state["sk_add_live"]["stepper"].step == 0


def test_degradation_and_landscape_train_when_clicked():
    at = open_page(PAGE, {"sk_dg_deep": "10", "sk_ls_depth": "4", "sk_ls_seed": "1"})
    _click(at, "sk_dg_live_start")
    at.run()
    assert at.session_state["sk_dg_live"]["stepper"].step > 0
    _click(at, "sk_ls_live_start")
    for _ in range(3):
        at.run()
    assert at.session_state["sk_ls_live"]["stepper"].step > 0
    assert_clean(at)
    assert errors(at) == []
