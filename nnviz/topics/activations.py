"""The maths of the activation page, and the sentences that are true of each result (no streamlit).

Every activation travels as an ``activations.Phi`` value; phi is evaluated by ``Phi.numpy`` / ``Phi.torch``. The
gallery differentiates by the closed forms ``Phi.dnumpy`` (equal to torch autograd, kinks included, by
tests/test_activations.py), so it never loads torch; the networks use autograd. Seeds are parameters; results are
frozen dataclasses.

- gallery: phi and phi' on a grid, the stretches where |phi'| < 0.1, the probe values, the properties table.
- collapse: a stack of linear layers is one affine map W_eff x + b_eff; with phi it is not.
- ReluSum: a continuous piecewise-linear function as b + sum_k s_k ReLU(x - t_k): a one-hidden-layer network.
- propagate / DepthStudy: spread of activations and gradients through a deep stack at initialisation.
- RaceRun: one small MLP per activation trained side by side, a fixed number of Adam steps (a ``TimedRun``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnviz.activations import Phi
from nnviz.format import number
from nnviz.live import History, TimedRun
from nnviz.mlp import numpy_linear

if TYPE_CHECKING:  # torch is imported where a network is built or differentiated: a first visit shows
    from torch import Tensor  # precomputed defaults and an untrained run, and never loads it

#: |phi'| below this counts as saturated in the gallery's shading.
SATURATION = 0.1
#: Where the gallery's phi' comes from, as the page says it.
DERIVATIVE_SOURCE = "φ′ is its closed form, checked against torch autograd by the tests."
#: The derivative panel shades saturated z-ranges for at most this many activations (more would only muddy it).
SHADE_MAX = 4


def _names(labels: Sequence[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    labels = list(labels)
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


# ----------------------------------------------------------------------------------------------------------
# Gallery and properties
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Curve:
    """phi and phi' of one activation on a grid: ``z``, ``phi``, ``dphi`` (n,) (phi' by its closed form).

    ``saturated``: the z-intervals (start, end) where |phi'| < SATURATION.
    """

    act: Phi
    z: np.ndarray
    phi: np.ndarray
    dphi: np.ndarray
    saturated: tuple[tuple[float, float], ...]

    @property
    def label(self) -> str:
        return self.act.label

    @property
    def flat_left(self) -> bool:
        """|phi'| < SATURATION at the left end of the plotted range."""
        return bool(abs(self.dphi[0]) < SATURATION)

    @property
    def flat_right(self) -> bool:
        """|phi'| < SATURATION at the right end of the plotted range."""
        return bool(abs(self.dphi[-1]) < SATURATION)


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


def curve(act: Phi, z_max: float = 5.0, n: int = 401) -> Curve:
    """phi (``Phi.numpy``) and phi' (``Phi.dnumpy``) of one activation on ``n`` points of [-z_max, z_max]."""
    z = np.linspace(-z_max, z_max, n)
    phi = act.numpy(z)
    return curve_from(act, z_max, act.dnumpy(z, phi), phi)


def curve_from(act: Phi, z_max: float, dphi: np.ndarray, phi: np.ndarray | None = None) -> Curve:
    """The ``Curve`` of ``act`` on len(dphi) points of [-z_max, z_max] from its derivative ``dphi`` (n,)
    and ``phi`` (n,; default ``Phi.numpy``), computed or stored by the precomputation."""
    z = np.linspace(-z_max, z_max, len(dphi))
    return Curve(act, z, act.numpy(z) if phi is None else phi, dphi, saturated_intervals(z, dphi))


def probe(act: Phi, z0: float) -> tuple[float, float]:
    """(phi(z0), phi'(z0)), phi' by its closed form (at a kink: the one-sided slope autograd uses too)."""
    phi = act.numpy(z0)
    return float(phi), float(act.dnumpy(z0, phi))


def gallery_caption(curves: Sequence[Curve], shade: bool) -> str:
    """What the gallery's shading shows, for this selection and setting."""
    if not shade:
        return ("Shading is off. Tick *Shade saturation* to mark where |φ′(z)| < 0.1: a neuron working there "
                "passes back less than a tenth of the gradient it receives (it is *saturated*).")
    if len(curves) > SHADE_MAX:
        return (f"Saturation shading is drawn for up to {SHADE_MAX} activations (more would only cover the curves): "
                f"select {SHADE_MAX} or fewer to see where |φ′(z)| < 0.1. " + DERIVATIVE_SOURCE)
    none = [c.label for c in curves if not c.saturated]
    text = ("Saturated stretches, |φ′(z)| < 0.1, are marked with a broad stroke on φ and a band of its colour "
            "behind φ′. A neuron working there passes back less than a tenth of the gradient it receives: it is "
            "*saturated*.")
    if none:
        text += f" Never saturated in this range: {_names(none)}."
    return text + " " + DERIVATIVE_SOURCE


