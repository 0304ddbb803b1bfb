"""Universal approximation with one hidden layer: construct it, solve it, train it, and measure the error.

A one-hidden-layer network of width N computes

    y_hat(x) = sum_i v_i * phi(w_i * x + b_i) + c,        i = 1..N

(``ShallowNet``: arrays ``w, b, v`` of shape (N,), a scalar ``c``). This module builds such networks
three ways, all in float64:

1. **Construct** (Nielsen): ``bump_construction`` pairs steep sigmoidal steps at s = -b/w into N/2 bumps
   whose heights follow the target; ``relu_interpolation`` puts ReLU kinks at N knots so the network is
   the piecewise-linear interpolant of the target, with exact weights.
2. **Solve**: ``least_squares_fit`` keeps a hidden layer (constructed or ``random_hidden``) and solves the
   output weights (v, c) by linear least squares, the exact optimum for those features.
3. **Train**: ``AdamFit`` trains every weight with Adam in torch, and ``LMFit`` with Levenberg-Marquardt;
   both are ``nnviz.live.Stepper`` objects that work for a slice of wall time per call.

Arrays ``x`` are 1-D of shape (n,); hidden activations have shape (n, N). Nothing here imports streamlit.
"""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from nnviz import activations
from nnviz.expressions import parse_expression
from nnviz.live import run_for
from nnviz.mlp import build_mlp, linear_layers

Fn = Callable[[np.ndarray], np.ndarray]

#: Points of the dense grid on which errors are measured, and the share of the interval drawn beyond each end.
DENSE = 2001
BEYOND = 0.15
#: Largest |f| accepted on the interval (bigger values make every error figure meaningless).
MAX_ABS_VALUE = 1e6
MAX_WIDTH = 1000
#: Largest width the Levenberg-Marquardt path accepts (it solves a (3N+1)-square system per step).
LM_MAX_WIDTH = 256



# ----------------------------------------------------------------------------------------------- targets

def _nielsen(x: np.ndarray) -> np.ndarray:
    return 0.2 + 0.4 * x**2 + 0.3 * x * np.sin(15 * x) + 0.05 * np.cos(50 * x)


def _triangle(x: np.ndarray) -> np.ndarray:
    """A sawtooth-shaped triangle wave of period 1/2 between -1 and 1 (continuous, with corners)."""
    return 1.0 - 4.0 * np.abs(np.mod(2.0 * x, 1.0) - 0.5)


@dataclass(frozen=True)
class Target:
    """A named target function f on the real line, with its formula and whether the theorem applies."""

    key: str
    label: str
    latex: str
    fn: Fn
    continuous: bool = True
    smooth: bool = True  # twice continuously differentiable (the ReLU error bound needs f'')
    interval: tuple[float, float] = (-1.0, 1.0)  # where it is usually shown


TARGETS: dict[str, Target] = {t.key: t for t in (
    Target("sin", "sin(3πx)", r"\sin(3\pi x)", lambda x: np.sin(3 * np.pi * x)),
    Target("abs", "|x|", r"|x|", np.abs, smooth=False),
    Target("square", "x²", r"x^2", lambda x: x**2),
    Target("bump", "Gaussian bump", r"e^{-(x/0.3)^2}", lambda x: np.exp(-((x / 0.3) ** 2))),
    Target("sawtooth", "sawtooth (triangle wave)", r"1 - 4\,\left|\,(2x \bmod 1) - \tfrac12\right|", _triangle,
           smooth=False),
    Target("sinc", "sinc", r"\frac{\sin(4\pi x)}{4\pi x}", lambda x: np.sinc(4 * x)),
    Target("step", "step (discontinuous)", r"H(x) = \begin{cases}1 & x > 0\\ 0 & x \le 0\end{cases}",
           lambda x: (x > 0).astype(float), continuous=False, smooth=False),
    Target("nielsen", "Nielsen's function", r"0.2 + 0.4x^2 + 0.3x\sin(15x) + 0.05\cos(50x)", _nielsen,
           interval=(0.0, 1.0)),
)}

FORMULA = "formula"


def target_function(key: str, formula: str = "") -> Fn:
    """The target f as a numpy function: a menu entry, or ``formula`` parsed safely when key is "formula"."""
    if key == FORMULA:
        return parse_expression(formula)
    if key not in TARGETS:
        raise ValueError(f"Unknown target {key!r}.")
    return TARGETS[key].fn


@dataclass(frozen=True)
class Problem:
    """What to approximate: f on [a, b], training samples and the grids for measuring and drawing.

    x_train, y_train: (n,) samples (y with noise if asked); x_dense, y_dense: (DENSE,) clean f on [a, b];
    x_plot, y_plot: a grid reaching ``BEYOND`` of the interval past each end (y_plot may hold nan there).
    """

    f: Fn
    a: float
    b: float
    x_train: np.ndarray
    y_train: np.ndarray
    x_dense: np.ndarray
    y_dense: np.ndarray
    x_plot: np.ndarray
    y_plot: np.ndarray
    noise: float


