"""Figures of the skip-and-feedback page: diagrams, gradient flow, degradation, shattering, landscapes, RNNs.

Results in (the frozen dataclasses of nnviz.topics.skip_and_feedback), ``go.Figure`` out; nothing here trains or
differentiates. Colours: plain = vermillion,
residual / skip = blue, vanilla RNN = vermillion, LSTM = blue, GRU = green, baselines black dashed; every colour that
tells series apart comes with its own dash or marker shape as well (issue 19: never colour alone).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import style

PLAIN = style.VERMILLION
RESIDUAL = style.BLUE
CELL_COLOURS = {"rnn": style.VERMILLION, "lstm": style.BLUE, "gru": style.GREEN}
DEPTH_DASH = ("dot", "dash", "solid", "dashdot")


def _grid(x, axis: str = "x") -> dict:
    """A uniform grid as plotly's x0/dx (smaller and faster to send than the array), else the array itself."""
    x = np.asarray(x, dtype=float)
    if len(x) >= 2 and np.allclose(np.diff(x), x[1] - x[0], rtol=1e-6, atol=1e-9):
        return {f"{axis}0": float(x[0]), f"d{axis}": float(x[1] - x[0])}
    return {axis: x}


def _pos(v) -> np.ndarray:
    """Values for a log axis: zeros and negatives (which a log axis cannot show) become gaps."""
    v = np.asarray(v, dtype=float)
    return np.where(v > 0, v, np.nan)


# --------------------------------------------------------------------------------------------------
# Diagrams, as Graphviz DOT text: drawn by the browser, so a rerun sends a few hundred bytes instead of building
# and serialising a plotly figure full of shapes (that was 40 ms of every rerun for four diagrams).

_DOT_HEAD = ('digraph {{ rankdir={rankdir}; bgcolor="transparent"; nodesep=0.3; ranksep=0.35; '
             'node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=14, height=0.4, '
             'color="{plain}", fillcolor="#fbe9df", penwidth=1.6]; '
             'edge [color="{black}", penwidth=1.6, arrowsize=0.7, fontname="Helvetica", fontsize=12]; ')


def dot(body: str, rankdir: str = "LR", label: str = "") -> str:
    head = _DOT_HEAD.format(rankdir=rankdir, plain=PLAIN, black=style.BLACK)
    caption = f'label=<{label}>; labelloc="t"; labeljust="l"; fontname="Helvetica"; fontsize=15; ' if label else ""
    return head + caption + body + "}"


_SUB = str.maketrans("0123456789tl-", "₀₁₂₃₄₅₆₇₈₉ₜₗ₋")


def sub(text: str) -> str:
    """Unicode subscripts (h₁, hₜ, hₗ₋₁): Graphviz's HTML subscripts overlap in the browser's renderer."""
    return text.translate(_SUB)


def node(name: str, label: str, kind: str) -> str:
    styles = {"end": f'style="rounded", color="{style.BLACK}"',
              "layer": f'style="rounded,filled", color="{PLAIN}", fillcolor="#fbe9df"',
              "state": f'style="rounded,filled", color="{RESIDUAL}", fillcolor="#eef4fb"'}
    return f'{name} [label="{label}", {styles[kind]}]; '


#: Narrow nodes and gaps for the diagrams whose labels are a symbol or two: drawn at the column's width, a
#: narrower drawing is scaled down less, so its text stays readable on a phone (tests/test_browser_architectures).
_COMPACT = "nodesep=0.2; ranksep=0.3; node [width=0.45, margin=\"0.06,0.04\"]; "


def chain_diagram() -> str:
    """A plain chain x -> F_1 -> F_2 -> F_3 -> y: every signal passes through every layer (DOT)."""
    body = (_COMPACT + node("x", "x", "end") + node("y", "y", "end")
            + "".join(node(f"F{i}", "F" + sub(str(i)), "layer") for i in (1, 2, 3)) + "x -> F1 -> F2 -> F3 -> y; ")
    h_l, f_l, h_prev = "h" + sub("l"), "F" + sub("l"), "h" + sub("l-1")
    return dot(body, label=f"Plain chain: {h_l} = {f_l}({h_prev})")


