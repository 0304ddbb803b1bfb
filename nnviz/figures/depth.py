"""Figures of the depth page: results in, go.Figure out.

Speed matters here (the page has over a dozen figures and must rerun in under 100 ms), so every figure is
built in one call of ``style.make_figure`` (the shared look plus a few layout settings as plain dicts), never
by incremental ``update_layout``/``add_vline`` calls. Many lines are one trace with NaN separators.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from nnviz.figures import style

MAX_DRAWN_UNITS = 10  # units drawn per layer; wider layers show the first and last few and a gap


def _figure(traces: list, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
            height: int = 380, legend: bool | dict = True, layout: dict | None = None) -> go.Figure:
    """``style.make_figure`` with extra layout keys passed as one dict (a ``legend`` dict there adjusts the
    shared legend)."""
    layout = dict(layout or {})
    legend_settings = layout.pop("legend", None)
    if legend is True and legend_settings is not None:
        legend = legend_settings
    return style.make_figure(traces, title=title, x_title=x_title, y_title=y_title, height=height, legend=legend,
                             **layout)


def _polylines(lines: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Many (k, 2) polylines as one x and one y array separated by NaN (one trace; plotly breaks lines at NaN,
    and float arrays serialise far faster than lists with None)."""
    if not lines:
        return np.array([]), np.array([])
    gap = np.full((1, 2), np.nan)
    stacked = np.vstack([part for ln in lines for part in (np.asarray(ln, dtype=float), gap)])
    return stacked[:, 0], stacked[:, 1]


def _vline(x: float, colour: str, dash: str = "dot", width: float = 1.5) -> dict:
    return {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
            "line": {"color": colour, "dash": dash, "width": width}}


def _drawn_units(n: int) -> list[int]:
    if n <= MAX_DRAWN_UNITS:
        return list(range(n))
    half = MAX_DRAWN_UNITS // 2
    return list(range(half)) + list(range(n - half, n))


