"""Experiments about activation functions: what they look like, why a network needs one, what they do with depth.

Everything here is plain numpy/torch (no streamlit), returns small dataclasses, and takes seeds as parameters.

- ``gallery``: phi and phi' on a grid (phi' from autograd), with the saturated stretches where |phi'| < 0.1.
- ``properties``: the facts of the properties table, phi(0) and phi'(0) computed, one-sided at a kink.
- ``collapse`` / ``fit_1d``: a stack of linear layers is one linear map W_eff x + b_eff; with phi it is not.
- ``ReluSum``: any continuous piecewise-linear function on an interval as b + sum_k s_k ReLU(x - t_k), i.e. a
  one-hidden-layer ReLU network with explicit weights.
- ``propagate``: spread of activations and back-propagated gradients through a deep stack at initialisation,
  and the share of dead units.
- ``fit_1d`` again for the race: the same small MLP trained on one target with each activation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import torch

from nnviz import activations
from nnviz.mlp import build_mlp, linear_layers
from nnviz.threads import bound as bound_threads

Tensor = torch.Tensor

#: Threshold under which phi' counts as saturated in the gallery's shading.
SATURATION = 0.1

# ----------------------------------------------------------------------------------------------------------
# Gallery and properties
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """phi and phi' of one activation on a grid.

    ``z``, ``phi``, ``dphi``: shape (n,). ``saturated``: the z-intervals (start, end) where |phi'| < threshold.
    """

    key: str
    label: str
    z: np.ndarray
    phi: np.ndarray
    dphi: np.ndarray
    saturated: tuple[tuple[float, float], ...]


def saturated_intervals(z: np.ndarray, dphi: np.ndarray, threshold: float = SATURATION) -> tuple[tuple[float, float],
                                                                                                 ...]:
    """The maximal runs of grid points where |phi'(z)| < threshold, as (z_start, z_end) pairs.

    ``z`` (n,) increasing, ``dphi`` (n,). A run of one point is returned as a zero-width interval.
    """
    low = np.abs(dphi) < threshold
    if not low.any():
        return ()
    edges = np.diff(low.astype(np.int8))
    starts = list(np.flatnonzero(edges == 1) + 1)
    ends = list(np.flatnonzero(edges == -1))
    if low[0]:
        starts.insert(0, 0)
    if low[-1]:
        ends.append(len(z) - 1)
    return tuple((float(z[a]), float(z[b])) for a, b in zip(starts, ends, strict=True))


def curve(key: str, z_max: float = 5.0, n: int = 401, threshold: float = SATURATION, **params: float) -> Curve:
    """phi and phi' (autograd) of one activation on ``n`` points of [-z_max, z_max]."""
    z = np.linspace(-z_max, z_max, n)
    dphi = activations.dphi(key, z, **params)
    return Curve(key, activations.label(key), z, activations.phi(key, z, **params), dphi,
                 saturated_intervals(z, dphi, threshold))


def one_sided_derivatives(key: str, z0: float = 0.0, h: float = 1e-6, **params: float) -> tuple[float, float]:
    """(left, right) derivative of phi at z0 by difference quotients (phi(z0) - phi(z0 - h)) / h and back.

    Independent of autograd; where phi jumps at z0 the quotients are huge, which is the honest answer.
    """
    p = activations.phi(key, np.array([z0 - h, z0, z0 + h]), **params)
    return float((p[1] - p[0]) / h), float((p[2] - p[1]) / h)


_LATEX_PLAIN = ((r"\infty", "∞"), (r"\approx ", "≈"), (r"\approx", "≈"), (r"\lambda", "λ"), (r"\alpha", "α"),
                (r"\{", "{"), (r"\}", "}"), ("\\", ""))


def plain(latex: str) -> str:
    """A short LaTeX snippet (an output range) as plain text for a table: r"[0, \\infty)" -> "[0, ∞)"."""
    for a, b in _LATEX_PLAIN:
        latex = latex.replace(a, b)
    return latex


