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
from nnviz.topics.depth.history import family

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


def _sub(n: int) -> str:
    """n as Unicode subscript digits, for plain-text legends (8 -> "₈")."""
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def _sup(n: int) -> str:
    """n as Unicode superscript digits, for plain-text legends (4 -> "⁴"; a title never shows "^")."""
    return str(n).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))


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


_LOG = {"type": "log", "dtick": 1, "exponentformat": "power"}  # decades only, written 10^k, never "1k"/"60B"


def sawtooth_figure(res) -> go.Figure:
    """The deep network's output t_p^k (a ``SawtoothResult``) on [0, x_shown], breakpoints marked."""
    name = f"deep network: t{_sup(res.k)}(x)" if res.p == 2 else f"deep network: {res.p}-tooth map composed {res.k}×"
    traces = [go.Scatter(x=res.x, y=res.y, mode="lines", name=name, line={"color": style.MODEL, "width": 2},
                         hovertemplate="x = %{x:.5f}<br>output = %{y:.3f}<extra></extra>")]
    if len(res.breakpoints) <= 64:
        traces.append(go.Scatter(x=res.breakpoints, y=np.interp(res.breakpoints, res.x, res.y), mode="markers",
                                 name=f"breakpoints ({len(res.breakpoints)} shown)",
                                 marker={"color": style.VERMILLION, "size": 6},
                                 hovertemplate="breakpoint at x = %{x:.5f}<extra></extra>"))
    title = (f"{res.pieces:,} linear pieces" if not res.zoomed else
             f"{res.pieces:,} pieces: the first {res.drawn_pieces} of them, on [0, {res.x_shown:.3g}]")
    return _figure(traces, title=title, x_title="input x" + ("" if not res.zoomed else " (zoomed in)"),
                   y_title="network output", height=340,
                   layout={"yaxis": {"range": [-0.05, 1.12]}, "xaxis": {"range": [0, res.x_shown]}})


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
                   layout={"yaxis": _LOG, "xaxis": {"dtick": 1}, "shapes": shapes})


def yarotsky_figure(curve) -> go.Figure:
    """x^2 and Yarotsky's f_m (a ``YarotskyCurve``) on [0, 1] (top) and the error f_m - x^2 (bottom): every
    hump when few enough to see, else the band they fill."""
    x, f, bound = curve.x, curve.f, curve.bound
    traces = [
        go.Scatter(x=x, y=x**2, name="target x²", line={"color": style.TARGET, "dash": "dash"},
                   hovertemplate="x = %{x:.3f}<br>x² = %{y:.4f}<extra></extra>"),
        go.Scatter(x=x, y=f, name=f"deep network f{_sub(curve.m)}(x)", line={"color": style.MODEL, "width": 2},
                   hovertemplate="x = %{x:.3f}<br>f = %{y:.4f}<extra></extra>")]
    if curve.humps_drawn:
        traces.append(go.Scatter(x=x, y=f - x**2, name="error f − x²", line={"color": style.VERMILLION},
                                 xaxis="x2", yaxis="y2",
                                 hovertemplate="x = %{x:.3f}<br>error = %{y:.2e}<extra></extra>"))
    else:
        traces.append(go.Scatter(x=[0, 1, 1, 0, 0], y=[0, 0, bound, bound, 0], fill="toself", mode="lines",
                                 name=f"error f − x²: {2 ** curve.m} humps, drawn as their envelope",
                                 line={"color": style.VERMILLION, "width": 1}, fillcolor="rgba(213,94,0,0.25)",
                                 xaxis="x2", yaxis="y2", hoverinfo="skip"))
    traces.append(go.Scatter(x=[0, 1], y=[bound, bound], name="bound 2⁻²ᵐ⁻²", mode="lines", xaxis="x2", yaxis="y2",
                             line={"color": style.GREY, "dash": "dot"}, hoverinfo="skip"))
    return _figure(traces, height=460, layout={
        "margin": {"t": 110},
        "xaxis": {"anchor": "y", "matches": "x2", "showticklabels": False},
        "yaxis": {"domain": [0.42, 1.0], "title": {"text": "output"}},
        "xaxis2": {"anchor": "y2", "title": {"text": "input x"}},
        "yaxis2": {"domain": [0.0, 0.34], "title": {"text": "error"}, "range": [-0.1 * bound, 1.25 * bound],
                   "exponentformat": "power", "nticks": 4}})