def gallery_takeaway(curves: Sequence[Curve]) -> str:
    """Which selected activations flatten at both ends, one end or neither, of the plotted range."""
    z_max = float(curves[0].z[-1])
    both = [c.label for c in curves if c.flat_left and c.flat_right]
    left = [c for c in curves if c.flat_left and not c.flat_right]
    right = [c.label for c in curves if c.flat_right and not c.flat_left]
    neither = [c.label for c in curves if not (c.flat_left or c.flat_right)]
    parts = []
    if both:
        parts.append(f"flat (|φ′| < 0.1) at both ends of ±{z_max:g}: {_names(both)}, so a large |z| passes almost "
                     "no gradient back")
    if left:
        text = (f"flat only for large negative z: {_names([c.label for c in left])}, which keep their slope for "
                "large positive z")
        dead = [c.label for c in left if c.dphi[0] == 0.0]
        if dead:
            text += (f" ({_names(dead)}: φ′ is exactly 0 there, and a unit that only ever gets such inputs is "
                     "*dead*)")
        parts.append(text)
    if right:
        parts.append(f"flat only for large positive z: {_names(right)}")
    if neither:
        parts.append(f"not flat at either end: {_names(neither)}")
    return "In this range, " + "; ".join(parts) + "."


def one_sided_derivatives(act: Phi, z0: float = 0.0, h: float = 1e-6) -> tuple[float, float]:
    """(left, right) derivative of phi at z0 by difference quotients (phi(z0) - phi(z0 - h)) / h and back.

    Independent of autograd; where phi jumps at z0 the quotients are huge, which is the honest answer.
    """
    p = act.numpy(np.array([z0 - h, z0, z0 + h]))
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
    """One row of the properties table, at the activation's parameters. phi'(0) is nan where phi has a kink."""

    act: Phi
    phi0: float
    dphi0: float
    dphi0_left: float
    dphi0_right: float
    dphi0_autograd: float  # the one-sided slope autograd uses at 0 (the closed form's, tested equal)
    saturating: str  # "no", "left", "right" or "both": where |phi'| < 1e-6 at z = -/+ 1000, at these parameters

    @property
    def smooth(self) -> bool:
        """C^1: the registry's fact at default parameters, and no kink at 0 at these (ELU with alpha != 1)."""
        return self.act.spec.smooth and not math.isnan(self.dphi0)

    @property
    def dphi0_text(self) -> str:
        """phi'(0) in words: a number, or the two one-sided slopes at a kink, or 'jump'."""
        if not math.isnan(self.dphi0):
            return number(self.dphi0 + 0.0, 4)  # + 0.0 turns -0 into 0
        if max(abs(self.dphi0_left), abs(self.dphi0_right)) > 1e4:
            return f"undefined (jump); autograd uses {number(self.dphi0_autograd)}"
        return (f"kink: {number(self.dphi0_left)} left, {number(self.dphi0_right)} right; "
                f"autograd uses {number(self.dphi0_autograd)}")


#: The numeric fields of a ``Properties`` row, in order (what the precomputed file stores).
PROPERTY_NUMBERS = ("phi0", "dphi0", "dphi0_left", "dphi0_right", "dphi0_autograd")


def properties(act: Phi) -> Properties:
    """The table row of one activation: phi(0) and phi'(0) computed at its parameters, one-sided at a kink."""
    left, right = one_sided_derivatives(act, 0.0)
    kink = abs(left - right) > 1e-4 * max(1.0, abs(left), abs(right))
    d_auto = float(act.dnumpy(0.0))  # the slope autograd uses at 0 (the closed form's convention, tested equal)
    far = np.abs(act.dnumpy(np.array([-1e3, 1e3]))) < 1e-6
    saturating = {(True, True): "both", (True, False): "left", (False, True): "right"}.get(tuple(far), "no")
    return Properties(act, float(act.numpy(0.0)), math.nan if kink else d_auto, left, right, d_auto, saturating)


def properties_table(rows: Sequence[Properties]) -> dict[str, list]:
    """The properties table as columns (for a DataFrame): registry facts and the computed phi(0), phi'(0)."""
    return {
        "activation": [r.act.label for r in rows],
        "output range": [plain(r.act.spec.output_range) for r in rows],
        "monotonic": [r.act.spec.monotonic for r in rows],
        "zero-centred": [r.act.spec.zero_centred for r in rows],
        "smooth (C¹)": [r.smooth for r in rows],
        "saturates": [r.saturating for r in rows],
        "φ(0)": [number(r.phi0 + 0.0, 4) for r in rows],
        "φ′(0)": [r.dphi0_text for r in rows],
        "universal approximator": [("yes: " if r.act.spec.universal else "no: ") + r.act.spec.universal_reason
                                   for r in rows],
        "origin": [r.act.spec.origin for r in rows],
    }


