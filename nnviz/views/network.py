"""Cached views of "From neurons to networks": plain settings in, frozen results (and their sentences) out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.activations import Phi
from nnviz.figures import network as figs
from nnviz.topics.network import descent, digits, heads, layers
from nnviz.ui.cache import shared, view
from nnviz.views.charts import Chart, chart

# ---------------------------------------------------------------------------------------------------------------
# 1-3: a layer, a stack, a set of functions
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerView:
    layer: layers.Layer
    product: str  # LaTeX: the matrix product with its numbers, neuron i highlighted
    neuron: str  # LaTeX: neuron i's own sum
    i: int


@view(max_entries=64)
def layer_view(n: int, m: int, phi: Phi, seed: int, i: int) -> LayerView:
    """A layer of m neurons on n inputs, weights and input drawn from ``seed``; neuron i (0-based) picked."""
    (W,), (b,) = layers.random_params((n, m), seed)
    ly = layers.layer(W, b, layers.random_input(n, seed), phi)
    i = min(i, m - 1)
    return LayerView(ly, layers.layer_latex(ly, i), layers.neuron_latex(ly, i), i)


@dataclass(frozen=True)
class StackView:
    stack: layers.Stack
    nested: str  # LaTeX
    lines: tuple[str, ...]  # LaTeX, one per layer
    counts: tuple[int, ...]
    count_sentence: str


@view(max_entries=64)
def stack_view(depth: int, width: int, phi: Phi, seed: int) -> StackView:
    """A network of ``depth`` layers (2 inputs, hidden layers of ``width``, 1 output) at one input x."""
    sizes = layers.stack_sizes(2, depth, width)
    Ws, bs = layers.random_params(sizes, seed)
    st_ = layers.forward(Ws, bs, layers.random_input(2, seed), phi)
    return StackView(st_, layers.nested_formula(depth), tuple(layers.stack_lines(st_)), layers.param_counts(sizes),
                     layers.count_sentence(sizes))


@dataclass(frozen=True)
class FunctionsView:
    xs: np.ndarray
    mine: np.ndarray
    draws: np.ndarray
    sentence: str


@view(max_entries=64)
def functions_view(params: tuple[float, ...], k: int, sigma: float, seed: int) -> FunctionsView:
    xs = np.linspace(-3.0, 3.0, 121)
    draws = layers.tiny_net(layers.random_tiny(k, sigma, seed), xs)
    return FunctionsView(xs, layers.tiny_net(np.array(params), xs), draws, layers.functions_sentence(xs, draws))


# ---------------------------------------------------------------------------------------------------------------
# 4: the loss bowl
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BowlView:
    data: descent.LineData
    hessian: np.ndarray  # (2, 2)
    curvature: descent.Curvature
    opt: np.ndarray
    opt_loss: float
    ws: np.ndarray
    bs: np.ndarray
    loss: np.ndarray  # (len(bs), len(ws))
    slow: float  # below this eta the fixed-length run is "too small"
    eta_max: float  # the strip's right end: 1.5 x the divergence threshold
    sentence: str


@view(max_entries=32)
def bowl_view(centre: float) -> BowlView:
    d = descent.line_data(centre)
    H = descent.mse_hessian(d)
    cv = descent.curvature(H)
    opt = descent.minimiser(d)
    ws, bs = np.linspace(-2.0, 5.0, 91), np.linspace(-3.5, 4.5, 91)
    loss = descent.mse(ws[None, :], bs[:, None], d)
    slow = descent.slow_edge(cv, np.array(descent.START), opt)
    return BowlView(d, H, cv, opt, float(descent.mse(*opt, d)), ws, bs, loss, slow, 1.5 * cv.threshold,
                    descent.shape_sentence(cv, slow))


def bowl_regime(bowl: BowlView, run: descent.BowlDescent) -> tuple[str, str]:
    """The regime a finished run showed and its sentence (from the run's own path)."""
    name = descent.regime_of_path(run.thetas(), np.array(run.history["loss"]), bowl.opt, bowl.curvature)
    return name, descent.regime_sentence(name, run.eta, bowl.curvature, run.steps)


@dataclass(frozen=True)
class LogisticView:
    path: descent.LogisticPath
    ws: np.ndarray
    bs: np.ndarray
    loss: np.ndarray
    sentence: str


@view(max_entries=32)
def logistic_view(eta: float) -> LogisticView:
    d = descent.class_data()
    path = descent.logistic_descent(d, eta)
    ws, bs = np.linspace(-2.0, 5.0, 91), np.linspace(-3.5, 4.5, 91)
    return LogisticView(path, ws, bs, descent.bce(ws[None, :], bs[:, None], d), descent.logistic_sentence(path))


# ---------------------------------------------------------------------------------------------------------------
# 5: heads, real data
# ---------------------------------------------------------------------------------------------------------------


@shared(max_entries=4, spinner="Fitting the diabetes heads…")
def diabetes_view(key: str) -> tuple[heads.DiabetesFit, str]:
    """A finished fit, read-only for every session (fixed seed: no settings)."""
    fit = heads.fit_diabetes(key)
    return fit, heads.diabetes_sentence(fit)


@shared(max_entries=1)
def digits_data() -> digits.DigitsData:
    return digits.digits_data()


@shared(max_entries=1)
def digits_default() -> digits.DigitsResult:
    """The shipped default training (equal to a fresh run; tested)."""
    return digits.load_default()


@dataclass(frozen=True)
class Reading:
    p: np.ndarray  # (10,)
    sentence: str


def read_digit(r: digits.DigitsResult, image: np.ndarray, label: int | None = None) -> Reading:
    """Classify one 8x8 image through the same preprocessing as the training images (not cached: microseconds)."""
    p = digits.probabilities(r.weights, digits.preprocess(image))
    return Reading(p, digits.prediction_sentence(p, label))


# ------------------------------------------------------------------------------------------------------- charts
# Each figure is built and described once per setting (a cache miss), not on every rerun: a rebuilt network
# diagram alone cost more CPU than the rest of the first tab's rerun.


@view(max_entries=64)
def layer_chart(n: int, m: int, phi: Phi, seed: int, i: int) -> Chart:
    """Section 1's diagram: the layer of ``layer_view`` with neuron i (0-based) lit."""
    lv = layer_view(n, m, phi, seed, i)
    return chart(figs.network_diagram((n, m), [lv.layer.W], [lv.layer.x, lv.layer.h], ["x", "h"], highlight=lv.i))


@dataclass(frozen=True)
class StackCharts:
    diagram: Chart
    params: Chart


@view(max_entries=64)
def stack_charts(depth: int, width: int, phi: Phi, seed: int) -> StackCharts:
    """Section 2's diagram of ``stack_view`` and its parameter bars."""
    sv = stack_view(depth, width, phi, seed)
    stack = sv.stack
    names = ["x", *[f"h_{ell}" for ell in range(1, depth)], "ŷ"]
    diagram = figs.network_diagram(stack.sizes, stack.Ws, [stack.x, *stack.hs], names,
                                   height=300 if max(stack.sizes) < 4 else 360)
    return StackCharts(chart(diagram), chart(figs.param_bars(sv.counts)))


@view(max_entries=64)
def functions_chart(params: tuple[float, ...], k: int, sigma: float, seed: int) -> Chart:
    fv = functions_view(params, k, sigma, seed)
    return chart(figs.functions_figure(fv.xs, fv.draws, fv.mine))


@view(max_entries=64)
def strip_chart(centre: float, eta: float) -> Chart:
    """Section 4's map of the learning rate: where ``eta`` falls among the regimes of the bowl at ``centre``."""
    bowl = bowl_view(centre)
    cv = bowl.curvature
    return chart(figs.regime_strip(eta, cv.overshoot, cv.threshold, bowl.slow, max(bowl.eta_max, eta * 1.05)))


@dataclass(frozen=True)
class DescentCharts:
    bowl: Chart
    loss: Chart


@view(max_entries=64)
def descent_charts(centre: float, eta: float, steps: int, _run: descent.BowlDescent) -> DescentCharts:
    """The bowl with the path of ``_run`` and its loss curve; ``_run`` is the run of (centre, eta) after ``steps``
    steps. Keyed by those only: descent from a fixed start is the same in every session."""
    bowl = bowl_view(centre)
    return DescentCharts(chart(figs.bowl_figure(bowl.ws, bowl.bs, bowl.loss, _run.thetas(), bowl.opt, "MSE")),
                         chart(figs.loss_curve(_run.history["loss"], bowl.opt_loss)))


@view(max_entries=32)
def logistic_chart(eta: float) -> Chart:
    lg = logistic_view(eta)
    return chart(figs.bowl_figure(lg.ws, lg.bs, lg.loss, lg.path.thetas, lg.path.opt, "cross-entropy"))


@view(max_entries=4)
def head_chart(key: str, y_title: str, model: str) -> Chart:
    fit, _ = diabetes_view(key)
    return chart(figs.head_fit(fit.x_train, fit.y_train, fit.x_test, fit.y_test, fit.grid, fit.curve, y_title, model))


@dataclass(frozen=True)
class DigitsCharts:
    curves: Chart
    confusion: Chart


@view(max_entries=64)
def digits_charts(settings: digits.DigitsSettings, epochs_done: int, shipped: bool,
                  _r: digits.DigitsResult) -> DigitsCharts:
    """Curves and confusion matrix of ``_r``: the shipped default (``shipped``) or a run of ``settings`` after
    ``epochs_done`` epochs (a fixed seed: the same in every session)."""
    return DigitsCharts(chart(figs.accuracy_curves(_r.epoch, _r.loss, _r.test_accuracy)),
                        chart(figs.confusion_figure(_r.confusion)))


@view(max_entries=512)
def tile_chart(t: int) -> Chart:
    """Test digit ``t`` (1-based) as one tile."""
    d = digits_data()
    return chart(figs.tiles(d.images_test[t - 1:t], 1, signed=False, zmax=16, height=220))


@dataclass(frozen=True)
class ReadingChart:
    reading: Reading
    bars: Chart


@view(max_entries=512)
def reading_chart(settings: digits.DigitsSettings, epochs_done: int, shipped: bool, t: int,
                 _r: digits.DigitsResult) -> ReadingChart:
    """What the model ``_r`` (keyed as in ``digits_charts``) reads in test digit ``t`` (1-based), and its bars."""
    d = digits_data()
    reading = read_digit(_r, d.images_test[t - 1], int(d.y_test[t - 1]))
    return ReadingChart(reading, chart(figs.softmax_bars(reading.p, int(d.y_test[t - 1]))))