def make_problem(f: Fn, a: float, b: float, n_samples: int = 256, noise: float = 0.0, seed: int = 0,
                 n_plot: int = 601) -> Problem:
    """Sample f on [a, b]: n_samples evenly spaced points (plus Gaussian noise of std ``noise``).

    Raises ValueError in words if f is not finite somewhere on [a, b] or is larger than ``MAX_ABS_VALUE``.
    """
    if not b > a:
        raise ValueError("The interval must have b > a.")
    x_dense = np.linspace(a, b, DENSE)
    y_dense = np.asarray(f(x_dense), dtype=float)
    bad = ~np.isfinite(y_dense)
    if bad.any():
        where = x_dense[bad]
        raise ValueError(f"The target is not a finite number at {bad.sum()} of {DENSE} points of [{a:g}, {b:g}], "
                         f"first at x = {where[0]:.4g}. Choose a formula defined on the whole interval, or an "
                         "interval where this one is.")
    if np.abs(y_dense).max() > MAX_ABS_VALUE:
        raise ValueError(f"The target reaches {np.abs(y_dense).max():.3g} on the interval; keep |f| below "
                         f"{MAX_ABS_VALUE:.0e} (scale the formula down).")
    x_train = np.linspace(a, b, int(n_samples))
    y_train = np.asarray(f(x_train), dtype=float)
    if noise > 0:
        y_train = y_train + np.random.default_rng(seed).normal(0.0, noise, size=x_train.shape)
    pad = BEYOND * (b - a)
    x_plot = np.linspace(a - pad, b + pad, n_plot)
    y_plot = np.asarray(f(x_plot), dtype=float)
    y_plot = np.where(np.isfinite(y_plot) & (np.abs(y_plot) <= MAX_ABS_VALUE), y_plot, np.nan)
    return Problem(f, float(a), float(b), x_train, y_train, x_dense, y_dense, x_plot, y_plot, float(noise))


def derivative_bounds(f: Fn, a: float, b: float, n: int = 4001) -> tuple[float, float]:
    """(max |f'|, max |f''|) on [a, b] by finite differences; inf where f has no such derivative.

    Each bound is estimated on two grids (n and 2n - 1 points); if it grows by more than half when the
    spacing halves, it is a jump or a corner seen at grid resolution, not a derivative, and is reported as inf.
    """
    def bounds(m: int) -> tuple[float, float]:
        x = np.linspace(a, b, m)
        y = np.asarray(f(x), dtype=float)
        h = x[1] - x[0]
        d1 = np.abs(np.diff(y)).max() / h
        d2 = np.abs(y[2:] - 2 * y[1:-1] + y[:-2]).max() / h**2
        return float(d1), float(d2)

    coarse, fine = bounds(n), bounds(2 * n - 1)
    return tuple(fi if math.isfinite(fi) and fi <= 1.5 * co + 1e-9 else math.inf  # type: ignore[return-value]
                 for co, fi in zip(coarse, fine, strict=True))


# ----------------------------------------------------------------------------------------------- networks

