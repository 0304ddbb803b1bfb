"""Skip connections: plain chains against residual stacks, and what the identity path buys the gradient.

A plain stack computes ``h_l = W_l phi(h_{l-1}) + b_l``; a residual stack adds the identity path,
``h_l = h_{l-1} + alpha * (W_l phi(h_{l-1}) + b_l)`` (the "pre-activation" residual block of He et al. 2016b,
y = x + F(x)), with the branch scaled by ``alpha`` (1 or 1/sqrt(L)) or batch-normalised, as residual networks
are in practice. Both share the same layers, so switching the skips on or off changes nothing else.

Plain torch/numpy (no streamlit), seeded; results are frozen dataclasses, and each sentence the page shows about
a result is a function of it here. Shapes: ``width`` units per hidden layer, ``depth`` = L hidden layers,
inputs ``(n, n_in)``. Recurrent (feedback) connections live in ``recurrent``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from nnviz.activations import Phi
from nnviz.format import number, tex_number
from nnviz.live import MAX_SECONDS, History, TimedRun

if TYPE_CHECKING:  # torch loads where a network is built (nets), not on import: a first visit needs none
    import torch
    from torch import Tensor, nn

    from nnviz.topics.skip_and_feedback.nets import Stack

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

BRANCH_SCALES = ("inv_sqrt_depth", "one")
BRANCH_LABELS = {"inv_sqrt_depth": "α = 1/√L", "one": "α = 1 (unscaled)"}
INITS = ("xavier", "he", "default")
INIT_LABELS = {"xavier": "Xavier (Glorot)", "he": "He (Kaiming)", "default": "torch default"}

#: A ratio of two gradient norms within one decade of 1 counts as "about the same size".
STEADY = 10.0

RELU, SIGMOID, TANH = Phi("relu"), Phi("sigmoid"), Phi("tanh")


def sci(x: float) -> str:
    """A number for a sentence in markdown: 0.0123 as it is, 4e+16 as $4 \\times 10^{16}$ (never "e+16")."""
    if not math.isfinite(x) or x == 0 or 1e-3 <= abs(x) < 1e4:
        return number(x)
    return f"${tex_number(x)}$"


def load_precomputed(name: str) -> dict | None:
    """``nnviz/data/skip_and_feedback_<name>.json`` (written by benchmarks/precompute_connections.py), or None
    if it is missing or unreadable."""
    try:
        return json.loads((DATA_DIR / f"skip_and_feedback_{name}.json").read_text())
    except (OSError, ValueError):
        return None


def phi_to_json(phi: Phi) -> dict:
    return {"key": phi.key, "params": dict(phi.params)}


def phi_from_json(d: dict) -> Phi:
    return Phi(d["key"], d.get("params", {}))


def branch_alpha(branch_scale: str, depth: int) -> float:
    """The factor alpha on the residual branch: 1/sqrt(L) or 1."""
    if branch_scale == "inv_sqrt_depth":
        return 1.0 / math.sqrt(max(depth, 1))
    if branch_scale == "one":
        return 1.0
    raise ValueError(f"Unknown branch scale {branch_scale!r}; choose one of {', '.join(BRANCH_SCALES)}.")


def phi_gamma(phi: Phi) -> float:
    """gamma = sup |phi'(z)|, estimated on a fine grid in [-10, 10] (1 for tanh, 1/4 for sigmoid)."""
    return float(np.max(np.abs(phi.dnumpy(np.linspace(-10, 10, 20001)))))


def _dphi_torch(phi: Phi, z: Tensor) -> Tensor:
    """phi'(z) elementwise, from autograd (phi acts elementwise, so the gradient of the sum is the derivative)."""
    import torch
    z = z.detach().requires_grad_(True)
    with torch.enable_grad():
        (g,) = torch.autograd.grad(phi.torch(z).sum(), z, allow_unused=True)
    return torch.zeros_like(z) if g is None else g


# --------------------------------------------------------------------------------------------------
# Gradient flow at initialisation


