"""The universal-approximation page through the real router: outputs follow inputs, bad input gets words, and the
heavy sections compute only when asked for."""

from __future__ import annotations

import json

import pytest
import streamlit as st

from nnviz.catalog import ROOT
from nnviz.figures import universal_approximation as figs
from nnviz.topics import universal_approximation as ua
from nnviz.ui import sound
from nnviz.ui.live import is_running, live_run
from nnviz.views import universal_approximation as views
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_python, sweep_extremes

PAGE = "universal_approximation.py"


def _metric(at, label: str, index: int = 0) -> str:
    return [m.value for m in at.metric if m.label == label][index]


def _latex(at) -> list[str]:
    """Every formula on the page: st.latex elements, then the formula cards (markdown $$ blocks in wide boxes)."""
    return [x.value for x in at.latex] + [m.value for m in at.markdown if "$$" in m.value]


def _charts(at) -> list[str]:
    return [c.key for c in charts(at)]


def test_defaults_show_every_section_without_errors():
    at = open_page(PAGE)
    assert_clean(at)
    assert not errors(at)
    headers = [h.value for h in at.header]
    for name in ("1 · Construct it", "2 · Solve it", "3 · Train it", "How width buys accuracy",
                 "Nielsen's challenge", "Two inputs: towers", "Download the weights"):
        assert name in headers
    # the sweep, the challenge and the towers are closed sections: not drawn until opened; before training no
    # figure repeats sections 1 and 2's fits: only their errors are compared
    assert sorted(_charts(at)) == sorted(["uat_fig_construct", "uat_fig_solve", "uat_fig_errors"])
    assert any("M = 32" in x for x in _latex(at))  # N = 64 neurons make 32 bumps, numbers in the formula
    assert any("truncated minimum-norm" in m.value for m in at.markdown)
    theorem = " ".join(m.value for m in at.markdown if "The theorem:" in m.value)
    # issue 13: a compact domain, and each theorem with the conditions it assumes on phi
    assert "compact (closed and bounded) domain" in theorem
    assert "continuous sigmoidal function (Cybenko 1989)" in theorem
    assert "locally bounded, piecewise-continuous φ that is not a polynomial (Leshno et al. 1993)" in theorem


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers (stored, to a button or a closed section)")


def test_first_visit_evaluates_no_network_and_builds_no_figure(monkeypatch):
    """At the defaults sections 1-3 come from nnviz/data; training, the sweep, the towers, the challenge, the second
    SVD and the sound wait for their button or section (issue 18)."""
    st.cache_data.clear()
    for owner, name in ((ua, "bump_construction"), (ua, "relu_interpolation"), (ua, "least_squares_fit"),
                        (ua, "towers"), (ua, "challenge"), (ua, "truncation_comparison"), (ua.SweepRun, "_step"),
                        (ua.AdamFit, "_step"), (ua.LMFit, "_step"), (ua.ShallowNet, "__call__"),
                        (figs, "decomposition_figure"), (figs, "error_figure"), (figs, "fit_figure"),
                        (sound, "approximation_by_ear_section")):
        monkeypatch.setattr(owner, name, _deferred)
    at = open_page(PAGE)
    assert_clean(at)
    assert sorted(_charts(at)) == sorted(["uat_fig_construct", "uat_fig_solve", "uat_fig_errors"])
    assert not errors(at)
    at.slider(key="uat_samples").set_value(128).run()  # any other setting computes: the patches above catch it
    assert at.exception


def test_stored_defaults_are_what_the_page_would_compute(monkeypatch):
    """The default page drawn from the stored view and computed live shows the same numbers, words and figures.

    The figures' template is left out: plotly's default template is whichever of Streamlit and nnviz's style was
    imported last, nnviz's in the app (app.py imports Streamlit first, as the precompute script does) but
    Streamlit's in this test process (conftest imports the style first)."""
    def figure(spec: str) -> dict:
        fig = json.loads(spec)
        fig["layout"].pop("template", None)
        return fig

    def shown(at):
        return ([m.value for m in at.metric], [x.value for x in at.latex], [m.value for m in at.markdown],
                [figure(c.spec) for c in charts(at)], [c.alt for c in charts(at)])

    st.cache_data.clear()
    stored = open_page(PAGE)
    st.cache_data.clear()
    monkeypatch.setattr(views, "USE_STORED", False)
    live = open_page(PAGE)
    st.cache_data.clear()
    assert_clean(stored) and assert_clean(live)
    for a, b in zip(shown(stored), shown(live), strict=True):
        assert a == b


