"""Figures of the network playground: the output over the plane, the network with a map per neuron, the
loss curves and a family of random networks (results in, figure dicts or images out; nothing is trained here).

Built for a live view refreshed several times a second: few traces (lines share a trace, separated by None),
heatmaps on coarse grids, and no per-point hover text beyond what a student needs. Each builder returns a plain
figure dict (plotly's JSON form, arrays base64-encoded), never a ``go.Figure``: building plotly's objects and
copying them back out with ``to_dict()`` cost 3-9 ms a figure, on every new network.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.datasets import Split
from nnviz.figures import style
from nnviz.live import History
from nnviz.topics.playground import Family, PlaneView, Scale, envelope

_LIGHT = {style.VERMILLION: "#f6d2bd", style.BLUE: "#bcd9ee", style.GREEN: "#b8e3d4", style.ORANGE: "#f8e1ad",
          style.PURPLE: "#f0d5e4", style.SKY: "#d3ecf9"}
#: Legend text (px); the page passes ``nnviz.ui.classroom.FONT_PX`` in classroom mode.
LEGEND_PX = 12
_AXIS = {"range": [-6, 6], "constrain": "domain", "zeroline": False, "showgrid": False}


def _figure(traces: list, height: int, x_title: str | None = None, y_title: str | None = None,
            show_legend: bool = True, **layout) -> dict:
    """A figure dict (``style.figure_dict``); a ``legend`` dict in ``layout`` adjusts the shared legend."""
    legend = layout.pop("legend", None)
    return style.figure_dict(traces, height=height, x_title=x_title, y_title=y_title,
                             legend=legend if show_legend and legend is not None else show_legend, **layout)


def _class_scale(k: int) -> list[list]:
    """A colour scale in k bands, band c running from class c's light tint to its full colour."""
    scale = []
    for c in range(k):
        colour = style.CLASS_COLOURS[c]
        scale += [[c / k, _LIGHT.get(colour, "#eeeeee")], [(c + 1) / k - 1e-6, colour]]
    scale[-1][0] = 1.0
    return scale


#: Training points have a white rim, test points a dark one; a class is told by its colour AND its marker shape
#: (``style.class_symbol``), so no class is told apart by colour alone. Regression points (no classes) are
#: circles (training) and diamonds (test), filled with their target.
_POINT_SETS = (("training points", "circle", "white", 1.0), ("test points", "diamond", style.BLACK, 1.6))