def tooth_figure(a, b) -> go.Figure:
    """Two architectures' tooth constructions (``counting.Architecture``) along one input, side by side."""
    traces = []
    for arch, name, colour, dash in ((a, "A", style.VERMILLION, "dash"), (b, "B", style.BLUE, "solid")):
        traces.append(go.Scatter(x=arch.x, y=arch.y, mode="lines", line={"color": colour, "width": 2, "dash": dash},
                                 name=f"{name} {list(arch.widths)}: {arch.constructed:,} pieces",
                                 hovertemplate=f"{name}<br>x₁ = %{{x:.4f}}<br>output %{{y:.3f}}<extra></extra>"))
    x_max = max(a.x_shown, b.x_shown)
    zoom = "" if x_max >= 1 else " (zoomed in: the first 128 pieces)"
    return _figure(traces, x_title=f"input x₁, the other inputs 0{zoom}", y_title="first output", height=300,
                   layout={"xaxis": {"range": [0, x_max]}, "yaxis": {"range": [-0.05, 1.1]}})


def pieces_function_figure(r) -> go.Figure:
    """A random one-input network's output (``pieces.Random1D``) with every exact breakpoint marked."""
    bps = r.pieces.breakpoints
    traces = [go.Scatter(x=r.x, y=r.y, mode="lines", name="network output", line={"color": style.MODEL, "width": 2},
                         hovertemplate="x = %{x:.3f}<br>output = %{y:.3f}<extra></extra>"),
              go.Scatter(x=bps, y=np.interp(bps, r.x, r.y), mode="markers",
                         name=f"breakpoints ({len(bps)})", marker={"color": style.VERMILLION, "size": 6},
                         hovertemplate="breakpoint at x = %{x:.4f}<extra></extra>")]
    return _figure(traces, title=f"{r.pieces.n_pieces} pieces, {r.pieces.n_regions} activation regions on [−1, 1]",
                   x_title="input x", y_title="network output", height=320)


def pieces_by_depth_figure(res) -> go.Figure:
    """Pieces against depth at one parameter budget: upper bound, construction, random init, trained (log y)."""
    hover = [f"depth {d}, width {w}, {p} parameters" for d, w, p in zip(res.depths, res.widths, res.params,
                                                                        strict=True)]
    series = [("upper bound (Serra et al. 2018)", res.upper, style.GREY, "dot"),
              ("constructed: w-tooth map composed L times (wᴸ)", res.constructed, style.BLUE, "solid"),
              ("random initialisation (mean of 20)", res.random_mean, style.ORANGE, "solid"),
              ("trained on the sawtooth (precomputed)", res.trained, style.GREEN, "dash")]
    traces = []
    for i, (name, ys, colour, dash) in enumerate(series):
        ys = [np.nan if v is None else v for v in ys]
        traces.append(go.Scatter(x=res.depths, y=ys, name=name, mode="lines+markers", text=hover,
                                 line={"color": colour, "dash": dash, "width": 2},
                                 marker={"symbol": style.class_symbol(i), "size": 7},
                                 hovertemplate="%{text}<br>%{y:,.1f} pieces<extra></extra>"))
    return _figure(traces, x_title="hidden layers L (width shrinks to keep the budget)",
                   y_title="linear pieces on [0, 1] (log scale)", height=400,
                   layout={"yaxis": _LOG, "margin": {"t": 100}})


