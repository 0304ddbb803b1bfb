"""One colour language and one layout for every figure in the app.

Colours are the Okabe-Ito palette (colour-blind safe). Meanings are fixed across pages:
positive weight / class 1 / model = blue, negative weight / class 0 = vermillion, target = black
(dashed), train = blue, test = orange, a second model or comparison = green, highlight = purple.
"""

from __future__ import annotations

import base64
import csv
import io
import re

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from nnviz import format as fmt

BLUE = "#0072B2"
VERMILLION = "#D55E00"
# Okabe-Ito's orange, sky blue, yellow and grey darkened (same hues) to reach 3:1 against white, WCAG 1.4.11's
# contrast for graphical objects (curves, markers): theirs are 2.3, 2.3, 1.3 and 2.9 (tests/test_accessibility.py).
ORANGE = "#B57A00"
SKY = "#2C8FCB"
GREEN = "#009E73"
YELLOW = "#8A7D00"
PURPLE = "#B5558C"
BLACK = "#222222"
GREY = "#767676"

POSITIVE = BLUE
NEGATIVE = VERMILLION
MODEL = BLUE
TARGET = BLACK
TRAIN = BLUE
TEST = ORANGE
COMPARE = GREEN
CLASS_COLOURS = (VERMILLION, BLUE, GREEN, ORANGE, PURPLE, SKY)  # class 0, 1, 2, ...
#: Class k is drawn with CLASS_SYMBOLS[k] as well as CLASS_COLOURS[k], so no class is told apart by colour alone
#: (WCAG 1.4.1). Filled shapes, which stay distinct at 6-9 px.
CLASS_SYMBOLS = ("circle", "square", "diamond", "triangle-up", "x", "cross", "star", "pentagon", "hexagon",
                 "triangle-down")

#: A cycle for several curves of equal standing (activations overlaid, depths compared).
SERIES = (BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW)

#: Diverging scale for signed values (weights, outputs around a threshold): negative red, positive blue.
DIVERGING = [[0.0, VERMILLION], [0.5, "#f7f7f7"], [1.0, BLUE]]
#: Sequential scale for magnitudes.
SEQUENTIAL = "Viridis"

FONT_SIZE = 14

#: Whether ``make_figure`` lets plotly validate every property. Validation costs 5-30 ms a figure on every
#: rerun, so the app skips it; the test suite turns it on (tests/conftest.py), so a misspelt property in any
#: figure a test builds still fails loudly there.
VALIDATE = False

_AXIS = {"gridcolor": "#ebebeb", "zerolinecolor": "#c8c8c8", "linecolor": "#c8c8c8", "ticks": "",
         "title": {"standoff": 8}, "automargin": True}

#: A lean white template. Plotly's built-in "plotly_white" carries defaults for every trace type and is
#: deep-copied into each figure, which alone cost ~60 ms a figure; this one holds only what we use.
TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": list(SERIES),
    "font": {"family": "Source Sans Pro, Helvetica, Arial, sans-serif", "color": BLACK},
    "xaxis": _AXIS, "yaxis": _AXIS, "hovermode": "closest",
})
pio.templates["nnviz"] = TEMPLATE
pio.templates.default = "nnviz"


def series_colour(i: int) -> str:
    """The i-th colour of the shared series cycle."""
    return SERIES[i % len(SERIES)]


def weight_colour(w: float) -> str:
    """Blue for a positive weight, vermillion for a negative one."""
    return POSITIVE if w >= 0 else NEGATIVE


def weight_dash(w: float) -> str:
    """Solid for a positive weight, dashed for a negative one: the sign is not carried by colour alone."""
    return "solid" if w >= 0 else "dash"


def class_symbol(k: int) -> str:
    """The marker shape of class k (paired with ``CLASS_COLOURS[k]``)."""
    return CLASS_SYMBOLS[k % len(CLASS_SYMBOLS)]


