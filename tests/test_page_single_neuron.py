"""The single-neuron page through AppTest: outputs follow inputs, training runs, links seed the view."""

from __future__ import annotations

from tests.apptest_utils import assert_clean, open_page

PAGE = "single_neuron.py"


def _latex(at) -> list[str]:
    return [e.value for e in at.latex]


def _slider(at, key):
    return next(s for s in at.slider if s.key == key)


def test_equation_follows_the_sliders():
    at = open_page(PAGE)
    before = _latex(at)
    assert any("= 1.500" in t for t in before), before  # z = 1*0.5 + 2*1 - 1
    _slider(at, "sn_b").set_value(0.0)
    at.run()
    assert_clean(at)
    assert any("= 2.500" in t for t in _latex(at))


def test_number_of_inputs_sets_the_sliders():
    at = open_page(PAGE)
    _slider(at, "sn_n").set_value(5)
    at.run()
    assert_clean(at)
    assert sum(1 for s in at.slider if s.key.startswith("sn_w")) == 5
    _slider(at, "sn_n").set_value(1)
    at.run()
    assert_clean(at)
    assert sum(1 for s in at.slider if s.key.startswith("sn_w")) == 1


def test_zero_weights_explain_the_missing_boundary():
    at = open_page(PAGE)
    _slider(at, "sn_w1").set_value(0.0)
    _slider(at, "sn_w2").set_value(0.0)
    at.run()
    assert_clean(at)
    assert any("no boundary" in w.value for w in at.warning)


def test_training_runs_and_xor_fails_with_an_explanation():
    at = open_page(PAGE)
    next(s for s in at.selectbox if s.key == "sn_data").set_value("XOR")
    at.run()
    next(b for b in at.button if b.key == "sn_train_start").click()
    at.run()
    for _ in range(8):
        at.run()  # each run advances the live panel by one time slice
    assert_clean(at)
    status = at.session_state["sn_train"]["stepper"]
    assert status.epoch > 0
    if status.epoch >= 100:
        assert any("3 of XOR" in w.value for w in at.warning)


def test_link_seeds_the_view_and_bad_values_do_not_crash():
    at = open_page(PAGE, query={"sn_b": "2.0", "sn_phi": "tanh"})
    assert_clean(at)
    assert _slider(at, "sn_b").value == 2.0
    at = open_page(PAGE, query={"sn_b": "999", "sn_n": "abc", "sn_phi": "nonsense"})
    assert_clean(at)
    assert -3.0 <= _slider(at, "sn_b").value <= 3.0
