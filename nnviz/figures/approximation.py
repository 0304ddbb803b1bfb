"""Figures of the universal-approximation page: results from ``nnviz.approximation`` in, go.Figure out.

Many neurons are drawn as ONE trace with None separators (two traces: positive and negative output weights),
so a figure stays light however wide the network. ``freeze``/``thaw`` let a page cache a built figure as a
plain dict and show it again without paying plotly's validation a second time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from nnviz.approximation import Challenge, Decomposition, Problem, ShallowNet, Sweep, Towers
from nnviz.figures import style

X_TITLE = "input x"
Y_TITLE = "output y"


def freeze(fig: go.Figure) -> dict:
    """A figure as a plain dict (cheap to cache and to copy)."""
    return fig.to_dict()


def thaw(spec: dict) -> go.Figure:
    """A figure back from ``freeze`` without re-validating it (the dict came from a valid figure)."""
    return go.Figure(spec, _validate=False)


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


def _target_traces(problem: Problem) -> list[go.Scatter]:
    traces = [go.Scatter(x=problem.x_plot, y=problem.y_plot, mode="lines", name="target f(x)",
                         line={"color": style.TARGET, "dash": "dash", "width": 2},
                         hovertemplate="x = %{x:.3f}<br>f(x) = %{y:.4g}<extra>target</extra>")]
    if problem.noise > 0:
        traces.append(go.Scatter(x=problem.x_train, y=problem.y_train, mode="markers", name="noisy samples",
                                 marker={"color": style.GREY, "size": 4},
                                 hovertemplate="x = %{x:.3f}<br>y = %{y:.4g}<extra>sample</extra>"))
    return traces


def _neuron_trace(dec: Decomposition, net: ShallowNet, sign: int) -> go.Scatter | None:
    """All shown neurons with v_i of one sign as a single None-separated line (no per-point hover data)."""
    pick = [k for k, i in enumerate(dec.idx) if (net.v[i] >= 0) == (sign > 0)]
    if not pick:
        return None
    xs = np.tile(np.append(dec.x_curves, np.nan), len(pick)).astype(np.float32)
    ys = np.concatenate([np.append(dec.curves[k], np.nan) for k in pick]).astype(np.float32)
    colour = style.POSITIVE if sign > 0 else style.NEGATIVE
    return go.Scatter(x=xs, y=ys, mode="lines", connectgaps=False, opacity=0.55, hoverinfo="skip",
                      name=f"neurons with v {'≥' if sign > 0 else '<'} 0", line={"color": colour, "width": 1})


def _handle_trace(dec: Decomposition, net: ShallowNet) -> go.Scatter:
    """One dot per shown neuron where it switches (-b/w), carrying its weights for hovering."""
    i = dec.idx
    info = np.column_stack([i + 1, net.w[i], net.b[i], net.v[i]])
    colours = [style.weight_colour(v) for v in net.v[i]]
    return go.Scatter(x=dec.anchor_x, y=dec.anchor_y, mode="markers", name="neuron (hover for its weights)",
                      marker={"color": colours, "size": 6, "line": {"color": "white", "width": 0.5}},
                      customdata=info,
                      hovertemplate=("neuron %{customdata[0]:.0f}: w = %{customdata[1]:.4g}, b = %{customdata[2]:.4g}, "
                                     "v = %{customdata[3]:.4g}<br>switches at −b/w = %{x:.4g}<extra></extra>"))


def decomposition_figure(problem: Problem, dec: Decomposition, net: ShallowNet, title: str,
                         windows: Sequence[float] = (), window: float = 0.0) -> go.Figure:
    """Each shown neuron's v_i φ(w_i x + b_i) thin, their sum (the network) bold, the target dashed.

    ``windows``: step positions whose failure window (width ``window`` in x) is shaded purple.
    """
    data: list = []
    yr = _y_range(problem)
    if window > 0 and len(windows):
        xs, ys = [], []
        for s in windows:
            xs += [s - window / 2, s + window / 2, s + window / 2, s - window / 2, s - window / 2, None]
            ys += [yr[0], yr[0], yr[1], yr[1], yr[0], None]
        data.append(go.Scatter(x=xs, y=ys, fill="toself", mode="lines", line={"width": 0},
                               fillcolor="rgba(204,121,167,0.25)", name="window of failure (1%–99% rise)",
                               hoverinfo="skip"))
    data += [t for t in (_neuron_trace(dec, net, 1), _neuron_trace(dec, net, -1)) if t is not None]
    data.append(_handle_trace(dec, net))
    data += _target_traces(problem)
    data.append(go.Scatter(x=dec.x, y=dec.total, mode="lines", name="network ŷ(x) = Σ vᵢφ(wᵢx+bᵢ) + c",
                           line={"color": style.MODEL, "width": 3.5},
                           hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.4g}<extra>network</extra>"))
    return style.make_figure(data, title=title, x_title=X_TITLE, y_title=Y_TITLE, height=440,
                             yaxis={"range": yr}, **_outside(problem))


def fit_figure(problem: Problem, fits: Sequence[tuple[str, np.ndarray, str]], title: str,
               height: int = 380) -> go.Figure:
    """Target dashed and each fit (name, ŷ on problem.x_plot, colour) as a line; the outside greyed."""
    data = _target_traces(problem) + [
        go.Scatter(x=problem.x_plot, y=y, mode="lines", name=name, line={"color": colour, "width": 2.5},
                   hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.4g}<extra>" + name + "</extra>")
        for name, y, colour in fits]
    return style.make_figure(data, title=title, x_title=X_TITLE, y_title=Y_TITLE, height=height,
                             yaxis={"range": _y_range(problem)}, **_outside(problem))


def error_figure(problem: Problem, fits: Sequence[tuple[str, np.ndarray, str]], title: str) -> go.Figure:
    """|ŷ(x) − f(x)| on the dense grid of [a, b], log scale, one line per fit (name, ŷ on x_dense, colour)."""
    data = [go.Scatter(x=problem.x_dense, y=np.maximum(np.abs(y - problem.y_dense), 1e-16), mode="lines", name=name,
                       line={"color": colour, "width": 1.5},
                       hovertemplate="x = %{x:.3f}<br>|error| = %{y:.3g}<extra>" + name + "</extra>")
            for name, y, colour in fits]
    return style.make_figure(data, title=title, x_title=X_TITLE, y_title="|ŷ(x) − f(x)| (log scale)", height=320,
                             yaxis={"type": "log", "exponentformat": "power"})


def loss_figure(steps: np.ndarray, loss: np.ndarray, title: str = "Training loss") -> go.Figure:
    """Training MSE against optimiser step, log scale."""
    data = [go.Scatter(x=steps, y=np.maximum(loss, 1e-300), mode="lines", name="training MSE",
                       line={"color": style.TRAIN, "width": 2},
                       hovertemplate="step %{x}<br>MSE = %{y:.3g}<extra></extra>")]
    return style.make_figure(data, title=title, x_title="optimiser step", y_title="training MSE (log scale)",
                             height=330, legend=False, yaxis={"type": "log", "exponentformat": "power"})


def sweep_figure(sweep: Sweep, metric: str = "max") -> go.Figure:
    """Error against width N on log-log axes: one line of markers per method, its theory bound dotted."""
    errors = sweep.max_error if metric == "max" else sweep.rmse
    data = []
    for i, (name, err) in enumerate(errors.items()):
        colour = style.series_colour(i)
        data.append(go.Scatter(x=sweep.widths, y=np.maximum(err, 1e-16), mode="lines+markers", name=name,
                               line={"color": colour, "width": 2},
                               hovertemplate="N = %{x}<br>error = %{y:.3g}<extra>" + name + "</extra>"))
        if metric == "max" and name in sweep.theory:
            label = "bound max|f′|(b−a)/N  (slope −1)" if "bumps" in name else "bound h²max|f″|/8  (slope −2)"
            data.append(go.Scatter(x=sweep.widths, y=sweep.theory[name], mode="lines", name=label,
                                   line={"color": colour, "dash": "dot", "width": 1.5},
                                   hovertemplate="N = %{x}<br>bound = %{y:.3g}<extra>theory</extra>"))
    y_title = "max error on [a, b]" if metric == "max" else "RMS error on [a, b]"
    fig = style.make_figure(data, x_title="hidden neurons N (log scale)", y_title=y_title + " (log scale)",
                            height=440, xaxis={"type": "log", "exponentformat": "power"},
                            yaxis={"type": "log", "exponentformat": "power"}, margin={"t": 25})
    return fig.update_layout(legend={"orientation": "v", "x": 0.01, "xanchor": "left", "y": 0.01, "yanchor": "bottom",
                                     "bgcolor": "rgba(255,255,255,0.8)"})


def challenge_figure(ch: Challenge, show_best: bool) -> go.Figure:
    """Nielsen's function dashed, the user's bumps bold, optionally the best possible bumps."""
    data = [go.Scatter(x=ch.x, y=ch.target, mode="lines", name="target f(x)",
                       line={"color": style.TARGET, "dash": "dash", "width": 2},
                       hovertemplate="x = %{x:.3f}<br>f = %{y:.3f}<extra>target</extra>")]
    if show_best:
        H = ch.net.hidden(ch.x)
        data.append(go.Scatter(x=ch.x, y=(H[:, 0::2] - H[:, 1::2]) @ ch.best_heights, mode="lines",
                               name="best heights (least squares)",
                               line={"color": style.COMPARE, "width": 2, "dash": "dot"},
                               hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.3f}<extra>best</extra>"))
    data.append(go.Scatter(x=ch.x, y=ch.output, mode="lines", name="your bumps",
                           line={"color": style.GREEN if ch.success else style.MODEL, "width": 3.5},
                           hovertemplate="x = %{x:.3f}<br>ŷ = %{y:.3f}<extra>your bumps</extra>"))
    shapes = [style.vline(float(s), dash="dot")[0] for s in ch.edges[1:-1]]
    for sh in shapes:
        sh["line"]["width"] = 1
    return style.make_figure(data, x_title=X_TITLE, y_title=Y_TITLE, height=360, xaxis={"range": [0, 1]},
                             yaxis={"range": [-0.1, 1.1]}, shapes=shapes)


def towers_figure(t: Towers, view: str) -> go.Figure:
    """Two surfaces side by side: for view "tower", one tower's x-bump + y-bump (plateaus) and the same after the
    second layer's bias; for view "all", the target and the network of K x K towers (or the plateau sum)."""
    if view == "tower":
        left, right = t.single_plateau, t.single
        titles = ("x-bump + y-bump: a cross with plateaus", "σ(W(x-bump + y-bump − 1.5)): one tower")
        z_title = ("sum", "tower")
    else:
        left, right = t.target, (t.output if view == "all" else t.plateaus)
        titles = ("target f(x, y)", "network: K×K towers" if view == "all" else "without the bias: plateaus")
        z_title = ("f", "ŷ")
    fig = make_subplots(rows=1, cols=2, specs=[[{"type": "surface"}, {"type": "surface"}]], subplot_titles=titles,
                        horizontal_spacing=0.02)
    lo = float(min(left.min(), right.min()))
    hi = float(max(left.max(), right.max()))
    for col, z, name in ((1, left, z_title[0]), (2, right, z_title[1])):
        fig.add_trace(go.Surface(x=t.x, y=t.y, z=z, colorscale=style.SEQUENTIAL, cmin=lo, cmax=hi,
                                 showscale=col == 2, colorbar={"title": {"text": "height"}, "len": 0.8},
                                 hovertemplate="x₁ = %{x:.2f}<br>x₂ = %{y:.2f}<br>" + name
                                 + " = %{z:.3f}<extra></extra>"),
                      row=1, col=col)
    scene = {"xaxis_title": "input x₁", "yaxis_title": "input x₂", "zaxis_title": "y",
             "camera": {"eye": {"x": 1.5, "y": -1.6, "z": 1.0}}, "aspectmode": "manual",
             "aspectratio": {"x": 1, "y": 1, "z": 0.6}}
    fig.update_layout(scene=scene, scene2=scene)
    fig = style.apply_layout(fig, height=470, legend=False)
    fig.update_layout(margin={"l": 0, "r": 0, "t": 40, "b": 0})
    return fig


def weights_rows(net: ShallowNet, max_rows: int = 60) -> dict[str, list]:
    """Columns of a weights table (neuron, w, b, −b/w, v), at most ``max_rows`` rows."""
    n = min(net.width, max_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(net.w[:n] != 0, -net.b[:n] / net.w[:n], np.nan)
    return {"neuron i": list(range(1, n + 1)), "wᵢ": net.w[:n].tolist(), "bᵢ": net.b[:n].tolist(),
            "position −bᵢ/wᵢ": pos.tolist(), "vᵢ": net.v[:n].tolist()}