def base_layout(*, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
                height: int = 380, legend: bool = True) -> dict:
    """The common layout as a plain dict: title on top, the legend in its own band above the plot area
    (so the two never overlap), labelled axes, tight margins."""
    layout: dict = {
        "height": height,
        "margin": {"l": 60, "r": 20, "t": (95 if legend else 50) if title else (60 if legend else 25), "b": 55},
        "font": {"size": FONT_SIZE},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0.0,
                   "font": {"size": 12}},
        "hoverlabel": {"font": {"size": 13}},
    }
    if title:
        layout["title"] = {"text": title, "x": 0.0, "xanchor": "left", "y": 0.985, "yref": "container",
                           "yanchor": "top"}
    if x_title is not None:
        layout["xaxis"] = {"title": {"text": x_title}}
    if y_title is not None:
        layout["yaxis"] = {"title": {"text": y_title}}
    return layout


def _merge(base: dict, extra: dict) -> dict:
    """Recursive dict merge: ``extra`` wins, nested dicts (xaxis, legend, ...) are merged, not replaced."""
    out = dict(base)
    for k, v in extra.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def make_figure(data: list, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
                height: int = 380, legend: bool | dict = True, **layout) -> go.Figure:
    """Build a figure in one constructor call with the common look plus ``layout`` (plotly layout keys).

    Prefer this to ``go.Figure()`` followed by ``add_trace``/``update_layout``/``add_vline``: plotly validates
    each incremental update separately, which made a figure 3-5x slower to build (tens of ms), and a page
    rebuilds all its figures on every widget change. ``legend`` is a flag, or a dict of legend settings.
    """
    base = base_layout(title=title, x_title=x_title, y_title=y_title, height=height, legend=bool(legend))
    if isinstance(legend, dict):  # legend placement or font overrides, merged into the common legend
        layout = {**layout, "legend": _merge(layout.get("legend", {}), legend)}
    return go.Figure(data=data, layout=_merge(base, layout), _validate=VALIDATE)


def _unset_left_out(value: object) -> object:
    """``value`` with the properties set to None left out of every dict in it (plotly leaves them unset), and
    arrays of strings as lists."""
    if isinstance(value, dict):
        return {k: _unset_left_out(v) for k, v in value.items() if v is not None}
    if isinstance(value, list) and any(isinstance(v, dict) for v in value):
        return [_unset_left_out(v) for v in value]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return value.tolist()
    return value


def json_form(props: dict) -> dict:
    """A trace's or a layout's properties as ``go.Figure.to_dict()`` writes them: unset ones left out, numpy arrays
    as plotly.js's base64 typed arrays, by plotly's own encoder (the smallest integer type that holds the values)."""
    from _plotly_utils.utils import convert_to_base64

    out = _unset_left_out(props)
    convert_to_base64(out)  # in place
    return out


def trace(kind: str, **props) -> dict:
    """A trace as a plain dict (``go.Scatter(...)``'s JSON form, arrays base64-encoded, None left out): plotly
    validates a go.Scatter property by property when it is built, 1-2 ms a trace, most of a figure's cost on a
    cache miss. ``figure_dict`` still validates the figure when ``VALIDATE`` is on (tests)."""
    return json_form({"type": kind, **props})


def scatter(**props) -> dict:
    """``trace("scatter", ...)``: a line or markers as a plain dict."""
    return trace("scatter", **props)


#: The template as ``go.Figure.to_dict()`` writes it into every figure's layout: a dict figure carries it too,
#: so it looks the same in the browser (nnviz's colour cycle, fonts and grid).
TEMPLATE_JSON = TEMPLATE.to_plotly_json()


