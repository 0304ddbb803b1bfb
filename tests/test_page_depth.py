"""AppTest checks of the depth page: outputs follow inputs, bad input gets words, the live run trains."""

from __future__ import annotations

import pytest

from tests.apptest_utils import assert_clean, errors, open_page


@pytest.fixture(scope="module")
def page():
    at = open_page("depth.py")
    assert_clean(at)
    return at


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _latex(at):
    return " ".join(x.value for x in at.latex)


def test_defaults_show_every_section_without_errors(page):
    assert not errors(page)
    assert page.title[0].value == "Why go deep?"
    assert len(page.header) == 8
    assert len(page.get("plotly_chart")) == 15
    text = _latex(page)
    assert r"3\times9 + 9\times2 = 45" in text and "= 11" in text  # the lecture's example, computed
    assert _metric(page, "Linear pieces (counted exactly)") == "16"


def test_sawtooth_pieces_follow_k_and_p():
    at = open_page("depth.py")
    at.slider(key="dp_k").set_value(7).run()
    assert _metric(at, "Linear pieces (counted exactly)") == "128"
    assert _metric(at, "Deep network parameters") == str(6 * 7 + 1)
    at.radio(key="dp_p").set_value(3).run()  # 3^7 is too many to draw: capped at 3^6 with a warning
    assert_clean(at)
    assert any("more than 1,024" in w.value for w in at.warning)
    assert _metric(at, "Linear pieces (counted exactly)") == "729"
    at.slider(key="dp_k").set_value(5).run()
    assert _metric(at, "Linear pieces (counted exactly)") == "243" and not at.warning


def test_yarotsky_formula_shows_live_numbers():
    at = open_page("depth.py", {"dp_m": "5"})
    assert "f_{5}" in _latex(at) and "0.000244" in _latex(at)


@pytest.mark.parametrize("text", ["3, x, 2", "", "3", "3, 0, 2", "3, 100000, 2", "1, " * 30 + "1"])
def test_bad_architecture_gets_a_message_not_a_traceback(text):
    at = open_page("depth.py")
    at.text_input(key="dp_arch_a").input(text).run()
    assert_clean(at)
    assert any("Architecture A" in e for e in errors(at))


def test_architecture_counts_follow_the_text():
    at = open_page("depth.py")
    at.text_input(key="dp_arch_b").input("2, 4, 4, 1").run()
    assert_clean(at)
    assert r"2\times4 + 4\times4 + 4\times1 = 28" in _latex(at)
    at.text_input(key="dp_arch_b").input("1, 4, 4, 4, 4, 4, 4, 1").run()  # long lists are abbreviated
    assert_clean(at)
    assert r"1\times4 + \cdots + 4\times1 = 88" in _latex(at)
    assert "more connections than" in " ".join(m.value for m in at.markdown)  # 88 > 45


def test_region_views_follow_their_sliders():
    at = open_page("depth.py")
    before = _metric(at, "Regions in the square (exact)")
    at.slider(key="dp_r2_layers").set_value(1).run()
    at.slider(key="dp_r2_width").set_value(3).run()
    assert_clean(at)
    assert r"\binom{3}{j} = 7" in _latex(at)
    assert int(_metric(at, "Regions in the square (exact)")) <= 7 != int(before)
    at.slider(key="dp_r1_width").set_value(1).run()
    at.slider(key="dp_r1_layers").set_value(1).run()
    assert int(_metric(at, "Pieces (exact)")) <= 2
    assert _metric(at, "Upper bound (Serra et al.)") == "2"


def test_live_equal_budget_run_trains_when_train_is_clicked():
    at = open_page("depth.py")
    at.slider(key="dp_eb_steps").set_value(200).run()
    at.selectbox(key="dp_eb_target").set_value("2-D spiral (two classes)").run()
    assert_clean(at)
    assert any("Press Train" in i.value for i in at.info)  # not the precomputed settings
    at.button(key="dp_eb_live_start").click().run()
    for _ in range(3):
        at.run()
    assert_clean(at)
    stepper = at.session_state["dp_eb_live"]["stepper"]
    assert stepper.progress > 0 and stepper.target == "spiral" and stepper.steps == 200
    assert stepper.work_seconds < 15
    for _ in range(40):  # 200 steps per depth: the run finishes and its results are drawn
        if stepper.done:
            break
        at.run()
    assert stepper.done and len(stepper.results) == 30
    at.run()
    assert any("Your run" in c.value for c in at.caption)


def test_precomputed_default_is_shown_without_training(page):
    assert any("Precomputed at these settings" in c.value for c in page.caption)
    assert page.session_state["dp_eb_live"]["stepper"].progress == 0
