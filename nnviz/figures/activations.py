"""Figures of the activation page: the gallery, the linear collapse, ReLU sums, depth propagation, the race.

Results from ``nnviz.topics.activations`` in, ``go.Figure`` out. Panels that belong together are separate
figures, so the page can put them side by side on a wide screen and stacked on a phone. Many line segments share
one trace with NaN separators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import style
from nnviz.topics.activations import SATURATION, SHADE_MAX, Curve, DepthStudy, Fit, ReluSum

#: One colour per activation, never repeated in a figure for all 18 of the registry: the Okabe-Ito colours
#: (without black and grey, which mean target and reference here), then Paul Tol's "muted" set and two more.
#: Beyond the first seven the dash changes too, a second cue where two hues are close.
PALETTE = (style.BLUE, style.VERMILLION, style.GREEN, style.ORANGE, style.PURPLE, style.SKY, style.YELLOW,
           "#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499",
           "#661100", "#6699CC")
_DASH_BANDS = ((7, "solid"), (16, "dash"), (len(PALETTE), "dot"))


def _scatter(**kw) -> dict:
    """A scatter trace as a plain dict (validated once, in the tests, instead of on every rerun)."""
    return {"type": "scatter", **kw}


def colour(i: int) -> str:
    """The i-th activation's colour (distinct for every i < len(PALETTE))."""
    return PALETTE[i % len(PALETTE)]


def dash(i: int) -> str:
    """The i-th activation's dash: solid for the first seven colours, then dashed, then dotted."""
    return next(d for end, d in _DASH_BANDS if i % len(PALETTE) < end)


def _line(i: int, width: float = 2.5) -> dict:
    return {"color": colour(i), "width": width, "dash": dash(i)}


def log_axis(values: Sequence[np.ndarray], max_labels: int = 7) -> dict:
    """A log axis labelled at decades only (10^k, every k-th decade so at most ``max_labels`` labels) when the
    data spans a decade or more, else plotly's choice (a range under one decade may hold no power of ten)."""
    v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in values]) if len(values) else np.array([])
    v = v[np.isfinite(v) & (v > 0)]
    axis = {"type": "log", "exponentformat": "power"}
    if v.size:
        decades = math.log10(v.max() / v.min())
        if decades >= 1.0:
            axis["dtick"] = max(1, math.ceil(decades / max_labels))
    return axis


def _positive(values: np.ndarray) -> np.ndarray:
    """Values for a log axis: zeros and non-finite values become gaps (NaN)."""
    v = np.asarray(values, dtype=float)
    return np.where(np.isfinite(v) & (v > 0), v, np.nan)


def gallery_height(n_curves: int) -> int:
    """Taller with more curves, so the legend above (up to six rows on a phone) leaves the plot its room."""
    return 420 + 16 * max(0, n_curves - 4)


def _probe_marks(curves: Sequence[Curve], z_probe: float, which: str) -> tuple[dict, dict]:
    values = [float(np.interp(z_probe, c.z, getattr(c, which))) for c in curves]
    marker = _scatter(x=[z_probe] * len(curves), y=values, mode="markers", showlegend=False, hoverinfo="skip",
                      marker={"color": [colour(i) for i in range(len(curves))], "size": 10,
                              "line": {"color": "white", "width": 1.5}})
    shape = {"type": "line", "xref": "x", "yref": "paper", "x0": z_probe, "x1": z_probe, "y0": 0, "y1": 1,
             "line": {"color": style.GREY, "width": 1, "dash": "dash"}}
    return marker, shape


def gallery_phi(curves: Sequence[Curve], z_probe: float | None = None, shade: bool = True) -> go.Figure:
    """phi of each curve, overlaid; with ``shade`` (and at most SHADE_MAX curves) the stretches where |phi'| < 0.1
    get a broad translucent stroke."""
    data, shapes = [], []
    for i, c in enumerate(curves):
        data.append(_scatter(x=c.z, y=c.phi, name=c.label, legendgroup=c.act.key, line=_line(i),
                             hovertemplate=f"<b>{c.label}</b><br>z = %{{x:.3f}}<br>φ(z) = %{{y:.4f}}<extra></extra>"))
        if shade and len(curves) <= SHADE_MAX:
            flat = np.where(np.abs(c.dphi) < SATURATION, c.phi, np.nan)
            data.append(_scatter(x=c.z, y=flat, name=c.label, legendgroup=c.act.key, showlegend=False, mode="lines",
                                 line={"color": colour(i), "width": 11}, opacity=0.25, hoverinfo="skip"))
    if z_probe is not None and curves:
        marker, shape = _probe_marks(curves, z_probe, "phi")
        data.append(marker)
        shapes.append(shape)
    return style.make_figure(data, title="activation φ(z)", x_title="pre-activation z", y_title="φ(z)",
                             height=gallery_height(len(curves)),
                             shapes=shapes, yaxis={"exponentformat": "power"})


