"""Cached views of the universal-approximation page: plain settings in, frozen results (with their sentences) out.

A user's formula is a closure, which cannot be pickled into a cache, so every view rebuilds the cheap ``Problem``
from the settings (``Spec``) itself; the results hold only arrays, numbers and words.

The page's default view (sections 1 to 3 before training) is stored in ``nnviz/data`` by
benchmarks/precompute_universal_approximation.py: a first visit then evaluates no network and builds no figure
(on a fresh server that also spares it scipy's import, 0.3 s, which the sigmoid would pay). The stored file keeps
its settings, and a test checks a live computation with them equals it.
"""

from __future__ import annotations

import base64
import functools
import json
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path

import numpy as np

from nnviz.activations import Phi
from nnviz.figures import style
from nnviz.figures import universal_approximation as figs
from nnviz.topics import universal_approximation as ua
from nnviz.ui.cache import view
from nnviz.views.charts import Chart, chart

MAX_CURVES = 40
#: The width sweep is about approximating f: always these noise-free samples, whatever the sliders above say.
SWEEP_SAMPLES = 256
#: How each kind of fit is drawn wherever fits are compared: a colour AND a dash (never colour alone; the target
#: is the black dashed line).
LOOKS = {"constructed": (style.GREEN, "dot"), "least squares": (style.ORANGE, "dashdot"),
         "trained": (style.MODEL, "solid")}


@dataclass(frozen=True)
class Spec:
    """What to approximate: a menu target (or ``ua.FORMULA`` with ``formula``) on [a, b], n samples, noise std."""

    target: str
    formula: str
    a: float
    b: float
    samples: int
    noise: float

    def problem(self) -> ua.Problem:
        """The samples and grids (raises ValueError, in words, for a formula that cannot be used)."""
        return ua.make_problem(ua.target_function(self.target, self.formula), self.a, self.b, self.samples,
                               self.noise, seed=0)

    @property
    def continuous(self) -> bool:
        return self.target == ua.FORMULA or ua.TARGETS[self.target].continuous


@dataclass(frozen=True)
class Fit:
    """A network fitted to the target, evaluated: ŷ on the plot grid (n_plot,) and the dense grid (n_dense,)."""

    name: str  # for legends and tables, naming the phi it uses: "constructed (Sigmoid steps)"
    net: ua.ShallowNet
    error: ua.FitError
    y_plot: np.ndarray
    y_dense: np.ndarray
    dec: ua.Decomposition


def _fit(name: str, net: ua.ShallowNet, problem: ua.Problem, y: np.ndarray | None = None) -> Fit:
    """``y``: ŷ on ``ua.grid(problem)``, if already computed."""
    y_plot, y_dense, error = ua.split(net(ua.grid(problem)) if y is None else y, problem)
    return Fit(name, net, error, y_plot, y_dense, ua.decomposition(net, problem.x_plot, MAX_CURVES, y_plot))


@dataclass(frozen=True)
class Construction:
    """Section 1: the constructed network, its formulas and the sentences true of it."""

    fit: Fit
    method: str
    phi_used: Phi
    title: str
    latex: tuple[str, ...]
    edges: np.ndarray  # step positions whose failure windows are shaded (empty for ReLU)
    window: float
    soft_warning: str
    note: str  # which phi it uses, when not the one chosen
    step_text: str
    takeaway: str
    chart: Chart  # the decomposition figure


@view(max_entries=48)
def construct(spec: Spec, method: str, width: int, phi: Phi, log_w: float) -> Construction:
    """Nielsen's bumps (step-like phi, else sigmoid) or ReLU knots with N neurons; raises ValueError for N < 2 bumps."""
    return stored("construct", (spec, method, width, phi, log_w)) or _construct(spec, method, width, phi, log_w)


