"""The skip-and-feedback page under AppTest: a default smoke run (which must not compute what it defers), then
(slow) every widget at its extremes, the issue's settings, and live runs that train to the end."""

from __future__ import annotations

import pytest

from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.ui.live import live_run
from nnviz.views import skip_and_feedback as V
from tests.apptest_utils import assert_clean, errors, open_page, sweep_extremes

PAGE = "skip_and_feedback.py"
#: Gradient flow, trajectories, time gradients, and the three precomputed runs (degradation, landscape, adding).
DEFAULT_CHARTS = 6
#: The two lazy sections: shattered gradients and the joint chart.
DEFERRED = ("shattered", "joint_figure")


def _charts(at) -> int:
    return len(at.get("plotly_chart"))


def _text(at) -> str:
    parts = [e.value for group in (at.markdown, at.caption, at.success, at.info, at.warning) for e in group]
    return "\n".join(parts)


def test_defaults_show_every_figure_and_defer_the_heavy_sections(monkeypatch):
    calls = []
    for name in DEFERRED:
        real = getattr(V, name)
        monkeypatch.setattr(V, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    at = open_page(PAGE)
    assert_clean(at)
    assert errors(at) == []
    assert at.title[0].value == "Skip and feedback connections"
    assert _charts(at) == DEFAULT_CHARTS and len(at.get("graphviz_chart")) == 4
    assert calls == []  # a first visit computes neither deferred section
    assert _text(at).count("The precomputed") == 3
    assert "about as fast as its last" in _text(at)
    assert "Arjovsky, Shah & Bengio (2016)" in _text(at) and "1/24" in _text(at)
    at.session_state["sk_sh_open"] = True
    at.session_state["sk_jt_open"] = True
    at.run()
    assert_clean(at)
    assert sorted(set(calls)) == sorted(DEFERRED) and _charts(at) == DEFAULT_CHARTS + 4


@pytest.mark.slow
def test_every_widget_at_its_extremes():
    at = open_page(PAGE)
    at.session_state["sk_sh_open"] = True
    at.session_state["sk_jt_open"] = True
    at.run()
    assert sweep_extremes(at) > 40
    assert_clean(at)


@pytest.mark.slow
def test_the_issue_settings_say_what_they_show():
    at = open_page(PAGE)
    at.slider(key="sk_gf_depth").set_value(120).run()
    at.selectbox(key="sk_gf_phi").set_value("relu").run()
    at.selectbox(key="sk_gf_init").set_value("he").run()
    at.selectbox(key="sk_gf_branch").set_value("one").run()
    at.slider(key="sk_rnn_radius").set_value(1.5).run()
    at.selectbox(key="sk_rnn_phi").set_value("linear").run()
    assert_clean(at)
    text = _text(at)
    assert "residual stack explodes" in text and "about as fast" not in text
    assert "The state explodes" in text and "rings on" not in text
    at.slider(key="sk_vg_radius").set_value(1.3).run()
    at.selectbox(key="sk_vg_phi").set_value("linear").run()
    at.checkbox(key="sk_vg_clip").check().run()
    assert "That is what clipping is for" in _text(at)


@pytest.mark.slow
def test_changed_settings_wait_for_train_then_train_to_a_verdict():
    at = open_page(PAGE, {"sk_add_T": "10", "sk_add_hidden": "8", "sk_add_seed": "3"})
    assert any("Press **Train** to train the three cells" in i.value for i in at.info)
    n0 = _charts(at)
    at.button(key="sk_add_live_start").click().run()
    for _ in range(400):
        live = live_run("sk_add_live", at.session_state)
        if live.done:
            break
        at.run()
    assert isinstance(live, rc.AddingRun) and live.complete and live.steps == live.max_steps
    at.run()
    assert _charts(at) == n0 + 1 and "At T = 10:" in _text(at)
    assert_clean(at)
