"""Skip connections: plain chains against residual stacks, and what the identity path buys the gradient.

A plain stack computes ``h_l = W_l phi(h_{l-1}) + b_l``; a residual stack adds the identity path,
``h_l = h_{l-1} + alpha * (W_l phi(h_{l-1}) + b_l)`` (the "pre-activation" residual block of He et al. 2016b,
y = x + F(x)), with the branch scaled by ``alpha`` (1 or 1/sqrt(L)) or batch-normalised, as residual networks
are in practice. Both share the same layers, so switching the skips on or off changes nothing else.

Everything here is plain torch/numpy (no streamlit) and seeded; results are small dataclasses.
Shapes: ``width`` units per hidden layer, ``depth`` = L hidden layers, inputs ``(n, n_in)``.

Recurrent (feedback) connections live in ``nnviz.recurrent``.
"""

from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import torch
from torch import nn

from nnviz import activations, mlp
from nnviz.threads import bound as bound_threads

Tensor = torch.Tensor

DATA_DIR = Path(__file__).resolve().parent / "data"

BRANCH_SCALES = ("inv_sqrt_depth", "one")
BRANCH_LABELS = {"inv_sqrt_depth": "α = 1/√L", "one": "α = 1 (unscaled)"}


class RunClock:
    """Wall time a live run has been running, pauses excluded, for a hard time limit on every run.

    ``start()``/``stop(t0)`` bracket each slice of work. The gap between one slice's end and the next one's start
    (the page redrawing) counts too, unless it is longer than ``gap_s``: then the run was paused.
    """

    def __init__(self, gap_s: float = 3.0) -> None:
        self.elapsed = 0.0
        self.gap_s = gap_s
        self._last_end: float | None = None

    def start(self) -> float:
        now = time.perf_counter()
        if self._last_end is not None and now - self._last_end < self.gap_s:
            self.elapsed += now - self._last_end
        return now

    def stop(self, t0: float) -> None:
        now = time.perf_counter()
        self.elapsed += now - t0
        self._last_end = now


class SideBySideTrainer:
    """Several models trained side by side in time slices: the ``nnviz.live.Stepper`` part every trainer on
    this page shares. A subclass sets ``self.run`` (with ``steps`` and ``curves``) and implements
    ``_train_step()``: one update of every model, returning each model's loss by key. Losses are averaged
    over ``record_every`` steps into ``run.curves``. Stops after ``n_steps`` or ``max_seconds`` of running
    (wall time, pauses excluded).
    """

    record_every = 10

    def _start(self, n_steps: int, max_seconds: float) -> None:
        self.n_steps, self.max_seconds = n_steps, max_seconds
        self.step = 0
        self.clock = RunClock()
        self.stopped_by_time = False
        self._pending: dict = defaultdict(list)

    def _train_step(self) -> dict:
        raise NotImplementedError

    def _one_step(self) -> None:
        for key, loss in self._train_step().items():
            self._pending[key].append(loss)
        self.step += 1
        if self.step % self.record_every == 0 or self.step == self.n_steps:
            self.run.steps.append(self.step)
            for key, pend in self._pending.items():
                self.run.curves.setdefault(key, []).append(float(np.mean(pend)))
                pend.clear()

    def advance(self, budget_s: float) -> None:
        t0 = self.clock.start()
        bound_threads()
        while not self.done:
            self._one_step()
            if time.perf_counter() - t0 >= budget_s:
                break
        self.clock.stop(t0)
        if self.seconds >= self.max_seconds and self.step < self.n_steps:
            self.stopped_by_time = True

    @property
    def seconds(self) -> float:
        """Wall time this run has been running, pauses excluded."""
        return self.clock.elapsed

    @property
    def done(self) -> bool:
        return self.step >= self.n_steps or self.seconds >= self.max_seconds

    @property
    def progress(self) -> float:
        return 1.0 if self.done else self.step / self.n_steps

    def status(self) -> str:
        if self.stopped_by_time:
            return f"Stopped at the {self.max_seconds:.0f} s time limit after {self.step} steps."
        return f"Step {self.step} / {self.n_steps}"

    def finish(self):
        """Run to the end (for precomputing and tests) and return the curves."""
        while not self.done:
            self.advance(1.0)
        return self.run