def _cell(value: object) -> str:
    """One markdown table cell: booleans as yes/no, and nothing markdown would read as markup."""
    text = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    for char in "\\|*_`$<>[]":
        text = text.replace(char, "\\" + char)
    return text


def markdown_table(columns: dict[str, list]) -> str:
    """Columns (``properties_table``'s) as a GitHub markdown table: a header row, then one row per entry."""
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cells) + " |"

    body = [line([_cell(v) for v in row]) for row in zip(*columns.values(), strict=True)]
    return "\n".join([line([_cell(n) for n in columns]), line(["---"] * len(columns)), *body])


# ----------------------------------------------------------------------------------------------------------
# 1-D targets, fits, and the race (a TimedRun)
# ----------------------------------------------------------------------------------------------------------


def _target_sine(x: np.ndarray) -> np.ndarray:
    return np.sin(np.pi * x)


#: 1-D targets on [-1, 1], by name: (label, function).
TARGETS: dict[str, tuple[str, object]] = {
    "sine": ("sin(πx)", _target_sine),
    "square": ("x²", np.square),
    "abs": ("|x|", np.abs),
    "bump": ("Gaussian bump e^(−8x²)", lambda x: np.exp(-8.0 * np.square(x))),
    "wave": ("x·sin(3πx)", lambda x: x * np.sin(3.0 * np.pi * x)),
}


def target(name: str, x: np.ndarray) -> np.ndarray:
    """The target ``name`` evaluated at x (any shape)."""
    if name not in TARGETS:
        raise ValueError(f"Unknown target {name!r}; choose one of {', '.join(TARGETS)}.")
    return TARGETS[name][1](np.asarray(x, dtype=np.float64))  # type: ignore[operator]


@dataclass(frozen=True)
class Fit:
    """One trained 1-D network: ``x``, ``y``, ``y_hat`` (n,) grid, target, prediction; ``loss`` (steps,) MSE
    before each step; ``weights``/``biases`` the layers W_l (h_l, h_{l-1}) and b_l (h_l,), float64."""

    act: Phi
    x: np.ndarray
    y: np.ndarray
    y_hat: np.ndarray
    loss: np.ndarray
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]

    @property
    def final_loss(self) -> float:
        return float(np.mean((self.y_hat - self.y) ** 2))


