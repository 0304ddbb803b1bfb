"""Figures of the home page: AI contains ML contains DL."""

from __future__ import annotations

import plotly.graph_objects as go

from nnviz.figures import style

#: (name, what it means, vertical semi-axis r, fill): nested ellipses touching at the bottom.
FIELDS = (
    ("Artificial intelligence", "machines that act intelligently: search, logic, planning, learning", 3.0, "#dbe9f6"),
    ("Machine learning", "programs that improve with data instead of hand-written rules", 2.1, "#b3d3ee"),
    ("Deep learning", "learning with many-layered neural networks", 1.2, "#6fa8dc"),
)
#: Half-width of each ellipse over its vertical semi-axis; the plotted ranges; the figure's height and margin.
ASPECT = 1.6
X_RANGE = (-5.0, 5.0)
Y_RANGE = (-3.1, 3.1)
HEIGHT = 330
MARGIN = 5
LABEL_PX = 14
#: Where a name sits in its band, as a fraction of the way from the next outline inside up to its own top:
#: below the middle, where the band is wider than at its top.
_BAND_AT = 0.4


def ellipse(i: int) -> tuple[float, float, float]:
    """Field i's ellipse as (centre y, half-width, half-height), in plot units (centre x is 0)."""
    r = FIELDS[i][2]
    return r - 3.0, ASPECT * r, r


def label_y(i: int) -> float:
    """The height of field i's name: inside its band, clear of the outline of the field it contains."""
    cy, _, b = ellipse(i)
    if i + 1 == len(FIELDS):
        return cy
    inner_cy, _, inner_b = ellipse(i + 1)
    inner_top = inner_cy + inner_b
    return inner_top + _BAND_AT * (cy + b - inner_top)


def nested_fields() -> go.Figure:
    """Three nested ellipses, AI > ML > DL, each named inside its own band (hover: a one-line definition).

    The ellipses stretch with the column (fixed height, no fixed aspect), so a name has room at a phone's width;
    names are annotations, so classroom mode enlarges them with the rest of the text. No traces: nothing to plot.
    """
    shapes, notes = [], []
    for i, (name, meaning, _, fill) in enumerate(FIELDS):
        cy, a, b = ellipse(i)
        shapes.append({"type": "circle", "x0": -a, "x1": a, "y0": cy - b, "y1": cy + b, "fillcolor": fill,
                       "line": {"color": style.BLUE, "width": 2}, "layer": "below", "xref": "x", "yref": "y"})
        notes.append({"x": 0, "y": label_y(i), "xref": "x", "yref": "y", "text": f"<b>{name}</b>", "showarrow": False,
                      "font": {"size": LABEL_PX, "color": style.BLACK}, "hovertext": meaning})
    axis = {"visible": False, "fixedrange": True}
    return style.make_figure([], height=HEIGHT, legend=False, shapes=shapes, annotations=notes,
                             margin={"l": MARGIN, "r": MARGIN, "t": MARGIN, "b": MARGIN},
                             xaxis={**axis, "range": list(X_RANGE)}, yaxis={**axis, "range": list(Y_RANGE)})