def load_precomputed(name: str) -> dict | None:
    """The precomputed default results ``nnviz/data/connections_<name>.json`` (written by
    benchmarks/precompute_connections.py), or None if the file is missing or unreadable."""
    try:
        return json.loads((DATA_DIR / f"connections_{name}.json").read_text())
    except (OSError, ValueError):
        return None


def branch_alpha(branch_scale: str, depth: int) -> float:
    """The factor alpha on the residual branch: 1/sqrt(L) or 1."""
    if branch_scale == "inv_sqrt_depth":
        return 1.0 / math.sqrt(max(depth, 1))
    if branch_scale == "one":
        return 1.0
    raise ValueError(f"Unknown branch scale {branch_scale!r}; choose one of {', '.join(BRANCH_SCALES)}.")


class Stack(nn.Module):
    """A deep fully connected stack with or without skip connections.

    ``x (n, n_in) -> h_0 = W_in x + b_in -> L hidden layers -> y = W_out phi(h_L) + b_out (n, n_out)``.
    Plain layer: ``h_l = W_l phi(BN(h_{l-1})) + b_l``; residual layer: ``h_l = h_{l-1} + alpha * (W_l phi(BN(
    h_{l-1})) + b_l)``. ``BN`` (batch norm) is present only when ``batch_norm`` is True, in every hidden layer
    but the first: h_0 is an affine image of the input, and normalising it would undo ``b_in`` (for a 1-D input
    it would put every unit's kink at the same x). ``input_bias_std`` > 0 draws b_in ~ N(0, std^2) instead of 0.
    """

    def __init__(self, n_in: int, width: int, depth: int, n_out: int = 1, *, phi: str = "relu",
                 residual: bool = False, alpha: float = 1.0, init: str = "he", batch_norm: bool = False,
                 seed: int = 0, dtype: torch.dtype = torch.float32, input_bias_std: float = 0.0) -> None:
        super().__init__()
        self.residual, self.alpha, self.phi_key = residual, alpha, phi
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.inp = nn.Linear(n_in, width, dtype=dtype)
            mlp.init_linear(self.inp, init)
            if input_bias_std > 0:
                with torch.no_grad():
                    self.inp.bias.normal_(0.0, input_bias_std)
            self.layers = nn.ModuleList(nn.Linear(width, width, dtype=dtype) for _ in range(depth))
            for layer in self.layers:
                mlp.init_linear(layer, init)
            self.norms = nn.ModuleList(
                nn.BatchNorm1d(width, momentum=None, dtype=dtype) if batch_norm and l > 0 else nn.Identity()
                for l in range(depth))
            self.out = nn.Linear(width, n_out, dtype=dtype)
            mlp.init_linear(self.out, init)
        self.phi = activations.module(phi)

    def hidden(self, x: Tensor) -> list[Tensor]:
        """Every hidden state ``[h_0, h_1, ..., h_L]``, each (n, width)."""
        h = self.inp(x)
        hs = [h]
        for layer, norm in zip(self.layers, self.norms, strict=True):
            branch = layer(self.phi(norm(h)))
            h = h + self.alpha * branch if self.residual else branch
            hs.append(h)
        return hs

    def readout(self, h_last: Tensor) -> Tensor:
        """y = W_out phi(h_L) + b_out."""
        return self.out(self.phi(h_last))

    def forward(self, x: Tensor) -> Tensor:
        return self.readout(self.hidden(x)[-1])

    def extra_repr(self) -> str:
        kind = f"residual, alpha={self.alpha:.3g}" if self.residual else "plain"
        return f"{kind}, phi={self.phi_key}, depth={len(self.layers)}"


# --------------------------------------------------------------------------------------------------
# Gradient flow at initialisation