def gallery_dphi(curves: Sequence[Curve], z_probe: float | None = None, shade: bool = True) -> go.Figure:
    """phi' of each curve (its closed form); with ``shade`` (and at most SHADE_MAX curves) the saturated z-ranges in
    each curve's colour behind it, and the threshold |phi'| = 0.1 dotted."""
    data, shapes = [], []
    for i, c in enumerate(curves):
        data.append(_scatter(x=c.z, y=c.dphi, name=c.label, legendgroup=c.act.key, showlegend=False, line=_line(i),
                             hovertemplate=f"<b>{c.label}</b><br>z = %{{x:.3f}}<br>φ′(z) = %{{y:.4f}}<extra></extra>"))
        if shade and len(curves) <= SHADE_MAX:
            shapes += [{"type": "rect", "xref": "x", "yref": "paper", "x0": a, "x1": b, "y0": 0, "y1": 1,
                        "fillcolor": colour(i), "opacity": 0.10, "line": {"width": 0}, "layer": "below"}
                       for a, b in c.saturated if b > a]
    z_max = float(curves[0].z[-1]) if curves else 5.0
    data.append(_scatter(x=[-z_max, z_max, None, -z_max, z_max], y=[SATURATION, SATURATION, None, -SATURATION,
                         -SATURATION], mode="lines", line={"color": style.GREY, "width": 1, "dash": "dot"},
                         name=f"|φ′| = {SATURATION:g}", hoverinfo="skip"))
    if z_probe is not None and curves:
        marker, shape = _probe_marks(curves, z_probe, "dphi")
        data.append(marker)
        shapes.append(shape)
    return style.make_figure(data, title="derivative φ′(z)", x_title="pre-activation z",
                             y_title="φ′(z)", height=gallery_height(len(curves)), shapes=shapes,
                             yaxis={"exponentformat": "power"})


def collapse_fit(linear: Fit, nonlinear: Fit, w_eff: float, b_eff: float, line: tuple[float, float]) -> go.Figure:
    """The same stack trained with phi = identity and with a nonlinearity, against the target.

    The folded map W_eff x + b_eff is drawn over the linear network (they coincide), next to the least-squares
    line (the best any linear network can do).
    """
    x = linear.x
    slope, intercept = line
    label = nonlinear.act.label
    data = [
        _scatter(x=x, y=linear.y, name="target", mode="lines", line={"color": style.TARGET, "dash": "dash",
                 "width": 2}, hovertemplate="x = %{x:.2f}<br>target = %{y:.3f}<extra></extra>"),
        _scatter(x=x, y=nonlinear.y_hat, name=f"stack with {label}", mode="lines",
                 line={"color": style.MODEL, "width": 3},
                 hovertemplate="x = %{x:.2f}<br>network = %{y:.3f}<extra>" + label + "</extra>"),
        _scatter(x=x, y=linear.y_hat, name="stack with φ(z) = z", mode="lines",
                 line={"color": style.VERMILLION, "width": 6}, opacity=0.45,
                 hovertemplate="x = %{x:.2f}<br>network = %{y:.3f}<extra>linear stack</extra>"),
        _scatter(x=x, y=w_eff * x + b_eff, name="W_eff·x + b_eff", mode="lines",
                 line={"color": style.SKY, "width": 1.5, "dash": "dot"},
                 hovertemplate="x = %{x:.2f}<br>W_eff·x + b_eff = %{y:.3f}<extra></extra>"),
        _scatter(x=x, y=slope * x + intercept, name="best straight line", mode="lines",
                 line={"color": style.GREEN, "width": 1.5, "dash": "dashdot"},
                 hovertemplate="x = %{x:.2f}<br>least squares = %{y:.3f}<extra></extra>"),
    ]
    return style.make_figure(data, x_title="input x", y_title="output ŷ", height=380)


