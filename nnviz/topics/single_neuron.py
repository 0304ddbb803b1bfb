"""One artificial neuron, y_hat = phi(w . x + b), and one biological one (leaky integrate-and-fire).

The maths of the page "Inside a neuron" and the sentences that are true of its results (no streamlit).
Shapes: ``x`` and ``w`` are (n,) for one input vector, or ``X`` is (m, n) for m inputs; ``b`` is a scalar.
``phi`` is always an ``activations.Phi`` value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnviz.activations import Phi
from nnviz.datasets import Points
from nnviz.format import number, tex_number
from nnviz.live import History, TimedRun

_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(i: int) -> str:
    """``i`` as Unicode subscript digits, for names like x₃ in plain text."""
    return str(i).translate(_SUB)


# ---------------------------------------------------------------------------------------------------------------
# The artificial neuron
# ---------------------------------------------------------------------------------------------------------------


def pre_activation(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray | float:
    """z = w . x + b. ``x`` (n,) gives a scalar; ``x`` (m, n) gives (m,)."""
    return np.asarray(x, dtype=float) @ np.asarray(w, dtype=float) + float(b)


@dataclass(frozen=True)
class Gradient:
    """dy_hat/dw (n,) and dy_hat/db of one neuron at one input, and phi'(z) that both share."""

    dphi_dz: float
    dy_dw: np.ndarray
    dy_db: float


def output_gradient(x: np.ndarray, w: np.ndarray, b: float, phi: Phi) -> Gradient:
    """The chain rule: dy_hat/dw_i = phi'(z) x_i and dy_hat/db = phi'(z), with phi'(z) from ``phi.dnumpy`` (its
    closed form, autograd where it has none; the tests check the whole neuron against torch autograd)."""
    x = np.asarray(x, dtype=float)
    d = float(phi.dnumpy(float(pre_activation(x, w, b))))
    return Gradient(dphi_dz=d, dy_dw=d * x, dy_db=d)


def kink_note(phi: Phi, z: float) -> str:
    """A sentence when phi has a kink or a jump exactly at z = 0 and z is 0: phi'(0) does not exist there."""
    if z == 0 and phi.spec.dphi0 is not None and math.isnan(phi.spec.dphi0):
        return (f"At z = 0 {phi.label} has a kink or a jump, so φ′(0) does not exist; autograd reports the value "
                "of one side, which is what gradient descent would use.")
    return ""


@dataclass(frozen=True)
class Boundary:
    """The line w1*x1 + w2*x2 + c = 0 in the plane, clipped to a square box [-lim, lim]^2.

    ``start``/``end`` are the clipped segment's ends (None if the line misses the box or w = 0);
    ``foot`` is the point of the line closest to the origin; ``anchor`` is the point of the visible segment
    closest to the origin (where the normal vector w is drawn, so it is always inside the box);
    ``distance`` is the signed distance of the line from the origin, -c/|w| (positive on the side w points to).
    """

    w: np.ndarray
    c: float
    start: np.ndarray | None
    end: np.ndarray | None
    foot: np.ndarray | None
    anchor: np.ndarray | None
    distance: float | None


def boundary(w: np.ndarray, c: float, lim: float) -> Boundary:
    """Where a two-input neuron's pre-activation is zero: w . x + c = 0 (c = b plus any held inputs)."""
    w = np.asarray(w, dtype=float)
    norm = float(np.hypot(*w))
    if norm < 1e-12:
        return Boundary(w, c, None, None, None, None, None)
    foot = -c * w / norm**2
    direction = np.array([-w[1], w[0]]) / norm
    # Clip the line foot + t * direction to the box: intersect with each side, keep points inside.
    ts = []
    for axis in (0, 1):
        if abs(direction[axis]) > 1e-12:
            for edge in (-lim, lim):
                ts.append((edge - foot[axis]) / direction[axis])
    inside = [t for t in ts if np.all(np.abs(foot + t * direction) <= lim + 1e-9)]
    if len(inside) < 2:
        return Boundary(w, c, None, None, foot, None, -c / norm)
    t0, t1 = min(inside), max(inside)
    anchor = foot + min(max(0.0, t0), t1) * direction
    return Boundary(w, c, foot + t0 * direction, foot + t1 * direction, foot, anchor, -c / norm)


