"""Figures of "From neurons to networks": results in, figures out (each built once: the network diagram, rebuilt for
every new setting, as a plain dict with ``style.figure_dict``; the rest with ``style.make_figure``).

Colours keep their app-wide meaning: positive weight blue, negative vermillion, the highlighted neuron purple,
train blue, test orange, target black.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import style
from nnviz.format import number

_NODE = {"color": "white", "line": {"color": style.BLACK, "width": 2}}
_FAINT = 0.25


def _no_axes() -> dict:
    return {"visible": False, "fixedrange": True}


def network_diagram(sizes: Sequence[int], Ws: Sequence[np.ndarray], values: Sequence[np.ndarray],
                    names: Sequence[str], highlight: int | None = None, height: int = 320) -> dict:
    """Layers of nodes left to right, edges coloured by the weight's sign and dashed when negative, width by |w|.

    ``values[l]`` (sizes[l],) are the numbers shown in layer l's nodes, ``names[l]`` their letter (x, h, ŷ), with
    the layer's number after an underscore for hidden layers of a stack ("h_2": nodes h<sub>2,1</sub>, ...).
    With ``highlight`` = i (one-layer diagrams), neuron i of the last layer, its edges and its value light up.
    """
    top = max(sizes)
    ys = [np.linspace(1, -1, n) * (n - 1) / max(1, top - 1) if n > 1 else np.zeros(1) for n in sizes]
    w_max = max(1e-9, max(float(np.max(np.abs(W))) for W in Ws))
    segments: dict[tuple[str, bool], list] = {}
    for ell, W in enumerate(Ws):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                lit = highlight is None or i == highlight
                key = (float(W[i, j]) >= 0, lit)
                segments.setdefault(key, []).append((ell, ys[ell][j], ell + 1, ys[ell + 1][i], abs(W[i, j])))
    data: list = []
    for (positive, lit), segs in segments.items():
        sign = 1.0 if positive else -1.0  # the sign shows by dash as well as colour (issue 19)
        # one trace per colour and state; a weight's size is binned into 3 widths so traces stay few
        for lo, hi, width in ((0.0, 0.34, 1.5), (0.34, 0.67, 3.5), (0.67, 1.01, 6.0)):
            xs: list = []
            yv: list = []
            for x0, y0, x1, y1, a in segs:
                if lo <= a / w_max < hi:
                    xs += [x0, x1, None]
                    yv += [y0, y1, None]
            if xs:
                data.append(style.scatter(x=xs, y=yv, mode="lines", hoverinfo="skip", showlegend=False,
                                          opacity=1.0 if lit else _FAINT,
                                          line={"color": style.weight_colour(sign), "dash": style.weight_dash(sign),
                                                "width": width + (1.5 if lit and highlight is not None else 0)}))
    for ell, (n, v) in enumerate(zip(sizes, values, strict=True)):
        lit = [highlight is not None and ell == len(sizes) - 1 and i == highlight for i in range(n)]
        data.append(style.scatter(
            x=np.full(n, float(ell)), y=ys[ell], mode="markers+text", showlegend=False,
            marker={"size": 44, "color": ["#f6e3ee" if on else "white" for on in lit],
                    "line": {"color": [style.PURPLE if on else style.BLACK for on in lit], "width": 2.5}},
            text=[f"{_node_name(names[ell], i, n > 1 or ell < len(sizes) - 1)}<br>{number(float(v[i]), 2)}"
                  for i in range(n)],
            textfont={"size": 12, "color": style.BLACK}, hoverinfo="text",
            hovertext=[f"{_node_name(names[ell], i, True)} = {float(v[i]):.4g}" for i in range(n)]))
    return style.figure_dict(data, height=height, legend=False, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                             xaxis=_no_axes() | {"range": [-0.4, len(sizes) - 0.6]},
                             yaxis=_no_axes() | {"range": [-1.3, 1.3]})


def _node_name(name: str, i: int, numbered: bool) -> str:
    """Node i (0-based) of the layer called ``name`` in plotly's HTML: "x" -> x<sub>2</sub>, "h_1" (hidden layer 1)
    -> h<sub>1,2</sub>, the layer's letter then its index, as the formulas write them."""
    letter, _, ell = name.partition("_")
    if not numbered:
        return letter
    return f"{letter}<sub>{ell + ',' if ell else ''}{i + 1}</sub>"