@dataclass(frozen=True)
class GradientFlow:
    """Gradient norm per hidden layer at initialisation, plain against residual.

    ``layer`` (L,) = 1..L; ``plain``/``residual`` (L,) = ||dLoss/dW_l||_F for the same weights;
    ``plain_h``/``residual_h`` (L,) = ||dLoss/dh_l||, the back-propagated signal arriving at layer l.
    """

    layer: np.ndarray
    plain: np.ndarray
    residual: np.ndarray
    plain_h: np.ndarray
    residual_h: np.ndarray
    alpha: float

    def ratio(self, which: str) -> float:
        """First-layer over last-layer gradient norm: 1 means the gradient arrives undiminished."""
        g = getattr(self, which)
        return float(g[0] / g[-1]) if g[-1] > 0 else float("inf")


def _layer_grad_norms(model: Stack, x: Tensor, y: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(||dLoss/dW_l||_F, ||dLoss/dh_l||) for l = 1..L."""
    model.zero_grad()
    hs = model.hidden(x)
    for h in hs:
        h.retain_grad()
    loss = 0.5 * ((model.readout(hs[-1]) - y) ** 2).mean()
    loss.backward()
    w = np.array([float(layer.weight.grad.norm()) for layer in model.layers])
    h = np.array([float(h.grad.norm()) for h in hs[1:]])
    return w, h


def gradient_flow(depth: int, width: int = 64, phi: str = "sigmoid", init: str = "xavier",
                  branch_scale: str = "inv_sqrt_depth", n: int = 128, seed: int = 0) -> GradientFlow:
    """||dLoss/dW_l|| for l = 1..L of a plain and a residual stack with identical weights.

    Loss: half the mean squared error against random targets on ``n`` standard-normal inputs of dimension
    ``width``. ``depth`` in [1, 200].
    """
    if not 1 <= depth <= 200:
        raise ValueError("depth must be between 1 and 200")
    g = torch.Generator().manual_seed(seed + 1)
    x = torch.randn(n, width, generator=g, dtype=torch.float64)
    y = torch.randn(n, 1, generator=g, dtype=torch.float64)
    alpha = branch_alpha(branch_scale, depth)
    norms = {}
    for residual in (False, True):
        model = Stack(width, width, depth, 1, phi=phi, residual=residual, alpha=alpha, init=init, seed=seed,
                      dtype=torch.float64)
        norms[residual] = _layer_grad_norms(model, x, y)
    return GradientFlow(np.arange(1, depth + 1), norms[False][0], norms[True][0], norms[False][1],
                        norms[True][1], alpha)


@dataclass(frozen=True)
class DepthJacobian:
    """||dh_l/dh_0||_2 (spectral norm) for l = 0..L at one input, plain against residual.

    ``depth`` (L+1,) = 0..L; ``plain``/``residual`` (L+1,), starting at 1 (the identity).
    """

    depth: np.ndarray
    plain: np.ndarray
    residual: np.ndarray


def layer_jacobians(model: Stack, x: Tensor) -> list[np.ndarray]:
    """The Jacobian dh_l/dh_{l-1} (width, width) of each hidden layer at one input ``x`` (1, n_in).

    Plain: ``W_l diag(phi'(h_{l-1}))``; residual: ``I + alpha W_l diag(phi'(h_{l-1}))`` (no batch norm).
    ``phi'`` comes from the activation registry (torch autograd).
    """
    with torch.no_grad():
        hs = model.hidden(x)
    jacs = []
    for layer, h_prev in zip(model.layers, hs[:-1], strict=True):
        z = h_prev.detach().double().numpy()[0]
        w = layer.weight.detach().double().numpy()
        j = w * activations.dphi(model.phi_key, z)[None, :]
        if model.residual:
            j = np.eye(len(z)) + model.alpha * j
        jacs.append(j)
    return jacs


def cumulative_norms(jacs: list[np.ndarray]) -> np.ndarray:
    """Spectral norms of the running products ``J_l ... J_1`` for l = 0..len(jacs) (1 at l = 0)."""
    n = jacs[0].shape[0] if jacs else 1
    prod = np.eye(n)
    out = [1.0]
    for j in jacs:
        prod = j @ prod
        out.append(float(np.linalg.norm(prod, 2)))
    return np.array(out)


def depth_jacobian(depth: int, width: int = 64, phi: str = "sigmoid", init: str = "xavier",
                   branch_scale: str = "inv_sqrt_depth", seed: int = 0) -> DepthJacobian:
    """How a small change of h_0 reaches h_l, layer by layer, in a plain and a residual stack."""
    g = torch.Generator().manual_seed(seed + 2)
    x = torch.randn(1, width, generator=g, dtype=torch.float64)
    alpha = branch_alpha(branch_scale, depth)
    norms = {}
    for residual in (False, True):
        model = Stack(width, width, depth, 1, phi=phi, residual=residual, alpha=alpha, init=init, seed=seed,
                      dtype=torch.float64)
        norms[residual] = cumulative_norms(layer_jacobians(model, x))
    return DepthJacobian(np.arange(depth + 1), norms[False], norms[True])


# --------------------------------------------------------------------------------------------------
# The degradation problem in miniature


def regression_task(n: int = 256, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A wiggly 2-D regression target: x (n, 2) uniform in [-1, 1]^2, y = sin(3 x1) cos(2 x2) + x1 x2 (n, 1)."""
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=g) * 2 - 1
    y = torch.sin(3 * x[:, :1]) * torch.cos(2 * x[:, 1:]) + x[:, :1] * x[:, 1:]
    return x, y


