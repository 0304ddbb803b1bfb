"""The activation page under AppTest: the default run (everyday tier); outputs that follow inputs, bad input that
gets words, the race on its button, every tab and every widget at its extremes (slow tier). Each test opens its own
app; a tab is opened by its link (``?act_tab=<label>``), as an instructor's slide would."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnviz import activations
from nnviz.activations import Phi
from nnviz.topics import activations as topic
from nnviz.ui import sound
from nnviz.ui.live import live_run
from nnviz.views import activations as views
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_python, run_until, sweep_extremes

PAGE = "activations.py"
TABS = ("Why a nonlinearity", "ReLU sums", "Depth", "Universality", "A race")


def _tab(tab: str, query: dict[str, str] | None = None):
    """The page opened by a link to one of its tabs."""
    return open_page(PAGE, {"act_tab": tab, **(query or {})})


def _charts(at) -> list[dict]:
    return [json.loads(c.spec) for c in charts(at)]


def _array(value) -> np.ndarray:
    """A trace's data array from the chart JSON (plotly sends numpy arrays as base64 'bdata')."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _trace_names(chart: dict) -> list[str]:
    return [t.get("name") for t in chart["data"]]


def _title(chart: dict) -> str:
    return chart["layout"].get("title", {}).get("text", "")


def _latex(at) -> list[str]:
    return [e.value for e in at.latex]


def _table(at) -> dict[str, list[str]]:
    """The properties table (markdown in its scroll box) as columns of cell text, by header."""
    md = next(m.value for m in at.markdown if 'aria-label="Properties of the selection"' in m.value)
    rows = [[re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
            for line in md.splitlines() if line.startswith("| ")]
    assert rows[1] == ["---"] * len(rows[0]), "a header row, then the separator"
    return {name: [r[i] for r in rows[2:]] for i, name in enumerate(rows[0])}


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers to a button or a closed section")


def test_defaults(monkeypatch):
    # what a first visit must not compute: training (the collapse and the race wait for their buttons), the sound
    # section (closed), torch autograd and the untrained stacks (precomputed at the defaults), the closed tabs
    deferred = ((topic.RaceRun, "_step"), (topic.RaceRun, "_build"), (sound, "hear_nonlinearity_section"),
                (activations, "dphi"), (activations, "phi"), (topic, "propagate"), (topic, "deep_weights"),
                (views, "relu_target"), (views, "relu_knots"), (views, "depth"), (views, "depth_charts"),
                (views, "race_panel"))
    for cls_or_module, name in deferred:
        monkeypatch.setattr(cls_or_module, name, _deferred)
    for cached in (views.gallery, views.curve, views.properties, views.collapse_panel):
        cached.clear()  # so a result an earlier test left in the cache cannot hide a computation
    at = open_page(PAGE)
    assert_clean(at)
    assert errors(at) == []
    assert at.title[0].value == "Activation functions"
    assert [t.label for t in at.tabs] == list(TABS)
    # the gallery, then only the open (first) tab
    assert [h.value for h in at.header] == ["The gallery", "Why do we need activation functions?"]
    charts = _charts(at)
    # gallery φ and φ′, the untrained collapse
    assert [_title(c) for c in charts] == ["activation φ(z)", "derivative φ′(z)", ""]
    assert {"Sigmoid", "tanh", "ReLU", "GELU"} <= set(_trace_names(charts[0]))
    assert len(at.dataframe) == 0, "the properties table is markdown (st.dataframe's first use imports pandas)"
    table = _table(at)
    assert list(table["activation"]) == ["Sigmoid", "tanh", "ReLU", "GELU"]
    assert list(table["φ′(0)"])[0] == "0.25" and "kink" in list(table["φ′(0)"])[2]
    assert any(r"\varphi(1) = 0.7311" in t for t in _latex(at))  # 1 / (1 + e^-1) at the default probe
    assert any(r"W_{3}\cdots W_1" in t for t in _latex(at))  # the untrained stacks' fold, from the file


@pytest.mark.slow
def test_every_tab_opens_clean_by_its_link():
    expected = {"Why a nonlinearity": "Why do we need activation functions?",
                "ReLU sums": "ReLUs and piecewise-linear functions",
                "Depth": "Depth: what 50 layers do to signals and gradients",
                "Universality": "Which activations make a universal approximator?", "A race": "A race"}
    for tab, heading in expected.items():
        at = _tab(tab)
        assert_clean(at)
        assert [h.value for h in at.header] == ["The gallery", heading], tab
    at = _tab("Depth")
    assert [_title(c) for c in _charts(at)][2:] == ["spread of activations", "spread of gradients", "dead units"]
    assert any("faded by more than 100× for Sigmoid" in s.value for s in at.success)
    at = _tab("Universality")
    universality = next(m.value for m in at.markdown if m.value.startswith("| activation | universal"))
    rows = universality.split("\n")[2:]
    assert len(rows) == 18 and sum("✗" in r for r in rows) == 1 and "Linear" in next(r for r in rows if "✗" in r)
    at = _tab("A race")
    assert any("Press **Race**" in i.value for i in at.info)
    assert len(_charts(at)) == 2  # the gallery's: the race draws nothing before it is pressed
    bad = _tab("No such tab")
    assert_clean(bad)
    assert "Why do we need activation functions?" in [h.value for h in bad.header]


@pytest.mark.slow
def test_selection_drives_gallery_table_and_depth():
    at = _tab("Depth")
    at.multiselect(key="act_sel").set_value(["leaky_relu", "step"])
    at.run()
    assert_clean(at)
    charts = _charts(at)
    assert "Leaky ReLU" in _trace_names(charts[0]) and "Sigmoid" not in _trace_names(charts[0])
    assert "Unit step" in _trace_names(charts[4])
    assert _table(at)["activation"] == ["Leaky ReLU", "Unit step"]
    before = _table(at)["φ′(0)"][0]
    at.slider(key="act_p_leaky_relu_alpha").set_value(0.3)
    at.run()
    after = _table(at)["φ′(0)"][0]
    assert before != after and "0.3 left" in after
    assert any("none reached layer 1 for Unit step" in s.value for s in at.success)


@pytest.mark.slow
def test_elu_alpha_off_one_makes_a_kink():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["elu"])
    at.run()
    assert _table(at)["smooth (C¹)"] == ["yes"]
    at.slider(key="act_p_elu_alpha").set_value(2.0)
    at.run()
    table = _table(at)
    assert table["smooth (C¹)"] == ["no"] and "2 left, 1 right" in list(table["φ′(0)"])[0]


