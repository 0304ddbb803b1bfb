"""Cached views of the activation page: plain settings (``Phi`` values, numbers) in, frozen results out.

Each function is ``nnviz.ui.cache.view`` (every session gets its own copy). The page picks settings, calls these,
and shows the ``Chart`` values they return (figures built and described once per setting, ``nnviz.views.charts``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from nnviz.activations import Phi
from nnviz.figures import activations as figs
from nnviz.format import tex_number
from nnviz.topics import activations as topic
from nnviz.ui.cache import shared, view
from nnviz.views.charts import Chart, chart

#: The x grid of the ReLU section's figures.
RELU_GRID = np.linspace(-1.0, 1.0, 401)

#: The page's defaults that a first visit opens with: the gallery's selection, range and probe, the collapse
#: section's settings, the depth section's widgets.
GALLERY_DEFAULTS = {"selection": ("sigmoid", "tanh", "relu", "gelu"), "z_max": 5.0, "z_probe": 1.0}
COLLAPSE_DEFAULTS = {"phi": "tanh", "target": "square", "hidden": (16, 16)}
DEPTH_DEFAULTS = {"selection": GALLERY_DEFAULTS["selection"], "init": "xavier", "width": 256, "depth": 50}

#: The defaults precomputed by benchmarks/precompute_activations.py, so a first visit imports neither torch nor
#: scipy (the sigmoid's and GELU's closed forms use it): the gallery (curves, probe, table rows), the collapse's
#: untrained stacks, the depth section's propagations. Each entry carries its settings key, so it is used for exactly
#: those settings; tests compare the file with a fresh computation.
DATA = Path(__file__).resolve().parent.parent / "data" / "activations.json"


def _act_key(act: Phi) -> list:
    return [act.key, [list(p) for p in act.params]]


def curve_key(act: Phi, z_max: float) -> str:
    """The settings of one gallery curve as text (a key of the precomputed file)."""
    return json.dumps(["curve", _act_key(act), float(z_max)])


def probe_key(act: Phi, z0: float) -> str:
    return json.dumps(["probe", _act_key(act), float(z0)])


def properties_key(act: Phi) -> str:
    return json.dumps(["properties", _act_key(act)])


def collapse_key(config: tuple, steps: int) -> str:
    act, target_name, hidden = config
    return json.dumps(["collapse", _act_key(act), target_name, [int(h) for h in hidden], int(steps)])


def depth_key(act: Phi, init: str, sigma_w: float, width: int, depth: int) -> str:
    """The settings of one propagation as text (a key of the precomputed file)."""
    return json.dumps([act.key, act.params, init, float(sigma_w), int(width), int(depth), topic.DEPTH_BATCH, 0])


def _fit(row: dict) -> topic.Fit:
    return topic.Fit(Phi(row["act"], dict(row["params"])), np.array(row["x"]), np.array(row["y"]),
                     np.array(row["y_hat"]), np.array(row["loss"], dtype=np.float64),
                     tuple(np.array(w, dtype=np.float64).reshape(row["shapes"][i]) for i, w in
                           enumerate(row["weights"])),
                     tuple(np.array(b, dtype=np.float64) for b in row["biases"]))


@shared(max_entries=1)
def precomputed() -> dict[str, object]:
    """The precomputed results by settings key (empty when the file is missing); read-only, one per server:
    ``topic.Curve`` values, (phi, phi') probe pairs, ``topic.Properties`` rows, the collapse's untrained (linear,
    nonlinear) fits and ``topic.Propagation`` values."""
    try:
        data = json.loads(DATA.read_text())
    except (OSError, ValueError):
        return {}
    out: dict[str, object] = {}
    for row in data.get("curves", []):
        act = Phi(row["act"], dict(row["params"]))
        out[curve_key(act, row["z_max"])] = topic.curve_from(act, row["z_max"], np.array(row["dphi"]),
                                                             np.array(row["phi"]))  # no scipy for the sigmoid
    for row in data.get("probes", []):
        out[probe_key(Phi(row["act"], dict(row["params"])), row["z0"])] = (float(row["phi"]), float(row["dphi"]))
    for row in data.get("properties", []):
        act = Phi(row["act"], dict(row["params"]))
        out[properties_key(act)] = topic.Properties(act, *(float(row[f]) for f in topic.PROPERTY_NUMBERS),
                                                    row["saturating"])
    for row in data.get("collapse", []):
        out[row["key"]] = tuple(_fit(f) for f in row["fits"])
    for row in data.get("depth", []):
        out[row["key"]] = topic.Propagation(Phi(row["act"], dict(row["params"])), np.array(row["act_std"]),
                                            np.array(row["grad_std"]), np.array(row["dead"]), float(row["w_std"]))
    return out


@view(max_entries=512)
def curve(act: Phi, z_max: float) -> topic.Curve:
    """phi and phi' of one activation on [-z_max, z_max]."""
    stored = precomputed().get(curve_key(act, z_max))
    return stored if stored is not None else topic.curve(act, z_max)


def probe(act: Phi, z0: float) -> tuple[float, float]:
    """(phi(z0), phi'(z0)) of one activation (phi' by its closed form, or the file at the defaults)."""
    stored = precomputed().get(probe_key(act, z0))
    return stored if stored is not None else topic.probe(act, z0)


@view(max_entries=512)
def properties(act: Phi) -> topic.Properties:
    """One row of the properties table."""
    stored = precomputed().get(properties_key(act))
    return stored if stored is not None else topic.properties(act)


@dataclass(frozen=True)
class Gallery:
    """The gallery for a selection: curves, the probe's formula rows (LaTeX), table columns and the words."""

    curves: tuple[topic.Curve, ...]
    formula_rows: tuple[str, ...]
    table: dict
    caption: str
    takeaway: str
    phi_chart: Chart
    dphi_chart: Chart
    table_markdown: str  # ``table`` as a markdown table (st.dataframe's first use imports pandas, ~0.4 s CPU)


@view(max_entries=256)
def gallery(acts: tuple[Phi, ...], z_max: float, z_probe: float, shade: bool) -> Gallery:
    """The gallery for a selection, from the per-activation cached views (a probe or shading change is cheap)."""
    curves = tuple(curve(a, float(z_max)) for a in acts)
    rows = []
    for a in acts:
        phi_z, dphi_z = probe(a, z_probe)
        formula = a.latex.replace(r",\;", r",\\ \qquad ")  # SELU's constants on a line of their own
        rows.append(rf"\textbf{{{a.spec.label.replace('/', ' or ')}}}:\quad {formula} \\ "
                    rf"\qquad \varphi({z_probe:g}) = {tex_number(phi_z, 4)},\quad "
                    rf"\varphi'({z_probe:g}) = {tex_number(dphi_z, 4)}")
    table = topic.properties_table([properties(a) for a in acts])
    return Gallery(curves, tuple(rows), table, topic.gallery_caption(curves, shade), topic.gallery_takeaway(curves),
                   chart(figs.gallery_phi(curves, z_probe, shade)), chart(figs.gallery_dphi(curves, z_probe, shade)),
                   topic.markdown_table(table))


@view(max_entries=64)
def collapse(act: Phi, target_name: str, hidden: tuple[int, ...]) -> topic.CollapseResult:
    """The same stack trained with phi(z) = z and with ``act``, to the end (tests and the precomputation; the page
    trains it in its live panel)."""
    return topic.collapse_experiment(act, target_name, hidden)


@dataclass(frozen=True)
class CollapsePanel:
    """The collapse section after some steps of its run: the figure, W_eff and b_eff (LaTeX) and the result."""

    result: topic.CollapseResult
    chart: Chart
    formula: str


@view(max_entries=64)
def collapse_panel(config: tuple, steps: int, _run: topic.RaceRun) -> CollapsePanel:
    """The panel of the collapse run ``_run``: the run of ``config`` after ``steps`` steps (a run of fixed settings
    is the same after the same steps in every session, so the run itself is not hashed)."""
    stored = precomputed().get(collapse_key(config, steps)) if steps == 0 else None
    res = topic.collapse_result_of(*stored, steps) if stored is not None else topic.collapse_result(_run)
    fig = figs.collapse_fit(res.linear, res.nonlinear, res.w_eff, res.b_eff, res.line)
    return CollapsePanel(res, chart(fig), collapse_formula(res))


#: The depth section follows at most this many of the selected activations (the first ones): each costs 50-150 ms
#: on a change of depth, width or initialisation, and more curves than this are not told apart in its figures.
DEPTH_MAX = 6


@view(max_entries=256, spinner="Sending a batch through the deep stack…")
def propagation(act: Phi, init: str, sigma_w: float, width: int, depth: int,
                _weights: Callable[[], tuple] | None = None) -> topic.Propagation:
    """One activation through the deep stack at initialisation (batch topic.DEPTH_BATCH, seed 0). ``_weights()``
    (not part of the key: the weights follow from the settings) returns the stack's weights when it is needed."""
    stored = precomputed().get(depth_key(act, init, sigma_w, width, depth))
    if stored is not None:
        return stored
    return topic.propagate(act, init, depth=depth, width=width, batch=topic.DEPTH_BATCH, sigma_w=sigma_w, seed=0,
                           weights=_weights() if _weights is not None else None)


@view(max_entries=128)
def depth(acts: tuple[Phi, ...], init: str, sigma_w: float, width: int, depth_l: int) -> topic.DepthStudy:
    """The depth section for a selection (its first DEPTH_MAX; each activation's propagation cached on its own)."""
    sigma = float(sigma_w) if init == "sigma" else 1.0
    weights = functools.cache(lambda: topic.deep_weights(init, int(depth_l), int(width), sigma, 0))  # drawn once
    results = [propagation(a, init, sigma, int(width), int(depth_l), weights) for a in acts[:DEPTH_MAX]]
    return topic.depth_study(results, init, int(width), int(depth_l), topic.weight_std(init, int(width), sigma))


@dataclass(frozen=True)
class DepthCharts:
    activations: Chart
    gradients: Chart
    dead: Chart
    table: pa.Table  # the study's table, for st.dataframe


@view(max_entries=128)
def depth_charts(acts: tuple[Phi, ...], init: str, sigma_w: float, width: int, depth_l: int) -> DepthCharts:
    """The depth section's three figures."""
    study = depth(acts, init, sigma_w, width, depth_l)
    return DepthCharts(chart(figs.depth_activations(study)), chart(figs.depth_gradients(study)),
                       chart(figs.depth_dead(study)), pa.table(study.table))


@dataclass(frozen=True)
class ReluView:
    """The ReLU section: the sum, the target on the grid (or None), the LaTeX of f and the takeaway."""

    rs: topic.ReluSum
    target_y: np.ndarray | None
    formula: str
    bias: float
    takeaway: str
    sum_chart: Chart
    terms_chart: Chart
    table: dict  # the network's weights, one column per quantity (rounded to 4 places)
    table_arrow: pa.Table


def _relu_view(rs: topic.ReluSum, target_y: np.ndarray | None) -> ReluView:
    bias = round(rs.bias, 10) + 0.0  # sin(-pi) is -1.2e-16, not worth showing
    terms = [f"{s:+.3g}\\,\\mathrm{{ReLU}}(x{{{'-' if t >= 0 else '+'}}}{abs(t):.3g})"  # {-}: no operator spaces
             for t, s in zip(rs.knots, rs.slope_changes, strict=True) if s != 0]
    # b on the first line, then two terms a line, all flush left: the widest line fits a 390 px phone
    lines = [f"f(x) = {tex_number(bias)}"] + [" ".join(terms[i:i + 2]) for i in range(0, len(terms), 2)]
    formula = r"\begin{aligned}" + r"\\".join("&" + line for line in lines) + r"\end{aligned}"
    table = {
        "hidden unit k": list(range(1, len(rs.knots) + 1)),
        "knot tₖ": np.round(rs.knots, 4).tolist(),
        "input weight w₁": np.round(rs.w1[:, 0], 4).tolist(),
        "hidden bias b₁ = −tₖ": np.round(rs.b1 + 0.0, 4).tolist(),
        "output weight sₖ": np.round(rs.w2[0], 4).tolist(),
        "slope after tₖ": np.round(rs.slopes, 4).tolist(),
    }
    return ReluView(rs, target_y, formula, bias, topic.relu_sum_sentence(rs, RELU_GRID, target_y),
                    chart(figs.relu_sum(rs, RELU_GRID, target_y)), chart(figs.relu_terms(rs, RELU_GRID)), table,
                    pa.table(table))


@view(max_entries=64)
def relu_target(target_name: str, n_points: int) -> ReluView:
    """The ReLU sum interpolating a named target at ``n_points`` points."""
    return _relu_view(topic.relu_sum_target(target_name, n_points), topic.target(target_name, RELU_GRID))


@view(max_entries=64)
def relu_knots(y0: float, slope0: float, knots: tuple[float, ...], changes: tuple[float, ...]) -> ReluView:
    """The ReLU sum from f(-1), a starting slope and knots placed by hand."""
    return _relu_view(topic.relu_sum_from_knots(-1.0, y0, slope0, knots, changes), None)


def collapse_formula(res: topic.CollapseResult) -> str:
    """W_eff and b_eff as LaTeX, short lines (the shapes three to a line), so it fits a 390 px phone."""
    n_w = len(res.linear.weights)
    shapes = [rf"({w.shape[0]}{{\times}}{w.shape[1]})" for w in reversed(res.linear.weights)]
    lines = [rf"W_\mathrm{{eff}} &= W_{{{n_w}}}\cdots W_1"]
    lines += [(r"&= " if i == 0 else r"&\quad\ ") + r"\,".join(shapes[i:i + 3]) for i in range(0, len(shapes), 3)]
    lines += [rf"&= {tex_number(res.w_eff, 4)}",
              rf"b_\mathrm{{eff}} &= {tex_number(res.b_eff, 4)}"]
    return r"\begin{aligned}" + r"\\".join(lines) + r"\end{aligned}"


@dataclass(frozen=True)
class RacePanel:
    """The race after some steps: its two figures, and its caption and takeaway once it has finished."""

    loss: Chart
    fits: Chart
    sentences: tuple[str, ...]


@view(max_entries=64)
def race_panel(config: tuple, steps: int, _run: topic.RaceRun) -> RacePanel:
    """The panel of the race ``_run``, the run of ``config`` after ``steps`` steps (not hashed, as above)."""
    fits = _run.fits()
    return RacePanel(chart(figs.race_loss(fits, _run.max_steps)), chart(figs.race_fits(fits)),
                     topic.race_sentences(_run))