@dataclass(frozen=True)
class PlaneOutput:
    """y_hat over a grid of the (x1, x2) plane: ``x1`` (n,), ``x2`` (n,), ``y`` (n, n) indexed [x2, x1]."""

    x1: np.ndarray
    x2: np.ndarray
    y: np.ndarray


def plane_output(w: np.ndarray, c: float, phi: Phi, lim: float, n: int = 101) -> PlaneOutput:
    """phi(w1*x1 + w2*x2 + c) on an n x n grid over [-lim, lim]^2."""
    g = np.linspace(-lim, lim, n)
    X1, X2 = np.meshgrid(g, g)
    return PlaneOutput(g, g, phi.numpy(w[0] * X1 + w[1] * X2 + c))


@dataclass(frozen=True)
class ColourRange:
    """How the plane is coloured: ``mid`` = phi(0) (white, the value on the boundary), ``zmin``..``zmax`` the
    values the colour bar spans (only values the plane takes, so never an output phi cannot produce), and the
    fractions ``lo``..``hi`` of the symmetric diverging scale [mid - span, mid + span] that range covers."""

    mid: float
    zmin: float
    zmax: float
    lo: float
    hi: float


def colour_range(y: np.ndarray, mid: float) -> ColourRange:
    """Span the values of ``y`` and ``mid``, keeping equal distances from ``mid`` equally intense on both sides."""
    y_min, y_max = float(np.min(y)), float(np.max(y))
    span = max(abs(y_min - mid), abs(y_max - mid))
    zmin, zmax = min(mid, y_min), max(mid, y_max)
    if span < 1e-9 * max(1.0, abs(mid)):  # a constant plane: a thin band around its one value
        return ColourRange(mid, mid - 1e-9, mid + 1e-9, 0.5 - 1e-9, 0.5 + 1e-9)
    return ColourRange(mid, zmin, zmax, 0.5 + (zmin - mid) / (2 * span), 0.5 + (zmax - mid) / (2 * span))


