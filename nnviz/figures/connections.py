"""Figures of the skip-and-feedback page: diagrams, gradient flow, degradation, shattering, landscapes, RNNs.

Results in, ``go.Figure`` out; nothing here trains or differentiates. Colours: plain = vermillion,
residual / skip = blue, vanilla RNN = vermillion, LSTM = blue, GRU = green, baselines black dashed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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


class _Canvas:
    """Shapes, annotations and line traces for a diagram, collected in lists and added to the figure at once
    (adding them one by one with row/col is slow in plotly). ``col`` picks the subplot (axes x/y, x2/y2, ...)."""

    def __init__(self) -> None:
        self.shapes: list[dict] = []
        self.annotations: list[dict] = []

    @staticmethod
    def _refs(col: int) -> dict:
        n = "" if col == 1 else str(col)
        return {"xref": f"x{n}", "yref": f"y{n}"}

    def box(self, col: int, x: float, y: float, text: str, w: float = 0.7, h: float = 0.5,
            colour: str = style.BLUE, fill: str = "#eef4fb") -> None:
        self.shapes.append({"type": "rect", "x0": x - w / 2, "x1": x + w / 2, "y0": y - h / 2, "y1": y + h / 2,
                            "fillcolor": fill, "line": {"color": colour, "width": 2}, "layer": "below",
                            **self._refs(col)})
        self.text(col, x, y, text, size=15)

    def text(self, col: int, x: float, y: float, text: str, size: int = 13, colour: str = style.BLACK) -> None:
        self.annotations.append({"x": x, "y": y, "text": text, "showarrow": False,
                                 "font": {"size": size, "color": colour}, **self._refs(col)})

    def arrow(self, col: int, x0: float, y0: float, x1: float, y1: float, text: str = "",
              colour: str = style.BLACK) -> None:
        refs = self._refs(col)
        self.annotations.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "showarrow": True, "arrowhead": 2,
                                 "arrowsize": 1.2, "arrowwidth": 2, "arrowcolor": colour, "text": "",
                                 "axref": refs["xref"], "ayref": refs["yref"], **refs})
        if text:
            self.text(col, (x0 + x1) / 2, (y0 + y1) / 2 + 0.22, text, colour=colour)

    def apply(self, fig: go.Figure) -> None:
        fig.update_layout(shapes=self.shapes, annotations=list(fig.layout.annotations) + self.annotations)


def _diagram(cv: _Canvas, x_range: Sequence[float], y_range: Sequence[float], title: str, height: int,
             traces: Sequence[go.Scatter] = ()) -> go.Figure:
    """One blank-axes diagram from a canvas, titled, with any extra line traces."""
    fig = go.Figure(data=list(traces))
    cv.apply(fig)
    fig.update_xaxes(visible=False, range=list(x_range), fixedrange=True)
    fig.update_yaxes(visible=False, range=list(y_range), fixedrange=True)
    fig = style.apply_layout(fig, title=title, height=height, legend=False)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 50, "b": 10}, title={"font": {"size": 15}})
    return fig


# --------------------------------------------------------------------------------------------------
# Diagrams


def chain_diagram() -> go.Figure:
    """A plain chain x -> F_1 -> F_2 -> F_3 -> y: every signal passes through every layer."""
    cv = _Canvas()
    xs = [0, 1.4, 2.8, 4.2, 5.6]
    labels = ["x", "F<sub>1</sub>", "F<sub>2</sub>", "F<sub>3</sub>", "y"]
    for i, (x, lab) in enumerate(zip(xs, labels, strict=True)):
        end = i in (0, len(xs) - 1)
        cv.box(1, x, 0, lab, w=0.6 if end else 0.8, fill="#ffffff" if end else "#fbe9df",
               colour=style.BLACK if end else PLAIN)
    for a, b in zip(xs[:-1], xs[1:], strict=True):
        cv.arrow(1, a + 0.35, 0, b - 0.42, 0)
    cv.text(1, 2.8, -0.75, "every signal must pass through every layer", colour=style.GREY)
    return _diagram(cv, (-0.5, 6.1), (-1.1, 1.2), "Plain chain: h<sub>l</sub> = F<sub>l</sub>(h<sub>l−1</sub>)", 230)


def residual_block_diagram() -> go.Figure:
    """A residual block y = x + F(x): the identity path skips the branch F."""
    cv = _Canvas()
    cv.box(1, 0, 0, "x", w=0.5, fill="#ffffff", colour=style.BLACK)
    cv.box(1, 1.6, 0, "F(x)", w=1.0, h=0.6, fill="#fbe9df", colour=PLAIN)
    cv.text(1, 1.6, -0.55, "= W φ(x) + b", size=12, colour=style.GREY)
    cv.box(1, 3.0, 0, "+", w=0.4, h=0.4, fill="#ffffff", colour=style.BLACK)
    cv.box(1, 4.1, 0, "y", w=0.5, fill="#ffffff", colour=style.BLACK)
    cv.arrow(1, 0.27, 0, 1.08, 0)
    cv.arrow(1, 2.12, 0, 2.78, 0)
    cv.arrow(1, 3.22, 0, 3.83, 0)
    cv.arrow(1, 3.0, 0.85, 3.0, 0.22, colour=RESIDUAL)
    cv.text(1, 1.5, 1.08, "skip (identity): ∂y/∂x = I + ∂F/∂x", colour=RESIDUAL)
    skip = go.Scatter(x=[0, 0, 3.0], y=[0.27, 0.85, 0.85], mode="lines", line={"color": RESIDUAL, "width": 3},
                      hoverinfo="text", hovertext="identity path: the input is added unchanged", showlegend=False)
    return _diagram(cv, (-0.5, 4.6), (-1.1, 1.3), "Residual block: y = x + F(x)", 230, [skip])


def rnn_rolled_diagram() -> go.Figure:
    """A recurrent cell rolled up: h_t feeds back into itself through W."""
    cv = _Canvas()
    cv.box(1, 0, 0, "h<sub>t</sub>", w=0.7)
    cv.box(1, 0, -1.3, "x<sub>t</sub>", w=0.6, fill="#ffffff", colour=style.BLACK)
    cv.arrow(1, 0, -1.05, 0, -0.27)
    cv.text(1, 0.22, -0.66, "U")
    loop = np.linspace(-0.6 * np.pi, 1.6 * np.pi, 40)
    ring = go.Scatter(x=0.35 + 0.45 * np.cos(loop) + 0.45, y=0.55 * np.sin(loop) + 0.2, mode="lines",
                      line={"color": style.VERMILLION, "width": 3}, hoverinfo="text",
                      hovertext="feedback: h_(t−1) enters the next step through W", showlegend=False)
    cv.arrow(1, 0.52, -0.3, 0.36, -0.1, colour=style.VERMILLION)
    cv.text(1, 1.45, 0.2, "W", size=14, colour=style.VERMILLION)
    cv.box(1, 0, 1.25, "y<sub>t</sub>", w=0.6, fill="#ffffff", colour=style.BLACK)
    cv.arrow(1, 0, 0.27, 0, 1.0)
    return _diagram(cv, (-1.2, 1.9), (-1.7, 1.6), "Rolled up", 270, [ring])


def rnn_unrolled_diagram(T: int) -> go.Figure:
    """The same cell unrolled over T steps: a depth-T network sharing W, U and b at every step."""
    T = int(max(1, T))
    cv = _Canvas()
    shown = list(range(1, T + 1)) if T <= 8 else [1, 2, 3, None, T - 1, T]
    xs = np.arange(len(shown) + 1) * 1.3
    cv.box(1, xs[0], 0, "h<sub>0</sub>", w=0.6, fill="#ffffff", colour=style.BLACK)
    for k, t in enumerate(shown, start=1):
        x = float(xs[k])
        if t is None:
            cv.text(1, x, 0, "· · ·", size=22)
            continue
        cv.box(1, x, 0, f"h<sub>{t}</sub>", w=0.6)
        cv.box(1, x, -1.3, f"x<sub>{t}</sub>", w=0.55, fill="#ffffff", colour=style.BLACK)
        cv.arrow(1, x, -1.05, x, -0.27)
        after_dots = k >= 2 and shown[k - 2] is None
        cv.arrow(1, float(xs[k - 1]) + (0.2 if after_dots else 0.32), 0, x - 0.32, 0,
                 text="" if after_dots else "W", colour=style.VERMILLION)
    return _diagram(cv, (-0.5, float(xs[-1]) + 0.5), (-1.7, 0.8),
                    f"Unrolled over T = {T} steps (shared W, U, b)", 270)


# --------------------------------------------------------------------------------------------------
# Skip connections


def gradient_flow_figure(layer: np.ndarray, plain: np.ndarray, residual: np.ndarray, y_title: str) -> go.Figure:
    """Gradient norm per layer (log scale), plain against residual."""
    fig = go.Figure()
    for name, g, colour in (("plain", plain, PLAIN), ("residual", residual, RESIDUAL)):
        fig.add_trace(go.Scatter(**_grid(layer), y=_pos(g), mode="lines+markers", name=name,
                                 line={"color": colour, "width": 2}, marker={"size": 4},
                                 hovertemplate=f"{name}<br>layer %{{x}}<br>norm %{{y:.3g}}<extra></extra>"))
    fig.update_yaxes(type="log", exponentformat="power")
    return style.apply_layout(fig, x_title="layer l (1 = nearest the input)", y_title=y_title, height=360)


def degradation_figure(steps: Sequence[int], curves: Mapping[tuple[str, int], Sequence[float]],
                       depths: Sequence[int]) -> go.Figure:
    """Training loss against step: plain networks on the left, residual on the right, one line per depth."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04,
                        subplot_titles=("plain (no skips)", "residual (with skips)"))
    for c, (kind, colour) in enumerate((("plain", PLAIN), ("residual", RESIDUAL)), start=1):
        for i, d in enumerate(depths):
            ys = curves.get((kind, d))
            if not ys:
                continue
            fig.add_trace(go.Scatter(
                **_grid(list(steps)[: len(ys)]), y=np.asarray(ys, dtype=float), mode="lines", name=f"{d} layers",
                legendgroup=str(d),
                showlegend=False, line={"color": colour, "width": 1.5 + 0.6 * i, "dash": DEPTH_DASH[i % 4]},
                hovertemplate=f"{kind}, {d} layers<br>step %{{x}}<br>loss %{{y:.3g}}<extra></extra>"), 1, c)
    for i, d in enumerate(depths):  # legend keys in neutral black: line style = depth, colour = panel
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name=f"{d} layers", legendgroup=str(d),
                                 line={"color": style.BLACK, "width": 1.5 + 0.6 * i, "dash": DEPTH_DASH[i % 4]}),
                      1, 1)
    fig.update_yaxes(type="log", exponentformat="power")
    fig.update_xaxes(title_text="training step")
    fig.update_yaxes(title_text="training loss (MSE)", row=1, col=1)
    fig = style.apply_layout(fig, height=400)
    fig.update_layout(margin={"t": 85}, legend={"y": 1.1})
    return fig