class RaceRun(TimedRun):
    """Networks ``1 -> hidden -> 1``, one per activation, trained side by side by full-batch Adam on MSE.

    Every network starts from the same Xavier weights (one seed), so only phi differs. The A networks are stacked:
    weights (A, h_l, h_{l-1}), biases (A, h_l). Adam is elementwise and the loss a sum of per-network losses,
    so one ``torch.optim.Adam`` over the stacks trains each network exactly as alone. A fixed number of steps:
    the same settings give the same numbers under any load.
    """

    unit = "step"

    def __init__(self, phis: Sequence[Phi], target_name: str = "wave", hidden: Sequence[int] = (16, 16),
                 max_steps: int = 300, lr: float = 0.01, n: int = 64, seed: int = 0) -> None:
        self.phis = tuple(phis)
        self.target_name = target_name
        self.hidden = tuple(int(h) for h in hidden)
        self.max_steps = int(max_steps)
        self.lr = float(lr)
        self.n, self.seed = int(n), int(seed)
        # The shared start, drawn in numpy (torch's Xavier law, numpy's generator): an untrained panel is computed
        # without torch; the tensors are made at the first step (torch's import).
        rng = np.random.default_rng(self.seed)
        widths = (1, *self.hidden, 1)
        self.start = [numpy_linear(n_in, n_out, "xavier", rng)
                      for n_in, n_out in zip(widths[:-1], widths[1:], strict=True)]
        self.grid = np.linspace(-1.0, 1.0, self.n)
        self._built = False
        self.opt = None  # made at the first step: torch.optim's first use imports torch._dynamo (2-4 s)
        self.history = History([f"net{i}" for i in range(len(self.phis))], max_points=max(4, self.max_steps + 1))

    def _build(self) -> None:
        """The grid x (n, 1), the target y (n, 1) and the stacked weights as tensors, from the start (once)."""
        if self._built:
            return
        import torch

        self.x = torch.from_numpy(self.grid).unsqueeze(1)
        self.y = torch.from_numpy(target(self.target_name, self.grid)).unsqueeze(1)
        a = len(self.phis)
        self.weights = [torch.from_numpy(w).unsqueeze(0).repeat(a, 1, 1).requires_grad_(True) for w, _ in self.start]
        self.biases = [torch.from_numpy(b).unsqueeze(0).repeat(a, 1).requires_grad_(True) for _, b in self.start]
        self.initial = tuple(w.detach().clone() for w in self.weights)
        self._built = True

    def _untrained_fits(self) -> list[Fit]:
        """``fits()`` before the first step, in numpy: every network at the shared start."""
        y = target(self.target_name, self.grid)
        fits = []
        for phi in self.phis:
            h = self.grid[:, None]
            for i, (w, b) in enumerate(self.start):
                z = h @ w.T + b
                h = phi.numpy(z) if i < len(self.start) - 1 else z
            fits.append(Fit(phi, self.grid.copy(), y, h[:, 0].copy(), np.asarray(self.history[f"net{len(fits)}"]),
                            tuple(w.copy() for w, _ in self.start), tuple(b.copy() for _, b in self.start)))
        return fits

    def forward(self, x: Tensor) -> Tensor:
        """All A networks at once: x (n, 1) -> (A, n, 1); the activation differs per network."""
        import torch

        self._build()
        h = x.expand(len(self.phis), *x.shape)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            z = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            h = torch.stack([phi.torch(z[j]) for j, phi in enumerate(self.phis)]) if i < last else z
        return h

    def _step(self) -> bool:
        import torch

        self._build()
        if self.opt is None:
            self.opt = torch.optim.Adam([*self.weights, *self.biases], lr=self.lr)
        self.opt.zero_grad(set_to_none=True)
        per_net = torch.mean((self.forward(self.x) - self.y) ** 2, dim=(1, 2))
        per_net.sum().backward()
        self.opt.step()
        losses = per_net.detach().numpy()
        self.history.add(**{f"net{i}": float(v) for i, v in enumerate(losses)})
        return bool(np.isfinite(losses).any())  # every network diverged: nothing left to watch

    def fits(self) -> list[Fit]:
        """Each network as it is now: prediction on the training grid, loss curve, weights."""
        if not self._built:
            return self._untrained_fits()
        import torch

        with torch.no_grad():
            out = self.forward(self.x).numpy()
        x, y = self.x[:, 0].numpy(), self.y[:, 0].numpy()
        return [Fit(phi, x, y, out[j, :, 0].copy(), np.asarray(self.history[f"net{j}"]),
                    tuple(w[j].detach().numpy().copy() for w in self.weights),
                    tuple(b[j].detach().numpy().copy() for b in self.biases))
                for j, phi in enumerate(self.phis)]

    def hidden_unchanged(self, j: int) -> bool:
        """Network j's hidden layers still hold their initial weights (as for the unit step, whose phi' is 0)."""
        if not self._built:
            return True
        import torch

        return all(torch.equal(w[j].detach(), w0[j]) for w, w0 in zip(self.weights[:-1], self.initial[:-1],
                                                                       strict=True))

    def status(self) -> str:
        text = f"Step {number(self.steps)} of {number(self.max_steps)}"
        if self.steps:
            best = min(range(len(self.phis)), key=lambda j: _finite(self.history.last(f"net{j}")))
            text += f" · lowest loss so far: {self.phis[best].label} (MSE {number(self.history.last(f'net{best}'))})"
        return text


def _finite(v: float) -> float:
    return v if math.isfinite(v) else math.inf


def _is_line(x: np.ndarray, y: np.ndarray, tol: float = 1e-6) -> bool:
    """Whether y(x) is a straight line to within ``tol`` (max deviation from its least-squares line)."""
    slope, intercept = least_squares_line(x, y)
    return bool(np.max(np.abs(slope * x + intercept - y)) < tol)


def race_sentences(run: RaceRun) -> tuple[str, ...]:
    """The caption and the takeaway of a race, from its result; nothing is concluded before it finished."""
    fits = run.fits()
    if not run.complete:
        return ()
    ranking = sorted(fits, key=lambda f: _finite(f.final_loss))
    caption = "Final mean squared error: " + ", ".join(f"{f.act.label} {number(f.final_loss)}" for f in ranking) + "."
    if len(fits) == 1:
        return caption, (f"{fits[0].act.label} reached MSE {number(fits[0].final_loss)} in {run.steps} steps. Select "
                         "more activations in the gallery to race them against each other.")
    first, second = ranking[0], ranking[1]
    if not math.isfinite(first.final_loss):
        return caption, "Every network diverged: lower the learning rate."
    if second.final_loss <= 1.1 * first.final_loss:
        lead = (f"{first.act.label} and {second.act.label} finished level (MSE {number(first.final_loss)} and "
                f"{number(second.final_loss)}, within 10 %).")
    else:
        lead = (f"{first.act.label} won this race: MSE {number(first.final_loss)}, "
                f"{second.final_loss / first.final_loss:.3g}× lower than the runner-up, {second.act.label}.")
    extra = []
    straight = [f.act.label for f in fits if f.act.key not in ("linear", "step") and _is_line(f.x, f.y_hat)]
    if straight:
        extra.append(f"{_names(straight)} {'is' if len(straight) == 1 else 'are'} still a straight line after "
                     "training (within 10⁻⁶), no better than φ(z) = z here.")
    for j, f in enumerate(fits):
        if f.act.key == "step" and run.hidden_unchanged(j):
            extra.append("The unit step's hidden layers never moved from their initial weights (its φ′ is 0 "
                         "everywhere, so no gradient reaches them): only its output layer learned.")
    return caption, " ".join([lead, *extra, "Another target, learning rate or seed can change the order."])


