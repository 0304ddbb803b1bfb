"""Why go deep: parameter counts, the sawtooth, Yarotsky's x^2, trajectory length, equal-budget fits.

Networks are lists of widths ``[n_in, h_1, ..., h_L, n_out]`` (as in ``nnviz.mlp``). Constructions return
a ``nnviz.regions.ReluNet`` (plain arrays) so their pieces can be counted exactly and compared with the
closed forms; trained networks are torch modules from ``nnviz.mlp.build_mlp``.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from sklearn.datasets import make_circles, make_moons

from nnviz.mlp import build_mlp, count_parameters
from nnviz.regions import ReluNet, pieces_1d

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_LAYERS = 10  # hidden layers in a typed architecture
MAX_WIDTH = 512

# ----------------------------------------------------------------------------------------------- counting


@dataclass(frozen=True)
class LayerCount:
    """One layer l: it maps n_in units to n_out units with n_in * n_out weights and n_out biases."""

    layer: int
    n_in: int
    n_out: int
    weights: int
    biases: int


def parse_widths(text: str, max_layers: int = MAX_LAYERS + 2, max_width: int = MAX_WIDTH) -> list[int]:
    """Read "3, 9, 2" (commas, spaces or x between numbers) as [3, 9, 2]; a ValueError in plain words if not."""
    text = (text or "").strip()
    if not text:
        raise ValueError("Type the layer widths, for example 3, 9, 2.")
    if len(text) > 200:
        raise ValueError("That list is too long; keep it under 200 characters.")
    text = re.sub(r"(?<=\d)\s*[x×]\s*(?=\d)", ",", text)  # "3x9x2" reads as 3, 9, 2
    parts = [p for p in re.split(r"[,\s;]+", text) if p]
    if not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ValueError("Use whole numbers separated by commas, for example 3, 9, 2.")
    widths = [int(p) for p in parts]
    if len(widths) < 2:
        raise ValueError("A network needs at least an input width and an output width.")
    if len(widths) > max_layers:
        raise ValueError(f"At most {max_layers} widths (input, {max_layers - 2} hidden layers, output).")
    if any(w < 1 or w > max_width for w in widths):
        raise ValueError(f"Every width must be between 1 and {max_width}.")
    return widths


def layer_counts(widths: Sequence[int]) -> list[LayerCount]:
    """Weights (connections) and biases layer by layer; their sums equal ``count_parameters(widths)``."""
    return [LayerCount(i + 1, a, b, a * b, b) for i, (a, b) in enumerate(zip(widths[:-1], widths[1:], strict=False))]


def mlp_parameters(n_in: int, n_out: int, depth: int, width: int) -> int:
    """Weights + biases of ``depth`` hidden layers of ``width`` units between n_in inputs and n_out outputs."""
    return sum(count_parameters([n_in] + [width] * depth + [n_out]))


def width_for_budget(n_in: int, n_out: int, depth: int, budget: int, max_width: int = MAX_WIDTH) -> int:
    """The width (>= 1) whose network of this depth has the parameter count closest to ``budget``."""
    best, best_gap = 1, math.inf
    for w in range(1, max_width + 1):
        p = mlp_parameters(n_in, n_out, depth, w)
        gap = abs(p - budget)
        if gap < best_gap:
            best, best_gap = w, gap
        if p > budget:
            break
    return best


# ----------------------------------------------------------------------------------------------- sawtooth


MAX_PIECES = 1024  # the page draws at most this many teeth


def max_layers_for(p: int, max_pieces: int = MAX_PIECES) -> int:
    """The largest k with p^k <= max_pieces (exact integer arithmetic)."""
    k = 0
    while p ** (k + 1) <= max_pieces:
        k += 1
    return k


def zigzag(u: np.ndarray) -> np.ndarray:
    """The unit zigzag: rises 0 -> 1 on [0, 1], falls 1 -> 0 on [1, 2], period 2."""
    r = np.mod(u, 2.0)
    return 1.0 - np.abs(r - 1.0)


def sawtooth_closed(x: np.ndarray, k: int, p: int = 2) -> np.ndarray:
    """The p-tooth map composed k times on [0, 1] in closed form: t_p^k(x) = zigzag(p^k x), p^k pieces."""
    return zigzag((float(p) ** k) * np.asarray(x, dtype=float))


def tooth_coefficients(p: int) -> np.ndarray:
    """Output weights c_j of t_p(x) = sum_j c_j relu(x - j/p): c_0 = p, c_j = (-1)^j 2p; p = 2 gives 2, -4."""
    return np.array([p] + [(-1) ** j * 2 * p for j in range(1, p)], dtype=float)


def sawtooth_net(k: int, p: int = 2) -> ReluNet:
    """The deep network: k hidden layers of p units, each layer computing relu(u - j/p) of the previous tooth.

    For p = 2 this is the lecture's tent map t(x) = 2 relu(x) - 4 relu(x - 1/2), applied k times.
    """
    if k < 1 or p < 2:
        raise ValueError("Need k >= 1 layers and p >= 2 teeth.")
    c = tooth_coefficients(p)
    shift = -np.arange(p) / p
    W = [np.ones((p, 1))] + [np.outer(np.ones(p), c) for _ in range(k - 1)] + [c[None, :]]
    b = [shift.copy() for _ in range(k)] + [np.zeros(1)]
    return ReluNet(tuple(W), tuple(b))


def shallow_sawtooth_net(k: int, p: int = 2) -> ReluNet:
    """One hidden layer with N = p^k units relu(x - i/N) whose output weights reproduce t_p^k on [0, 1]."""
    n = p**k
    slopes = n * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
    out = np.concatenate([[slopes[0]], np.diff(slopes)])
    return ReluNet((np.ones((n, 1)), out[None, :]), (-np.arange(n) / n, np.zeros(1)))


@dataclass(frozen=True)
class SawtoothResult:
    """The sawtooth t_p^k on [0, 1]: the deep network, its exact piece count and the shallow cost.

    ``x`` (n,) grid, ``y`` (n,) deep network's output there; ``breakpoints`` exact interior breakpoints.
    """

    k: int
    p: int
    x: np.ndarray
    y: np.ndarray
    breakpoints: np.ndarray
    pieces: int
    deep_widths: list[int]
    deep_params: int
    shallow_min_units: int  # Telgarsky: at least p^k - 1 units in one hidden layer
    shallow_min_params: int  # 3 per unit + 1 output bias
    max_error_vs_closed_form: float


def sawtooth(k: int, p: int = 2) -> SawtoothResult:
    """Build the deep p-tooth network, count its pieces exactly, compare with the closed form at every
    breakpoint (between breakpoints both are linear, so that is a comparison on all of [0, 1])."""
    net = sawtooth_net(k, p)
    pc = pieces_1d(net, 0.0, 1.0)
    x = pc.edges if len(pc.edges) >= 64 else np.union1d(pc.edges, np.linspace(0.0, 1.0, 65))
    y = net.forward(x[:, None])[:, 0]  # exact: the graph is the polyline through the breakpoints
    err = float(np.max(np.abs(y - sawtooth_closed(x, k, p))))
    units = p**k - 1
    return SawtoothResult(k, p, x, y, pc.breakpoints, pc.n_pieces, net.widths, net.n_parameters, units,
                          3 * units + 1, err)


# ----------------------------------------------------------------------------------------------- Yarotsky


def yarotsky_closed(x: np.ndarray, m: int) -> np.ndarray:
    """f_m(x) = x - sum_{s=1}^m t^(s)(x) / 4^s on [0, 1] (t^(s) the s-fold tent map)."""
    x = np.asarray(x, dtype=float)
    return x - sum(sawtooth_closed(x, s) / 4.0**s for s in range(1, m + 1))


def yarotsky_net(m: int) -> ReluNet:
    """A ReLU network of m hidden layers of width 3 computing f_m exactly.

    Layer s holds relu(g), relu(g - 1/2) of the tooth g = t^(s-1)(x), and the running sum
    a_s = x - sum_{r<s} t^(r)(x)/4^r (>= 0, so ReLU passes it). Widths [1, 3, ..., 3, 1].
    """
    if m < 1:
        raise ValueError("Need m >= 1.")
    W = [np.array([[1.0], [1.0], [1.0]])]
    b = [np.array([0.0, -0.5, 0.0])]
    for s in range(1, m):
        q = 4.0**s
        # new g = 2 h0 - 4 h1; a_{s+1} = a_s - g / 4^s
        W.append(np.array([[2.0, -4.0, 0.0], [2.0, -4.0, 0.0], [-2.0 / q, 4.0 / q, 1.0]]))
        b.append(np.array([0.0, -0.5, 0.0]))
    q = 4.0**m
    W.append(np.array([[-2.0 / q, 4.0 / q, 1.0]]))
    b.append(np.zeros(1))
    return ReluNet(tuple(W), tuple(b))


def shallow_square_net(m: int) -> ReluNet:
    """One hidden layer interpolating x^2 at the 2^m + 1 points i / 2^m: N = 2^m units relu(x - i/N)."""
    n = 2**m
    slopes = (2 * np.arange(n) + 1) / n  # slope of the chord on [i/n, (i+1)/n]
    out = np.concatenate([[slopes[0]], np.diff(slopes)])
    return ReluNet((np.ones((n, 1)), out[None, :]), (-np.arange(n) / n, np.zeros(1)))


@dataclass(frozen=True)
class YarotskyRow:
    """One m: the error bound, the measured maximum error and both networks' parameter counts."""

    m: int
    bound: float  # 2^(-2m-2)
    max_error: float  # measured exactly at the pieces' midpoints (where a chord of x^2 is farthest)
    deep_params: int
    shallow_units: int
    shallow_params: int