@dataclass
class DegradationRun:
    """Training-loss curves of plain and residual stacks of several depths on the same task.

    ``steps`` (k,) the step at each record; ``curves[(kind, depth)]`` (k,) the training MSE, kind in
    {"plain", "residual"}.
    """

    depths: tuple[int, ...]
    steps: list[int] = field(default_factory=list)
    curves: dict[tuple[str, int], list[float]] = field(default_factory=dict)

    def final(self, kind: str, depth: int) -> float:
        """The last recorded training loss of one network."""
        return self.curves[(kind, depth)][-1]


class DegradationTrainer(SideBySideTrainer):
    """Trains plain and residual stacks of each depth side by side with Adam, in time slices.

    A ``nnviz.live.Stepper``: ``advance(budget_s)`` takes steps until the budget is spent, each step one
    full-batch Adam update of every network. Stops after ``n_steps`` or ``max_seconds`` of running (wall time,
    pauses excluded).
    """

    def __init__(self, depths: tuple[int, ...] = (3, 25, 50), width: int = 32, phi: str = "tanh",
                 lr: float = 3e-3, n_steps: int = 300, seed: int = 0, max_seconds: float = 25.0,
                 init: str = "xavier") -> None:
        self.x, self.y = regression_task(256, seed=seed)
        self._start(n_steps, max_seconds)
        self._spec = {"depths": tuple(depths), "width": width, "phi": phi, "lr": lr, "seed": seed, "init": init}
        self.run = DegradationRun(tuple(depths))

    @cached_property
    def models(self) -> dict[tuple[str, int], Stack]:
        """The networks by (kind, depth), built on first use (a new run costs nothing until it trains)."""
        sp = self._spec
        return {(kind, d): Stack(2, sp["width"], d, 1, phi=sp["phi"], residual=kind == "residual",
                                 alpha=branch_alpha("inv_sqrt_depth", d), init=sp["init"], seed=sp["seed"])
                for d in sp["depths"] for kind in ("plain", "residual")}

    @cached_property
    def opts(self) -> dict[tuple[str, int], torch.optim.Optimizer]:
        return {k: torch.optim.Adam(m.parameters(), lr=self._spec["lr"]) for k, m in self.models.items()}

    def _train_step(self) -> dict[tuple[str, int], float]:
        losses = {}
        for key, m in self.models.items():
            opt = self.opts[key]
            loss = ((m(self.x) - self.y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses[key] = loss.item()
        return losses


# --------------------------------------------------------------------------------------------------
# Shattered gradients (Balduzzi et al. 2017)

SHATTER_NETS = ("one_layer", "deep_plain", "deep_residual")
SHATTER_LABELS = {"one_layer": "1 hidden layer", "deep_plain": "deep plain", "deep_residual": "deep residual"}


@dataclass(frozen=True)
class Shattered:
    """dy/dx over a 1-D grid of inputs for three networks, with its autocorrelation and covariance.

    ``x`` (n,) inputs; ``grads[name]`` (n,) dy/dx; ``autocorr[name]`` (max_lag+1,) normalised autocorrelation
    of the gradient sequence at lags 0..max_lag; ``corr[name]`` (n, n) correlation between inputs i and j of the
    gradients d phi(h_L)_u / dx of the ``width`` last-layer units u (their covariance, normalised by its
    diagonal).
    """

    x: np.ndarray
    grads: dict[str, np.ndarray]
    autocorr: dict[str, np.ndarray]
    corr: dict[str, np.ndarray]
    depth: int


def autocorrelation(g: np.ndarray, max_lag: int) -> np.ndarray:
    """Normalised autocorrelation r(k) = sum_i (g_i - m)(g_{i+k} - m) / sum_i (g_i - m)^2, k = 0..max_lag."""
    d = np.asarray(g, dtype=np.float64) - np.mean(g)
    denom = float(d @ d)
    if denom == 0:
        return np.zeros(max_lag + 1)
    return np.array([float(d[: len(d) - k] @ d[k:]) / denom for k in range(max_lag + 1)])


def _unit_gradients(model: Stack, x: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """d phi(h_L) / dx (n, width) for every last-layer unit and dy/dx (n,) at 1-D inputs ``x`` (n, 1), forward mode.

    Batch norm uses the statistics of this batch, frozen (as at test time), so each input's derivative is its own.
    """
    model.train()
    with torch.no_grad():
        model(x)  # momentum=None: running statistics become this batch's statistics
    model.eval()
    ones = torch.ones_like(x)
    _, (dhl, dy) = torch.func.jvp(lambda inp: _last_and_output(model, inp), (x,), (ones,))
    return dhl.detach().numpy(), dy.detach().numpy()[:, 0]


def _last_and_output(model: Stack, x: Tensor) -> tuple[Tensor, Tensor]:
    a = model.phi(model.hidden(x)[-1])
    return a, model.out(a)


@dataclass(frozen=True)
class ShatteredNet:
    """One network's dy/dx on the grid ``x`` (n,): ``grad`` (n,), ``autocorr`` (max_lag+1,), ``corr`` (n, n)."""

    x: np.ndarray
    grad: np.ndarray
    autocorr: np.ndarray
    corr: np.ndarray


def shattered_network(name: str, depth: int = 24, width: int = 200, n: int = 256, batch_norm: bool = True,
                      max_lag: int = 40, seed: int = 0) -> ShatteredNet:
    """dy/dx of one of the three networks of ``shattered_gradients`` (``depth`` is ignored for "one_layer")."""
    if name not in SHATTER_NETS:
        raise ValueError(f"Unknown network {name!r}; choose one of {', '.join(SHATTER_NETS)}.")
    x = torch.linspace(-2, 2, n, dtype=torch.float32)[:, None]
    common = {"phi": "relu", "init": "he", "batch_norm": batch_norm, "seed": seed, "input_bias_std": 1.0}
    if name == "one_layer":
        model = Stack(1, width, 1, 1, residual=False, **common)
    elif name == "deep_plain":
        model = Stack(1, width, depth, 1, residual=False, **common)
    else:
        model = Stack(1, width, depth, 1, residual=True, alpha=branch_alpha("inv_sqrt_depth", depth), **common)
    units, dy = _unit_gradients(model, x)
    c = np.cov(units)  # (n, n): covariance over the width units between inputs i and j
    s = np.sqrt(np.clip(np.diag(c), 1e-30, None))
    return ShatteredNet(x.numpy()[:, 0], dy, autocorrelation(dy, max_lag), c / s[:, None] / s[None, :])


def shattered_gradients(depth: int = 24, width: int = 200, n: int = 256, batch_norm: bool = True,
                        max_lag: int = 40, seed: int = 0) -> Shattered:
    """Balduzzi et al. (2017) Fig. 1-2 in miniature: ReLU networks on x in [-2, 2], 1 -> width -> ... -> 1.

    "one_layer" has one hidden layer; "deep_plain" and "deep_residual" have ``depth`` hidden layers (branch
    scale 1/sqrt(depth) for the residual one). He initialisation; the first layer's biases ~ N(0, 1), so its
    ReLU kinks are spread over the inputs (with zero biases a ReLU network of one input is positively
    homogeneous, y(x) = x y(sign x), and its gradient would be a single step at x = 0).
    """
    nets = {name: shattered_network(name, depth, width, n, batch_norm, max_lag, seed) for name in SHATTER_NETS}
    return Shattered(nets["one_layer"].x, {k: v.grad for k, v in nets.items()},
                     {k: v.autocorr for k, v in nets.items()}, {k: v.corr for k, v in nets.items()}, depth)


# --------------------------------------------------------------------------------------------------
# Loss landscape (Li et al. 2018)


def spiral_task(n: int = 200, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two interleaved spirals: x (n, 2), y (n, 1) in {0, 1}."""
    g = torch.Generator().manual_seed(seed)
    k = n // 2
    t = torch.sqrt(torch.rand(k, generator=g)) * 3 * math.pi
    a = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) / (3 * math.pi)
    x = torch.cat([a, -a]) + 0.03 * torch.randn(2 * k, 2, generator=g)
    y = torch.cat([torch.zeros(k, 1), torch.ones(k, 1)])
    return x, y


def filter_normalised_direction(model: nn.Module, generator: torch.Generator) -> list[Tensor]:
    """A random direction d in weight space, filter-normalised (Li et al. 2018, Sec. 4).

    For every weight matrix each row ("filter": one unit's incoming weights) of a Gaussian direction is
    rescaled to the norm of the same row of the weights: ``d_ij <- d_ij / ||d_i|| * ||theta_i||``. Biases and
    batch-norm parameters get a zero direction, as in the paper. Returns one tensor per parameter.
    """
    direction = []
    for p in model.parameters():
        if p.dim() <= 1:
            direction.append(torch.zeros_like(p))
            continue
        d = torch.randn(p.shape, generator=generator, dtype=p.dtype)
        d = d / d.norm(dim=1, keepdim=True).clamp_min(1e-12) * p.detach().norm(dim=1, keepdim=True)
        direction.append(d)
    return direction


@dataclass(frozen=True)
class Landscape:
    """Loss on a 2-D slice ``theta* + a d1 + b d2`` around trained weights theta*.

    ``a`` (k,), ``b`` (k,) grid coordinates; ``loss`` (k, k) with ``loss[i, j]`` at (a[j], b[i]);
    ``trained_loss`` the loss at the centre.
    """

    a: np.ndarray
    b: np.ndarray
    loss: np.ndarray
    trained_loss: float
    residual: bool


def loss_surface(model: nn.Module, x: Tensor, y: Tensor, span: float = 1.0, k: int = 31,
                 seed: int = 0) -> Landscape:
    """Binary cross-entropy of ``model`` on (x, y) over a k x k grid of a filter-normalised random 2-D slice."""
    g = torch.Generator().manual_seed(seed + 7)
    d1 = filter_normalised_direction(model, g)
    d2 = filter_normalised_direction(model, g)
    theta = [p.detach().clone() for p in model.parameters()]
    coords = np.linspace(-span, span, k)
    loss = np.empty((k, k))
    lossf = nn.BCEWithLogitsLoss()
    model.eval()
    with torch.no_grad():
        for i, bb in enumerate(coords):
            for j, aa in enumerate(coords):
                for p, t, u, v in zip(model.parameters(), theta, d1, d2, strict=True):
                    p.copy_(t + aa * u + bb * v)
                loss[i, j] = float(lossf(model(x), y))
        for p, t in zip(model.parameters(), theta, strict=True):
            p.copy_(t)
        centre = float(lossf(model(x), y))
    return Landscape(coords, coords.copy(), loss, centre, bool(getattr(model, "residual", False)))


class LandscapeTrainer:
    """Train a plain and a residual stack on the spirals, then map both loss landscapes. A Stepper.

    Phase 1 trains both networks with Adam for ``n_steps`` full-batch steps; phase 2 evaluates the k x k
    grid; ``result`` holds ``{"plain": Landscape, "residual": Landscape}`` when done. Training stops early if
    the run would otherwise pass ``max_seconds`` (wall time, pauses excluded) with the grid still to map.
    """

    map_reserve_s = 6.0  # time kept back for mapping the two k x k grids (a few seconds on a busy CPU)

    def __init__(self, depth: int = 12, width: int = 24, n_steps: int = 800, k: int = 31, span: float = 1.0,
                 lr: float = 3e-3, seed: int = 0, max_seconds: float = 25.0) -> None:
        self.x, self.y = spiral_task(200, seed=seed)
        self.n_steps, self.k, self.span, self.seed, self.max_seconds = n_steps, k, span, seed, max_seconds
        self._spec = {"depth": depth, "width": width, "lr": lr}
        self.step = 0
        self.clock = RunClock()
        self.train_loss: dict[str, float] = {}
        self.result: dict[str, Landscape] = {}

    @cached_property
    def models(self) -> dict[str, Stack]:
        """The plain and the residual network, built on first use."""
        sp = self._spec
        return {kind: Stack(2, sp["width"], sp["depth"], 1, phi="relu", residual=kind == "residual",
                            alpha=branch_alpha("inv_sqrt_depth", sp["depth"]), init="he", seed=self.seed)
                for kind in ("plain", "residual")}

    @cached_property
    def opts(self) -> dict[str, torch.optim.Optimizer]:
        return {kind: torch.optim.Adam(m.parameters(), lr=self._spec["lr"]) for kind, m in self.models.items()}

    def advance(self, budget_s: float) -> None:
        t0 = self.clock.start()
        lossf = nn.BCEWithLogitsLoss()
        bound_threads()
        while self.step < self.n_steps and time.perf_counter() - t0 < budget_s:
            for kind, m in self.models.items():
                loss = lossf(m(self.x), self.y)
                self.opts[kind].zero_grad()
                loss.backward()
                self.opts[kind].step()
                self.train_loss[kind] = loss.item()
            self.step += 1
        if self.clock.elapsed + (time.perf_counter() - t0) >= self.max_seconds - self.map_reserve_s:
            self.n_steps = self.step  # out of time: map the landscape where training got to
        if self.step >= self.n_steps and not self.result:
            for kind, m in self.models.items():
                self.result[kind] = loss_surface(m, self.x, self.y, span=self.span, k=self.k, seed=self.seed)
        self.clock.stop(t0)

    @property
    def seconds(self) -> float:
        return self.clock.elapsed

    @property
    def done(self) -> bool:
        return bool(self.result)

    @property
    def progress(self) -> float:
        return 1.0 if self.done else 0.95 * self.step / max(self.n_steps, 1)

    def status(self) -> str:
        if self.done:
            return f"Trained {self.step} steps and mapped a {self.k}×{self.k} grid."
        losses = ", ".join(f"{k} {v:.3f}" for k, v in self.train_loss.items())
        return f"Training step {self.step} / {self.n_steps}" + (f" (loss {losses})" if losses else "")

    def finish(self) -> dict[str, Landscape]:
        while not self.done:
            self.advance(1.0)
        return self.result