def steep_sigmoid(z: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """sigma(k z) and its derivative d/dz sigma(k z) = k sigma(k z)(1 - sigma(k z)), same shape as ``z`` (the
    closed form; the tests check it against torch autograd)."""
    sigmoid = Phi("sigmoid")
    kz = k * np.asarray(z, dtype=float)
    s = sigmoid.numpy(kz)
    return s, k * sigmoid.dnumpy(kz, s)


# ---------------------------------------------------------------------------------------------------------------
# What the plane shows, in words: the boundary's formula with the held inputs, and the b = 0 line
# ---------------------------------------------------------------------------------------------------------------


def held_sum(x: np.ndarray, w: np.ndarray) -> float:
    """h = sum over i >= 3 of w_i x_i: what the inputs held off the plane add to z (0 for n <= 2)."""
    return float(np.dot(w[2:], x[2:])) if len(x) > 2 else 0.0


def distance_latex(x: np.ndarray, w: np.ndarray, b: float, d: float) -> str:
    """The signed distance d of the boundary from the origin, formula then numbers on separate lines (so it fits a
    narrow column), the held inputs' terms included for n > 2."""
    n = len(x)
    norm = tex_number(float(np.hypot(w[0], w[1])), 4)
    if n <= 2:
        return (rf"\begin{{aligned}} d &= \frac{{-b}}{{\lVert \mathbf w \rVert}} \\ "
                rf"&= \frac{{-({tex_number(b)})}}{{{norm}}} = {tex_number(d, 4)} \end{{aligned}}")
    h = held_sum(x, w)
    held = r" + ".join(f"w_{i + 1} x_{i + 1}" for i in range(2, n))
    return (rf"\begin{{aligned}} d &= \frac{{-(b + {held})}}{{\sqrt{{w_1^2 + w_2^2}}}} \\ "
            rf"&= \frac{{-({tex_number(b)} + ({tex_number(h, 4)}))}}{{{norm}}} = {tex_number(d, 4)} \end{{aligned}}")


def why_bias_sentence(x: np.ndarray, w: np.ndarray, b: float, phi: Phi, ghost: Boundary) -> str:
    """The "why a bias" paragraph for the plane as drawn: the sliding boundary and the b = 0 line if there is a
    boundary, and what the bias does at the origin."""
    if ghost.distance is None:  # w1 = w2 = 0: no boundary in this plane, so nothing slides
        return (f"**Why a bias term?** With w₁ = w₂ = 0 nothing here depends on x₁ or x₂; b alone sets the output "
                f"level. {bias_sentence(phi, b)}")
    return (f"**Why a bias term?** Drag *b*: the boundary slides without turning. {ghost_sentence(x, w, ghost)} "
            f"{bias_sentence(phi, b)}")


def bias_sentence(phi: Phi, b: float) -> str:
    """What the bias does at the origin (every input 0): phi(b) against phi(0), honest when they are equal."""
    at_b, at_0 = float(phi.numpy(b)), float(phi.numpy(0.0))
    if abs(at_b - at_0) < 5e-4:
        return (f"With every input 0 the output is φ(b) = **{at_b:.3f}**, the same as φ(0) here: {phi.label} "
                "is flat there, so this bias does not show at the origin. Move b to the other side of 0 to see it.")
    return (f"With every input 0 the output is φ(b) = **{at_b:.3f}**; without a bias it could only ever be "
            f"φ(0) = {at_0:.3f}.")


def held_sentence(x: np.ndarray, w: np.ndarray) -> str:
    """What is held for n > 2, with its values and what it adds to z (empty for n <= 2)."""
    n = len(x)
    if n <= 2:
        return ""
    values = ", ".join(f"x{sub(i + 1)} = {number(float(x[i]))}" for i in range(2, n))
    names = f"x{sub(3)}" if n == 3 else f"x{sub(3)}…x{sub(n)}"
    return (f"Only x₁ and x₂ vary in this plane; {names} are held at their sliders' values ({values}). "
            f"They add h = {' + '.join(f'w{sub(i + 1)}x{sub(i + 1)}' for i in range(2, n))} = "
            f"{number(held_sum(x, w))} to z, so within this plane they act like part of the bias.")


def ghost_sentence(x: np.ndarray, w: np.ndarray, ghost: Boundary) -> str:
    """What the dashed b = 0 line shows: through the origin only when nothing else shifts it."""
    h = held_sum(x, w)
    if ghost.distance is None:
        return ""
    where = "" if ghost.start is not None else " (outside the plotted square)"
    if abs(h) < 1e-12:
        return ("The dashed grey line is the same **w** with b = 0: it passes through the origin, whatever w is. "
                "Without a bias every boundary would be pinned there.")
    return (f"The dashed grey line is the same **w** with b = 0{where}. It does **not** pass through the origin: "
            f"the held inputs still add h = {number(h)} to z, so it sits at signed distance "
            f"−h/‖w‖ = {number(ghost.distance)}. With x₃… at 0 as well it would pass through the origin.")


def outside_sentence(x: np.ndarray, w: np.ndarray, b: float, b_range: tuple[float, float]) -> str:
    """The hint when the boundary misses the plotted square: how to bring it back, if b alone can."""
    h = held_sum(x, w)
    target = -h  # b = -h puts the line through the origin
    shift = f"b + h (h = {number(h)} from the held inputs)" if len(x) > 2 else "b"
    if b_range[0] <= target <= b_range[1]:
        return (f"The boundary lies outside the plotted square: move b towards {number(target)} "
                f"(where {shift} is 0 and the line passes through the origin) to bring it back.")
    return (f"The boundary lies outside the plotted square, and the bias slider cannot bring it back: the held "
            f"inputs add h = {number(h)} to z. Change x₃… or their weights.")


def plane_alt(title: str, bnd: Boundary, ghost: Boundary, colours: ColourRange) -> str:
    """The plane figure's text alternative: the colour range, where the boundary and the dashed b = 0 line are."""
    text = f"Heat map: {title}, ŷ from {number(colours.zmin)} to {number(colours.zmax)}."
    if bnd.distance is None:
        return text + " No boundary: with w₁ = w₂ = 0 the output is the same everywhere in this plane."
    where = "crossing the plotted square" if bnd.start is not None else "outside the plotted square"
    text += (f" The decision boundary w·x + b = 0 is a straight line {where}, at signed distance "
             f"{number(bnd.distance)} from the origin; the arrow w points to its z > 0 side.")
    if ghost.distance is not None:
        text += f" The dashed line, the same w with b = 0, is at signed distance {number(ghost.distance)}."
    return text


def point_sentence(threshold: float | None, lim: float) -> str:
    """n = 1: where the one-point boundary x1 = -b/w1 is, in words."""
    if threshold is None:
        return ("With one input the *boundary* would be the point x₁ = −b/w₁, but with w₁ = 0 there is none: "
                "ŷ is φ(b) for every x₁. Add a second input to see a boundary become a line.")
    where = f"here x₁ = {number(threshold)}" + (", outside the plotted range" if abs(threshold) > lim else "")
    return (f"With one input the *boundary* is a single point, x₁ = −b/w₁ ({where}). "
            "Add a second input to see it become a line.")


def shape_sentence(phi: Phi, bnd: Boundary) -> str:
    """How ŷ changes across the boundary as drawn: grows towards one side for a monotonic phi, else bands; the
    arrow w named only when it is on screen."""
    if bnd.distance is None:
        return "The neuron's output depends on x₁ and x₂ only through z = w₁x₁ + w₂x₂ + (b + the held inputs)."
    arrow = "(purple arrow)" if bnd.anchor is not None else "(its arrow sits on the boundary, off the square now)"
    base = ("The neuron's output is the same all along each line **w·x + b = const**. The line where z = 0, the "
            "**decision boundary**, splits the plane into the side where z > 0 and the side where z < 0. The "
            f"weight vector **w** {arrow} is perpendicular to it and points to the z > 0 side.")
    if phi.spec.monotonic:
        return base
    return base + (f" But {phi.label} is not monotonic: ŷ does not simply grow towards the z > 0 side, it rises "
                   "and falls along **w**, so the colours form bands parallel to the boundary rather than two "
                   "halves.")


def takeaway_sentence(phi: Phi) -> str:
    """The section's takeaway, true for the chosen phi."""
    if phi.spec.monotonic:
        return ("A single neuron is a linear classifier: w turns the boundary, b shifts it, φ decides how "
                "sharply the output changes across it.")
    return ("A single neuron only sees z = w·x + b, so its output is constant along lines: w turns them, b shifts "
            f"them. With a non-monotonic φ like {phi.label} it responds to bands of the plane, but still only "
            "bands parallel to one line.")


# ---------------------------------------------------------------------------------------------------------------
# Training one neuron: logistic regression by gradient descent
# ---------------------------------------------------------------------------------------------------------------

#: A point whose ŷ is within TIE of 0.5 (shown as 0.50) is on the boundary: a tie, not a class.
TIE = 0.005


@dataclass(frozen=True)
class Tally:
    """How many points are on the right side of the boundary, the wrong side, and on it (a tie)."""

    right: int
    wrong: int
    ties: int

    @property
    def total(self) -> int:
        return self.right + self.wrong + self.ties

    def text(self) -> str:
        parts = [f"{self.right} of {self.total} right", f"{self.wrong} wrong"]
        if self.ties:
            parts.append(f"{self.ties} on the boundary (ŷ ≈ 0.5)")
        return ", ".join(parts)


def tally(y_hat: np.ndarray, y: np.ndarray) -> Tally:
    """Count right, wrong and tied predictions of probabilities ``y_hat`` (m,) against labels ``y`` (m,)."""
    tie = np.abs(y_hat - 0.5) < TIE
    right = (y_hat > 0.5) == (y == 1)
    return Tally(int(np.sum(right & ~tie)), int(np.sum(~right & ~tie)), int(np.sum(tie)))


@dataclass(frozen=True)
class LossTrend:
    """What a loss history does: ``kind`` is one of "short", "falling", "settled", "flat", "oscillating",
    "rising", "diverged"; ``sentence`` says so in words (empty for "short"); ``alarm`` is True when it needs
    the user to act (a smaller learning rate)."""

    kind: str
    sentence: str
    alarm: bool


def loss_trend(losses: np.ndarray | list[float], lr: float | None = None) -> LossTrend:
    """Classify a loss history (one value per epoch, oldest first) from its last fifth (at least 10 values).

    Oscillating: in that window the loss rose in at least a quarter of the epochs and fell in at least a quarter,
    and swung by more than 1 % of its level. Rising: it ended well above its lowest and above its start. Flat: it
    barely moved (under 1 %) from its start. Settled: it fell and changed by less than 0.1 % over the window.
    Falling: anything else that goes down.
    """
    loss = np.asarray(losses, dtype=float)
    eta = f"η = {number(lr)}" if lr is not None else "The learning rate"
    smaller = "try a smaller η." if lr is not None else "try a smaller learning rate."
    if len(loss) < 10:
        return LossTrend("short", "", False)
    if not np.all(np.isfinite(loss)):
        return LossTrend("diverged", f"The loss became infinite: {eta} is far too large, every step overshoots "
                         f"the minimum by more than it corrects. {smaller.capitalize()}", True)
    window = loss[-max(10, len(loss) // 5):]
    level = max(float(np.median(np.abs(window))), 1e-300)
    diffs = np.diff(window)
    swing = float(window.max() - window.min()) / level
    rises, falls = float(np.mean(diffs > 1e-9 * level)), float(np.mean(diffs < -1e-9 * level))
    lo, hi = number(float(window.min())), number(float(window.max()))
    if min(rises, falls) >= 0.25 and swing > 0.01:
        return LossTrend("oscillating", f"The loss swings up and down instead of falling (between {lo} and {hi} "
                         f"over the last {len(window)} epochs): {eta} is too large, so each step jumps across "
                         f"the valley of the loss instead of walking down it. {smaller.capitalize()}", True)
    best = float(loss.min())
    if loss[-1] > 1.5 * best + 1e-12 and loss[-1] > loss[0]:
        return LossTrend("rising", f"The loss is growing (from {number(float(loss[0]))} at the start to "
                         f"{number(float(loss[-1]))} now): {eta} is too large. {smaller.capitalize()}", True)
    fell = (loss[0] - loss[-1]) / max(abs(loss[0]), 1e-300)
    if fell < 0.01:
        return LossTrend("flat", f"The loss has barely moved (from {number(float(loss[0]))} to "
                         f"{number(float(loss[-1]))}): either this is already the lowest loss this neuron can "
                         "reach, or the steps are too small to get anywhere in this many epochs.", False)
    if swing < 1e-3:
        return LossTrend("settled", f"The loss fell from {number(float(loss[0]))} to {number(float(loss[-1]))} "
                         "and has stopped changing: gradient descent has found the lowest loss it can reach.",
                         False)
    return LossTrend("falling", f"The loss is still falling ({number(float(window[0]))} → "
                     f"{number(float(window[-1]))} over the last {len(window)} epochs).", False)


def xor_sentence(t: Tally, w: np.ndarray, b: float) -> str:
    """The XOR lesson, true at what the run reached: a tie is not a class."""
    size = number(float(max(np.max(np.abs(w)), abs(b))))
    if t.ties == t.total:
        return (f"w and b have shrunk to almost 0 (largest |w|, |b| = {size}), so every point sits on the boundary "
                "with ŷ ≈ 0.5: a tie, not a class, and the loss is ln 2 ≈ 0.693, a coin flip. That is the best a "
                "single neuron can do on XOR: any straight line gets at most 3 of the 4 points right, and the loss "
                "it would pay on the wrong one outweighs what it saves on the others, so the lowest cross-entropy "
                "is at w = 0, b = 0. A hidden layer of neurons fixes this.")
    return (f"So far: {t.text()}. No straight line puts all four XOR points on their right sides (at most 3 of 4), "
            "and gradient descent heads for w = 0, b = 0, where every point is a tie at ŷ = 0.5. A hidden layer "
            "of neurons fixes this.")


def fit_sentence(t: Tally, name: str) -> str:
    """How the boundary splits the data now (for every set but XOR, which has its own lesson)."""
    if t.right == t.total:
        return f"All {t.total} points are on their right side of the line: the neuron separates {name}."
    return f"Now: {t.text()}."


@dataclass(frozen=True)
class TrainingSnapshot:
    """What the training panel draws at one moment: the weights ``w`` (2,), ``b``, the probability over the
    plane, the boundary, the loss per epoch (``epochs``, ``losses``, equal length) and the sentences."""

    w: np.ndarray
    b: float
    plane: PlaneOutput
    bnd: Boundary
    epochs: np.ndarray
    losses: np.ndarray
    tally: Tally
    trend: LossTrend
    lesson: str


def cross_entropy(z: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of sigmoid(z) against labels ``y`` (both (m,)), from the logits: softplus(z) - y z,
    as torch's binary_cross_entropy_with_logits computes it."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


class NeuronTrainer(TimedRun):
    """Logistic regression y_hat = sigmoid(w . x + b) fitted by full-batch gradient descent on the binary
    cross-entropy, one epoch per step, for exactly ``epochs`` epochs (the same numbers under any load).

    ``w`` starts at small seeded random values, ``b`` at 0. The history holds the loss at the start (epoch 0)
    and after every epoch, all of it (at most ``epochs`` + 1 rows, bounded by the page's epoch slider). torch
    loads on the first step: an untrained run (a first visit) is plain numpy.
    """

    unit = "epoch"

    def __init__(self, data: Points, lr: float = 1.0, epochs: int = 1000, seed: int = 0) -> None:
        self.data, self.lr, self.max_steps, self.seed = data, float(lr), int(epochs), seed
        self._w0 = 0.1 * np.random.default_rng(seed).standard_normal(data.X.shape[1])
        self._t: dict | None = None  # X, y, w, b as float64 tensors, from the first step on
        self.history = History(("epoch", "loss"), max_points=self.max_steps + 2)
        self.history.add(epoch=0, loss=cross_entropy(pre_activation(data.X, self._w0, 0.0), data.y))

    def _tensors(self) -> dict:
        if self._t is None:
            import torch

            self._t = {"X": torch.as_tensor(self.data.X, dtype=torch.float64),
                       "y": torch.as_tensor(self.data.y, dtype=torch.float64),
                       "w": torch.tensor(self._w0, dtype=torch.float64, requires_grad=True),
                       "b": torch.zeros((), dtype=torch.float64, requires_grad=True)}
        return self._t

    def _step(self) -> bool:
        import torch

        t = self._tensors()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(t["X"] @ t["w"] + t["b"], t["y"])
        gw, gb = torch.autograd.grad(loss, (t["w"], t["b"]))
        with torch.no_grad():
            t["w"] -= self.lr * gw
            t["b"] -= self.lr * gb
            loss = float(torch.nn.functional.binary_cross_entropy_with_logits(t["X"] @ t["w"] + t["b"], t["y"]))
        self.history.add(epoch=self.steps + 1, loss=loss)
        return math.isfinite(loss)  # an infinite loss ends the run: nothing after it means anything

    def weights(self) -> tuple[np.ndarray, float]:
        """Current (w, b) as numpy."""
        if self._t is None:
            return self._w0.copy(), 0.0
        return self._t["w"].detach().numpy().copy(), float(self._t["b"].detach())

    def tally(self) -> Tally:
        """Right, wrong and tied points at the current weights."""
        w, b = self.weights()
        return tally(Phi("sigmoid").numpy(pre_activation(self.data.X, w, b)), self.data.y)

    def status(self) -> str:
        if self.steps == 0:
            return f"Not trained yet: w is small and random, b = 0. {number(self.max_steps)} epochs to go."
        return (f"Epoch {number(self.steps)} of {number(self.max_steps)} · loss {number(self.history.last('loss'))}"
                f" · {self.tally().text()}")

    def snapshot(self, lim: float, grid: int = 81) -> TrainingSnapshot:
        """The frozen picture of the run now (over the square [-lim, lim]^2), with its sentences."""
        w, b = self.weights()
        t = self.tally()
        losses = np.array(self.history["loss"])
        trend = loss_trend(losses[1:], self.lr)  # the epochs trained, not the starting point
        if self.data.name == "XOR":
            lesson = xor_sentence(t, w, b) if self.steps else ""
        else:
            lesson = fit_sentence(t, self.data.name) if self.steps else ""
        return TrainingSnapshot(w, b, plane_output(w, b, Phi("sigmoid"), lim, n=grid), boundary(w, b, lim),
                                np.array(self.history["epoch"]), losses, t, trend, lesson)


def envelope(x: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per group of consecutive points (``bins`` groups): the group's last x, its min y and its max y.

    For drawing a curve with more points than pixels (a loss that swings every epoch) as a band, not a block.
    """
    groups = np.array_split(np.arange(len(x)), bins)
    groups = [g for g in groups if len(g)]
    return (np.array([x[g[-1]] for g in groups]), np.array([np.min(y[g]) for g in groups]),
            np.array([np.max(y[g]) for g in groups]))


# ---------------------------------------------------------------------------------------------------------------
# A biological neuron: leaky integrate-and-fire
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LIFParams:
    """tau_m dV/dt = -V + R I; a spike and reset to 0 when V reaches V_th, then t_ref of silence.

    Units: ms, megaohm, nA, mV (so R*I is in mV). V is measured from rest.
    """

    tau_m: float = 10.0  # membrane time constant, ms
    R: float = 10.0  # membrane resistance, megaohm
    V_th: float = 15.0  # threshold above rest, mV
    t_ref: float = 2.0  # refractory period, ms


@dataclass(frozen=True)
class LIFTrace:
    """Membrane potential ``V`` (mV) at times ``t`` (ms), and the spike times (ms)."""

    t: np.ndarray
    V: np.ndarray
    spikes: np.ndarray

    def rate_hz(self) -> float:
        """Firing rate over the run, from the mean interspike interval (0 with fewer than 2 spikes)."""
        if len(self.spikes) < 2:
            return 0.0
        return 1000.0 / float(np.mean(np.diff(self.spikes)))


def lif_simulate(I: float, T: float = 200.0, dt: float = 0.05, p: LIFParams = LIFParams()) -> LIFTrace:
    """Simulate the LIF neuron under constant current ``I`` (nA) for ``T`` ms.

    Between spikes the exact solution for constant input is used, V <- RI + (V - RI) e^{-dt/tau}, so the
    only error is the spike time's rounding to the grid; the threshold crossing is interpolated within
    the step to remove most of that.
    """
    n = int(round(T / dt)) + 1
    t = np.arange(n) * dt
    V = np.zeros(n)
    v_inf = p.R * I
    spikes: list[float] = []
    v, refractory_until = 0.0, -1.0
    for i in range(1, n):
        if t[i] <= refractory_until:
            v = 0.0
        else:
            start = max(t[i - 1], refractory_until)  # integrate only the non-refractory part of the step
            v_next = v_inf + (v - v_inf) * math.exp(-(t[i] - start) / p.tau_m)
            if v_next >= p.V_th:
                # exact crossing time: solve V_th = v_inf + (v - v_inf) e^{-s/tau} for s
                s_cross = p.tau_m * math.log((v_inf - v) / (v_inf - p.V_th))
                t_spike = start + s_cross
                spikes.append(t_spike)
                refractory_until = t_spike + p.t_ref
                V[i - 1] = p.V_th  # draw the rise to threshold
                v = 0.0
            else:
                v = v_next
        V[i] = v
    return LIFTrace(t, V, np.array(spikes))


def lif_rate_analytic(I: np.ndarray | float, p: LIFParams = LIFParams()) -> np.ndarray:
    """The f-I curve in Hz: 1 / (t_ref + tau ln(R I / (R I - V_th))) above threshold current, else 0."""
    I = np.asarray(I, dtype=float)
    drive = p.R * I
    rate = np.zeros_like(drive)
    above = drive > p.V_th
    period_ms = p.t_ref + p.tau_m * np.log(drive[above] / (drive[above] - p.V_th))
    rate[above] = 1000.0 / period_ms
    return rate


#: The f-I curve's simulated dots: currents (nA), run length and step (ms). dt = 0.25 ms is exact enough: the
#: simulation solves each threshold crossing in closed form and the fastest spikes (5 nA) are 5.6 ms apart.
FI_SIM_CURRENTS = tuple(float(i) for i in np.linspace(0.0, 5.0, 21))
FI_SIM_T, FI_SIM_DT = 400.0, 0.25


def fi_simulated(currents: tuple[float, ...] = FI_SIM_CURRENTS, p: LIFParams = LIFParams()) -> np.ndarray:
    """The simulated firing rate (Hz) at each current, from ``lif_simulate`` over FI_SIM_T ms."""
    return np.array([lif_simulate(i, T=FI_SIM_T, dt=FI_SIM_DT, p=p).rate_hz() for i in currents])


def rheobase(p: LIFParams = LIFParams()) -> float:
    """The smallest current (nA) that makes the neuron fire: V_th / R."""
    return p.V_th / p.R


def rate_cap(p: LIFParams = LIFParams()) -> float:
    """The firing rate no current can exceed, 1 / t_ref, in Hz."""
    return 1000.0 / p.t_ref


def silence_sentence(current: float, p: LIFParams = LIFParams()) -> str:
    """Why the neuron does not fire at ``current`` (empty if it does)."""
    drive = p.R * current
    if drive > p.V_th:
        return ""
    if math.isclose(drive, p.V_th, rel_tol=1e-9):
        return (f"At I = {current:.2f} nA, R·I = {drive:.1f} mV equals the threshold of {p.V_th:g} mV: V creeps "
                "towards it but would reach it only after infinite time, so **no spikes**. This is the rheobase: "
                "any more current and the neuron fires.")
    return (f"At I = {current:.2f} nA, R·I = {drive:.1f} mV stays below the threshold of {p.V_th:g} mV: V levels "
            "off under it, so **no spikes**. Below the rheobase the neuron is silent, like a ReLU for z < 0.")


def fi_takeaway(I: np.ndarray, rate: np.ndarray, p: LIFParams = LIFParams()) -> str:
    """The f-I curve's lesson, from the curve drawn: silent, then rising, bending towards the cap 1/t_ref."""
    i_top, r_top, cap = float(I[-1]), float(rate[-1]), rate_cap(p)
    firing = rate > 0
    slopes = np.diff(rate[firing]) / np.diff(I[firing])
    bends = bool(len(slopes) > 2 and slopes[-1] < slopes[len(slopes) // 2])
    shape = "rises ever more slowly" if bends else "rises"
    return (f"Averaged over time, a spiking neuron's rate is 0 below the rheobase ({rheobase(p):.2f} nA) and then "
            f"{shape} with its input, like a ReLU that bends over: at {i_top:g} nA it fires {r_top:.0f} Hz, "
            f"{r_top / cap:.0%} of the {cap:.0f} Hz that the refractory period allows, a ceiling it approaches "
            "like a saturating sigmoid. Artificial activations are a cartoon of this curve, without the spikes.")
