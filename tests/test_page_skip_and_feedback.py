"""The skip-and-feedback page under AppTest: a default smoke run (which must not compute what it defers), then
(slow) every widget at its extremes, the issue's settings, the new sections (skips as sound, the architectures) at
their corners, and live runs that train to the end."""

from __future__ import annotations

import itertools

import pytest
import streamlit as st

from nnviz import audio
from nnviz.activations import Phi
from nnviz.catalog import ROOT
from nnviz.topics import echo
from nnviz.topics.skip_and_feedback import recurrent as rc
from nnviz.topics.skip_and_feedback import residual as rs
from nnviz.topics.skip_and_feedback import waveshaper as ws
from nnviz.ui import skips
from nnviz.ui.common import STORED_RUN_NOTE
from nnviz.ui.live import live_run
from nnviz.views import skip_and_feedback as V
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_python, run_until, sweep_extremes

PAGE = "skip_and_feedback.py"
#: Gradient flow, trajectories, time gradients, and the two precomputed runs shown at once (degradation, adding).
DEFAULT_CHARTS = 5
#: The lazy sections' views: shattered gradients, the landscapes, the joint chart, skips as sound.
DEFERRED = ("shattered", "precomputed_landscape_chart", "joint_chart", "waveshaper")
#: Expanders that open them (and the architectures, which compute nothing but draw four diagrams in tabs).
LAZY = ("sk_sh_open", "sk_ls_open", "sk_jt_open", "sk_ws_open", "sk_arch_open")
#: The gradient flow's activations (the page's options).
PHIS_GF = ("sigmoid", "tanh", "relu", "leaky_relu", "gelu", "silu", "linear")


def _charts(at) -> int:
    return len(charts(at))


def _text(at) -> str:
    parts = [e.value for group in (at.markdown, at.caption, at.success, at.info, at.warning) for e in group]
    return "\n".join(parts)


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers to a button, a closed section or a "
                         "precomputed default")


