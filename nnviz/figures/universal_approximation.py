"""Figures of the universal-approximation page: results from ``nnviz.topics.universal_approximation`` in,
figure dicts out (``style.figure_dict``: plotly's JSON form, built without plotly's objects, which cost half
of a cache miss at N = 1,000; built per run from the frozen results; nothing here fits or trains).

Many neurons are drawn as ONE trace with NaN separators (two traces: positive and negative output weights),
so a figure stays light however wide the network; curves go as float32 (ample for drawing, half the bytes).
Every axis writes numbers as numbers (no SI suffixes) and log axes label decades.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from nnviz.figures import style
from nnviz.topics.universal_approximation import (
    BUMPS,
    RELU_KNOTS,
    Challenge,
    Decomposition,
    Problem,
    ShallowNet,
    Sweep,
    Towers,
)

X_TITLE = "input x"
Y_TITLE = "output y"


#: Axes write plain numbers or powers of ten, never SI suffixes ("100n", "2B"); log axes label decades.
LINEAR = {"exponentformat": "power"}
LOG = {"type": "log", "exponentformat": "power", "dtick": 1}


def _y_range(problem: Problem) -> list[float]:
    lo, hi = float(np.min(problem.y_dense)), float(np.max(problem.y_dense))
    if problem.noise > 0:
        lo, hi = min(lo, float(problem.y_train.min())), max(hi, float(problem.y_train.max()))
    span = max(hi - lo, 1e-6)
    return [lo - 0.35 * span, hi + 0.35 * span]


def _outside(problem: Problem) -> dict:
    """Layout shapes and a note greying the part of the x axis beyond [a, b], where the theorem promises nothing."""
    pad = problem.x_plot[-1] - problem.b
    shapes = [{"type": "rect", "xref": "x", "yref": "paper", "x0": x0, "x1": x1, "y0": 0, "y1": 1,
               "fillcolor": style.GREY, "opacity": 0.15, "line": {"width": 0}, "layer": "below"}
              for x0, x1 in ((problem.a - pad, problem.a), (problem.b, problem.b + pad))]
    note = {"x": problem.b + pad / 2, "y": 0.98, "xref": "x", "yref": "paper", "text": "beyond<br>[a, b]",
            "showarrow": False, "font": {"size": 11, "color": style.GREY}}
    return {"shapes": shapes, "annotations": [note]}


def _target_traces(problem: Problem) -> list[dict]:
    traces = [style.scatter(x=problem.x_plot.astype(np.float32), y=problem.y_plot.astype(np.float32), mode="lines",
                            name="target f(x)",
                            line={"color": style.TARGET, "dash": "dash", "width": 2},
                            hovertemplate="x = %{x:.3f}<br>f(x) = %{y:.4g}<extra>target</extra>")]
    if problem.noise > 0:
        traces.append(style.scatter(x=problem.x_train, y=problem.y_train, mode="markers", name="noisy samples",
                                    marker={"color": style.GREY, "size": 4},
                                    hovertemplate="x = %{x:.3f}<br>y = %{y:.4g}<extra>sample</extra>"))
    return traces


def _neuron_trace(dec: Decomposition, net: ShallowNet, sign: int) -> dict | None:
    """All shown neurons with v_i of one sign as a single NaN-separated line (no per-point hover data)."""
    pick = [k for k, i in enumerate(dec.idx) if (net.v[i] >= 0) == (sign > 0)]
    if not pick:
        return None
    xs = np.tile(np.append(dec.x_curves, np.nan), len(pick)).astype(np.float32)
    ys = np.concatenate([np.append(dec.curves[k], np.nan) for k in pick]).astype(np.float32)
    return style.scatter(x=xs, y=ys, mode="lines", connectgaps=False, opacity=0.55, hoverinfo="skip",
                         name=f"neurons with v {'≥' if sign > 0 else '<'} 0",
                         line={"color": style.weight_colour(sign), "dash": style.weight_dash(sign), "width": 1})


#: A neuron's handle by the sign of its output weight: shape as well as colour.
_SIGN_SYMBOL = {True: "circle", False: "diamond"}


def _handle_trace(dec: Decomposition, net: ShallowNet) -> dict:
    """One dot per shown neuron where it switches ((z0 - b)/w), carrying its weights for hovering."""
    i = dec.idx
    info = np.column_stack([i + 1, net.w[i], net.b[i], net.v[i]])
    where = "−b/w" if abs(dec.z0) < 1e-9 else f"(z₀ − b)/w, z₀ = {dec.z0:.3g}"
    return style.scatter(x=dec.anchor_x, y=dec.anchor_y, mode="markers", name="neuron (hover for its weights)",
                         marker={"color": [style.weight_colour(v) for v in net.v[i]], "size": 7,
                                 "symbol": [_SIGN_SYMBOL[v >= 0] for v in net.v[i]],
                                 "line": {"color": "white", "width": 0.5}},
                         customdata=info, showlegend=False,
                         hovertemplate=("neuron %{customdata[0]:.0f}: w = %{customdata[1]:.4g}, "
                                        "b = %{customdata[2]:.4g}, v = %{customdata[3]:.4g}<br>switches at " + where
                                        + " = %{x:.4g}<extra></extra>"))


def decomposition_figure(problem: Problem, dec: Decomposition, net: ShallowNet, title: str, name: str, colour: str,
                         windows: Sequence[float] = (), window: float = 0.0) -> dict:
    """Each shown neuron's v_i φ(w_i x + b_i) thin, their sum (the network, ``name`` in ``colour``) bold, the
    target dashed. ``windows``: step positions whose failure window (width ``window`` in x) is shaded."""
    data: list = []
    yr = _y_range(problem)
    if window > 0 and len(windows):  # one rectangle per step, NaN between them (arrays: N = 1,000 has 501)
        s = np.asarray(windows, dtype=float)[:, None]
        xs = (s + window / 2 * np.array([-1, 1, 1, -1, -1, np.nan])).ravel()
        ys = np.tile([yr[0], yr[0], yr[1], yr[1], yr[0], np.nan], s.shape[0])
        data.append(style.scatter(x=xs, y=ys, fill="toself", mode="lines", line={"width": 0},
                                  fillcolor="rgba(204,121,167,0.25)", name="window of failure (1%–99% rise)",
                                  hoverinfo="skip"))
    data += [t for t in (_neuron_trace(dec, net, 1), _neuron_trace(dec, net, -1)) if t is not None]
    data.append(_handle_trace(dec, net))
    data += _target_traces(problem)
    data.append(style.scatter(x=dec.x.astype(np.float32), y=dec.total.astype(np.float32), mode="lines",
                              name=f"network ŷ: {name}",
                              line={"color": colour, "width": 3.5},
                              hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.4g}<extra>network</extra>"))
    return style.figure_dict(data, title=title, x_title=X_TITLE, y_title=Y_TITLE, height=460,
                             xaxis=LINEAR, yaxis={"range": yr, **LINEAR}, **_outside(problem))


def fit_figure(problem: Problem, fits: Sequence[tuple[str, np.ndarray, str, str]], title: str,
               height: int = 400) -> dict:
    """Target dashed and each fit (name, ŷ on problem.x_plot, colour, dash) as a line; the outside greyed."""
    data = _target_traces(problem) + [
        style.scatter(x=problem.x_plot.astype(np.float32), y=np.asarray(y, dtype=np.float32), mode="lines", name=name,
                      line={"color": colour, "dash": dash, "width": 2.5},
                      hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.4g}<extra>" + name + "</extra>")
        for name, y, colour, dash in fits]
    return style.figure_dict(data, title=title, x_title=X_TITLE, y_title=Y_TITLE, height=height,
                             xaxis=LINEAR, yaxis={"range": _y_range(problem), **LINEAR}, **_outside(problem))


ENVELOPE_BINS = 300
ERROR_FLOOR = 1e-16


def envelope(x: np.ndarray, y: np.ndarray, bins: int = ENVELOPE_BINS) -> tuple[np.ndarray, np.ndarray]:
    """The largest y in each of ``bins`` equal slices of x (x sorted, (n,)): (centres (bins,), maxima (bins,)).

    An error that touches zero at every knot or sample has more pieces than a figure has pixels; its upper
    envelope is what the eye can read (and what the maximum error measures)."""
    edges = np.linspace(0, x.size, bins + 1).astype(int)
    keep = edges[1:] > edges[:-1]
    lo, hi = edges[:-1][keep], edges[1:][keep]
    return 0.5 * (x[lo] + x[hi - 1]), np.maximum.reduceat(y, lo)


def error_figure(problem: Problem, fits: Sequence[tuple[str, np.ndarray, str, str]], title: str) -> dict:
    """Upper envelope of |ŷ(x) − f(x)| on [a, b] (``ENVELOPE_BINS`` slices), log scale, one line per fit
    (name, ŷ on problem.x_dense, colour, dash)."""
    data = []
    for name, y, colour, dash in fits:
        xs, top = envelope(problem.x_dense, np.abs(y - problem.y_dense))
        data.append(style.scatter(x=xs, y=np.maximum(top, ERROR_FLOOR), mode="lines", name=name,
                                  line={"color": colour, "dash": dash, "width": 2},
                                  hovertemplate="x ≈ %{x:.3f}<br>largest |error| nearby = %{y:.3g}<extra>" + name
                                  + "</extra>"))
    return style.figure_dict(data, title=title, x_title=X_TITLE, y_title="largest |ŷ − f| nearby", height=340,
                             xaxis=LINEAR, yaxis=LOG)


def loss_figure(steps: Sequence[float], loss: Sequence[float], title: str = "Training loss") -> dict:
    """Training MSE against optimiser step, log scale (the run's bounded history)."""
    data = [style.scatter(x=list(steps), y=np.maximum(np.asarray(loss, dtype=float), 1e-300), mode="lines",
                          name="training MSE", line={"color": style.TRAIN, "width": 2},
                          hovertemplate="step %{x}<br>MSE = %{y:.3g}<extra></extra>")]
    return style.figure_dict(data, title=title, x_title="optimiser step", y_title="training MSE", height=340,
                             legend=False, xaxis=LINEAR, yaxis=LOG)


_DASHES = ("solid", "dot", "dashdot", "longdash")


def sweep_figure(sweep: Sweep, metric: str = "max") -> dict:
    """Error against width N on log-log axes: one line of markers per method, the two bounds in grey."""
    errors = sweep.max_error if metric == "max" else sweep.rmse
    data = []
    for i, (key, err) in enumerate(errors.items()):
        name = sweep.names[key]
        data.append(style.scatter(x=sweep.widths, y=np.maximum(err, ERROR_FLOOR), mode="lines+markers", name=name,
                                  line={"color": style.series_colour(i), "width": 2, "dash": _DASHES[i % len(_DASHES)]},
                                  marker={"symbol": style.class_symbol(i), "size": 8},
                                  hovertemplate="N = %{x}<br>error = %{y:.3g}<extra>" + name + "</extra>"))
    if metric == "max":
        for key, label, dash in ((BUMPS, "bound for the bumps, max|f′|(b−a)/N (slope −1)", "dot"),
                                 (RELU_KNOTS, "bound for ReLU interpolation, h²max|f″|/8 (slope −2)", "dash")):
            if key in sweep.theory:
                data.append(style.scatter(x=sweep.widths, y=sweep.theory[key], mode="lines", name=label,
                                          line={"color": style.GREY, "dash": dash, "width": 1.5},
                                          hovertemplate="N = %{x}<br>bound = %{y:.3g}<extra>theory</extra>"))
    y_title = "max error on [a, b]" if metric == "max" else "RMS error on [a, b]"
    return style.figure_dict(data, x_title="hidden neurons N", y_title=y_title, height=520,
                             legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
                             xaxis=LOG, yaxis=LOG, margin={"t": 150})


def challenge_figure(ch: Challenge, show_best: bool) -> dict:
    """Nielsen's function dashed, the user's bumps bold, optionally the best possible bumps."""
    data = [style.scatter(x=ch.x, y=ch.target, mode="lines", name="target f(x)",
                          line={"color": style.TARGET, "dash": "dash", "width": 2},
                          hovertemplate="x = %{x:.3f}<br>f = %{y:.3f}<extra>target</extra>")]
    if show_best:
        data.append(style.scatter(x=ch.x, y=ch.best_output, mode="lines", name="best heights (least squares)",
                                  line={"color": style.COMPARE, "width": 2, "dash": "dot"},
                                  hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.3f}<extra>best</extra>"))
    data.append(style.scatter(x=ch.x, y=ch.output, mode="lines", name="your bumps",
                              line={"color": style.MODEL, "width": 3.5},
                              hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.3f}<extra>your bumps</extra>"))
    shapes = [style.vline(float(s), dash="dot")[0] for s in ch.edges[1:-1]]
    for sh in shapes:
        sh["line"]["width"] = 1
    return style.figure_dict(data, title="Nielsen's function and your five bumps", x_title=X_TITLE, y_title=Y_TITLE,
                             height=420, xaxis={"range": [0, 1], **LINEAR}, yaxis={"range": [-0.1, 1.1], **LINEAR},
                             shapes=shapes)


def _scene(domain: list[float], z_title: str) -> dict:
    axis = {"exponentformat": "power", "title": {"font": {"size": 13}}}
    inner = {"tickvals": [-0.5, 0, 0.5]}  # no ±1 labels at the corners, where they sat on the z axis's labels
    return {"domain": {"x": domain, "y": [0, 1]}, "xaxis": {**axis, **inner, "title": {"text": "x₁"}},
            "yaxis": {**axis, **inner, "title": {"text": "x₂"}},
            "zaxis": {**axis, "nticks": 4, "title": {"text": z_title}},
            "camera": {"eye": {"x": 1.5, "y": -1.6, "z": 1.0}}, "aspectmode": "manual",
            "aspectratio": {"x": 1, "y": 1, "z": 0.6}}


_TOWER_TITLES = {"all": "Towers: the target beside the network", "plateaus": "Towers: the target beside the plateaus",
                 "tower": "One tower, step by step"}


def towers_figure(t: Towers, view: str) -> dict:
    """Two surfaces side by side: for view "tower", one tower's x₁-bump + x₂-bump (plateaus) and the same after
    the second layer's bias; for view "all", the target and the network of K × K towers (or the plateau sum)."""
    if view == "tower":
        left, right = t.single_plateau, t.single
        titles = ("x₁-bump + x₂-bump: a cross with plateaus", "σ(W(x₁-bump + x₂-bump − 1.5)): one tower")
        z_titles = ("bump sum", "tower")
    else:
        left, right = t.target, (t.output if view == "all" else t.plateaus)
        titles = ("target f(x₁, x₂)", f"network: {t.k}×{t.k} towers" if view == "all" else
                  "without the bias: plateaus")
        z_titles = ("f", "ŷ")
    lo, hi = float(min(left.min(), right.min())), float(max(left.max(), right.max()))
    data = [style.trace("surface", x=t.x, y=t.y, z=z, colorscale=style.SEQUENTIAL, cmin=lo, cmax=hi, scene=scene,
                        showscale=scene == "scene2",
                        colorbar={"title": {"text": "height", "side": "top"}, "len": 0.8, "thickness": 14,
                                  "exponentformat": "power"},
                        hovertemplate="x₁ = %{x:.2f}<br>x₂ = %{y:.2f}<br>" + name + " = %{z:.3f}<extra></extra>")
            for z, scene, name in ((left, "scene", z_titles[0]), (right, "scene2", z_titles[1]))]
    notes = [{"text": text, "x": x, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "center",
              "yanchor": "bottom", "showarrow": False, "font": {"size": 14}}
             for text, x in zip(titles, (0.24, 0.74), strict=True)]
    return style.figure_dict(data, title=_TOWER_TITLES[view], height=520, legend=False,
                             scene=_scene([0.0, 0.48], z_titles[0]), scene2=_scene([0.5, 0.98], z_titles[1]),
                             annotations=notes, margin={"l": 0, "r": 0, "t": 80, "b": 0})


def weights_rows(net: ShallowNet, max_rows: int = 60) -> dict[str, list]:
    """Columns of a weights table (neuron, w, b, where it switches, v), at most ``max_rows`` rows."""
    n = min(net.width, max_rows)
    return {"neuron i": list(range(1, n + 1)), "wᵢ": net.w[:n].tolist(), "bᵢ": net.b[:n].tolist(),
            "switches at x": net.positions()[:n].tolist(), "vᵢ": net.v[:n].tolist()}