def network_diagram(widths: Sequence[int], title: str, height: int = 330) -> go.Figure:
    """Units as dots, connections as grey lines (one trace), each layer labelled with its width.

    Layers wider than 10 units show their first and last five with a gap marked by dots.
    """
    xs, ys, hover = [], [], []
    pos: list[list[float]] = []
    for li, n in enumerate(widths):
        drawn = _drawn_units(n)
        k = len(drawn)
        gap = n > MAX_DRAWN_UNITS
        layer = []
        for j, unit in enumerate(drawn):
            y = (k - 1) / 2 - j + (0.5 if gap and j < k // 2 else 0) - (0.5 if gap and j >= k // 2 else 0)
            layer.append(y)
            xs.append(li)
            ys.append(y)
            kind = "input" if li == 0 else ("output" if li == len(widths) - 1 else f"hidden layer {li}")
            hover.append(f"{kind}, unit {unit + 1} of {n}")
        pos.append(layer)
    segs = [np.array([[li, ya], [li + 1, yb]]) for li in range(len(widths) - 1) for ya in pos[li] for yb in pos[li + 1]]
    ex, ey = _polylines(segs)
    colours = [style.BLACK] + [style.BLUE] * (len(widths) - 2) + [style.GREEN]
    traces = [go.Scatter(x=ex, y=ey, mode="lines", line={"color": style.GREY, "width": 0.8}, hoverinfo="skip",
                         showlegend=False),
              go.Scatter(x=xs, y=ys, mode="markers", hovertext=hover, hoverinfo="text", showlegend=False,
                         marker={"size": 13, "color": [colours[int(x)] for x in xs],
                                 "line": {"color": "white", "width": 1}})]
    gaps = [li for li, n in enumerate(widths) if n > MAX_DRAWN_UNITS]
    if gaps:
        traces.append(go.Scatter(x=gaps, y=[0] * len(gaps), mode="text", text=["⋮"] * len(gaps),
                                 textfont={"size": 20}, hoverinfo="skip", showlegend=False))
    top = max(max(p) for p in pos)
    notes = [{"x": li, "y": top + 1.0, "text": f"<b>{n}</b>", "showarrow": False, "font": {"size": 14}}
             for li, n in enumerate(widths)]
    return _figure(traces, title=title, height=height, legend=False, layout={
        "annotations": notes, "xaxis": {"visible": False, "range": [-0.4, len(widths) - 0.6]},
        "yaxis": {"visible": False, "range": [-top - 0.8, top + 1.5]}})


def sawtooth_figure(x: np.ndarray, y: np.ndarray, breakpoints: np.ndarray, k: int, p: int, pieces: int) -> go.Figure:
    """The deep network's output t_p^k on [0, 1] with its exact breakpoints marked (when few enough to see)."""
    name = f"deep network: t^{k}(x)" if p == 2 else f"deep network: {p}-tooth map composed {k}×"
    traces = [go.Scatter(x=x, y=y, mode="lines", name=name, line={"color": style.MODEL, "width": 2},
                         hovertemplate="x = %{x:.4f}<br>output = %{y:.3f}<extra></extra>")]
    if len(breakpoints) <= 256:
        traces.append(go.Scatter(x=breakpoints, y=np.interp(breakpoints, x, y), mode="markers",
                                 name=f"breakpoints ({len(breakpoints)})",
                                 marker={"color": style.VERMILLION, "size": 6},
                                 hovertemplate="breakpoint at x = %{x:.5f}<extra></extra>"))
    return _figure(traces, title=f"{pieces:,} linear pieces, counted exactly", x_title="input x",
                   y_title="network output", height=340, layout={"yaxis": {"range": [-0.05, 1.12]}})


def cost_figure(k: np.ndarray, deep: np.ndarray, shallow: np.ndarray, x_title: str, title: str,
                current: int | None = None, deep_name: str = "deep network",
                shallow_name: str = "one hidden layer") -> go.Figure:
    """Parameters needed against k (log scale): the deep construction against the shallow one."""
    traces = [go.Scatter(x=k, y=deep, mode="lines+markers", name=deep_name, line={"color": style.BLUE, "width": 2},
                         hovertemplate="%{x}: %{y:,.0f} parameters<extra>deep</extra>"),
              go.Scatter(x=k, y=shallow, mode="lines+markers", name=shallow_name,
                         line={"color": style.VERMILLION, "width": 2, "dash": "dash"},
                         hovertemplate="%{x}: %{y:,.0f} parameters<extra>shallow</extra>")]
    shapes = [_vline(current, style.GREY)] if current is not None else []
    return _figure(traces, title=title, x_title=x_title, y_title="parameters (log scale)", height=340,
                   layout={"yaxis": {"type": "log", "dtick": 1}, "xaxis": {"dtick": 1}, "shapes": shapes})


def yarotsky_figure(x: np.ndarray, f: np.ndarray, m: int, bound: float) -> go.Figure:
    """x^2 and Yarotsky's f_m on [0, 1] (top) and the error f_m - x^2 against the bound (bottom)."""
    traces = [
        go.Scatter(x=x, y=x**2, name="target x²", line={"color": style.TARGET, "dash": "dash"},
                   hovertemplate="x = %{x:.3f}<br>x² = %{y:.4f}<extra></extra>"),
        go.Scatter(x=x, y=f, name=f"deep network f_{m}(x)", line={"color": style.MODEL, "width": 2},
                   hovertemplate="x = %{x:.3f}<br>f = %{y:.4f}<extra></extra>"),
        go.Scatter(x=x, y=f - x**2, name="error f − x²", line={"color": style.VERMILLION}, xaxis="x2", yaxis="y2",
                   hovertemplate="x = %{x:.3f}<br>error = %{y:.2e}<extra></extra>"),
        go.Scatter(x=[0, 1], y=[bound, bound], name="bound 2^(−2m−2)", mode="lines", xaxis="x2", yaxis="y2",
                   line={"color": style.GREY, "dash": "dot"}, hoverinfo="skip"),
    ]
    return _figure(traces, height=440, layout={
        "xaxis": {"anchor": "y", "matches": "x2", "showticklabels": False},
        "yaxis": {"domain": [0.42, 1.0], "title": {"text": "output"}},
        "xaxis2": {"anchor": "y2", "title": {"text": "input x"}},
        "yaxis2": {"domain": [0.0, 0.34], "title": {"text": "error"}, "range": [-0.1 * bound, 1.25 * bound],
                   "exponentformat": "e"}})


def pieces_function_figure(x: np.ndarray, y: np.ndarray, breakpoints: np.ndarray, title: str) -> go.Figure:
    """A one-input network's output with every exact breakpoint marked."""
    traces = [go.Scatter(x=x, y=y, mode="lines", name="network output", line={"color": style.MODEL, "width": 2},
                         hovertemplate="x = %{x:.3f}<br>output = %{y:.3f}<extra></extra>"),
              go.Scatter(x=breakpoints, y=np.interp(breakpoints, x, y), mode="markers",
                         name=f"breakpoints ({len(breakpoints)})", marker={"color": style.VERMILLION, "size": 6},
                         hovertemplate="breakpoint at x = %{x:.4f}<extra></extra>")]
    return _figure(traces, title=title, x_title="input x", y_title="network output", height=320)


def pieces_by_depth_figure(res) -> go.Figure:
    """Pieces against depth at one parameter budget: upper bound, construction, random init, trained (log y)."""
    hover = [f"depth {d}, width {w}, {p} parameters" for d, w, p in zip(res.depths, res.widths, res.params,
                                                                        strict=True)]
    series = [("upper bound (Serra et al. 2018)", res.upper, style.GREY, "dot"),
              ("constructed: w-tooth map composed L times (w^L)", res.constructed, style.BLUE, "solid"),
              ("random initialisation (mean of 20)", res.random_mean, style.ORANGE, "solid"),
              ("trained on the sawtooth (precomputed)", res.trained, style.GREEN, "dash")]
    traces = []
    for name, ys, colour, dash in series:
        ys = [np.nan if v is None else v for v in ys]
        traces.append(go.Scatter(x=res.depths, y=ys, name=name, mode="lines+markers", text=hover,
                                 line={"color": colour, "dash": dash, "width": 2},
                                 hovertemplate="%{text}<br>%{y:,.1f} pieces<extra></extra>"))
    return _figure(traces, x_title="hidden layers L (width shrinks to keep the budget)",
                   y_title="linear pieces on [0, 1] (log scale)", height=380,
                   layout={"yaxis": {"type": "log", "dtick": 1}, "margin": {"t": 80}})


_REGION_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
                   "#b3d3ee", "#f6c6a0", "#a8dcc9", "#e8d9f0")