_REGION_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#999999",
                   "#b3d3ee", "#f6c6a0", "#a8dcc9", "#e8d9f0")


def regions_figure(r) -> go.Figure:
    """Activation regions of a two-input network (``pieces.Random2D``): each colour is one on/off pattern.

    Neighbouring regions differ in colour (12 colours cycle over the pattern index); the exact boundaries are
    one black line trace.
    """
    n_col = len(_REGION_COLOURS)
    scale = []
    for i, c in enumerate(_REGION_COLOURS):
        scale += [[i / n_col, c], [(i + 1) / n_col, c]]
    ex, ey = _polylines([np.vstack([p, p[:1]]) for p in r.regions.polygons])
    grid = r.grid
    traces = [go.Heatmap(x=grid, y=grid, z=np.mod(r.ids, n_col), zmin=-0.5, zmax=n_col - 0.5, colorscale=scale,
                         showscale=False, customdata=r.ids,
                         hovertemplate="x₁ = %{x:.2f}, x₂ = %{y:.2f}<br>pattern %{customdata}<extra></extra>"),
              go.Scatter(x=ex, y=ey, mode="lines", line={"color": style.BLACK, "width": 0.8}, hoverinfo="skip",
                         name="exact region boundaries")]
    return _figure(traces, title=f"{r.count_text} activation regions in the square", x_title="input x₁",
                   y_title="input x₂", height=440, layout={
                       "xaxis": {"range": [grid[0], grid[-1]], "constrain": "domain"},
                       "yaxis": {"range": [grid[0], grid[-1]], "scaleanchor": "x", "constrain": "domain"}})


def trajectory_length_figure(traj) -> go.Figure:
    """Length of the circle's image against depth (log y), one line per sigma_w."""
    depth = np.arange(traj.depth + 1)
    traces = [go.Scatter(x=depth, y=traj.lengths[i], mode="lines+markers", name=f"σ<sub>w</sub> = {s:g}",
                         line={"color": style.series_colour(i), "width": 2},
                         marker={"symbol": style.class_symbol(i), "size": 7},
                         hovertemplate=f"σ<sub>w</sub> = {s:g}<br>layer %{{x}}<br>length %{{y:,.1f}}<extra></extra>")
              for i, s in enumerate(traj.sigma_w)]
    return _figure(traces, title="Length of the image of the circle", x_title="layer d (0 = input circle)",
                   y_title="length (log scale)", height=400, layout={"yaxis": _LOG})


def trajectory_image_figure(traj, shown: int = 0) -> go.Figure:
    """The circle's image after layer ``traj.show_layer`` for sigma_w[shown], on its two principal axes; its colour
    is that sigma_w's line in ``trajectory_length_figure``. (A figure of its own, so the two stack on a phone.)"""
    c = traj.curves[shown]
    trace = go.Scatter(x=np.r_[c[:, 0], c[:1, 0]], y=np.r_[c[:, 1], c[:1, 1]], mode="lines", hoverinfo="skip",
                       line={"color": style.series_colour(shown), "width": 1},
                       name=f"σ<sub>w</sub> = {traj.sigma_w[shown]:g}")
    return _figure([trace], title=f"σ<sub>w</sub> = {traj.sigma_w[shown]:g}: the circle after layer {traj.show_layer}",
                   x_title="principal axis 1", y_title="principal axis 2", height=400, legend=False)


_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")  # depths told apart by more than colour
_ERROR_FLOOR = 1e-4  # an error of 0 cannot sit on a log axis: drawn here, and the hover says so


