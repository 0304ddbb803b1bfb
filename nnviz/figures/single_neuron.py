"""Figures of "Inside a neuron": the neuron diagram, its output over the plane, step vs sigmoid, training one
neuron, and the leaky integrate-and-fire neuron. Results in, ``go.Figure`` out (``style.make_figure``).

Reference lines (a threshold, a floor) are legend entries, not labels on the plot, so no label ever sits on a
curve, whatever the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from nnviz.datasets import Points
from nnviz.figures import style
from nnviz.topics.single_neuron import Boundary, ColourRange, LIFParams, LIFTrace, TrainingSnapshot, envelope

if TYPE_CHECKING:  # the views' result types; figures never import streamlit
    from nnviz.views.single_neuron import FIView, LineView, PlaneView, SteepView

_MARK_INPUT = {"size": 13, "color": style.YELLOW, "line": {"color": style.BLACK, "width": 2}}
#: Plain numbers on every axis and colour bar: 10^-7, never "100n".
_PLAIN = {"exponentformat": "power"}
#: At most this many points of a loss curve are drawn one by one; longer ones become a min-max band.
_MAX_LINE_POINTS = 600
#: Legends sit below the plot, under the x-axis title: above it, a legend that wraps on a 390 px phone runs into
#: the figure's title. Plotly grows the bottom margin to fit however many rows it wraps into.
_BELOW = {"legend": {"orientation": "h", "yanchor": "top", "y": -0.2, "xanchor": "left", "x": 0.0},
          "margin": {"t": 50}}


def _label(x: float, y: float, text: str, **kw) -> dict:
    return {"x": x, "y": y, "text": text, "showarrow": False} | kw


def neuron_diagram(x: np.ndarray, w: np.ndarray, b: float, phi_label: str, z: float, y: float) -> dict:
    """Inputs on the left, edges whose width shows |w_i| and whose colour and dash show its sign (solid blue
    positive, dashed vermillion negative; every label carries its sign too), then sum, phi and y_hat.

    The weight labels sit at x = 1 on their edges, where edges are still 0.55 of their input spacing apart; the
    figure grows with n so neighbouring labels stay at least 24 px apart.
    """
    n = len(x)
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    w_max = max(1e-9, float(np.max(np.abs(w))), abs(b))
    sx, lx = 2.2, 1.0  # x of the sum node; x of the weight labels
    data: list = []
    notes: list[dict] = []
    for i in range(n):
        colour = style.weight_colour(w[i])
        data.append(style.scatter(x=[0, sx], y=[ys[i], 0], mode="lines", hoverinfo="text", showlegend=False,
                                  line={"color": colour, "width": 1 + 7 * abs(w[i]) / w_max,
                                        "dash": style.weight_dash(w[i])},
                                  hovertext=f"w{i + 1} = {w[i]:+.2f}"))
        notes.append(_label(lx, ys[i] * (1 - lx / sx), f"w<sub>{i + 1}</sub> = {w[i]:+.1f}",
                            bgcolor="rgba(255,255,255,0.92)", font={"color": colour, "size": 13 if n < 4 else 12}))
        notes.append(_label(0, ys[i], f"{x[i]:+.1f}", xanchor="right", xshift=-21))  # clear of the 34 px node
    data.append(style.scatter(x=[sx, sx], y=[-1.25, -0.18], mode="lines", hoverinfo="text", showlegend=False,
                              line={"color": style.weight_colour(b), "width": 1 + 7 * abs(b) / w_max,
                                    "dash": style.weight_dash(b)},
                              hovertext=f"b = {b:+.2f}"))
    data.append(style.scatter(x=[3.3, 4.6], y=[0, 0], mode="lines", line={"color": style.GREY, "width": 2},
                              hoverinfo="skip", showlegend=False))
    node = {"color": "white", "line": {"color": style.BLACK, "width": 2}}
    data.append(style.scatter(x=np.zeros(n), y=ys, mode="markers+text", marker={"size": 34} | node,
                              text=[f"x{i + 1}" for i in range(n)], textfont={"size": 13}, hoverinfo="text",
                              hovertext=[f"x{i + 1} = {v:+.2f}" for i, v in enumerate(x)], showlegend=False))
    data.append(style.scatter(x=[sx, 3.4], y=[0, 0], mode="markers+text", text=["Σ", "φ"], textfont={"size": 20},
                              marker={"size": 46, "symbol": ["circle", "square"], "color": "#eef4fb",
                                      "line": {"color": style.BLUE, "width": 2}},
                              hoverinfo="text", hovertext=[f"z = w·x + b = {z:+.3f}", f"φ = {phi_label}"],
                              showlegend=False))
    data.append(style.scatter(x=[4.7], y=[0], mode="markers+text", marker={"size": 40} | node, text=["ŷ"],
                              textfont={"size": 16}, hoverinfo="text", hovertext=[f"ŷ = {y:.3f}"], showlegend=False))
    notes += [
        _label(sx, -1.4, f"b = {b:+.1f}", font={"color": style.weight_colour(b), "size": 13}),
        _label(2.8, 0.55, f"z = {z:+.2f}"),  # above the φ box, clear of it
        _label(4.7, 0.42, f"ŷ = {y:.3f}", font={"size": 15}),
        _label(3.4, -0.42, phi_label, font={"size": 12, "color": style.GREY}),
    ]
    return style.figure_dict(data, height=300 + 30 * max(0, n - 3), legend=False, annotations=notes,
                             xaxis={"visible": False, "range": [-1.0, 5.3]},
                             yaxis={"visible": False, "range": [-1.6, 1.35]})


def _colourscale(c: ColourRange) -> list:
    """The part of the diverging scale that the values zmin..zmax cover (white stays at phi(0))."""
    fractions = np.linspace(c.lo, c.hi, 9)
    colours = sample_colorscale(style.DIVERGING, list(np.clip(fractions, 0, 1)))
    return [[i / 8, col] for i, col in enumerate(colours)]


def _colourbar(title: str) -> dict:
    # a horizontal title over the bar: a title on its side renders "ŷ" as an unreadable rotated glyph
    return {"title": {"text": title, "side": "top"}, "thickness": 14, **_PLAIN}


def _boundary_parts(bnd: Boundary) -> tuple[list, list[dict]]:
    """The boundary segment (a trace) and the normal vector w drawn from the visible segment (an arrow)."""
    data, notes = [], []
    if bnd.start is not None:
        data.append(style.scatter(x=[bnd.start[0], bnd.end[0]], y=[bnd.start[1], bnd.end[1]], mode="lines",
                                  line={"color": style.BLACK, "width": 3}, name="boundary w·x + b = 0",
                                  hoverinfo="name"))
    if bnd.anchor is not None:
        tip = bnd.anchor + bnd.w / max(1e-9, float(np.hypot(*bnd.w)))
        notes.append({"x": tip[0], "y": tip[1], "ax": bnd.anchor[0], "ay": bnd.anchor[1], "xref": "x",
                      "yref": "y", "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowwidth": 3,
                      "arrowcolor": style.PURPLE, "text": "w", "font": {"color": style.PURPLE, "size": 15}})
    return data, notes


def _square_axes(lim: float) -> dict:
    return {"xaxis": {"range": [-lim, lim], "constrain": "domain"},
            "yaxis": {"range": [-lim, lim], "scaleanchor": "x", "scaleratio": 1}}


def plane_figure(v: PlaneView, point: np.ndarray) -> dict:
    """y_hat over the (x1, x2) plane, white at phi(0) (the value on the boundary), the colour bar spanning only
    the values the plane takes; the b = 0 boundary dashed; the current input (x1, x2) marked."""
    c = v.colours
    data: list = [style.trace(
        "heatmap",
        x=v.plane.x1, y=v.plane.x2, z=v.plane.y.astype(np.float32), colorscale=_colourscale(c), zmin=c.zmin,
        zmax=c.zmax,
        colorbar=_colourbar("ŷ"), hovertemplate="x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>ŷ=%{z:.3g}<extra></extra>")]
    if v.ghost.start is not None:
        data.append(style.scatter(x=[v.ghost.start[0], v.ghost.end[0]], y=[v.ghost.start[1], v.ghost.end[1]],
                                  mode="lines", line={"color": style.GREY, "width": 2, "dash": "dash"},
                                  name="same w, b = 0", hoverinfo="name"))
    boundary_data, notes = _boundary_parts(v.bnd)
    data += boundary_data
    data.append(style.scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input x", marker=_MARK_INPUT))
    data.append(style.scatter(x=[0], y=[0], mode="markers", name="origin",
                              marker={"size": 9, "symbol": "x", "color": style.BLACK}))
    return style.figure_dict(data, title=v.title, x_title="x₁", y_title="x₂", height=460, annotations=notes, **_BELOW,
                             **_square_axes(float(v.plane.x1[-1])))


def line_figure(v: LineView, point: tuple[float, float], title: str) -> go.Figure:
    """y_hat against x1 for a one-input neuron, with the threshold x1 = -b/w1 marked (a legend entry)."""
    data = [go.Scatter(x=v.x1, y=v.y, mode="lines", name="ŷ = φ(w₁x₁ + b)", line={"color": style.MODEL, "width": 3}),
            go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input", marker=_MARK_INPUT)]
    if v.threshold is not None and v.x1[0] <= v.threshold <= v.x1[-1]:
        lo, hi = float(np.min(v.y)), float(np.max(v.y))
        data.append(go.Scatter(x=[v.threshold] * 2, y=[lo, hi if hi > lo else lo + 1], mode="lines",
                               name=f"x₁ = −b/w₁ = {v.threshold:.2f}",
                               line={"color": style.BLACK, "dash": "dash", "width": 2}))
    return style.make_figure(data, title=title, x_title="x₁", y_title="ŷ", height=400, yaxis=_PLAIN, **_BELOW)


def step_vs_sigmoid(v: SteepView, k: float) -> go.Figure:
    """Left: H(z) and sigma(kz). Right: their derivatives (the step's is 0 except at z = 0)."""
    right = {"xaxis": "x2", "yaxis": "y2"}
    z = v.z
    data = [
        go.Scatter(x=z, y=(z > 0).astype(float), name="unit step H(z)",
                   line={"color": style.VERMILLION, "width": 3, "shape": "hv"}),
        go.Scatter(x=z, y=v.sig, name=f"sigmoid σ({k:g}·z)", line={"color": style.BLUE, "width": 3}),
        go.Scatter(x=z, y=np.zeros_like(z), name="H′(z) = 0 for z ≠ 0", line={"color": style.ORANGE, "width": 3},
                   **right),
        go.Scatter(x=[0, 0], y=[0, max(1.0, float(v.dsig.max()))], mode="lines", name="H′ undefined at z = 0",
                   line={"color": style.BLACK, "dash": "dot"}, **right),
        go.Scatter(x=z, y=v.dsig, name=f"d/dz σ({k:g}·z)", line={"color": style.SKY, "width": 3}, **right),
    ]
    return style.make_figure(
        data, title="Left: the activations · right: their slopes", height=440, **_BELOW,
        # a wide gap and a short title: on a 390 px phone the right panel's axis title sat on the left panel
        xaxis={"domain": [0, 0.4], "title": {"text": "z"}}, yaxis={"title": {"text": "φ(z)"}},
        xaxis2={"domain": [0.62, 1], "title": {"text": "z"}, "anchor": "y2"},
        yaxis2={"anchor": "x2", "title": {"text": "φ′(z)"}, **_PLAIN},
    )


def training_figure(points: Points, snap: TrainingSnapshot, lim: float) -> go.Figure:
    """The data (each class its own colour and marker shape, style.class_symbol) over the neuron's probability."""
    data: list = [go.Heatmap(
        x=snap.plane.x1, y=snap.plane.x2, z=snap.plane.y.astype(np.float32), colorscale=style.DIVERGING, zmin=0,
        zmax=1, opacity=0.75,
        colorbar=_colourbar("P(1)"),
        hovertemplate="x₁=%{x:.2f}<br>x₂=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>")]
    for label in (0, 1):
        mask = points.y == label
        data.append(go.Scatter(x=points.X[mask, 0], y=points.X[mask, 1], mode="markers", name=f"class {label}",
                               marker={"size": 13 if len(points.y) < 10 else 8, "color": style.CLASS_COLOURS[label],
                                       "symbol": style.class_symbol(label),
                                       "line": {"color": "white", "width": 1.5}}))
    boundary_data, notes = _boundary_parts(snap.bnd)
    return style.make_figure(data + boundary_data, title="Data and the neuron's boundary", x_title="x₁",
                             y_title="x₂", height=440, annotations=notes, **_BELOW, **_square_axes(lim))


def _decades(values: np.ndarray) -> dict:
    """A log axis over ``values`` (> 0) that labels decades only when it spans more than one."""
    lo, hi = np.log10(float(np.min(values))), np.log10(float(np.max(values)))
    axis = {"type": "log", **_PLAIN}
    return axis | ({"dtick": 1} if hi - lo > 1 else {})


def loss_figure(snap: TrainingSnapshot, floor: float | None = None) -> go.Figure:
    """Binary cross-entropy per epoch on a log axis (epoch 0 = before training); a min-max band per group of
    epochs when there are more epochs than can be drawn one by one; ``floor`` a dashed reference line."""
    epochs, losses = snap.epochs, snap.losses
    shown = losses[np.isfinite(losses) & (losses > 0)]
    data: list = []
    if len(losses) > _MAX_LINE_POINTS:
        x, lo, hi = envelope(epochs, losses, _MAX_LINE_POINTS // 2)
        data += [go.Scatter(x=x, y=hi, mode="lines", line={"color": style.TRAIN, "width": 1}, hoverinfo="skip",
                            showlegend=False),
                 go.Scatter(x=x, y=lo, mode="lines", line={"color": style.TRAIN, "width": 1}, fill="tonexty",
                            name=f"training loss (range per {len(losses) // (_MAX_LINE_POINTS // 2)} epochs)")]
    else:
        data.append(go.Scatter(x=epochs, y=losses, mode="lines", name="training loss",
                               line={"color": style.TRAIN, "width": 3}))
    notes = []
    if len(losses) <= 1:
        notes.append({"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
                      "font": {"size": 15}, "text": "Press <b>Train</b> to start"})
    if floor is not None:
        data.append(go.Scatter(x=[0, max(10, int(epochs[-1]))], y=[floor, floor], mode="lines",
                               name=f"ln 2 = {floor:.3f}: a coin flip", line={"color": style.GREY, "dash": "dash"}))
        shown = np.append(shown, floor)
    log = len(losses) > 1 and len(shown) > 0
    return style.make_figure(
        data, title="Loss while training", x_title="epoch",
        y_title="cross-entropy loss" + (" (log scale)" if log else ""), height=440, **_BELOW,
        annotations=notes, xaxis={"range": [0, max(10, int(epochs[-1]))]},
        yaxis=_decades(shown) if log else {"range": [0, 1]})


def _lif_points(trace: LIFTrace, p: LIFParams, every: int = 4) -> np.ndarray:
    """Indices of the trace worth drawing: every ``every``-th sample (0.2 ms at dt = 0.05 ms, under a pixel of a
    200 ms axis) and each sample at the threshold and the reset after it, so no spike loses its corner."""
    keep = np.zeros(len(trace.V), dtype=bool)
    keep[::every] = True
    keep[-1] = True
    at_threshold = np.flatnonzero(p.V_th <= trace.V)
    keep[at_threshold] = True
    keep[np.minimum(at_threshold + 1, len(keep) - 1)] = True
    return keep


def lif_figure(trace: LIFTrace, p: LIFParams, current: float) -> go.Figure:
    """Membrane potential over time, the threshold (a legend entry) and the spikes."""
    keep = _lif_points(trace, p)
    data = [go.Scatter(x=trace.t[keep], y=trace.V[keep], mode="lines", name="membrane potential V(t)",
                       line={"color": style.BLUE, "width": 2}),
            go.Scatter(x=[trace.t[0], trace.t[-1]], y=[p.V_th, p.V_th], mode="lines",
                       name=f"threshold V_th = {p.V_th:g} mV", line={"color": style.VERMILLION, "dash": "dash"})]
    if len(trace.spikes):
        xs = np.repeat(trace.spikes, 3)
        xs[2::3] = np.nan
        ys = np.tile([p.V_th, p.V_th + 10, np.nan], len(trace.spikes))
        data.append(go.Scatter(x=xs, y=ys, mode="lines", name="spikes", line={"color": style.BLACK, "width": 2}))
    return style.make_figure(data, title=f"Leaky integrate-and-fire at I = {current:.2f} nA",
                             x_title="time t (ms)", y_title="V above rest (mV)", height=400, **_BELOW,
                             yaxis={"range": [-1, p.V_th + 12]})


def fi_figure(v: FIView, current: float, rate_now: float) -> go.Figure:
    """Firing rate against input current (analytic line, simulated dots), beside a ReLU-shaped line fitted to its
    upper half, and the rheobase (a legend entry)."""
    I, rate = v.I, v.rate
    half = len(I) // 2
    slope = (rate[-1] - rate[half]) / (I[-1] - I[half])
    relu_like = np.minimum(np.maximum(0.0, slope * (I - v.rheobase)), 1.15 * float(rate.max()))
    top = 1.05 * float(rate.max())
    data = [
        go.Scatter(x=I, y=relu_like, name="ReLU shape", line={"color": style.GREEN, "dash": "dot", "width": 2}),
        go.Scatter(x=I, y=rate, name="LIF rate (analytic)", line={"color": style.BLUE, "width": 3}),
        go.Scatter(x=v.I_sim, y=v.rate_sim, mode="markers", name="LIF rate (simulated)",
                   marker={"color": style.BLACK, "size": 7}),
        go.Scatter(x=[v.rheobase] * 2, y=[0, top], mode="lines", name=f"rheobase {v.rheobase:.2f} nA",
                   line={"color": style.GREY, "dash": "dash", "width": 2}),
        go.Scatter(x=[current], y=[rate_now], mode="markers", name="your current", marker=_MARK_INPUT | {"size": 14}),
    ]
    return style.make_figure(data, title="Firing rate against input current (f–I curve)",
                             x_title="input current I (nA)", y_title="firing rate (Hz)", height=420, **_BELOW,
                             yaxis={"range": [0, top * 1.05]})