def residual_block_diagram() -> str:
    """A residual block y = x + F(x): the identity path skips the branch F (DOT)."""
    body = (node("x", "x", "end") + node("y", "y", "end") + node("F", "F(x) = W φ(x) + b", "layer")
            + f'plus [label="+", shape=circle, width=0.35, fixedsize=true, style="", color="{style.BLACK}"]; '
            + "x -> F -> plus -> y; "
            + f'x -> plus [color="{RESIDUAL}", penwidth=2.5, fontcolor="{RESIDUAL}", '
            'label="identity: ∂y/∂x = I + ∂F/∂x", constraint=false]; ')
    return dot(body, label="Residual block: y = x + F(x)")


def rnn_rolled_diagram() -> str:
    """A recurrent cell rolled up: h_t feeds back into itself through W (DOT)."""
    body = (node("x", "x" + sub("t"), "end") + node("y", "y" + sub("t"), "end")
            + node("h", "h" + sub("t"), "state")
            + 'x -> h [label=" U"]; h -> y; '
            + f'h -> h [label=" W", color="{style.VERMILLION}", fontcolor="{style.VERMILLION}", penwidth=2.5]; ')
    return dot(body, rankdir="BT", label="Rolled up")


def rnn_unrolled_diagram(T: int) -> str:
    """The same cell unrolled over T steps: a depth-T network sharing W, U and b at every step (DOT)."""
    T = int(max(1, T))
    shown = list(range(1, T + 1)) if T <= 6 else [1, 2, None, T - 1, T]
    nodes, edges, prev = [_COMPACT, node("h0", "h" + sub("0"), "end")], [], "h0"
    for t in shown:
        if t is None:
            nodes.append('dots [label="· · ·", shape=plain]; ')
            edges.append(f'{prev} -> dots [color="{style.VERMILLION}"]; {{rank=same; {prev}; dots}} ')
            prev = "dots"
            continue
        nodes.append(node(f"x{t}", "x" + sub(str(t)), "end") + node(f"h{t}", "h" + sub(str(t)), "state"))
        w = f', label=" W", fontcolor="{style.VERMILLION}"' if t == shown[0] else ""  # W named once: it is shared
        edges.append(f'x{t} -> h{t}; {{rank=same; {prev}; h{t}}} {prev} -> h{t} [color="{style.VERMILLION}"{w}]; ')
        prev = f"h{t}"
    steps = f"{T} step{'s' if T > 1 else ''}"
    return dot("".join(nodes) + "".join(edges), rankdir="BT", label=f"Unrolled over T = {steps} (shared W, U, b)")


# --------------------------------------------------------------------------------------------------
# Log axes: decades only, never more than about eight labels, never SI suffixes


def log_axis(*values, max_ticks: int = 8, floor: float | None = None, cap: float | None = None) -> dict:
    """A log axis over the positive finite ``values``: ticks at powers of ten only (every k-th decade when the range
    spans more than ``max_ticks`` decades), written 10^k. ``floor``/``cap`` bound the range (log10 units)."""
    v = np.concatenate([np.asarray(x, dtype=float).ravel() for x in values]) if values else np.array([1.0])
    v = v[np.isfinite(v) & (v > 0)]
    lo, hi = (float(np.log10(v.min())), float(np.log10(v.max()))) if len(v) else (-1.0, 1.0)
    if floor is not None:
        lo = max(lo, floor)
    if cap is not None:
        hi = min(hi, cap)
    lo, hi = math.floor(lo - 0.05), math.ceil(hi + 0.05)
    if hi - lo < 1:
        hi = lo + 1
    step = max(1, math.ceil((hi - lo) / max_ticks))
    return {"type": "log", "range": [lo, hi], "tick0": 0, "dtick": step, "exponentformat": "power",
            "minorloglabels": "none"}