def regions_figure(grid: np.ndarray, ids: np.ndarray, polygons: list[np.ndarray], title: str) -> go.Figure:
    """Activation regions of a two-input network: each colour is one on/off pattern of the hidden units.

    ``grid`` (n,) the coordinates of the square image, ``ids`` (n, n) region index per pixel, ``polygons``
    the exact region boundaries (drawn as one black line trace).
    """
    n_col = len(_REGION_COLOURS)
    scale = []
    for i, c in enumerate(_REGION_COLOURS):
        scale += [[i / n_col, c], [(i + 1) / n_col, c]]
    ex, ey = _polylines([np.vstack([p, p[:1]]) for p in polygons])
    traces = [go.Heatmap(x=grid, y=grid, z=np.mod(ids, n_col), zmin=-0.5, zmax=n_col - 0.5, colorscale=scale,
                         showscale=False, customdata=ids,
                         hovertemplate="x₁ = %{x:.2f}, x₂ = %{y:.2f}<br>pattern %{customdata}<extra></extra>"),
              go.Scatter(x=ex, y=ey, mode="lines", line={"color": style.BLACK, "width": 0.8}, hoverinfo="skip",
                         name="exact region boundaries")]
    return _figure(traces, title=title, x_title="input x₁", y_title="input x₂", height=440, layout={
        "xaxis": {"range": [grid[0], grid[-1]], "constrain": "domain"},
        "yaxis": {"range": [grid[0], grid[-1]], "scaleanchor": "x", "constrain": "domain"}})


def trajectory_figure(traj, shown: int = 0) -> go.Figure:
    """Length of the circle's image against depth (log y), one line per sigma_w; the image at one layer for
    sigma_w[shown]."""
    depth = np.arange(traj.depth + 1)
    traces = []
    for i, s in enumerate(traj.sigma_w):
        colour = style.series_colour(i)
        traces.append(go.Scatter(x=depth, y=traj.lengths[i], mode="lines+markers", name=f"σ_w = {s:g}",
                                 line={"color": colour, "width": 2}, legendgroup=str(i),
                                 hovertemplate=f"σ_w = {s:g}<br>layer %{{x}}<br>length %{{y:,.1f}}<extra></extra>"))
        if i == shown:
            c = traj.curves[i]
            traces.append(go.Scatter(x=np.r_[c[:, 0], c[:1, 0]], y=np.r_[c[:, 1], c[:1, 1]], mode="lines",
                                     xaxis="x2", yaxis="y2", line={"color": colour, "width": 1}, legendgroup=str(i),
                                     showlegend=False, hoverinfo="skip"))
    head = {"yref": "paper", "y": 1.0, "yanchor": "bottom", "showarrow": False, "font": {"size": 13},
            "xref": "paper"}
    return _figure(traces, height=420, layout={
        "margin": {"t": 110},
        "xaxis": {"domain": [0.0, 0.5], "title": {"text": "layer d (0 = input circle)"}},
        "yaxis": {"type": "log", "dtick": 1, "title": {"text": "length (log scale)"}},
        "xaxis2": {"domain": [0.62, 1.0], "anchor": "y2", "title": {"text": "principal axis 1"}},
        "yaxis2": {"anchor": "x2", "title": {"text": "principal axis 2"}},
        "annotations": [head | {"x": 0.0, "xanchor": "left", "text": "length of the image of the circle"},
                        head | {"x": 0.62, "xanchor": "left",
                                "text": f"σ_w = {traj.sigma_w[shown]:g}: the circle after layer {traj.show_layer}"}],
        "legend": {"y": 1.09}})


