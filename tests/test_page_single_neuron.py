"""The single-neuron page through AppTest: outputs follow inputs, training runs, links seed the view."""

from __future__ import annotations

import sys
from urllib.parse import parse_qs

import pytest

from nnviz.topics.single_neuron import NeuronTrainer
from nnviz.ui import sound
from nnviz.ui.live import live_run
from nnviz.views import single_neuron as views
from tests.apptest_utils import assert_clean, charts, open_page, run_until, sweep_extremes

PAGE = "single_neuron.py"
#: diagram, plane, step vs sigmoid, training plane, loss, LIF trace, f-I curve
CHARTS_AT_DEFAULTS = 7


def _latex(at) -> list[str]:
    return [e.value for e in at.latex]


def _slider(at, key):
    return next(s for s in at.slider if s.key == key)


def _train_to_end(at):
    at.button(key="sn_train_start").click()
    at.run()
    run_until(at, lambda a: live_run("sn_train", a.session_state).done)
    at.run()
    return live_run("sn_train", at.session_state)


def _deferred(*args, **kwargs):
    raise AssertionError("a first visit ran a computation the page defers to a button or a closed section")


def test_default_page(monkeypatch):
    # what the page defers: training (Train), the blobs (scikit-learn, 2-3 s to import) and the sound section; and
    # torch (1.5-2 s of CPU to import on a cold server): None in sys.modules makes any `import torch` fail
    import torch  # noqa: F401  (loaded before it is blocked, so a warm-up thread of an earlier test can finish)

    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setattr(NeuronTrainer, "_step", _deferred)
    monkeypatch.setattr(views, "two_blobs", _deferred)
    monkeypatch.setattr(sound, "spiking_neuron_heard_section", _deferred)
    at = open_page(PAGE)
    assert_clean(at)
    assert len(charts(at)) == CHARTS_AT_DEFAULTS
    assert any("= 1.5" in t for t in _latex(at)), _latex(at)  # z = 1*0.5 + 2*1 - 1
    assert not at.error and not at.warning
    assert any("signed distance" in m.value for m in at.markdown)
    assert any(r"\begin{aligned} d &=" in t for t in _latex(at))


@pytest.mark.slow
def test_equation_follows_the_sliders():
    at = open_page(PAGE)
    _slider(at, "sn_b").set_value(0.0)
    at.run()
    assert_clean(at)
    assert any("= 2.5" in t for t in _latex(at))


@pytest.mark.slow
def test_five_inputs_say_what_is_held():
    at = open_page(PAGE)
    _slider(at, "sn_n").set_value(5)
    at.run()
    assert_clean(at)
    assert sum(1 for s in at.slider if s.key.startswith("sn_w")) == 5
    text = " ".join(m.value for m in at.markdown)
    assert "held at their sliders' values" in text and "does **not** pass through the origin" in text
    assert any("w_3 x_3 + w_4 x_4 + w_5 x_5" in t for t in _latex(at))
    _slider(at, "sn_n").set_value(1)
    at.run()
    assert_clean(at)
    assert sum(1 for s in at.slider if s.key.startswith("sn_w")) == 1


@pytest.mark.slow
def test_zero_weights_explain_the_missing_boundary():
    at = open_page(PAGE)
    _slider(at, "sn_w1").set_value(0.0)
    _slider(at, "sn_w2").set_value(0.0)
    at.run()
    assert_clean(at)
    assert any("no boundary" in w.value for w in at.warning)


@pytest.mark.slow
def test_xor_trained_reads_true_and_links_to_the_playgrounds_xor():
    at = open_page(PAGE)
    at.selectbox(key="sn_data").set_value("XOR")
    at.run()
    run = _train_to_end(at)
    assert_clean(at)
    assert run.steps == 1000 and run.complete
    assert run.tally().ties == 4
    warnings = " ".join(w.value for w in at.warning)
    assert "tie, not a class" in warnings and "25 %" not in warnings and "%" not in run.status()
    (link,) = at.get("page_link")
    query = {k: v[0] for k, v in parse_qs(link.proto.query_string).items()}
    assert query == views.playground_xor_query()


@pytest.mark.slow
def test_the_link_opens_the_playground_on_xor():
    at = open_page("playground.py", query=views.playground_xor_query())
    assert_clean(at)
    assert at.selectbox(key=views.PLAYGROUND_SET_KEY).value == "xor"


@pytest.mark.slow
def test_oscillating_loss_gets_a_hint():
    at = open_page(PAGE, query={"sn_data": "two blobs", "sn_spread": "3.0", "sn_lr": "5.0", "sn_epochs": "300"})
    run = _train_to_end(at)
    assert_clean(at)
    assert run.done
    assert any("swings up and down" in w.value for w in at.warning)


@pytest.mark.slow
def test_link_seeds_the_view_and_bad_values_do_not_crash():
    at = open_page(PAGE, query={"sn_b": "2.0", "sn_phi": "tanh"})
    assert_clean(at)
    assert _slider(at, "sn_b").value == 2.0
    at = open_page(PAGE, query={"sn_b": "999", "sn_n": "abc", "sn_phi": "nonsense"})
    assert_clean(at)
    assert -3.0 <= _slider(at, "sn_b").value <= 3.0


@pytest.mark.slow
def test_every_widget_at_its_extremes():
    at = open_page(PAGE)
    assert sweep_extremes(at) > 20
    assert_clean(at)