@pytest.mark.slow
def test_empty_selection_gives_a_warning_not_an_error():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value([])
    at.run()
    assert_clean(at)
    assert any("Pick at least one" in w.value for w in at.warning)
    assert errors(at) == []


@pytest.mark.slow
def test_probe_puts_live_numbers_in_the_formulas():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["sigmoid"])
    at.slider(key="act_z0").set_value(0.0)
    at.run()
    assert r"\varphi(0) = 0.5,\quad \varphi'(0) = 0.25" in _latex(at)[0]
    at.slider(key="act_z0").set_value(2.0)
    at.run()
    assert r"\varphi(2) = 0.8808" in _latex(at)[0]  # 1 / (1 + e^-2)
    at.slider(key="act_zmax").set_value(1.0)
    at.run()
    assert any("outside the plotted range" in c.value for c in at.caption)
    assert r"\varphi(1) = 0.7311" in _latex(at)[0]


@pytest.mark.slow
def test_collapse_section_follows_its_widgets():
    at = open_page(PAGE)
    formula = next(t for t in _latex(at) if r"W_\mathrm{eff} &=" in t)
    at.slider(key="act_col_depth").set_value(5)
    at.selectbox(key="act_col_target").set_value("sine")
    at.run()
    assert_clean(at)
    after = next(t for t in _latex(at) if r"W_\mathrm{eff} &=" in t)
    assert formula != after and r"W_{6}\cdots W_1" in after
    assert after.count(r"\\") >= 4  # six shapes on two lines, then W_eff and b_eff: short enough for a phone
    assert not any("same shape" in c.value for c in at.caption)  # no comparison before the stacks are trained
    at.button(key="act_col_start").click()
    at.run()
    run_until(at, lambda a: live_run("act_col", a.session_state).done)
    assert_clean(at)
    run = live_run("act_col", at.session_state)
    assert run.complete and run.steps == topic.COLLAPSE_STEPS
    caption = next(c.value for c in at.caption if "same shape" in c.value)
    assert "1 → 16 → 16 → 16 → 16 → 16 → 1" in caption
    # the page shows what a fresh computation at these settings gives
    fresh = topic.collapse_experiment(Phi("tanh"), "sine", (16,) * 5)
    assert caption == fresh.caption
    assert any(s.value == fresh.takeaway for s in at.success)


@pytest.mark.slow
def test_relu_knots_mode():
    at = _tab("ReLU sums")
    at.radio(key="act_pl_mode").set_value("knots")
    at.run()
    assert_clean(at)
    formula = next(t for t in _latex(at) if "f(x) =" in t)
    at.slider(key="act_pl_k").set_value(3)
    at.run()
    at.slider(key="act_pl_s2").set_value(4.0)
    at.run()
    formula_after = next(t for t in _latex(at) if "f(x) =" in t)
    assert formula != formula_after and "+4" in formula_after
    weights = next(d.value for d in at.dataframe if "output weight sₖ" in d.value.columns)
    assert len(weights) == 4  # the left end plus three knots


