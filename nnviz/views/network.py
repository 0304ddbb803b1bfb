"""Cached views of "From neurons to networks": plain settings in, frozen results (and their sentences) out."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnviz.activations import Phi
from nnviz.topics.network import descent, digits, heads, layers
from nnviz.ui.cache import shared, view

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