@dataclass(frozen=True)
class ShallowNet:
    """y_hat(x) = sum_i v_i phi(w_i x + b_i) + c: hidden weights w, biases b, output weights v (all (N,)), c."""

    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: float
    phi: str
    phi_params: tuple[tuple[str, float], ...] = ()

    @property
    def width(self) -> int:
        return int(self.w.shape[0])

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """phi(w_i x_j + b_i): shape (n, N) for x of shape (n,)."""
        z = np.multiply.outer(np.asarray(x, dtype=float), self.w) + self.b
        return activations.phi(self.phi, z, **dict(self.phi_params))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The network's output, shape (n,)."""
        return self.hidden(x) @ self.v + self.c

    def contributions(self, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """v_i phi(w_i x + b_i) for the neurons in ``idx``: shape (len(idx), n)."""
        z = np.multiply.outer(self.w[idx], np.asarray(x, dtype=float)) + self.b[idx, None]
        return activations.phi(self.phi, z, **dict(self.phi_params)) * self.v[idx, None]

    def n_parameters(self) -> int:
        """3N + 1: w, b and v per neuron, plus the output bias."""
        return 3 * self.width + 1

    def to_json(self, **meta: object) -> str:
        """The weights as JSON, with the formula they plug into and any metadata given."""
        doc = {
            "formula": "y = sum_i v[i] * phi(w[i] * x + b[i]) + c",
            "phi": self.phi,
            "phi_params": dict(self.phi_params),
            "width": self.width,
            "w": self.w.tolist(),
            "b": self.b.tolist(),
            "v": self.v.tolist(),
            "c": float(self.c),
            **meta,
        }
        return json.dumps(doc, indent=1)


@dataclass(frozen=True)
class FitError:
    """Errors of a fit on the dense grid of [a, b] against the clean target."""

    mse: float
    max_error: float
    train_mse: float  # against the (possibly noisy) training samples


def fit_error(net: Callable[[np.ndarray], np.ndarray], problem: Problem) -> FitError:
    """MSE and maximum error on the dense grid, and the MSE on the training samples."""
    r = net(problem.x_dense) - problem.y_dense
    r_train = net(problem.x_train) - problem.y_train
    return FitError(float(np.mean(r**2)), float(np.abs(r).max()), float(np.mean(r_train**2)))


def evaluate(net: Callable[[np.ndarray], np.ndarray], problem: Problem) -> tuple[np.ndarray, np.ndarray, FitError]:
    """(y_hat on x_plot, y_hat on x_dense, its FitError) from ONE evaluation of the network on all three grids."""
    n_plot, n_dense = problem.x_plot.size, problem.x_dense.size
    y = net(np.concatenate([problem.x_plot, problem.x_dense, problem.x_train]))
    y_plot, y_dense, y_train = y[:n_plot], y[n_plot:n_plot + n_dense], y[n_plot + n_dense:]
    r, r_train = y_dense - problem.y_dense, y_train - problem.y_train
    return y_plot, y_dense, FitError(float(np.mean(r**2)), float(np.abs(r).max()), float(np.mean(r_train**2)))


# ----------------------------------------------------------------------------------------------- sigmoidal steps

@dataclass(frozen=True)
class StepShape:
    """How a bounded monotone phi makes a step: phi goes from low to high around z = centre.

    ``window`` is the range of z over which the normalised step (phi - low)/(high - low) climbs from 1%
    to 99%: a neuron with weight w fails to be a step within window / w of its position.
    """

    low: float
    high: float
    centre: float
    window: float


def is_step_like(phi: str) -> bool:
    """True if phi is monotone with two different finite limits, so a steep neuron is a step."""
    act = activations.get(phi)
    return act.monotonic and act.saturating == "both"


def _bisect(g: Callable[[float], float], lo: float, hi: float, iters: int = 80) -> float:
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if g(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@functools.lru_cache(maxsize=64)
def step_shape(phi: str, phi_params: tuple[tuple[str, float], ...] = ()) -> StepShape:
    """Limits, centre and 1%-99% window of a step-like phi (found numerically, so it works for any of them)."""
    if not is_step_like(phi):
        raise ValueError(f"{activations.label(phi)} is not a step-like activation (bounded and monotone).")
    params = dict(phi_params)
    low, high = (float(v) for v in activations.phi(phi, np.array([-1e6, 1e6]), **params))

    def level(q: float) -> Callable[[float], float]:
        return lambda z: float(activations.phi(phi, np.array([z]), **params)[0]) - (low + q * (high - low))

    centre = _bisect(level(0.5), -1e3, 1e3)
    window = _bisect(level(0.99), -1e3, 1e3) - _bisect(level(0.01), -1e3, 1e3)
    if phi == "step":  # H(z) jumps at 0: no window at all
        centre, window = 0.0, 0.0
    return StepShape(low, high, centre, window)


@dataclass(frozen=True)
class Bumps:
    """Nielsen's construction: N//2 bumps of width h on [a, b], each made of an up-step and a down-step.

    edges: (M+1,) step positions s = -b/w (the outer two sit one bump outside [a, b]); heights: (M,);
    window: the width in x of each step's 1%-99% rise, 0 for the unit step.
    """

    net: ShallowNet
    edges: np.ndarray
    heights: np.ndarray
    h: float
    steepness: float
    window: float


def bump_features(edges: np.ndarray, steepness: float, phi: str,
                  phi_params: tuple[tuple[str, float], ...] = ()) -> tuple[np.ndarray, np.ndarray, StepShape]:
    """Hidden weights (w, b), each (2M,), placing an up-step at edges[j] and a down-step at edges[j+1]."""
    shape = step_shape(phi, phi_params)
    s = np.repeat(edges, 2)[1:-1]  # s_0, s_1, s_1, s_2, ...: up at the left edge, down at the right edge
    w = np.full(s.shape, float(steepness))
    b = shape.centre - w * s
    return w, b, shape


def bump_edges(a: float, b: float, n_bumps: int) -> np.ndarray:
    """Interior edges a + j h (j = 1..M-1) and the outer two pushed one bump width beyond a and b."""
    h = (b - a) / n_bumps
    edges = a + h * np.arange(n_bumps + 1)
    edges[0] -= h
    edges[-1] += h
    return edges


def bump_construction(f: Fn, a: float, b: float, width: int, steepness: float = 1000.0, phi: str = "sigmoid",
                      phi_params: tuple[tuple[str, float], ...] = ()) -> Bumps:
    """N//2 bumps of height f(midpoint of each sub-interval), from a step-like phi of weight ``steepness``.

    Bump j is (h_j / (high - low)) * (phi(w (x - s_j) + centre) - phi(w (x - s_{j+1}) + centre)); the
    constant ``low`` cancels within each pair, so c = 0. An odd N leaves one idle neuron (v = 0).
    As w -> inf the network is a staircase and its max error is at most max|f'| h / 2, h = (b - a) / (N//2).
    """
    if width < 2:
        raise ValueError("A bump needs two neurons: choose N >= 2.")
    n_bumps = width // 2
    h = (b - a) / n_bumps
    edges = bump_edges(a, b, n_bumps)
    mids = a + h * (np.arange(n_bumps) + 0.5)
    heights = np.asarray(f(mids), dtype=float)
    w, bias, shape = bump_features(edges, steepness, phi, phi_params)
    v = np.repeat(heights, 2) * np.tile([1.0, -1.0], n_bumps) / (shape.high - shape.low)
    if width % 2:
        w, bias, v = np.append(w, steepness), np.append(bias, 0.0), np.append(v, 0.0)
    net = ShallowNet(w, bias, v, 0.0, phi, tuple(phi_params))
    return Bumps(net, edges, heights, h, float(steepness), shape.window / steepness)


def relu_interpolation(f: Fn, a: float, b: float, width: int) -> ShallowNet:
    """The piecewise-linear interpolant of f at N + 1 equally spaced knots, as N ReLU neurons.

    Knots t_k = a + k h, h = (b - a) / N. Neuron k is ReLU(x - t_k) (w = 1, b = -t_k), with output weight
    v_0 = slope_0 and v_k = slope_k - slope_{k-1}, the change of slope at t_k; c = f(a). On [a, b] its
    error is at most h^2 max|f''| / 8 when f is twice differentiable.
    """
    if width < 1:
        raise ValueError("Choose N >= 1.")
    h = (b - a) / width
    knots = a + h * np.arange(width + 1)
    fk = np.asarray(f(knots), dtype=float)
    slopes = np.diff(fk) / h
    v = np.diff(slopes, prepend=0.0)
    return ShallowNet(np.ones(width), -knots[:-1], v, float(fk[0]), "relu")


def random_hidden(width: int, a: float, b: float, phi: str, scale: float = 1.0, seed: int = 0,
                  phi_params: tuple[tuple[str, float], ...] = ()) -> ShallowNet:
    """A random hidden layer: w_i = scale * 4/(b - a) * g_i (g standard normal), centres -b_i/w_i uniform in
    [a, b]; output weights zero (solve them with ``least_squares_fit``)."""
    rng = np.random.default_rng(seed)
    w = scale * 4.0 / (b - a) * rng.standard_normal(width)
    centres = rng.uniform(a, b, width)
    return ShallowNet(w, -w * centres, np.zeros(width), 0.0, phi, tuple(phi_params))


@dataclass(frozen=True)
class LeastSquares:
    """The output layer solved by least squares: the net, the residual r on the samples (n,), the rank used and
    ``orthogonality`` = max_i |<A_i, r>| / (|A_i| |y|) over the columns A_i of [features, 1] (columns that are
    ~0 on every sample skipped): 0 at the optimum (the normal equations A^T r = 0), up to float64 rounding."""

    net: ShallowNet
    residual: np.ndarray
    orthogonality: float
    rank: int


#: Singular values below this fraction of the largest are treated as zero: float64 cannot resolve them, and
#: keeping them would make output weights of 1e10 whose rounding errors swamp the fit.
RCOND = 1e-10


def least_squares_fit(hidden: ShallowNet, x: np.ndarray, y: np.ndarray, rcond: float = RCOND) -> LeastSquares:
    """Keep w, b of ``hidden``; choose v, c minimising sum_j (y_hat(x_j) - y_j)^2 (minimum-norm solution).

    Solves min || A [v; c] - y ||_2 with A = [phi(x w^T + b), 1] (n x (N+1)) by numpy's SVD-based lstsq.
    """
    H = hidden.hidden(x)
    A = np.hstack([H, np.ones((H.shape[0], 1))])
    coef, _, rank, _ = np.linalg.lstsq(A, y, rcond=rcond)  # one BLAS thread: set for the process in nnviz
    net = ShallowNet(hidden.w, hidden.b, coef[:-1], float(coef[-1]), hidden.phi, hidden.phi_params)
    r = y - A @ coef
    norms = np.linalg.norm(A, axis=0)
    norms = np.maximum(norms, 1e-6 * norms.max())  # a feature that is ~0 on every sample is not a direction
    ortho = float(np.max(np.abs(A.T @ r) / (norms * max(float(np.linalg.norm(y)), 1e-300))))
    return LeastSquares(net, r, ortho, int(rank))


# ----------------------------------------------------------------------------------------------- decomposition

@dataclass(frozen=True)
class Decomposition:
    """A bounded selection of neurons' contributions v_i phi(w_i x + b_i): idx (k,), curves (k, m) on x_curves (m,),
    a grid of at most ``CURVE_POINTS`` points; total (n,) is the whole network's output on x (n,).
    anchor_x, anchor_y (k,): where each neuron switches (its step or kink at -b_i/w_i, clipped to the plotted
    range) and its contribution there, a handle for hovering."""

    x: np.ndarray
    idx: np.ndarray
    x_curves: np.ndarray
    curves: np.ndarray
    total: np.ndarray
    width: int
    anchor_x: np.ndarray
    anchor_y: np.ndarray


CURVE_POINTS = 201


def decomposition(net: ShallowNet, x: np.ndarray, max_curves: int = 40) -> Decomposition:
    """The network's output on x and at most ``max_curves`` of its neurons' contributions.

    When N > max_curves the neurons shown are those with the largest output weights |v_i|, kept in order.
    """
    k = min(net.width, max_curves)
    idx = np.sort(np.argsort(-np.abs(net.v), kind="stable")[:k])
    w, b = net.w[idx], net.b[idx]
    with np.errstate(divide="ignore", invalid="ignore"):
        pos = np.where(w != 0, -b / np.where(w != 0, w, 1.0), x[0])
    anchor_x = np.clip(pos, x[0], x[-1])
    z = w * anchor_x + b
    anchor_y = activations.phi(net.phi, z, **dict(net.phi_params)) * net.v[idx]
    x_curves = x[:: max(1, -(-x.size // CURVE_POINTS))]
    return Decomposition(x, idx, x_curves, net.contributions(x_curves, idx), net(x), net.width, anchor_x, anchor_y)


# ----------------------------------------------------------------------------------------------- training

def _to_shallow(model: torch.nn.Sequential, phi: str, phi_params: tuple[tuple[str, float], ...]) -> ShallowNet:
    first, last = linear_layers(model)
    return ShallowNet(first.weight.detach().double().numpy()[:, 0].copy(), first.bias.detach().double().numpy().copy(),
                      last.weight.detach().double().numpy()[0].copy(), float(last.bias.detach()[0]), phi,
                      tuple(phi_params))


def torch_initial_net(width: int, phi: str = "tanh", seed: int = 0, init: str = "default",
                      phi_params: tuple[tuple[str, float], ...] = ()) -> ShallowNet:
    """The initial weights ``build_mlp([1, N, 1], phi, seed=seed, init=init)`` gives, as a ShallowNet (float64)."""
    model = build_mlp([1, width, 1], phi, seed=seed, init=init, phi_params=dict(phi_params), dtype=torch.float64)
    return _to_shallow(model, phi, phi_params)


class _History:
    """Loss history with bounded memory: keeps every k-th step, doubling k when full."""

    def __init__(self, cap: int = 2000) -> None:
        self.cap, self.every = cap, 1
        self.steps: list[int] = []
        self.loss: list[float] = []

    def add(self, step: int, loss: float) -> None:
        if step % self.every:
            return
        self.steps.append(step)
        self.loss.append(loss)
        if len(self.steps) >= self.cap:
            self.steps, self.loss = self.steps[::2], self.loss[::2]
            self.every *= 2


@dataclass
class _Run:
    steps: int = 0
    loss: float = float("nan")
    seconds: float = 0.0
    message: str = ""
    history: _History = field(default_factory=_History)


class _FitBase:
    """Shared bookkeeping of the live fits (a ``nnviz.live.Stepper``)."""

    method = ""

    def __init__(self, problem: Problem, width: int, phi: str, max_steps: int, target_mse: float,
                 phi_params: tuple[tuple[str, float], ...]) -> None:
        self.problem, self.width, self.phi, self.phi_params = problem, int(width), phi, tuple(phi_params)
        self.max_steps, self.target_mse = int(max_steps), float(target_mse)
        self.run = _Run()

    @property
    def steps(self) -> int:
        return self.run.steps

    @property
    def history(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps, training MSE), each (k,), subsampled to a bounded length."""
        return np.array(self.run.history.steps), np.array(self.run.history.loss)

    @property
    def done(self) -> bool:
        return bool(self.run.message)

    @property
    def progress(self) -> float:
        return 1.0 if self.done else min(1.0, self.run.steps / self.max_steps)

    @property
    def rate(self) -> float:
        """Optimiser steps per second of training time so far."""
        return self.run.steps / self.run.seconds if self.run.seconds > 0 else 0.0

    def status(self) -> str:
        if self.run.steps == 0:
            return f"{self.method}: ready, {self.max_steps:,} steps at most."
        text = (f"{self.method}: step {self.run.steps:,} · training MSE {self.run.loss:.3g} · "
                f"{self.rate:,.0f} steps/s")
        return text + (f" · {self.run.message}" if self.run.message else "")

    def _record(self, loss: float) -> bool:
        """Book one step; False (and a message) when the run has ended."""
        self.run.steps += 1
        self.run.loss = loss
        self.run.history.add(self.run.steps, loss)
        if not math.isfinite(loss):
            self.run.message = "diverged (the loss is not finite): lower the learning rate"
        elif loss <= self.target_mse:
            self.run.message = f"reached MSE ≤ {self.target_mse:g}"
        elif self.run.steps >= self.max_steps:
            self.run.message = "step limit reached"
        return not self.run.message

    def advance(self, budget_s: float) -> None:
        """Train for about ``budget_s`` seconds (at least one step)."""
        if self.done:
            return
        t0 = time.perf_counter()
        run_for(self._step, budget_s)
        self.run.seconds += time.perf_counter() - t0

    def _step(self) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def net(self) -> ShallowNet:  # pragma: no cover - abstract
        raise NotImplementedError


class AdamFit(_FitBase):
    """Full-batch Adam on every weight of a [1, N, 1] torch MLP in float64; a live Stepper.

    x, y are the problem's training samples (n,); one step is one gradient step on their mean squared error.
    """

    method = "Adam"

    def __init__(self, problem: Problem, width: int, phi: str = "tanh", lr: float = 0.01, max_steps: int = 20000,
                 seed: int = 0, init: str = "default", target_mse: float = 1e-7,
                 phi_params: tuple[tuple[str, float], ...] = ()) -> None:
        super().__init__(problem, width, phi, max_steps, target_mse, phi_params)
        self.model = build_mlp([1, width, 1], phi, seed=seed, init=init, phi_params=dict(phi_params),
                               dtype=torch.float64)
        self.x = torch.as_tensor(problem.x_train, dtype=torch.float64)[:, None]
        self.y = torch.as_tensor(problem.y_train, dtype=torch.float64)[:, None]
        self.opt = torch.optim.Adam(self.model.parameters(), lr=lr)

    def _step(self) -> bool:
        self.opt.zero_grad(set_to_none=True)
        loss = torch.mean((self.model(self.x) - self.y) ** 2)
        loss.backward()
        self.opt.step()
        return self._record(float(loss.detach()))

    def net(self) -> ShallowNet:
        return _to_shallow(self.model, self.phi, self.phi_params)


class LMFit(_FitBase):
    """Levenberg-Marquardt on every weight (w, b, v, c) of a shallow net, in float64 numpy; a live Stepper.

    Each step solves (J^T J + lam diag(J^T J)) delta = -J^T r with the exact Jacobian J (n x (3N+1)):
    dy/dv_i = phi(z_i), dy/dw_i = v_i phi'(z_i) x, dy/db_i = v_i phi'(z_i), dy/dc = 1 (phi' from autograd).
    It starts from ``start`` (e.g. a least-squares fit on random features) or from a random hidden layer.
    With ``project`` (variable projection), the output layer (v, c) is re-solved exactly by least squares
    after every accepted step, so the iteration only has to find good hidden neurons.
    """

    method = "Levenberg–Marquardt"

    def __init__(self, problem: Problem, width: int, phi: str = "tanh", max_steps: int = 500, seed: int = 0,
                 target_mse: float = 1e-7, phi_params: tuple[tuple[str, float], ...] = (),
                 start: ShallowNet | None = None, scale: float = 1.0, project: bool = True) -> None:
        if width > LM_MAX_WIDTH:
            raise ValueError(f"Levenberg–Marquardt is limited to N ≤ {LM_MAX_WIDTH}; use Adam for wider nets.")
        super().__init__(problem, width, phi, max_steps, target_mse, phi_params)
        if start is None:
            hidden = random_hidden(width, problem.a, problem.b, phi, scale, seed, phi_params)
            start = least_squares_fit(hidden, problem.x_train, problem.y_train).net
        self.theta = np.concatenate([start.w, start.b, start.v, [start.c]])
        self.lam = 1e-3
        self.project = project
        self.x, self.y = problem.x_train, problem.y_train
        if project:
            self._project()
        self._loss = self._mse(self.theta)

    def _project(self) -> None:
        """Replace (v, c) by the least-squares optimum for the current hidden layer."""
        n = self.width
        H = self._phi(np.multiply.outer(self.x, self.theta[:n]) + self.theta[n:2 * n])
        A = np.hstack([H, np.ones((H.shape[0], 1))])
        coef = np.linalg.lstsq(A, self.y, rcond=RCOND)[0]
        self.theta = np.concatenate([self.theta[:2 * n], coef])

    def _unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        n = self.width
        return theta[:n], theta[n:2 * n], theta[2 * n:3 * n], float(theta[-1])

    def _phi(self, z: np.ndarray) -> np.ndarray:
        if self.phi == "tanh":
            return np.tanh(z)
        return activations.phi(self.phi, z, **dict(self.phi_params))

    def _dphi(self, z: np.ndarray) -> np.ndarray:
        if self.phi == "tanh":
            return 1.0 - np.tanh(z) ** 2
        return activations.dphi(self.phi, z, **dict(self.phi_params))

    def _mse(self, theta: np.ndarray) -> float:
        w, b, v, c = self._unpack(theta)
        r = self._phi(np.multiply.outer(self.x, w) + b) @ v + c - self.y
        return float(np.mean(r**2))

    def _step(self) -> bool:
        w, b, v, c = self._unpack(self.theta)
        z = np.multiply.outer(self.x, w) + b
        H = self._phi(z)
        r = H @ v + c - self.y
        D = self._dphi(z) * v
        J = np.hstack([D * self.x[:, None], D, H, np.ones((len(self.x), 1))])
        g = J.T @ r
        JtJ = J.T @ J
        diag = np.diag(JtJ).copy() + 1e-12
        for _ in range(12):
            try:
                delta = np.linalg.solve(JtJ + self.lam * np.diag(diag), -g)
            except np.linalg.LinAlgError:
                self.lam *= 10
                continue
            trial = self.theta + delta
            loss = self._mse(trial)
            if math.isfinite(loss) and loss < self._loss:
                self.theta, self._loss = trial, loss
                if self.project:
                    self._project()
                    self._loss = min(loss, self._mse(self.theta))
                self.lam = max(self.lam / 3.0, 1e-12)
                break
            self.lam = min(self.lam * 4.0, 1e12)
        return self._record(self._loss)

    def net(self) -> ShallowNet:
        w, b, v, c = self._unpack(self.theta)
        return ShallowNet(w.copy(), b.copy(), v.copy(), c, self.phi, self.phi_params)


def fit_to_mse(stepper: _FitBase, max_seconds: float = 30.0) -> tuple[float, int]:
    """Run a fit until it ends (target MSE, step limit, divergence) or ``max_seconds``; (seconds, steps)."""
    t0 = time.perf_counter()
    while not stepper.done and time.perf_counter() - t0 < max_seconds:
        stepper.advance(0.5)
    return time.perf_counter() - t0, stepper.steps


# ----------------------------------------------------------------------------------------------- width sweep

SWEEP_WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)


@dataclass(frozen=True)
class Sweep:
    """Max error (sup over the dense grid) against width N for each method: name -> (len(widths),) array.

    ``theory`` maps a method to its bound for an infinitely steep step / exact interpolant, or is absent when
    the target lacks the derivative it needs.
    """

    widths: np.ndarray
    max_error: dict[str, np.ndarray]
    rmse: dict[str, np.ndarray]
    theory: dict[str, np.ndarray]


def width_sweep(problem: Problem, phi: str = "sigmoid", seed: int = 0, widths: tuple[int, ...] = SWEEP_WIDTHS,
                phi_params: tuple[tuple[str, float], ...] = (), sharpness: float = 50.0, train_steps: int = 20,
                train_max_width: int = 64) -> Sweep:
    """Error against N for: bumps (step-like phi, else sigmoid), ReLU interpolation, least squares on random
    phi features (spread 1), and training every weight (``train_steps`` Levenberg-Marquardt steps with an exact
    output layer, from build_mlp's default initial weights; N <= ``train_max_width`` only, nan beyond).
    Bumps get steepness w = sharpness / h, so every step is sharp next to its bump.
    Theory: bumps max|f'| (b - a) / N; ReLU h^2 max|f''| / 8 with h = (b - a) / N."""
    f, a, b = problem.f, problem.a, problem.b
    step_phi, step_params = (phi, phi_params) if is_step_like(phi) else ("sigmoid", ())
    nets: dict[str, Callable[[int], ShallowNet | None]] = {
        f"bumps ({activations.label(step_phi)})": lambda n: bump_construction(
            f, a, b, n, sharpness * (n // 2) / (b - a), step_phi, step_params).net,
        "ReLU interpolation": lambda n: relu_interpolation(f, a, b, n),
        f"least squares, random {activations.label(phi)} features": lambda n: least_squares_fit(
            random_hidden(n, a, b, phi, 1.0, seed, phi_params), problem.x_train, problem.y_train).net,
    }
    def trained(n: int) -> ShallowNet | None:
        if n > min(train_max_width, LM_MAX_WIDTH) or train_steps <= 0:
            return None
        fit = LMFit(problem, n, phi, max_steps=train_steps, target_mse=0.0, phi_params=phi_params,
                    start=torch_initial_net(n, phi, seed=seed, phi_params=phi_params))
        while not fit.done:
            fit.advance(1.0)
        return fit.net()

    nets[f"trained ({train_steps} LM steps, exact output layer)"] = trained
    max_error: dict[str, np.ndarray] = {}
    rmse: dict[str, np.ndarray] = {}
    for name, make in nets.items():
        errs = [None if (net := make(n)) is None else fit_error(net, problem) for n in widths]
        max_error[name] = np.array([np.nan if e is None else e.max_error for e in errs])
        rmse[name] = np.array([np.nan if e is None else math.sqrt(e.mse) for e in errs])
    d1, d2 = derivative_bounds(f, a, b)
    n = np.asarray(widths, dtype=float)
    theory: dict[str, np.ndarray] = {}
    if math.isfinite(d1):
        theory[next(iter(nets))] = d1 * (b - a) / n
    if math.isfinite(d2):
        theory["ReLU interpolation"] = ((b - a) / n) ** 2 * d2 / 8
    return Sweep(n.astype(int), max_error, rmse, theory)


# ----------------------------------------------------------------------------------------------- Nielsen's challenge

CHALLENGE_INTERVAL = (0.0, 1.0)
CHALLENGE_STEEPNESS = 1000.0


@dataclass(frozen=True)
class Challenge:
    """Hand-set bump heights against Nielsen's function on [0, 1]: curves on x (n,), the RMSE, the best RMSE
    any heights can reach with these bumps (least squares), the success threshold and the resulting net."""

    x: np.ndarray
    target: np.ndarray
    output: np.ndarray
    rmse: float
    best_rmse: float
    best_heights: np.ndarray
    threshold: float
    net: ShallowNet
    edges: np.ndarray

    @property
    def success(self) -> bool:
        return self.rmse <= self.threshold


def challenge(heights: tuple[float, ...], n_points: int = 401) -> Challenge:
    """Score bump heights h_1..h_K (one per sub-interval of [0, 1]) against Nielsen's function.

    Success means an RMSE within 25% of the best possible for K sigmoid bumps (threshold = 1.25 * best).
    """
    a, b = CHALLENGE_INTERVAL
    k = len(heights)
    hs = np.asarray(heights, dtype=float)
    edges = bump_edges(a, b, k)
    w, bias, shape = bump_features(edges, CHALLENGE_STEEPNESS, "sigmoid")
    v = np.repeat(hs, 2) * np.tile([1.0, -1.0], k)
    net = ShallowNet(w, bias, v, 0.0, "sigmoid")
    x = np.linspace(a, b, n_points)
    target = _nielsen(x)
    H = net.hidden(x)
    bump_cols = H[:, 0::2] - H[:, 1::2]
    best, *_ = np.linalg.lstsq(bump_cols, target, rcond=None)
    out = bump_cols @ hs
    rmse = float(np.sqrt(np.mean((out - target) ** 2)))
    best_rmse = float(np.sqrt(np.mean((bump_cols @ best - target) ** 2)))
    return Challenge(x, target, out, rmse, best_rmse, best, 1.25 * best_rmse, net, edges)


# ----------------------------------------------------------------------------------------------- two inputs

TARGETS_2D: dict[str, tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "gauss": ("Gaussian hill", r"e^{-2(x^2 + y^2)}", lambda x, y: np.exp(-2 * (x**2 + y**2))),
    "waves": ("sin(πx)·cos(πy)", r"\sin(\pi x)\cos(\pi y)", lambda x, y: np.sin(np.pi * x) * np.cos(np.pi * y)),
    "saddle": ("saddle x·y", r"x\,y", lambda x, y: x * y),
    "ring": ("ring", r"e^{-8(\sqrt{x^2+y^2} - 0.6)^2}", lambda x, y: np.exp(-8 * (np.sqrt(x**2 + y**2) - 0.6) ** 2)),
}


@dataclass(frozen=True)
class Towers:
    """A two-input network of K x K towers on [-1, 1]^2, evaluated on a grid: x (g,), y (g,), surfaces (g, g).

    Layer 1 has 2(K+1) sigmoid steps (K+1 in x, K+1 in y); layer 2 one sigmoid per tower, with weight W on the
    x-bump and the y-bump and bias -1.5 W, so it fires only where both bumps are on (height 2 > 1.5) and
    not on the plateaus where one is (height 1 < 1.5); the output sums heights f(centre) times towers.
    ``plateaus`` is the same sum with the second layer replaced by (x-bump + y-bump)/2: what a single
    hidden layer of bumps gives, plateaus and all.
    """

    x: np.ndarray
    y: np.ndarray
    target: np.ndarray
    output: np.ndarray
    plateaus: np.ndarray
    single: np.ndarray  # one tower (the centre one) with the bias
    single_plateau: np.ndarray  # x-bump + y-bump of that tower: a cross with plateaus of height 1
    mse: float
    max_error: float
    n_layer1: int
    n_layer2: int


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


TOWER_WEIGHT = 20.0


def towers(target: str, k: int, steepness: float = 200.0, tower_weight: float = TOWER_WEIGHT, grid: int = 61) -> Towers:
    """Approximate a 2-D target on [-1, 1]^2 by K x K towers (see ``Towers``)."""
    if target not in TARGETS_2D:
        raise ValueError(f"Unknown 2-D target {target!r}.")
    f = TARGETS_2D[target][2]
    g = np.linspace(-1, 1, grid)
    edges = bump_edges(-1.0, 1.0, k)
    centres = -1 + (2 / k) * (np.arange(k) + 0.5)
    sx = _sigmoid(steepness * (g[:, None] - edges[None, :]))  # (g, K+1) steps in x (same for y)
    bump = sx[:, :-1] - sx[:, 1:]  # (g, K): bump j in x
    heights = f(centres[None, :], centres[:, None])  # (K_y, K_x)
    # tower (jy, jx) on grid (iy, ix): sigmoid(W (bx[ix, jx] + by[iy, jy] - 1.5))
    pre = bump[None, :, None, :] + bump[:, None, :, None]  # (iy, ix, jy, jx)
    tower = _sigmoid(tower_weight * (pre - 1.5))
    out = np.einsum("abcd,cd->ab", tower, heights)
    plateaus = np.einsum("abcd,cd->ab", pre / 2, heights)
    mid = k // 2
    single_plateau = pre[:, :, mid, mid]
    single = tower[:, :, mid, mid]
    X, Y = np.meshgrid(g, g)
    z = f(X, Y)
    err = out - z
    return Towers(g, g, z, out, plateaus, single, single_plateau, float(np.mean(err**2)), float(np.abs(err).max()),
                  2 * (k + 1), k * k)


# ----------------------------------------------------------------------------------------------- formulas on screen

def tex_number(x: float) -> str:
    """A number for LaTeX: 4 significant digits, large and small ones as a x 10^k."""
    if x == 0:
        return "0"
    if not math.isfinite(x):
        return r"\infty"
    if 1e-3 <= abs(x) < 1e5:
        return f"{x:.4g}"
    mant, exp = f"{x:.3e}".split("e")
    return rf"{float(mant):.3g}\times 10^{{{int(exp)}}}"


def bumps_latex(bumps: Bumps, shape: StepShape, a: float, max_slope: float, measured: float) -> list[str]:
    """The bump construction's formula, its error bound and its window of failure, with the numbers put in."""
    t = tex_number
    m = len(bumps.heights)
    z0 = "" if abs(shape.centre) < 1e-9 else f" + {t(shape.centre)}"
    scale = shape.high - shape.low
    hj = "h_j" if abs(scale - 1) < 1e-12 else rf"\frac{{h_j}}{{{t(scale)}}}"
    bound = 0.5 * bumps.h * max_slope
    bound_txt = (rf"\tfrac12\,h\,\max|f'| = \tfrac12 \cdot {t(bumps.h)} \cdot {t(max_slope)} = {t(bound)}"
                 if math.isfinite(bound) else r"\text{none: } f' \text{ is unbounded}")
    return [
        rf"\hat y(x) = \sum_{{j=1}}^{{M}} {hj}\Big[\varphi\big(w(x - s_{{j-1}})"
        rf"{z0}\big) - \varphi\big(w(x - s_j){z0}\big)\Big],\qquad s_j = -b/w \text{{ of each step}}",
        rf"M = {m} \text{{ bumps}},\ w = {t(bumps.steepness)},\ h = \tfrac{{b-a}}{{M}} = {t(bumps.h)},\ "
        rf"h_j = f(\text{{midpoint}}_j):\ h_1 = f({t(a + bumps.h / 2)}) = {t(bumps.heights[0])}",
        rf"\max_{{[a,b]}}|\hat y - f| \le {bound_txt}\ \ (w\to\infty);\quad \text{{measured: }} {t(measured)}",
        rf"\text{{window of failure of each step: }} \Delta x = \frac{{{t(shape.window)}}}{{w}} = {t(bumps.window)}"
        rf"\ \ \text{{vs. bump width }} h = {t(bumps.h)}",
    ]


def relu_latex(a: float, b: float, width: int, max_curvature: float, measured: float) -> list[str]:
    """The ReLU interpolant's formula and its error bound h^2 max|f''| / 8, with the numbers put in."""
    t = tex_number
    h = (b - a) / width
    bound = h**2 * max_curvature / 8
    bound_txt = (rf"\tfrac{{h^2}}{{8}}\max|f''| = \tfrac{{({t(h)})^2}}{{8}} \cdot {t(max_curvature)} = {t(bound)}"
                 if math.isfinite(bound) else r"\text{none: } f'' \text{ does not exist everywhere}")
    return [
        rf"\hat y(x) = f(a) + \sum_{{k=0}}^{{N-1}} v_k\,\mathrm{{ReLU}}(x - t_k),\quad t_k = a + kh,\ "
        rf"h = \tfrac{{b-a}}{{N}} = {t(h)},\ v_k = \text{{slope}}_k - \text{{slope}}_{{k-1}}",
        rf"\max_{{[a,b]}}|\hat y - f| \le {bound_txt};\quad \text{{measured: }} {t(measured)}",
    ]


def least_squares_latex(n: int, width: int, rank: int, train_mse: float) -> list[str]:
    """The least-squares problem for the output layer, with its size and the training MSE reached."""
    return [r"(v, c) = \arg\min_{v,c} \sum_{j=1}^{n}\Big(\sum_{i=1}^{N} v_i\,\varphi(w_i x_j + b_i) + c - y_j\Big)^2",
            rf"n = {n}\text{{ equations}},\ N + 1 = {width + 1}\text{{ unknowns}},\ \text{{rank }} {rank},\ "
            rf"\text{{training MSE}} = {tex_number(train_mse)}"]


def towers_latex(target: str, t: Towers) -> list[str]:
    """The two-input tower network's formula, its size and its errors."""
    return [rf"f(x_1,x_2) = {TARGETS_2D[target][1]},\qquad \hat y = \sum_{{j,k}} f(c_j, c_k)\,"
            r"\sigma\big(W(\mathrm{bump}_j(x_1) + \mathrm{bump}_k(x_2) - 1.5)\big),\ W = " + f"{TOWER_WEIGHT:g}",
            rf"{t.n_layer1}\text{{ step neurons}},\ {t.n_layer2}\text{{ tower neurons}},\ "
            rf"\text{{MSE}} = {tex_number(t.mse)},\ \max|\hat y - f| = {tex_number(t.max_error)}"]