def output_map(view: PlaneView, split: Split, task: str, scale: Scale, *, show_test: bool = True,
               discretise: bool = False, height: int = 460, axes: tuple[str, str] = ("x₁", "x₂"),
               names: Sequence[str] | None = None, legend_px: int = LEGEND_PX) -> dict:
    """The network's output over the input plane as a heatmap (colour bar over ``scale``), with the training
    (and test) points on top; ``axes`` are the axis titles, ``names`` the classes' names (else "class k"),
    ``legend_px`` the legend's text size (classroom mode: 18)."""
    hover = "x₁ = %{x:.2f}<br>x₂ = %{y:.2f}<br>"
    smooth = False if discretise else "fast"  # "fast" scales an image: cheap for the browser at 5 redraws/s
    out32 = view.output.astype(np.float32)  # half the bytes sent to the browser at every redraw
    value = "%{customdata:.3f}" if discretise else "%{z:.3f}"
    colorbar = {"title": {"text": scale.title, "side": "top"}, "thickness": 10, "len": 0.8}
    if task == "multiclass":
        k = split.n_classes
        strength = np.full_like(view.confidence, 0.75) if discretise else (view.confidence - 1 / k) / (1 - 1 / k)
        z = (view.output + np.clip(strength, 0.0, 0.999)).astype(np.float32)
        heat = style.trace("heatmap", x=view.xs, y=view.xs, z=z, zmin=0, zmax=k, colorscale=_class_scale(k),
                           zsmooth=smooth, showscale=False, customdata=view.output.astype(np.int8),
                           hovertemplate=hover + "predicted class %{customdata}<extra></extra>")
    else:
        mid = 0.5 * (scale.lo + scale.hi)
        if discretise:  # two colours for the classes (split at the decision value), quarters for a number
            quarter = (scale.hi - scale.lo) / 8
            z = (np.where(view.output > mid, scale.hi - 0.2 * (scale.hi - mid), scale.lo + 0.2 * (mid - scale.lo))
                 if task == "binary" else np.round((view.output - mid) / quarter) * quarter + mid).astype(np.float32)
        else:
            z = out32
        heat = style.trace("heatmap", x=view.xs, y=view.xs, z=z, zmin=scale.lo, zmax=scale.hi,
                           colorscale=style.DIVERGING, zsmooth=smooth, customdata=out32 if discretise else None,
                           colorbar=colorbar,
                           hovertemplate=hover + f"{scale.title} = {value}<extra></extra>")
    traces = [heat]
    sets = [(split.X_train, split.y_train, *_POINT_SETS[0])]
    if show_test and len(split.X_test):
        sets.append((split.X_test, split.y_test, *_POINT_SETS[1]))
    k = max(2, split.n_classes)
    names = list(names) if names is not None else [f"class {c}" for c in range(k)]
    for X, y, name, symbol, edge, rim in sets:
        line = {"color": edge, "width": rim}
        if task == "regression":
            marker = {"color": np.asarray(y, float), "colorscale": style.DIVERGING, "cmin": scale.lo,
                      "cmax": scale.hi, "symbol": symbol, "size": 7, "line": line}
            traces.append(style.scatter(x=X[:, 0], y=X[:, 1], mode="markers", marker=marker, showlegend=False,
                                        customdata=np.asarray(y),
                                        hovertemplate=f"{name}<br>{hover}target %{{customdata:.3f}}<extra></extra>"))
        else:  # one trace per class: its colour and shape are constants (no per-point strings to send)
            for c in range(k):
                sel = np.asarray(y) == c
                if sel.any():
                    traces.append(style.scatter(x=X[sel, 0], y=X[sel, 1], mode="markers", showlegend=False,
                                                marker={"color": style.CLASS_COLOURS[c],
                                                        "symbol": style.class_symbol(c), "size": 7, "line": line},
                                                hovertemplate=f"{name}<br>{hover}{names[c]}<extra></extra>"))
            symbol = "circle"
        # the legend's entry: the rim (and, for regression, the shape) in grey, since a point's fill is its class
        rim_name = "train: white rim" if edge == "white" else "test: dark rim"
        traces.append(style.scatter(x=[None], y=[None], mode="markers",
                                    name=name if task == "regression" else rim_name,
                                    marker={"color": style.GREY, "symbol": symbol, "size": 9,
                                            "line": {"color": style.BLACK if edge == "white" else edge,
                                                     "width": 0.5 if edge == "white" else 2}}))
    if task != "regression":
        for c in range(k):
            traces.append(style.scatter(x=[None], y=[None], mode="markers", name=names[c],
                                        marker={"color": style.CLASS_COLOURS[c], "symbol": style.class_symbol(c),
                                                "size": 9}))
    # Above the plane, outside the data: each entry as wide as its own text, wrapped into rows, and the top margin
    # grows to fit them (a fixed two-a-row width cut "train: white rim" into "test: dark rim" at 390 px and 18 px)
    legend = {"x": 0.0, "xanchor": "left", "orientation": "h", "yanchor": "bottom", "y": 1.02,
              "font": {"size": legend_px}}
    return _figure(traces, height, axes[0], axes[1], legend=legend, uirevision="keep", xaxis=_AXIS,
                   yaxis=_AXIS | {"scaleanchor": "x", "scaleratio": 1})


def _width_bucket(a: np.ndarray, top: float) -> np.ndarray:
    return np.minimum(3, (4 * a / max(top, 1e-12)).astype(int))


