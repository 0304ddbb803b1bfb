"""nnviz's chart element (nnviz/ui/chart.py): which figures it draws, what it sends, and the files it loads."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import plotly
import plotly.graph_objects as go
import plotly.io as pio

from nnviz.catalog import ROOT
from nnviz.figures import style
from nnviz.ui import chart
from tests.apptest_utils import assert_clean, charts, open_page

STATIC = ROOT / "static"
MODULE = (STATIC / "nnviz-chart.js").read_text()


def _bundle() -> Path:
    (bundle,) = STATIC.glob("plotly-cartesian-*.min.js")
    return bundle


def test_the_cartesian_bundle_is_the_plotly_js_that_plotly_py_writes_figures_for():
    """The figures are built by plotly.py for the plotly.js it ships: the vendored bundle must be that version,
    and the module must load the file that is there."""
    shipped = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()[:300]
    version = re.search(r"plotly\.js v(\d+\.\d+\.\d+)", shipped).group(1)
    head = _bundle().read_text()[:300]
    assert "(cartesian - minified)" in head and f"v{version}" in head
    assert _bundle().name == f"plotly-cartesian-{version}.min.js"
    assert f'"{_bundle().name}"' in MODULE


def test_the_bundle_registers_every_trace_type_the_element_claims():
    """CARTESIAN_TRACES is what the bundle draws: each type is registered under its name in the bundle."""
    text = _bundle().read_text()
    for trace in chart.CARTESIAN_TRACES:
        assert re.search(rf'name:\s*"{trace}"', text), trace
    assert not re.search(r'name:\s*"surface"', text)  # so a 3-D figure must go to st.plotly_chart


def test_figures_of_2d_traces_are_drawn_by_the_element_and_3d_ones_are_not():
    line = style.make_figure([go.Scatter(x=[0, 1], y=[1, 0])], title="a line")
    grid = style.make_figure([go.Heatmap(z=[[0, 1], [1, 0]]), go.Contour(z=[[0, 1], [1, 0]]), go.Bar(y=[1])])
    towers = style.make_figure([go.Surface(z=[[0, 1], [1, 0]])])
    assert chart.drawable(line.to_dict()) and chart.drawable(grid.to_dict())
    assert not chart.drawable(towers.to_dict())
    assert chart.drawable({"data": [], "layout": {}})  # nothing plotted: axes and labels only


def test_the_payload_carries_the_figure_as_plotly_encodes_it_and_the_text_alternative():
    fig = style.make_figure([go.Scatter(x=np.linspace(0, 1, 5), y=np.arange(5.0), name="y")], title="five points")
    sent = json.loads(chart.payload(fig.to_dict(), "Five points rising.", {"displaylogo": False}, True))
    assert sent["alt"] == "Five points rising." and sent["selectable"] is True
    assert sent["config"] == {"displaylogo": False}
    assert sent["spec"] == json.loads(pio.to_json(fig, validate=False))  # arrays as plotly's typed base64
    # the figure's JSON may be given already
    spec_json = pio.to_json(fig, validate=False)
    assert json.loads(chart.payload(spec_json, "a", {}, False))["spec"] == json.loads(spec_json)


def test_a_page_sends_its_charts_through_the_element_and_the_3d_towers_through_plotly_chart():
    at = open_page("universal_approximation.py")
    assert_clean(at)
    assert at.get("bidi_component") and not at.get("plotly_chart")
    for shown in charts(at):
        assert shown.alt.strip() and json.loads(shown.spec)["data"]
    at = open_page("universal_approximation.py", {"uat_towers_open": "true"})
    assert_clean(at)
    surfaces = [c for c in at.get("plotly_chart") if '"surface"' in c.proto.spec]
    assert surfaces, "the towers' 3-D view is drawn by st.plotly_chart"