def _construct(spec: Spec, method: str, width: int, phi: Phi, log_w: float) -> Construction:
    p = spec.problem()
    used = ua.construction_phi(method, phi)
    d1, d2 = ua.derivative_bounds(p.f, p.a, p.b)
    if method == "bumps":
        bumps = ua.bump_construction(p.f, p.a, p.b, width, 10**log_w, used)
        shape = ua.step_shape(used)
        fit = _fit(f"constructed ({used.label} steps)", bumps.net, p)
        latex = ua.bumps_latex(bumps, shape, p.a, d1, fit.error.max_error)
        bound = ua.bumps_bound(bumps, d1)
        title = f"{width // 2} bumps from {2 * (width // 2)} {used.label} steps, w = {10**log_w:,.4g}"
        soft = ua.soft_steps_warning(bumps)
        edges, window, step_text = bumps.edges, bumps.window, ua.step_sentence(used)
    else:
        fit = _fit("constructed (ReLU kinks)", ua.relu_interpolation(p.f, p.a, p.b, width), p)
        latex = ua.relu_latex(p.a, p.b, width, d2, fit.error.max_error)
        bound = ua.relu_bound(p.a, p.b, width, d2)
        title, soft, step_text = f"ReLU interpolation through {width + 1} knots", "", ""
        edges, window = np.array([]), 0.0
    takeaway = ua.construct_takeaway(method, fit.error, bound, spec.continuous, bool(soft))
    colour, _ = LOOKS["constructed"]
    fig = chart(figs.decomposition_figure(p, fit.dec, fit.net, title, fit.name, colour, edges, window))
    return Construction(fit, method, used, title, tuple(latex), edges, window, soft, ua.construction_note(method, phi),
                        step_text, takeaway, fig)


@dataclass(frozen=True)
class Solve:
    """Section 2: least squares for the output layer on a fixed hidden layer, and what the cut-off did."""

    fit: Fit
    title: str
    latex: tuple[str, ...]
    truncation: str  # what the cut-off is and why
    orthogonality: str
    interpolation_note: str
    takeaway: str
    max_v: float
    kept: ua.LeastSquares
    base: ua.ShallowNet  # the hidden layer it solved on
    chart: Chart


@view(max_entries=48)
def solve(spec: Spec, hidden: str, width: int, phi: Phi, scale: float, seed: int, method: str,
          log_w: float) -> Solve:
    """Least squares on the constructed hidden layer or on N random phi neurons (spread ``scale``, ``seed``)."""
    settings = (spec, hidden, width, phi, scale, seed, method, log_w)
    return stored("solve", settings) or _solve(*settings)


def _solve(spec: Spec, hidden: str, width: int, phi: Phi, scale: float, seed: int, method: str,
           log_w: float) -> Solve:
    p = spec.problem()
    construction = construct(spec, method, width, phi, log_w) if hidden == "constructed" else None
    base = construction.fit.net if construction else ua.random_hidden(width, p.a, p.b, phi, scale, seed)
    kept = ua.least_squares_fit(base, p.x_train, p.y_train)  # the features on the n samples only
    features = f"{construction.phi_used.label} steps" if construction and method == "bumps" else (
        "ReLU kinks" if construction else f"random {phi.label} features")
    fit = _fit(f"least squares ({features})", kept.net, p)  # the grids in blocks (ShallowNet.__call__)
    span = float(np.ptp(p.y_dense)) or 1.0
    title = f"Least squares on {'the constructed ' if construction else ''}{features}, N = {width}"
    fig = chart(figs.decomposition_figure(p, fit.dec, fit.net, title, fit.name, LOOKS["least squares"][0]))
    return Solve(fit, title,
                 tuple(ua.least_squares_latex(p.x_train.size, width, kept.rank, fit.error.train_mse)),
                 ua.truncation_sentence(kept), ua.orthogonality_sentence(kept),
                 (f"N + 1 = {width + 1} unknowns > n = {spec.samples} samples: least squares can pass through every "
                  "sample (it returns the minimum-norm solution). Watch what happens between samples and outside "
                  "[a, b].") if width + 1 > spec.samples else "",
                 ua.solve_takeaway(hidden, phi, width, fit.error, construction.fit.error if construction else None,
                                   span),
                 float(np.abs(kept.net.v).max()), kept, base, fig)


def solve_settings(spec: Spec, hidden: str, width: int, phi: Phi, scale: float, seed: int, method: str,
                   log_w: float) -> tuple:
    """``solve``'s arguments with those it ignores set to their defaults (the spread and seed of random neurons
    when it solves on the constructed layer, the construction when on random neurons), so settings that give the
    same solve share one cache entry and a rerun after moving an ignored widget finds it."""
    if hidden == "constructed":
        scale, seed = 1.0, 0
    else:
        method, log_w = "bumps", 3.0
    return spec, hidden, width, phi, float(scale), int(seed), method, float(log_w)


@view(max_entries=16, spinner="Solving again with every singular value kept …")
def truncation(spec: Spec, hidden: str, width: int, phi: Phi, scale: float, seed: int, method: str,
               log_w: float) -> str:
    """What the cut-off did: the same solve with every singular value float64 resolves, measured against it.
    Costs a second SVD (about as long as the first), so the page asks for it in a section opened on demand."""
    p = spec.problem()
    res = solve(*solve_settings(spec, hidden, width, phi, scale, seed, method, log_w))
    full = ua.least_squares_fit(res.base, p.x_train, p.y_train, rcond=None)
    return ua.truncation_comparison(res.kept, full, res.fit.error, ua.fit_error(full.net, p))