def budget_error_figure(res, construction: tuple[int, str] | None = None) -> go.Figure:
    """Error against parameters (log-log), one line per depth (a ``BudgetResult``); the construction as a line.

    The x ticks are the experiment's budgets (its conditions), not decades."""
    traces = []
    for i, d in enumerate(res.depths):
        rows = res.row(d)
        if not rows:
            continue
        traces.append(go.Scatter(
            x=[r.params for r in rows], y=[max(r.error, _ERROR_FLOOR) for r in rows], mode="lines+markers",
            name=f"{d} hidden layer{'s' if d > 1 else ''}", line={"color": style.series_colour(i), "width": 2},
            marker={"symbol": style.class_symbol(i), "size": 7},
            text=[f"depth {d}, width {r.width}, {r.params} parameters, {r.steps} steps"
                  + (f", {r.pieces} pieces" if r.pieces is not None else "")
                  + (" (error 0, drawn at 10⁻⁴)" if r.error < _ERROR_FLOOR else "") for r in rows],
            hovertemplate="%{text}<br>error %{y:.4f}<extra></extra>"))
    lo, hi = np.log10(min(res.budgets)), np.log10(max(res.budgets))
    # a fixed range and flat ticks: before the first depth finishes there are no points to fit the axis to
    layout: dict = {"xaxis": {"type": "log", "tickvals": list(res.budgets), "tickangle": 0,
                              "range": [lo - 0.08 * (hi - lo), hi + 0.08 * (hi - lo)]},
                    "yaxis": _LOG | {"range": [-4.2, 0.2]}, "margin": {"t": 80}}
    if construction is not None:
        params, label = construction
        layout["shapes"] = [_vline(params, style.PURPLE, width=2)]
        layout["annotations"] = [{"x": np.log10(params), "y": 0.02, "yref": "paper", "text": label,
                                  "showarrow": False, "xanchor": "left", "font": {"color": style.PURPLE, "size": 12}}]
    return _figure(traces, x_title="parameters (log scale)", y_title=f"{res.error_label} (log scale)", height=400,
                   layout=layout)


def budget_fits_figure(res, budget_index: int, data) -> go.Figure:
    """The trained fits at one budget, one curve per depth, over the target (1-D targets; ``data`` a TargetData)."""
    traces = [go.Scatter(x=data.x_eval[:, 0], y=data.y_eval[:, 0], name="target",
                         line={"color": style.TARGET, "dash": "dash"},
                         hovertemplate="x = %{x:.3f}<br>target %{y:.3f}<extra></extra>")]
    budget = res.budgets[budget_index]
    for i, d in enumerate(res.depths):
        r = res.cell(d, budget_index)
        if r is None or not r.curve:
            continue
        xs = np.linspace(0, 1, len(r.curve))
        traces.append(go.Scatter(x=xs, y=r.curve, name=f"depth {d}", mode="lines",
                                 line={"color": style.series_colour(i), "width": 1.6,
                                       "dash": _DASHES[i % len(_DASHES)]},
                                 hovertemplate=f"depth {d}, {r.params} parameters<br>x = %{{x:.3f}}<br>"
                                               "fit %{y:.3f}<extra></extra>"))
    return _figure(traces, title=f"The fits at about {budget} parameters", x_title="input x", y_title="output",
                   height=400, layout={"margin": {"t": 110}})


