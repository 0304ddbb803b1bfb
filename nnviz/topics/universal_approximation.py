"""Universal approximation with one hidden layer: construct it, solve it, train it, and measure the error.

A one-hidden-layer network of width N computes

    y_hat(x) = sum_i v_i * phi(w_i * x + b_i) + c,        i = 1..N

(``ShallowNet``: arrays ``w, b, v`` of shape (N,), a scalar ``c``, an ``activations.Phi``). This module builds
such networks three ways, all in float64:

1. **Construct** (Nielsen): ``bump_construction`` pairs steep steps into N/2 bumps whose heights follow the
   target; ``relu_interpolation`` puts ReLU kinks at N knots (the piecewise-linear interpolant), exact weights.
2. **Solve**: ``least_squares_fit`` keeps a hidden layer (constructed or ``random_hidden``) and solves the output
   weights (v, c) by linear least squares: the minimum-norm solution, truncated at ``RCOND`` (see there).
3. **Train**: ``AdamFit`` (torch) and ``LMFit`` (Levenberg-Marquardt, numpy) train every weight for a fixed
   number of steps, as ``nnviz.live.TimedRun`` runs.

Every sentence a page shows about a result is a function here of that result (``*_sentences``, ``*_takeaway``),
so it is true of what is drawn. Arrays ``x`` are 1-D of shape (n,); hidden activations (n, N). No streamlit.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from nnviz.activations import Phi
from nnviz.expressions import parse_expression
from nnviz.format import number, tex_number
from nnviz.live import History, TimedRun

Fn = Callable[[np.ndarray], np.ndarray]

#: Points of the dense grid on which errors are measured, and the share of the interval drawn beyond each end.
DENSE = 2001
BEYOND = 0.15
#: Largest |f| accepted on the interval (bigger values make every error figure meaningless).
MAX_ABS_VALUE = 1e6
MAX_WIDTH = 1000
#: Most training samples: least squares costs n N min(n, N), and 512 x 1000 keeps a solve well under a second.
MAX_SAMPLES = 512
#: Largest width the Levenberg-Marquardt path accepts: a step forms J^T J for p = 3N + 1 parameters and factors it,
#: so its work grows like n p^2 + p^3 / 3; at N = 128 and n = MAX_SAMPLES that fits a tick (``LMFit.step_flops``).
LM_MAX_WIDTH = 128
#: The float64 rate assumed when bounding one step's work: a tenth of what one core of the shared server
#: measures for these products and factorisations (benchmarks/bench_uat.py prints it), for headroom under load.
LM_FLOPS_PER_S = 2e9
SIGMOID = Phi("sigmoid")
RELU = Phi("relu")


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

#: Hidden activations evaluated per block when a network is called (elements, 512 kB of float64).
_BLOCK = 65536


@dataclass(frozen=True)
class ShallowNet:
    """y_hat(x) = sum_i v_i phi(w_i x + b_i) + c: hidden weights w, biases b, output weights v (all (N,)), c."""

    w: np.ndarray
    b: np.ndarray
    v: np.ndarray
    c: float
    phi: Phi

    @property
    def width(self) -> int:
        return int(self.w.shape[0])

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """phi(w_i x_j + b_i): shape (n, N) for x of shape (n,)."""
        return self.phi.numpy(np.multiply.outer(np.asarray(x, dtype=float), self.w) + self.b)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The network's output, shape (n,). Neurons with the same (w_i, b_i) are one feature, evaluated once with
        their v_i summed (``distinct``: Nielsen's bumps share every inner step, so half the work). Evaluated in
        blocks of rows, so the (n, N) hidden activations never exist at once: at N = 1000 on the page's grids that
        is 2 MB a block instead of 23 MB, and ~40% faster."""
        x = np.asarray(x, dtype=float)
        first, group = self.distinct()
        net = self if first.size == self.width else ShallowNet(
            self.w[first], self.b[first], np.bincount(group, weights=self.v, minlength=first.size), self.c, self.phi)
        rows = max(1, _BLOCK // max(1, net.width))
        if x.size <= rows:
            return net.hidden(x) @ net.v + net.c
        return np.concatenate([net.hidden(x[i:i + rows]) @ net.v for i in range(0, x.size, rows)]) + net.c

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """Neurons with identical (w_i, b_i) compute the same feature: (index of each distinct one's first neuron,
        (k,) in order; which distinct neuron each neuron is, (N,)). k = N when no two neurons coincide.
        Found once per network (a sort of the pairs), then kept with it."""
        found = self.__dict__.get("_distinct")
        if found is None:
            found = _distinct_pairs(self.w, self.b)
            object.__setattr__(self, "_distinct", found)  # a frozen dataclass: a memo, not a field
        return found

    def contributions(self, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """v_i phi(w_i x + b_i) for the neurons in ``idx``: shape (len(idx), n)."""
        z = np.multiply.outer(self.w[idx], np.asarray(x, dtype=float)) + self.b[idx, None]
        return self.phi.numpy(z) * self.v[idx, None]

    def positions(self) -> np.ndarray:
        """Where each neuron switches, x = (z0 - b_i) / w_i (NaN where w_i = 0); z0 = ``switch_z(phi)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.w != 0, (switch_z(self.phi) - self.b) / np.where(self.w != 0, self.w, 1.0), np.nan)

    def n_parameters(self) -> int:
        """3N + 1: w, b and v per neuron, plus the output bias."""
        return 3 * self.width + 1

    def to_json(self, **meta: object) -> str:
        """The weights as JSON, with the formula they plug into and any metadata given."""
        doc = {"formula": "y = sum_i v[i] * phi(w[i] * x + b[i]) + c", "phi": self.phi.key,
               "phi_params": self.phi.kwargs, "width": self.width, "w": self.w.tolist(), "b": self.b.tolist(),
               "v": self.v.tolist(), "c": float(self.c), **meta}
        return json.dumps(doc, indent=1)


def _distinct_pairs(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``ShallowNet.distinct`` for weights w and biases b (N,): pairs sorted, equal neighbours grouped."""
    order = np.lexsort((b, w))  # by w, then b; stable, so each group lists its neurons left to right
    ws, bs = w[order], b[order]
    starts = np.ones(w.size, dtype=bool)
    starts[1:] = (ws[1:] != ws[:-1]) | (bs[1:] != bs[:-1])
    if starts.all():
        every = np.arange(w.size)
        return every, every
    sorted_group = np.cumsum(starts) - 1
    first_sorted = order[starts]  # the leftmost neuron of each group (the sort is stable)
    by_position = np.argsort(first_sorted, kind="stable")  # number the groups by their first neuron's position
    rank = np.empty_like(by_position)
    rank[by_position] = np.arange(by_position.size)
    group = np.empty(w.size, dtype=np.intp)
    group[order] = rank[sorted_group]
    return first_sorted[by_position], group


@dataclass(frozen=True)
class FitError:
    """Errors of a fit on the dense grid of [a, b] against the clean target."""

    mse: float
    max_error: float
    train_mse: float  # against the (possibly noisy) training samples


def fit_error(net: Callable[[np.ndarray], np.ndarray], problem: Problem) -> FitError:
    """MSE and maximum error on the dense grid, and the MSE on the training samples."""
    n_dense = problem.x_dense.size
    y = net(np.concatenate([problem.x_dense, problem.x_train]))
    return _errors(y[:n_dense], y[n_dense:], problem)


def _errors(y_dense: np.ndarray, y_train: np.ndarray, problem: Problem) -> FitError:
    r, r_train = y_dense - problem.y_dense, y_train - problem.y_train
    return FitError(float(np.mean(r**2)), float(np.abs(r).max()), float(np.mean(r_train**2)))


def grid(problem: Problem) -> np.ndarray:
    """The three grids end to end, (n_plot + n_dense + n,): x_plot, x_dense, x_train (one evaluation for all)."""
    return np.concatenate([problem.x_plot, problem.x_dense, problem.x_train])


def split(y: np.ndarray, problem: Problem) -> tuple[np.ndarray, np.ndarray, FitError]:
    """(y_hat on x_plot, y_hat on x_dense, its FitError) from y_hat on ``grid(problem)``."""
    n_plot, n_dense = problem.x_plot.size, problem.x_dense.size
    y_plot, y_dense, y_train = y[:n_plot], y[n_plot:n_plot + n_dense], y[n_plot + n_dense:]
    return y_plot, y_dense, _errors(y_dense, y_train, problem)


def evaluate(net: Callable[[np.ndarray], np.ndarray], problem: Problem) -> tuple[np.ndarray, np.ndarray, FitError]:
    """(y_hat on x_plot, y_hat on x_dense, its FitError) from ONE evaluation of the network on all three grids."""
    return split(net(grid(problem)), problem)


# ----------------------------------------------------------------------------------------------- sigmoidal steps

@dataclass(frozen=True)
class StepShape:
    """How a bounded monotone phi makes a step: phi goes from low to high, crossing half-height at z = centre.

    ``window`` is the range of z over which the normalised step (phi - low)/(high - low) climbs from 1%
    to 99%: a neuron with weight w fails to be a step within window / w of its position.
    """

    low: float
    high: float
    centre: float
    window: float


def is_step_like(phi: Phi) -> bool:
    """True if phi is monotone with two different finite limits, so a steep neuron is a step."""
    return phi.spec.monotonic and phi.spec.saturating == "both"


def _bisect(g: Callable[[float], float], lo: float, hi: float, iters: int = 80) -> float:
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if g(mid) < 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@functools.lru_cache(maxsize=64)
def step_shape(phi: Phi) -> StepShape:
    """Limits, half-height point and 1%-99% window of a step-like phi (found numerically, so it works for any)."""
    if not is_step_like(phi):
        raise ValueError(f"{phi.label} is not a step-like activation (bounded and monotone).")
    low, high = (float(v) for v in phi.numpy(np.array([-1e6, 1e6])))

    def level(q: float) -> Callable[[float], float]:
        return lambda z: float(phi.numpy(np.array([z]))[0]) - (low + q * (high - low))

    if phi.key == "step":  # H(z) jumps at 0: no window at all
        return StepShape(low, high, 0.0, 0.0)
    window = _bisect(level(0.99), -1e3, 1e3) - _bisect(level(0.01), -1e3, 1e3)
    return StepShape(low, high, _bisect(level(0.5), -1e3, 1e3), window)


def switch_z(phi: Phi) -> float:
    """The pre-activation z0 where a neuron 'switches': half-height of a step-like phi (3 for ReLU6), else 0
    (ReLU's kink, the centre of tanh). A neuron phi(w x + b) switches at x = (z0 - b) / w."""
    return step_shape(phi).centre if is_step_like(phi) else 0.0


@dataclass(frozen=True)
class Bumps:
    """Nielsen's construction: M = N//2 bumps of width h on [a, b], each made of an up-step and a down-step.

    edges: (M+1,) step positions s_j (the outer two sit one bump outside [a, b]); heights: (M,);
    window: the width in x of each step's 1%-99% rise, 0 for the unit step.
    """

    net: ShallowNet
    edges: np.ndarray
    heights: np.ndarray
    h: float
    steepness: float
    window: float

    @property
    def soft(self) -> bool:
        """The steps take more than half a bump's width to rise: the bumps blur into each other."""
        return self.window > self.h / 2


def bump_features(edges: np.ndarray, steepness: float, phi: Phi) -> tuple[np.ndarray, np.ndarray, StepShape]:
    """Hidden weights (w, b), each (2M,), placing an up-step at edges[j] and a down-step at edges[j+1]:
    b = z0 - w s, so the step phi(w x + b) crosses half-height at x = s."""
    shape = step_shape(phi)
    s = np.repeat(edges, 2)[1:-1]  # s_0, s_1, s_1, s_2, ...: up at the left edge, down at the right edge
    w = np.full(s.shape, float(steepness))
    return w, shape.centre - w * s, shape


def bump_edges(a: float, b: float, n_bumps: int) -> np.ndarray:
    """Interior edges a + j h (j = 1..M-1) and the outer two pushed one bump width beyond a and b."""
    h = (b - a) / n_bumps
    edges = a + h * np.arange(n_bumps + 1)
    edges[0] -= h
    edges[-1] += h
    return edges


def bump_construction(f: Fn, a: float, b: float, width: int, steepness: float = 1000.0,
                      phi: Phi = SIGMOID) -> Bumps:
    """N//2 bumps of height f(midpoint of each sub-interval), from a step-like phi of weight ``steepness``.

    Bump j is (h_j / (high - low)) * (phi(w (x - s_j) + z0) - phi(w (x - s_{j+1}) + z0)); the constant ``low``
    cancels within each pair, so c = 0. An odd N leaves one idle neuron (v = 0).
    As w -> inf the network is a staircase and its max error is at most max|f'| h / 2, h = (b - a) / (N//2).
    """
    if width < 2:
        raise ValueError("A bump needs two neurons: choose N >= 2.")
    n_bumps = width // 2
    h = (b - a) / n_bumps
    edges = bump_edges(a, b, n_bumps)
    heights = np.asarray(f(a + h * (np.arange(n_bumps) + 0.5)), dtype=float)
    w, bias, shape = bump_features(edges, steepness, phi)
    v = np.repeat(heights, 2) * np.tile([1.0, -1.0], n_bumps) / (shape.high - shape.low)
    if width % 2:
        w, bias, v = np.append(w, steepness), np.append(bias, 0.0), np.append(v, 0.0)
    return Bumps(ShallowNet(w, bias, v, 0.0, phi), edges, heights, h, float(steepness), shape.window / steepness)


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
    v = np.diff(np.diff(fk) / h, prepend=0.0)
    return ShallowNet(np.ones(width), -knots[:-1], v, float(fk[0]), RELU)


def construction_phi(method: str, phi: Phi) -> Phi:
    """The phi a construction really uses: the bumps need a step-like phi (else sigmoid), the knots are ReLU."""
    if method == "relu":
        return RELU
    return phi if is_step_like(phi) else SIGMOID


def random_hidden(width: int, a: float, b: float, phi: Phi, scale: float = 1.0, seed: int = 0) -> ShallowNet:
    """A random hidden layer: w_i = scale * 4/(b - a) * g_i (g standard normal), switch points (z0 - b_i)/w_i
    uniform in [a, b]; output weights zero (solve them with ``least_squares_fit``)."""
    rng = np.random.default_rng(seed)
    w = scale * 4.0 / (b - a) * rng.standard_normal(width)
    centres = rng.uniform(a, b, width)
    return ShallowNet(w, switch_z(phi) - w * centres, np.zeros(width), 0.0, phi)


# ----------------------------------------------------------------------------------------------- least squares

#: Singular values below this fraction of the largest are dropped (a truncated SVD). Random sigmoid features
#: are nearly dependent (singular values spread over 15+ decades); fitting the directions below the cut needs
#: output weights of order 1 / sigma, which fit the samples' noise (and float64 rounding) rather than f.
RCOND = 1e-10


@dataclass(frozen=True)
class LeastSquares:
    """The output layer solved by least squares: the net, the residual r on the samples (n,), the rank kept, and
    ``orthogonality`` = max_i |<A_i, r>| / (|A_i| |y|) over the columns A_i of [features, 1] (columns ~0 on every
    sample skipped): 0 for the exact optimum (normal equations A^T r = 0); a truncated solution leaves the
    dropped directions' share, at most about rcond * sigma_max * |r| / (|A_i| |y|)."""

    net: ShallowNet
    residual: np.ndarray
    orthogonality: float
    rank: int
    rcond: float | None


def least_squares_fit(hidden: ShallowNet, x: np.ndarray, y: np.ndarray, rcond: float | None = RCOND,
                      H: np.ndarray | None = None) -> LeastSquares:
    """Keep w, b of ``hidden``; choose v, c minimising sum_j (y_hat(x_j) - y_j)^2, minimum-norm.

    Solves min || A [v; c] - y ||_2 with A = [phi(x w^T + b), 1] (n x (N+1)) by an SVD (LAPACK gelsd), dropping
    singular values below ``rcond`` times the largest; ``rcond=None`` keeps every one above machine epsilon times
    the largest, as ``scipy.linalg.lstsq`` does by default. ``H`` (n, N):
    the features on x, if already computed.
    """
    first, group = hidden.distinct()
    H = hidden.hidden(x) if H is None else H
    A = np.hstack([H, np.ones((H.shape[0], 1))])
    coef, rank = _min_norm_lstsq(A, y, first, group, rcond if rcond is not None else np.finfo(float).eps)
    net = ShallowNet(hidden.w, hidden.b, coef[:-1], float(coef[-1]), hidden.phi)
    r = y - A @ coef
    norms = np.linalg.norm(A, axis=0)
    norms = np.maximum(norms, 1e-6 * norms.max())  # a feature that is ~0 on every sample is not a direction
    ortho = float(np.max(np.abs(A.T @ r) / (norms * max(float(np.linalg.norm(y)), 1e-300))))
    return LeastSquares(net, r, ortho, int(rank), rcond)


#: Features smaller than this are solved as 0. A steep sigmoid's "off" neurons are ~1e-304 (its z is clipped at -700),
#: and the SVD's products of such numbers are subnormal floats, which the processor handles ~100x slower: the solve on
#: the bumps took 3-5x as long as on random features. Their squares are below float64's smallest normal number, and
#: beside the constant feature 1 they are 1e-154 of the largest singular value at most, far below any cut.
_FLUSH = float(np.sqrt(np.finfo(float).tiny))


def _min_norm_lstsq(A: np.ndarray, y: np.ndarray, first: np.ndarray, group: np.ndarray, rcond: float
                    ) -> tuple[np.ndarray, int]:
    """The truncated minimum-norm solution of min ||A u - y|| and A's rank, solved on A's distinct feature columns.

    Where m neurons share a column a, only their sum s of weights matters, and the least norm spreads it evenly
    (each s / m, norm s^2 / m). So with D = diag(m) over the k distinct columns A_k (the constant column last, m = 1)
    the solution is u = s / m per neuron, s = D^(1/2) t, t the minimum-norm solution for A_k D^(1/2). That matrix has
    A's singular values (A A^T = A_k D A_k^T), so the same cut keeps the same directions: the answer is A's, exactly
    in exact arithmetic, for a solve on k + 1 columns instead of N + 1 (the bumps' N/2 + 2)."""
    A = np.where(np.abs(A) < _FLUSH, 0.0, A)  # see _FLUSH
    if first.size == group.size:
        coef, _, rank, _ = np.linalg.lstsq(A, y, rcond=rcond)
        return coef, int(rank)
    m = np.append(np.bincount(group, minlength=first.size), 1).astype(float)
    scale = np.sqrt(m)
    t, _, rank, _ = np.linalg.lstsq(A[:, np.append(first, A.shape[1] - 1)] * scale, y, rcond=rcond)
    s = t * scale
    per = s / m
    return np.append(per[group], per[-1]), int(rank)


# ----------------------------------------------------------------------------------------------- decomposition

@dataclass(frozen=True)
class Decomposition:
    """A bounded selection of neurons' contributions v_i phi(w_i x + b_i): idx (k,), curves (k, m) on x_curves (m,),
    a grid of at most ``CURVE_POINTS`` points; total (n,) is the whole network's output on x (n,).
    anchor_x, anchor_y (k,): where each neuron switches ((z0 - b_i)/w_i, clipped to the plotted range) and its
    contribution there, a handle for hovering; z0 = ``switch_z(phi)``."""

    x: np.ndarray
    idx: np.ndarray
    x_curves: np.ndarray
    curves: np.ndarray
    total: np.ndarray
    width: int
    anchor_x: np.ndarray
    anchor_y: np.ndarray
    z0: float


CURVE_POINTS = 121  # enough for a step to read as a step; each point costs every rerun that draws it


def decomposition(net: ShallowNet, x: np.ndarray, max_curves: int = 40, total: np.ndarray | None = None
                  ) -> Decomposition:
    """The network's output on x (``total``, if already computed) and at most ``max_curves`` of its neurons'
    contributions. When N > max_curves the neurons shown are those with the largest output weights |v_i|."""
    k = min(net.width, max_curves)
    idx = np.sort(np.argsort(-np.abs(net.v), kind="stable")[:k])
    pos = net.positions()[idx]
    anchor_x = np.clip(np.where(np.isfinite(pos), pos, x[0]), x[0], x[-1])
    anchor_y = net.phi.numpy(net.w[idx] * anchor_x + net.b[idx]) * net.v[idx]
    x_curves = x[:: max(1, -(-x.size // CURVE_POINTS))]
    total = net(x) if total is None else total
    return Decomposition(x, idx, x_curves, net.contributions(x_curves, idx), total, net.width, anchor_x, anchor_y,
                         switch_z(net.phi))


# ----------------------------------------------------------------------------------------------- training

def torch_initial_net(width: int, phi: Phi, seed: int = 0, init: str = "default") -> ShallowNet:
    """The initial weights ``build_mlp([1, N, 1], phi, seed=seed, init=init)`` gives, as a ShallowNet (float64)."""
    return _to_shallow(_torch_mlp(width, phi, seed, init), phi)


def _torch_mlp(width: int, phi: Phi, seed: int, init: str):
    import torch

    from nnviz.mlp import build_mlp

    return build_mlp([1, width, 1], phi.key, seed=seed, init=init, phi_params=phi.kwargs, dtype=torch.float64)


def _to_shallow(model, phi: Phi) -> ShallowNet:
    from nnviz.mlp import linear_layers

    first, last = linear_layers(model)
    return ShallowNet(first.weight.detach().numpy()[:, 0].copy(), first.bias.detach().numpy().copy(),
                      last.weight.detach().numpy()[0].copy(), float(last.bias.detach()[0]), phi)


class _Fit(TimedRun):
    """What the two fitters share: a fixed number of steps on the training samples, a bounded loss history."""

    method = ""
    unit = "step"

    def __init__(self, problem: Problem, width: int, phi: Phi, max_steps: int, target_mse: float) -> None:
        self.problem, self.width, self.phi = problem, int(width), phi
        self.max_steps, self.target_mse = int(max_steps), float(target_mse)
        self.loss = math.nan
        self.history = History(("step", "mse"), max_points=1000)
        self.end_reason = ""

    def _record(self, loss: float) -> bool:
        """Book this step's training MSE; False (with a reason) when the run ended for its own reason."""
        self.loss = loss
        self.history.add(step=float(self.steps + 1), mse=loss)
        if not math.isfinite(loss):
            self.end_reason = "diverged: the loss is not a finite number (lower the learning rate)"
        elif loss <= self.target_mse:
            self.end_reason = f"reached training MSE ≤ {number(self.target_mse)}"
        return not self.end_reason

    def status(self) -> str:
        if self.steps == 0:
            return (f"{self.method}: ready, {number(self.max_steps)} steps (the server stops any run after "
                    f"{self.max_seconds / 60:g} minutes of work).")
        text = (f"{self.method}: step {number(self.steps)} of {number(self.max_steps)} · "
                f"training MSE {number(self.loss)}")
        return text + (f" · {self.end_reason}" if self.end_reason else "")

    def net(self) -> ShallowNet:  # pragma: no cover - abstract
        raise NotImplementedError


class AdamFit(_Fit):
    """Full-batch Adam on every weight of a [1, N, 1] torch MLP in float64; one step is one gradient step on the
    mean squared error over the training samples (n,). The model is built at the first step, so making a run
    (the live panel does it on every settings change) costs nothing."""

    method = "Adam"

    def __init__(self, problem: Problem, width: int, phi: Phi, lr: float = 0.01, max_steps: int = 20000,
                 seed: int = 0, init: str = "default", target_mse: float = 0.0) -> None:
        super().__init__(problem, width, phi, max_steps, target_mse)
        self.lr, self.seed, self.init = float(lr), int(seed), init
        self.model = None

    def _build(self) -> None:
        import torch

        self.model = _torch_mlp(self.width, self.phi, self.seed, self.init)
        self.x = torch.as_tensor(self.problem.x_train, dtype=torch.float64)[:, None]
        self.y = torch.as_tensor(self.problem.y_train, dtype=torch.float64)[:, None]
        self.opt = torch.optim.Adam(self.model.parameters(), lr=self.lr)

    def _step(self) -> bool:
        import torch

        if self.model is None:
            self._build()
        self.opt.zero_grad(set_to_none=True)
        loss = torch.mean((self.model(self.x) - self.y) ** 2)
        loss.backward()
        self.opt.step()
        return self._record(float(loss.detach()))

    def net(self) -> ShallowNet:
        if self.model is None:
            return torch_initial_net(self.width, self.phi, self.seed, self.init)
        return _to_shallow(self.model, self.phi)


class LMFit(_Fit):
    """Levenberg-Marquardt on every weight (w, b, v, c) of a shallow net, in float64 numpy.

    One step is one damped trial: solve (J^T J + lam diag(J^T J)) delta = -J^T r once (Cholesky) with the exact
    Jacobian J (n x p, p = 3N + 1): dy/dv_i = phi(z_i), dy/dw_i = v_i phi'(z_i) x, dy/db_i = v_i phi'(z_i),
    dy/dc = 1. A trial that lowers the loss is taken (and lam falls); one that does not raises lam and still counts
    as a step, so a step's work is bounded (``step_flops``) and one tick never runs past its budget. J and J^T J are
    kept until a trial is taken. It starts from ``start`` (e.g. ``torch_initial_net``) or from least squares on a
    random hidden layer. With ``project`` (variable projection) the output layer (v, c) is re-solved by least
    squares after every accepted trial, so the iteration only has to find good hidden neurons. The run ends early
    when lam reaches 1e12 (no step lowers the loss any more).
    """

    method = "Levenberg–Marquardt"

    def __init__(self, problem: Problem, width: int, phi: Phi, max_steps: int = 500, seed: int = 0,
                 target_mse: float = 0.0, start: ShallowNet | None = None, scale: float = 1.0,
                 project: bool = True) -> None:
        if width > LM_MAX_WIDTH:
            raise ValueError(f"Levenberg–Marquardt is limited to N ≤ {LM_MAX_WIDTH}; use Adam for wider nets.")
        super().__init__(problem, width, phi, max_steps, target_mse)
        if start is None:
            hidden = random_hidden(width, problem.a, problem.b, phi, scale, seed)
            start = least_squares_fit(hidden, problem.x_train, problem.y_train).net
        self.theta = np.concatenate([start.w, start.b, start.v, [start.c]])
        self.lam = 1e-3
        self.project = project
        self.x, self.y = problem.x_train, problem.y_train
        self._phi, self._dphi = phi.numpy_pair()
        self._system: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None  # (J^T J, J^T r, diag) at theta
        if project:
            self._project()
        self.loss = self._mse(self.theta)

    @staticmethod
    def step_flops(n: int, width: int) -> float:
        """An upper estimate of one step's floating-point work with n samples and N = ``width`` neurons:
        J^T J (n p^2), J^T r (2 n p), the Cholesky factor and solves (p^3/3 + 2 p^2), the Jacobian and two loss
        evaluations (~60 n N), and the output layer's least squares by SVD (4 n q^2 + 8 q^3, q = N + 1)."""
        p, q = 3 * width + 1, width + 1
        return float(n * p * p + 2 * n * p + p**3 / 3 + 2 * p * p + 60 * n * width + 4 * n * q * q + 8 * q**3)

    def _project(self) -> None:
        """Replace (v, c) by the least-squares optimum for the current hidden layer."""
        n = self.width
        H = self._phi(np.multiply.outer(self.x, self.theta[:n]) + self.theta[n:2 * n])
        A = np.hstack([H, np.ones((H.shape[0], 1))])
        self.theta = np.concatenate([self.theta[:2 * n], np.linalg.lstsq(A, self.y, rcond=RCOND)[0]])

    def _unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        n = self.width
        return theta[:n], theta[n:2 * n], theta[2 * n:3 * n], float(theta[-1])

    def jacobian(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(J, r): J (n, 3N+1) = d y_hat / d(w, b, v, c) at the samples, r (n,) = y_hat - y."""
        w, b, v, c = self._unpack(theta)
        z = np.multiply.outer(self.x, w) + b
        H = self._phi(z)
        D = self._dphi(z, H) * v
        return np.hstack([D * self.x[:, None], D, H, np.ones((len(self.x), 1))]), H @ v + c - self.y

    def _mse(self, theta: np.ndarray) -> float:
        w, b, v, c = self._unpack(theta)
        r = self._phi(np.multiply.outer(self.x, w) + b) @ v + c - self.y
        return float(np.mean(r**2))

    def _solve(self, A: np.ndarray, g: np.ndarray) -> np.ndarray | None:
        """delta with A delta = -g for the damped, symmetric positive definite A (p, p); None if it is not."""
        from scipy.linalg import cho_factor, cho_solve

        try:
            return -cho_solve(cho_factor(A, check_finite=False), g, check_finite=False)
        except np.linalg.LinAlgError:
            return None

    def _step(self) -> bool:
        if self._system is None:
            J, r = self.jacobian(self.theta)
            JtJ = J.T @ J
            self._system = (JtJ, J.T @ r, np.diag(JtJ).copy() + 1e-12)
        JtJ, g, diag = self._system
        delta = self._solve(JtJ + self.lam * np.diag(diag), g)
        loss = self._mse(self.theta + delta) if delta is not None else math.nan
        if math.isfinite(loss) and loss < self.loss:
            self.theta = self.theta + delta
            if self.project:
                kept = self.theta
                self._project()
                projected = self._mse(self.theta)
                if projected <= loss:
                    loss = projected
                else:  # the truncated solve can be a hair worse: keep the trial as taken
                    self.theta = kept
            self.lam = max(self.lam / 3.0, 1e-12)
            self._system = None
            return self._record(loss)
        self.lam = min(self.lam * 4.0, 1e12)
        keep_going = self._record(self.loss)
        if keep_going and self.lam >= 1e12:
            self.end_reason = "converged: no step lowers the loss any more"
            return False
        return keep_going

    def net(self) -> ShallowNet:
        w, b, v, c = self._unpack(self.theta)
        return ShallowNet(w.copy(), b.copy(), v.copy(), c, self.phi)


# ----------------------------------------------------------------------------------------------- width sweep

SWEEP_WIDTHS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1000)
BUMPS, RELU_KNOTS, RANDOM_LS, TRAINED = "bumps", "relu", "random", "trained"


@dataclass(frozen=True)
class Sweep:
    """Errors on the dense grid against width N for each method (keys BUMPS, RELU_KNOTS, RANDOM_LS, TRAINED):
    ``max_error`` and ``rmse`` map a method to a (len(widths),) array (NaN where not computed); ``names`` map a
    method to its legend, naming the phi it uses; ``theory`` maps a method to its bound for an infinitely steep
    step / exact interpolant, absent when the target lacks the derivative it needs."""

    widths: np.ndarray
    max_error: dict[str, np.ndarray]
    rmse: dict[str, np.ndarray]
    theory: dict[str, np.ndarray]
    names: dict[str, str]
    train_steps: int
    train_max_width: int


class SweepRun(TimedRun):
    """The width sweep as a run: one step measures one method at one width (``cells``, in order), so the page
    shows it filling in with progress, and a lecture hall shares one finished run.

    Methods: bumps (step-like phi, else sigmoid) with steepness w = sharpness / h, sharp next to each bump; ReLU
    interpolation; least squares on random phi features (spread 1); and training every weight (``train_steps``
    Levenberg-Marquardt steps with an exact output layer, from build_mlp's default initial weights; only for
    N <= ``train_max_width``). Theory: bumps max|f'| (b - a) / N; ReLU h^2 max|f''| / 8 with h = (b - a) / N.
    """

    unit = "measurement"

    def __init__(self, problem: Problem, phi: Phi = SIGMOID, seed: int = 0, widths: tuple[int, ...] = SWEEP_WIDTHS,
                 sharpness: float = 50.0, train_steps: int = 20, train_max_width: int = 64) -> None:
        self.problem, self.phi, self.seed = problem, phi, seed
        self.widths, self.sharpness = tuple(widths), sharpness
        self.train_steps, self.train_max_width = train_steps, min(train_max_width, LM_MAX_WIDTH)
        trainable = [i for i, n in enumerate(widths) if n <= self.train_max_width and train_steps > 0]
        self.cells = [(k, i) for k in (BUMPS, RELU_KNOTS, RANDOM_LS) for i in range(len(widths))]
        # training is split into its LM steps, one per cell, so no step of the sweep trains for more than one
        self.cells += [(TRAINED, i) for i in trainable for _ in range(train_steps)]
        self.max_steps = len(self.cells)
        self._training: tuple[int, LMFit] | None = None  # (width index, run) of the training in progress
        self.max_error = {k: np.full(len(widths), np.nan) for k in (BUMPS, RELU_KNOTS, RANDOM_LS, TRAINED)}
        self.rmse = {k: np.full(len(widths), np.nan) for k in self.max_error}

    def _net(self, key: str, n: int) -> ShallowNet:
        p = self.problem
        if key == BUMPS:
            steep = self.sharpness * (n // 2) / (p.b - p.a)
            return bump_construction(p.f, p.a, p.b, n, steep, construction_phi("bumps", self.phi)).net
        if key == RELU_KNOTS:
            return relu_interpolation(p.f, p.a, p.b, n)
        return least_squares_fit(random_hidden(n, p.a, p.b, self.phi, 1.0, self.seed), p.x_train, p.y_train).net

    def _train_step(self, i: int) -> None:
        """One LM step of the training at width index i; its error is measured after its last step."""
        if self._training is None or self._training[0] != i:
            n = self.widths[i]
            self._training = (i, LMFit(self.problem, n, self.phi, max_steps=self.train_steps,
                                       start=torch_initial_net(n, self.phi, seed=self.seed)))
        fit = self._training[1]
        if fit.done:  # it converged early: the rest of its cells have nothing to do
            return
        fit.run(1)
        if fit.done:
            error = fit_error(fit.net(), self.problem)
            self.max_error[TRAINED][i], self.rmse[TRAINED][i] = error.max_error, math.sqrt(error.mse)

    def _step(self) -> bool:
        key, i = self.cells[self.steps]
        if key == TRAINED:
            self._train_step(i)
        else:
            error = fit_error(self._net(key, self.widths[i]), self.problem)
            self.max_error[key][i], self.rmse[key][i] = error.max_error, math.sqrt(error.mse)
        if self.steps + 1 >= self.max_steps:
            self._training = None  # a finished sweep keeps only its numbers
        return True

    def status(self) -> str:
        return (f"Step {number(self.steps)} of {number(self.max_steps)}: one measurement of a construction or one "
                "training step each")

    def result(self) -> Sweep:
        """The errors measured so far (NaN where not yet), with names and bounds."""
        p, phi = self.problem, self.phi
        names = {BUMPS: f"bumps ({construction_phi('bumps', phi).label} steps)", RELU_KNOTS: "ReLU interpolation",
                 RANDOM_LS: f"least squares, random {phi.label} features",
                 TRAINED: f"trained ({self.train_steps} LM steps, {phi.label})"}
        d1, d2 = derivative_bounds(p.f, p.a, p.b)
        n = np.asarray(self.widths, dtype=float)
        theory: dict[str, np.ndarray] = {}
        if math.isfinite(d1):
            theory[BUMPS] = d1 * (p.b - p.a) / n
        if math.isfinite(d2):
            theory[RELU_KNOTS] = ((p.b - p.a) / n) ** 2 * d2 / 8
        return Sweep(n.astype(int), {k: v.copy() for k, v in self.max_error.items()},
                     {k: v.copy() for k, v in self.rmse.items()}, theory, names, self.train_steps,
                     self.train_max_width)


def width_sweep(problem: Problem, phi: Phi = SIGMOID, seed: int = 0, widths: tuple[int, ...] = SWEEP_WIDTHS,
                sharpness: float = 50.0, train_steps: int = 20, train_max_width: int = 64) -> Sweep:
    """The whole sweep at once (see ``SweepRun``)."""
    return SweepRun(problem, phi, seed, widths, sharpness, train_steps, train_max_width).run().result()


def loglog_slope(widths: np.ndarray, errors: np.ndarray, min_width: int = 16) -> float:
    """The slope of log(error) against log(N) over N >= min_width (least squares); NaN with < 2 usable points.
    Errors below 1e-13 are float64 rounding, not approximation error, and are left out."""
    keep = (widths >= min_width) & np.isfinite(errors) & (errors > 1e-13)
    if keep.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(widths[keep]), np.log(errors[keep]), 1)[0])


def _rate_words(slope: float) -> str:
    if not math.isfinite(slope):
        return "cannot be measured here (the error reaches rounding level)"
    if slope > -0.3:
        return f"hardly falls (N^{slope:.1f})"
    if slope > -1.4:
        return f"falls like N^{slope:.1f}: about halving when N doubles"
    return f"falls like N^{slope:.1f}: about quartering when N doubles"


def sweep_sentences(sweep: Sweep) -> tuple[str, str]:
    """(caption about the trained runs, takeaway), both chosen from the measured errors."""
    e = sweep.max_error
    s_b, s_r = loglog_slope(sweep.widths, e[BUMPS]), loglog_slope(sweep.widths, e[RELU_KNOTS])
    takeaway = (f"On this target the bumps' maximum error {_rate_words(s_b)}; ReLU interpolation's "
                f"{_rate_words(s_r)}.")
    if s_b > -0.3 and s_r > -0.3:
        takeaway += (" Width does not buy a small maximum error here: the target is not continuous, which is "
                     "exactly what the theorem excludes.")
    else:
        takeaway += " Wider is more accurate, but the theorem alone does not say how wide."
    trained = e[TRAINED]
    done = np.flatnonzero(np.isfinite(trained))
    if not done.size:
        return "", takeaway
    i = int(done[-1])
    n = int(sweep.widths[i])
    best_key = min((BUMPS, RELU_KNOTS, RANDOM_LS), key=lambda k: e[k][i])
    if trained[i] > e[best_key][i]:
        caption = (f"At N = {n}, {sweep.train_steps} training steps reach a maximum error of {number(trained[i])}, "
                   f"more than {sweep.names[best_key]} at the same width ({number(e[best_key][i])}): a fixed "
                   "training budget buys less than the constructions' rates.")
    else:
        caption = (f"At N = {n}, {sweep.train_steps} training steps reach a maximum error of {number(trained[i])}, "
                   f"no more than the best of the other methods at that width ({sweep.names[best_key]}, "
                   f"{number(e[best_key][i])}).")
    return caption, takeaway


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
    best_output: np.ndarray
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
    w, bias, _ = bump_features(edges, CHALLENGE_STEEPNESS, SIGMOID)
    net = ShallowNet(w, bias, np.repeat(hs, 2) * np.tile([1.0, -1.0], k), 0.0, SIGMOID)
    x = np.linspace(a, b, n_points)
    target = _nielsen(x)
    H = net.hidden(x)
    bump_cols = H[:, 0::2] - H[:, 1::2]
    best = np.linalg.lstsq(bump_cols, target, rcond=None)[0]
    out, best_out = bump_cols @ hs, bump_cols @ best
    rmse = float(np.sqrt(np.mean((out - target) ** 2)))
    best_rmse = float(np.sqrt(np.mean((best_out - target) ** 2)))
    return Challenge(x, target, out, best_out, rmse, best_rmse, best, 1.25 * best_rmse, net, edges)


# ----------------------------------------------------------------------------------------------- two inputs

TARGETS_2D: dict[str, tuple[str, str, Callable[[np.ndarray, np.ndarray], np.ndarray]]] = {
    "gauss": ("Gaussian hill", r"e^{-2(x_1^2 + x_2^2)}", lambda x, y: np.exp(-2 * (x**2 + y**2))),
    "waves": ("sin(πx₁)·cos(πx₂)", r"\sin(\pi x_1)\cos(\pi x_2)",
              lambda x, y: np.sin(np.pi * x) * np.cos(np.pi * y)),
    "saddle": ("saddle x₁·x₂", r"x_1 x_2", lambda x, y: x * y),
    "ring": ("ring", r"e^{-8(\sqrt{x_1^2+x_2^2} - 0.6)^2}",
             lambda x, y: np.exp(-8 * (np.sqrt(x**2 + y**2) - 0.6) ** 2)),
}
TOWER_WEIGHT = 20.0
TOWER_GRID = 61
#: The off-corner error counts as "close" when it is at most this share of the target's range.
CLOSE_SHARE = 0.1


@dataclass(frozen=True)
class Towers:
    """A two-input network of K x K towers on [-1, 1]^2, evaluated on a grid: x (g,), y (g,), surfaces (g, g)
    indexed [i_y, i_x].

    Layer 1 has 2(K+1) sigmoid steps (K+1 in x1, K+1 in x2); layer 2 one sigmoid per tower, with weight W on the
    x1-bump and the x2-bump and bias -1.5 W, so it fires only where both bumps are on (height 2 > 1.5) and not on
    the plateaus where one is (height 1 < 1.5); the output sums heights f(centre) times towers. ``plateaus`` is
    the same sum with the second layer replaced by (x1-bump + x2-bump)/2: one hidden layer of bumps, plateaus and
    all. Where four towers meet each bump is half on (0.5 + 0.5 < 1.5): all four switch off. ``corner`` (g, g)
    marks the grid points within half a step's rise (``window``/2, at least half a grid spacing) of such a meeting
    point in both coordinates; ``max_error_off`` is the largest error outside them.
    """

    x: np.ndarray
    y: np.ndarray
    target: np.ndarray
    output: np.ndarray
    plateaus: np.ndarray
    single: np.ndarray  # one tower (the centre one) with the bias
    single_plateau: np.ndarray  # x1-bump + x2-bump of that tower: a cross with plateaus of height 1
    mse: float
    max_error: float
    max_error_off: float
    corner: np.ndarray
    worst: tuple[float, float]  # (x1, x2) of the largest error
    worst_near: int  # in how many of its coordinates it sits where neighbouring towers meet: 0, 1 or 2
    peak: float  # the largest x1-bump + x2-bump anywhere: the towers switch on only where it passes 1.5
    k: int
    steepness: float
    window: float  # 1%-99% rise of each step, in x
    h: float  # a tower's width, 2 / K
    n_layer1: int
    n_layer2: int

    @property
    def soft(self) -> bool:
        return self.window > self.h / 2


def towers(target: str, k: int, steepness: float = 200.0, tower_weight: float = TOWER_WEIGHT,
           grid: int = TOWER_GRID) -> Towers:
    """Approximate a 2-D target on [-1, 1]^2 by K x K towers (see ``Towers``)."""
    if target not in TARGETS_2D:
        raise ValueError(f"Unknown 2-D target {target!r}.")
    f = TARGETS_2D[target][2]
    g = np.linspace(-1, 1, grid)
    edges = bump_edges(-1.0, 1.0, k)
    centres = -1 + (2 / k) * (np.arange(k) + 0.5)
    sx = SIGMOID.numpy(steepness * (g[:, None] - edges[None, :]))  # (g, K+1) steps in x1 (the same in x2)
    bump = sx[:, :-1] - sx[:, 1:]  # (g, K): bump j in x1
    heights = f(centres[None, :], centres[:, None])  # (K_y, K_x)
    pre = bump[None, :, None, :] + bump[:, None, :, None]  # (iy, ix, jy, jx)
    tower = SIGMOID.numpy(tower_weight * (pre - 1.5))
    out = np.einsum("abcd,cd->ab", tower, heights)
    plateaus = np.einsum("abcd,cd->ab", pre / 2, heights)
    mid = k // 2
    X, Y = np.meshgrid(g, g)
    z = f(X, Y)
    err = np.abs(out - z)
    window = step_shape(SIGMOID).window / steepness
    inner = edges[1:-1]  # where neighbouring towers meet inside the square
    tol = max(window / 2, 0.51 * (g[1] - g[0]))
    near = np.min(np.abs(g[:, None] - inner[None, :]), axis=1) <= tol if inner.size else np.zeros(grid, bool)
    corner = near[:, None] & near[None, :]
    iy, ix = np.unravel_index(int(np.argmax(err)), err.shape)
    off = err[~corner]
    return Towers(g, g, z, out, plateaus, tower[:, :, mid, mid], pre[:, :, mid, mid], float(np.mean(err**2)),
                  float(err.max()), float(off.max()) if off.size else math.nan, corner, (float(g[ix]), float(g[iy])),
                  int(near[ix]) + int(near[iy]), float(2 * bump.max()), int(k), float(steepness), float(window),
                  2.0 / k, 2 * (k + 1), k * k)


def towers_sentences(t: Towers) -> tuple[str, str, str]:
    """(warning or "", caption about where the error is, takeaway), chosen from the result."""
    span = float(t.target.max() - t.target.min())
    warning = ""
    if t.peak < 1.5:
        warning = (f"The steps are soft: each takes Δx = {number(t.window)} to rise, more than a tower's width "
                   f"{number(t.h)}, so the bumps never reach height 1. The largest x₁-bump + x₂-bump is "
                   f"{number(t.peak)}, below the threshold 1.5: every tower stays off and the network is ≈ 0 "
                   "everywhere. Raise the steepness w or lower K.")
    elif t.soft:
        warning = (f"The steps are soft: each takes Δx = {number(t.window)} to rise, more than half a tower's "
                   f"width {number(t.h)}. The towers blur into each other; raise the steepness w.")
    x1, x2 = t.worst
    where = (f"The largest error, {number(t.max_error)}, is at (x₁, x₂) = ({x1:.2f}, {x2:.2f})")
    if t.peak < 1.5:
        caption = where + ": no tower switches on, so ŷ ≈ 0 and the error is |f| itself."
    elif not math.isfinite(t.max_error_off):
        caption = (where + ": the steps are so soft that the squares where four towers meet, within Δx/2 of a "
                   "meeting point, cover the whole surface.")
    elif t.worst_near == 2:
        caption = (where + ", where four towers meet: there each bump is half on (0.5 + 0.5 < 1.5), so all four "
                   "towers switch off — the 2-D window of failure. Steeper steps make it smaller, never absent. "
                   f"Away from these corners (grid points within Δx/2 of one) the largest error is "
                   f"{number(t.max_error_off)}.")
    elif t.worst_near == 1:
        caption = where + ", on a line where two towers meet."
    else:
        caption = where + ", inside a tower: one height f(centre) per tower is too coarse for this surface there."
    close = math.isfinite(t.max_error_off) and t.max_error_off <= CLOSE_SHARE * span and t.peak >= 1.5
    if close:
        takeaway = ("Towers are 2-D bumps: away from the small squares where four towers meet, these "
                    f"{t.n_layer2} towers follow f within {number(t.max_error_off)}. More towers and steeper steps "
                    "shrink both the error and the squares, so any continuous surface on the square can be "
                    "approximated this way (removing the plateaus takes a second layer of neurons).")
    else:
        takeaway = ("Not close yet: " + (f"away from the corners the error is still {number(t.max_error_off)}, "
                    f"more than {CLOSE_SHARE:.0%} of the surface's range {number(span)}. " if t.peak >= 1.5 else
                    "no tower switches on. ") + "More towers (K) with steep enough steps are needed; with enough "
                    "of them any continuous surface on the square can be approximated, one dimension up from the "
                    "bumps.")
    return warning, caption, takeaway


# ----------------------------------------------------------------------------------------------- words

def phi_warning(phi: Phi) -> str:
    """The warning for a phi that is not universal ("" if it is), saying what each section then uses."""
    if phi.spec.universal:
        return ""
    shape = "a straight line" if phi.key == "linear" else "a polynomial"
    return (f"**{phi.label}** is not a universal activation ({phi.spec.universal_reason}): least squares on random "
            f"{phi.label} features and training every weight give {shape}, whatever N. The constructions in "
            "section 1 do not use it: the bumps are made of sigmoid steps and the kinks are ReLU, as each curve's "
            "name says.")


def construction_note(method: str, phi: Phi) -> str:
    """Which phi a construction uses when it is not the phi chosen ("" when it is)."""
    used = construction_phi(method, phi)
    if used == phi:
        return ""
    if method == "relu":
        return (f"This construction is ReLU by definition: φ = {phi.label} is used by the random features "
                "(section 2) and the training (section 3).")
    return (f"{phi.label} is not step-like (monotone with two different finite limits), so these bumps are made of "
            f"**{used.label}** steps, not {phi.label}; sections 2 and 3 use {phi.label}.")


def soft_steps_warning(bumps: Bumps) -> str:
    """The warning for steps too soft to make bumps ("" when they are sharp enough)."""
    if not bumps.soft:
        return ""
    return (f"The steps are soft: each needs Δx = {number(bumps.window)} to rise from 1% to 99%, more than half a "
            f"bump's width h = {number(bumps.h)}. The bumps blur into each other — raise the steepness w.")


def step_sentence(phi: Phi) -> str:
    """Where a steep neuron of a step-like phi puts its step, with this phi's z0."""
    z0 = switch_z(phi)
    if abs(z0) < 1e-9:
        return (f"A steep neuron φ(wx + b) is a **step at s = −b/w** ({phi.label} crosses half-height at z = 0).")
    return (f"A steep neuron φ(wx + b) is a **step at s = (z₀ − b)/w**, where {phi.label} crosses half-height: "
            f"z₀ = {number(z0)}.")


def construct_takeaway(method: str, error: FitError, bound: float, continuous: bool, soft: bool) -> str:
    """The construction's lesson, as far as this result shows it (``bound``: the w -> inf or interpolation bound)."""
    unit = "pair of steep neurons is a bump" if method == "bumps" else "ReLU is a kink"
    if not continuous:
        return (f"Each {unit}, but this target jumps: the maximum error stays at {number(error.max_error)} "
                "(about half the jump) however many neurons — the theorem is about continuous functions.")
    if soft:
        return (f"Soft steps blur the bumps: the maximum error is {number(error.max_error)}"
                + (f", above the bound {number(bound)} for sharp steps" if math.isfinite(bound) else "")
                + ". Raise the steepness w: each pair of steep neurons is then a bump.")
    within = math.isfinite(bound) and error.max_error <= bound * 1.01
    return (f"Each {unit}: here the maximum error is {number(error.max_error)}"
            + (f", within the bound {number(bound)}" if within else "")
            + ". With enough of them any continuous curve on [a, b] can be drawn — that is the whole proof idea.")


def truncation_sentence(kept: LeastSquares) -> str:
    """What the solution is, and why the small singular values are dropped."""
    cols = kept.net.width + 1
    text = (f"The solution is the **truncated minimum-norm** one: of the {cols} directions of the features, the "
            f"{kept.rank} with singular values above 10⁻¹⁰ of the largest are kept")
    if kept.rank == cols:
        return text + ": here that is all of them, so it is the exact least-squares optimum."
    return text + (". Why: these features repeat or nearly repeat one another (their singular values span many "
                   "decades), and fitting the dropped directions needs output weights of order 1/(singular value), "
                   "which amplify the samples' noise and float64 rounding. The cut keeps the weights moderate at "
                   "the price of some training error; whether that pays is measured below.")


def truncation_comparison(kept: LeastSquares, full: LeastSquares, kept_error: FitError, full_error: FitError) -> str:
    """What dropping the small singular values did, measured against keeping all that float64 resolves."""
    if full.rank == kept.rank:
        return (f"Keeping every direction float64 resolves changes nothing here: the dropped directions are exact "
                f"repeats of others (rank {kept.rank} either way), so this is the least-squares optimum.")
    v_kept, v_full = float(np.abs(kept.net.v).max()), float(np.abs(full.net.v).max())
    text = (f"Keeping all {full.rank} directions that float64 resolves (as scipy.linalg.lstsq does) instead of "
            f"{kept.rank} gives training MSE {number(full_error.train_mse)} instead of {number(kept_error.train_mse)}, "
            f"with output weights up to {number(v_full)} instead of {number(v_kept)}; ")
    if abs(full_error.mse - kept_error.mse) <= 1e-3 * kept_error.mse:
        return text + f"its error on [a, b] is the same to three digits ({number(kept_error.mse)} MSE)."
    if full_error.mse < kept_error.mse:
        return text + (f"its error on [a, b] is lower too ({number(full_error.mse)} against {number(kept_error.mse)} "
                       "MSE): with these samples the cut-off costs accuracy — a choice for moderate weights, not the "
                       "optimum.")
    return text + (f"but its error on [a, b] is higher ({number(full_error.mse)} against {number(kept_error.mse)} "
                   "MSE): here the cut-off works as a regulariser.")


def orthogonality_sentence(ls: LeastSquares) -> str:
    """The normal equations, as far as this solution satisfies them."""
    value = f"max |⟨φᵢ, r⟩| / (‖φᵢ‖‖y‖) = **{ls.orthogonality:.1e}**"
    if ls.orthogonality < 1e-8:
        return f"The residual r is orthogonal to every feature, as at an optimum: {value}."
    return (f"The residual r is orthogonal to every feature only up to the dropped directions: {value} "
            "(0 at the exact optimum).")


def solve_takeaway(hidden: str, phi: Phi, width: int, error: FitError, construction: FitError | None,
                   span: float) -> str:
    """The least-squares lesson, chosen from the fit."""
    head = ("Once the hidden layer is fixed, choosing the output layer is a linear least-squares problem: one "
            "solve, no training. ")
    if hidden == "constructed" and construction is not None:
        better = error.train_mse <= construction.train_mse
        return head + (f"On the constructed neurons it lowers the training MSE from {number(construction.train_mse)} "
                       f"to {number(error.train_mse)}." if better else
                       f"On the constructed neurons it reaches training MSE {number(error.train_mse)} "
                       f"(the construction: {number(construction.train_mse)}).")
    if error.max_error <= 0.05 * span:
        return head + (f"Random neurons work too: {width} random {phi.label} neurons reach a maximum error of "
                       f"{number(error.max_error)}.")
    return head + (f"{width} random {phi.label} neurons leave a maximum error of {number(error.max_error)}: "
                   "more neurons (or another spread or φ) are needed.")


def train_takeaway(method: str, phi: Phi, steps: int, trained: FitError | None, fixed: dict[str, FitError],
                   cut: bool) -> str:
    """The training lesson for the run as it stands (``fixed``: the constructed and least-squares fits by name)."""
    tail = " The theorem says good weights *exist*, not how to find them."
    if trained is None or steps == 0:
        return "Press **Train**: training finds its own neurons from the samples, no construction needed." + tail
    if cut:
        return "This run was stopped by the server's time limit; nothing is concluded from it." + tail
    head = f"After {number(steps)} {method} steps with {phi.label}, the trained network's error on [a, b] is "
    head += f"{number(trained.mse)} MSE"
    if not fixed:
        return head + "." + tail
    name, best = min(fixed.items(), key=lambda kv: kv[1].mse)
    if trained.mse < best.mse:
        return head + f", below the {name} fit ({number(best.mse)}): it found better neurons than those." + tail
    return head + (f", not yet below the {name} fit ({number(best.mse)}): training needs more steps (or another "
                   "optimiser) to find what the construction writes down." + tail)


# ----------------------------------------------------------------------------------------------- formulas on screen

def bumps_latex(bumps: Bumps, shape: StepShape, a: float, max_slope: float, measured: float) -> list[str]:
    """The bump construction's formula, its error bound and its window of failure, with the numbers put in; one
    short line each, so every line fits a phone's width (390 px) without scrolling."""
    t = tex_number
    m = len(bumps.heights)
    z0 = "" if abs(shape.centre) < 1e-9 else f" + {t(shape.centre)}"
    scale = shape.high - shape.low
    hj = "h_j" if abs(scale - 1) < 1e-12 else rf"\frac{{h_j}}{{{t(scale)}}}"
    bound = 0.5 * bumps.h * max_slope
    s_txt = r"s_j = -b/w" if not z0 else r"s_j = (z_0 - b)/w,\ z_0 = " + t(shape.centre)
    lines = [
        rf"\hat y(x) = \sum_{{j=1}}^{{M}} {hj}\,\mathrm{{bump}}_j(x)",
        rf"\mathrm{{bump}}_j = \varphi\big(w(x - s_{{j-1}}){z0}\big) - \varphi\big(w(x - s_j){z0}\big)",
        rf"M = {m} \text{{ bumps}},\ w = {t(bumps.steepness)},\ {s_txt}",
        rf"h = \tfrac{{b-a}}{{M}} = {t(bumps.h)},\ h_j = f(\text{{midpoint}}_j)",
        rf"h_1 = f({t(a + bumps.h / 2)}) = {t(bumps.heights[0])}",
    ]
    if math.isfinite(bound):
        lines += [r"\max_{[a,b]}|\hat y - f| \le \tfrac12\,h\,\max|f'| \ \ (w\to\infty)",
                  rf"\tfrac12\,h\,\max|f'| = \tfrac12 \cdot {t(bumps.h)} \cdot {t(max_slope)} = {t(bound)}"]
    else:
        lines.append(r"\text{no bound: } f' \text{ is unbounded}")
    lines += [rf"\text{{measured: }} \max_{{[a,b]}}|\hat y - f| = {t(measured)}",
              rf"\text{{window of failure: }} \Delta x = \frac{{{t(shape.window)}}}{{w}} = {t(bumps.window)}",
              rf"\text{{vs. bump width }} h = {t(bumps.h)}"]
    return lines


def bumps_bound(bumps: Bumps, max_slope: float) -> float:
    """max|f'| h / 2: the staircase's error bound as w -> inf."""
    return 0.5 * bumps.h * max_slope


def relu_bound(a: float, b: float, width: int, max_curvature: float) -> float:
    """h^2 max|f''| / 8 with h = (b - a) / N: the piecewise-linear interpolant's error bound."""
    return ((b - a) / width) ** 2 * max_curvature / 8


def relu_latex(a: float, b: float, width: int, max_curvature: float, measured: float) -> list[str]:
    """The ReLU interpolant's formula and its error bound h^2 max|f''| / 8, with the numbers put in (short lines)."""
    t = tex_number
    h = (b - a) / width
    bound = relu_bound(a, b, width, max_curvature)
    lines = [
        r"\hat y(x) = f(a) + \sum_{k=0}^{N-1} v_k\,\mathrm{ReLU}(x - t_k)",
        rf"t_k = a + kh,\ h = \tfrac{{b-a}}{{N}} = {t(h)}",
        r"v_k = \text{slope}_k - \text{slope}_{k-1}",
    ]
    if math.isfinite(bound):
        lines += [r"\max_{[a,b]}|\hat y - f| \le \tfrac{h^2}{8}\max|f''|",
                  rf"\tfrac{{h^2}}{{8}}\max|f''| = \tfrac{{({t(h)})^2}}{{8}} \cdot {t(max_curvature)} = {t(bound)}"]
    else:
        lines.append(r"\text{no bound: } f'' \text{ does not exist everywhere}")
    return lines + [rf"\text{{measured: }} \max_{{[a,b]}}|\hat y - f| = {t(measured)}"]


def least_squares_latex(n: int, width: int, rank: int, train_mse: float) -> list[str]:
    """The least-squares problem for the output layer, with its size, the rank kept and the training MSE."""
    return [r"(v, c) = \arg\min_{v,c} \sum_{j=1}^{n} \big(\hat y(x_j) - y_j\big)^2",
            rf"n = {n}\text{{ equations}},\ N + 1 = {width + 1}\text{{ unknowns}}",
            rf"\text{{rank kept }} {rank},\ \text{{training MSE}} = {tex_number(train_mse)}"]


def towers_latex(target: str, t: Towers) -> list[str]:
    """The two-input tower network's formula, its size and its errors."""
    return [rf"f(x_1,x_2) = {TARGETS_2D[target][1]}",
            r"\hat y = \sum_{j,k} f(c_j, c_k)\,\sigma\big(W\,(z_{jk} - 1.5)\big)",
            r"z_{jk} = \mathrm{bump}_j(x_1) + \mathrm{bump}_k(x_2),\ W = " + f"{TOWER_WEIGHT:g}",
            rf"\text{{MSE}} = {tex_number(t.mse)},\ \max|\hat y - f| = {tex_number(t.max_error)}",
            rf"{t.n_layer1}\text{{ step neurons}},\ {t.n_layer2}\text{{ tower neurons}}"]