def figure_dict(data: list, *, title: str | None = None, x_title: str | None = None, y_title: str | None = None,
                height: int = 380, legend: bool | dict = True, **layout) -> dict:
    """``make_figure``'s figure as a plain dict ``{"data": traces, "layout": layout}`` (plotly's JSON form, what
    ``ui.figure`` and ``views.charts.Chart`` take), without building plotly objects: for a figure rebuilt often
    or built on a cache miss. Traces are dicts (``trace``); with ``VALIDATE`` on (tests) plotly checks it."""
    base = base_layout(title=title, x_title=x_title, y_title=y_title, height=height, legend=bool(legend))
    if isinstance(legend, dict):  # legend placement or font overrides, merged into the common legend
        layout = {**layout, "legend": _merge(layout.get("legend", {}), legend)}
    layout = json_form({"template": TEMPLATE_JSON, **_merge(base, layout)})
    spec = {"data": [json_form(t) for t in data], "layout": layout}
    if VALIDATE:
        go.Figure(spec)
    return spec


def vline(x: float, colour: str = GREY, dash: str = "dash", text: str | None = None,
          **text_kw) -> tuple[dict, dict | None]:
    """A vertical line across the plot at ``x`` (a layout shape) and its label (an annotation), as dicts."""
    shape = {"type": "line", "x0": x, "x1": x, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
             "line": {"color": colour, "dash": dash, "width": 2}}
    note = None
    if text:
        note = {"x": x, "y": 1, "xref": "x", "yref": "paper", "text": text, "showarrow": False, "xanchor": "left",
                "yanchor": "top", "xshift": 4, "font": {"size": 12, "color": colour}} | text_kw
    return shape, note


def hline(y: float, colour: str = GREY, dash: str = "dash", text: str | None = None,
          **text_kw) -> tuple[dict, dict | None]:
    """A horizontal line across the plot at ``y`` (a layout shape) and its label (an annotation), as dicts."""
    shape = {"type": "line", "y0": y, "y1": y, "yref": "y", "x0": 0, "x1": 1, "xref": "paper",
             "line": {"color": colour, "dash": dash, "width": 2}}
    note = None
    if text:
        note = {"y": y, "x": 0, "xref": "paper", "yref": "y", "text": text, "showarrow": False, "xanchor": "left",
                "yanchor": "bottom", "font": {"size": 12, "color": colour}} | text_kw
    return shape, note


def apply_layout(
    fig: go.Figure,
    *,
    title: str | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
    height: int = 380,
    legend: bool = True,
) -> go.Figure:
    """Give an already built ``fig`` the app's common look (see ``make_figure``, which is faster)."""
    layout = base_layout(title=title, x_title=None, y_title=None, height=height, legend=legend)
    fig.update_layout(**layout)
    if x_title is not None:
        fig.update_xaxes(title_text=x_title)
    if y_title is not None:
        fig.update_yaxes(title_text=y_title)
    return fig


# --- Text alternatives and the numbers behind a figure ---------------------------------------------------------
#
# Both read the figure's plain dicts (``fig._data``, ``fig._layout``; a cached ``fig.to_dict()`` as it is), not
# plotly's property objects: each property read through ``fig.layout.xaxis.title.text`` costs plotly's validators
# tens of microseconds, which made ``describe`` 10 ms a figure (28 ms for a 9-curve figure) on every rerun.

#: The longest text alternative ``describe`` returns: a screen reader reads it in one go, so it stays short.
ALT_MAX_CHARS = 600
#: Traces described one by one; the rest are counted (a figure can carry hundreds of small traces).
_ALT_MAX_TRACES = 8
_GRID_TYPES = {"heatmap", "contour", "surface", "heatmapgl", "histogram2d", "histogram2dcontour"}
_3D_TYPES = {"surface", "scatter3d"}


def _parts(fig: go.Figure | dict) -> tuple[list[dict], dict]:
    """The figure's traces and layout as plain dicts, without copying (read them, never write them)."""
    if isinstance(fig, dict):
        return list(fig.get("data") or ()), dict(fig.get("layout") or {})
    try:
        return fig._data, fig._layout  # plotly's own storage, the dicts to_dict() copies
    except AttributeError:  # a plotly that stores figures differently: pay for the copy
        d = fig.to_dict()
        return d.get("data", []), d.get("layout", {})


def _text(value: object) -> object:
    """A title as plotly may hold it: a string, or a dict with its ``text``."""
    return value.get("text") if isinstance(value, dict) else value