def budget_error_figure(summary: dict, error_label: str, construction: tuple[int, str] | None = None) -> go.Figure:
    """Error against parameters (log-log), one line per depth; the construction (error 0) as a marked line."""
    traces = []
    for i, d in enumerate(summary["depths"]):
        rows = sorted((r for r in summary["results"] if r["depth"] == d), key=lambda r: r["params"])
        if not rows:
            continue
        traces.append(go.Scatter(
            x=[r["params"] for r in rows], y=[max(r["error"], 1e-4) for r in rows], mode="lines+markers",
            name=f"{d} hidden layer{'s' if d > 1 else ''}", line={"color": style.series_colour(i), "width": 2},
            text=[f"depth {d}, width {r['width']}, {r['params']} parameters, {r['steps']} steps"
                  + (f", {r['pieces']} pieces" if r.get("pieces") is not None else "") for r in rows],
            hovertemplate="%{text}<br>error %{y:.4f}<extra></extra>"))
    layout: dict = {"xaxis": {"type": "log", "tickvals": [25, 50, 100, 200, 400]},
                    "yaxis": {"type": "log", "tickvals": [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0]},
                    "margin": {"t": 80}}
    if construction is not None:
        params, label = construction
        layout["shapes"] = [_vline(params, style.PURPLE, width=2)]
        layout["annotations"] = [{"x": np.log10(params), "y": 0.02, "yref": "paper", "text": label,
                                  "showarrow": False, "xanchor": "left", "font": {"color": style.PURPLE, "size": 12}}]
    return _figure(traces, x_title="parameters (log scale)", y_title=f"{error_label} (log scale)", height=400,
                   layout=layout)


def budget_fits_figure(summary: dict, budget_index: int, x_target: np.ndarray, y_target: np.ndarray) -> go.Figure:
    """The trained fits at one budget, one curve per depth, over the target (1-D targets)."""
    traces = [go.Scatter(x=x_target, y=y_target, name="target", line={"color": style.TARGET, "dash": "dash"},
                         hovertemplate="x = %{x:.3f}<br>target %{y:.3f}<extra></extra>")]
    budget = summary["budgets"][budget_index]
    for i, d in enumerate(summary["depths"]):
        rows = sorted((r for r in summary["results"] if r["depth"] == d and r.get("curve")), key=lambda r: r["params"])
        if len(rows) <= budget_index:
            continue
        r = rows[budget_index]
        xs = np.linspace(0, 1, len(r["curve"]))
        traces.append(go.Scatter(x=xs, y=r["curve"], name=f"depth {d}", mode="lines",
                                 line={"color": style.series_colour(i), "width": 1.6},
                                 hovertemplate=f"depth {d}, {r['params']} parameters<br>x = %{{x:.3f}}<br>"
                                               "fit %{y:.3f}<extra></extra>"))
    return _figure(traces, title=f"the fits at about {budget} parameters", x_title="input x", y_title="output",
                   height=400, layout={"margin": {"t": 110}})