def yarotsky_error(net: ReluNet) -> float:
    """max |x^2 - net(x)| on [0, 1] for a piecewise-linear net: on each piece the gap to the convex x^2 is
    largest at its vertex or an end, so checking ends and the points where the slope equals 2x is exact."""
    pc = pieces_1d(net, 0.0, 1.0)
    x_star = np.clip(pc.slope / 2.0, pc.edges[:-1], pc.edges[1:])
    xs = np.concatenate([pc.edges, x_star])
    return float(np.max(np.abs(xs**2 - pc.evaluate(xs))))


def yarotsky_table(m_max: int) -> list[YarotskyRow]:
    """Rows m = 1..m_max: Yarotsky's deep network against the shallow interpolant of the same error."""
    rows = []
    for m in range(1, m_max + 1):
        deep = yarotsky_net(m)
        n = 2**m
        rows.append(YarotskyRow(m, 2.0 ** (-2 * m - 2), yarotsky_error(deep), deep.n_parameters, n, 3 * n + 1))
    return rows


def first_deep_win(rows: Sequence[YarotskyRow]) -> int | None:
    """The smallest m at which the deep network needs fewer parameters than the shallow one (None if never)."""
    return next((r.m for r in rows if r.deep_params < r.shallow_params), None)


# ----------------------------------------------------------------------------------------------- trajectory