def _side_by_side(titles: Sequence[str], gap: float = 0.06) -> dict:
    """Layout keys for panels side by side (xaxis, xaxis2, ... each with its own y axis) and their titles.

    Written as plain layout instead of ``make_subplots``, which validates every property and cost 0.1-0.4 s a
    figure (a page's first visit paid it for each).
    """
    n = len(titles)
    width = (1 - gap * (n - 1)) / n
    layout, notes = {}, []
    for i, title in enumerate(titles):
        sfx = "" if i == 0 else str(i + 1)
        x0 = i * (width + gap)
        layout[f"xaxis{sfx}"] = {"domain": [x0, x0 + width], "anchor": f"y{sfx}"}
        layout[f"yaxis{sfx}"] = {"anchor": f"x{sfx}"}
        notes.append({"text": title, "x": x0 + width / 2, "y": 1.0, "xref": "paper", "yref": "paper",
                      "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 14}})
    layout["annotations"] = notes
    return layout


def _axes(i: int) -> dict:
    """The axis names of panel i (0-based) for a trace: {"xaxis": "x2", "yaxis": "y2"}."""
    sfx = "" if i == 0 else str(i + 1)
    return {"xaxis": f"x{sfx}", "yaxis": f"y{sfx}"}


# --------------------------------------------------------------------------------------------------
# Skip connections


def gradient_flow_figure(gf, wrt: str) -> go.Figure:
    """Gradient norm per layer (log scale), plain against residual. ``gf``: residual.GradientFlow; ``wrt`` is
    "weights" (||dL/dW_l||) or "hidden" (||dL/dh_l||)."""
    plain, residual = (gf.plain, gf.residual) if wrt == "weights" else (gf.plain_h, gf.residual_h)
    title = "‖∂L/∂W_l‖ (log scale)" if wrt == "weights" else "‖∂L/∂h_l‖ (log scale)"
    data = [go.Scatter(**_grid(gf.layer), y=_pos(g), mode="lines+markers", name=name,
                       line={"color": colour, "width": 2, "dash": dash}, marker={"size": 6, "symbol": symbol,
                                                                               "maxdisplayed": 40},
                       hovertemplate=f"{name}<br>layer %{{x}}<br>norm %{{y:.3g}}<extra></extra>")
            for name, g, colour, dash, symbol in (("plain", plain, PLAIN, "dash", "x"),
                                                  ("residual", residual, RESIDUAL, "solid", "circle"))]
    return style.make_figure(data, x_title="layer l (1 = nearest the input)", y_title=title, height=360,
                             yaxis=log_axis(plain, residual))


def degradation_figure(curves, depths: Sequence[int]) -> go.Figure:
    """Training loss against step: plain networks on the left, residual on the right, one line per depth.
    ``curves``: residual.Curves with names "plain d" / "residual d"."""
    steps = np.asarray(curves.steps, dtype=float)
    data = []
    for c, (kind, colour) in enumerate((("plain", PLAIN), ("residual", RESIDUAL))):
        for i, d in enumerate(depths):
            ys = curves.loss.get(f"{kind} {d}")
            if ys:
                data.append(go.Scatter(
                    x=steps[: len(ys)], y=np.asarray(ys, dtype=float), mode="lines", name=f"{d} layers",
                    legendgroup=str(d), showlegend=False, **_axes(c),
                    line={"color": colour, "width": 1.5 + 0.6 * i, "dash": DEPTH_DASH[i % 4]},
                    hovertemplate=f"{kind}, {d} layers<br>step %{{x}}<br>loss %{{y:.3g}}<extra></extra>"))
    for i, d in enumerate(depths):  # legend keys in neutral black: line style = depth, colour = panel
        data.append(go.Scatter(x=[None], y=[None], mode="lines", name=f"{d} layers", legendgroup=str(d),
                               line={"color": style.BLACK, "width": 1.5 + 0.6 * i, "dash": DEPTH_DASH[i % 4]}))
    layout = _side_by_side(("plain (no skips)", "residual (with skips)"), gap=0.04)
    axis = log_axis(*curves.loss.values())
    layout["yaxis"].update(axis, title={"text": "training loss (MSE)"})
    layout["yaxis2"].update(axis, matches="y", showticklabels=False)
    for k in ("xaxis", "xaxis2"):
        layout[k]["title"] = {"text": "training step"}
    return style.make_figure(data, height=400, margin={"t": 85}, legend={"y": 1.1}, **layout)


def shattered_figure(nets: Mapping[str, object], labels: Mapping[str, str]) -> go.Figure:
    """dy/dx against x, one panel per network. ``nets``: name -> residual.ShatteredNet."""
    names = list(nets)
    data = [go.Scatter(**_grid(nets[n].x), y=nets[n].grad, mode="lines", **_axes(c),
                       line={"color": style.series_colour(c), "width": 1.5}, name=labels[n], showlegend=False,
                       hovertemplate="x %{x:.3f}<br>dy/dx %{y:.3g}<extra>" + labels[n] + "</extra>")
            for c, n in enumerate(names)]
    layout = _side_by_side([labels[n] for n in names], gap=0.08)
    for c in range(len(names)):
        sfx = "" if c == 0 else str(c + 1)
        layout[f"xaxis{sfx}"]["title"] = {"text": "input x"}
        layout[f"yaxis{sfx}"]["exponentformat"] = "power"
    layout["yaxis"]["title"] = {"text": "gradient dy/dx"}
    return style.make_figure(data, height=300, legend=False, **layout)


def autocorrelation_figure(nets: Mapping[str, object], labels: Mapping[str, str]) -> go.Figure:
    """Autocorrelation r(k) of dy/dx across neighbouring inputs, against lag k."""
    data = [go.Scatter(x0=0, dx=1, y=net.autocorr, mode="lines+markers", name=labels[n],
                       line={"color": style.series_colour(i), "width": 2, "dash": DEPTH_DASH[(i + 2) % 4]},
                       marker={"size": 6, "symbol": style.class_symbol(i)},
                       hovertemplate=labels[n] + "<br>lag %{x}<br>r %{y:.3f}<extra></extra>")
            for i, (n, net) in enumerate(nets.items())]
    step = 4 / (len(next(iter(nets.values())).x) - 1)
    return style.make_figure(data, x_title=f"lag k (inputs {step:.3g} apart)", y_title="autocorrelation r(k)",
                             height=340, yaxis={"range": [-0.4, 1.05]}, margin={"t": 75},
                             shapes=[style.hline(0, colour=style.GREY, dash="solid")[0]])


def gradient_covariance_figure(nets: Mapping[str, object], labels: Mapping[str, str], stride: int = 4) -> go.Figure:
    """Correlation between inputs i and j of the last-layer units' gradients: one heatmap per network."""
    names = list(nets)
    data = []
    for c, n in enumerate(names):
        xs = nets[n].x[::stride]
        data.append(go.Heatmap(**_grid(xs), **_grid(xs, "y"), z=nets[n].corr[::stride, ::stride].astype(np.float32),
                               zmin=-1, zmax=1, colorscale=style.DIVERGING, showscale=c == len(names) - 1, **_axes(c),
                               colorbar={"title": {"text": "corr.", "side": "top"}, "len": 0.9,
                                         "tickvals": [-1, -0.5, 0, 0.5, 1]},
                               hovertemplate="x_i %{y:.2f}<br>x_j %{x:.2f}<br>corr %{z:.2f}<extra></extra>"))
    layout = _side_by_side([labels[n] for n in names], gap=0.06)
    for c in range(len(names)):
        sfx = "" if c == 0 else str(c + 1)
        layout[f"xaxis{sfx}"].update(title={"text": "input x_j"}, dtick=2)
        layout[f"yaxis{sfx}"].update(dtick=2)
    layout["yaxis"]["title"] = {"text": "input x_i"}
    return style.make_figure(data, height=340, legend=False, **layout)


def landscape_figure(surfaces: Mapping[str, object]) -> go.Figure:
    """log10 loss contours on the random 2-D slice, one panel per network. ``surfaces``: kind -> Landscape."""
    names = list(surfaces)
    titles = {"plain": "no skips", "residual": "with skips"}  # short: two panels share 390 px on a phone
    all_logs = [np.log10(np.maximum(s.loss, 1e-8)) for s in surfaces.values()]
    lo = float(min(np.min(v) for v in all_logs))
    hi = float(max(np.max(v) for v in all_logs))
    data = []
    for c, (n, logl) in enumerate(zip(names, all_logs, strict=True)):
        s = surfaces[n]
        data.append(go.Contour(**_grid(s.a), **_grid(s.b, "y"), z=logl.astype(np.float32), zmin=lo, zmax=hi,
                               colorscale=style.SEQUENTIAL, ncontours=24, showscale=c == len(names) - 1,
                               colorbar={"title": {"text": "log₁₀ loss", "side": "top"}},
                               contours={"coloring": "heatmap"}, line={"width": 0.5}, **_axes(c),
                               hovertemplate="α %{x:.2f}<br>β %{y:.2f}<br>log₁₀ loss %{z:.2f}<extra></extra>"))
        data.append(go.Scatter(x=[0], y=[0], mode="markers", marker={"symbol": "x", "size": 10, "color": "white",
                               "line": {"width": 1, "color": style.BLACK}}, **_axes(c),
                               hovertext="the trained weights θ*", hoverinfo="text", showlegend=False))
    layout = _side_by_side([titles.get(n, n) for n in names], gap=0.1)
    for c in range(len(names)):
        sfx = "" if c == 0 else str(c + 1)
        layout[f"xaxis{sfx}"].update(title={"text": "α (along d₁)"}, dtick=1)
        layout[f"yaxis{sfx}"].update(dtick=0.5, title={"text": "β (along d₂)" if c == 0 else ""})
    return style.make_figure(data, height=400, legend=False, **layout)


# --------------------------------------------------------------------------------------------------
# Feedback connections


def trajectories_figure(tr) -> go.Figure:
    """The input sequence above, every hidden unit's h_t below (one light trace), ||h_t|| highlighted.
    ``tr``: recurrent.Trajectories."""
    n = tr.h.shape[1]
    h = np.where(np.isfinite(tr.h), tr.h, np.nan)
    xs = np.concatenate([np.append(tr.t, np.nan) for _ in range(n)])
    ys = np.concatenate([np.append(h[:, i], np.nan) for i in range(n)])
    data = [
        go.Scatter(**_grid(tr.t), y=tr.x, mode="lines+markers", name="input x_t", line={"color": style.BLACK},
                   marker={"size": 3}, xaxis="x", yaxis="y2", hovertemplate="t %{x}<br>x %{y:.3f}<extra></extra>"),
        go.Scatter(x=xs, y=ys, mode="lines", name=f"{n} hidden units h_t,i", connectgaps=False,
                   line={"color": style.SKY, "width": 1}, opacity=0.8,
                   hovertemplate="t %{x}<br>h %{y:.3g}<extra>a hidden unit</extra>"),
        go.Scatter(**_grid(tr.t), y=np.where(np.isfinite(tr.norm), tr.norm, np.nan), mode="lines", name="‖h_t‖",
                   line={"color": style.BLUE, "width": 3}, hovertemplate="t %{x}<br>‖h‖ %{y:.3g}<extra></extra>"),
    ]
    return style.make_figure(
        data, height=400, xaxis={"title": {"text": "time step t"}, "anchor": "y"},
        yaxis={"domain": [0, 0.72], "title": {"text": "hidden state"}, "exponentformat": "power"},
        yaxis2={"domain": [0.8, 1], "title": {"text": "x_t"}, "anchor": "x"})


def time_gradient_figure(tg) -> go.Figure:
    """||dh_T/dh_t|| against T - t with Pascanu's bound, and BPTT's per-step gradient terms (clipped or not).
    ``tg``: recurrent.TimeGradients."""
    clipped = tg.clip is not None
    data = [
        go.Scatter(**_grid(tg.lag), y=_pos(tg.jac), mode="lines", name="‖∂h_T/∂h_t‖",
                   line={"color": style.BLUE, "width": 3},
                   hovertemplate="T−t %{x}<br>‖∂h_T/∂h_t‖ %{y:.3g}<extra></extra>"),
        go.Scatter(**_grid(tg.lag), y=_pos(tg.bound), mode="lines", name="bound (γ‖W‖)^(T−t)",
                   line={"color": style.BLACK, "dash": "dash", "width": 1.5},
                   hovertemplate="T−t %{x}<br>bound %{y:.3g}<extra></extra>"),
        go.Scatter(x0=0, dx=1, y=_pos(tg.contrib), mode="lines", name="step-t term of ∂L/∂W",
                   line={"color": style.ORANGE, "width": 1.5, "dash": "dot" if clipped else "dashdot"},
                   hovertemplate="T−t %{x}<br>‖term‖ %{y:.3g}<extra></extra>"),
    ]
    shown = [tg.jac, tg.contrib]
    if clipped:
        data.append(go.Scatter(x0=0, dx=1, y=_pos(tg.contrib * tg.clip_scale), mode="lines",
                               name="same term after clipping",
                               line={"color": style.VERMILLION, "width": 2, "dash": "longdash"},
                               hovertemplate="T−t %{x}<br>‖clipped term‖ %{y:.3g}<extra></extra>"))
        shown.append(tg.contrib * tg.clip_scale)
    # the bound may run off to 10^100: show it only over the range the measured curves use, plus a margin
    axis = log_axis(*shown)
    axis["range"] = [axis["range"][0] - 1, axis["range"][1] + 1]
    return style.make_figure(data, x_title="steps back in time, T − t", y_title="norm (log scale)", height=380,
                             yaxis=axis)


def adding_figure(curves, labels: Mapping[str, str], baseline: float) -> go.Figure:
    """Training MSE on the adding problem per cell type, against the always-answer-1 baseline (a legend entry,
    not a label on the plot, so it never sits on a curve). ``curves``: residual.Curves."""
    steps = np.asarray(curves.steps, dtype=float)
    data = [go.Scatter(x=steps[: len(ys)], y=np.asarray(ys, dtype=float), mode="lines+markers", name=labels.get(c, c),
                       line={"color": CELL_COLOURS.get(c, style.PURPLE), "width": 2.5, "dash": DEPTH_DASH[(i + 1) % 4]},
                       marker={"symbol": style.class_symbol(i), "size": 7, "maxdisplayed": 12},
                       hovertemplate=labels.get(c, c) + "<br>step %{x}<br>MSE %{y:.4f}<extra></extra>")
            for i, (c, ys) in enumerate(curves.loss.items()) if ys]
    end = float(steps[-1]) if len(steps) else 1.0
    data.append(go.Scatter(x=[0, end], y=[baseline, baseline], mode="lines", name=f"always answer 1: {baseline:.3f}",
                           line={"color": style.BLACK, "dash": "dash", "width": 1.5}, hoverinfo="skip"))
    return style.make_figure(data, x_title="training step (mini-batches of 64)", y_title="training MSE (log scale)",
                             height=370, yaxis=log_axis(baseline, *curves.loss.values()))


def joint_jacobian_figure(series: Sequence[tuple[str, np.ndarray, str, str]]) -> go.Figure:
    """||dh_out/dh_in|| against steps travelled (layers or time steps), all on one log axis.

    ``series``: (name, norms (k+1,), colour, dash) with norms[0] = 1 at zero steps. The axis shows 10^-12..10^12
    at most; beyond it a curve leaves the plot (it has vanished or exploded).
    """
    data = [go.Scatter(x0=0, dx=1, y=_pos(norms), mode="lines+markers", name=name,
                       line={"color": colour, "dash": dash, "width": 2.5},
                       marker={"symbol": style.class_symbol(i), "size": 7, "maxdisplayed": 12},
                       hovertemplate=name + "<br>steps %{x}<br>norm %{y:.3g}<extra></extra>")
            for i, (name, norms, colour, dash) in enumerate(series)]
    axis = log_axis(*[n for _, n, _, _ in series], floor=-12, cap=12)
    return style.make_figure(data, x_title="steps travelled (layers, or time steps back)",
                             y_title="Jacobian norm ‖∂h_out/∂h_in‖₂", height=480, yaxis=axis,
                             shapes=[style.hline(1, colour="#d0d0d0", dash="solid")[0]])


# --------------------------------------------------------------------------------------------------
# Skips as sound: the deep waveshaper

WAVE_PERIODS = 3
WAVE_START_S = 0.25


def waveshaper_energy_figure(r) -> go.Figure:
    """AC energy after each layer in dB re the input, plain against residual, with the -60 dB "washed out" line.
    ``r``: waveshaper.Waveshaped (energies (L+1,), floored at FLOOR_DB)."""
    from nnviz.topics.skip_and_feedback import waveshaper as ws

    layer = np.arange(r.depth + 1)
    mode = "lines+markers" if r.depth <= 40 else "lines"
    series = (("plain: φ(a·y + b)", r.plain, PLAIN, "dash", "x"),
              ("residual: y + α·φ(a·y + b)", r.residual, RESIDUAL, "solid", "circle"))
    data = [go.Scatter(**_grid(layer), y=ws.db(e), mode=mode, name=name, line={"color": colour, "dash": dash,
                       "width": 2.5}, marker={"symbol": symbol, "size": 6},
                       hovertemplate=f"{name}<br>layer %{{x}}<br>%{{y:.1f}} dB<extra></extra>")
            for name, e, colour, dash, symbol in series]
    gone = 10 * math.log10(ws.GONE)
    data.append(go.Scatter(x=[0, r.depth], y=[gone, gone], mode="lines", name=f"washed out ({gone:.0f} dB)",
                           line={"color": style.GREY, "dash": "dot", "width": 1.5}, hoverinfo="skip"))
    levels = np.concatenate([ws.db(r.plain), ws.db(r.residual)])
    lo, hi = min(float(levels.min()), gone), float(levels.max())
    return style.make_figure(data, title="Energy of the sound after each layer", x_title="layer l (0 = the input)",
                             y_title="AC energy (dB re the input)", height=380,
                             yaxis={"range": [lo - 8, hi + 8]}, xaxis={"rangemode": "tozero"})


def waveshaper_wave_figure(r) -> go.Figure:
    """Three periods of the input and both outputs, raw (DC included): the plain output a flat line at its DC.
    ``r``: waveshaper.Waveshaped with its signals (n,) at SR."""
    from nnviz.topics.skip_and_feedback import waveshaper as ws

    start = int(WAVE_START_S * ws.SR)
    m = int(round(WAVE_PERIODS * ws.SR / ws.F0))
    t_ms = 1000.0 * (start + np.arange(m)) / ws.SR
    series = (("input x (dry)", r.x, style.BLACK, "solid", 1.8), ("plain output", r.y_plain, PLAIN, "dash", 2.5),
              ("residual output", r.y_residual, RESIDUAL, "dot", 2.5))
    data = [go.Scatter(**_grid(t_ms), y=y[start:start + m].astype(np.float32), mode="lines", name=name,
                       line={"color": colour, "dash": dash, "width": w},
                       hovertemplate=f"{name}<br>%{{x:.2f}} ms<br>%{{y:.3f}}<extra></extra>")
            for name, y, colour, dash, w in series]
    return style.make_figure(data, title=f"{WAVE_PERIODS} periods at {WAVE_START_S:g} s (raw, DC included)",
                             x_title="time (ms)", y_title="amplitude (full scale 1)", height=380,
                             yaxis={"exponentformat": "power"})