def _plain(text: object) -> str:
    """Figure text without HTML tags, MathJax dollars or runs of spaces (``h<sub>1</sub>`` -> ``h1``)."""
    s = re.sub(r"<br\s*/?>", " ", str(text or ""), flags=re.I)
    s = re.sub(r"<[^>]+>", "", s).replace("$", "")
    return " ".join(s.split())


def _axis_title(layout: dict, ref: str | None, letter: str) -> str:
    """The title of the axis a trace uses (``x2`` -> ``layout["xaxis2"]``), or ``letter`` when it has none."""
    axis = layout.get(f"{letter}axis{(ref or letter)[1:]}")
    title = _plain(_text(axis.get("title"))) if isinstance(axis, dict) else ""
    return title or letter


def _array(values: object) -> np.ndarray | None:
    """``values`` as an array: lists and arrays as they are, plotly's base64 typed arrays (``{"dtype", "bdata"}``,
    what ``to_dict()`` writes) decoded."""
    if values is None:
        return None
    if isinstance(values, dict):
        if "bdata" not in values:
            return None
        a = np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values.get("dtype", "f8")))
        shape = values.get("shape")
        if shape:
            a = a.reshape([int(n) for n in str(shape).split(",")])
        return a
    return np.asarray(values)


def _numbers(values: object) -> np.ndarray | None:
    """``values`` as a flat float array with the non-finite entries dropped, or None when not numeric."""
    try:
        a = _array(values)
        if a is None:
            return None
        a = np.asarray(a, dtype=float).ravel()
    except (TypeError, ValueError):
        return None
    return a[np.isfinite(a)]


def _span(a: np.ndarray) -> str:
    return f"{fmt.number(float(a.min()))} to {fmt.number(float(a.max()))}"


def _x_phrase(x: object, n: int, x_name: str) -> str:
    """Where the x values go: "as epoch goes 0 to 400", or the categories when x is not numeric."""
    if x is None:
        return f"over {n} points"
    xs = _numbers(x)
    if xs is None or len(xs) == 0:
        a = _array(x)
        cats = [] if a is None else list(a.ravel())
        return f"over {len(cats)} {x_name} values ({_plain(cats[0])} to {_plain(cats[-1])})" if cats else ""
    return f"as {x_name} goes {fmt.number(float(xs[0]))} to {fmt.number(float(xs[-1]))}"


def _trend(y: np.ndarray) -> str:
    """How a curve moves: rises/falls from its first to its last value, with its extremes when they lie between."""
    first, last, low, high = (float(v) for v in (y[0], y[-1], y.min(), y.max()))
    scale = max(abs(high), abs(low), 1e-300)
    if high - low <= 1e-9 * scale:
        return f"stays at {fmt.number(first)}"
    verb = "rises" if last > first else "falls" if last < first else "returns"
    text = f"{verb} from {fmt.number(first)} to {fmt.number(last)}"
    if low < min(first, last) or high > max(first, last):
        text += f" (lowest {fmt.number(low)}, highest {fmt.number(high)})"
    return text


def _name(trace: dict, i: int) -> str:
    return _plain(trace.get("name")) or f"Series {i + 1}"