def _tile_axis(n: int, t: int, size: float, gap: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell centres along one axis of n tiles of t cells each, with three NaN cells filling each gap.

    Returns (centres, index) where index[i] is the position of tile cell i in the centres (gaps excluded).
    Heatmap cells end halfway between centres, so the NaN cells hugging each tile keep its edges straight.
    """
    h = size / t / 2
    centres, index = [], []
    for j in range(n):
        x0 = j * (size + gap)
        index += list(range(len(centres), len(centres) + t))
        centres += list(x0 + (np.arange(t) + 0.5) * 2 * h)
        if j < n - 1:
            centres += [x0 + size + h, x0 + size + gap / 2, x0 + size + gap - h]
    return np.array(centres), np.array(index)


def network_diagram(view: PlaneView, Ws: Sequence[np.ndarray], input_labels: Sequence[str], height: int = 460
                    ) -> dict:
    """The network drawn TF Playground style: each unit a small map of its value over the plane, each edge
    coloured by the weight's sign (blue +, vermillion -) and as thick as its size.

    Each map is scaled to its own range (divided by max(1, max |value|)), so shape is visible for any activation.
    All maps are one heatmap (NaN between tiles) and edges are at most 8 line traces, so it redraws quickly.
    """
    t = view.tiles[0].shape[-1]
    tile, gap_y, gap_x = 1.0, 0.3, 1.6
    n_cols, n_max = len(view.tiles), max(len(ti) for ti in view.tiles)
    xc, xi = _tile_axis(n_cols, t, tile, gap_x)
    yc, yi = _tile_axis(n_max, t, tile, gap_y)
    z = np.full((len(yc), len(xc)), np.nan, dtype=np.float32)
    col_x = np.arange(n_cols) * (tile + gap_x)
    centres = [np.arange(len(tiles)) * (tile + gap_y) + tile / 2 for tiles in view.tiles]
    hover_x, hover_y, hover_text, hover_size = [], [], [], []
    for l, tiles in enumerate(view.tiles):
        n = len(tiles)
        with np.errstate(all="ignore"):
            peak = np.nan_to_num(np.nanmax(np.abs(tiles.reshape(n, -1)), axis=1), nan=1.0, posinf=1.0)
        scaled = tiles[:, ::-1, :] / np.maximum(1.0, peak)[:, None, None]  # x2 up within each tile
        cols = xi[l * t:(l + 1) * t]
        for j in range(n):
            z[np.ix_(yi[j * t:(j + 1) * t], cols)] = scaled[j]
        name = "input" if l == 0 else ("output" if l == n_cols - 1 else f"hidden layer {l}")
        lo, hi = tiles.reshape(n, -1).min(axis=1), tiles.reshape(n, -1).max(axis=1)
        hover_x += [col_x[l] + tile / 2] * n
        hover_y += list(centres[l])
        hover_size += [22] * n
        hover_text += [(f"input {input_labels[j]}" if l == 0 else f"{name}, unit {j + 1}")
                       + f"<br>values over the plane: [{lo[j]:.2g}, {hi[j]:.2g}]" for j in range(n)]
    traces: list = [style.trace("heatmap", z=z, x=xc, y=yc, zmin=-1, zmax=1, colorscale=style.DIVERGING,
                                showscale=False, hoverinfo="skip")]
    # edges: 2 signs x 4 thickness buckets, each bucket one trace with None separators
    top_w = max((float(np.abs(W).max()) for W in Ws if W.size), default=1.0)
    if not np.isfinite(top_w) or top_w == 0:
        top_w = 1.0
    edges: dict[tuple[bool, int], list[np.ndarray]] = {}
    for l, W in enumerate(Ws):
        xa, xb = col_x[l] + tile, col_x[l + 1]
        dst, src = np.meshgrid(np.arange(W.shape[0]), np.arange(W.shape[1]), indexing="ij")
        ya, yb = centres[l][src.ravel()], centres[l + 1][dst.ravel()]
        w = W.ravel()
        buckets = _width_bucket(np.abs(w), top_w)
        for positive in (True, False):
            for bkt in range(4):
                sel = ((w >= 0) if positive else (w < 0)) & (buckets == bkt)
                k = int(sel.sum())
                if k:
                    seg = np.stack([np.full(k, xa), ya[sel], np.full(k, xb), yb[sel],
                                    np.full(k, np.nan), np.full(k, np.nan)], axis=1).reshape(-1, 2)
                    edges.setdefault((positive, bkt), []).append(seg)
        hover_x += list(np.full(w.size, 0.5 * (xa + xb)))
        hover_y += list(0.5 * (ya + yb))
        hover_size += [7] * w.size
        hover_text += [f"w = {v:+.3f}<br>weight layer {l + 1}: unit {a + 1} → unit {d + 1}"
                       for v, a, d in zip(w.tolist(), src.ravel().tolist(), dst.ravel().tolist(), strict=True)]
    for (positive, bkt), segs in sorted(edges.items()):
        xy = np.concatenate(segs)
        traces.append(style.scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", hoverinfo="skip", showlegend=False,
                                    line={"color": style.weight_colour(1 if positive else -1),
                                          "dash": style.weight_dash(1 if positive else -1),
                                          "width": 0.6 + 1.6 * bkt}, opacity=0.75))
    traces.append(style.scatter(x=np.array(hover_x), y=np.array(hover_y), mode="markers", showlegend=False,
                                marker={"size": np.array(hover_size), "opacity": 0},
                                hovertext=np.array(hover_text, dtype=object), hoverinfo="text"))
    heads = ["inputs"] + [f"hidden {l}" for l in range(1, n_cols - 1)] + ["output"]
    label_x = np.concatenate([col_x + tile / 2, np.full(len(input_labels), -0.08)])
    label_y = np.concatenate([np.full(n_cols, -0.3), centres[0]])
    label_text = [f"<b>{h}</b>" for h in heads] + list(input_labels)
    traces.append(style.scatter(x=label_x, y=label_y, mode="text", text=np.array(label_text, dtype=object),
                                textposition=np.array(["middle center"] * n_cols + ["middle left"] * len(input_labels),
                                                      dtype=object),
                                showlegend=False, hoverinfo="skip", textfont={"size": 13}))
    span_y = n_max * (tile + gap_y)
    return _figure(traces, height, show_legend=False, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                   uirevision="keep",
                   xaxis={"visible": False, "range": [-1.3, n_cols * (tile + gap_x) - gap_x + 0.2]},
                   yaxis={"visible": False, "range": [span_y, -0.6], "scaleanchor": "x", "scaleratio": 1})


#: A curve longer than this many rows is drawn as an envelope (bins of consecutive epochs): about the pixels a
#: half-width chart has for its data at 390-1400 px.
CURVE_BINS = 120


def _curve(epochs: np.ndarray, values: Sequence[float], name: str, colour: str, scale: float, width: float,
           dash: str | None, yaxis: str, unit: str) -> list[dict]:
    """One series: a line, or (when binned) each bin's median with a band from its lowest to highest value."""
    env = envelope(epochs, np.asarray(values, dtype=float) * scale, CURVE_BINS)
    if not np.isfinite(env.mid).any():
        return []
    line = {"color": colour, "width": width} | ({"dash": dash} if dash else {})
    traces = []
    if env.binned:
        x = np.concatenate([env.x, env.x[::-1]])
        y = np.concatenate([env.hi, env.lo[::-1]])
        traces.append(style.scatter(x=x, y=y, fill="toself", mode="lines", line={"width": 0, "color": colour},
                                    opacity=0.25, hoverinfo="skip", showlegend=False, yaxis=yaxis))
    traces.append(style.scatter(x=env.x, y=env.mid, mode="lines" if len(env.x) > 1 else "markers", name=name,
                                line=line, marker={"color": colour}, yaxis=yaxis,
                                hovertemplate="epoch %{x:.0f}<br>" + name + " %{y:.4g}" + unit + "<extra></extra>"))
    return traces


def loss_curves(history: History, task: str, loss_name: str, height: int = 300, legend_px: int = LEGEND_PX) -> dict:
    """Training and test loss per epoch (log scale) and, for classification, accuracy on a right-hand axis.
    Long curves are drawn as envelopes (``CURVE_BINS``), so a loss that swings every epoch is a band, not ink."""
    epochs = np.asarray(history["epoch"], dtype=float)
    traces = []
    for name, col, colour in (("training loss", "train_loss", style.TRAIN), ("test loss", "test_loss", style.TEST)):
        traces += _curve(epochs, history[col], name, colour, 1.0, 2, None, "y", "")
    layout: dict = {"margin": {"l": 60, "r": 60, "t": 30, "b": 50},
                    "xaxis": {"range": [0, max(10, int(epochs[-1]) if len(epochs) else 10)],
                              "exponentformat": "power"},
                    "yaxis": {"type": "log", "exponentformat": "power"}}
    losses = np.concatenate([np.asarray(history[c], float) for c in ("train_loss", "test_loss")])
    losses = losses[np.isfinite(losses) & (losses > 0)]
    if len(losses) and losses.max() / losses.min() >= 10:  # decades only, unless the range is under one
        layout["yaxis"]["dtick"] = 1
    if task != "regression":
        for name, col, colour in (("training accuracy", "train_acc", style.TRAIN),
                                  ("test accuracy", "test_acc", style.TEST)):
            traces += _curve(epochs, history[col], name, colour, 100.0, 1.5, "dot", "y2", " %")
        layout["yaxis2"] = {"title": {"text": "accuracy (%)"}, "overlaying": "y", "side": "right",
                            "range": [0, 101], "showgrid": False, "tickmode": "linear", "tick0": 0, "dtick": 20}
    return _figure(traces, height, "epoch", f"{loss_name} (log scale)", legend={"font": {"size": legend_px}},
                   **layout)


def family_figure(family: Family, y_title: str, trained: np.ndarray | None = None, height: int = 340) -> dict:
    """Random draws of one architecture along a slice of the plane (grey), the current network in blue."""
    xs = np.concatenate([np.append(family.x1, np.nan) for _ in family.outputs])
    ys = np.concatenate([np.append(o, np.nan) for o in family.outputs])
    traces = [style.scatter(x=xs, y=ys, mode="lines", line={"color": style.GREY, "width": 1.5},
                            name=f"{len(family.outputs)} random initialisations", hoverinfo="skip")]
    if trained is not None:
        traces.append(style.scatter(x=family.x1, y=trained, mode="lines",
                                    line={"color": style.MODEL, "width": 3},
                                    name="this network now", hovertemplate="x₁ = %{x:.2f}<br>%{y:.3f}<extra></extra>"))
    return _figure(traces, height, f"x₁ (along the line x₂ = {family.x2:g})", y_title)


# ---------------------------------------------------------------------------------------------------------------
# Live frames as images. While training plays, a redrawn plotly chart is remounted by the browser at every frame
# (Streamlit derives a chart's identity from its content), which blanks it for a moment; an image is swapped in
# place. So the playing view is drawn as RGB arrays (numpy + Pillow, a few ms), the paused view as plotly figures.
# ---------------------------------------------------------------------------------------------------------------


def _rgb(hex_colour: str) -> np.ndarray:
    return np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)], dtype=float)


