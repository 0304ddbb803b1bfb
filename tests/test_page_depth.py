"""AppTest checks of the depth page: one default smoke run (unmarked); every tab, extremes, the live run (slow)."""

from __future__ import annotations

import sys

import pytest

from nnviz import ui
from nnviz.topics.depth import budget
from nnviz.ui.live import live_run
from tests.apptest_utils import assert_clean, charts, errors, open_page, run_until, sweep_extremes

TABS = ("Counting", "Sawtooth", "Yarotsky's x²", "Regions", "Trajectory", "Equal budgets", "Untangling",
        "Real networks")


def _tab(tab: str, query: dict[str, str] | None = None):
    """The page opened by a link to one tab (``?dp_tab=<label>&...``), as an instructor's slide would."""
    return open_page("depth.py", {"dp_tab": tab, **(query or {})})


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _latex(at):
    return " ".join(x.value for x in at.latex)


def _markdown(at):
    return " ".join(m.value for m in at.markdown)


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers to a closed tab, expander or button")


def test_defaults_show_the_first_tab_and_what_the_lecture_pair_buys(monkeypatch):
    # a first visit computes the Counting tab only: no other tab's view, no torch (None in sys.modules makes any
    # `import torch` fail; loaded first so a warm-up thread of an earlier test can finish)
    import torch  # noqa: F401

    from nnviz.views import depth as views

    monkeypatch.setitem(sys.modules, "torch", None)
    for name in ("sawtooth", "yarotsky", "pieces_by_depth", "random_1d", "random_2d", "trajectory_lengths",
                 "budget_default", "budget_target", "untangled", "history_text", "octaves_heard"):
        monkeypatch.setattr(views, name, _deferred)
    at = open_page("depth.py")
    assert_clean(at)
    assert not errors(at)
    assert at.title[0].value == "Why go deep?"
    assert [t.label for t in at.tabs] == list(TABS)
    assert [h.value for h in at.header] == ["1. Counting parameters"]  # only the open tab runs
    assert len(charts(at)) == 3  # two network diagrams and the tooth construction
    text = _latex(at)
    assert r"3\times9 + 9\times2 = 45" in text and "= 11" in text
    assert "45 linear pieces" in _markdown(at) and "This is the lecture's example" in _markdown(at)


@pytest.mark.slow
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_runs_clean_and_sweeps_its_extremes(tab):
    at = _tab(tab)
    assert_clean(at)
    assert at.header and charts(at)
    sweep_extremes(at, skip={"dp_arch_a", "dp_arch_b"})
    assert_clean(at)


@pytest.mark.slow
def test_a_link_opens_its_tab_with_its_settings():
    at = open_page("depth.py", {"dp_tab": "Sawtooth", "dp_k": "10", "dp_p": "5"})
    assert_clean(at)
    assert [h.value for h in at.header] == ["2. The sawtooth: depth multiplies pieces"]  # that tab, only it
    assert at.slider(key="dp_k").value == 10 and at.radio(key="dp_p").value == 5
    assert _metric(at, "Linear pieces") == f"{5 ** 10:,}"
    plain = open_page("depth.py", {"dp_k": "10", "dp_p": "5"})  # without dp_tab: the first tab
    assert [h.value for h in plain.header] == ["1. Counting parameters"]
    bad = open_page("depth.py", {"dp_tab": "No such tab"})
    assert_clean(bad)
    assert [h.value for h in bad.header] == ["1. Counting parameters"]


@pytest.mark.slow
def test_sawtooth_computes_the_k_chosen_at_every_p():
    at = _tab("Sawtooth", {"dp_k": "10", "dp_p": "5"})
    assert_clean(at)
    assert _metric(at, "Linear pieces") == f"{5 ** 10:,}"
    assert "composition rule" in " ".join(c.value for c in at.caption)
    at.slider(key="dp_k").set_value(7).run()
    assert _metric(at, "Linear pieces") == f"{5 ** 7:,}"
    assert "breakpoint by breakpoint" in " ".join(c.value for c in at.caption)


@pytest.mark.slow
def test_yarotsky_formula_shows_live_numbers():
    at = _tab("Yarotsky's x²", {"dp_m": "5"})
    assert "f_{5}" in _latex(at) and "2.44 \\times 10^{-4}" in _latex(at)


@pytest.mark.slow
@pytest.mark.parametrize("text", ["3, x, 2", "", "3", "3, 0, 2", "3, 100000, 2", "1, " * 30 + "1"])
def test_bad_architecture_gets_a_message_not_a_traceback(text):
    at = open_page("depth.py")
    at.text_input(key="dp_arch_a").input(text).run()
    assert_clean(at)
    assert any("Architecture A" in w.value for w in at.warning)  # a plain-words warning, not an app error


@pytest.mark.slow
def test_the_comparison_follows_what_was_typed():
    at = open_page("depth.py")
    at.text_input(key="dp_arch_b").input("3, 4, 4, 2").run()
    assert_clean(at)
    text = _markdown(at)
    assert "This is the lecture's example" not in text and "[3, 4, 4, 2]" in text


@pytest.mark.slow
def test_equal_budget_live_run_trains_a_fixed_number_of_steps():
    at = _tab("Equal budgets", {"dp_eb_steps": "200", "dp_eb_target": "2-D spiral (two classes)"})
    assert_clean(at)
    assert any("Press Train" in i.value for i in at.info)  # not the precomputed settings
    at.button(key="dp_eb_live_start").click().run()
    run_until(at, lambda a: live_run("dp_eb_live", a.session_state).done)
    assert_clean(at)
    run = live_run("dp_eb_live", at.session_state)
    assert run.complete and run.steps == 6 * 200 and len(run.cells) == 30
    at.run()
    assert "Best depth per budget" in _markdown(at)


@pytest.mark.slow
def test_precomputed_default_is_shown_without_training():
    at = _tab("Equal budgets")
    # what the stored run is, and that Train on another processor can give other numbers (never "on any machine")
    assert any("Precomputed at these settings" in c.value and ui.common.STORED_RUN_NOTE in c.value
               for c in at.caption)
    assert live_run("dp_eb_live", at.session_state).steps == 0
    assert " ".join(budget.look_for(budget.default_result("sawtooth")))[:40] in _markdown(at)
    assert ui.live_run  # the public accessor exists for pages and tests


@pytest.mark.slow
def test_octaves_section_opens_from_a_link_and_plays_three_clips():
    at = _tab("Sawtooth", {"dp_oct": "true", "dp_oct_k": "5"})
    assert_clean(at)
    assert len(at.get("audio")) == 3  # deep, shallow, ladder
    text = _markdown(at)
    assert "441 Hz, 882 Hz, 1,764 Hz: each layer of two ReLUs doubles" in text
    assert "**31 parameters**" in text and "**97 parameters**" in text and "32 units" in text
    assert "the same samples: the same tone" in text
    captions = " ".join(c.value for c in at.caption)
    assert "1,764 Hz, 4 octaves above" in captions and "none to hear" in captions
    at.slider(key="dp_oct_k").set_value(1).run()
    assert_clean(at)
    assert "One layer: the tent" in _markdown(at) and "depth starts to pay at 3 layers" in _markdown(at)
    closed = _tab("Sawtooth")  # the expander is shut by default: nothing is synthesised
    assert not closed.get("audio") and "each layer of two ReLUs" not in _markdown(closed)