@dataclass(frozen=True)
class Properties:
    """One row of the properties table, at the given parameters. phi'(0) is nan where phi has a kink at 0."""

    key: str
    label: str
    output_range: str
    monotonic: bool
    zero_centred: bool
    smooth: bool
    saturating: str
    phi0: float
    dphi0: float
    dphi0_left: float
    dphi0_right: float
    dphi0_autograd: float
    universal: bool
    universal_reason: str
    origin: str

    @property
    def dphi0_text(self) -> str:
        """phi'(0) in words: a number, or the two one-sided slopes at a kink, or 'jump'."""
        if not math.isnan(self.dphi0):
            return f"{self.dphi0 + 0.0:.4g}"  # + 0.0 turns -0 into 0
        if max(abs(self.dphi0_left), abs(self.dphi0_right)) > 1e4:
            return f"undefined (jump); autograd uses {self.dphi0_autograd:.3g}"
        return (f"kink: {self.dphi0_left:.3g} left, {self.dphi0_right:.3g} right; "
                f"autograd uses {self.dphi0_autograd:.3g}")


def properties(key: str, **params: float) -> Properties:
    """The table row of one activation: declared facts, plus phi(0) and phi'(0) computed at ``params``."""
    a = activations.get(key)
    left, right = one_sided_derivatives(key, 0.0, **params)
    kink = abs(left - right) > 1e-4 * max(1.0, abs(left), abs(right))
    d_auto = float(activations.dphi(key, 0.0, **params))
    return Properties(
        key, a.label, a.output_range, a.monotonic, a.zero_centred, a.smooth, a.saturating,
        float(activations.phi(key, 0.0, **params)), math.nan if kink else d_auto, left, right, d_auto,
        a.universal, a.universal_reason, a.origin,
    )


# ----------------------------------------------------------------------------------------------------------
# Why a nonlinearity: the linear collapse
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collapse:
    """A stack of affine layers folded into one: W_eff = W_L ... W_1 (n_out x n_in), b_eff (n_out,)."""

    w_eff: np.ndarray
    b_eff: np.ndarray


