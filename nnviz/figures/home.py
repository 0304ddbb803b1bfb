"""Figures of the home page: AI contains ML contains DL."""

from __future__ import annotations

import plotly.graph_objects as go

from nnviz.figures import style

_FIELDS = (
    ("Artificial intelligence", "machines that act intelligently: search, logic, planning, learning", 3.0, "#dbe9f6"),
    ("Machine learning", "programs that improve with data instead of hand-written rules", 2.1, "#b3d3ee"),
    ("Deep learning", "learning with many-layered neural networks", 1.2, "#6fa8dc"),
)


def nested_fields() -> go.Figure:
    """Three nested ellipses, AI > ML > DL, each labelled with a one-line definition (hover).

    Each name sits in the middle of its own band (between its outline and the next one inside), so no label
    touches an outline.
    """
    fig = go.Figure()
    tops = [r + (r - 3.0) for _, _, r, _ in _FIELDS] + [None]
    for i, (name, meaning, r, fill) in enumerate(_FIELDS):
        cy = r - 3.0  # nested, touching at the bottom
        fig.add_shape(type="circle", x0=-1.6 * r, x1=1.6 * r, y0=cy - r, y1=cy + r, fillcolor=fill,
                      line={"color": style.BLUE, "width": 2}, layer="below")
        label_y = cy if tops[i + 1] is None else 0.5 * (tops[i] + tops[i + 1])
        fig.add_trace(go.Scatter(x=[0], y=[label_y], mode="text", text=[f"<b>{name}</b>"],
                                 textfont={"size": 14, "color": style.BLACK}, hovertext=[meaning],
                                 hoverinfo="text", showlegend=False))
    fig.update_xaxes(visible=False, range=[-5, 5])
    fig.update_yaxes(visible=False, range=[-3.1, 3.1], scaleanchor="x")
    return style.apply_layout(fig, height=330, legend=False)