def _segments(xs: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Many polylines as one (x, y) pair with NaN separators (one trace instead of many)."""
    if not xs:
        return np.array([]), np.array([])
    gap = np.array([np.nan])
    return (np.concatenate([p for x in xs for p in (np.asarray(x, dtype=float), gap)]),
            np.concatenate([p for y in ys for p in (np.asarray(y, dtype=float), gap)]))


def relu_sum(rs: ReluSum, x: np.ndarray, target_y: np.ndarray | None = None) -> go.Figure:
    """f = b + sum_k s_k ReLU(x - t_k) (and the target), drawn exactly through its corners (the knots)."""
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
    return style.make_figure(data, title="f(x) = b + Σₖ sₖ ReLU(x − tₖ)", x_title="input x", y_title="f(x)",
                             height=400)


def relu_terms(rs: ReluSum, x: np.ndarray) -> go.Figure:
    """Every term s_k ReLU(x - t_k), positive slope changes solid blue and negative ones dashed vermillion (not by
    colour alone), and the bias b."""
    lo, hi = float(x[0]), float(x[-1])
    data = []
    for sign, c, name in ((1, style.POSITIVE, "term, s > 0"), (-1, style.NEGATIVE, "term, s < 0")):
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
        data.append(_scatter(x=sx, y=sy, name=name, mode="lines",
                             line={"color": c, "width": 1.8, "dash": style.weight_dash(sign)},
                             customdata=custom,
                             hovertemplate="%{customdata[0]:+.3g} · ReLU(x − %{customdata[1]:.3g})<br>x = %{x:.2f}"
                                           "<br>value = %{y:.3f}<extra></extra>"))
    data.append(_scatter(x=[lo, hi], y=[rs.bias, rs.bias], name="output bias b", mode="lines",
                         line={"color": style.GREY, "dash": "dot", "width": 1.5},
                         hovertemplate="b = %{y:.3f}<extra></extra>"))
    return style.make_figure(data, title="each term sₖ ReLU(x − tₖ)", x_title="input x", y_title="term value",
                             height=400)


def _per_layer(study: DepthStudy, column: str, scale: float = 1.0, log: bool = True,
               legend: bool = False) -> list[dict]:
    """One curve per activation; only the first of the three figures carries the legend (the colours are shared,
    and on a phone the figures stack under it)."""
    layers = np.arange(1, study.depth + 1)
    data = []
    for i, r in enumerate(study.results):
        y = scale * getattr(r, column)
        data.append(_scatter(x=layers, y=_positive(y) if log else y, name=r.act.label, legendgroup=r.act.key,
                             showlegend=legend,
                             line=_line(i, 2), hovertemplate=f"<b>{r.act.label}</b><br>layer %{{x}}<br>%{{y:.3g}}"
                                                             "<extra></extra>"))
    return data


def depth_activations(study: DepthStudy) -> go.Figure:
    """std of h_l per layer (log axis, decades), one curve per activation."""
    data = _per_layer(study, "act_std", legend=True)
    return style.make_figure(data, title="spread of activations", x_title="layer l", y_title="std of hₗ",
                             height=gallery_height(len(study.results)),
                             yaxis=log_axis([r.act_std for r in study.results]))


def depth_gradients(study: DepthStudy) -> go.Figure:
    """std of dL/dh_l per layer (log axis, decades), and the sigmoid's bound where it is selected."""
    data = _per_layer(study, "grad_std")
    values = [r.grad_std for r in study.results]
    if study.bound is not None:
        layers = np.arange(1, study.depth + 1)
        data.append(_scatter(x=layers, y=_positive(study.bound), name=study.bound_label, mode="lines",
                             line={"color": style.GREY, "dash": "dot", "width": 2},
                             hovertemplate="layer %{x}<br>bound = %{y:.3g}<extra></extra>"))
        values.append(study.bound)
    return style.make_figure(data, title="spread of gradients", x_title="layer l", y_title="std of ∂L/∂hₗ",
                             height=420, yaxis=log_axis(values))


def depth_dead(study: DepthStudy) -> go.Figure:
    """Share of dead units per layer, in percent."""
    data = _per_layer(study, "dead", 100.0, log=False)
    return style.make_figure(data, title="dead units", x_title="layer l", y_title="% of units", height=420,
                             yaxis={"range": [-3, 103]})


def race_loss(fits: Sequence[Fit], max_steps: int) -> go.Figure:
    """Training loss per step for each activation (log axis, decades)."""
    data = []
    for i, f in enumerate(fits):
        steps = np.arange(1, len(f.loss) + 1)
        data.append(_scatter(x=steps, y=_positive(f.loss), name=f.act.label, legendgroup=f.act.key,
                             line=_line(i, 2),
                             hovertemplate=f"<b>{f.act.label}</b><br>step %{{x}}<br>MSE = %{{y:.3g}}<extra></extra>"))
    return style.make_figure(data, title="training loss", x_title="Adam step", y_title="mean squared error",
                             height=gallery_height(len(fits)), xaxis={"range": [0, max_steps]},
                             yaxis=log_axis([f.loss for f in fits]))


def race_fits(fits: Sequence[Fit]) -> go.Figure:
    """Each trained network against the target (black, dashed); the activations' legend is the loss figure's."""
    data = [_scatter(x=f.x, y=f.y_hat, name=f.act.label, legendgroup=f.act.key, line=_line(i, 2), showlegend=False,
                     hovertemplate=f"<b>{f.act.label}</b><br>x = %{{x:.2f}}<br>ŷ = %{{y:.3f}}<extra></extra>")
            for i, f in enumerate(fits)]
    if fits:
        data.append(_scatter(x=fits[0].x, y=fits[0].y, name="target", line={"color": style.TARGET, "dash": "dash",
                             "width": 2}, hovertemplate="x = %{x:.2f}<br>target = %{y:.3f}<extra></extra>"))
    return style.make_figure(data, title="trained networks", x_title="input x", y_title="output ŷ",
                             height=gallery_height(len(fits)))