# ----------------------------------------------------------------------------------------------------------
# Why a nonlinearity: the linear collapse
# ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Collapsed:
    """A stack of affine layers folded into one: W_eff = W_L ... W_1 (n_out x n_in), b_eff (n_out,)."""

    w_eff: np.ndarray
    b_eff: np.ndarray


def collapse(weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> Collapsed:
    """Fold z_l = W_l z_{l-1} + b_l, l = 1..L, into W_eff x + b_eff.

    ``weights[l]`` has shape (h_l, h_{l-1}), ``biases[l]`` shape (h_l,). b_eff = sum_l W_L ... W_{l+1} b_l.
    """
    w_eff = np.asarray(weights[0], dtype=np.float64)
    b_eff = np.asarray(biases[0], dtype=np.float64)
    for w, b in zip(weights[1:], biases[1:], strict=True):
        w = np.asarray(w, dtype=np.float64)
        w_eff = w @ w_eff
        b_eff = w @ b_eff + np.asarray(b, dtype=np.float64)
    return Collapsed(w_eff, b_eff)


def forward_stack(x: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]) -> np.ndarray:
    """The stack applied layer by layer with the identity activation; x (n, n_in) -> (n, n_out)."""
    h = np.asarray(x, dtype=np.float64)
    for w, b in zip(weights, biases, strict=True):
        h = h @ np.asarray(w, dtype=np.float64).T + np.asarray(b, dtype=np.float64)
    return h


def least_squares_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(slope, intercept) of the best straight line through (x, y): the best any linear network can do."""
    a = np.stack([x, np.ones_like(x)], axis=1)
    (slope, intercept), *_ = np.linalg.lstsq(a, y, rcond=None)
    return float(slope), float(intercept)


COLLAPSE_STEPS = 300


@dataclass(frozen=True)
class CollapseResult:
    """The same stack trained with phi(z) = z and with ``nonlinear.act``, from the same start, and what it shows.

    ``w_eff``, ``b_eff``: the linear stack folded (1 x 1 here); ``gap``: max |net(x) - (W_eff x + b_eff)| over
    the grid; ``line``: (slope, intercept) of the least-squares line and ``line_mse`` its error.
    """

    linear: Fit
    nonlinear: Fit
    hidden: tuple[int, ...]
    w_eff: float
    b_eff: float
    gap: float
    line: tuple[float, float]
    line_mse: float
    caption: str
    takeaway: str


def collapse_run(act: Phi, target_name: str, hidden: Sequence[int], steps: int = COLLAPSE_STEPS) -> RaceRun:
    """The collapse experiment, untrained: ``1 -> hidden -> 1`` with phi = identity and with ``act`` (a two-network
    race, the same start), ``steps`` Adam steps at learning rate 0.01."""
    return RaceRun([Phi("linear"), act], target_name, hidden, max_steps=steps, lr=0.01)


def collapse_experiment(act: Phi, target_name: str, hidden: Sequence[int],
                        steps: int = COLLAPSE_STEPS) -> CollapseResult:
    """Train both stacks of ``collapse_run`` for all their steps and fold the linear one."""
    return collapse_result(collapse_run(act, target_name, hidden, steps).run())


def collapse_result(run: RaceRun) -> CollapseResult:
    """The linear stack of a collapse run folded into W_eff x + b_eff, and the words, after ``run.steps`` steps
    (the words compare the errors; the page shows them once the run has finished)."""
    linear, nonlinear = run.fits()
    return collapse_result_of(linear, nonlinear, run.steps)


def collapse_result_of(linear: Fit, nonlinear: Fit, steps: int) -> CollapseResult:
    """``collapse_result`` from the two stacks' fits after ``steps`` steps (a stored untrained pair, say)."""
    act, hidden = nonlinear.act, tuple(w.shape[0] for w in linear.weights[:-1])
    folded = collapse(linear.weights, linear.biases)
    w_eff, b_eff = float(folded.w_eff[0, 0]), float(folded.b_eff[0])
    gap = float(np.max(np.abs(forward_stack(linear.x[:, None], linear.weights, linear.biases)[:, 0]
                              - (w_eff * linear.x + b_eff))))
    line = least_squares_line(linear.x, linear.y)
    line_mse = float(np.mean((line[0] * linear.x + line[1] - linear.y) ** 2))
    shape = " → ".join(map(str, (1, *hidden, 1)))
    caption = (f"Both stacks have the same shape {shape} and were trained the same way ({steps} Adam steps "
               f"from the same start). Mean squared error: linear {number(linear.final_loss)}, best possible "
               f"straight line {number(line_mse)}, {act.label} {number(nonlinear.final_loss)}. ")
    caption += (f"On the grid the linear stack and W_eff·x + b_eff differ by at most {number(gap)}: rounding only."
                if gap < 1e-9 else f"On the grid the linear stack and W_eff·x + b_eff differ by up to {number(gap)}.")
    lead = ("Without a nonlinearity, depth buys nothing: any number of linear layers is one matrix and one bias, "
            "a straight line here")
    if line_mse < 1e-6:
        bend = ". This target is itself a straight line on the grid, so a linear stack already fits it."
    elif nonlinear.final_loss < 0.5 * line_mse:
        bend = (f". With {act.label} between the layers the same stack bends: its error is "
                f"{line_mse / max(nonlinear.final_loss, 1e-300):.3g}× below the best line's.")
    else:
        bend = (f". With {act.label} the stack could bend, but in {steps} steps it got no better than half "
                f"the best line's error ({number(nonlinear.final_loss)} against {number(line_mse)}): try another φ "
                "or target.")
    return CollapseResult(linear, nonlinear, tuple(hidden), w_eff, b_eff, gap, line, line_mse, caption, lead + bend)


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
    def slopes(self) -> np.ndarray:
        """The slope of f on each piece [t_k, t_{k+1}), (K,)."""
        return np.cumsum(self.slope_changes)

    def terms(self, x: np.ndarray) -> np.ndarray:
        """Each term s_k ReLU(x - t_k) at x (n,): shape (K, n)."""
        x = np.asarray(x, dtype=np.float64)
        return self.w2.T * Phi("relu").numpy(x[None, :] - np.asarray(self.knots)[:, None])

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