_NEG, _MID, _POS = _rgb(style.VERMILLION), _rgb("#f7f7f7"), _rgb(style.BLUE)


def _diverging(u: np.ndarray) -> np.ndarray:
    """Map u in [0, 1] (0 vermillion, 0.5 white, 1 blue) to RGB floats, shape u.shape + (3,)."""
    u = np.clip(np.nan_to_num(u, nan=0.5), 0.0, 1.0)[..., None]
    low = _NEG + (_MID - _NEG) * (u / 0.5)
    high = _MID + (_POS - _MID) * ((u - 0.5) / 0.5)
    return np.where(u < 0.5, low, high)


def _upscale(img: np.ndarray, size: int) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(img.astype(np.uint8)).resize((size, size), Image.BILINEAR))


def output_frame(view: PlaneView, split: Split, task: str, scale: Scale, *, show_test: bool = True,
                 discretise: bool = False, size: int = 420) -> np.ndarray:
    """The output map as an RGB image (size, size, 3): x1 across, x2 up, both from -6 to 6, points on top
    (each class its colour and shape; training points with a thin white rim, test points a thicker dark one)."""
    from PIL import Image, ImageDraw

    def unit(v: np.ndarray) -> np.ndarray:  # scale.lo -> 0, scale.hi -> 1
        return (np.asarray(v, float) - scale.lo) / (scale.hi - scale.lo)

    if task == "multiclass":
        k = split.n_classes
        colours = np.array([_rgb(c) for c in style.CLASS_COLOURS[:k]])
        strength = np.full_like(view.confidence, 0.8) if discretise else (view.confidence - 1 / k) / (1 - 1 / k)
        s = np.clip(strength, 0.0, 1.0)[..., None]
        rgb = _MID + (colours[view.output.astype(int)] - _MID) * (0.25 + 0.75 * s)
    elif task == "binary":
        u = unit(view.output)
        rgb = _diverging(np.where(u > 0.5, 0.85, 0.15) if discretise else u)
    else:
        u = unit(view.output)
        rgb = _diverging(np.round(u * 8) / 8 if discretise else u)
    img = Image.fromarray(_upscale(rgb[::-1], size))
    draw = ImageDraw.Draw(img)
    lim = float(view.xs[-1])

    def px(X: np.ndarray) -> np.ndarray:
        return np.stack([(X[:, 0] + lim) / (2 * lim) * size, (lim - X[:, 1]) / (2 * lim) * size], axis=1)

    sets = [(split.X_train, split.y_train, (255, 255, 255), 1)]
    if show_test and len(split.X_test):
        sets.append((split.X_test, split.y_test, (34, 34, 34), 2))
    r = 3.5
    for X, y, rim, rim_width in sets:
        if task == "regression":
            fills = _diverging(unit(y)).astype(int)
            shapes = ["circle" if rim_width == 1 else "diamond"] * len(y)
        else:
            fills = np.array([_rgb(style.CLASS_COLOURS[int(c)]) for c in y]).astype(int)
            shapes = [style.class_symbol(int(c)) for c in y]
        for (x0, y0), f, shape in zip(px(X), fills, shapes, strict=True):
            _marker(draw, shape, x0, y0, r + 0.5 * (rim_width - 1), tuple(f), rim, rim_width)
    return np.asarray(img)