@dataclass(frozen=True)
class GradientFlow:
    """Gradient norms per hidden layer at initialisation, plain against residual (the same weights).

    ``layer`` (L,) = 1..L; ``plain``/``residual`` (L,) = ||dLoss/dW_l||_F; ``plain_h``/``residual_h`` (L,) =
    ||dLoss/dh_l||, the back-propagated signal arriving at layer l; ``plain_growth``/``residual_growth`` =
    rms(h_L) / rms(h_0), how much the forward signal grew through the stack.
    """

    layer: np.ndarray
    plain: np.ndarray
    residual: np.ndarray
    plain_h: np.ndarray
    residual_h: np.ndarray
    plain_growth: float
    residual_growth: float
    alpha: float
    branch_scale: str
    phi: Phi
    gamma: float  # sup |phi'|, the caption's bound on how much one plain layer can pass on

    @property
    def depth(self) -> int:
        return len(self.layer)

    def ratio(self, which: str) -> float:
        """First-layer over last-layer norm of ``which`` (plain, residual, plain_h, residual_h): 1 = undiminished."""
        g = getattr(self, which)
        if not np.all(np.isfinite(g)):
            return float("inf")
        return float(g[0] / g[-1]) if g[-1] > 0 else float("inf")

    @property
    def finite(self) -> bool:
        return all(np.all(np.isfinite(getattr(self, k))) for k in ("plain", "residual", "plain_h", "residual_h"))

    def verdict(self, kind: str) -> str:
        """"vanishes", "explodes" or "steady" for the plain or residual stack.

        Explodes: the back-propagated signal grows more than STEADY-fold from layer L down to layer 1, or the
        forward signal grows more than STEADY-fold (then the loss and every gradient are huge). Vanishes: it
        shrinks more than STEADY-fold. Steady: neither.
        """
        r = self.ratio(f"{kind}_h")
        growth = getattr(self, f"{kind}_growth")
        if not self.finite or r > STEADY or growth > STEADY:
            return "explodes"
        if r < 1 / STEADY:
            return "vanishes"
        return "steady"


@dataclass(frozen=True)
class StackWeights:
    """The affine maps of a ``Stack`` without batch norm, in numpy float64 (drawn by ``stack_weights``).

    ``w_in`` (width, n_in), ``b_in`` (width,); ``w[l]`` (width, width), ``b[l]`` (width,) for l = 1..L;
    ``w_out`` (n_out, width), ``b_out`` (n_out,). Each layer computes ``z @ w.T + b`` as ``nn.Linear`` does.
    """

    w_in: np.ndarray
    b_in: np.ndarray
    w: tuple[np.ndarray, ...]
    b: tuple[np.ndarray, ...]
    w_out: np.ndarray
    b_out: np.ndarray


def _linear(rng: np.random.Generator, n_in: int, n_out: int, init: str) -> tuple[np.ndarray, np.ndarray]:
    """(W (n_out, n_in), b (n_out,)) with torch's distributions: Xavier uniform, He (Kaiming, ReLU gain) normal,
    or nn.Linear's default U(-1/sqrt(n_in), 1/sqrt(n_in)) for both W and b; b = 0 for Xavier and He."""
    if init == "xavier":
        bound = math.sqrt(6.0 / (n_in + n_out))
        return rng.uniform(-bound, bound, (n_out, n_in)), np.zeros(n_out)
    if init == "he":
        return rng.normal(0.0, math.sqrt(2.0 / n_in), (n_out, n_in)), np.zeros(n_out)
    if init == "default":
        bound = 1.0 / math.sqrt(n_in)
        return rng.uniform(-bound, bound, (n_out, n_in)), rng.uniform(-bound, bound, n_out)
    raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")


def stack_weights(n_in: int, width: int, depth: int, n_out: int = 1, init: str = "xavier",
                  seed: int = 0) -> StackWeights:
    """Seeded numpy weights of a plain or residual stack (the same for both: only the skips differ)."""
    rng = np.random.default_rng(seed)
    w_in, b_in = _linear(rng, n_in, width, init)
    layers = [_linear(rng, width, width, init) for _ in range(depth)]
    w_out, b_out = _linear(rng, width, n_out, init)
    return StackWeights(w_in, b_in, tuple(w for w, _ in layers), tuple(b for _, b in layers), w_out, b_out)


def stack_hidden(weights: StackWeights, phi: Phi, x: np.ndarray, residual: bool, alpha: float) -> list[np.ndarray]:
    """Every hidden state ``[h_0, ..., h_L]`` (each (n, width)) of the stack on x (n, n_in), as ``Stack.hidden``."""
    h = x @ weights.w_in.T + weights.b_in
    hs = [h]
    for w, b in zip(weights.w, weights.b, strict=True):
        branch = phi.numpy(h) @ w.T + b
        h = h + alpha * branch if residual else branch
        hs.append(h)
    return hs