def shattered_figure(x: np.ndarray, grads: Mapping[str, np.ndarray], labels: Mapping[str, str]) -> go.Figure:
    """dy/dx against x, one panel per network."""
    names = list(grads)
    fig = make_subplots(rows=1, cols=len(names), horizontal_spacing=0.06,
                        subplot_titles=[labels[n] for n in names])
    for c, n in enumerate(names, start=1):
        fig.add_trace(go.Scatter(**_grid(x), y=grads[n], mode="lines", line={"color": style.series_colour(c - 1),
                                 "width": 1.5}, name=labels[n], showlegend=False,
                                 hovertemplate="x %{x:.3f}<br>dy/dx %{y:.3g}<extra>" + labels[n] + "</extra>"),
                      1, c)
        fig.update_xaxes(title_text="input x", row=1, col=c)
    fig.update_yaxes(title_text="gradient dy/dx", row=1, col=1)
    return style.apply_layout(fig, height=300, legend=False)


def autocorrelation_figure(autocorr: Mapping[str, np.ndarray], labels: Mapping[str, str]) -> go.Figure:
    """Autocorrelation of dy/dx across neighbouring inputs, against lag."""
    fig = go.Figure()
    for i, (n, r) in enumerate(autocorr.items()):
        fig.add_trace(go.Scatter(x0=0, dx=1, y=r, mode="lines+markers", name=labels[n],
                                 line={"color": style.series_colour(i), "width": 2}, marker={"size": 4},
                                 hovertemplate=labels[n] + "<br>lag %{x}<br>r %{y:.3f}<extra></extra>"))
    fig.add_hline(y=0, line={"color": style.GREY, "width": 1})
    fig.update_yaxes(range=[-0.4, 1.05])
    fig = style.apply_layout(fig, x_title="lag k (inputs apart, step 4/255)", y_title="autocorrelation r(k)",
                             height=340)
    fig.update_layout(margin={"t": 75})
    return fig