def collapse(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Collapse:
    """Fold z_l = W_l z_{l-1} + b_l, l = 1..L, into W_eff x + b_eff.

    ``weights[l]`` has shape (h_l, h_{l-1}), ``biases[l]`` shape (h_l,). b_eff = sum_l W_L ... W_{l+1} b_l.
    """
    w_eff = np.asarray(weights[0], dtype=np.float64)
    b_eff = np.asarray(biases[0], dtype=np.float64)
    for w, b in zip(weights[1:], biases[1:], strict=True):
        w = np.asarray(w, dtype=np.float64)
        w_eff = w @ w_eff
        b_eff = w @ b_eff + np.asarray(b, dtype=np.float64)
    return Collapse(w_eff, b_eff)


def forward_stack(x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> np.ndarray:
    """The stack applied layer by layer with the identity activation; x (n, n_in) -> (n, n_out)."""
    h = np.asarray(x, dtype=np.float64)
    for w, b in zip(weights, biases, strict=True):
        h = h @ np.asarray(w, dtype=np.float64).T + np.asarray(b, dtype=np.float64)
    return h


def _target_sine(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


#: 1-D targets on [-1, 1], by name: (label, LaTeX, function).
TARGETS: dict[str, tuple[str, str, object]] = {
    "sine": ("sin(πx)", r"\sin(\pi x)", _target_sine),
    "square": ("x²", r"x^2", np.square),
    "abs": ("|x|", r"|x|", np.abs),
    "bump": ("Gaussian bump", r"e^{-8x^2}", lambda x: np.exp(-8.0 * np.square(x))),
    "wave": ("sin(3πx)·x", r"x\sin(3\pi x)", lambda x: x * np.sin(3.0 * np.pi * x)),
}


def target(name: str, x: np.ndarray) -> np.ndarray:
    """The target ``name`` evaluated at x (any shape)."""
    if name not in TARGETS:
        raise ValueError(f"Unknown target {name!r}; choose one of {', '.join(TARGETS)}.")
    return TARGETS[name][2](np.asarray(x, dtype=np.float64))  # type: ignore[operator]


@dataclass(frozen=True)
class Fit:
    """A small MLP trained on a 1-D target by full-batch Adam on mean squared error.

    ``x``, ``y``, ``y_hat``: (n,) training grid, target and final prediction. ``loss``: (steps,) MSE per step.
    ``weights``/``biases``: the trained layers, W_l (h_l, h_{l-1}) and b_l (h_l,), float64 copies.
    """

    key: str
    x: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray
    weights: tuple[np.ndarray, ...] = field(repr=False)
    biases: tuple[np.ndarray, ...] = field(repr=False)

    @property
    def final_loss(self) -> float:
        return float(np.mean((self.y_hat - self.y) ** 2))


def fit_1d(key: str, target_name: str = "sine", hidden: Sequence[int] = (16, 16), steps: int = 400,
           lr: float = 0.01, n: int = 64, seed: int = 0, params: dict[str, float] | None = None) -> Fit:
    """Train ``1 -> hidden -> 1`` with activation ``key`` on ``target_name`` sampled at n points of [-1, 1].

    Xavier initialisation, the same ``seed`` for every activation so a race is fair. float64 throughout.
    """
    bound_threads()  # script runs and fragments run in fresh threads
    x = np.linspace(-1.0, 1.0, n)
    y = target(target_name, x)
    model = build_mlp([1, *hidden, 1], key, seed=seed, init="xavier", phi_params=params or {}, dtype=torch.float64)
    xt = torch.from_numpy(x).unsqueeze(1)
    yt = torch.from_numpy(y).unsqueeze(1)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = np.empty(steps)
    for i in range(steps):
        opt.zero_grad(set_to_none=True)
        loss = torch.mean((model(xt) - yt) ** 2)
        loss.backward()
        opt.step()
        losses[i] = loss.item()
    with torch.no_grad():
        y_hat = model(xt).squeeze(1).numpy().copy()
    layers = linear_layers(model)
    return Fit(key, x, y, y_hat, losses, tuple(m.weight.detach().numpy().copy() for m in layers),
               tuple(m.bias.detach().numpy().copy() for m in layers))


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of the best straight line through (x, y): the best any linear network can do."""
    a = np.stack([x, np.ones_like(x)], axis=1)
    (slope, intercept), *_ = np.linalg.lstsq(a, y, rcond=None)
    return float(slope), float(intercept)


# ----------------------------------------------------------------------------------------------------------
# ReLUs and piecewise-linear functions
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReluSum:
    """f(x) = b + sum_k s_k ReLU(x - t_k) for x >= t_0: a one-hidden-layer ReLU network.

    ``knots`` t (K,) ascending, the first one the left end of the interval (it carries the starting slope);
    ``slope_changes`` s (K,): f's slope jumps by s_k at t_k; ``bias`` b = f(t_0).
    Hidden unit k computes ReLU(1 * x - t_k); the output is sum_k s_k h_k + b.
    """

    knots: np.ndarray
    slope_changes: np.ndarray
    bias: float

    @property
    def w1(self) -> np.ndarray:
        """Input-to-hidden weights (K, 1): all ones."""
        return np.ones((len(self.knots), 1))

    @property
    def b1(self) -> np.ndarray:
        """Hidden biases (K,): -t_k."""
        return -np.asarray(self.knots, dtype=np.float64)

    @property
    def w2(self) -> np.ndarray:
        """Hidden-to-output weights (1, K): the slope changes."""
        return np.asarray(self.slope_changes, dtype=np.float64)[None, :]

    @property
    def b2(self) -> np.ndarray:
        """Output bias (1,)."""
        return np.array([self.bias])

    @property
    def slopes(self) -> np.ndarray:
        """The slope of f on each piece [t_k, t_{k+1}), (K,)."""
        return np.cumsum(self.slope_changes)

    def terms(self, x: np.ndarray) -> np.ndarray:
        """Each term s_k ReLU(x - t_k) at x (n,): shape (K, n)."""
        x = np.asarray(x, dtype=np.float64)
        return self.w2.T * np.maximum(0.0, x[None, :] - np.asarray(self.knots)[:, None])

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """f(x), x (n,) -> (n,)."""
        return self.bias + self.terms(x).sum(axis=0)


def relu_sum_from_points(x: np.ndarray, y: np.ndarray) -> ReluSum:
    """The ReLU sum through the points (x_i, y_i) (x ascending, n >= 2): the piecewise-linear interpolant.

    slopes m_i = (y_{i+1} - y_i) / (x_{i+1} - x_i); s_0 = m_0 at t_0 = x_0; s_i = m_i - m_{i-1} at t_i = x_i.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if len(x) < 2 or np.any(np.diff(x) <= 0):
        raise ValueError("Need at least two points with strictly increasing x.")
    m = np.diff(y) / np.diff(x)
    s = np.diff(m, prepend=0.0)
    return ReluSum(x[:-1].copy(), s, float(y[0]))


def relu_sum_from_knots(x0: float, y0: float, slope0: float, knots: Sequence[float],
                        slope_changes: Sequence[float]) -> ReluSum:
    """The ReLU sum starting at (x0, y0) with slope ``slope0``, bending by ``slope_changes[k]`` at ``knots[k]``.

    Knots are sorted; a knot left of x0 is moved to x0 (the function only lives on x >= x0).
    """
    t = np.maximum(np.asarray(knots, dtype=np.float64), x0)
    s = np.asarray(slope_changes, dtype=np.float64)
    order = np.argsort(t, kind="stable")
    return ReluSum(np.concatenate([[x0], t[order]]), np.concatenate([[slope0], s[order]]), float(y0))


def relu_sum_target(target_name: str, n_knots: int, lo: float = -1.0, hi: float = 1.0) -> ReluSum:
    """The ReLU sum interpolating a named target at ``n_knots`` equally spaced points of [lo, hi]."""
    x = np.linspace(lo, hi, n_knots)
    return relu_sum_from_points(x, target(target_name, x))


# ----------------------------------------------------------------------------------------------------------
# Depth propagation at initialisation
# ----------------------------------------------------------------------------------------------------------

INITS = ("xavier", "he", "sigma")


@dataclass(frozen=True)
class Propagation:
    """Statistics of a deep stack h_l = phi(W_l h_{l-1}) at initialisation, for layers l = 1..L.

    ``act_std`` (L,): std of h_l over batch and units. ``grad_std`` (L,): std of dLoss/dh_l for
    Loss = sum(r * h_L), r ~ N(0, 1). ``dead`` (L,): share of units whose phi'(z) is exactly zero for every
    input of the batch (they pass no gradient). ``w_std``: the std of the weights used.
    """

    key: str
    act_std: np.ndarray
    grad_std: np.ndarray
    dead: np.ndarray
    w_std: float


def weight_std(init: str, width: int, sigma_w: float = 1.0) -> float:
    """Std of a square layer's weights: Xavier sqrt(2 / (n + n)), He sqrt(2 / n), or sigma_w / sqrt(n)."""
    if init == "xavier":
        return math.sqrt(2.0 / (width + width))
    if init == "he":
        return math.sqrt(2.0 / width)
    if init == "sigma":
        return sigma_w / math.sqrt(width)
    raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")


def propagate(key: str, init: str = "xavier", depth: int = 50, width: int = 256, batch: int = 128,
              sigma_w: float = 1.0, seed: int = 0, params: dict[str, float] | None = None) -> Propagation:
    """Push a batch x ~ N(0, I) (batch, width) through ``depth`` square layers (no bias) and back-propagate.

    Xavier weights are uniform (as torch's xavier_uniform_), He and sigma_w are normal; all with the std of
    ``weight_std``. The same seed gives the same weights and inputs for every activation. float32.
    """
    bound_threads()  # script runs and fragments run in fresh threads
    phi = activations.get(key).bind(**(params or {}))
    std = weight_std(init, width, sigma_w)
    gen = torch.Generator().manual_seed(seed)
    h = torch.randn(batch, width, generator=gen).requires_grad_(True)
    hs: list[torch.Tensor] = []
    dead = np.empty(depth)
    for layer in range(depth):
        if init == "xavier":
            a = math.sqrt(3.0) * std
            w = (torch.rand(width, width, generator=gen) * 2.0 - 1.0) * a
        else:
            w = torch.randn(width, width, generator=gen) * std
        z = h @ w.T
        # phi'(z) elementwise, from autograd, on a detached copy
        zd = z.detach().requires_grad_(True)
        (dz,) = torch.autograd.grad(phi(zd).sum(), zd, allow_unused=True)
        dead[layer] = 1.0 if dz is None else float((dz == 0).all(dim=0).float().mean())
        h = phi(z)
        h.retain_grad()
        hs.append(h)
    r = torch.randn(batch, width, generator=gen)
    (hs[-1] * r).sum().backward()
    # std in float64: float32 squares of gradients near 1e-30 would underflow to zero
    act_std = np.array([float(t.detach().double().std()) for t in hs])
    grad_std = np.array([float(t.grad.double().std()) if t.grad is not None else 0.0 for t in hs])
    return Propagation(key, act_std, grad_std, dead, std)


# ----------------------------------------------------------------------------------------------------------
# The race: one small MLP per activation, trained side by side
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaceState:
    """Networks ``1 -> hidden -> 1``, one per activation, mid-training; everything a resumed run needs.

    ``weights[l]`` (A, h_l, h_{l-1}) and ``biases[l]`` (A, h_l) stack the A networks; ``m``/``v`` are Adam's
    moment estimates in the same layout (weights first, then biases); ``loss`` (A, step) the MSE per step.
    Every network starts from the same Xavier weights (the same seed), so only the activation differs.
    """

    keys: tuple[str, ...]
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    m: tuple[np.ndarray, ...]
    v: tuple[np.ndarray, ...]
    step: int
    loss: np.ndarray


def race_start(keys: Sequence[str], hidden: Sequence[int] = (16, 16), seed: int = 0) -> RaceState:
    """A race at step 0: the initial weights of ``build_mlp([1, *hidden, 1], seed=seed, init="xavier")``."""
    bound_threads()  # script runs and fragments run in fresh threads
    model = build_mlp([1, *hidden, 1], "linear", seed=seed, init="xavier", dtype=torch.float64)
    a = len(keys)
    layers = linear_layers(model)
    weights = tuple(np.repeat(m.weight.detach().numpy()[None], a, axis=0) for m in layers)
    biases = tuple(np.repeat(m.bias.detach().numpy()[None], a, axis=0) for m in layers)
    zeros = tuple(np.zeros_like(p) for p in (*weights, *biases))
    return RaceState(tuple(keys), weights, biases, zeros, zeros, 0, np.zeros((a, 0)))


def _race_forward(keys: Sequence[str], weights: Sequence[Tensor], biases: Sequence[Tensor], x: Tensor,
                  params: dict[str, dict[str, float]]) -> Tensor:
    """All A networks at once: x (n, 1) -> (A, n, 1); the activation differs per network."""
    phis = [activations.get(k).bind(**params.get(k, {})) for k in keys]
    h = x.expand(len(keys), *x.shape)
    for i, (w, b) in enumerate(zip(weights, biases, strict=True)):
        z = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
        h = torch.stack([phi(z[j]) for j, phi in enumerate(phis)]) if i < len(weights) - 1 else z
    return h


def race_advance(state: RaceState, n_steps: int, target_name: str = "sine", lr: float = 0.01, n: int = 64,
                 params: dict[str, dict[str, float]] | None = None) -> RaceState:
    """``n_steps`` more full-batch Adam steps for every network (torch.optim.Adam's update, written out).

    The networks share nothing, so minimising the sum of their MSEs is exactly training each one alone.
    """
    bound_threads()  # script runs and fragments run in fresh threads
    params = params or {}
    x = torch.from_numpy(np.linspace(-1.0, 1.0, n)).unsqueeze(1)
    y = torch.from_numpy(target(target_name, x.squeeze(1).numpy())).unsqueeze(1)
    tensors = [torch.from_numpy(p.copy()).requires_grad_(True) for p in (*state.weights, *state.biases)]
    m = [torch.from_numpy(p.copy()) for p in state.m]
    v = [torch.from_numpy(p.copy()) for p in state.v]
    n_layers = len(state.weights)
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    losses = np.empty((len(state.keys), n_steps))
    for i in range(n_steps):
        out = _race_forward(state.keys, tensors[:n_layers], tensors[n_layers:], x, params)
        per_net = torch.mean((out - y) ** 2, dim=(1, 2))
        grads = torch.autograd.grad(per_net.sum(), tensors)
        losses[:, i] = per_net.detach().numpy()
        t = state.step + i + 1
        with torch.no_grad():
            for p, g, m_p, v_p in zip(tensors, grads, m, v, strict=True):
                m_p.mul_(beta1).add_(g, alpha=1 - beta1)
                v_p.mul_(beta2).addcmul_(g, g, value=1 - beta2)
                m_hat = m_p / (1 - beta1**t)
                v_hat = v_p / (1 - beta2**t)
                p.sub_(lr * m_hat / (v_hat.sqrt() + eps))
    arrays = [p.detach().numpy().copy() for p in tensors]
    return RaceState(state.keys, tuple(arrays[:n_layers]), tuple(arrays[n_layers:]),
                     tuple(t.numpy().copy() for t in m), tuple(t.numpy().copy() for t in v),
                     state.step + n_steps, np.concatenate([state.loss, losses], axis=1))


def race_fits(state: RaceState, target_name: str = "sine", n: int = 64,
              params: dict[str, dict[str, float]] | None = None) -> list[Fit]:
    """Each network of the race as a ``Fit`` (prediction on the training grid, loss curve, weights)."""
    bound_threads()  # script runs and fragments run in fresh threads
    x = np.linspace(-1.0, 1.0, n)
    with torch.no_grad():
        out = _race_forward(state.keys, [torch.from_numpy(w) for w in state.weights],
                            [torch.from_numpy(b) for b in state.biases], torch.from_numpy(x).unsqueeze(1),
                            params or {})
    y = target(target_name, x)
    return [Fit(k, x, y, out[j, :, 0].numpy().copy(), state.loss[j].copy(),
                tuple(w[j].copy() for w in state.weights), tuple(b[j].copy() for b in state.biases))
            for j, k in enumerate(state.keys)]


__all__ = [
    "Collapse",
    "Curve",
    "Fit",
    "INITS",
    "Propagation",
    "Properties",
    "RaceState",
    "ReluSum",
    "SATURATION",
    "TARGETS",
    "collapse",
    "curve",
    "fit_1d",
    "forward_stack",
    "least_squares_line",
    "one_sided_derivatives",
    "plain",
    "properties",
    "race_advance",
    "race_fits",
    "race_start",
    "propagate",
    "relu_sum_from_knots",
    "relu_sum_from_points",
    "relu_sum_target",
    "saturated_intervals",
    "target",
    "weight_std",
]