@dataclass(frozen=True)
class Trajectory:
    """A circle pushed through random tanh networks: ``lengths[i, d]`` for sigma_w[i] at layer d (0 = input).

    ``curves[i]`` (n_points, 2): layer ``show_layer`` of sigma_w[i], projected on its top two principal axes.
    """

    sigma_w: tuple[float, ...]
    lengths: np.ndarray
    curves: list[np.ndarray]
    width: int
    depth: int
    show_layer: int

    @property
    def growth_per_layer(self) -> np.ndarray:
        """(l(D) / l(1))^(1/(D-1)) for each sigma_w: the geometric mean stretch of layers 2..D (1 if D = 1)."""
        if self.depth < 2:
            return np.ones(len(self.sigma_w))
        return (self.lengths[:, -1] / self.lengths[:, 1]) ** (1.0 / (self.depth - 1))


def curve_length(z: np.ndarray) -> float:
    """Length of a closed polyline z (n, dim): sum of ||z_{i+1} - z_i|| including the closing segment."""
    return float(np.linalg.norm(np.diff(np.vstack([z, z[:1]]), axis=0), axis=1).sum())


def trajectory_lengths(sigma_ws: Sequence[float], width: int = 32, depth: int = 10, sigma_b: float = 0.1,
                       seed: int = 0, n_points: int = 2000, show_layer: int | None = None) -> Trajectory:
    """Raghu et al. (2017): a unit circle in the input plane through a tanh network with W ~ N(0, sigma_w^2/k).

    The same random directions are used for every sigma_w (only the scale changes), so curves are comparable.
    """
    theta = np.linspace(0.0, 2 * np.pi, n_points, endpoint=False)
    x = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    rng = np.random.default_rng(seed)
    fans = [2] + [width] * depth
    base_w = [rng.normal(0.0, 1.0, size=(width, f)) / np.sqrt(f) for f in fans[:-1]]
    base_b = [rng.normal(0.0, 1.0, size=width) for _ in range(depth)]
    show = depth if show_layer is None else int(np.clip(show_layer, 0, depth))
    lengths = np.zeros((len(sigma_ws), depth + 1))
    curves = []
    for i, s in enumerate(sigma_ws):
        z = x
        lengths[i, 0] = curve_length(z)
        shown = z
        for d in range(depth):
            z = np.tanh(z @ (s * base_w[d]).T + sigma_b * base_b[d])
            lengths[i, d + 1] = curve_length(z)
            if d + 1 == show:
                shown = z
        centred = shown - shown.mean(axis=0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        curves.append(centred @ vt[:2].T if vt.shape[0] >= 2 else np.c_[centred, np.zeros(len(centred))])
    return Trajectory(tuple(float(s) for s in sigma_ws), lengths, curves, width, depth, show)


# ----------------------------------------------------------------------------------------------- equal budget

TARGETS = ("sawtooth", "sine", "spiral")
TARGET_LABELS = {"sawtooth": "Sawtooth t⁴ (16 pieces)", "sine": "High-frequency sine sin(2π·5x)",
                 "spiral": "2-D spiral (two classes)"}
DEPTHS = (1, 2, 3, 4, 5, 6)
BUDGETS = (25, 50, 100, 200, 400)
RUN_SECONDS = 9.0  # total work of one interactive run: leaves room for drawing under the 15 s promise
DEFAULT_STEPS = 3000


@dataclass(frozen=True)
class TargetData:
    """Training set and evaluation grid of one target. 1-D: x (n, 1), y (n, 1); spiral: X (n, 2), labels."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_eval: np.ndarray
    y_eval: np.ndarray
    classification: bool


def two_spirals(n: int = 300, noise: float = 0.05, turns: float = 1.5, seed: int = 0) -> tuple[np.ndarray,
                                                                                                np.ndarray]:
    """Two interleaved spirals in [-1, 1]^2: X (n, 2), y (n,) in {0, 1}."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.05, 1.0, n)) * turns * 2 * np.pi
    y = np.arange(n) % 2
    r = t / (turns * 2 * np.pi)
    angle = t + np.pi * y
    X = np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1) + rng.normal(0, noise, (n, 2))
    return X, y