def untangle_figure(u) -> go.Figure:
    """The input grid and the data as hidden layer ``u.layer`` sees them (an ``UntangleView``); the final linear
    boundary on the last layer."""
    gx, gy = _polylines(u.lines)
    traces = [go.Scatter(x=gx, y=gy, mode="lines", line={"color": "#c8c8c8", "width": 1}, hoverinfo="skip",
                         name="input grid, warped")]
    for cls in (0, 1):
        sel = u.labels == cls
        traces.append(go.Scatter(x=u.points[sel, 0], y=u.points[sel, 1], mode="markers", name=f"class {cls}",
                                 marker={"color": style.CLASS_COLOURS[cls], "symbol": style.class_symbol(cls),
                                         "size": 6, "line": {"color": "white", "width": 0.5}},
                                 hovertemplate=f"class {cls}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    if u.boundary is not None:
        traces.append(go.Scatter(x=u.boundary[:, 0], y=u.boundary[:, 1], mode="lines", name="linear decision boundary",
                                 line={"color": style.PURPLE, "width": 3}, hoverinfo="skip"))
    axis = "input" if u.layer == 0 else f"hidden layer {u.layer}"
    where = "The input plane" if u.layer == 0 else f"After hidden layer {u.layer}"
    lim = 1.75 if u.layer == 0 else 1.1
    return _figure(traces, title=f"{where} · training accuracy {u.accuracy:.0%}", x_title=f"{axis}: unit 1",
                   y_title=f"{axis}: unit 2", height=460, layout={
                       "xaxis": {"range": [-lim, lim], "constrain": "domain"},
                       "yaxis": {"range": [-lim, lim], "scaleanchor": "x", "constrain": "domain"}})


#: Bubbles: marker area proportional to parameters (plotly sizemode "area"): the largest model is BUBBLE_MAX_PX
#: across; models too small to see are drawn at BUBBLE_MIN_PX and the caption says so.
BUBBLE_MAX_PX = 56
BUBBLE_MIN_PX = 5
_FAMILY_COLOURS = {"AlexNet": style.BLACK, "VGG": style.VERMILLION, "GoogLeNet": style.GREEN,
                   "Inception-v3": style.ORANGE, "ResNet": style.BLUE, "LeNet-5": style.PURPLE}
#: label offsets in pixels (dx, dy), placed by hand so that no label sits on another bubble or label
#: Label offsets (px from the bubble's centre), chosen so no label touches a bubble or another label at the plot
#: sizes of a 1400 px screen and a 390 px phone (tests/test_depth.py checks both).
_IMAGENET_LABELS = {"AlexNet": (0, -30), "VGG-16": (-34, 46), "VGG-19": (34, 46), "GoogLeNet": (-30, 22),
                    "Inception-v3": (-56, -18), "ResNet-18": (40, 12), "ResNet-34": (-48, 6), "ResNet-50": (-48, 0),
                    "ResNet-101": (-30, -34), "ResNet-152": (36, -30)}


def bubble_sizeref(max_params: float) -> float:
    """plotly's sizeref for sizemode "area": a marker of size s has area ∝ s / sizeref, so the largest is
    BUBBLE_MAX_PX across."""
    return max_params / BUBBLE_MAX_PX**2


def _size_key(x: float, ys: Sequence[float], values: Sequence[float], sizeref: float) -> list:
    """Grey reference bubbles at (x, y) with their parameter counts written beside them."""
    return [go.Scatter(x=[x] * len(values), y=list(ys), mode="markers+text", name="bubble area ∝ parameters",
                       text=[f"  {v / 1e6:.0f} million" for v in values], textposition="middle right",
                       marker={"size": list(values), "sizemode": "area", "sizeref": sizeref, "color": "white",
                               "line": {"color": style.GREY, "width": 1.5}},
                       hoverinfo="skip", textfont={"color": style.GREY, "size": 12})]


def imagenet_figure(rows: Sequence[tuple]) -> go.Figure:
    """ImageNet top-1 accuracy against GFLOPS (log x); bubble AREA proportional to parameters, colour = family."""
    params_max = max(r[5] for r in rows)
    sizeref = bubble_sizeref(params_max)
    traces, annotations = [], []
    for fam in dict.fromkeys(family(r[0]) for r in rows):
        sel = [r for r in rows if family(r[0]) == fam]
        traces.append(go.Scatter(
            x=[r[4] for r in sel], y=[r[3] for r in sel], mode="markers", name=fam,
            marker={"size": [r[5] for r in sel], "sizemode": "area", "sizeref": sizeref, "sizemin": BUBBLE_MIN_PX,
                    "color": _FAMILY_COLOURS[fam], "opacity": 0.7, "line": {"color": "white", "width": 1}},
            text=[r[0] for r in sel], customdata=[[r[5] / 1e6, r[2]] for r in sel],
            hovertemplate="%{text}<br>top-1 %{y:.1f} %<br>%{x:.2f} GFLOPS<br>%{customdata[0]:.1f} million "
                          "parameters<br>%{customdata[1]} weight layers<extra></extra>"))
        for r in sel:
            dx, dy = _IMAGENET_LABELS.get(r[0], (0, -26))
            annotations.append({"x": np.log10(r[4]), "y": r[3], "text": r[0], "showarrow": True, "arrowwidth": 0.8,
                                "arrowcolor": style.GREY, "ax": dx, "ay": dy, "font": {"size": 12},
                                "standoff": 2})
    traces += _size_key(2.2, [57.5, 63.0], [10e6, 100e6], sizeref)  # in the empty lower middle, clear of labels
    return _figure(traces, x_title="computation per image (GFLOPS, log scale)", y_title="ImageNet top-1 accuracy (%)",
                   height=480, layout={"xaxis": _LOG | {"range": [np.log10(0.4), np.log10(60)]},
                                       "yaxis": {"range": [53, 84]}, "annotations": annotations,
                                       "margin": {"t": 90}})


def timeline_figure(rows: Sequence[tuple]) -> go.Figure:
    """Depth of landmark networks against year (log y); bubble AREA proportional to parameters."""
    params = [r[3] for r in rows]
    sizeref = bubble_sizeref(max(params))
    trace = go.Scatter(
        x=[r[1] for r in rows], y=[r[2] for r in rows], mode="lines+markers+text", text=[r[0] for r in rows],
        textposition=["top center", "middle left", "middle left", "middle left"],
        line={"color": style.GREY, "dash": "dot"}, name="landmark networks",
        marker={"size": params, "sizemode": "area", "sizeref": sizeref, "sizemin": BUBBLE_MIN_PX,
                "color": style.BLUE, "opacity": 0.75}, customdata=[[p / 1e6] for p in params],
        hovertext=[r[4] for r in rows],
        hovertemplate="%{text} (%{x})<br>%{y} weight layers<br>%{customdata[0]:.2f} million parameters<br>"
                      "%{hovertext}<extra></extra>")
    traces = [trace] + _size_key(1999.0, [25, 60], [10e6, 100e6], sizeref)  # above LeNet, left of every label
    return _figure(traces, x_title="year", y_title="weight layers (log scale)", height=480,
                   layout={"yaxis": _LOG | {"range": [np.log10(3), np.log10(300)]},
                           "xaxis": {"range": [1994, 2021]}, "margin": {"t": 90}})


def octave_layers_figure(r) -> go.Figure:
    """One period of the table per layer, stacked (layer 1 on top): t^l(x) for l = 1..k against time in the
    period, each labelled with the lowest harmonic measured in its clip. ``r``: an ``octaves.Octaves``."""
    t_ms = r.x * 1000.0 / r.f_table
    gap = 1.3
    traces, ticks = [], []
    for i, y in enumerate(r.layers):
        base = (len(r.layers) - 1 - i) * gap
        traces.append(go.Scatter(x=t_ms, y=y + base, mode="lines", name=f"layer {i + 1}", hoverinfo="skip",
                                 line={"color": style.SERIES[i % len(style.SERIES)], "width": 2}))
        ticks.append((base + 0.5, f"layer {i + 1}: {r.fundamentals[i]:,.0f} Hz"))
    return _figure(traces, title=f"One period per layer ({1000.0 / r.f_table:.2f} ms)",
                   x_title="time in one period of the table (ms)", y_title=None, legend=False,
                   height=110 + 60 * len(r.layers),
                   layout={"yaxis": {"tickvals": [v for v, _ in ticks], "ticktext": [s for _, s in ticks],
                                     "showgrid": False, "zeroline": False, "range": [-0.15, gap * (len(ticks) - 1)
                                                                                     + 1.15]},
                           "margin": {"l": 130}})