def _count_calls(monkeypatch) -> list[str]:
    """The names of the DEFERRED views, appended as they are called."""
    calls = []
    for name in DEFERRED:
        real = getattr(V, name)
        monkeypatch.setattr(V, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    return calls


def test_defaults_show_every_figure_and_defer_the_heavy_sections(monkeypatch):
    st.cache_data.clear()  # a view cached by an earlier test would hide a call
    # what a first visit must not compute: the gradient flow's default network (precomputed), training (Train)
    for owner, name in [(rs, "gradient_flow"), (rs.DegradationRun, "_step"), (rc.AddingRun, "_step"),
                        (rs.LandscapeRun, "_step"), (rs, "shattered_network"), (rs, "depth_jacobian"),
                        (rc, "lstm_state_jacobian"), (ws, "run"), (echo, "run")]:
        monkeypatch.setattr(owner, name, _deferred)
    calls = _count_calls(monkeypatch)
    at = open_page(PAGE)
    assert_clean(at)
    assert errors(at) == []
    assert at.title[0].value == "Skip and feedback connections"
    assert _charts(at) == DEFAULT_CHARTS and len(at.get("graphviz_chart")) == 4
    assert calls == [] and len(at.get("audio")) == 0  # a first visit computes no deferred section
    assert _text(at).count("The precomputed") == 2
    assert _text(at).count(STORED_RUN_NOTE) == 2  # each stored run says another processor's Train can differ
    assert "about as fast as its last" in _text(at)
    assert "Arjovsky, Shah & Bengio (2016)" in _text(at) and "1/24" in _text(at)
    monkeypatch.undo()  # now the open sections compute
    calls = _count_calls(monkeypatch)
    for key in LAZY:
        at.session_state[key] = True
    at.run()
    assert_clean(at)
    assert errors(at) == []
    # shattered 3, landscape 1, joint 1, waveshaper 2; the U-Net tab's diagram beside the page's four
    assert sorted(set(calls)) == sorted(DEFERRED) and _charts(at) == DEFAULT_CHARTS + 7
    assert len(at.get("graphviz_chart")) == 5 and len(at.get("audio")) == 3
    assert "The precomputed landscapes" in _text(at) and "Dry and wet" in _text(at)
    assert _text(at).count(STORED_RUN_NOTE) == 3


@pytest.mark.slow
def test_every_widget_at_its_extremes():
    at = open_page(PAGE)
    for key in LAZY:
        at.session_state[key] = True
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
    run_until(at, lambda a: live_run("sk_add_live", a.session_state).done)
    live = live_run("sk_add_live", at.session_state)
    assert isinstance(live, rc.AddingRun) and live.complete and live.steps == live.max_steps
    at.run()
    assert _charts(at) == n0 + 1 and "At T = 10:" in _text(at)
    assert_clean(at)


def _open_sound(query: dict[str, str] | None = None):
    at = open_page(PAGE, {"sk_ws_open": "true", **(query or {})})
    assert_clean(at)
    return at


@pytest.mark.slow
@pytest.mark.parametrize("phi,branch", itertools.product(ws.PHIS, ws.BRANCHES))
def test_skips_as_sound_at_its_corners_says_what_it_plays(phi, branch):
    for L, seed, src in [(1, 0, "pluck"), (100, 9, "sawtooth"), (100, 0, "sine")]:
        at = _open_sound({"sk_ws_L": str(L), "sk_ws_phi": ws.PHIS[phi], "sk_ws_alpha": ws.BRANCHES[branch],
                          "sk_ws_seed": str(seed), "sk_ws_src": ws.SOURCES[src]})
        assert errors(at) == [] and len(at.get("audio")) == 3
        text = _text(at)
        r = ws.run(L, Phi(phi), branch, seed, src)
        assert r.sentences[0] in text and r.sentences[1] in text
        for y in (r.x, r.y_plain, r.y_residual):
            assert audio.playable(y)[1] in text  # each clip's caption says how it was levelled


@pytest.mark.slow
def test_every_architecture_tab_opens_from_a_link():
    for tab in skips.ARCH_TABS:
        at = open_page(PAGE, {"sk_arch_open": "true", "sk_arch_tab": tab})
        assert_clean(at)
        assert len(at.get("graphviz_chart")) == 5
        latex = [e.value for e in at.latex]
        if tab == "LSTM cell":
            assert any("f_t = \\sigma" in v for v in latex) and "torch's nn.LSTM" in _text(at)
        if tab == "GRU cell":
            assert any("r_t \\odot" in v for v in latex)
        if tab == "Diffusion denoiser":
            assert any("varepsilon_\\theta" in v for v in latex)


@pytest.mark.slow
def test_the_new_sections_widgets_at_their_extremes():
    at = open_page(PAGE, {"sk_ws_open": "true", "sk_ls_open": "true"})
    before = {w.key for w in at.slider}
    assert {"sk_ws_L", "sk_ws_seed", "sk_ls_depth", "sk_ls_seed"} <= before
    assert sweep_extremes(at, skip={w.key for w in at.slider if not w.key.startswith(("sk_ws", "sk_ls"))}
                          | {w.key for group in (at.selectbox, at.radio, at.checkbox) for w in group
                             if not w.key.startswith(("sk_ws", "sk_ls"))}) > 10
    assert_clean(at)


@pytest.mark.slow
def test_first_visit_imports_neither_torch_nor_pandas_nor_scipy():
    """The defaults are precomputed or numpy, so a fresh process's first visit loads none of them (checked in a
    fresh process: this one has them loaded). The router's background warm-up, which loads torch and scipy on
    purpose, is switched off so that the page alone is judged."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from nnviz import threads, warmup; threads.limit(); warmup.start = lambda: None\n"
            "from tests.apptest_utils import charts, open_page\n"
            f"at = open_page({PAGE!r})\n"
            "assert not at.exception, [e.value for e in at.exception]\n"
            "print(*('torch' in sys.modules, 'pandas' in sys.modules, 'scipy' in sys.modules), "
            "len(charts(at)))\n")
    out = run_python(code, timeout=300)
    *loaded, charts = out.split()[-4:]
    assert loaded == ["False", "False", "False"] and int(charts) == DEFAULT_CHARTS


@pytest.mark.slow
def test_gradient_flow_and_joint_widgets_at_their_extremes_import_no_torch():
    """Every gradient-flow setting, and the joint chart's stacks and LSTM, are explicit numpy passes (tested
    against autograd in test_skip_and_feedback and test_recurrent), so moving those widgets to their extremes in
    a fresh process, with the joint section open, loads no torch (the warm-up, which loads torch on purpose, is
    switched off); each change must also change what is shown (a chart or a sentence)."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from nnviz import threads, warmup; threads.limit(); warmup.start = lambda: None\n"
            "from tests.apptest_utils import charts, open_page\n"
            f"at = open_page({PAGE!r})\n"
            "at.session_state['sk_jt_open'] = True\n"
            "at.run()\n"
            "def shown():\n"
            "    return [e.value for e in at.latex] + [str(e) for e in charts(at)]\n"
            "changes = [('slider', 'sk_gf_depth', 2), ('slider', 'sk_gf_depth', 120),\n"
            "           ('selectbox', 'sk_gf_branch', 'one'), ('selectbox', 'sk_gf_init', 'he'),\n"
            "           ('selectbox', 'sk_gf_init', 'default'), ('radio', 'sk_gf_wrt', 'hidden')]\n"
            f"changes += [('selectbox', 'sk_gf_phi', p) for p in {PHIS_GF!r} if p != 'sigmoid']\n"
            "changes += [('slider', 'sk_gf_depth', 2), ('selectbox', 'sk_gf_branch', 'inv_sqrt_depth'),\n"
            "            ('slider', 'sk_jt_fb', 0.0), ('slider', 'sk_jt_fb', 5.0),\n"
            "            ('checkbox', 'sk_jt_trained', False)]\n"
            "for kind, key, value in changes:\n"
            "    before = shown()\n"
            "    getattr(at, kind)(key=key).set_value(value).run()\n"
            "    assert not at.exception, [e.value for e in at.exception]\n"
            "    assert shown() != before, (key, value)\n"
            "    assert 'torch' not in sys.modules, (key, value)\n"
            "print('ok', len(changes))\n")
    out = run_python(code, timeout=300)
    assert out.split()[-2:] == ["ok", str(6 + len(PHIS_GF) - 1 + 5)]
