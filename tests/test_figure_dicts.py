"""Figures built as plain dicts (``style.trace``, ``style.figure_dict``) are what plotly's objects would write."""

from __future__ import annotations

import json

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest

from nnviz.figures import style


def _props(rng: np.random.Generator) -> dict:
    """A trace's properties of every kind a figure here uses: float32, float64, int64 and bool arrays, strings,
    a 2-D custom array, nested dicts with arrays in them, lists, and properties left unset (None)."""
    n = 7
    return {"x": rng.random(n).astype(np.float32), "y": rng.random(n), "mode": "lines+markers", "name": "fit",
            "customdata": np.column_stack([np.arange(n), rng.random(n)]),
            "text": np.array([f"p{i}" for i in range(n)], dtype=object), "ids": [str(i) for i in range(n)],
            "marker": {"color": ["#0072B2"] * n, "size": np.arange(n, dtype=np.int64) + 4,
                       "line": {"color": "white", "width": 0.5}},
            "selectedpoints": np.array([True, False] * 3 + [True]).nonzero()[0],
            "line": {"color": style.MODEL, "dash": None, "width": 2}, "opacity": None,
            "hovertemplate": "x = %{x:.3f}<extra></extra>"}


@pytest.mark.parametrize("seed", [0, 1])
def test_a_dict_figure_is_the_json_plotly_writes_for_the_same_figure(seed):
    """The same traces and layout through plotly's objects and as dicts: equal JSON, template included, so the
    browser draws them alike (and the stored views stay valid whichever way a figure is built)."""
    props = _props(np.random.default_rng(seed))
    layout = {"title": "t", "x_title": "input x", "y_title": "output y", "height": 300,
              "yaxis": {"range": [0, 1], "exponentformat": "power"}}
    made = style.make_figure([go.Scatter(**props)], **layout)
    plain = style.figure_dict([style.scatter(**props)], **layout)
    assert json.loads(pio.to_json(plain, validate=False)) == json.loads(pio.to_json(made.to_dict(), validate=False))
    assert plain["layout"]["template"] == style.TEMPLATE.to_plotly_json()


def test_a_dict_trace_leaves_out_what_is_unset_and_encodes_arrays_once():
    trace = style.trace("heatmap", z=np.eye(3), zmin=None, colorbar={"title": None, "len": 0.8})
    assert trace["type"] == "heatmap" and "zmin" not in trace and trace["colorbar"] == {"len": 0.8}
    assert trace["z"]["dtype"] == "f8" and trace["z"]["shape"] == "3, 3"
    assert style.json_form(trace) == trace  # already plotly's JSON form: unchanged