def _marker(draw, shape: str, x0: float, y0: float, r: float, fill: tuple, rim: tuple, width: int) -> None:
    """One marker of ``style.CLASS_SYMBOLS``' first shapes drawn with Pillow (others fall back to a circle)."""
    if shape == "square":
        draw.rectangle((x0 - r, y0 - r, x0 + r, y0 + r), fill=fill, outline=rim, width=width)
    elif shape == "diamond":
        q = r + 1
        draw.polygon([(x0, y0 - q), (x0 + q, y0), (x0, y0 + q), (x0 - q, y0)], fill=fill, outline=rim, width=width)
    elif shape == "triangle-up":
        q = r + 1
        draw.polygon([(x0, y0 - q), (x0 + q, y0 + q * 0.8), (x0 - q, y0 + q * 0.8)], fill=fill, outline=rim,
                     width=width)
    elif shape in ("x", "cross"):
        q = r + 1
        arms = ([(x0 - q, y0 - q, x0 + q, y0 + q), (x0 - q, y0 + q, x0 + q, y0 - q)] if shape == "x"
                else [(x0 - q, y0, x0 + q, y0), (x0, y0 - q, x0, y0 + q)])
        for a in arms:
            draw.line(a, fill=rim, width=4 + width)
            draw.line(a, fill=fill, width=3)
    else:
        draw.ellipse((x0 - r, y0 - r, x0 + r, y0 + r), fill=fill, outline=rim, width=width)