def target_data(name: str, seed: int = 0) -> TargetData:
    """The target functions of the equal-budget experiment."""
    if name == "sawtooth":
        x = np.linspace(0, 1, 257)[:, None]
        xe = np.linspace(0, 1, 1025)[:, None]
        return TargetData(name, x, sawtooth_closed(x, 4), xe, sawtooth_closed(xe, 4), False)
    if name == "sine":
        x = np.linspace(0, 1, 257)[:, None]
        xe = np.linspace(0, 1, 1025)[:, None]
        return TargetData(name, x, np.sin(2 * np.pi * 5 * x), xe, np.sin(2 * np.pi * 5 * xe), False)
    if name == "spiral":
        X, y = two_spirals(400, seed=seed)
        Xe, ye = two_spirals(1000, seed=seed + 1000)
        return TargetData(name, X, y[:, None].astype(float), Xe, ye[:, None].astype(float), True)
    raise ValueError(f"Unknown target {name!r}; choose one of {', '.join(TARGETS)}.")


@dataclass
class FitResult:
    """One (depth, budget) cell of the experiment: the best of ``n_seeds`` trained networks."""

    depth: int
    width: int
    params: int
    error: float  # RMS error (1-D) or misclassified fraction (spiral) on the evaluation set, best seed
    steps: int
    pieces: int | None = None  # exact linear pieces of the best trained 1-D ReLU network on [0, 1]
    curve: list[float] | None = None  # its predictions on 129 points of [0, 1] (1-D targets)


class BatchedMLP(torch.nn.Module):
    """Several ReLU MLPs of the same depth but different widths, trained at once as one padded batch.

    Network i has widths ``widths[i]``; its weights sit in the top-left corner of padded tensors
    W[l] (B, out_max, in_max) and the padding is zero. Padding stays zero under training: a padded unit has
    z = 0, ReLU'(0) = 0 in torch, so no gradient reaches it, and Adam moves nothing with a zero gradient.
    The summed loss separates, so each network trains exactly as it would alone.
    Inputs x (N, n_in) -> outputs (B, N, 1).
    Initial weights: W ~ N(0, 2 / fan_in) (He), b ~ U(-1/2, 1/2), from one seed per network.
    """

    def __init__(self, widths: Sequence[Sequence[int]], seeds: Sequence[int]) -> None:
        super().__init__()
        n_layers = len(widths[0]) - 1
        if any(len(w) - 1 != n_layers for w in widths):
            raise ValueError("BatchedMLP needs networks of equal depth.")
        self.widths = [list(w) for w in widths]
        dims = [max(w[i] for w in widths) for i in range(n_layers + 1)]
        Ws, bs = [], []
        for li in range(n_layers):
            W = torch.zeros(len(widths), dims[li + 1], dims[li])
            b = torch.zeros(len(widths), dims[li + 1])
            for i, (w, seed) in enumerate(zip(widths, seeds, strict=True)):
                g = torch.Generator().manual_seed(int(seed) * 1000 + li)
                fan_in, fan_out = w[li], w[li + 1]
                W[i, :fan_out, :fan_in] = torch.randn(fan_out, fan_in, generator=g) * math.sqrt(2.0 / fan_in)
                b[i, :fan_out] = torch.rand(fan_out, generator=g) - 0.5
            Ws.append(torch.nn.Parameter(W))
            bs.append(torch.nn.Parameter(b))
        self.W = torch.nn.ParameterList(Ws)
        self.b = torch.nn.ParameterList(bs)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.unsqueeze(0).expand(len(self.widths), -1, -1)
        last = len(self.W) - 1
        for li, (W, b) in enumerate(zip(self.W, self.b, strict=True)):
            h = torch.baddbmm(b.unsqueeze(1), h, W.transpose(1, 2))
            if li < last:
                h = torch.relu(h)
        return h[:, :, :1]

    def network(self, i: int, input_scale: float = 1.0, input_shift: float = 0.0) -> ReluNet:
        """Network i as a ReluNet; the input map x -> scale x + shift is folded into its first layer."""
        w = self.widths[i]
        W = [self.W[li][i, : w[li + 1], : w[li]].detach().double().numpy().copy() for li in range(len(self.W))]
        b = [self.b[li][i, : w[li + 1]].detach().double().numpy().copy() for li in range(len(self.W))]
        b[0] = b[0] + W[0].sum(axis=1) * input_shift
        W[0] = W[0] * input_scale
        return ReluNet(tuple(W), tuple(b))


