"""The playground's listening map: the sounds of the data on the plane, each class its colour and shape, over an
invisible grid of clickable places (a click off the data plays the sound that place describes)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import style

#: Shown and selected markers keep their look: plotly dims the unselected ones of every trace after a click,
#: which would make the invisible grid appear as faint dots.
_KEEP = {"selected": {"marker": {"opacity": 1.0}}, "unselected": {"marker": {"opacity": 0.85}}}
_HIDDEN = {"selected": {"marker": {"opacity": 0.0}}, "unselected": {"marker": {"opacity": 0.0}}}


def listening_map(X: np.ndarray, y: np.ndarray, names: Sequence[str], axes: tuple[str, str], grid: np.ndarray,
                  extent: float = 6.0, height: int = 420) -> go.Figure:
    """Points X (n, 2) of classes y (n,) named ``names``, each with its row as customdata; ``grid`` (m, 2) the
    clickable places (customdata -1), drawn transparent under them. Axes span [-extent, extent]."""
    hover = f"{axes[0]} = %{{x:.2f}}<br>{axes[1]} = %{{y:.2f}}<br>"
    g = grid.astype(np.float32)  # a click snaps to the grid anyway: half the bytes sent at every rerun
    traces = [go.Scatter(x=g[:, 0], y=g[:, 1], mode="markers", name="the plane", showlegend=False,
                         customdata=np.full(len(grid), -1, dtype=np.int8),
                         marker={"size": 9, "opacity": 0.0, "color": style.BLACK},
                         hovertemplate=hover + "click: hear the sound these features describe<extra></extra>",
                         **_HIDDEN)]
    rows = np.arange(len(X))
    for k, name in enumerate(names):
        m = np.asarray(y) == k
        if not m.any():
            continue
        traces.append(go.Scatter(
            x=X[m, 0], y=X[m, 1], mode="markers", name=name, customdata=rows[m],
            marker={"size": 8, "color": style.CLASS_COLOURS[k % len(style.CLASS_COLOURS)],
                    "symbol": style.class_symbol(k), "line": {"color": "white", "width": 0.8}},
            hovertemplate=hover + f"{name}: click to hear it<extra></extra>", **_KEEP))
    layout = style.base_layout(x_title=axes[0], y_title=axes[1], height=height)
    fig = go.Figure(traces, layout)
    fig.update_layout(clickmode="event+select", dragmode=False,
                      legend_title_text="Sounds (click one to hear it)")
    fig.update_xaxes(range=[-extent - 0.3, extent + 0.3], zeroline=False, fixedrange=True)
    fig.update_yaxes(range=[-extent - 0.3, extent + 0.3], zeroline=False, fixedrange=True, scaleanchor=None)
    return fig


def listening_alt(y: np.ndarray, names: Sequence[str], axes: tuple[str, str], synthesisable: bool) -> str:
    """The map's text alternative, from the counts it shows."""
    counts = ", ".join(f"{int((np.asarray(y) == k).sum())} {name}" for k, name in enumerate(names))
    rest = ("a click anywhere else plays the sound those two feature values describe"
            if synthesisable else "the rest of the plane has no sound for these features")
    return (f"Listening map: {len(y)} sounds ({counts}) placed by {axes[0]} across and {axes[1]} up, from −6 to 6. "
            f"A click on a sound plays it; {rest}. The sliders below do the same from the keyboard.")
