"""Figures of the single-neuron page: the neuron diagram, its output over the plane, step vs sigmoid,
training one neuron, and the leaky integrate-and-fire neuron."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.datasets import Points
from nnviz.figures import style
from nnviz.neuron import Boundary, LIFParams, LIFTrace, PlaneOutput


def neuron_diagram(x: np.ndarray, w: np.ndarray, b: float, phi_label: str, z: float, y: float) -> go.Figure:
    """Inputs on the left, edges whose width shows |w_i| and colour its sign, then sum, phi and y_hat."""
    n = len(x)
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    fig = go.Figure()
    w_max = max(1e-9, float(np.max(np.abs(w))), abs(b))
    sum_xy = (2.2, 0.0)
    for i in range(n):
        width = 1 + 7 * abs(w[i]) / w_max
        fig.add_trace(go.Scatter(
            x=[0, sum_xy[0]], y=[ys[i], 0], mode="lines", line={"color": style.weight_colour(w[i]), "width": width},
            hoverinfo="text", hovertext=f"w{i + 1} = {w[i]:+.2f}", showlegend=False))
        fig.add_annotation(x=0.75, y=ys[i] * (1 - 0.75 / sum_xy[0]), text=f"w<sub>{i + 1}</sub> = {w[i]:+.2f}",
                           showarrow=False, yshift=14, bgcolor="rgba(255,255,255,0.9)",
                           font={"color": style.weight_colour(w[i]), "size": 13})
    # bias edge from below
    fig.add_trace(go.Scatter(x=[sum_xy[0], sum_xy[0]], y=[-1.25, -0.18], mode="lines",
                             line={"color": style.weight_colour(b), "width": 1 + 7 * abs(b) / w_max},
                             hoverinfo="text", hovertext=f"b = {b:+.2f}", showlegend=False))
    fig.add_annotation(x=sum_xy[0], y=-1.4, text=f"b = {b:+.2f}", showarrow=False,
                       font={"color": style.weight_colour(b), "size": 13})
    fig.add_trace(go.Scatter(x=[3.3, 4.6], y=[0, 0], mode="lines", line={"color": style.GREY, "width": 2},
                             hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(
        x=np.zeros(n), y=ys, mode="markers+text", marker={"size": 34, "color": "white",
                                                          "line": {"color": style.BLACK, "width": 2}},
        text=[f"x{i + 1}" for i in range(n)], textfont={"size": 13}, hoverinfo="text",
        hovertext=[f"x{i + 1} = {v:+.2f}" for i, v in enumerate(x)], showlegend=False))
    fig.add_trace(go.Scatter(
        x=[sum_xy[0], 3.4], y=[0, 0], mode="markers+text",
        marker={"size": [46, 46], "symbol": ["circle", "square"], "color": ["#eef4fb", "#eef4fb"],
                "line": {"color": style.BLUE, "width": 2}},
        text=["Σ", "φ"], textfont={"size": 20}, hoverinfo="text",
        hovertext=[f"z = w·x + b = {z:+.3f}", f"φ = {phi_label}"], showlegend=False))
    fig.add_trace(go.Scatter(x=[4.7], y=[0], mode="markers+text", marker={"size": 40, "color": "white",
                                                                        "line": {"color": style.BLACK, "width": 2}},
                             text=["ŷ"], textfont={"size": 16}, hoverinfo="text", hovertext=[f"ŷ = {y:.3f}"],
                             showlegend=False))
    for i, v in enumerate(x):
        fig.add_annotation(x=-0.35, y=ys[i], text=f"{v:+.2f}", showarrow=False, xanchor="right")
    fig.add_annotation(x=2.8, y=0.32, text=f"z = {z:+.2f}", showarrow=False)
    fig.add_annotation(x=4.7, y=0.42, text=f"ŷ = {y:.3f}", showarrow=False, font={"size": 15})
    fig.add_annotation(x=3.4, y=-0.42, text=phi_label, showarrow=False, font={"size": 12, "color": style.GREY})
    fig.update_xaxes(visible=False, range=[-1.0, 5.3])
    fig.update_yaxes(visible=False, range=[-1.6, 1.35])
    return style.apply_layout(fig, height=300, legend=False)


def _boundary_traces(fig: go.Figure, bnd: Boundary, row: int | None = None, col: int | None = None) -> None:
    kw = {"row": row, "col": col} if row else {}
    if bnd.start is not None:
        fig.add_trace(go.Scatter(x=[bnd.start[0], bnd.end[0]], y=[bnd.start[1], bnd.end[1]], mode="lines",
                                 line={"color": style.BLACK, "width": 3}, name="boundary w·x + b = 0",
                                 hoverinfo="name"), **kw)
    if bnd.foot is not None and np.all(np.abs(bnd.foot) < 1e6):
        tip = bnd.foot + bnd.w / max(1e-9, float(np.hypot(*bnd.w)))
        fig.add_annotation(x=tip[0], y=tip[1], ax=bnd.foot[0], ay=bnd.foot[1], xref="x", yref="y", axref="x",
                           ayref="y", showarrow=True, arrowhead=3, arrowwidth=3, arrowcolor=style.PURPLE,
                           text="w", font={"color": style.PURPLE, "size": 15})


def plane_figure(plane: PlaneOutput, bnd: Boundary, point: np.ndarray, mid: float, span: float,
                 title: str, ghost: Boundary | None = None) -> go.Figure:
    """y_hat over the (x1, x2) plane, coloured around ``mid`` = phi(0) (the value on the boundary).

    ``ghost`` is drawn dashed: the boundary the same w would have with b = 0 (through the origin).
    """
    fig = go.Figure(go.Heatmap(
        x=plane.x1, y=plane.x2, z=plane.y, colorscale=style.DIVERGING, zmin=mid - span, zmax=mid + span,
        colorbar={"title": {"text": "ŷ", "side": "right"}, "thickness": 14},
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>ŷ=%{z:.3f}<extra></extra>"))
    if ghost is not None and ghost.start is not None:
        fig.add_trace(go.Scatter(x=[ghost.start[0], ghost.end[0]], y=[ghost.start[1], ghost.end[1]], mode="lines",
                                 line={"color": style.GREY, "width": 2, "dash": "dash"}, name="same w, b = 0",
                                 hoverinfo="name"))
    _boundary_traces(fig, bnd)
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input x",
                             marker={"size": 13, "color": style.YELLOW, "line": {"color": style.BLACK, "width": 2}}))
    fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", name="origin", marker={"size": 9, "symbol": "x",
                                                                                  "color": style.BLACK}))
    lim = float(plane.x1[-1])
    fig.update_xaxes(range=[-lim, lim], constrain="domain")
    fig.update_yaxes(range=[-lim, lim], scaleanchor="x", scaleratio=1)
    return style.apply_layout(fig, title=title, x_title="x₁", y_title="x₂", height=440)


def line_figure(x1: np.ndarray, y: np.ndarray, threshold: float | None, point: tuple[float, float],
                title: str) -> go.Figure:
    """y_hat against x1 for a one-input neuron, with the threshold x1 = -b/w1 marked."""
    fig = go.Figure(go.Scatter(x=x1, y=y, mode="lines", name="ŷ = φ(w₁x₁ + b)", line={"color": style.MODEL,
                                                                                       "width": 3}))
    if threshold is not None and x1[0] <= threshold <= x1[-1]:
        fig.add_vline(x=threshold, line={"color": style.BLACK, "dash": "dash"},
                      annotation_text=f"x₁ = −b/w₁ = {threshold:.2f}")
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name="current input",
                             marker={"size": 12, "color": style.YELLOW, "line": {"color": style.BLACK, "width": 2}}))
    return style.apply_layout(fig, title=title, x_title="x₁", y_title="ŷ", height=400)


def step_vs_sigmoid(z: np.ndarray, k: float, sig: np.ndarray, dsig: np.ndarray) -> go.Figure:
    """Left: H(z) and sigma(kz). Right: their derivatives (the step's is 0 except at z = 0)."""
    fig = make_subplots(rows=1, cols=2, horizontal_spacing=0.1)
    step = (z > 0).astype(float)
    fig.add_trace(go.Scatter(x=z, y=step, name="unit step H(z)", line={"color": style.VERMILLION, "width": 3,
                                                                      "shape": "hv"}), row=1, col=1)
    fig.add_trace(go.Scatter(x=z, y=sig, name=f"sigmoid σ({k:g}·z)", line={"color": style.BLUE, "width": 3}),
                  row=1, col=1)
    fig.add_trace(go.Scatter(x=z, y=np.zeros_like(z), name="H′(z) = 0 (z ≠ 0)", showlegend=True,
                             line={"color": style.VERMILLION, "width": 3}), row=1, col=2)
    fig.add_trace(go.Scatter(x=[0, 0], y=[0, max(1.0, float(dsig.max()))], mode="lines",
                             name="H′ undefined at 0 (spike)", line={"color": style.VERMILLION, "dash": "dot"}),
                  row=1, col=2)
    fig.add_trace(go.Scatter(x=z, y=dsig, name=f"d/dz σ({k:g}·z) = {k:g}·σ′({k:g}z)",
                             line={"color": style.BLUE, "width": 3}), row=1, col=2)
    fig.update_xaxes(title_text="z")
    fig.update_yaxes(title_text="φ(z)", row=1, col=1)
    fig.update_yaxes(title_text="φ′(z): the slope gradient descent follows", row=1, col=2)
    return style.apply_layout(fig, title="Left: the activations · right: their derivatives", height=420)


def training_figure(points: Points, plane: PlaneOutput, bnd: Boundary, lim: float) -> go.Figure:
    """The data (class 0 vermillion, class 1 blue) over the neuron's probability sigma(w.x + b)."""
    fig = go.Figure(go.Heatmap(
        x=plane.x1, y=plane.x2, z=plane.y, colorscale=style.DIVERGING, zmin=0, zmax=1, opacity=0.75,
        colorbar={"title": {"text": "P(class 1)", "side": "right"}, "thickness": 14},
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>P(class 1)=%{z:.2f}<extra></extra>"))
    for label in (0, 1):
        mask = points.y == label
        fig.add_trace(go.Scatter(x=points.X[mask, 0], y=points.X[mask, 1], mode="markers", name=f"class {label}",
                                 marker={"size": 13 if len(points.y) < 10 else 8,
                                         "color": style.CLASS_COLOURS[label],
                                         "symbol": "circle" if label else "diamond",
                                         "line": {"color": "white", "width": 1.5}}))
    _boundary_traces(fig, bnd)
    fig.update_xaxes(range=[-lim, lim], constrain="domain")
    fig.update_yaxes(range=[-lim, lim], scaleanchor="x", scaleratio=1)
    return style.apply_layout(fig, title="Data and the neuron's boundary", x_title="x₁", y_title="x₂", height=420)


def loss_figure(losses: list[float], floor: float | None = None) -> go.Figure:
    """Binary cross-entropy per epoch (log scale)."""
    epochs = np.arange(1, len(losses) + 1)
    fig = go.Figure(go.Scatter(x=epochs, y=losses, mode="lines", name="training loss",
                               line={"color": style.TRAIN, "width": 3}))
    if not losses:
        fig.add_annotation(x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False, font={"size": 15},
                           text="Press <b>Train</b> to start")
    if floor is not None:
        fig.add_hline(y=floor, line={"color": style.GREY, "dash": "dash"}, annotation_text=f"ln 2 = {floor:.3f}: "
                      "no better than a coin flip", annotation_position="bottom right")
    fig.update_yaxes(type="log", range=None if losses else [-2, 0])
    fig.update_xaxes(range=[0, max(10, len(losses))])
    return style.apply_layout(fig, title="Loss while training", x_title="epoch",
                              y_title="cross-entropy loss (log)", height=420)


def lif_figure(trace: LIFTrace, p: LIFParams, current: float) -> go.Figure:
    """Membrane potential over time, the threshold, and the spikes."""
    fig = go.Figure(go.Scatter(x=trace.t, y=trace.V, mode="lines", name="membrane potential V(t)",
                               line={"color": style.BLUE, "width": 2}))
    fig.add_hline(y=p.V_th, line={"color": style.VERMILLION, "dash": "dash"},
                  annotation_text=f"threshold V_th = {p.V_th:g} mV", annotation_position="top left")
    if len(trace.spikes):
        xs = np.repeat(trace.spikes, 3)
        ys = np.tile([p.V_th, p.V_th + 10, np.nan], len(trace.spikes))
        xs[2::3] = np.nan
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="spikes", line={"color": style.BLACK, "width": 2}))
    fig.update_yaxes(range=[-1, p.V_th + 12])
    return style.apply_layout(fig, title=f"A leaky integrate-and-fire neuron at I = {current:.2f} nA",
                              x_title="time t (ms)", y_title="V above rest (mV)", height=380)


def fi_figure(I: np.ndarray, rate: np.ndarray, I_sim: np.ndarray, rate_sim: np.ndarray, current: float,
              rate_now: float, i_rheo: float) -> go.Figure:
    """Firing rate against input current (analytic line, simulated dots), beside ReLU- and sigmoid-shaped
    units scaled to the same axes."""
    fig = go.Figure()
    r_max = float(rate.max())
    slope = (rate[-1] - rate[len(rate) // 2]) / (I[-1] - I[len(I) // 2])
    relu_like = np.maximum(0.0, slope * (I - i_rheo))
    fig.add_trace(go.Scatter(x=I, y=np.minimum(relu_like, 1.15 * r_max), name="ReLU shape: max(0, a(I − I_rh))",
                             line={"color": style.GREEN, "dash": "dot", "width": 2}))
    sigmoid_like = r_max / (1 + np.exp(-(I - I[np.argmax(rate > 0.5 * r_max)]) / (0.15 * (I[-1] - i_rheo))))
    fig.add_trace(go.Scatter(x=I, y=sigmoid_like, name="sigmoid shape", line={"color": style.ORANGE, "dash": "dash",
                                                                             "width": 2}))
    fig.add_trace(go.Scatter(x=I, y=rate, name="LIF rate (analytic)", line={"color": style.BLUE, "width": 3}))
    fig.add_trace(go.Scatter(x=I_sim, y=rate_sim, mode="markers", name="LIF rate (simulated)",
                             marker={"color": style.BLACK, "size": 7}))
    fig.add_trace(go.Scatter(x=[current], y=[rate_now], mode="markers", name="your current",
                             marker={"size": 14, "color": style.YELLOW, "line": {"color": style.BLACK, "width": 2}}))
    fig.add_vline(x=i_rheo, line={"color": style.GREY, "dash": "dash"},
                  annotation_text=f"rheobase {i_rheo:.2f} nA", annotation_position="top left")
    return style.apply_layout(fig, title="Firing rate against input current (f–I curve)",
                              x_title="input current I (nA)", y_title="firing rate (Hz)", height=380)
