"""The activation page under AppTest: what it shows at defaults, that outputs follow inputs, bad inputs get words,
and the race trains on its button and stays shown (cached) on the next rerun."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from tests.apptest_utils import assert_clean, errors, open_page

PAGE = "activations.py"


@pytest.fixture(scope="module")
def at():
    return open_page(PAGE)


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _array(value) -> np.ndarray:
    """A trace's data array from the chart JSON (plotly sends numpy arrays as base64 'bdata')."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
    return np.asarray(value)


def _trace_names(chart: dict) -> list[str]:
    return [t.get("name") for t in chart["data"]]


def _latex(at) -> list[str]:
    return [e.value for e in at.latex]


def test_defaults(at):
    assert_clean(at)
    assert errors(at) == []
    assert at.title[0].value == "Activation functions"
    headers = [h.value for h in at.header]
    assert headers[:2] == ["The gallery", "Why do we need activation functions?"]
    assert len(headers) == 6
    charts = _charts(at)
    assert len(charts) == 4  # gallery, collapse, ReLU sum, depth; the race waits for its button
    assert {"Sigmoid", "tanh", "ReLU", "GELU"} <= set(_trace_names(charts[0]))
    table = at.dataframe[0].value
    assert list(table["activation"]) == ["Sigmoid", "tanh", "ReLU", "GELU"]
    assert list(table["φ′(0)"])[0] == "0.25" and "kink" in list(table["φ′(0)"])[2]
    universality = next(m.value for m in at.markdown if m.value.startswith("| activation | universal"))
    rows = universality.split("\n")[2:]
    assert len(rows) == 18 and sum("✗" in r for r in rows) == 1 and "Linear" in next(r for r in rows if "✗" in r)
    assert "Start the race" in at.info[0].value


def test_selection_drives_gallery_table_and_depth():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["leaky_relu", "step"])
    at.run()
    assert_clean(at)
    charts = _charts(at)
    assert "Leaky ReLU" in _trace_names(charts[0]) and "Sigmoid" not in _trace_names(charts[0])
    assert "Unit step" in _trace_names(charts[3])
    assert list(at.dataframe[0].value["activation"]) == ["Leaky ReLU", "Unit step"]
    # leaky ReLU's alpha gets a slider, and it changes phi'(0)'s left slope in the table
    before = list(at.dataframe[0].value["φ′(0)"])[0]
    at.slider(key="act_p_leaky_relu_alpha").set_value(0.3)
    at.run()
    after = list(at.dataframe[0].value["φ′(0)"])[0]
    assert before != after and "0.3 left" in after


def test_elu_alpha_off_one_makes_a_kink():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["elu"])
    at.run()
    assert list(at.dataframe[0].value["smooth (C¹)"]) == [True]
    at.slider(key="act_p_elu_alpha").set_value(2.0)
    at.run()
    table = at.dataframe[0].value
    assert list(table["smooth (C¹)"]) == [False] and "2 left, 1 right" in list(table["φ′(0)"])[0]


def test_empty_selection_gives_a_warning_not_an_error():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value([])
    at.run()
    assert_clean(at)
    assert any("Pick at least one" in w.value for w in at.warning)
    assert errors(at) == []


def test_probe_puts_live_numbers_in_the_formulas():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["sigmoid"])
    at.slider(key="act_z0").set_value(0.0)
    at.run()
    assert r"\varphi(0) = 0.5,\ \ \varphi'(0) = 0.25" in _latex(at)[0]
    at.slider(key="act_z0").set_value(2.0)
    at.run()
    assert r"\varphi(2) = 0.8808" in _latex(at)[0]  # 1 / (1 + e^-2)
    at.slider(key="act_zmax").set_value(1.0)
    at.run()
    assert any("outside the plotted range" in c.value for c in at.caption)
    assert r"\varphi(1) = 0.7311" in _latex(at)[0]


def test_collapse_section_follows_its_widgets():
    at = open_page(PAGE)
    w_eff_before = next(t for t in _latex(at) if r"W_\mathrm{eff} &=" in t)
    at.slider(key="act_col_depth").set_value(1)
    at.selectbox(key="act_col_target").set_value("sine")
    at.run()
    assert_clean(at)
    w_eff_after = next(t for t in _latex(at) if r"W_\mathrm{eff} &=" in t)
    assert w_eff_before != w_eff_after and r"W_2\cdots W_1" in w_eff_after
    assert "1 → 16 → 1" in next(c.value for c in at.caption if "same shape" in c.value)


def test_relu_knots_mode():
    at = open_page(PAGE)
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


def test_depth_section_custom_sigma():
    at = open_page(PAGE)
    at.radio(key="act_dp_init").set_value("sigma")
    at.slider(key="act_dp_sigma").set_value(2.0)
    at.slider(key="act_dp_width").set_value(64)
    at.slider(key="act_dp_depth").set_value(10)
    at.run()
    assert_clean(at)
    assert any(r"\operatorname{std}(W) = 0.25" in t for t in _latex(at))
    depth_chart = _charts(at)[3]
    assert len(_array(depth_chart["data"][0]["x"])) == 10


def test_race_runs_on_its_button_and_stays_cached():
    at = open_page(PAGE)
    at.multiselect(key="act_sel").set_value(["relu", "tanh"])
    at.slider(key="act_race_steps").set_value(100)
    at.run()
    assert len(_charts(at)) == 4
    at.button(key="act_race_go").click()
    at.run()
    assert_clean(at)
    charts = _charts(at)
    assert len(charts) == 5
    race = charts[4]
    loss = [t for t in race["data"] if t.get("name") == "ReLU"][0]
    assert len(_array(loss["x"])) == 100
    assert any("Final mean squared error" in c.value for c in at.caption)
    at.run()  # a plain rerun (any other widget) keeps the race on screen, from the cache
    assert len(_charts(at)) == 5
    at.selectbox(key="act_race_target").set_value("abs")
    at.run()
    assert len(_charts(at)) == 4
    assert any("settings changed" in i.value for i in at.info)