def _describe_trace(trace: dict, layout: dict, i: int) -> str:
    """One sentence for one trace: its name and what its values do over its x range."""
    kind = trace.get("type") or "scatter"
    name = _name(trace, i)
    x_name = _axis_title(layout, trace.get("xaxis"), "x")
    y_name = _axis_title(layout, trace.get("yaxis"), "y")
    if kind in _GRID_TYPES or kind == "scatter3d":
        z = _numbers(trace.get("z"))
        if z is None or len(z) == 0:
            return f"{name}: no values"
        xs, ys = _numbers(trace.get("x")), _numbers(trace.get("y"))
        where = []
        if xs is not None and len(xs):
            where.append(f"{x_name if kind not in _3D_TYPES else 'x'} {_span(xs)}")
        if ys is not None and len(ys):
            where.append(f"{y_name if kind not in _3D_TYPES else 'y'} {_span(ys)}")
        over = f" over {', '.join(where)}" if where else ""
        return f"{name}: values from {_span(z)}{over}"
    y_raw, x_raw = trace.get("y"), trace.get("x")
    if kind == "histogram" and y_raw is None:
        xs = _numbers(x_raw)
        return f"{name}: distribution of {len(xs)} values from {_span(xs)}" if xs is not None and len(xs) else name
    y = _numbers(y_raw)
    if y is None or len(y) == 0:
        return f"{name}: no values"
    mode = trace.get("mode") or ""
    if kind in ("scatter", "scattergl") and "lines" not in mode and mode:
        xs = _numbers(x_raw)
        where = f"{x_name} {_span(xs)}, " if xs is not None and len(xs) else ""
        return f"{name}: {len(y)} points, {where}{y_name} {_span(y)}"
    return f"{name}: {_trend(y)} {_x_phrase(x_raw, len(y), x_name)}".rstrip()


def describe(fig: go.Figure | dict) -> str:
    """A short text alternative for ``fig`` computed from the figure itself, at most ``ALT_MAX_CHARS`` long.

    Title, axis titles, then each trace's name and how its y (or z) values go over its x range, e.g.
    "Training loss: falls from 0.69 to 0.02 as epoch goes 0 to 400". It is a function of the plotted numbers,
    so it changes when the result does.
    """
    data, layout = _parts(fig)
    title = _plain(_text(layout.get("title")))
    traces = [t for t in data if t.get("visible") is not False]
    head = f"Chart: {title}." if title else "Chart."
    if not traces:
        return f"{head} No data shown."
    x_name, y_name = _axis_title(layout, None, "x"), _axis_title(layout, None, "y")
    axes = f" Axes: {x_name} across, {y_name} up." if (x_name, y_name) != ("x", "y") else ""
    parts = [_describe_trace(t, layout, i) for i, t in enumerate(traces[:_ALT_MAX_TRACES])]
    rest = len(traces) - len(parts)
    text = f"{head}{axes} " + "; ".join(parts) + (f"; and {rest} more series" if rest > 0 else "") + "."
    while len(text) > ALT_MAX_CHARS and len(parts) > 1:  # drop whole series sentences first, then cut
        parts.pop()
        rest += 1
        text = f"{head}{axes} " + "; ".join(parts) + f"; and {rest} more series."
    return text if len(text) <= ALT_MAX_CHARS else text[: ALT_MAX_CHARS - 1] + "…"


def figure_name(fig: go.Figure | dict) -> str | None:
    """What a figure shows, in a few words: its title, else "y against x" from its axis titles, else its first
    series' name; None when it plots no numbers (only labels and shapes) or is a drawing with both axes hidden
    (a network diagram: its coordinates are placement, not data)."""
    data, layout = _parts(fig)
    plotted = [t for t in data if _plotted(t)]
    if not plotted or all(isinstance(layout.get(a), dict) and layout[a].get("visible") is False
                          for a in ("xaxis", "yaxis")):
        return None
    title = _plain(_text(layout.get("title")))
    if title:
        return title
    x_name = _axis_title(layout, plotted[0].get("xaxis"), "x")
    y_name = _axis_title(layout, plotted[0].get("yaxis"), "y")
    if (x_name, y_name) != ("x", "y"):
        return f"{y_name} against {x_name}"
    return _name(plotted[0], 0)


#: The most rows ``data_table`` returns; a longer figure keeps every k-th point of each series (first and last
#: kept), so a download stays a file a spreadsheet opens at once.
TABLE_MAX_ROWS = 50_000


def _plotted(trace: dict) -> bool:
    """Whether a trace carries numbers a student would want (not hidden, not a text label, not an axis frame)."""
    if trace.get("visible") is False:
        return False
    mode = trace.get("mode") or ""
    return not (mode == "text" or (trace.get("hoverinfo") == "skip" and trace.get("showlegend") is False))