def relu_sum_target(target_name: str, n_points: int, lo: float = -1.0, hi: float = 1.0) -> ReluSum:
    """The ReLU sum interpolating a named target at ``n_points`` equally spaced points of [lo, hi]."""
    x = np.linspace(lo, hi, n_points)
    return relu_sum_from_points(x, target(target_name, x))


def relu_sum_sentence(rs: ReluSum, x: np.ndarray, target_y: np.ndarray | None) -> str:
    """The takeaway of the ReLU section, with the fit's error when there is a target."""
    units = len(rs.knots)
    text = (f"A one-hidden-layer ReLU network is a piecewise-linear function: here {units} unit"
            f"{'s' if units != 1 else ''}, one knot and one change of slope each.")
    if target_y is not None:
        err = float(np.max(np.abs(rs(x) - target_y)))
        if err < 1e-9:
            text += " This target is itself piecewise linear with knots on the grid, so the fit is exact."
        else:
            text += (f" Through {units + 1} equally spaced points of the target the largest error is "
                     f"{number(err)}; with knots close enough together it goes to zero for any continuous target.")
    return text


# ----------------------------------------------------------------------------------------------------------
# Depth propagation at initialisation
# ----------------------------------------------------------------------------------------------------------

INITS = ("xavier", "he", "sigma")
INIT_NAMES = {"xavier": "Xavier", "he": "He", "sigma": "custom σ_w"}

#: max |phi'| of the sigmoid: the factor its derivative can at most contribute per layer.
SIGMOID_SLOPE = 0.25


@dataclass(frozen=True)
class Propagation:
    """Statistics of a deep stack h_l = phi(W_l h_{l-1}) at initialisation, for layers l = 1..L.

    ``act_std`` (L,): std of h_l over batch and units. ``grad_std`` (L,): std of dLoss/dh_l for
    Loss = sum(r * h_L), r ~ N(0, 1). ``dead`` (L,): share of units whose phi'(z) is exactly zero for every
    input of the batch (they pass no gradient). ``w_std``: the std of the weights used.
    """

    act: Phi
    act_std: np.ndarray
    grad_std: np.ndarray
    dead: np.ndarray
    w_std: float

    @property
    def grad_ratio(self) -> float:
        """std of the gradient at layer 1 over that at layer L (0 when none reaches layer 1)."""
        return float(self.grad_std[0] / self.grad_std[-1]) if self.grad_std[-1] > 0 else 0.0


def weight_std(init: str, width: int, sigma_w: float = 1.0) -> float:
    """Std of a square layer's weights: Xavier sqrt(2 / (n + n)), He sqrt(2 / n), or sigma_w / sqrt(n)."""
    if init == "xavier":
        return math.sqrt(2.0 / (width + width))
    if init == "he":
        return math.sqrt(2.0 / width)
    if init == "sigma":
        return sigma_w / math.sqrt(width)
    raise ValueError(f"Unknown initialisation {init!r}; choose one of {', '.join(INITS)}.")


