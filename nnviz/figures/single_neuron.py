"""Figures of the single-neuron page: the neuron diagram, its output over the plane, step vs sigmoid,
training one neuron, and the leaky integrate-and-fire neuron.

Each builder assembles its traces and layout first and constructs the figure once (``style.make_figure``).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from nnviz.datasets import Points
from nnviz.figures import style
from nnviz.neuron import Boundary, LIFParams, LIFTrace, PlaneOutput

_MARK_INPUT = {"size": 13, "color": style.YELLOW, "line": {"color": style.BLACK, "width": 2}}


def _label(x: float, y: float, text: str, **kw) -> dict:
    return {"x": x, "y": y, "text": text, "showarrow": False} | kw


def neuron_diagram(x: np.ndarray, w: np.ndarray, b: float, phi_label: str, z: float, y: float) -> go.Figure:
    """Inputs on the left, edges whose width shows |w_i| and colour its sign, then sum, phi and y_hat."""
    n = len(x)
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    w_max = max(1e-9, float(np.max(np.abs(w))), abs(b))
    sx = 2.2  # x position of the sum node
    data: list = []
    notes: list[dict] = []
    for i in range(n):
        colour = style.weight_colour(w[i])
        data.append(go.Scatter(x=[0, sx], y=[ys[i], 0], mode="lines", hoverinfo="text", showlegend=False,
                               line={"color": colour, "width": 1 + 7 * abs(w[i]) / w_max},
                               hovertext=f"w{i + 1} = {w[i]:+.2f}"))
        notes.append(_label(0.8, ys[i] * (1 - 0.8 / sx), f"w<sub>{i + 1}</sub> = {w[i]:+.2f}", yshift=14,
                            bgcolor="rgba(255,255,255,0.9)", font={"color": colour, "size": 13}))
        notes.append(_label(-0.35, ys[i], f"{x[i]:+.2f}", xanchor="right"))
    data.append(go.Scatter(x=[sx, sx], y=[-1.25, -0.18], mode="lines", hoverinfo="text", showlegend=False,
                           line={"color": style.weight_colour(b), "width": 1 + 7 * abs(b) / w_max},
                           hovertext=f"b = {b:+.2f}"))
    data.append(go.Scatter(x=[3.3, 4.6], y=[0, 0], mode="lines", line={"color": style.GREY, "width": 2},
                           hoverinfo="skip", showlegend=False))
    node = {"color": "white", "line": {"color": style.BLACK, "width": 2}}
    data.append(go.Scatter(x=np.zeros(n), y=ys, mode="markers+text", marker={"size": 34} | node,
                           text=[f"x{i + 1}" for i in range(n)], textfont={"size": 13}, hoverinfo="text",
                           hovertext=[f"x{i + 1} = {v:+.2f}" for i, v in enumerate(x)], showlegend=False))
    data.append(go.Scatter(x=[sx, 3.4], y=[0, 0], mode="markers+text", text=["Σ", "φ"], textfont={"size": 20},
                           marker={"size": 46, "symbol": ["circle", "square"], "color": "#eef4fb",
                                   "line": {"color": style.BLUE, "width": 2}},
                           hoverinfo="text", hovertext=[f"z = w·x + b = {z:+.3f}", f"φ = {phi_label}"],
                           showlegend=False))
    data.append(go.Scatter(x=[4.7], y=[0], mode="markers+text", marker={"size": 40} | node, text=["ŷ"],
                           textfont={"size": 16}, hoverinfo="text", hovertext=[f"ŷ = {y:.3f}"], showlegend=False))
    notes += [
        _label(sx, -1.4, f"b = {b:+.2f}", font={"color": style.weight_colour(b), "size": 13}),
        _label(2.8, 0.32, f"z = {z:+.2f}"),
        _label(4.7, 0.42, f"ŷ = {y:.3f}", font={"size": 15}),
        _label(3.4, -0.42, phi_label, font={"size": 12, "color": style.GREY}),
    ]
    return style.make_figure(data, height=300, legend=False, annotations=notes,
                             xaxis={"visible": False, "range": [-1.0, 5.3]},
                             yaxis={"visible": False, "range": [-1.6, 1.35]})


def _boundary_parts(bnd: Boundary) -> tuple[list, list[dict]]:
    """The boundary segment (a trace) and the normal vector w drawn from its foot (an arrow annotation)."""
    data, notes = [], []
    if bnd.start is not None:
        data.append(go.Scatter(x=[bnd.start[0], bnd.end[0]], y=[bnd.start[1], bnd.end[1]], mode="lines",
                               line={"color": style.BLACK, "width": 3}, name="boundary w·x + b = 0",
                               hoverinfo="name"))
    if bnd.foot is not None and np.all(np.abs(bnd.foot) < 1e6):
        tip = bnd.foot + bnd.w / max(1e-9, float(np.hypot(*bnd.w)))
        notes.append({"x": tip[0], "y": tip[1], "ax": bnd.foot[0], "ay": bnd.foot[1], "xref": "x", "yref": "y",
                      "axref": "x", "ayref": "y", "showarrow": True, "arrowhead": 3, "arrowwidth": 3,
                      "arrowcolor": style.PURPLE, "text": "w", "font": {"color": style.PURPLE, "size": 15}})
    return data, notes


def _square_axes(lim: float) -> dict:
    return {"xaxis": {"range": [-lim, lim], "constrain": "domain"},
            "yaxis": {"range": [-lim, lim], "scaleanchor": "x", "scaleratio": 1}}


def plane_figure(plane: PlaneOutput, bnd: Boundary, point: np.ndarray, mid: float, span: float,
                 title: str, ghost: Boundary | None = None) -> go.Figure:
    """y_hat over the (x1, x2) plane, coloured around ``mid`` = phi(0) (the value on the boundary).

    ``ghost`` is drawn dashed: the boundary the same w would have with b = 0 (through the origin).
    """
    data: list = [go.Heatmap(
        x=plane.x1, y=plane.x2, z=plane.y, colorscale=style.DIVERGING, zmin=mid - span, zmax=mid + span,
        colorbar={"title": {"text": "ŷ", "side": "right"}, "thickness": 14},
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>ŷ=%{z:.3f}<extra></extra>")]
    if ghost is not None and ghost.start is not None:
        data.append(go.Scatter(x=[ghost.start[0], ghost.end[0]], y=[ghost.start[1], ghost.end[1]], mode="lines",
                               line={"color": style.GREY, "width": 2, "dash": "dash"}, name="same w, b = 0",
                               hoverinfo="name"))
    boundary_data, notes = _boundary_parts(bnd)
    data += boundary_data
    data.append(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input x", marker=_MARK_INPUT))
    data.append(go.Scatter(x=[0], y=[0], mode="markers", name="origin",
                           marker={"size": 9, "symbol": "x", "color": style.BLACK}))
    return style.make_figure(data, title=title, x_title="x₁", y_title="x₂", height=440, annotations=notes,
                             **_square_axes(float(plane.x1[-1])))


def line_figure(x1: np.ndarray, y: np.ndarray, threshold: float | None, point: tuple[float, float],
                title: str) -> go.Figure:
    """y_hat against x1 for a one-input neuron, with the threshold x1 = -b/w1 marked."""
    data = [go.Scatter(x=x1, y=y, mode="lines", name="ŷ = φ(w₁x₁ + b)", line={"color": style.MODEL, "width": 3}),
            go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input", marker=_MARK_INPUT)]
    shapes, notes = [], []
    if threshold is not None and x1[0] <= threshold <= x1[-1]:
        shape, note = style.vline(threshold, style.BLACK, text=f"x₁ = −b/w₁ = {threshold:.2f}")
        shapes, notes = [shape], [note]
    return style.make_figure(data, title=title, x_title="x₁", y_title="ŷ", height=400, shapes=shapes,
                             annotations=notes)


def step_vs_sigmoid(z: np.ndarray, k: float, sig: np.ndarray, dsig: np.ndarray) -> go.Figure:
    """Left: H(z) and sigma(kz). Right: their derivatives (the step's is 0 except at z = 0)."""
    right = {"xaxis": "x2", "yaxis": "y2"}
    data = [
        go.Scatter(x=z, y=(z > 0).astype(float), name="unit step H(z)",
                   line={"color": style.VERMILLION, "width": 3, "shape": "hv"}),
        go.Scatter(x=z, y=sig, name=f"sigmoid σ({k:g}·z)", line={"color": style.BLUE, "width": 3}),
        go.Scatter(x=z, y=np.zeros_like(z), name="H′(z) = 0 for z ≠ 0", line={"color": style.VERMILLION, "width": 3},
                   **right),
        go.Scatter(x=[0, 0], y=[0, max(1.0, float(dsig.max()))], mode="lines", name="H′ undefined at z = 0",
                   line={"color": style.VERMILLION, "dash": "dot"}, **right),
        go.Scatter(x=z, y=dsig, name=f"d/dz σ({k:g}·z)", line={"color": style.BLUE, "width": 3}, **right),
    ]
    return style.make_figure(
        data, title="Left: the activations · right: their derivatives", height=420,
        xaxis={"domain": [0, 0.45], "title": {"text": "z"}}, yaxis={"title": {"text": "φ(z)"}},
        xaxis2={"domain": [0.55, 1], "title": {"text": "z"}, "anchor": "y2"},
        yaxis2={"anchor": "x2", "title": {"text": "φ′(z): the slope gradient descent follows"}},
    )


def training_figure(points: Points, plane: PlaneOutput, bnd: Boundary, lim: float) -> go.Figure:
    """The data (class 0 vermillion diamonds, class 1 blue circles) over the neuron's probability."""
    data: list = [go.Heatmap(
        x=plane.x1, y=plane.x2, z=plane.y, colorscale=style.DIVERGING, zmin=0, zmax=1, opacity=0.75,
        colorbar={"title": {"text": "P(class 1)", "side": "right"}, "thickness": 14},
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>")]
    for label in (0, 1):
        mask = points.y == label
        data.append(go.Scatter(x=points.X[mask, 0], y=points.X[mask, 1], mode="markers", name=f"class {label}",
                               marker={"size": 13 if len(points.y) < 10 else 8, "color": style.CLASS_COLOURS[label],
                                       "symbol": "circle" if label else "diamond",
                                       "line": {"color": "white", "width": 1.5}}))
    boundary_data, notes = _boundary_parts(bnd)
    return style.make_figure(data + boundary_data, title="Data and the neuron's boundary", x_title="x₁",
                             y_title="x₂", height=420, annotations=notes, **_square_axes(lim))


def loss_figure(losses: list[float], floor: float | None = None) -> go.Figure:
    """Binary cross-entropy per epoch (log scale)."""
    data = [go.Scatter(x=np.arange(1, len(losses) + 1), y=losses, mode="lines", name="training loss",
                       line={"color": style.TRAIN, "width": 3})]
    shapes, notes = [], []
    if not losses:
        notes.append({"x": 0.5, "y": 0.5, "xref": "paper", "yref": "paper", "showarrow": False,
                      "font": {"size": 15}, "text": "Press <b>Train</b> to start"})
    if floor is not None:
        shape, note = style.hline(floor, text=f"ln 2 = {floor:.3f}: no better than a coin flip")
        shapes.append(shape)
        notes.append(note)
    return style.make_figure(
        data, title="Loss while training", x_title="epoch", y_title="cross-entropy loss (log)", height=420,
        shapes=shapes, annotations=notes, xaxis={"range": [0, max(10, len(losses))]},
        yaxis={"type": "log"} if losses else {"range": [0, 1]})


def lif_figure(trace: LIFTrace, p: LIFParams, current: float) -> go.Figure:
    """Membrane potential over time, the threshold, and the spikes."""
    data = [go.Scatter(x=trace.t, y=trace.V, mode="lines", name="membrane potential V(t)",
                       line={"color": style.BLUE, "width": 2})]
    if len(trace.spikes):
        xs = np.repeat(trace.spikes, 3)
        xs[2::3] = np.nan
        ys = np.tile([p.V_th, p.V_th + 10, np.nan], len(trace.spikes))
        data.append(go.Scatter(x=xs, y=ys, mode="lines", name="spikes", line={"color": style.BLACK, "width": 2}))
    shape, note = style.hline(p.V_th, style.VERMILLION, text=f"threshold V_th = {p.V_th:g} mV")
    return style.make_figure(data, title=f"A leaky integrate-and-fire neuron at I = {current:.2f} nA",
                             x_title="time t (ms)", y_title="V above rest (mV)", height=380, shapes=[shape],
                             annotations=[note], yaxis={"range": [-1, p.V_th + 12]})


def fi_figure(I: np.ndarray, rate: np.ndarray, I_sim: np.ndarray, rate_sim: np.ndarray, current: float,
              rate_now: float, i_rheo: float) -> go.Figure:
    """Firing rate against input current (analytic line, simulated dots), beside ReLU- and sigmoid-shaped
    curves scaled to the same axes."""
    r_max = float(rate.max())
    half = len(I) // 2
    slope = (rate[-1] - rate[half]) / (I[-1] - I[half])
    relu_like = np.minimum(np.maximum(0.0, slope * (I - i_rheo)), 1.15 * r_max)
    centre = I[np.argmax(rate > 0.5 * r_max)]
    sigmoid_like = r_max / (1 + np.exp(-(I - centre) / (0.15 * (I[-1] - i_rheo))))
    data = [
        go.Scatter(x=I, y=relu_like, name="ReLU shape", line={"color": style.GREEN, "dash": "dot", "width": 2}),
        go.Scatter(x=I, y=sigmoid_like, name="sigmoid shape", line={"color": style.ORANGE, "dash": "dash",
                                                                      "width": 2}),
        go.Scatter(x=I, y=rate, name="LIF rate (analytic)", line={"color": style.BLUE, "width": 3}),
        go.Scatter(x=I_sim, y=rate_sim, mode="markers", name="LIF rate (simulated)",
                   marker={"color": style.BLACK, "size": 7}),
        go.Scatter(x=[current], y=[rate_now], mode="markers", name="your current", marker=_MARK_INPUT | {"size": 14}),
    ]
    shape, note = style.vline(i_rheo, text=f"rheobase {i_rheo:.2f} nA")
    return style.make_figure(data, title="Firing rate against input current (f–I curve)",
                             x_title="input current I (nA)", y_title="firing rate (Hz)", height=400, shapes=[shape],
                             annotations=[note])