@dataclass
class BudgetExperiment:
    """Fit one target with depth 1..6 at equal parameter budgets; a Stepper for ``nnviz.ui.live_panel``.

    One job per depth trains every budget and ``n_seeds`` restarts at once (``BatchedMLP``), full batch,
    Adam. Each job stops at ``steps`` or at ``run_seconds / len(depths)`` of wall time, whichever comes
    first, so a whole run ends within ``run_seconds`` (plus one time slice) on any machine.
    """

    target: str
    budgets: tuple[int, ...] = BUDGETS
    depths: tuple[int, ...] = DEPTHS
    steps: int = DEFAULT_STEPS
    lr: float = 0.01
    seed: int = 0
    n_seeds: int = 3
    run_seconds: float = RUN_SECONDS
    results: list[FitResult] = field(default_factory=list)
    work_seconds: float = 0.0  # wall time spent inside advance()
    _job: int = 0
    _model: BatchedMLP | None = None
    _opt: torch.optim.Optimizer | None = None
    _done_steps: int = 0
    _job_time: float = 0.0

    def __post_init__(self) -> None:
        self.data = target_data(self.target, self.seed)
        self.n_in = self.data.x_train.shape[1]
        # 1-D inputs in [0, 1] are fed as 2x - 1, centred like the spiral's inputs
        self._scale, self._shift = (2.0, -1.0) if self.n_in == 1 else (1.0, 0.0)
        self._x = torch.as_tensor(self.data.x_train * self._scale + self._shift, dtype=torch.float32)
        self._y = torch.as_tensor(self.data.y_train, dtype=torch.float32)
        self._xe = torch.as_tensor(self.data.x_eval * self._scale + self._shift, dtype=torch.float32)

    @property
    def n_jobs(self) -> int:
        return len(self.depths)

    @property
    def done(self) -> bool:
        return self._job >= self.n_jobs

    @property
    def progress(self) -> float:
        if self.done:
            return 1.0
        per_job = self.run_seconds / self.n_jobs
        frac = max(self._done_steps / self.steps, self._job_time / per_job)
        return (self._job + min(1.0, frac)) / self.n_jobs

    def status(self) -> str:
        n_nets = self.n_jobs * len(self.budgets) * self.n_seeds
        if self.done:
            return f"Done: {n_nets} networks trained in {self.work_seconds:.1f} s."
        if self._job == 0 and self._model is None:
            return f"Ready: {n_nets} networks ({self.n_jobs} depths × {len(self.budgets)} budgets × " \
                   f"{self.n_seeds} seeds), at most {self.run_seconds:.0f} s."
        d = self.depths[self._job]
        return (f"Depth {d} ({self._job + 1} of {self.n_jobs}): {len(self.budgets) * self.n_seeds} networks at "
                f"once, step {self._done_steps} of {self.steps}")

    def shapes(self, depth: int) -> list[list[int]]:
        """Widths of the network of each budget at this depth."""
        return [[self.n_in] + [width_for_budget(self.n_in, 1, depth, b)] * depth + [1] for b in self.budgets]

    def _losses(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Per-network loss (B,) for outputs (B, N, 1)."""
        if self.data.classification:
            return torch.nn.functional.binary_cross_entropy_with_logits(
                out, y.expand_as(out), reduction="none").mean(dim=(1, 2))
        return ((out - y) ** 2).mean(dim=(1, 2))

    def _start_job(self) -> None:
        d = self.depths[self._job]
        widths = [w for w in self.shapes(d) for _ in range(self.n_seeds)]
        seeds = [self.seed * 7919 + 101 * d + 13 * i for i in range(len(widths))]
        self._model = BatchedMLP(widths, seeds)
        self._opt = torch.optim.Adam(self._model.parameters(), lr=self.lr)
        self._done_steps = 0
        self._job_time = 0.0

    def _finish_job(self) -> None:
        model, d = self._model, self.depths[self._job]
        with torch.no_grad():
            train_loss = self._losses(model(self._x), self._y).numpy()
            out = model(self._xe).numpy()[:, :, 0]
        ye = self.data.y_eval[:, 0]
        for bi, widths in enumerate(self.shapes(d)):
            idx = [bi * self.n_seeds + s for s in range(self.n_seeds)]
            best = min(idx, key=lambda i: train_loss[i])
            params = sum(count_parameters(widths))
            if self.data.classification:
                err = float(np.mean((out[best] > 0).astype(float) != ye))
                self.results.append(FitResult(d, widths[1], params, err, self._done_steps))
            else:
                err = float(np.sqrt(np.mean((out[best] - ye) ** 2)))
                net = model.network(best, self._scale, self._shift)
                curve = net.forward(np.linspace(0, 1, 129)[:, None])[:, 0]
                self.results.append(FitResult(d, widths[1], params, err, self._done_steps,
                                              pieces_1d(net, 0.0, 1.0).n_pieces,
                                              [round(float(v), 3) for v in curve]))
        self._job += 1
        self._model = None
        self._done_steps = 0
        self._job_time = 0.0

    def advance(self, budget_s: float) -> None:
        """Train for about ``budget_s`` seconds, moving on to the next depth when one is finished."""
        deadline = time.perf_counter() + budget_s
        while not self.done:
            t0 = time.perf_counter()
            # what is left of the total budget, shared equally by the depths still to train
            per_job = max(0.0, self.run_seconds - self.work_seconds + self._job_time) / (self.n_jobs - self._job)
            if self._model is None:
                self._start_job()
            for _ in range(5):
                self._opt.zero_grad()
                self._losses(self._model(self._x), self._y).sum().backward()
                self._opt.step()
                self._done_steps += 1
                if self._done_steps >= self.steps:
                    break
            self._job_time += time.perf_counter() - t0
            if self._done_steps >= self.steps or self._job_time >= per_job:
                self._finish_job()
            self.work_seconds += time.perf_counter() - t0
            if time.perf_counter() >= deadline:
                return

    def summary(self) -> dict:
        """Plain JSON-able results (what the page draws and the precomputed file stores)."""
        return {"target": self.target, "steps": self.steps, "lr": self.lr, "seed": self.seed,
                "n_seeds": self.n_seeds, "budgets": list(self.budgets), "depths": list(self.depths),
                "results": [r.__dict__ for r in self.results]}


@dataclass(frozen=True)
class BudgetHighlight:
    """At one budget (by index): which depth fit best, and how one hidden layer did."""

    budget: int
    best_depth: int
    best_error: float
    shallow_error: float


def budget_highlights(summary: dict) -> list[BudgetHighlight]:
    """For each budget of a (possibly partial) run: the best depth and the one-hidden-layer error."""
    out = []
    for i, budget in enumerate(summary["budgets"]):
        cells = {}
        for d in summary["depths"]:
            rows = sorted((r for r in summary["results"] if r["depth"] == d), key=lambda r: r["params"])
            if len(rows) > i:
                cells[d] = rows[i]["error"]
        if 1 in cells:
            best = min(cells, key=cells.get)
            out.append(BudgetHighlight(budget, best, cells[best], cells[1]))
    return out


@lru_cache(maxsize=4)
def _stored(name: str) -> dict:
    """A precomputed data file under nnviz/data (read once per process; callers must not mutate it)."""
    path = DATA_DIR / name
    return json.loads(path.read_text()) if path.is_file() else {}


def default_budget_results(target: str) -> dict | None:
    """The precomputed default run of ``target`` (see benchmarks/precompute_depth.py), or None if missing."""
    return _stored("depth_equal_budget.json").get(target)


# ----------------------------------------------------------------------------------------------- untangling

UNTANGLE_SETS = ("moons", "circles")
UNTANGLE_DEPTHS = (1, 2, 3, 4)


def untangle_data(name: str, n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved classes: X (n, 2) scaled into about [-1.5, 1.5]^2, y (n,) in {0, 1}."""
    if name == "moons":
        X, y = make_moons(n, noise=0.08, random_state=seed)
        X = (X - np.array([0.5, 0.25])) / np.array([1.1, 0.75])
    elif name == "circles":
        X, y = make_circles(n, noise=0.05, factor=0.45, random_state=seed)
        X = X * 1.3
    else:
        raise ValueError(f"Unknown data set {name!r}; choose one of {', '.join(UNTANGLE_SETS)}.")
    return X.astype(float), y.astype(int)


@dataclass(frozen=True)
class TanhNet:
    """A tanh classifier whose hidden layers are all 2 wide: ``W[l]`` (2, 2), ``b[l]`` (2,); then w_out, b_out."""

    W: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    w_out: np.ndarray
    b_out: float
    accuracy: float

    def layers(self, x: np.ndarray) -> list[np.ndarray]:
        """[x, h_1, ..., h_L] for x (n, 2), each (n, 2)."""
        out = [np.asarray(x, dtype=float)]
        for W, b in zip(self.W, self.b, strict=True):
            out.append(np.tanh(out[-1] @ W.T + b))
        return out

    def logit(self, x: np.ndarray) -> np.ndarray:
        return self.layers(x)[-1] @ self.w_out + self.b_out

    def to_json(self) -> dict:
        return {"W": [w.tolist() for w in self.W], "b": [v.tolist() for v in self.b], "w_out": self.w_out.tolist(),
                "b_out": self.b_out, "accuracy": self.accuracy}

    @classmethod
    def from_json(cls, d: dict) -> TanhNet:
        return cls(tuple(np.array(w) for w in d["W"]), tuple(np.array(v) for v in d["b"]), np.array(d["w_out"]),
                   float(d["b_out"]), float(d["accuracy"]))


def train_untangler(name: str, depth: int, seed: int = 0, steps: int = 3000, lr: float = 0.02) -> TanhNet:
    """Train [2, 2 x depth, 1] tanh on ``name`` with Adam and logistic loss; several restarts, best kept."""
    X, y = untangle_data(name)
    xt, yt = torch.as_tensor(X, dtype=torch.float32), torch.as_tensor(y[:, None], dtype=torch.float32)
    best = None
    for restart in range(3):
        model = build_mlp([2] + [2] * depth + [1], "tanh", seed=seed + 31 * restart, init="xavier")
        opt = torch.optim.Adam(model.parameters(), lr=lr)
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(model(xt), yt)
            loss.backward()
            opt.step()
        with torch.no_grad():
            acc = float(((model(xt) > 0).float() == yt).float().mean())
        if best is None or acc > best[0]:
            best = (acc, model)
        if acc == 1.0:
            break
    acc, model = best
    lin = [m for m in model if isinstance(m, torch.nn.Linear)]
    W = tuple(m.weight.detach().double().numpy() for m in lin[:-1])
    b = tuple(m.bias.detach().double().numpy() for m in lin[:-1])
    return TanhNet(W, b, lin[-1].weight.detach().double().numpy()[0], float(lin[-1].bias.detach()[0]), acc)


def untangler(name: str, depth: int) -> TanhNet:
    """The precomputed classifier for (data set, depth), trained on the fly if the data file lacks it."""
    stored = _stored("depth_untangle.json").get(f"{name}-{depth}")
    if stored is not None:
        return TanhNet.from_json(stored)
    return train_untangler(name, depth)


def warped_grid(net: TanhNet, layer: int, lim: float = 1.6, n_lines: int = 15, n_per_line: int = 60
                ) -> list[np.ndarray]:
    """The input grid's lines pushed through hidden layers 1..layer: a list of (n_per_line, 2) polylines."""
    ticks = np.linspace(-lim, lim, n_lines)
    s = np.linspace(-lim, lim, n_per_line)
    lines = [np.stack([np.full_like(s, t), s], axis=1) for t in ticks] + \
            [np.stack([s, np.full_like(s, t)], axis=1) for t in ticks]
    return [net.layers(line)[layer] for line in lines]


# ----------------------------------------------------------------------------------------------- ImageNet

#: ImageNet-1K top-1 accuracy, GFLOPS and parameter counts of torchvision's IMAGENET1K_V1 weights,
#: from torchvision's published weight tables (https://pytorch.org/vision/stable/models.html).
#: name, year of the paper, weight layers, acc@1 (%), GFLOPS, parameters
IMAGENET: tuple[tuple[str, int, int, float, float, int], ...] = (
    ("AlexNet", 2012, 8, 56.522, 0.714, 61_100_840),
    ("VGG-16", 2015, 16, 71.592, 15.47, 138_357_544),
    ("VGG-19", 2015, 19, 72.376, 19.632, 143_667_240),
    ("GoogLeNet", 2015, 22, 69.778, 1.498, 6_624_904),
    ("Inception-v3", 2016, 48, 77.294, 5.713, 27_161_264),
    ("ResNet-18", 2016, 18, 69.758, 1.814, 11_689_512),
    ("ResNet-34", 2016, 34, 73.314, 3.664, 21_797_672),
    ("ResNet-50", 2016, 50, 76.130, 4.089, 25_557_032),
    ("ResNet-101", 2016, 101, 77.374, 7.801, 44_549_160),
    ("ResNet-152", 2016, 152, 78.312, 11.514, 60_192_808),
)
IMAGENET_SOURCE = "https://pytorch.org/vision/stable/models.html"


@dataclass(frozen=True)
class ModelCompare:
    """How model ``b`` compares with model ``a`` in the ImageNet table."""

    a: str
    b: str
    gflops_ratio: float  # b / a
    params_ratio: float  # b / a
    acc_gain: float  # top-1 points, b - a


def compare_models(a: str, b: str) -> ModelCompare:
    """Ratios of computation and parameters, and the accuracy gain, from model a to model b."""
    rows = {r[0]: r for r in IMAGENET}
    ra, rb = rows[a], rows[b]
    return ModelCompare(a, b, rb[4] / ra[4], rb[5] / ra[5], rb[3] - ra[3])

#: The lecture's timeline: name, year, weight layers, parameters, what it added.
TIMELINE: tuple[tuple[str, int, int, int, str], ...] = (
    ("LeNet-5", 1998, 5, 60_000, "convolutions + pooling, trained end to end on digits (LeCun et al.)"),
    ("AlexNet", 2012, 8, 61_100_840, "ReLU, dropout, two GPUs: won ImageNet 2012 by a wide margin"),
    ("VGG-19", 2015, 19, 143_667_240, "only 3x3 convolutions, stacked deep (Simonyan & Zisserman)"),
    ("ResNet-152", 2016, 152, 60_192_808, "skip connections make 152 layers trainable (He et al.)"),
)


# ----------------------------------------------------------------------------------------------- comparisons


@dataclass(frozen=True)
class SawtoothCosts:
    """Parameters needed for p^k pieces, k = 1..k_max: the deep p-wide network against one hidden layer."""

    k: np.ndarray
    pieces: np.ndarray
    deep_params: np.ndarray  # 2p + (k-1)(p^2 + p) + p + 1
    shallow_params: np.ndarray  # 3 (p^k - 1) + 1: at least p^k - 1 units, 3 parameters each, one output bias


def sawtooth_costs(k_max: int, p: int = 2) -> SawtoothCosts:
    """The parameter counts side by side (closed forms; the tests check them against built networks)."""
    k = np.arange(1, k_max + 1)
    deep = np.array([sum(count_parameters([1] + [p] * int(j) + [1])) for j in k])
    units = p ** k.astype(float) - 1
    return SawtoothCosts(k, p ** k.astype(float), deep, 3 * units + 1)


@dataclass(frozen=True)
class PiecesByDepth:
    """One-input networks of depth 1..6 at one parameter budget: how many linear pieces each kind has.

    ``random_mean``/``random_max`` over ``n_seeds`` random initialisations (exact counts on [0, 1]);
    ``constructed`` = w^L (the w-tooth map composed L times); ``upper`` = Serra et al.'s bound;
    ``trained`` from the precomputed equal-budget run on the sawtooth target (None where missing).
    """

    depths: list[int]
    widths: list[int]
    params: list[int]
    upper: list[int]
    constructed: list[float]
    random_mean: list[float]
    random_max: list[int]
    trained: list[int | None]

    @property
    def best(self) -> int:
        """Index of the depth whose construction makes the most pieces."""
        return int(np.argmax(self.constructed))


def pieces_by_depth(budget: int, n_seeds: int = 20, seed: int = 0) -> PiecesByDepth:
    """Count pieces exactly for each depth at ``budget`` parameters (one input, one output)."""
    from nnviz.regions import serra_upper

    stored = default_budget_results("sawtooth")
    trained_cells = {}
    if stored is not None:
        for r in stored["results"]:
            trained_cells[(r["depth"], r["width"])] = r["pieces"]
    depths, widths, params, upper, cons, rmean, rmax, trained = [], [], [], [], [], [], [], []
    for d in DEPTHS:
        w = width_for_budget(1, 1, d, budget)
        shape = [1] + [w] * d + [1]
        model = BatchedMLP([shape] * n_seeds, [seed * 7919 + 101 * d + 13 * s for s in range(n_seeds)])
        counts = [pieces_1d(model.network(i, 2.0, -1.0), 0.0, 1.0).n_pieces for i in range(n_seeds)]
        depths.append(d)
        widths.append(w)
        params.append(sum(count_parameters(shape)))
        upper.append(serra_upper(shape))
        cons.append(float(w) ** d if w >= 2 else 1.0)
        rmean.append(float(np.mean(counts)))
        rmax.append(int(np.max(counts)))
        trained.append(trained_cells.get((d, w)))
    return PiecesByDepth(depths, widths, params, upper, cons, rmean, rmax, trained)