@pytest.mark.slow
def test_first_visit_imports_neither_torch_sklearn_nor_scipy():
    """Checked in a fresh process, with the router's background warm-up (which loads torch and scipy on purpose)
    switched off so the page alone is judged."""
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from nnviz import threads, warmup; threads.limit(); warmup.start = lambda: None\n"
            "from tests.apptest_utils import charts, open_page\n"
            f"at = open_page({PAGE!r})\n"
            "assert not at.exception, [e.value for e in at.exception]\n"
            "print(*(m in sys.modules for m in ('torch', 'sklearn', 'scipy')), len(charts(at)))\n")
    out = run_python(code, timeout=300)
    *loaded, charts = out.split()[-4:]
    assert loaded == ["False", "False", "False"] and int(charts) == 3


class _Counter:
    def __init__(self, monkeypatch, owner, name):
        self.calls = 0
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counted)


def test_first_run_computes_none_of_the_deferred_sections(monkeypatch):
    """The sweep, the towers and the second SVD run only when their section is opened (issue 18)."""
    st.cache_data.clear()
    sweep = _Counter(monkeypatch, ua.SweepRun, "_step")
    towers = _Counter(monkeypatch, ua, "towers")
    full = _Counter(monkeypatch, ua, "truncation_comparison")
    at = open_page(PAGE)
    assert_clean(at)
    assert (sweep.calls, towers.calls, full.calls) == (0, 0, 0)
    at.session_state["uat_towers_open"] = True
    at.session_state["uat_full_open"] = True
    at.session_state["uat_sweep_open"] = True
    at.run()
    assert_clean(at)
    assert towers.calls == 1 and full.calls == 1 and "uat_fig_towers" in _charts(at)
    assert sweep.calls == 0 and "uat_fig_sweep" in _charts(at)  # the sweep waits for its button
    at.button(key="uat_sweep_start").click().run()
    at.run()
    assert sweep.calls > 0


@pytest.mark.slow
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


@pytest.mark.slow
def test_linear_phi_says_which_phi_each_curve_uses():
    at = open_page(PAGE, {"uat_phi": "Linear"})
    assert_clean(at)
    assert any("not a universal activation" in w.value and "straight line" in w.value for w in at.warning)
    assert any("Sigmoid" in i.value and "not Linear" in i.value for i in at.info)
    specs = " ".join(c.spec for c in charts(at))
    assert "constructed (Sigmoid steps)" in specs and "least squares (Sigmoid steps)" in specs, "legends name phi"
    assert "(Linear steps)" not in specs, "no curve claims a phi it does not use"


@pytest.mark.slow
def test_relu6_step_sits_at_three_minus_b_over_w():
    at = open_page(PAGE, {"uat_phi": "ReLU6"})
    assert_clean(at)
    assert any("(z₀ − b)/w" in m.value and "z₀ = 3" in m.value for m in at.markdown)


@pytest.mark.slow
def test_one_neuron_cannot_make_a_bump_and_says_so():
    at = open_page(PAGE, {"uat_width": "1"})
    assert_clean(at)
    assert any("two neurons" in w.value for w in at.warning)
    assert not errors(at)


@pytest.mark.slow
@pytest.mark.parametrize("formula", [
    "__import__('os').system('ls')", "x.__class__", "[x for x in (1, 2)]", "9**9**9", "x**1000",
    "(" * 40 + "x" + ")" * 40, "x" * 290 + "+", "2x", "foo(x)", "",
])
def test_bad_formulas_get_a_clear_message(formula):
    at = open_page(PAGE, {"uat_target": "your formula…"})  # the URL holds the label shown
    assert at.selectbox(key="uat_target").value == "formula"
    at.text_input(key="uat_formula").input(formula).run()
    assert_clean(at)
    msgs = [w.value for w in at.warning if "cannot be used" in w.value]  # plain words, not an app error
    assert msgs and "formula" in msgs[0].lower() and not errors(at)
    assert "Nielsen's challenge" in [h.value for h in at.header]  # the rest of the page still works