def gradient_covariance_figure(x: np.ndarray, corr: Mapping[str, np.ndarray], labels: Mapping[str, str],
                               stride: int = 2) -> go.Figure:
    """Correlation between inputs i and j of the last-layer units' gradients: one heatmap per network."""
    names = list(corr)
    fig = make_subplots(rows=1, cols=len(names), horizontal_spacing=0.05,
                        subplot_titles=[labels[n] for n in names])
    xs = x[::stride]
    for c, n in enumerate(names, start=1):
        fig.add_trace(go.Heatmap(**_grid(xs), **_grid(xs, "y"), z=corr[n][::stride, ::stride].astype(np.float32),
                                 zmin=-1, zmax=1,
                                 colorscale=style.DIVERGING, showscale=c == len(names),
                                 colorbar={"title": {"text": "corr."}, "len": 0.9},
                                 hovertemplate="x_i %{y:.2f}<br>x_j %{x:.2f}<br>corr %{z:.2f}<extra></extra>"), 1, c)
        fig.update_xaxes(title_text="input x_j", row=1, col=c)
    fig.update_yaxes(title_text="input x_i", row=1, col=1)
    return style.apply_layout(fig, height=340, legend=False)


def landscape_figure(surfaces: Mapping[str, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> go.Figure:
    """log10 loss contours on the random 2-D slice, one panel per network (plain, residual)."""
    names = list(surfaces)
    titles = {"plain": "without skips (plain)", "residual": "with skips (residual)"}
    fig = make_subplots(rows=1, cols=len(names), horizontal_spacing=0.08,
                        subplot_titles=[titles.get(n, n) for n in names])
    all_logs = [np.log10(np.maximum(s[2], 1e-8)) for s in surfaces.values()]
    lo = float(min(np.min(v) for v in all_logs))
    hi = float(max(np.max(v) for v in all_logs))
    for c, (n, logl) in enumerate(zip(names, all_logs, strict=True), start=1):
        a, b, _ = surfaces[n]
        fig.add_trace(go.Contour(**_grid(a), **_grid(b, "y"), z=logl.astype(np.float32), zmin=lo, zmax=hi,
                                 colorscale=style.SEQUENTIAL, ncontours=24,
                                 showscale=c == len(names), colorbar={"title": {"text": "log₁₀ loss"}},
                                 contours={"coloring": "heatmap"}, line={"width": 0.5},
                                 hovertemplate="α %{x:.2f}<br>β %{y:.2f}<br>log₁₀ loss %{z:.2f}<extra></extra>"),
                      1, c)
        fig.add_trace(go.Scatter(x=[0], y=[0], mode="markers", marker={"symbol": "x", "size": 10,
                                 "color": "white", "line": {"width": 1, "color": style.BLACK}},
                                 hovertext="the trained weights θ*", hoverinfo="text", showlegend=False), 1, c)
        fig.update_xaxes(title_text="α (along direction d₁)", row=1, col=c)
        fig.update_yaxes(title_text="β (along d₂)", row=1, col=c)
    return style.apply_layout(fig, height=400, legend=False)


# --------------------------------------------------------------------------------------------------
# Feedback connections


def trajectories_figure(t: np.ndarray, x: np.ndarray, h: np.ndarray, norm: np.ndarray) -> go.Figure:
    """The input sequence above, every hidden unit's h_t below (one grey trace), ||h_t|| highlighted."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.25, 0.75], vertical_spacing=0.06)
    fig.add_trace(go.Scatter(**_grid(t), y=x, mode="lines+markers", name="input x_t", line={"color": style.BLACK},
                             marker={"size": 3}, hovertemplate="t %{x}<br>x %{y:.3f}<extra></extra>"), 1, 1)
    n = h.shape[1]
    xs = np.concatenate([np.append(t, np.nan) for _ in range(n)])
    ys = np.concatenate([np.append(h[:, i], np.nan) for i in range(n)])
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=f"{n} hidden units h_t,i", connectgaps=False,
                             line={"color": style.SKY, "width": 1}, opacity=0.8,
                             hovertemplate="t %{x}<br>h %{y:.3f}<extra>a hidden unit</extra>"), 2, 1)
    fig.add_trace(go.Scatter(**_grid(t), y=norm, mode="lines", name="‖h_t‖", line={"color": style.BLUE, "width": 3},
                             hovertemplate="t %{x}<br>‖h‖ %{y:.3f}<extra></extra>"), 2, 1)
    fig.update_yaxes(title_text="x_t", row=1, col=1)
    fig.update_yaxes(title_text="hidden state", row=2, col=1)
    fig.update_xaxes(title_text="time step t", row=2, col=1)
    return style.apply_layout(fig, height=400)


def time_gradient_figure(lag: np.ndarray, jac: np.ndarray, bound: np.ndarray, contrib: np.ndarray,
                         clip_scale: float | None) -> go.Figure:
    """||dh_T/dh_t|| against T - t with Pascanu's bound, and BPTT's per-step gradient terms (clipped or not)."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(**_grid(lag), y=_pos(jac), mode="lines", name="‖∂h_T/∂h_t‖",
                             line={"color": style.BLUE, "width": 3},
                             hovertemplate="T−t %{x}<br>‖∂h_T/∂h_t‖ %{y:.3g}<extra></extra>"))
    fig.add_trace(go.Scatter(**_grid(lag), y=_pos(bound), mode="lines", name="bound (γ‖W‖)^(T−t)",
                             line={"color": style.BLACK, "dash": "dash", "width": 1.5},
                             hovertemplate="T−t %{x}<br>bound %{y:.3g}<extra></extra>"))
    fig.add_trace(go.Scatter(x0=0, dx=1, y=_pos(contrib), mode="lines", name="step-t term of ∂L/∂W",
                             line={"color": style.ORANGE, "width": 1.5, "dash": "dot" if clip_scale else "solid"},
                             hovertemplate="T−t %{x}<br>‖term‖ %{y:.3g}<extra></extra>"))
    if clip_scale is not None:
        fig.add_trace(go.Scatter(x0=0, dx=1, y=_pos(contrib * clip_scale), mode="lines",
                                 name="same term after clipping", line={"color": style.VERMILLION, "width": 2},
                                 hovertemplate="T−t %{x}<br>‖clipped term‖ %{y:.3g}<extra></extra>"))
    fig.update_yaxes(type="log", exponentformat="power")
    return style.apply_layout(fig, x_title="steps back in time, T − t", y_title="norm (log scale)", height=380)