def sweep_spec(spec: Spec) -> Spec:
    """The settings the width sweep uses: the same target and interval, noise-free, ``SWEEP_SAMPLES`` samples."""
    return replace(spec, samples=SWEEP_SAMPLES, noise=0.0)


def sweep_run(spec: Spec, phi: Phi) -> ua.SweepRun:
    """A fresh width sweep for the live panel (cheap: it measures nothing until it steps)."""
    return ua.SweepRun(sweep_spec(spec).problem(), phi, seed=0)


@view(max_entries=128)
def challenge(heights: tuple[float, ...]) -> ua.Challenge:
    """Hand-set bump heights scored against Nielsen's function."""
    return ua.challenge(heights)


@view(max_entries=128)
def challenge_figure(heights: tuple[float, ...], show_best: bool) -> Chart:
    """The challenge's figure."""
    return chart(figs.challenge_figure(challenge(heights), show_best))


@dataclass(frozen=True)
class TowersView:
    """K x K towers on the square, their formulas and the sentences true of them."""

    towers: ua.Towers
    latex: tuple[str, ...]
    warning: str
    caption: str
    takeaway: str


@view(max_entries=32)
def towers(target: str, k: int, steepness: float) -> TowersView:
    """The two-input tower construction for a 2-D target."""
    t = ua.towers(target, k, steepness)
    warning, caption, takeaway = ua.towers_sentences(t)
    return TowersView(t, tuple(ua.towers_latex(target, t)), warning, caption, takeaway)


@view(max_entries=32, spinner="Drawing the towers …")
def towers_chart(target: str, k: int, steepness: float, show: str) -> Chart:
    """The towers' two surfaces for ``show`` ("all", "plateaus" or "tower")."""
    return chart(figs.towers_figure(towers(target, k, steepness).towers, show))


def trained_fit(net: ua.ShallowNet, problem: ua.Problem, name: str) -> Fit:
    """A trained network, evaluated like the others (not cached: it changes every tick of a live run)."""
    return _fit(name, net, problem)


def fit_chart(problem: ua.Problem, fits: list[tuple[str, Fit]]) -> Chart:
    """The fits side by side; ``fits``: (kind in LOOKS, fit) pairs."""
    lines = [(f.name, f.y_plot, *LOOKS[kind]) for kind, f in fits]
    return chart(figs.fit_figure(problem, lines, "The fits side by side"))


def error_chart(problem: ua.Problem, fits: list[tuple[str, Fit]]) -> Chart:
    """The fits' error envelopes; ``fits``: (kind in LOOKS, fit) pairs."""
    errors = [(f.name, f.y_dense, *LOOKS[kind]) for kind, f in fits]
    return chart(figs.error_figure(problem, errors, "Error of each fit on [a, b]"))


def loss_chart(steps, mse) -> Chart:
    """A live run's training loss against step (its bounded history's columns)."""
    return chart(figs.loss_figure(steps, mse))


@dataclass(frozen=True)
class Comparison:
    """Section 3 before training: the fixed fits by kind, their error figure and their table's columns (the fits
    themselves are drawn in sections 1 and 2; side by side only once a trained one joins them)."""

    fits: tuple[tuple[str, Fit], ...]
    error_chart: Chart
    table: dict


def table(fits: list[tuple[str, Fit]]) -> dict[str, list]:
    """The comparison table's columns: method, MSE, max error, parameters."""
    from nnviz.format import number

    return {"method": [f.name for _, f in fits], "MSE on [a, b]": [number(f.error.mse) for _, f in fits],
            "max error": [number(f.error.max_error) for _, f in fits],
            "parameters": [f.net.n_parameters() for _, f in fits]}


def comparison_settings(spec: Spec, width: int, phi: Phi, method: str, log_w: float, hidden: str, scale: float,
                        seed: int) -> tuple:
    """``comparison``'s arguments with the spread and seed of random neurons set to their defaults when the
    least squares solves on the constructed layer (as ``solve_settings``)."""
    if hidden == "constructed":
        scale, seed = 1.0, 0
    return spec, width, phi, method, float(log_w), hidden, float(scale), int(seed)


@view(max_entries=48)
def comparison(spec: Spec, width: int, phi: Phi, method: str, log_w: float, hidden: str, scale: float,
               seed: int) -> Comparison:
    """The constructed and least-squares fits of sections 1 and 2 (those that exist), drawn together."""
    settings = (spec, width, phi, method, log_w, hidden, scale, seed)
    return stored("comparison", settings) or _comparison(*settings)