@pytest.mark.slow
def test_formula_not_finite_on_the_interval_is_reported_in_words():
    at = open_page(PAGE)
    at.selectbox(key="uat_target").set_value("formula").run()
    at.text_input(key="uat_formula").input("log(x)").run()
    assert_clean(at)
    assert any("not a finite number" in w.value for w in at.warning)
    at.text_input(key="uat_formula").input("exp(-x**2) * cos(4*x)").run()
    assert_clean(at)
    assert not errors(at) and not any("cannot be" in w.value for w in at.warning)
    assert "uat_fig_construct" in _charts(at)


@pytest.mark.slow
def test_lm_refuses_wide_networks_in_words():
    at = open_page(PAGE, {"uat_width": "600"})
    at.radio(key="uat_optimiser").set_value("lm").run()
    assert_clean(at)
    assert any("limited" in w.value for w in at.warning)


@pytest.mark.slow
def test_live_training_trains_when_clicked_and_keeps_going():
    # Adam over 10,000 steps: it cannot finish in the two ticks below however fast the machine is (LM at this
    # width converges early, and a finished run rightly shows its error plot).
    at = open_page(PAGE, {"uat_width": "16"})
    at.radio(key="uat_optimiser").set_value("adam").run()
    at.selectbox(key="uat_steps").set_value(10000).run()
    assert_clean(at)

    def methods():
        tables = [m.value for m in at.markdown if m.value.startswith("| method |")]
        return [line.split(" | ")[0].removeprefix("| ") for t in tables for line in t.splitlines()[2:]]

    assert [m.split(" (")[0] for m in methods()] == ["constructed", "least squares"]
    at.button(key="uat_live_start").click().run()
    assert_clean(at)
    at.run()
    assert_clean(at)
    run = live_run("uat_live", at.session_state)
    assert run.steps > 0
    assert any(m.startswith("trained (Adam") for m in methods())
    assert "uat_fig_loss" in _charts(at) and "uat_fig_compare" in _charts(at)
    assert "uat_fig_errors" not in _charts(at)  # running: no error plot
    at.button(key="uat_live_pause").click().run()
    assert_clean(at)
    assert not is_running("uat_live", at.session_state)
    assert "uat_fig_loss" in _charts(at) and "uat_fig_errors" in _charts(at)  # paused: the final figures


@pytest.mark.slow
def test_challenge_scores_hand_set_heights_and_celebrates_the_best():
    at = open_page(PAGE, {"uat_challenge_open": "true"})
    assert "uat_fig_challenge" in _charts(at)
    assert not any("You did it" in s.value for s in at.success)
    best = ua.challenge((0.5,) * 5).best_heights
    for j, h in enumerate(best):
        at.slider(key=f"uat_h{j + 1}").set_value(round(float(h), 2))
    at.run()
    assert_clean(at)
    assert any("You did it" in s.value for s in at.success)


@pytest.mark.slow
def test_towers_warn_when_soft_and_download_works():
    at = open_page(PAGE)
    at.session_state["uat_towers_open"] = True
    at.run()
    at.slider(key="uat_t2_k").set_value(20).run()
    at.slider(key="uat_t2_w").set_value(10).run()
    assert_clean(at)
    assert any("every tower stays off" in w.value for w in at.warning)
    assert "400" in _latex(at)[-1]
    at.radio(key="uat_t2_view").set_value("tower").run()
    assert_clean(at)
    assert [d.key for d in at.get("download_button") if not d.key.startswith("secondary_data_")] == ["uat_download"]


@pytest.mark.slow
def test_every_widget_at_its_extremes_with_every_section_open():
    at = open_page(PAGE)
    for key in ("uat_towers_open", "uat_full_open", "uat_sweep_open", "uat_challenge_open", "uat_weights_open",
                "uat_challenge_weights_open"):
        at.session_state[key] = True
    at.run()
    assert sweep_extremes(at, skip={"uat_formula"}) > 20
    assert_clean(at)


@pytest.mark.slow
def test_approximation_by_ear_opens_from_a_link_and_plays_the_fit():
    closed = open_page("universal_approximation.py")
    assert not closed.get("audio"), "the ear section computes nothing while closed"
    at = open_page("universal_approximation.py", query={"uat_ear_open": "true"})
    assert not at.exception and not at.error
    assert len(at.get("audio")) >= 2, "the target and the fit are both playable"