def adding_figure(steps: Sequence[int], curves: Mapping[str, Sequence[float]], labels: Mapping[str, str],
                  baseline: float) -> go.Figure:
    """Training MSE on the adding problem per cell type, against the always-guess-1 baseline."""
    fig = go.Figure()
    for c, ys in curves.items():
        fig.add_trace(go.Scatter(**_grid(list(steps)[: len(ys)]), y=np.asarray(ys, dtype=float), mode="lines",
                                 name=labels.get(c, c),
                                 line={"color": CELL_COLOURS.get(c, style.PURPLE), "width": 2.5},
                                 hovertemplate=labels.get(c, c) + "<br>step %{x}<br>MSE %{y:.4f}<extra></extra>"))
    fig.add_hline(y=baseline, line={"color": style.BLACK, "dash": "dash", "width": 1.5})
    fig.add_annotation(x=1, xref="paper", xanchor="right", y=np.log10(baseline), yref="y", yanchor="bottom",
                       text=f"always guess 1: {baseline:.3f}", showarrow=False, font={"size": 13})
    fig.update_yaxes(type="log", exponentformat="power")
    return style.apply_layout(fig, x_title="training step (mini-batches of 64)", y_title="training MSE (log scale)",
                              height=370)


def joint_jacobian_figure(series: Sequence[tuple[str, np.ndarray, str, str]]) -> go.Figure:
    """||dh_out/dh_in|| against steps travelled (layers or time steps), all on one log axis.

    ``series``: (name, norms (k+1,), colour, dash) with norms[0] = 1 at zero steps.
    """
    fig = go.Figure()
    for name, norms, colour, dash in series:
        fig.add_trace(go.Scatter(x0=0, dx=1, y=_pos(norms), mode="lines", name=name,
                                 line={"color": colour, "dash": dash, "width": 2.5},
                                 hovertemplate=name + "<br>steps %{x}<br>norm %{y:.3g}<extra></extra>"))
    fig.add_hline(y=1, line={"color": style.GREY, "width": 1})
    top = max([2.0] + [float(np.nanmax(np.log10(_pos(n)))) + 0.5 for _, n, _, _ in series])
    fig.update_yaxes(type="log", exponentformat="power", range=[-12, min(top, 12)])
    fig = style.apply_layout(fig, x_title="steps the signal travels (layers in depth, or time steps back)",
                             y_title="Jacobian norm ‖∂h_out/∂h_in‖₂", height=440)
    fig.update_layout(legend={"orientation": "v", "y": 1.0, "yanchor": "top", "x": 1.02, "xanchor": "left"},
                      margin={"r": 10})
    return fig