def untangle_figure(lines: list[np.ndarray], points: np.ndarray, labels: np.ndarray, layer: int,
                    boundary: np.ndarray | None, title: str) -> go.Figure:
    """The input grid and the data as hidden layer ``layer`` sees them; the final linear boundary if given."""
    gx, gy = _polylines(lines)
    traces = [go.Scatter(x=gx, y=gy, mode="lines", line={"color": "#c8c8c8", "width": 1}, hoverinfo="skip",
                         name="input grid, warped")]
    for cls in (0, 1):
        sel = labels == cls
        traces.append(go.Scatter(x=points[sel, 0], y=points[sel, 1], mode="markers", name=f"class {cls}",
                                 marker={"color": style.CLASS_COLOURS[cls], "size": 6,
                                         "line": {"color": "white", "width": 0.5}},
                                 hovertemplate=f"class {cls}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    if boundary is not None:
        traces.append(go.Scatter(x=boundary[:, 0], y=boundary[:, 1], mode="lines", name="linear decision boundary",
                                 line={"color": style.PURPLE, "width": 3}, hoverinfo="skip"))
    axis = "input x" if layer == 0 else f"h^({layer})"
    lim = 1.75 if layer == 0 else 1.1
    return _figure(traces, title=title, x_title=f"{axis}, unit 1", y_title=f"{axis}, unit 2", height=460, layout={
        "xaxis": {"range": [-lim, lim], "constrain": "domain"},
        "yaxis": {"range": [-lim, lim], "scaleanchor": "x", "constrain": "domain"}})


_IMAGENET_LABEL_POS = {"VGG-16": "bottom center", "VGG-19": "top center", "GoogLeNet": "middle left",
                       "ResNet-18": "bottom right", "ResNet-34": "middle left", "ResNet-50": "middle left",
                       "Inception-v3": "top center", "ResNet-101": "bottom right", "ResNet-152": "top right"}


def imagenet_figure(rows: Sequence[tuple]) -> go.Figure:
    """ImageNet top-1 accuracy against GFLOPS (log x), bubble area proportional to parameters."""
    names = [r[0] for r in rows]
    params = np.array([r[5] for r in rows], dtype=float)
    family = ["ResNet" if n.startswith("ResNet") else ("VGG" if n.startswith("VGG") else n) for n in names]
    colours = {"ResNet": style.BLUE, "VGG": style.VERMILLION, "AlexNet": style.BLACK, "GoogLeNet": style.GREEN,
               "Inception-v3": style.ORANGE}
    size = 12 + 50 * np.sqrt(params / params.max())
    trace = go.Scatter(
        x=[r[4] for r in rows], y=[r[3] for r in rows], mode="markers+text", text=names,
        textposition=[_IMAGENET_LABEL_POS.get(n, "top center") for n in names],
        showlegend=False, marker={"size": size, "color": [colours[f] for f in family], "opacity": 0.7,
                                  "line": {"color": "white", "width": 1}},
        customdata=np.c_[params / 1e6, [r[2] for r in rows]],
        hovertemplate="%{text}<br>top-1 %{y:.1f} %<br>%{x:.2f} GFLOPS<br>%{customdata[0]:.1f} M parameters"
                      "<br>%{customdata[1]} weight layers<extra></extra>")
    return _figure([trace], x_title="computation per image (GFLOPS, log scale)", y_title="ImageNet top-1 accuracy (%)",
                   height=440, legend=False, layout={"xaxis": {"type": "log", "range": [np.log10(0.4), np.log10(40)],
                                                               "tickvals": [0.5, 1, 2, 5, 10, 20]},
                                                     "yaxis": {"range": [53, 82]}})


def timeline_figure(rows: Sequence[tuple]) -> go.Figure:
    """Depth of landmark networks against year (log y), bubble area proportional to parameters."""
    params = np.array([r[3] for r in rows], dtype=float)
    size = 14 + 46 * np.sqrt(params / params.max())
    trace = go.Scatter(
        x=[r[1] for r in rows], y=[r[2] for r in rows], mode="lines+markers+text", text=[r[0] for r in rows],
        textposition=["top center", "middle left", "middle left", "middle left"],
        line={"color": style.GREY, "dash": "dot"},
        marker={"size": size, "color": style.BLUE, "opacity": 0.75}, customdata=np.c_[params / 1e6],
        hovertext=[r[4] for r in rows], showlegend=False,
        hovertemplate="%{text} (%{x})<br>%{y} weight layers<br>%{customdata[0]:.2f} M parameters<br>"
                      "%{hovertext}<extra></extra>")
    return _figure([trace], x_title="year", y_title="weight layers (log scale)", height=440, legend=False,
                   layout={"yaxis": {"type": "log", "range": [np.log10(3), np.log10(300)],
                                     "tickvals": [5, 10, 20, 50, 100, 200]},
                           "xaxis": {"range": [1995, 2018]}})