def _layer_grad_norms(weights: StackWeights, phi: Phi, x: np.ndarray, y: np.ndarray, residual: bool,
                      alpha: float) -> tuple[np.ndarray, np.ndarray, float]:
    """(||dLoss/dW_l||_F, ||dLoss/dh_l|| for l = 1..L, rms(h_L)/rms(h_0)) by an explicit backward pass.

    Loss = 0.5 mean((W_out phi(h_L) + b_out - y)^2). Going down: g_L = dLoss/dh_L; the branch of layer l gets
    ``d = alpha g_l`` (residual) or ``g_l`` (plain); dLoss/dW_l = d^T phi(h_{l-1}); and
    ``g_{l-1} = (d W_l) * phi'(h_{l-1})``, plus g_l through the identity path when residual.
    """
    with np.errstate(all="ignore"):  # an exploding stack overflows to inf, as torch's float64 does
        hs = stack_hidden(weights, phi, x, residual, alpha)
        a_last = phi.numpy(hs[-1])
        err = (a_last @ weights.w_out.T + weights.b_out - y) / y.size
        g = (err @ weights.w_out) * phi.dnumpy(hs[-1], a_last)
        w_norms, h_norms = [], []
        for l in range(len(weights.w), 0, -1):
            h_norms.append(np.linalg.norm(g))
            d = alpha * g if residual else g
            a = phi.numpy(hs[l - 1])
            w_norms.append(np.linalg.norm(d.T @ a))
            back = (d @ weights.w[l - 1]) * phi.dnumpy(hs[l - 1], a)
            g = g + back if residual else back
        growth = float(np.sqrt(np.mean(hs[-1] ** 2)) / np.sqrt(np.mean(hs[0] ** 2)))
    return np.array(w_norms[::-1]), np.array(h_norms[::-1]), growth if math.isfinite(growth) else float("inf")