def _trace_columns(trace: dict) -> dict[str, np.ndarray]:
    """A trace's points as equal-length flat columns x, y (and z): grids are spread out one row per cell."""
    kind = trace.get("type") or "scatter"
    x, y, z = (_array(trace.get(k)) for k in ("x", "y", "z"))
    if kind in _GRID_TYPES and z is not None and z.ndim == 2:
        rows, cols = z.shape
        x = np.arange(cols) if x is None or x.ndim != 1 or len(x) != cols else x
        y = np.arange(rows) if y is None or y.ndim != 1 or len(y) != rows else y
        xx, yy = np.meshgrid(x, y)
        return {"x": xx.ravel(), "y": yy.ravel(), "z": z.ravel()}
    present = {k: a.ravel() for k, a in (("x", x), ("y", y), ("z", z)) if a is not None and a.ndim <= 1 + (k == "z")}
    if not present:
        return {}
    n = max(len(a) for a in present.values())
    if "x" not in present and kind not in ("histogram",):
        present["x"] = np.arange(n)
    if kind in ("scatter", "scattergl", "bar") and "y" not in present:
        return {}
    return {k: a for k, a in present.items() if len(a) == n}


def _thin(n: int, keep: int) -> np.ndarray:
    """Indices of ``keep`` evenly spaced rows out of ``n``, the first and the last among them."""
    return np.unique(np.linspace(0, n - 1, max(2, keep)).round().astype(int)) if n > keep else np.arange(n)


def data_table(fig: go.Figure | dict, max_rows: int = TABLE_MAX_ROWS) -> tuple[list[str], list[list[object]]]:
    """The numbers plotted in ``fig`` as one long table: a row per point, ``(header, rows)``.

    Columns: ``series`` (the trace's name), then x and y named after the axes when every trace uses the same
    pair (else "x", "y" and two columns naming each row's axes), then z when a trace has one (heat maps: a row
    per cell). At most ``max_rows`` rows, each series thinned in proportion. Empty values (gaps in a line) are
    empty cells.
    """
    data, layout = _parts(fig)
    series = []
    for i, trace in enumerate(data):
        if _plotted(trace):
            cols = _trace_columns(trace)
            if cols:
                series.append((trace, _name(trace, i), cols))
    axes = {(_axis_title(layout, t.get("xaxis"), "x"), _axis_title(layout, t.get("yaxis"), "y")) for t, _, _ in series}
    has_z = any("z" in cols for _, _, cols in series)
    one_pair = len(axes) == 1
    x_head, y_head = next(iter(axes)) if one_pair else ("x", "y")
    header = ["series", x_head, y_head if y_head != x_head else f"{y_head} (y)"]
    if not one_pair:
        header += ["x axis", "y axis"]
    if has_z:
        header.append("z")
    total = sum(len(next(iter(cols.values()))) for _, _, cols in series)
    rows: list[list[object]] = []
    for trace, name, cols in series:
        n = len(next(iter(cols.values())))
        keep = n if total <= max_rows else max(2, n * max_rows // total)
        pair = [_axis_title(layout, trace.get("xaxis"), "x"), _axis_title(layout, trace.get("yaxis"), "y")]
        for j in _thin(n, keep):
            row = [name, _cell(cols, "x", j), _cell(cols, "y", j)]
            if not one_pair:
                row += pair
            if has_z:
                row.append(_cell(cols, "z", j))
            if row[1:3] != ["", ""] or (has_z and row[-1] != ""):
                rows.append(row)
    return header, rows[:max_rows]


def _cell(cols: dict[str, np.ndarray], k: str, j: int) -> object:
    """One value for the table: numbers as Python numbers, None and NaN as empty, text as text."""
    if k not in cols:
        return ""
    v = cols[k][j]
    if v is None:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return float(v) if np.isfinite(v) else ""
    return _plain(v)


def data_csv(fig: go.Figure | dict, max_rows: int = TABLE_MAX_ROWS) -> str:
    """``data_table(fig)`` as CSV text (numbers written exactly, shortest round-trip form)."""
    header, rows = data_table(fig, max_rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