@pytest.mark.slow
def test_depth_words_follow_the_settings():
    at = _tab("Depth")
    assert at.slider(key="act_dp_sigma").disabled  # σ_w is only for the custom initialisation
    at.radio(key="act_dp_init").set_value("sigma")
    at.run()
    at.slider(key="act_dp_sigma").set_value(2.0)
    at.slider(key="act_dp_width").set_value(64)
    at.slider(key="act_dp_depth").set_value(60)
    at.run()
    assert_clean(at)
    assert "Depth: what 60 layers do to signals and gradients" in [h.value for h in at.header]
    assert any(r"\operatorname{std}(W) &= 0.25 = \frac{2}{\sqrt{64}}" in t for t in _latex(at))
    gradients = next(c for c in _charts(at) if _title(c) == "spread of gradients")
    assert len(_array(gradients["data"][0]["x"])) == 60
    assert "(0.25·2)<sup>L−l</sup>: about the sigmoid's bound" in _trace_names(gradients)
    assert gradients["layout"]["yaxis"]["dtick"] in range(1, 20)  # powers of ten only
    for sigma in (0.2, 3.0):  # the slider's ends, at the deepest stack
        at.slider(key="act_dp_sigma").set_value(sigma)
        at.run()
        assert_clean(at)
        assert any(f"(σ_w = {sigma:g})" in s.value for s in at.success)


@pytest.mark.slow
def test_race_runs_on_its_button_and_is_shared():
    at = _tab("A race")
    at.multiselect(key="act_sel").set_value(["relu", "tanh"])
    at.slider(key="act_race_steps").set_value(100)
    at.run()
    n_before = len(_charts(at))
    at.button(key="act_race_start").click()
    at.run()
    run_until(at, lambda a: live_run("act_race", a.session_state).done)
    assert_clean(at)
    run = live_run("act_race", at.session_state)
    assert run.complete and run.steps == 100 and run.phis == (Phi("relu"), Phi("tanh"))
    charts = _charts(at)
    assert len(charts) == n_before + 2
    loss = next(c for c in charts if _title(c) == "training loss")
    assert len(_array(next(t for t in loss["data"] if t["name"] == "ReLU")["x"])) == 100
    assert any("Final mean squared error" in c.value for c in at.caption)
    # another visitor with the same settings gets the finished run at once, with the same numbers
    other = _tab("A race")
    other.multiselect(key="act_sel").set_value(["relu", "tanh"])
    other.slider(key="act_race_steps").set_value(100)
    other.run()
    other.button(key="act_race_start").click()
    other.run()
    theirs = live_run("act_race", other.session_state)
    assert theirs.complete and theirs is not run
    np.testing.assert_array_equal(theirs.fits()[0].loss, run.fits()[0].loss)
    # changed settings: a fresh, untrained run
    at.selectbox(key="act_race_target").set_value("abs")
    at.run()
    assert live_run("act_race", at.session_state).steps == 0
    assert any("Press **Race**" in i.value for i in at.info)


@pytest.mark.slow
@pytest.mark.parametrize("tab", TABS)
def test_every_widget_at_its_extremes(tab):
    at = _tab(tab)
    runs = sweep_extremes(at)
    assert runs >= 12  # the gallery's four widgets, three runs each, and then the tab's own
    assert_clean(at)
    assert [t.label for t in at.tabs] == list(TABS)


_GALLERY_CHANGES = """
import json, sys
sys.path.insert(0, {root!r})
from nnviz import threads
threads.limit()
from nnviz import activations
from tests.apptest_utils import charts, open_page
at = open_page("activations.py")
changes = [("act_zmax", 20.0), ("act_z0", -5.0), ("act_sel", activations.names()), ("act_zmax", 1.0),
           ("act_z0", 5.0), ("act_shade", False), ("act_p_leaky_relu_alpha", 0.0), ("act_p_elu_alpha", 3.0),
           ("act_p_softplus_beta", 0.1), ("act_p_softplus_beta", 10.0), ("act_sel", ["elu", "step"]),
           ("act_p_elu_alpha", 0.1), ("act_z0", -1.0), ("act_zmax", 20.0),
           ("act_col_depth", 1), ("act_col_depth", 5), ("act_col_width", 32), ("act_col_width", 4)]
for key, value in changes:
    widget = at.multiselect(key=key) if key == "act_sel" else (
        at.checkbox(key=key) if key == "act_shade" else at.slider(key=key))
    widget.set_value(value)
    at.run()
print(json.dumps({{"exceptions": [str(e.value) for e in at.exception], "torch": "torch" in sys.modules,
                  "charts": len(charts(at)), "latex": [e.value for e in at.latex]}}))
"""


@pytest.mark.slow
def test_gallery_changes_at_extremes_import_no_torch():
    """Issue 18: a gallery change (range, probe, selection, parameters) differentiates by closed forms and the
    untrained collapse stacks are drawn and evaluated in numpy, so in a fresh interpreter with the warm-up off
    neither loads torch (whose import alone is > 1 s of CPU)."""
    root = Path(__file__).resolve().parent.parent
    out = run_python(_GALLERY_CHANGES.format(root=str(root)), warmup=False)
    result = json.loads(out.strip().splitlines()[-1])
    assert result["exceptions"] == []
    assert result["charts"] >= 2  # the gallery was drawn at the last setting
    elu = next(t for t in result["latex"] if "ELU" in t)
    # ELU with alpha = 0.1 at z0 = -1: 0.1 (e^-1 - 1) = -0.06321 and phi' = 0.1 e^-1 = 0.03679
    assert r"\varphi(-1) = -0.06321" in elu and r"\varphi'(-1) = 0.03679" in elu, elu
    assert not result["torch"], "a gallery change imported torch"