def gradient_flow_data(n: int, width: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The inputs x (n, width) and targets y (n, 1) of the gradient-flow loss, standard normal (seed + 1)."""
    rng = np.random.default_rng(seed + 1)
    return rng.standard_normal((n, width)), rng.standard_normal((n, 1))


def gradient_flow(depth: int, width: int = 64, phi: Phi = SIGMOID, init: str = "xavier",
                  branch_scale: str = "inv_sqrt_depth", n: int = 128, seed: int = 0) -> GradientFlow:
    """||dLoss/dW_l|| and ||dLoss/dh_l|| for l = 1..L of a plain and a residual stack with identical weights.

    Loss: half the mean squared error against random targets on ``n`` standard-normal inputs of dimension
    ``width``. ``depth`` in [1, 200]. numpy throughout (tested against torch autograd): a widget change loads no
    torch.
    """
    if not 1 <= depth <= 200:
        raise ValueError("depth must be between 1 and 200")
    x, y = gradient_flow_data(n, width, seed)
    weights = stack_weights(width, width, depth, 1, init, seed)
    alpha = branch_alpha(branch_scale, depth)
    norms = {residual: _layer_grad_norms(weights, phi, x, y, residual, alpha) for residual in (False, True)}
    return GradientFlow(np.arange(1, depth + 1), norms[False][0], norms[True][0], norms[False][1],
                        norms[True][1], norms[False][2], norms[True][2], alpha, branch_scale, phi, phi_gamma(phi))


@dataclass(frozen=True)
class GradientFlowSettings:
    """The page's gradient-flow settings (its defaults are precomputed, so a first visit builds no network)."""

    depth: int = 50
    phi: Phi = SIGMOID
    init: str = "xavier"
    branch: str = "inv_sqrt_depth"

    def run(self) -> GradientFlow:
        return gradient_flow(self.depth, phi=self.phi, init=self.init, branch_scale=self.branch)

    def to_json(self) -> dict:
        return {**asdict(self), "phi": phi_to_json(self.phi)}

    @classmethod
    def from_json(cls, d: dict) -> GradientFlowSettings:
        return cls(**{**d, "phi": phi_from_json(d["phi"])})


GRADIENT_FLOW_ARRAYS = ("plain", "residual", "plain_h", "residual_h")


def gradient_flow_to_json(settings: GradientFlowSettings, gf: GradientFlow) -> dict:
    """Settings and every number of ``gf`` at full precision (so the stored result equals a live one)."""
    return {"settings": settings.to_json(), **{k: [float(v) for v in getattr(gf, k)] for k in GRADIENT_FLOW_ARRAYS},
            "plain_growth": gf.plain_growth, "residual_growth": gf.residual_growth, "alpha": gf.alpha,
            "gamma": gf.gamma}


def load_gradient_flow() -> tuple[GradientFlowSettings, GradientFlow] | None:
    """The precomputed default gradient flow: its settings and result (None if the file is missing)."""
    d = load_precomputed("gradient_flow")
    if d is None:
        return None
    settings = GradientFlowSettings.from_json(d["settings"])
    arrays = {k: np.array(d[k], dtype=np.float64) for k in GRADIENT_FLOW_ARRAYS}
    return settings, GradientFlow(np.arange(1, settings.depth + 1), **arrays, plain_growth=d["plain_growth"],
                                  residual_growth=d["residual_growth"], alpha=d["alpha"],
                                  branch_scale=settings.branch, phi=settings.phi, gamma=d["gamma"])


def gradient_flow_takeaway(gf: GradientFlow) -> str:
    """The lesson of the gradient-flow figure, chosen from what it shows."""
    res, plain = gf.verdict("residual"), gf.verdict("plain")
    r = gf.ratio("residual_h")
    plain_part = {
        "vanishes": f"the plain stack's gradient at layer 1 is {sci(gf.ratio('plain_h'))}× its size at layer "
                    f"{gf.depth}: its first layer learns that much more slowly",
        "explodes": "the plain stack's gradient explodes on its way down",
        "steady": "the plain stack's gradient also survives at this depth",
    }[plain]
    if res == "explodes":
        return (f"With {'unscaled branches (α = 1)' if gf.alpha == 1 else f'α = {gf.alpha:.3g}'} the residual stack "
                f"explodes: every block adds its branch's output to the signal, so the signal grows "
                f"{sci(gf.residual_growth)}× over {gf.depth} blocks, the gradient arriving at layer 1 is "
                f"{sci(r)}× the one at layer {gf.depth}, and the weight gradients reach "
                f"{sci(float(np.max(gf.residual)))}. That is why real residual networks scale the branch "
                "(α = 1/√L here; Fixup, SkipInit and ReZero start it near 0) or normalise it (batch norm): the "
                f"identity path then carries the gradient without amplifying it. Meanwhile {plain_part}.")
    if res == "vanishes":
        return (f"Here even the residual stack's gradient shrinks {sci(1 / r)}-fold from layer {gf.depth} to "
                f"layer 1; {plain_part}.")
    w = gf.ratio("residual")
    learns = ("so its first layer learns about as fast as its last" if 1 / STEADY <= w <= STEADY else
              f"though its first layer's weight gradient is {sci(w)}× its last layer's")
    return (f"The identity path gives the gradient a route no layer can shrink: the residual stack's gradient at "
            f"layer 1 is {sci(r)}× the one at layer {gf.depth}, {learns}, while {plain_part}.")


@dataclass(frozen=True)
class DepthJacobian:
    """||dh_l/dh_0||_2 (spectral norm) for l = 0..L at one input, plain against residual.

    ``depth`` (L+1,) = 0..L; ``plain``/``residual`` (L+1,), starting at 1 (the identity).
    """

    depth: np.ndarray
    plain: np.ndarray
    residual: np.ndarray


def layer_jacobians(weights: StackWeights, phi: Phi, x: np.ndarray, residual: bool, alpha: float) -> list[np.ndarray]:
    """The Jacobian dh_l/dh_{l-1} (width, width) of each hidden layer at one input ``x`` (1, n_in).

    Plain: ``W_l diag(phi'(h_{l-1}))``; residual: ``I + alpha W_l diag(phi'(h_{l-1}))`` (no batch norm).
    """
    with np.errstate(all="ignore"):
        hs = stack_hidden(weights, phi, x, residual, alpha)
        jacs = []
        for w, h_prev in zip(weights.w, hs[:-1], strict=True):
            j = w * phi.dnumpy(h_prev[0])[None, :]
            jacs.append(np.eye(len(j)) + alpha * j if residual else j)
    return jacs


def cumulative_norms(jacs: list[np.ndarray]) -> np.ndarray:
    """Spectral norms of the running products ``J_l ... J_1`` for l = 0..len(jacs) (1 at l = 0)."""
    n = jacs[0].shape[0] if jacs else 1
    prod = np.eye(n)
    out = [1.0]
    with np.errstate(all="ignore"):
        for j in jacs:
            prod = j @ prod
            out.append(float(np.linalg.norm(prod, 2)) if np.all(np.isfinite(prod)) else float("inf"))
    return np.array(out)


def depth_jacobian(depth: int, width: int = 64, phi: Phi = SIGMOID, init: str = "xavier",
                   branch_scale: str = "inv_sqrt_depth", seed: int = 0) -> DepthJacobian:
    """How a small change of h_0 reaches h_l, layer by layer, in a plain and a residual stack (numpy: no torch)."""
    x = np.random.default_rng(seed + 2).standard_normal((1, width))
    weights = stack_weights(width, width, depth, 1, init, seed)
    alpha = branch_alpha(branch_scale, depth)
    norms = {residual: cumulative_norms(layer_jacobians(weights, phi, x, residual, alpha))
             for residual in (False, True)}
    return DepthJacobian(np.arange(depth + 1), norms[False], norms[True])


# --------------------------------------------------------------------------------------------------
# Training runs shared by the degradation and landscape experiments


@dataclass(frozen=True)
class Curves:
    """Training-loss curves of several models trained side by side: ``steps`` (k,) the step of each record,
    ``loss[name]`` (k,) the mean training loss over the steps since the previous record."""

    steps: tuple[int, ...]
    loss: Mapping[str, tuple[float, ...]]

    def final(self, name: str) -> float:
        return self.loss[name][-1] if self.loss.get(name) else float("nan")


class _SideBySide(TimedRun):
    """Models trained side by side, one step of each per ``_step``; losses averaged over ``record_every``
    steps into a bounded ``History``. A subclass sets ``names`` and writes ``_losses()``."""

    record_every = 10
    names: tuple[str, ...] = ()

    def _start(self, n_steps: int, max_seconds: float) -> None:
        self.max_steps, self.max_seconds = n_steps, max_seconds
        self.history = History(("step", *self.names), max_points=400)
        self._pending: dict[str, list[float]] = {n: [] for n in self.names}

    def _losses(self) -> dict[str, float]:
        raise NotImplementedError

    def _step(self) -> bool:
        for name, loss in self._losses().items():
            self._pending[name].append(loss)
        done = self.steps + 1
        if done % self.record_every == 0 or done == self.max_steps:
            self.history.add(step=done, **{n: float(np.mean(p)) for n, p in self._pending.items()})
            for p in self._pending.values():
                p.clear()
        return True

    def curves(self) -> Curves:
        """The recorded curves so far (a frozen copy)."""
        return Curves(tuple(int(s) for s in self.history["step"]),
                      {n: tuple(self.history[n]) for n in self.names})


# --------------------------------------------------------------------------------------------------
# The degradation problem in miniature


def regression_task(n: int = 256, seed: int = 0) -> tuple[Tensor, Tensor]:
    """A wiggly 2-D regression target: x (n, 2) uniform in [-1, 1]^2, y = sin(3 x1) cos(2 x2) + x1 x2 (n, 1)."""
    import torch
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 2, generator=g) * 2 - 1
    y = torch.sin(3 * x[:, :1]) * torch.cos(2 * x[:, 1:]) + x[:, :1] * x[:, 1:]
    return x, y