def param_bars(counts: Sequence[int], height: int = 240) -> go.Figure:
    """Parameters per layer as bars, each labelled with its count."""
    names = [f"layer {i + 1}" for i in range(len(counts))]
    bar = go.Bar(x=names, y=list(counts), marker={"color": style.BLUE}, text=[number(c) for c in counts],
                 textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{y} parameters<extra></extra>")
    return style.make_figure([bar], x_title="layer", y_title="parameters", height=height, legend=False,
                             yaxis={"range": [0, 1.25 * max(counts)], "tickformat": ",d"})


def functions_figure(xs: np.ndarray, draws: np.ndarray, mine: np.ndarray, height: int = 360) -> go.Figure:
    """Many random functions of one architecture (grey) and the one on the sliders (blue)."""
    k = draws.shape[0]
    xx = np.concatenate([np.append(xs, np.nan)] * k)
    yy = np.concatenate([np.append(row, np.nan) for row in draws])
    data = [go.Scatter(x=xx, y=yy, mode="lines", line={"color": style.GREY, "width": 1}, opacity=0.45,
                       name=f"{k} random draws", hoverinfo="skip"),
            go.Scatter(x=xs, y=mine, mode="lines", line={"color": style.BLUE, "width": 4},
                       name="your sliders")]
    return style.make_figure(data, x_title="input x", y_title="output f(x)", height=height)


def bowl_figure(ws: np.ndarray, bs: np.ndarray, loss: np.ndarray, path: np.ndarray | None, opt: np.ndarray,
                title_loss: str = "loss", height: int = 420) -> go.Figure:
    """The loss over (w, b) as contours of log10(loss), the minimum, and a descent path (T, 2)."""
    data: list = [go.Contour(x=ws, y=bs, z=np.log10(np.maximum(loss, 1e-12)), colorscale=style.SEQUENTIAL,
                             reversescale=True, ncontours=18, line={"width": 0.5},
                             colorbar={"title": {"text": f"log₁₀ {title_loss}", "side": "right"}, "thickness": 12},
                             hovertemplate="w %{x:.2f}, b %{y:.2f}<br>log₁₀ loss %{z:.2f}<extra></extra>",
                             name=title_loss, showlegend=False),
                  go.Scatter(x=[opt[0]], y=[opt[1]], mode="markers", name="minimum",
                             marker={"symbol": "x", "size": 14, "color": style.BLACK})]
    if path is not None and len(path):
        inside = path[(np.abs(path[:, 0]) < 1e6) & (np.abs(path[:, 1]) < 1e6)]
        data += [go.Scatter(x=inside[:, 0], y=inside[:, 1], mode="lines+markers", name="gradient descent",
                            line={"color": style.ORANGE, "width": 2}, marker={"size": 6, "color": style.ORANGE}),
                 go.Scatter(x=inside[:1, 0], y=inside[:1, 1], mode="markers", name="start",
                            marker={"size": 12, "color": style.VERMILLION, "symbol": "circle-open",
                                    "line": {"width": 3}})]
    return style.make_figure(data, x_title="weight w", y_title="bias b", height=height,
                             xaxis={"range": [float(ws[0]), float(ws[-1])]},
                             yaxis={"range": [float(bs[0]), float(bs[-1])]})


def loss_curve(losses: Sequence[float], optimum: float, height: int = 300) -> go.Figure:
    """Loss per step on a log axis, the minimum dashed."""
    ys = np.asarray(losses, dtype=float)
    data = [go.Scatter(x=np.arange(len(ys)), y=ys, mode="lines+markers", name="loss",
                       line={"color": style.ORANGE}, marker={"size": 5}),
            go.Scatter(x=[0, max(1, len(ys) - 1)], y=[optimum, optimum], mode="lines", name="minimum",
                       line={"color": style.BLACK, "dash": "dash"})]
    return style.make_figure(data, x_title="step", y_title="loss", height=height,
                             yaxis={"type": "log", "dtick": 1, "exponentformat": "power"})


def regime_strip(eta: float, overshoot: float, threshold: float, slow: float, eta_max: float,
                 height: int = 130) -> go.Figure:
    """The learning-rate axis cut into the four regimes, with the current eta marked: the slider's map."""
    bands = [(0.0, slow, "too small", style.SKY), (slow, overshoot, "right", style.GREEN),
             (overshoot, threshold, "oscillating", style.ORANGE), (threshold, eta_max, "diverging", style.VERMILLION)]
    data = [go.Bar(x=[max(0.0, hi - lo)], base=[lo], y=[""], orientation="h", name=name, text=[name],
                   textposition="inside", insidetextanchor="middle", textfont={"color": style.BLACK},
                   marker={"color": colour}, hovertemplate=f"{name}: η from {lo:.3g} to {hi:.3g}<extra></extra>")
            for lo, hi, name, colour in bands if hi > lo]
    data.append(go.Scatter(x=[eta], y=[""], mode="markers", name="your η",
                           marker={"symbol": "triangle-down", "size": 18, "color": style.BLACK}))
    return style.make_figure(data, x_title="learning rate η", height=height, barmode="overlay",
                             margin={"l": 10, "r": 10, "t": 60, "b": 45},
                             xaxis={"range": [0, eta_max]}, yaxis={"visible": False, "fixedrange": True})


def head_fit(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray, y_test: np.ndarray, grid: np.ndarray,
             curve: np.ndarray, y_title: str, model_name: str, height: int = 340) -> go.Figure:
    """Training and test points and the fitted head's curve over the input."""
    data = [go.Scatter(x=x_train, y=y_train, mode="markers", name="train", opacity=0.6,
                       marker={"color": style.TRAIN, "size": 6}),
            go.Scatter(x=x_test, y=y_test, mode="markers", name="test", opacity=0.8,
                       marker={"color": style.TEST, "size": 7, "symbol": "diamond"}),
            go.Scatter(x=grid, y=curve, mode="lines", name=model_name, line={"color": style.BLACK, "width": 3})]
    return style.make_figure(data, x_title="body-mass index (standardised)", y_title=y_title, height=height)


def accuracy_curves(epoch: np.ndarray, loss: np.ndarray, accuracy: np.ndarray, height: int = 300) -> go.Figure:
    """Training loss (left axis) and test accuracy (right axis) per epoch."""
    data = [go.Scatter(x=epoch, y=loss, mode="lines+markers", name="training loss", line={"color": style.TRAIN}),
            go.Scatter(x=epoch, y=100 * accuracy, mode="lines+markers", name="test accuracy (%)",
                       line={"color": style.TEST, "dash": "dash"}, marker={"symbol": "diamond"}, yaxis="y2")]
    return style.make_figure(data, x_title="epoch", y_title="cross-entropy", height=height,
                             margin={"r": 60},
                             yaxis={"rangemode": "tozero"},
                             yaxis2={"title": {"text": "test accuracy (%)"}, "overlaying": "y", "side": "right",
                                     "range": [0, 100], "dtick": 20, "showgrid": False})


def confusion_figure(m: np.ndarray, height: int = 380) -> go.Figure:
    """The confusion matrix (true rows, predicted columns), counts written in every cell."""
    k = m.shape[0]
    heat = go.Heatmap(z=m, x=list(range(k)), y=list(range(k)), colorscale="Blues", zmin=0,
                      text=m, texttemplate="%{text}", textfont={"size": 11}, showscale=False,
                      hovertemplate="true %{y}, read as %{x}: %{z}<extra></extra>")
    return style.make_figure([heat], x_title="predicted digit", y_title="true digit", height=height, legend=False,
                             xaxis={"dtick": 1, "side": "bottom", "constrain": "domain"},
                             yaxis={"dtick": 1, "autorange": "reversed", "scaleanchor": "x"})


def tiles(images: np.ndarray, columns: int, signed: bool, captions: Sequence[str] | None = None,
          height: int | None = None, zmax: float | None = None, frame: bool = False) -> go.Figure:
    """8x8 images (N, 8, 8) side by side in a grid, one pixel of gap; signed ones on the diverging scale.
    ``frame`` outlines each tile, so a blank or sparse drawing still shows where its edges are."""
    n = len(images)
    rows = max(1, -(-n // columns))
    stride = 12 if captions else 9  # room under each tile for its caption
    canvas = np.full((rows * stride - (stride - 8), columns * 9 - 1), np.nan)
    for k, img in enumerate(images):
        r, c = divmod(k, columns)
        canvas[r * stride:r * stride + 8, c * 9:c * 9 + 8] = img
    top = zmax if zmax is not None else float(np.nanmax(np.abs(canvas))) if n else 1.0
    heat = go.Heatmap(z=canvas, colorscale=style.DIVERGING if signed else "Greys",
                      zmin=-top if signed else 0, zmax=top, showscale=signed, hoverongaps=False,
                      hovertemplate="%{z:+.2f}<extra></extra>" if signed else "%{z:.2f}<extra></extra>",
                      # signed: the key writes each end's sign, so the colours are not the only cue
                      colorbar={"tickvals": [-top, 0, top], "thickness": 12, "len": 0.9,
                                "ticktext": [f"−{top:.2f} (lowers z)", "0", f"+{top:.2f} (raises z)"]})
    notes = []
    if captions:
        for k, text in enumerate(captions):
            r, c = divmod(k, columns)
            notes.append({"x": c * 9 + 3.5, "y": r * stride + 7.8, "text": text, "showarrow": False,
                          "yanchor": "top", "font": {"size": 12}})
    corners = [divmod(k, columns) for k in range(n)] if frame else []
    boxes = [{"type": "rect", "x0": c * 9 - 0.5, "x1": c * 9 + 7.5, "y0": r * stride - 0.5, "y1": r * stride + 7.5,
              "line": {"color": style.GREY, "width": 1}} for r, c in corners]
    return style.make_figure([heat], height=height or 60 + 80 * rows, legend=False, annotations=notes, shapes=boxes,
                             margin={"l": 5, "r": 5, "t": 5, "b": 25 if captions else 5},
                             xaxis=_no_axes() | {"constrain": "domain"},
                             yaxis=_no_axes() | {"autorange": "reversed", "scaleanchor": "x"})


def softmax_bars(p: np.ndarray, label: int | None = None, height: int = 280) -> go.Figure:
    """The ten softmax probabilities; the true class (if known) green and hatched, the guess outlined."""
    guess = int(np.argmax(p))
    colours = [style.COMPARE if label is not None and k == label else style.BLUE for k in range(10)]
    hatch = ["/" if label is not None and k == label else "" for k in range(10)]  # not by colour alone
    bar = go.Bar(x=list(range(10)), y=p, marker={"color": colours, "pattern": {"shape": hatch, "fgcolor": "white"},
                                                 "line": {"color": [style.BLACK if k == guess else "rgba(0,0,0,0)"
                                                                    for k in range(10)], "width": 2}},
                 text=[f"{v:.2f}" if v >= 0.01 else "" for v in p], textposition="outside", cliponaxis=False,
                 hovertemplate="digit %{x}: p = %{y:.3f}<extra></extra>", showlegend=False)
    return style.make_figure([bar], x_title="digit k", y_title="softmax probability", height=height, legend=False,
                             xaxis={"dtick": 1}, yaxis={"range": [0, 1.15]})