#: The batch sent through the deep stack: 32 x width samples estimate each layer's std to about 1 % (width 256),
#: at a quarter of the 128 rows' cost (a change of depth with six activations selected cost over 1 s).
DEPTH_BATCH = 32


def deep_weights(init: str = "xavier", depth: int = 50, width: int = 256, sigma_w: float = 1.0,
                 seed: int = 0) -> tuple[Tensor, ...]:
    """The ``depth`` square weight matrices W_l (width, width) of the deep stack, float64, from their own seeded
    generator: Xavier uniform (as torch's xavier_uniform_), He and sigma_w normal, all with ``weight_std``. They
    are the same for every activation, so a page makes them once for all the activations it compares (drawing
    them was most of a propagation's cost)."""
    import torch

    std = weight_std(init, width, sigma_w)
    gen = torch.Generator().manual_seed(seed)
    f64 = torch.float64
    if init == "xavier":
        return tuple((torch.rand(width, width, generator=gen, dtype=f64) * 2.0 - 1.0) * (math.sqrt(3.0) * std)
                     for _ in range(depth))
    return tuple(torch.randn(width, width, generator=gen, dtype=f64) * std for _ in range(depth))


def propagate(act: Phi, init: str = "xavier", depth: int = 50, width: int = 256, batch: int = DEPTH_BATCH,
              sigma_w: float = 1.0, seed: int = 0, weights: Sequence[Tensor] | None = None) -> Propagation:
    """Push a batch x ~ N(0, I) (batch, width) through ``depth`` square layers (no bias) and back-propagate.

    The weights are ``deep_weights(init, depth, width, sigma_w, seed)`` (pass them as ``weights`` to reuse them);
    the batch and the back-propagated r come from a second generator seeded ``seed + 1``. The same seed gives
    the same weights and inputs for every activation. float64, so a gradient of 1e-70 is a number, not an
    underflow to zero.
    """
    import torch

    std = weight_std(init, width, sigma_w)
    ws = deep_weights(init, depth, width, sigma_w, seed) if weights is None else tuple(weights)
    if len(ws) != depth or any(w.shape != (width, width) for w in ws):
        raise ValueError(f"weights: expected {depth} matrices of {width} x {width}")
    gen = torch.Generator().manual_seed(seed + 1)
    f64 = torch.float64
    h = torch.randn(batch, width, generator=gen, dtype=f64)
    layers: list[tuple[Tensor, Tensor]] = []  # (phi'(z_l), W_l) per layer, for the backward pass
    act_std = np.empty(depth)
    dead = np.empty(depth)
    for layer, w in enumerate(ws):
        z = (h @ w.T).requires_grad_(True)
        h_l = act.torch(z)
        # phi'(z), elementwise (autograd of the sum); phi is elementwise, so it is also the backward pass's factor
        (dz,) = torch.autograd.grad(h_l.sum(), z, allow_unused=True) if h_l.requires_grad else (None,)
        dphi = torch.zeros_like(z) if dz is None else dz
        h = h_l.detach()
        act_std[layer] = float(h.std())
        dead[layer] = float((dphi == 0).all(dim=0).double().mean())
        layers.append((dphi, w))
    # back-propagate r ~ N(0, I) layer by layer: dL/dh_{l-1} = W_l^T (phi'(z_l) * dL/dh_l), i.e. rows g @ W_l
    g = torch.randn(batch, width, generator=gen, dtype=f64)
    grads = [g]
    for dphi, w in reversed(layers[1:]):
        g = (dphi * g) @ w
        grads.append(g)
    grad_std = np.array([float(t.std()) for t in reversed(grads)])
    return Propagation(act, act_std, grad_std, dead, std)


@dataclass(frozen=True)
class DepthStudy:
    """Several activations through the same deep stack, and what the section says about them.

    ``gain`` = std(W)·sqrt(n): how much W_l^T scales a vector's size on average. ``bound`` (L,) or None: the
    sigmoid's (0.25·gain)^(L−l), anchored at its gradient at layer L, when the sigmoid is selected; a random W_l
    can beat the average gain by a few per cent per layer (tests allow 3 %), hence "about".
    """

    results: tuple[Propagation, ...]
    init: str
    width: int
    depth: int
    w_std: float
    gain: float
    bound: np.ndarray | None
    bound_label: str
    heading: str
    explanation: str
    caption: str
    table: dict
    takeaway: str


def _fate(r: Propagation) -> str:
    ratio = r.grad_ratio
    if ratio == 0.0:
        return "none"
    return "vanish" if ratio < 1e-2 else "explode" if ratio > 1e2 else "kept"