@dataclass(frozen=True)
class DegradationSettings:
    """Everything a degradation run depends on (hashable: the live panel's config and the shared-run key)."""

    phi: Phi = Phi("tanh")
    init: str = "xavier"
    deep: int = 50
    seed: int = 0
    width: int = 32
    lr: float = 3e-3
    n_steps: int = 300

    @property
    def depths(self) -> tuple[int, int, int]:
        """3, L/2 and L layers."""
        return 3, max(4, self.deep // 2), self.deep

    def to_json(self) -> dict:
        return {**asdict(self), "phi": phi_to_json(self.phi)}

    @classmethod
    def from_json(cls, d: dict) -> DegradationSettings:
        return cls(**{**d, "phi": phi_from_json(d["phi"])})


def load_degradation() -> tuple[DegradationSettings, Curves] | None:
    """The precomputed default run: its settings and curves (None if the file is missing)."""
    d = load_precomputed("degradation")
    if d is None:
        return None
    return DegradationSettings.from_json(d["settings"]), Curves(tuple(d["steps"]), {k: tuple(v) for k, v in
                                                                                    d["curves"].items()})


def model_name(kind: str, depth: int) -> str:
    return f"{kind} {depth}"


class DegradationRun(_SideBySide):
    """Plain and residual stacks (branch scale 1/sqrt(L)) of depths 3, L/2, L trained side by side on the same
    task with full-batch Adam, a fixed ``n_steps`` steps: the same settings give the same numbers on a given
    machine (another processor's rounding, amplified by training, changes the 50-layer plain stack's losses
    visibly)."""

    def __init__(self, settings: DegradationSettings = DegradationSettings(), max_seconds: float = MAX_SECONDS):
        self.settings = settings
        self.names = tuple(model_name(k, d) for d in settings.depths for k in ("plain", "residual"))
        self._start(settings.n_steps, max_seconds)

    @cached_property
    def task(self) -> tuple[Tensor, Tensor]:
        """x (256, 2), y (256, 1), drawn on first use (a new run loads no torch until it trains)."""
        return regression_task(256, seed=self.settings.seed)

    @cached_property
    def models(self) -> dict[str, Stack]:
        """The networks by name, built on first use (a new run costs nothing until it trains)."""
        from nnviz.topics.skip_and_feedback.nets import Stack
        s = self.settings
        return {model_name(k, d): Stack(2, s.width, d, 1, phi=s.phi, residual=k == "residual",
                                        alpha=branch_alpha("inv_sqrt_depth", d), init=s.init, seed=s.seed)
                for d in s.depths for k in ("plain", "residual")}

    @cached_property
    def opts(self) -> dict[str, torch.optim.Optimizer]:
        import torch
        return {k: torch.optim.Adam(m.parameters(), lr=self.settings.lr) for k, m in self.models.items()}

    def _losses(self) -> dict[str, float]:
        x, y = self.task
        losses = {}
        for name, m in self.models.items():
            loss = ((m(x) - y) ** 2).mean()
            self.opts[name].zero_grad()
            loss.backward()
            self.opts[name].step()
            losses[name] = loss.item()
        return losses

    def status(self) -> str:
        return f"Step {number(self.steps)} of {number(self.max_steps)} (six networks, one Adam step each)"


def degradation_verdict(curves: Curves, settings: DegradationSettings) -> str:
    """What a finished degradation run shows: did the deepest plain network train worse than the shallow one,
    and did the residual ones? ``curves`` must be the full run (the caller shows no verdict for a cut run)."""
    shallow, deep = settings.depths[0], settings.depths[-1]
    p3, pL = curves.final(model_name("plain", shallow)), curves.final(model_name("plain", deep))
    r3, rL = curves.final(model_name("residual", shallow)), curves.final(model_name("residual", deep))
    if pL > 2 * p3:
        plain = (f"The {deep}-layer plain network ends at a training loss of {sci(pL)}, {sci(pL / p3)}× "
                 f"the 3-layer one's {sci(p3)}: more layers made even the fit to the training set worse.")
    else:
        plain = (f"At these settings the plain networks did not degrade: {deep} layers end at {sci(pL)} "
                 f"against {sci(p3)} for 3 layers.")
    if rL <= 2 * r3:
        res = (f" With skips the {deep}-layer network ends at {sci(rL)} (3 layers: {sci(r3)}): depth no "
               "longer hurts.")
    else:
        res = (f" Even with skips the {deep}-layer network trails ({sci(rL)} against {sci(r3)} for 3 "
               "layers) after this many steps.")
    return plain + res


# --------------------------------------------------------------------------------------------------
# Shattered gradients (Balduzzi et al. 2017)

SHATTER_NETS = ("one_layer", "deep_plain", "deep_residual")
SHATTER_LABELS = {"one_layer": "1 hidden layer", "deep_plain": "deep plain", "deep_residual": "deep residual"}


def autocorrelation(g: np.ndarray, max_lag: int) -> np.ndarray:
    """Normalised autocorrelation r(k) = sum_i (g_i - m)(g_{i+k} - m) / sum_i (g_i - m)^2, k = 0..max_lag."""
    d = np.asarray(g, dtype=np.float64) - np.mean(g)
    denom = float(d @ d)
    if denom == 0:
        return np.zeros(max_lag + 1)
    return np.array([float(d[: len(d) - k] @ d[k:]) / denom for k in range(max_lag + 1)])


def _unit_gradients(model: Stack, x: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """d phi(h_L) / dx (n, width) for every last-layer unit and dy/dx (n,) at 1-D inputs ``x`` (n, 1).

    Forward mode written out: the tangent t = dh/dx starts at W_in and passes each layer as
    ``t <- W_l (phi'(BN(h)) * s * t)`` (+ t on the identity path), with s the frozen batch norm's per-unit
    scale. Batch norm uses this batch's statistics, frozen (as at test time), so each input's derivative is its
    own.
    """
    import torch
    from torch import nn
    model.train()
    with torch.no_grad():
        model(x)  # momentum=None: running statistics become this batch's statistics
    model.eval()
    phi = model.phi_value
    with torch.no_grad():
        h = model.inp(x)
        t = model.inp.weight[:, 0].expand_as(h)
        for layer, norm in zip(model.layers, model.norms, strict=True):
            if isinstance(norm, nn.BatchNorm1d):
                scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
                u, tu = norm(h), t * scale
            else:
                u, tu = h, t
            branch, tb = layer(phi.torch(u)), (_dphi_torch(phi, u) * tu) @ layer.weight.T
            h, t = (h + model.alpha * branch, t + model.alpha * tb) if model.residual else (branch, tb)
        ta = _dphi_torch(phi, h) * t  # d phi(h_L)/dx
        dy = ta @ model.out.weight.T
    return ta.numpy(), dy.numpy()[:, 0]


@dataclass(frozen=True)
class ShatteredNet:
    """One network's dy/dx on the grid ``x`` (n,): ``grad`` (n,), ``autocorr`` (max_lag+1,) r(k) at lags 0..,
    ``corr`` (n, n) correlation between inputs i and j of the last-layer units' gradients."""

    x: np.ndarray
    grad: np.ndarray
    autocorr: np.ndarray
    corr: np.ndarray


def shattered_network(name: str, depth: int = 24, width: int = 200, n: int = 256, batch_norm: bool = True,
                      max_lag: int = 40, seed: int = 0) -> ShatteredNet:
    """Balduzzi et al. (2017) Fig. 1-2 in miniature: dy/dx of a ReLU network on x in [-2, 2], 1 -> width -> 1.

    "one_layer" has one hidden layer (``depth`` ignored); "deep_plain" and "deep_residual" have ``depth``
    (branch scale 1/sqrt(depth)). He initialisation; the first layer's biases ~ N(0, 1), so its ReLU kinks are
    spread over the inputs (with zero biases a ReLU network of one input is positively homogeneous,
    y(x) = x y(sign x), and its gradient would be a single step at x = 0).
    """
    import torch

    from nnviz.topics.skip_and_feedback.nets import Stack
    if name not in SHATTER_NETS:
        raise ValueError(f"Unknown network {name!r}; choose one of {', '.join(SHATTER_NETS)}.")
    x = torch.linspace(-2, 2, n, dtype=torch.float32)[:, None]
    common = {"phi": Phi("relu"), "init": "he", "batch_norm": batch_norm, "seed": seed, "input_bias_std": 1.0}
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


def shattered_note(r1: Mapping[str, float], batch_norm: bool) -> str:
    """What the three r(1) values show (r(1) = correlation of the gradient at neighbouring inputs)."""
    plain, res, one = r1["deep_plain"], r1["deep_residual"], r1["one_layer"]
    if plain < 0.5 and res > plain + 0.2:
        return (f"The deep plain network's gradient has shattered (r(1) = {plain:.2f}, close to white noise's 0); "
                f"with skips it stays coherent (r(1) = {res:.2f}), nearer the 1-layer network's {one:.2f}.")
    if plain >= 0.5:
        return (f"At these settings the deep plain network's gradient has not shattered (r(1) = {plain:.2f})"
                + ("; shattering, as Balduzzi et al. measured it, shows in deep batch-normalised plain networks."
                   if not batch_norm else "; it takes more depth."))
    return (f"Both deep networks' gradients are noisy here (plain r(1) = {plain:.2f}, residual {res:.2f}).")


# --------------------------------------------------------------------------------------------------
# Loss landscape (Li et al. 2018)


def spiral_task(n: int = 200, seed: int = 0) -> tuple[Tensor, Tensor]:
    """Two interleaved spirals: x (n, 2), y (n, 1) in {0, 1}."""
    import torch
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
    import torch
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

    @property
    def decades(self) -> float:
        """How many decades the loss spans over the slice."""
        return float(np.log10(np.max(self.loss) / max(float(np.min(self.loss)), 1e-12)))


class _Slice:
    """A filter-normalised random 2-D slice through a model's weights, mapped one row of the grid at a time."""

    def __init__(self, model: nn.Module, x: Tensor, y: Tensor, span: float, k: int, seed: int) -> None:
        import torch
        from torch import nn
        g = torch.Generator().manual_seed(seed + 7)
        self.model, self.x, self.y = model, x, y
        self.d1 = filter_normalised_direction(model, g)
        self.d2 = filter_normalised_direction(model, g)
        self.theta = [p.detach().clone() for p in model.parameters()]
        self.coords = np.linspace(-span, span, k)
        self.loss = np.full((k, k), np.nan)
        self.lossf = nn.BCEWithLogitsLoss()

    def row(self, i: int) -> None:
        """Fill loss[i, :] (b = coords[i]) and restore the weights."""
        import torch
        self.model.eval()
        with torch.no_grad():
            for j, aa in enumerate(self.coords):
                for p, t, u, v in zip(self.model.parameters(), self.theta, self.d1, self.d2, strict=True):
                    p.copy_(t + aa * u + self.coords[i] * v)
                self.loss[i, j] = float(self.lossf(self.model(self.x), self.y))
            for p, t in zip(self.model.parameters(), self.theta, strict=True):
                p.copy_(t)

    def result(self) -> Landscape:
        import torch
        with torch.no_grad():
            centre = float(self.lossf(self.model(self.x), self.y))
        return Landscape(self.coords, self.coords.copy(), self.loss.copy(), centre)


@dataclass(frozen=True)
class LandscapeSettings:
    """Everything a landscape run depends on (hashable)."""

    depth: int = 12
    seed: int = 0
    width: int = 24
    n_steps: int = 800
    k: int = 31
    span: float = 1.0
    lr: float = 3e-3

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict) -> LandscapeSettings:
        return cls(**d)


KINDS = ("plain", "residual")


class LandscapeRun(TimedRun):
    """Train a plain and a residual ReLU stack on the spirals (``n_steps`` full-batch Adam steps), then map both
    loss landscapes one grid row per step: ``n_steps + k`` steps in all, whatever the load."""

    unit = "step"

    def __init__(self, settings: LandscapeSettings = LandscapeSettings(), max_seconds: float = MAX_SECONDS):
        self.settings = settings
        self.max_steps, self.max_seconds = settings.n_steps + settings.k, max_seconds
        self.train_loss: dict[str, float] = {}
        self._slices: dict[str, _Slice] = {}

    @cached_property
    def task(self) -> tuple[Tensor, Tensor]:
        """The spirals x (200, 2), y (200, 1), drawn on first use (a new run loads no torch until it trains)."""
        return spiral_task(200, seed=self.settings.seed)

    @cached_property
    def models(self) -> dict[str, Stack]:
        from nnviz.topics.skip_and_feedback.nets import Stack
        s = self.settings
        return {kind: Stack(2, s.width, s.depth, 1, phi=Phi("relu"), residual=kind == "residual",
                            alpha=branch_alpha("inv_sqrt_depth", s.depth), init="he", seed=s.seed)
                for kind in KINDS}

    @cached_property
    def opts(self) -> dict[str, torch.optim.Optimizer]:
        import torch
        return {kind: torch.optim.Adam(m.parameters(), lr=self.settings.lr) for kind, m in self.models.items()}

    def _step(self) -> bool:
        from torch import nn
        s = self.settings
        if self.steps < s.n_steps:
            lossf = nn.BCEWithLogitsLoss()
            for kind, m in self.models.items():
                loss = lossf(m(self.task[0]), self.task[1])
                self.opts[kind].zero_grad()
                loss.backward()
                self.opts[kind].step()
                self.train_loss[kind] = loss.item()
            return True
        if not self._slices:
            self._slices = {kind: _Slice(m, *self.task, s.span, s.k, s.seed) for kind, m in self.models.items()}
        for sl in self._slices.values():
            sl.row(self.steps - s.n_steps)
        return True

    def result(self) -> dict[str, Landscape]:
        """Both landscapes once mapped (empty before)."""
        if not self.complete:
            return {}
        return {kind: sl.result() for kind, sl in self._slices.items()}

    def status(self) -> str:
        s = self.settings
        if self.steps <= s.n_steps:
            losses = ", ".join(f"{k} {v:.3f}" for k, v in self.train_loss.items())
            return (f"Training step {number(self.steps)} of {number(s.n_steps)}"
                    + (f" (loss {losses})" if losses else ""))
        return f"Mapping the landscape: row {self.steps - s.n_steps} of {s.k}"


def load_landscape() -> tuple[LandscapeSettings, dict[str, Landscape]] | None:
    """The precomputed default landscapes: settings and both slices (None if the file is missing)."""
    d = load_precomputed("landscape")
    if d is None:
        return None
    surfaces = {kind: Landscape(np.array(v["a"]), np.array(v["b"]), np.array(v["loss"]).reshape(len(v["b"]), -1),
                                v["trained_loss"]) for kind, v in d["surfaces"].items()}
    return LandscapeSettings.from_json(d["settings"]), surfaces


def landscape_note(surfaces: Mapping[str, Landscape]) -> str:
    """Which slice is more rugged, by how many decades the loss spans."""
    p, r = surfaces["plain"].decades, surfaces["residual"].decades
    spans = f"the loss spans {p:.1f} decades over the plain network's slice and {r:.1f} over the residual one's"
    if r < p - 0.3:
        return f"Here {spans}: with skips the surface is flatter around θ*, without them its walls are steeper."
    if p < r - 0.3:
        return f"At these settings the plain slice is the flatter one ({spans})."
    return f"At these settings the two slices are alike ({spans})."