def _dashed(draw, xy: tuple[float, float, float, float], fill: tuple, width: int, dash: float = 6.0) -> None:
    """A dashed straight line (Pillow has none): dashes and gaps of ``dash`` pixels."""
    xa, ya, xb, yb = xy
    length = float(np.hypot(xb - xa, yb - ya))
    n = max(1, int(length // (2 * dash)))
    for i in range(n):
        t0, t1 = 2 * i * dash / length, min(1.0, (2 * i + 1) * dash / length)
        draw.line((xa + (xb - xa) * t0, ya + (yb - ya) * t0, xa + (xb - xa) * t1, ya + (yb - ya) * t1), fill=fill,
                  width=width)


def network_frame(view: PlaneView, Ws: Sequence[np.ndarray], input_labels: Sequence[str], tile: int = 44,
                  gap_x: int = 70, gap_y: int = 12) -> np.ndarray:
    """The network diagram as an RGB image: one map per unit, edges coloured (and dashed when negative) by sign and
    as thick as |w|."""
    from PIL import Image, ImageDraw

    n_cols, n_max = len(view.tiles), max(len(t) for t in view.tiles)
    left, top = 34, 22
    width = left + n_cols * tile + (n_cols - 1) * gap_x + 10
    height = top + n_max * (tile + gap_y) + 4
    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    xs = [left + l * (tile + gap_x) for l in range(n_cols)]
    ys = [[top + j * (tile + gap_y) for j in range(len(t))] for t in view.tiles]
    top_w = max((float(np.abs(W).max()) for W in Ws if W.size), default=1.0)
    top_w = top_w if np.isfinite(top_w) and top_w > 0 else 1.0
    for l, W in enumerate(Ws):
        for d in range(W.shape[0]):
            for s in range(W.shape[1]):
                w = W[d, s]
                colour = tuple(int(c) for c in (_POS if w >= 0 else _NEG))
                line = (xs[l] + tile, ys[l][s] + tile / 2, xs[l + 1], ys[l + 1][d] + tile / 2)
                width = max(1, int(round(1 + 5 * min(1.0, abs(w) / top_w))))
                if style.weight_dash(w) == "solid":
                    draw.line(line, fill=colour, width=width)
                else:  # negative weights dashed, as in the paused diagram: the sign is not colour alone
                    _dashed(draw, line, colour, width)
    heads = ["inputs"] + [f"hidden {l}" for l in range(1, n_cols - 1)] + ["output"]
    for l, tiles in enumerate(view.tiles):
        draw.text((xs[l], 4), heads[l], fill=(90, 90, 90))
        for j, m in enumerate(tiles):
            with np.errstate(all="ignore"):
                peak = max(1.0, float(np.nanmax(np.abs(m))) if np.isfinite(m).any() else 1.0)
            rgb = _diverging((m[::-1] / peak + 1) / 2)
            img.paste(Image.fromarray(_upscale(rgb, tile)), (xs[l], ys[l][j]))
    for j, name in enumerate(input_labels):
        draw.text((4, ys[0][j] + tile / 2 - 6), name.replace("₁", "1").replace("₂", "2").replace("²", "^2")
                  .replace("·", "*"), fill=(60, 60, 60))
    return np.asarray(img)


def curves_frame(history: History, task: str, width: int = 460, height: int = 300) -> np.ndarray:
    """Loss per epoch (log scale; training blue, test orange) and accuracy (thin, 0-100 %) as an RGB image.
    More epochs than pixels: each pixel column shows the range of its epochs (an envelope, as ``loss_curves``)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    x0, x1, y0, y1 = 52, width - 40, 12, height - 30
    draw.rectangle((x0, y0, x1, y1), outline=(200, 200, 200))
    epochs = np.asarray(history["epoch"], dtype=float)
    n_max = max(10.0, float(epochs[-1]) if len(epochs) else 10.0)
    losses = np.concatenate([np.asarray(history["train_loss"], float), np.asarray(history["test_loss"], float)])
    losses = losses[np.isfinite(losses) & (losses > 0)]
    lo, hi = (np.log10(losses.min()), np.log10(losses.max())) if len(losses) else (-1.0, 0.0)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5

    def line(values: Sequence[float], to_y, colour: tuple[int, int, int], w: int) -> None:
        env = envelope(epochs, values, bins=x1 - x0)
        ok = np.isfinite(env.mid)
        if ok.sum() < 1:
            return
        px = x0 + env.x[ok] / n_max * (x1 - x0)
        if env.binned:  # the range of each pixel's epochs, as a vertical stroke
            pale = tuple(int(c + (255 - c) * 0.6) for c in colour)
            for x, a, b in zip(px.tolist(), to_y(env.lo[ok]).tolist(), to_y(env.hi[ok]).tolist(), strict=True):
                draw.line((x, a, x, b), fill=pale, width=1)
        pts = list(zip(px.tolist(), to_y(env.mid[ok]).tolist(), strict=True))
        if len(pts) == 1:
            draw.ellipse((pts[0][0] - 2, pts[0][1] - 2, pts[0][0] + 2, pts[0][1] + 2), fill=colour)
        else:
            draw.line(pts, fill=colour, width=w)

    def loss_y(v: np.ndarray) -> np.ndarray:
        return y1 - (np.log10(np.maximum(v, 1e-300)) - lo) / (hi - lo) * (y1 - y0)

    def acc_y(v: np.ndarray) -> np.ndarray:
        return y1 - v * (y1 - y0)

    train, test = tuple(_rgb(style.TRAIN).astype(int)), tuple(_rgb(style.TEST).astype(int))
    if task != "regression":
        line(history["train_acc"], acc_y, tuple(int(c + (255 - c) * 0.55) for c in train), 1)
        line(history["test_acc"], acc_y, tuple(int(c + (255 - c) * 0.55) for c in test), 1)
        draw.text((x1 + 4, y0), "100%", fill=(120, 120, 120))
        draw.text((x1 + 4, y1 - 10), "0%", fill=(120, 120, 120))
    line(history["train_loss"], loss_y, train, 2)
    line(history["test_loss"], loss_y, test, 2)
    grey = (110, 110, 110)
    draw.text((4, y0), f"{10 ** hi:.3g}", fill=grey)
    draw.text((4, y1 - 10), f"{10 ** lo:.3g}", fill=grey)
    draw.text((x0, y1 + 6), "0", fill=grey)
    draw.text((x1 - 30, y1 + 6), f"{int(n_max):,}", fill=grey)
    draw.text(((x0 + x1) / 2 - 60, y1 + 6), "epoch  (loss: log scale)", fill=grey)
    return np.asarray(img)
