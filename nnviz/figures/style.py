"""One colour language and one layout for every figure in the app.

Colours are the Okabe-Ito palette (colour-blind safe). Meanings are fixed across pages:
positive weight / class 1 / model = blue, negative weight / class 0 = vermillion, target = black
(dashed), train = blue, test = orange, a second model or comparison = green, highlight = purple.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
PURPLE = "#CC79A7"
BLACK = "#222222"
GREY = "#999999"

POSITIVE = BLUE
NEGATIVE = VERMILLION
MODEL = BLUE
TARGET = BLACK
TRAIN = BLUE
TEST = ORANGE
COMPARE = GREEN
CLASS_COLOURS = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY)  # class 0, 1, 2, ...

#: A cycle for several curves of equal standing (activations overlaid, depths compared).
SERIES = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)

#: Diverging scale for signed values (weights, outputs around a threshold): negative red, positive blue.
DIVERGING = [[0.0, VERMILLION], [0.5, "#f7f7f7"], [1.0, BLUE]]
#: Sequential scale for magnitudes.
SEQUENTIAL = "Viridis"

FONT_SIZE = 14

#: Whether ``make_figure`` lets plotly validate every property. Validation costs 5-30 ms a figure on every
#: rerun, so the app skips it; the test suite turns it on (tests/conftest.py), so a misspelt property in any
#: figure a test builds still fails loudly there.
VALIDATE = False

_AXIS = {"gridcolor": "#ebebeb", "zerolinecolor": "#c8c8c8", "linecolor": "#c8c8c8", "ticks": "",
         "title": {"standoff": 8}, "automargin": True}

#: A lean white template. Plotly's built-in "plotly_white" carries defaults for every trace type and is
#: deep-copied into each figure, which alone cost ~60 ms a figure; this one holds only what we use.
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(SERIES),
    "font": {"family": "Source Sans Pro, Helvetica, Arial, sans-serif", "color": BLACK},
    "xaxis": _AXIS, "yaxis": _AXIS, "hovermode": "closest",
})
pio.templates["nnviz"] = TEMPLATE
pio.templates.default = "nnviz"


def series_colour(i: int) -> str:
    """The i-th colour of the shared series cycle."""
    return SERIES[i % len(SERIES)]


def weight_colour(w: float) -> str:
    """Blue for a positive weight, vermillion for a negative one."""
    return POSITIVE if w >= 0 else NEGATIVE


def base_layout(*, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
                height: int = 380, legend: bool = True) -> dict:
    """The common layout as a plain dict: title on top, the legend in its own band above the plot area
    (so the two never overlap), labelled axes, tight margins."""
    layout: dict = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": (95 if legend else 50) if title else (60 if legend else 25), "b": 55},
        "font": {"size": FONT_SIZE},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0,
                   "font": {"size": 12}},
        "hoverlabel": {"font": {"size": 13}},
    }
    if title:
        layout["title"] = {"text": title, "x": 0.0, "xanchor": "left", "y": 0.985, "yref": "container",
                           "yanchor": "top"}
    if x_title is not None:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        layout["yaxis"] = {"title": {"text": y_title}}
    return layout


def _merge(base: dict, extra: dict) -> dict:
    """Recursive dict merge: ``extra`` wins, nested dicts (xaxis, legend, ...) are merged, not replaced."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_figure(data: list, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
                height: int = 380, legend: bool | dict = True, **layout) -> go.Figure:
    """Build a figure in one constructor call with the common look plus ``layout`` (plotly layout keys).

    Prefer this to ``go.Figure()`` followed by ``add_trace``/``update_layout``/``add_vline``: plotly validates
    each incremental update separately, which made a figure 3-5x slower to build (tens of ms), and a page
    rebuilds all its figures on every widget change. ``legend`` is a flag, or a dict of legend settings.
    """
    base = base_layout(title=title, x_title=x_title, y_title=y_title, height=height, legend=bool(legend))
    if isinstance(legend, dict):  # legend placement or font overrides, merged into the common legend
        layout = {**layout, "legend": _merge(layout.get("legend", {}), legend)}
    return go.Figure(data=data, layout=_merge(base, layout), _validate=VALIDATE)


def vline(x: float, colour: str = GREY, dash: str = "dash", text: str | None = None,
          **text_kw) -> tuple[dict, dict | None]:
    """A vertical line across the plot at ``x`` (a layout shape) and its label (an annotation), as dicts."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
             "line": {"color": colour, "dash": dash, "width": 2}}
    note = None
    if text:
        note = {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": text, "showarrow": False, "xanchor": "left",
                "yanchor": "top", "xshift": 4, "font": {"size": 12, "color": colour}} | text_kw
    return shape, note


def hline(y: float, colour: str = GREY, dash: str = "dash", text: str | None = None,
          **text_kw) -> tuple[dict, dict | None]:
    """A horizontal line across the plot at ``y`` (a layout shape) and its label (an annotation), as dicts."""
    shape = {"type": "line", "y0": y, "y1": y, "yref": "y", "x0": 0, "x1": 1, "xref": "paper",
             "line": {"color": colour, "dash": dash, "width": 2}}
    note = None
    if text:
        note = {"y": y, "x": 0, "xref": "paper", "yref": "y", "text": text, "showarrow": False, "xanchor": "left",
                "yanchor": "bottom", "font": {"size": 12, "color": colour}} | text_kw
    return shape, note


def apply_layout(
    fig: go.Figure,
    *,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    legend: bool = True,
) -> go.Figure:
    """Give an already built ``fig`` the app's common look (see ``make_figure``, which is faster)."""
    layout = base_layout(title=title, x_title=None, y_title=None, height=height, legend=legend)
    fig.update_layout(**layout)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig
