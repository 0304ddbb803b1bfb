"""Figures of the activation page: the gallery, the linear collapse, ReLU sums, depth propagation, the race.

Results from ``nnviz.activation_lab`` in, ``go.Figure`` out. Panels side by side are laid out by hand with axis
domains (faster than ``make_subplots``); many line segments share one trace with None separators.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz import activations
from nnviz.activation_lab import SATURATION, Curve, Fit, Propagation, ReluSum
from nnviz.figures import style


def _scatter(**kw) -> dict:
    """A scatter trace as a plain dict (validated once, in the tests, instead of on every rerun)."""
    return {"type": "scatter", **kw}


def _figure(data: list[dict], height: int = 400, **layout) -> go.Figure:
    """``style.make_figure`` with this module's default height (validation follows ``style.VALIDATE``)."""
    return style.make_figure(data, height=height, **layout)


def colours(keys: Sequence[str]) -> dict[str, str]:
    """One colour per activation key, in selection order, from the shared series cycle."""
    return {k: style.series_colour(i) for i, k in enumerate(keys)}


def dashes(keys: Sequence[str]) -> dict[str, str]:
    """A dash per key: solid for the first cycle of colours, then dashed, then dotted (18 activations, 8 colours)."""
    styles = ("solid", "dash", "dot")
    return {k: styles[(i // len(style.SERIES)) % len(styles)] for i, k in enumerate(keys)}


def _panels(n: int, titles: Sequence[str], x_titles: Sequence[str], y_titles: Sequence[str],
            gap: float = 0.07, log_y: Sequence[bool] = ()) -> dict:
    """Layout entries for ``n`` panels side by side: axis domains, axis titles and a title above each panel."""
    # the legend goes in its own band above the panel titles, so the two never overlap
    layout: dict = {"margin": {"t": 105}, "legend": {"y": 1.14}}
    width = (1.0 - gap * (n - 1)) / n
    annotations = []
    for i in range(n):
        sx = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        layout[f"xaxis{sx}"] = {"domain": [x0, x0 + width], "anchor": f"y{sx}", "title": {"text": x_titles[i]},
                                    "zeroline": True}
        layout[f"yaxis{sx}"] = {"anchor": f"x{sx}", "title": {"text": y_titles[i], "standoff": 4},
                                    "type": "log" if i < len(log_y) and log_y[i] else "linear",
                                    "exponentformat": "power"}
        annotations.append({"text": f"<b>{titles[i]}</b>", "x": x0 + width / 2, "y": 1.0, "xref": "paper",
                            "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False,
                            "font": {"size": 14}})
    layout["annotations"] = annotations
    return layout


def gallery(curves: Sequence[Curve], z_probe: float | None = None, shade: bool = True) -> go.Figure:
    """phi (left) and phi' (right) of each curve, overlaid; stretches with |phi'| < 0.1 shaded in its colour."""
    col = colours([c.key for c in curves])
    dash = dashes([c.key for c in curves])
    data = []
    shapes = []
    for c in curves:
        hover = f"<b>{c.label}</b><br>z = %{{x:.3f}}<br>%{{meta}} = %{{y:.4f}}<extra></extra>"
        data.append(_scatter(x=c.z, y=c.phi, name=c.label, legendgroup=c.key, line={"color": col[c.key],
                               "width": 2.5, "dash": dash[c.key]}, hovertemplate=hover, meta="φ(z)"))
        data.append(_scatter(x=c.z, y=c.dphi, name=c.label, legendgroup=c.key, showlegend=False,
                               line={"color": col[c.key], "width": 2.5, "dash": dash[c.key]}, xaxis="x2", yaxis="y2",
                               hovertemplate=hover, meta="φ′(z)"))
        if shade:
            # right panel: the saturated z-ranges shaded (up to four activations; more would only muddy it);
            # left panel: the saturated stretch of each curve drawn with a broad translucent stroke
            for a, b in c.saturated if len(curves) <= 4 else ():
                if b - a > 0:
                    shapes.append({"type": "rect", "xref": "x2", "yref": "paper", "x0": a, "x1": b, "y0": 0,
                                   "y1": 1, "fillcolor": col[c.key], "opacity": 0.10, "line": {"width": 0},
                                   "layer": "below"})
            flat = np.where(np.abs(c.dphi) < SATURATION, c.phi, np.nan)
            data.append(_scatter(x=c.z, y=flat, name=c.label, legendgroup=c.key, showlegend=False, mode="lines",
                                 line={"color": col[c.key], "width": 11}, opacity=0.25, hoverinfo="skip"))
    z_max = float(curves[0].z[-1]) if curves else 5.0
    # the saturation threshold |phi'| = 0.1 on the derivative panel
    data.append(_scatter(x=[-z_max, z_max, None, -z_max, z_max], y=[SATURATION, SATURATION, None, -SATURATION,
                           -SATURATION], mode="lines", line={"color": style.GREY, "width": 1, "dash": "dot"},
                           xaxis="x2", yaxis="y2", name=f"|φ′| = {SATURATION:g}", hoverinfo="skip"))
    if z_probe is not None and curves:
        for xr, yr, values in (("x", "y", [np.interp(z_probe, c.z, c.phi) for c in curves]),
                               ("x2", "y2", [np.interp(z_probe, c.z, c.dphi) for c in curves])):
            data.append(_scatter(x=[z_probe] * len(curves), y=values, mode="markers", xaxis=xr, yaxis=yr,
                                   marker={"color": [col[c.key] for c in curves], "size": 10,
                                           "line": {"color": "white", "width": 1.5}},
                                   showlegend=False, hoverinfo="skip"))
            shapes.append({"type": "line", "xref": xr, "yref": "paper", "x0": z_probe, "x1": z_probe, "y0": 0,
                           "y1": 1, "line": {"color": style.GREY, "width": 1, "dash": "dash"}})
    layout = _panels(2, ["activation φ(z)", "derivative φ′(z) (autograd)"], ["pre-activation z", "pre-activation z"],
                     ["φ(z)", "φ′(z)"])
    return _figure(data, 440, shapes=shapes, hovermode="closest", **layout)


def collapse_fit(linear: Fit, nonlinear: Fit, w_eff: float, b_eff: float, line: tuple[float, float],
                 phi_label: str) -> go.Figure:
    """The same stack trained with phi = identity and with a nonlinearity, against the target.

    The folded map W_eff x + b_eff is drawn over the linear network (they coincide), next to the least-squares
    line (the best any linear network can do).
    """
    x = linear.x
    slope, intercept = line
    data = [
        _scatter(x=x, y=linear.y, name="target", mode="lines", line={"color": style.TARGET, "dash": "dash",
                   "width": 2}, hovertemplate="x = %{x:.2f}<br>target = %{y:.3f}<extra></extra>"),
        _scatter(x=x, y=nonlinear.y_hat, name=f"stack with {phi_label}", mode="lines",
                   line={"color": style.MODEL, "width": 3},
                   hovertemplate="x = %{x:.2f}<br>network = %{y:.3f}<extra>" + phi_label + "</extra>"),
        _scatter(x=x, y=linear.y_hat, name="stack with φ(z) = z", mode="lines",
                   line={"color": style.VERMILLION, "width": 6}, opacity=0.45,
                   hovertemplate="x = %{x:.2f}<br>network = %{y:.3f}<extra>linear stack</extra>"),
        _scatter(x=x, y=w_eff * x + b_eff, name="W_eff x + b_eff", mode="lines",
                   line={"color": style.BLACK, "width": 1.5, "dash": "dot"},
                   hovertemplate="x = %{x:.2f}<br>W_eff x + b_eff = %{y:.3f}<extra></extra>"),
        _scatter(x=x, y=slope * x + intercept, name="best straight line", mode="lines",
                   line={"color": style.GREEN, "width": 1.5, "dash": "dashdot"},
                   hovertemplate="x = %{x:.2f}<br>least squares = %{y:.3f}<extra></extra>"),
    ]
    return _figure(data, 380, xaxis={"title": {"text": "input x"}}, yaxis={"title": {"text": "output ŷ"}})


def _segments(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Many polylines as one (x, y) pair with NaN separators (one trace instead of many)."""
    if not xs:
        return np.array([]), np.array([])
    gap = np.array([np.nan])
    return (np.concatenate([p for x in xs for p in (np.asarray(x, dtype=float), gap)]),
            np.concatenate([p for y in ys for p in (np.asarray(y, dtype=float), gap)]))


def relu_sum(rs: ReluSum, x: np.ndarray, target_y: np.ndarray | None = None) -> go.Figure:
    """Left: f = b + sum_k s_k ReLU(x - t_k) (and the target). Right: every term s_k ReLU(x - t_k) drawn.

    f and every term are piecewise linear, so they are drawn exactly through their corners (the knots).
    """
    lo, hi = float(x[0]), float(x[-1])
    corners = np.unique(np.clip(np.concatenate([[lo, hi], rs.knots]), lo, hi))
    data = []
    if target_y is not None:
        data.append(_scatter(x=x, y=target_y, name="target", line={"color": style.TARGET, "dash": "dash",
                             "width": 2}, hovertemplate="x = %{x:.2f}<br>target = %{y:.3f}<extra></extra>"))
    data.append(_scatter(x=corners, y=rs(corners), name="sum of ReLUs", line={"color": style.MODEL, "width": 3},
                         hovertemplate="x = %{x:.2f}<br>f(x) = %{y:.3f}<extra></extra>"))
    kx = np.clip(rs.knots, lo, hi)
    data.append(_scatter(x=kx, y=rs(kx), name="knots", mode="markers",
                         marker={"color": style.PURPLE, "size": 9, "symbol": "diamond"},
                         hovertemplate="knot t = %{x:.2f}<br>f = %{y:.3f}<extra></extra>"))
    for sign, colour, name in ((1, style.POSITIVE, "term, s > 0"), (-1, style.NEGATIVE, "term, s < 0")):
        xs, ys, info = [], [], []
        for t, s in zip(rs.knots, rs.slope_changes, strict=True):
            if s * sign <= 0:
                continue
            px = np.array([lo, float(np.clip(t, lo, hi)), hi])
            xs.append(px)
            ys.append(s * np.maximum(0.0, px - t))
            info.append(np.tile([s, t], (4, 1)))
        sx, sy = _segments(xs, ys)
        custom = np.concatenate(info) if info else np.empty((0, 2))
        data.append(_scatter(x=sx, y=sy, name=name, mode="lines", line={"color": colour, "width": 1.8},
                             xaxis="x2", yaxis="y2", customdata=custom,
                             hovertemplate="%{customdata[0]:+.3g} · ReLU(x − %{customdata[1]:.3g})<br>x = %{x:.2f}"
                                           "<br>value = %{y:.3f}<extra></extra>"))
    data.append(_scatter(x=[lo, hi], y=[rs.bias, rs.bias], name="output bias b", mode="lines",
                         line={"color": style.GREY, "dash": "dot", "width": 1.5}, xaxis="x2", yaxis="y2",
                         hovertemplate="b = %{y:.3f}<extra></extra>"))
    return _figure(data, 420, **_panels(2, ["f(x) = b + Σₖ sₖ ReLU(x − tₖ)", "each term sₖ ReLU(x − tₖ)"],
                                        ["input x", "input x"], ["f(x)", "term value"]))


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and non-finite values become gaps (NaN)."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def propagation(results: Sequence[Propagation], show_reference: bool = True) -> go.Figure:
    """Per layer: std of activations (log), std of back-propagated gradients (log), share of dead units (%)."""
    col = colours([r.key for r in results])
    dash = dashes([r.key for r in results])
    data = []
    depth = len(results[0].act_std) if results else 1
    layers = np.arange(1, depth + 1)
    for r in results:
        name = activations.label(r.key)
        c = col[r.key]
        data.append(_scatter(x=layers, y=_positive(r.act_std), name=name, legendgroup=r.key,
                               line={"color": c, "width": 2, "dash": dash[r.key]},
                               hovertemplate=f"<b>{name}</b><br>layer %{{x}}<br>std of h = %{{y:.3g}}<extra></extra>"))
        data.append(_scatter(x=layers, y=_positive(r.grad_std), name=name, legendgroup=r.key, showlegend=False,
                               line={"color": c, "width": 2, "dash": dash[r.key]}, xaxis="x2", yaxis="y2",
                               hovertemplate=f"<b>{name}</b><br>layer %{{x}}<br>std of ∂L/∂h = %{{y:.3g}}"
                                             "<extra></extra>"))
        data.append(_scatter(x=layers, y=100 * r.dead, name=name, legendgroup=r.key, showlegend=False,
                               line={"color": c, "width": 2, "dash": dash[r.key]}, xaxis="x3", yaxis="y3",
                               hovertemplate=f"<b>{name}</b><br>layer %{{x}}<br>dead units = %{{y:.1f}}%"
                                             "<extra></extra>"))
    if show_reference and results:
        g_last = results[0].grad_std[-1]
        ref = g_last * 0.25 ** (depth - layers)
        data.append(_scatter(x=layers, y=_positive(ref), name="0.25^(L−l): sigmoid's best case", mode="lines",
                               line={"color": style.GREY, "dash": "dot", "width": 2}, xaxis="x2", yaxis="y2",
                               hovertemplate="layer %{x}<br>0.25^(L−l) = %{y:.3g}<extra></extra>"))
    layout = _panels(3, ["spread of activations", "spread of gradients", "dead units"],
                     ["layer l", "layer l", "layer l"], ["std of h_l", "std of ∂L/∂h_l", "% of units"], gap=0.075,
                     log_y=(True, True, False))
    layout["yaxis3"]["range"] = [-3, 103]
    return _figure(data, 440, **layout)


def race(fits: Sequence[Fit]) -> go.Figure:
    """Left: training loss per step for each activation (log). Right: each trained network against the target."""
    col = colours([f.key for f in fits])
    dash = dashes([f.key for f in fits])
    data = []
    for f in fits:
        name = activations.label(f.key)
        steps = np.arange(1, len(f.loss) + 1)
        data.append(_scatter(x=steps, y=_positive(f.loss), name=name, legendgroup=f.key,
                               line={"color": col[f.key], "width": 2, "dash": dash[f.key]},
                               hovertemplate=f"<b>{name}</b><br>step %{{x}}<br>MSE = %{{y:.3g}}<extra></extra>"))
        data.append(_scatter(x=f.x, y=f.y_hat, name=name, legendgroup=f.key, showlegend=False,
                               line={"color": col[f.key], "width": 2, "dash": dash[f.key]}, xaxis="x2", yaxis="y2",
                               hovertemplate=f"<b>{name}</b><br>x = %{{x:.2f}}<br>ŷ = %{{y:.3f}}<extra></extra>"))
    if fits:
        data.append(_scatter(x=fits[0].x, y=fits[0].y, name="target", line={"color": style.TARGET,
                               "dash": "dash", "width": 2}, xaxis="x2", yaxis="y2",
                               hovertemplate="x = %{x:.2f}<br>target = %{y:.3f}<extra></extra>"))
    layout = _panels(2, ["training loss", "trained networks"], ["Adam step", "input x"],
                     ["mean squared error", "output ŷ"], log_y=(True, False))
    layout["yaxis"]["dtick"] = 1  # one label per decade, no minor-digit clutter
    return _figure(data, 440, **layout)