def depth_study(results: Sequence[Propagation], init: str, width: int, depth: int, w_std: float) -> DepthStudy:
    """The depth section's words, chosen from the propagation results at these settings."""
    gain = w_std * math.sqrt(width)
    factor = SIGMOID_SLOPE * gain
    sig = next((r for r in results if r.act.key == "sigmoid"), None)
    bound = None
    if sig is not None and sig.grad_std[-1] > 0:
        bound = sig.grad_std[-1] * factor ** (depth - np.arange(1, depth + 1))
    bound_label = f"(0.25·{gain:.3g})<sup>L−l</sup>: about the sigmoid's bound"
    shrink = ("so a sigmoid stack's gradient must shrink at least that fast" if factor < 1 else
              "which is at least 1, so this bound no longer forces a sigmoid stack's gradient to shrink")
    explanation = (
        "Send a batch $x \\sim \\mathcal N(0, I)$ through $L$ square layers $h_l = \\varphi(W_l h_{l-1})$ at "
        "initialisation, then back-propagate $\\partial \\mathcal L/\\partial h_L \\sim \\mathcal N(0, I)$. Each "
        "layer multiplies the gradient by $W_l^\\top \\operatorname{diag}(\\varphi'(z_l))$. A random $W_l^\\top$ "
        f"scales a vector's size by about $\\sigma_w = \\operatorname{{std}}(W)\\sqrt n = {gain:.3g}$ here, and "
        "the sigmoid's $\\varphi' \\le 0.25$, so each layer multiplies a sigmoid gradient by at most about "
        f"$0.25 \\cdot {gain:.3g} = {factor:.3g}$, {shrink}.")
    caption = ("Dead unit: φ′(z) = 0 for every input of the batch, so it passes no gradient. A gap on a log axis is an "
               "exact zero. The table gives each curve's numbers at the ends of the stack.")
    table = {
        "activation": [r.act.label for r in results],
        f"std of h at layer {depth}": [number(float(r.act_std[-1])) for r in results],
        f"gradient std, layer 1 / layer {depth}": [number(r.grad_ratio) if r.grad_ratio > 0 else "0 (none reaches "
                                                   "layer 1)" for r in results],
        f"dead units at layer {depth}": [f"{100 * r.dead[-1]:.0f} %" for r in results],
    }
    groups: dict[str, list[str]] = {"kept": [], "vanish": [], "explode": [], "none": []}
    for r in results:
        groups[_fate(r)].append(r.act.label)
    parts = []
    if groups["kept"]:
        parts.append(f"the gradient kept its scale (within 100×) for {_names(groups['kept'])}")
    if groups["vanish"]:
        parts.append(f"it faded by more than 100× for {_names(groups['vanish'])}")
    if groups["explode"]:
        parts.append(f"it grew by more than 100× for {_names(groups['explode'])}")
    if groups["none"]:
        parts.append(f"none reached layer 1 for {_names(groups['none'])} (φ′ = 0)")
    takeaway = (f"Initialisation and activation must match. With {INIT_NAMES[init]} weights (σ_w = {gain:.3g}) over "
                f"{depth} layers, " + "; ".join(parts) + ".")
    relu_like = [r.act.label for r in results if r.act.key in ("relu", "leaky_relu") and _fate(r) == "vanish"]
    if relu_like and init != "he":
        takeaway += (f" {_names(relu_like)} zero{'es' if len(relu_like) == 1 else ''} about half of every layer's "
                     "inputs, halving the signal's variance per layer; He weights (σ_w = √2) make up for exactly "
                     "that: try them.")
    if sig is not None and factor < 1:
        takeaway += (f" The sigmoid's φ′ ≤ 0.25 caps its factor per layer at {factor:.3g} < 1 at these weights, "
                     "one reason deep networks moved to ReLU-like units.")
    return DepthStudy(tuple(results), init, width, depth, w_std, gain, bound, bound_label,
                      f"Depth: what {depth} layers do to signals and gradients", explanation, caption, table, takeaway)


__all__ = [
    "COLLAPSE_STEPS",
    "DEPTH_BATCH",
    "CollapseResult",
    "Collapsed",
    "Curve",
    "DepthStudy",
    "Fit",
    "INITS",
    "INIT_NAMES",
    "Propagation",
    "PROPERTY_NUMBERS",
    "Properties",
    "RaceRun",
    "ReluSum",
    "SATURATION",
    "SHADE_MAX",
    "TARGETS",
    "collapse",
    "collapse_experiment",
    "collapse_result",
    "collapse_result_of",
    "collapse_run",
    "deep_weights",
    "curve",
    "curve_from",
    "depth_study",
    "forward_stack",
    "gallery_caption",
    "gallery_takeaway",
    "least_squares_line",
    "one_sided_derivatives",
    "plain",
    "probe",
    "properties",
    "properties_table",
    "propagate",
    "race_sentences",
    "relu_sum_from_knots",
    "relu_sum_from_points",
    "relu_sum_sentence",
    "relu_sum_target",
    "saturated_intervals",
    "target",
    "weight_std",
]