def _comparison(spec: Spec, width: int, phi: Phi, method: str, log_w: float, hidden: str, scale: float,
                seed: int) -> Comparison:
    fits: list[tuple[str, Fit]] = []
    constructed = not (method == "bumps" and width < 2)
    if constructed:
        fits.append(("constructed", construct(spec, method, width, phi, log_w).fit))
    if constructed or hidden == "random":
        least_squares = solve(*solve_settings(spec, hidden, width, phi, scale, seed, method, log_w))
        fits.append(("least squares", least_squares.fit))
    return Comparison(tuple(fits), error_chart(spec.problem(), fits), table(fits))


# ------------------------------------------------------------------------------------------------- stored defaults

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "universal_approximation_defaults.json"
#: The page's default settings: sin(3πx) on [−1, 1], n = 256 clean samples, N = 64 sigmoid neurons, bumps with
#: w = 10³, least squares on the constructed layer (spread 1, seed 0: ignored there).
DEFAULT_SPEC = Spec("sin", "", -1.0, 1.0, 256, 0.0)
DEFAULTS = {"construct": (DEFAULT_SPEC, "bumps", 64, Phi("sigmoid"), 3.0),
            "solve": (DEFAULT_SPEC, "constructed", 64, Phi("sigmoid"), 1.0, 0, "bumps", 3.0),
            "comparison": (DEFAULT_SPEC, 64, Phi("sigmoid"), "bumps", 3.0, "constructed", 1.0, 0)}
COMPUTE = {"construct": _construct, "solve": _solve, "comparison": _comparison}
#: False makes every view compute (the precompute script, and the test that a live run equals the stored one).
USE_STORED = True
_TYPES = {cls.__name__: cls for cls in (Spec, Fit, Construction, Solve, Comparison, Chart, ua.ShallowNet, ua.FitError,
                                        ua.Decomposition, ua.LeastSquares)}


def stored(name: str, settings: tuple):
    """The stored result of view ``name`` if ``settings`` are its stored ones, else None (compute it)."""
    if not USE_STORED or settings != DEFAULTS[name]:
        return None
    data = _stored_file()
    if data is None or decode(data["settings"][name]) != settings:
        return None
    return decode(data["results"][name], data["arrays"])


@functools.cache
def _stored_file() -> dict | None:
    """The stored defaults as parsed JSON (decoded per use, so no caller shares an object), or None if absent."""
    return json.loads(DATA_FILE.read_text()) if DATA_FILE.exists() else None


def encode(obj, arrays: list[str] | None = None):
    """A result as JSON-able values: dataclasses by type name and fields, ``Phi`` by key and parameters, tuples
    tagged so they come back as tuples, arrays by dtype, shape and the index of their exact bytes (base64) in
    ``arrays``, where equal arrays (the fits the comparison shares with sections 1 and 2) are stored once."""
    arrays = [] if arrays is None else arrays
    if isinstance(obj, Phi):
        return {"__phi__": obj.key, "params": [list(p) for p in obj.params]}
    if is_dataclass(obj):
        return {"__type__": type(obj).__name__, **{f.name: encode(getattr(obj, f.name), arrays) for f in fields(obj)}}
    if isinstance(obj, np.ndarray):
        a = np.ascontiguousarray(obj)
        data = base64.b64encode(a.tobytes()).decode()
        if data not in arrays:
            arrays.append(data)
        return {"__array__": a.dtype.str, "shape": list(a.shape), "at": arrays.index(data)}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(x, arrays) for x in obj]}
    if isinstance(obj, list):
        return [encode(x, arrays) for x in obj]
    if isinstance(obj, dict):
        return {str(k): encode(v, arrays) for k, v in obj.items()}
    return obj


def decode(obj, arrays: list[str] = ()):
    """The inverse of ``encode`` (``arrays``: the list it filled)."""
    if isinstance(obj, list):
        return [decode(x, arrays) for x in obj]
    if not isinstance(obj, dict):
        return obj
    if "__phi__" in obj:
        return Phi(obj["__phi__"], {k: v for k, v in obj["params"]})
    if "__type__" in obj:
        return _TYPES[obj["__type__"]](**{k: decode(v, arrays) for k, v in obj.items() if k != "__type__"})
    if "__array__" in obj:
        raw = base64.b64decode(arrays[obj["at"]])
        return np.frombuffer(raw, dtype=obj["__array__"]).reshape(obj["shape"]).copy()
    if "__tuple__" in obj:
        return tuple(decode(x, arrays) for x in obj["__tuple__"])
    return {k: decode(v, arrays) for k, v in obj.items()}
